/*
 * The card manager's test state hooks. Contract: test_gp_state.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tests/cardos/test_gp_state.h"

#include "crypto/keystore.h"
#include "gp/keyset.h"

static const uint8_t aid[] = { 0xF0, 0x6E, 0x65, 0x74, 0x63, 0x61, 0x72, 0x64,
                               0x04 };
static struct store *(*get_store)(void);

static enum applet_status process(void *self, const struct apdu_origin *o,
                                  const struct apdu *cmd,
                                  struct apdu_response *rsp)
{
    static const uint8_t k40[16] = { 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46,
                                     0x47, 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D,
                                     0x4E, 0x4F };
    struct store *st = get_store();
    int rc = STORE_OK;

    (void)self;
    (void)o;
    if (cmd->ins == 0xA4) {
        return APPLET_DONE;
    }
    if (st == NULL) {
        rsp->sw = SW_MEMORY_FAILURE;
        return APPLET_DONE;
    }
    switch (cmd->ins) {
    case 0x60:
        for (uint8_t kid = 1; kid <= 3 && rc == STORE_OK; kid++) {
            rc = keystore_delete(st, GP_KEY_ID(cmd->p1, kid));
        }
        break;
    case 0x62:
        if (cmd->nc != 3) {
            rsp->sw = SW_WRONG_LENGTH;
            return APPLET_DONE;
        }
        rc = store_put_secure(st, GP_OBJ_COUNTER(cmd->p1), cmd->data, 3);
        break;
    case 0x64:
        for (uint8_t kid = 1; kid <= 3 && rc == STORE_OK; kid++) {
            rc = keystore_put(st, GP_KEY_ID(cmd->p1, kid), cmd->p2, k40, 16);
        }
        break;
    default:
        rsp->sw = SW_INS_NOT_SUPPORTED;
        return APPLET_DONE;
    }
    if (rc == STORE_ERR_NOT_FOUND) {
        rsp->sw = 0x6A88;
    } else if (rc != STORE_OK) {
        rsp->sw = SW_MEMORY_FAILURE;
    }
    return APPLET_DONE;
}

static enum t0_dir t0_direction(void *self, const uint8_t hdr[4])
{
    (void)self;
    return hdr[1] == 0x62 ? T0_DIR_IN : T0_DIR_NONE;
}

static const struct applet gp_state_applet = {
    .name = "test-gp-state",
    .aid = aid,
    .aid_len = sizeof(aid),
    .process = process,
    .t0_direction = t0_direction,
};

const struct applet *test_gp_state_init(struct store *(*store)(void))
{
    get_store = store;
    return &gp_state_applet;
}
