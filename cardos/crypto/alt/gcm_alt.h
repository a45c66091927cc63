/*
 * mbedTLS MBEDTLS_GCM_ALT context (included by mbedtls/gcm.h when the
 * card's crypto/mbedtls_config.h defines MBEDTLS_GCM_ALT). Implemented in
 * crypto/mbedtls_alt.c: AES-GCM (NIST SP 800-38D) with the key stream
 * from the coprocessor's AES-CTR, one command per call instead of one per
 * block, and GHASH in software. AES keys only; 12-byte IVs only (TLS 1.2
 * and 1.3 use them; others return MBEDTLS_ERR_PLATFORM_FEATURE_UNSUPPORTED,
 * which gcm.h allows for alternative implementations).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_CRYPTO_ALT_GCM_ALT_H
#define CARDOS_CRYPTO_ALT_GCM_ALT_H

#include <stdint.h>

typedef struct mbedtls_gcm_context {
    unsigned char key[32];
    unsigned int key_len;       /* bytes; 0 = no key */
    uint64_t h[2];              /* hash subkey H = E(K, 0^128), big-endian halves */
    uint64_t y[2];              /* GHASH accumulator */
    unsigned char ctr[16];      /* next counter block */
    unsigned char ek0[16];      /* E(K, J0), masks the tag */
    unsigned char ks[16];       /* key stream of a partly used block */
    unsigned char part[16];     /* GHASH input not yet a full block */
    uint64_t ad_len, len;       /* bytes of additional data / of text */
    unsigned int ks_off;        /* used bytes of ks (0: none buffered) */
    unsigned int ks_valid;      /* ks computed (else recomputed when needed) */
    unsigned int part_len;
    int mode;                   /* MBEDTLS_GCM_ENCRYPT / _DECRYPT */
} mbedtls_gcm_context;

#endif /* CARDOS_CRYPTO_ALT_GCM_ALT_H */
