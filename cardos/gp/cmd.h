/*
 * Inside the card manager: what the ISD (gp/isd.c) hands each command
 * module once a command has passed the secure channel (unwrapped, its
 * data copied out of the way of the response), and the modules' entry
 * points. Each handler reads C->cmd (the plain command: CLA without the
 * secure messaging bit) and writes C->rsp (data and SW; preset empty,
 * 9000); the ISD wraps the response afterwards.
 *
 * Rule for every handler (GPC 2.3.1 11.1): bad input gets its status
 * word and changes nothing; every change to the NVM is one store
 * transaction, so that a power cut leaves the old or the new state.
 *
 * No hardware access; compiles on the host.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_GP_CMD_H
#define CARDOS_GP_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apdu/apdu.h"
#include "gp/scp_session.h"
#include "store/store.h"

struct gp_cmd {
    struct store *st;               /* NULL: no store (6581) */
    struct scp_session *sc;         /* the channel's session, or NULL */
    const struct apdu *cmd;
    struct apdu_response *rsp;
    /* the security domain selected on the channel: 0 the ISD, else a
     * supplementary one's number, AID and privileges (gp/registry.h) */
    uint8_t sd;
    uint8_t sd_aid_len;
    const uint8_t *sd_aid;
    uint8_t sd_priv[3];
    /* the command came in an Amendment B administration session of this
     * security domain (PSK-TLS with its SCP81 keys, gp_isd_config) */
    bool scp81;
};

/* May the channel's security domain manage content: the ISD, or one with
 * the Authorized Management privilege (GPC 2.3.1 6.6.1.2)? */
static inline bool gp_cmd_may_manage(const struct gp_cmd *c)
{
    return c->sd == 0 || (c->sd_priv[1] & 0x40u);
}

/* Is the channel's secure channel open (EXTERNAL AUTHENTICATE passed:
 * AUTHENTICATED, at any security level, 00 included; GPC 2.3.1 10.2), or
 * did the command come through the domain's SCP81 session (Amendment B:
 * the PSK-TLS session authenticated the server with the domain's keys
 * and protects every command; GPC 2.3.1 10.2 lists SCP81 as a secure
 * channel protocol)? */
static inline bool gp_cmd_authenticated(const struct gp_cmd *c)
{
    return c->scp81 || (c->sc != NULL && c->sc->state == SCP_OPEN);
}

/* gp/keys_cmd.c: PUT KEY (GPC 2.3.1 11.8) and DELETE of keys (11.2.2.2,
 * tags D0/D2; C->cmd is the DELETE). */
void gp_cmd_put_key(struct gp_cmd *c);
void gp_cmd_delete_key(struct gp_cmd *c, const uint8_t *kid, const uint8_t *kvn);

/* gp/status.c: GET STATUS (SLOT: the channel slot, for 6310
 * continuation) and SET STATUS. */
void gp_cmd_get_status(struct gp_cmd *c, uint8_t slot);
void gp_cmd_set_status(struct gp_cmd *c);

/* gp/install.c: INSTALL; gp/content.c: LOAD (per channel slot), DELETE of
 * a registry object (AID), STORE DATA to the ISD. */
void gp_cmd_install(struct gp_cmd *c, uint8_t slot);
void gp_cmd_load(struct gp_cmd *c, uint8_t slot);
void gp_cmd_delete_object(struct gp_cmd *c, const uint8_t *aid, size_t len);
void gp_cmd_store_data(struct gp_cmd *c, uint8_t slot);

/* The first key sets of security domain SD, ENC = MAC = DEK = 40..4F,
 * staged into the caller's transaction: KVN 30 (SCP03, AES-128) and, for
 * the ISD (first boot), KVN 20 (SCP02, 3DES). */
int gp_keys_stage_personalisation(struct store *st, uint8_t sd);

#endif /* CARDOS_GP_CMD_H */
