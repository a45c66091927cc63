/*
 * System tests: the web server's request limits and timers through the
 * real path (host sockets, libslirp, the card's NIC and lwIP), on plain
 * HTTP (ports 80 and 3516) and HTTPS (4116, through `openssl s_client
 * -psk`). Expectations come from docs/network.md ("Protocol, limits and
 * status codes": head + body at most 2048 bytes, 413 beyond, 408 when a
 * request is not complete 2 s after its first byte) and RFC 9112 (a
 * message's body is the Content-Length octets after its head, however
 * the transport cut it: 6.2; TCP segments and TLS records carry no
 * message boundaries).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE
#include "net_card.h"

#include <fcntl.h>
#include <netinet/tcp.h>
#include <sys/stat.h>

TestSuite(system_network_limits, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

/* docs/network.md: head + body at most 2048 bytes; 408 after 2 s. */
#define REQ_MAX             2048
#define REQUEST_TIMEOUT_MS  2000

/* A pause between two sends long enough for slirp to forward the first
 * part on its own (a TCP segment, or a TLS record of its own). */
#define SPLIT_PAUSE_MS      20

static const char echo_body[] = "hello, card!";

/* POST /api/echo with BODY (BODY_LEN bytes), Content-Length written on
 * WIDTH digits (leading zeros are 1*DIGIT too) so that the head's length
 * does not depend on the body's. */
static char *echo_request(const char *body, size_t body_len, int width,
                          bool close, size_t *len)
{
    char *head = nc_strf("POST /api/echo?limits HTTP/1.1\r\nHost: card\r\n"
                         "%sContent-Length: %0*zu\r\n\r\n",
                         close ? "Connection: close\r\n" : "", width,
                         body_len);
    size_t hl = strlen(head);
    char *req = nc_gc(malloc(hl + body_len + 1));
    memcpy(req, head, hl);
    memcpy(req + hl, body, body_len);
    req[hl + body_len] = 0;
    *len = hl + body_len;
    return req;
}

/* The body of response R (after its head), or NULL. */
static const char *body_of(const char *r)
{
    const char *b = strstr(r, "\r\n\r\n");
    return b ? b + 4 : NULL;
}

/*
 * A connection to 127.0.0.1:PORT, each send a segment of its own
 * (TCP_NODELAY). Not in nctest's registry (128 sockets a test): the
 * caller closes it.
 */
static int connect_nodelay(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    struct sockaddr_in a = { .sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert(fd >= 0);
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0,
                 "connect to 127.0.0.1:%d: %s", port, strerror(errno));
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

/* REQ on a new connection in two sends, cut after CUT bytes; the
 * response up to the card's close. */
static char *send_split(int port, const char *req, size_t len, size_t cut)
{
    int fd = connect_nodelay(port);
    send_all(fd, req, cut);
    nc_nap_ms(SPLIT_PAUSE_MS);
    send_all(fd, req + cut, len - cut);
    char *r = recv_all(fd, IO_TIMEOUT_MS);
    close(fd);
    return r;
}

/* ---- HTTPS through openssl s_client, fed through a FIFO ------------- */

/*
 * One TLS-PSK session of `openssl s_client` whose standard input is a
 * FIFO the test writes: each write the client reads becomes a TLS record
 * of its own (SPLIT_PAUSE_MS apart), so a request can be cut into
 * records anywhere. Its standard output is what the card sent.
 */
typedef struct {
    NcProc *proc;
    int in;
    size_t seen;        /* bytes of its output already taken */
} TlsClient;

static TlsClient *tls_open(NetCard *nc)
{
    static int n;
    TlsClient *t = nc_gc(calloc(1, sizeof(*t)));
    const char *fifo = nc_tmp_path(nc_strf("s_client-in-%d", n));

    cr_assert_eq(mkfifo(fifo, 0600), 0, "mkfifo %s: %s", fifo,
                 strerror(errno));
    /* Opened read-write, a FIFO does not wait for the other end (Linux
     * fifo(7)); s_client's read end then opens at once as well. */
    t->in = open(fifo, O_RDWR | O_CLOEXEC);
    cr_assert(t->in >= 0, "open %s: %s", fifo, strerror(errno));
    nc_register_fd(t->in);
    const char *argv[] = { nc_tool("openssl", "openssl"), "s_client",
        "-connect", nc_strf("127.0.0.1:%d", nc->https_port), "-tls1_2",
        "-psk_identity", TEST_PSK_IDENTITY, "-psk", TEST_PSK_HEX,
        "-cipher", "PSK-AES128-GCM-SHA256", "-quiet", "-no_ticket", NULL };
    NcSpawnOpts o = { .stdin_path = fifo };
    t->proc = nc_spawn(nc_strf("s_client%d", n++), argv, &o);
    return t;
}

static void tls_send(TlsClient *t, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(t->in, p, n);
        cr_assert(w > 0, "write to s_client: %s", strerror(errno));
        p += w;
        n -= (size_t)w;
    }
}

