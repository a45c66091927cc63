/*
 * netcard vpcd client (contract in vpcd.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE
#include "vpcd.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* How often a wait looks at the abort callback, and how often a refused
 * connection is retried. */
#define ABORT_POLL_MS   100
#define RETRY_MS        20

struct VpcdLink {
    int fd;
    VpcdAbortFn abort_fn;
    void *abort_opaque;
    char where[300];        /* "host:port", for messages */
    /* the last failure */
    VpcdStatus status;
    VpcdStage stage;
    int sys_errno;
    size_t frame_len;
    char message[512];
};

static const char *const stage_what[] = {
    [VPCD_STAGE_NONE] = "",
    [VPCD_STAGE_CONNECT] = "a connection",
    [VPCD_STAGE_SEND] = "sending a frame",
    [VPCD_STAGE_LENGTH] = "a frame length",
    [VPCD_STAGE_BODY] = "a frame body",
};

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t deadline_of(int timeout_ms)
{
    return timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
}

static void ok(VpcdLink *l)
{
    l->status = VPCD_OK;
    l->stage = VPCD_STAGE_NONE;
    l->sys_errno = 0;
    l->frame_len = 0;
    l->message[0] = '\0';
}

__attribute__((format(printf, 5, 6)))
static int fail(VpcdLink *l, VpcdStatus status, VpcdStage stage, int err,
                const char *fmt, ...)
{
    va_list ap;

    l->status = status;
    l->stage = stage;
    l->sys_errno = err;
    va_start(ap, fmt);
    vsnprintf(l->message, sizeof(l->message), fmt, ap);
    va_end(ap);
    return -1;
}

static bool aborted(VpcdLink *l)
{
    return l->abort_fn && l->abort_fn(l->abort_opaque);
}

/*
 * Wait for EVENTS on the socket until DEADLINE (-1: none), looking at the
 * abort callback every ABORT_POLL_MS. 1 ready, 0 deadline passed, -1
 * aborted or poll failed (status set).
 */
static int wait_fd(VpcdLink *l, short events, int64_t deadline,
                   VpcdStage stage)
{
    for (;;) {
        int slice = -1;
        if (deadline >= 0) {
            int64_t left = deadline - now_ms();
            slice = left < 0 ? 0 : (int)(left > INT32_MAX ? INT32_MAX : left);
        }
        if (l->abort_fn && (slice < 0 || slice > ABORT_POLL_MS)) {
            slice = ABORT_POLL_MS;
        }
        struct pollfd pfd = { .fd = l->fd, .events = events };
        int r = poll(&pfd, 1, slice);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0) {
            return fail(l, VPCD_ERR_SYS, stage, errno, "%s: poll: %s",
                        l->where, strerror(errno));
        }
        if (r > 0) {
            return 1;
        }
        if (aborted(l)) {
            return fail(l, VPCD_ERR_ABORTED, stage, 0, "%s: stopped waiting "
                        "for %s", l->where, stage_what[stage]);
        }
        if (deadline >= 0 && now_ms() >= deadline) {
            return 0;
        }
    }
}

VpcdLink *vpcd_new(void)
{
    VpcdLink *l = calloc(1, sizeof(*l));

    if (l) {
        l->fd = -1;
        snprintf(l->where, sizeof(l->where), "vpcd");
    }
    return l;
}

void vpcd_free(VpcdLink *l)
{
    if (l) {
        vpcd_close(l);
        free(l);
    }
}

void vpcd_set_abort(VpcdLink *l, VpcdAbortFn fn, void *opaque)
{
    l->abort_fn = fn;
    l->abort_opaque = opaque;
}

void vpcd_close(VpcdLink *l)
{
    if (l->fd >= 0) {
        close(l->fd);
        l->fd = -1;
    }
}

int vpcd_fd(const VpcdLink *l)
{
    return l->fd;
}

/* One non-blocking connect to AI, bounded by DEADLINE. The socket, or -1
 * with errno set (ETIMEDOUT at the deadline, ECANCELED if aborted). */
