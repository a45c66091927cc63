/*
 * Card-level data of the card manager. Contract: gp/card_data.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "gp/card_data.h"

#include <string.h>

#include "apdu/apdu.h"
#include "gp/gp.h"
#include "gp/keyset.h"

static const uint8_t iin[] = { 0x89, 0x12, 0x34, 0x56, 0x78 };
static const uint8_t cin[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                               0x08 };
uint8_t gp_scp02_i = GP_SCP02_I;
const uint8_t gp_key_div_data[10] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
                                      0x07, 0x08, 0x09, 0x0A };

/*
 * Card Production Life Cycle data (GET DATA 9F7F, 42 bytes in
 * the EMV layout): IC fabricator 4E43 and IC type 0033 (the SoC's chip id
 * 0x4E430033), operating system id 4E43, release date 6336 (YDDD), release
 * level 0001; the rest (fabrication, packaging, personalisation dates and
 * equipment) zero: a virtual card has none.
 */
static const uint8_t cplc[42] = {
    0x4E, 0x43, 0x00, 0x33, 0x4E, 0x43, 0x63, 0x36, 0x00, 0x01,
};

/* Application production life cycle data of the ISD's FCI (9F6E). */
static const uint8_t prod_life_cycle[6] = { 0x4E, 0x43, 0x00, 0x33, 0x00,
                                            0x01 };

/* GlobalPlatform OIDs {1 2 840 114283 ...} (GPC 2.3.1 H.2). */
static const uint8_t oid_gp[] = { 0x2A, 0x86, 0x48, 0x86, 0xFC, 0x6B };

uint8_t gp_card_state(const struct store *st)
{
    uint8_t rec[2];
    uint32_t n = 0;
    int rc = st ? store_read(st, GP_OBJ_CARD, rec, sizeof(rec), &n)
                : STORE_ERR_STATE;

    if (rc == STORE_ERR_NOT_FOUND || rc == STORE_ERR_STATE) {
        return GP_CARD_OP_READY;
    }
    if (rc != STORE_OK || n != 2 || rec[0] != 1) {
        return GP_CARD_TERMINATED;      /* damaged: fail safe */
    }
    return rec[1];
}

int gp_card_stage_state(struct store *st, uint8_t state)
{
    uint8_t rec[2] = { 1, state };

    return store_write(st, GP_OBJ_CARD, rec, sizeof(rec));
}

int gp_card_set_state(struct store *st, uint8_t state)
{
    uint8_t rec[2] = { 1, state };

    return store_put_secure(st, GP_OBJ_CARD, rec, sizeof(rec));
}

int gp_card_personalised(const struct store *st)
{
    return st && store_size(st, GP_OBJ_CARD) >= 0;
}

/* Append tag TAG (1 or 2 bytes), length N < 128, VALUE. */
static size_t tlv(uint8_t *out, size_t at, size_t cap, uint16_t tag,
                  const uint8_t *value, size_t n)
{
    size_t t = tag > 0xFF ? 2 : 1;

    if (at + t + 1 + n > cap || n > 127) {
        return 0;
    }
    if (t == 2) {
        out[at++] = (uint8_t)(tag >> 8);
    }
    out[at++] = (uint8_t)tag;
    out[at++] = (uint8_t)n;
    memcpy(out + at, value, n);
    return at + n;
}

