/*
 * fs_gsm: the GSM SIM class (CLA A0) of 3GPP TS 51.011 on the same file
 * system: SELECT answering 9Fxx with the TS 51.011 9.2.1 response data
 * kept for GET RESPONSE, STATUS, READ / UPDATE BINARY, READ / UPDATE
 * RECORD, SEEK, VERIFY / CHANGE / DISABLE / ENABLE / UNBLOCK CHV,
 * INVALIDATE / REHABILITATE and RUN GSM ALGORITHM, with TS 51.011 9.4
 * status words.
 * The commands reuse the TS 102 221 ones (fs_ef.c, fs_admin.c) and
 * translate their status words. Contract: fs/fs_applet.h; shared state:
 * fs/fs_applet_priv.h; docs/usim.md.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "fs/arr.h"
#include "fs/fs_applet.h"
#include "fs/fs_applet_priv.h"
#include "fs/usim_auth.h"
#include "fs/usim_profile.h"

#define GSM_RSP_MAX 22

/* response data kept for GET RESPONSE, per APDU session (basic channel) */
static struct {
    uint8_t len;
    uint8_t data[GSM_RSP_MAX];
} kept[APDU_SESSIONS];

/* TS 102 221 status word -> TS 51.011 9.4 */
static uint16_t gsm_sw(uint16_t sw)
{
    if ((sw & 0xFFF0u) == 0x63C0u) {
        return (sw & 0x000Fu) == 0 ? 0x9840u : 0x9804u;
    }
    if ((sw & 0xFF00u) == 0x6C00u) {
        return (uint16_t)(0x6700u | (sw & 0xFFu));   /* 67XX: the length */
    }
    switch (sw) {
    case FS_SW_OK: case FS_SW_INVALIDATED: return 0x9000u;
    case FS_SW_MEMORY: case FS_SW_NO_SPACE: return 0x9240u;
    case FS_SW_WRONG_LENGTH: case FS_SW_EOF: return 0x6700u;
    case FS_SW_INCOMPATIBLE: return 0x9408u;
    case FS_SW_SECURITY: case USIM_SW_MAC: return 0x9804u;
    case FS_SW_BLOCKED: return 0x9840u;
    case FS_SW_REF_UNUSABLE: return 0x9808u;
    case FS_SW_CONDITIONS: return 0x9810u;
    case FS_SW_NO_EF: return 0x9400u;
    case FS_SW_NOT_FOUND: return 0x9404u;
    case FS_SW_NO_RECORD: return 0x9402u;
    case FS_SW_P1P2: case FS_SW_WRONG_DATA: case FS_SW_OFFSET: return 0x6B00u;
    case FS_SW_NO_REF_DATA: return 0x9802u;
    case 0x6D00u: return 0x6D00u;
    default: return 0x6F00u;
    }
}

/* Access condition level of AM on F (TS 51.011 9.3): 0 ALW, 1 CHV1,
 * A ADM (ADM1, key reference 0A), F NEV. */
static bool only_ref(void *ctx, uint8_t ref)
{
    return ref == *(const uint8_t *)ctx;
}

static uint8_t level(const struct fs_file *f, uint8_t am)
{
    static const uint8_t order[] = { 0x00, PIN_REF_PIN1, PIN_REF_ADM1 };

    for (unsigned i = 0; i < sizeof(order); i++) {
        uint8_t ref = order[i];

        if (arr_check(&card_fs, f, am, only_ref, &ref) == FS_SW_OK) {
            return ref == PIN_REF_ADM1 ? 0x0A : ref;
        }
    }
    return 0x0F;
}

static uint8_t count_children(uint8_t df, bool dfs)
{
    uint8_t n = 0;

    for (unsigned i = 1; i <= FS_MAX_FILES; i++) {
        const struct fs_entry *e = fs_entry(&card_fs, (uint8_t)i);

        if (e->type != FS_T_NONE && e->parent == df && i != df &&
            fs_type_is_df(e->type) == dfs) {
            n++;
        }
    }
    return n;
}

