/*
 * fs_applet: the file system application: its state, selection (SELECT,
 * STATUS) and the command dispatch; EF access in fs_ef.c, PIN commands and
 * file administration in fs_admin.c. Contract: fs/fs_applet.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "fs/arr.h"
#include "fs/fcp.h"
#include "fs/fs_applet.h"
#include "fs/fs_applet_priv.h"
#include "fs/pin.h"
#include "fs/profile.h"
#include "fs/usim_profile.h"

struct fs card_fs;
/* state shared by the command families: fs/fs_applet_priv.h */
struct chan_state chans[APDU_SLOTS];
struct pin_session fs_pin_session;

static void reset_all(void)
{
    for (unsigned i = 0; i < APDU_SLOTS; i++) {
        chans[i] = (struct chan_state){ .df = FS_MF_NO };
    }
    pin_session_clear(&fs_pin_session);
}

static bool key_ok(void *ctx, uint8_t ref)
{
    (void)ctx;
    return pin_satisfied(&card_fs, &fs_pin_session, ref);
}

uint16_t fsa_check(const struct fs_file *f, uint8_t am)
{
    return arr_check(&card_fs, f, am, key_ok, NULL);
}

/* ---- selection ---------------------------------------------------------- */

uint8_t fsa_current_adf(uint8_t df)
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
uint8_t fsa_resolve_fid(const struct chan_state *c, uint16_t fid)
{
    uint8_t n, parent = fs_entry(&card_fs, c->df)->parent;

    if (fid == FS_FID_MF) {
        return FS_MF_NO;
    }
    if (fid == FS_FID_CURRENT_ADF) {
        return fsa_current_adf(c->df);
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
            node = fsa_current_adf(c->df);
        } else {
            node = fs_find_child(&card_fs, node, fid);
        }
        if (node == 0) {
            return 0;
        }
    }
    return node;
}

void fsa_keys_of(struct fcp_keys *k)
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

uint16_t fsa_answer_fcp(const struct fs_file *f, struct apdu_response *rsp)
{
    uint8_t fcp[FCP_MAX_LEN];
    struct fcp_keys k;
    uint32_t n;

    fsa_keys_of(&k);
    n = fcp_build(f, &k, fcp, sizeof(fcp));
    if (n == 0 || !apdu_response_set_data(rsp, fcp, n)) {
        return FS_SW_MEMORY;
    }
    return FS_SW_OK;
}

void fsa_make_current(struct chan_state *c, const struct fs_file *f)
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
        target = fsa_resolve_fid(c, (uint16_t)(cmd->data[0] << 8 | cmd->data[1]));
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
    fsa_make_current(c, &f);
    if (mode != 0x0c) {
        sw = fsa_answer_fcp(&f, rsp);
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
    return fsa_answer_fcp(&f, rsp);
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
    case FS_INS_AUTHENTICATE:
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
    if (cmd->cla == APDU_CLA_GSM) {
        /* TS 51.011: the same files through the GSM SIM class */
        if (!card_fs.ready) {
            rsp->sw = 0x9240u;           /* memory problem */
            return APPLET_DONE;
        }
        if (fs_entry(&card_fs, c->df)->type == FS_T_NONE) {
            *c = (struct chan_state){ .df = FS_MF_NO };
        }
        rsp->sw = fsa_gsm(c, origin->slot / APDU_CHANNELS, cmd, rsp);
        if (rsp->sw != SW_OK) {
            rsp->len = 0;
        }
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
        sw = fsa_read_binary(c, cmd, rsp);
        break;
    case FS_INS_UPDATE_BINARY:
        sw = fsa_update_binary(c, cmd);
        break;
    case FS_INS_READ_RECORD:
        sw = fsa_read_record(c, cmd, rsp);
        break;
    case FS_INS_UPDATE_RECORD:
        sw = fsa_update_record(c, cmd);
        break;
    case FS_INS_SEARCH:
        sw = fsa_search_record(c, cmd, rsp);
        break;
    case FS_INS_CREATE:
        sw = fsa_create(c, cmd);
        break;
    case FS_INS_DELETE:
        sw = fsa_delete(c, cmd);
        break;
    case FS_INS_DEACTIVATE:
    case FS_INS_ACTIVATE:
        sw = fsa_lifecycle(c, cmd);
        break;
    case FS_INS_AUTHENTICATE:
        sw = fsa_authenticate(c, cmd, rsp);
        break;
    default:
        sw = fsa_key(cmd);
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

/* A fs_pin_session's reset: its channels back at the MF. The PIN verification
 * status is the card's (TS 102 221 9.5.1) and goes with any reset. */
static void reset(void *self, const struct apdu_session *s)
{
    (void)self;
    for (unsigned i = 0; i < APDU_CHANNELS; i++) {
        chans[s->index * APDU_CHANNELS + i] = (struct chan_state){ .df = FS_MF_NO };
    }
    pin_session_clear(&fs_pin_session);
}

static enum t0_dir t0_direction(void *self, const uint8_t hdr[4])
{
    (void)self;
    if (hdr[0] == APDU_CLA_GSM) {
        return fsa_gsm_t0_direction(hdr);
    }
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
    .gsm_class = true,
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

uint16_t fs_applet_install_usim(void)
{
    return usim_profile_install(&card_fs);
}

bool fs_applet_key_verified(uint8_t ref)
{
    return card_fs.ready && pin_satisfied(&card_fs, &fs_pin_session, ref);
}

const struct applet *fs_applet(void)
{
    return &fs_app;
}

struct fs *fs_applet_fs(void)
{
    return &card_fs;
}
