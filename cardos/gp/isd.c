/*
 * The Issuer Security Domain. Contract: gp/isd.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "gp/isd.h"

#include <string.h>

#include "apdu/session.h"
#include "crypto/drbg.h"
#include "gp/card_data.h"
#include "gp/cmd.h"
#include "gp/gp.h"
#include "gp/keyset.h"
#include "gp/registry.h"
#include "gp/scp.h"
#include "gp/scp02.h"
#include "gp/scp03.h"

static const uint8_t isd_aid[] = { GP_ISD_AID };

/* One secure channel session per logical channel of every APDU session
 * (GPC 2.3.1 10.2.2: a session belongs to the channel it was initiated
 * on), indexed by the origin's slot. A session holds no keys (they stay
 * in the coprocessor, gp/scp_session.h): about 80 bytes each. */
static struct {
    const struct gp_isd_config *cfg;
    struct scp_session sc[APDU_SLOTS];
} isd;

static struct store *store(void)
{
    return isd.cfg && isd.cfg->store ? isd.cfg->store() : NULL;
}

/* The session of ORIGIN's channel if one is started or open, or NULL. */
static struct scp_session *session_of(const struct apdu_origin *o)
{
    if (o->slot >= APDU_SLOTS || isd.sc[o->slot].state == SCP_IDLE) {
        return NULL;
    }
    return &isd.sc[o->slot];
}

static void end_session(const struct apdu_origin *o)
{
    struct scp_session *s = session_of(o);

    if (s) {
        scp_end(s);
    }
}

/* ORIGIN's channel's session, its old one ended; NULL without a slot. */
static struct scp_session *new_session(const struct apdu_origin *o)
{
    end_session(o);
    return o->slot < APDU_SLOTS ? &isd.sc[o->slot] : NULL;
}

/* The security domain selected on ORIGIN's channel: the ISD, or a
 * supplementary one (its number, AID, privileges). */
struct sd_ctx {
    uint8_t sd;
    uint8_t aid_len;
    const uint8_t *aid;
    uint8_t priv[3];
    uint8_t aid_buf[16];        /* assoc_context(): the SD's AID */
};

static struct applet isd_applet;

static void sd_context(const struct apdu_origin *o, struct sd_ctx *c)
{
    const struct applet *a = o && o->session
                                 ? apdu_session_selected(o->session, o->channel)
                                 : NULL;
    struct gp_entry e;

    c->sd = a && a != &isd_applet ? gp_registry_sd_of(a, &e) : 0;
    if (c->sd == 0) {
        c->aid = isd_aid;
        c->aid_len = sizeof(isd_aid);
        c->priv[0] = GP_PRIV_SD | GP_PRIV_CARD_LOCK | GP_PRIV_CARD_TERMINATE |
                     GP_PRIV_CARD_RESET | GP_PRIV_CVM_MGMT;
        c->priv[1] = 0;
        c->priv[2] = 0;
        return;
    }
    c->aid = a->aid;
    c->aid_len = a->aid_len;
    memcpy(c->priv, e.priv, 3);
}

/*
 * The security domain the application selected on ORIGIN's channel is
 * associated with (its registry entry's: the SD that installed it or the
 * one it was extradited to, GPC 2.3.1 9.2.1, 9.4.1), whose keys and
 * secure channel the GP API SecureChannel of that application uses
 * (GPC 2.3.1 7.3, 10.2). An entry naming no SD: the ISD. False when the
 * SD it names is gone (DELETE refuses that; a damaged registry).
 */
