/*
 * One HTTP exchange, independent of the transport: the bytes of a request
 * in, a response head and body out. Used by the plain server
 * (http_server.c) and the HTTPS server (net/http/https_server.c); it parses
 * (http_parse.h), finds the route or default handler (http_app.h), runs
 * it and writes the response head (http_write.h).
 *
 * http_exchange_run(): read the request in BUF (LEN bytes received so
 * far, at most MAX) with the connection's reader RD (http_parse.h: the
 * head is parsed once, when it is complete, then Content-Length body
 * bytes are counted; nothing is written to BUF until dispatch); once it
 * is complete (or in error), run its handler and describe the response.
 * Returns false while the request is incomplete: call again when more
 * bytes arrived, with the same RD and BUF. On true, RD is ready for the
 * next request and the caller sends HEAD then BODY and drops CONSUMED
 * bytes from BUF; a dynamic BODY lives in a buffer shared by all
 * connections, valid until the next call (send or copy it before
 * returning to the event loop); a streamed body (BODY_IS_SOURCE) is
 * pulled from SRC as send room allows. A malformed or oversized request gets the
 * server's own error response (400, 413, 431, 501, 505; ERROR true,
 * KEEP_ALIVE false, CONSUMED all of LEN). A connection starts with
 * http_reader_init(RD).
 *
 * Every response head: status line, Server, Content-Type, Content-Length,
 * Cache-Control: no-store (dynamic bodies), Allow (405) or Retry-After
 * (503), Connection (docs/network.md).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_NET_HTTP_HTTP_EXCHANGE_H
#define CARDOS_NET_HTTP_HTTP_EXCHANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/http/http_app.h"
#include "net/http/http_parse.h"

/* Bytes of a response head the server produces at most: its own fields
 * and the handler's (HTTP_EXTRA_MAX). */
#define HTTP_HEAD_OUT_MAX (320u + HTTP_EXTRA_MAX)

struct http_exchange {
    unsigned status;
    bool error;               /* the server's own error response */
    char head[HTTP_HEAD_OUT_MAX];
    size_t head_len;
    const uint8_t *body;
    size_t body_len;
    bool body_is_static;      /* BODY is in ROM: valid for ever */
    bool body_is_source;      /* BODY_LEN bytes pulled from SRC */
    struct http_body_source src;
    bool keep_alive;
    size_t consumed;
};

bool http_exchange_run(struct http_reader *rd, char *buf, size_t len,
                       size_t max, uint16_t port, struct http_exchange *ex);

/* The server's own error response STATUS ("<status> <reason>\n"), for a
 * transport's timers (408). */
void http_exchange_error(unsigned status, struct http_exchange *ex);

/* A response head as above into OUT; its length, 0 if it does not fit.
 * EXTRA (EXTRA_LEN bytes, may be NULL): the handler's fields, each
 * "Name: value\r\n". */
size_t http_format_head(char *out, size_t size, unsigned status,
                        const char *type, size_t len, bool keep_alive,
                        bool is_static, const char *extra, size_t extra_len);

/* A streamed body (BODY_IS_SOURCE, http_app.h): the transport pulls it
 * with SRC.read into a buffer of its own of at least HTTP_SOURCE_BUF_MIN
 * bytes, or into this scratch buffer (the render buffer: free between
 * two http_exchange_run calls), and copies what it sends. */
uint8_t *http_exchange_scratch(size_t *cap);

struct http_exchange_stats {
    uint32_t requests;        /* requests dispatched to a handler */
    uint32_t errors;          /* error responses for bad requests */
};
void http_exchange_get_stats(struct http_exchange_stats *stats);

/* Static RAM: route tables and the shared render buffer. */
size_t http_exchange_ram_bytes(void);

#endif /* CARDOS_NET_HTTP_HTTP_EXCHANGE_H */
