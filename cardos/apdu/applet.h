/*
 * The applet contract: what an application gives the APDU runtime
 * (apdu/dispatch.h) so that commands reach it.
 *
 * An application is a struct applet: its AID (5..16 bytes, ISO/IEC
 * 7816-4:2013 8.2.1.2; none for the default application), an opaque
 * SELF handed back to every callback, and the callbacks below. Every
 * callback runs in the event loop, one at a time; none may block.
 *
 * Commands come from APDU sessions (apdu/session.h): one per APDU source
 * (the contact interface; the admin agent over HTTP later). Each callback
 * is told where a command comes from by a struct apdu_origin: the session
 * and the logical channel in it, and a SLOT number unique across all
 * sessions, so that an application keeping per-channel state (a current
 * file, a secure channel) keeps it in an array of APDU_SLOTS entries
 * indexed by SLOT and never mixes two sources' channel 0.
 *
 * Secure messaging (CLA b4b3 or b6 set, 7816-4 5.4.1; GlobalPlatform
 * CLA 84, E0..EF) reaches the application selected on the channel
 * unchanged: the application that opened a secure channel unwraps and
 * wraps. An application that does not do secure messaging answers
 * 6882 itself (apdu_class_decode(cmd->cla).sm != 0).
 *
 * No hardware access; compiles on the host.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_APDU_APPLET_H
#define CARDOS_APDU_APPLET_H

#include <stdbool.h>
#include <stdint.h>

#include "apdu/apdu.h"
#include "iso7816/t0.h"

/* APDU sources the runtime serves at once: the contact interface and the
 * remote administration agent. */
#define APDU_SESSIONS    2
/* Logical channels per session: 0..19 (7816-4 5.4.1). */
#define APDU_CHANNELS    20
/* Per-channel state slots across all sessions (struct apdu_origin). */
#define APDU_SLOTS       (APDU_SESSIONS * APDU_CHANNELS)
#define APDU_AID_MIN     5
#define APDU_AID_MAX     16

enum applet_status { APPLET_DONE, APPLET_PENDING };

struct apdu_session;

/* Where a command comes from. */
struct apdu_origin {
    struct apdu_session *session;
    uint8_t channel;        /* logical channel in the session, 0..19 */
    uint8_t slot;           /* session index * APDU_CHANNELS + channel */
};

struct applet {
    const char *name;
    const uint8_t *aid;
    uint8_t aid_len;
    void *self;
    /* Becomes selected on ORIGIN's channel; may refuse (false: 6999).
     * NULL: always accepts. */
    bool (*select)(void *self, const struct apdu_origin *origin);
    /* Is no longer selected there (another SELECT, channel closed, reset);
     * may be NULL. */
    void (*deselect)(void *self, const struct apdu_origin *origin);
    /*
     * Process CMD; rsp->sw is preset to 9000 with no data. APPLET_PENDING:
     * the command goes on; the link layer keeps the terminal waiting and
     * the runtime calls poll() until it is DONE.
     */
    enum applet_status (*process)(void *self, const struct apdu_origin *origin,
                                  const struct apdu *cmd,
                                  struct apdu_response *rsp);
    /* Continue a pending command; may be NULL if never pending. */
    enum applet_status (*poll)(void *self, const struct apdu_origin *origin,
                               struct apdu_response *rsp);
    /* T=0: which way this command's data goes (iso7816/t0.h). */
    enum t0_dir (*t0_direction)(void *self, const uint8_t hdr[4]);
    /* SESSION was reset (default application only); may be NULL. */
    void (*reset)(void *self, const struct apdu_session *session);
    /*
     * The response data of a SELECT that asks for the FCI (P2 b4b3 00):
     * written into RSP (empty, SW 9000) right after select(). NULL: the
     * runtime answers 6F 84 <AID> (apdu/dispatch.h). A security domain
     * answers its GlobalPlatform FCI (GPC 2.3.1 11.9.3.1).
     */
    void (*fci)(void *self, const struct apdu_origin *origin,
                struct apdu_response *rsp);
    /*
     * GlobalPlatform personalization (GPC 2.3.1 11.11.2.3, 11.5.2.3.4
     * INSTALL [for personalization]; Java Card's Application.processData):
     * after INSTALL [for personalization] names this application, its
     * security domain hands it every STORE DATA of that channel, unwrapped
     * (C-MAC checked, data deciphered by the secure channel), INSTANCE
     * being the application's own struct applet (its AID). RSP as for
     * process(): data and status word go back to the host, wrapped by the
     * security domain. NULL: the application takes no personalization
     * data (the security domain answers 6985).
     */
    void (*store_data)(void *self, const struct applet *instance,
                       const struct apdu *cmd, struct apdu_response *rsp);
    /* Default application only: takes the GSM SIM class CLA A0 of 3GPP
     * TS 51.011 (APDU_CLA_GSM, no channels: the basic channel), which
     * the dispatcher otherwise answers 6E00. */
    bool gsm_class;
};

/* Does CMD's class byte indicate secure messaging? */
static inline bool apdu_secure_messaging(const struct apdu *cmd)
{
    return apdu_class_decode(cmd->cla).sm != 0;
}

#endif /* CARDOS_APDU_APPLET_H */
