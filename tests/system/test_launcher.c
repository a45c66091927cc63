/*
 * System tests: the `netcard` launcher (build/bin/netcard) as users run it.
 *
 * `netcard run` listens on fixed default ports (ISO 7816 on 35963, the
 * card's web server on 8080 and 8443). launch() gives every `run` free
 * ISO 7816, HTTP and HTTPS ports; tests that let it start QEMU also hold
 * a cross-process lock so ports cannot collide between parallel workers.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "system.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

TestSuite(system_launcher, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

#define LOCK_TIMEOUT_MS   180000
#define NVM_SIZE          (2 * 1024 * 1024)   /* the default nvm-size */

/* Run the launcher with ARGS in the test's temp dir, stdin </dev/null. */
static NcProc *launch(const char *name, const char *const args[])
{
    const char *argv[32];
    size_t n = 0;
    argv[n++] = nc_bin("netcard");
    for (size_t i = 0; args[i] && n < 25; i++) {
        argv[n++] = args[i];
        if (i == 0 && strcmp(args[0], "run") == 0) {
            argv[n++] = "--iso";
            argv[n++] = nc_strf("tcp:127.0.0.1:%d", nc_free_tcp_port());
            argv[n++] = "--http-port";
            argv[n++] = nc_strf("%d", nc_free_tcp_port());
            argv[n++] = "--https-port";
            argv[n++] = nc_strf("%d", nc_free_tcp_port());
        }
    }
    argv[n] = NULL;
    NcSpawnOpts o = { .cwd = nc_tmpdir() };
    return nc_spawn(name, argv, &o);
}

/* Run to completion; returns the exit status (fails if it was killed). */
static int run_to_exit(NcProc *p)
{
    int st = nc_proc_wait_exit(p, NC_TIMEOUT_EXIT_MS);
    cr_assert(WIFEXITED(st), "%s %s\n%s", p->cmdline, nc_proc_describe(p),
              nc_proc_diag(p));
    return WEXITSTATUS(st);
}

/* Non-empty lines of S. */
static size_t count_lines(const char *s)
{
    size_t n = 0;
    bool in_line = false;
    for (; *s; s++) {
        if (*s == '\n') {
            n += in_line;
            in_line = false;
        } else if (*s != '\r' && *s != ' ' && *s != '\t') {
            in_line = true;
        }
    }
    return n + in_line;
}

static char *slurp(const char *path)
{
    char *s = nc_read_file(path, NULL);
    return s ? nc_gc(s) : "";
}

/* Strip one level of shell quoting from a word. */
static char *unquote(const char *w)
{
    size_t n = strlen(w);
    if (n >= 2 && (w[0] == '\'' || w[0] == '"') && w[n - 1] == w[0]) {
        return nc_strf("%.*s", (int)(n - 2), w + 1);
    }
    return nc_strf("%s", w);
}

Test(system_launcher, print_cmdline_names_machine_and_kernel)
{
    static const char *const args[] = { "run", "--print-cmdline", NULL };
    NcProc *p = launch("netcard", args);
    int rc = run_to_exit(p);
    char *out = slurp(p->stdout_path);
    cr_assert_eq(rc, 0, "netcard run --print-cmdline exited with %d\n%s", rc,
                 nc_proc_diag(p));
    cr_assert(strstr(out, "-M netcard"), "command line lacks \"-M netcard\":"
              "\n%s", out);

    /* The word after -kernel must be the card OS image of this build. */
    char *copy = nc_strf("%s", out);
    char *kernel = NULL;
    char *save = NULL;
    for (char *w = strtok_r(copy, " \t\r\n", &save); w;
         w = strtok_r(NULL, " \t\r\n", &save)) {
        if (strcmp(w, "-kernel") == 0) {
            char *next = strtok_r(NULL, " \t\r\n", &save);
            kernel = next ? unquote(next) : NULL;
            break;
        }
    }
    cr_assert(kernel, "command line has no \"-kernel PATH\":\n%s", out);
    const char *want = nc_cardos_image("cardos.elf");
    char *resolved = kernel[0] == '/' ? kernel
                     : nc_strf("%s/%s", nc_tmpdir(), kernel);
    struct stat a, b;
    cr_assert_eq(stat(resolved, &a), 0, "-kernel %s: %s", kernel,
                 strerror(errno));
    cr_assert_eq(stat(want, &b), 0);
    cr_assert(a.st_dev == b.st_dev && a.st_ino == b.st_ino,
              "-kernel %s is not this build's %s", kernel, want);
}

