/*
 * Unit tests: reading one HTTP/1.1 request as its bytes arrive
 * (http_reader_feed in cardos/net/http/http_parse.c), as the card's
 * connections do. Expectations from RFC 9112: the head ends at the first
 * empty line (2.1), a request may begin with empty lines (2.2), the body
 * is the Content-Length octets after the head (6.2, 6.3 rule 6); and from
 * docs/network.md: head + body at most the buffer (413 beyond), a head
 * longer than the buffer 431, malformed 400 as early as it is clear.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "net/http/http_parse.h"

#define MAX 256

/* A request line, fields and a 12-byte body. */
static const char post[] =
    "POST /api/echo?x=1 HTTP/1.1\r\nHost: card\r\n"
    "Content-Length: 12\r\n\r\nhello, card!";

/* Feed TEXT[0, K) for every K, as if each byte were a new TCP segment. */
static enum http_parse_result feed_bytewise(struct http_reader *rd,
                                            char *buf, const char *text,
                                            size_t n, size_t max,
                                            size_t *at)
{
    enum http_parse_result r = HTTP_PARSE_INCOMPLETE;

    http_reader_init(rd);
    *at = 0;
    for (size_t k = 1; k <= n && r == HTTP_PARSE_INCOMPLETE; k++) {
        buf[k - 1] = text[k - 1];
        r = http_reader_feed(rd, buf, k, max);
        *at = k;
    }
    return r;
}

/* Split anywhere, in two pieces: incomplete until the last byte, then the
 * whole request; the bytes are left as they arrived. */
Test(unit_http_reader, body_split_at_every_byte)
{
    size_t n = strlen(post);
    char buf[MAX];

    for (size_t cut = 1; cut < n; cut++) {
        struct http_reader rd;
        http_reader_init(&rd);
        memcpy(buf, post, cut);
        cr_assert_eq(http_reader_feed(&rd, buf, cut, sizeof(buf)),
                     HTTP_PARSE_INCOMPLETE, "first %zu bytes", cut);
        memcpy(buf + cut, post + cut, n - cut);
        cr_assert_eq(http_reader_feed(&rd, buf, n, sizeof(buf)),
                     HTTP_PARSE_OK, "split after %zu bytes", cut);
        cr_assert_eq(rd.req.head_len, n - 12);
        cr_assert_eq(rd.req.content_length, 12u);
        cr_assert_eq(rd.req.method, HTTP_METHOD_POST);
        cr_assert(rd.req.path_len == 9 &&
                  memcmp(rd.req.path, "/api/echo", 9) == 0);
        cr_assert(rd.req.query_len == 3 &&
                  memcmp(rd.req.query, "x=1", 3) == 0);
        cr_assert(memcmp(buf, post, n) == 0, "the reader wrote into the "
                  "request (split after %zu)", cut);
    }
}

Test(unit_http_reader, one_byte_at_a_time)
{
    char buf[MAX];
    struct http_reader rd;
    size_t at;

    cr_assert_eq(feed_bytewise(&rd, buf, post, strlen(post), sizeof(buf),
                               &at), HTTP_PARSE_OK);
    cr_assert_eq(at, strlen(post), "complete after %zu bytes", at);
    /* Final: feeding again (more bytes of a pipelined request) gives the
     * same answer and the same head. */
    cr_assert_eq(http_reader_feed(&rd, buf, at, sizeof(buf)), HTTP_PARSE_OK);
    cr_assert_eq(rd.req.head_len, strlen(post) - 12);
}

/*
 * Byte by byte or at once, the reader answers what the one-shot parser
 * answers for the head, at the same byte: a request line that cannot be
 * HTTP is refused before its end, the rest once the head is complete.
 */
Test(unit_http_reader, same_answers_as_the_parser)
{
    static const char *const reqs[] = {
        "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "\r\n\r\nGET /a HTTP/1.0\nConnection: keep-alive\n\n",
        "\x16\x03\x01\x02\x00",
        "GET  / HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET / FTP/1.1\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
        "GET / HTTP/1.1\r\n\r\n",
        "GET / HTTP/2.0\r\nHost: a\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n"
        "Content-Length: 2\r\n\r\n",
    };
    char buf[MAX];

    for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
        size_t n = strlen(reqs[i]), at, first = 0;
        struct http_reader rd;
        struct http_parsed p;
        enum http_parse_result want = HTTP_PARSE_INCOMPLETE;

        /* The one-shot parser on each prefix: where does it decide? */
        for (size_t k = 1; k <= n && want == HTTP_PARSE_INCOMPLETE; k++) {
            want = http_parse_request(reqs[i], k, sizeof(buf), &p);
            first = k;
        }
        enum http_parse_result got = feed_bytewise(&rd, buf, reqs[i], n,
                                                   sizeof(buf), &at);
        cr_assert_eq(got, want, "case %zu: %d, the parser says %d", i, got,
                     want);
        cr_assert_eq(at, first, "case %zu: decided after %zu bytes, the "
                     "parser after %zu", i, at, first);
        http_reader_init(&rd);
        memcpy(buf, reqs[i], n);
        cr_assert_eq(http_reader_feed(&rd, buf, n, sizeof(buf)), want,
                     "case %zu at once", i);
    }
}

