/*
 * The admin agent's HTTP/1.1 messages (Amendment B 3.3, 3.4; RFC 9112):
 * its POST requests and the reading of the server's responses, body
 * included (Content-Length or chunked transfer coding, RFC 9112 7.1).
 * Pure code: no lwIP, no TLS; unit-tested on the host
 * (tests/unit/test_admin_http.c).
 *
 * admin_rx_feed() takes the bytes of one response as they arrive: the
 * head (up to ADMIN_HEAD_MAX bytes, parsed by http_parse_response), then
 * the body, decoded into the caller's body buffer; a body over its
 * capacity is read to its end and dropped (overflow set), so that the
 * connection stays usable. Results:
 *   ADMIN_RX_MORE   need more bytes (all of N consumed)
 *   ADMIN_RX_DONE   the response is complete; *USED bytes of the last
 *                   feed belonged to it
 *   ADMIN_RX_BAD    malformed head or chunk framing, a body that cannot
 *                   be delimited (until close: refused), a head over
 *                   ADMIN_HEAD_MAX
 * 1xx responses are skipped. A chunk extension or trailer is ignored.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_NET_ADMIN_ADMIN_HTTP_H
#define CARDOS_NET_ADMIN_ADMIN_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/http/http_parse.h"

#define ADMIN_HEAD_MAX 1024u

enum admin_rx_result { ADMIN_RX_MORE = 0, ADMIN_RX_DONE, ADMIN_RX_BAD };

struct admin_rx {
    char head[ADMIN_HEAD_MAX];
    size_t head_len;
    bool head_done;
    struct http_parsed_response resp;
    uint8_t *body;
    size_t body_cap, body_len;
    size_t body_total;          /* all body bytes, dropped ones too */
    bool overflow;
    bool chunked;
    uint8_t cstate;             /* chunk decoder state (admin_http.c) */
    size_t remain;              /* of the current chunk / the body */
    char line[20];
    uint8_t line_len;
};

void admin_rx_init(struct admin_rx *r, uint8_t *body, size_t body_cap);
enum admin_rx_result admin_rx_feed(struct admin_rx *r, const uint8_t *data,
                                   size_t n, size_t *used);
/* A header of the complete head, copied NUL-terminated into OUT (CAP);
 * false if absent or too long. */
bool admin_rx_field(const struct admin_rx *r, const char *name, char *out,
                    size_t cap);

/* What one POST carries (Amendment B 3.4). */
struct admin_post {
    const char *uri, *host, *from;
    const char *script_status;  /* NULL: no body, none of the body's headers */
    /* The body's Content-Type; NULL: Amendment B's response script (with
     * X-Admin-Script-Status); else an SCWS response (no script status) */
    const char *content_type;
    bool resume;                /* X-Admin-Resume: true */
    bool chunked;               /* body with chunked transfer coding */
    const uint8_t *body;
    size_t body_len;
};

/* The whole request (head and body) into OUT; its length, 0 if it does
 * not fit or a value is not allowed in a header. */
size_t admin_post_write(const struct admin_post *p, uint8_t *out, size_t cap);

/* Parse //aid/<RID hex>/<PIX hex> into AID (16 bytes); its length, 0 if
 * malformed (Amendment B 3.3.2). */
size_t admin_parse_target(const char *s, uint8_t aid[16]);

#endif /* CARDOS_NET_ADMIN_ADMIN_HTTP_H */
