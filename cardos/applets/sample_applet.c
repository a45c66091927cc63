/*
 * The sample application. Contract: applets/sample_applet.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "applets/sample_applet.h"

#include <string.h>

#include "apdu/session.h"
#include "gp/registry.h"

static const uint8_t module_aid[] = { 0xF0, 0x6E, 0x65, 0x74, 0x63, 0x61,
                                      0x72, 0x64, 0x03 };

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
    if (cmd->ins != 0x01) {
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
};

const struct applet *sample_applet(void)
{
    return &sample;
}
