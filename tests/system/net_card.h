/*
 * Helpers for the network system tests (test_network.c,
 * test_network_limits.c): boot cardos-test.elf with its NIC on libslirp
 * and the web server forwarded to free loopback ports, and talk to it
 * with real clients (curl, openssl s_client, plain sockets).
 *
 * Include after defining _GNU_SOURCE (strcasestr).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_TESTS_SYSTEM_NET_CARD_H
#define NETCARD_TESTS_SYSTEM_NET_CARD_H

#include "system.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* DHCP from slirp is immediate; the card falls back to static after 5 s. */
#define NET_UP_TIMEOUT_MS   30000
/* The card answers 408 HTTP_REQUEST_TIMEOUT_MS (2 s) after the first
 * byte of an incomplete request (docs/network.md); generous bound. */
#define HALF_SENT_WAIT_MS   15000
#define IO_TIMEOUT_MS       15000

typedef struct {
    NcCard *card;
    int http_port;
    int scws_port;
    int https_port;
    char *ip, *gw;
    unsigned prefix;
} NetCard;

/* Boot with the NIC forwarded; on the NVM image file NVM (NULL: none). */
static inline NetCard *boot_net_card_on(const char *nvm)
{
    NetCard *nc = nc_gc(calloc(1, sizeof(*nc)));
    nc->http_port = nc_free_tcp_port();
    do {
        nc->scws_port = nc_free_tcp_port();
    } while (nc->scws_port == nc->http_port);
    do {
        nc->https_port = nc_free_tcp_port();
    } while (nc->https_port == nc->http_port ||
             nc->https_port == nc->scws_port);
    const char *const opts[] = {
        "--hostfwd", nc_strf("%d:80", nc->http_port),
        "--hostfwd", nc_strf("%d:3516", nc->scws_port),
        "--hostfwd", nc_strf("%d:4116", nc->https_port),
        nvm ? "--nvm" : NULL, nvm, "--nvm-format", "raw",
        NULL,
    };
    NcCardOpts o = { .image = "cardos-test.elf", .cmdline_opts = opts };
    nc->card = nc_card_start(&o);
    nc_card_wait_banner(nc->card, "power-on", BOOT_TIMEOUT_MS);
    nc_console_wait(nc->card->console, "I net: link up", NET_UP_TIMEOUT_MS);
    regmatch_t m[4];
    char *line = nc_console_wait_re(nc->card->console,
        "^I net: dhcp ([0-9.]+)/([0-9]+) gw ([0-9.]+)$", m, 4,
        NET_UP_TIMEOUT_MS);
    nc->ip = nc_match_str(line, m, 1);
    nc->prefix = (unsigned)atoi(nc_match_str(line, m, 2));
    nc->gw = nc_match_str(line, m, 3);
    return nc;
}

static inline NetCard *boot_net_card(void)
{
    return boot_net_card_on(NULL);
}

/* Run ARGV to completion; returns its stdout; fails on a non-zero exit. */
static inline char *run_tool(const char *name, const char *const argv[],
                             const char *stdin_path)
{
    NcSpawnOpts o = { .stdin_path = stdin_path };
    NcProc *p = nc_spawn(name, argv, &o);
    int st = nc_proc_wait_exit(p, NC_TIMEOUT_EXIT_MS);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s %s\n%s",
              p->cmdline, nc_proc_describe(p), nc_proc_diag(p));
    char *out = nc_read_file(p->stdout_path, NULL);
    return out ? nc_gc(out) : "";
}

static inline const char *curl(void)
{
    return nc_tool("curl", "curl");
}

/* GET URL with curl: body into a file; returns "<code>". */
static inline char *curl_get(const char *url, const char *body_path)
{
    const char *argv[] = { curl(), "-sS", "--max-time", "15", "-o",
                           body_path, "-w", "%{http_code}", url, NULL };
    return run_tool("curl", argv, NULL);
}

/* One field of a JSON document in a file, printed by python3's json. */
static inline char *json_field(const char *path, const char *expr)
{
    const char *py = nc_strf(
        "import json,sys\n"
        "d=json.load(open(sys.argv[1]))\n"
        "v=%s\n"
        "print(json.dumps(v) if not isinstance(v,str) else v, end='')\n",
        expr);
    const char *argv[] = { "/usr/bin/python3", "-c", py, path, NULL };
    return run_tool("python3", argv, NULL);
}

static inline int tcp_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert(fd >= 0);
    struct sockaddr_in a = { .sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0,
                 "connect to 127.0.0.1:%d: %s", port, strerror(errno));
    nc_register_fd(fd);
    return fd;
}