/*
 * The next whole response (head and Content-Length body) s_client
 * printed, or what there is once it exited or TIMEOUT_MS passed ("" if
 * nothing).
 */
static char *tls_response(TlsClient *t, int timeout_ms)
{
    int64_t deadline = nc_now_ms() + timeout_ms;
    for (;;) {
        bool exited = nc_proc_exited(t->proc);
        size_t len = 0;
        char *all = nc_gc(nc_read_file(t->proc->stdout_path, &len));
        char *r = all && len > t->seen ? all + t->seen : NULL;
        const char *body = r ? body_of(r) : NULL;
        const char *cl = r ? strcasestr(r, "\r\nContent-Length:") : NULL;
        if (body && cl && cl < body &&
            strlen(body) >= strtoul(cl + 17, NULL, 10)) {
            size_t n = (size_t)(body - r) + strtoul(cl + 17, NULL, 10);
            t->seen += n;
            return nc_gc(strndup(r, n));
        }
        if (exited || nc_now_ms() > deadline) {
            t->seen = len;
            return r ? r : "";
        }
        nc_nap_ms(5);
    }
}

/* -quiet implies -ign_eof: s_client stays until the card closes. */
static void tls_close(TlsClient *t)
{
    nc_close_fd(t->in);
    if (!nc_proc_exited(t->proc)) {
        nc_proc_stop(t->proc);
    }
}

/* ---- Item: request bodies (issue 17, 2) ------------------------------ */

/*
 * RFC 9112 6.2: the body is the Content-Length octets after the head,
 * wherever TCP cuts the stream. Cut a POST after each of its bytes (head
 * and body in different segments, the body itself cut): always 200 and
 * the body echoed, on port 80 and on the SCWS port.
 */
Test(system_network_limits, body_split_at_every_byte)
{
    NetCard *nc = boot_net_card();
    size_t len;
    char *req = echo_request(echo_body, sizeof(echo_body) - 1, 1, true, &len);
    const int ports[] = { nc->http_port, nc->scws_port };

    for (size_t p = 0; p < 2; p++) {
        for (size_t cut = 1; cut < len; cut++) {
            char *r = send_split(ports[p], req, len, cut);
            const char *b = body_of(r);
            cr_assert(status_of(r) == 200u && b && strcmp(b, echo_body) == 0,
                      "port %d, cut after %zu of %zu bytes: \"%.60s\"",
                      ports[p], cut, len, r);
        }
    }
    expect_serving(nc);
}

/* The same over TLS: the request cut into two records after each byte,
 * on one keep-alive session. */
Test(system_network_limits, https_body_split_at_every_byte)
{
    NetCard *nc = boot_net_card();
    size_t len;
    char *req = echo_request(echo_body, sizeof(echo_body) - 1, 1, false,
                             &len);
    TlsClient *t = tls_open(nc);

    for (size_t cut = 1; cut < len; cut++) {
        tls_send(t, req, cut);
        nc_nap_ms(SPLIT_PAUSE_MS);
        tls_send(t, req + cut, len - cut);
        char *r = tls_response(t, IO_TIMEOUT_MS);
        const char *b = body_of(r);
        cr_assert(status_of(r) == 200u && b && strcmp(b, echo_body) == 0,
                  "cut after %zu of %zu bytes: \"%.60s\"", cut, len, r);
    }
    tls_close(t);
}

/*
 * docs/network.md: head + body at most 2048 bytes. Requests of one
 * segment plus one byte, and of exactly 2048 bytes, are served; 2049
 * bytes get 413. Over TLS the body comes in a record after the head's.
 */