static bool assoc_context(const struct apdu_origin *o, struct sd_ctx *c)
{
    const struct applet *a = o->session
                                 ? apdu_session_selected(o->session, o->channel)
                                 : NULL;
    struct gp_entry e, sd;
    int idx;

    if (a == NULL || !gp_registry_entry_of(a, &e) || e.sd_len == 0) {
        sd_context(NULL, c);        /* the ISD */
        return true;
    }
    idx = gp_registry_find(e.sd, e.sd_len);
    if (idx < 0 || !gp_registry_get((unsigned)idx, &sd) ||
        sd.kind != GP_KIND_SD || sd.rom == 0) {
        return false;
    }
    c->sd = sd.rom;
    c->aid_len = sd.aid_len;
    memcpy(c->aid_buf, sd.aid, sd.aid_len);
    c->aid = c->aid_buf;
    memcpy(c->priv, sd.priv, 3);
    return true;
}

static bool isd_select(void *self, const struct apdu_origin *o)
{
    (void)self;
    end_session(o);
    return true;
}

static void isd_deselect(void *self, const struct apdu_origin *o)
{
    (void)self;
    end_session(o);
}

static void isd_fci(void *self, const struct apdu_origin *o,
                    struct apdu_response *rsp)
{
    size_t n;

    struct sd_ctx sd;

    (void)self;
    sd_context(o, &sd);
    n = gp_sd_fci(store(), sd.sd, sd.aid, sd.aid_len, rsp->buf, rsp->cap - 2);
    if (n == 0) {
        rsp->sw = SW_UNKNOWN;
        return;
    }
    rsp->len = n;
}

/* ---- INITIALIZE UPDATE (GPC 2.3.1 E.5.1; Amendment D 7.1.1) ------------- */

static void initialize_update(const struct apdu_origin *o,
                              const struct apdu *cmd,
                              struct apdu_response *rsp,
                              const struct sd_ctx *sdp)
{
    struct store *st = store();
    struct gp_keyset ks;
    struct scp_session *s;
    struct crypto_key static_key;
    uint16_t ids[3];
    uint8_t host[8], card[8], cg[8], seq[3], out[32], used = 0;
    uint32_t counter;
    size_t n;
    int rc;
    enum crypto_status crc;
    struct sd_ctx sd = *sdp;

    end_session(o);
    if (sd.aid == sdp->aid_buf) {
        sd.aid = sd.aid_buf;        /* the copy's own */
    }
    if (scp_cla_has_sm(cmd->cla)) {
        rsp->sw = SW_CLA_NOT_SUPPORTED;
        return;
    }
    if (cmd->nc != 8) {
        rsp->sw = SW_WRONG_LENGTH;
        return;
    }
    if (cmd->p2 != 0) {
        rsp->sw = SW_INCORRECT_P1P2;
        return;
    }
    if (st == NULL) {
        rsp->sw = SW_MEMORY_FAILURE;
        return;
    }
    if (gp_keyset_find(st, sd.sd, cmd->p1, &ks) != STORE_OK) {
        rsp->sw = SW_GP_REFERENCED_DATA;
        return;
    }
    rc = gp_tries_used(st, sd.sd, ks.kvn, &used);
    if (rc != STORE_OK || used >= GP_AUTH_TRIES) {
        rsp->sw = SW_GP_AUTH_BLOCKED;
        return;
    }
    memcpy(host, cmd->data, 8);
    s = new_session(o);
    if (s == NULL) {
        rsp->sw = SW_CONDITIONS_NOT_SATISFIED;
        return;
    }
    /* the counter is advanced on the NVM before it is used */
    rc = gp_counter_take(st, sd.sd, ks.kvn,
                         ks.scp == 0x03 ? 0xFFFFFFu : 0xFFFFu, &counter);
    if (rc != STORE_OK) {
        end_session(o);
        rsp->sw = rc == STORE_ERR_IO ? SW_MEMORY_FAILURE
                                     : SW_CONDITIONS_NOT_SATISFIED;
        return;
    }
    seq[0] = (uint8_t)(counter >> 16);
    seq[1] = (uint8_t)(counter >> 8);
    seq[2] = (uint8_t)counter;
    /* the static keys stay in the key store: the session names them
     * (gp/scp_session.h), the coprocessor derives from them */
    ids[0] = gp_key_id(sd.sd, ks.kvn, GP_KID_ENC);
    ids[1] = gp_key_id(sd.sd, ks.kvn, GP_KID_MAC);
    ids[2] = gp_key_id(sd.sd, ks.kvn, GP_KID_DEK);
    crc = CRYPTO_OK;
    if (ks.scp == 0x03) {
        crypto_key_stored(&static_key, st, ids[0], ks.type, ks.key_len);
        crc = (GP_SCP03_I & SCP03_I_PSEUDO)
                  ? scp03_card_challenge(&static_key, seq, sd.aid,
                                         sd.aid_len, card)
                  : crypto_drbg_random(card, 8);
        if (crc == CRYPTO_OK) {
            crc = scp03_start(s, GP_SCP03_I, ks.kvn, st, ids, ks.key_len,
                              host, card, seq, cg);
        }
    } else {
        crypto_key_stored(&static_key, st, ids[1], ks.type, ks.key_len);
        crc = (gp_scp02_i & SCP02_I_PSEUDO)
                  ? scp02_card_challenge(&static_key, sd.aid, sd.aid_len,
                                         card)
                  : crypto_drbg_random(card, 6);
        if (crc == CRYPTO_OK) {
            crc = scp02_start(s, gp_scp02_i, ks.kvn, st, ids, host, card,
                              seq + 1, cg);
        }
    }
    if (crc != CRYPTO_OK) {
        end_session(o);
        rsp->sw = SW_UNKNOWN;
        return;
    }
    s->sd = sd.sd;
    memcpy(out, gp_key_div_data, 10);
    out[10] = ks.kvn;
    if (ks.scp == 0x03) {
        /* Amendment D 7.1.1.6: ... card challenge, card cryptogram, and the
         * counter when the challenge is pseudo-random */
        out[11] = 0x03;
        out[12] = GP_SCP03_I;
        memcpy(out + 13, card, 8);
        memcpy(out + 21, cg, 8);
        memcpy(out + 29, seq, 3);
        n = (GP_SCP03_I & SCP03_I_PSEUDO) ? 32 : 29;
    } else {
        /* E.5.1.6: counter, card challenge, card cryptogram */
        out[11] = 0x02;
        memcpy(out + 12, seq + 1, 2);
        memcpy(out + 14, card, 6);
        memcpy(out + 20, cg, 8);
        n = 28;
    }
    (void)apdu_response_set_data(rsp, out, n);
}

