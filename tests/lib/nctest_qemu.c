/*
 * nctest QEMU clients: QMP (listen or connect, events recorded), QEMU
 * command lines (from the one builder, tools/lib/qemu_cmdline.h) and qtest
 * (the test listens, QEMU connects; async IRQ lines collected).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE
#include "nctest_internal.h"

#include "qemu_cmdline.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* QMP                                                                 */

static const char *qmp_peer_diag(NcQmp *q)
{
    NcProc *p = q->conn.proc;
    if (!p) {
        return "";
    }
    return nc_strf("QEMU is %s\ncommand: %s\n%s", nc_proc_describe(p),
                   p->cmdline, nc_proc_diag(p));
}

static const char *qmp_events_seen(NcQmp *q)
{
    if (!q->n_all) {
        return "  (no events)\n";
    }
    char *s = nc_strf("%s", "");
    size_t first = q->n_all > 20 ? q->n_all - 20 : 0;
    for (size_t i = first; i < q->n_all; i++) {
        s = nc_strf("%s  %s\n", s, q->all_events[i]);
    }
    return s;
}

static bool is_event(const char *line)
{
    const char *v;
    size_t n;
    return nc_json_get(line, "event", &v, &n);
}

static void record_event(NcQmp *q, char *line)
{
    nc_strv_push(&q->events, &q->n_events, &q->cap_events, line);
    nc_strv_push(&q->all_events, &q->n_all, &q->cap_all, line);
}

/* Next non-event line before DEADLINE; fails on timeout/EOF. */
static char *qmp_read_reply(const char *file, int line, NcQmp *q,
                            int64_t deadline, int timeout_ms,
                            const char *waiting_for)
{
    for (;;) {
        char *l = nc_conn_readline(&q->conn, deadline);
        if (!l) {
            nc_fail_at(file, line, "QMP: %s while waiting for %s\n%s",
                       q->conn.eof ? "connection closed by QEMU"
                                   : nc_strf("timed out after %d ms",
                                             timeout_ms),
                       waiting_for, qmp_peer_diag(q));
        }
        if (!*l) {
            continue;
        }
        if (is_event(l)) {
            record_event(q, l);
            continue;
        }
        return l;
    }
}

static NcQmp *qmp_handshake(const char *file, int line, int fd,
                            NcProc *qemu)
{
    NcQmp *q = nc_gc(nc_xmalloc(sizeof(*q)));
    q->conn.fd = fd;
    q->conn.proc = qemu;
    q->conn.what = "QMP";
    char *greeting = qmp_read_reply(file, line, q,
                                    nc_now_ms() + NC_TIMEOUT_START_MS,
                                    NC_TIMEOUT_START_MS, "the QMP greeting");
    const char *v;
    size_t n;
    if (!nc_json_get(greeting, "QMP", &v, &n)) {
        nc_fail_at(file, line, "QMP: expected the greeting {\"QMP\": ...}, "
                   "got: %s", greeting);
    }
    nc_qmp_exec_at(file, line, q, "{\"execute\": \"qmp_capabilities\"}",
                   NULL);
    return q;
}

NcQmp *nc_qmp_accept_at(const char *file, int line, int lfd, NcProc *qemu)
{
    int fd = nc_accept_at(file, line, lfd, NC_TIMEOUT_START_MS, qemu, "QMP");
    return qmp_handshake(file, line, fd, qemu);
}

NcQmp *nc_qmp_connect_at(const char *file, int line, const char *path,
                         NcProc *qemu)
{
    int fd = nc_unix_connect_at(file, line, path, NC_TIMEOUT_START_MS, qemu,
                                "QMP");
    return qmp_handshake(file, line, fd, qemu);
}

