/*
 * HTTPS (TLS 1.2, PSK) on lwIP's raw TCP API with mbedTLS. See
 * https_server.h.
 *
 * Received pbufs are queued per session and handed to mbedTLS by its
 * receive callback (TCP's window is opened as mbedTLS consumes them);
 * records go out through tcp_write (copied). One function, tls_drive(),
 * advances a session as far as it can; lwIP's recv, sent and poll
 * callbacks call it.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
/* (net/http/https_server.h comes after mbedTLS, see below) */
#include <string.h>

/* mbedTLS first: its configuration spells __attribute__((noreturn)),
 * which <stdnoreturn.h> (pulled in by the kernel headers) would rename. */
#include "mbedtls/ctr_drbg.h"
#include "mbedtls/ssl.h"

#include "net/http/http_app.h"
#include "lwip/sys.h"
#include "lwip/tcp.h"
#include "net/http/http_exchange.h"
#include "net/http/http_server.h"
#include "crypto/crypto.h"
#include "crypto/drbg.h"
#include "crypto/mbedtls_heap.h"
#include "net/http/https_server.h"

#define LOG_MODULE "tls"
#include "kernel/log.h"

#define TLS_POLL_TICKS 1u   /* 500 ms */

enum tls_state {
    TLS_FREE = 0,
    TLS_HANDSHAKE,
    TLS_APP,
};

struct tls_session {
    struct tcp_pcb *pcb;
    enum tls_state state;
    mbedtls_ssl_context ssl;
    struct pbuf *rx;          /* received, not yet read by mbedTLS */
    size_t rx_off;            /* bytes of rx (first pbuf) already read */
    bool peer_closed;
    bool close_after;         /* close once the response is out */
    uint32_t t_start, t_first, t_last;
    size_t req_len;
    size_t out_len, out_off;
    const uint8_t *st_ptr;    /* static (ROM) body still to send */
    size_t st_left;
    char req[HTTP_REQ_MAX];
    uint8_t out[HTTP_HEAD_OUT_MAX + HTTP_RENDER_MAX];
};

_Static_assert(CRYPTO_MBEDTLS_HEAP_SIZE >=
               TLS_MAX_SESSIONS * CRYPTO_MBEDTLS_TLS_SESSION_PEAK,
               "the mbedTLS heap must hold every HTTPS session");

static struct tls_session sessions[TLS_MAX_SESSIONS];
static mbedtls_ssl_config conf;
static uint8_t test_psk[16];
static struct tls_server_stats stats;

static const int ciphersuites[] = {
    MBEDTLS_TLS_PSK_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_PSK_WITH_AES_128_CBC_SHA256,
    0
};

/* ---- PSK ------------------------------------------------------------ */

static int tls_psk_lookup(void *arg, mbedtls_ssl_context *ssl,
                          const unsigned char *id, size_t id_len)
{
    (void)arg;
    if (id_len != strlen(TLS_TEST_PSK_IDENTITY) ||
        memcmp(id, TLS_TEST_PSK_IDENTITY, id_len) != 0) {
        return -1;
    }
    return mbedtls_ssl_set_hs_psk(ssl, test_psk, sizeof(test_psk));
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

/* ---- BIO over lwIP ---------------------------------------------------- */

static int tls_bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    struct tls_session *s = ctx;
    size_t room, n;

    if (!s->pcb) {
        return MBEDTLS_ERR_SSL_INTERNAL_ERROR;
    }
    room = tcp_sndbuf(s->pcb);
    if (tcp_sndqueuelen(s->pcb) + 2u > TCP_SND_QUEUELEN) {
        room = 0;
    }
    n = len < room ? len : room;
    if (n > 0xffffu) {
        n = 0xffffu;
    }
    if (n == 0) {
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    }
    if (tcp_write(s->pcb, buf, (u16_t)n, TCP_WRITE_FLAG_COPY) != ERR_OK) {
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    }
    return (int)n;
}

static int tls_bio_recv(void *ctx, unsigned char *buf, size_t len)
{
    struct tls_session *s = ctx;
    size_t done = 0;

    while (s->rx && done < len) {
        struct pbuf *p = s->rx;
        size_t avail = p->len - s->rx_off;
        size_t n = avail < len - done ? avail : len - done;

        memcpy(buf + done, (const uint8_t *)p->payload + s->rx_off, n);
        done += n;
        s->rx_off += n;
        if (s->rx_off == p->len) {
            s->rx = p->next;
            if (s->rx) {
                pbuf_ref(s->rx);
            }
            pbuf_free(p);
            s->rx_off = 0;
        }
    }
    if (done) {
        if (s->pcb) {
            tcp_recved(s->pcb, (u16_t)done);
        }
        return (int)done;
    }
    return s->peer_closed ? 0 : MBEDTLS_ERR_SSL_WANT_READ;
}

