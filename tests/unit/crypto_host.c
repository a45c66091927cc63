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
