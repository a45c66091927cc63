/*
 * HTTP/1.1 request head parser. See http_parse.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "net/http/http_parse.h"

#include <stdint.h>
#include <string.h>

/* RFC 9110 5.6.2 tchar */
static bool is_tchar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        (c >= '0' && c <= '9')) {
        return true;
    }
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Visible ASCII (VCHAR) plus obs-text: what a request-target may hold. */
static bool is_target_char(char c)
{
    return (unsigned char)c > 0x20 && (unsigned char)c != 0x7f;
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

static bool name_is(const char *name, size_t n, const char *want)
{
    size_t i;

    for (i = 0; i < n && want[i]; i++) {
        if (lower(name[i]) != want[i]) {
            return false;
        }
    }
    return i == n && want[i] == 0;
}

/* Does the comma-separated list VALUE (length N) contain TOKEN? */
static bool list_has(const char *v, size_t n, const char *token)
{
    size_t i = 0, tl = strlen(token);

    while (i < n) {
        size_t s, e;
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ',')) {
            i++;
        }
        s = i;
        while (i < n && v[i] != ',') {
            i++;
        }
        e = i;
        while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t')) {
            e--;
        }
        if (e - s == tl && name_is(v + s, tl, token)) {
            return true;
        }
    }
    return false;
}

static enum http_method method_of(const char *m, size_t n)
{
    static const struct { const char *name; enum http_method m; } t[] = {
        { "GET", HTTP_METHOD_GET }, { "HEAD", HTTP_METHOD_HEAD },
        { "POST", HTTP_METHOD_POST }, { "PUT", HTTP_METHOD_PUT },
        { "DELETE", HTTP_METHOD_DELETE },
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        if (strlen(t[i].name) == n && memcmp(t[i].name, m, n) == 0) {
            return t[i].m;
        }
    }
    return HTTP_METHOD_OTHER;
}

/*
 * Check the request line prefix that has arrived (up to LEN bytes, the
 * line may be incomplete): false if it can no longer become
 * "method SP target SP HTTP/...".
 */
static bool request_line_prefix_ok(const char *b, size_t len)
{
    size_t i = 0;

    while (i < len && is_tchar(b[i])) {
        i++;
    }
    if (i == len) {
        return i <= HTTP_METHOD_MAX_LEN;
    }
    if (i == 0 || i > HTTP_METHOD_MAX_LEN || b[i] != ' ') {
        return false;
    }
    i++;
    if (i == len) {
        return true;
    }
    if (b[i] != '/' && b[i] != '*') {
        return false;
    }
    while (i < len && is_target_char(b[i])) {
        i++;
    }
    if (i == len) {
        return true;
    }
    if (b[i] != ' ') {
        return false;
    }
    i++;
    for (const char *p = "HTTP/"; *p && i < len; p++, i++) {
        if (b[i] != *p) {
            return false;
        }
    }
    return true;
}

/* End of the line starting at B[I] (index of its LF), or LEN if none. */
static size_t line_end(const char *b, size_t i, size_t len)
{
    const char *lf = memchr(b + i, '\n', len - i);

    return lf ? (size_t)(lf - b) : len;
}

enum http_parse_result http_parse_request(char *buf, size_t len, size_t max,
                                          struct http_parsed *req)
{
    size_t scan = len < max ? len : max;
    size_t i, eol, end, n;
    bool have_host = false, have_cl = false, conn_close = false,
         conn_keep = false;
    char *sp1, *sp2, *q;
    size_t cl = 0;

    /* Tolerate empty lines before the request line (RFC 9112 2.2). */
    i = 0;
    while (i < scan && (buf[i] == '\r' || buf[i] == '\n')) {
        i++;
    }
    eol = line_end(buf, i, scan);
    if (!request_line_prefix_ok(buf + i,
                                (eol < scan ? eol : scan) - i -
                                (eol < scan && eol > i && buf[eol - 1] == '\r'))) {
        return HTTP_PARSE_BAD;
    }
    /* Find the empty line that ends the head. */
    end = i;
    for (;;) {
        size_t e = line_end(buf, end, scan);
        if (e == scan) {
            return len >= max ? HTTP_PARSE_TOO_LARGE : HTTP_PARSE_INCOMPLETE;
        }
        if (e == end || (e == end + 1 && buf[end] == '\r')) {
            end = e + 1;
            break;
        }
        end = e + 1;
    }

    memset(req, 0, sizeof(*req));
    req->head_len = end;

