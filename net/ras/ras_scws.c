/*
 * ras_scws — SCWS administration requests (ras_scws.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "ras_scws.h"

#include <stdio.h>
#include <string.h>

#include "ras_codec.h"

/* A header value must not break the embedded head (RFC 9110 5.5). */
static bool clean(const char *v)
{
    for (; v && *v; v++) {
        if ((unsigned char)*v < 0x20 || *v == 0x7F) {
            return false;
        }
    }
    return true;
}

char *ras_scws_request(const char *method, const char *path,
                       const uint8_t *data, size_t len, const char *type,
                       const char *encoding, const char *language,
                       char **err)
{
    bool put = !strcmp(method, "PUT");
    if (!put && strcmp(method, "DELETE") && strcmp(method, "GET")) {
        *err = g_strdup_printf("SCWS method %s: PUT, DELETE or GET", method);
        return NULL;
    }
    if (!path || path[0] != '/' || strpbrk(path, " \t\r\n?#%")) {
        *err = g_strdup_printf("SCWS path %s: an absolute path without spaces,"
                               " '?', '#' or '%%'", path ? path : "(none)");
        return NULL;
    }
    if (put && (!type || !*type)) {
        *err = g_strdup("SCWS PUT needs a content type (--type)");
        return NULL;
    }
    if (!clean(type) || !clean(encoding) || !clean(language)) {
        *err = g_strdup("SCWS header values must be visible characters");
        return NULL;
    }
    GString *h = g_string_new(NULL);
    /* The card's SCWS is the request's origin server; Host is required
     * in HTTP/1.1 (RFC 9112 3.2). */
    g_string_append_printf(h, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:3516\r\n",
                           method, path);
    if (put) {
        g_string_append_printf(h, "Content-Type: %s\r\n", type);
        if (encoding && *encoding) {
            g_string_append_printf(h, "Content-Encoding: %s\r\n", encoding);
        }
        if (language && *language) {
            g_string_append_printf(h, "Content-Language: %s\r\n", language);
        }
        g_string_append_printf(h, "Content-Length: %zu\r\n", len);
    }
    g_string_append(h, "\r\n");
    if (put && len) {
        g_string_append_len(h, (const char *)data, (gssize)len);
    }
    if (h->len > RAS_SCWS_MAX) {
        *err = g_strdup_printf("SCWS request of %zu bytes: the card takes at most"
                               " %d (the admin agent's buffer)",
                               h->len, RAS_SCWS_MAX);
        g_string_free(h, TRUE);
        return NULL;
    }
    char *out = g_malloc(strlen(RAS_SCWS_PREFIX) + 2 * h->len + 1);
    strcpy(out, RAS_SCWS_PREFIX);
    ras_hex((const uint8_t *)h->str, h->len, out + strlen(RAS_SCWS_PREFIX));
    g_string_free(h, TRUE);
    return out;
}

bool ras_scws_is(const char *s)
{
    return s && !strncmp(s, RAS_SCWS_PREFIX, strlen(RAS_SCWS_PREFIX));
}

GBytes *ras_scws_bytes(const char *s)
{
    if (!ras_scws_is(s)) {
        return NULL;
    }
    const char *hex = s + strlen(RAS_SCWS_PREFIX);
    size_t cap = strlen(hex) / 2 + 1;
    uint8_t *b = g_malloc(cap);
    long n = ras_unhex(hex, b, cap);
    if (n <= 0) {
        g_free(b);
        return NULL;
    }
    return g_bytes_new_take(b, (size_t)n);
}

char *ras_scws_summary(const char *s)
{
    GBytes *b = ras_scws_bytes(s);
    if (!b) {
        return g_strdup("SCWS (malformed)");
    }
    gsize n;
    const char *p = g_bytes_get_data(b, &n);
    const char *eol = memchr(p, '\r', n);
    size_t l = eol ? (size_t)(eol - p) : n;
    if (l > 9 && !memcmp(p + l - 9, " HTTP/1.1", 9)) {
        l -= 9;
    }
    char *r = g_strdup_printf("SCWS %.*s", (int)l, p);
    g_bytes_unref(b);
    return r;
}

int ras_scws_status(const uint8_t *p, size_t len)
{
    int code;
    char buf[16];
    if (len < 12 || memcmp(p, "HTTP/1.", 7)) {
        return -1;
    }
    memcpy(buf, p, 12);
    buf[12] = 0;
    if (sscanf(buf + 9, "%3d", &code) != 1 || p[8] != ' ' || code < 100 ||
        code > 599) {
        return -1;
    }
    return code;
}