/* ---- EXTERNAL AUTHENTICATE (GPC 2.3.1 E.5.2; Amendment D 7.1.2) --------- */

static void external_authenticate(const struct apdu_origin *o,
                                  const struct apdu *cmd,
                                  struct apdu_response *rsp)
{
    struct scp_session *s = session_of(o);
    struct store *st = store();
    uint16_t sw;

    if (s == NULL || s->state != SCP_STARTED) {
        end_session(o);
        rsp->sw = SW_CONDITIONS_NOT_SATISFIED;
        return;
    }
    sw = s->proto == 0x03 ? scp03_authenticate(s, rsp->buf, rsp->cap, cmd)
                          : scp02_authenticate(s, rsp->buf, rsp->cap, cmd);
    if (sw == SW_AUTH_FAILED && st) {
        (void)gp_tries_fail(st, s->sd, s->kvn);
    } else if (sw == SW_OK && st) {
        (void)gp_tries_reset(st, s->sd, s->kvn);
    }
    if (sw != SW_OK) {
        end_session(o);
    }
    rsp->len = 0;
    rsp->sw = sw;
}

/* ---- GET DATA (GPC 2.3.1 11.3) ------------------------------------------ */

static void get_data(struct gp_cmd *c)
{
    struct gp_data_ctx ctx = {
        .st = c->st,
        .sd = c->sd,
        .free_ram = isd.cfg && isd.cfg->free_ram ? isd.cfg->free_ram() : 0,
        .apps = gp_registry_apps(),
    };
    uint16_t tag = (uint16_t)(c->cmd->p1 << 8 | c->cmd->p2);
    size_t n;

    if (c->cmd->ins == GP_INS_GET_DATA_ODD) {
        c->rsp->sw = SW_GP_REFERENCED_DATA;
        return;
    }
    n = gp_card_get_data(&ctx, tag, c->rsp->buf, c->rsp->cap - 2 - SCP_WRAP_ROOM);
    if (n == 0) {
        c->rsp->sw = SW_GP_REFERENCED_DATA;
        return;
    }
    c->rsp->len = n;
}

