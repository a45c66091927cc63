/*
 * HTTPS (TLS 1.2, PSK) on lwIP's raw TCP API. See https_server.h.
 *
 * Each session is a TLS connection (net/tls/tls_conn.h) plus the HTTP
 * request being received and the response being sent. One function,
 * https_drive(), advances a session as far as it can; lwIP's recv, sent
 * and poll callbacks call it.
 *
 * As on plain HTTP (http_server.c), a connection takes a session with
 * its first bytes (the ClientHello), not when it is accepted: until then
 * it is an lwIP PCB at TCP_PRIO_MIN, which lwIP may take back for a new
 * connection, closed after HTTP_FIRST_BYTE_TIMEOUT_MS. With both sessions
 * busy, one idle for HTTP_IDLE_HOLD_MS is closed for it, or else a
 * handshake or request HTTP_SLOW_EVICT_MS old (any, if the first bytes
 * are a whole TLS record) is reset (session_take()).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "mbedtls/ssl.h"

#include <string.h>

#include "crypto/crypto.h"
#include "crypto/mbedtls_heap.h"
#include "lwip/sys.h"
#include "lwip/tcp.h"
#include "net/http/http_app.h"
#include "net/http/http_exchange.h"
#include "net/http/http_pcb.h"
#include "net/http/http_server.h"
#include "net/http/https_server.h"
#include "net/tls/tls.h"
#include "net/tls/tls_conn.h"

#define LOG_MODULE "tls"
#include "kernel/log.h"

#define HTTPS_POLL_TICKS 1u   /* 500 ms */

_Static_assert(CRYPTO_MBEDTLS_HEAP_SIZE >=
               HTTPS_MAX_SESSIONS * CRYPTO_MBEDTLS_TLS_SESSION_PEAK,
               "the mbedTLS heap must hold every HTTPS session");

enum session_state {
    SESSION_FREE = 0,
    SESSION_HANDSHAKE,
    SESSION_APP,
};

struct https_session {
    struct tls_conn tls;
    enum session_state state;
    bool close_after;         /* close once the response is out */
    uint8_t peer_done;        /* the client closed: PEER_* */
    uint32_t t_start, t_first, t_last;
    size_t req_len;
    size_t out_len, out_off;
    const uint8_t *st_ptr;    /* static (ROM) body still to send */
    size_t st_left;
    size_t src_left;          /* streamed body still to pull from src */
    struct http_body_source src;
    struct http_reader rd;    /* the request in req[], read as it arrives */
    char req[HTTP_REQ_MAX];
    uint8_t out[HTTP_HEAD_OUT_MAX + HTTP_RENDER_MAX];
};

/* How the client ended the session (peer_done). */
enum {
    PEER_OPEN = 0,
    PEER_CLOSE_NOTIFY,        /* answered with our close_notify */
    PEER_EOF,                 /* TCP closed without close_notify */
};

static struct https_session sessions[HTTPS_MAX_SESSIONS];
static mbedtls_ssl_config conf;
static struct https_server_stats stats;

static err_t https_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p,
                        err_t err);
static err_t https_sent(void *arg, struct tcp_pcb *pcb, u16_t len);
static void https_err(void *arg, err_t err);
static err_t https_poll(void *arg, struct tcp_pcb *pcb);

static void session_release(struct https_session *s)
{
    struct tcp_pcb *pcb = s->tls.pcb;

    if (pcb) {
        http_pcb_detach(pcb, NULL, NULL, 0);
    }
    tls_conn_release(&s->tls);
    s->state = SESSION_FREE;
    stats.active--;
}

static err_t session_abort(struct https_session *s)
{
    struct tcp_pcb *pcb = s->tls.pcb;

    session_release(s);
    if (pcb) {
        tcp_abort(pcb);
    }
    return ERR_ABRT;
}

