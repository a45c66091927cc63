/*
 * fcp: FCP templates. Contract: fs/fcp.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "fs/fcp.h"

#define DATA_CODING 0x21u   /* TS 102 221: proprietary write, unit 1 byte */

uint8_t fcp_descriptor_byte(uint8_t type)
{
    switch (type) {
    case FS_T_TRANSPARENT:
        return 0x41;
    case FS_T_LINEAR:
        return 0x42;
    case FS_T_CYCLIC:
        return 0x46;
    default:
        return 0x78;
    }
}

struct out {
    uint8_t *p;
    uint32_t len, cap;
    bool ok;
};

static void put(struct out *o, const uint8_t *b, uint32_t n)
{
    if (o->len + n > o->cap) {
        o->ok = false;
        return;
    }
    memcpy(o->p + o->len, b, n);
    o->len += n;
}

static void put_tlv(struct out *o, uint8_t tag, const uint8_t *v, uint8_t n)
{
    uint8_t h[2] = { tag, n };

    put(o, h, 2);
    put(o, v, n);
}

uint32_t fcp_build(const struct fs_file *f, const struct fcp_keys *keys,
                   uint8_t *out, uint32_t cap)
{
    struct out o = { .p = out, .cap = cap, .len = 2, .ok = cap >= 2 };
    uint8_t v[16];
    bool df = fs_type_is_df(f->type);

    if (!o.ok) {
        return 0;
    }
    v[0] = fcp_descriptor_byte(f->type);
    v[1] = DATA_CODING;
    if (fs_type_is_record(f->type)) {
        v[2] = 0;
        v[3] = f->rec_len;
        v[4] = f->nrec;
        put_tlv(&o, 0x82, v, 5);
    } else {
        put_tlv(&o, 0x82, v, 2);
    }
    v[0] = (uint8_t)(f->fid >> 8);
    v[1] = (uint8_t)f->fid;
    put_tlv(&o, 0x83, v, 2);
    if (f->type == FS_T_ADF) {
        put_tlv(&o, 0x84, f->aid, f->aid_len);
    }
    if (f->type == FS_T_MF) {
        static const uint8_t a5[] = { 0x80, 0x01, 0x71 };

        put_tlv(&o, 0xA5, a5, sizeof(a5));
    }
    put_tlv(&o, 0x8A, &f->lcs, 1);
    if (f->arr_fid != 0) {
        v[0] = (uint8_t)(f->arr_fid >> 8);
        v[1] = (uint8_t)f->arr_fid;
        v[2] = f->arr_rec;
        put_tlv(&o, 0x8B, v, 3);
    }
    if (df) {
        uint8_t ps = 0, n = 0;
        uint8_t c6[3 + 3 * FCP_MAX_KEYS];

        for (unsigned i = 0; keys && i < keys->n && i < FCP_MAX_KEYS; i++) {
            if (keys->enabled[i]) {
                ps |= (uint8_t)(0x80u >> i);
            }
        }
        c6[n++] = 0x90;
        c6[n++] = 1;
        c6[n++] = ps;
        for (unsigned i = 0; keys && i < keys->n && i < FCP_MAX_KEYS; i++) {
            c6[n++] = 0x83;
            c6[n++] = 1;
            c6[n++] = keys->ref[i];
        }
        put_tlv(&o, 0xC6, c6, n);
    } else {
        v[0] = (uint8_t)(f->size >> 8);
        v[1] = (uint8_t)f->size;
        put_tlv(&o, 0x80, v, 2);
        if (f->sfi != 0) {
            v[0] = (uint8_t)(f->sfi << 3);
            put_tlv(&o, 0x88, v, 1);
        } else {
            put_tlv(&o, 0x88, v, 0);
        }
    }
    if (!o.ok || o.len - 2 > 0x7f) {
        return 0;
    }
    out[0] = 0x62;
    out[1] = (uint8_t)(o.len - 2);
    return o.len;
}

static bool tlv_next(const uint8_t **p, const uint8_t *end, uint8_t *tag,
                     uint32_t *len, const uint8_t **val)
{
    const uint8_t *q = *p;

    if (end - q < 2) {
        return false;
    }
    *tag = *q++;
    *len = *q++;
    if (*len == 0x81) {
        if (q >= end) {
            return false;
        }
        *len = *q++;
    } else if (*len > 0x7f) {
        return false;
    }
    if ((uint32_t)(end - q) < *len) {
        return false;
    }
    *val = q;
    *p = q + *len;
    return true;
}