size_t gp_card_recognition(const struct store *st, uint8_t sd, uint8_t *out,
                           size_t cap)
{
    uint8_t v[64], oid[12];
    unsigned has = gp_keyset_protocols(st, sd);
    size_t n = 0, k;

    if (cap < 2) {
        return 0;
    }
    /* 06: the GlobalPlatform card recognition data OID {... 1} */
    memcpy(oid, oid_gp, 6);
    oid[6] = 0x01;
    n = tlv(v, 0, sizeof(v), 0x06, oid, 7);
    /* 60: card management type and version, GP 2.3.1 {... 2 2 3 1} */
    oid[0] = 0x06;
    oid[1] = 0x0A;
    memcpy(oid + 2, oid_gp, 6);
    oid[8] = 0x02;
    oid[9] = 0x02;
    oid[10] = 0x03;
    oid[11] = 0x01;
    n = tlv(v, n, sizeof(v), 0x60, oid, 12);
    /* 63: card identification scheme {... 3} */
    oid[1] = 0x07;
    oid[8] = 0x03;
    n = tlv(v, n, sizeof(v), 0x63, oid, 9);
    /* 64: one per secure channel protocol and i {... 4 scp i} */
    oid[1] = 0x09;
    oid[8] = 0x04;
    if (has & GP_HAS_SCP03) {
        oid[9] = 0x03;
        oid[10] = GP_SCP03_I;
        n = tlv(v, n, sizeof(v), 0x64, oid, 11);
    }
    if (has & GP_HAS_SCP02) {
        oid[9] = 0x02;
        oid[10] = gp_scp02_i;
        n = tlv(v, n, sizeof(v), 0x64, oid, 11);
    }
    k = n ? tlv(out, 0, cap, 0x73, v, n) : 0;
    return k;
}

size_t gp_sd_fci(const struct store *st, uint8_t sd, const uint8_t *aid,
                 uint8_t aid_len, uint8_t *out, size_t cap)
{
    uint8_t a5[96], fci[128];
    size_t n, m;
    static const uint8_t max_block = 0xFF;

    n = gp_card_recognition(st, sd, a5, sizeof(a5));
    n = n ? tlv(a5, n, sizeof(a5), 0x9F6E, prod_life_cycle,
                sizeof(prod_life_cycle)) : 0;
    n = n ? tlv(a5, n, sizeof(a5), 0x9F65, &max_block, 1) : 0;
    m = n ? tlv(fci, 0, sizeof(fci), 0x84, aid, aid_len) : 0;
    m = m ? tlv(fci, m, sizeof(fci), 0xA5, a5, n) : 0;
    return m ? tlv(out, 0, cap, 0x6F, fci, m) : 0;
}

/* Card capability information (GPC 2.3.1 H.4): per protocol its i,
 * then the privileges the card supports. */
static size_t capabilities(const struct store *st, uint8_t *out, size_t cap)
{
    uint8_t v[48], a0[6];
    static const uint8_t privs[3] = {
        GP_PRIV_SD | GP_PRIV_CARD_LOCK | GP_PRIV_CARD_TERMINATE |
            GP_PRIV_CARD_RESET | GP_PRIV_CVM_MGMT,
        GP_PRIV2_AUTHORIZED_MGMT, 0x00,
    };
    size_t n = 0;

    (void)st;
    a0[0] = 0x80;
    a0[1] = 1;
    a0[2] = 0x03;
    a0[3] = 0x81;
    a0[4] = 1;
    a0[5] = GP_SCP03_I;
    n = tlv(v, n, sizeof(v), 0xA0, a0, 6);
    a0[2] = 0x02;
    a0[5] = gp_scp02_i;
    n = tlv(v, n, sizeof(v), 0xA0, a0, 6);
    n = tlv(v, n, sizeof(v), 0x81, privs, 3);
    return tlv(out, 0, cap, 0x67, v, n);
}

