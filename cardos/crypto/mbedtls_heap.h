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
 * PSK sessions. With 4 KiB records each way one session peaked at
 * 10.6 KiB (AES-GCM) / 10.8 KiB (AES-CBC), during the handshake, two at
 * once at 20.3 KiB. With 4 KiB records in and 2 KiB out
 * (MBEDTLS_SSL_IN/OUT_CONTENT_LEN, crypto/mbedtls_config.h): two sessions
 * at once (one AES-GCM, one AES-CBC, each handshaking then sending 64 KiB)
 * peaked at 16552 bytes in 26 blocks (8.1 KiB a session, block headers
 * not counted: about 0.4 KiB more). A session's budget,
 * CRYPTO_MBEDTLS_TLS_SESSION_PEAK (9 KiB), is checked at compile time by
 * its users: the HTTPS server's two sessions (net/http/https_server.c)
 * and, at the same time, the admin agent's one client session
 * (net/admin/admin_agent.c), in the one heap; the 1 KiB over the three
 * budgets is slack for first-fit fragmentation.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_CRYPTO_MBEDTLS_HEAP_H
#define CARDOS_CRYPTO_MBEDTLS_HEAP_H

#include <stddef.h>

/* One TLS session's budget (above: 8.5 KiB measured with headers), for
 * users' compile-time checks. */
#define CRYPTO_MBEDTLS_TLS_SESSION_PEAK (9u * 1024u)
/* Three sessions at once (2 HTTPS + the admin agent) and 1 KiB slack. */
#define CRYPTO_MBEDTLS_HEAP_SIZE        (3u * CRYPTO_MBEDTLS_TLS_SESSION_PEAK + \
                                         1024u)

/* Hand mbedTLS its heap (idempotent). */
void crypto_mbedtls_heap_init(void);

/* Bytes of the heap (static RAM). */
size_t crypto_mbedtls_heap_bytes(void);

#endif /* CARDOS_CRYPTO_MBEDTLS_HEAP_H */