/* ---- DELETE (GPC 2.3.1 11.2): keys or a registry object ---------------- */

static void delete_cmd(struct gp_cmd *c)
{
    const struct apdu *cmd = c->cmd;
    const uint8_t *kid = NULL, *kvn = NULL;

    if (!gp_cmd_authenticated(c)) {
        c->rsp->sw = SW_SECURITY_STATUS;
        return;
    }
    if (cmd->p1 != 0x00 || (cmd->p2 & 0x7F) != 0) {
        c->rsp->sw = SW_INCORRECT_P1P2;
        return;
    }
    for (size_t at = 0; at < cmd->nc;) {
        uint8_t tag = cmd->data[at], len;

        if (at + 2 > cmd->nc || at + 2u + cmd->data[at + 1] > cmd->nc) {
            c->rsp->sw = SW_WRONG_DATA;
            return;
        }
        len = cmd->data[at + 1];
        if ((tag == 0xD0 || tag == 0xD2) && len == 1) {
            *(tag == 0xD0 ? &kid : &kvn) = cmd->data + at + 2;
        } else if (tag == 0x4F && at == 0 && 2u + len == cmd->nc &&
                   len >= 5 && len <= 16) {
            gp_cmd_delete_object(c, cmd->data + 2, len);
            return;
        } else {
            c->rsp->sw = SW_WRONG_DATA;
            return;
        }
        at += 2u + len;
    }
    if (kid == NULL && kvn == NULL) {
        c->rsp->sw = SW_WRONG_DATA;
        return;
    }
    gp_cmd_delete_key(c, kid, kvn);
}

/* ---- dispatch ----------------------------------------------------------- */

/* Which commands the card life cycle state lets through (5.1.1.5). */
static bool allowed(uint8_t state, uint8_t ins)
{
    if (state == GP_CARD_TERMINATED) {
        return ins == GP_INS_GET_DATA || ins == GP_INS_GET_DATA_ODD;
    }
    /* CARD_LOCKED restricts selection (gp/registry.h), not the ISD */
    return true;
}

static enum applet_status isd_process(void *self, const struct apdu_origin *o,
                                      const struct apdu *cmd,
                                      struct apdu_response *rsp)
{
    struct store *st = store();
    struct scp_session *s = session_of(o);
    struct apdu plain;
    struct gp_cmd c = { .st = st, .cmd = &plain, .rsp = rsp };
    bool iso_cla = (cmd->cla & 0x80) == 0;
    uint16_t sw;
    struct sd_ctx sd;

