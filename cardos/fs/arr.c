/*
 * arr: EF_ARR access rule evaluation. Contract: fs/arr.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "fs/arr.h"

/* One BER-TLV with a one-byte tag at P (END excluded). */
struct tlv {
    uint8_t tag;
    uint32_t len;
    const uint8_t *val;
};

static bool next_tlv(const uint8_t **p, const uint8_t *end, struct tlv *t)
{
    const uint8_t *q = *p;

    if (end - q < 2 || *q == 0xff || *q == 0x00) {
        return false;
    }
    t->tag = *q++;
    t->len = *q++;
    if (t->len == 0x81) {
        if (q >= end) {
            return false;
        }
        t->len = *q++;
    } else if (t->len > 0x7f) {
        return false;
    }
    if ((uint32_t)(end - q) < t->len) {
        return false;
    }
    t->val = q;
    *p = q + t->len;
    return true;
}

static bool sc_satisfied(const struct tlv *sc, arr_key_fn key_ok, void *ctx,
                         unsigned depth)
{
    const uint8_t *p = sc->val, *end = sc->val + sc->len;
    struct tlv in;

    switch (sc->tag) {
    case 0x90:
        return sc->len == 0;
    case 0xA4: {
        int ref = -1;

        while (next_tlv(&p, end, &in)) {
            if (in.tag == 0x83 && in.len == 1) {
                ref = in.val[0];
            }
        }
        return ref >= 0 && key_ok(ctx, (uint8_t)ref);
    }
    case 0xA0:
    case 0xAF: {
        bool any = false, all = true, seen = false;

        if (depth > 3) {
            return false;
        }
        while (next_tlv(&p, end, &in)) {
            bool ok = sc_satisfied(&in, key_ok, ctx, depth + 1);

            seen = true;
            any |= ok;
            all &= ok;
        }
        return seen && (sc->tag == 0xA0 ? any : all);
    }
    default:   /* 97 never; secure messaging and others unsupported */
        return false;
    }
}

bool arr_rule_allows(const uint8_t *rule, uint32_t len, uint8_t am,
                     arr_key_fn key_ok, void *ctx)
{
    const uint8_t *p = rule, *end = rule + len;
    struct tlv t;
    bool covered = false;

    while (next_tlv(&p, end, &t)) {
        if (t.tag >= 0x80 && t.tag <= 0x8F) {
            covered = t.tag == 0x80 && t.len == 1 && (t.val[0] & am) != 0 &&
                      (t.val[0] & 0x80) == 0;
            continue;
        }
        if (covered && sc_satisfied(&t, key_ok, ctx, 0)) {
            return true;
        }
    }
    return false;
}

uint16_t arr_check(const struct fs *fs, const struct fs_file *f, uint8_t am,
                   arr_key_fn key_ok, void *ctx)
{
    uint8_t df = fs_type_is_df(f->type) ? f->no : f->parent;
    struct fs_file arr;
    uint8_t rule[255];

    if (f->arr_fid == 0 || f->arr_rec == 0) {
        return FS_SW_SECURITY;
    }
    for (unsigned depth = 0; df != 0 && depth <= FS_MAX_FILES; depth++) {
        uint8_t no = fs_find_child(fs, df, f->arr_fid);

        if (no != 0 && fs_entry(fs, no)->type == FS_T_LINEAR) {
            uint16_t sw = fs_get(fs, no, &arr);

            if (sw != FS_SW_OK) {
                return sw;
            }
            if (f->arr_rec > arr.nrec) {
                return FS_SW_SECURITY;
            }
            sw = fs_read(fs, &arr, fs_record_offset(&arr, f->arr_rec), rule,
                         arr.rec_len);
            if (sw != FS_SW_OK) {
                return sw;
            }
            return arr_rule_allows(rule, arr.rec_len, am, key_ok, ctx)
                       ? FS_SW_OK : FS_SW_SECURITY;
        }
        df = fs_entry(fs, df)->parent;
    }
    return FS_SW_SECURITY;
}
