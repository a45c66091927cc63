/*
 * The admin agent's wiring. Contract: card/admin.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "card/admin.h"

#include <string.h>

#include "apdu/dispatch.h"
#include "apdu/session.h"
#include "card/storage.h"
#include "crypto/keystore.h"
#include "gp/keyset.h"
#include "gp/registry.h"
#include "net/admin/admin_agent.h"
#include "net/admin/admin_params.h"
#include "net/tls/tls.h"
#include "sys/runtime.h"

#define LOG_MODULE "admin"
#include "kernel/log.h"

static const uint8_t test_psk[16] = {
    0x4E, 0x43, 0x41, 0x44, 0x52, 0x41, 0x4D, 0x49,
    0x4E, 0x50, 0x53, 0x4B, 0x30, 0x30, 0x30, 0x31,
};

static struct apdu_session admin_session;

void card_admin_personalise(void)
{
    struct store *st = storage_store();
    uint16_t psk = gp_key_id(0, ADMIN_DEFAULT_KVN, ADMIN_DEFAULT_KID);
    uint16_t dek = gp_key_id(0, ADMIN_DEFAULT_KVN, ADMIN_DEFAULT_KID + 1u);
    int rc = STORE_OK;

    if (st == NULL ||
        keystore_info(st, psk, NULL, NULL) != STORE_ERR_NOT_FOUND) {
        return;
    }
    rc = keystore_put(st, psk, KEYSTORE_TYPE_PSK_TLS, test_psk,
                      sizeof(test_psk));
    if (rc == STORE_OK &&
        keystore_info(st, dek, NULL, NULL) == STORE_ERR_NOT_FOUND) {
        rc = keystore_put(st, dek, KEYSTORE_TYPE_AES, test_psk,
                          sizeof(test_psk));
    }
    if (rc != STORE_OK) {
        LOG_E("SCP81 test key set not personalised: %s", store_strerror(rc));
    }
}

/* The stored 81 TLV of SD into BUF; its length, 0 if none. */
static size_t params_raw(uint8_t sd, uint8_t *buf, size_t cap)
{
    struct store *st = storage_store();
    uint32_t n = 0;

    if (st == NULL || store_read(st, CARD_OBJ_ADMIN_PARAMS(sd), buf,
                                 (uint32_t)cap, &n) != STORE_OK) {
        return 0;
    }
    return n;
}

/* The parameters of SD: stored, or for the ISD the defaults. */
static bool params(uint8_t sd, struct admin_params *out)
{
    uint8_t raw[ADMIN_PARAMS_MAX];
    size_t n = params_raw(sd, raw, sizeof(raw));

    if (n) {
        return admin_params_parse(raw, n, out);
    }
    if (sd != 0) {
        return false;
    }
    admin_params_default(out);
    return true;
}

static void save(const struct admin_persist *p)
{
    struct store *st = storage_store();

    if (st && store_put_secure(st, CARD_OBJ_ADMIN_STATE, p,
                               sizeof(*p)) != STORE_OK) {
        LOG_W("agent state not saved");
    }
}

static bool load(struct admin_persist *p)
{
    struct store *st = storage_store();
    uint32_t n = 0;

    return st && store_read(st, CARD_OBJ_ADMIN_STATE, p, sizeof(*p), &n) ==
                 STORE_OK && n == sizeof(*p);
}

/* The script journal (net/admin/admin_journal.h), object "AJ". */
_Static_assert(sizeof(struct admin_journal) <= STORE_MAX_SECURE_OBJECT,
               "the journal is one store object, a commit rider");

static bool journal_save(const struct admin_journal *j)
{
    struct store *st = storage_store();

    return st && store_put(st, CARD_OBJ_ADMIN_JOURNAL, j, sizeof(*j)) ==
                 STORE_OK;
}

static bool journal_load(struct admin_journal *j)
{
    struct store *st = storage_store();
    uint32_t n = 0;

    return st && store_read(st, CARD_OBJ_ADMIN_JOURNAL, j, sizeof(*j), &n) ==
                 STORE_OK && n == sizeof(*j);
}

/* The store's commit rider (store/store.h): the command's own transaction
 * carries the journal. */
static bool journal_ride(const struct admin_journal *j)
{
    struct store *st = storage_store();

    return st && store_rider_set(st, CARD_OBJ_ADMIN_JOURNAL, j,
                                 sizeof(*j)) == STORE_OK;
}

static bool journal_unride(void)
{
    struct store *st = storage_store();

    return st && store_rider_clear(st) != 0;
}

bool card_admin_client_psk(void *ctx, uint32_t ref, uint8_t *identity,
                           size_t *id_len, uint8_t *key, size_t *key_len)
{
    struct admin_params p;
    uint8_t sd = (uint8_t)(ref >> 16);

    (void)ctx;
    if (!params(sd, &p) || p.identity_len > TLS_PSK_IDENTITY_MAX ||
        keystore_read(storage_store(),
                      gp_key_id(sd, (ref >> 8) & 0x7Fu, ref & 0xFFu),
                      KEYSTORE_TYPE_PSK_TLS, key, TLS_PSK_KEY_MAX,
                      key_len) != STORE_OK) {
        return false;
    }
    memcpy(identity, p.identity, p.identity_len);
    *id_len = p.identity_len;
    return true;
}

