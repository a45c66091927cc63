/*
 * ras_server — poll(2) loop, TLS-PSK with mbedTLS, connection deadlines
 * (ras_server.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE
#include "ras_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "mbedtls/error.h"
#include "mbedtls/net_sockets.h"
#include "mbedtls/ssl.h"
#include "psa/crypto.h"
#include "ras_api.h"

/* Amendment B 2.2.3 (TLS 1.2 profile): PSK suites only; the NULL suite is
 * not offered, so a client asking only for it fails the handshake. */
static const int psk_suites[] = {
    MBEDTLS_TLS_PSK_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_PSK_WITH_AES_128_CBC_SHA256,
    0,
};

enum { PH_HANDSHAKE, PH_READ, PH_WRITE };

typedef struct Conn {
    int fd;
    bool tls, admin, want_write;
    int phase;
    mbedtls_ssl_context ssl;
    GByteArray *in, *out;
    size_t out_off;
    int64_t t_start, t_req, t_active;
    bool close_after;
    RasHttpReq req;
    RasSession sess;
    char identity[130];
} Conn;

typedef struct Server {
    RasDb *db;
    const RasServerOpts *o;
    mbedtls_ssl_config conf;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    GPtrArray *conns;
} Server;

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static int64_t mono_ms(void)
{
    return g_get_monotonic_time() / 1000;
}

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    Conn *c = ctx;
    ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);
    if (n < 0) {
        return errno == EAGAIN || errno == EINTR ? MBEDTLS_ERR_SSL_WANT_WRITE
                                                 : MBEDTLS_ERR_NET_SEND_FAILED;
    }
    return (int)n;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
    Conn *c = ctx;
    ssize_t n = recv(c->fd, buf, len, 0);
    if (n < 0) {
        return errno == EAGAIN || errno == EINTR ? MBEDTLS_ERR_SSL_WANT_READ
                                                 : MBEDTLS_ERR_NET_RECV_FAILED;
    }
    return (int)n;
}

/* The PSK of IDENTITY from the database (Amendment B 2.2.3.1: the
 * identity names the card's key). Unknown: the handshake fails with
 * unknown_psk_identity. */
static int psk_cb(void *p, mbedtls_ssl_context *ssl, const unsigned char *id,
                  size_t len)
{
    Server *srv = p;
    Conn *c = mbedtls_ssl_get_user_data_p(ssl);
    if (len >= sizeof(c->identity) || memchr(id, 0, len)) {
        return -1;
    }
    memcpy(c->identity, id, len);
    c->identity[len] = 0;
    RasCard card;
    if (ras_db_card_by_identity(srv->db, c->identity, &card) != 1) {
        return -1;
    }
    ras_card_clear(&c->sess.card);
    c->sess.card = card;
    return mbedtls_ssl_set_hs_psk(ssl, card.psk, card.psk_len) ? -1 : 0;
}

static int listen_on(const char *spec, char *bound, size_t cap)
{
    char host[64];
    int port;
    const char *colon = strrchr(spec, ':');
    if (!colon || (size_t)(colon - spec) >= sizeof(host)) {
        return -1;
    }
    memcpy(host, spec, colon - spec);
    host[colon - spec] = 0;
    port = atoi(colon + 1);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 512)) {
        close(fd);
        return -1;
    }
    socklen_t al = sizeof(a);
    getsockname(fd, (struct sockaddr *)&a, &al);
    snprintf(bound, cap, "%s:%d", host, ntohs(a.sin_port));
    return fd;
}

static void conn_free(Server *srv, Conn *c, const char *why)
{
    if (why && !c->admin) {
        ras_db_audit(srv->db, srv->o->cfg.instance, c->sess.card.card,
                     c->identity[0] ? c->identity : NULL, c->sess.peer,
                     "cut", why);
    }
    if (c->tls) {
        if (!why && c->phase != PH_HANDSHAKE) {
            mbedtls_ssl_close_notify(&c->ssl);
        }
        mbedtls_ssl_free(&c->ssl);
    }
    close(c->fd);
    g_byte_array_unref(c->in);
    g_byte_array_unref(c->out);
    ras_http_req_clear(&c->req);
    ras_card_clear(&c->sess.card);
    g_free(c);
}

