/*
 * ras_http — bounded HTTP/1.1 request parser and response writer
 * (ras_http.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "ras_http.h"

#include <stdio.h>
#include <string.h>

void ras_http_req_init(RasHttpReq *r)
{
    memset(r, 0, sizeof(*r));
    r->body = g_byte_array_new();
}

void ras_http_req_clear(RasHttpReq *r)
{
    if (r->body) {
        g_byte_array_unref(r->body);
    }
    memset(r, 0, sizeof(*r));
}

static void copy(char *dst, size_t cap, const char *s, size_t n)
{
    n = n < cap - 1 ? n : cap - 1;
    memcpy(dst, s, n);
    dst[n] = 0;
}

/* Parse the head (request line + fields) in HEAD[0..N). */
static int head(const char *h, size_t n, RasHttpReq *r, long long *clen)
{
    const char *end = h + n;
    const char *eol = memchr(h, '\r', n);
    if (!eol || eol + 1 >= end || eol[1] != '\n') {
        return -400;
    }
    /* request-line = method SP request-target SP HTTP-version (3.) */
    const char *sp1 = memchr(h, ' ', eol - h);
    const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', eol - sp1 - 1) : NULL;
    if (!sp1 || !sp2 || sp1 == h || sp2 == sp1 + 1 || sp1 - h >= 16) {
        return -400;
    }
    copy(r->method, sizeof(r->method), h, sp1 - h);
    const char *target = sp1 + 1, *q = memchr(target, '?', sp2 - target);
    if (*target != '/' || (size_t)(sp2 - target) >= sizeof(r->path)) {
        return -400;
    }
    copy(r->path, sizeof(r->path), target, (q ? q : sp2) - target);
    if (q) {
        copy(r->query, sizeof(r->query), q + 1, sp2 - q - 1);
    }
    if (eol - sp2 - 1 == 8 && !memcmp(sp2 + 1, "HTTP/1.1", 8)) {
        r->http10 = false;
    } else if (eol - sp2 - 1 == 8 && !memcmp(sp2 + 1, "HTTP/1.0", 8)) {
        r->http10 = r->close = true;
    } else {
        return -400;
    }
    bool te = false;
    *clen = -1;
    for (const char *l = eol + 2; l < end;) {
        const char *e = memchr(l, '\r', end - l);
        if (!e || e + 1 >= end || e[1] != '\n') {
            return -400;
        }
        if (e == l) {
            break;                               /* empty line */
        }
        const char *colon = memchr(l, ':', e - l);
        if (!colon || colon == l) {
            return -400;
        }
        for (const char *c = l; c < colon; c++) {
            if (*c == ' ' || *c == '\t') {
                return -400;                     /* RFC 9112 5.1 */
            }
        }
        const char *v = colon + 1, *ve = e;
        while (v < ve && (*v == ' ' || *v == '\t')) v++;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t')) ve--;
        size_t nl = colon - l, vl = ve - v;
#define IS(name) (nl == sizeof(name) - 1 && !g_ascii_strncasecmp(l, name, nl))
        if (IS("Content-Length")) {
            char num[24];
            if (vl == 0 || vl > 18 || *clen >= 0) {
                return -400;
            }
            copy(num, sizeof(num), v, vl);
            for (size_t i = 0; i < vl; i++) {
                if (num[i] < '0' || num[i] > '9') {
                    return -400;
                }
            }
            *clen = g_ascii_strtoll(num, NULL, 10);
        } else if (IS("Transfer-Encoding")) {
            if (vl != 7 || g_ascii_strncasecmp(v, "chunked", 7)) {
                return -501;
            }
            te = true;
        } else if (IS("Connection")) {
            r->close = vl == 5 && !g_ascii_strncasecmp(v, "close", 5);
        } else if (IS("Content-Type")) {
            copy(r->content_type, sizeof(r->content_type), v, vl);
        } else if (IS("X-Admin-From")) {
            copy(r->admin_from, sizeof(r->admin_from), v, vl);
        } else if (IS("X-Admin-Protocol")) {
            copy(r->admin_protocol, sizeof(r->admin_protocol), v, vl);
        } else if (IS("X-Admin-Script-Status")) {
            copy(r->script_status, sizeof(r->script_status), v, vl);
        } else if (IS("X-Admin-Resume")) {
            r->resume = vl == 4 && !g_ascii_strncasecmp(v, "true", 4);
        }
#undef IS
        l = e + 2;
    }
    if (te && *clen >= 0) {
        return -400;                  /* RFC 9112 6.1: never both */
    }
    r->chunked = te;
    return 0;
}