static err_t session_close(struct https_session *s, bool notify)
{
    struct tcp_pcb *pcb = s->tls.pcb;

    if (notify && s->state == SESSION_APP) {
        (void)mbedtls_ssl_close_notify(&s->tls.ssl);
        tcp_output(pcb);
    }
    session_release(s);
    if (pcb && tcp_close(pcb) != ERR_OK) {
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    return ERR_OK;
}

/*
 * Push pending response bytes through mbedTLS. 0: all out. A streamed
 * body (http_app.h) is pulled into out[] once it is flushed, a piece at a
 * time (mbedtls_ssl_write wants the same bytes again after WANT_WRITE, so
 * out[] is refilled only when empty); a source that fails is
 * MBEDTLS_ERR_SSL_INTERNAL_ERROR: the caller aborts the session.
 */
static int session_flush(struct https_session *s)
{
    for (;;) {
        int got;

        while (s->out_off < s->out_len) {
            int r = mbedtls_ssl_write(&s->tls.ssl, s->out + s->out_off,
                                      s->out_len - s->out_off);
            if (r <= 0) {
                return r;
            }
            s->out_off += (size_t)r;
        }
        while (s->st_left) {
            int r = mbedtls_ssl_write(&s->tls.ssl, s->st_ptr, s->st_left);
            if (r <= 0) {
                return r;
            }
            s->st_ptr += r;
            s->st_left -= (size_t)r;
        }
        if (!s->src_left) {
            return 0;
        }
        got = s->src.read(s->src.state, s->src.off, s->out, sizeof(s->out));
        if (got <= 0) {
            LOG_W("streamed body failed at %u (%d): abort",
                  (unsigned)s->src.off, got);
            s->src_left = 0;
            return MBEDTLS_ERR_SSL_INTERNAL_ERROR;
        }
        if ((size_t)got > s->src_left) {
            got = (int)s->src_left;
        }
        s->src.off += (uint32_t)got;
        s->src_left -= (size_t)got;
        s->out_off = 0;
        s->out_len = (size_t)got;
    }
}

_Static_assert(HTTP_HEAD_OUT_MAX + HTTP_RENDER_MAX >= HTTP_SOURCE_BUF_MIN,
               "out[] takes a streamed body's piece");

static bool session_busy_sending(const struct https_session *s)
{
    return s->out_off < s->out_len || s->st_left || s->src_left;
}

/*
 * Read every decrypted byte there is into req[] (as room allows): one
 * mbedtls_ssl_read() returns at most one record, and a request may span
 * several (its body in a later record than its head). The client's end
 * of the session is noted (peer_done), not acted on: requests before it
 * are still answered. < 0: a fatal TLS error.
 */
static int session_read(struct https_session *s)
{
    while (s->req_len < sizeof(s->req) && !s->peer_done) {
        int r = mbedtls_ssl_read(&s->tls.ssl,
                                 (unsigned char *)s->req + s->req_len,
                                 sizeof(s->req) - s->req_len);
        if (r > 0) {
            if (s->req_len == 0) {
                s->t_first = sys_now();
            }
            s->req_len += (size_t)r;
            s->t_last = sys_now();
        } else if (r == 0 || r == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) {
            s->peer_done = PEER_CLOSE_NOTIFY;
        } else if (r == MBEDTLS_ERR_SSL_CONN_EOF) {
            s->peer_done = PEER_EOF;
        } else if (r == MBEDTLS_ERR_SSL_WANT_READ ||
                   r == MBEDTLS_ERR_SSL_WANT_WRITE) {
            break;
        } else {
            return r;
        }
    }
    return 0;
}

/* Is the request in req[] still arriving? */
static bool request_incomplete(struct https_session *s)
{
    return s->req_len > 0 &&
           http_reader_feed(&s->rd, s->req, s->req_len, sizeof(s->req)) ==
           HTTP_PARSE_INCOMPLETE;
}

/*
 * lwIP priority of S's PCB, as on plain HTTP (http_server.c conn_prio):
 * normal while it serves a request or is idle between requests;
 * TCP_PRIO_MIN during the handshake and while a request is incomplete,
 * so that lwIP may reset it when a new connection finds no free PCB.
 */
static void session_prio(struct https_session *s)
{
    bool low = s->state == SESSION_HANDSHAKE ||
               (request_incomplete(s) && !session_busy_sending(s));

    tcp_setprio(s->tls.pcb, low ? TCP_PRIO_MIN : TCP_PRIO_NORMAL);
}

static err_t session_drive(struct https_session *s);

/* Advance S as far as it goes; then its PCB's priority. */
static err_t https_drive(struct https_session *s)
{
    err_t e = session_drive(s);

    if (e == ERR_OK && s->state != SESSION_FREE && s->tls.pcb) {
        session_prio(s);
    }
    return e;
}

static err_t session_drive(struct https_session *s)
{
    int r;

    if (s->state == SESSION_HANDSHAKE) {
        r = tls_conn_handshake(&s->tls);
        if (r > 0) {
            tcp_output(s->tls.pcb);
            return s->tls.peer_closed ? session_abort(s) : ERR_OK;
        }
        if (r < 0) {
            stats.failures++;
            tcp_output(s->tls.pcb);
            return session_close(s, false);
        }
        stats.handshakes++;
        s->state = SESSION_APP;
        s->t_last = sys_now();
    }
    for (;;) {
        struct http_exchange ex;

        r = session_flush(s);
        if (r == MBEDTLS_ERR_SSL_WANT_WRITE || r == MBEDTLS_ERR_SSL_WANT_READ) {
            break;
        }
        if (r < 0) {
            return session_abort(s);
        }
        if (s->close_after) {
            return session_close(s, true);
        }
        if (session_read(s) < 0) {
            return session_abort(s);
        }
        if (s->req_len == 0 ||
            !http_exchange_run(&s->rd, s->req, s->req_len, sizeof(s->req),
                               HTTPS_PORT, &ex)) {
            if (s->peer_done) {
                /* What is left of a request will never complete. */
                return session_close(s, s->peer_done == PEER_CLOSE_NOTIFY);
            }
            break;
        }
        /* Copy the response: the dynamic body's buffer is shared. */
        memcpy(s->out, ex.head, ex.head_len);
        s->out_len = ex.head_len;
        s->out_off = 0;
        s->st_ptr = NULL;
        s->st_left = 0;
        s->src_left = 0;
        if (ex.body_len && ex.body_is_source) {
            s->src = ex.src;
            s->src_left = ex.body_len;
        } else if (ex.body_len && ex.body_is_static) {
            s->st_ptr = ex.body;
            s->st_left = ex.body_len;
        } else if (ex.body_len) {
            memcpy(s->out + s->out_len, ex.body, ex.body_len);
            s->out_len += ex.body_len;
        }
        s->close_after = !ex.keep_alive;
        memmove(s->req, s->req + ex.consumed, s->req_len - ex.consumed);
        s->req_len -= ex.consumed;
        s->t_first = sys_now();
    }
    tcp_output(s->tls.pcb);
    return ERR_OK;
}

static err_t https_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p,
                        err_t err)
{
    struct https_session *s = arg;

    (void)pcb;
    (void)err;
    if (!s) {
        if (p) {
            pbuf_free(p);
        }
        return ERR_OK;
    }
    tls_conn_input(&s->tls, p);
    s->t_last = sys_now();
    return https_drive(s);
}

