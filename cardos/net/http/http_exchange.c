/*
 * One HTTP exchange, independent of the transport, and the handler API
 * (http_app.h). See http_exchange.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "net/http/http_exchange.h"

#include <stdarg.h>
#include <string.h>

#include "kernel/log.h"
#include "kernel/version.h"
#include "net/http/http_app.h"
#include "net/http/http_parse.h"
#include "net/http/http_write.h"

struct http_response {
    unsigned status;
    const char *type;
    const uint8_t *body;
    size_t len;
    bool is_static;
    bool answered;
    size_t rendered;
    bool overflow;
};

struct http_route {
    const char *method;
    const char *path;
    http_handler handler;
    void *ctx;
};

struct http_default {
    http_default_handler handler;
    void *ctx;
};

static char render_buf[HTTP_RENDER_MAX];
static struct http_route routes[HTTP_MAX_ROUTES];
static unsigned n_routes;
static struct http_default defaults[HTTP_MAX_DEFAULTS];
static unsigned n_defaults;
static struct http_exchange_stats stats;

/* ---- Handler API ---------------------------------------------------- */

bool http_route_add(const char *method, const char *path,
                    http_handler handler, void *ctx)
{
    if (n_routes >= HTTP_MAX_ROUTES || !path || !handler) {
        return false;
    }
    routes[n_routes++] = (struct http_route){ method, path, handler, ctx };
    return true;
}

bool http_default_add(http_default_handler handler, void *ctx)
{
    if (n_defaults >= HTTP_MAX_DEFAULTS || !handler) {
        return false;
    }
    defaults[n_defaults++] = (struct http_default){ handler, ctx };
    return true;
}

void http_reply_static(struct http_response *resp, unsigned status,
                       const char *content_type, const void *body,
                       size_t len)
{
    resp->status = status;
    resp->type = content_type;
    resp->body = body;
    resp->len = len;
    resp->is_static = true;
    resp->answered = true;
}

bool http_request_field(const struct http_request *req, const char *name,
                        const char **value, size_t *value_len)
{
    return req->head != NULL &&
           http_find_field(req->head, req->head_len, name, value, value_len);
}

void *http_reply_buffer(size_t *cap)
{
    *cap = sizeof(render_buf);
    return render_buf;
}

void http_reply(struct http_response *resp, unsigned status,
                const char *content_type, const void *body, size_t len)
{
    if (len > sizeof(render_buf)) {
        status = 500;
        content_type = "text/plain";
        body = "response too large\n";
        len = strlen(body);
    }
    memmove(render_buf, body, len);
    resp->status = status;
    resp->type = content_type;
    resp->body = (const uint8_t *)render_buf;
    resp->len = len;
    resp->is_static = false;
    resp->answered = true;
}

bool http_printf(struct http_response *resp, const char *fmt, ...)
{
    va_list ap;
    size_t room = sizeof(render_buf) - resp->rendered;
    int n;

    if (resp->overflow) {
        return false;
    }
    va_start(ap, fmt);
    n = log_vsnprintf(render_buf + resp->rendered, room, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= room) {
        resp->overflow = true;
        resp->rendered = sizeof(render_buf) - 1;
        return false;
    }
    resp->rendered += (size_t)n;
    return true;
}

void http_reply_rendered(struct http_response *resp, unsigned status,
                         const char *content_type)
{
    resp->status = status;
    resp->type = content_type;
    resp->body = (const uint8_t *)render_buf;
    resp->len = resp->rendered;
    resp->is_static = false;
    resp->answered = true;
}

/* ---- Dispatch ------------------------------------------------------- */

static bool route_matches(const struct http_route *rt, const char *method,
                          const char *path)
{
    size_t pl = strlen(rt->path);

    if (rt->method && strcmp(rt->method, method) != 0) {
        return false;
    }
    if (pl && rt->path[pl - 1] == '/') {
        return strncmp(path, rt->path, pl) == 0;
    }
    return strcmp(path, rt->path) == 0;
}