static inline void send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        cr_assert(w > 0, "send: %s", strerror(errno));
        p += w;
        n -= (size_t)w;
    }
}

/* Read until EOF (or TIMEOUT_MS); returns what arrived (NUL-terminated). */
static inline char *recv_all(int fd, int timeout_ms)
{
    size_t cap = 256 * 1024, len = 0;
    char *buf = nc_gc(malloc(cap + 1));
    int64_t deadline = nc_now_ms() + timeout_ms;
    for (;;) {
        int left = (int)(deadline - nc_now_ms());
        if (left <= 0) {
            break;
        }
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        if (poll(&pfd, 1, left) <= 0) {
            continue;
        }
        ssize_t r = recv(fd, buf + len, cap - len, 0);
        if (r <= 0) {
            break;
        }
        len += (size_t)r;
        if (len == cap) {
            break;
        }
    }
    buf[len] = 0;
    return buf;
}

static inline unsigned status_of(const char *resp)
{
    unsigned code = 0;
    if (sscanf(resp, "HTTP/1.%*[01] %u ", &code) != 1) {
        return 0;
    }
    return code;
}

/* The card still answers GET /api/status with 200. */
static inline void expect_serving(NetCard *nc)
{
    const char *body = nc_tmp_path("alive.json");
    char *code = curl_get(nc_strf("http://127.0.0.1:%d/api/status",
                                  nc->http_port), body);
    cr_assert_str_eq(code, "200", "card stopped serving: HTTP %s", code);
}

/* Read one response (head + Content-Length body) from a kept-alive fd. */
static inline unsigned read_one_response(int fd)
{
    char buf[4096];
    size_t len = 0;
    int64_t deadline = nc_now_ms() + IO_TIMEOUT_MS;
    while (nc_now_ms() < deadline && len < sizeof(buf) - 1) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        if (poll(&pfd, 1, 100) <= 0) {
            continue;
        }
        ssize_t r = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);
        if (r <= 0) {
            break;
        }
        len += (size_t)r;
        buf[len] = 0;
        char *end = strstr(buf, "\r\n\r\n");
        char *cl = strcasestr(buf, "\r\nContent-Length:");
        if (end && cl && cl < end &&
            len >= (size_t)(end + 4 - buf) + strtoul(cl + 17, NULL, 10)) {
            break;
        }
    }
    buf[len] = 0;
    return status_of(buf);
}

/* docs/network.md: the test PSK. */
#define TEST_PSK_IDENTITY "netcard-test"
#define TEST_PSK_HEX      "000102030405060708090a0b0c0d0e0f"

/*
 * One HTTPS request through `openssl s_client -psk` (an independent TLS
 * 1.2 PSK peer). Returns what it printed (the HTTP response when the
 * handshake succeeded) and its exit status in *RC.
 */
static inline char *https_request(NetCard *nc, const char *cipher,
                                  const char *identity, const char *psk,
                                  const char *extra, const char *text,
                                  int *rc)
{
    static int n;
    const char *req = nc_tmp_path(nc_strf("https-req-%d.txt", n));
    FILE *f = fopen(req, "w");
    cr_assert(f);
    fputs(text, f);
    fclose(f);
    const char *argv[] = { nc_tool("openssl", "openssl"), "s_client",
        "-connect", nc_strf("127.0.0.1:%d", nc->https_port), "-tls1_2",
        "-psk_identity", identity, "-psk", psk, "-cipher", cipher,
        "-quiet", "-ign_eof", extra ? extra : "-no_ticket",
        extra ? "512" : NULL, NULL };
    NcSpawnOpts o = { .stdin_path = req };
    NcProc *p = nc_spawn(nc_strf("openssl%d", n++), argv, &o);
    int st = nc_proc_wait_exit(p, NC_TIMEOUT_EXIT_MS);
    cr_assert(WIFEXITED(st), "openssl %s", nc_proc_describe(p));
    *rc = WEXITSTATUS(st);
    char *out = nc_read_file(p->stdout_path, NULL);
    return out ? nc_gc(out) : "";
}

static inline char *https_get(NetCard *nc, const char *cipher,
                              const char *identity, const char *psk,
                              const char *extra, int *rc)
{
    return https_request(nc, cipher, identity, psk, extra,
                         "GET /api/status HTTP/1.1\r\nHost: card\r\n"
                         "Connection: close\r\n\r\n", rc);
}

#endif /* NETCARD_TESTS_SYSTEM_NET_CARD_H */