size_t gp_card_get_data(const struct gp_data_ctx *ctx, uint16_t tag,
                        uint8_t *out, size_t cap)
{
    uint8_t v[16];
    struct gp_keyset ks;
    uint32_t c;

    switch (tag) {
    case 0x0042:
        return tlv(out, 0, cap, tag, iin, sizeof(iin));
    case 0x0045:
        return tlv(out, 0, cap, tag, cin, sizeof(cin));
    case 0x00CF:
        return tlv(out, 0, cap, tag, gp_key_div_data, sizeof(gp_key_div_data));
    case 0x0066: {
        uint8_t crd[96];
        size_t n = gp_card_recognition(ctx->st, ctx->sd, crd, sizeof(crd));

        return n ? tlv(out, 0, cap, tag, crd, n) : 0;
    }
    case 0x0067:
        return capabilities(ctx->st, out, cap);
    case 0x00C1:
        /* the sequence counter of the default key set (its width: SCP02
         * 2 bytes, SCP03 3 bytes) */
        if (gp_keyset_find(ctx->st, ctx->sd, 0, &ks) != STORE_OK ||
            gp_counter_peek(ctx->st, ctx->sd, ks.kvn, &c) != STORE_OK) {
            return 0;
        }
        v[0] = (uint8_t)(c >> 16);
        v[1] = (uint8_t)(c >> 8);
        v[2] = (uint8_t)c;
        return ks.scp == 0x03 ? tlv(out, 0, cap, tag, v, 3)
                              : tlv(out, 0, cap, tag, v + 1, 2);
    case 0x00C2:
        /* confirmation counter: no delegated management receipts yet */
        memset(v, 0, 2);
        return tlv(out, 0, cap, tag, v, 2);
    case 0x00E0:
        return gp_key_info_template(ctx->st, ctx->sd, out, cap);
    case 0x9F7F:
        return tlv(out, 0, cap, tag, cplc, sizeof(cplc));
    case 0x5F50: {
        /* Security Domain Manager URL, if one was set (STORE DATA) */
        uint8_t url[GP_URL_MAX];
        uint32_t got = 0;

        if (ctx->st == NULL ||
            store_read(ctx->st, GP_SD_OBJ_URL(ctx->sd), url, sizeof(url),
                       &got) != STORE_OK || got == 0) {
            return 0;
        }
        return tlv(out, 0, cap, tag, url, got);
    }
    case 0xFF21: {
        /* extended card resources (ETSI TS 102 226 8.2.1.7.2) */
        uint8_t r[14];
        uint32_t nvm = ctx->st ? store_free(ctx->st) : 0;

        r[0] = 0x81;
        r[1] = 2;
        r[2] = (uint8_t)(ctx->apps >> 8);
        r[3] = (uint8_t)ctx->apps;
        r[4] = 0x82;
        r[5] = 4;
        r[6] = (uint8_t)(nvm >> 24);
        r[7] = (uint8_t)(nvm >> 16);
        r[8] = (uint8_t)(nvm >> 8);
        r[9] = (uint8_t)nvm;
        r[10] = 0x83;
        r[11] = 2;
        r[12] = (uint8_t)(ctx->free_ram > 0xFFFF ? 0xFF : ctx->free_ram >> 8);
        r[13] = (uint8_t)(ctx->free_ram > 0xFFFF ? 0xFF : ctx->free_ram);
        return tlv(out, 0, cap, tag, r, sizeof(r));
    }
    default:
        return 0;
    }
}

uint16_t gp_sd_store_data(struct store *st, uint8_t sd, uint8_t p1,
                          const uint8_t *data, size_t len)
{
    size_t i = 0;

    if ((p1 & 0x18u) != 0x10u) {
        return SW_OK;       /* DGI or no structure given: not kept */
    }
    /* BER-TLV (ISO/IEC 8825-1): one- or two-byte tags, short lengths and
     * 81 xx */
    while (i < len) {
        uint16_t tag = data[i++];
        size_t n;

        if ((tag & 0x1Fu) == 0x1Fu) {
            if (i >= len) {
                return SW_WRONG_DATA;
            }
            tag = (uint16_t)(tag << 8 | data[i++]);
        }
        if (i >= len) {
            return SW_WRONG_DATA;
        }
        n = data[i++];
        if (n == 0x81 && i < len) {
            n = data[i++];
        } else if (n > 0x80) {
            return SW_WRONG_DATA;
        }
        if (n > len - i) {
            return SW_WRONG_DATA;
        }
        if (tag == 0x5F50) {
            if (n == 0 || n > GP_URL_MAX) {
                return SW_WRONG_DATA;
            }
            if (st == NULL ||
                store_put(st, GP_SD_OBJ_URL(sd), data + i, (uint32_t)n) !=
                    STORE_OK) {
                return SW_MEMORY_FAILURE;
            }
        }
        i += n;
    }
    return SW_OK;
}
