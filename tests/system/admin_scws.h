/*
 * SCWS administration through netcard-ras (test_admin_scws*.c): files
 * for --scws-put, curl against the card's web server, the embedded
 * responses the server stored.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_TESTS_ADMIN_SCWS_H
#define NETCARD_TESTS_ADMIN_SCWS_H

#include "admin_card.h"
#include "net_card.h"

/* A file of N bytes of text whose content names TAG (all distinct). */
static inline const char *scws_file(const char *name, const char *tag,
                                    size_t n)
{
    const char *path = nc_tmp_path(name);
    FILE *f = fopen(path, "w");
    size_t w = 0;

    cr_assert(f, "%s", path);
    while (w < n) {
        int k = fprintf(f, "<p>%s %zu</p>\n", tag, w);

        w += (size_t)k;
    }
    fclose(f);
    cr_assert_eq(truncate(path, (off_t)n), 0);
    return path;
}

/* curl GET of PATH on the card's web server: "<code>", body in *BODY
 * (nc_gc'd, NULL-terminated), the Content-Type in *TYPE if not NULL. */
static inline char *scws_curl(const char *path, char **body, char **type)
{
    const char *out = nc_tmp_path(nc_strf("curl-%lld.body",
                                          (long long)nc_now_ms()));
    const char *argv[] = { curl(), "-sS", "--max-time", "15", "-o", out,
                           "-w", "%{http_code} %{content_type}",
                           nc_strf("http://127.0.0.1:%d%s", admin_http_port,
                                   path), NULL };
    char *r = run_tool("curl", argv, NULL);
    char *b = nc_read_file(out, NULL);

    *body = b ? nc_gc(b) : "";
    if (type) {
        char *sp = strchr(r, ' ');
        *type = sp ? sp + 1 : "";
    }
    return nc_gc(strndup(r, 3));
}

/* The embedded response of script IDX of job JOB, as text (from the
 * hex the server stored as its one result). */
static inline char *scws_response(const char *db, int job, int idx)
{
    const char *py = nc_strf(
        "import json,sys\n"
        "d=json.loads(sys.stdin.read())\n"
        "s=[x for x in d[0]['scripts'] if x['idx']==%d][0]\n"
        "print(s['status']);sys.stdout.write(bytes.fromhex(s['rapdus'])"
        ".decode('latin-1'))\n", idx);
    const char *st = nc_tmp_path(nc_strf("status-%d-%d.json", job, idx));
    char *j = ras_cli(db, "status", "--job", nc_strf("%d", job));
    FILE *f = fopen(st, "w");

    fputs(j, f);
    fclose(f);
    const char *argv[] = { "/usr/bin/python3", "-c", py, NULL };
    return run_tool("python3", argv, st);
}

#endif /* NETCARD_TESTS_ADMIN_SCWS_H */
