/*
 * System tests: the insn_window TCG plugin (tests/plugins/insn_window.c)
 * on the card OS, through the bench markers (cardos/kernel/bench_mark.h)
 * and the test applet's BENCH command (INS 5E, docs/iso7816-card.md).
 *
 * Expected values come from outside the plugin: the instruction count of
 * an empty window is read off the compiler's output (arm-none-eabi-objdump
 * of cardos-test.elf: bench_mark_begin up to its return, plus what the caller
 * executes between the two calls); the marker addresses from the ELF
 * symbol table (tests/bench/elfsym.py); and a measured operation must
 * count the same on every run.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "system.h"
#include "iso_card.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

TestSuite(system_insn_plugin, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

#define APDU_TIMEOUT_MS  60000
#define MAX_RAPDU        (65536 + 2)
#define INS_BENCH        0x5E
#define BENCH_EMPTY      0x00
#define BENCH_AES_HW     0x01
#define BENCH_AES_SOFT   0x02
#define AES_BENCH_BYTES  16384u

typedef struct PluginCard {
    NcCard *card;
    NcVpcd *vpcd;
    const char *windows;      /* the plugin's out file */
} PluginCard;

/* Run a short-lived tool; its stdout as a string (fails on non-zero exit). */
static char *run_tool(const char *name, const char *const argv[])
{
    NcSpawnOpts o = { .stdout_path = nc_tmp_path(nc_strf("%s.out", name)) };
    NcProc *p = nc_spawn(name, argv, &o);
    int st = nc_proc_wait_exit(p, NC_TIMEOUT_EXIT_MS);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s failed (%s): %s",
              name, nc_proc_describe(p), nc_proc_diag(p));
    char *out = nc_read_file(o.stdout_path, NULL);
    cr_assert_not_null(out, "%s wrote nothing", name);
    return nc_gc(out);
}

/* "0xADDR SIZE NAME" lines from elfsym.py for SYMS (NULL-terminated). */
static void lookup_symbols(const char *elf, const char *const syms[],
                           uint64_t *addr, uint64_t *size)
{
    const char *argv[16];
    size_t n = 0;
    argv[n++] = nc_tool("python3", "python3");
    argv[n++] = nc_strf("%s/tests/bench/elfsym.py", nc_srcdir());
    argv[n++] = elf;
    for (size_t i = 0; syms[i]; i++) {
        argv[n++] = syms[i];
    }
    argv[n] = NULL;
    char *out = run_tool("elfsym", argv);
    char *line = out;
    for (size_t i = 0; syms[i]; i++) {
        unsigned long long a, s;
        char name[128];
        cr_assert_eq(sscanf(line, "%llx %llu %127s", &a, &s, name), 3,
                     "elfsym output: %s", out);
        cr_assert_str_eq(name, syms[i]);
        addr[i] = a;
        if (size) {
            size[i] = s;
        }
        line = strchr(line, '\n');
        cr_assert_not_null(line);
        line++;
    }
}

/* Boot cardos-test.elf with the plugin watching the bench markers. */
static PluginCard boot_with_plugin(const char *extra_plugin_args)
{
    PluginCard pc = { 0 };
    const char *elf = nc_cardos_image("cardos-test.elf");
    static const char *const markers[] = {
        "bench_mark_begin", "bench_mark_end", NULL,
    };
    uint64_t addr[2];
    lookup_symbols(elf, markers, addr, NULL);

    int port;
    pc.windows = nc_tmp_path("windows.txt");
    const char *plugin = nc_strf("%s/libinsn_window.so",
                                 nc_env("NETCARD_PLUGINS",
                                        "the folder of the TCG plugins"));
    const char *args[] = {
        "-plugin", nc_strf("%s,begin=0x%" PRIx64 ",end=0x%" PRIx64 ",out=%s%s",
                           plugin, addr[0], addr[1], pc.windows,
                           extra_plugin_args ? extra_plugin_args : ""),
        NULL,
    };
    pc.card = iso_card_start(args, &port, &pc.vpcd);

    uint8_t *resp = nc_gc(malloc(MAX_RAPDU));
    nc_vpcd_ctrl(pc.vpcd, NC_VPCD_OFF);
    nc_vpcd_ctrl(pc.vpcd, NC_VPCD_ON);
    nc_vpcd_ctrl(pc.vpcd, NC_VPCD_ATR);
    (void)nc_vpcd_recv(pc.vpcd, resp, MAX_RAPDU, APDU_TIMEOUT_MS);
    nc_card_wait_banner(pc.card, "power-on", BOOT_TIMEOUT_MS);
    nc_vpcd_send(pc.vpcd, select_test_applet, sizeof(select_test_applet));
    size_t n = nc_vpcd_recv(pc.vpcd, resp, MAX_RAPDU, APDU_TIMEOUT_MS);
    cr_assert(n >= 2 && resp[n - 2] == 0x90 && resp[n - 1] == 0x00,
              "SELECT test applet: %s", nc_hex(resp, n));
    return pc;
}

