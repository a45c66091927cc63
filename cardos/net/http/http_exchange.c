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
    bool no_body;             /* http_reply_no_body */
    bool has_src;             /* http_reply_source */
    struct http_body_source src;
    size_t extra_len;
    char extra[HTTP_EXTRA_MAX];
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
static http_access_check access_check;

void http_set_access_check(http_access_check check)
{
    access_check = check;
}

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

const char *http_request_field(const struct http_request *req,
                               const char *name, size_t *len)
{
    const char *v;
    size_t vl;

    if (!req->head || !http_find_field(req->head, req->head_len, name, &v,
                                       &vl)) {
        return NULL;
    }
    if (len) {
        *len = vl;
    }
    return v;
}

bool http_add_field(struct http_response *resp, const char *name,
                    const char *fmt, ...)
{
    char *out = resp->extra + resp->extra_len;
    size_t room = sizeof(resp->extra) - resp->extra_len;
    va_list ap;
    int a, b;

    a = log_snprintf(out, room, "%s: ", name);
    if (a < 0 || (size_t)a >= room) {
        return false;
    }
    va_start(ap, fmt);
    b = log_vsnprintf(out + a, room - (size_t)a, fmt, ap);
    va_end(ap);
    if (b < 0 || (size_t)(a + b) + 2u >= room) {
        return false;
    }
    for (int i = 0; i < a + b; i++) {
        if (out[i] == '\r' || out[i] == '\n') {
            return false;         /* would split the head */
        }
    }
    out[a + b] = '\r';
    out[a + b + 1] = '\n';
    resp->extra_len += (size_t)(a + b) + 2u;
    return true;
}

uint8_t *http_render_buffer(struct http_response *resp, size_t *cap)
{
    (void)resp;
    *cap = sizeof(render_buf);
    return (uint8_t *)render_buf;
}

void http_reply_buffer(struct http_response *resp, unsigned status,
                       const char *content_type, size_t len)
{
    resp->rendered = len > sizeof(render_buf) ? sizeof(render_buf) : len;
    http_reply_rendered(resp, status, content_type);
}

void http_reply_no_body(struct http_response *resp, unsigned status,
                        const char *content_type, size_t len)
{
    resp->status = status;
    resp->type = content_type;
    resp->body = NULL;
    resp->len = len;
    resp->is_static = false;
    resp->no_body = true;
    resp->answered = true;
}

void http_reply_source(struct http_response *resp, unsigned status,
                       const char *content_type,
                       const struct http_body_source *src, size_t len)
{
    resp->status = status;
    resp->type = content_type;
    resp->body = NULL;
    resp->len = len;
    resp->is_static = false;
    resp->has_src = src && src->read && len;
    if (resp->has_src) {
        resp->src = *src;
    }
    resp->answered = true;
}

uint8_t *http_exchange_scratch(size_t *cap)
{
    *cap = sizeof(render_buf);
    return (uint8_t *)render_buf;
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
    /* Protection (401/403) before any handler sees the request. */
    if (access_check && !access_check(&req, resp)) {
        handled = true;
    }
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

/* Does EXTRA hold a field NAME (at a line start, case-insensitive)? */
static bool extra_has(const char *extra, size_t extra_len, const char *name)
{
    size_t n = strlen(name);

    for (size_t i = 0; i + n < extra_len; ) {
        bool match = true;
        for (size_t k = 0; k < n && match; k++) {
            char c = extra[i + k];
            if (c >= 'A' && c <= 'Z') {
                c = (char)(c - 'A' + 'a');
            }
            char d = name[k];
            if (d >= 'A' && d <= 'Z') {
                d = (char)(d - 'A' + 'a');
            }
            match = c == d;
        }
        if (match && extra[i + n] == ':') {
            return true;
        }
        while (i < extra_len && extra[i] != '\n') {
            i++;
        }
        i++;
    }
    return false;
}

size_t http_format_head(char *out, size_t size, unsigned status,
                        const char *type, size_t len, bool keep_alive,
                        bool is_static, const char *extra, size_t extra_len)
{
    struct http_writer w;
    size_t n;

    http_writer_init(&w, out, size);
    http_write_status_line(&w, status);
    http_write_fieldf(&w, "Server", "netcard-cardos/%s", cardos_version);
    http_write_field(&w, "Content-Type",
                     type ? type : "application/octet-stream");
    http_write_fieldf(&w, "Content-Length", "%u", (unsigned)len);
    if (!is_static && !extra_has(extra, extra_len, "Cache-Control")) {
        http_write_field(&w, "Cache-Control", "no-store");
    }
    if (status == 405 && extra_has(extra, extra_len, "Allow")) {
        /* the handler's own Allow */
    } else if (status == 405) {
        http_write_field(&w, "Allow", "GET, HEAD");
    } else if (status == 503) {
        http_write_field(&w, "Retry-After", "1");
    }
    http_write_field(&w, "Connection", keep_alive ? "keep-alive" : "close");
    n = http_write_end(&w);
    /* The handler's fields go before the empty line that ends the head. */
    if (n && extra_len) {
        if (n + extra_len > size) {
            return 0;
        }
        memmove(out + n - 2 + extra_len, out + n - 2, 2);
        memcpy(out + n - 2, extra, extra_len);
        n += extra_len;
    }
    return n;
}

static void describe(struct http_exchange *ex,
                     const struct http_response *resp, bool head_only)
{
    ex->status = resp->status;
    ex->head_len = http_format_head(ex->head, sizeof(ex->head), resp->status,
                                    resp->type, resp->len, ex->keep_alive,
                                    resp->is_static, resp->extra,
                                    resp->extra_len);
    if (!head_only && !resp->no_body) {
        ex->body = resp->body;
        ex->body_len = resp->len;
        ex->body_is_static = resp->is_static;
        ex->body_is_source = resp->has_src;
        if (resp->has_src) {
            ex->src = resp->src;
        }
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
