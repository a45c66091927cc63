/*
 * Unit tests: the HTTP/1.1 response head parser and the field lookup
 * (cardos/net/http/http_parse.c), for the card's HTTP clients.
 * Expectations from RFC 9112: status line (4), field lines and obs-fold
 * (5, 5.2), Transfer-Encoding (6.1), message body length (6.3),
 * persistence (9.3); status code range from RFC 9110 15.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <criterion/criterion.h>
#include <string.h>

#include "net/http/http_parse.h"

#define MAX 512

static char buf[1024];

static enum http_parse_result parse(const char *text, bool head_request,
                                    struct http_parsed_response *r)
{
    size_t n = strlen(text);

    cr_assert(n < sizeof(buf));
    memcpy(buf, text, n + 1);
    return http_parse_response(buf, n, MAX, head_request, r);
}

static void expect_value(const char *v, size_t vl, const char *want)
{
    cr_assert(vl == strlen(want) && memcmp(v, want, vl) == 0,
              "value \"%.*s\", expected \"%s\"", (int)vl, v, want);
}

static void expect_reason(const struct http_parsed_response *r,
                          const char *want)
{
    cr_assert(r->reason_len == strlen(want) &&
              memcmp(r->reason, want, r->reason_len) == 0,
              "reason \"%.*s\", expected \"%s\"", (int)r->reason_len,
              r->reason, want);
}

Test(unit_http_response, content_length_response)
{
    struct http_parsed_response r;
    const char *head = "HTTP/1.1 200 OK\r\n"
                       "Content-Type: text/plain\r\n"
                       "Content-Length: 51\r\n"
                       "\r\n";
    char copy[128];

    cr_assert_eq(parse(head, false, &r), HTTP_PARSE_OK);
    cr_assert_eq(r.minor, 1u);
    cr_assert_eq(r.status, 200u);
    expect_reason(&r, "OK");
    cr_assert_eq(r.body, HTTP_BODY_LENGTH);
    cr_assert_eq(r.content_length, 51u);
    cr_assert(r.keep_alive, "HTTP/1.1 is persistent by default (9.3)");
    cr_assert_eq(r.head_len, strlen(head));
    /* nothing written: the head can be parsed again as bytes arrive */
    memcpy(copy, head, strlen(head) + 1);
    cr_assert_str_eq(buf, copy);
}

Test(unit_http_response, incomplete_until_the_empty_line)
{
    const char *head = "HTTP/1.1 204 No Content\r\nServer: x\r\n\r\n";
    struct http_parsed_response r;

    memcpy(buf, head, strlen(head));
    for (size_t n = 0; n < strlen(head); n++) {
        cr_assert_eq(http_parse_response(buf, n, MAX, false, &r),
                     HTTP_PARSE_INCOMPLETE, "at %zu bytes", n);
    }
    cr_assert_eq(http_parse_response(buf, strlen(head), MAX, false, &r),
                 HTTP_PARSE_OK);
    /* bytes after the head (the body, the next response) are not looked at */
    memcpy(buf + strlen(head), "garbage", 7);
    cr_assert_eq(http_parse_response(buf, strlen(head) + 7, MAX, false, &r),
                 HTTP_PARSE_OK);
    cr_assert_eq(r.head_len, strlen(head));
}

Test(unit_http_response, status_line)
{
    struct http_parsed_response r;

    /* 4: reason-phrase may be empty; a missing SP before it tolerated */
    cr_assert_eq(parse("HTTP/1.1 404 \r\n\r\n", false, &r), HTTP_PARSE_OK);
    cr_assert_eq(r.status, 404u);
    expect_reason(&r, "");
    cr_assert_eq(parse("HTTP/1.1 404\r\n\r\n", false, &r), HTTP_PARSE_OK);
    expect_reason(&r, "");
    cr_assert_eq(parse("HTTP/1.1 503 Service  Unavailable\t!\r\n\r\n", false,
                       &r), HTTP_PARSE_OK);
    expect_reason(&r, "Service  Unavailable\t!");
    cr_assert_eq(parse("HTTP/1.0 200 OK\n\n", false, &r), HTTP_PARSE_OK,
                 "bare LF (2.2)");
    cr_assert_eq(r.minor, 0u);

    static const char *const bad[] = {
        "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n",
        "HTTP/1.1 200OK\r\n\r\n", "HTTP/1.1  200 OK\r\n\r\n",
        "HTTP/1.1 abc OK\r\n\r\n", "HTTP/1.1 099 Low\r\n\r\n",
        "HTTP/1.1 600 High\r\n\r\n", "http/1.1 200 OK\r\n\r\n",
        "HTTP/1.x 200 OK\r\n\r\n", "HTTP/11 200 OK\r\n\r\n",
        "ICY 200 OK\r\n\r\n", "HTTP/1.1 200 O\x01K\r\n\r\n",
        "\r\nHTTP/1.1 200 OK\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_assert_eq(parse(bad[i], false, &r), HTTP_PARSE_BAD, "case %zu", i);
    }
    cr_assert_eq(parse("HTTP/2.0 200 OK\r\n\r\n", false, &r),
                 HTTP_PARSE_VERSION);
    cr_assert_eq(parse("HTTP/0.9 200 OK\r\n\r\n", false, &r),
                 HTTP_PARSE_VERSION);
}

