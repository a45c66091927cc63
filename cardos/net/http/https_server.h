/*
 * HTTPS on the card: TLS 1.2 with pre-shared keys (mbedTLS 3.6, cipher
 * suites TLS_PSK_WITH_AES_128_GCM_SHA256 and TLS_PSK_WITH_AES_128_CBC_SHA256,
 * max_fragment_length honoured) on TCP port 4116, serving the same
 * resources as the web server (http_server.h, through
 * http_exchange_run()).
 *
 * Test PSK (documented in docs/network.md, the only key until the card
 * manager provisions keys): identity TLS_TEST_PSK_IDENTITY, key
 * TLS_TEST_PSK_HEX (16 bytes).
 *
 * Limits: TLS_MAX_SESSIONS sessions at once (a further connection is
 * reset); a handshake must finish within TLS_HANDSHAKE_TIMEOUT_MS; a
 * session idle for HTTP_IDLE_TIMEOUT_MS is closed (close_notify); a
 * request incomplete after HTTP_REQUEST_TIMEOUT_MS gets 408 and the
 * session is closed. Malformed and oversized requests get the same 4xx
 * answers as over plain HTTP. Randomness: the card's DRBG (crypto/drbg.h).
 *
 * Log lines (module "tls"): "I tls: listening on port 4116",
 * "W tls: handshake failed (-0x....)".
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_NET_HTTP_HTTPS_SERVER_H
#define CARDOS_NET_HTTP_HTTPS_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TLS_PORT                  4116u
#define TLS_MAX_SESSIONS          2u
#define TLS_HANDSHAKE_TIMEOUT_MS  10000u
#define TLS_TEST_PSK_IDENTITY     "netcard-test"
#define TLS_TEST_PSK_HEX          "000102030405060708090a0b0c0d0e0f"

struct tls_server_stats {
    uint32_t handshakes;      /* completed */
    uint32_t failures;        /* failed handshakes */
    uint32_t refused;         /* connections reset: all sessions busy, or the card refused (crypto) */
    unsigned active;
};

/* Listen on TLS_PORT. Needs the card's DRBG seeded (crypto/drbg.h) and
 * the mbedTLS heap (crypto/mbedtls_heap.h). */
bool tls_server_init(void);

void tls_server_get_stats(struct tls_server_stats *stats);

/* Static RAM: sessions and the TLS configuration (the mbedTLS heap and
 * the DRBG are crypto/'s: crypto_mbedtls_heap_bytes(),
 * crypto_drbg_ram_bytes()). */
size_t tls_server_ram_bytes(void);

#endif /* CARDOS_NET_HTTP_HTTPS_SERVER_H */
