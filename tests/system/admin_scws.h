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

/* One HTTP/1.1 request on a fresh connection to 127.0.0.1:PORT (for
 * loops that would pass the test's process limit with curl): the
 * status code, the body in *BODY (nc_gc'd). */
static inline int http_once(int port, const char *method, const char *path,
                            const char *body, char **out_body)
{
    /* not nc_register_fd'd (a limit per test): closed here */
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = { .sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert(fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0,
              "connect to 127.0.0.1:%d: %s", port, strerror(errno));
    const char *req = nc_strf("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              "Connection: close\r\nContent-Type: "
                              "application/json\r\nContent-Length: %zu\r\n"
                              "\r\n%s", method, path,
                              body ? strlen(body) : 0, body ? body : "");
    size_t cap = 1 << 20, n = 0;
    char *buf = nc_gc(malloc(cap));
    ssize_t r;
    int code = 0;

    cr_assert_eq(send(fd, req, strlen(req), 0), (ssize_t)strlen(req));
    while (n + 1 < cap && (r = recv(fd, buf + n, cap - 1 - n, 0)) > 0) {
        n += (size_t)r;
    }
    close(fd);
    buf[n] = 0;
    cr_assert(sscanf(buf, "HTTP/1.1 %d", &code) == 1, "%s %s: %s", method,
              path, buf);
    char *b = strstr(buf, "\r\n\r\n");
    *out_body = b ? b + 4 : "";
    return code;
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