Test(system_network_limits, bodies_up_to_the_documented_limit)
{
    NetCard *nc = boot_net_card();
    char *body = nc_gc(malloc(REQ_MAX));
    size_t hl;
    echo_request("", 0, 5, true, &hl);
    for (size_t i = 0; i < REQ_MAX; i++) {
        body[i] = (char)('a' + i % 26);
    }
    /* 1461: one byte more than a segment's 1460 (MSS, docs/network.md). */
    const size_t totals[] = { 1461, REQ_MAX - 1, REQ_MAX, REQ_MAX + 1 };

    for (size_t i = 0; i < 4; i++) {
        size_t len, blen = totals[i] - hl;
        char *req = echo_request(body, blen, 5, true, &len);
        unsigned want = totals[i] <= REQ_MAX ? 200u : 413u;
        cr_assert_eq(len, totals[i]);

        int fd = tcp_connect(nc->http_port);
        send_all(fd, req, len);
        char *r = recv_all(fd, IO_TIMEOUT_MS);
        nc_close_fd(fd);
        cr_assert_eq(status_of(r), want, "%zu bytes: \"%.60s\"", len, r);
        if (want == 200u) {
            const char *b = body_of(r);
            cr_assert(b && strlen(b) == blen && memcmp(b, body, blen) == 0,
                      "%zu bytes: the body did not come back", len);
        }

        TlsClient *t = tls_open(nc);
        tls_send(t, req, hl);
        nc_nap_ms(SPLIT_PAUSE_MS);
        tls_send(t, req + hl, len - hl);
        r = tls_response(t, IO_TIMEOUT_MS);
        cr_assert_eq(status_of(r), want, "%zu bytes over TLS: \"%.60s\"",
                     len, r);
        if (want == 200u) {
            const char *b = body_of(r);
            cr_assert(b && strlen(b) == blen && memcmp(b, body, blen) == 0,
                      "%zu bytes over TLS: the body did not come back", len);
        }
        tls_close(t);
    }
    expect_serving(nc);
}

/*
 * A body that never completes: 408 (docs/network.md), not before the
 * request timer (2 s from the request's first byte), over HTTP and TLS.
 */
Test(system_network_limits, stalled_body_gets_408_after_the_request_timer)
{
    NetCard *nc = boot_net_card();
    static const char part[] = "POST /api/echo HTTP/1.1\r\nHost: card\r\n"
                               "Content-Length: 10\r\n\r\nabc";

    int fd = tcp_connect(nc->http_port);
    int64_t t0 = nc_now_ms();
    send_all(fd, part, sizeof(part) - 1);
    char *r = recv_all(fd, HALF_SENT_WAIT_MS);
    int64_t dt = nc_now_ms() - t0;
    nc_close_fd(fd);
    cr_assert_eq(status_of(r), 408u, "stalled body: \"%.60s\" after %lld ms",
                 r, (long long)dt);
    cr_assert_geq(dt, REQUEST_TIMEOUT_MS - 100, "408 after %lld ms",
                  (long long)dt);

    static const char get[] = "GET /robots.txt HTTP/1.1\r\nHost: card\r\n\r\n";
    TlsClient *t = tls_open(nc);
    tls_send(t, get, sizeof(get) - 1);
    cr_assert_eq(status_of(tls_response(t, IO_TIMEOUT_MS)), 200u,
                 "TLS session not up");
    t0 = nc_now_ms();
    tls_send(t, part, sizeof(part) - 1);
    r = tls_response(t, HALF_SENT_WAIT_MS);
    dt = nc_now_ms() - t0;
    cr_assert_eq(status_of(r), 408u, "stalled body over TLS: \"%.60s\" "
                 "after %lld ms", r, (long long)dt);
    cr_assert_geq(dt, REQUEST_TIMEOUT_MS - 100, "408 over TLS after %lld ms",
                  (long long)dt);
    tls_close(t);
    expect_serving(nc);
}

/* ---- Item: idle connections (issue 17, 4) ---------------------------- */

/* docs/network.md: first byte within 2 s of the connection; an idle
 * persistent connection keeps its slot 2 s; a handshake within 10 s. */
#define FIRST_BYTE_TIMEOUT_MS   2000
#define IDLE_HOLD_MS            2000
#define HANDSHAKE_TIMEOUT_MS    10000

/* A TLS 1.2 ClientHello record header announcing 200 bytes (RFC 5246
 * 6.2.1, 7.4.1.2), and the first bytes of the message: never finished. */
static const char partial_hello[] = "\x16\x03\x01\x00\xc8\x01\x00\x00\xc4"
                                    "\x03\x03";