/* TS 51.011 9.2.1 response data of F into OUT; its length. */
static uint8_t response(const struct fs_file *f, uint8_t *out)
{
    memset(out, 0, GSM_RSP_MAX);
    out[4] = (uint8_t)(f->fid >> 8);
    out[5] = (uint8_t)f->fid;
    if (fs_type_is_df(f->type)) {
        struct pin_rec p;
        uint32_t free_b = store_free(card_fs.st);
        bool pin1 = pin_get(&card_fs, PIN_REF_PIN1, &p) == FS_SW_OK;

        if (free_b > 0xFFFFu) {
            free_b = 0xFFFFu;
        }
        out[2] = (uint8_t)(free_b >> 8);
        out[3] = (uint8_t)free_b;
        out[6] = f->type == FS_T_MF ? 0x01 : 0x02;
        out[12] = 9;                     /* bytes 14..22 follow */
        /* file characteristics: clock stop allowed; b8 CHV1 disabled */
        out[13] = (uint8_t)(0x01u | (pin1 && !p.enabled ? 0x80u : 0));
        out[14] = count_children(f->no, true);
        out[15] = count_children(f->no, false);
        out[16] = 3;                     /* CHV1, UNBLOCK CHV1, ADM1 */
        /* CHV status: b8 initialised, b4..b1 tries left; no CHV2 */
        out[18] = pin1 ? (uint8_t)(0x80u | (p.left & 0x0Fu)) : 0;
        out[19] = pin1 ? (uint8_t)(0x80u | (p.puk_left & 0x0Fu)) : 0;
        return 22;
    }
    out[2] = (uint8_t)(f->size >> 8);
    out[3] = (uint8_t)f->size;
    out[6] = 0x04;
    out[8] = (uint8_t)(level(f, ARR_AM_READ) << 4 | level(f, ARR_AM_UPDATE));
    out[9] = 0xFF;                        /* INCREASE: NEV; RFU */
    out[10] = (uint8_t)(level(f, ARR_AM_ACTIVATE) << 4 |
                        level(f, ARR_AM_DEACTIVATE));
    out[11] = f->lcs == FS_LCS_DEACTIVATED ? 0x00 : 0x01;
    out[12] = 2;
    out[13] = f->type == FS_T_TRANSPARENT ? 0x00
              : f->type == FS_T_LINEAR ? 0x01 : 0x03;
    out[14] = f->rec_len;
    return 15;
}

static uint16_t keep(unsigned sess, const uint8_t *data, uint8_t len)
{
    memcpy(kept[sess].data, data, len);
    kept[sess].len = len;
    return (uint16_t)(0x9F00u | len);
}

static uint16_t gsm_select(struct chan_state *c, unsigned sess,
                           const struct apdu *cmd)
{
    uint8_t out[GSM_RSP_MAX], no;
    struct fs_file f;
    uint16_t sw;

    if (cmd->p1 != 0 || cmd->p2 != 0) {
        return 0x6B00u;
    }
    if (cmd->nc != 2) {
        return 0x6700u;
    }
    no = fsa_resolve_fid(c, (uint16_t)(cmd->data[0] << 8 | cmd->data[1]));
    if (no == 0) {
        return 0x9404u;
    }
    sw = fs_get(&card_fs, no, &f);
    if (sw != FS_SW_OK) {
        return gsm_sw(sw);
    }
    fsa_make_current(c, &f);
    return keep(sess, out, response(&f, out));
}

static uint16_t gsm_status(struct chan_state *c, const struct apdu *cmd,
                           struct apdu_response *rsp)
{
    uint8_t out[GSM_RSP_MAX], n;
    struct fs_file f;
    uint16_t sw = fs_get(&card_fs, c->df, &f);

    if (sw != FS_SW_OK) {
        return gsm_sw(sw);
    }
    n = response(&f, out);
    if (cmd->ne != 0 && cmd->ne < n) {
        n = (uint8_t)cmd->ne;
    }
    return apdu_response_set_data(rsp, out, n) ? 0x9000u : 0x6F00u;
}

static uint16_t gsm_get_response(unsigned sess, const struct apdu *cmd,
                                 struct apdu_response *rsp)
{
    uint32_t n = kept[sess].len;

    if (cmd->p1 != 0 || cmd->p2 != 0) {
        return 0x6B00u;
    }
    if (n == 0) {
        return 0x6F00u;                  /* nothing to get */
    }
    if (cmd->ne != 0 && cmd->ne < n) {
        n = cmd->ne;
    } else if (cmd->ne > n) {
        return (uint16_t)(0x6700u | kept[sess].len);
    }
    kept[sess].len = 0;
    return apdu_response_set_data(rsp, kept[sess].data, n) ? 0x9000u
                                                           : 0x6F00u;
}