/* BENCH P1=OP (Le 00): returns the 4-byte cycle count, checks 9000. */
static uint32_t bench(PluginCard *pc, uint8_t op)
{
    const uint8_t apdu[] = { 0x80, INS_BENCH, op, 0x00, 0x00 };
    uint8_t resp[64];
    nc_vpcd_send(pc->vpcd, apdu, sizeof(apdu));
    size_t n = nc_vpcd_recv(pc->vpcd, resp, sizeof(resp), APDU_TIMEOUT_MS);
    cr_assert(n == 6 && resp[4] == 0x90 && resp[5] == 0x00,
              "BENCH %02X: expected 4 bytes and 9000, got %s", op,
              nc_hex(resp, n));
    return (uint32_t)resp[0] << 24 | (uint32_t)resp[1] << 16 |
           (uint32_t)resp[2] << 8 | resp[3];
}

typedef struct Window {
    unsigned index;
    uint64_t insns, excluded;
} Window;

/* The plugin's lines so far (it flushes each one as its window closes). */
static size_t read_windows(const char *path, Window *w, size_t cap)
{
    char *text = nc_read_file(path, NULL);
    size_t n = 0;
    cr_assert_not_null(text, "the plugin did not create %s", path);
    nc_gc(text);
    for (char *line = strtok(text, "\n"); line && n < cap;
         line = strtok(NULL, "\n")) {
        unsigned long long a, b;
        unsigned idx;
        cr_assert_eq(sscanf(line, "window=%u insns=%llu excluded=%llu",
                            &idx, &a, &b), 3, "plugin line: %s", line);
        w[n].index = idx;
        w[n].insns = a;
        w[n].excluded = b;
        n++;
    }
    return n;
}

/* ------------------------------------------------------------------ */
/* The disassembly: what an empty window must count                    */

typedef struct Insn {
    char mnemonic[16];
    char operands[160];
} Insn;

/* The instructions of FUNC in objdump -d text (up to the next blank line). */
static size_t function_insns(const char *dis, const char *func, Insn *out,
                             size_t cap)
{
    const char *hdr = strstr(dis, nc_strf("<%s>:\n", func));
    cr_assert_not_null(hdr, "no function %s in the disassembly", func);
    const char *p = strchr(hdr, '\n') + 1;
    size_t n = 0;
    while (*p && *p != '\n' && n < cap) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        char *line = nc_gc(strndup(p, len));
        /* "    1234:\tmnemonic\toperands" (--no-show-raw-insn) */
        char *tab = strchr(line, '\t');
        char *colon = strchr(line, ':');
        if (tab && colon && colon < tab) {
            Insn *i = &out[n];
            char *ops = strchr(tab + 1, '\t');
            size_t ml = ops ? (size_t)(ops - tab - 1) : strlen(tab + 1);
            snprintf(i->mnemonic, sizeof(i->mnemonic), "%.*s", (int)ml, tab + 1);
            snprintf(i->operands, sizeof(i->operands), "%s", ops ? ops + 1 : "");
            if (i->mnemonic[0] != '.') {    /* not a literal (.word) */
                n++;
            }
        }
        p = eol ? eol + 1 : p + len;
    }
    return n;
}

