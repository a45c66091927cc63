/*
 * System tests: `netcard test`, the conformance runner
 * (tools/netcard_host/runner.py, docs/testing-cards.md), as CI runs it:
 * a broken expectation fails with a readable diff and exit 1, the JUnit
 * report passes xmllint against tests/schemas/junit.xsd, APDU captures
 * decode with tshark (the runner's and `netcard run --apdu-pcap`'s), a
 * malformed file is a FILE:LINE:COLUMN error with exit 2 before any card
 * starts, shards cover every case once, a card that dies or hangs fails
 * its case and the run goes on, and Ctrl-C stops the cards and writes
 * the partial report. The host side of SCP02/SCP03 is checked against
 * pySim's vectors here too.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "system.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

TestSuite(system_runner, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

#define RUN_TIMEOUT_MS 120000

static const char *write_file(const char *name, const char *text)
{
    const char *path = nc_tmp_path(name);
    FILE *f = fopen(path, "w");
    cr_assert(f, "%s: %s", path, strerror(errno));
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
    return path;
}

static char *slurp(const char *path)
{
    char *s = nc_read_file(path, NULL);
    return s ? nc_gc(s) : "";
}

/* `netcard ARGS...` in the test's folder (its temp files go there too). */
static NcProc *netcard(const char *name, const char *const args[])
{
    const char *argv[40];
    size_t n = 0;
    argv[n++] = nc_bin("netcard");
    for (size_t i = 0; args[i] && n < 39; i++) {
        argv[n++] = args[i];
    }
    argv[n] = NULL;
    cr_assert_eq(setenv("TMPDIR", nc_tmpdir(), 1), 0);
    NcSpawnOpts o = { .cwd = nc_tmpdir() };
    return nc_spawn(name, argv, &o);
}

static int exit_code(NcProc *p, int timeout_ms)
{
    int st = nc_proc_wait_exit(p, timeout_ms);
    cr_assert(WIFEXITED(st), "%s %s\n%s", p->cmdline, nc_proc_describe(p),
              nc_proc_diag(p));
    return WEXITSTATUS(st);
}

/* A tool's run to completion: its exit code; its stdout in *OUT. */
static int tool(const char *name, const char *const argv[], char **out)
{
    NcSpawnOpts o = { .cwd = nc_tmpdir(), .stderr_to_stdout = true };
    NcProc *p = nc_spawn(name, argv, &o);
    int rc = exit_code(p, RUN_TIMEOUT_MS);
    *out = slurp(p->stdout_path);
    return rc;
}

static const char *const broken_suite =
    "# one good case, one broken expectation (ICCID's last byte)\n"
    "suite: broken\n"
    "cases:\n"
    "  - name: good\n"
    "    steps:\n"
    "      - apdu: 00 A4 00 0C 02 2FE2\n"
    "  - name: wrong iccid\n"
    "    steps:\n"
    "      - apdu: 00 A4 00 0C 02 2FE2\n"
    "      - apdu: 00 B0 00 00 0A\n"
    "        data: 98 94 20 00 00 21 43 65 87 F8\n";

Test(system_runner, broken_expectation_fails_with_a_diff)
{
    write_file("broken.yaml", broken_suite);
    const char *args[] = { "test", "-j", "2", "broken.yaml", "--junit",
                           "out.xml", "--tap", "out.tap", "--keep-failed",
                           "kept", NULL };
    NcProc *p = netcard("netcard-test", args);
    int rc = exit_code(p, RUN_TIMEOUT_MS);
    char *out = slurp(p->stdout_path);
    cr_assert_eq(rc, 1, "a failed case must exit 1, got %d\n%s", rc,
                 nc_proc_diag(p));
    /* the failing step by file:line:column, the bytes side by side and a
     * caret under the first difference */
    cr_assert(strstr(out, "FAIL broken.yaml::wrong iccid") &&
              strstr(out, "broken.yaml:10:9: apdu 00B000000A") &&
              strstr(out, "expected: 98 94 20 00 00 21 43 65 87 F8") &&
              strstr(out, "got:      98 94 20 00 00 21 43 65 87 F9") &&
              strstr(out, "^^ byte 9"), "no readable diff:\n%s", out);
    cr_assert(strstr(out, "| I store: formatted the erased NVM"), "no console tail:\n%s", out);
    cr_assert(strstr(out, "\n1 passed, 1 failed\n"), "summary:\n%s", out);

    /* JUnit: valid against the schema, the failure in it */
    const char *xmllint = nc_tool("xmllint", "libxml2-utils");
    const char *xsd = nc_strf("%s/tests/schemas/junit.xsd", nc_srcdir());
    const char *lint[] = { xmllint, "--noout", "--schema", xsd,
                           nc_tmp_path("out.xml"), NULL };
    char *lint_out;
    rc = tool("xmllint", lint, &lint_out);
    cr_assert_eq(rc, 0, "xmllint --schema junit.xsd refused the report:\n"
                 "%s\n%s", lint_out, slurp(nc_tmp_path("out.xml")));
    char *xml = slurp(nc_tmp_path("out.xml"));
    cr_assert(strstr(xml, "tests=\"2\" failures=\"1\" errors=\"0\"") &&
              strstr(xml, "<failure message=\"broken.yaml:10:9"),
              "JUnit report:\n%s", xml);

    char *tap = slurp(nc_tmp_path("out.tap"));
    cr_assert(strstr(tap, "1..2\nok 1 - broken.yaml::good\n") &&
              strstr(tap, "not ok 2 - broken.yaml::wrong iccid\n"),
              "TAP report:\n%s", tap);

    /* the failed case's NVM image (2 MiB, formatted) and console kept */
    const char *kept = nc_tmp_path("kept/broken.yaml__wrong_iccid");
    struct stat st;
    cr_assert_eq(stat(nc_strf("%s/card.nvm", kept), &st), 0,
                 "no NVM image kept in %s", kept);
    cr_assert_eq(st.st_size, 2 * 1024 * 1024);
    cr_assert(strstr(slurp(nc_strf("%s/console.log", kept)),
                     "I store: formatted the erased NVM"));
    cr_assert_neq(access(nc_tmp_path("kept/broken.yaml__good"), F_OK), 0,
                  "a passed case was kept");
}

