/*
 * System tests: native applets on the product image (QEMU, vpcd
 * framing), driven by tests/system/applets_flow.py with the load files
 * `make applets` built (build/applets/): content management as GPShell
 * sends it, the hostile applets (each act contained with 6F00, logged
 * with the applet's AID, PC, LR and the fault address, the card
 * answering other applets right after, three faults locking an
 * instance), and 200 load/delete cycles in the code area.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "fs_card.h"

#include <stdarg.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

TestSuite(system_applets, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

#define FLOW_TIMEOUT_MS 240000

typedef struct {
    NcCard *card;
    int port;
} AppCard;

/* The product image on NVM (a fresh one when NULL), the contact
 * interface on a port. */
static AppCard boot_on(const char *name, const char *nvm)
{
    AppCard ac;
    if (nvm == NULL) {
        nvm = nvm_image_make(name, 0);
    }
    ac.port = nc_free_tcp_port();
    const char *opts[] = {
        "--nvm", nvm, "--iso", nc_strf("listen:127.0.0.1:%d", ac.port),
        "--net", "none", NULL,
    };
    NcCardOpts o = { .image = "cardos.elf", .cmdline_opts = opts };
    ac.card = nc_card_start(&o);
    nc_card_wait_banner(ac.card, "power-on", BOOT_TIMEOUT_MS);
    nc_console_wait(ac.card->console, "I boot: ready", READY_TIMEOUT_MS);
    return ac;
}

static AppCard boot_product(const char *name)
{
    return boot_on(name, NULL);
}

/* Run applets_flow.py SCENARIO against AC, with up to four more
 * arguments (NULL-terminated); its output. */
static char *flow_args(AppCard *ac, const char *scenario, ...)
{
    const char *build = getenv("NETCARD_CARDOS_DIR");
    cr_assert(build, "NETCARD_CARDOS_DIR is not set (run through make)");
    char *b = nc_strf("%s/..", build);
    const char *hello = nc_strf("%s/applets/hello.ncap", b);
    cr_assert(access(hello, R_OK) == 0, "%s is missing: make applets", hello);
    const char *argv[12] = {
        "/usr/bin/python3",
        nc_strf("%s/tests/system/applets_flow.py", nc_srcdir()),
        "--port", nc_strf("%d", ac->port), "--build", b,
    };
    size_t n = 6;
    va_list ap;
    va_start(ap, scenario);
    for (const char *a; n < 10 && (a = va_arg(ap, const char *)) != NULL;) {
        argv[n++] = a;
    }
    va_end(ap);
    argv[n++] = scenario;
    argv[n] = NULL;
    static int runs;
    NcSpawnOpts so = { .stderr_to_stdout = true };
    NcProc *p = nc_spawn(nc_strf("flow-%s-%d", scenario, runs++), argv, &so);
    int st = nc_proc_wait_exit(p, FLOW_TIMEOUT_MS);
    char *out = nc_read_file(p->stdout_path, NULL);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0 && out &&
              strstr(out, nc_strf("ok %s", scenario)),
              "applets_flow.py %s: %s\n%s\nconsole:\n%s", scenario,
              nc_proc_describe(p), out ? out : "",
              nc_file_tail(ac->card->console_path, 3000));
    return out;
}

#define flow(ac, scenario) flow_args(ac, scenario, NULL)

/*
 * GPShell's sequence (../shared/vectors/gp-traces, the gpshell traces: INSTALL
 * [for load], LOAD with C4 in 247-byte blocks, INSTALL [for install and
 * make selectable]): load, install twice, select and use both, DELETE
 * refused while instances exist (6985, GPC 2.3.1 11.2.2.1), DELETE with
 * related objects, reload; a load file with one flipped byte refused
 * with 6A80 and not registered.
 */
Test(system_applets, load_install_twice_use_delete_reload)
{
    AppCard ac = boot_product("gpshell");
    flow(&ac, "gpshell");
}

/* One regex per contained act: the log names the applet (its AID), the
 * reason and where. */
static void expect_stop(AppCard *ac, const char *aid, const char *why)
{
    regmatch_t m[3];
    nc_console_wait_re(ac->card->console,
                       nc_strf("E sys: applet %s stopped: %s PC=0x([0-9a-f]{8}) "
                               "LR=0x[0-9a-f]{8} addr=0x([0-9a-f]{8})", aid,
                               nc_re_escape(why)), m, 3, 10000);
}