Test(system_launcher, unknown_option_is_one_line_error)
{
    static const char *const args[] = { "run", "--bogus", NULL };
    NcProc *p = launch("netcard", args);
    int rc = run_to_exit(p);
    char *out = slurp(p->stdout_path), *err = slurp(p->stderr_path);
    cr_assert_neq(rc, 0, "netcard run --bogus exited with 0\n%s",
                  nc_proc_diag(p));
    cr_assert(strstr(err, "--bogus"), "the error does not name --bogus:\n%s",
              nc_proc_diag(p));
    cr_assert_eq(count_lines(out) + count_lines(err), 1u,
                 "expected exactly one line of output, got:\n%s",
                 nc_proc_diag(p));
}

Test(system_launcher, nvm_in_missing_directory_is_an_error)
{
    nc_global_lock("launcher", LOCK_TIMEOUT_MS);
    const char *bad = "/nonexistent-dir/x.nvm";
    static const char *const args[] = { "run", "--nvm",
                                        "/nonexistent-dir/x.nvm", NULL };
    NcProc *p = launch("netcard", args);
    int rc = run_to_exit(p);
    cr_assert_neq(rc, 0, "netcard run --nvm %s exited with 0\n%s", bad,
                  nc_proc_diag(p));
    char *all = nc_strf("%s%s", slurp(p->stdout_path),
                        slurp(p->stderr_path));
    cr_assert(strstr(all, bad), "the error does not name %s:\n%s", bad,
              nc_proc_diag(p));
}

/* Occupy PORT on 127.0.0.1 (and ::1 when there is IPv6 loopback). */
static void occupy_port_v6(int port)
{
    int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    struct sockaddr_in6 a = { .sin6_family = AF_INET6,
                              .sin6_port = htons((uint16_t)port),
                              .sin6_addr = IN6ADDR_LOOPBACK_INIT };
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        listen(fd, 1) == 0) {
        nc_register_fd(fd);
    } else {
        close(fd);
    }
}

Test(system_launcher, gdb_port_in_use_is_an_error)
{
    nc_global_lock("launcher", LOCK_TIMEOUT_MS);
    int port = 0;
    nc_tcp_listen(&port);
    occupy_port_v6(port);

    const char *gdb_arg = nc_strf("--gdb=%d", port);
    const char *nvm = nc_tmp_path("card.nvm");
    const char *args[] = { "run", gdb_arg, "--nvm", nvm, NULL };
    NcProc *p = launch("netcard", args);
    int rc = run_to_exit(p);
    cr_assert_neq(rc, 0, "netcard run %s exited with 0 although port %d is "
                  "in use\n%s", gdb_arg, port, nc_proc_diag(p));
    char *all = nc_strf("%s%s", slurp(p->stdout_path),
                        slurp(p->stderr_path));
    cr_assert(strstr(all, nc_strf("%d", port)),
              "the error does not name port %d:\n%s", port, nc_proc_diag(p));
}

Test(system_launcher, iso_port_in_use_is_an_error)
{
    int port = 0;
    nc_tcp_listen(&port);
    const char *iso_arg = nc_strf("tcp:127.0.0.1:%d", port);
    const char *nvm = nc_tmp_path("card.nvm");
    const char *argv[] = { nc_bin("netcard"), "run", "--iso", iso_arg,
                           "--nvm", nvm, NULL };
    NcSpawnOpts o = { .cwd = nc_tmpdir() };
    NcProc *p = nc_spawn("netcard", argv, &o);
    int rc = run_to_exit(p);
    cr_assert_neq(rc, 0, "netcard run --iso %s exited with 0 although the "
                  "port is in use\n%s", iso_arg, nc_proc_diag(p));
    char *all = nc_strf("%s%s", slurp(p->stdout_path),
                        slurp(p->stderr_path));
    cr_assert(strstr(all, nc_strf("port %d", port)),
              "the error does not name port %d:\n%s", port, nc_proc_diag(p));
    cr_assert(access(nvm, F_OK) != 0, "netcard created %s although it "
              "refused to start", nvm);
}

static void expect_nvm_file(const char *path, bool all_erased)
{
    struct stat st;
    cr_assert_eq(stat(path, &st), 0, "NVM image %s was not created: %s",
                 path, strerror(errno));
    cr_assert_eq(st.st_size, (off_t)NVM_SIZE, "NVM image %s is %lld bytes, "
                 "expected 2 MiB", path, (long long)st.st_size);
    if (all_erased) {
        size_t n = 0;
        unsigned char *d = nc_gc(nc_read_file(path, &n));
        cr_assert(d && n == NVM_SIZE);
        for (size_t i = 0; i < n; i++) {
            cr_assert_eq(d[i], 0xFFu, "new NVM image %s: byte 0x%zx is 0x%02x,"
                         " expected 0xFF (erased)", path, i, d[i]);
        }
    }
}