Test(system_runner, malformed_file_is_a_line_column_error)
{
    write_file("good.yaml", broken_suite);
    write_file("bad.yaml",
               "cases:\n"
               "  - name: bad hex\n"
               "    steps:\n"
               "      - apdu: 00 A4 00 0C 02 2FE2\n"
               "      - apdu: 00 B0 00 0Z 0A\n");
    write_file("bad2.yaml", "cases:\n  - name: x\n    steps: [\n");
    const char *args[] = { "test", "good.yaml", "bad.yaml", "bad2.yaml",
                           "--pcap-dir", "pcaps", NULL };
    NcProc *p = netcard("netcard-test", args);
    int rc = exit_code(p, RUN_TIMEOUT_MS);
    char *err = slurp(p->stderr_path);
    cr_assert_eq(rc, 2, "a malformed file must exit 2, got %d\n%s", rc,
                 nc_proc_diag(p));
    cr_assert(strstr(err, "bad.yaml:5:25: apdu: 'Z' is not a hex digit") ||
              strstr(err, "bad.yaml:5:24: apdu: unexpected 'Z'"),
              "no line:column error for bad.yaml:\n%s", err);
    cr_assert(strstr(err, "bad2.yaml:4:1: YAML:"), "no line:column error "
              "for bad2.yaml:\n%s", err);
    /* no card started: no case wrote its capture */
    DIR *d = opendir(nc_tmp_path("pcaps"));
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            cr_assert(e->d_name[0] == '.', "a case ran: %s", e->d_name);
        }
        closedir(d);
    }
}

Test(system_runner, shards_cover_every_case_once)
{
    const char *suites = nc_strf("%s/tests/suites", nc_srcdir());
    const char *all_args[] = { "test", "--list", suites, NULL };
    NcProc *p = netcard("list-all", all_args);
    cr_assert_eq(exit_code(p, RUN_TIMEOUT_MS), 0, "%s", nc_proc_diag(p));
    char *all = slurp(p->stdout_path);
    size_t total = 0;
    for (char *c = all; *c; c++) {
        total += *c == '\n';
    }
    cr_assert_geq(total, 10u, "too few example cases:\n%s", all);

    char *seen = nc_strf("%s", "");
    size_t count = 0;
    for (int i = 1; i <= 3; i++) {
        const char *a[] = { "test", "--list", "--shard", nc_strf("%d/3", i),
                            suites, NULL };
        p = netcard(nc_strf("shard-%d", i), a);
        cr_assert_eq(exit_code(p, RUN_TIMEOUT_MS), 0, "%s", nc_proc_diag(p));
        char *part = slurp(p->stdout_path);
        char *save = NULL;
        for (char *l = strtok_r(part, "\n", &save); l;
             l = strtok_r(NULL, "\n", &save)) {
            const char *line = nc_strf("\n%s\n", l);
            cr_assert(strstr(nc_strf("\n%s", all), line), "shard %d/3 has "
                      "'%s', not in the whole list", i, l);
            cr_assert(!strstr(seen, line), "'%s' is in two shards", l);
            seen = nc_strf("%s%s", seen, line);
            count++;
        }
    }
    cr_assert_eq(count, total, "the shards have %zu cases, the whole list "
                 "%zu", count, total);
}

