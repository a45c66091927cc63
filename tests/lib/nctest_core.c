/*
 * nctest core: failing, per-test registry and tear-down, environment,
 * temporary files.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE
#include "nctest_internal.h"

#include <criterion/criterion.h>
#include <criterion/event.h>
#include <criterion/abort.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static struct {
    bool atexit_done;
    bool in_fini;
    pid_t owner;              /* process that owns the registry */
    char *tmpdir;
    NcProc *procs[NC_MAX_PROCS];
    size_t n_procs;
    int fds[NC_MAX_FDS];
    size_t n_fds;
    void **gc;
    size_t n_gc, cap_gc;
} reg;

/* ------------------------------------------------------------------ */

void nc_fail_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    char *msg = NULL;

    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0) {
        msg = NULL;
    }
    va_end(ap);

    struct criterion_assert_stats st = {
        .message = msg ? msg : "(out of memory formatting the message)",
        .passed = false,
        .line = (unsigned)line,
        .file = file,
    };
    criterion_send_assert(&st);
    free(msg);
    criterion_abort_test();
}

static void nc_atexit(void)
{
    /* Only the process that created the registry cleans up (a forked
     * child that failed to exec must not kill its siblings). */
    if (reg.owner == getpid()) {
        nc_test_fini();
    }
}

static void ensure_registry(void)
{
    if (reg.owner != getpid()) {
        /* Fresh process (Criterion runs each test in its own worker). */
        memset(&reg, 0, sizeof(reg));
        reg.owner = getpid();
    }
    if (!reg.atexit_done) {
        atexit(nc_atexit);
        reg.atexit_done = true;
    }
}

void nc_test_init(void)
{
    ensure_registry();
    /* Writes to a socket whose peer died must fail, not kill the test. */
    signal(SIGPIPE, SIG_IGN);
}

static int rm_one(const char *path, const struct stat *sb, int flag,
                  struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void nc_test_fini(void)
{
    if (reg.owner != getpid() || reg.in_fini) {
        return;
    }
    reg.in_fini = true;

    /* Processes first: they hold sockets and files in the temp dir. */
    for (size_t i = reg.n_procs; i-- > 0;) {
        nc_proc_stop(reg.procs[i]);
    }
    reg.n_procs = 0;

    for (size_t i = 0; i < reg.n_fds; i++) {
        if (reg.fds[i] >= 0) {
            close(reg.fds[i]);
        }
    }
    reg.n_fds = 0;

    if (reg.tmpdir) {
        const char *keep = getenv("NETCARD_TEST_KEEP");
        if (keep && *keep && strcmp(keep, "0") != 0) {
            fprintf(stderr, "nctest: kept %s\n", reg.tmpdir);
        } else {
            nftw(reg.tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        }
        free(reg.tmpdir);
        reg.tmpdir = NULL;
    }

    for (size_t i = 0; i < reg.n_gc; i++) {
        free(reg.gc[i]);
    }
    free(reg.gc);
    reg.gc = NULL;
    reg.n_gc = reg.cap_gc = 0;
    reg.in_fini = false;
}

void nc_register_proc(NcProc *p)
{
    ensure_registry();
    if (reg.n_procs == NC_MAX_PROCS) {
        nc_proc_stop(p);
        nc_fail("nctest: too many processes in one test (max %d)",
                NC_MAX_PROCS);
    }
    reg.procs[reg.n_procs++] = p;
}

void nc_register_fd(int fd)
{
    ensure_registry();
    if (reg.n_fds == NC_MAX_FDS) {
        close(fd);
        nc_fail("nctest: too many open sockets in one test (max %d)",
                NC_MAX_FDS);
    }
    reg.fds[reg.n_fds++] = fd;
}

void nc_forget_fd(int fd)
{
    for (size_t i = 0; i < reg.n_fds; i++) {
        if (reg.fds[i] == fd) {
            reg.fds[i] = -1;
        }
    }
}

void nc_close_fd(int fd)
{
    nc_forget_fd(fd);
    close(fd);
}

void *nc_gc(void *p)
{
    if (!p) {
        return NULL;
    }
    ensure_registry();
    if (reg.n_gc == reg.cap_gc) {
        size_t cap = reg.cap_gc ? reg.cap_gc * 2 : 64;
        void **n = realloc(reg.gc, cap * sizeof(*n));
        if (!n) {
            abort();
        }
        reg.gc = n;
        reg.cap_gc = cap;
    }
    reg.gc[reg.n_gc++] = p;
    return p;
}

char *nc_vstrf(const char *fmt, va_list ap)
{
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0) {
        abort();
    }
    return nc_gc(s);
}

char *nc_strf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = nc_vstrf(fmt, ap);
    va_end(ap);
    return s;
}

void *nc_xmalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p) {
        abort();
    }
    return p;
}

char *nc_xstrdup(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d) {
        abort();
    }
    return d;
}

/* ------------------------------------------------------------------ */
/* Environment                                                         */

const char *nc_env_at(const char *file, int line, const char *name,
                      const char *meaning)
{
    const char *v = getenv(name);
    if (!v || !*v) {
        nc_fail_at(file, line,
                   "environment variable %s is not set: it must be %s "
                   "(run the tests with `make check`, which sets it)",
                   name, meaning);
    }
    return v;
}

