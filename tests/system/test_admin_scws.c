/*
 * SCWS administration over the Amendment B session (issue 16 item 4):
 * netcard-ras queues embedded HTTP requests (PUT, DELETE, GET) for the
 * card's Smart Card Web Server, the card's agent executes them on its
 * content store inside the PSK-TLS session and posts the embedded
 * responses back; curl then reads the content from the card's web server
 * (port 80 forwarded by slirp), the independent check.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE
#include <unistd.h>

#include "admin_scws.h"

TestSuite(system_admin_scws, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

static RasSrv srv;
static const char *db;

static void start(void)
{
    db = nc_tmp_path("ras.db");
    srv = ras_start(db, 0, "ras", NULL);
    ras_cli(db, "card", "--card", CARD_ICCID, "--identity", ADMIN_ID,
            "--psk", ADMIN_PSK_HEX);
    boot_admin_card_with(true);
    AdminParams ap = { .port = srv.port, .retries = 3 };
    store_params(&ap);
}

static void session(const char *expect)
{
    admin_trigger();
    char *l = nc_console_wait_re(fc.card->console, "^(I admin: session ok|"
                                 "W admin: session failed).*", NULL, 0,
                                 SESSION_WAIT_MS);
    cr_assert(strstr(l, expect), "session: %s (expected %s)", l, expect);
}

Test(system_admin_scws, put_get_delete_then_curl)
{
    start();
    const char *page = scws_file("index.html", "scws-admin page", 1500);
    const char *css = scws_file("site.css", "css", 300);
    char *page_bytes = nc_read_file(page, NULL);

    ras_cli(db, "enqueue", "--card", CARD_ICCID,
            "--scws-put", "/adm/index.html", page, "--language", "en",
            "--scws-put", "/adm/site.css", css,
            "--scws-get", "/adm/site.css", "--scws-get", "/adm/");
    session("session ok: 4 scripts");
    char *st = ras_cli(db, "status", "--job", "1");
    cr_assert(strstr(st, "\"state\": \"done\""), "%s", st);
    cr_assert_eq(ras_count(st, "\"status\": \"scws 201\""), 2, "%s", st);

    /* curl sees the resources with the administrator's metadata */
    char *body, *type;
    cr_assert_str_eq(scws_curl("/adm/index.html", &body, &type), "200");
    cr_assert_str_eq(body, page_bytes);
    cr_assert(strstr(type, "text/html"), "type %s", type);
    cr_assert_str_eq(scws_curl("/adm/site.css", &body, &type), "200");
    cr_assert(strstr(type, "text/css"), "type %s", type);

    /* audit: GET of a resource returns its stored bytes, of a directory
     * the listing */
    char *get = scws_response(db, 1, 3);
    cr_assert(strncmp(get, "scws 200\nHTTP/1.1 200 OK\r\n", 26) == 0, "%s", get);
    cr_assert(strstr(get, "Content-Type: text/css\r\n"), "%s", get);
    char *css_bytes = nc_read_file(css, NULL);
    cr_assert(strstr(get, nc_strf("\r\n\r\n%s", css_bytes)), "%s", get);
    char *dir = scws_response(db, 1, 4);
    cr_assert(strstr(dir, "/adm/index.html 1500 \""), "%s", dir);
    cr_assert(strstr(dir, "/adm/site.css 300 \""), "%s", dir);
    char *log = ras_cli(db, "log", "--card", CARD_ICCID);
    cr_assert(strstr(log, "SCWS PUT /adm/index.html -> HTTP/1.1 201 Created"),
              "%s", log);

    /* replace (204), delete one resource, then the directory */
    ras_cli(db, "enqueue", "--card", CARD_ICCID,
            "--scws-put", "/adm/site.css", page, "--type", "text/css",
            "--scws-delete", "/adm/index.html");
    session("session ok: 2 scripts");
    cr_assert_str_eq(scws_curl("/adm/index.html", &body, NULL), "404");
    cr_assert_str_eq(scws_curl("/adm/site.css", &body, NULL), "200");
    cr_assert_str_eq(body, page_bytes);
    ras_cli(db, "enqueue", "--card", CARD_ICCID, "--scws-delete", "/adm/");
    session("session ok: 1 scripts");
    cr_assert_str_eq(scws_curl("/adm/site.css", &body, NULL), "404");
    st = ras_cli(db, "status", "--job", "2");
    cr_assert(strstr(st, "\"status\": \"scws 204\""), "%s", st);
    fs_quit(&fc);
}