Test(system_launcher, new_nvm_is_created_erased)
{
    nc_global_lock("launcher", LOCK_TIMEOUT_MS);
    /* With --gdb the CPU is held (-S): nothing can write the new image. */
    int port = nc_free_tcp_port();
    const char *nvm = nc_tmp_path("fresh.nvm");
    const char *args[] = { "run", nc_strf("--gdb=%d", port), "--nvm", nvm,
                           NULL };
    NcProc *p = launch("netcard", args);
    int64_t deadline = nc_now_ms() + NC_TIMEOUT_START_MS;
    while (!nc_tcp_probe(port)) {
        cr_assert(!nc_proc_exited(p), "netcard run --gdb=%d %s before its "
                  "gdb port listened\n%s", port, nc_proc_describe(p),
                  nc_proc_diag(p));
        cr_assert(nc_now_ms() < deadline, "gdb port %d did not listen within "
                  "%d ms\n%s", port, NC_TIMEOUT_START_MS, nc_proc_diag(p));
        nc_nap_ms(50);
    }
    expect_nvm_file(nvm, true);
}

/*
 * An existing raw image decides the NVM size: a 1 MiB image (the layout
 * before the code area, docs/nvm.md) runs as it was, with nvm-size=1M and
 * no code area; --nvm-size makes a new image of another size.
 */
Test(system_launcher, nvm_size_follows_the_image)
{
    nc_global_lock("launcher", LOCK_TIMEOUT_MS);
    const char *old = nc_tmp_path("old.nvm");
    FILE *f = fopen(old, "wb");
    cr_assert(f, "cannot create %s", old);
    for (size_t i = 0; i < 1024 * 1024; i++) {
        fputc(0xFF, f);
    }
    fclose(f);
    const char *args[] = { "run", "--nvm", old, NULL };
    NcProc *p = launch("netcard", args);
    NcConsole *con = nc_console_open(p->stdout_path, "launcher stdout", p);
    nc_console_wait(con, "I nvm: 1024 KiB: store 1024 KiB, code area 0 KiB",
                    BOOT_TIMEOUT_MS);
    nc_proc_stop(p);

    const char *big = nc_tmp_path("big.nvm");
    const char *args2[] = { "run", "--nvm", big, "--nvm-size", "4M", NULL };
    p = launch("netcard", args2);
    con = nc_console_open(p->stdout_path, "launcher stdout", p);
    nc_console_wait(con, "I nvm: 4096 KiB: store 1024 KiB, code area 3072 KiB",
                    BOOT_TIMEOUT_MS);
    nc_proc_stop(p);
    struct stat st;
    cr_assert_eq(stat(big, &st), 0);
    cr_assert_eq(st.st_size, (off_t)(4 * 1024 * 1024), "--nvm-size 4M made "
                 "a %lld-byte image", (long long)st.st_size);

    const char *args3[] = { "run", "--nvm", old, "--nvm-size", "2M", NULL };
    p = launch("netcard", args3);
    cr_assert_eq(run_to_exit(p), 2, "--nvm-size 2M on a 1 MiB image did "
                 "not exit 2\n%s", nc_proc_diag(p));
}

Test(system_launcher, new_nvm_boots_to_banner)
{
    nc_global_lock("launcher", LOCK_TIMEOUT_MS);
    const char *nvm = nc_tmp_path("new.nvm");
    const char *args[] = { "run", "--nvm", nvm, NULL };
    NcProc *p = launch("netcard", args);
    NcConsole *con = nc_console_open(p->stdout_path, "launcher stdout", p);
    char *l = nc_console_wait(con, "netcard cardos ", BOOT_TIMEOUT_MS);
    regex_t rx;
    cr_assert_eq(regcomp(&rx, nc_banner_re("power-on"),
                         REG_EXTENDED | REG_NOSUB), 0);
    int rc = regexec(&rx, l, 0, NULL, 0);
    regfree(&rx);
    cr_assert_eq(rc, 0, "not a power-on banner: %s", l);
    expect_nvm_file(nvm, false);
    nc_proc_stop(p);
}

/*
 * `--nvm FILE.qcow2` that does not exist: the launcher makes a qcow2 image
 * (magic "QFI\xfb", qcow2 spec) whose content is erased flash, so the card
 * formats it on its first boot as on a raw image, and QEMU can take
 * savevm snapshots in it.
 */
Test(system_launcher, new_qcow2_nvm_is_erased_flash)
{
    nc_global_lock("launcher", LOCK_TIMEOUT_MS);
    const char *nvm = nc_tmp_path("new.qcow2");
    const char *args[] = { "run", "--nvm", nvm, NULL };
    NcProc *p = launch("netcard", args);
    NcConsole *con = nc_console_open(p->stdout_path, "launcher stdout", p);
    nc_console_wait(con, "I store: formatted the erased NVM", BOOT_TIMEOUT_MS);
    nc_proc_stop(p);

    size_t n = 0;
    unsigned char *d = nc_gc(nc_read_file(nvm, &n));
    cr_assert(d && n >= 4 && memcmp(d, "QFI\xfb", 4) == 0,
              "%s is not a qcow2 image (%zu bytes)", nvm, n);
}