uint16_t fcp_parse(const uint8_t *data, uint32_t len, struct fs_file *f)
{
    const uint8_t *p = data, *end = data + len, *val;
    uint8_t tag;
    uint32_t l, size = 0;
    bool have_desc = false, have_fid = false, have_size = false;
    bool have_sfi = false;
    uint8_t desc = 0, nrec = 0;

    memset(f, 0, sizeof(*f));
    f->lcs = FS_LCS_ACTIVATED;
    if (!tlv_next(&p, end, &tag, &l, &val) || tag != 0x62 || p != end) {
        return FS_SW_WRONG_DATA;
    }
    p = val;
    end = val + l;
    while (p < end) {
        if (!tlv_next(&p, end, &tag, &l, &val)) {
            return FS_SW_WRONG_DATA;
        }
        switch (tag) {
        case 0x82:
            if (l != 2 && l != 4 && l != 5) {
                return FS_SW_WRONG_DATA;
            }
            desc = val[0];
            have_desc = true;
            if (l >= 4) {
                if (val[2] != 0 || val[3] == 0) {
                    return FS_SW_WRONG_DATA;
                }
                f->rec_len = val[3];
                nrec = l == 5 ? val[4] : 0;
            }
            break;
        case 0x83:
            if (l != 2) {
                return FS_SW_WRONG_DATA;
            }
            f->fid = (uint16_t)(val[0] << 8 | val[1]);
            have_fid = true;
            break;
        case 0x84:
            if (l < 1 || l > FS_AID_MAX) {
                return FS_SW_WRONG_DATA;
            }
            f->aid_len = (uint8_t)l;
            memcpy(f->aid, val, l);
            break;
        case 0x8A:
            if (l != 1) {
                return FS_SW_WRONG_DATA;
            }
            f->lcs = val[0] == FS_LCS_DEACTIVATED ? FS_LCS_DEACTIVATED
                                                  : FS_LCS_ACTIVATED;
            break;
        case 0x8B:
            if (l == 3) {
                f->arr_rec = val[2];
            } else if (l >= 4 && l % 2 == 0) {
                f->arr_rec = val[3];
            } else {
                return FS_SW_WRONG_DATA;
            }
            f->arr_fid = (uint16_t)(val[0] << 8 | val[1]);
            break;
        case 0x8C:
        case 0xAB:
            return FS_SW_WRONG_DATA;
        case 0x80:
            if (l < 1 || l > 4) {
                return FS_SW_WRONG_DATA;
            }
            size = 0;
            for (uint32_t i = 0; i < l; i++) {
                size = size << 8 | val[i];
            }
            have_size = true;
            break;
        case 0x88:
            if (l == 0) {
                f->sfi = 0;
            } else if (l == 1 && (val[0] & 7) == 0 && val[0] >> 3 >= 1 &&
                       val[0] >> 3 <= 30) {
                f->sfi = val[0] >> 3;
            } else {
                return FS_SW_WRONG_DATA;
            }
            have_sfi = true;
            break;
        default:
            break;   /* A5, C6, 81, 86 ...: ignored */
        }
    }
    if (!have_desc || !have_fid || f->fid == 0x3F00 || f->fid == 0x3FFF ||
        f->fid == 0x7FFF || f->fid == 0xFFFF) {
        return FS_SW_WRONG_DATA;
    }
    if ((desc & 0x80) != 0) {
        return FS_SW_WRONG_DATA;
    }
    if ((desc & 0x38) == 0x38) {          /* DF / ADF */
        f->type = f->aid_len ? FS_T_ADF : FS_T_DF;
        f->sfi = 0;
        f->size = 0;
        return FS_SW_OK;
    }
    if (f->aid_len != 0 || (desc & 0x38) != 0) {
        return FS_SW_WRONG_DATA;          /* only working EFs */
    }
    switch (desc & 0x07) {
    case 1:
        f->type = FS_T_TRANSPARENT;
        if (!have_size || f->rec_len != 0) {
            return FS_SW_WRONG_DATA;
        }
        break;
    case 2:
    case 6:
        f->type = (desc & 7) == 2 ? FS_T_LINEAR : FS_T_CYCLIC;
        if (f->rec_len == 0) {
            return FS_SW_WRONG_DATA;
        }
        if (nrec == 0) {
            if (!have_size || size == 0 || size % f->rec_len != 0) {
                return FS_SW_WRONG_DATA;
            }
            if (size / f->rec_len > 254) {
                return FS_SW_NO_SPACE;
            }
            nrec = (uint8_t)(size / f->rec_len);
        } else if (have_size && size != (uint32_t)nrec * f->rec_len) {
            return FS_SW_WRONG_DATA;
        }
        f->nrec = nrec;
        size = (uint32_t)nrec * f->rec_len;
        break;
    default:
        return FS_SW_WRONG_DATA;
    }
    if (size > FS_MAX_FILE_SIZE) {
        return FS_SW_NO_SPACE;
    }
    f->size = (uint16_t)size;
    if (!have_sfi) {
        uint8_t s = (uint8_t)(f->fid & 0x1f);

        f->sfi = (s >= 1 && s <= 30) ? s : 0;
    }
    return FS_SW_OK;
}