/* RFC 9112 6.3 rule 1: no body whatever the fields say. */
Test(unit_http_response, responses_without_a_body)
{
    struct http_parsed_response r;

    cr_assert_eq(parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", true,
                       &r), HTTP_PARSE_OK);
    cr_assert_eq(r.body, HTTP_BODY_NONE, "response to HEAD");
    cr_assert(r.keep_alive);
    cr_assert_eq(parse("HTTP/1.1 204 No Content\r\n\r\n", false, &r),
                 HTTP_PARSE_OK);
    cr_assert_eq(r.body, HTTP_BODY_NONE);
    cr_assert(r.keep_alive, "204 without framing keeps the connection");
    cr_assert_eq(parse("HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n"
                       "\r\n", false, &r), HTTP_PARSE_OK);
    cr_assert_eq(r.body, HTTP_BODY_NONE);
    cr_assert_eq(parse("HTTP/1.1 100 Continue\r\n\r\n", false, &r),
                 HTTP_PARSE_OK);
    cr_assert(r.status == 100 && r.body == HTTP_BODY_NONE);
}

Test(unit_http_response, transfer_encoding)
{
    struct http_parsed_response r;

    /* rule 3: chunked is the final (here only) coding */
    cr_assert_eq(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                       false, &r), HTTP_PARSE_OK);
    cr_assert_eq(r.body, HTTP_BODY_CHUNKED);
    cr_assert(r.keep_alive);
    cr_assert_eq(parse("HTTP/1.1 200 OK\r\ntransfer-encoding:  Chunked \r\n"
                       "\r\n", false, &r), HTTP_PARSE_OK);
    cr_assert_eq(r.body, HTTP_BODY_CHUNKED);
    /* 6.1/6.3: Transfer-Encoding overrides Content-Length; close after */
    cr_assert_eq(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n", false, &r),
                 HTTP_PARSE_OK);
    cr_assert_eq(r.body, HTTP_BODY_CHUNKED);
    cr_assert(!r.keep_alive);
    /* codings the card cannot decode, and chunked applied twice */
    cr_assert_eq(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked"
                       "\r\n\r\n", false, &r), HTTP_PARSE_NOT_IMPL);
    cr_assert_eq(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
                       false, &r), HTTP_PARSE_NOT_IMPL);
    cr_assert_eq(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n", false, &r),
                 HTTP_PARSE_NOT_IMPL);
    /* 6.1: in an HTTP/1.0 message the framing is faulty */
    cr_assert_eq(parse("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n"
                       "Content-Length: 3\r\n\r\n", false, &r),
                 HTTP_PARSE_BAD);
}

Test(unit_http_response, content_length_and_until_close)
{
    struct http_parsed_response r;

    /* rule 4: invalid or conflicting lengths are unrecoverable */
    static const char *const bad[] = {
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_assert_eq(parse(bad[i], false, &r), HTTP_PARSE_BAD, "case %zu", i);
    }
    cr_assert_eq(parse("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
                       "Content-Length: 3\r\n\r\n", false, &r), HTTP_PARSE_OK);
    cr_assert(r.body == HTTP_BODY_LENGTH && r.content_length == 3);
    cr_assert_eq(parse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false,
                       &r), HTTP_PARSE_OK);
    cr_assert(r.body == HTTP_BODY_LENGTH && r.content_length == 0);
    /* rule 7: no framing: the body lasts until the server closes */
    cr_assert_eq(parse("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n",
                       false, &r), HTTP_PARSE_OK);
    cr_assert_eq(r.body, HTTP_BODY_UNTIL_CLOSE);
    cr_assert(!r.keep_alive);
}

Test(unit_http_response, persistence)
{
    struct http_parsed_response r;

    cr_assert_eq(parse("HTTP/1.1 200 OK\r\nConnection: close\r\n"
                       "Content-Length: 0\r\n\r\n", false, &r), HTTP_PARSE_OK);
    cr_assert(!r.keep_alive);
    cr_assert_eq(parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", false,
                       &r), HTTP_PARSE_OK);
    cr_assert(!r.keep_alive, "HTTP/1.0 closes by default");
    cr_assert_eq(parse("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\n"
                       "Content-Length: 0\r\n\r\n", false, &r), HTTP_PARSE_OK);
    cr_assert(r.keep_alive);
}

