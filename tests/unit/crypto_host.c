/*
 * A host backend of the card's crypto API (cardos/crypto/crypto.h) for
 * the unit tests of modules above crypto/ (the GlobalPlatform secure
 * channels): the ciphers and MACs the card runs on its coprocessor, here
 * on the host mbedTLS (build/host, the library QEMU's coprocessor model
 * links). Only what those modules call is implemented; anything else
 * answers CRYPTO_ERR_PARAM.
 *
 * Random numbers are a deterministic counter-based stream (tests compare
 * bytes): crypto_host_random_seed() restarts it.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include <mbedtls/aes.h>
#include <mbedtls/cipher.h>
#include <mbedtls/cmac.h>
#include <mbedtls/des.h>

#include "crypto/crypto.h"
#include "crypto/drbg.h"
#include "crypto_host.h"

static uint32_t random_state = 1;
static unsigned cipher_calls, mac_calls;

void crypto_host_random_seed(uint32_t seed)
{
    random_state = seed ? seed : 1;
}

unsigned crypto_host_calls(void)
{
    return cipher_calls + mac_calls;
}

bool crypto_failed(void)
{
    return false;
}

enum crypto_status crypto_random(void *out, size_t len)
{
    uint8_t *p = out;

    for (size_t i = 0; i < len; i++) {
        random_state ^= random_state << 13;
        random_state ^= random_state >> 17;
        random_state ^= random_state << 5;
        p[i] = (uint8_t)random_state;
    }
    return CRYPTO_OK;
}

static enum crypto_status aes(bool cbc, bool decrypt, const uint8_t *key,
                              size_t key_len, uint8_t *iv,
                              const uint8_t *in, uint8_t *out, size_t len)
{
    mbedtls_aes_context c;
    uint8_t tmp[16];
    int rc = 0;

    if ((key_len != 16 && key_len != 24 && key_len != 32) || len == 0 ||
        len % 16 != 0 || (cbc && iv == NULL)) {
        return CRYPTO_ERR_PARAM;
    }
    mbedtls_aes_init(&c);
    rc = decrypt ? mbedtls_aes_setkey_dec(&c, key, (unsigned)key_len * 8)
                 : mbedtls_aes_setkey_enc(&c, key, (unsigned)key_len * 8);
    for (size_t off = 0; rc == 0 && off < len; off += 16) {
        memcpy(tmp, in + off, 16);
        if (cbc) {
            rc = mbedtls_aes_crypt_cbc(&c, decrypt ? MBEDTLS_AES_DECRYPT
                                                   : MBEDTLS_AES_ENCRYPT,
                                       16, iv, tmp, out + off);
        } else {
            rc = mbedtls_aes_crypt_ecb(&c, decrypt ? MBEDTLS_AES_DECRYPT
                                                   : MBEDTLS_AES_ENCRYPT,
                                       tmp, out + off);
        }
    }
    mbedtls_aes_free(&c);
    return rc == 0 ? CRYPTO_OK : CRYPTO_ERR_PARAM;
}

static enum crypto_status tdes(bool cbc, bool decrypt, const uint8_t *key,
                               size_t key_len, uint8_t *iv,
                               const uint8_t *in, uint8_t *out, size_t len)
{
    mbedtls_des3_context c;
    uint8_t tmp[8];
    int rc;

    if ((key_len != 16 && key_len != 24) || len == 0 || len % 8 != 0 ||
        (cbc && iv == NULL)) {
        return CRYPTO_ERR_PARAM;
    }
    mbedtls_des3_init(&c);
    if (key_len == 16) {
        rc = decrypt ? mbedtls_des3_set2key_dec(&c, key)
                     : mbedtls_des3_set2key_enc(&c, key);
    } else {
        rc = decrypt ? mbedtls_des3_set3key_dec(&c, key)
                     : mbedtls_des3_set3key_enc(&c, key);
    }
    for (size_t off = 0; rc == 0 && off < len; off += 8) {
        memcpy(tmp, in + off, 8);
        if (cbc) {
            rc = mbedtls_des3_crypt_cbc(&c, decrypt ? MBEDTLS_DES_DECRYPT
                                                    : MBEDTLS_DES_ENCRYPT,
                                        8, iv, tmp, out + off);
        } else {
            rc = mbedtls_des3_crypt_ecb(&c, tmp, out + off);
        }
    }
    mbedtls_des3_free(&c);
    return rc == 0 ? CRYPTO_OK : CRYPTO_ERR_PARAM;
}

enum crypto_status crypto_cipher(enum crypto_cipher alg,
                                 enum crypto_engine engine, bool decrypt,
                                 const uint8_t *key, size_t key_len,
                                 uint8_t *iv, const uint8_t *in,
                                 uint8_t *out, size_t len)
{
    (void)engine;
    cipher_calls++;
    switch (alg) {
    case CRYPTO_AES_ECB:
        return aes(false, decrypt, key, key_len, NULL, in, out, len);
    case CRYPTO_AES_CBC:
        return aes(true, decrypt, key, key_len, iv, in, out, len);
    case CRYPTO_TDES_ECB:
        return tdes(false, decrypt, key, key_len, NULL, in, out, len);
    case CRYPTO_TDES_CBC:
        return tdes(true, decrypt, key, key_len, iv, in, out, len);
    default:
        return CRYPTO_ERR_PARAM;
    }
}

/* ISO/IEC 9797-1 MAC algorithm 3 with padding method 2, as crypto.h:
 * single DES CBC with K1 over every block but the last, 3DES on it. */
