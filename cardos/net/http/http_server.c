/*
 * On-card web server on lwIP's raw TCP API. See http_server.h.
 *
 * Each connection slot holds the bytes of the request being received
 * (HTTP_REQ_MAX). A request is dispatched once complete and once the
 * connection has send room for a whole rendered response, so a handler
 * runs exactly once and its output is queued at once (copied into lwIP's
 * heap); static bodies are sent in place from ROM, as send room allows.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "net/http/http_server.h"

#include <stdarg.h>
#include <string.h>

#include "net/http/http_app.h"
#include "kernel/version.h"
#include "lwip/sys.h"
#include "lwip/tcp.h"
#include "net/http/http_parse.h"

#define LOG_MODULE "http"
#include "kernel/log.h"

/* Room a connection must have before a request is dispatched. */
#define HTTP_NEED_ROOM    (HTTP_RENDER_MAX + HTTP_HEAD_OUT_MAX)
/* tcp_poll interval: TCP slow timer ticks of 500 ms. */
#define HTTP_POLL_TICKS   1u

enum conn_state {
    CONN_FREE = 0,
    CONN_READING,     /* idle or receiving a request */
    CONN_SENDING,     /* a static body is being sent */
    CONN_LINGER,      /* error sent, TX shut, discarding input */
};

struct http_conn {
    struct tcp_pcb *pcb;
    enum conn_state state;
    bool keep_alive;          /* of the response in progress */
    bool peer_closed;         /* FIN received */
    uint16_t local_port;
    uint32_t t_first;         /* first byte of the current request */
    uint32_t t_last;          /* last progress */
    const uint8_t *tx_ptr;    /* static body still to send */
    size_t tx_left;
    /*
     * Received bytes that did not fit req[] yet (pipelined requests behind
     * one waiting for send room). They are acknowledged to the TCP window
     * only when they move into req[], so the peer is flow-controlled
     * instead of its requests being dropped.
     */
    struct pbuf *rx_pending;
    size_t req_len;
    char req[HTTP_REQ_MAX];         /* last: slot set-up clears up to here */
};

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

static struct http_conn conns[HTTP_MAX_CONN];
static char render_buf[HTTP_RENDER_MAX];
static struct http_route routes[HTTP_MAX_ROUTES];
static unsigned n_routes;
static struct http_server_stats stats;

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

/* ---- Connections ---------------------------------------------------- */

static void conn_free(struct http_conn *c)
{
    if (c->rx_pending) {
        pbuf_free(c->rx_pending);
        c->rx_pending = NULL;
    }
    if (c->pcb) {
        tcp_arg(c->pcb, NULL);
        tcp_recv(c->pcb, NULL);
        tcp_sent(c->pcb, NULL);
        tcp_err(c->pcb, NULL);
        tcp_poll(c->pcb, NULL, 0);
    }
    c->pcb = NULL;
    c->state = CONN_FREE;
    stats.active--;
}