char *nc_qmp_exec_at(const char *file, int line, NcQmp *q, const char *cmd,
                     char **error)
{
    if (!nc_conn_send(&q->conn, cmd) || !nc_conn_send(&q->conn, "\n")) {
        nc_fail_at(file, line, "QMP: cannot send %s: %s\n%s", cmd,
                   strerror(errno), qmp_peer_diag(q));
    }
    char *reply = qmp_read_reply(file, line, q,
                                 nc_now_ms() + NC_TIMEOUT_CMD_MS,
                                 NC_TIMEOUT_CMD_MS,
                                 nc_strf("the reply to %s", cmd));
    char *ret = nc_json_get_raw(reply, "return");
    if (ret) {
        return ret;
    }
    char *err = nc_json_get_raw(reply, "error");
    if (err) {
        if (error) {
            *error = err;
            return NULL;
        }
        nc_fail_at(file, line, "QMP command %s failed: %s", cmd, err);
    }
    nc_fail_at(file, line, "QMP: unexpected reply to %s: %s", cmd, reply);
}

char *nc_qmp_at(const char *file, int line, NcQmp *q, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *cmd = nc_vstrf(fmt, ap);
    va_end(ap);
    for (char *p = cmd; *p; p++) {
        if (*p == '\'') {
            *p = '"';
        }
    }
    return nc_qmp_exec_at(file, line, q, cmd, NULL);
}

static char *take_event(NcQmp *q, const char *name)
{
    for (size_t i = 0; i < q->n_events; i++) {
        char *ev = nc_json_get_str(q->events[i], "event");
        if (ev && strcmp(ev, name) == 0) {
            char *l = q->events[i];
            memmove(&q->events[i], &q->events[i + 1],
                    (q->n_events - i - 1) * sizeof(char *));
            q->n_events--;
            return l;
        }
    }
    return NULL;
}

char *nc_qmp_wait_event_at(const char *file, int line, NcQmp *q,
                           const char *name, int timeout_ms)
{
    int64_t deadline = nc_now_ms() + timeout_ms;
    for (;;) {
        char *ev = take_event(q, name);
        if (ev) {
            return ev;
        }
        char *l = nc_conn_readline(&q->conn, deadline);
        if (!l) {
            nc_fail_at(file, line, "QMP: %s while waiting for event %s\n"
                       "events seen:\n%s%s",
                       q->conn.eof ? "connection closed by QEMU"
                                   : nc_strf("timed out after %d ms",
                                             timeout_ms),
                       name, qmp_events_seen(q), qmp_peer_diag(q));
        }
        if (*l && is_event(l)) {
            record_event(q, l);
        }
        /* A non-event line here has no outstanding command: drop it. */
    }
}

size_t nc_qmp_count_events(NcQmp *q, const char *name)
{
    char *l;
    while ((l = nc_conn_readline(&q->conn, nc_now_ms() + 1)) != NULL) {
        if (*l && is_event(l)) {
            record_event(q, l);
        }
    }
    size_t n = 0;
    for (size_t i = 0; i < q->n_events; i++) {
        char *ev = nc_json_get_str(q->events[i], "event");
        if (ev && strcmp(ev, name) == 0) {
            n++;
        }
    }
    return n;
}

/* ------------------------------------------------------------------ */
/* QEMU command lines: the one builder                                 */

static size_t count_args(const char *const *v)
{
    size_t n = 0;
    while (v && v[n]) {
        n++;
    }
    return n;
}

