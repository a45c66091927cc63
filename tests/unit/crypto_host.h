/*
 * The host backend of cardos/crypto/crypto.h for unit tests
 * (tests/unit/crypto_host.c, on the host mbedTLS).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_TESTS_CRYPTO_HOST_H
#define NETCARD_TESTS_CRYPTO_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Restart crypto_random()'s deterministic stream. */
void crypto_host_random_seed(uint32_t seed);
/* The next bytes crypto_drbg_random() returns (at most 32). */
void crypto_host_drbg_next(const uint8_t *bytes, size_t len);
/* crypto_cipher() + crypto_mac() calls so far. */
unsigned crypto_host_calls(void);

struct crypto_key;
/*
 * The value of key handle K in the host model of the coprocessor's
 * slots (made if need be): what the card's engine would hold, which the
 * card itself can never read back. *LEN its length.
 */
bool crypto_host_key_value(const struct crypto_key *k, uint8_t *out,
                           size_t *len);
/* crypto_slot_*() calls so far (engine operations of the key handles). */
unsigned crypto_host_slot_ops(void);

#endif /* NETCARD_TESTS_CRYPTO_HOST_H */
