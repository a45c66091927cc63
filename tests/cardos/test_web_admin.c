/*
 * Test image only: the SCWS content store over plain HTTP. See
 * test_web_admin.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tests/cardos/test_web_admin.h"

#include <string.h>

#include "net/http/http_app.h"
#include "net/web/web_auth.h"
#include "net/web/web_server.h"
#include "net/web/web_store.h"

#define PREFIX "/_scws"

static void text(struct http_response *resp, unsigned status,
                 const char *msg)
{
    http_reply(resp, status, "text/plain", msg, strlen(msg));
}

/* Copy field NAME into OUT (CAP bytes with NUL); false if too long. */
static bool field(const struct http_request *req, const char *name,
                  char *out, size_t cap)
{
    size_t len;
    const char *v = http_request_field(req, name, &len);

    if (!v) {
        out[0] = '\0';
        return true;
    }
    if (len >= cap) {
        return false;
    }
    memcpy(out, v, len);
    out[len] = '\0';
    return true;
}

struct repeat {
    const uint8_t *body;
    size_t len;
};

/* The bytes OFF.. OFF+N of the body repeated (web_data_reader). */
static const void *repeat_read(void *ctx, uint32_t off, uint32_t n)
{
    static uint8_t chunk[WEB_CHUNK];
    const struct repeat *rp = ctx;

    if (n > sizeof(chunk)) {
        return NULL;
    }
    for (uint32_t i = 0; i < n; i++) {
        chunk[i] = rp->body[(off + i) % rp->len];
    }
    return chunk;
}

static void scws_admin(const struct http_request *req,
                       struct http_response *resp, void *ctx)
{
    const char *path = req->path + strlen(PREFIX);
    struct web_meta m, old;
    size_t len;
    const char *lm;
    int r;

    (void)ctx;
    if (strcmp(req->method, "DELETE") == 0) {
        r = web_store_delete(path);
        text(resp, r == WEB_OK ? 204 : r == WEB_ERR_NOT_FOUND ? 404 :
             r == WEB_ERR_PARAM ? 400 : 500, r == WEB_OK ? "" : "not deleted\n");
        return;
    }
    if (strcmp(req->method, "PUT") != 0) {
        (void)http_add_field(resp, "Allow", "PUT, DELETE");
        text(resp, 405, "405 Method Not Allowed\n");
        return;
    }
    memset(&m, 0, sizeof(m));
    if (strlen(path) >= sizeof(m.path) || !field(req, "Content-Type", m.type,
                                                 sizeof(m.type)) ||
        !field(req, "Content-Encoding", m.encoding, sizeof(m.encoding)) ||
        !field(req, "Content-Language", m.language, sizeof(m.language))) {
        text(resp, 400, "bad path or metadata\n");
        return;
    }
    strcpy(m.path, path);
    lm = http_request_field(req, "Last-Modified", &len);
    if (lm && !web_parse_http_date(lm, len, &m.modified)) {
        text(resp, 400, "Last-Modified is not an IMF-fixdate\n");
        return;
    }
    bool existed = web_store_stat(path, &old) == WEB_OK;
    /* X-Repeat-To: N: the data is the body repeated to N bytes, so a
     * resource larger than a request (HTTP_REQ_MAX) can be made; it is
     * written chunk by chunk in one transaction (web_store_put_from). */
    lm = http_request_field(req, "X-Repeat-To", &len);
    if (lm) {
        struct repeat rp = { req->body, req->body_len };
        uint32_t to = 0;

        for (size_t i = 0; i < len && to < 0x10000000u; i++) {
            to = lm[i] >= '0' && lm[i] <= '9' ?
                 to * 10u + (uint32_t)(lm[i] - '0') : 0x10000000u;
        }
        if (!len || !req->body_len || to >= 0x10000000u) {
            text(resp, 400, "bad X-Repeat-To\n");
            return;
        }
        r = web_store_put_from(&m, to, repeat_read, &rp);
    } else {
        r = web_store_put(&m, req->body, (uint32_t)req->body_len);
    }
    switch (r) {
    case WEB_OK:
        text(resp, existed ? 204 : 201, "");
        break;
    case WEB_ERR_FULL:
        text(resp, 507, "507 Insufficient Storage\n");
        break;
    case WEB_ERR_TOO_LARGE:
        text(resp, 413, "413 Content Too Large\n");
        break;
    case WEB_ERR_PARAM:
        text(resp, 400, "bad path or metadata\n");
        break;
    default:
        text(resp, 500, "store error\n");
        break;
    }
}

#define AUTH "/_scwsauth"

static int status_of(int r)
{
    return r == WEB_OK ? 204 : r == WEB_ERR_NOT_FOUND ? 404
         : r == WEB_ERR_PARAM ? 400 : r == WEB_ERR_FULL ? 507 : 500;
}

/* PUT/DELETE /_scwsauth/user/<name> (body "pin:<ref hex>" or
 * "password:<pw>"), PUT/DELETE /_scwsauth/protect<prefix> (body: the user
 * names, comma-separated). */
static void auth_admin(const struct http_request *req,
                       struct http_response *resp, void *ctx)
{
    const char *rest = req->path + strlen(AUTH);
    bool put = strcmp(req->method, "PUT") == 0;
    char body[96];
    int r = WEB_ERR_PARAM;

    (void)ctx;
    if (!put && strcmp(req->method, "DELETE") != 0) {
        (void)http_add_field(resp, "Allow", "PUT, DELETE");
        text(resp, 405, "405 Method Not Allowed\n");
        return;
    }
    if (req->body_len >= sizeof(body)) {
        text(resp, 413, "too long\n");
        return;
    }
    memcpy(body, req->body, req->body_len);
    body[req->body_len] = '\0';
    if (strncmp(rest, "/user/", 6) == 0) {
        const char *name = rest + 6;
        if (!put) {
            r = web_auth_delete_user(name);
        } else if (strncmp(body, "pin:", 4) == 0) {
            unsigned ref = 0;
            for (const char *c = body + 4; *c; c++) {
                ref = ref * 16u + (unsigned)(*c <= '9' ? *c - '0'
                                                       : (*c | 0x20) - 'a' + 10);
            }
            r = web_auth_set_user_pin(name, (uint8_t)ref);
        } else if (strncmp(body, "password:", 9) == 0) {
            r = web_auth_set_user_password(name, body + 9);
        }
    } else if (strncmp(rest, "/protect/", 9) == 0) {
        const char *prefix = rest + 8;
        if (!put) {
            r = web_auth_delete_protection(prefix);
        } else {
            const char *users[WEB_USERS];
            unsigned n = 0;
            char *s = body;
            while (*s && n < WEB_USERS) {
                users[n++] = s;
                while (*s && *s != ',') {
                    s++;
                }
                if (*s) {
                    *s++ = '\0';
                }
            }
            r = web_auth_set_protection(prefix, users, n);
        }
    }
    text(resp, (unsigned)status_of(r), r == WEB_OK ? "" : "refused\n");
}

bool test_web_admin_init(void)
{
    return http_route_add(NULL, PREFIX "/", scws_admin, NULL) &&
           http_route_add(NULL, AUTH "/", auth_admin, NULL);
}