const char *nc_qemu_at(const char *file, int line)
{
    const char *q = nc_env_at(file, line, "NETCARD_QEMU",
                              "the path of qemu-system-arm with the netcard "
                              "machine (build/qemu/qemu-system-arm)");
    if (access(q, X_OK) != 0) {
        nc_fail_at(file, line,
                   "NETCARD_QEMU=%s is not an executable file (%s); "
                   "build it with `make`", q, strerror(errno));
    }
    return q;
}

const char *nc_cardos_image_at(const char *file, int line, const char *name)
{
    const char *dir = nc_env_at(file, line, "NETCARD_CARDOS_DIR",
                                "the directory holding cardos.elf, "
                                "cardos-fault.elf, cardos-watchdog.elf "
                                "(build/cardos)");
    char *p = nc_strf("%s/%s", dir, name);
    if (access(p, R_OK) != 0) {
        nc_fail_at(file, line, "card OS image %s is missing (%s); "
                   "build it with `make`", p, strerror(errno));
    }
    return p;
}

const char *nc_srcdir_at(const char *file, int line)
{
    return nc_env_at(file, line, "NETCARD_SRCDIR",
                     "the netcard repository root (holds VERSION)");
}

const char *nc_bin_at(const char *file, int line, const char *name)
{
    const char *dir = nc_env_at(file, line, "NETCARD_BIN",
                                "the directory holding the netcard "
                                "launcher (build/bin)");
    char *p = nc_strf("%s/%s", dir, name);
    if (access(p, X_OK) != 0) {
        nc_fail_at(file, line, "%s is not an executable file (%s); "
                   "build it with `make`", p, strerror(errno));
    }
    return p;
}

const char *nc_version_at(const char *file, int line)
{
    const char *src = nc_srcdir_at(file, line);
    char *path = nc_strf("%s/VERSION", src);
    char *v = nc_read_file(path, NULL);
    if (!v) {
        nc_fail_at(file, line, "cannot read %s: %s", path, strerror(errno));
    }
    nc_gc(v);
    while (*v && isspace((unsigned char)*v)) {
        v++;
    }
    size_t n = strlen(v);
    while (n && isspace((unsigned char)v[n - 1])) {
        v[--n] = '\0';
    }
    if (!n) {
        nc_fail_at(file, line, "%s is empty", path);
    }
    return v;
}

const char *nc_tool_at(const char *file, int line, const char *tool,
                       const char *package)
{
    const char *path = getenv("PATH");
    if (!path || !*path) {
        path = "/usr/local/bin:/usr/bin:/bin";
    }
    char *copy = nc_gc(nc_xstrdup(path));
    for (char *save = NULL, *dir = strtok_r(copy, ":", &save); dir;
         dir = strtok_r(NULL, ":", &save)) {
        char *cand = nc_strf("%s/%s", *dir ? dir : ".", tool);
        struct stat st;
        if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) &&
            access(cand, X_OK) == 0) {
            return cand;
        }
    }
    nc_fail_at(file, line, "%s not found on PATH; install it with: "
               "apt-get install %s", tool, package);
}

/* ------------------------------------------------------------------ */
/* Files                                                               */

const char *nc_tmpdir(void)
{
    ensure_registry();
    if (!reg.tmpdir) {
        const char *base = getenv("TMPDIR");
        /* Unix socket paths are limited to 107 bytes: keep it short. */
        if (!base || !*base || strlen(base) > 48) {
            base = "/tmp";
        }
        char name[64] = "test";
        if (criterion_current_test && criterion_current_test->name) {
            snprintf(name, sizeof(name), "%.24s",
                     criterion_current_test->name);
        }
        char *tmpl = NULL;
        if (asprintf(&tmpl, "%s/nctest-%s.XXXXXX", base, name) < 0) {
            abort();
        }
        if (!mkdtemp(tmpl)) {
            nc_fail("cannot create a temporary directory %s: %s", tmpl,
                    strerror(errno));
        }
        reg.tmpdir = tmpl;
    }
    return reg.tmpdir;
}

const char *nc_tmp_path(const char *name)
{
    return nc_strf("%s/%s", nc_tmpdir(), name);
}

char *nc_read_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = nc_xmalloc(cap + 1);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            char *nb = realloc(buf, cap + 1);
            if (!nb) {
                abort();
            }
            buf = nb;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            break;
        }
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    if (len) {
        *len = n;
    }
    return buf;
}

const char *nc_file_tail(const char *path, size_t max)
{
    size_t n;
    char *all = nc_read_file(path, &n);
    if (!all) {
        return "";
    }
    nc_gc(all);
    if (n <= max) {
        return all;
    }
    const char *t = all + n - max;
    const char *nl = strchr(t, '\n');
    if (nl && nl[1]) {
        t = nl + 1;
    }
    return nc_strf("[...]\n%s", t);
}

int64_t nc_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void nc_nap_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

/* ------------------------------------------------------------------ */

void nc_global_lock_at(const char *file, int line, const char *name,
                       int timeout_ms)
{
    char *path = nc_strf("/tmp/netcard-tests-%s.lock", name);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) {
        nc_fail_at(file, line, "cannot open lock file %s: %s", path,
                   strerror(errno));
    }
    nc_register_fd(fd);   /* closing it releases the lock */
    int64_t deadline = nc_now_ms() + timeout_ms;
    while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK && errno != EINTR) {
            nc_fail_at(file, line, "flock %s: %s", path, strerror(errno));
        }
        if (nc_now_ms() > deadline) {
            nc_fail_at(file, line, "timed out after %d ms waiting for lock "
                       "%s (another test or `netcard run` holds it)",
                       timeout_ms, path);
        }
        nc_nap_ms(50);
    }
}
