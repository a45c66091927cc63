/*
 * The card's CTR_DRBG. Contract: drbg.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"

#include "crypto/drbg.h"

#define LOG_MODULE "crypto"
#include "kernel/log.h"

static mbedtls_entropy_context entropy;
static mbedtls_ctr_drbg_context drbg;
static bool seeded;

enum crypto_status crypto_drbg_init(void)
{
    static const char pers[] = "netcard cardos DRBG";
    int r;

    if (seeded) {
        return CRYPTO_OK;
    }
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    r = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
                              (const unsigned char *)pers, sizeof(pers) - 1);
    if (r != 0) {
        LOG_E("DRBG seeding failed (-0x%04x)", (unsigned)-r);
        mbedtls_ctr_drbg_free(&drbg);
        mbedtls_entropy_free(&entropy);
        return crypto_failed() ? CRYPTO_ERR_REFUSED : CRYPTO_ERR_ENTROPY;
    }
    seeded = true;
    return CRYPTO_OK;
}

bool crypto_drbg_ready(void)
{
    return seeded && !crypto_failed();
}

int crypto_drbg_f_rng(void *unused, unsigned char *out, size_t len)
{
    (void)unused;
    if (!crypto_drbg_ready()) {
        return MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
    }
    return mbedtls_ctr_drbg_random(&drbg, out, len);
}

enum crypto_status crypto_drbg_random(void *out, size_t len)
{
    unsigned char *p = out;

    if (!crypto_drbg_ready()) {
        return crypto_failed() ? CRYPTO_ERR_REFUSED : CRYPTO_ERR_ENTROPY;
    }
    while (len > 0) {
        size_t n = len < MBEDTLS_CTR_DRBG_MAX_REQUEST ?
                   len : MBEDTLS_CTR_DRBG_MAX_REQUEST;

        if (mbedtls_ctr_drbg_random(&drbg, p, n) != 0) {
            /* only a failed reseed: the TRNG (and the card) failed */
            return crypto_failed() ? CRYPTO_ERR_REFUSED : CRYPTO_ERR_ENTROPY;
        }
        p += n;
        len -= n;
    }
    return CRYPTO_OK;
}

size_t crypto_drbg_ram_bytes(void)
{
    return sizeof(entropy) + sizeof(drbg);
}
