/*
 * fs_admin: the file system's PIN commands (ETSI TS 102 221 11.1.9 ..
 * 11.1.13) and file administration (ETSI TS 102 222 6: CREATE, DELETE,
 * DEACTIVATE, ACTIVATE FILE). Contract: fs/fs_applet.h; shared state:
 * fs/fs_applet_priv.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "fs/arr.h"
#include "fs/fcp.h"
#include "fs/fs_applet.h"
#include "fs/fs_applet_priv.h"
#include "fs/pin.h"

/* ---- keys --------------------------------------------------------------- */

static bool valid_key_ref(uint8_t ref)
{
    return (ref >= 0x01 && ref <= 0x08) || (ref >= 0x0A && ref <= 0x0E) ||
           ref == 0x11 || (ref >= 0x81 && ref <= 0x88) ||
           (ref >= 0x8A && ref <= 0x8E);
}

uint16_t fsa_key(const struct apdu *cmd)
{
    if (cmd->p1 != 0x00 || !valid_key_ref(cmd->p2)) {
        return FS_SW_P1P2;
    }
    switch (cmd->ins) {
    case FS_INS_VERIFY:
        return pin_verify(&card_fs, &fs_pin_session, cmd->p2, cmd->data, cmd->nc);
    case FS_INS_CHANGE:
        return pin_change(&card_fs, &fs_pin_session, cmd->p2, cmd->data, cmd->nc);
    case FS_INS_DISABLE:
    case FS_INS_ENABLE:
        return pin_set_enabled(&card_fs, &fs_pin_session, cmd->p2,
                               cmd->ins == FS_INS_ENABLE, cmd->data, cmd->nc);
    default:
        return pin_unblock(&card_fs, &fs_pin_session, cmd->p2, cmd->data, cmd->nc);
    }
}

/* ---- administration (TS 102 222) ---------------------------------------- */

/* After a delete, channels on a vanished file fall back to the MF. */
void fsa_fix_channels(void)
{
    for (unsigned i = 0; i < APDU_SLOTS; i++) {
        if (fs_entry(&card_fs, chans[i].df)->type == FS_T_NONE) {
            chans[i] = (struct chan_state){ .df = FS_MF_NO };
        }
        if (chans[i].ef != 0 &&
            fs_entry(&card_fs, chans[i].ef)->type == FS_T_NONE) {
            chans[i].ef = 0;
            chans[i].rec = 0;
        }
    }
}

uint16_t fsa_create(struct chan_state *c, const struct apdu *cmd)
{
    struct fs_file f, df;
    uint16_t sw;

    if (cmd->p1 != 0 || cmd->p2 != 0) {
        return FS_SW_P1P2;
    }
    if (cmd->nc < 2) {
        return FS_SW_WRONG_LENGTH;
    }
    sw = fcp_parse(cmd->data, cmd->nc, &f);
    if (sw != FS_SW_OK) {
        return sw;
    }
    if (f.arr_fid == 0 || (f.type == FS_T_ADF && c->df != FS_MF_NO)) {
        return FS_SW_WRONG_DATA;
    }
    sw = fs_get(&card_fs, c->df, &df);
    if (sw == FS_SW_OK) {
        sw = fsa_check(&df, fs_type_is_df(f.type) ? ARR_AM_CREATE_DF
                                              : ARR_AM_CREATE_EF);
    }
    if (sw != FS_SW_OK) {
        return sw;
    }
    f.parent = c->df;
    sw = fs_create(&card_fs, &f);
    if (sw == FS_SW_OK) {
        fsa_make_current(c, &f);
    }
    return sw;
}

uint16_t fsa_delete(struct chan_state *c, const struct apdu *cmd)
{
    struct fs_file f, df;
    uint8_t no;
    uint16_t sw;

    if (cmd->p1 != 0 || cmd->p2 != 0) {
        return FS_SW_P1P2;
    }
    if (cmd->nc != 2) {
        return FS_SW_WRONG_LENGTH;
    }
    no = fs_find_child(&card_fs, c->df,
                       (uint16_t)(cmd->data[0] << 8 | cmd->data[1]));
    if (no == 0) {
        return FS_SW_NOT_FOUND;
    }
    sw = fs_get(&card_fs, no, &f);
    if (sw == FS_SW_OK) {
        sw = fsa_check(&f, ARR_AM_DELETE_SELF);
    }
    if (sw == FS_SW_SECURITY) {
        sw = fs_get(&card_fs, c->df, &df);
        if (sw == FS_SW_OK) {
            sw = fsa_check(&df, ARR_AM_DELETE_CHILD);
        }
    }
    if (sw != FS_SW_OK) {
        return sw;
    }
    sw = fs_delete(&card_fs, no);
    fsa_fix_channels();
    return sw;
}

uint16_t fsa_lifecycle(struct chan_state *c, const struct apdu *cmd)
{
    bool activate = cmd->ins == FS_INS_ACTIVATE;
    struct fs_file f;
    uint8_t no;
    uint16_t sw;

    if (cmd->p1 != 0 || cmd->p2 != 0) {
        return FS_SW_P1P2;
    }
    if (cmd->nc == 0) {
        no = c->ef != 0 ? c->ef : c->df;
    } else if (cmd->nc == 2) {
        no = fsa_resolve_fid(c, (uint16_t)(cmd->data[0] << 8 | cmd->data[1]));
        if (no == 0) {
            return FS_SW_NOT_FOUND;
        }
    } else {
        return FS_SW_WRONG_LENGTH;
    }
    sw = fs_get(&card_fs, no, &f);
    if (sw == FS_SW_OK) {
        sw = fsa_check(&f, activate ? ARR_AM_ACTIVATE : ARR_AM_DEACTIVATE);
    }
    if (sw != FS_SW_OK) {
        return sw;
    }
    f.lcs = activate ? FS_LCS_ACTIVATED : FS_LCS_DEACTIVATED;
    return fs_write(&card_fs, &f, 0, NULL, 0, true);
}

