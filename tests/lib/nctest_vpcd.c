/*
 * nctest vpcd: a client of the card's ISO 7816 host socket, speaking
 * vsmartcard's vpcd framing (2-byte big-endian length, then the payload),
 * and hex helpers. Every wait is bounded; failures name what was expected.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE
#include "nctest_internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

NcVpcd *nc_vpcd_connect_at(const char *file, int line, int port,
                           int timeout_ms, NcProc *proc)
{
    int64_t deadline = nc_now_ms() + timeout_ms;
    struct sockaddr_in a;

    nc_loopback_addr(&a, port);
    for (;;) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            nc_fail_at(file, line, "socket: %s", strerror(errno));
        }
        if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
            nc_register_fd(fd);
            NcVpcd *v = nc_gc(nc_xmalloc(sizeof(*v)));
            v->fd = fd;
            v->port = port;
            v->proc = proc;
            return v;
        }
        close(fd);
        if (proc && nc_proc_exited(proc)) {
            nc_fail_at(file, line, "QEMU %s before the vpcd port %d "
                       "accepted a connection\n%s", nc_proc_describe(proc),
                       port, nc_proc_diag(proc));
        }
        if (nc_now_ms() > deadline) {
            nc_fail_at(file, line, "could not connect to the vpcd port %d "
                       "within %d ms", port, timeout_ms);
        }
        nc_nap_ms(20);
    }
}

void nc_vpcd_send_raw_at(const char *file, int line, NcVpcd *v,
                         const void *buf, size_t len)
{
    const uint8_t *p = buf;

    if (v->fd < 0) {
        nc_fail_at(file, line, "vpcd: send on a closed connection");
    }
    while (len) {
        ssize_t r = send(v->fd, p, len, MSG_NOSIGNAL);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            nc_fail_at(file, line, "vpcd: send to port %d failed: %s",
                       v->port, strerror(errno));
        }
        p += r;
        len -= (size_t)r;
    }
}

void nc_vpcd_send_at(const char *file, int line, NcVpcd *v,
                     const uint8_t *buf, size_t len)
{
    if (len > 0xffff) {
        nc_fail_at(file, line, "vpcd: frame of %zu bytes cannot be encoded",
                   len);
    }
    uint8_t *f = nc_xmalloc(len + 2);
    f[0] = (uint8_t)(len >> 8);
    f[1] = (uint8_t)len;
    if (len) {
        memcpy(f + 2, buf, len);
    }
    nc_vpcd_send_raw_at(file, line, v, f, len + 2);
    free(f);
}

/* Read exactly N bytes before DEADLINE; false on timeout, fails on EOF. */
static bool read_exact(const char *file, int line, NcVpcd *v, uint8_t *p,
                       size_t n, int64_t deadline, const char *what)
{
    while (n) {
        int64_t left = deadline - nc_now_ms();
        if (left <= 0) {
            return false;
        }
        struct pollfd pfd = { .fd = v->fd, .events = POLLIN };
        int r = poll(&pfd, 1, (int)(left > 100 ? 100 : left));
        if (r < 0 && errno != EINTR) {
            nc_fail_at(file, line, "vpcd: poll: %s", strerror(errno));
        }
        if (r <= 0) {
            if (v->proc && nc_proc_exited(v->proc)) {
                nc_fail_at(file, line, "QEMU %s while waiting for %s\n%s",
                           nc_proc_describe(v->proc), what,
                           nc_proc_diag(v->proc));
            }
            continue;
        }
        ssize_t got = recv(v->fd, p, n, 0);
        if (got < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        }
        if (got <= 0) {
            nc_fail_at(file, line, "vpcd: connection closed by the card "
                       "while waiting for %s", what);
        }
        p += got;
        n -= (size_t)got;
    }
    return true;
}

size_t nc_vpcd_recv_at(const char *file, int line, NcVpcd *v, uint8_t *buf,
                       size_t cap, int timeout_ms)
{
    int64_t deadline = nc_now_ms() + timeout_ms;
    uint8_t hdr[2];

    if (!read_exact(file, line, v, hdr, 2, deadline, "a frame length")) {
        nc_fail_at(file, line, "vpcd: no answer frame within %d ms",
                   timeout_ms);
    }
    size_t len = (size_t)hdr[0] << 8 | hdr[1];
    if (len > cap) {
        nc_fail_at(file, line, "vpcd: answer of %zu bytes, expected at most "
                   "%zu", len, cap);
    }
    if (!read_exact(file, line, v, buf, len, deadline, "a frame body")) {
        nc_fail_at(file, line, "vpcd: frame body of %zu bytes incomplete "
                   "after %d ms", len, timeout_ms);
    }
    return len;
}

bool nc_vpcd_pending(NcVpcd *v, int timeout_ms)
{
    struct pollfd pfd = { .fd = v->fd, .events = POLLIN };
    return v->fd >= 0 && poll(&pfd, 1, timeout_ms) > 0;
}

void nc_vpcd_close(NcVpcd *v)
{
    if (v->fd >= 0) {
        nc_close_fd(v->fd);
        v->fd = -1;
    }
}

char *nc_hex(const uint8_t *b, size_t n)
{
    char *s = nc_gc(nc_xmalloc(2 * n + 1));
    for (size_t i = 0; i < n; i++) {
        sprintf(s + 2 * i, "%02X", b[i]);
    }
    s[2 * n] = 0;
    return s;
}

size_t nc_unhex_at(const char *file, int line, const char *hex, uint8_t *out,
                   size_t cap)
{
    size_t n = 0;
    int hi = -1;

    for (const char *p = hex; *p; p++) {
        int d;
        if (isspace((unsigned char)*p)) {
            continue;
        }
        if (!isxdigit((unsigned char)*p)) {
            nc_fail_at(file, line, "nc_unhex: bad character '%c' in \"%s\"",
                       *p, hex);
        }
        d = isdigit((unsigned char)*p) ? *p - '0'
                                       : tolower((unsigned char)*p) - 'a' + 10;
        if (hi < 0) {
            hi = d;
            continue;
        }
        if (n == cap) {
            nc_fail_at(file, line, "nc_unhex: more than %zu bytes in \"%s\"",
                       cap, hex);
        }
        out[n++] = (uint8_t)(hi << 4 | d);
        hi = -1;
    }
    if (hi >= 0) {
        nc_fail_at(file, line, "nc_unhex: odd number of digits in \"%s\"",
                   hex);
    }
    return n;
}
