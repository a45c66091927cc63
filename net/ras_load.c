/*
 * ras-load — simulated cards for netcard-ras: each speaks the card side of
 * GlobalPlatform Amendment B v1.1.3 (TLS 1.2 PSK, first POST without body,
 * execute the script with canned R-APDUs, POST the response script to the
 * X-Admin-Next-URI, until 204) — for the tests and make bench.
 *
 *   ras-load --port P[,P2...] [--host H] [--cards N] [--first K]
 *            [--sessions M] [--parallel] [--chunked] [--indefinite]
 *            [--mfl 512] [--hold-ms MS] [--break-after N] [--retries R]
 *            [--wrong-psk] [--log FILE] [--timeout-ms MS]
 *   ras-load --print-cards N [--first K]   lines "ICCID IDENTITY PSK"
 *
 * Card i: ICCID 8949000000000iiiiii, identity ras-load-iiiiii, a 16-byte
 * PSK derived from i (test keys only). Every C-APDU is answered 90 00
 * (INITIALIZE UPDATE too: no secure channel is opened by this tool).
 * --parallel: each card runs one session against every port at once
 * (otherwise card i uses port i mod count). --hold-ms: wait before posting
 * the first script's results; --break-after N: after posting the results
 * of the N-th script, drop the connection unread and resume (Amendment B
 * 3.4.5: X-Admin-Resume: true, same Next-URI, same body). I/O failures
 * after the first POST are retried (--retries, 300 ms apart) by resuming.
 * Prints "ras-load: sessions=S ok=O failed=F scripts=N seconds=T
 * sessions_per_s=R"; exit 0 when every session ended with 204.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "mbedtls/error.h"
#include "mbedtls/net_sockets.h"
#include "mbedtls/ssl.h"
#include "psa/crypto.h"
#include "ras/ras_codec.h"

static const int suites[] = {
    MBEDTLS_TLS_PSK_WITH_AES_128_CBC_SHA256,
    MBEDTLS_TLS_PSK_WITH_AES_128_GCM_SHA256, 0,
};

static struct {
    const char *host;
    char *ports[8];
    int nports, cards, first, sessions, hold_ms, break_after, retries, mfl;
    int timeout_ms;
    int chunked, indefinite, parallel, wrong_psk;
    FILE *log;
} opt = { .host = "127.0.0.1", .cards = 1, .sessions = 1, .retries = 20,
          .timeout_ms = 30000 };

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int n_ok, n_failed, n_scripts;
static mbedtls_ctr_drbg_context drbg;

static void card_keys(int i, char *iccid, char *identity, uint8_t psk[16])
{
    sprintf(iccid, "8949000000000%06d", i);
    sprintf(identity, "ras-load-%06d", i);
    for (int j = 0; j < 16; j++) {
        psk[j] = (uint8_t)(i * 7 + j * 13 + 1);
    }
}

typedef struct {
    mbedtls_net_context net;
    mbedtls_ssl_context ssl;
    mbedtls_ssl_config conf;
    uint8_t buf[1 << 16];
    size_t len;
} Conn;

static int conn_open(Conn *c, const char *port, const char *identity,
                     const uint8_t *psk)
{
    mbedtls_net_init(&c->net);
    mbedtls_ssl_init(&c->ssl);
    mbedtls_ssl_config_init(&c->conf);
    c->len = 0;
    if (mbedtls_net_connect(&c->net, opt.host, port, MBEDTLS_NET_PROTO_TCP) ||
        mbedtls_ssl_config_defaults(&c->conf, MBEDTLS_SSL_IS_CLIENT,
                                    MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT)) {
        return -1;
    }
    mbedtls_ssl_conf_rng(&c->conf, mbedtls_ctr_drbg_random, &drbg);
    mbedtls_ssl_conf_min_tls_version(&c->conf, MBEDTLS_SSL_VERSION_TLS1_2);
    mbedtls_ssl_conf_max_tls_version(&c->conf, MBEDTLS_SSL_VERSION_TLS1_2);
    mbedtls_ssl_conf_ciphersuites(&c->conf, suites);
    mbedtls_ssl_conf_read_timeout(&c->conf, (uint32_t)opt.timeout_ms);
    if (opt.mfl == 512) {
        mbedtls_ssl_conf_max_frag_len(&c->conf, MBEDTLS_SSL_MAX_FRAG_LEN_512);
    }
    if (mbedtls_ssl_conf_psk(&c->conf, psk, 16, (const uint8_t *)identity,
                             strlen(identity)) ||
        mbedtls_ssl_setup(&c->ssl, &c->conf)) {
        return -1;
    }
    mbedtls_ssl_set_bio(&c->ssl, &c->net, mbedtls_net_send, NULL,
                        mbedtls_net_recv_timeout);
    return mbedtls_ssl_handshake(&c->ssl) ? -2 : 0;
}

static void conn_close(Conn *c, bool notify)
{
    if (notify) {
        mbedtls_ssl_close_notify(&c->ssl);
    }
    mbedtls_ssl_free(&c->ssl);
    mbedtls_ssl_config_free(&c->conf);
    mbedtls_net_free(&c->net);
}

static int send_all(Conn *c, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n) {
        int w = mbedtls_ssl_write(&c->ssl, b, n);
        if (w <= 0) {
            return -1;
        }
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

/* POST URI with BODY (NULL: none); chunked when asked. */
static int post(Conn *c, const char *uri, const char *from, const RasBytes *body,
                bool resume)
{
    char h[1024];
    int n = snprintf(h, sizeof(h),
        "POST %s HTTP/1.1\r\nHost: ras.netcard.test\r\n"
        "X-Admin-Protocol: globalplatform-remote-admin/1.0\r\n"
        "X-Admin-From: %s\r\n%s", uri, from, resume ? "X-Admin-Resume: true\r\n" : "");
    if (body && body->len) {
        n += snprintf(h + n, sizeof(h) - n,
            "Content-Type: application/vnd.globalplatform.card-content-mgt-response;version=1.0\r\n"
            "X-Admin-Script-Status: ok\r\n");
        if (opt.chunked) {
            n += snprintf(h + n, sizeof(h) - n, "Transfer-Encoding: chunked\r\n\r\n");
            if (send_all(c, h, (size_t)n)) {
                return -1;
            }
            for (size_t off = 0; off < body->len; off += 7) {   /* small chunks */
                size_t k = body->len - off < 7 ? body->len - off : 7;
                char sz[16];
                int m = snprintf(sz, sizeof(sz), "%zx\r\n", k);
                if (send_all(c, sz, (size_t)m) || send_all(c, body->p + off, k) ||
                    send_all(c, "\r\n", 2)) {
                    return -1;
                }
            }
            return send_all(c, "0\r\n\r\n", 5);
        }
        n += snprintf(h + n, sizeof(h) - n, "Content-Length: %zu\r\n\r\n", body->len);
        return send_all(c, h, (size_t)n) || send_all(c, body->p, body->len) ? -1 : 0;
    }
    n += snprintf(h + n, sizeof(h) - n, "Content-Length: 0\r\n\r\n");
    return send_all(c, h, (size_t)n);
}

