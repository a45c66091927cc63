/*
 * nctest console: wait (bounded) for lines in a file another process
 * appends to (QEMU's -serial file:, a launcher's stdout); start a card
 * (its command line from the one builder, nctest_qemu.c).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE
#include "nctest_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NC_SEEN_KEEP 40

NcConsole *nc_console_open(const char *path, const char *what, NcProc *proc)
{
    NcConsole *c = nc_gc(nc_xmalloc(sizeof(*c)));
    c->path = nc_strf("%s", path);
    c->what = what;
    c->proc = proc;
    c->fd = -1;
    c->seen = nc_gc(nc_xmalloc(NC_SEEN_KEEP * sizeof(char *)));
    return c;
}

/* Read what is available; true if any byte arrived. */
static bool console_fill(NcConsole *c)
{
    if (c->fd < 0) {
        c->fd = open(c->path, O_RDONLY | O_CLOEXEC);
        if (c->fd < 0) {
            return false;       /* not created yet */
        }
        nc_register_fd(c->fd);
    }
    bool got = false;
    for (;;) {
        nc_buf_reserve(&c->buf, &c->cap, c->len);
        ssize_t n = read(c->fd, c->buf + c->len, c->cap - c->len - 1);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return got;
        }
        c->len += (size_t)n;
        got = true;
    }
}

static char *console_take_line(NcConsole *c)
{
    char *nl = c->buf ? memchr(c->buf, '\n', c->len) : NULL;
    if (!nl) {
        return NULL;
    }
    size_t n = (size_t)(nl - c->buf);
    char *line = nc_xmalloc(n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (c->buf[i] != '\r' && c->buf[i] != '\0') {
            line[k++] = c->buf[i];
        }
    }
    line[k] = '\0';
    memmove(c->buf, nl + 1, c->len - n - 1);
    c->len -= n + 1;
    nc_gc(line);
    c->seen[c->seen_total % NC_SEEN_KEEP] = line;
    c->seen_total++;
    if (c->n_seen < NC_SEEN_KEEP) {
        c->n_seen++;
    }
    return line;
}

const char *nc_console_seen(NcConsole *c)
{
    char *s = nc_strf("last lines read from the %s (%s), %zu in all:\n",
                      c->what, c->path, c->seen_total);
    if (!c->seen_total) {
        s = nc_strf("%s  (none)\n", s);
    }
    for (size_t i = c->seen_total - c->n_seen; i < c->seen_total; i++) {
        s = nc_strf("%s  | %s\n", s, c->seen[i % NC_SEEN_KEEP]);
    }
    if (c->len) {
        s = nc_strf("%s  unfinished line: | %.*s\n", s,
                    (int)(c->len > 300 ? 300 : c->len), c->buf);
    }
    return s;
}

typedef bool (*LineMatch)(const char *line, const void *arg, regmatch_t *m,
                          size_t nm);

static char *console_wait(const char *file, int line, NcConsole *c,
                          LineMatch match, const void *arg, regmatch_t *m,
                          size_t nm, const char *expected, int timeout_ms)
{
    int64_t deadline = nc_now_ms() + timeout_ms;
    bool writer_gone = false;
    for (;;) {
        char *l;
        while ((l = console_take_line(c)) != NULL) {
            if (match(l, arg, m, nm)) {
                return l;
            }
        }
        if (console_fill(c)) {
            continue;
        }
        if (writer_gone) {
            nc_fail_at(file, line, "%s %s while waiting for %s on the %s\n"
                       "%s%s", c->proc->name, nc_proc_describe(c->proc),
                       expected, c->what, nc_console_seen(c),
                       nc_proc_diag(c->proc));
        }
        if (c->proc && nc_proc_exited(c->proc)) {
            writer_gone = true; /* one more read for its last words */
            continue;
        }
        if (nc_now_ms() >= deadline) {
            nc_fail_at(file, line, "timed out after %d ms waiting for %s on "
                       "the %s\n%s%s", timeout_ms, expected, c->what,
                       nc_console_seen(c),
                       c->proc ? nc_strf("%s is %s\n%s", c->proc->name,
                                         nc_proc_describe(c->proc),
                                         nc_proc_diag(c->proc)) : "");
        }
        nc_nap_ms(10);
    }
}

static bool match_any(const char *l, const void *arg, regmatch_t *m,
                      size_t nm)
{
    (void)l;
    (void)arg;
    (void)m;
    (void)nm;
    return true;
}

static bool match_substr(const char *l, const void *arg, regmatch_t *m,
                         size_t nm)
{
    (void)m;
    (void)nm;
    return strstr(l, (const char *)arg) != NULL;
}