Test(system_applets, hostile_applets_are_contained)
{
    AppCard ac = boot_product("hostile");
    flow(&ac, "hostile");
    /* in the order applets_flow.py runs them (docs/applets.md "Faults") */
    static const char *const whys[] = {
        "MemManage", "MemManage", "MemManage", "bad system call argument",
        "bad system call argument", "time budget exceeded", "UsageFault",
        "UsageFault", "MemManage", "BusFault", "bad system call argument",
        "bad system call argument", "bad system call argument", "MemManage",
    };
    for (unsigned i = 0; i < sizeof(whys) / sizeof(whys[0]); i++) {
        expect_stop(&ac, nc_strf("A000000077020%03X", 0x101 + i), whys[i]);
    }
    nc_console_wait(ac.card->console,
                    "E sys: applet A00000007702017F: 3 faults, LOCKED", 10000);
}

Test(system_applets, two_hundred_load_delete_cycles)
{
    AppCard ac = boot_product("cycles");
    flow(&ac, "cycles");
}

/*
 * The wallet's numbers against a model in applets_flow.py: random
 * credits (issuer CMAC; forged and replayed ones refused with 6982),
 * debits (PIN tries 63Cx, 6983 when blocked, 6985 beyond the balance),
 * balance, operation counter and the last eight operations after each.
 */
Test(system_applets, wallet_matches_its_model)
{
    AppCard ac = boot_product("wallet");
    flow(&ac, "wallet");
}

/*
 * The wallet installed through a supplementary security domain (GPC
 * 2.3.1 7.2, 9.2.1): GET STATUS gives the SSD as its associated SD (CC),
 * its secure channel is opened with the SSD's keys and not the ISD's,
 * an ISD session's C-MAC does not credit it; extradited to the ISD
 * (INSTALL [for extradition]), the ISD's keys open it and the SSD's no
 * longer do (applets_flow.py "wallet-ssd").
 */
Test(system_applets, wallet_uses_its_security_domain)
{
    AppCard ac = boot_product("wallet-ssd");
    flow(&ac, "wallet-ssd");
}

/*
 * The system calls of interface 1.2 (tests/system/applets_calls.py and
 * applets_rsa.py with tests/applets/cryptoapp): 3DES against openssl,
 * P-256 ECDSA both ways and ECDH against openssl, an imported key's
 * public key, RSA-2048 (PKCS #1 v1.5 signatures equal to openssl's,
 * verification, v1.5 and OAEP encryption both ways, raw operations, a
 * generated key checked by openssl, a persistent key), persistent
 * keys across a power cycle and never another instance's, timers, the
 * install event once per instance, SHA-2.
 */
Test(system_applets, system_calls_against_openssl)
{
    AppCard ac = boot_product("calls");
    flow(&ac, "crypto");
}

/*
 * INSTALL's system parameters EF C7/C8 override the load file's RAM and
 * persistent quota within limits (6A80 beyond them), across a reset.
 */
Test(system_applets, install_quotas_override_the_file)
{
    AppCard ac = boot_product("quotas");
    flow(&ac, "quotas");
}

/*
 * A power cut at every flash operation of a step (each operation number,
 * modes before, partial and after; docs/nvm.md), driven by
 * applets_flow.py through a second QMP monitor: after each cut the card
 * must hold the old or the new state, whole, never a mix (the script
 * checks each and says how many of each it saw).
 */
static void campaign(const char *name)
{
    AppCard ac;
    const char *nvm = nvm_image_make(nc_strf("tear-%s", name), 0);
    const char *qmp2 = nc_tmp_path("qmp2.sock");
    ac.port = nc_free_tcp_port();
    const char *opts[] = {
        "--nvm", nvm, "--iso", nc_strf("listen:127.0.0.1:%d", ac.port),
        "--net", "none", NULL,
    };
    const char *extra[] = {
        "-chardev", nc_strf("socket,id=qmp2,path=%s,server=on,wait=off", qmp2),
        "-mon", "chardev=qmp2,mode=control", NULL,
    };
    NcCardOpts o = { .image = "cardos.elf", .cmdline_opts = opts,
                     .extra_args = extra };
    ac.card = nc_card_start(&o);
    nc_card_wait_banner(ac.card, "power-on", BOOT_TIMEOUT_MS);
    nc_console_wait(ac.card->console, "I boot: ready", READY_TIMEOUT_MS);
    char *out = flow_args(&ac, "tear", "--qmp", qmp2, "--campaign", name);
    cr_log_info("%s", out);
}

Test(system_applets, load_torn_at_every_flash_operation, .timeout = 900)
{
    campaign("load");
}

Test(system_applets, install_torn_at_every_flash_operation, .timeout = 900)
{
    campaign("install");
}

Test(system_applets, delete_torn_at_every_flash_operation, .timeout = 900)
{
    campaign("delete");
}