/* ---- Sessions --------------------------------------------------------- */

static void session_release(struct tls_session *s)
{
    if (s->pcb) {
        tcp_arg(s->pcb, NULL);
        tcp_recv(s->pcb, NULL);
        tcp_sent(s->pcb, NULL);
        tcp_err(s->pcb, NULL);
        tcp_poll(s->pcb, NULL, 0);
        s->pcb = NULL;
    }
    if (s->rx) {
        pbuf_free(s->rx);
        s->rx = NULL;
    }
    mbedtls_ssl_free(&s->ssl);
    s->state = TLS_FREE;
    stats.active--;
}

static err_t session_abort(struct tls_session *s)
{
    struct tcp_pcb *pcb = s->pcb;

    session_release(s);
    if (pcb) {
        tcp_abort(pcb);
    }
    return ERR_ABRT;
}

static err_t session_close(struct tls_session *s, bool notify)
{
    struct tcp_pcb *pcb = s->pcb;

    if (notify && s->state == TLS_APP) {
        (void)mbedtls_ssl_close_notify(&s->ssl);
        tcp_output(pcb);
    }
    session_release(s);
    if (pcb && tcp_close(pcb) != ERR_OK) {
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    return ERR_OK;
}

/* Push pending response bytes through mbedTLS. 0: all out. */
static int session_flush(struct tls_session *s)
{
    while (s->out_off < s->out_len) {
        int r = mbedtls_ssl_write(&s->ssl, s->out + s->out_off,
                                  s->out_len - s->out_off);
        if (r <= 0) {
            return r;
        }
        s->out_off += (size_t)r;
    }
    while (s->st_left) {
        int r = mbedtls_ssl_write(&s->ssl, s->st_ptr, s->st_left);
        if (r <= 0) {
            return r;
        }
        s->st_ptr += r;
        s->st_left -= (size_t)r;
    }
    return 0;
}

static bool session_busy_sending(const struct tls_session *s)
{
    return s->out_off < s->out_len || s->st_left;
}

static err_t tls_drive(struct tls_session *s)
{
    int r;

    if (s->state == TLS_HANDSHAKE) {
        r = mbedtls_ssl_handshake(&s->ssl);
        if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE) {
            tcp_output(s->pcb);
            return s->peer_closed ? session_abort(s) : ERR_OK;
        }
        if (r != 0) {
            stats.failures++;
            LOG_W("handshake failed (-0x%04x)", (unsigned)-r);
            tcp_output(s->pcb);
            return session_close(s, false);
        }
        stats.handshakes++;
        s->state = TLS_APP;
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
        /* Read what is there (mbedTLS may hold decrypted bytes). */
        if (s->req_len < sizeof(s->req)) {
            r = mbedtls_ssl_read(&s->ssl, (unsigned char *)s->req + s->req_len,
                                 sizeof(s->req) - s->req_len);
            if (r > 0) {
                if (s->req_len == 0) {
                    s->t_first = sys_now();
                }
                s->req_len += (size_t)r;
                s->t_last = sys_now();
            } else if (r == 0 || r == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY ||
                       r == MBEDTLS_ERR_SSL_CONN_EOF) {
                return session_close(s, r != MBEDTLS_ERR_SSL_CONN_EOF);
            } else if (r != MBEDTLS_ERR_SSL_WANT_READ &&
                       r != MBEDTLS_ERR_SSL_WANT_WRITE) {
                return session_abort(s);
            }
        }
        if (s->req_len == 0 ||
            !http_exchange_run(s->req, s->req_len, sizeof(s->req), TLS_PORT,
                               &ex)) {
            if (s->peer_closed && !s->rx) {
                return session_close(s, false);
            }
            break;
        }
        /* Copy the response: the dynamic body's buffer is shared. */
        memcpy(s->out, ex.head, ex.head_len);
        s->out_len = ex.head_len;
        s->out_off = 0;
        s->st_ptr = NULL;
        s->st_left = 0;
        if (ex.body_len && ex.body_is_static) {
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
    tcp_output(s->pcb);
    return ERR_OK;
}

static err_t tls_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p,
                      err_t err)
{
    struct tls_session *s = arg;

    (void)pcb;
    (void)err;
    if (!s) {
        if (p) {
            pbuf_free(p);
        }
        return ERR_OK;
    }
    if (!p) {
        s->peer_closed = true;
    } else if (s->rx) {
        pbuf_cat(s->rx, p);
    } else {
        s->rx = p;
        s->rx_off = 0;
    }
    s->t_last = sys_now();
    return tls_drive(s);
}

static err_t tls_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    struct tls_session *s = arg;

    (void)pcb;
    (void)len;
    if (!s || s->state == TLS_FREE) {
        return ERR_OK;
    }
    return session_busy_sending(s) || s->state == TLS_HANDSHAKE ?
           tls_drive(s) : ERR_OK;
}

