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

static const uint8_t module_aid[] = { 0xF0, 0x6E, 0x65, 0x74, 0x63, 0x61,
                                      0x72, 0x64, 0x03 };

/* Personalization data per instance (RAM: the sample keeps it until a
 * reset), by the instance's AID. */
#define PERSO_MAX 32u

static struct {
    uint8_t aid_len, aid[16];
    uint8_t len;
    uint8_t data[PERSO_MAX];
} perso[SAMPLE_APPLET_INSTANCES];

static int perso_of(const struct applet *me, bool make)
{
    int free_i = -1;

    for (int i = 0; i < (int)SAMPLE_APPLET_INSTANCES; i++) {
        if (perso[i].aid_len == me->aid_len &&
            memcmp(perso[i].aid, me->aid, me->aid_len) == 0) {
            return i;
        }
        if (perso[i].aid_len == 0 && free_i < 0) {
            free_i = i;
        }
    }
    if (make && free_i >= 0) {
        perso[free_i].aid_len = me->aid_len;
        memcpy(perso[free_i].aid, me->aid, me->aid_len);
        perso[free_i].len = 0;
    }
    return make ? free_i : -1;
}

/* STORE DATA from the security domain (apdu/applet.h store_data): block
 * 00 starts the instance's data again, every block is appended. */
static void store_data(void *self, const struct applet *instance,
                       const struct apdu *cmd, struct apdu_response *rsp)
{
    int i = perso_of(instance, true);

    (void)self;
    if (i < 0) {
        rsp->sw = SW_GP_NOT_ENOUGH_MEMORY;
        return;
    }
    if (cmd->p2 == 0) {
        perso[i].len = 0;
    }
    if (cmd->nc > PERSO_MAX - perso[i].len) {
        rsp->sw = SW_GP_NOT_ENOUGH_MEMORY;
        return;
    }
    memcpy(perso[i].data + perso[i].len, cmd->data, cmd->nc);
    perso[i].len = (uint8_t)(perso[i].len + cmd->nc);
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
        int i = perso_of(me, false);

        if (i >= 0) {
            (void)apdu_response_set_data(rsp, perso[i].data, perso[i].len);
        }
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