static int connect_one(VpcdLink *l, const struct addrinfo *ai,
                       int64_t deadline)
{
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
                    0);
    if (fd < 0) {
        return -1;
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        if (errno != EINPROGRESS) {
            int e = errno;
            close(fd);
            errno = e;
            return -1;
        }
        l->fd = fd;
        int r = wait_fd(l, POLLOUT, deadline, VPCD_STAGE_CONNECT);
        l->fd = -1;
        int e = 0;
        socklen_t len = sizeof(e);
        if (r == 0) {
            e = ETIMEDOUT;
        } else if (r < 0) {
            e = l->status == VPCD_ERR_ABORTED ? ECANCELED : l->sys_errno;
        } else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) != 0) {
            e = errno;
        }
        if (e) {
            close(fd);
            errno = e;
            return -1;
        }
    }
    /* Blocking from here: waits go through poll() with their deadline. */
    int flags = fcntl(fd, F_GETFL);
    int one = 1;
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0 ||
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

int vpcd_connect(VpcdLink *l, const char *host, int port, int timeout_ms,
                 int retry)
{
    vpcd_close(l);
    snprintf(l->where, sizeof(l->where), "%s:%d", host ? host : "", port);
    if (!host || !*host || port < 1 || port > 65535) {
        return fail(l, VPCD_ERR_ARG, VPCD_STAGE_CONNECT, 0,
                    "%s is not a host and port", l->where);
    }
    char service[8];
    snprintf(service, sizeof(service), "%d", port);
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_NUMERICSERV };
    struct addrinfo *res = NULL;
    int g = getaddrinfo(host, service, &hints, &res);
    if (g != 0) {
        return fail(l, VPCD_ERR_RESOLVE, VPCD_STAGE_CONNECT,
                    g == EAI_SYSTEM ? errno : 0, "cannot resolve %s: %s",
                    host, gai_strerror(g));
    }
    int64_t deadline = deadline_of(timeout_ms);
    int e = ECONNREFUSED;
    for (;;) {
        for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
            int fd = connect_one(l, ai, deadline);
            if (fd >= 0) {
                freeaddrinfo(res);
                l->fd = fd;
                ok(l);
                return 0;
            }
            e = errno;
            if (e == ECANCELED || e == ETIMEDOUT) {
                break;
            }
        }
        if (e == ECANCELED || aborted(l)) {
            freeaddrinfo(res);
            return fail(l, VPCD_ERR_ABORTED, VPCD_STAGE_CONNECT, 0,
                        "%s: stopped waiting for a connection", l->where);
        }
        bool again = retry && e == ECONNREFUSED;
        if (!again || (deadline >= 0 && now_ms() + RETRY_MS > deadline)) {
            break;
        }
        struct timespec nap = { 0, RETRY_MS * 1000000L };
        nanosleep(&nap, NULL);
    }
    freeaddrinfo(res);
    if (e == ETIMEDOUT || (retry && e == ECONNREFUSED)) {
        return fail(l, VPCD_ERR_TIMEOUT, VPCD_STAGE_CONNECT, e,
                    "cannot connect to %s within %d ms: %s", l->where,
                    timeout_ms, strerror(e));
    }
    return fail(l, VPCD_ERR_SYS, VPCD_STAGE_CONNECT, e,
                "cannot connect to %s: %s", l->where, strerror(e));
}

static int not_connected(VpcdLink *l, VpcdStage stage)
{
    return fail(l, VPCD_ERR_NOT_CONNECTED, stage, 0, "%s: not connected",
                l->where);
}

/* Send every byte of the IOV[N] (partial writes continue). */
static int send_all(VpcdLink *l, struct iovec *iov, int n)
{
    while (n > 0) {
        struct msghdr msg = { .msg_iov = iov, .msg_iovlen = (size_t)n };
        ssize_t w = sendmsg(l->fd, &msg, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w < 0) {
            return fail(l, VPCD_ERR_SYS, VPCD_STAGE_SEND, errno,
                        "%s: send: %s", l->where, strerror(errno));
        }
        size_t done = (size_t)w;
        while (n > 0 && done >= iov->iov_len) {
            done -= iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (uint8_t *)iov->iov_base + done;
            iov->iov_len -= done;
        }
    }
    ok(l);
    return 0;
}

int vpcd_send(VpcdLink *l, const void *payload, size_t len)
{
    if (len > VPCD_MAX_PAYLOAD) {
        return fail(l, VPCD_ERR_ARG, VPCD_STAGE_SEND, 0,
                    "a %zu-byte frame does not fit vpcd framing (at most "
                    "%d)", len, VPCD_MAX_PAYLOAD);
    }
    if (l->fd < 0) {
        return not_connected(l, VPCD_STAGE_SEND);
    }
    /* Length and payload in one write: with TCP_NODELAY, one segment. */
    uint8_t hdr[2] = { (uint8_t)(len >> 8), (uint8_t)len };
    struct iovec iov[2] = {
        { .iov_base = hdr, .iov_len = 2 },
        { .iov_base = (void *)payload, .iov_len = len },
    };
    return send_all(l, iov, len ? 2 : 1);
}

