/*
 * Unit tests: the on-card HTTP/1.1 request head parser
 * (cardos/net/http/http_parse.c). Expectations from RFC 9112 (message syntax)
 * and RFC 9110 (semantics: Host required in HTTP/1.1, persistent
 * connections by default, Content-Length syntax).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "net/http/http_parse.h"

#define MAX 256

/* Parse TEXT in BUF; on OK, the path and query become C strings as the
 * server makes them when it dispatches (http_parsed_terminate). */
static enum http_parse_result parse(const char *text, struct http_parsed *p,
                                    char *buf)
{
    size_t n = strlen(text);
    cr_assert(n < 1024);
    memcpy(buf, text, n + 1);
    enum http_parse_result r = http_parse_request(buf, n, MAX, p);
    if (r == HTTP_PARSE_OK) {
        http_parsed_terminate(p, buf);
    }
    return r;
}

Test(unit_http_parse, simple_get)
{
    char buf[1024];
    struct http_parsed p;
    const char *req = "GET /api/status?x=1 HTTP/1.1\r\nHost: card\r\n\r\n";
    cr_assert_eq(parse(req, &p, buf), HTTP_PARSE_OK);
    cr_assert_eq(p.method, HTTP_METHOD_GET);
    cr_assert_str_eq(p.method_name, "GET");
    cr_assert_str_eq(p.path, "/api/status");
    cr_assert_str_eq(p.query, "x=1");
    cr_assert_eq(p.minor, 1u);
    cr_assert(p.keep_alive, "HTTP/1.1 is persistent by default");
    cr_assert_eq(p.head_len, strlen(req));
    cr_assert_eq(p.content_length, 0u);
}

Test(unit_http_parse, connection_semantics)
{
    char buf[1024];
    struct http_parsed p;
    cr_assert_eq(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: Close\r\n\r\n",
                       &p, buf), HTTP_PARSE_OK);
    cr_assert(!p.keep_alive);
    cr_assert_eq(parse("GET / HTTP/1.0\r\n\r\n", &p, buf), HTTP_PARSE_OK);
    cr_assert(!p.keep_alive, "HTTP/1.0 closes by default");
    cr_assert_eq(parse("GET / HTTP/1.0\r\nconnection: x, keep-alive\r\n\r\n",
                       &p, buf), HTTP_PARSE_OK);
    cr_assert(p.keep_alive);
}

Test(unit_http_parse, bare_lf_and_leading_empty_lines)
{
    char buf[1024];
    struct http_parsed p;
    const char *req = "\r\nGET /a HTTP/1.1\nHost: b\n\n";
    cr_assert_eq(parse(req, &p, buf), HTTP_PARSE_OK);
    cr_assert_str_eq(p.path, "/a");
    cr_assert_eq(p.head_len, strlen(req));
}

Test(unit_http_parse, body_length)
{
    char buf[1024];
    struct http_parsed p;
    const char *req = "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
                      "\r\nhello";
    cr_assert_eq(parse(req, &p, buf), HTTP_PARSE_OK);
    cr_assert_eq(p.method, HTTP_METHOD_POST);
    cr_assert_eq(p.content_length, 5u);
    cr_assert_eq(p.head_len, strlen(req) - 5);
    /* RFC 9112 6.3: differing Content-Length values are an error. */
    cr_assert_eq(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n"
                       "Content-Length: 2\r\n\r\n", &p, buf), HTTP_PARSE_BAD);
    cr_assert_eq(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n"
                       "\r\n", &p, buf), HTTP_PARSE_BAD);
    cr_assert_eq(parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
                       "chunked\r\n\r\n", &p, buf), HTTP_PARSE_NOT_IMPL);
}

Test(unit_http_parse, incomplete_until_the_empty_line)
{
    char buf[1024];
    struct http_parsed p;
    const char *full = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    for (size_t n = 1; n < strlen(full); n++) {
        memcpy(buf, full, n);
        cr_assert_eq(http_parse_request(buf, n, MAX, &p),
                     HTTP_PARSE_INCOMPLETE, "prefix of %zu bytes", n);
    }
}

Test(unit_http_parse, malformed_is_400_early)
{
    char buf[1024];
    struct http_parsed p;
    static const char *const bad[] = {
        "\x16\x03\x01",                     /* a TLS ClientHello */
        "GET  / HTTP/1.1\r\n",              /* two spaces */
        "GET /\x01 HTTP/1.1\r\n",
        "GET / FTP/1.1\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
        "GET / HTTP/1.1\r\nNo colon\r\n\r\n",
        "GET / HTTP/1.1\r\nName : v\r\n\r\n",
        "GET / HTTP/1.1\r\n\r\n",           /* no Host */
        "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "GET /\r\n\r\n",                    /* HTTP/0.9 */
        "GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_assert_eq(parse(bad[i], &p, buf), HTTP_PARSE_BAD, "case %zu", i);
    }
    cr_assert_eq(parse("GET / HTTP/2.0\r\nHost: a\r\n\r\n", &p, buf),
                 HTTP_PARSE_VERSION);
}

Test(unit_http_parse, too_large_head)
{
    char buf[2 * MAX];
    struct http_parsed p;
    int n = snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: a\r\nX: ");
    memset(buf + n, 'a', sizeof(buf) - (size_t)n);
    cr_assert_eq(http_parse_request(buf, MAX, MAX, &p), HTTP_PARSE_TOO_LARGE);
    cr_assert_eq(http_parse_request(buf, MAX - 1, MAX, &p),
                 HTTP_PARSE_INCOMPLETE);
}

/*
 * The parser looks at the bytes received so far and writes nothing: a
 * head parsed while its body is still arriving parses the same again
 * once more bytes are there (a body in a later TCP segment or TLS record
 * than its head, RFC 9112 6.2).
 */
Test(unit_http_parse, parses_again_as_the_body_arrives)
{
    static const char req[] = "POST /api/echo?x=1 HTTP/1.1\r\nHost: card\r\n"
                              "Content-Length: 4\r\n\r\nbody";
    char buf[sizeof(req)];
    struct http_parsed p;
    size_t head = sizeof(req) - 1 - 4;

    memcpy(buf, req, sizeof(req));
    for (size_t n = head; n < sizeof(req); n++) {
        cr_assert_eq(http_parse_request(buf, n, MAX, &p), HTTP_PARSE_OK,
                     "with %zu body bytes", n - head);
        cr_assert_eq(p.head_len, head);
        cr_assert_eq(p.content_length, 4u);
        cr_assert(memcmp(buf, req, sizeof(req)) == 0,
                  "the parser wrote into the request");
    }
}