/* Close a PCB that has no connection slot (a refused one). */
static err_t pcb_close_detached(struct tcp_pcb *pcb)
{
    tcp_arg(pcb, NULL);
    tcp_recv(pcb, NULL);
    tcp_sent(pcb, NULL);
    tcp_err(pcb, NULL);
    tcp_poll(pcb, NULL, 0);
    if (tcp_close(pcb) != ERR_OK) {
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    return ERR_OK;
}

/* Graceful close; falls back to abort. Returns ERR_ABRT if aborted. */
static err_t conn_close(struct http_conn *c)
{
    struct tcp_pcb *pcb = c->pcb;

    conn_free(c);
    if (tcp_close(pcb) != ERR_OK) {
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    return ERR_OK;
}

static err_t conn_abort(struct http_conn *c)
{
    struct tcp_pcb *pcb = c->pcb;

    stats.aborted++;
    conn_free(c);
    tcp_abort(pcb);
    return ERR_ABRT;
}

static size_t format_head(char *out, size_t size, unsigned status,
                          const char *type, size_t len, bool keep_alive,
                          bool is_static)
{
    int n = log_snprintf(out, size,
                         "HTTP/1.1 %u %s\r\n"
                         "Server: netcard-cardos/%s\r\n"
                         "Content-Type: %s\r\n"
                         "Content-Length: %u\r\n"
                         "%s"
                         "%s"
                         "Connection: %s\r\n\r\n",
                         status, http_reason(status), cardos_version,
                         type ? type : "application/octet-stream",
                         (unsigned)len,
                         is_static ? "" : "Cache-Control: no-store\r\n",
                         status == 405 ? "Allow: GET, HEAD\r\n" :
                         status == 503 ? "Retry-After: 1\r\n" : "",
                         keep_alive ? "keep-alive" : "close");
    return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

/* Queue as much of the static body as fits. */
static err_t conn_send_more(struct http_conn *c)
{
    while (c->tx_left) {
        size_t room = tcp_sndbuf(c->pcb);
        size_t n = c->tx_left < room ? c->tx_left : room;
        err_t e;

        if (n > 0xffffu) {
            n = 0xffffu;
        }
        if (n == 0 || tcp_sndqueuelen(c->pcb) >= TCP_SND_QUEUELEN - 1) {
            break;
        }
        e = tcp_write(c->pcb, c->tx_ptr, (u16_t)n,
                      n < c->tx_left ? TCP_WRITE_FLAG_MORE : 0);
        if (e == ERR_MEM) {
            break;          /* retried from the sent/poll callbacks */
        }
        if (e != ERR_OK) {
            return conn_abort(c);
        }
        c->tx_ptr += n;
        c->tx_left -= n;
        c->t_last = sys_now();
    }
    tcp_output(c->pcb);
    if (c->tx_left == 0) {
        c->state = CONN_READING;
        if (!c->keep_alive || c->peer_closed) {
            return conn_close(c);
        }
    }
    return ERR_OK;
}

/*
 * Queue a complete response. Error responses (LINGER) close the write
 * side afterwards and discard further input.
 */
static err_t conn_respond(struct http_conn *c, const struct http_response *r,
                          bool head_only, bool linger)
{
    char head[HTTP_HEAD_OUT_MAX];
    size_t hl = format_head(head, sizeof(head), r->status, r->type, r->len,
                            c->keep_alive && !linger, r->is_static);
    bool body = !head_only && r->len > 0;
    err_t e;

    if (hl == 0) {
        return conn_abort(c);
    }
    e = tcp_write(c->pcb, head, (u16_t)hl,
                  TCP_WRITE_FLAG_COPY | (body ? TCP_WRITE_FLAG_MORE : 0));
    if (e == ERR_OK && body && !r->is_static) {
        e = tcp_write(c->pcb, r->body, (u16_t)r->len, TCP_WRITE_FLAG_COPY);
    }
    if (e != ERR_OK) {
        return conn_abort(c);     /* out of lwIP memory */
    }
    c->t_last = sys_now();
    if (linger) {
        tcp_output(c->pcb);
        c->state = CONN_LINGER;
        c->req_len = 0;
        if (tcp_shutdown(c->pcb, 0, 1) != ERR_OK) {
            return conn_abort(c);
        }
        if (c->peer_closed) {
            return conn_close(c);
        }
        return ERR_OK;
    }
    if (body && r->is_static) {
        c->state = CONN_SENDING;
        c->tx_ptr = r->body;
        c->tx_left = r->len;
        return conn_send_more(c);
    }
    tcp_output(c->pcb);
    if (!c->keep_alive || c->peer_closed) {
        return conn_close(c);
    }
    return ERR_OK;
}

static err_t conn_error(struct http_conn *c, unsigned status)
{
    struct http_response r = { 0 };
    char body[64];
    int n = log_snprintf(body, sizeof(body), "%u %s\n", status,
                         http_reason(status));

    stats.errors++;
    if (status == 408) {
        stats.timeouts++;
    }
    memcpy(render_buf, body, (size_t)n);
    r.status = status;
    r.type = "text/plain";
    r.body = (const uint8_t *)render_buf;
    r.len = (size_t)n;
    return conn_respond(c, &r, false, true);
}

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
    if (!handled) {
        handled = http_builtin_dispatch(&req, resp);
    }
    if (!handled) {
        static const char nf[] = "404 Not Found\n";
        http_reply_static(resp, 404, "text/plain", nf, sizeof(nf) - 1);
    } else if (!resp->answered) {
        static const char ie[] = "500 handler gave no response\n";
        http_reply_static(resp, 500, "text/plain", ie, sizeof(ie) - 1);
    }
}

static err_t conn_dispatch(struct http_conn *c, const struct http_parsed *p)
{
    struct http_response resp;

    c->keep_alive = p->keep_alive;
    dispatch(p, c->req, c->local_port, &resp);
    return conn_respond(c, &resp, p->method == HTTP_METHOD_HEAD, false);
}

static unsigned parse_error_status(enum http_parse_result r)
{
    switch (r) {
    case HTTP_PARSE_TOO_LARGE: return 431;
    case HTTP_PARSE_VERSION:   return 505;
    case HTTP_PARSE_NOT_IMPL:  return 501;
    default:                   return 400;
    }
}

bool http_exchange_run(char *buf, size_t len, size_t max, uint16_t port,
                       struct http_exchange *ex)
{
    struct http_parsed p;
    struct http_response resp;
    enum http_parse_result r = http_parse_request(buf, len, max, &p);
    bool head_only = false;

    memset(ex, 0, sizeof(*ex));
    if (r == HTTP_PARSE_INCOMPLETE) {
        return false;
    }
    if (r == HTTP_PARSE_OK && p.content_length > max - p.head_len) {
        r = HTTP_PARSE_TOO_LARGE;
        ex->status = 413;
    }
    if (r == HTTP_PARSE_OK) {
        if (len < p.head_len + p.content_length) {
            return false;
        }
        dispatch(&p, buf, port, &resp);
        ex->keep_alive = p.keep_alive;
        ex->consumed = p.head_len + p.content_length;
        head_only = p.method == HTTP_METHOD_HEAD;
    } else {
        unsigned st = ex->status ? ex->status : parse_error_status(r);
        int n = log_snprintf(render_buf, sizeof(render_buf), "%u %s\n", st,
                             http_reason(st));
        stats.errors++;
        memset(&resp, 0, sizeof(resp));
        resp.status = st;
        resp.type = "text/plain";
        resp.body = (const uint8_t *)render_buf;
        resp.len = (size_t)n;
        ex->keep_alive = false;
        ex->consumed = len;
    }
    ex->status = resp.status;
    ex->head_len = format_head(ex->head, sizeof(ex->head), resp.status,
                               resp.type, resp.len, ex->keep_alive,
                               resp.is_static);
    if (!head_only) {
        ex->body = resp.body;
        ex->body_len = resp.len;
        ex->body_is_static = resp.is_static;
    }
    return true;
}

/* Parse and answer what has arrived, as far as possible. */
static err_t conn_process(struct http_conn *c)
{
    while (c->state == CONN_READING && c->req_len > 0) {
        struct http_parsed p;
        enum http_parse_result r;
        size_t total;
        err_t e;

        /* Dispatch only with room for a whole response (see the top). */
        if (tcp_sndbuf(c->pcb) < HTTP_NEED_ROOM ||
            tcp_sndqueuelen(c->pcb) + 4u > TCP_SND_QUEUELEN) {
            return ERR_OK;              /* retried when data is acked */
        }
        r = http_parse_request(c->req, c->req_len, sizeof(c->req), &p);
        switch (r) {
        case HTTP_PARSE_INCOMPLETE:
            return ERR_OK;
        case HTTP_PARSE_BAD:
            return conn_error(c, 400);
        case HTTP_PARSE_TOO_LARGE:
            return conn_error(c, 431);
        case HTTP_PARSE_VERSION:
            return conn_error(c, 505);
        case HTTP_PARSE_NOT_IMPL:
            return conn_error(c, 501);
        case HTTP_PARSE_OK:
            break;
        }
        total = p.head_len + p.content_length;
        if (p.content_length > sizeof(c->req) - p.head_len) {
            return conn_error(c, 413);
        }
        if (c->req_len < total) {
            return ERR_OK;              /* body still arriving */
        }
        e = conn_dispatch(c, &p);
        if (e != ERR_OK || c->state == CONN_FREE) {
            return e;
        }
        /* Keep pipelined bytes that follow this request. */
        memmove(c->req, c->req + total, c->req_len - total);
        c->req_len -= total;
        c->t_first = sys_now();
    }
    return ERR_OK;
}

/*
 * Move pending input into req[] as room allows, opening the TCP window by
 * what was moved, and answer what is complete; repeat while answering
 * frees room. A request larger than req[] still fills it and is then
 * refused by the parser (431/413).
 */
static err_t conn_pull_and_process(struct http_conn *c)
{
    for (;;) {
        size_t room = sizeof(c->req) - c->req_len;
        size_t before = c->req_len;
        err_t e;

        if (c->state == CONN_LINGER && c->rx_pending) {
            /* After an error response input is discarded (see LINGER). */
            tcp_recved(c->pcb, c->rx_pending->tot_len);
            pbuf_free(c->rx_pending);
            c->rx_pending = NULL;
        }
        if (c->state == CONN_READING && c->rx_pending && room > 0) {
            u16_t n = c->rx_pending->tot_len < room ?
                      c->rx_pending->tot_len : (u16_t)room;

            if (c->req_len == 0) {
                c->t_first = sys_now();
            }
            pbuf_copy_partial(c->rx_pending, c->req + c->req_len, n, 0);
            c->req_len += n;
            c->rx_pending = pbuf_free_header(c->rx_pending, n);
            tcp_recved(c->pcb, n);
        }
        e = conn_process(c);
        if (e != ERR_OK || c->state == CONN_FREE) {
            return e;
        }
        /* Go round again only if answering made room for more input. */
        if (!c->rx_pending || c->state != CONN_READING ||
            c->req_len >= before) {
            return ERR_OK;
        }
    }
}

static err_t http_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p,
                       err_t err)
{
    struct http_conn *c = arg;

    (void)err;
    if (!c) {                       /* refused (503) connection */
        if (p) {
            tcp_recved(pcb, p->tot_len);
            pbuf_free(p);
            return ERR_OK;
        }
        return pcb_close_detached(pcb);
    }
    if (!p) {
        c->peer_closed = true;
        if (c->state == CONN_LINGER ||
            (c->state == CONN_READING && c->req_len == 0)) {
            return conn_close(c);
        }
        if (c->state == CONN_READING) {
            /* An incomplete request will never complete. */
            struct http_parsed pr;
            if (http_parse_request(c->req, c->req_len, sizeof(c->req), &pr)
                == HTTP_PARSE_INCOMPLETE) {
                return conn_close(c);
            }
        }
        return ERR_OK;
    }
    c->t_last = sys_now();
    if (c->state == CONN_LINGER) {
        tcp_recved(pcb, p->tot_len);
        pbuf_free(p);
        return ERR_OK;
    }
    if (c->rx_pending) {
        pbuf_cat(c->rx_pending, p);
    } else {
        c->rx_pending = p;
    }
    return conn_pull_and_process(c);
}

static err_t http_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    struct http_conn *c = arg;
    err_t e;

    (void)pcb;
    (void)len;
    if (!c) {
        return ERR_OK;
    }
    c->t_last = sys_now();
    if (c->state == CONN_SENDING) {
        e = conn_send_more(c);
        if (e != ERR_OK || c->state == CONN_FREE) {
            return e;
        }
    }
    return conn_pull_and_process(c);
}