static void accept_all(Server *srv, int lfd, bool admin)
{
    for (;;) {
        struct sockaddr_in a;
        socklen_t al = sizeof(a);
        int fd = accept4(lfd, (struct sockaddr *)&a, &al,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            return;
        }
        if ((int)srv->conns->len >= srv->o->max_conns) {
            close(fd);                    /* full: refuse, keep the others */
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        Conn *c = g_new0(Conn, 1);
        c->fd = fd;
        c->admin = admin;
        c->tls = !admin;
        c->phase = admin ? PH_READ : PH_HANDSHAKE;
        c->in = g_byte_array_new();
        c->out = g_byte_array_new();
        c->t_start = c->t_active = mono_ms();
        ras_http_req_init(&c->req);
        char ip[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &a.sin_addr, ip, sizeof(ip));
        snprintf(c->sess.peer, sizeof(c->sess.peer), "%s:%d", ip, ntohs(a.sin_port));
        if (c->tls) {
            mbedtls_ssl_init(&c->ssl);
            if (mbedtls_ssl_setup(&c->ssl, &srv->conf)) {
                conn_free(srv, c, "ssl setup");
                continue;
            }
            mbedtls_ssl_set_user_data_p(&c->ssl, c);
            mbedtls_ssl_set_bio(&c->ssl, c, bio_send, bio_recv, NULL);
        }
        g_ptr_array_add(srv->conns, c);
    }
}

/* Parse what arrived; on a complete request produce the answer. Returns
 * false when the connection is to be cut. */
static bool try_request(Server *srv, Conn *c)
{
    if (!c->in->len) {
        return true;
    }
    if (c->t_req == 0) {
        c->t_req = mono_ms();
    }
    size_t used = 0;
    int rc = ras_http_parse(c->in->data, c->in->len, srv->o->cfg.max_body,
                            &c->req, &used);
    if (rc == RAS_HTTP_MORE) {
        return true;
    }
    GByteArray *resp;
    if (rc < 0) {
        static const char *const h[] = { "Connection: close", NULL };
        resp = ras_http_response(-rc, h, NULL, 0, false, 0);
        c->close_after = true;
        if (!c->admin) {
            char *d = g_strdup_printf("HTTP %d", -rc);
            ras_db_audit(srv->db, srv->o->cfg.instance, c->sess.card.card,
                         c->identity, c->sess.peer, "refused", d);
            g_free(d);
        }
        g_byte_array_set_size(c->in, 0);
    } else {
        g_byte_array_remove_range(c->in, 0, (guint)used);
        if (c->admin) {
            resp = ras_api_handle(srv->db, &srv->o->cfg, &c->req);
            c->close_after = c->req.close;
        } else {
            resp = ras_session_handle(srv->db, &srv->o->cfg, &c->sess, &c->req,
                                      &c->close_after);
        }
    }
    g_byte_array_unref(c->out);
    c->out = resp;
    c->out_off = 0;
    c->phase = PH_WRITE;
    c->t_req = 0;
    c->t_active = mono_ms();
    return true;
}

/* Make progress on C; false: remove it (WHY set when it is an abort). */
static bool step(Server *srv, Conn *c, const char **why)
{
    for (;;) {
        if (c->phase == PH_HANDSHAKE) {
            int rc = mbedtls_ssl_handshake(&c->ssl);
            if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE) {
                c->want_write = rc == MBEDTLS_ERR_SSL_WANT_WRITE;
                return true;
            }
            if (rc) {
                static char msg[160];
                char e[100];
                mbedtls_strerror(rc, e, sizeof(e));
                snprintf(msg, sizeof(msg), "TLS handshake failed: %s", e);
                *why = msg;
                return false;
            }
            c->phase = PH_READ;
            c->t_active = mono_ms();
            /* RFC 6066 max_fragment_length, when the card asked for one */
            int mfl = mbedtls_ssl_get_max_out_record_payload(&c->ssl);
            char *m = mfl > 0 && mfl < MBEDTLS_SSL_OUT_CONTENT_LEN ?
                      g_strdup_printf(", max_fragment_length %d", mfl) : g_strdup("");
            char *d = g_strdup_printf("%s, %s%s", mbedtls_ssl_get_version(&c->ssl),
                                      mbedtls_ssl_get_ciphersuite(&c->ssl), m);
            g_free(m);
            ras_db_audit(srv->db, srv->o->cfg.instance, c->sess.card.card,
                         c->identity, c->sess.peer, "tls", d);
            g_free(d);
            continue;
        }
        if (c->phase == PH_READ) {
            uint8_t buf[4096];
            int n;
            if (c->tls) {
                n = mbedtls_ssl_read(&c->ssl, buf, sizeof(buf));
                if (n == MBEDTLS_ERR_SSL_WANT_READ || n == MBEDTLS_ERR_SSL_WANT_WRITE) {
                    c->want_write = n == MBEDTLS_ERR_SSL_WANT_WRITE;
                    return try_request(srv, c) && (c->phase == PH_READ ? true : step(srv, c, why));
                }
                if (n == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || n == 0) {
                    return false;                 /* the card closed */
                }
                if (n < 0) {
                    *why = "TLS read failed";
                    return false;
                }
            } else {
                n = (int)recv(c->fd, buf, sizeof(buf), 0);
                if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                    return try_request(srv, c) && (c->phase == PH_READ ? true : step(srv, c, why));
                }
                if (n <= 0) {
                    return false;
                }
            }
            if (c->in->len + (size_t)n > RAS_HTTP_MAX_HEAD + srv->o->cfg.max_body + 4096) {
                *why = "request larger than the bounds";
                return false;
            }
            g_byte_array_append(c->in, buf, (guint)n);
            continue;
        }
        /* PH_WRITE */
        while (c->out_off < c->out->len) {
            int n;
            if (c->tls) {
                n = mbedtls_ssl_write(&c->ssl, c->out->data + c->out_off,
                                      c->out->len - c->out_off);
                if (n == MBEDTLS_ERR_SSL_WANT_READ || n == MBEDTLS_ERR_SSL_WANT_WRITE) {
                    c->want_write = true;
                    return true;
                }
            } else {
                n = (int)send(c->fd, c->out->data + c->out_off,
                              c->out->len - c->out_off, MSG_NOSIGNAL);
                if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                    c->want_write = true;
                    return true;
                }
            }
            if (n <= 0) {
                *why = "write failed";
                return false;
            }
            c->out_off += (size_t)n;
            c->t_active = mono_ms();
        }
        if (c->close_after) {
            return false;
        }
        c->phase = PH_READ;
        c->want_write = false;
        if (!try_request(srv, c)) {
            return false;
        }
        if (c->phase == PH_READ) {
            continue;                     /* read on (mbedTLS may hold data) */
        }
    }
}