/*
 * Wait until the card ends connection FD (EOF or reset); its time since
 * T0, or -1 if it was still open after TIMEOUT_MS.
 */
static int64_t wait_closed(int fd, int64_t t0, int timeout_ms)
{
    int64_t deadline = t0 + timeout_ms;
    char buf[512];

    for (;;) {
        int left = (int)(deadline - nc_now_ms());
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        if (left <= 0) {
            return -1;
        }
        if (poll(&pfd, 1, left) <= 0) {
            continue;
        }
        ssize_t r = recv(fd, buf, sizeof(buf), 0);
        if (r <= 0) {
            return nc_now_ms() - t0;
        }
    }
}

/*
 * Connections that send nothing take no slot: with 8 of them open on
 * port 80 and 3 on 4116, a real client is served over both at once; the
 * card closes each silent one after the first-byte timeout (not the 15 s
 * idle time, not the 10 s handshake time).
 */
Test(system_network_limits, silent_connections_take_no_slot_and_are_closed)
{
    NetCard *nc = boot_net_card();
    enum { N_HTTP = 8, N_TLS = 3 };
    int fds[N_HTTP + N_TLS];
    int64_t t0[N_HTTP + N_TLS];

    for (int i = 0; i < N_HTTP + N_TLS; i++) {
        fds[i] = tcp_connect(i < N_HTTP ? nc->http_port : nc->https_port);
        t0[i] = nc_now_ms();
    }
    nc_nap_ms(300);       /* all accepted by the card */
    expect_serving(nc);
    int rc;
    char *out = https_get(nc, "PSK-AES128-GCM-SHA256", TEST_PSK_IDENTITY,
                          TEST_PSK_HEX, NULL, &rc);
    cr_assert_eq(status_of(out), 200u, "HTTPS beside %d silent "
                 "connections: %.80s", N_TLS, out);

    for (int i = 0; i < N_HTTP + N_TLS; i++) {
        int64_t dt = wait_closed(fds[i], t0[i], 4 * FIRST_BYTE_TIMEOUT_MS);
        cr_assert(dt >= 0, "silent connection %d (port %s) still open after "
                  "%d ms", i, i < N_HTTP ? "80" : "4116",
                  4 * FIRST_BYTE_TIMEOUT_MS);
        cr_assert_geq(dt, FIRST_BYTE_TIMEOUT_MS - 600, "connection %d closed "
                      "after %lld ms", i, (long long)dt);
        nc_close_fd(fds[i]);
    }
}

/*
 * All 6 slots held by persistent connections (docs/network.md): at once
 * a 7th connection gets 503 (system_network all_slots_busy_gives_503);
 * once they have been idle for the hold time, the one idle the longest
 * gives its slot up to the 7th, and keeps its connection: all 6 still
 * answer on theirs.
 */
Test(system_network_limits, idle_persistent_connection_gives_its_slot_up)
{
    NetCard *nc = boot_net_card();
    static const char get[] = "GET /robots.txt HTTP/1.1\r\nHost: card\r\n\r\n";
    static const char get_close[] = "GET /robots.txt HTTP/1.1\r\nHost: card\r\n"
                                    "Connection: close\r\n\r\n";
    int held[6];

    for (int i = 0; i < 6; i++) {
        held[i] = tcp_connect(nc->http_port);
        send_all(held[i], get, sizeof(get) - 1);
        cr_assert_eq(read_one_response(held[i]), 200u, "connection %d", i);
    }
    nc_nap_ms(IDLE_HOLD_MS + 1000);
    int extra = tcp_connect(nc->http_port);
    send_all(extra, get_close, sizeof(get_close) - 1);
    char *r = recv_all(extra, IO_TIMEOUT_MS);
    cr_assert_eq(status_of(r), 200u, "7th connection after the hold time: "
                 "\"%.60s\"", r);
    nc_close_fd(extra);
    for (int i = 0; i < 6; i++) {
        send_all(held[i], get, sizeof(get) - 1);
        cr_assert_eq(read_one_response(held[i]), 200u, "connection %d after "
                     "the 7th", i);
        nc_close_fd(held[i]);
    }
}

/*
 * Two TLS handshakes that stall in their ClientHello hold both HTTPS
 * sessions: a real client (a whole ClientHello) still gets a session
 * (the older stall is reset), and the other stall is cut off by the
 * handshake time bound (10 s from its first byte; not much earlier).
 */
