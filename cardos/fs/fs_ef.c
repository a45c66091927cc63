/*
 * fs_ef: the file system's EF access commands (ETSI TS 102 221 11.1.3
 * .. 11.1.7): READ / UPDATE BINARY, READ / UPDATE RECORD, SEARCH RECORD.
 * Contract: fs/fs_applet.h; shared state: fs/fs_applet_priv.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "fs/arr.h"
#include "fs/fs_applet_priv.h"

/* ---- EF access ---------------------------------------------------------- */

/* Current EF, or the EF named by SFI (which becomes current). */
uint16_t fsa_target_ef(struct chan_state *c, uint8_t sfi,
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
uint16_t fsa_usable(const struct fs_file *f, uint8_t am)
{
    if (f->lcs == FS_LCS_DEACTIVATED) {
        return FS_SW_CONDITIONS;
    }
    return fsa_check(f, am);
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
        sw = fsa_target_ef(c, cmd->p1 & 0x1f, f);
        *off = cmd->p2;
    } else {
        sw = fsa_target_ef(c, 0, f);
        *off = (uint32_t)(cmd->p1 << 8 | cmd->p2);
    }
    if (sw != FS_SW_OK) {
        return sw;
    }
    if (f->type != FS_T_TRANSPARENT) {
        return FS_SW_INCOMPATIBLE;
    }
    return fsa_usable(f, am);
}

uint16_t fsa_read_binary(struct chan_state *c, const struct apdu *cmd,
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

uint16_t fsa_update_binary(struct chan_state *c, const struct apdu *cmd)
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
    sw = fsa_target_ef(c, sfi, f);
    if (sw != FS_SW_OK) {
        return sw;
    }
    if (!fs_type_is_record(f->type)) {
        return FS_SW_INCOMPATIBLE;
    }
    return fsa_usable(f, am);
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

uint16_t fsa_read_record(struct chan_state *c, const struct apdu *cmd,
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

uint16_t fsa_update_record(struct chan_state *c, const struct apdu *cmd)
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

uint16_t fsa_search_record(struct chan_state *c, const struct apdu *cmd,
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

