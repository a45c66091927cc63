/*
 * Unit tests: the HTTP/1.1 head writer (cardos/net/http/http_write.c).
 * Expectations from RFC 9112 (request line 3, status line 4, field lines
 * 5, CRLF line ends 2.1) with its and RFC 9110's examples, and from what
 * the card's web server sends (docs/network.md).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <criterion/criterion.h>
#include <string.h>

#include "net/http/http_parse.h"
#include "net/http/http_write.h"

Test(unit_http_write, request_heads_of_rfc9112)
{
    char buf[256];
    struct http_writer w;

    /* RFC 9112 3.2: the request for http://www.example.org/pub/WWW/ */
    http_writer_init(&w, buf, sizeof(buf));
    http_write_request_line(&w, "GET", "/pub/WWW/");
    http_write_field(&w, "Host", "www.example.org");
    size_t n = http_write_end(&w);
    const char *want = "GET /pub/WWW/ HTTP/1.1\r\nHost: www.example.org\r\n\r\n";
    cr_assert_eq(n, strlen(want));
    cr_assert(memcmp(buf, want, n) == 0, "%.*s", (int)n, buf);

    /* RFC 9112 3.2.1: origin-form with a query */
    http_writer_init(&w, buf, sizeof(buf));
    http_write_request_line(&w, "GET", "/where?q=now");
    http_write_field(&w, "Host", "www.example.org");
    n = http_write_end(&w);
    want = "GET /where?q=now HTTP/1.1\r\nHost: www.example.org\r\n\r\n";
    cr_assert(n == strlen(want) && memcmp(buf, want, n) == 0);
}

/*
 * What the admin agent of GlobalPlatform Amendment B will send (issue
 * 15): a POST with the protocol's fields and a Content-Length; the card's
 * own request parser reads it back.
 */
Test(unit_http_write, an_admin_agent_post_parses_back)
{
    char buf[512];
    struct http_writer w;
    struct http_parsed p;

    http_writer_init(&w, buf, sizeof(buf));
    http_write_request_line(&w, "POST", "/server/admin?cmd=1");
    http_write_field(&w, "Host", "10.0.2.2:8443");
    http_write_field(&w, "X-Admin-Protocol", "globalplatform-remote-admin/1.0");
    http_write_field(&w, "X-Admin-From", "//se-id/iccid/89882000002143658790");
    http_write_field(&w, "Content-Type",
                     "application/vnd.globalplatform.card-content-mgt-response;version=1.0");
    http_write_fieldf(&w, "Content-Length", "%u", 4u);
    size_t n = http_write_end(&w);
    cr_assert_gt(n, 0u);
    memcpy(buf + n, "\xAB\x02\x80\x00", 4);
    cr_assert_eq(http_parse_request(buf, n + 4, sizeof(buf), &p),
                 HTTP_PARSE_OK);
    http_parsed_terminate(&p, buf);     /* C strings, as at dispatch */
    cr_assert_eq(p.method, HTTP_METHOD_POST);
    cr_assert_str_eq(p.path, "/server/admin");
    cr_assert_str_eq(p.query, "cmd=1");
    cr_assert_eq(p.head_len, n);
    cr_assert_eq(p.content_length, 4u);
    cr_assert(p.keep_alive);
    const char *v;
    size_t vl;
    cr_assert(http_find_field(buf, p.head_len, "x-admin-from", &v, &vl));
    cr_assert(vl == 34 && memcmp(v, "//se-id/iccid/89882000002143658790",
                                 vl) == 0);
}

/* The head the web server writes (docs/network.md, http_exchange.c). */
Test(unit_http_write, the_servers_response_head)
{
    char buf[320];
    struct http_writer w;

    http_writer_init(&w, buf, sizeof(buf));
    http_write_status_line(&w, 405);
    http_write_fieldf(&w, "Server", "netcard-cardos/%s", "0.1.0");
    http_write_field(&w, "Content-Type", "text/plain");
    http_write_fieldf(&w, "Content-Length", "%u", 23u);
    http_write_field(&w, "Allow", "GET, HEAD");
    http_write_field(&w, "Connection", "keep-alive");
    size_t n = http_write_end(&w);
    const char *want = "HTTP/1.1 405 Method Not Allowed\r\n"
                       "Server: netcard-cardos/0.1.0\r\n"
                       "Content-Type: text/plain\r\n"
                       "Content-Length: 23\r\n"
                       "Allow: GET, HEAD\r\n"
                       "Connection: keep-alive\r\n\r\n";
    cr_assert(n == strlen(want) && memcmp(buf, want, n) == 0, "%.*s",
              (int)n, buf);

    /* RFC 9112 4: the reason phrase may be empty, its SP stays */
    http_writer_init(&w, buf, sizeof(buf));
    http_write_status_line(&w, 299);
    n = http_write_end(&w);
    cr_assert(n == 17 && memcmp(buf, "HTTP/1.1 299 \r\n\r\n", 17) == 0);
}