int ras_http_parse(const uint8_t *buf, size_t len, size_t max_body,
                   RasHttpReq *r, size_t *used)
{
    const char *s = (const char *)buf;
    const char *he = g_strstr_len(s, len < RAS_HTTP_MAX_HEAD ? len : RAS_HTTP_MAX_HEAD,
                                  "\r\n\r\n");
    if (!he) {
        return len >= RAS_HTTP_MAX_HEAD ? -431 : RAS_HTTP_MORE;
    }
    size_t hlen = he - s + 4;
    GByteArray *body = r->body;
    memset(r, 0, sizeof(*r));
    r->body = body;
    g_byte_array_set_size(r->body, 0);
    long long clen;
    int rc = head(s, hlen, r, &clen);
    if (rc) {
        return rc;
    }
    if (!r->chunked) {
        size_t n = clen > 0 ? (size_t)clen : 0;
        if (clen > (long long)max_body) {
            return -413;
        }
        if (len - hlen < n) {
            return RAS_HTTP_MORE;
        }
        g_byte_array_append(r->body, buf + hlen, (guint)n);
        *used = hlen + n;
        return RAS_HTTP_DONE;
    }
    /* chunked-body = *chunk last-chunk trailer-section CRLF (7.1) */
    size_t off = hlen;
    for (;;) {
        const char *le = g_strstr_len(s + off, len - off, "\r\n");
        if (!le) {
            return len - off > 64 ? -400 : RAS_HTTP_MORE;
        }
        size_t sz = 0, digits = 0;
        for (const char *c = s + off; c < le && *c != ';'; c++, digits++) {
            int v = g_ascii_xdigit_value(*c);
            if (v < 0 || digits >= 8) {
                return -400;
            }
            sz = sz << 4 | (size_t)v;
        }
        if (digits == 0) {
            return -400;
        }
        off = le - s + 2;
        if (sz == 0) {
            break;
        }
        if (r->body->len + sz > max_body) {
            return -413;
        }
        if (len - off < sz + 2) {
            return RAS_HTTP_MORE;
        }
        if (buf[off + sz] != '\r' || buf[off + sz + 1] != '\n') {
            return -400;
        }
        g_byte_array_append(r->body, buf + off, (guint)sz);
        off += sz + 2;
    }
    /* trailer fields, ignored, up to the empty line */
    for (;;) {
        const char *le = g_strstr_len(s + off, len - off, "\r\n");
        if (!le) {
            return len - off > 1024 ? -400 : RAS_HTTP_MORE;
        }
        size_t l = le - (s + off);
        off += l + 2;
        if (l == 0) {
            break;
        }
    }
    *used = off;
    return RAS_HTTP_DONE;
}

const char *ras_http_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Unknown";
    }
}

GByteArray *ras_http_response(int status, const char *const *headers,
                              const uint8_t *body, size_t len, bool chunked,
                              size_t chunk)
{
    GString *h = g_string_new(NULL);
    g_string_append_printf(h, "HTTP/1.1 %d %s\r\n", status,
                           ras_http_reason(status));
    for (int i = 0; headers && headers[i]; i++) {
        g_string_append_printf(h, "%s\r\n", headers[i]);
    }
    /* 204 carries no body and no framing header (RFC 9110 15.3.5). */
    if (status != 204) {
        if (chunked) {
            g_string_append(h, "Transfer-Encoding: chunked\r\n");
        } else {
            g_string_append_printf(h, "Content-Length: %zu\r\n", len);
        }
    }
    g_string_append(h, "\r\n");
    GByteArray *o = g_byte_array_new();
    g_byte_array_append(o, (const guint8 *)h->str, (guint)h->len);
    g_string_free(h, TRUE);
    if (status == 204) {
        return o;
    }
    if (!chunked) {
        g_byte_array_append(o, body, (guint)len);
        return o;
    }
    for (size_t off = 0; off < len;) {
        size_t n = len - off < chunk ? len - off : chunk;
        char sz[24];
        int k = snprintf(sz, sizeof(sz), "%zx\r\n", n);
        g_byte_array_append(o, (const guint8 *)sz, (guint)k);
        g_byte_array_append(o, body + off, (guint)n);
        g_byte_array_append(o, (const guint8 *)"\r\n", 2);
        off += n;
    }
    g_byte_array_append(o, (const guint8 *)"0\r\n\r\n", 5);
    return o;
}
