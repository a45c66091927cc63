/*
 * netcard-ras on PostgreSQL: the test starts a private PostgreSQL server
 * (Debian's binaries under /usr/lib/postgresql/<v>/bin: initdb in the
 * test's folder, pg_ctl on a free loopback port, run as the unprivileged
 * user nobody since tests run as root), then two server instances share
 * the queue: 50 cards with 2 jobs each, every card running one session
 * against each instance at the same time. Every job is done exactly once:
 * claimed by one instance only (SELECT ... FOR UPDATE SKIP LOCKED), each
 * script sent once and answered once, none lost.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ras_harness.h"

TestSuite(net_ras_pg, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

static const char *pg_bin(const char *tool)
{
    glob_t g;
    const char *found = NULL;
    if (glob(nc_strf("/usr/lib/postgresql/*/bin/%s", tool), 0, NULL, &g) == 0 &&
        g.gl_pathc > 0) {
        found = nc_strf("%s", g.gl_pathv[g.gl_pathc - 1]);
    }
    globfree(&g);
    if (!found) {
        nc_fail("PostgreSQL's %s is missing: apt-get install postgresql "
                "(or ./configure --install-deps)", tool);
    }
    return found;
}

static void as_nobody(const char *name, const char *const *cmd)
{
    const char *argv[24] = { nc_tool("runuser", "util-linux"), "-u", "nobody", "--" };
    int n = 4;
    for (int i = 0; cmd[i]; i++) {
        argv[n++] = cmd[i];
    }
    argv[n] = NULL;
    int st;
    ras_run(name, argv, &st, 60000);
    cr_assert_eq(st, 0, "%s failed (as nobody)", name);
}

Test(net_ras_pg, two_instances_fifty_cards)
{
    const char *dir = nc_tmp_path("pg");
    mkdir(dir, 0700);
    cr_assert_eq(chown(dir, 65534, 65534), 0);
    chmod(nc_tmpdir(), 0755);
    const char *data = nc_strf("%s/data", dir);
    const char *initdb[] = { pg_bin("initdb"), "-D", data, "-A", "trust", "-U", "ras",
                             "--no-sync", NULL };
    as_nobody("initdb", initdb);
    int port = nc_free_tcp_port();
    const char *opts = nc_strf("-p %d -k %s -c listen_addresses=127.0.0.1 "
                               "-c fsync=off -c max_connections=50", port, dir);
    const char *start[] = { pg_bin("pg_ctl"), "-D", data, "-o", opts, "-l",
                            nc_strf("%s/log", dir), "-w", "-t", "60", "start", NULL };
    as_nobody("pg_ctl-start", start);
    const char *stop_argv[] = { pg_bin("pg_ctl"), "-D", data, "-m", "immediate", "-w",
                                "stop", NULL };
    const char *db = nc_strf("postgresql://ras@127.0.0.1:%d/postgres", port);

    ras_add_cards(db, 50, 0);
    ras_cli(db, "enqueue", "--all", "--apdu", "80CA006600");
    char *jobs = ras_cli(db, "enqueue", "--all", "--apdu", "80CA00E000", "--apdu", "80CA00C100");
    cr_assert_eq(ras_count(jobs, "job "), 50);
    RasSrv a = ras_start(db, 0, "ras-a", NULL);
    RasSrv b = ras_start(db, 0, "ras-b", NULL);
    const char *load[] = { ras_load_bin(), "--port", nc_strf("%d,%d", a.port, b.port),
        "--cards", "50", "--parallel", "--log", nc_tmp_path("load.log"), NULL };
    int st;
    char *out = ras_run("ras-load", load, &st, 120000);
    cr_expect_eq(st, 0, "%s", out);
    cr_expect(strstr(out, "sessions=100 ok=100 failed=0 scripts=100"), "%s", out);
    char *log = nc_gc(nc_read_file(nc_tmp_path("load.log"), NULL));
    for (int j = 1; j <= 100; j++) {
        cr_expect_eq(ras_count(log, nc_strf("uri=/ras/j/%d/1 ", j)), 1,
                     "job %d delivered %d times", j,
                     ras_count(log, nc_strf("uri=/ras/j/%d/1 ", j)));
    }
    char *status = ras_cli(db, "status");
    cr_expect_eq(ras_count(status, "\"state\": \"done\""), 100, "%s", status);
    int by_a = ras_count(status, "\"owner\": \"ras-a\""),
        by_b = ras_count(status, "\"owner\": \"ras-b\"");
    cr_expect_eq(by_a + by_b, 100);
    cr_expect(by_a > 0 && by_b > 0, "one instance did everything: %d / %d", by_a, by_b);
    char *d = ras_cli(db, "status", "--job", "77");
    cr_expect(strstr(d, "\"sent_count\": 1, \"answered\": 1, \"status\": \"ok\", "
                        "\"executed\": 2, \"rapdus\": \"9000 9000\""), "%s", d);
    nc_proc_stop(a.proc);
    nc_proc_stop(b.proc);
    as_nobody("pg_ctl-stop", stop_argv);
}
