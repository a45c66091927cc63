/*
 * Answer-to-Reset: build the card's ATR, parse ATRs. See iso7816/atr.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "iso7816/atr.h"

/* ISO/IEC 7816-3:2006 Table 7 (Fi, f max) and Table 8 (Di). */
static const uint16_t fi_table[16] = {
    372, 372, 558, 744, 1116, 1488, 1860, 0, 0, 512, 768, 1024, 1536, 2048, 0, 0,
};
static const uint16_t fmax_table[16] = {
    4000, 5000, 6000, 8000, 12000, 16000, 20000, 0, 0, 5000, 7500, 10000, 15000, 20000, 0, 0,
};
static const uint8_t di_table[16] = {
    0, 1, 2, 4, 8, 16, 32, 64, 12, 20, 0, 0, 0, 0, 0, 0,
};

unsigned atr_fi_from_code(uint8_t code) { return fi_table[code & 0x0f]; }
unsigned atr_fmax_khz_from_code(uint8_t code) { return fmax_table[code & 0x0f]; }
unsigned atr_di_from_code(uint8_t code) { return di_table[code & 0x0f]; }

/* Historical bytes: category indicator 80, then COMPACT-TLV objects. */
static const uint8_t card_historical[] = {
    0x80,
    0x57, 'n', 'e', 't', 'c', 'a', 'r', 'd',   /* 5x: card issuer's data */
    /* 7x: card capabilities (ISO/IEC 7816-4:2013 12.1.1.9):
     * F6 first software function table: DF selection by full DF name,
     *    by partial DF name, by path, by file identifier; short EF
     *    identifiers and record numbers supported (no implicit DF
     *    selection, no record identifiers), as fs/fs_applet.h does;
     * 21 data coding byte: write functions proprietary (UPDATE only, no
     *    WRITE BINARY), data unit 1 byte: the value of every EF's FCP
     *    (TS 102 221 11.1.1.4.3);
     * 5F extended Lc/Le, channel numbers assigned by card and by
     *    terminal, 8 or more logical channels (we have 20). */
    0x73, 0xf6, 0x21, 0x5f,
};

size_t atr_build(uint8_t *buf, size_t cap)
{
    size_t n = 0;
    uint8_t tck = 0;

    if (cap < ATR_MAX_LEN) {
        return 0;
    }
    buf[n++] = 0x3b;                                    /* TS: direct */
    buf[n++] = (uint8_t)(0x90 | sizeof(card_historical)); /* T0: TA1 TD1, K */
    buf[n++] = ATR_CARD_TA1;                            /* TA1 */
    buf[n++] = 0x80;                                    /* TD1: TD2, T=0 */
    buf[n++] = 0x31;                                    /* TD2: TA3 TB3, T=1 */
    buf[n++] = ATR_CARD_IFSC;                           /* TA3: IFSC */
    buf[n++] = (uint8_t)(ATR_CARD_BWI << 4 | ATR_CARD_CWI); /* TB3 */
    memcpy(buf + n, card_historical, sizeof(card_historical));
    n += sizeof(card_historical);
    for (size_t i = 1; i < n; i++) {
        tck ^= buf[i];
    }
    buf[n++] = tck;
    return n;
}

enum atr_error atr_parse(const uint8_t *atr, size_t len, struct atr_info *out)
{
    size_t pos = 0;
    uint8_t y;
    unsigned i = 1;
    bool t1_ta_seen = false, t1_tb_seen = false, t1_tc_seen = false;
    bool non_t0 = false;

    memset(out, 0, sizeof(*out));
    out->fi = 372;
    out->di = 1;
    out->fmax_khz = 5000;
    out->wi = 10;
    out->ifsc = 32;
    out->bwi = 4;
    out->cwi = 13;

    if (len < 2) {
        return ATR_ERR_TRUNCATED;
    }
    if (atr[0] == 0x3f) {
        out->inverse = true;
    } else if (atr[0] != 0x3b) {
        return ATR_ERR_TS;
    }
    pos = 1;
    y = atr[pos] >> 4;
    out->hist_len = atr[pos] & 0x0f;
    pos++;

    for (;;) {
        unsigned t_here = 0;
        bool has_td;

        if (i > ATR_MAX_GROUPS) {
            return ATR_ERR_TOO_LONG;
        }
        if (i > 1) {
            t_here = out->td[i - 1] & 0x0f;
        }
        if (y & 0x1) {
            if (pos >= len) return ATR_ERR_TRUNCATED;
            out->ta[i] = atr[pos++];
            out->has_ta[i] = true;
            if (i > 2 && t_here == 1 && !t1_ta_seen) {
                out->ifsc = out->ta[i];
                t1_ta_seen = true;
            }
        }
        if (y & 0x2) {
            if (pos >= len) return ATR_ERR_TRUNCATED;
            out->tb[i] = atr[pos++];
            out->has_tb[i] = true;
            if (i > 2 && t_here == 1 && !t1_tb_seen) {
                out->bwi = out->tb[i] >> 4;
                out->cwi = out->tb[i] & 0x0f;
                t1_tb_seen = true;
            }
        }
        if (y & 0x4) {
            if (pos >= len) return ATR_ERR_TRUNCATED;
            out->tc[i] = atr[pos++];
            out->has_tc[i] = true;
            if (i > 2 && t_here == 1 && !t1_tc_seen) {
                out->crc = (out->tc[i] & 0x01) != 0;
                t1_tc_seen = true;
            }
        }
        has_td = (y & 0x8) != 0;
        out->groups = i;
        if (!has_td) {
            break;
        }
        if (pos >= len) return ATR_ERR_TRUNCATED;
        out->td[i] = atr[pos++];
        out->has_td[i] = true;
        {
            unsigned t = out->td[i] & 0x0f;

            if (i == 1) {
                out->first_protocol = t;
            }
            if (t != 15) {
                out->protocols |= (uint16_t)(1u << t);
            }
            if (t != 0) {
                non_t0 = true;
            }
        }
        y = out->td[i] >> 4;
        i++;
    }
    if (out->protocols == 0) {
        out->protocols = 1u;    /* no TD1: T=0 only */
    }
    if (pos + out->hist_len > len) {
        return ATR_ERR_TRUNCATED;
    }
    memcpy(out->hist, atr + pos, out->hist_len);
    pos += out->hist_len;
    if (non_t0) {
        uint8_t x = 0;

        if (pos >= len) {
            return ATR_ERR_TRUNCATED;
        }
        out->has_tck = true;
        out->tck = atr[pos++];
        for (size_t k = 1; k < pos; k++) {
            x ^= atr[k];
        }
        if (x != 0) {
            return ATR_ERR_TCK;
        }
    }
    if (pos != len || len > ATR_MAX_LEN) {
        return ATR_ERR_TOO_LONG;
    }
    if (out->has_ta[1]) {
        out->fi = atr_fi_from_code(out->ta[1] >> 4);
        out->fmax_khz = atr_fmax_khz_from_code(out->ta[1] >> 4);
        out->di = atr_di_from_code(out->ta[1] & 0x0f);
    }
    if (out->has_tc[1]) {
        out->n = out->tc[1];
    }
    out->specific_mode = out->has_ta[2];
    if (out->has_tc[2]) {
        out->wi = out->tc[2];
    }
    return ATR_OK;
}