static void tls_err(void *arg, err_t err)
{
    struct tls_session *s = arg;

    (void)err;
    if (s) {
        s->pcb = NULL;            /* freed by lwIP */
        session_release(s);
    }
}

static err_t tls_poll(void *arg, struct tcp_pcb *pcb)
{
    struct tls_session *s = arg;
    uint32_t now = sys_now();

    (void)pcb;
    if (!s) {
        return ERR_OK;
    }
    if (s->state == TLS_HANDSHAKE &&
        now - s->t_start >= TLS_HANDSHAKE_TIMEOUT_MS) {
        stats.failures++;
        return session_abort(s);
    }
    if (s->state == TLS_APP) {
        if (s->req_len > 0 && !session_busy_sending(s) &&
            !s->close_after &&
            now - s->t_first >= HTTP_REQUEST_TIMEOUT_MS) {
            /* As over plain HTTP: 408, then close. */
            static const char timeout_resp[] =
                "HTTP/1.1 408 Request Timeout\r\n"
                "Content-Type: text/plain\r\n"
                "Content-Length: 20\r\n"
                "Connection: close\r\n\r\n"
                "408 Request Timeout\n";
            memcpy(s->out, timeout_resp, sizeof(timeout_resp) - 1);
            s->out_len = sizeof(timeout_resp) - 1;
            s->out_off = 0;
            s->req_len = 0;
            s->close_after = true;
            return tls_drive(s);
        }
        if (now - s->t_last >= HTTP_IDLE_TIMEOUT_MS) {
            return session_close(s, true);
        }
    }
    return tls_drive(s);
}

static err_t tls_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct tls_session *s = NULL;

    (void)arg;
    if (err != ERR_OK || !pcb) {
        return ERR_VAL;
    }
    if (crypto_failed()) {      /* refused card (crypto/crypto.h) */
        stats.refused++;
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    for (unsigned i = 0; i < TLS_MAX_SESSIONS; i++) {
        if (sessions[i].state == TLS_FREE) {
            s = &sessions[i];
            break;
        }
    }
    if (!s) {
        stats.refused++;
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    memset(s, 0, offsetof(struct tls_session, req));
    mbedtls_ssl_init(&s->ssl);
    if (mbedtls_ssl_setup(&s->ssl, &conf) != 0) {
        LOG_W("no memory for a session");
        mbedtls_ssl_free(&s->ssl);
        stats.refused++;
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    mbedtls_ssl_set_bio(&s->ssl, s, tls_bio_send, tls_bio_recv, NULL);
    s->pcb = pcb;
    s->state = TLS_HANDSHAKE;
    s->t_start = s->t_last = sys_now();
    stats.active++;
    tcp_nagle_disable(pcb);
    tcp_arg(pcb, s);
    tcp_recv(pcb, tls_recv);
    tcp_sent(pcb, tls_sent);
    tcp_err(pcb, tls_err);
    tcp_poll(pcb, tls_poll, TLS_POLL_TICKS);
    return ERR_OK;
}

bool tls_server_init(void)
{
    struct tcp_pcb *pcb, *lpcb;
    const char *hex = TLS_TEST_PSK_HEX;
    int r;

    for (size_t i = 0; i < sizeof(test_psk); i++) {
        test_psk[i] = (uint8_t)(hexval(hex[2 * i]) << 4 | hexval(hex[2 * i + 1]));
    }
    if (!crypto_drbg_ready()) {
        LOG_E("no DRBG (crypto/drbg.h): HTTPS is off");
        return false;
    }
    mbedtls_ssl_config_init(&conf);
    r = mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_SERVER,
                                    MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT);
    if (r != 0) {
        LOG_E("TLS configuration failed (-0x%04x)", (unsigned)-r);
        return false;
    }
    mbedtls_ssl_conf_rng(&conf, crypto_drbg_f_rng, NULL);
    mbedtls_ssl_conf_min_tls_version(&conf, MBEDTLS_SSL_VERSION_TLS1_2);
    mbedtls_ssl_conf_max_tls_version(&conf, MBEDTLS_SSL_VERSION_TLS1_2);
    mbedtls_ssl_conf_ciphersuites(&conf, ciphersuites);
    mbedtls_ssl_conf_psk_cb(&conf, tls_psk_lookup, NULL);

    pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
    if (!pcb || tcp_bind(pcb, IP4_ADDR_ANY, TLS_PORT) != ERR_OK) {
        LOG_E("cannot bind port %u", TLS_PORT);
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
    tcp_accept(lpcb, tls_accept);
    LOG_I("listening on port %u (TLS 1.2 PSK)", TLS_PORT);
    return true;
}

void tls_server_get_stats(struct tls_server_stats *out)
{
    *out = stats;
}

size_t tls_server_ram_bytes(void)
{
    return sizeof(sessions) + sizeof(conf);
}
