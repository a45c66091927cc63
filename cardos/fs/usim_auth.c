/*
 * usim_auth: AUTHENTICATE with MILENAGE and the SQN array. Contract:
 * fs/usim_auth.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "crypto/keystore.h"
#include "fs/milenage.h"
#include "fs/usim_auth.h"

#define LOG_MODULE "usim"
#include "kernel/log.h"

#define SQN_FORMAT   1u
#define SQN_REC_SIZE (2u + 6u * USIM_SQN_ARRAY)
#define SW_UNKNOWN_FS 0x6F00u

/* TS 35.208 test set 1: K and OPc (docs/usim.md) */
static const uint8_t test_ki[16] = {
    0x46, 0x5B, 0x5C, 0xE8, 0xB1, 0x99, 0xB4, 0x9F,
    0xAA, 0x5F, 0x0A, 0x2E, 0xE2, 0x38, 0xA6, 0xBC,
};
static const uint8_t test_opc[16] = {
    0xCD, 0x63, 0xCB, 0x71, 0x95, 0x4A, 0x9F, 0x4E,
    0x48, 0xA5, 0x99, 0x4E, 0x37, 0xA0, 0x2B, 0xAF,
};

static struct usim_cipher cipher;

void usim_auth_set_cipher(const struct usim_cipher *c)
{
    cipher = *c;
}

struct keys {
    uint8_t k[16], opc[16];
};

static void wipe(void *p, size_t n)
{
    volatile uint8_t *v = p;

    while (n--) {
        *v++ = 0;
    }
}

static int ek(void *ctx, const uint8_t in[16], uint8_t out[16])
{
    const struct keys *k = ctx;

    return cipher.encrypt ? cipher.encrypt(cipher.ctx, k->k, in, out) : -1;
}

static uint16_t sw_of(int rc)
{
    switch (rc) {
    case STORE_OK:
        return FS_SW_OK;
    case STORE_ERR_NOT_FOUND:
        return FS_SW_NO_REF_DATA;
    case STORE_ERR_CORRUPT:
    case KEYSTORE_ERR_TYPE:
    case KEYSTORE_ERR_FORMAT:
        return FS_SW_BLOCKED;
    default:
        return FS_SW_MEMORY;
    }
}

static uint16_t load_keys(const struct fs *fs, struct keys *k)
{
    size_t l1 = 0, l2 = 0;
    int rc = keystore_read(fs->st, USIM_KEY_KI, KEYSTORE_TYPE_AES, k->k,
                           sizeof(k->k), &l1);

    if (rc == STORE_OK) {
        rc = keystore_read(fs->st, USIM_KEY_OPC, KEYSTORE_TYPE_AES, k->opc,
                           sizeof(k->opc), &l2);
    }
    if (rc == STORE_OK && (l1 != 16 || l2 != 16)) {
        rc = KEYSTORE_ERR_FORMAT;
    }
    if (rc != STORE_OK) {
        LOG_E("USIM keys unusable (%d)", rc);
    }
    return sw_of(rc);
}

static uint64_t get48(const uint8_t *p)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < 6; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