/* RFC 9112 6.2: the body is Content-Length bytes after the head; what
 * follows belongs to the next request. */
Test(unit_http_reader, body_length_and_pipelining)
{
    char buf[MAX];
    struct http_reader rd;
    const char *two = "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
                      "\r\nabcGET /b HTTP/1.1\r\nHost: a\r\n\r\n";
    size_t head = strlen("POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 3"
                         "\r\n\r\n");

    memcpy(buf, two, strlen(two));
    http_reader_init(&rd);
    cr_assert_eq(http_reader_feed(&rd, buf, head + 2, sizeof(buf)),
                 HTTP_PARSE_INCOMPLETE);
    cr_assert_eq(http_reader_feed(&rd, buf, strlen(two), sizeof(buf)),
                 HTTP_PARSE_OK);
    cr_assert_eq(rd.req.head_len + rd.req.content_length, head + 3);

    /* No Content-Length: no body (RFC 9112 6.3 rule 7 for requests). */
    http_reader_init(&rd);
    cr_assert_eq(http_reader_feed(&rd, buf + head + 3,
                                  strlen(two) - head - 3, sizeof(buf)),
                 HTTP_PARSE_OK);
    cr_assert_eq(rd.req.content_length, 0u);
    cr_assert(rd.req.path_len == 2 && memcmp(rd.req.path, "/b", 2) == 0);
}

/* The head is parsed once: later calls count body bytes only. */
Test(unit_http_reader, head_parsed_once)
{
    char buf[MAX];
    struct http_reader rd;
    size_t n = strlen(post);

    memcpy(buf, post, n - 5);
    http_reader_init(&rd);
    cr_assert_eq(http_reader_feed(&rd, buf, n - 5, sizeof(buf)),
                 HTTP_PARSE_INCOMPLETE);
    memset(buf, '\x01', n - 12);            /* the head is no longer HTTP */
    memcpy(buf + n - 5, post + n - 5, 5);
    cr_assert_eq(http_reader_feed(&rd, buf, n, sizeof(buf)), HTTP_PARSE_OK);
    cr_assert_eq(rd.req.content_length, 12u);
}

/*
 * Limits (docs/network.md): head + body up to MAX bytes is a request;
 * one byte more is 413 as soon as the head says so; a head that does not
 * end within MAX is 431.
 */
Test(unit_http_reader, limits)
{
    char buf[MAX + 64];
    struct http_reader rd;
    const char *fmt = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: %03u"
                      "\r\n\r\n";
    int head = snprintf(buf, sizeof(buf), fmt, 0u);

    for (unsigned extra = 0; extra <= 1; extra++) {
        unsigned body = (unsigned)(MAX - head) + extra;
        snprintf(buf, sizeof(buf), fmt, body);
        memset(buf + head, 'b', body);
        http_reader_init(&rd);
        cr_assert_eq(http_reader_feed(&rd, buf, (size_t)head, MAX),
                     extra ? HTTP_PARSE_CONTENT_TOO_LARGE :
                     HTTP_PARSE_INCOMPLETE, "head of a %u-byte body", body);
        if (!extra) {
            cr_assert_eq(http_reader_feed(&rd, buf, MAX - 1, MAX),
                         HTTP_PARSE_INCOMPLETE);
            cr_assert_eq(http_reader_feed(&rd, buf, MAX, MAX), HTTP_PARSE_OK);
        }
    }

    int n = snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: a\r\nX: ");
    memset(buf + n, 'a', sizeof(buf) - (size_t)n);
    http_reader_init(&rd);
    cr_assert_eq(http_reader_feed(&rd, buf, MAX - 1, MAX),
                 HTTP_PARSE_INCOMPLETE);
    cr_assert_eq(http_reader_feed(&rd, buf, MAX, MAX), HTTP_PARSE_TOO_LARGE);
    cr_assert_eq(http_reader_feed(&rd, buf, MAX + 10, MAX),
                 HTTP_PARSE_TOO_LARGE, "final");
}
