/*
 * The card's one deterministic random bit generator, for every user of
 * random numbers above crypto/ that needs more than the raw TRNG (TLS
 * today; key generation, challenges and nonces of secure channels later).
 *
 * CTR_DRBG of NIST SP 800-90A (mbedTLS, AES-256 on the crypto
 * coprocessor through MBEDTLS_AES_ALT), with derivation function and
 * prediction resistance off. Seeded, and reseeded every
 * MBEDTLS_CTR_DRBG_RESEED_INTERVAL requests, from mbedTLS's entropy
 * collector whose only source is mbedtls_hardware_poll(): health-tested
 * TRNG output through crypto_random() (crypto/mbedtls_alt.c,
 * docs/crypto.md "Random").
 *
 *   crypto_drbg_init()    seed it (once, at boot, after crypto_init());
 *                         a failed seeding (the card refused, or no TRNG
 *                         data) logs "E crypto: DRBG seeding failed
 *                         (-0x....)" and every later call fails
 *   crypto_drbg_random()  LEN bytes of DRBG output
 *   crypto_drbg_f_rng     the same as mbedTLS's f_rng callback
 *                         (mbedtls_ssl_conf_rng(conf, crypto_drbg_f_rng,
 *                         NULL)); its context argument is unused
 *
 * A refused card (crypto.h) gets no output: CRYPTO_ERR_REFUSED, or
 * MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED from the callback.
 * Event loop only (not reentrant), like the rest of crypto/.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_CRYPTO_DRBG_H
#define CARDOS_CRYPTO_DRBG_H

#include <stdbool.h>
#include <stddef.h>

#include "crypto/crypto.h"

enum crypto_status crypto_drbg_init(void);
/* True once seeded (and the card not refused). */
bool crypto_drbg_ready(void);
enum crypto_status crypto_drbg_random(void *out, size_t len);
int crypto_drbg_f_rng(void *unused, unsigned char *out, size_t len);

/* Static RAM of the DRBG and its entropy collector. */
size_t crypto_drbg_ram_bytes(void);

#endif /* CARDOS_CRYPTO_DRBG_H */