static enum crypto_status retail_mac(const uint8_t *key, const uint8_t *msg,
                                     size_t len, uint8_t mac[8])
{
    uint8_t k1[16], iv[8] = { 0 }, block[8], last[8] = { 0 };
    size_t blocks = len / 8 + 1;            /* padded: always one more */
    size_t rest = len - 8 * (blocks - 1);
    enum crypto_status rc = CRYPTO_OK;

    memcpy(k1, key, 8);
    memcpy(k1 + 8, key, 8);                 /* single DES as 3DES K1 K1 */
    for (size_t i = 0; i + 1 < blocks && rc == CRYPTO_OK; i++) {
        rc = tdes(true, false, k1, 16, iv, msg + 8 * i, block, 8);
    }
    memcpy(last, msg + 8 * (blocks - 1), rest);
    last[rest] = 0x80;
    if (rc == CRYPTO_OK) {
        rc = tdes(true, false, key, 16, iv, last, mac, 8);
    }
    return rc;
}

enum crypto_status crypto_mac(enum crypto_mac alg, const uint8_t *key,
                              size_t key_len, const uint8_t *msg,
                              size_t msg_len, uint8_t *mac, size_t mac_cap,
                              size_t *mac_len)
{
    mac_calls++;
    if (alg == CRYPTO_MAC_AES_CMAC) {
        const mbedtls_cipher_info_t *info;

        if (mac_cap < 16) {
            return CRYPTO_ERR_PARAM;
        }
        info = mbedtls_cipher_info_from_type(
            key_len == 16 ? MBEDTLS_CIPHER_AES_128_ECB :
            key_len == 24 ? MBEDTLS_CIPHER_AES_192_ECB :
            key_len == 32 ? MBEDTLS_CIPHER_AES_256_ECB : MBEDTLS_CIPHER_NONE);
        if (info == NULL ||
            mbedtls_cipher_cmac(info, key, key_len * 8, msg, msg_len, mac) != 0) {
            return CRYPTO_ERR_PARAM;
        }
        *mac_len = 16;
        return CRYPTO_OK;
    }
    if (alg == CRYPTO_MAC_RETAIL) {
        if (key_len != 16 || mac_cap < 8) {
            return CRYPTO_ERR_PARAM;
        }
        *mac_len = 8;
        return retail_mac(key, msg, msg_len, mac);
    }
    return CRYPTO_ERR_PARAM;
}

static uint8_t queued[32];
static size_t nqueued;

void crypto_host_drbg_next(const uint8_t *bytes, size_t len)
{
    nqueued = len < sizeof(queued) ? len : sizeof(queued);
    memcpy(queued, bytes, nqueued);
}

/* crypto/drbg.h: the queued bytes first, then the deterministic stream. */
enum crypto_status crypto_drbg_random(void *out, size_t len)
{
    if (nqueued && len <= nqueued) {
        memcpy(out, queued, len);
        memmove(queued, queued + len, nqueued - len);
        nqueued -= len;
        return CRYPTO_OK;
    }
    return crypto_random(out, len);
}

void crypto_forget_byte_keys(void)
{
}

/* ---- The key handles' slots (cardos/crypto/slot.h) on the host --------- */

#include "crypto/key.h"
#include "crypto/keystore.h"
#include "crypto/slot.h"

static struct {
    uint8_t type, len;
    uint8_t k[32];
} hslot[CRYPTO_KEY_CACHE];
static unsigned slot_ops;

unsigned crypto_host_slot_ops(void)
{
    return slot_ops;
}

enum crypto_status crypto_slot_load(unsigned i, uint8_t type,
                                    const uint8_t *key, size_t len)
{
    if (i >= CRYPTO_KEY_CACHE || len > 32) {
        return CRYPTO_ERR_PARAM;
    }
    slot_ops++;
    hslot[i].type = type;
    hslot[i].len = (uint8_t)len;
    memcpy(hslot[i].k, key, len);
    return CRYPTO_OK;
}