/* CHV number (P2) -> TS 102 221 key reference: 01 CHV1 = PIN1, 02 CHV2
 * = the second PIN 81, 04..0E administrative codes = that reference */
static uint8_t chv_ref(uint8_t p2, bool unblock)
{
    if (p2 == 0x01 || (unblock && p2 == 0x00)) {
        return PIN_REF_PIN1;
    }
    if (p2 == 0x02) {
        return 0x81;
    }
    return p2 >= 0x04 && p2 <= 0x0E && !unblock ? p2 : 0;
}

static uint16_t gsm_chv(const struct apdu *cmd)
{
    uint8_t ref = chv_ref(cmd->p2, cmd->ins == FS_INS_UNBLOCK);
    uint32_t want = cmd->ins == FS_INS_CHANGE || cmd->ins == FS_INS_UNBLOCK
                        ? 16u : 8u;
    struct pin_rec p;
    uint16_t sw;

    if (cmd->p1 != 0 || ref == 0) {
        return 0x6B00u;
    }
    if (cmd->nc != want) {
        return 0x6700u;
    }
    sw = pin_get(&card_fs, ref, &p);
    if (sw == FS_SW_OK && !p.enabled &&
        (cmd->ins == FS_INS_VERIFY || cmd->ins == FS_INS_CHANGE)) {
        return 0x9808u;                  /* in contradiction with CHV status */
    }
    switch (cmd->ins) {
    case FS_INS_VERIFY:
        sw = pin_verify(&card_fs, &fs_pin_session, ref, cmd->data, cmd->nc);
        break;
    case FS_INS_CHANGE:
        sw = pin_change(&card_fs, &fs_pin_session, ref, cmd->data, cmd->nc);
        break;
    case FS_INS_DISABLE:
    case FS_INS_ENABLE:
        sw = pin_set_enabled(&card_fs, &fs_pin_session, ref,
                             cmd->ins == FS_INS_ENABLE, cmd->data, cmd->nc);
        if (sw == FS_SW_CONDITIONS) {
            sw = FS_SW_REF_UNUSABLE;     /* 9808 */
        }
        break;
    default:
        sw = pin_unblock(&card_fs, &fs_pin_session, ref, cmd->data, cmd->nc);
        break;
    }
    return gsm_sw(sw);
}

/*
 * SEEK (TS 51.011 9.2.7, 8.8): P2 = type (high nibble: 0 type 1, 1 type
 * 2) and mode (low nibble: 0 from the beginning forward, 1 from the end
 * backward, 2 from the next record forward, 3 from the previous one
 * backward; with no record pointer yet, 2 and 3 start at the first and
 * the last record). The pattern (1 .. record length bytes, 6700 else) is
 * compared with the start of each record of the current linear fixed EF
 * (9408 for another structure); the first match becomes the record
 * pointer; type 2 keeps its number for GET RESPONSE (9F01). No match:
 * 9404 and the pointer is unchanged. The search is SEARCH RECORD's
 * (fs_ef.c), under the EF's READ condition.
 */
static uint16_t gsm_seek(struct chan_state *c, unsigned sess,
                         const struct apdu *cmd, struct apdu_response *rsp)
{
    uint8_t type = cmd->p2 >> 4, mode = cmd->p2 & 0x0F, no;
    struct apdu search = *cmd;
    struct fs_file f;
    unsigned start;
    uint16_t sw;

    if (cmd->p1 != 0 || type > 1 || mode > 3) {
        return 0x6B00u;
    }
    sw = fsa_target_ef(c, 0, &f);
    if (sw != FS_SW_OK) {
        return gsm_sw(sw);
    }
    if (f.type != FS_T_LINEAR) {
        return 0x9408u;
    }
    switch (mode) {
    case 0:
        start = 1;
        break;
    case 1:
        start = f.nrec;
        break;
    case 2:
        start = c->rec == 0 ? 1u : c->rec + 1u;
        break;
    default:
        start = c->rec == 0 ? f.nrec : c->rec - 1u;
        break;
    }
    if (start < 1 || start > f.nrec) {
        return cmd->nc == 0 || cmd->nc > f.rec_len ? 0x6700u : 0x9404u;
    }
    search.p1 = (uint8_t)start;
    search.p2 = mode == 0 || mode == 2 ? 0x04 : 0x05;
    sw = fsa_search_record(c, &search, rsp);
    if (sw != FS_SW_OK) {
        rsp->len = 0;
        return sw == FS_SW_EOF ? 0x9404u : gsm_sw(sw);
    }
    no = rsp->buf[0];
    rsp->len = 0;
    return type == 1 ? keep(sess, &no, 1) : 0x9000u;
}

