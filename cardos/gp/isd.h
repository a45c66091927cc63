/*
 * The Issuer Security Domain (GPC 2.3.1 7.1, AID A000000151000000): an
 * application (apdu/applet.h) that opens secure channels (SCP03 i = 70,
 * SCP02 i = 55; gp/scp.h) per logical channel and runs the card
 * manager's commands.
 *
 * Commands (CLA 80..83/C0..CF, with secure messaging 84..87/E0..EF):
 *   CA/CB GET DATA        also CLA 00; no secure channel needed
 *   50 INITIALIZE UPDATE  P1 = KVN (00: the default key set), P2 00,
 *                         8-byte host challenge
 *   82 EXTERNAL AUTHENTICATE  P1 = security level
 *   D8 PUT KEY, E4 DELETE (keys D0/D2, registry objects 4F), F0 SET
 *   STATUS, F2 GET STATUS, E6 INSTALL, E8 LOAD, E2 STORE DATA: an open
 *   secure channel, authenticated (any level; else 6982); gp/cmd.h has the
 *   modules that run them
 * A secure channel lives on the logical channel of the APDU session that
 * opened it (struct apdu_origin slot), one per channel of every APDU
 * session (APDU_SLOTS), all of them open at once if need be; it
 * ends on a wrong C-MAC (6982), a wrong host cryptogram (6300, counted:
 * gp/keyset.h), another INITIALIZE UPDATE, deselection and reset.
 * Responses are wrapped (R-MAC, R-ENC) as the level asks.
 *
 * Card life cycle (GPC 2.3.1 5.1): TERMINATED answers only GET DATA
 * (6985 otherwise); in CARD_LOCKED the registry (gp/registry.h) lets
 * only the ISD be selected, and the ISD goes on answering everything (it
 * is how the card is managed and unlocked).
 *
 * The store comes from the card's wiring (CONFIG->store(): NULL while
 * none: 6581 for what needs it). No hardware access; compiles on the host.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_GP_ISD_H
#define CARDOS_GP_ISD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apdu/apdu.h"
#include "apdu/applet.h"
#include "store/store.h"

struct gp_isd_config {
    struct store *(*store)(void);
    uint32_t (*free_ram)(void);     /* bytes, for GET DATA FF21 */
    /* SCP02 option: 0x55 (0: the default; pseudo-random card challenge)
     * or 0x15 (random card challenge, from the DRBG) */
    uint8_t scp02_i;
    /*
     * Commands the wiring adds to every security domain (card/admin.c:
     * the Amendment B admin session trigger, its parameters with STORE
     * DATA and GET DATA), after secure channel unwrapping and before the
     * ISD's own: SD is the security domain (0: the ISD), AUTH whether the
     * channel's secure channel is open. True if it answered RSP (the
     * ISD wraps the response as usual); NULL: none.
     */
    bool (*extra_command)(uint8_t sd, const struct apdu *cmd, bool auth,
                          struct apdu_response *rsp);
    /*
     * Does ORIGIN belong to an Amendment B administration session of
     * security domain SD (card/admin.c)? Its commands count as
     * authenticated (gp/cmd.h gp_cmd_authenticated) unless the script
     * opens a secure channel of its own. NULL: never.
     */
    bool (*scp81_session)(uint8_t sd, const struct apdu_origin *origin);
};

const struct applet *gp_isd_init(const struct gp_isd_config *cfg);

/*
 * The GP Card API SecureChannel services (processSecurity, unwrap, wrap,
 * getSecurityLevel) for the application selected on ORIGIN's channel,
 * on the secure channel session of that channel, with the keys of the
 * security domain the application is associated with (its registry
 * entry: the ISD or the supplementary SD that installed it or that it
 * was extradited to; GPC 2.3.1 7.3, 10.2):
 *   gp_sc_process()  INITIALIZE UPDATE or EXTERNAL AUTHENTICATE (CLA
 *                    80/84, the command in RSP's buffer as it arrived):
 *                    answered in RSP as that SD answers them (its key
 *                    sets, counters and AID; 6A88 if the SD the entry
 *                    names is gone); false when CMD is neither
 *   gp_sc_unwrap()   scp_unwrap() (gp/scp.h) on the session: SW_OK and
 *                    PLAIN, or the error (the session ends); without an
 *                    open session a command without secure messaging is
 *                    PLAIN as it is, one with it SW_SECURITY_STATUS
 *   gp_sc_wrap()     scp_wrap() of RSP when a session is open
 *   gp_sc_level()    0 without an open session, else 0x80 | SCP_LEVEL_*
 *   gp_sc_end()      end it (the application is selected or deselected)
 */
bool gp_sc_process(const struct apdu_origin *o, const struct apdu *cmd,
                   struct apdu_response *rsp);
uint16_t gp_sc_unwrap(const struct apdu_origin *o, uint8_t *buf, size_t cap,
                      const struct apdu *cmd, struct apdu *plain);
void gp_sc_wrap(const struct apdu_origin *o, struct apdu_response *rsp);
uint8_t gp_sc_level(const struct apdu_origin *o);
void gp_sc_end(const struct apdu_origin *o);

/*
 * The ROM module of supplementary security domains (GPC 2.3.1 7.2): the
 * ISD's code, module AID A000000151535041 (load file A00000015153504100,
 * gp/registry.h). INSTALL [for install] with the Security Domain
 * privilege makes instances; each has its own key sets (gp/keyset.h),
 * starting with key set 30 (SCP03, AES-128, 40..4F), opens its own secure
 * channels, and, with the Authorized Management privilege, manages the
 * content associated with it.
 */
const struct applet *gp_sd_module(void);

/*
 * First boot of the card manager (an empty store, or after FORMAT NVM):
 * if ST has no card record, write in one transaction the key sets KVN 30
 * (SCP03, AES-128) and KVN 20 (SCP02, 3DES), ENC = MAC = DEK =
 * 404142434445464748494A4B4C4D4E4F, and the card record (SECURED).
 * STORE_OK, or the store's error (logged by the caller).
 */
int gp_personalise(struct store *st);

/* Static RAM of the ISD (sessions and state), for the bench. */
uint32_t gp_isd_ram_bytes(void);

#endif /* CARDOS_GP_ISD_H */
