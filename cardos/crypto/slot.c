/*
 * The key handles' engine primitives on the coprocessor. Contract:
 * crypto/slot.h. Cache entry 0 is engine slot 5, entries 1..8 slots 8..15
 * (the others belong to crypto/crypto.c).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "crypto/slot.h"

#include <string.h>

#include "crypto/crypto_int.h"
#include "crypto/keystore.h"
#include "drivers/crypto.h"

#define USE_SYM (NETCARD_CRYPTO_USE_ENCRYPT | NETCARD_CRYPTO_USE_DECRYPT | \
                 NETCARD_CRYPTO_USE_MAC)

static uint32_t engine_slot(unsigned i)
{
    return i == 0 ? 5u : 7u + i;
}

static uint32_t engine_type(uint8_t type)
{
    return type == KEYSTORE_TYPE_DES ? NETCARD_CRYPTO_KEY_TDES
                                     : NETCARD_CRYPTO_KEY_AES;
}

static uint32_t cmd_word(uint32_t op, unsigned i)
{
    return FIELD_DP32(op, CRYPTO_CMD, KEY, engine_slot(i));
}

/* SRC for the engine: MSG itself if it may DMA from it, else the bounce
 * buffer at OFF (a copy). */
static uintptr_t source(const uint8_t *msg, size_t len, size_t off)
{
    uint8_t *b = crypto_int_bounce();

    if (len != 0 && crypto_drv_dma_source_ok(msg, len)) {
        return (uintptr_t)msg;
    }
    if (len) {
        memcpy(b + off, msg, len);
    }
    return (uintptr_t)(b + off);
}

enum crypto_status crypto_slot_load(unsigned i, uint8_t type,
                                    const uint8_t *key, size_t len)
{
    enum crypto_status rc = crypto_int_in_service();

    if (rc != CRYPTO_OK) {
        return rc;
    }
    return crypto_int_load_key(engine_slot(i), engine_type(type), USE_SYM,
                               key, len);
}

/* One command whose output becomes entry DST's key (CMD.TOSLOT). */
static enum crypto_status to_slot(uint32_t cmd, unsigned dst, uint32_t type,
                                  uintptr_t src, size_t len, size_t out_len)
{
    struct crypto_drv_cmd c = { 0 };

    c.cmd = FIELD_DP32(cmd, CRYPTO_CMD, TOSLOT, 1);
    c.cmd = FIELD_DP32(c.cmd, CRYPTO_CMD, KEY2, engine_slot(dst));
    c.keycfg = FIELD_DP32(0, CRYPTO_KEYCFG, TYPE, type);
    c.keycfg = FIELD_DP32(c.keycfg, CRYPTO_KEYCFG, USAGE, USE_SYM);
    c.keycfg = FIELD_DP32(c.keycfg, CRYPTO_KEYCFG, LEN, (uint32_t)out_len);
    c.src = src;
    c.len = (uint32_t)len;
    return crypto_int_result(crypto_drv_run(&c, NULL), "derive to slot");
}

enum crypto_status crypto_slot_kdf(unsigned dst, unsigned src,
                                   unsigned ctr_off, const uint8_t *msg,
                                   size_t len, size_t out_len)
{
    enum crypto_status rc = crypto_int_in_service();
    uint32_t cmd = cmd_word(NETCARD_CRYPTO_OP_AES_CMAC, src);

    if (rc != CRYPTO_OK) {
        return rc;
    }
    if (len > 48 || ctr_off >= len || ctr_off > 15) {
        return CRYPTO_ERR_PARAM;
    }
    cmd = FIELD_DP32(cmd, CRYPTO_CMD, ALG, ctr_off);
    rc = to_slot(cmd, dst, NETCARD_CRYPTO_KEY_AES, source(msg, len, 0), len,
                 out_len);
    memset(crypto_int_bounce(), 0, len);
    return rc;
}

enum crypto_status crypto_slot_tdes_key(unsigned dst, unsigned src, bool cbc,
                                        const uint8_t *msg, size_t len)
{
    static const uint8_t zero[8];
    enum crypto_status rc = crypto_int_in_service();

    if (rc != CRYPTO_OK) {
        return rc;
    }
    if (len != 16) {
        return CRYPTO_ERR_PARAM;
    }
    crypto_drv_set_iv(zero, 2);
    rc = to_slot(cmd_word(cbc ? NETCARD_CRYPTO_OP_TDES_CBC :
                          NETCARD_CRYPTO_OP_TDES_ECB, src),
                 dst, NETCARD_CRYPTO_KEY_TDES, source(msg, len, 0), len, len);
    memset(crypto_int_bounce(), 0, len);
    return rc;
}

