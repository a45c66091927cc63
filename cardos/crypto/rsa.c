/*
 * The crypto API's RSA operations (crypto/crypto.h "RSA") on the
 * coprocessor: raw public and CRT private modular exponentiation. The
 * key slots are crypto/crypto.c's (its header comment): 2 the public
 * key, 3 the CRT key, zeroized right after its operation.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "crypto/crypto.h"

#include <string.h>

#include "crypto/crypto_int.h"
#include "drivers/crypto.h"

#define SLOT_PUB   2u
#define SLOT_RSA   3u

#define bounce (crypto_int_bounce())

static enum crypto_status run(uint32_t op, uint32_t slot, uintptr_t src,
                              uintptr_t dst, uint32_t len, const char *what)
{
    struct crypto_drv_cmd c = { .src = src, .dst = dst, .len = len };

    c.cmd = FIELD_DP32(op, CRYPTO_CMD, KEY, slot);
    return crypto_int_result(crypto_drv_run(&c, NULL), what);
}

static enum crypto_status rsa_op(uint32_t op, uint32_t slot, size_t k,
                                 const uint8_t *in, uint8_t *out)
{
    enum crypto_status rc;

    memcpy(bounce, in, k);
    rc = run(op, slot, (uintptr_t)bounce, (uintptr_t)(bounce + 512),
             (uint32_t)k, "RSA");
    if (rc == CRYPTO_OK) {
        memcpy(out, bounce + 512, k);
    }
    return rc;
}

enum crypto_status crypto_rsa_public(const uint8_t *n, size_t n_len,
                                     uint32_t e, const uint8_t *in,
                                     uint8_t *out)
{
    enum crypto_status rc = crypto_int_in_service();

    if (rc != CRYPTO_OK) {
        return rc;
    }
    if (n == NULL || in == NULL || out == NULL || n_len < 128 || n_len > 512 ||
        n_len % 8 != 0 || n[0] == 0 || !(n[n_len - 1] & 1) || e < 3 || !(e & 1)) {
        return CRYPTO_ERR_PARAM;
    }
    memcpy(bounce, n, n_len);
    bounce[n_len] = (uint8_t)(e >> 24);
    bounce[n_len + 1] = (uint8_t)(e >> 16);
    bounce[n_len + 2] = (uint8_t)(e >> 8);
    bounce[n_len + 3] = (uint8_t)e;
    rc = crypto_int_load_key(SLOT_PUB, NETCARD_CRYPTO_KEY_RSA_PUB, NETCARD_CRYPTO_USE_ENCRYPT,
                  bounce, n_len + 4);
    if (rc != CRYPTO_OK) {
        return rc;
    }
    return rsa_op(NETCARD_CRYPTO_OP_RSA_PUBLIC, SLOT_PUB, n_len, in, out);
}

enum crypto_status crypto_rsa_private(const struct crypto_rsa_crt_key *key,
                                      const uint8_t *in, uint8_t *out)
{
    size_t h;
    enum crypto_status rc = crypto_int_in_service();

    if (rc != CRYPTO_OK) {
        return rc;
    }
    if (key == NULL || in == NULL || out == NULL) {
        return CRYPTO_ERR_PARAM;
    }
    h = key->half;
    if (h < 64 || h > 256 || h % 4 != 0 || !key->p || !key->q || !key->dp || !key->dq ||
        !key->qinv || key->p[0] == 0 || key->q[0] == 0 || !(key->p[h - 1] & 1) ||
        !(key->q[h - 1] & 1)) {
        return CRYPTO_ERR_PARAM;
    }
    memcpy(bounce, key->p, h);
    memcpy(bounce + h, key->q, h);
    memcpy(bounce + 2 * h, key->dp, h);
    memcpy(bounce + 3 * h, key->dq, h);
    memcpy(bounce + 4 * h, key->qinv, h);
    rc = crypto_int_load_key(SLOT_RSA, NETCARD_CRYPTO_KEY_RSA_CRT,
                  NETCARD_CRYPTO_USE_DECRYPT | NETCARD_CRYPTO_USE_SIGN, bounce, 5 * h);
    memset(bounce, 0, 5 * h);
    if (rc != CRYPTO_OK) {
        return rc;
    }
    rc = rsa_op(NETCARD_CRYPTO_OP_RSA_CRT, SLOT_RSA, 2 * h, in, out);
    if (rc == CRYPTO_OK || rc == CRYPTO_ERR_INPUT) {
        /* no private key left behind */
        enum crypto_status z = run(NETCARD_CRYPTO_OP_KEY_ZEROIZE, SLOT_RSA, 0,
                                   0, 0, "key zeroize");

        if (z != CRYPTO_OK) {
            rc = z;
        }
    }
    return rc;
}