const char **nc_qemu_cmdline_at(const char *file, int line,
                                const char *const *opts,
                                const char *const *extra)
{
    const char *qemu = nc_qemu_at(file, line);
    size_t n_opts = count_args(opts), n_extra = count_args(extra);
    const char **words = nc_gc(nc_xmalloc((n_opts + n_extra + 4) *
                                          sizeof(*words)));
    size_t n = 0;

    words[n++] = "--qemu";
    words[n++] = qemu;
    for (size_t i = 0; i < n_opts; i++) {
        words[n++] = opts[i];
    }
    if (n_extra) {
        words[n++] = "--";
        for (size_t i = 0; i < n_extra; i++) {
            words[n++] = extra[i];
        }
    }

    char err[512];
    long len = netcard_qemu_cmdline(words, n, NULL, 0, err, sizeof(err));
    if (len <= 0) {
        nc_fail_at(file, line, "the QEMU command-line builder refused "
                   "the options: %s", err);
    }
    char *out = nc_gc(nc_xmalloc((size_t)len));
    netcard_qemu_cmdline(words, n, out, (size_t)len, NULL, 0);
    size_t argc = 0;
    for (long i = 0; i < len; i++) {
        argc += out[i] == '\0';
    }
    const char **argv = nc_gc(nc_xmalloc((argc + 1) * sizeof(*argv)));
    size_t k = 0;
    for (char *a = out; a < out + len; a += strlen(a) + 1) {
        argv[k++] = a;
    }
    argv[k] = NULL;
    return argv;
}

/* OPTS, then MORE (both NULL-terminated, may be NULL), into one array. */
const char **nc_args_join(const char *const *opts, const char *const *more)
{
    size_t a = count_args(opts), b = count_args(more);
    const char **v = nc_gc(nc_xmalloc((a + b + 1) * sizeof(*v)));

    for (size_t i = 0; i < a; i++) {
        v[i] = opts[i];
    }
    for (size_t i = 0; i < b; i++) {
        v[a + i] = more[i];
    }
    v[a + b] = NULL;
    return v;
}

/* ------------------------------------------------------------------ */
/* qtest                                                               */

static const char *qtest_peer_diag(NcQtest *qt)
{
    return nc_strf("QEMU is %s\ncommand: %s\n%s", nc_proc_describe(qt->qemu),
                   qt->qemu->cmdline, nc_proc_diag(qt->qemu));
}

NcQtest *nc_qtest_start_at(const char *file, int line,
                           const char *const cmdline_opts[],
                           const char *const extra_args[])
{
    const char *qt_path = nc_tmp_path("qtest.sock");
    const char *qmp_path = nc_tmp_path("qmp.sock");
    int lqt = nc_unix_listen_at(file, line, qt_path);
    int lqmp = nc_unix_listen_at(file, line, qmp_path);

    const char *const base[] = {
        "--qtest", qt_path,
        "--qmp", nc_strf("connect:%s", qmp_path),
        "--console", "null",
        NULL,
    };
    const char **argv = nc_qemu_cmdline_at(file, line,
                                           nc_args_join(base, cmdline_opts),
                                           extra_args);

    NcQtest *qt = nc_gc(nc_xmalloc(sizeof(*qt)));
    qt->qemu = nc_spawn_at(file, line, "qemu", argv, NULL);
    qt->conn.fd = nc_accept_at(file, line, lqt, NC_TIMEOUT_START_MS,
                               qt->qemu, "qtest");
    qt->conn.proc = qt->qemu;
    qt->conn.what = "qtest";
    qt->qmp = nc_qmp_accept_at(file, line, lqmp, qt->qemu);
    nc_close_fd(lqt);
    nc_close_fd(lqmp);
    return qt;
}

static void record_irq(NcQtest *qt, const char *l)
{
    int num = -1;
    bool raise = strncmp(l, "IRQ raise ", 10) == 0;
    if (sscanf(l + 10, "%d", &num) == 1 && num >= 0 &&
        num < NC_QTEST_MAX_IRQ) {
        qt->irq_level[num] = raise;
    }
    nc_strv_push(&qt->irq_log, &qt->n_irq_log, &qt->cap_irq_log,
                 nc_strf("%s %d", raise ? "raise" : "lower", num));
}