/* Does it leave straight-line code (branch, return, table branch)? */
static bool is_control_flow(const Insn *i)
{
    const char *m = i->mnemonic;
    if (m[0] == 'b' && strncmp(m, "bic", 3) != 0 && strncmp(m, "bfc", 3) != 0 &&
        strncmp(m, "bfi", 3) != 0) {
        return true;
    }
    if (!strncmp(m, "cbz", 3) || !strncmp(m, "cbnz", 4) ||
        !strncmp(m, "tbb", 3) || !strncmp(m, "tbh", 3) || !strncmp(m, "it", 2)) {
        return true;
    }
    /* pop {..., pc}, ldm ...{..., pc}; ldr pc, ...; mov pc, ... */
    if (!strncmp(m, "pop", 3) || !strncmp(m, "ldm", 3)) {
        return strstr(i->operands, "pc}") != NULL;
    }
    return !strncmp(i->operands, "pc,", 3);
}

/*
 * Instructions an empty window executes: bench_mark_begin from its first
 * instruction to its return (straight-line code), then the caller's
 * instructions from the one after "bl bench_mark_begin" up to and
 * including the branch to bench_mark_end.
 */
static uint64_t expected_empty_window(const char *caller)
{
    const char *argv[] = {
        nc_tool("arm-none-eabi-objdump", "binutils-arm-none-eabi"),
        "-d", "--no-show-raw-insn", nc_cardos_image("cardos-test.elf"), NULL,
    };
    char *dis = run_tool("objdump", argv);
    Insn insns[64];
    uint64_t count = 0;

    size_t n = function_insns(dis, "bench_mark_begin", insns, 64);
    size_t i;
    for (i = 0; i < n; i++) {
        count++;
        if (is_control_flow(&insns[i])) {
            break;
        }
    }
    cr_assert(i < n && !strcmp(insns[i].mnemonic, "bx") &&
              !strcmp(insns[i].operands, "lr"),
              "bench_mark_begin is not straight-line code ending in bx lr "
              "(stopped at \"%s %s\")", i < n ? insns[i].mnemonic : "(end)",
              i < n ? insns[i].operands : "");

    n = function_insns(dis, caller, insns, 64);
    for (i = 0; i < n && !strstr(insns[i].operands, "<bench_mark_begin>"); i++) {
    }
    cr_assert_lt(i, n, "%s does not call bench_mark_begin", caller);
    for (i++; i < n; i++) {
        count++;
        if (strstr(insns[i].operands, "<bench_mark_end>")) {
            break;
        }
        cr_assert(!is_control_flow(&insns[i]), "%s: \"%s %s\" between the "
                  "markers is not straight-line code", caller,
                  insns[i].mnemonic, insns[i].operands);
    }
    cr_assert_lt(i, n, "%s does not reach bench_mark_end", caller);
    return count;
}

/* ------------------------------------------------------------------ */

Test(system_insn_plugin, empty_window_counts_exactly_the_disassembled_insns)
{
    uint64_t want = expected_empty_window("bench_empty_window");
    PluginCard pc = boot_with_plugin(NULL);

    cr_assert_eq(bench(&pc, BENCH_EMPTY), 0u,
                 "an empty window consumes no coprocessor cycles");
    cr_assert_eq(bench(&pc, BENCH_EMPTY), 0u);

    Window w[8];
    size_t n = read_windows(pc.windows, w, 8);
    cr_assert_eq(n, 2u, "two BENCH 00 commands, %zu windows in %s", n,
                 nc_file_tail(pc.windows, 2000));
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(w[i].index, i + 1);
        cr_assert_eq(w[i].insns, want, "window %zu counted %" PRIu64
                     " instructions; the disassembly says %" PRIu64,
                     i + 1, w[i].insns, want);
        cr_assert_eq(w[i].excluded, 0u);
    }
}

