/*
 * APDU sessions. Contract: apdu/session.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "apdu/session.h"

void apdu_session_init(struct apdu_session *s, uint8_t index,
                       const char *name)
{
    memset(s, 0, sizeof(*s));
    s->name = name;
    s->index = index < APDU_SESSIONS ? index : 0;
}

struct apdu_origin apdu_session_origin(struct apdu_session *s,
                                       uint8_t channel)
{
    struct apdu_origin o = {
        .session = s,
        .channel = channel,
        .slot = (uint8_t)(s->index * APDU_CHANNELS + channel),
    };

    return o;
}