/* Run the handler for a parsed, complete request; fills *resp. */
static void dispatch(const struct http_parsed *p, const char *buf,
                     uint16_t port, struct http_response *resp)
{
    struct http_request req = {
        .method = p->method_name,
        .path = p->path,
        .query = p->query,
        .body = (const uint8_t *)buf + p->head_len,
        .body_len = p->content_length,
        .local_port = port,
        .head = buf,
        .head_len = p->head_len,
    };
    bool handled = false;

    memset(resp, 0, sizeof(*resp));
    stats.requests++;
    for (unsigned i = 0; i < n_routes && !handled; i++) {
        if (route_matches(&routes[i], req.method, req.path)) {
            routes[i].handler(&req, resp, routes[i].ctx);
            handled = true;
        }
    }
    /* Default resources come after every route (http_app.h). */
    for (unsigned i = 0; i < n_defaults && !handled; i++) {
        handled = defaults[i].handler(&req, resp, defaults[i].ctx);
    }
    if (!handled) {
        static const char nf[] = "404 Not Found\n";
        http_reply_static(resp, 404, "text/plain", nf, sizeof(nf) - 1);
    } else if (!resp->answered) {
        static const char ie[] = "500 handler gave no response\n";
        http_reply_static(resp, 500, "text/plain", ie, sizeof(ie) - 1);
    }
}

size_t http_format_head(char *out, size_t size, unsigned status,
                        const char *type, size_t len, bool keep_alive,
                        bool is_static)
{
    struct http_writer w;

    http_writer_init(&w, out, size);
    http_write_status_line(&w, status);
    http_write_fieldf(&w, "Server", "netcard-cardos/%s", cardos_version);
    http_write_field(&w, "Content-Type",
                     type ? type : "application/octet-stream");
    http_write_fieldf(&w, "Content-Length", "%u", (unsigned)len);
    if (!is_static) {
        http_write_field(&w, "Cache-Control", "no-store");
    }
    if (status == 405) {
        http_write_field(&w, "Allow", "GET, HEAD");
    } else if (status == 503) {
        http_write_field(&w, "Retry-After", "1");
    }
    http_write_field(&w, "Connection", keep_alive ? "keep-alive" : "close");
    return http_write_end(&w);
}

static void describe(struct http_exchange *ex,
                     const struct http_response *resp, bool head_only)
{
    ex->status = resp->status;
    ex->head_len = http_format_head(ex->head, sizeof(ex->head), resp->status,
                                    resp->type, resp->len, ex->keep_alive,
                                    resp->is_static);
    if (!head_only) {
        ex->body = resp->body;
        ex->body_len = resp->len;
        ex->body_is_static = resp->is_static;
    }
}

void http_exchange_error(unsigned status, struct http_exchange *ex)
{
    struct http_response resp = { 0 };
    int n = log_snprintf(render_buf, sizeof(render_buf), "%u %s\n", status,
                         http_reason(status));

    memset(ex, 0, sizeof(*ex));
    resp.status = status;
    resp.type = "text/plain";
    resp.body = (const uint8_t *)render_buf;
    resp.len = n > 0 ? (size_t)n : 0;
    ex->error = true;
    ex->keep_alive = false;
    describe(ex, &resp, false);
}

static unsigned parse_error_status(enum http_parse_result r)
{
    switch (r) {
    case HTTP_PARSE_TOO_LARGE: return 431;
    case HTTP_PARSE_CONTENT_TOO_LARGE: return 413;
    case HTTP_PARSE_VERSION:   return 505;
    case HTTP_PARSE_NOT_IMPL:  return 501;
    default:                   return 400;
    }
}

bool http_exchange_run(struct http_reader *rd, char *buf, size_t len,
                       size_t max, uint16_t port, struct http_exchange *ex)
{
    struct http_parsed p;
    struct http_response resp;
    enum http_parse_result r = http_reader_feed(rd, buf, len, max);

    if (r == HTTP_PARSE_INCOMPLETE) {
        return false;                   /* head or body still arriving */
    }
    if (r != HTTP_PARSE_OK) {
        stats.errors++;
        http_exchange_error(parse_error_status(r), ex);
        ex->consumed = len;
        http_reader_init(rd);
        return true;
    }
    p = rd->req;
    http_reader_init(rd);
    /* The handler gets C strings: the only bytes of BUF ever written. */
    http_parsed_terminate(&p, buf);
    memset(ex, 0, sizeof(*ex));
    dispatch(&p, buf, port, &resp);
    ex->keep_alive = p.keep_alive;
    ex->consumed = p.head_len + p.content_length;
    describe(ex, &resp, p.method == HTTP_METHOD_HEAD);
    return true;
}

void http_exchange_get_stats(struct http_exchange_stats *out)
{
    *out = stats;
}

size_t http_exchange_ram_bytes(void)
{
    return sizeof(render_buf) + sizeof(routes) + sizeof(defaults);
}