static void http_err(void *arg, err_t err)
{
    struct http_conn *c = arg;

    (void)err;
    if (c) {
        c->pcb = NULL;          /* lwIP has freed it */
        if (c->rx_pending) {
            pbuf_free(c->rx_pending);
            c->rx_pending = NULL;
        }
        c->state = CONN_FREE;
        stats.active--;
    }
}

static err_t http_poll(void *arg, struct tcp_pcb *pcb)
{
    struct http_conn *c = arg;
    uint32_t now = sys_now();

    if (!c) {
        /* A refused (503) connection: close after the linger time. */
        return pcb_close_detached(pcb);
    }
    switch (c->state) {
    case CONN_READING:
        if (c->req_len > 0 && now - c->t_first >= HTTP_REQUEST_TIMEOUT_MS) {
            return conn_error(c, 408);
        }
        if (c->req_len == 0 && now - c->t_last >= HTTP_IDLE_TIMEOUT_MS) {
            return conn_close(c);
        }
        return conn_pull_and_process(c);
    case CONN_SENDING:
        if (now - c->t_last >= HTTP_SEND_TIMEOUT_MS) {
            return conn_abort(c);
        }
        return conn_send_more(c);
    case CONN_LINGER:
        if (now - c->t_last >= HTTP_LINGER_MS) {
            return conn_close(c);
        }
        return ERR_OK;
    case CONN_FREE:
        break;
    }
    return ERR_OK;
}