/* One session: a GP script, SCWS requests, a GP script (Amendment B: the
 * server switches between RAM over HTTP and SCWS administration). */
Test(system_admin_scws, mixed_ram_and_scws_in_one_session)
{
    start();
    const char *page = scws_file("mixed.html", "mixed", 200);
    const char *script = nc_tmp_path("mixed.script");
    FILE *f = fopen(script, "w");

    fprintf(f, "# RAM over HTTP, then the SCWS, then RAM again\n"
            "00A4040008A000000151000000\n80CA006600\n"
            "scws-put /mixed.html mixed.html\n"
            "scws-get /mixed.html\n"
            "80CADF3A00\n");
    fclose(f);
    ras_cli(db, "enqueue", "--card", CARD_ICCID, "--script", script);
    session("session ok: 4 scripts, 3 commands");
    char *st = ras_cli(db, "status", "--job", "1");
    cr_assert(strstr(st, "\"state\": \"done\""), "%s", st);
    cr_assert_eq(ras_count(st, "\"status\": \"ok\""), 2, "%s", st);
    cr_assert(strstr(st, "\"status\": \"scws 201\""), "%s", st);
    cr_assert(strstr(st, "\"status\": \"scws 200\""), "%s", st);
    char *body;
    cr_assert_str_eq(scws_curl("/mixed.html", &body, NULL), "200");
    cr_assert_str_eq(body, nc_read_file(page, NULL));
    /* one TLS session: one "open" in the server's audit log */
    char *log = ras_cli(db, "log", "--card", CARD_ICCID);
    cr_assert_eq(ras_count(log, "\"event\": \"open\""), 1, "%s", log);

    /* the same through the REST API: an SCWS request object, then a GP
     * script */
    const char *url = nc_strf("http://127.0.0.1:%d/api/jobs", srv.admin);
    const char *post[] = { curl(), "-sS", "-d", "{\"card\": \"" CARD_ICCID
        "\", \"scripts\": [{\"scws\": \"PUT\", \"path\": \"/rest.txt\","
        " \"type\": \"text/plain\", \"language\": \"fr\", \"data\":"
        " \"from the REST API\\n\"}, [\"80CA006600\"]]}", url, NULL };
    char *r = run_tool("curl", post, NULL);
    cr_assert(strstr(r, "{\"jobs\": [2]}"), "%s", r);
    session("session ok: 2 scripts, 1 commands");
    char *type;
    cr_assert_str_eq(scws_curl("/rest.txt", &body, &type), "200");
    cr_assert_str_eq(body, "from the REST API\n");
    cr_assert(strstr(type, "text/plain"), "%s", type);
    const char *get[] = { curl(), "-sS", nc_strf("%s/2", url), NULL };
    r = run_tool("curl", get, NULL);
    cr_assert(strstr(r, "\"status\": \"scws 201\""), "%s", r);
    cr_assert(strstr(r, "\"state\": \"done\""), "%s", r);
    fs_quit(&fc);
}

/* A resource over the old 2 KiB limit is stored (WEB_DATA_MAX is 15 KiB
 * now; through the session the agent's 4 KiB buffer bounds a PUT first,
 * and netcard-ras refuses a larger one before enqueueing it), and 507
 * when the store is full, reported to the server (the job fails with
 * the status); nothing half-written is served. */
