/*
 * The sample application. Contract: applets/sample_applet.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "applets/sample_applet.h"

#include <string.h>

#include "apdu/session.h"
#include "gp/gp.h"
#include "gp/registry.h"
#include "store/store.h"

static const uint8_t module_aid[] = { 0xF0, 0x6E, 0x65, 0x74, 0x63, 0x61,
                                      0x72, 0x64, 0x03 };

/*
 * Personalization data per instance, in the store: object "SA" + a hash
 * of the instance's AID, holding the AID (length, bytes) and the data, so
 * that a colliding AID reads as none. At most PERSO_MAX bytes.
 */
#define PERSO_MAX 64u
#define PERSO_OBJ_BASE 0x53410000u      /* "SA" */

static uint32_t perso_obj(const struct applet *me)
{
    uint32_t h = 2166136261u;           /* FNV-1a */

    for (unsigned i = 0; i < me->aid_len; i++) {
        h = (h ^ me->aid[i]) * 16777619u;
    }
    return PERSO_OBJ_BASE | ((h ^ (h >> 16)) & 0xFFFFu);
}

/* The instance's data into OUT (PERSO_MAX bytes): its length, 0 if none. */
static size_t perso_read(const struct applet *me, uint8_t *out)
{
    struct store *st = gp_registry_store();
    uint8_t obj[1 + 16 + PERSO_MAX];
    uint32_t got = 0;

    if (st == NULL ||
        store_read(st, perso_obj(me), obj, sizeof(obj), &got) != STORE_OK ||
        got < 1u + me->aid_len || obj[0] != me->aid_len ||
        memcmp(obj + 1, me->aid, me->aid_len) != 0) {
        return 0;
    }
    memcpy(out, obj + 1 + me->aid_len, got - 1 - me->aid_len);
    return got - 1 - me->aid_len;
}

/* STORE DATA from the security domain (apdu/applet.h store_data): block
 * 00 starts the instance's data again, every block is appended; one store
 * transaction per block. */
static void store_data(void *self, const struct applet *instance,
                       const struct apdu *cmd, struct apdu_response *rsp)
{
    struct store *st = gp_registry_store();
    uint8_t obj[1 + 16 + PERSO_MAX];
    size_t n = cmd->p2 == 0 ? 0 : perso_read(instance,
                                             obj + 1 + instance->aid_len);

    (void)self;
    if (st == NULL) {
        rsp->sw = SW_MEMORY_FAILURE;
        return;
    }
    if (cmd->nc > PERSO_MAX - n) {
        rsp->sw = SW_GP_NOT_ENOUGH_MEMORY;
        return;
    }
    obj[0] = instance->aid_len;
    memcpy(obj + 1, instance->aid, instance->aid_len);
    memcpy(obj + 1 + instance->aid_len + n, cmd->data, cmd->nc);
    n += cmd->nc;
    if (store_put(st, perso_obj(instance), obj,
                  (uint32_t)(1 + instance->aid_len + n)) != STORE_OK) {
        rsp->sw = SW_MEMORY_FAILURE;
    }
}

static enum applet_status process(void *self, const struct apdu_origin *o,
                                  const struct apdu *cmd,
                                  struct apdu_response *rsp)
{
    /* which instance: the one selected on the command's channel */
    const struct applet *me = apdu_session_selected(o->session, o->channel);
    uint8_t out[2 + 16 + 2 + GP_PARAMS_MAX];
    size_t n = 0, p;

    (void)self;
    if (!(cmd->cla & 0x80)) {
        rsp->sw = SW_CLA_NOT_SUPPORTED;
        return APPLET_DONE;
    }
    if (cmd->ins != 0x01 && cmd->ins != 0x02) {
        rsp->sw = SW_INS_NOT_SUPPORTED;
        return APPLET_DONE;
    }
    if (cmd->p1 != 0 || cmd->p2 != 0) {
        rsp->sw = SW_INCORRECT_P1P2;
        return APPLET_DONE;
    }
    if (me == NULL) {
        rsp->sw = SW_CONDITIONS_NOT_SATISFIED;
        return APPLET_DONE;
    }
    if (cmd->ins == 0x02) {
        /* DATA: what STORE DATA personalised, as received */
        uint8_t d[PERSO_MAX];
        size_t dn = perso_read(me, d);

        (void)apdu_response_set_data(rsp, d, dn);
        return APPLET_DONE;
    }
    out[n++] = 0x4F;
    out[n++] = me->aid_len;
    memcpy(out + n, me->aid, me->aid_len);
    n += me->aid_len;
    out[n++] = 0xC9;
    p = gp_registry_params(me, out + n + 1, GP_PARAMS_MAX);
    out[n++] = (uint8_t)p;
    n += p;
    (void)apdu_response_set_data(rsp, out, n);
    return APPLET_DONE;
}

static enum t0_dir t0_direction(void *self, const uint8_t hdr[4])
{
    (void)self;
    (void)hdr;
    return T0_DIR_OUT;
}

static const struct applet sample = {
    .name = "sample",
    .aid = module_aid,
    .aid_len = sizeof(module_aid),
    .process = process,
    .t0_direction = t0_direction,
    .store_data = store_data,
};

const struct applet *sample_applet(void)
{
    return &sample;
}
