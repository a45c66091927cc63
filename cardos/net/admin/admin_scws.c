/*
 * SCWS administration requests embedded in Amendment B responses.
 * Contract: admin_scws.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "net/admin/admin_scws.h"

#include <string.h>

#include "net/http/http_parse.h"
#include "net/http/http_write.h"
#include "net/web/web_server.h"
#include "net/web/web_store.h"

#define HEAD_MAX 320u   /* an embedded response's head */

bool admin_scws_is_request(const char *ct)
{
    size_t n = strlen(ADMIN_CT_SCWS_REQUEST);

    /* media type, then nothing or parameters (RFC 9110 8.3.1) */
    return ct && strncmp(ct, ADMIN_CT_SCWS_REQUEST, n) == 0 &&
           (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

size_t admin_scws_reply(unsigned status, const char *extra_name,
                        const char *extra, uint8_t *out, size_t cap,
                        unsigned *st)
{
    struct http_writer w;
    const char *msg = status == 201 || status == 204 ? "" : http_reason(status);
    size_t n, ml = strlen(msg);

    *st = status;
    http_writer_init(&w, (char *)out, cap);
    http_write_status_line(&w, status);
    if (extra_name) {
        http_write_field(&w, extra_name, extra);
    }
    if (ml) {
        http_write_field(&w, "Content-Type", "text/plain");
    }
    http_write_fieldf(&w, "Content-Length", "%u", (unsigned)(ml ? ml + 1 : 0));
    n = http_write_end(&w);
    if (n == 0 || n + ml + 1 > cap) {
        return 0;
    }
    if (ml) {
        memcpy(out + n, msg, ml);
        out[n + ml] = '\n';
        n += ml + 1;
    }
    return n;
}

#define reply admin_scws_reply

unsigned admin_scws_web_status(int r)
{
    switch (r) {
    case WEB_OK:            return 200;
    case WEB_ERR_NOT_FOUND: return 404;
    case WEB_ERR_FULL:      return 507;
    case WEB_ERR_TOO_LARGE: return 413;
    case WEB_ERR_PARAM:     return 400;
    default:                return 500;
    }
}

/* Field NAME of the parsed head into OUT (CAP with NUL): "" if absent;
 * false if too long. */
static bool field(const char *head, size_t hl, const char *name, char *out,
                  size_t cap)
{
    const char *v;
    size_t n;

    out[0] = '\0';
    if (!http_find_field(head, hl, name, &v, &n)) {
        return true;
    }
    if (n >= cap) {
        return false;
    }
    memcpy(out, v, n);
    out[n] = '\0';
    return true;
}

static size_t do_put(const char *head, const struct http_parsed *q,
                     const uint8_t *body, struct web_meta *m, uint8_t *out,
                     size_t cap, unsigned *st)
{
    struct web_meta old;
    const char *lm;
    size_t lml;
    bool existed;
    int r;

    if (!field(head, q->head_len, "Content-Type", m->type, sizeof(m->type)) ||
        !field(head, q->head_len, "Content-Encoding", m->encoding,
               sizeof(m->encoding)) ||
        !field(head, q->head_len, "Content-Language", m->language,
               sizeof(m->language))) {
        return reply(400, NULL, NULL, out, cap, st);
    }
    if (http_find_field(head, q->head_len, "Last-Modified", &lm, &lml) &&
        !web_parse_http_date(lm, lml, &m->modified)) {
        return reply(400, NULL, NULL, out, cap, st);
    }
    existed = web_store_stat(m->path, &old) == WEB_OK;
    r = web_store_put(m, body, (uint32_t)q->content_length);
    if (r == WEB_OK) {
        return reply(existed ? 204 : 201, NULL, NULL, out, cap, st);
    }
    return reply(admin_scws_web_status(r), NULL, NULL, out, cap, st);
}

/* A directory listing into BUF (CAP): its length. */
static size_t list(const char *dir, uint8_t *buf, size_t cap, bool *any)
{
    struct web_meta m;
    uint32_t cur = 0;
    size_t n = 0, dl = strlen(dir);
    char etag[24];

    *any = false;
    while (web_store_list(&cur, &m) == WEB_OK) {
        size_t ll;

        if (strncmp(m.path, dir, dl) != 0) {
            continue;
        }
        *any = true;
        web_store_etag(&m, etag, sizeof(etag));
        ll = strlen(m.path) + strlen(m.type) + strlen(etag) + 16;
        if (n + ll + 4 > cap) {
            memcpy(buf + n, "...\n", 4);
            return n + 4;
        }
        memcpy(buf + n, m.path, strlen(m.path));
        n += strlen(m.path);
        buf[n++] = ' ';
        {
            char num[12];
            size_t k = 0;
            uint32_t v = m.size;

            do {
                num[k++] = (char)('0' + v % 10u);
                v /= 10u;
            } while (v);
            while (k) {
                buf[n++] = (uint8_t)num[--k];
            }
        }
        buf[n++] = ' ';
        memcpy(buf + n, etag, strlen(etag));
        n += strlen(etag);
        buf[n++] = ' ';
        memcpy(buf + n, m.type, strlen(m.type));
        n += strlen(m.type);
        buf[n++] = '\n';
    }
    return n;
}

static size_t do_get(const char *path, uint8_t *scratch, size_t scap,
                     uint8_t *out, size_t cap, unsigned *st)
{
    struct web_meta m;
    struct http_writer w;
    char etag[24], date[32];
    size_t hl, bl = 0, total;
    int r;

    if (path[strlen(path) - 1] == '/') {
        bool any;

        bl = list(path, scratch, cap > HEAD_MAX ? cap - HEAD_MAX : 0, &any);
        if (!any) {
            return reply(404, NULL, NULL, out, cap, st);
        }
        http_writer_init(&w, (char *)out, cap);
        http_write_status_line(&w, 200);
        http_write_field(&w, "Content-Type", "text/plain");
        http_write_fieldf(&w, "Content-Length", "%u", (unsigned)bl);
        hl = http_write_end(&w);
        if (hl == 0 || hl + bl > cap) {
            return reply(500, NULL, NULL, out, cap, st);
        }
        memcpy(out + hl, scratch, bl);
        *st = 200;
        return hl + bl;
    }
    r = web_store_get(path, &m, scratch, (uint32_t)scap);
    if (r != WEB_OK) {
        return reply(admin_scws_web_status(r), NULL, NULL, out, cap, st);
    }
    total = m.size;
    web_store_etag(&m, etag, sizeof(etag));
    for (int pass = 0; pass < 2; pass++) {
        /* pass 0: the whole; pass 1: what fits, as 206 (RFC 9110 15.3.7) */
        http_writer_init(&w, (char *)out, cap);
        http_write_status_line(&w, pass ? 206 : 200);
        http_write_field(&w, "Content-Type", m.type);
        if (m.encoding[0]) {
            http_write_field(&w, "Content-Encoding", m.encoding);
        }
        if (m.language[0]) {
            http_write_field(&w, "Content-Language", m.language);
        }
        http_write_field(&w, "ETag", etag);
        if (m.modified) {
            web_http_date(m.modified, date, sizeof(date));
            http_write_field(&w, "Last-Modified", date);
        }
        if (pass) {
            http_write_fieldf(&w, "Content-Range", "bytes 0-%u/%u",
                              (unsigned)(bl - 1u), (unsigned)total);
        }
        http_write_fieldf(&w, "Content-Length", "%u",
                          (unsigned)(pass ? bl : total));
        hl = http_write_end(&w);
        if (hl == 0) {
            return reply(500, NULL, NULL, out, cap, st);
        }
        if (pass && hl + bl > cap) {
            return reply(500, NULL, NULL, out, cap, st);
        }
        if (pass || hl + total <= cap) {
            bl = pass ? bl : total;
            memcpy(out + hl, scratch, bl);
            *st = pass ? 206 : 200;
            return hl + bl;
        }
        /* the 206's head is longer by its reason and Content-Range */
        if (total == 0 || cap < hl + 128u) {
            return reply(500, NULL, NULL, out, cap, st);
        }
        bl = cap - hl - 80u;
    }
    return 0;
}

size_t admin_scws_exec(uint8_t *req, size_t len, size_t req_cap,
                       bool overflow, uint8_t *out, size_t cap,
                       unsigned *status)
{
    struct http_parsed q;
    struct web_meta m;
    char head_copy_path[WEB_PATH_MAX];

    if (overflow) {
        return reply(413, NULL, NULL, out, cap, status);
    }
    if (http_parse_request((const char *)req, len, len, &q) != HTTP_PARSE_OK ||
        q.head_len + q.content_length != len) {
        return reply(400, NULL, NULL, out, cap, status);
    }
    if (q.path_len == 0 || q.path_len >= WEB_PATH_MAX) {
        return reply(414, NULL, NULL, out, cap, status);
    }
    memset(&m, 0, sizeof(m));
    memcpy(m.path, q.path, q.path_len);
    if (strncmp(m.path, ADMIN_SCWS_CONFIG, strlen(ADMIN_SCWS_CONFIG)) == 0) {
        /* users and protection sets (admin_scws_auth.c) */
        return admin_scws_config(m.path + strlen(ADMIN_SCWS_CONFIG) - 1,
                                 q.method, req + q.head_len, q.content_length,
                                 out, cap, status);
    }
    switch (q.method) {
    case HTTP_METHOD_PUT:
        return do_put((const char *)req, &q, req + q.head_len, &m, out, cap,
                      status);
    case HTTP_METHOD_DELETE: {
        int r = web_store_delete(m.path);

        return reply(r == WEB_OK ? 204 : admin_scws_web_status(r), NULL, NULL, out, cap,
                     status);
    }
    case HTTP_METHOD_GET:
        /* the request is done with: REQ becomes the scratch buffer */
        memcpy(head_copy_path, m.path, sizeof(head_copy_path));
        return do_get(head_copy_path, req, req_cap, out, cap, status);
    default:
        return reply(405, "Allow", "GET, PUT, DELETE", out, cap, status);
    }
}