/* Wallet debit: balance and log always agree (applets_flow.py). */
Test(system_applets, wallet_debit_torn_at_every_flash_operation,
     .timeout = 900)
{
    campaign("wallet");
}

/*
 * gdb with an applet's symbols where the card runs it (docs/applets.md
 * "Debugging"): the addresses from the card's log, the command `netcard
 * gdb --applet` builds, a breakpoint in hello's handler hit by a real
 * command, and a backtrace through crt0.
 */
Test(system_applets, gdb_breaks_in_an_applet_handler)
{
    const char *gdb = nc_tool("gdb-multiarch", "gdb-multiarch");
    AppCard ac;
    int gport = nc_free_tcp_port();
    const char *nvm = nvm_image_make("gdb", 0);
    ac.port = nc_free_tcp_port();
    const char *opts[] = {
        "--nvm", nvm, "--iso", nc_strf("listen:127.0.0.1:%d", ac.port),
        "--net", "none", NULL,
    };
    NcCardOpts o = { .image = "cardos.elf", .cmdline_opts = opts,
                     .gdb_port = gport };
    ac.card = nc_card_start(&o);
    nc_card_wait_banner(ac.card, "power-on", BOOT_TIMEOUT_MS);
    nc_console_wait(ac.card->console, "I boot: ready", READY_TIMEOUT_MS);
    flow(&ac, "hello-ready");
    regmatch_t m[3];
    char *line = nc_console_wait_re(ac.card->console,
        "I sys: applet A000000077010001: code at (0x[0-9a-f]{8}), data at "
        "(0x[0-9a-f]{8})", m, 3, 10000);
    const char *code = nc_match_str(line, m, 1);
    const char *data = nc_match_str(line, m, 2);
    const char *elf = nc_strf("%s/../applets/hello.elf",
                              getenv("NETCARD_CARDOS_DIR"));

    /* what `netcard gdb --applet` runs */
    const char *nargv[] = {
        nc_strf("%s/netcard", getenv("NETCARD_BIN")), "gdb", "--port",
        nc_strf("%d", gport), "--applet", elf, "--code", code, "--data", data,
        "--print-cmdline", NULL,
    };
    NcProc *np = nc_spawn("netcard-gdb", nargv, NULL);
    cr_assert_eq(nc_proc_wait_exit(np, 30000), 0, "%s", nc_proc_diag(np));
    char *cmdline = nc_read_file(np->stdout_path, NULL);
    cr_assert(cmdline && strstr(cmdline, "add-symbol-file /") &&
              strstr(cmdline, nc_strf("/applets/hello.elf -s .text %s -s "
                                      ".data %s -s .bss 0x", code, data)),
              "netcard gdb --applet: %s", cmdline ? cmdline : "");
    /* the whole add-symbol-file argument (with .bss), as printed */
    char *asf = strstr(cmdline, "add-symbol-file");
    char *end = strchr(asf, '\'');
    cr_assert(end, "unquoted add-symbol-file in %s", cmdline);
    *end = 0;

    const char *argv[] = {
        gdb, "-batch", "-nx",
        "-ex", "set pagination off",
        "-ex", nc_strf("file %s", nc_cardos_image("cardos.elf")),
        "-ex", nc_strf("target remote 127.0.0.1:%d", gport),
        "-ex", asf,
        "-ex", "break hello",
        "-ex", "continue",
        "-ex", "bt",
        "-ex", "print count",
        "-ex", "kill",
        NULL,
    };
    NcSpawnOpts so = { .stderr_to_stdout = true };
    NcProc *g = nc_spawn("gdb", argv, &so);
    nc_nap_ms(1500);        /* attached and continuing, then commands */
    const char *fargv[] = {
        "/usr/bin/python3",
        nc_strf("%s/tests/system/applets_flow.py", nc_srcdir()),
        "--port", nc_strf("%d", ac.port), "--build",
        nc_strf("%s/..", getenv("NETCARD_CARDOS_DIR")), "hello-loop", NULL,
    };
    (void)nc_spawn("hello-loop", fargv, &so);
    nc_proc_wait_exit(g, 90000);
    char *out = nc_read_file(g->stdout_path, NULL);
    cr_assert(out && strstr(out, "Breakpoint 1, hello (event="),
              "the breakpoint in hello was not hit:\n%s", out ? out : "");
    cr_assert(strstr(out, "#0  hello (event=") &&
              strstr(out, "in _nc_start ()"),
              "no backtrace from hello through crt0:\n%s", out);
    cr_assert(strstr(out, "$1 = "), "no value of hello's count:\n%s", out);
}