static err_t https_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    struct https_session *s = arg;

    (void)pcb;
    (void)len;
    if (!s || s->state == SESSION_FREE) {
        return ERR_OK;
    }
    return session_busy_sending(s) || s->state == SESSION_HANDSHAKE ?
           https_drive(s) : ERR_OK;
}

static void https_err(void *arg, err_t err)
{
    struct https_session *s = arg;

    (void)err;
    if (s) {
        s->tls.pcb = NULL;        /* freed by lwIP */
        session_release(s);
    }
}

static err_t https_poll(void *arg, struct tcp_pcb *pcb)
{
    struct https_session *s = arg;
    uint32_t now = sys_now();

    (void)pcb;
    if (!s) {
        return ERR_OK;
    }
    session_prio(s);
    if (s->state == SESSION_HANDSHAKE &&
        now - s->t_start >= HTTPS_HANDSHAKE_TIMEOUT_MS) {
        stats.failures++;
        return session_abort(s);
    }
    if (s->state == SESSION_APP) {
        if (request_incomplete(s) && !session_busy_sending(s) &&
            !s->close_after &&
            now - s->t_first >= HTTP_REQUEST_TIMEOUT_MS) {
            /* As over plain HTTP: 408, then close. */
            struct http_exchange ex;

            http_exchange_error(408, &ex);
            memcpy(s->out, ex.head, ex.head_len);
            memcpy(s->out + ex.head_len, ex.body, ex.body_len);
            s->out_len = ex.head_len + ex.body_len;
            s->out_off = 0;
            s->req_len = 0;
            http_reader_init(&s->rd);
            s->close_after = true;
            return https_drive(s);
        }
        if (now - s->t_last >= HTTP_IDLE_TIMEOUT_MS) {
            return session_close(s, true);
        }
    }
    return https_drive(s);
}

/*
 * A session for a connection's first bytes (READY: a whole TLS record),
 * when none is free: the session idle the longest, if for at least
 * HTTP_IDLE_HOLD_MS, is closed (close_notify); else the handshake or
 * incomplete request that began the longest ago, if HTTP_SLOW_EVICT_MS
 * ago or READY, is reset. A session sending a response, or with a
 * complete request, is never taken. NULL: none.
 */
static struct https_session *session_take(bool ready)
{
    struct https_session *idle = NULL, *slow = NULL;
    uint32_t now = sys_now();