/* RFC 9112 5.2: a user agent replaces obs-fold with SP; 2.2: whitespace
 * before the first field is refused. */
Test(unit_http_response, obs_fold_and_field_syntax)
{
    struct http_parsed_response r;
    const char *v;
    size_t vl;
    const char *head = "HTTP/1.1 200 OK\r\n"
                       "X-Admin-Next-URI: /server/admin\r\n"
                       "\t?step=2\r\n"
                       "Content-Length: 0\r\n\r\n";

    cr_assert_eq(parse(head, false, &r), HTTP_PARSE_OK);
    cr_assert(r.body == HTTP_BODY_LENGTH && r.content_length == 0);
    cr_assert(http_find_field(buf, r.head_len, "X-Admin-Next-URI", &v, &vl));
    expect_value(v, vl, "/server/admin  \t?step=2");
    cr_assert_eq(strlen(buf), strlen(head), "unfolding changed the length");
    /* parsing the unfolded head again gives the same result */
    cr_assert_eq(http_parse_response(buf, strlen(buf), MAX, false, &r),
                 HTTP_PARSE_OK);
    cr_assert_eq(r.head_len, strlen(head));

    cr_assert_eq(parse("HTTP/1.1 200 OK\r\n X: y\r\n\r\n", false, &r),
                 HTTP_PARSE_BAD);
    cr_assert_eq(parse("HTTP/1.1 200 OK\r\nX : y\r\n\r\n", false, &r),
                 HTTP_PARSE_BAD);
    cr_assert_eq(parse("HTTP/1.1 200 OK\r\nNo colon\r\n\r\n", false, &r),
                 HTTP_PARSE_BAD);
    cr_assert_eq(parse("HTTP/1.1 200 OK\r\nX: a\x01" "b\r\n\r\n", false, &r),
                 HTTP_PARSE_BAD);
}

Test(unit_http_response, too_large)
{
    struct http_parsed_response r;
    char big[MAX + 16];

    memset(big, 'a', sizeof(big));
    memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 20);
    cr_assert_eq(http_parse_response(big, MAX, MAX, false, &r),
                 HTTP_PARSE_TOO_LARGE);
    cr_assert_eq(http_parse_response(big, MAX - 1, MAX, false, &r),
                 HTTP_PARSE_INCOMPLETE);
}

Test(unit_http_response, field_lookup)
{
    struct http_parsed_response r;
    const char *v;
    size_t vl;

    cr_assert_eq(parse("HTTP/1.1 200 OK\r\n"
                       "X-Admin-Targeted-Application: //aid/A000000151/000000\r\n"
                       "content-type:application/vnd.globalplatform.card-content-mgt;version=1.0\r\n"
                       "X-Dup: first\r\nX-Dup: second\r\n"
                       "X-Empty:   \r\n"
                       "Content-Length: 0\r\n\r\n", false, &r), HTTP_PARSE_OK);
    cr_assert(http_find_field(buf, r.head_len, "x-admin-targeted-application",
                              &v, &vl));
    expect_value(v, vl, "//aid/A000000151/000000");
    cr_assert(http_find_field(buf, r.head_len, "Content-Type", &v, &vl));
    expect_value(v, vl, "application/vnd.globalplatform.card-content-mgt;"
                 "version=1.0");
    cr_assert(http_find_field(buf, r.head_len, "X-DUP", &v, &vl));
    expect_value(v, vl, "first");
    cr_assert(http_find_field(buf, r.head_len, "x-empty", &v, &vl));
    cr_assert_eq(vl, 0u);
    cr_assert(!http_find_field(buf, r.head_len, "X-Admin-Next-URI", &v, &vl));
    cr_assert(!http_find_field(buf, r.head_len, "X-Dup:", &v, &vl));
    /* the status line is not a field */
    cr_assert(!http_find_field(buf, r.head_len, "HTTP/1.1 200 OK", &v, &vl));
}

/* The lookup on a request head the request parser accepted. */
Test(unit_http_response, field_lookup_in_a_request)
{
    struct http_parsed p;
    const char *v;
    size_t vl;
    const char *req = "\r\nPOST /a?b HTTP/1.1\r\nHost: card\r\n"
                      "X-Admin-From: //se-id/eid/1\r\nContent-Length: 0\r\n\r\n";

    memcpy(buf, req, strlen(req) + 1);
    cr_assert_eq(http_parse_request(buf, strlen(req), MAX, &p), HTTP_PARSE_OK);
    cr_assert(http_find_field(buf, p.head_len, "host", &v, &vl));
    expect_value(v, vl, "card");
    cr_assert(http_find_field(buf, p.head_len, "X-Admin-From", &v, &vl));
    expect_value(v, vl, "//se-id/eid/1");
}