    (void)self;
    sd_context(o, &sd);
    c.sd = sd.sd;
    c.sd_aid = sd.aid;
    c.sd_aid_len = sd.aid_len;
    memcpy(c.sd_priv, sd.priv, 3);
    if (!allowed(gp_card_state(st), cmd->ins)) {
        rsp->sw = SW_CONDITIONS_NOT_SATISFIED;
        return APPLET_DONE;
    }
    if (iso_cla && cmd->ins != GP_INS_GET_DATA) {
        rsp->sw = cmd->ins == GP_INS_INIT_UPDATE || cmd->ins == GP_INS_EXT_AUTH ||
                  cmd->ins == GP_INS_GET_STATUS || cmd->ins == GP_INS_PUT_KEY ||
                  cmd->ins == GP_INS_SET_STATUS || cmd->ins == GP_INS_DELETE ||
                  cmd->ins == GP_INS_INSTALL || cmd->ins == GP_INS_LOAD ||
                  cmd->ins == GP_INS_STORE_DATA
                      ? SW_CLA_NOT_SUPPORTED : SW_INS_NOT_SUPPORTED;
        return APPLET_DONE;
    }
    if (cmd->ins == GP_INS_INIT_UPDATE) {
        initialize_update(o, cmd, rsp, &sd);
        return APPLET_DONE;
    }
    if (cmd->ins == GP_INS_EXT_AUTH) {
        external_authenticate(o, cmd, rsp);
        return APPLET_DONE;
    }
    if (s && s->state == SCP_STARTED) {
        /* E.5.2 / Amendment D 7.1.2: only EXTERNAL AUTHENTICATE may follow
         * INITIALIZE UPDATE */
        end_session(o);
        s = NULL;
    }
    if (s) {
        sw = scp_unwrap(s, rsp->buf, rsp->cap, cmd, &plain);
    } else {
        sw = scp_cla_has_sm(cmd->cla) ? SW_SECURE_MESSAGING_NOT_SUPPORTED
                                      : SW_OK;
        plain = *cmd;
    }
    if (sw != SW_OK) {
        end_session(o);
        rsp->sw = sw;
        return APPLET_DONE;
    }
    /* the command's data to the end of the buffer, out of the response's
     * way */
    if (plain.nc) {
        uint8_t *tail = rsp->buf + rsp->cap - plain.nc;

        if (rsp->cap < plain.nc + 256 + SCP_WRAP_ROOM + 2) {
            rsp->sw = SW_WRONG_LENGTH;
            return APPLET_DONE;
        }
        memmove(tail, plain.data, plain.nc);
        plain.data = tail;
    }
    c.sc = s;
    c.scp81 = !s && isd.cfg && isd.cfg->scp81_session &&
              isd.cfg->scp81_session(c.sd, o);
    if (isd.cfg && isd.cfg->extra_command &&
        isd.cfg->extra_command(c.sd, &plain, gp_cmd_authenticated(&c), rsp)) {
        /* answered by the wiring's command (gp_isd_config) */
    } else switch (plain.ins) {
    case GP_INS_GET_DATA:
    case GP_INS_GET_DATA_ODD:
        get_data(&c);
        break;
    case GP_INS_PUT_KEY:
        if (st == NULL) {
            rsp->sw = SW_MEMORY_FAILURE;
        } else {
            gp_cmd_put_key(&c);
        }
        break;
    case GP_INS_DELETE:
        if (st == NULL) {
            rsp->sw = SW_MEMORY_FAILURE;
        } else {
            delete_cmd(&c);
        }
        break;
    case GP_INS_SET_STATUS:
        if (st == NULL) {
            rsp->sw = SW_MEMORY_FAILURE;
        } else {
            gp_cmd_set_status(&c);
        }
        break;
    case GP_INS_GET_STATUS:
        gp_cmd_get_status(&c, o->slot);
        break;
    case GP_INS_INSTALL:
    case GP_INS_LOAD:
    case GP_INS_STORE_DATA:
        if (st == NULL) {
            rsp->sw = SW_MEMORY_FAILURE;
        } else if (plain.ins == GP_INS_INSTALL) {
            gp_cmd_install(&c, o->slot);
        } else if (plain.ins == GP_INS_LOAD) {
            gp_cmd_load(&c, o->slot);
        } else {
            gp_cmd_store_data(&c, o->slot);
        }
        break;
    default:
        rsp->sw = SW_INS_NOT_SUPPORTED;
        break;
    }
    if (s && s->state == SCP_OPEN) {
        scp_wrap(s, rsp);
    }
    return APPLET_DONE;
}

static enum t0_dir isd_t0_direction(void *self, const uint8_t hdr[4])
{
    (void)self;
    switch (hdr[1]) {
    case GP_INS_GET_DATA:
    case GP_INS_GET_DATA_ODD:
        return T0_DIR_OUT;
    default:
        return T0_DIR_IN;
    }
}