    /* Request line: method SP target SP HTTP/1.x */
    n = eol - i - (eol > i && buf[eol - 1] == '\r');
    sp1 = memchr(buf + i, ' ', n);
    if (!sp1) {
        return HTTP_PARSE_BAD;
    }
    sp2 = memchr(sp1 + 1, ' ', (size_t)(buf + i + n - (sp1 + 1)));
    if (!sp2 || sp2 == sp1 + 1 || (size_t)(buf + i + n - sp2) != 9) {
        return HTTP_PARSE_BAD;
    }
    for (char *p = sp1 + 1; p < sp2; p++) {
        if (!is_target_char(*p)) {
            return HTTP_PARSE_BAD;
        }
    }
    if (memcmp(sp2 + 1, "HTTP/", 5) != 0 || sp2[6] < '0' || sp2[6] > '9' ||
        sp2[7] != '.' || sp2[8] < '0' || sp2[8] > '9') {
        return HTTP_PARSE_BAD;
    }
    if (sp2[6] != '1') {
        return HTTP_PARSE_VERSION;
    }
    req->minor = (unsigned)(sp2[8] - '0');
    memcpy(req->method_name, buf + i, (size_t)(sp1 - (buf + i)));
    req->method_name[sp1 - (buf + i)] = 0;
    req->method = method_of(buf + i, (size_t)(sp1 - (buf + i)));
    if (sp1[1] != '/') {
        return HTTP_PARSE_BAD;   /* absolute-form and '*' are not served */
    }

    /* Header fields. */
    i = eol + 1;
    while (i < end) {
        size_t e = line_end(buf, i, end);
        size_t ln = e - i - (e > i && buf[e - 1] == '\r');
        const char *line = buf + i, *colon, *v;
        size_t nl, vl;

        if (ln == 0) {
            break;
        }
        if (line[0] == ' ' || line[0] == '\t') {
            return HTTP_PARSE_BAD;          /* obs-fold */
        }
        colon = memchr(line, ':', ln);
        if (!colon || colon == line) {
            return HTTP_PARSE_BAD;
        }
        nl = (size_t)(colon - line);
        for (size_t k = 0; k < nl; k++) {
            if (!is_tchar(line[k])) {
                return HTTP_PARSE_BAD;      /* also "Name :" */
            }
        }
        v = colon + 1;
        vl = ln - nl - 1;
        while (vl && (*v == ' ' || *v == '\t')) {
            v++;
            vl--;
        }
        while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t')) {
            vl--;
        }
        for (size_t k = 0; k < vl; k++) {
            unsigned char c = (unsigned char)v[k];
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return HTTP_PARSE_BAD;
            }
        }
        if (name_is(line, nl, "host")) {
            if (have_host) {
                return HTTP_PARSE_BAD;
            }
            have_host = true;
        } else if (name_is(line, nl, "content-length")) {
            size_t val = 0;
            if (vl == 0) {
                return HTTP_PARSE_BAD;
            }
            for (size_t k = 0; k < vl; k++) {
                if (v[k] < '0' || v[k] > '9' || val > (SIZE_MAX - 9) / 10) {
                    return HTTP_PARSE_BAD;
                }
                val = val * 10 + (size_t)(v[k] - '0');
            }
            if (have_cl && val != cl) {
                return HTTP_PARSE_BAD;
            }
            have_cl = true;
            cl = val;
        } else if (name_is(line, nl, "transfer-encoding")) {
            return HTTP_PARSE_NOT_IMPL;
        } else if (name_is(line, nl, "connection")) {
            conn_close |= list_has(v, vl, "close");
            conn_keep |= list_has(v, vl, "keep-alive");
        }
        i = e + 1;
    }
    if (req->minor >= 1 && !have_host) {
        return HTTP_PARSE_BAD;
    }
    req->content_length = cl;
    req->keep_alive = req->minor >= 1 ? !conn_close : (conn_keep && !conn_close);

    /* Path and query, NUL-terminated in place (over SP / '?'). */
    *sp2 = 0;
    q = memchr(sp1 + 1, '?', (size_t)(sp2 - (sp1 + 1)));
    if (q) {
        *q = 0;
        req->query = q + 1;
    } else {
        req->query = sp2;   /* the NUL just written: "" */
    }
    req->path = sp1 + 1;
    return HTTP_PARSE_OK;
}

const char *http_reason(unsigned status)
{
    switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default:  return "";
    }
}