Test(system_insn_plugin, measured_operations_repeat_exactly)
{
    /*
     * The crypto driver's wait loop and the clock it reads for its
     * time-out counted apart, as make bench does: how often it polls
     * depends on the host's speed.
     */
    static const char *const wait_syms[] = { "wait_idle", "timer_now_ms", NULL };
    uint64_t wa[2], ws[2];
    lookup_symbols(nc_cardos_image("cardos-test.elf"), wait_syms, wa, ws);
    PluginCard pc = boot_with_plugin(
        nc_strf(",exclude=0x%" PRIx64 "-0x%" PRIx64 ",exclude=0x%" PRIx64
                "-0x%" PRIx64, wa[0], wa[0] + ws[0], wa[1], wa[1] + ws[1]));

    uint32_t soft1 = bench(&pc, BENCH_AES_SOFT);
    uint32_t hw1 = bench(&pc, BENCH_AES_HW);
    uint32_t soft2 = bench(&pc, BENCH_AES_SOFT);
    uint32_t hw2 = bench(&pc, BENCH_AES_HW);

    cr_assert_eq(soft1, 0u, "software AES uses no coprocessor cycles");
    cr_assert_eq(soft2, 0u);
    /* docs/crypto.md timing model: at least aes-cycles-per-block (44) per
     * 16-byte block. */
    cr_assert_geq(hw1, AES_BENCH_BYTES / 16 * 44, "coprocessor cycles %u",
                  hw1);
    cr_assert_eq(hw1, hw2, "coprocessor cycles differ: %u then %u", hw1, hw2);

    Window w[8];
    size_t n = read_windows(pc.windows, w, 8);
    cr_assert_eq(n, 4u, "four BENCH commands, %zu windows: %s", n,
                 nc_file_tail(pc.windows, 2000));
    /* Software AES: far more than one instruction per byte, no waiting. */
    cr_assert_gt(w[0].insns, AES_BENCH_BYTES, "software AES counted %" PRIu64,
                 w[0].insns);
    cr_assert_eq(w[0].excluded, 0u);
    cr_assert_eq(w[0].insns, w[2].insns, "software AES: %" PRIu64 " then %"
                 PRIu64 " instructions", w[0].insns, w[2].insns);
    cr_assert_eq(w[1].insns, w[3].insns, "coprocessor AES: %" PRIu64 " then %"
                 PRIu64 " instructions", w[1].insns, w[3].insns);
    cr_assert_gt(w[1].excluded, 0u, "the driver waited in wait_idle");
    cr_assert_lt(w[1].insns, w[0].insns);
}

Test(system_insn_plugin, bad_arguments_stop_qemu_with_a_message)
{
    const char *plugin = nc_strf("%s/libinsn_window.so",
                                 nc_env("NETCARD_PLUGINS",
                                        "the folder of the TCG plugins"));
    static const char *const bad[] = {
        ",begin=0x100", "begin=ADDR and end=ADDR are required",
        ",begin=0x100,end=zz", "bad end address 'zz'",
        ",begin=0x100,end=0x200,exclude=0x300", "bad exclude range",
        ",begin=0x100,end=0x200,colour=blue", "unknown argument 'colour=blue'",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i += 2) {
        const char *opts[] = {
            "--image", nc_cardos_image("cardos-test.elf"), "--net", "none",
            "--plugin", nc_strf("%s%s", plugin, bad[i]), NULL,
        };
        NcProc *p = nc_spawn("qemu-bad-plugin", nc_qemu_cmdline(opts, NULL),
                             NULL);
        int st = nc_proc_wait_exit(p, NC_TIMEOUT_START_MS);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) != 0,
                  "QEMU with plugin arguments \"%s\": %s", bad[i],
                  nc_proc_describe(p));
        char *err = nc_gc(nc_read_file(p->stderr_path, NULL));
        cr_assert(err && strstr(err, bad[i + 1]), "\"%s\": stderr lacks "
                  "\"%s\": %s", bad[i], bad[i + 1], err ? err : "");
    }
}
