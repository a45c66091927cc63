/*
 * fs_applet: file system commands. Contract: fs/fs_applet.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "fs/arr.h"
#include "fs/fcp.h"
#include "fs/fs_applet.h"
#include "fs/pin.h"
#include "fs/profile.h"

struct chan_state {
    uint8_t df;      /* current DF */
    uint8_t ef;      /* current EF, 0: none */
    uint8_t rec;     /* record pointer, 0: undefined */
};

static struct fs card_fs;
/* per logical channel of every APDU session (apdu/applet.h slots) */
static struct chan_state chans[APDU_SLOTS];
static struct pin_session session;

static void reset_all(void)
{
    for (unsigned i = 0; i < APDU_SLOTS; i++) {
        chans[i] = (struct chan_state){ .df = FS_MF_NO };
    }
    pin_session_clear(&session);
}

static bool key_ok(void *ctx, uint8_t ref)
{
    (void)ctx;
    return pin_satisfied(&card_fs, &session, ref);
}

static uint16_t check(const struct fs_file *f, uint8_t am)
{
    return arr_check(&card_fs, f, am, key_ok, NULL);
}

/* ---- selection ---------------------------------------------------------- */

static uint8_t current_adf(uint8_t df)
{
    for (unsigned d = 0; df != 0 && d <= FS_MAX_FILES; d++) {
        if (fs_entry(&card_fs, df)->type == FS_T_ADF) {
            return df;
        }
        df = fs_entry(&card_fs, df)->parent;
    }
    return 0;
}

/* SELECT P1 = 00 rules (TS 102 221 8.4.1). */
static uint8_t resolve_fid(const struct chan_state *c, uint16_t fid)
{
    uint8_t n, parent = fs_entry(&card_fs, c->df)->parent;

    if (fid == FS_FID_MF) {
        return FS_MF_NO;
    }
    if (fid == FS_FID_CURRENT_ADF) {
        return current_adf(c->df);
    }
    if ((n = fs_find_child(&card_fs, c->df, fid)) != 0) {
        return n;
    }
    if (fs_entry(&card_fs, c->df)->fid == fid) {
        return c->df;
    }
    if (parent != 0) {
        if (fs_entry(&card_fs, parent)->fid == fid) {
            return parent;
        }
        n = fs_find_child(&card_fs, parent, fid);
        if (n != 0 && fs_type_is_df(fs_entry(&card_fs, n)->type)) {
            return n;
        }
    }
    return 0;
}

static uint8_t walk_path(uint8_t start, const uint8_t *p, uint32_t len,
                         const struct chan_state *c)
{
    uint8_t node = start;

    for (uint32_t i = 0; i < len; i += 2) {
        uint16_t fid = (uint16_t)(p[i] << 8 | p[i + 1]);

        if (!fs_type_is_df(fs_entry(&card_fs, node)->type)) {
            return 0;           /* an EF in the middle of the path */
        }
        if (i == 0 && fid == FS_FID_CURRENT_ADF) {
            node = current_adf(c->df);
        } else {
            node = fs_find_child(&card_fs, node, fid);
        }
        if (node == 0) {
            return 0;
        }
    }
    return node;
}

static void keys_of(struct fcp_keys *k)
{
    static const uint8_t refs[] = { 0x01, 0x0A };
    struct pin_rec p;

    k->n = 0;
    for (unsigned i = 0; i < sizeof(refs); i++) {
        uint16_t sw = pin_get(&card_fs, refs[i], &p);

        /* a damaged key is blocked, not gone: still listed, enabled */
        if (sw == FS_SW_OK || sw == FS_SW_BLOCKED) {
            k->ref[k->n] = refs[i];
            k->enabled[k->n] = sw == FS_SW_BLOCKED || p.enabled;
            k->n++;
        }
    }
}