static int fill(Conn *c)
{
    if (c->len == sizeof(c->buf)) {
        return -1;
    }
    int r = mbedtls_ssl_read(&c->ssl, c->buf + c->len, sizeof(c->buf) - c->len);
    if (r <= 0) {
        return -1;
    }
    c->len += (size_t)r;
    return 0;
}

/* Read one response: status, Next-URI, body (Content-Length or chunked). */
static int response(Conn *c, char *next, size_t next_cap, RasBytes *body)
{
    char *he;
    while (!(he = memmem(c->buf, c->len, "\r\n\r\n", 4))) {
        if (fill(c)) {
            return -1;
        }
    }
    size_t hl = (size_t)((uint8_t *)he - c->buf) + 4;
    int status = 0;
    if (sscanf((char *)c->buf, "HTTP/1.1 %d", &status) != 1) {
        return -1;
    }
    long clen = 0;
    bool chunked = false;
    next[0] = 0;
    for (char *l = strstr((char *)c->buf, "\r\n") + 2; l < he; l = strstr(l, "\r\n") + 2) {
        if (!strncasecmp(l, "Content-Length:", 15)) {
            clen = strtol(l + 15, NULL, 10);
        } else if (!strncasecmp(l, "Transfer-Encoding: chunked", 26)) {
            chunked = true;
        } else if (!strncasecmp(l, "X-Admin-Next-URI:", 17)) {
            sscanf(l + 17, " %255s", next);
            (void)next_cap;
        }
    }
    body->len = 0;
    size_t off = hl;
    if (!chunked) {
        while (c->len - off < (size_t)clen) {
            if (fill(c)) {
                return -1;
            }
        }
        ras_bytes_append(body, c->buf + off, (size_t)clen);
        off += (size_t)clen;
    } else {
        for (;;) {
            char *le;
            while (!(le = memmem(c->buf + off, c->len - off, "\r\n", 2))) {
                if (fill(c)) {
                    return -1;
                }
            }
            size_t sz = strtoul((char *)c->buf + off, NULL, 16);
            size_t start = (size_t)((uint8_t *)le - c->buf) + 2;
            while (c->len - start < sz + 2) {
                if (fill(c)) {
                    return -1;
                }
            }
            ras_bytes_append(body, c->buf + start, sz);
            off = start + sz + 2;
            if (sz == 0) {
                break;
            }
        }
    }
    memmove(c->buf, c->buf + off, c->len - off);
    c->len -= off;
    return status;
}

