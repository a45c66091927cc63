/*
 * Running the host's openssl as an independent peer, shared by the crypto
 * device tests (tests/devices/crypto_util.h) and the card's crypto system
 * tests (tests/system/test_crypto_card.c).
 *
 * nc_openssl_run(args): runs `openssl args...` (NULL-terminated, at most
 * 38 arguments) in the test's temporary directory, asserts it exits with
 * status 0 (failure message: the first argument, the process description
 * and its diagnostics) and returns its standard output, garbage-collected
 * ("" when it wrote nothing). A missing openssl fails through nc_tool()
 * with the install hint.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_TESTS_NC_OPENSSL_H
#define NETCARD_TESTS_NC_OPENSSL_H

#include "nctest.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static inline char *nc_openssl_run(const char *const *args)
{
    const char *argv[40];
    int n = 0;
    static int runs;
    const char *out = nc_tmp_path(nc_strf("openssl-%d.out", runs++));
    NcSpawnOpts o = { .cwd = nc_tmpdir(), .stdout_path = out };

    argv[n++] = nc_tool("openssl", "openssl");
    for (int i = 0; args[i]; i++) {
        cr_assert_lt(n, 39);
        argv[n++] = args[i];
    }
    argv[n] = NULL;
    NcProc *p = nc_spawn("openssl", argv, &o);
    int st = nc_proc_wait_exit(p, NC_TIMEOUT_EXIT_MS);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "openssl %s: %s\n%s",
              args[0], nc_proc_describe(p), nc_proc_diag(p));
    char *s = nc_read_file(out, NULL);
    return nc_gc(s ? s : strdup(""));
}

#endif /* NETCARD_TESTS_NC_OPENSSL_H */
