/*
 * The admin server's tests: start netcard-ras (build/bin) on free loopback
 * ports with its own database in the test's folder, run ras-load
 * (build/tests) as the simulated cards, read the queue with the server's
 * own status command. Shared by tests/net/test_ras*.c.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_TESTS_RAS_HARNESS_H
#define NETCARD_TESTS_RAS_HARNESS_H

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "nctest.h"

typedef struct RasSrv {
    NcProc *proc;
    int port, admin;
    const char *db;
} RasSrv;

static inline const char *ras_bin(void)
{
    return nc_bin("netcard-ras");
}

static inline const char *ras_load_bin(void)
{
    return nc_strf("%s/ras-load", nc_env("NETCARD_TESTS_DIR", "the test programs' folder"));
}

/* Start a server on PORT (0: a free one) with extra options. */
static inline RasSrv ras_start(const char *db, int port, const char *name,
                               const char *const *extra)
{
    RasSrv s = { .db = db };
    s.port = port ? port : nc_free_tcp_port();
    s.admin = nc_free_tcp_port();
    const char *argv[32] = { ras_bin(), "serve", "--db", db, "--listen",
        nc_strf("127.0.0.1:%d", s.port), "--admin", nc_strf("127.0.0.1:%d", s.admin),
        "--instance", name };
    int n = 10;
    for (int i = 0; extra && extra[i]; i++) {
        argv[n++] = extra[i];
    }
    argv[n] = NULL;
    const char *out = nc_tmp_path(nc_strf("%s-%lld.out", name, (long long)nc_now_ms()));
    NcSpawnOpts o = { .cwd = nc_tmpdir(), .stdout_path = out, .stderr_to_stdout = true };
    s.proc = nc_spawn(name, argv, &o);
    int64_t end = nc_now_ms() + NC_TIMEOUT_START_MS;
    for (;;) {
        char *t = nc_read_file(out, NULL);
        bool ready = t && strstr(t, "netcard-ras: ready");
        free(t);
        if (ready) {
            return s;
        }
        if (nc_proc_exited(s.proc) || nc_now_ms() > end) {
            nc_fail("netcard-ras did not start: %s\n%s", nc_proc_describe(s.proc),
                    nc_file_tail(out, 2000));
        }
        nc_nap_ms(20);
    }
}

/* Run a short command to completion; returns its stdout (nc_gc'd) and
 * the exit status in *STATUS (-1 when killed). */
static inline char *ras_run(const char *name, const char *const *argv, int *status,
                            int timeout_ms)
{
    const char *out = nc_tmp_path(nc_strf("%s-%lld.txt", name, (long long)nc_now_ms()));
    NcSpawnOpts o = { .cwd = nc_tmpdir(), .stdout_path = out };
    NcProc *p = nc_spawn(name, argv, &o);
    int st = nc_proc_wait_exit(p, timeout_ms);
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    char *t = nc_read_file(out, NULL);
    if (*status != 0) {
        fprintf(stderr, "%s: %s\n%s\n", name, nc_proc_describe(p), nc_proc_diag(p));
    }
    return nc_gc(t ? t : strdup(""));
}

/* netcard-ras ARGS... --db DB, asserting success; its stdout. */
#define ras_cli(db, ...) ({                                                  \
    const char *a_[] = { ras_bin(), __VA_ARGS__, "--db", db, NULL };        \
    int st_;                                                                \
    char *o_ = ras_run("netcard-ras-cli", a_, &st_, NC_TIMEOUT_EXIT_MS);    \
    cr_assert_eq(st_, 0, "netcard-ras %s failed:\n%s", a_[1], o_);          \
    o_; })

/* Register N ras-load cards from FIRST in DB. */
static inline void ras_add_cards(const char *db, int n, int first)
{
    const char *a[] = { ras_load_bin(), "--print-cards", nc_strf("%d", n),
                        "--first", nc_strf("%d", first), NULL };
    int st;
    char *cards = ras_run("ras-load-print", a, &st, NC_TIMEOUT_EXIT_MS);
    cr_assert_eq(st, 0);
    const char *f = nc_tmp_path(nc_strf("cards-%d.txt", first));
    FILE *fp = fopen(f, "w");
    fputs(cards, fp);
    fclose(fp);
    ras_cli(db, "cards", f);
}

static inline int ras_count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle)) {
        n++;
    }
    return n;
}

#endif /* NETCARD_TESTS_RAS_HARNESS_H */