/* All slots busy: 503, then linger like an error response. */
static void http_refuse(struct tcp_pcb *pcb)
{
    char head[HTTP_HEAD_OUT_MAX];
    static const char body[] = "503 Service Unavailable\n";
    size_t hl = format_head(head, sizeof(head), 503, "text/plain",
                            sizeof(body) - 1, false, true);

    stats.rejected_busy++;
    stats.errors++;
    tcp_arg(pcb, NULL);
    tcp_recv(pcb, http_recv);
    tcp_poll(pcb, http_poll, (u8_t)(HTTP_LINGER_MS / 500u));
    if (tcp_write(pcb, head, (u16_t)hl, TCP_WRITE_FLAG_COPY |
                  TCP_WRITE_FLAG_MORE) != ERR_OK ||
        tcp_write(pcb, body, sizeof(body) - 1, 0) != ERR_OK ||
        tcp_shutdown(pcb, 0, 1) != ERR_OK) {
        tcp_abort(pcb);
    }
}

static err_t http_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct tcp_pcb *listener = arg;
    struct http_conn *c = NULL;

    if (err != ERR_OK || !pcb) {
        return ERR_VAL;
    }
    for (unsigned i = 0; i < HTTP_MAX_CONN; i++) {
        if (conns[i].state == CONN_FREE) {
            c = &conns[i];
            break;
        }
    }
    tcp_nagle_disable(pcb);
    if (!c) {
        http_refuse(pcb);
        return ERR_OK;
    }
    memset(c, 0, offsetof(struct http_conn, req));
    c->pcb = pcb;
    c->state = CONN_READING;
    c->local_port = listener ? listener->local_port : 0;
    c->t_first = c->t_last = sys_now();
    stats.active++;
    tcp_arg(pcb, c);
    tcp_recv(pcb, http_recv);
    tcp_sent(pcb, http_sent);
    tcp_err(pcb, http_err);
    tcp_poll(pcb, http_poll, HTTP_POLL_TICKS);
    return ERR_OK;
}

static bool http_listen(u16_t port)
{
    struct tcp_pcb *pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
    struct tcp_pcb *lpcb;

    if (!pcb || tcp_bind(pcb, IP4_ADDR_ANY, port) != ERR_OK) {
        LOG_E("cannot bind port %u", (unsigned)port);
        if (pcb) {
            tcp_abort(pcb);
        }
        return false;
    }
    lpcb = tcp_listen(pcb);
    if (!lpcb) {
        LOG_E("cannot listen on port %u", (unsigned)port);
        tcp_abort(pcb);
        return false;
    }
    tcp_arg(lpcb, lpcb);
    tcp_accept(lpcb, http_accept);
    return true;
}

bool http_server_init(void)
{
    bool ok = http_listen(HTTP_PORT) && http_listen(HTTP_SCWS_PORT);

    (void)http_builtin_register();

    if (ok) {
        LOG_I("listening on ports %u and %u", HTTP_PORT, HTTP_SCWS_PORT);
    }
    return ok;
}

void http_server_get_stats(struct http_server_stats *out)
{
    *out = stats;
}

size_t http_server_ram_bytes(void)
{
    return sizeof(conns) + sizeof(render_buf) + sizeof(routes);
}
