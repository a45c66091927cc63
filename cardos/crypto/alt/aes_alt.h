/*
 * mbedTLS MBEDTLS_AES_ALT context (included by mbedtls/aes.h when the
 * card's crypto/mbedtls_config.h defines MBEDTLS_AES_ALT): mbedTLS's AES
 * (ECB, CBC; GCM, CMAC and CTR_DRBG on top of ECB) runs on the crypto
 * coprocessor through crypto/crypto.h. Implemented in crypto/mbedtls_alt.c.
 *
 * The context keeps the raw key (the coprocessor expands it itself); the
 * crypto layer loads it into the coprocessor's transient key slot when it
 * is not already there. A failed coprocessor operation (refused card)
 * returns MBEDTLS_ERR_PLATFORM_HW_ACCEL_FAILED.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_CRYPTO_ALT_AES_ALT_H
#define CARDOS_CRYPTO_ALT_AES_ALT_H

typedef struct mbedtls_aes_context {
    unsigned char key[32];
    unsigned int key_len;     /* bytes: 16, 24, 32; 0 = no key */
} mbedtls_aes_context;

#endif /* CARDOS_CRYPTO_ALT_AES_ALT_H */
