/*
 * Remote configuration of the web server's users and protection sets
 * (net/web/web_auth.h) through embedded SCWS requests under
 * ADMIN_SCWS_CONFIG. Contract: admin_scws.h, item 5.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "net/admin/admin_scws.h"
#include "net/http/http_parse.h"
#include "net/http/http_write.h"
#include "net/web/web_auth.h"
#include "net/web/web_store.h"

#define BODY_MAX 160u   /* a configuration body */

static size_t put_str(uint8_t *buf, size_t n, size_t cap, const char *s)
{
    size_t l = strlen(s);

    if (n + l > cap) {
        return cap + 1;     /* overflow: stays over CAP */
    }
    memcpy(buf + n, s, l);
    return n + l;
}

/* text/plain 200 with BODY (LEN bytes, built at OUT + 128). */
static size_t listing(uint8_t *out, size_t cap, size_t len, unsigned *st)
{
    struct http_writer w;
    char head[128];
    size_t hl;

    http_writer_init(&w, head, sizeof(head));
    http_write_status_line(&w, 200);
    http_write_field(&w, "Content-Type", "text/plain");
    http_write_fieldf(&w, "Content-Length", "%u", (unsigned)len);
    hl = http_write_end(&w);
    if (hl == 0 || hl > 128u) {
        return admin_scws_reply(500, NULL, NULL, out, cap, st);
    }
    memmove(out + hl, out + 128, len);
    memcpy(out, head, hl);
    *st = 200;
    return hl + len;
}

static size_t list_users(uint8_t *out, size_t cap, unsigned *st)
{
    char name[WEB_USER_MAX];
    enum web_secret kind;
    uint8_t ref;
    unsigned cur = 0;
    size_t n = 128;

    while (web_auth_list_users(&cur, name, &kind, &ref) == WEB_OK) {
        static const char hex[] = "0123456789ABCDEF";
        char r[8] = { ' ', 'p', 'i', 'n', ' ', hex[ref >> 4], hex[ref & 15],
                      0 };

        n = put_str(out, n, cap, name);
        n = put_str(out, n, cap, kind == WEB_SECRET_PIN ? r : " password");
        n = put_str(out, n, cap, "\n");
    }
    if (n > cap) {
        return admin_scws_reply(500, NULL, NULL, out, cap, st);
    }
    return listing(out, cap, n - 128, st);
}

static size_t list_sets(uint8_t *out, size_t cap, unsigned *st)
{
    char prefix[WEB_PREFIX_MAX], name[WEB_USER_MAX];
    uint32_t mask;
    unsigned cur = 0;
    size_t n = 128;

    while (web_auth_list_protections(&cur, prefix, &mask) == WEB_OK) {
        enum web_secret kind;
        uint8_t ref;
        unsigned uc = 0;
        bool first = true;

        n = put_str(out, n, cap, prefix);
        n = put_str(out, n, cap, " ");
        /* bit i of the mask is user slot i: the slot the cursor read */
        while (web_auth_list_users(&uc, name, &kind, &ref) == WEB_OK) {
            if (mask & (1u << (uc - 1u))) {
                n = put_str(out, n, cap, first ? "" : ",");
                n = put_str(out, n, cap, name);
                first = false;
            }
        }
        n = put_str(out, n, cap, "\n");
    }
    if (n > cap) {
        return admin_scws_reply(500, NULL, NULL, out, cap, st);
    }
    return listing(out, cap, n - 128, st);
}

/* PUT .../protect<prefix>: the comma-separated users of BODY. */
static int set_protection(const char *prefix, char *body)
{
    const char *users[WEB_USERS];
    unsigned n = 0;
    char *p = body;

    while (*p) {
        char *c = strchr(p, ',');

        if (n == WEB_USERS) {
            return WEB_ERR_PARAM;
        }
        users[n++] = p;
        if (!c) {
            break;
        }
        *c = '\0';
        p = c + 1;
    }
    return web_auth_set_protection(prefix, users, n);
}

static unsigned hexval(char c)
{
    return c >= '0' && c <= '9' ? (unsigned)(c - '0')
         : (c | 0x20) >= 'a' && (c | 0x20) <= 'f'
           ? (unsigned)((c | 0x20) - 'a' + 10) : 16u;
}

size_t admin_scws_config(const char *rest, int method, const uint8_t *body,
                         size_t len, uint8_t *out, size_t cap,
                         unsigned *status)
{
    char b[BODY_MAX];
    bool put = method == HTTP_METHOD_PUT;
    int r = WEB_ERR_PARAM;

    if (method == HTTP_METHOD_GET) {
        if (strcmp(rest, "/users") == 0) {
            return list_users(out, cap, status);
        }
        if (strcmp(rest, "/protections") == 0) {
            return list_sets(out, cap, status);
        }
        return admin_scws_reply(404, NULL, NULL, out, cap, status);
    }
    if (!put && method != HTTP_METHOD_DELETE) {
        return admin_scws_reply(405, "Allow", "GET, PUT, DELETE", out, cap,
                                status);
    }
    if (len >= sizeof(b) || memchr(body, '\0', len)) {
        return admin_scws_reply(400, NULL, NULL, out, cap, status);
    }
    memcpy(b, body, len);
    b[len] = '\0';
    if (strncmp(rest, "/user/", 6) == 0) {
        const char *name = rest + 6;

        if (!put) {
            r = web_auth_delete_user(name);
        } else if (strncmp(b, "pin:", 4) == 0 && len >= 5 && len <= 6) {
            unsigned ref = 0, v = 0;

            for (const char *c = b + 4; *c && v < 16u; c++) {
                v = hexval(*c);
                ref = ref << 4 | v;
            }
            r = v < 16u ? web_auth_set_user_pin(name, (uint8_t)ref)
                        : WEB_ERR_PARAM;
        } else if (strncmp(b, "password:", 9) == 0) {
            r = web_auth_set_user_password(name, b + 9);
        }
    } else if (strncmp(rest, "/protect/", 9) == 0) {
        const char *prefix = rest + 8;      /* with its leading '/' */

        r = put ? set_protection(prefix, b) : web_auth_delete_protection(prefix);
    } else {
        return admin_scws_reply(404, NULL, NULL, out, cap, status);
    }
    return admin_scws_reply(r == 0 ? 204 : admin_scws_web_status(r), NULL,
                            NULL, out, cap, status);
}