static bool session(int card, const char *port)
{
    char iccid[32], identity[32];
    uint8_t psk[16];
    card_keys(card, iccid, identity, psk);
    if (opt.wrong_psk) {
        psk[0] ^= 0xFF;
    }
    char from[64];
    snprintf(from, sizeof(from), "//se-id/iccid/%s", iccid);
    Conn *c = calloc(1, sizeof(*c));
    char uri[256] = "/ras/admin", next[256];
    RasBytes results = { 0 }, body = { 0 };
    bool resume = false, ok = false, broke = false;
    int scripts = 0, tries = 0;
    for (;;) {
        int rc = conn_open(c, port, identity, psk);
        if (rc == -2 && !resume) {
            conn_close(c, false);
            break;                   /* TLS failure: no retry (Amendment B 3.4.5) */
        }
        bool failed = rc != 0 || post(c, uri, from, resume ? &results : NULL, resume) != 0;
        while (!failed) {
            if (opt.break_after && !broke && scripts == opt.break_after && resume == false &&
                results.len) {
                broke = true;        /* drop the answer to this POST unread */
                usleep(300 * 1000);  /* (after the server has stored the results) */
                failed = true;
                break;
            }
            int st = response(c, next, sizeof(next), &body);
            if (st == 204) {
                ok = true;
                break;
            }
            RasSpan cmds[256];
            int n = st == 200 ? ras_script_parse(body.p, body.len, cmds, 256) : -1;
            if (n < 0 || !next[0]) {
                fprintf(stderr, "ras-load: card %d: status %d, script %d\n", card, st, n);
                break;
            }
            scripts++;
            pthread_mutex_lock(&mu);
            n_scripts++;
            if (opt.log) {
                fprintf(opt.log, "script card=%s uri=%s apdus=%d\n", iccid, next, n);
                fflush(opt.log);
            }
            pthread_mutex_unlock(&mu);
            static const uint8_t sw[2] = { 0x90, 0x00 };
            RasSpan r[256];
            for (int i = 0; i < n; i++) {
                r[i].p = sw;
                r[i].len = 2;
            }
            results.len = 0;
            ras_results_encode(&results, n, r, (size_t)n, opt.indefinite);
            snprintf(uri, sizeof(uri), "%s", next);
            if (opt.hold_ms && scripts == 1) {
                usleep((useconds_t)opt.hold_ms * 1000);
            }
            resume = false;
            if (post(c, uri, from, &results, false)) {
                failed = true;
            }
        }
        if (!failed) {
            conn_close(c, true);
            break;
        }
        conn_close(c, false);
        if (!results.len || ++tries > opt.retries) {
            break;                   /* nothing to resume */
        }
        resume = true;
        usleep(300 * 1000);
    }
    pthread_mutex_lock(&mu);
    if (ok) {
        n_ok++;
    } else {
        n_failed++;
    }
    pthread_mutex_unlock(&mu);
    ras_bytes_free(&results);
    ras_bytes_free(&body);
    free(c);
    return ok;
}

