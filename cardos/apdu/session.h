/*
 * An APDU session: one source of commands (the contact interface, the
 * remote administration agent), with its own logical channels, the
 * application selected on each, and the command it has pending.
 *
 * The card's wiring (cardos/card/) owns one struct apdu_session per
 * source, initialises it once with a distinct INDEX (0..APDU_SESSIONS-1)
 * and hands it to the dispatcher (apdu/dispatch.h) with every command.
 * Only the dispatcher changes a session's channels; everyone may read
 * them through the accessors below.
 *
 * No hardware access; compiles on the host.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_APDU_SESSION_H
#define CARDOS_APDU_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "apdu/applet.h"

struct apdu_channel {
    bool open;
    const struct applet *selected;
};

struct apdu_session {
    const char *name;           /* "contact", "admin": for logs */
    uint8_t index;              /* 0..APDU_SESSIONS-1 */
    struct apdu_channel channels[APDU_CHANNELS];
    struct {
        bool active;
        const struct applet *applet;
        uint8_t channel;
    } pending;
};

/*
 * Name the session and give it its INDEX; every channel closed, nothing
 * selected. Call dispatch_reset() before the first command so that the
 * basic channel is open with the default application selected.
 */
void apdu_session_init(struct apdu_session *s, uint8_t index,
                       const char *name);

/* The origin (apdu/applet.h) of a command on CHANNEL of S. */
struct apdu_origin apdu_session_origin(struct apdu_session *s,
                                       uint8_t channel);

static inline bool apdu_session_channel_open(const struct apdu_session *s,
                                             uint8_t channel)
{
    return channel < APDU_CHANNELS && s->channels[channel].open;
}

/* The application selected on CHANNEL, or NULL. */
static inline const struct applet *
apdu_session_selected(const struct apdu_session *s, uint8_t channel)
{
    return channel < APDU_CHANNELS ? s->channels[channel].selected : NULL;
}

static inline bool apdu_session_pending(const struct apdu_session *s)
{
    return s->pending.active;
}

/* Forget the pending command (the link layer dropped it). */
static inline void apdu_session_cancel(struct apdu_session *s)
{
    s->pending.active = false;
}

#endif /* CARDOS_APDU_SESSION_H */