static const char *expired(const RasServerOpts *o, Conn *c, int64_t now)
{
    if (c->phase == PH_HANDSHAKE && now - c->t_start > o->handshake_ms) {
        return "handshake timeout";
    }
    if (c->phase == PH_READ && c->t_req && now - c->t_req > o->request_ms) {
        return "request timeout (incomplete request)";
    }
    if (c->phase == PH_READ && !c->t_req && now - c->t_active > o->idle_ms) {
        return "idle timeout";
    }
    if (c->phase == PH_WRITE && now - c->t_active > o->request_ms) {
        return "write timeout";
    }
    return NULL;
}

int ras_server_run(RasDb *db, const RasServerOpts *o)
{
    Server srv = { .db = db, .o = o };
    char cards_at[96], admin_at[96] = "none";
    int lfd = listen_on(o->listen, cards_at, sizeof(cards_at));
    if (lfd < 0) {
        fprintf(stderr, "netcard-ras: cannot listen on %s: %s\n", o->listen,
                strerror(errno));
        return 1;
    }
    int afd = -1;
    if (o->admin && (afd = listen_on(o->admin, admin_at, sizeof(admin_at))) < 0) {
        fprintf(stderr, "netcard-ras: cannot listen on %s\n", o->admin);
        return 1;
    }
    struct rlimit rl;
    if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < (rlim_t)o->max_conns + 64) {
        rl.rlim_cur = rl.rlim_max < (rlim_t)o->max_conns + 64 ? rl.rlim_max
                                                             : (rlim_t)o->max_conns + 64;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    psa_crypto_init();
    mbedtls_ssl_config_init(&srv.conf);
    mbedtls_entropy_init(&srv.entropy);
    mbedtls_ctr_drbg_init(&srv.drbg);
    if (mbedtls_ctr_drbg_seed(&srv.drbg, mbedtls_entropy_func, &srv.entropy,
                              (const unsigned char *)"netcard-ras", 11) ||
        mbedtls_ssl_config_defaults(&srv.conf, MBEDTLS_SSL_IS_SERVER,
                                    MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT)) {
        fprintf(stderr, "netcard-ras: TLS set-up failed\n");
        return 1;
    }
    mbedtls_ssl_conf_rng(&srv.conf, mbedtls_ctr_drbg_random, &srv.drbg);
    mbedtls_ssl_conf_min_tls_version(&srv.conf, MBEDTLS_SSL_VERSION_TLS1_2);
    mbedtls_ssl_conf_max_tls_version(&srv.conf, MBEDTLS_SSL_VERSION_TLS1_2);
    mbedtls_ssl_conf_ciphersuites(&srv.conf, psk_suites);
    mbedtls_ssl_conf_psk_cb(&srv.conf, psk_cb, &srv);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    srv.conns = g_ptr_array_new();
    printf("netcard-ras: ready cards=%s admin=%s db=%s instance=%s\n", cards_at,
           admin_at, ras_db_is_pg(db) ? "postgresql" : "sqlite", o->cfg.instance);
    fflush(stdout);

    struct pollfd *pfd = g_new(struct pollfd, o->max_conns + 2);
    while (!stop_flag) {
        int n = 0;
        pfd[n++] = (struct pollfd){ .fd = lfd, .events = POLLIN };
        pfd[n++] = (struct pollfd){ .fd = afd, .events = POLLIN };
        for (guint i = 0; i < srv.conns->len; i++) {
            Conn *c = g_ptr_array_index(srv.conns, i);
            short ev = c->phase == PH_WRITE || c->want_write ? POLLOUT : POLLIN;
            pfd[n++] = (struct pollfd){ .fd = c->fd, .events = ev };
        }
        int rc = poll(pfd, n, 200);
        if (rc < 0 && errno != EINTR) {
            break;
        }
        int64_t now = mono_ms();
        /* Connections first (indices match pfd[2..]), then new ones. */
        for (guint i = srv.conns->len; i-- > 0;) {
            Conn *c = g_ptr_array_index(srv.conns, i);
            const char *why = NULL;
            bool keep = true;
            if (rc > 0 && pfd[2 + i].revents) {
                keep = step(&srv, c, &why);
            }
            if (keep && (why = expired(o, c, now))) {
                keep = false;
            }
            if (!keep) {
                g_ptr_array_remove_index_fast(srv.conns, i);
                conn_free(&srv, c, why);
            }
        }
        if (rc > 0 && (pfd[0].revents & POLLIN)) {
            accept_all(&srv, lfd, false);
        }
        if (rc > 0 && afd >= 0 && (pfd[1].revents & POLLIN)) {
            accept_all(&srv, afd, true);
        }
    }
    for (guint i = 0; i < srv.conns->len; i++) {
        conn_free(&srv, g_ptr_array_index(srv.conns, i), NULL);
    }
    g_ptr_array_free(srv.conns, TRUE);
    g_free(pfd);
    close(lfd);
    if (afd >= 0) {
        close(afd);
    }
    mbedtls_ssl_config_free(&srv.conf);
    mbedtls_ctr_drbg_free(&srv.drbg);
    mbedtls_entropy_free(&srv.entropy);
    return 0;
}
