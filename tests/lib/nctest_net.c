/*
 * nctest sockets: free loopback ports, unix listen/accept/connect with
 * timeouts, a buffered line reader, and the little JSON QMP needs.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE
#include "nctest_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* TCP                                                                 */

void nc_loopback_addr(struct sockaddr_in *a, int port)
{
    memset(a, 0, sizeof(*a));
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

void nc_buf_reserve(char **buf, size_t *cap, size_t len)
{
    if (*cap - len >= 4096) {
        return;
    }
    size_t ncap = *cap ? *cap * 2 : 16384;
    char *nb = realloc(*buf, ncap);
    if (!nb) {
        abort();
    }
    *buf = nb;
    *cap = ncap;
}

static bool tcp_bind_ok(int port, int *fd_out)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return false;
    }
    struct sockaddr_in a;
    nc_loopback_addr(&a, port);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return false;
    }
    if (fd_out) {
        *fd_out = fd;
    } else {
        close(fd);
    }
    return true;
}

int nc_free_tcp_port_at(const char *file, int line)
{
    /*
     * Random ports below the kernel's ephemeral range (32768..) so that
     * neither outgoing connections nor another test's bind(0) pick the
     * same one between our check and the user's bind.
     */
    static unsigned seed;
    if (!seed) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        seed = (unsigned)getpid() * 2654435761u ^ (unsigned)ts.tv_nsec;
    }
    for (int i = 0; i < 200; i++) {
        int port = 20000 + (int)(rand_r(&seed) % 12768);
        if (tcp_bind_ok(port, NULL)) {
            return port;
        }
    }
    nc_fail_at(file, line, "no free loopback TCP port found in 200 tries");
}

int nc_tcp_listen_at(const char *file, int line, int *port)
{
    int fd = -1;
    int want = port ? *port : 0;
    if (!tcp_bind_ok(want, &fd)) {
        nc_fail_at(file, line, "cannot bind 127.0.0.1:%d: %s", want,
                   strerror(errno));
    }
    if (listen(fd, 8) != 0) {
        close(fd);
        nc_fail_at(file, line, "listen on 127.0.0.1:%d: %s", want,
                   strerror(errno));
    }
    struct sockaddr_in a;
    socklen_t al = sizeof(a);
    getsockname(fd, (struct sockaddr *)&a, &al);
    if (port) {
        *port = ntohs(a.sin_port);
    }
    nc_register_fd(fd);
    return fd;
}

bool nc_tcp_probe(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return false;
    }
    struct sockaddr_in a;
    nc_loopback_addr(&a, port);
    bool ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
    close(fd);
    return ok;
}

/* ------------------------------------------------------------------ */
/* Unix sockets                                                        */

static void unix_addr(const char *file, int line, const char *path,
                      struct sockaddr_un *a)
{
    memset(a, 0, sizeof(*a));
    a->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(a->sun_path)) {
        nc_fail_at(file, line, "unix socket path too long (%zu bytes): %s",
                   strlen(path), path);
    }
    strcpy(a->sun_path, path);
}

int nc_unix_listen_at(const char *file, int line, const char *path)
{
    struct sockaddr_un a;
    unix_addr(file, line, path, &a);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        nc_fail_at(file, line, "socket: %s", strerror(errno));
    }
    unlink(path);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        listen(fd, 4) != 0) {
        int e = errno;
        close(fd);
        nc_fail_at(file, line, "cannot listen on %s: %s", path, strerror(e));
    }
    nc_register_fd(fd);
    return fd;
}

int nc_accept_at(const char *file, int line, int lfd, int timeout_ms,
                 NcProc *proc, const char *what)
{
    int64_t deadline = nc_now_ms() + timeout_ms;
    for (;;) {
        struct pollfd pfd = { .fd = lfd, .events = POLLIN };
        int r = poll(&pfd, 1, 100);
        if (r > 0) {
            int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
            if (fd >= 0) {
                nc_register_fd(fd);
                return fd;
            }
            if (errno != EINTR && errno != EAGAIN) {
                nc_fail_at(file, line, "accept on the %s socket: %s", what,
                           strerror(errno));
            }
        }
        if (proc && nc_proc_exited(proc)) {
            nc_fail_at(file, line, "%s %s before connecting to the %s "
                       "socket\ncommand: %s\n%s", proc->name,
                       nc_proc_describe(proc), what, proc->cmdline,
                       nc_proc_diag(proc));
        }
        if (nc_now_ms() >= deadline) {
            nc_fail_at(file, line, "timed out after %d ms waiting for %s to "
                       "connect to the %s socket\ncommand: %s\n%s",
                       timeout_ms, proc ? proc->name : "the peer", what,
                       proc ? proc->cmdline : "", nc_proc_diag(proc));
        }
    }
}

int nc_unix_connect_at(const char *file, int line, const char *path,
                       int timeout_ms, NcProc *proc, const char *what)
{
    struct sockaddr_un a;
    unix_addr(file, line, path, &a);
    int64_t deadline = nc_now_ms() + timeout_ms;
    int last = 0;
    for (;;) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            nc_fail_at(file, line, "socket: %s", strerror(errno));
        }
        if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0) {
            nc_register_fd(fd);
            return fd;
        }
        last = errno;
        close(fd);
        if (proc && nc_proc_exited(proc)) {
            nc_fail_at(file, line, "%s %s before its %s socket %s accepted "
                       "connections\ncommand: %s\n%s", proc->name,
                       nc_proc_describe(proc), what, path, proc->cmdline,
                       nc_proc_diag(proc));
        }
        if (nc_now_ms() >= deadline) {
            nc_fail_at(file, line, "timed out after %d ms connecting to the "
                       "%s socket %s (last error: %s)\n%s", timeout_ms, what,
                       path, strerror(last), nc_proc_diag(proc));
        }
        nc_nap_ms(20);
    }
}

