/*
 * System test: debug the card OS with gdb-multiarch through QEMU's gdbstub,
 * as `make debug` users do.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "system.h"

TestSuite(system_gdb, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

#define GDB_TIMEOUT_MS 90000

static bool output_matches(const char *out, const char *re)
{
    regex_t rx;
    cr_assert_eq(regcomp(&rx, re, REG_EXTENDED | REG_NEWLINE | REG_NOSUB), 0);
    bool ok = regexec(&rx, out, 0, NULL, 0) == 0;
    regfree(&rx);
    return ok;
}

Test(system_gdb, break_at_main_backtrace_and_version)
{
    const char *gdb = nc_tool("gdb-multiarch", "gdb-multiarch");
    const char *elf = nc_cardos_image("cardos.elf");
    int port = nc_free_tcp_port();

    NcCardOpts o = { .image = "cardos.elf", .halted = true,
                     .gdb_port = port };
    NcCard *card = nc_card_start(&o);
    /* QMP answered, so QEMU's start-up (and the gdbstub) is complete. */

    const char *argv[] = {
        gdb, "-batch", "-nx",
        "-ex", "set pagination off",
        "-ex", nc_strf("file %s", elf),
        "-ex", nc_strf("target remote 127.0.0.1:%d", port),
        "-ex", "break main",
        "-ex", "continue",
        "-ex", "bt",
        "-ex", "print cardos_version",
        "-ex", "kill",
        NULL,
    };
    NcSpawnOpts so = { .stderr_to_stdout = true };
    NcProc *g = nc_spawn("gdb", argv, &so);
    nc_proc_wait_exit(g, GDB_TIMEOUT_MS);
    char *out = nc_gc(nc_read_file(g->stdout_path, NULL));
    cr_assert(out, "no gdb output");

    cr_assert(output_matches(out, "^Breakpoint 1 at 0x[0-9a-f]+"),
              "gdb could not set a breakpoint at main:\n%s", out);
    cr_assert(output_matches(out, "^Breakpoint 1, (0x[0-9a-f]+ in )?main "),
              "the breakpoint at main was not hit:\n%s\n%s", out,
              nc_console_seen(card->console));
    cr_assert(output_matches(out, "^#0  (0x[0-9a-f]+ in )?main \\("),
              "backtrace does not start in main (\"#0  main (\"):\n%s", out);
    const char *want = nc_strf("^\\$1 = \"%s\"", nc_re_escape(nc_version()));
    cr_assert(output_matches(out, want),
              "print cardos_version did not show \"%s\" (VERSION):\n%s",
              nc_version(), out);
}