static uint16_t answer_fcp(const struct fs_file *f, struct apdu_response *rsp)
{
    uint8_t fcp[FCP_MAX_LEN];
    struct fcp_keys k;
    uint32_t n;

    keys_of(&k);
    n = fcp_build(f, &k, fcp, sizeof(fcp));
    if (n == 0 || !apdu_response_set_data(rsp, fcp, n)) {
        return FS_SW_MEMORY;
    }
    return FS_SW_OK;
}

static void make_current(struct chan_state *c, const struct fs_file *f)
{
    if (fs_type_is_df(f->type)) {
        c->df = f->no;
        c->ef = 0;
    } else {
        c->df = f->parent;
        c->ef = f->no;
    }
    c->rec = 0;
}

static uint16_t cmd_select(struct chan_state *c, const struct apdu *cmd,
                           struct apdu_response *rsp)
{
    uint8_t mode = cmd->p2 & 0x0c, target = 0;
    struct fs_file f;
    uint16_t sw;

    if (cmd->p1 == 0x04 && (cmd->p2 & 0x03) == 0x02) {
        return FS_SW_NOT_FOUND;   /* next occurrence: AIDs are unique */
    }
    if ((cmd->p2 & 0xf3) != 0 || mode == 0x08) {
        return FS_SW_P1P2;
    }
    switch (cmd->p1) {
    case 0x00:
        if (cmd->nc == 0) {
            target = FS_MF_NO;
            break;
        }
        if (cmd->nc != 2) {
            return FS_SW_WRONG_LENGTH;
        }
        target = resolve_fid(c, (uint16_t)(cmd->data[0] << 8 | cmd->data[1]));
        break;
    case 0x01:
    case 0x02:
        if (cmd->nc != 2) {
            return FS_SW_WRONG_LENGTH;
        }
        target = fs_find_child(&card_fs, c->df,
                               (uint16_t)(cmd->data[0] << 8 | cmd->data[1]));
        if (target != 0 && fs_type_is_df(fs_entry(&card_fs, target)->type) !=
                               (cmd->p1 == 0x01)) {
            target = 0;
        }
        break;
    case 0x03:
        if (cmd->nc != 0) {
            return FS_SW_WRONG_LENGTH;
        }
        target = fs_entry(&card_fs, c->df)->parent;
        break;
    case 0x04:
        if (cmd->nc < 1 || cmd->nc > FS_AID_MAX) {
            return FS_SW_WRONG_LENGTH;
        }
        target = fs_find_adf(&card_fs, cmd->data, (uint8_t)cmd->nc);
        break;
    case 0x08:
    case 0x09: {
        const uint8_t *p = cmd->data;
        uint32_t n = cmd->nc;

        if (n == 0 || n % 2 != 0) {
            return FS_SW_WRONG_LENGTH;
        }
        if (cmd->p1 == 0x08 && p[0] == 0x3F && p[1] == 0x00) {
            p += 2;
            n -= 2;
        }
        target = walk_path(cmd->p1 == 0x08 ? FS_MF_NO : c->df, p, n, c);
        break;
    }
    default:
        return FS_SW_P1P2;
    }
    if (target == 0) {
        return FS_SW_NOT_FOUND;
    }
    sw = fs_get(&card_fs, target, &f);
    if (sw != FS_SW_OK) {
        return sw;
    }
    make_current(c, &f);
    if (mode != 0x0c) {
        sw = answer_fcp(&f, rsp);
        if (sw != FS_SW_OK) {
            return sw;
        }
    }
    return f.lcs == FS_LCS_DEACTIVATED ? FS_SW_INVALIDATED : FS_SW_OK;
}

static uint16_t cmd_status(struct chan_state *c, const struct apdu *cmd,
                           struct apdu_response *rsp)
{
    struct fs_file f;
    uint16_t sw;

