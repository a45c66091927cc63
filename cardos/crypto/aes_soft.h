/*
 * Software AES (FIPS 197), our own implementation: the card's reference
 * and benchmark baseline for the coprocessor (crypto.h
 * CRYPTO_ENGINE_SOFT). Byte-oriented, written from the standard's
 * pseudo-code: the S-box is computed from its definition (5.1.1:
 * multiplicative inverse in GF(2^8) followed by the affine transform) on
 * first use, MixColumns uses xtime (4.2.1). Modes of SP 800-38A: ECB, CBC,
 * CTR (128-bit big-endian counter, as the coprocessor).
 *
 * Not constant-time with respect to cache timing (table look-ups); the
 * card has no data cache, but this engine is for comparison and tests,
 * not for keys that matter.
 *
 * No hardware access; compiles on the host.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_CRYPTO_AES_SOFT_H
#define CARDOS_CRYPTO_AES_SOFT_H

#include <stddef.h>
#include <stdint.h>

#define AES_SOFT_BLOCK 16

struct aes_soft {
    uint8_t rk[240];    /* round keys: 16 * (nr + 1) bytes */
    unsigned nr;        /* 10, 12 or 14 rounds */
};

/* Expand a 16/24/32-byte key; -1 for any other length. */
int aes_soft_setkey(struct aes_soft *ctx, const uint8_t *key, size_t len);
/* One block (FIPS 197 5.1 Cipher / 5.3 InvCipher); IN may equal OUT. */
void aes_soft_encrypt(const struct aes_soft *ctx, const uint8_t in[16],
                      uint8_t out[16]);
void aes_soft_decrypt(const struct aes_soft *ctx, const uint8_t in[16],
                      uint8_t out[16]);

/*
 * Modes over LEN bytes (ECB/CBC: a multiple of 16, else -1; CTR: any).
 * OUT may equal IN. IV is updated for chaining: the last ciphertext
 * block (CBC), the next counter block (CTR: advanced by ceil(LEN/16)).
 */
int aes_soft_ecb(const struct aes_soft *ctx, int decrypt, const uint8_t *in,
                 uint8_t *out, size_t len);
int aes_soft_cbc(const struct aes_soft *ctx, int decrypt, uint8_t iv[16],
                 const uint8_t *in, uint8_t *out, size_t len);
int aes_soft_ctr(const struct aes_soft *ctx, uint8_t iv[16],
                 const uint8_t *in, uint8_t *out, size_t len);

#endif /* CARDOS_CRYPTO_AES_SOFT_H */
