/*
 * The engine primitives under the key handles (crypto/key.h): cache
 * entry I (0..CRYPTO_KEY_CACHE-1) is one coprocessor key slot. For
 * crypto/key.c only. On the card crypto/slot.c (the coprocessor), in the
 * unit tests tests/unit/crypto_host.c (a host model of the same slots).
 *
 * Keys are loaded with every symmetric usage (encrypt, decrypt, MAC).
 * TYPE is a key store type: KEYSTORE_TYPE_AES or KEYSTORE_TYPE_DES.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_CRYPTO_SLOT_H
#define CARDOS_CRYPTO_SLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

/* Load LEN key bytes of TYPE into entry I. */
enum crypto_status crypto_slot_load(unsigned i, uint8_t type,
                                    const uint8_t *key, size_t len);
/*
 * Entry DST <- KDF with the AES key of entry SRC (SP 800-108 counter
 * mode, PRF CMAC, 8-bit counter at byte CTR_OFF of MSG): an AES key of
 * OUT_LEN bytes. MSG at most 48 bytes.
 */
enum crypto_status crypto_slot_kdf(unsigned dst, unsigned src,
                                   unsigned ctr_off, const uint8_t *msg,
                                   size_t len, size_t out_len);
/*
 * Entry DST <- a TDES key of LEN bytes: TDES-CBC (zero ICV; CBC false:
 * ECB) of MSG with the TDES key of entry SRC. LEN 16.
 */
enum crypto_status crypto_slot_tdes_key(unsigned dst, unsigned src, bool cbc,
                                        const uint8_t *msg, size_t len);
enum crypto_status crypto_slot_cipher(unsigned i, enum crypto_cipher alg,
                                      bool decrypt, uint8_t *iv,
                                      const uint8_t *in, uint8_t *out,
                                      size_t len);
enum crypto_status crypto_slot_cmac(unsigned i, const uint8_t *msg,
                                    size_t len, uint8_t mac[16]);
/* Retail MAC (method 2 padding applied here) with initial value ICV. */
enum crypto_status crypto_slot_retail_mac(unsigned i, const uint8_t icv[8],
                                          const uint8_t *msg, size_t len,
                                          uint8_t mac[8]);
void crypto_slot_clear(unsigned i);

#endif /* CARDOS_CRYPTO_SLOT_H */