    if (cmd->p1 > 0x02 || (cmd->p2 != 0x00 && cmd->p2 != 0x01 &&
                           cmd->p2 != 0x0c)) {
        return FS_SW_P1P2;
    }
    if (cmd->nc != 0) {
        return FS_SW_WRONG_LENGTH;
    }
    sw = fs_get(&card_fs, c->df, &f);
    if (sw != FS_SW_OK || cmd->p2 == 0x0c) {
        return sw;
    }
    if (cmd->p2 == 0x01) {
        uint8_t tlv[2 + FS_AID_MAX];

        if (f.type != FS_T_ADF) {
            return FS_SW_OK;       /* no DF name to report */
        }
        tlv[0] = 0x84;
        tlv[1] = f.aid_len;
        memcpy(tlv + 2, f.aid, f.aid_len);
        return apdu_response_set_data(rsp, tlv, 2u + f.aid_len)
                   ? FS_SW_OK : FS_SW_MEMORY;
    }
    return answer_fcp(&f, rsp);
}

/* ---- EF access ---------------------------------------------------------- */

/* Current EF, or the EF named by SFI (which becomes current). */
static uint16_t target_ef(struct chan_state *c, uint8_t sfi,
                          struct fs_file *f)
{
    uint8_t no;

    if (sfi != 0) {
        no = fs_find_sfi(&card_fs, c->df, sfi);
        if (no == 0) {
            return FS_SW_NOT_FOUND;
        }
        if (no != c->ef) {
            c->ef = no;
            c->rec = 0;
        }
    } else if (c->ef == 0) {
        return FS_SW_NO_EF;
    }
    return fs_get(&card_fs, c->ef, f);
}

/* Deactivated files accept no data commands. */
static uint16_t usable(const struct fs_file *f, uint8_t am)
{
    if (f->lcs == FS_LCS_DEACTIVATED) {
        return FS_SW_CONDITIONS;
    }
    return check(f, am);
}

static uint16_t binary_target(struct chan_state *c, const struct apdu *cmd,
                              struct fs_file *f, uint32_t *off, uint8_t am)
{
    uint16_t sw;

    if (cmd->p1 & 0x80) {
        if ((cmd->p1 & 0x60) != 0 || (cmd->p1 & 0x1f) == 0 ||
            (cmd->p1 & 0x1f) == 31) {
            return FS_SW_P1P2;
        }
        sw = target_ef(c, cmd->p1 & 0x1f, f);
        *off = cmd->p2;
    } else {
        sw = target_ef(c, 0, f);
        *off = (uint32_t)(cmd->p1 << 8 | cmd->p2);
    }
    if (sw != FS_SW_OK) {
        return sw;
    }
    if (f->type != FS_T_TRANSPARENT) {
        return FS_SW_INCOMPATIBLE;
    }
    return usable(f, am);
}

static uint16_t cmd_read_binary(struct chan_state *c, const struct apdu *cmd,
                                struct apdu_response *rsp)
{
    struct fs_file f;
    uint32_t off, n, want = cmd->ne ? cmd->ne : 256;
    uint8_t buf[256];
    uint16_t sw = binary_target(c, cmd, &f, &off, ARR_AM_READ);

    if (sw != FS_SW_OK) {
        return sw;
    }
    if (cmd->nc != 0) {
        return FS_SW_WRONG_LENGTH;
    }
    if (off >= f.size) {
        return FS_SW_OFFSET;
    }
    n = f.size - off < want ? f.size - off : want;
    for (uint32_t done = 0; done < n;) {
        uint32_t k = n - done < sizeof(buf) ? n - done : sizeof(buf);

        sw = fs_read(&card_fs, &f, off + done, buf, k);
        if (sw != FS_SW_OK) {
            rsp->len = 0;
            return sw;
        }
        if (!apdu_response_append(rsp, buf, k)) {
            rsp->len = 0;
            return FS_SW_WRONG_LENGTH;
        }
        done += k;
    }
    if (n < want && cmd->ne != 0 && !(cmd->ne == 256 && !cmd->extended) &&
        cmd->ne != 65536) {
        return FS_SW_EOF;
    }
    return FS_SW_OK;
}