Test(system_network_limits, stalled_handshakes_do_not_block_https)
{
    NetCard *nc = boot_net_card();
    int stall[2];
    int64_t t0[2];

    for (int i = 0; i < 2; i++) {
        stall[i] = tcp_connect(nc->https_port);
        send_all(stall[i], partial_hello, sizeof(partial_hello) - 1);
        t0[i] = nc_now_ms();
        nc_nap_ms(200);
    }
    int rc;
    char *out = https_get(nc, "PSK-AES128-GCM-SHA256", TEST_PSK_IDENTITY,
                          TEST_PSK_HEX, NULL, &rc);
    cr_assert_eq(status_of(out), 200u, "HTTPS beside two stalled "
                 "handshakes: %.80s", out);
    int64_t dt = wait_closed(stall[1], t0[1], HANDSHAKE_TIMEOUT_MS + 5000);
    cr_assert(dt >= 0, "a stalled handshake still open after %d ms",
              HANDSHAKE_TIMEOUT_MS + 5000);
    cr_assert_geq(dt, HANDSHAKE_TIMEOUT_MS - 1000, "stalled handshake cut "
                  "after %lld ms", (long long)dt);
    for (int i = 0; i < 2; i++) {
        nc_close_fd(stall[i]);
    }
    expect_serving(nc);
}

/*
 * A probe in the test's own loop keeps 50 connections on the card: on
 * ports 80 and 4116, silent ones and ones that trickle a request or a
 * ClientHello a byte every 100 ms, each reopened as soon as the card
 * closes or resets it. Meanwhile a real client (curl, openssl s_client)
 * must get 5 answers over HTTP and 5 over HTTPS in at most 12 attempts
 * each, one after the other; generous bounds: behaviour, not timing (a
 * reopen flood also fills the host's accept queue of slirp's forwarded
 * ports: a connect may wait 1 s for its SYN to be sent again).
 */
typedef struct {
    int fd;
    int port;
    const char *trickle;      /* NULL: silent */
    size_t len;               /* of TRICKLE; after it, FILL for ever */
    char fill;
    size_t sent;
    int64_t t;
} Probe;

