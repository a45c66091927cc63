/*
 * The card behind a real pcscd with vsmartcard's vpcd driver, for the
 * system tests (test_pcsc.c, test_admin_wallet.c): each test runs its own
 * pcscd in a private mount namespace (tests/system/pcsc-session.sh); the
 * card connects to that pcscd's vpcd port as `netcard run --pcsc=PORT`
 * does.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_TESTS_SYSTEM_PCSC_CARD_H
#define NETCARD_TESTS_SYSTEM_PCSC_CARD_H

#include "system.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define PCSC_TIMEOUT_MS 120000

static inline bool port_is_free(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {
        .sin_family = AF_INET,
        .sin_port = htons((uint16_t)port),
        .sin_addr.s_addr = htonl(INADDR_ANY),   /* vpcd binds any address */
    };
    bool ok = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
    if (fd >= 0) {
        close(fd);
    }
    return ok;
}

/* A port P with P+1 free too: vpcd listens on both (two slots). */
static inline int free_vpcd_port(void)
{
    for (int tries = 0; tries < 50; tries++) {
        int p = nc_free_tcp_port();
        if (p + 1 < 65536 && port_is_free(p) && port_is_free(p + 1)) {
            return p;
        }
    }
    nc_fail("no pair of free ports for vpcd");
}

/* Boot the card as a vpcd client of PORT (reconnecting until it
 * listens), on the NVM image NVM (NULL: the launcher's default). */
static inline NcCard *boot_pcsc_card_nvm(int port, const char *nvm)
{
    const char *opts[] = {
        "--iso", nc_strf("connect:127.0.0.1:%d", port),
        "--iso-reconnect-ms", "200", nvm ? "--nvm" : NULL, nvm, NULL,
    };
    NcCardOpts o = { .image = "cardos-test.elf", .cmdline_opts = opts };
    NcCard *card = nc_card_start(&o);
    nc_card_wait_banner(card, "power-on", BOOT_TIMEOUT_MS);
    return card;
}

static inline NcCard *boot_pcsc_card(int port)
{
    return boot_pcsc_card_nvm(port, NULL);
}

/* Run ARGV inside a private pcscd session on PORT; returns its stdout. */
static inline char *pcsc_run(int port, const char *name, const char *const *argv,
                      const char *stdin_path)
{
    const char *full[32];
    size_t n = 0;
    full[n++] = nc_strf("%s/tests/system/pcsc-session.sh", nc_srcdir());
    full[n++] = nc_tmp_path(nc_strf("pcsc-%s", name));
    full[n++] = nc_strf("%d", port);
    for (size_t i = 0; argv[i] && n < 31; i++) {
        full[n++] = argv[i];
    }
    full[n] = NULL;
    setenv("NETCARD_PCSC_WAIT_CARD", "1", 1);
    NcSpawnOpts o = { .cwd = nc_tmpdir(), .stdin_path = stdin_path };
    NcProc *p = nc_spawn(name, full, &o);
    int st = nc_proc_wait_exit(p, PCSC_TIMEOUT_MS);
    char *out = nc_read_file(p->stdout_path, NULL);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0,
              "%s %s\n%s\npcscd log tail:\n%s", name, nc_proc_describe(p),
              nc_proc_diag(p),
              nc_file_tail(nc_strf("%s/pcscd.log",
                                   nc_tmp_path(nc_strf("pcsc-%s", name))),
                           3000));
    return out ? nc_gc(out) : "";
}

#endif /* NETCARD_TESTS_SYSTEM_PCSC_CARD_H */