static uint16_t cmd_update_binary(struct chan_state *c, const struct apdu *cmd)
{
    struct fs_file f;
    uint32_t off;
    uint16_t sw = binary_target(c, cmd, &f, &off, ARR_AM_UPDATE);

    if (sw != FS_SW_OK) {
        return sw;
    }
    if (cmd->nc == 0 || cmd->nc > FS_MAX_WRITE) {
        return FS_SW_WRONG_LENGTH;
    }
    if (off >= f.size) {
        return FS_SW_OFFSET;
    }
    if (off + cmd->nc > f.size) {
        return FS_SW_WRONG_LENGTH;
    }
    return fs_write(&card_fs, &f, off, cmd->data, cmd->nc, false);
}

/* Record file named by P2's SFI (or current) with READ/UPDATE access. */
static uint16_t record_target(struct chan_state *c, const struct apdu *cmd,
                              struct fs_file *f, uint8_t am)
{
    uint8_t sfi = cmd->p2 >> 3;
    uint16_t sw;

    if (sfi == 31) {
        return FS_SW_P1P2;
    }
    sw = target_ef(c, sfi, f);
    if (sw != FS_SW_OK) {
        return sw;
    }
    if (!fs_type_is_record(f->type)) {
        return FS_SW_INCOMPATIBLE;
    }
    return usable(f, am);
}

/* Record number for READ/UPDATE RECORD mode (P2 b3..b1), moving the
 * pointer for next/previous. 0 with *SW set on error. */
static uint8_t record_number(struct chan_state *c, const struct fs_file *f,
                             uint8_t p1, uint8_t mode, uint16_t *sw)
{
    bool cyclic = f->type == FS_T_CYCLIC;
    unsigned n;

    *sw = FS_SW_OK;
    switch (mode) {
    case 0x04:
        n = p1 != 0 ? p1 : c->rec;
        if (n == 0 || n > f->nrec) {
            *sw = FS_SW_NO_RECORD;
            return 0;
        }
        return (uint8_t)n;
    case 0x02:
    case 0x03:
        if (p1 != 0) {
            *sw = FS_SW_P1P2;
            return 0;
        }
        if (mode == 0x02) {
            n = c->rec == 0 ? 1u : c->rec + 1u;
            if (n > f->nrec) {
                n = cyclic ? 1u : 0u;
            }
        } else {
            n = c->rec == 0 ? f->nrec : c->rec - 1u;
            if (n == 0 && cyclic) {
                n = f->nrec;
            }
        }
        if (n == 0) {
            *sw = FS_SW_NO_RECORD;
            return 0;
        }
        c->rec = (uint8_t)n;
        return (uint8_t)n;
    default:
        *sw = FS_SW_P1P2;
        return 0;
    }
}

static uint16_t cmd_read_record(struct chan_state *c, const struct apdu *cmd,
                                struct apdu_response *rsp)
{
    struct fs_file f;
    uint8_t buf[255];
    uint8_t n;
    uint16_t sw;

    if ((cmd->p2 & 0x07) != 0x02 && (cmd->p2 & 0x07) != 0x03 &&
        (cmd->p2 & 0x07) != 0x04) {
        return FS_SW_P1P2;
    }
    if (cmd->nc != 0) {
        return FS_SW_WRONG_LENGTH;
    }
    sw = record_target(c, cmd, &f, ARR_AM_READ);
    if (sw != FS_SW_OK) {
        return sw;
    }
    if (cmd->ne != 0 && cmd->ne < f.rec_len) {
        return (uint16_t)(0x6C00u | f.rec_len);
    }
    n = record_number(c, &f, cmd->p1, cmd->p2 & 0x07, &sw);
    if (n == 0) {
        return sw;
    }
    sw = fs_read(&card_fs, &f, fs_record_offset(&f, n), buf, f.rec_len);
    if (sw != FS_SW_OK) {
        return sw;
    }
    return apdu_response_set_data(rsp, buf, f.rec_len) ? FS_SW_OK
                                                        : FS_SW_WRONG_LENGTH;
}

