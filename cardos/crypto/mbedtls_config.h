/*
 * mbedTLS 3.6 configuration for the card (selected with
 * -DMBEDTLS_CONFIG_FILE='"crypto/mbedtls_config.h"', cardos/build.mk:
 * crypto/ owns mbedTLS; replaces upstream's
 * include/mbedtls/mbedtls_config.h entirely: what is not defined here is
 * off).
 *
 * TLS: TLS 1.2 only, PSK key exchange only (GlobalPlatform Amendment B /
 * SCP81 and the card web server), cipher suites
 * TLS_PSK_WITH_AES_128_CBC_SHA256 and TLS_PSK_WITH_AES_128_GCM_SHA256,
 * server and client roles (the card serves HTTPS and, for remote
 * administration, connects out to the admin server). No X.509, no
 * certificates, no file system, no time, no sockets (lwIP is the
 * transport, via the card OS's BIO callbacks).
 *
 * Record buffers are 4 KiB each way: peers are expected to negotiate
 * max_fragment_length (RFC 6066) <= 4096, as SCP81 clients and
 * `openssl s_client -maxfraglen 4096` do.
 *
 * Crypto beyond TLS, for the card manager and applets: AES (CBC, GCM,
 * CMAC), DES/3DES (SCP02), SHA-1/-256/-384/-512, bignum, RSA, ECP on
 * P-256 and P-384 with ECDSA and ECDH.
 *
 * Platform: no libc allocator. MBEDTLS_PLATFORM_MEMORY with no default
 * calloc/free: until the card OS calls mbedtls_memory_buffer_alloc_init()
 * (or mbedtls_platform_set_calloc_free()) with its static buffer, every
 * allocation fails cleanly. Entropy only from the TRNG through
 * mbedtls_hardware_poll() (MBEDTLS_ENTROPY_HARDWARE_ALT), which the card
 * OS implements in crypto/mbedtls_alt.c on the health-tested TRNG path.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_CRYPTO_MBEDTLS_CONFIG_H
#define CARDOS_CRYPTO_MBEDTLS_CONFIG_H

/* ---- System ---- */
#define MBEDTLS_HAVE_ASM                /* Thumb-2 bignum multiply */
#define MBEDTLS_DEPRECATED_REMOVED

/* ---- Platform: static memory, no libc allocator, no stdio ---- */
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_PLATFORM_NO_STD_FUNCTIONS
#define MBEDTLS_PLATFORM_SNPRINTF_MACRO    snprintf
#define MBEDTLS_PLATFORM_VSNPRINTF_MACRO   vsnprintf
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C
/*
 * mbedtls_exit(): called by memory_buffer_alloc.c only, when it finds its
 * heap corrupted. There is no process to exit: panic (kernel/panic.h).
 * Spelt __noreturn__: <stdnoreturn.h> (kernel headers) makes "noreturn" a
 * macro, which would break this declaration in a file that includes the
 * kernel's headers before mbedTLS's.
 */
void panic(const char *msg) __attribute__((__noreturn__));
#define MBEDTLS_PLATFORM_EXIT_MACRO(status) panic("mbedtls: fatal error")
#define MBEDTLS_MEMORY_ALIGN_MULTIPLE      8

/* ---- Randomness ---- */
#define MBEDTLS_ENTROPY_C
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_ENTROPY_HARDWARE_ALT
#define MBEDTLS_CTR_DRBG_C
#define MBEDTLS_HMAC_DRBG_C             /* deterministic ECDSA */

/* ---- Symmetric ciphers and modes ---- */
#define MBEDTLS_AES_C
/*
 * AES on the crypto coprocessor (crypto/alt/aes_alt.h, crypto/mbedtls_alt.c;
 * the include path needs cardos/crypto/alt). TLS's AES-GCM/CBC records and
 * CTR_DRBG run on it. SHA-256 stays in software (docs/crypto.md).
 */
#define MBEDTLS_AES_ALT
#define MBEDTLS_DES_C
#define MBEDTLS_CIPHER_C
#define MBEDTLS_CIPHER_MODE_CBC
#define MBEDTLS_CIPHER_PADDING_PKCS7
#define MBEDTLS_GCM_C
/* GCM with the coprocessor's AES-CTR for the key stream (crypto/alt/gcm_alt.h) */
#define MBEDTLS_GCM_ALT
#define MBEDTLS_CMAC_C

/* ---- Hashes ---- */
#define MBEDTLS_MD_C
#define MBEDTLS_SHA1_C
/* MD5 for HTTP Digest (RFC 7616; net/web/web_auth.c), beside SHA-256 */
#define MBEDTLS_MD5_C
#define MBEDTLS_SHA224_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA384_C
#define MBEDTLS_SHA512_C

/* ---- Public key ---- */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_OID_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PKCS1_V21
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ECDSA_DETERMINISTIC
#define MBEDTLS_ECDH_C

/* ---- TLS 1.2, PSK ---- */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_SRV_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_KEY_EXCHANGE_PSK_ENABLED
#define MBEDTLS_SSL_MAX_FRAGMENT_LENGTH
#define MBEDTLS_SSL_ENCRYPT_THEN_MAC
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#define MBEDTLS_SSL_CIPHERSUITES \
    MBEDTLS_TLS_PSK_WITH_AES_128_GCM_SHA256, \
    MBEDTLS_TLS_PSK_WITH_AES_128_CBC_SHA256
#define MBEDTLS_SSL_IN_CONTENT_LEN      4096
/* Records the card sends carry at most 2 KiB: mbedtls_ssl_write() takes
 * a longer buffer in several records (both users loop on partial writes),
 * and each session's output buffer is 2 KiB smaller (crypto/mbedtls_heap.h). */
#define MBEDTLS_SSL_OUT_CONTENT_LEN     2048
#define MBEDTLS_PSK_MAX_LEN             32      /* 256-bit PSKs */

#endif /* CARDOS_CRYPTO_MBEDTLS_CONFIG_H */
