/*
 * Web applets in the card's web server. Contract: card/web_applets.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "card/web_applets.h"

#include <string.h>

#include "net/http/http_app.h"
#include "net/http/http_parse.h"
#include "sys/web.h"

static const char *const reserved_segments[] = {
    "/api/", "/static/", "/_scws/",
};

static bool reserved(const char *seg, size_t len)
{
    for (size_t i = 0; i < sizeof(reserved_segments) /
         sizeof(reserved_segments[0]); i++) {
        if (strlen(reserved_segments[i]) == len &&
            memcmp(reserved_segments[i], seg, len) == 0) {
            return true;
        }
    }
    return false;
}

static bool add_field(void *ctx, const char *name, const char *value)
{
    return http_add_field(ctx, name, "%s", value);
}

static const struct sys_web_port port = {
    .reserved = reserved,
    .field = http_find_field,
    .add_field = add_field,
};

/* cardos/sdk/netcard/syscall.h NC_HTTP_* */
static uint32_t method_bit(const char *m)
{
    static const char *const names[] = { "GET", "POST", "PUT", "DELETE" };

    if (strcmp(m, "HEAD") == 0) {
        return 1u;
    }
    for (unsigned i = 0; i < 4; i++) {
        if (strcmp(m, names[i]) == 0) {
            return 1u << i;
        }
    }
    return 0;
}

static bool applet_resources(const struct http_request *req,
                             struct http_response *resp, void *ctx)
{
    int route = sys_web_match(req->path);
    struct sys_web_req r;
    struct sys_web_rsp out = { 0 };
    unsigned status;

    (void)ctx;
    if (route < 0) {
        return false;
    }
    r = (struct sys_web_req){
        .method = method_bit(req->method), .path = req->path,
        .query = req->query, .head = req->head, .head_len = req->head_len,
        .body = req->body, .body_len = req->body_len,
        .port = req->local_port,
    };
    out.buf = http_render_buffer(resp, &out.cap);
    out.ctx = resp;
    status = sys_web_run(route, &r, &out);
    if (status == 404 && out.len == 0 && out.fields == 0) {
        return false;   /* not the applet's: the card's other resources */
    }
    if (status == 405) {
        /* RFC 9110 15.5.6: the route's methods */
        (void)http_add_field(resp, "Allow", "%s%s%s%s",
                             out.allow & 1u ? "GET, HEAD" : "",
                             out.allow & 2u ? (out.allow & 1u ? ", POST" :
                                               "POST") : "",
                             out.allow & 4u ? (out.allow & 3u ? ", PUT" :
                                               "PUT") : "",
                             out.allow & 8u ? (out.allow & 7u ? ", DELETE" :
                                               "DELETE") : "");
    }
    if (out.len == 0 && status >= 400) {
        /* the card's own answer: a short text */
        static const char *const text[] = {
            "403 the application is locked\n",
            "405 method not allowed\n",
            "414 URI too long\n",
            "500 the application failed\n",
            "503 the application is busy or too slow\n",
        };
        static const unsigned codes[] = { 403, 405, 414, 500, 503 };

        for (unsigned i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
            if (codes[i] == status) {
                http_reply_static(resp, status, "text/plain", text[i],
                                  strlen(text[i]));
                return true;
            }
        }
    }
    http_reply_buffer(resp, status, sys_web_type(out.type), out.len);
    return true;
}

void card_web_applets_init(void)
{
    sys_web_set_port(&port);
}

bool card_web_applets_start(void)
{
    return http_default_add(applet_resources, NULL);
}