int vpcd_control(VpcdLink *l, unsigned code)
{
    uint8_t c = (uint8_t)code;

    if (code > 0xff) {
        return fail(l, VPCD_ERR_ARG, VPCD_STAGE_SEND, 0,
                    "control code %u is not a byte", code);
    }
    return vpcd_send(l, &c, 1);
}

int vpcd_send_raw(VpcdLink *l, const void *buf, size_t len)
{
    if (l->fd < 0) {
        return not_connected(l, VPCD_STAGE_SEND);
    }
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
    return send_all(l, &iov, len ? 1 : 0);
}

/* Read exactly N bytes before DEADLINE. 0 or -1 (status set). */
static int read_exact(VpcdLink *l, uint8_t *p, size_t n, int64_t deadline,
                      int timeout_ms, VpcdStage stage, size_t frame_len)
{
    size_t want = n;

    while (n) {
        int r = wait_fd(l, POLLIN, deadline, stage);
        if (r < 0) {
            l->frame_len = frame_len;
            return -1;
        }
        if (r == 0) {
            fail(l, VPCD_ERR_TIMEOUT, stage, 0, stage == VPCD_STAGE_LENGTH
                 ? "%s: no answer frame within %d ms"
                 : "%s: frame body incomplete after %d ms", l->where,
                 timeout_ms);
            l->frame_len = frame_len;
            return -1;
        }
        ssize_t got = recv(l->fd, p, n, 0);
        if (got < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        }
        if (got < 0) {
            fail(l, VPCD_ERR_SYS, stage, errno, "%s: recv: %s", l->where,
                 strerror(errno));
            l->frame_len = frame_len;
            return -1;
        }
        if (got == 0) {
            fail(l, VPCD_ERR_CLOSED, stage, 0, "%s closed the connection "
                 "while waiting for %s (%zu of %zu bytes)", l->where,
                 stage_what[stage], want - n, want);
            l->frame_len = frame_len;
            return -1;
        }
        p += got;
        n -= (size_t)got;
    }
    return 0;
}

long vpcd_recv(VpcdLink *l, void *buf, size_t cap, int timeout_ms)
{
    uint8_t hdr[2];
    int64_t deadline = deadline_of(timeout_ms);

    if (l->fd < 0) {
        return not_connected(l, VPCD_STAGE_LENGTH);
    }
    if (read_exact(l, hdr, 2, deadline, timeout_ms, VPCD_STAGE_LENGTH, 0)) {
        return -1;
    }
    size_t len = (size_t)hdr[0] << 8 | hdr[1];
    if (len > cap) {
        fail(l, VPCD_ERR_TOO_LONG, VPCD_STAGE_BODY, 0,
             "%s: a frame of %zu bytes, more than the %zu expected",
             l->where, len, cap);
        l->frame_len = len;
        return -1;
    }
    if (read_exact(l, buf, len, deadline, timeout_ms, VPCD_STAGE_BODY,
                   len)) {
        return -1;
    }
    ok(l);
    return (long)len;
}

long vpcd_transmit(VpcdLink *l, const void *cmd, size_t len, void *resp,
                   size_t cap, int timeout_ms)
{
    if (vpcd_send(l, cmd, len)) {
        return -1;
    }
    return vpcd_recv(l, resp, cap, timeout_ms);
}

int vpcd_pending(VpcdLink *l, int timeout_ms)
{
    if (l->fd < 0) {
        return not_connected(l, VPCD_STAGE_LENGTH);
    }
    struct pollfd pfd = { .fd = l->fd, .events = POLLIN };
    int r;
    do {
        r = poll(&pfd, 1, timeout_ms);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        return fail(l, VPCD_ERR_SYS, VPCD_STAGE_LENGTH, errno,
                    "%s: poll: %s", l->where, strerror(errno));
    }
    ok(l);
    return r > 0;
}

int vpcd_status(const VpcdLink *l)
{
    return l->status;
}

int vpcd_errno(const VpcdLink *l)
{
    return l->sys_errno;
}

int vpcd_stage(const VpcdLink *l)
{
    return l->stage;
}

size_t vpcd_frame_len(const VpcdLink *l)
{
    return l->frame_len;
}

const char *vpcd_message(const VpcdLink *l)
{
    return l->message;
}