static struct applet isd_applet = {
    .name = "isd",
    .aid = isd_aid,
    .aid_len = sizeof(isd_aid),
    .select = isd_select,
    .deselect = isd_deselect,
    .process = isd_process,
    .t0_direction = isd_t0_direction,
    .fci = isd_fci,
};

/* The module supplementary security domains are instances of: the ISD's
 * code under the GlobalPlatform security domain module AID. */
static const uint8_t sd_module_aid[] = { 0xA0, 0x00, 0x00, 0x01, 0x51, 0x53,
                                         0x50, 0x41 };
static const struct applet sd_module = {
    .name = "security-domain",
    .aid = sd_module_aid,
    .aid_len = sizeof(sd_module_aid),
    .select = isd_select,
    .deselect = isd_deselect,
    .process = isd_process,
    .t0_direction = isd_t0_direction,
    .fci = isd_fci,
};

const struct applet *gp_sd_module(void)
{
    return &sd_module;
}

const struct applet *gp_isd_init(const struct gp_isd_config *cfg)
{
    for (unsigned i = 0; i < APDU_SLOTS; i++) {
        scp_end(&isd.sc[i]);
    }
    isd.cfg = cfg;
    gp_scp02_i = cfg && cfg->scp02_i == 0x15 ? 0x15 : GP_SCP02_I;
    return &isd_applet;
}

int gp_personalise(struct store *st)
{
    int rc;

    if (st == NULL) {
        return STORE_ERR_STATE;
    }
    if (gp_card_personalised(st)) {
        return STORE_OK;
    }
    rc = store_begin_secure(st);
    if (rc == STORE_OK) {
        rc = gp_keys_stage_personalisation(st, 0);
    }
    if (rc == STORE_OK) {
        rc = gp_card_stage_state(st, GP_CARD_SECURED);
    }
    if (rc == STORE_OK) {
        return store_commit(st);
    }
    store_abort(st);
    return rc;
}

/* ---- the GP API SecureChannel of applications (gp/isd.h) ------------ */

bool gp_sc_process(const struct apdu_origin *o, const struct apdu *cmd,
                   struct apdu_response *rsp)
{
    if ((cmd->cla & 0x80) == 0) {
        return false;
    }
    if (cmd->ins == GP_INS_INIT_UPDATE) {
        struct sd_ctx sd;

        if (!assoc_context(o, &sd)) {
            end_session(o);
            rsp->sw = SW_GP_REFERENCED_DATA;
            return true;
        }
        initialize_update(o, cmd, rsp, &sd);
        return true;
    }
    if (cmd->ins == GP_INS_EXT_AUTH) {
        external_authenticate(o, cmd, rsp);
        return true;
    }
    return false;
}

uint16_t gp_sc_unwrap(const struct apdu_origin *o, uint8_t *buf, size_t cap,
                      const struct apdu *cmd, struct apdu *plain)
{
    struct scp_session *s = session_of(o);
    uint16_t sw;

    if (s == NULL || s->state != SCP_OPEN) {
        end_session(o);
        *plain = *cmd;
        return scp_cla_has_sm(cmd->cla) ? SW_SECURITY_STATUS : SW_OK;
    }
    sw = scp_unwrap(s, buf, cap, cmd, plain);
    if (sw != SW_OK) {
        end_session(o);
    }
    return sw;
}

void gp_sc_wrap(const struct apdu_origin *o, struct apdu_response *rsp)
{
    struct scp_session *s = session_of(o);

    if (s && s->state == SCP_OPEN) {
        scp_wrap(s, rsp);
    }
}

uint8_t gp_sc_level(const struct apdu_origin *o)
{
    struct scp_session *s = session_of(o);

    return s && s->state == SCP_OPEN ? (uint8_t)(0x80u | s->level) : 0;
}

void gp_sc_end(const struct apdu_origin *o)
{
    end_session(o);
}

uint32_t gp_isd_ram_bytes(void)
{
    return (uint32_t)sizeof(isd);
}
