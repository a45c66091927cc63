/*
 * On-card web server on lwIP's raw TCP API. See http_server.h.
 *
 * Each connection slot holds the bytes of the request being received
 * (HTTP_REQ_MAX). A request is answered (http_exchange.h) once complete
 * and once the connection has send room for a whole rendered response,
 * so a handler runs exactly once and its output is queued at once
 * (copied into lwIP's heap); static bodies are sent in place from ROM, as
 * send room allows.
 *
 * A connection takes a slot with its first bytes, not when it is
 * accepted: until then (and after an error response, or once it gave its
 * slot up) it is only an lwIP PCB, "waiting", at TCP_PRIO_MIN, which
 * lwIP's tcp_alloc() takes back (the longest inactive first, with a
 * reset) when a new connection finds no free PCB. Connections holding a
 * slot are at TCP_PRIO_NORMAL: lwIP never takes them. When every slot is
 * busy, the first bytes of a connection may take one (slot_take()), or
 * get 503.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "net/http/http_server.h"

#include <string.h>

#include "lwip/sys.h"
#include "lwip/tcp.h"
#include "net/http/http_app.h"
#include "net/http/http_exchange.h"
#include "net/http/http_parse.h"
#include "net/http/http_pcb.h"

#define LOG_MODULE "http"
#include "kernel/log.h"

/* Room a connection must have before a request is answered. */
#define HTTP_NEED_ROOM    (HTTP_RENDER_MAX + HTTP_HEAD_OUT_MAX)
/* tcp_poll interval: TCP slow timer ticks of 500 ms. */
#define HTTP_POLL_TICKS   1u

enum conn_state {
    CONN_FREE = 0,
    CONN_READING,     /* idle or receiving a request */
    CONN_SENDING,     /* a static or streamed body is being sent */
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
    bool tx_src;              /* ... or streamed body: pulled from src */
    struct http_body_source src;
    /*
     * Received bytes that did not fit req[] yet (pipelined requests behind
     * one waiting for send room). They are acknowledged to the TCP window
     * only when they move into req[], so the peer is flow-controlled
     * instead of its requests being dropped.
     */
    struct pbuf *rx_pending;
    struct http_reader rd;    /* the request in req[], read as it arrives */
    size_t req_len;
    char req[HTTP_REQ_MAX];         /* last: slot set-up clears up to here */
};

/* What this transport counts; requests and parse errors: http_exchange. */
struct tcp_stats {
    uint32_t errors;          /* 503 refusals and 408 time-outs */
    uint32_t rejected_busy;
    uint32_t timeouts;
    uint32_t aborted;
    uint32_t evicted;
    unsigned active;
};

static struct http_conn conns[HTTP_MAX_CONN];
static struct tcp_stats stats;

static err_t http_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p,
                       err_t err);
static err_t http_sent(void *arg, struct tcp_pcb *pcb, u16_t len);
static void http_err(void *arg, err_t err);
static err_t http_poll(void *arg, struct tcp_pcb *pcb);
static err_t http_recv_waiting(void *arg, struct tcp_pcb *pcb,
                               struct pbuf *p, err_t err);

/* lwIP's poll interval (500 ms ticks, at least 1) for a delay of MS. */
static u8_t poll_ticks(uint32_t ms)
{
    uint32_t t = (ms + 499u) / 500u;

    return (u8_t)(t == 0 ? 1 : t > 255 ? 255 : t);
}

/* ---- Connections without a slot ------------------------------------ */

/* A waiting connection's timer: no first byte within
 * HTTP_FIRST_BYTE_TIMEOUT_MS, or idle since it gave its slot up. No
 * response: there is no request to answer (RFC 9112 9.5: a server may
 * close an inactive connection at any time). */
static err_t http_poll_waiting(void *arg, struct tcp_pcb *pcb)
{
    (void)arg;
    return http_pcb_close_detached(pcb);
}

/* After an error response without a slot: discard input, close on the
 * client's FIN or after HTTP_LINGER_MS. */