static void expect_decoded(const char *pcap, const char *const want[])
{
    const char *tshark = nc_tool("tshark", "tshark");
    const char *argv[] = { tshark, "-r", pcap, "-V", NULL };
    char *out;
    int rc = tool("tshark", argv, &out);
    cr_assert_eq(rc, 0, "tshark -r %s failed:\n%s", pcap, out);
    for (size_t i = 0; want[i]; i++) {
        cr_assert(strstr(out, want[i]), "tshark does not show '%s' in %s:\n"
                  "%.4000s", want[i], pcap, out);
    }
}

static const char *const decoded[] = {
    "GSM SIM 11.11", "Instruction: SELECT (0xa4)", "File ID: EF.ICCID (0x2fe2)",
    "Instruction: READ BINARY (0xb0)", "Status Word: 9000", NULL,
};

Test(system_runner, case_capture_decodes_with_tshark)
{
    write_file("ok.yaml", "cases:\n  - name: iccid\n    steps:\n"
               "      - apdu: 00 A4 00 0C 02 2FE2\n"
               "      - apdu: 00 B0 00 00 0A\n"
               "        data: 98 94 20 00 00 21 43 65 87 F9\n");
    const char *args[] = { "test", "ok.yaml", "--pcap-dir", "pcaps", NULL };
    NcProc *p = netcard("netcard-test", args);
    cr_assert_eq(exit_code(p, RUN_TIMEOUT_MS), 0, "%s", nc_proc_diag(p));
    expect_decoded(nc_tmp_path("pcaps/ok.yaml__iccid.pcap"), decoded);
}

Test(system_runner, run_apdu_pcap_decodes_with_tshark)
{
    int port = nc_free_tcp_port();
    const char *pcap = nc_tmp_path("run.pcap");
    const char *args[] = { "run", "--no-net", "--nvm", "card.nvm", "--iso",
                           nc_strf("tcp:127.0.0.1:%d", port), "--apdu-pcap",
                           pcap, NULL };
    NcProc *run = netcard("netcard-run", args);
    NcConsole *con = nc_console_open(run->stdout_path, "card console", run);
    nc_console_wait(con, "I boot: ready", BOOT_TIMEOUT_MS);
    const char *apdu[] = { "apdu", "--port", nc_strf("%d", port),
                           "00A4000C022FE2", "00B000000A", NULL };
    NcProc *a = netcard("netcard-apdu", apdu);
    cr_assert_eq(exit_code(a, RUN_TIMEOUT_MS), 0, "%s", nc_proc_diag(a));
    cr_assert(strstr(slurp(a->stdout_path), "989420000021436587F99000"),
              "%s", nc_proc_diag(a));
    nc_proc_stop(run);
    expect_decoded(pcap, decoded);
}

Test(system_runner, dead_or_hung_card_fails_its_case_and_the_run_goes_on)
{
    write_file("dies.yaml",
               "cases:\n"
               "  - name: qemu quits\n"
               "    steps:\n"
               "      - qmp: quit\n"
               "      - apdu: 00 A4 00 0C 02 2FE2\n"
               "  - name: card hangs\n"
               "    steps:\n"
               "      - qmp: stop\n"
               "      - apdu: 00 A4 00 0C 02 2FE2\n"
               "        timeout: 1\n"
               "  - name: still runs\n"
               "    steps:\n"
               "      - apdu: 00 A4 00 0C 02 2FE2\n");
    const char *args[] = { "test", "dies.yaml", NULL };
    NcProc *p = netcard("netcard-test", args);
    int rc = exit_code(p, RUN_TIMEOUT_MS);
    char *out = slurp(p->stdout_path);
    cr_assert_eq(rc, 1, "exit %d\n%s", rc, nc_proc_diag(p));
    cr_assert(strstr(out, "FAIL dies.yaml::qemu quits") &&
              strstr(out, "dies.yaml:5:9: APDU 00A4000C022FE2: QEMU exited"),
              "%s", out);
    cr_assert(strstr(out, "FAIL dies.yaml::card hangs") &&
              strstr(out, "no answer within 1 s"), "%s", out);
    cr_assert(strstr(out, "| I store: formatted the erased NVM"), "no console tail:\n%s", out);
    cr_assert(strstr(out, "\n1 passed, 2 failed\n"), "%s", out);
}

/* QEMUs whose command line names this test's folder (their pids in PIDS). */
static int qemu_pids(pid_t *pids, int max)
{
    int n = 0;
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9') {
            continue;
        }
        size_t len = 0;
        char *cmd = nc_read_file(nc_strf("/proc/%s/cmdline", e->d_name), &len);
        if (!cmd) {
            continue;
        }
        for (size_t i = 0; i + 1 < len; i++) {
            cmd[i] = cmd[i] ? cmd[i] : ' ';
        }
        if (strstr(cmd, "qemu-system-arm") && strstr(cmd, nc_tmpdir())) {
            if (n < max) {
                pids[n] = (pid_t)atoi(e->d_name);
            }
            n++;
        }
        free(cmd);
    }
    if (d) {
        closedir(d);
    }
    return n;
}