/* No qemu-img beside QEMU nor on PATH: one line naming it, exit 2, and no
 * image left behind (a raw file named .qcow2 would fail in QEMU later). */
Test(system_launcher, new_qcow2_nvm_without_qemu_img_is_an_error)
{
    nc_global_lock("launcher", LOCK_TIMEOUT_MS);
    const char *qemu = nc_tmp_path("qemu-system-arm");
    const char *nvm = nc_tmp_path("new.qcow2");
    cr_assert_eq(symlink(nc_qemu(), qemu), 0, "symlink: %s", strerror(errno));
    /* a qemu-img installed on this machine must not be found either
     * (Criterion runs each test in a process of its own) */
    cr_assert_eq(setenv("PATH", nc_tmpdir(), 1), 0);
    const char *args[] = { "run", "--qemu", qemu, "--nvm", nvm, NULL };
    NcProc *p = launch("netcard", args);
    int rc = run_to_exit(p);
    cr_assert_eq(rc, 2, "netcard run exited with %d\n%s", rc,
                 nc_proc_diag(p));
    const char *err = slurp(p->stderr_path);
    cr_assert(strstr(err, "qemu-img") && count_lines(err) == 1,
              "expected one line naming qemu-img:\n%s", err);
    cr_assert_neq(access(nvm, F_OK), 0, "%s was created", nvm);
}

/*
 * `netcard apdu` against a booted card (the test image, its ISO 7816 host
 * side listening as `netcard run --iso` makes it): the ATR (TS = 3B),
 * SELECT of the test application answering its FCI and 9000, and ECHO
 * returning the data (docs/iso7816-card.md); then a script whose last
 * expectation does not hold: exit status 1 and one line naming that
 * script line.
 */
Test(system_launcher, apdu_speaks_vpcd_framing_to_the_card)
{
    int port = nc_free_tcp_port();
    const char *const opts[] = {
        "--iso", nc_strf("listen:127.0.0.1:%d", port), "--net", "none", NULL,
    };
    NcCardOpts o = { .image = "cardos-test.elf", .cmdline_opts = opts };
    NcCard *card = nc_card_start(&o);
    nc_card_wait_banner(card, "power-on", BOOT_TIMEOUT_MS);

    const char *argv[] = {
        nc_bin("netcard"), "apdu", "--port", nc_strf("%d", port), "--atr",
        "00A4040009F06E6574636172640100", "801000000301020300", NULL,
    };
    NcProc *p = nc_spawn("netcard-apdu", argv, NULL);
    int rc = run_to_exit(p);
    char *out = slurp(p->stdout_path);
    cr_assert_eq(rc, 0, "netcard apdu exited with %d\n%s", rc,
                 nc_proc_diag(p));
    char *save = NULL;
    char *atr = strtok_r(out, "\n", &save);
    char *fci = strtok_r(NULL, "\n", &save);
    char *echo = strtok_r(NULL, "\n", &save);
    cr_assert(atr && strncmp(atr, "3B", 2) == 0, "ATR line: %s",
              atr ? atr : "(none)");
    cr_assert(fci && strlen(fci) > 4 && strcmp(fci + strlen(fci) - 4,
                                                "9000") == 0,
              "SELECT answer: %s", fci ? fci : "(none)");
    cr_assert(echo && strcmp(echo, "0102039000") == 0, "ECHO answer: %s",
              echo ? echo : "(none)");

    const char *script = nc_tmp_path("mismatch.apdu");
    FILE *f = fopen(script, "w");
    cr_assert(f, "%s: %s", script, strerror(errno));
    fputs("# SELECT, then ECHO with a wrong expectation\n"
          "00A4040009F06E6574636172640100 -> *9000\n"
          "801000000301020300 -> 0102049000\n", f);
    cr_assert_eq(fclose(f), 0);
    const char *argv2[] = { nc_bin("netcard"), "apdu", "--port",
                            nc_strf("%d", port), "-f", script, NULL };
    p = nc_spawn("netcard-apdu", argv2, NULL);
    rc = run_to_exit(p);
    const char *err = slurp(p->stderr_path);
    cr_assert_eq(rc, 1, "netcard apdu -f exited with %d\n%s", rc,
                 nc_proc_diag(p));
    cr_assert(count_lines(err) == 1 && strstr(err, "mismatch.apdu:3") &&
              strstr(err, "0102039000"), "expected one line naming line 3 "
              "and the answer:\n%s", err);
}