Test(system_admin_scws, too_large_and_full_are_reported)
{
    start();
    const char *big = scws_file("big.html", "big", 3000);

    ras_cli(db, "enqueue", "--card", CARD_ICCID, "--scws-put", "/big.html",
            big);
    session("session ok: 1 scripts");
    char *st = ras_cli(db, "status", "--job", "1");
    cr_assert(strstr(st, "\"status\": \"scws 201\""), "%s", st);
    char *body;
    cr_assert_str_eq(scws_curl("/big.html", &body, NULL), "200");
    cr_assert_str_eq(body, nc_read_file(big, NULL), "3000 bytes, whole");

    /* fill the store: 2000-byte resources until the card says 507 */
    const char *fill = nc_tmp_path("fill.script");
    FILE *f = fopen(fill, "w");
    for (int i = 0; i < 80; i++) {
        scws_file(nc_strf("fill%02d.html", i), nc_strf("fill %d", i), 2000);
        fprintf(f, "scws-put /fill/%02d.html fill%02d.html\n", i, i);
    }
    fclose(f);
    ras_cli(db, "enqueue", "--card", CARD_ICCID, "--script", fill);
    session("session ok");
    st = ras_cli(db, "status", "--job", "2");
    cr_assert(strstr(st, "\"state\": \"failed\""), "%s", st);
    cr_assert(strstr(st, ": 507 Insufficient Storage"), "%s", st);
    int stored = ras_count(st, "\"status\": \"scws 201\"");
    cr_assert_gt(stored, 0, "%s", st);
    /* the stored ones serve whole; the refused one is not there */
    cr_assert_str_eq(scws_curl(nc_strf("/fill/%02d.html", stored - 1), &body,
                               NULL), "200");
    cr_assert_str_eq(body, nc_read_file(nc_tmp_path(nc_strf("fill%02d.html",
                                                            stored - 1)),
                                        NULL));
    cr_assert_str_eq(scws_curl(nc_strf("/fill/%02d.html", stored), &body,
                               NULL), "404");
    /* DELETE of the directory frees the room again */
    ras_cli(db, "enqueue", "--card", CARD_ICCID, "--scws-delete", "/fill/",
            "--scws-put", "/after.html", big == NULL ? "" :
            scws_file("after.html", "after", 100));
    session("session ok: 2 scripts");
    cr_assert_str_eq(scws_curl("/after.html", &body, NULL), "200");
    cr_log_info("507 after %d resources of 2000 bytes", stored);
    fs_quit(&fc);
}

/* The web server's users and protection sets administered in the same
 * session (/.well-known/scws/..., admin_scws.h item 5); curl --digest is
 * the independent client. */
Test(system_admin_scws, users_and_protection_sets)
{
    start();
    const char *page = scws_file("priv.html", "private", 120);

    ras_cli(db, "enqueue", "--card", CARD_ICCID,
            "--scws-user", "alice", "password:s3cret",
            "--scws-user", "holder", "pin:01",
            "--scws-protect", "/priv/", "alice",
            "--scws-put", "/priv/a.html", page,
            "--scws-get", "/.well-known/scws/users",
            "--scws-get", "/.well-known/scws/protections");
    session("session ok: 6 scripts");
    char *st = ras_cli(db, "status", "--job", "1");
    cr_assert(strstr(st, "\"state\": \"done\""), "%s", st);
    char *users = scws_response(db, 1, 5);
    cr_assert(strstr(users, "\r\n\r\nalice password\nholder pin 01\n"), "%s",
              users);
    char *sets = scws_response(db, 1, 6);
    cr_assert(strstr(sets, "\r\n\r\n/priv/ alice\n"), "%s", sets);

    char *body;
    cr_assert_str_eq(scws_curl("/priv/a.html", &body, NULL), "401");
    const char *out = nc_tmp_path("digest.body");
    const char *dg[] = { curl(), "-sS", "--max-time", "15", "--digest", "-u",
                         "alice:s3cret", "-o", out, "-w", "%{http_code}",
                         nc_strf("http://127.0.0.1:%d/priv/a.html",
                                 admin_http_port), NULL };
    cr_assert_str_eq(run_tool("curl", dg, NULL), "200");
    cr_assert_str_eq(nc_read_file(out, NULL), nc_read_file(page, NULL));

    /* a set naming an unknown user is refused (404) and fails the job;
     * deleting the set opens the prefix again */
    ras_cli(db, "enqueue", "--card", CARD_ICCID,
            "--scws-protect", "/other/", "mallory");
    session("session ok: 1 scripts");
    st = ras_cli(db, "status", "--job", "2");
    cr_assert(strstr(st, "\"state\": \"failed\"") &&
              strstr(st, "protect/other/: 404 Not Found"), "%s", st);
    ras_cli(db, "enqueue", "--card", CARD_ICCID,
            "--scws-delete", "/.well-known/scws/protect/priv/");
    session("session ok: 1 scripts");
    cr_assert_str_eq(scws_curl("/priv/a.html", &body, NULL), "200");
    fs_quit(&fc);
}