char *nc_qtest_cmd_at(const char *file, int line, NcQtest *qt,
                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *cmd = nc_vstrf(fmt, ap);
    va_end(ap);

    if (!nc_conn_send(&qt->conn, cmd) || !nc_conn_send(&qt->conn, "\n")) {
        nc_fail_at(file, line, "qtest: cannot send '%s': %s\n%s", cmd,
                   strerror(errno), qtest_peer_diag(qt));
    }
    int64_t deadline = nc_now_ms() + NC_TIMEOUT_CMD_MS;
    for (;;) {
        char *l = nc_conn_readline(&qt->conn, deadline);
        if (!l) {
            nc_fail_at(file, line, "qtest: %s while waiting for the reply to "
                       "'%s'\n%s",
                       qt->conn.eof ? "connection closed by QEMU"
                                    : nc_strf("timed out after %d ms",
                                              NC_TIMEOUT_CMD_MS),
                       cmd, qtest_peer_diag(qt));
        }
        if (strncmp(l, "IRQ ", 4) == 0) {
            record_irq(qt, l);
            continue;
        }
        if (strncmp(l, "OK", 2) == 0 && (l[2] == '\0' || l[2] == ' ')) {
            char *r = l + 2;
            while (*r == ' ') {
                r++;
            }
            return r;
        }
        nc_fail_at(file, line, "qtest: '%s' failed: %s", cmd, l);
    }
}

uint64_t nc_qtest_read_at(const char *file, int line, NcQtest *qt,
                          char size, uint64_t addr)
{
    char *r = nc_qtest_cmd_at(file, line, qt, "read%c 0x%" PRIx64, size,
                              addr);
    char *end = NULL;
    errno = 0;
    uint64_t v = strtoull(r, &end, 0);
    if (errno || end == r) {
        nc_fail_at(file, line, "qtest: read%c 0x%" PRIx64 ": cannot parse "
                   "reply 'OK %s'", size, addr, r);
    }
    return v;
}

void nc_qtest_write_at(const char *file, int line, NcQtest *qt, char size,
                       uint64_t addr, uint64_t value)
{
    nc_qtest_cmd_at(file, line, qt, "write%c 0x%" PRIx64 " 0x%" PRIx64, size,
                    addr, value);
}

uint64_t nc_clock_step_at(const char *file, int line, NcQtest *qt,
                          uint64_t ns)
{
    char *r = ns ? nc_qtest_cmd_at(file, line, qt, "clock_step %" PRIu64, ns)
                 : nc_qtest_cmd_at(file, line, qt, "clock_step");
    return strtoull(r, NULL, 0);
}

uint32_t nc_qtest_poll_l_at(const char *file, int line, NcQtest *qt,
                            uint64_t addr, uint32_t mask, uint32_t expect,
                            int timeout_ms, const char *what)
{
    int64_t deadline = nc_now_ms() + timeout_ms;
    unsigned reads = 0;
    for (;;) {
        uint32_t v = (uint32_t)nc_qtest_read_at(file, line, qt, 'l', addr);
        reads++;
        if ((v & mask) == expect) {
            return v;
        }
        if (nc_now_ms() >= deadline) {
            nc_fail_at(file, line, "%s: after %d ms (%u reads) 0x%" PRIx64
                       " is 0x%08x; expected (value & 0x%08x) == 0x%08x",
                       what, timeout_ms, reads, addr, v, mask, expect);
        }
        nc_clock_step_at(file, line, qt, 1000000);
        nc_nap_ms(5);
    }
}

int nc_qtest_irq_level(NcQtest *qt, int n)
{
    if (n < 0 || n >= NC_QTEST_MAX_IRQ) {
        return -1;
    }
    return qt->irq_level[n];
}

void nc_qtest_quit(NcQtest *qt)
{
    if (!qt || !qt->qemu || nc_proc_exited(qt->qemu)) {
        return;
    }
    nc_conn_send(&qt->qmp->conn, "{\"execute\": \"quit\"}\n");
    if (!nc_proc_wait(qt->qemu, NC_TIMEOUT_EXIT_MS)) {
        nc_proc_stop(qt->qemu);
    }
}
