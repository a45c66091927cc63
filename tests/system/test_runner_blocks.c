/*
 * System tests: the building blocks of the conformance runner (issue 12
 * part B): --deterministic, per-APDU instruction counts (apdu_cost
 * plugin), card OS coverage (coverage plugin, lcov, genhtml),
 * snapshot-fork and many cards. Each case is a function of
 * tests/system/runner_blocks.py, which drives the installed launcher and
 * its Python package (build/lib/python/netcard_host) against real cards
 * and asserts; this file runs it and shows its output on failure.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "system.h"

#include <sys/stat.h>
#include <sys/wait.h>

TestSuite(system_runner_blocks, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

#define CASE_TIMEOUT_MS 240000

static void run_script(const char *script, const char *name)
{
    const char *work = nc_tmp_path(name);
    const char *argv[] = {
        nc_tool("python3", "python3"),
        nc_strf("%s/tests/system/%s", nc_srcdir(), script),
        name, work, NULL,
    };
    NcSpawnOpts o = { .stderr_to_stdout = true };

    /* the tools these cases need, with the package to install */
    nc_tool("genhtml", "lcov");
    nc_tool("arm-none-eabi-readelf", "binutils-arm-none-eabi");
    cr_assert_eq(mkdir(work, 0700), 0, "mkdir %s", work);
    NcProc *p = nc_spawn(name, argv, &o);
    int st = nc_proc_wait_exit(p, CASE_TIMEOUT_MS);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s %s:\n%s",
              p->cmdline, nc_proc_describe(p), nc_file_tail(p->stdout_path,
                                                             4000));
}

static void run_case(const char *name)
{
    run_script("runner_blocks.py", name);
}

/* the blocks wired into `netcard test`: tests/system/runner_wired.py */
static void run_wired(const char *name)
{
    run_script("runner_wired.py", name);
}

Test(system_runner_blocks, deterministic_runs_repeat)
{
    run_case("determinism");
}

Test(system_runner_blocks, apdu_cost_one_row_per_apdu)
{
    run_case("apdu_cost");
}

Test(system_runner_blocks, coverage_lcov_and_html)
{
    run_case("coverage");
}

Test(system_runner_blocks, snapshot_fork_restores_nvm_and_links)
{
    run_case("snapshot");
}

Test(system_runner_blocks, many_instances)
{
    run_case("instances");
}

Test(system_runner_blocks, test_deterministic_suites_repeat)
{
    run_wired("deterministic_suites");
}

Test(system_runner_blocks, test_coverage_html_covers_the_suite)
{
    run_wired("coverage_html");
}

Test(system_runner_blocks, test_fixture_snapshot_keeps_nvm_not_ram)
{
    run_wired("fixture_snapshot");
}