enum crypto_status crypto_slot_cipher(unsigned i, enum crypto_cipher alg,
                                      bool decrypt, uint8_t *iv,
                                      const uint8_t *in, uint8_t *out,
                                      size_t len)
{
    bool aes = alg == CRYPTO_AES_ECB || alg == CRYPTO_AES_CBC;
    unsigned words = aes ? 4 : 2;
    bool need_iv = alg == CRYPTO_AES_CBC || alg == CRYPTO_TDES_CBC;
    uint8_t *b = crypto_int_bounce();
    uint32_t op, cmd;
    enum crypto_status rc = crypto_int_in_service();

    if (rc != CRYPTO_OK) {
        return rc;
    }
    switch (alg) {
    case CRYPTO_AES_ECB: op = NETCARD_CRYPTO_OP_AES_ECB; break;
    case CRYPTO_AES_CBC: op = NETCARD_CRYPTO_OP_AES_CBC; break;
    case CRYPTO_TDES_ECB: op = NETCARD_CRYPTO_OP_TDES_ECB; break;
    case CRYPTO_TDES_CBC: op = NETCARD_CRYPTO_OP_TDES_CBC; break;
    default: return CRYPTO_ERR_PARAM;
    }
    if (len == 0 || len % (aes ? 16u : 8u) != 0 || len > CRYPTO_BOUNCE_SIZE ||
        (need_iv && iv == NULL) || in == NULL || out == NULL ||
        (in != out && in < out + len && out < in + len)) {
        return CRYPTO_ERR_PARAM;
    }
    cmd = cmd_word(op, i);
    if (decrypt) {
        cmd = FIELD_DP32(cmd, CRYPTO_CMD, DEC, 1);
    }
    if (need_iv) {
        crypto_drv_set_iv(iv, words);
    }
    if (crypto_drv_dma_source_ok(in, len) && crypto_drv_dma_dest_ok(out, len)) {
        struct crypto_drv_cmd c = { .cmd = cmd, .src = (uintptr_t)in,
                                    .dst = (uintptr_t)out,
                                    .len = (uint32_t)len };

        rc = crypto_int_result(crypto_drv_run(&c, NULL), "cipher");
    } else {
        struct crypto_drv_cmd c = { .cmd = cmd, .src = (uintptr_t)b,
                                    .dst = (uintptr_t)b,
                                    .len = (uint32_t)len };

        memcpy(b, in, len);
        rc = crypto_int_result(crypto_drv_run(&c, NULL), "cipher");
        memcpy(out, b, len);
    }
    if (rc == CRYPTO_OK && need_iv) {
        crypto_drv_get_iv(iv, words);
    }
    return rc;
}

enum crypto_status crypto_slot_cmac(unsigned i, const uint8_t *msg,
                                    size_t len, uint8_t mac[16])
{
    uint8_t *b = crypto_int_bounce();
    struct crypto_drv_cmd c = { 0 };
    enum crypto_status rc = crypto_int_in_service();

    if (rc != CRYPTO_OK) {
        return rc;
    }
    if (!(len != 0 && crypto_drv_dma_source_ok(msg, len)) &&
        len > CRYPTO_BOUNCE_SIZE - 16) {
        return CRYPTO_ERR_PARAM;
    }
    c.cmd = cmd_word(NETCARD_CRYPTO_OP_AES_CMAC, i);
    c.src = source(msg, len, 16);
    c.dst = (uintptr_t)b;
    c.len = (uint32_t)len;
    rc = crypto_int_result(crypto_drv_run(&c, NULL), "CMAC");
    if (rc == CRYPTO_OK) {
        memcpy(mac, b, 16);
    }
    return rc;
}

enum crypto_status crypto_slot_retail_mac(unsigned i, const uint8_t icv[8],
                                          const uint8_t *msg, size_t len,
                                          uint8_t mac[8])
{
    uint8_t *b = crypto_int_bounce();
    size_t padded = (len / 8 + 1) * 8;
    struct crypto_drv_cmd c = { 0 };
    enum crypto_status rc = crypto_int_in_service();

    if (rc != CRYPTO_OK) {
        return rc;
    }
    if (padded > CRYPTO_BOUNCE_SIZE - 16) {
        return CRYPTO_ERR_PARAM;
    }
    memcpy(b + 16, msg, len);
    b[16 + len] = 0x80;
    memset(b + 16 + len + 1, 0, padded - len - 1);
    crypto_drv_set_iv(icv, 2);
    c.cmd = cmd_word(NETCARD_CRYPTO_OP_RETAIL_MAC, i);
    c.src = (uintptr_t)(b + 16);
    c.dst = (uintptr_t)b;
    c.len = (uint32_t)padded;
    rc = crypto_int_result(crypto_drv_run(&c, NULL), "retail MAC");
    if (rc == CRYPTO_OK) {
        memcpy(mac, b, 8);
    }
    return rc;
}

void crypto_slot_clear(unsigned i)
{
    struct crypto_drv_cmd c = { 0 };

    if (crypto_int_in_service() != CRYPTO_OK) {
        return;
    }
    c.cmd = cmd_word(NETCARD_CRYPTO_OP_KEY_ZEROIZE, i);
    (void)crypto_int_result(crypto_drv_run(&c, NULL), "key zeroize");
}