static void probe_open(Probe *p)
{
    struct sockaddr_in a = { .sin_family = AF_INET,
                             .sin_port = htons((uint16_t)p->port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    p->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    cr_assert(p->fd >= 0, "socket: %s", strerror(errno));
    (void)connect(p->fd, (struct sockaddr *)&a, sizeof(a));
    p->sent = 0;
    p->t = nc_now_ms();
}

static bool transient(int e)
{
    return e == EAGAIN || e == EWOULDBLOCK || e == ENOTCONN ||
           e == EINPROGRESS;
}

/* One turn of probe P: reopen it if the card ended it, trickle a byte
 * every 100 ms. */
static void probe_step(Probe *p, int64_t now, unsigned *reopens)
{
    char buf[512];
    ssize_t r = recv(p->fd, buf, sizeof(buf), MSG_DONTWAIT);
    bool ended = r == 0 || (r < 0 && !transient(errno));

    if (!ended && p->trickle && now - p->t >= 100) {
        char c = p->sent < p->len ? p->trickle[p->sent] : p->fill;
        if (send(p->fd, &c, 1, MSG_DONTWAIT | MSG_NOSIGNAL) == 1) {
            p->sent++;
        } else if (!transient(errno)) {
            ended = true;
        }
        p->t = now;
    }
    if (ended) {
        close(p->fd);
        probe_open(p);
        (*reopens)++;
    }
}

/* A real client's attempt, running beside the probe. */
typedef struct {
    NcProc *proc;
    int64_t t0;
    unsigned served, failed;
    const char *last;         /* what the last failure printed */
} Client;

/* Start an attempt, at most one a second. */
static void client_start(Client *c, const char *name,
                         const char *const argv[], const char *stdin_path)
{
    NcSpawnOpts o = { .stdin_path = stdin_path };
    if (c->t0 && nc_now_ms() - c->t0 < 1000) {
        return;
    }
    c->proc = nc_spawn(name, argv, &o);
    c->t0 = nc_now_ms();
}

/* Has the attempt ended? Counts it (answered 200 or not). */
static bool client_done(Client *c, bool tls)
{
    if (!nc_proc_exited(c->proc)) {
        if (nc_now_ms() - c->t0 < 30000) {
            return false;
        }
        nc_proc_stop(c->proc);
    }
    char *out = nc_gc(nc_read_file(c->proc->stdout_path, NULL));
    bool ok = out && (tls ? status_of(out) == 200u
                          : strcmp(out, "200") == 0);
    if (ok) {
        c->served++;
    } else {
        c->failed++;
        c->last = out ? out : "";
    }
    c->proc = NULL;
    return true;
}

Test(system_network_limits, idle_and_slow_connections_do_not_stop_service)
{
    NetCard *nc = boot_net_card();
    /* 2 x 12 attempts: within nctest's 32 processes a test. */
    enum { N_PROBES = 50, WANT = 5, TRIES = 12, BUDGET_MS = 120000 };
    static const char req[] = "GET /api/status HTTP/1.1\r\nHost: card\r\n"
                              "X-Slow: ";
    Probe probes[N_PROBES];
    unsigned reopens = 0;

    for (int i = 0; i < N_PROBES; i++) {
        bool tls = i % 4 >= 2, slow = i % 2;
        probes[i] = (Probe){
            .port = tls ? nc->https_port : nc->http_port,
            .trickle = !slow ? NULL : tls ? partial_hello : req,
            .len = tls ? sizeof(partial_hello) - 1 : sizeof(req) - 1,
            .fill = tls ? 0 : 'a',
        };
        probe_open(&probes[i]);
    }
    const char *get = nc_tmp_path("probe-get.txt");
    FILE *f = fopen(get, "w");
    cr_assert(f);
    fputs("GET /api/status HTTP/1.1\r\nHost: card\r\nConnection: close\r\n"
          "\r\n", f);
    fclose(f);
    const char *url = nc_strf("http://127.0.0.1:%d/api/status",
                              nc->http_port);
    const char *curl_argv[] = { curl(), "-sS", "--max-time", "20", "-o",
                                "/dev/null", "-w", "%{http_code}", url, NULL };
    const char *tls_argv[] = { nc_tool("openssl", "openssl"), "s_client",
        "-connect", nc_strf("127.0.0.1:%d", nc->https_port), "-tls1_2",
        "-psk_identity", TEST_PSK_IDENTITY, "-psk", TEST_PSK_HEX, "-cipher",
        "PSK-AES128-GCM-SHA256", "-quiet", "-no_ticket", NULL };
    Client http = { 0 }, https = { 0 };
    int64_t start = nc_now_ms();

    /* Let the probe take the card's connections first (its silent
     * connections, 15 s on main, outlast its slow ones). */
    while (nc_now_ms() - start < 8000) {
        for (int i = 0; i < N_PROBES; i++) {
            probe_step(&probes[i], nc_now_ms(), &reopens);
        }
        nc_nap_ms(10);
    }
    while ((http.proc || https.proc ||
            (http.served < WANT && http.served + http.failed < TRIES) ||
            (https.served < WANT && https.served + https.failed < TRIES)) &&
           nc_now_ms() - start < BUDGET_MS) {
        if ((!http.proc || client_done(&http, false)) &&
            http.served < WANT && http.served + http.failed < TRIES) {
            client_start(&http, "curl", curl_argv, NULL);
        }
        if ((!https.proc || client_done(&https, true)) &&
            https.served < WANT && https.served + https.failed < TRIES) {
            client_start(&https, "s_client", tls_argv, get);
        }
        for (int i = 0; i < N_PROBES; i++) {
            probe_step(&probes[i], nc_now_ms(), &reopens);
        }
        nc_nap_ms(10);
    }
    for (int i = 0; i < N_PROBES; i++) {
        close(probes[i].fd);
    }
    cr_log_info("probe: %u reopens; HTTP %u served, %u failed; HTTPS %u "
                "served, %u failed; %lld s", reopens, http.served,
                http.failed, https.served, https.failed,
                (long long)(nc_now_ms() - start) / 1000);
    cr_assert(http.served >= WANT && https.served >= WANT,
              "beside %d idle/slow connections (%u reopened), in %lld s: "
              "HTTP %u served, %u failed (last: \"%.40s\"); HTTPS %u "
              "served, %u failed (last: \"%.40s\")", N_PROBES, reopens,
              (long long)(nc_now_ms() - start) / 1000,
              http.served, http.failed, http.last ? http.last : "",
              https.served, https.failed, https.last ? https.last : "");
    expect_serving(nc);
}