Test(unit_http_write, what_would_break_the_head_is_refused)
{
    char buf[256];
    struct http_writer w;
    static const char *const bad_values[] = {
        "a\r\nX-Injected: 1", "a\nb", "a\rb", "bell\a", "del\x7f",
    };
    static const char *const bad_names[] = {
        "", "Bad Name", "Name:", "N\xe9", "(comment)",
    };

    for (size_t i = 0; i < sizeof(bad_values) / sizeof(bad_values[0]); i++) {
        http_writer_init(&w, buf, sizeof(buf));
        http_write_status_line(&w, 200);
        http_write_field(&w, "X-Test", bad_values[i]);
        cr_assert_eq(http_write_end(&w), 0u, "value %zu accepted", i);
        http_writer_init(&w, buf, sizeof(buf));
        http_write_status_line(&w, 200);
        http_write_fieldf(&w, "X-Test", "%s", bad_values[i]);
        cr_assert_eq(http_write_end(&w), 0u, "formatted value %zu accepted",
                     i);
    }
    for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
        http_writer_init(&w, buf, sizeof(buf));
        http_write_status_line(&w, 200);
        http_write_field(&w, bad_names[i], "v");
        cr_assert_eq(http_write_end(&w), 0u, "name %zu accepted", i);
    }
    /* a tab inside a value is field-content (RFC 9110 5.5) */
    http_writer_init(&w, buf, sizeof(buf));
    http_write_status_line(&w, 200);
    http_write_field(&w, "X-Test", "a\tb");
    cr_assert_gt(http_write_end(&w), 0u);

    static const char *const bad_targets[] = { "", "/a b", "/a\r\n", "/\x01" };
    for (size_t i = 0; i < sizeof(bad_targets) / sizeof(bad_targets[0]); i++) {
        http_writer_init(&w, buf, sizeof(buf));
        http_write_request_line(&w, "GET", bad_targets[i]);
        cr_assert_eq(http_write_end(&w), 0u, "target %zu accepted", i);
    }
    http_writer_init(&w, buf, sizeof(buf));
    http_write_request_line(&w, "GE T", "/");
    cr_assert_eq(http_write_end(&w), 0u);
    http_writer_init(&w, buf, sizeof(buf));
    http_write_status_line(&w, 99);
    cr_assert_eq(http_write_end(&w), 0u);
    http_writer_init(&w, buf, sizeof(buf));
    http_write_status_line(&w, 1000);
    cr_assert_eq(http_write_end(&w), 0u);
    /* a failure sticks: later steps do not make the head usable again */
    http_writer_init(&w, buf, sizeof(buf));
    http_write_field(&w, "Bad Name", "v");
    http_write_field(&w, "Good", "v");
    cr_assert_eq(http_write_end(&w), 0u);
}

Test(unit_http_write, buffer_bounds)
{
    const char *want = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    size_t len = strlen(want);
    char buf[64];
    struct http_writer w;

    for (size_t cap = 0; cap <= len; cap++) {
        memset(buf, '#', sizeof(buf));
        http_writer_init(&w, buf, cap);
        http_write_status_line(&w, 200);
        http_write_fieldf(&w, "Content-Length", "%u", 0u);
        size_t n = http_write_end(&w);
        if (cap < len) {
            cr_assert_eq(n, 0u, "a %zu-byte buffer held %zu bytes", cap, len);
        } else {
            cr_assert(n == len && memcmp(buf, want, len) == 0);
        }
        for (size_t i = cap; i < sizeof(buf); i++) {
            cr_assert_eq(buf[i], '#', "cap %zu: byte %zu written", cap, i);
        }
    }
}
