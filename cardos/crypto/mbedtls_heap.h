/*
 * The one heap of mbedTLS on the card (DESIGN.md: no heap in the OS core,
 * mbedTLS gets a fixed pool). mbedTLS allocates only through
 * mbedtls_calloc/mbedtls_free (crypto/mbedtls_config.h:
 * MBEDTLS_PLATFORM_MEMORY without a default allocator), and
 * crypto_mbedtls_heap_init() points them at one static buffer with
 * mbedtls_memory_buffer_alloc (first fit, 8-byte aligned). Until it runs
 * every allocation fails cleanly; a corrupted heap panics
 * (MBEDTLS_PLATFORM_EXIT_MACRO).
 *
 * Who allocates: TLS sessions, nothing else today (the DRBG, AES and GCM
 * contexts are static). Sizing, measured on the card with
 * MBEDTLS_MEMORY_DEBUG (mbedtls_memory_buffer_alloc_max_get) for TLS 1.2
 * PSK sessions with 4 KiB records each way (MBEDTLS_SSL_IN/OUT_CONTENT_LEN):
 * one session peaks at 10.6 KiB (AES-GCM) / 10.8 KiB (AES-CBC), during the
 * handshake, and holds 9.5 KiB after it (mostly its two record buffers);
 * two at once peaked at 20.3 KiB. CRYPTO_MBEDTLS_HEAP_SIZE holds the HTTPS
 * server's two sessions with room to spare (a session's budget,
 * CRYPTO_MBEDTLS_TLS_SESSION_PEAK, is checked against it at compile time
 * by the HTTPS server). A user that adds sessions (the admin agent's TLS
 * client) adds its budget here: the admin agent's one session
 * (net/admin/admin_agent.h) is the 12 KiB over the first 26.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_CRYPTO_MBEDTLS_HEAP_H
#define CARDOS_CRYPTO_MBEDTLS_HEAP_H

#include <stddef.h>

#define CRYPTO_MBEDTLS_HEAP_SIZE        (38u * 1024u)
/* One TLS session's budget (above: 10.8 KiB measured), for users'
 * compile-time checks. */
#define CRYPTO_MBEDTLS_TLS_SESSION_PEAK (12u * 1024u)

/* Hand mbedTLS its heap (idempotent). */
void crypto_mbedtls_heap_init(void);

/* Bytes of the heap (static RAM). */
size_t crypto_mbedtls_heap_bytes(void);

#endif /* CARDOS_CRYPTO_MBEDTLS_HEAP_H */
