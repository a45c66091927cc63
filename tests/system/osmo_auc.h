/*
 * osmo-auc-gen (Debian libosmocore-utils) as the independent MILENAGE
 * for the USIM system tests (test_usim.c, test_usim_tear.c): run it and
 * read the "NAME:\tvalue" lines it prints (lower-case hex, or a number
 * for SQN, IND and SQN.MS).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_TESTS_SYSTEM_OSMO_AUC_H
#define NETCARD_TESTS_SYSTEM_OSMO_AUC_H

#include "system.h"

#include <stdio.h>
#include <sys/wait.h>

/* osmo-auc-gen's "NAME:\tvalue" line of OUT. */
static inline const char *osmo_field(const char *out, const char *name)
{
    const char *p = strstr(out, nc_strf("\n%s:\t", name));

    cr_assert(p, "osmo-auc-gen printed no %s:\n%s", name, out);
    p += strlen(name) + 3;
    return nc_strf("%.*s", (int)strcspn(p, "\n"), p);
}

/* Run osmo-auc-gen with ARGS (NULL-terminated); its output, with a
 * newline in front so that every field follows one. */
static inline char *osmo_auc_gen(const char *const *args)
{
    const char *argv[24] = { nc_tool("osmo-auc-gen", "libosmocore-utils") };
    size_t n = 1;

    for (size_t i = 0; args[i] && n < 23; i++) {
        argv[n++] = args[i];
    }
    argv[n] = NULL;
    NcProc *p = nc_spawn("osmo-auc-gen", argv, NULL);
    int st = nc_proc_wait_exit(p, NC_TIMEOUT_EXIT_MS);
    char *out = nc_read_file(p->stdout_path, NULL);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0 && out,
              "osmo-auc-gen %s\n%s", nc_proc_describe(p), nc_proc_diag(p));
    return nc_strf("\n%s", (char *)nc_gc(out));
}

/*
 * N runs of osmo-auc-gen in one process (a test may start only a few):
 * ARGS[i] is the i-th run's argument string (hex and numbers only, no
 * quoting); OUT[i] gets its output as osmo_auc_gen returns it. A shell
 * script runs them one after the other and stops at the first failure.
 */
static inline void osmo_auc_gen_many(const char *const *args, size_t n,
                                     char **out)
{
    static unsigned batch;
    const char *tool = nc_tool("osmo-auc-gen", "libosmocore-utils");
    const char *script = nc_tmp_path(nc_strf("osmo-batch-%u.sh", batch++));
    FILE *f = fopen(script, "w");

    cr_assert(f, "cannot write %s", script);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%s %s || exit 1\necho '#####'\n", tool, args[i]);
    }
    cr_assert_eq(fclose(f), 0);
    const char *argv[] = { "/bin/sh", script, NULL };
    NcProc *p = nc_spawn("osmo-auc-gen-batch", argv, NULL);
    int st = nc_proc_wait_exit(p, NC_TIMEOUT_EXIT_MS + 100 * (int)n);
    char *all = nc_read_file(p->stdout_path, NULL);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0 && all,
              "osmo-auc-gen batch %s\n%s", nc_proc_describe(p),
              nc_proc_diag(p));
    nc_gc(all);
    char *cur = all;
    for (size_t i = 0; i < n; i++) {
        char *end = strstr(cur, "#####\n");
        cr_assert(end, "osmo-auc-gen batch: %zu outputs of %zu", i, n);
        *end = '\0';
        out[i] = nc_strf("\n%s", cur);
        cur = end + 6;
    }
}

#endif /* NETCARD_TESTS_SYSTEM_OSMO_AUC_H */