static uint16_t cmd_update_record(struct chan_state *c, const struct apdu *cmd)
{
    struct fs_file f;
    uint8_t mode = cmd->p2 & 0x07, n;
    uint16_t sw;

    if (mode != 0x02 && mode != 0x03 && mode != 0x04) {
        return FS_SW_P1P2;
    }
    sw = record_target(c, cmd, &f, ARR_AM_UPDATE);
    if (sw != FS_SW_OK) {
        return sw;
    }
    if (cmd->nc != f.rec_len) {
        return FS_SW_WRONG_LENGTH;
    }
    if (f.type == FS_T_CYCLIC) {
        if (mode != 0x03 || cmd->p1 != 0) {
            return FS_SW_INCOMPATIBLE;
        }
        f.cyc_head = (uint8_t)((f.cyc_head + f.nrec - 1u) % f.nrec);
        sw = fs_write(&card_fs, &f, fs_record_offset(&f, 1), cmd->data,
                      cmd->nc, true);
        if (sw == FS_SW_OK) {
            c->rec = 1;
        }
        return sw;
    }
    {
        uint8_t saved = c->rec;

        n = record_number(c, &f, cmd->p1, mode, &sw);
        if (n == 0) {
            return sw;
        }
        sw = fs_write(&card_fs, &f, fs_record_offset(&f, n), cmd->data,
                      cmd->nc, false);
        if (sw != FS_SW_OK) {
            c->rec = saved;
        }
        return sw;
    }
}

static uint16_t cmd_search_record(struct chan_state *c, const struct apdu *cmd,
                                  struct apdu_response *rsp)
{
    struct fs_file f;
    uint8_t mode = cmd->p2 & 0x07, rec[255], found[254];
    unsigned nfound = 0, start;
    uint16_t sw;

    if (mode != 0x04 && mode != 0x05) {
        return FS_SW_P1P2;
    }
    sw = record_target(c, cmd, &f, ARR_AM_READ);
    if (sw != FS_SW_OK) {
        return sw;
    }
    if (cmd->nc == 0 || cmd->nc > f.rec_len) {
        return FS_SW_WRONG_LENGTH;
    }
    if (cmd->p1 > f.nrec) {
        return FS_SW_NO_RECORD;
    }
    start = cmd->p1 != 0 ? cmd->p1 : c->rec;
    if (start == 0) {
        start = mode == 0x04 ? 1u : f.nrec;
    }
    for (unsigned i = 0; i < f.nrec; i++) {
        unsigned n = mode == 0x04 ? start + i : start - i;

        if (n < 1 || n > f.nrec) {
            break;
        }
        sw = fs_read(&card_fs, &f, fs_record_offset(&f, (uint8_t)n), rec,
                     f.rec_len);
        if (sw != FS_SW_OK) {
            return sw;
        }
        if (memcmp(rec, cmd->data, cmd->nc) == 0) {
            found[nfound++] = (uint8_t)n;
        }
    }
    if (nfound == 0) {
        return FS_SW_EOF;
    }
    c->rec = found[0];
    return apdu_response_set_data(rsp, found, nfound) ? FS_SW_OK
                                                       : FS_SW_WRONG_LENGTH;
}

/* ---- keys --------------------------------------------------------------- */

static bool valid_key_ref(uint8_t ref)
{
    return (ref >= 0x01 && ref <= 0x08) || (ref >= 0x0A && ref <= 0x0E) ||
           ref == 0x11 || (ref >= 0x81 && ref <= 0x88) ||
           (ref >= 0x8A && ref <= 0x8E);
}

