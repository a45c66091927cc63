/*
 * HTTP/1.1 request head parser (RFC 9110 / RFC 9112 subset) for the
 * on-card web server. Pure code, no lwIP, no hardware: unit-tested on the
 * host (tests/unit/test_http_parse.c).
 *
 * http_parse_request() looks at the bytes received so far (BUF, LEN) and
 * says whether a complete request head is there:
 *   HTTP_PARSE_INCOMPLETE  need more bytes (LEN < MAX and no error seen yet)
 *   HTTP_PARSE_OK          *REQ filled; REQ->head_len bytes form the head,
 *                          REQ->content_length body bytes follow
 *   HTTP_PARSE_BAD         malformed (400), detected as early as possible:
 *                          a request line that cannot be HTTP is refused
 *                          before its end arrives
 *   HTTP_PARSE_TOO_LARGE   no end of head within MAX bytes (431)
 *   HTTP_PARSE_VERSION     not HTTP/1.x (505)
 *   HTTP_PARSE_NOT_IMPL    Transfer-Encoding in a request (501)
 * Lines end in CRLF (a bare LF is accepted, RFC 9112 2.2). Header field
 * names are case-insensitive. Only Host, Connection, Content-Length and
 * Transfer-Encoding are interpreted; obs-fold is refused (400). HTTP/1.1
 * requests without Host are refused (400).
 *
 * On OK the path and query point into BUF and are NUL-terminated there
 * (the parser writes NULs over the separators); BUF is otherwise left as
 * received.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_NET_HTTP_HTTP_PARSE_H
#define CARDOS_NET_HTTP_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>

enum http_parse_result {
    HTTP_PARSE_INCOMPLETE = 0,
    HTTP_PARSE_OK,
    HTTP_PARSE_BAD,
    HTTP_PARSE_TOO_LARGE,
    HTTP_PARSE_VERSION,
    HTTP_PARSE_NOT_IMPL,
};

enum http_method {
    HTTP_METHOD_OTHER = 0,
    HTTP_METHOD_GET,
    HTTP_METHOD_HEAD,
    HTTP_METHOD_POST,
    HTTP_METHOD_PUT,
    HTTP_METHOD_DELETE,
};

#define HTTP_METHOD_MAX_LEN 16

struct http_parsed {
    enum http_method method;
    char method_name[HTTP_METHOD_MAX_LEN + 1];
    const char *path;         /* "/..." without the query, NUL-terminated */
    const char *query;        /* after '?', NUL-terminated; "" if none */
    unsigned minor;           /* HTTP/1.<minor> */
    bool keep_alive;          /* after Connection and the version default */
    size_t content_length;
    size_t head_len;          /* request line + fields + empty line */
};

enum http_parse_result http_parse_request(char *buf, size_t len, size_t max,
                                          struct http_parsed *req);

/* Reason phrase for a status code ("OK", "Not Found"; "" if unknown). */
const char *http_reason(unsigned status);

#endif /* CARDOS_NET_HTTP_HTTP_PARSE_H */