    for (unsigned i = 0; i < HTTPS_MAX_SESSIONS; i++) {
        struct https_session *s = &sessions[i];
        bool busy = session_busy_sending(s) || s->close_after;

        if (s->state == SESSION_FREE) {
            return s;
        }
        if (s->state == SESSION_APP && !busy && s->req_len == 0) {
            if (now - s->t_last >= HTTP_IDLE_HOLD_MS &&
                (!idle || now - s->t_last > now - idle->t_last)) {
                idle = s;
            }
        } else if ((s->state == SESSION_HANDSHAKE ||
                    (!busy && request_incomplete(s))) &&
                   (ready || now - s->t_first >= HTTP_SLOW_EVICT_MS) &&
                   (!slow || now - s->t_first > now - slow->t_first)) {
            slow = s;
        }
    }
    if (idle) {
        (void)session_close(idle, true);   /* another PCB than the caller's */
        return idle;
    }
    if (slow) {
        stats.evicted++;
        (void)session_abort(slow);
        return slow;
    }
    return NULL;
}

/* RFC 5246 6.2.1: is the first record (type, version, 16-bit length,
 * fragment) of a connection whole in P, a handshake record? */
static bool first_record_whole(const struct pbuf *p)
{
    const uint8_t *b = p->payload;

    return p->len == p->tot_len && p->len >= 5 && b[0] == 22 &&
           p->len >= 5u + (((unsigned)b[3] << 8) | b[4]);
}

static err_t refuse(struct tcp_pcb *pcb, struct pbuf *p)
{
    stats.refused++;
    if (p) {
        pbuf_free(p);
    }
    tcp_abort(pcb);
    return ERR_ABRT;
}

/* The first bytes of a connection: it takes a session, or is reset. */
static err_t https_recv_waiting(void *arg, struct tcp_pcb *pcb,
                                struct pbuf *p, err_t err)
{
    struct https_session *s;

    (void)arg;
    (void)err;
    if (!p) {
        return http_pcb_close_detached(pcb);
    }
    if (crypto_failed()) {      /* refused card (crypto/crypto.h) */
        return refuse(pcb, p);
    }
    s = session_take(first_record_whole(p));
    if (!s) {
        return refuse(pcb, p);
    }
    memset(s, 0, offsetof(struct https_session, req));
    if (!tls_conn_setup(&s->tls, &conf, pcb)) {
        return refuse(pcb, p);
    }
    s->state = SESSION_HANDSHAKE;
    s->t_start = s->t_first = s->t_last = sys_now();
    stats.active++;
    tcp_arg(pcb, s);
    tcp_recv(pcb, https_recv);
    tcp_sent(pcb, https_sent);
    tcp_err(pcb, https_err);
    tcp_poll(pcb, https_poll, HTTPS_POLL_TICKS);
    tls_conn_input(&s->tls, p);
    return https_drive(s);
}

/* No first byte within HTTP_FIRST_BYTE_TIMEOUT_MS. */
static err_t https_poll_waiting(void *arg, struct tcp_pcb *pcb)
{
    (void)arg;
    return http_pcb_close_detached(pcb);
}

static err_t https_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)arg;
    if (err != ERR_OK || !pcb) {
        return ERR_VAL;
    }
    if (crypto_failed()) {      /* refused card (crypto/crypto.h) */
        return refuse(pcb, NULL);
    }
    tcp_nagle_disable(pcb);
    http_pcb_detach(pcb, https_recv_waiting, https_poll_waiting,
               (u8_t)((HTTP_FIRST_BYTE_TIMEOUT_MS + 499u) / 500u));
    return ERR_OK;
}

bool https_server_init(void)
{
    struct tcp_pcb *pcb, *lpcb;
    int r;

    mbedtls_ssl_config_init(&conf);
    r = tls_config(&conf, TLS_ROLE_SERVER, 0);
    if (r != 0) {
        LOG_E("TLS configuration failed (-0x%04x)", (unsigned)-r);
        return false;
    }
    pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
    if (!pcb || tcp_bind(pcb, IP4_ADDR_ANY, HTTPS_PORT) != ERR_OK) {
        LOG_E("cannot bind port %u", HTTPS_PORT);
        if (pcb) {
            tcp_abort(pcb);
        }
        return false;
    }
    lpcb = tcp_listen(pcb);
    if (!lpcb) {
        tcp_abort(pcb);
        return false;
    }
    tcp_accept(lpcb, https_accept);
    LOG_I("listening on port %u (TLS 1.2 PSK)", HTTPS_PORT);
    return true;
}

void https_server_get_stats(struct https_server_stats *out)
{
    *out = stats;
}

size_t https_server_ram_bytes(void)
{
    return sizeof(sessions) + sizeof(conf);
}