static bool match_re(const char *l, const void *arg, regmatch_t *m,
                     size_t nm)
{
    return regexec((const regex_t *)arg, l, m ? nm : 0, m, 0) == 0;
}

char *nc_console_next_line_at(const char *file, int line, NcConsole *c,
                              int timeout_ms)
{
    return console_wait(file, line, c, match_any, NULL, NULL, 0,
                        "a line", timeout_ms);
}

char *nc_console_wait_at(const char *file, int line, NcConsole *c,
                         const char *substr, int timeout_ms)
{
    return console_wait(file, line, c, match_substr, substr, NULL, 0,
                        nc_strf("a line containing \"%s\"", substr),
                        timeout_ms);
}

char *nc_console_wait_re_at(const char *file, int line, NcConsole *c,
                            const char *re, regmatch_t *m, size_t nm,
                            int timeout_ms)
{
    regex_t rx;
    int rc = regcomp(&rx, re, REG_EXTENDED);
    if (rc != 0) {
        char err[200];
        regerror(rc, &rx, err, sizeof(err));
        nc_fail_at(file, line, "bad regex /%s/: %s", re, err);
    }
    char *l = console_wait(file, line, c, match_re, &rx, m, nm,
                           nc_strf("a line matching /%s/", re), timeout_ms);
    regfree(&rx);
    return l;
}

char *nc_match_str(const char *line, const regmatch_t *m, size_t i)
{
    if (m[i].rm_so < 0) {
        return NULL;
    }
    return nc_strf("%.*s", (int)(m[i].rm_eo - m[i].rm_so), line + m[i].rm_so);
}

char *nc_re_escape(const char *s)
{
    char *out = nc_gc(nc_xmalloc(strlen(s) * 2 + 1));
    char *o = out;
    for (; *s; s++) {
        if (strchr("\\^$.|?*+()[]{}", *s)) {
            *o++ = '\\';
        }
        *o++ = *s;
    }
    *o = '\0';
    return out;
}

/* ------------------------------------------------------------------ */
/* A running card                                                      */

NcCard *nc_card_start_at(const char *file, int line, const NcCardOpts *o)
{
    const char *image = nc_cardos_image_at(file, line, o->image);
    NcCard *card = nc_gc(nc_xmalloc(sizeof(*card)));
    card->console_path = nc_strf("%s/console-%s.log", nc_tmpdir(),
                                 o->image);
    const char *qmp_path = nc_tmp_path("qmp.sock");
    int lqmp = nc_unix_listen_at(file, line, qmp_path);

    const char *base[16];
    size_t n = 0;
    base[n++] = "--image";
    base[n++] = image;
    base[n++] = "--console";
    base[n++] = nc_strf("file:%s", card->console_path);
    base[n++] = "--qmp";
    base[n++] = nc_strf("connect:%s", qmp_path);
    if (o->halted) {
        base[n++] = "--halted";
    }
    if (o->gdb_port) {
        card->gdb_port = o->gdb_port;
        base[n++] = "--gdb";
        base[n++] = nc_strf("%d", o->gdb_port);
    }
    base[n] = NULL;
    const char **argv = nc_qemu_cmdline_at(file, line,
                                           nc_args_join(base,
                                                        o->cmdline_opts),
                                           o->extra_args);

    card->qemu = nc_spawn_at(file, line, "qemu", argv, NULL);
    card->qmp = nc_qmp_accept_at(file, line, lqmp, card->qemu);
    nc_close_fd(lqmp);
    card->console = nc_console_open(card->console_path, "card console",
                                    card->qemu);
    return card;
}

char *nc_banner_re(const char *cause)
{
    return nc_strf("^netcard cardos %s \\(([^()]+)\\) reset=%s$",
                   nc_re_escape(nc_version()), cause);
}

char *nc_card_wait_banner_at(const char *file, int line, NcCard *card,
                             const char *cause, int timeout_ms)
{
    char *l = nc_console_wait_at(file, line, card->console,
                                 "netcard cardos ", timeout_ms);
    const char *re = nc_banner_re(cause);
    regex_t rx;
    if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0) {
        nc_fail_at(file, line, "bad banner regex /%s/", re);
    }
    int rc = regexec(&rx, l, 0, NULL, 0);
    regfree(&rx);
    if (rc != 0) {
        nc_fail_at(file, line, "expected the banner \"netcard cardos %s "
                   "(<git describe>) reset=%s\", got:\n  | %s\n%s",
                   nc_version(), cause, l, nc_console_seen(card->console));
    }
    return l;
}
