/*
 * HTTP/1.1 message head writer. See http_write.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "net/http/http_write.h"

#include <stdarg.h>
#include <string.h>

#include "kernel/log.h"
#include "net/http/http_parse.h"

/* RFC 9110 5.6.2 token = 1*tchar */
static bool is_token(const char *s)
{
    if (!s || !*s) {
        return false;
    }
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || strchr("!#$%&'*+-.^_`|~", c))) {
            return false;
        }
    }
    return true;
}

/* A field value: no CTL but HTAB (RFC 9110 5.5). */
static bool is_value(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            return false;
        }
    }
    return true;
}

/* A request target: visible characters (and obs-text), at least one. */
static bool is_target(const char *s)
{
    if (!s || !*s) {
        return false;
    }
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= 0x20 || c == 0x7f) {
            return false;
        }
    }
    return true;
}

static void put(struct http_writer *w, const char *s, size_t n)
{
    if (w->failed || n > w->cap - w->len) {
        w->failed = true;
        return;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

static void puts_(struct http_writer *w, const char *s)
{
    put(w, s, strlen(s));
}

static void vprint(struct http_writer *w, const char *fmt, va_list ap)
{
    size_t room = w->cap - w->len;
    int n;

    if (w->failed) {
        return;
    }
    n = log_vsnprintf(w->buf + w->len, room, fmt, ap);
    if (n < 0 || (size_t)n >= room) {
        w->failed = true;
        return;
    }
    w->len += (size_t)n;
}

static void print(struct http_writer *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void print(struct http_writer *w, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprint(w, fmt, ap);
    va_end(ap);
}

void http_writer_init(struct http_writer *w, char *buf, size_t cap)
{
    w->buf = buf;
    w->cap = buf ? cap : 0;
    w->len = 0;
    w->failed = false;
}

void http_write_request_line(struct http_writer *w, const char *method,
                             const char *target)
{
    if (!is_token(method) || !is_target(target)) {
        w->failed = true;
        return;
    }
    print(w, "%s %s HTTP/1.1\r\n", method, target);
}

void http_write_status_line(struct http_writer *w, unsigned status)
{
    if (status < 100 || status > 999) {
        w->failed = true;
        return;
    }
    print(w, "HTTP/1.1 %u %s\r\n", status, http_reason(status));
}

void http_write_field(struct http_writer *w, const char *name,
                      const char *value)
{
    if (!is_token(name) || !value || !is_value(value, strlen(value))) {
        w->failed = true;
        return;
    }
    puts_(w, name);
    put(w, ": ", 2);
    puts_(w, value);
    put(w, "\r\n", 2);
}

void http_write_fieldf(struct http_writer *w, const char *name,
                       const char *fmt, ...)
{
    size_t start = w->len;
    va_list ap;

    if (!is_token(name)) {
        w->failed = true;
        return;
    }
    puts_(w, name);
    put(w, ": ", 2);
    va_start(ap, fmt);
    vprint(w, fmt, ap);
    va_end(ap);
    if (!w->failed) {
        size_t v = start + strlen(name) + 2;
        if (!is_value(w->buf + v, w->len - v)) {
            w->failed = true;
            return;
        }
    }
    put(w, "\r\n", 2);
}

size_t http_write_end(struct http_writer *w)
{
    put(w, "\r\n", 2);
    return w->failed ? 0 : w->len;
}