static err_t http_recv_discard(void *arg, struct tcp_pcb *pcb,
                               struct pbuf *p, err_t err)
{
    (void)arg;
    (void)err;
    if (!p) {
        return http_pcb_close_detached(pcb);
    }
    tcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    return ERR_OK;
}

static void pcb_wait(struct tcp_pcb *pcb, uint32_t ms)
{
    http_pcb_detach(pcb, http_recv_waiting, http_poll_waiting, poll_ticks(ms));
}

static void pcb_linger(struct tcp_pcb *pcb)
{
    http_pcb_detach(pcb, http_recv_discard, http_poll_waiting,
               poll_ticks(HTTP_LINGER_MS));
}

/* ---- Connections ---------------------------------------------------- */

static void conn_free(struct http_conn *c)
{
    if (c->rx_pending) {
        pbuf_free(c->rx_pending);
        c->rx_pending = NULL;
    }
    if (c->pcb) {
        /* Closing (FIN_WAIT...) it may be taken back by lwIP. */
        http_pcb_detach(c->pcb, NULL, NULL, 0);
    }
    c->pcb = NULL;
    c->state = CONN_FREE;
    stats.active--;
}

/* PCB takes the free slot C. */
static void conn_attach(struct http_conn *c, struct tcp_pcb *pcb)
{
    memset(c, 0, offsetof(struct http_conn, req));
    c->pcb = pcb;
    c->state = CONN_READING;
    c->local_port = pcb->local_port;
    c->t_first = c->t_last = sys_now();
    stats.active++;
    tcp_arg(pcb, c);
    tcp_recv(pcb, http_recv);
    tcp_sent(pcb, http_sent);
    tcp_err(pcb, http_err);
    tcp_poll(pcb, http_poll, HTTP_POLL_TICKS);
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

/* Smallest piece of a streamed body worth a store read (the rest of the
 * body if less): a read costs a whole chunk. */
#define HTTP_SRC_MIN_ROOM 536u
/*
 * A streamed body is copied into lwIP's heap: a connection keeps at most
 * HTTP_NEED_ROOM bytes of it unacknowledged, what a rendered response
 * may take at once, so the heap budget of docs/network.md (every slot
 * with a whole rendered response queued) still holds.
 */
#define HTTP_SRC_IN_FLIGHT HTTP_NEED_ROOM

/*
 * Queue as much of the static body as fits; a streamed body is pulled
 * from its source into the scratch buffer and copied into lwIP's heap,
 * piece by piece, as the send buffer has room (http_app.h).
 */
static err_t conn_send_more(struct http_conn *c)
{
    while (c->tx_left) {
        size_t room = tcp_sndbuf(c->pcb);
        size_t n = c->tx_left < room ? c->tx_left : room;
        const uint8_t *p = c->tx_ptr;
        err_t e;

        if (n > 0xffffu) {
            n = 0xffffu;
        }
        if (n == 0 || tcp_sndqueuelen(c->pcb) >= TCP_SND_QUEUELEN - 1) {
            break;
        }
        if (c->tx_src) {
            size_t cap;
            uint8_t *buf = http_exchange_scratch(&cap);
            int got;

            size_t queued = TCP_SND_BUF - tcp_sndbuf(c->pcb);

            n = queued >= HTTP_SRC_IN_FLIGHT ? 0 :
                n < HTTP_SRC_IN_FLIGHT - queued ? n :
                HTTP_SRC_IN_FLIGHT - queued;
            if (n == 0 || (n < c->tx_left && n < HTTP_SRC_MIN_ROOM)) {
                break;      /* wait for acks: see HTTP_SRC_MIN_ROOM */
            }
            got = c->src.read(c->src.state, c->src.off, buf, cap);
            if (got <= 0) {
                LOG_W("streamed body failed at %u (%d): abort",
                      (unsigned)c->src.off, got);
                return conn_abort(c);   /* never a mix of two bodies */
            }
            n = (size_t)got < n ? (size_t)got : n;
            p = buf;
        }
        e = tcp_write(c->pcb, p, (u16_t)n,
                      (n < c->tx_left ? TCP_WRITE_FLAG_MORE : 0) |
                      (c->tx_src ? TCP_WRITE_FLAG_COPY : 0));
        if (e == ERR_MEM) {
            break;          /* retried from the sent/poll callbacks */
        }
        if (e != ERR_OK) {
            return conn_abort(c);
        }
        if (c->tx_src) {
            c->src.off += (uint32_t)n;
        } else {
            c->tx_ptr += n;
        }
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
 * Queue a complete response. Error responses (the server's own, EX->error)
 * close the write side afterwards and discard further input (LINGER).
 */
static err_t conn_respond(struct http_conn *c, const struct http_exchange *ex)
{
    bool body = ex->body_len > 0;
    err_t e;

    if (ex->head_len == 0) {
        return conn_abort(c);
    }
    c->keep_alive = ex->keep_alive;
    e = tcp_write(c->pcb, ex->head, (u16_t)ex->head_len,
                  TCP_WRITE_FLAG_COPY | (body ? TCP_WRITE_FLAG_MORE : 0));
    if (e == ERR_OK && body && !ex->body_is_static && !ex->body_is_source) {
        e = tcp_write(c->pcb, ex->body, (u16_t)ex->body_len,
                      TCP_WRITE_FLAG_COPY);
    }
    if (e != ERR_OK) {
        return conn_abort(c);     /* out of lwIP memory */
    }
    c->t_last = sys_now();
    if (ex->error) {
        tcp_output(c->pcb);
        c->state = CONN_LINGER;
        c->req_len = 0;
        http_reader_init(&c->rd);
        if (tcp_shutdown(c->pcb, 0, 1) != ERR_OK) {
            return conn_abort(c);
        }
        if (c->peer_closed) {
            return conn_close(c);
        }
        return ERR_OK;
    }
    if (body && (ex->body_is_static || ex->body_is_source)) {
        c->state = CONN_SENDING;
        c->tx_ptr = ex->body;
        c->tx_left = ex->body_len;
        c->tx_src = ex->body_is_source;
        if (c->tx_src) {
            c->src = ex->src;
        }
        return conn_send_more(c);
    }
    tcp_output(c->pcb);
    if (!c->keep_alive || c->peer_closed) {
        return conn_close(c);
    }
    return ERR_OK;
}

/* Has the request in req[] (head and Content-Length body) arrived? Errors
 * count as complete: they are answered at once. */
static bool request_complete(struct http_conn *c)
{
    return http_reader_feed(&c->rd, c->req, c->req_len, sizeof(c->req)) !=
           HTTP_PARSE_INCOMPLETE;
}

/* Answer what has arrived, request by request, as far as possible. */
static err_t conn_process(struct http_conn *c)
{
    while (c->state == CONN_READING && c->req_len > 0) {
        struct http_exchange ex;
        err_t e;

        /* Answer only with room for a whole response (see the top). */
        if (tcp_sndbuf(c->pcb) < HTTP_NEED_ROOM ||
            tcp_sndqueuelen(c->pcb) + 4u > TCP_SND_QUEUELEN) {
            return ERR_OK;              /* retried when data is acked */
        }
        if (!http_exchange_run(&c->rd, c->req, c->req_len, sizeof(c->req),
                               c->local_port, &ex)) {
            return ERR_OK;              /* head or body still arriving */
        }
        e = conn_respond(c, &ex);
        if (e != ERR_OK || c->state == CONN_FREE || ex.error) {
            return e;
        }
        /* Keep pipelined bytes that follow this request. */
        memmove(c->req, c->req + ex.consumed, c->req_len - ex.consumed);
        c->req_len -= ex.consumed;
        c->t_first = sys_now();
    }
    return ERR_OK;
}

/* The server's own error on a connection (408 from the poll timer). */
static err_t conn_error(struct http_conn *c, unsigned status)
{
    struct http_exchange ex;

    stats.errors++;
    if (status == 408) {
        stats.timeouts++;
    }
    http_exchange_error(status, &ex);
    return conn_respond(c, &ex);
}

/*
 * Move pending input into req[] as room allows, opening the TCP window by
 * what was moved, and answer what is complete; repeat while answering
 * frees room. A request larger than req[] still fills it and is then
 * refused by the parser (431/413).
 */
static err_t pull_and_process(struct http_conn *c)
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

/*
 * lwIP priority of C's PCB: normal while it serves (a whole request,
 * its response, or idle between requests: a client that has made one);
 * TCP_PRIO_MIN while its request is incomplete or it lingers, so that
 * lwIP may reset it (the longest inactive first) when a new connection
 * finds no free PCB, as it may a connection without a slot. (A trickled
 * request would otherwise hold a PCB lwIP cannot take: with 8 slots,
 * four SYN_RCVD PCBs of a burst of new connections left none.)
 */
static void conn_prio(struct http_conn *c)
{
    bool low = c->state == CONN_LINGER ||
               (c->state == CONN_READING && c->req_len > 0 &&
                !request_complete(c));

    tcp_setprio(c->pcb, low ? TCP_PRIO_MIN : TCP_PRIO_NORMAL);
}

static err_t conn_pull_and_process(struct http_conn *c)
{
    err_t e = pull_and_process(c);

    if (e == ERR_OK && c->state != CONN_FREE) {
        conn_prio(c);
    }
    return e;
}

static err_t http_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p,
                       err_t err)
{
    struct http_conn *c = arg;

    (void)err;
    if (!p) {
        c->peer_closed = true;
        if (c->state == CONN_LINGER ||
            (c->state == CONN_READING && c->req_len == 0)) {
            return conn_close(c);
        }
        if (c->state == CONN_READING && !request_complete(c)) {
            return conn_close(c);   /* it will never complete */
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

    (void)pcb;
    conn_prio(c);
    switch (c->state) {
    case CONN_READING:
        if (c->req_len > 0 && !request_complete(c)) {
            if (now - c->t_first >= HTTP_REQUEST_TIMEOUT_MS) {
                return conn_error(c, 408);
            }
        } else if (c->req_len > 0 && now - c->t_last >= HTTP_SEND_TIMEOUT_MS) {
            /* Complete, but no send room for its answer: the peer does
             * not read (what the send timeout is for). */
            return conn_abort(c);
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

/* All slots busy: 503 (Retry-After: 1), then linger without a slot. */
static err_t http_refuse(struct tcp_pcb *pcb)
{
    char head[HTTP_HEAD_OUT_MAX];
    static const char body[] = "503 Service Unavailable\n";
    size_t hl = http_format_head(head, sizeof(head), 503, "text/plain",
                                 sizeof(body) - 1, false, true, NULL, 0);

    stats.rejected_busy++;
    stats.errors++;
    pcb_linger(pcb);
    if (tcp_write(pcb, head, (u16_t)hl, TCP_WRITE_FLAG_COPY |
                  TCP_WRITE_FLAG_MORE) != ERR_OK ||
        tcp_write(pcb, body, sizeof(body) - 1, 0) != ERR_OK ||
        tcp_shutdown(pcb, 0, 1) != ERR_OK) {
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    tcp_output(pcb);
    return ERR_OK;
}

/* Is C's slot idle (no request bytes, nothing to send)? */
static bool conn_idle(const struct http_conn *c)
{
    return c->state == CONN_READING && c->req_len == 0 && !c->rx_pending;
}

/*
 * A slot for a connection's first bytes (READY: they hold a whole
 * request), when none is free, in this order:
 *  1. a connection lingering after an error response goes on lingering
 *     without its slot (nothing is lost);
 *  2. the persistent connection idle the longest, if for at least
 *     HTTP_IDLE_HOLD_MS, gives its slot up and waits without it (its next
 *     request takes a slot like a new connection's);
 *  3. the incomplete request that began the longest ago, if
 *     HTTP_SLOW_EVICT_MS ago or READY (a whole request waits for a
 *     trickle), is reset (RST: its PCB is free at once).
 * A slot that is sending, or holds a complete request, is never taken.
 * NULL: 503. (RFC 9112 9.4: a server may refuse or close connections it
 * deems abusive; 9.5: it may close an idle one at any time.)
 */
static struct http_conn *slot_take(bool ready)
{
    struct http_conn *linger = NULL, *idle = NULL, *slow = NULL;
    uint32_t now = sys_now();

    for (unsigned i = 0; i < HTTP_MAX_CONN; i++) {
        struct http_conn *c = &conns[i];

        if (c->state == CONN_FREE) {
            return c;
        }
        if (c->state == CONN_LINGER) {
            if (!linger || now - c->t_last > now - linger->t_last) {
                linger = c;
            }
        } else if (conn_idle(c)) {
            if (now - c->t_last >= HTTP_IDLE_HOLD_MS &&
                (!idle || now - c->t_last > now - idle->t_last)) {
                idle = c;
            }
        } else if (c->state == CONN_READING && !request_complete(c) &&
                   (ready || now - c->t_first >= HTTP_SLOW_EVICT_MS) &&
                   (!slow || now - c->t_first > now - slow->t_first)) {
            slow = c;
        }
    }
    if (linger) {
        struct tcp_pcb *pcb = linger->pcb;
        conn_free(linger);
        pcb_linger(pcb);
        return linger;
    }
    if (idle) {
        struct tcp_pcb *pcb = idle->pcb;
        uint32_t idle_ms = now - idle->t_last;
        uint32_t left = idle_ms < HTTP_IDLE_TIMEOUT_MS ?
                        HTTP_IDLE_TIMEOUT_MS - idle_ms : 0;
        conn_free(idle);
        pcb_wait(pcb, left);
        return idle;
    }
    if (slow) {
        stats.evicted++;
        (void)conn_abort(slow);       /* another PCB than the caller's */
        return slow;
    }
    return NULL;
}

/* Do a connection's first bytes P already hold a whole request? (A short
 * request comes in one segment, one pbuf: only that is looked at.) */
static bool first_bytes_ready(const struct pbuf *p)
{
    struct http_reader rd;

    if (p->len != p->tot_len) {
        return false;
    }
    http_reader_init(&rd);
    return http_reader_feed(&rd, p->payload, p->len, HTTP_REQ_MAX) ==
           HTTP_PARSE_OK;
}

/* The first bytes of a connection without a slot (new, or one that gave
 * its slot up), or its close. */
static err_t http_recv_waiting(void *arg, struct tcp_pcb *pcb,
                               struct pbuf *p, err_t err)
{
    struct http_conn *c;

    (void)arg;
    (void)err;
    if (!p) {
        return http_pcb_close_detached(pcb);
    }
    c = slot_take(first_bytes_ready(p));
    if (!c) {
        tcp_recved(pcb, p->tot_len);
        pbuf_free(p);
        return http_refuse(pcb);
    }
    conn_attach(c, pcb);
    c->rx_pending = p;
    return conn_pull_and_process(c);
}

/* A new connection waits for its first bytes without a slot. */
static err_t http_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)arg;
    if (err != ERR_OK || !pcb) {
        return ERR_VAL;
    }
    tcp_nagle_disable(pcb);
    pcb_wait(pcb, HTTP_FIRST_BYTE_TIMEOUT_MS);
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
    tcp_accept(lpcb, http_accept);
    return true;
}

bool http_server_init(void)
{
    bool ok = http_listen(HTTP_PORT) && http_listen(HTTP_SCWS_PORT);

    if (ok) {
        LOG_I("listening on ports %u and %u", HTTP_PORT, HTTP_SCWS_PORT);
    }
    return ok;
}

void http_server_get_stats(struct http_server_stats *out)
{
    struct http_exchange_stats ex;

    http_exchange_get_stats(&ex);
    out->requests = ex.requests;
    out->errors = ex.errors + stats.errors;
    out->rejected_busy = stats.rejected_busy;
    out->timeouts = stats.timeouts;
    out->aborted = stats.aborted;
    out->evicted = stats.evicted;
    out->active = stats.active;
}

size_t http_server_ram_bytes(void)
{
    return sizeof(conns) + http_exchange_ram_bytes();
}