static uint16_t cmd_key(const struct apdu *cmd)
{
    if (cmd->p1 != 0x00 || !valid_key_ref(cmd->p2)) {
        return FS_SW_P1P2;
    }
    switch (cmd->ins) {
    case FS_INS_VERIFY:
        return pin_verify(&card_fs, &session, cmd->p2, cmd->data, cmd->nc);
    case FS_INS_CHANGE:
        return pin_change(&card_fs, &session, cmd->p2, cmd->data, cmd->nc);
    case FS_INS_DISABLE:
    case FS_INS_ENABLE:
        return pin_set_enabled(&card_fs, &session, cmd->p2,
                               cmd->ins == FS_INS_ENABLE, cmd->data, cmd->nc);
    default:
        return pin_unblock(&card_fs, &session, cmd->p2, cmd->data, cmd->nc);
    }
}

/* ---- administration (TS 102 222) ---------------------------------------- */

/* After a delete, channels on a vanished file fall back to the MF. */
static void fix_channels(void)
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

static uint16_t cmd_create(struct chan_state *c, const struct apdu *cmd)
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
        sw = check(&df, fs_type_is_df(f.type) ? ARR_AM_CREATE_DF
                                              : ARR_AM_CREATE_EF);
    }
    if (sw != FS_SW_OK) {
        return sw;
    }
    f.parent = c->df;
    sw = fs_create(&card_fs, &f);
    if (sw == FS_SW_OK) {
        make_current(c, &f);
    }
    return sw;
}

static uint16_t cmd_delete(struct chan_state *c, const struct apdu *cmd)
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
        sw = check(&f, ARR_AM_DELETE_SELF);
    }
    if (sw == FS_SW_SECURITY) {
        sw = fs_get(&card_fs, c->df, &df);
        if (sw == FS_SW_OK) {
            sw = check(&df, ARR_AM_DELETE_CHILD);
        }
    }
    if (sw != FS_SW_OK) {
        return sw;
    }
    sw = fs_delete(&card_fs, no);
    fix_channels();
    return sw;
}

static uint16_t cmd_lifecycle(struct chan_state *c, const struct apdu *cmd)
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
        no = resolve_fid(c, (uint16_t)(cmd->data[0] << 8 | cmd->data[1]));
        if (no == 0) {
            return FS_SW_NOT_FOUND;
        }
    } else {
        return FS_SW_WRONG_LENGTH;
    }
    sw = fs_get(&card_fs, no, &f);
    if (sw == FS_SW_OK) {
        sw = check(&f, activate ? ARR_AM_ACTIVATE : ARR_AM_DEACTIVATE);
    }
    if (sw != FS_SW_OK) {
        return sw;
    }
    f.lcs = activate ? FS_LCS_ACTIVATED : FS_LCS_DEACTIVATED;
    return fs_write(&card_fs, &f, 0, NULL, 0, true);
}

/* ---- the application ---------------------------------------------------- */

static bool is_fs_ins(uint8_t ins)
{
    switch (ins) {
    case FS_INS_SELECT: case FS_INS_STATUS:
    case FS_INS_READ_BINARY: case FS_INS_UPDATE_BINARY:
    case FS_INS_READ_RECORD: case FS_INS_UPDATE_RECORD:
    case FS_INS_SEARCH:
    case FS_INS_VERIFY: case FS_INS_CHANGE: case FS_INS_DISABLE:
    case FS_INS_ENABLE: case FS_INS_UNBLOCK:
    case FS_INS_CREATE: case FS_INS_DELETE:
    case FS_INS_DEACTIVATE: case FS_INS_ACTIVATE:
        return true;
    default:
        return false;
    }
}

static enum applet_status process(void *self,
                                  const struct apdu_origin *origin,
                                  const struct apdu *cmd,
                                  struct apdu_response *rsp)
{
    struct chan_state *c = &chans[origin->slot < APDU_SLOTS ? origin->slot : 0];
    uint16_t sw;

