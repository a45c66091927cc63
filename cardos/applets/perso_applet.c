/*
 * The personalization application. See applets/perso_applet.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "applets/perso_applet.h"

#define LOG_MODULE "perso"
#include "kernel/log.h"

#define CARD_STATE_LEN 6u

const uint8_t perso_applet_aid[PERSO_APPLET_AID_LEN] = {
    0xf0, 0x6e, 0x65, 0x74, 0x63, 0x61, 0x72, 0x64, 0x02,
};

static struct perso_applet_config config;
static bool formatting;

static uint16_t clamp16(uint32_t v)
{
    return v > 0xffffu ? 0xffffu : (uint16_t)v;
}

static void card_state(const struct apdu *cmd, struct apdu_response *rsp)
{
    struct perso_card_state st;
    uint8_t out[CARD_STATE_LEN];
    uint16_t objects, free_kib;

    memset(&st, 0, sizeof(st));
    config.card_state(&st);
    if (st.store != 0) {
        st.objects = 0;
        st.free_bytes = 0;
    }
    objects = clamp16(st.objects);
    free_kib = clamp16(st.free_bytes / 1024u);
    out[0] = (uint8_t)(st.store < 0 ? -st.store : 0);
    out[1] = st.fs_ready ? 0x00 : 0x01;
    out[2] = (uint8_t)(objects >> 8);
    out[3] = (uint8_t)objects;
    out[4] = (uint8_t)(free_kib >> 8);
    out[5] = (uint8_t)free_kib;
    if (!apdu_response_set_data(rsp, out, sizeof(out))) {
        rsp->sw = SW_WRONG_LENGTH;
        return;
    }
    apdu_response_fit_le(cmd, rsp, sizeof(out));
}

static enum applet_status format(const struct apdu *cmd,
                                 struct apdu_response *rsp)
{
    struct perso_card_state st;

    if (cmd->nc != PERSO_FORMAT_CONFIRM_LEN ||
        memcmp(cmd->data, PERSO_FORMAT_CONFIRM,
               PERSO_FORMAT_CONFIRM_LEN) != 0) {
        rsp->sw = SW_WRONG_DATA;
        return APPLET_DONE;
    }
    memset(&st, 0, sizeof(st));
    config.card_state(&st);
    if (st.store == 0 && st.fs_ready) {
        /* a working card's data is never erased over the contact
         * interface: delete its NVM image on the host instead */
        rsp->sw = SW_CONDITIONS_NOT_SATISFIED;
        return APPLET_DONE;
    }
    LOG_W("FORMAT NVM: erasing the NVM (store: %d, fs: %s)", st.store,
          st.fs_ready ? "ready" : "unusable");
    config.format_start();
    formatting = true;
    return APPLET_PENDING;
}

/* INS 50: TLVs 01 Ki, 02 OPc | 03 OP, [04 SQN] */
static uint16_t usim_keys(const struct apdu *cmd)
{
    const uint8_t *ki = NULL, *opc = NULL, *op = NULL;
    uint64_t sqn = 0;
    bool has_sqn = false;

    for (uint32_t i = 0; i < cmd->nc;) {
        uint8_t tag, len;

        if (i + 2 > cmd->nc || i + 2u + cmd->data[i + 1] > cmd->nc) {
            return SW_WRONG_DATA;
        }
        tag = cmd->data[i];
        len = cmd->data[i + 1];
        if ((tag >= 1 && tag <= 3 && len != 16) || (tag == 4 && len != 6) ||
            tag < 1 || tag > 4) {
            return SW_WRONG_DATA;
        }
        if (tag == 1) {
            ki = cmd->data + i + 2;
        } else if (tag == 2) {
            opc = cmd->data + i + 2;
        } else if (tag == 3) {
            op = cmd->data + i + 2;
        } else {
            has_sqn = true;
            for (unsigned k = 0; k < 6; k++) {
                sqn = sqn << 8 | cmd->data[i + 2 + k];
            }
        }
        i += 2u + len;
    }
    if (ki == NULL || (opc == NULL) == (op == NULL)) {
        return SW_WRONG_DATA;
    }
    return config.set_usim(ki, opc, op, has_sqn, sqn);
}

