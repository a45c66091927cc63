/*
 * The card's wiring of the Amendment B administration agent
 * (net/admin/admin_agent.h): where its parameters and state live, the
 * SCP81 PSK it hands TLS, and the commands it adds to every security
 * domain (through gp_isd_config.extra_command). Card only.
 *
 * Commands (CLA 80..83, or with secure messaging; docs/remote-admin.md
 * "The card's agent"):
 *   80 4C 00 00        ADMIN TRIGGER (netcard): start an admin session
 *                      of the selected security domain now. No secure
 *                      channel needed (the session itself authenticates
 *                      the server). SW 9000 started; 6985 a session is
 *                      running (refused, not queued); 6A88 no PSK key
 *                      (type 85) for the parameters' key reference;
 *                      6A81 no network address yet; 6A86 P1P2 not 0000
 *   80 E2 ...  81 L .. STORE DATA of the admin session triggering
 *                      parameters (Amendment B 4.1), in one block, to the
 *                      selected security domain: authenticated secure
 *                      channel (6982), 6A80 if malformed (admin_params.h)
 *   00/80 CA 00 85     GET DATA: the parameters as stored (the card's
 *                      defaults encoded when none are)
 *   00/80 CA DF 3A     GET DATA: the last session's outcome
 *                      (admin_agent_status)
 *
 * Applets: card_admin_start() registers the port of NC_SYS_ADMIN_SESSION
 * (sys/runtime.h): a session of the security domain the calling
 * instance is associated with, the same checks as ADMIN TRIGGER (busy:
 * refused, not queued).
 *
 * Test key set (card_admin_personalise, at the ISD's first ADMIN
 * TRIGGER rather than at first boot, so that the key information
 * template of a fresh card stays the card manager's two key sets, as the
 * recorded GlobalPlatformPro/GPShell traces expect): the ISD gets the documented test SCP81 key set KVN 40: the PSK (KID
 * 01, type 85) = 4E43414452414D494E50534B30303031 ("NCADRAMINPSK0001"),
 * and its DEK (KID 02, AES) = the same value (Amendment B: a PSK key set
 * is the PSK and a DEK, KID + 1). Its PSK identity is the parameters'
 * (default "netcard-admin"). Never written over a key that is there.
 *
 * Store objects: CARD_OBJ_ADMIN_PARAMS(sd) ("AP"), the 81 TLV as stored;
 * CARD_OBJ_ADMIN_STATE ("AS", secure: never rolled back), the agent's
 * retry counter, resume point and last outcome; CARD_OBJ_ADMIN_JOURNAL
 * ("AJ"), the script journal (net/admin/admin_journal.h), carried by
 * the transaction of each script command that changes the NVM (the
 * store's commit rider) and written once at the end of a script that
 * had such commands.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_CARD_ADMIN_H
#define CARDOS_CARD_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apdu/apdu.h"
#include "apdu/applet.h"

#define CARD_ADMIN_INS_TRIGGER    0x4Cu
#define CARD_OBJ_ADMIN_PARAMS(sd) (0x41500000u | (uint8_t)(sd))
#define CARD_OBJ_ADMIN_STATE      0x41530000u
#define CARD_OBJ_ADMIN_JOURNAL    0x414A0000u

/* The test PSK of key set 40 (docs/remote-admin.md). */
#define CARD_ADMIN_TEST_PSK_HEX   "4E43414452414D494E50534B30303031"

void card_admin_personalise(void);
/* After net_init(): the admin APDU session and the agent. */
void card_admin_start(void);

/* gp_isd_config.extra_command */
/* gp_isd_config.scp81_session: is ORIGIN the admin APDU session while
 * it administers SD? */
bool card_admin_scp81_session(uint8_t sd, const struct apdu_origin *origin);

bool card_admin_command(uint8_t sd, const struct apdu *cmd, bool auth,
                        struct apdu_response *rsp);

/* The TLS PSK provider's client role (card/keys.c). */
bool card_admin_client_psk(void *ctx, uint32_t ref, uint8_t *identity,
                           size_t *id_len, uint8_t *key, size_t *key_len);

#endif /* CARDOS_CARD_ADMIN_H */