    (void)self;
    if (apdu_secure_messaging(cmd)) {
        rsp->sw = SW_SECURE_MESSAGING_NOT_SUPPORTED;    /* apdu/applet.h */
        return APPLET_DONE;
    }
    if (!is_fs_ins(cmd->ins)) {
        rsp->sw = SW_INS_NOT_SUPPORTED;
        return APPLET_DONE;
    }
    if (!card_fs.ready) {
        rsp->sw = FS_SW_MEMORY;
        return APPLET_DONE;
    }
    if (fs_entry(&card_fs, c->df)->type == FS_T_NONE) {
        *c = (struct chan_state){ .df = FS_MF_NO };
    }
    switch (cmd->ins) {
    case FS_INS_SELECT:
        sw = cmd_select(c, cmd, rsp);
        break;
    case FS_INS_STATUS:
        sw = cmd_status(c, cmd, rsp);
        break;
    case FS_INS_READ_BINARY:
        sw = cmd_read_binary(c, cmd, rsp);
        break;
    case FS_INS_UPDATE_BINARY:
        sw = cmd_update_binary(c, cmd);
        break;
    case FS_INS_READ_RECORD:
        sw = cmd_read_record(c, cmd, rsp);
        break;
    case FS_INS_UPDATE_RECORD:
        sw = cmd_update_record(c, cmd);
        break;
    case FS_INS_SEARCH:
        sw = cmd_search_record(c, cmd, rsp);
        break;
    case FS_INS_CREATE:
        sw = cmd_create(c, cmd);
        break;
    case FS_INS_DELETE:
        sw = cmd_delete(c, cmd);
        break;
    case FS_INS_DEACTIVATE:
    case FS_INS_ACTIVATE:
        sw = cmd_lifecycle(c, cmd);
        break;
    default:
        sw = cmd_key(cmd);
        break;
    }
    if (sw != FS_SW_OK && sw != FS_SW_INVALIDATED && sw != FS_SW_EOF) {
        rsp->len = 0;
    }
    rsp->sw = sw;
    return APPLET_DONE;
}

static bool select_channel(void *self, const struct apdu_origin *origin)
{
    (void)self;
    if (origin->slot < APDU_SLOTS) {
        chans[origin->slot] = (struct chan_state){ .df = FS_MF_NO };
    }
    return true;
}

/* A session's reset: its channels back at the MF. The PIN verification
 * status is the card's (TS 102 221 9.5.1) and goes with any reset. */
static void reset(void *self, const struct apdu_session *s)
{
    (void)self;
    for (unsigned i = 0; i < APDU_CHANNELS; i++) {
        chans[s->index * APDU_CHANNELS + i] = (struct chan_state){ .df = FS_MF_NO };
    }
    pin_session_clear(&session);
}

static enum t0_dir t0_direction(void *self, const uint8_t hdr[4])
{
    (void)self;
    switch (hdr[1]) {
    case FS_INS_READ_BINARY:
    case FS_INS_READ_RECORD:
    case FS_INS_STATUS:
        return T0_DIR_OUT;
    default:
        return is_fs_ins(hdr[1]) ? T0_DIR_IN : T0_DIR_NONE;
    }
}

static const struct applet fs_app = {
    .name = "fs",
    .select = select_channel,
    .process = process,
    .t0_direction = t0_direction,
    .reset = reset,
};

int fs_applet_mount(struct store *st)
{
    int rc = fs_mount(&card_fs, st, &fs_uicc_profile);

    reset_all();
    return rc;
}

void fs_applet_unmount(void)
{
    memset(&card_fs, 0, sizeof(card_fs));   /* no store, not ready */
    reset_all();
}

const struct applet *fs_applet(void)
{
    return &fs_app;
}

struct fs *fs_applet_fs(void)
{
    return &card_fs;
}
