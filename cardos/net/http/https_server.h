/*
 * HTTPS on the card: the web server's resources (net/http/http_app.h,
 * through http_exchange_run()) over TLS 1.2 with pre-shared keys on TCP
 * port 4116, the TLS server role of net/tls/tls.h (cipher suites
 * TLS_PSK_WITH_AES_128_GCM_SHA256 and TLS_PSK_WITH_AES_128_CBC_SHA256,
 * max_fragment_length honoured). The keys come from the PSK provider the
 * card's wiring registers (tls_set_psk_provider); docs/network.md lists
 * the test identity and key personalised at first boot.
 *
 * Limits: HTTPS_MAX_SESSIONS sessions at once; a connection takes one
 * with its first bytes, which must come within HTTP_FIRST_BYTE_TIMEOUT_MS
 * (else it is closed). With both busy, a session idle for
 * HTTP_IDLE_HOLD_MS is closed (close_notify) for the new one, else a
 * handshake or incomplete request HTTP_SLOW_EVICT_MS old (any, when the
 * new connection's first bytes are a whole TLS record) is reset;
 * otherwise the new connection is reset, as is any while the card is
 * refused (crypto/crypto.h). A handshake must finish within
 * HTTPS_HANDSHAKE_TIMEOUT_MS of its first byte; a session idle for
 * HTTP_IDLE_TIMEOUT_MS is closed (close_notify); a request incomplete
 * after HTTP_REQUEST_TIMEOUT_MS gets 408 and the session is closed.
 * Malformed and oversized requests get the same 4xx answers as over
 * plain HTTP.
 *
 * Log lines (module "tls"): "I tls: listening on port 4116 (TLS 1.2 PSK)",
 * "W tls: handshake failed (-0x....)" (net/tls/tls_conn.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_NET_HTTP_HTTPS_SERVER_H
#define CARDOS_NET_HTTP_HTTPS_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTPS_PORT                  4116u
#define HTTPS_MAX_SESSIONS          2u
#define HTTPS_HANDSHAKE_TIMEOUT_MS  10000u

struct https_server_stats {
    uint32_t handshakes;      /* completed */
    uint32_t failures;        /* failed handshakes */
    uint32_t refused;         /* connections reset: all sessions busy, or the card refused (crypto) */
    uint32_t evicted;         /* handshakes or requests reset for a new one */
    unsigned active;
};

/* Configure the TLS server role and listen on HTTPS_PORT. Needs the
 * DRBG seeded (crypto/drbg.h) and the mbedTLS heap (crypto/mbedtls_heap.h). */
bool https_server_init(void);

void https_server_get_stats(struct https_server_stats *stats);

/* Static RAM: the sessions and the TLS configuration (the mbedTLS heap
 * is crypto_mbedtls_heap_bytes()). */
size_t https_server_ram_bytes(void);

#endif /* CARDOS_NET_HTTP_HTTPS_SERVER_H */