static int qemus_left(void)
{
    pid_t pids[16];
    return qemu_pids(pids, 16);
}

/* Still running: in /proc and not a zombie (this test adopts orphans). */
static bool pid_running(pid_t pid)
{
    char *stat = nc_read_file(nc_strf("/proc/%d/stat", (int)pid), NULL);
    const char *state = stat ? strrchr(stat, ')') : NULL;
    bool running = state && state[1] == ' ' && state[2] != 'Z' &&
                   state[2] != 'X';
    free(stat);
    return running;
}

Test(system_runner, ctrl_c_stops_the_cards_and_writes_the_partial_report)
{
    write_file("slow.yaml",
               "cases:\n"
               "  - name: quick\n"
               "    steps:\n"
               "      - apdu: 00 A4 00 0C 02 2FE2\n"
               "  - name: waits\n"
               "    steps:\n"
               "      - console: never printed\n"
               "        timeout: 60\n"
               "  - name: waits too\n"
               "    steps:\n"
               "      - console: never printed\n"
               "        timeout: 60\n");
    const char *args[] = { "test", "-v", "slow.yaml", "--junit", "out.xml",
                           NULL };
    NcProc *p = netcard("netcard-test", args);
    NcConsole *con = nc_console_open(p->stdout_path, "netcard test", p);
    nc_console_wait(con, "PASS slow.yaml::quick", RUN_TIMEOUT_MS);
    int64_t deadline = nc_now_ms() + NC_TIMEOUT_START_MS;
    while (qemus_left() == 0) {     /* the second case's card is up */
        cr_assert(nc_now_ms() < deadline, "no second card started");
        nc_nap_ms(20);
    }
    kill(p->pid, SIGINT);
    int rc = exit_code(p, NC_TIMEOUT_EXIT_MS);
    cr_assert_eq(rc, 2, "exit %d after Ctrl-C\n%s", rc, nc_proc_diag(p));
    cr_assert_eq(qemus_left(), 0, "a card outlived the runner");
    char *xml = slurp(nc_tmp_path("out.xml"));
    cr_assert(strstr(xml, "tests=\"3\" failures=\"0\" errors=\"0\" "
                     "skipped=\"2\""), "partial report:\n%s", xml);
    cr_assert(strstr(slurp(p->stdout_path), "INTERRUPTED"), "%s",
              nc_proc_diag(p));
}

/*
 * SIGKILL leaves the runner no chance to stop its cards: each QEMU it
 * starts dies with it (PR_SET_PDEATHSIG, tools/netcard_host/card.py).
 */
Test(system_runner, sigkill_leaves_no_card_behind)
{
    write_file("slow.yaml",
               "cases:\n"
               "  - name: waits\n"
               "    steps:\n"
               "      - console: never printed\n"
               "        timeout: 60\n"
               "  - name: waits too\n"
               "    steps:\n"
               "      - console: never printed\n"
               "        timeout: 60\n");
    const char *args[] = { "test", "-j", "2", "slow.yaml", NULL };
    NcProc *p = netcard("netcard-test", args);
    pid_t pids[16];
    int n = 0;
    int64_t deadline = nc_now_ms() + NC_TIMEOUT_START_MS;
    while ((n = qemu_pids(pids, 16)) < 2) {     /* both cases' cards */
        cr_assert(nc_now_ms() < deadline, "%d cards started\n%s", n,
                  nc_proc_diag(p));
        nc_nap_ms(20);
    }
    cr_assert_leq(n, 16);
    kill(p->pid, SIGKILL);
    int st = nc_proc_wait_exit(p, NC_TIMEOUT_EXIT_MS);
    cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "%s",
              nc_proc_describe(p));
    for (int i = 0; i < n; i++) {
        deadline = nc_now_ms() + NC_TIMEOUT_EXIT_MS;
        while (pid_running(pids[i])) {
            cr_assert(nc_now_ms() < deadline, "QEMU %d outlived the "
                      "SIGKILLed runner", (int)pids[i]);
            nc_nap_ms(20);
        }
    }
}

Test(system_runner, scp_host_matches_pysim_vectors)
{
    const char *script = nc_strf("%s/tests/tools/test_scp_vectors.py",
                                 nc_srcdir());
    const char *argv[] = { "/usr/bin/python3", script, NULL };
    char *out;
    int rc = tool("scp-vectors", argv, &out);
    cr_assert_eq(rc, 0, "tools/netcard_host/scp.py against pySim's "
                 "vectors:\n%s", out);
    cr_assert(strstr(out, "11 passed, 0 failed"), "%s", out);
}