static void put48(uint8_t *p, uint64_t v)
{
    for (unsigned i = 6; i-- > 0;) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

/* The array: 9000, or 6983 when its record is damaged (fail safe). */
static uint16_t load_sqn(const struct fs *fs, uint8_t rec[SQN_REC_SIZE])
{
    uint32_t len = 0;
    int rc = store_read(fs->st, USIM_OBJ_SQN, rec, SQN_REC_SIZE, &len);

    if (rc == STORE_OK && (len != SQN_REC_SIZE || rec[0] != SQN_FORMAT ||
                           rec[1] != USIM_IND_BITS)) {
        rc = STORE_ERR_CORRUPT;
    }
    if (rc != STORE_OK) {
        LOG_E("SQN record %s: AUTHENTICATE blocked (6983)",
              rc == STORE_ERR_CORRUPT ? "damaged" : store_strerror(rc));
        return rc == STORE_ERR_CORRUPT || rc == STORE_ERR_NOT_FOUND
                   ? FS_SW_BLOCKED : FS_SW_MEMORY;
    }
    return FS_SW_OK;
}

static uint16_t put_sqn(struct fs *fs, const uint8_t rec[SQN_REC_SIZE])
{
    int rc = store_put_secure(fs->st, USIM_OBJ_SQN, rec, SQN_REC_SIZE);

    if (rc != STORE_OK) {
        LOG_E("SQN update failed (%s)", store_strerror(rc));
        return rc == STORE_ERR_FULL ? FS_SW_NO_SPACE : FS_SW_MEMORY;
    }
    return FS_SW_OK;
}

uint16_t usim_auth_personalise(struct fs *fs)
{
    uint8_t rec[SQN_REC_SIZE];
    int rc = STORE_OK;

    if (keystore_info(fs->st, USIM_KEY_KI, NULL, NULL) == STORE_ERR_NOT_FOUND) {
        rc = keystore_put(fs->st, USIM_KEY_KI, KEYSTORE_TYPE_AES, test_ki,
                          sizeof(test_ki));
    }
    if (rc == STORE_OK &&
        keystore_info(fs->st, USIM_KEY_OPC, NULL, NULL) == STORE_ERR_NOT_FOUND) {
        rc = keystore_put(fs->st, USIM_KEY_OPC, KEYSTORE_TYPE_AES, test_opc,
                          sizeof(test_opc));
    }
    if (rc == STORE_OK && store_size(fs->st, USIM_OBJ_SQN) == STORE_ERR_NOT_FOUND) {
        memset(rec, 0, sizeof(rec));
        rec[0] = SQN_FORMAT;
        rec[1] = USIM_IND_BITS;
        return put_sqn(fs, rec);
    }
    return rc == STORE_OK ? FS_SW_OK : FS_SW_MEMORY;
}

uint16_t usim_auth_3g(struct fs *fs, const uint8_t rand[16],
                      const uint8_t autn[16], bool with_kc, uint8_t *out,
                      uint32_t *len)
{
    struct keys k;
    struct milenage_cipher mc = { ek, &k };
    uint8_t rec[SQN_REC_SIZE], ak[6], sqn[6], xmac[8], res[8], ck[16],
        ik[16];
    uint64_t seq, ind, seq_ms = 0, ind_ms = 0;
    uint16_t sw = load_keys(fs, &k);
    int rc = 0;

    *len = 0;
    if (sw == FS_SW_OK) {
        sw = load_sqn(fs, rec);
    }
    if (sw != FS_SW_OK) {
        wipe(&k, sizeof(k));
        return sw;
    }
    /* TS 33.102 6.3.3: AK = f5(RAND), SQN = (SQN xor AK) xor AK, XMAC =
     * f1(SQN, RAND, AMF) compared with MAC */
    rc = milenage_f2345(&mc, k.opc, rand, NULL, NULL, NULL, ak);
    for (unsigned i = 0; i < 6; i++) {
        sqn[i] = autn[i] ^ ak[i];
    }
    if (rc == 0) {
        rc = milenage_f1(&mc, k.opc, rand, sqn, autn + 6, xmac, NULL);
    }
    if (rc != 0) {
        wipe(&k, sizeof(k));
        return SW_UNKNOWN_FS;
    }
    {
        uint8_t diff = 0;

        for (unsigned i = 0; i < 8; i++) {
            diff |= xmac[i] ^ autn[8 + i];
        }
        if (diff != 0) {
            wipe(&k, sizeof(k));
            return USIM_SW_MAC;
        }
    }
    seq = get48(sqn) >> USIM_IND_BITS;
    ind = get48(sqn) & (USIM_SQN_ARRAY - 1u);
    for (unsigned i = 0; i < USIM_SQN_ARRAY; i++) {
        uint64_t s = get48(rec + 2 + 6 * i);

        if (s > seq_ms) {
            seq_ms = s;
            ind_ms = i;
        }
    }
    if (seq <= get48(rec + 2 + 6 * ind) ||
        (seq > seq_ms && seq - seq_ms > USIM_SQN_DELTA)) {
        /* Annex C.2: synchronisation failure with SQN_MS; AUTS =
         * SQN_MS xor f5*(RAND) || f1*(SQN_MS, RAND, AMF* = 0000) */
        static const uint8_t amf0[2] = { 0, 0 };
        uint8_t sqn_ms[6], aks[6];

        put48(sqn_ms, seq_ms << USIM_IND_BITS | ind_ms);
        rc = milenage_f5star(&mc, k.opc, rand, aks);
        if (rc == 0) {
            rc = milenage_f1(&mc, k.opc, rand, sqn_ms, amf0, NULL, out + 8);
        }
        wipe(&k, sizeof(k));
        if (rc != 0) {
            return SW_UNKNOWN_FS;
        }
        out[0] = 0xDC;
        out[1] = 14;
        for (unsigned i = 0; i < 6; i++) {
            out[2 + i] = sqn_ms[i] ^ aks[i];
        }
        *len = 16;
        return FS_SW_OK;
    }
    /* fresh: committed before anything derived from it leaves the card */
    put48(rec + 2 + 6 * ind, seq);
    sw = put_sqn(fs, rec);
    if (sw == FS_SW_OK) {
        rc = milenage_f2345(&mc, k.opc, rand, res, ck, ik, NULL);
    }
    wipe(&k, sizeof(k));
    if (sw != FS_SW_OK || rc != 0) {
        return sw != FS_SW_OK ? sw : SW_UNKNOWN_FS;
    }
    out[0] = 0xDB;
    out[1] = 8;
    memcpy(out + 2, res, 8);
    out[10] = 16;
    memcpy(out + 11, ck, 16);
    out[27] = 16;
    memcpy(out + 28, ik, 16);
    *len = 44;
    if (with_kc) {
        out[44] = 8;
        milenage_c3(ck, ik, out + 45);
        *len = 53;
    }
    wipe(ck, sizeof(ck));
    wipe(ik, sizeof(ik));
    return FS_SW_OK;
}

uint16_t usim_auth_gsm(struct fs *fs, const uint8_t rand[16],
                       uint8_t sres[4], uint8_t kc[8])
{
    struct keys k;
    struct milenage_cipher mc = { ek, &k };
    uint8_t res[8], ck[16], ik[16];
    uint16_t sw = load_keys(fs, &k);
    int rc;

    if (sw != FS_SW_OK) {
        wipe(&k, sizeof(k));
        return sw;
    }
    rc = milenage_f2345(&mc, k.opc, rand, res, ck, ik, NULL);
    wipe(&k, sizeof(k));
    if (rc != 0) {
        return SW_UNKNOWN_FS;
    }
    milenage_c2(res, sres);
    milenage_c3(ck, ik, kc);
    wipe(ck, sizeof(ck));
    wipe(ik, sizeof(ik));
    return FS_SW_OK;
}

uint16_t usim_auth_set_keys(struct fs *fs, const uint8_t ki[16],
                            const uint8_t opc[16], const uint8_t *op)
{
    struct keys k;
    struct milenage_cipher mc = { ek, &k };
    int rc;

    memcpy(k.k, ki, 16);
    if (op != NULL) {
        if (milenage_opc(&mc, op, k.opc) != 0) {
            wipe(&k, sizeof(k));
            return SW_UNKNOWN_FS;
        }
    } else {
        memcpy(k.opc, opc, 16);
    }
    rc = keystore_put(fs->st, USIM_KEY_KI, KEYSTORE_TYPE_AES, k.k, 16);
    if (rc == STORE_OK) {
        rc = keystore_put(fs->st, USIM_KEY_OPC, KEYSTORE_TYPE_AES, k.opc, 16);
    }
    wipe(&k, sizeof(k));
    return rc == STORE_OK ? FS_SW_OK : FS_SW_MEMORY;
}

uint16_t usim_auth_set_sqn(struct fs *fs, uint64_t sqn)
{
    uint8_t rec[SQN_REC_SIZE];

    if (sqn >> 48 != 0) {
        return FS_SW_WRONG_DATA;
    }
    rec[0] = SQN_FORMAT;
    rec[1] = USIM_IND_BITS;
    for (unsigned i = 0; i < USIM_SQN_ARRAY; i++) {
        put48(rec + 2 + 6 * i, sqn >> USIM_IND_BITS);
    }
    return put_sqn(fs, rec);
}
