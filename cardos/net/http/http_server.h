/*
 * On-card web server: HTTP/1.1 over lwIP's raw TCP API, on port 80 and
 * the SCWS port 3516 (OMA Smart Card Web Server). Requests are answered
 * by http_exchange.h: the routes and default handlers that card
 * applications register through net/http/http_app.h (the server itself
 * serves nothing; the status page is applets/status_web.c).
 *
 * Behaviour (docs/network.md has the table):
 *  - persistent connections (HTTP/1.1 default, HTTP/1.0 with keep-alive),
 *    pipelined requests answered in order, Content-Length bodies;
 *  - HTTP_MAX_CONN connection slots; a connection takes one with its
 *    first bytes, which must come within HTTP_FIRST_BYTE_TIMEOUT_MS of
 *    the connection (else it is closed, without a response). With every
 *    slot busy, a lingering connection, then a persistent one idle for
 *    HTTP_IDLE_HOLD_MS or more (it keeps its TCP connection, without a
 *    slot), then an incomplete request HTTP_SLOW_EVICT_MS old (or any
 *    incomplete one, for first bytes that are a whole request: reset)
 *    give theirs up; otherwise the request is answered 503 and closed.
 *    Connections without a slot, lingering ones and incomplete requests
 *    are at lwIP's lowest priority: lwIP resets the longest inactive of
 *    them when a new connection needs a PCB;
 *  - a request head longer than HTTP_REQ_MAX bytes: 431; head + body
 *    longer: 413; malformed: 400; not HTTP/1.x: 505; Transfer-Encoding:
 *    501; a request not complete HTTP_REQUEST_TIMEOUT_MS after its first
 *    byte: 408. After an error response the server stops sending (FIN),
 *    reads and discards what the client still sends, and closes after
 *    HTTP_LINGER_MS of silence, so the client sees the response and not
 *    a reset;
 *  - an idle persistent connection is closed after HTTP_IDLE_TIMEOUT_MS.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_NET_HTTP_HTTP_SERVER_H
#define CARDOS_NET_HTTP_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_PORT                 80u
#define HTTP_SCWS_PORT            3516u
#define HTTP_MAX_CONN             6u
#define HTTP_REQ_MAX              2048u
#define HTTP_REQUEST_TIMEOUT_MS   2000u
#define HTTP_IDLE_TIMEOUT_MS      15000u
#define HTTP_LINGER_MS            2000u
#define HTTP_SEND_TIMEOUT_MS      15000u
#define HTTP_FIRST_BYTE_TIMEOUT_MS 2000u
#define HTTP_IDLE_HOLD_MS         2000u
#define HTTP_SLOW_EVICT_MS        1000u

struct http_server_stats {
    uint32_t requests;        /* requests dispatched to a handler (HTTPS too) */
    uint32_t errors;          /* 4xx/5xx produced by the server itself */
    uint32_t rejected_busy;   /* connections answered 503 */
    uint32_t timeouts;        /* 408 */
    uint32_t aborted;         /* connections reset (out of memory, stall,
                                 eviction) */
    uint32_t evicted;         /* incomplete requests reset for a new one */
    unsigned active;          /* connections holding a slot now */
};

/* Listen on HTTP_PORT and HTTP_SCWS_PORT; false if lwIP refused. */
bool http_server_init(void);

void http_server_get_stats(struct http_server_stats *stats);

/* Static RAM of the server (connection slots, routes, render buffer). */
size_t http_server_ram_bytes(void);

#endif /* CARDOS_NET_HTTP_HTTP_SERVER_H */