/* ------------------------------------------------------------------ */
/* Line reader                                                         */

static char *take_line(NcConn *c)
{
    char *nl = memchr(c->buf, '\n', c->len);
    if (!nl) {
        return NULL;
    }
    size_t n = (size_t)(nl - c->buf);
    size_t keep = n;
    if (keep && c->buf[keep - 1] == '\r') {
        keep--;
    }
    char *line = nc_xmalloc(keep + 1);
    memcpy(line, c->buf, keep);
    line[keep] = '\0';
    memmove(c->buf, nl + 1, c->len - n - 1);
    c->len -= n + 1;
    return nc_gc(line);
}

char *nc_conn_readline(NcConn *c, int64_t deadline_ms)
{
    for (;;) {
        char *line = take_line(c);
        if (line) {
            return line;
        }
        if (c->eof) {
            return NULL;
        }
        int64_t left = deadline_ms - nc_now_ms();
        if (left <= 0) {
            return NULL;
        }
        struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
        int r = poll(&pfd, 1, left > 200 ? 200 : (int)left);
        if (r < 0 && errno != EINTR) {
            c->eof = true;
            return NULL;
        }
        if (r <= 0) {
            continue;
        }
        nc_buf_reserve(&c->buf, &c->cap, c->len);
        ssize_t n = read(c->fd, c->buf + c->len, c->cap - c->len);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        }
        if (n <= 0) {
            c->eof = true;
            continue;
        }
        c->len += (size_t)n;
    }
}

bool nc_conn_send(NcConn *c, const char *s)
{
    size_t n = strlen(s);
    while (n) {
        ssize_t w = send(c->fd, s, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return false;
        }
        s += w;
        n -= (size_t)w;
    }
    return true;
}

void nc_strv_push(char ***v, size_t *n, size_t *cap, char *s)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        char **nv = realloc(*v, nc * sizeof(*nv));
        if (!nv) {
            abort();
        }
        *v = nv;
        *cap = nc;
    }
    (*v)[(*n)++] = s;
}

/* ------------------------------------------------------------------ */
/* JSON                                                                */

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
        p++;
    }
    return p;
}

/* Skip a JSON string starting at '"'; returns the char after it. */
static const char *skip_string(const char *p)
{
    p++;
    while (*p && *p != '"') {
        if (*p == '\\' && p[1]) {
            p++;
        }
        p++;
    }
    return *p ? p + 1 : NULL;
}

/* Skip one JSON value; NULL if malformed. */
static const char *skip_value(const char *p)
{
    p = skip_ws(p);
    if (*p == '"') {
        return skip_string(p);
    }
    if (*p == '{' || *p == '[') {
        int depth = 0;
        while (*p) {
            if (*p == '"') {
                p = skip_string(p);
                if (!p) {
                    return NULL;
                }
                continue;
            }
            if (*p == '{' || *p == '[') {
                depth++;
            } else if (*p == '}' || *p == ']') {
                if (--depth == 0) {
                    return p + 1;
                }
            }
            p++;
        }
        return NULL;
    }
    const char *s = p;
    while (*p && *p != ',' && *p != '}' && *p != ']' && *p != ' ' &&
           *p != '\r' && *p != '\n' && *p != '\t') {
        p++;
    }
    return p == s ? NULL : p;
}

bool nc_json_get(const char *json, const char *key, const char **val,
                 size_t *len)
{
    const char *p = skip_ws(json);
    if (*p != '{') {
        return false;
    }
    p = skip_ws(p + 1);
    size_t klen = strlen(key);
    while (*p == '"') {
        const char *ks = p + 1;
        const char *ke = skip_string(p);
        if (!ke) {
            return false;
        }
        bool match = (size_t)(ke - 1 - ks) == klen &&
                     memcmp(ks, key, klen) == 0;
        p = skip_ws(ke);
        if (*p != ':') {
            return false;
        }
        p = skip_ws(p + 1);
        const char *ve = skip_value(p);
        if (!ve) {
            return false;
        }
        if (match) {
            *val = p;
            *len = (size_t)(ve - p);
            return true;
        }
        p = skip_ws(ve);
        if (*p == ',') {
            p = skip_ws(p + 1);
        }
    }
    return false;
}

char *nc_json_get_raw(const char *json, const char *key)
{
    const char *v;
    size_t n;
    if (!nc_json_get(json, key, &v, &n)) {
        return NULL;
    }
    return nc_strf("%.*s", (int)n, v);
}

char *nc_json_get_str(const char *json, const char *key)
{
    const char *v;
    size_t n;
    if (!nc_json_get(json, key, &v, &n) || n < 2 || *v != '"') {
        return NULL;
    }
    char *out = nc_gc(nc_xmalloc(n));
    char *o = out;
    for (size_t i = 1; i + 1 < n; i++) {
        char ch = v[i];
        if (ch == '\\' && i + 2 < n) {
            ch = v[++i];
            switch (ch) {
            case 'n': ch = '\n'; break;
            case 't': ch = '\t'; break;
            case 'r': ch = '\r'; break;
            case 'b': ch = '\b'; break;
            case 'f': ch = '\f'; break;
            case 'u':
                /* Only what QMP emits for control characters. */
                if (i + 4 < n) {
                    unsigned cp = 0;
                    sscanf(v + i + 1, "%4x", &cp);
                    ch = cp < 0x80 ? (char)cp : '?';
                    i += 4;
                }
                break;
            default: break;     /* \" \\ \/ */
            }
        }
        *o++ = ch;
    }
    *o = '\0';
    return out;
}
