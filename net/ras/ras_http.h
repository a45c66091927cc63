/*
 * ras_http — HTTP/1.1 request parsing and response writing for the admin
 * server (RFC 9112), as much as Amendment B v1.1.3 section 3 needs: POST
 * with a Content-Length body or the chunked transfer coding (RFC 9112
 * 7.1), persistent connections, header names case-insensitive, unknown
 * headers ignored.
 *
 * Contract:
 *  - ras_http_parse() is handed everything received so far for the current
 *    request; it returns RAS_HTTP_MORE until the request is complete, then
 *    RAS_HTTP_DONE with *USED the bytes it took (pipelined bytes stay for
 *    the next request), or a negative HTTP status for the answer before
 *    closing: -400 malformed, -413 body over MAX_BODY, -431 header over
 *    RAS_HTTP_MAX_HEAD, -501 a transfer coding other than chunked.
 *  - Bounded: the head at most RAS_HTTP_MAX_HEAD bytes, the body MAX_BODY.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_RAS_HTTP_H
#define NETCARD_RAS_HTTP_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RAS_HTTP_MAX_HEAD 8192
#define RAS_HTTP_MORE 0
#define RAS_HTTP_DONE 1

typedef struct RasHttpReq {
    char method[16];
    char path[256];
    char query[256];
    bool http10;
    bool close;                 /* Connection: close (or HTTP/1.0) */
    bool chunked;               /* the body came chunked */
    char content_type[128];
    char admin_from[256];       /* X-Admin-From */
    char admin_protocol[64];    /* X-Admin-Protocol */
    char script_status[64];     /* X-Admin-Script-Status */
    bool resume;                /* X-Admin-Resume: true */
    GByteArray *body;           /* owned; empty when none */
} RasHttpReq;

void ras_http_req_init(RasHttpReq *r);
void ras_http_req_clear(RasHttpReq *r);

int ras_http_parse(const uint8_t *buf, size_t len, size_t max_body,
                   RasHttpReq *r, size_t *used);

/* A response head: status line, the given extra header lines (each
 * "Name: value", NULL-terminated list) and either Content-Length or
 * Transfer-Encoding: chunked; then the body (chunked: one chunk of at
 * most CHUNK bytes at a time, then the last chunk). */
GByteArray *ras_http_response(int status, const char *const *headers,
                              const uint8_t *body, size_t len, bool chunked,
                              size_t chunk);
const char *ras_http_reason(int status);

#endif /* NETCARD_RAS_HTTP_H */