typedef struct { int card; int port; } Work;

static void *run(void *arg)
{
    Work *w = arg;
    for (int s = 0; s < opt.sessions; s++) {
        session(w->card, opt.ports[w->port]);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int print = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(name) (!strcmp(a, name) && v && ++i)
        if (OPT("--host")) opt.host = v;
        else if (OPT("--port")) {
            char *s = strdup(v);
            for (char *t = strtok(s, ","); t && opt.nports < 8; t = strtok(NULL, ","))
                opt.ports[opt.nports++] = t;
        }
        else if (OPT("--cards")) opt.cards = atoi(v);
        else if (OPT("--first")) opt.first = atoi(v);
        else if (OPT("--sessions")) opt.sessions = atoi(v);
        else if (OPT("--hold-ms")) opt.hold_ms = atoi(v);
        else if (OPT("--break-after")) opt.break_after = atoi(v);
        else if (OPT("--retries")) opt.retries = atoi(v);
        else if (OPT("--mfl")) opt.mfl = atoi(v);
        else if (OPT("--timeout-ms")) opt.timeout_ms = atoi(v);
        else if (OPT("--print-cards")) print = atoi(v);
        else if (OPT("--log")) opt.log = fopen(v, "a");
        else if (!strcmp(a, "--chunked")) opt.chunked = 1;
        else if (!strcmp(a, "--indefinite")) opt.indefinite = 1;
        else if (!strcmp(a, "--parallel")) opt.parallel = 1;
        else if (!strcmp(a, "--wrong-psk")) opt.wrong_psk = 1;
        else {
            fprintf(stderr, "ras-load: bad argument %s (see the source's header)\n", a);
            return 2;
        }
#undef OPT
    }
    if (print >= 0) {
        for (int i = opt.first; i < opt.first + print; i++) {
            char iccid[32], id[32], hex[40];
            uint8_t psk[16];
            card_keys(i, iccid, id, psk);
            ras_hex(psk, 16, hex);
            printf("%s %s %s\n", iccid, id, hex);
        }
        return 0;
    }
    if (!opt.nports) {
        fprintf(stderr, "ras-load: --port is required\n");
        return 2;
    }
    psa_crypto_init();
    mbedtls_entropy_context ent;
    mbedtls_entropy_init(&ent);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent, NULL, 0);
    int nthreads = opt.cards * (opt.parallel ? opt.nports : 1);
    pthread_t *t = calloc((size_t)nthreads, sizeof(*t));
    Work *w = calloc((size_t)nthreads, sizeof(*w));
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    for (int i = 0; i < nthreads; i++) {
        int card = opt.parallel ? i / opt.nports : i;
        w[i].card = opt.first + card;
        w[i].port = opt.parallel ? i % opt.nports : card % opt.nports;
        pthread_create(&t[i], &attr, run, &w[i]);
    }
    for (int i = 0; i < nthreads; i++) {
        pthread_join(t[i], NULL);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("ras-load: sessions=%d ok=%d failed=%d scripts=%d seconds=%.3f "
           "sessions_per_s=%.1f\n", n_ok + n_failed, n_ok, n_failed, n_scripts, s,
           (n_ok + n_failed) / s);
    return n_failed ? 1 : 0;
}