/* Start a session of SD for WHY: SW 9000, 6985 busy, 6A88 no PSK or
 * parameters, 6A81 no network. */
static uint16_t start(uint8_t sd, enum admin_trigger why)
{
    struct admin_params p;

    if (admin_agent_busy()) {
        return SW_CONDITIONS_NOT_SATISFIED;
    }
    if (sd == 0) {
        card_admin_personalise();   /* the test key set, if none yet */
    }
    if (!params(sd, &p) ||
        keystore_info(storage_store(), gp_key_id(sd, p.kvn, p.kid), NULL,
                      NULL) != STORE_OK) {
        return 0x6A88u;
    }
    switch (admin_agent_trigger(sd, why)) {
    case ADMIN_STARTED:
        return SW_OK;
    case ADMIN_BUSY:
        return SW_CONDITIONS_NOT_SATISFIED;
    case ADMIN_NO_PARAMS:
        return 0x6A88u;
    default:
        return SW_FUNC_NOT_SUPPORTED;
    }
}

static uint16_t trigger(uint8_t sd, const struct apdu *cmd)
{
    if (cmd->p1 || cmd->p2) {
        return SW_INCORRECT_P1P2;
    }
    return start(sd, ADMIN_TRIGGER_COMMAND);
}

/* sys_admin_port (sys/runtime.h): the session of the security domain
 * the instance AID is associated with (GP 2.3.1 7.2: an application's
 * associated security domain; its number is the entry's "rom"). */
static int32_t applet_session(const uint8_t *aid, uint8_t aid_len)
{
    struct gp_entry e;
    uint8_t sd = 0;
    int idx = gp_registry_find(aid, aid_len);

    if (idx < 0 || !gp_registry_get((unsigned)idx, &e)) {
        return -2;                      /* NC_E_NOTFOUND */
    }
    if (e.sd_len) {
        idx = gp_registry_find(e.sd, e.sd_len);
        if (idx < 0 || !gp_registry_get((unsigned)idx, &e)) {
            return -2;
        }
        sd = e.rom;
    }
    switch (start(sd, ADMIN_TRIGGER_APPLET)) {
    case SW_OK:
        return 0;
    case SW_CONDITIONS_NOT_SATISFIED:
        return -5;                      /* NC_E_STATE: refused, not queued */
    case 0x6A88u:
        return -2;
    default:
        return -6;                      /* NC_E_UNSUPPORTED: no network */
    }
}

static uint16_t store_params(uint8_t sd, const struct apdu *cmd, bool auth)
{
    struct admin_params p;
    struct store *st = storage_store();

    if (!auth) {
        return 0x6982u;
    }
    if (cmd->nc > ADMIN_PARAMS_MAX ||
        !admin_params_parse(cmd->data, cmd->nc, &p)) {
        return SW_WRONG_DATA;
    }
    if (st == NULL || store_put(st, CARD_OBJ_ADMIN_PARAMS(sd), cmd->data,
                                (uint32_t)cmd->nc) != STORE_OK) {
        return SW_MEMORY_FAILURE;
    }
    if (sd == 0) {
        admin_agent_params_changed();
    }
    return SW_OK;
}

static bool get_data(uint8_t sd, uint16_t tag, struct apdu_response *rsp)
{
    struct admin_params p;
    size_t n = 0;

    if (tag == 0x0085u) {
        n = params_raw(sd, rsp->buf, ADMIN_PARAMS_MAX);
        if (n == 0 && params(sd, &p)) {
            n = admin_params_encode(&p, rsp->buf, ADMIN_PARAMS_MAX);
        }
    } else if (tag == 0xDF3Au) {
        n = admin_agent_status(rsp->buf, 64);
    } else {
        return false;
    }
    if (n == 0) {
        rsp->sw = 0x6A88u;
    }
    rsp->len = n;
    return true;
}

bool card_admin_scp81_session(uint8_t sd, const struct apdu_origin *origin)
{
    uint8_t admin_sd;

    return origin->session == &admin_session &&
           admin_agent_session_sd(&admin_sd) && admin_sd == sd;
}

bool card_admin_command(uint8_t sd, const struct apdu *cmd, bool auth,
                        struct apdu_response *rsp)
{
    switch (cmd->ins) {
    case CARD_ADMIN_INS_TRIGGER:
        rsp->sw = trigger(sd, cmd);
        return true;
    case 0xE2:                  /* STORE DATA of tag 81 (Amendment B 4.1) */
        if (cmd->nc == 0 || cmd->data[0] != 0x81) {
            return false;
        }
        rsp->sw = store_params(sd, cmd, auth);
        return true;
    case 0xCA:
        return get_data(sd, (uint16_t)(cmd->p1 << 8 | cmd->p2), rsp);
    default:
        return false;
    }
}

static const struct admin_journal_port journal_port = {
    .save = journal_save,
    .load = journal_load,
    .ride = journal_ride,
    .unride = journal_unride,
};

static const struct sys_admin_port applet_port = {
    .session = applet_session,
};

void card_admin_start(void)
{
    static const struct admin_agent_config cfg = {
        .session = &admin_session,
        .params = params,
        .save = save,
        .load = load,
        .journal = &journal_port,
    };

    apdu_session_init(&admin_session, 1, "admin");
    dispatch_reset(&admin_session);
    admin_agent_init(&cfg);
    sys_admin_port_set(&applet_port);
}
