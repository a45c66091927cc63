/*
 * HTTP/1.1 message head parser (RFC 9110 / RFC 9112 subset), for the
 * card's web server (requests) and its HTTP clients (responses: the admin
 * agent of issue 15). Pure code, no lwIP, no hardware: unit-tested on the
 * host (tests/unit/test_http_parse.c, test_http_response.c).
 *
 * The parsers look at the bytes received so far (BUF, LEN) and say
 * whether a complete head is there:
 *   HTTP_PARSE_INCOMPLETE  need more bytes (LEN < MAX and no error seen yet)
 *   HTTP_PARSE_OK          the head is complete and its result filled;
 *                          head_len bytes form the head
 *   HTTP_PARSE_BAD         malformed (a server answers 400), detected as
 *                          early as possible: a request line that cannot be
 *                          HTTP is refused before its end arrives
 *   HTTP_PARSE_TOO_LARGE   no end of head within MAX bytes (431)
 *   HTTP_PARSE_VERSION     not HTTP/1.x (505)
 *   HTTP_PARSE_NOT_IMPL    a transfer coding the card does not implement
 *                          (501): any in a request; in a response any but
 *                          a single "chunked"
 * Lines end in CRLF (a bare LF is accepted, RFC 9112 2.2). Header field
 * names are case-insensitive.
 *
 * http_parse_request(): Host, Connection, Content-Length and
 * Transfer-Encoding are interpreted; obs-fold is refused (400). HTTP/1.1
 * requests without Host are refused (400). On OK, REQ->content_length
 * body bytes follow the head; the path and query point into BUF (lengths
 * path_len, query_len). Nothing is written to BUF, so the same bytes can
 * be parsed again as more arrive (a body in a later TCP segment or TLS
 * record than its head). http_parsed_terminate() makes the path and query
 * C strings, in BUF, once the request is dispatched.
 *
 * http_reader_feed(): the same parser for a connection, incremental (RFC
 * 9112 6.2: the message body is the Content-Length octets after the
 * head). It keeps where it stopped: each call looks only at the bytes
 * that arrived since the last one until the head is complete, parses the
 * head once, then counts body bytes. It writes nothing either.
 *
 * http_parse_response(): the status line (RFC 9112 4), Connection,
 * Content-Length and Transfer-Encoding; the body's framing by RFC 9112
 * 6.3 (HEAD_REQUEST: the request was HEAD, so no body). obs-fold is
 * replaced by spaces in BUF (RFC 9112 5.2, what a user agent must do);
 * nothing else is written, so the head can be parsed again as more
 * bytes arrive. 1xx responses are reported (body NONE): the client reads
 * the next head after them.
 *
 * http_find_field(): the value of the first field NAME in a complete
 * head (either kind), for the fields the parsers do not interpret.
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
    HTTP_PARSE_CONTENT_TOO_LARGE,   /* head + body over MAX (413); reader only */
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
    const char *path;         /* "/..." without the query, into BUF */
    size_t path_len;
    const char *query;        /* after '?' (query_len 0 if none), into BUF */
    size_t query_len;
    unsigned minor;           /* HTTP/1.<minor> */
    bool keep_alive;          /* after Connection and the version default */
    size_t content_length;
    size_t head_len;          /* request line + fields + empty line */
};

enum http_parse_result http_parse_request(const char *buf, size_t len,
                                          size_t max,
                                          struct http_parsed *req);

/*
 * Make REQ's path and query NUL-terminated strings by writing a NUL after
 * each in BUF (over the '?' and the SP before the version): done once,
 * when the request is dispatched. The head cannot be parsed again after.
 */
void http_parsed_terminate(struct http_parsed *req, char *buf);

/*
 * One request read as it arrives. Before its first byte:
 * http_reader_init(). Then, whenever bytes were added, feed everything
 * received so far (BUF does not move and LEN only grows until the
 * request is consumed; bytes past it may be the next, pipelined, one):
 *   HTTP_PARSE_INCOMPLETE         head or body still arriving
 *   HTTP_PARSE_OK                 the request is complete: RD->req, then
 *                                 RD->req.content_length body bytes
 *   HTTP_PARSE_CONTENT_TOO_LARGE  head + Content-Length over MAX (413),
 *                                 known as soon as the head is complete
 *   the other errors as http_parse_request() (400, 431, 505, 501), as
 *   early as they are known.
 * A result other than INCOMPLETE is final: feeding again returns it.
 */
struct http_reader {
    enum http_parse_result result;  /* of the head; INCOMPLETE until known */
    bool started;             /* the request line began at START */
    size_t start;
    size_t next;              /* where the first unfinished line starts */
    struct http_parsed req;   /* once the head is complete */
};

void http_reader_init(struct http_reader *rd);
enum http_parse_result http_reader_feed(struct http_reader *rd,
                                        const char *buf, size_t len,
                                        size_t max);

/* How a response's body is delimited (RFC 9112 6.3). */
enum http_body {
    HTTP_BODY_NONE = 0,       /* HEAD, 1xx, 204, 304: the head is all */
    HTTP_BODY_LENGTH,         /* content_length bytes */
    HTTP_BODY_CHUNKED,        /* chunked transfer coding (RFC 9112 7.1) */
    HTTP_BODY_UNTIL_CLOSE,    /* everything until the server closes */
};

struct http_parsed_response {
    unsigned minor;           /* HTTP/1.<minor> */
    unsigned status;          /* 100..599 */
    const char *reason;       /* into BUF, reason_len bytes, not NUL-ended */
    size_t reason_len;
    enum http_body body;
    size_t content_length;    /* HTTP_BODY_LENGTH */
    bool keep_alive;          /* the connection may carry another request */
    size_t head_len;          /* status line + fields + empty line */
};

enum http_parse_result http_parse_response(char *buf, size_t len, size_t max,
                                           bool head_request,
                                           struct http_parsed_response *resp);

/*
 * In the complete head HEAD (HEAD_LEN bytes, as a parser above accepted
 * it): the first field NAME (any case), its value without surrounding
 * whitespace (not NUL-terminated) in *VALUE, *VALUE_LEN. False if absent.
 */
bool http_find_field(const char *head, size_t head_len, const char *name,
                     const char **value, size_t *value_len);

/* Reason phrase for a status code ("OK", "Not Found"; "" if unknown). */
const char *http_reason(unsigned status);

#endif /* CARDOS_NET_HTTP_HTTP_PARSE_H */