static uint16_t gsm_run(struct chan_state *c, unsigned sess,
                        const struct apdu *cmd)
{
    uint8_t out[12];
    uint16_t sw;

    if (cmd->p1 != 0 || cmd->p2 != 0) {
        return 0x6B00u;
    }
    if (cmd->nc != 16) {
        return 0x6700u;
    }
    /* TS 51.011 9.2.16: with DF_GSM (or a DF below it) selected */
    if (fs_entry(&card_fs, c->df)->fid != USIM_FID_GSM ||
        fs_entry(&card_fs, c->df)->parent != FS_MF_NO) {
        return 0x9400u;
    }
    sw = fsa_run_gsm(c, cmd->data, out);
    if (sw != FS_SW_OK) {
        return gsm_sw(sw);
    }
    sw = keep(sess, out, sizeof(out));
    memset(out, 0, sizeof(out));
    return sw;
}

uint16_t fsa_gsm(struct chan_state *c, unsigned sess, const struct apdu *cmd,
                 struct apdu_response *rsp)
{
    uint16_t sw;

    if (sess >= APDU_SESSIONS) {
        sess = 0;
    }
    if (cmd->ins != 0xC0) {
        kept[sess].len = 0;              /* GET RESPONSE: right after */
    }
    switch (cmd->ins) {
    case FS_INS_SELECT:
        return gsm_select(c, sess, cmd);
    case FS_INS_STATUS:
        return gsm_status(c, cmd, rsp);
    case 0xC0:
        return gsm_get_response(sess, cmd, rsp);
    case FS_INS_READ_BINARY:
    case FS_INS_UPDATE_BINARY:
        if (cmd->p1 & 0x80) {
            return 0x6B00u;              /* no short file identifiers */
        }
        sw = cmd->ins == FS_INS_READ_BINARY ? fsa_read_binary(c, cmd, rsp)
                                             : fsa_update_binary(c, cmd);
        return gsm_sw(sw);
    case FS_INS_READ_RECORD:
    case FS_INS_UPDATE_RECORD:
        if (cmd->p2 > 0x04) {
            return 0x6B00u;
        }
        sw = cmd->ins == FS_INS_READ_RECORD ? fsa_read_record(c, cmd, rsp)
                                             : fsa_update_record(c, cmd);
        return gsm_sw(sw);
    case FS_INS_SEARCH:
        return gsm_seek(c, sess, cmd, rsp);
    case FS_INS_VERIFY:
    case FS_INS_CHANGE:
    case FS_INS_DISABLE:
    case FS_INS_ENABLE:
    case FS_INS_UNBLOCK:
        return gsm_chv(cmd);
    case FS_INS_DEACTIVATE:
    case FS_INS_ACTIVATE:
        if (cmd->nc != 0) {
            return 0x6700u;
        }
        return gsm_sw(fsa_lifecycle(c, cmd));
    case FS_INS_AUTHENTICATE:
        return gsm_run(c, sess, cmd);
    default:
        return 0x6D00u;
    }
}

enum t0_dir fsa_gsm_t0_direction(const uint8_t hdr[4])
{
    switch (hdr[1]) {
    case FS_INS_READ_BINARY:
    case FS_INS_READ_RECORD:
    case FS_INS_STATUS:
    case 0xC0:
        return T0_DIR_OUT;
    case FS_INS_SELECT: case FS_INS_UPDATE_BINARY: case FS_INS_UPDATE_RECORD:
    case FS_INS_VERIFY: case FS_INS_CHANGE: case FS_INS_DISABLE:
    case FS_INS_ENABLE: case FS_INS_UNBLOCK: case FS_INS_AUTHENTICATE:
    case FS_INS_SEARCH:
        return T0_DIR_IN;
    default:
        return T0_DIR_NONE;
    }
}
