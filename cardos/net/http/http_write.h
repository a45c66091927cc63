/*
 * HTTP/1.1 message head writer (RFC 9112), for the card's web server
 * (responses) and its HTTP clients (requests: the admin agent of issue
 * 15). Pure code: unit-tested on the host (tests/unit/test_http_write.c).
 *
 * A head is written into a caller's buffer, line by line:
 *
 *   struct http_writer w;
 *   http_writer_init(&w, buf, sizeof(buf));
 *   http_write_request_line(&w, "POST", "/server/admin");   (client) or
 *   http_write_status_line(&w, 200);                         (server)
 *   http_write_field(&w, "Host", "10.0.2.2:8443");
 *   http_write_fieldf(&w, "Content-Length", "%u", (unsigned)len);
 *   size_t n = http_write_end(&w);    the head's length, 0 if it failed
 *
 * What it refuses (the head then fails as a whole, so a bad value never
 * goes out half-written): a buffer too small; a method or field name
 * that is not a token (RFC 9110 5.6.2); a request target that is empty or
 * holds whitespace or controls; a field value with CR, LF, NUL or another
 * control but HTAB (RFC 9110 5.5: what would split the head and smuggle
 * fields). Lines end in CRLF; the version is always HTTP/1.1. The
 * status line carries http_reason()'s phrase ("" for an unknown code:
 * "HTTP/1.1 299 " is still valid).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_NET_HTTP_HTTP_WRITE_H
#define CARDOS_NET_HTTP_HTTP_WRITE_H

#include <stdbool.h>
#include <stddef.h>

struct http_writer {
    char *buf;
    size_t cap;
    size_t len;
    bool failed;
};

void http_writer_init(struct http_writer *w, char *buf, size_t cap);

/* "METHOD SP TARGET SP HTTP/1.1" (RFC 9112 3). */
void http_write_request_line(struct http_writer *w, const char *method,
                             const char *target);

/* "HTTP/1.1 SP STATUS SP reason" (RFC 9112 4); STATUS 100..999. */
void http_write_status_line(struct http_writer *w, unsigned status);

/* "NAME: VALUE" (RFC 9112 5). */
void http_write_field(struct http_writer *w, const char *name,
                      const char *value);
/* The same with a printf-style value (the card's log_snprintf). */
void http_write_fieldf(struct http_writer *w, const char *name,
                       const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The empty line that ends the head; the head's length, or 0 if any step
 * failed (nothing usable in the buffer). */
size_t http_write_end(struct http_writer *w);

#endif /* CARDOS_NET_HTTP_HTTP_WRITE_H */