enum crypto_status crypto_slot_kdf(unsigned dst, unsigned src,
                                   unsigned ctr_off, const uint8_t *msg,
                                   size_t len, size_t out_len)
{
    uint8_t m[48], out[64], mac[16];
    size_t n;

    if (dst >= CRYPTO_KEY_CACHE || src >= CRYPTO_KEY_CACHE || len > 48 ||
        ctr_off >= len || out_len > 32 || hslot[src].type != KEYSTORE_TYPE_AES) {
        return CRYPTO_ERR_PARAM;
    }
    slot_ops++;
    memcpy(m, msg, len);
    for (unsigned b = 0; 16 * b < out_len; b++) {
        m[ctr_off] = (uint8_t)(b + 1);
        if (crypto_mac(CRYPTO_MAC_AES_CMAC, hslot[src].k, hslot[src].len, m,
                       len, mac, 16, &n) != CRYPTO_OK) {
            return CRYPTO_ERR_PARAM;
        }
        memcpy(out + 16 * b, mac, 16);
    }
    hslot[dst].type = KEYSTORE_TYPE_AES;
    hslot[dst].len = (uint8_t)out_len;
    memcpy(hslot[dst].k, out, out_len);
    return CRYPTO_OK;
}

enum crypto_status crypto_slot_tdes_key(unsigned dst, unsigned src, bool cbc,
                                        const uint8_t *msg, size_t len)
{
    uint8_t out[16], iv[8] = { 0 };

    if (dst >= CRYPTO_KEY_CACHE || src >= CRYPTO_KEY_CACHE || len != 16 ||
        hslot[src].type != KEYSTORE_TYPE_DES) {
        return CRYPTO_ERR_PARAM;
    }
    slot_ops++;
    if (tdes(cbc, false, hslot[src].k, hslot[src].len, cbc ? iv : NULL, msg,
             out, 16) != CRYPTO_OK) {
        return CRYPTO_ERR_PARAM;
    }
    hslot[dst].type = KEYSTORE_TYPE_DES;
    hslot[dst].len = 16;
    memcpy(hslot[dst].k, out, 16);
    return CRYPTO_OK;
}

enum crypto_status crypto_slot_cipher(unsigned i, enum crypto_cipher alg,
                                      bool decrypt, uint8_t *iv,
                                      const uint8_t *in, uint8_t *out,
                                      size_t len)
{
    if (i >= CRYPTO_KEY_CACHE || hslot[i].len == 0) {
        return CRYPTO_ERR_PARAM;
    }
    slot_ops++;
    return crypto_cipher(alg, CRYPTO_ENGINE_HW, decrypt, hslot[i].k,
                         hslot[i].len, iv, in, out, len);
}

enum crypto_status crypto_slot_cmac(unsigned i, const uint8_t *msg,
                                    size_t len, uint8_t mac[16])
{
    size_t n;

    if (i >= CRYPTO_KEY_CACHE || hslot[i].type != KEYSTORE_TYPE_AES) {
        return CRYPTO_ERR_PARAM;
    }
    slot_ops++;
    return crypto_mac(CRYPTO_MAC_AES_CMAC, hslot[i].k, hslot[i].len, msg, len,
                      mac, 16, &n);
}

enum crypto_status crypto_slot_retail_mac(unsigned i, const uint8_t icv[8],
                                          const uint8_t *msg, size_t len,
                                          uint8_t mac[8])
{
    uint8_t k1[16], iv[8], block[8], last[8] = { 0 };
    size_t blocks = len / 8 + 1, rest = len - 8 * (blocks - 1);
    enum crypto_status rc = CRYPTO_OK;

    if (i >= CRYPTO_KEY_CACHE || hslot[i].type != KEYSTORE_TYPE_DES ||
        hslot[i].len != 16) {
        return CRYPTO_ERR_PARAM;
    }
    slot_ops++;
    memcpy(k1, hslot[i].k, 8);
    memcpy(k1 + 8, hslot[i].k, 8);
    memcpy(iv, icv, 8);
    for (size_t b = 0; b + 1 < blocks && rc == CRYPTO_OK; b++) {
        rc = tdes(true, false, k1, 16, iv, msg + 8 * b, block, 8);
    }
    memcpy(last, msg + 8 * (blocks - 1), rest);
    last[rest] = 0x80;
    return rc == CRYPTO_OK ? tdes(true, false, hslot[i].k, 16, iv, last, mac, 8)
                           : rc;
}

bool crypto_host_key_value(const struct crypto_key *k, uint8_t *out,
                           size_t *len)
{
    int i;

    if (crypto_key_make(k) != CRYPTO_OK || (i = crypto_key_entry(k)) < 0) {
        return false;
    }
    memcpy(out, hslot[i].k, hslot[i].len);
    *len = hslot[i].len;
    return true;
}

void crypto_slot_clear(unsigned i)
{
    if (i < CRYPTO_KEY_CACHE) {
        memset(&hslot[i], 0, sizeof(hslot[i]));
    }
}