static uint16_t personalise(const struct apdu *cmd)
{
    if (config.adm_verified == NULL || config.set_usim == NULL ||
        config.set_pin == NULL) {
        return SW_INS_NOT_SUPPORTED;
    }
    if (!config.adm_verified()) {
        return 0x6982u;         /* security status: ADM1 */
    }
    if (cmd->ins == PERSO_INS_USIM_KEYS) {
        if (cmd->p1 != 0 || cmd->p2 != 0) {
            return SW_INCORRECT_P1P2;
        }
        return usim_keys(cmd);
    }
    if (cmd->p1 != 0 || (cmd->p2 != 0x01 && cmd->p2 != 0x0A)) {
        return SW_INCORRECT_P1P2;
    }
    if (cmd->nc != 8 && !(cmd->nc == 16 && cmd->p2 == 0x01)) {
        return SW_WRONG_LENGTH;
    }
    return config.set_pin(cmd->p2, cmd->data,
                          cmd->nc == 16 ? cmd->data + 8 : NULL);
}

static enum applet_status process(void *self,
                                  const struct apdu_origin *origin,
                                  const struct apdu *cmd,
                                  struct apdu_response *rsp)
{
    (void)self;
    (void)origin;
    formatting = false;     /* a new command ends a pending FORMAT */
    if (apdu_secure_messaging(cmd)) {
        rsp->sw = SW_SECURE_MESSAGING_NOT_SUPPORTED;    /* applet.h */
        return APPLET_DONE;
    }
    if (!apdu_class_decode(cmd->cla).proprietary) {
        rsp->sw = SW_CLA_NOT_SUPPORTED;
        return APPLET_DONE;
    }
    if (cmd->ins == PERSO_INS_USIM_KEYS || cmd->ins == PERSO_INS_SET_PIN) {
        rsp->sw = personalise(cmd);
        return APPLET_DONE;
    }
    if (cmd->ins != PERSO_INS_CARD_STATE && cmd->ins != PERSO_INS_FORMAT) {
        rsp->sw = SW_INS_NOT_SUPPORTED;
        return APPLET_DONE;
    }
    if (cmd->p1 != 0 || cmd->p2 != 0) {
        rsp->sw = SW_INCORRECT_P1P2;
        return APPLET_DONE;
    }
    if (cmd->ins == PERSO_INS_CARD_STATE) {
        if (cmd->nc != 0) {
            rsp->sw = SW_WRONG_LENGTH;
        } else {
            card_state(cmd, rsp);
        }
        return APPLET_DONE;
    }
    return format(cmd, rsp);
}

static enum applet_status poll(void *self, const struct apdu_origin *origin,
                               struct apdu_response *rsp)
{
    int rc;

    (void)self;
    (void)origin;
    if (!formatting) {
        rsp->sw = SW_UNKNOWN;
        return APPLET_DONE;
    }
    rc = config.format_step();
    if (rc == PERSO_FORMAT_BUSY) {
        return APPLET_PENDING;
    }
    formatting = false;
    if (rc != 0) {
        LOG_E("FORMAT NVM failed (%d): the card stays unusable", rc);
        rsp->sw = SW_MEMORY_FAILURE;
        return APPLET_DONE;
    }
    LOG_W("FORMAT NVM: done, first-boot file system created");
    rsp->sw = SW_OK;
    return APPLET_DONE;
}

static enum t0_dir t0_direction(void *self, const uint8_t hdr[4])
{
    (void)self;
    switch (hdr[1]) {
    case PERSO_INS_CARD_STATE:
        return T0_DIR_OUT;
    case PERSO_INS_FORMAT:
    case PERSO_INS_USIM_KEYS:
    case PERSO_INS_SET_PIN:
        return T0_DIR_IN;
    default:
        return T0_DIR_NONE;
    }
}

static const struct applet perso_applet = {
    .name = "perso",
    .aid = perso_applet_aid,
    .aid_len = PERSO_APPLET_AID_LEN,
    .process = process,
    .poll = poll,
    .t0_direction = t0_direction,
};

const struct applet *perso_applet_init(const struct perso_applet_config *cfg)
{
    config = *cfg;
    formatting = false;
    return &perso_applet;
}
