/*
 * netcard-ras (the Amendment B remote administration server) from the
 * outside: standard PSK-TLS with openssl s_client, 100 concurrent
 * simulated cards, hostile clients beside a real session, resume after a
 * dropped answer and after the server is killed, the operator's REST API
 * and the SCP03 sequencing. Expectations come from Amendment B v1.1.3
 * section 3 and the job counts the test itself queued.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ras_harness.h"

TestSuite(net_ras, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

static const char *db_path(void)
{
    return nc_tmp_path("ras.db");
}

static const char *two_scripts(void)
{
    const char *f = nc_tmp_path("job.script");
    FILE *fp = fopen(f, "w");
    fputs("# select the ISD, read card data\n00A4040008A000000151000000\n"
          "80CA006600\n---\n80CA00E000  # key information\n", fp);
    fclose(fp);
    return f;
}

static char *load(int port, const char *extra1, const char *extra2, int cards,
                  int *status)
{
    const char *a[] = { ras_load_bin(), "--port", nc_strf("%d", port), "--cards",
                        nc_strf("%d", cards), "--log", nc_tmp_path("load.log"),
                        extra1, extra2, NULL };
    return ras_run("ras-load", a, status, 120000);
}

/* openssl s_client as an independent TLS 1.2 PSK peer: the handshake
 * with TLS_PSK_WITH_AES_128_CBC_SHA256 and the first POST (no body)
 * answered 204 with X-Admin-Protocol (3.4.4) when nothing waits; a client
 * offering only the NULL suite is refused. */
Test(net_ras, openssl_s_client_psk)
{
    const char *db = db_path();
    ras_add_cards(db, 1, 0);
    RasSrv s = ras_start(db, 0, "ras", NULL);
    const char *req = nc_tmp_path("post.txt");
    FILE *fp = fopen(req, "w");
    fputs("POST /ras/admin HTTP/1.1\r\nHost: ras\r\n"
          "X-Admin-Protocol: globalplatform-remote-admin/1.0\r\n"
          "X-Admin-From: //se-id/iccid/8949000000000000000\r\n"
          "Content-Length: 0\r\nConnection: close\r\n\r\n", fp);
    fclose(fp);
    /* card 0's PSK: byte j = 13 j + 1 (ras-load --print-cards) */
    const char *psk = "010E1B2835424F5C697683909DAAB7C4";
    const char *argv[] = { nc_tool("openssl", "openssl"), "s_client", "-connect",
        nc_strf("127.0.0.1:%d", s.port), "-tls1_2", "-cipher", "PSK-AES128-CBC-SHA256",
        "-psk_identity", "ras-load-000000", "-psk", psk, "-quiet", "-ign_eof", NULL };
    const char *out = nc_tmp_path("s_client.out");
    NcSpawnOpts o = { .stdin_path = req, .stdout_path = out, .stderr_to_stdout = true };
    NcProc *p = nc_spawn("s_client", argv, &o);
    nc_proc_wait_exit(p, NC_TIMEOUT_EXIT_MS);
    char *t = nc_gc(nc_read_file(out, NULL));
    cr_assert(t && strstr(t, "HTTP/1.1 204 No Content"), "s_client saw:\n%s", t);
    cr_expect(strstr(t, "X-Admin-Protocol: globalplatform-remote-admin/1.0"), "%s", t);

    const char *nul[] = { argv[0], "s_client", "-connect", nc_strf("127.0.0.1:%d", s.port),
        "-tls1_2", "-cipher", "PSK-NULL-SHA256:@SECLEVEL=0", "-psk_identity",
        "ras-load-000000", "-psk", psk, "-quiet", NULL };
    const char *out2 = nc_tmp_path("s_client_null.out");
    NcSpawnOpts o2 = { .stdin_path = req, .stdout_path = out2, .stderr_to_stdout = true };
    NcProc *p2 = nc_spawn("s_client-null", nul, &o2);
    int st = nc_proc_wait_exit(p2, NC_TIMEOUT_EXIT_MS);
    char *t2 = nc_gc(nc_read_file(out2, NULL));
    cr_expect(!(WIFEXITED(st) && WEXITSTATUS(st) == 0) && !strstr(t2, "HTTP/1.1"),
              "a NULL-cipher client was served:\n%s", t2);
    char *log = ras_cli(db, "log");
    cr_expect(strstr(log, "TLSv1.2, TLS-PSK-WITH-AES-128-CBC-SHA256"), "%s", log);
}

/* 100 cards at once, each holding its session open (1 s before posting
 * results) so that 100 sessions are live together; indefinite scripts,
 * chunked bodies both ways, max_fragment_length 512; each job done, each
 * script sent exactly once. */
Test(net_ras, hundred_concurrent_sessions)
{
    const char *db = db_path();
    ras_add_cards(db, 100, 0);
    char *jobs = ras_cli(db, "enqueue", "--all", "--script", two_scripts());
    cr_assert_eq(ras_count(jobs, "job "), 100);
    const char *extra[] = { "--indefinite", "--chunked", NULL };
    RasSrv s = ras_start(db, 0, "ras", extra);
    const char *a[] = { ras_load_bin(), "--port", nc_strf("%d", s.port), "--cards", "100",
        "--hold-ms", "1000", "--chunked", "--indefinite", "--mfl", "512", "--log",
        nc_tmp_path("load.log"), NULL };
    int st;
    char *out = ras_run("ras-load", a, &st, 120000);
    cr_assert_eq(st, 0, "%s", out);
    cr_expect(strstr(out, "sessions=100 ok=100 failed=0 scripts=200"), "%s", out);
    char *status = ras_cli(db, "status");
    cr_expect_eq(ras_count(status, "\"state\": \"done\""), 100, "%s", status);
    /* The cards' own log: 200 scripts, each Next-URI (job, script) once. */
    char *log = nc_gc(nc_read_file(nc_tmp_path("load.log"), NULL));
    cr_assert(log);
    for (int j = 1; j <= 100; j++) {
        for (int k = 1; k <= 2; k++) {
            cr_expect_eq(ras_count(log, nc_strf("uri=/ras/j/%d/%d ", j, k)), 1,
                         "job %d script %d", j, k);
        }
    }
    for (int j = 1; j <= 100; j += 49) {
        char *d = ras_cli(db, "status", "--job", nc_strf("%d", j));
        cr_expect_eq(ras_count(d, "\"sent_count\": 1, \"answered\": 1"), 2, "%s", d);
    }
}

static int raw_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    nc_register_fd(fd);
    return fd;
}

/* Clients that are not cards — garbage bytes, a wrong PSK, a slowloris
 * that never finishes its handshake, 50 idle sockets — while a real card
 * completes its session; the server cuts each of them (audit "cut"). */
Test(net_ras, hostile_clients_do_not_disturb)
{
    const char *db = db_path();
    ras_add_cards(db, 2, 0);
    ras_cli(db, "enqueue", "--card", "8949000000000000000", "--script", two_scripts());
    const char *extra[] = { "--handshake-timeout-ms", "1500", "--request-timeout-ms", "1500",
                            "--idle-timeout-ms", "3000", NULL };
    RasSrv s = ras_start(db, 0, "ras", extra);
    int junk = raw_connect(s.port);
    cr_assert_eq(write(junk, "GET / HTTP/1.1\r\n\r\n\x16\x03\x01garbage", 27), 27);
    int slow = raw_connect(s.port);
    cr_assert_eq(write(slow, "\x16\x03", 2), 2);       /* half a record header */
    for (int i = 0; i < 50; i++) {
        raw_connect(s.port);
    }
    int st;
    const char *w[] = { ras_load_bin(), "--port", nc_strf("%d", s.port), "--cards", "1",
                        "--first", "1", "--wrong-psk", "--retries", "0", NULL };
    char *wo = ras_run("ras-load-wrong", w, &st, 60000);
    cr_expect_neq(st, 0, "a wrong PSK was accepted: %s", wo);
    char *out = load(s.port, "--hold-ms", "500", 1, &st);
    cr_assert_eq(st, 0, "the real card's session failed beside hostile clients: %s", out);
    cr_expect(strstr(out, "ok=1 failed=0 scripts=2"), "%s", out);
    nc_nap_ms(3500);                                    /* past every deadline */
    char buf[16];
    cr_expect_leq(read(slow, buf, sizeof(buf)), 0, "the slowloris is still connected");
    char *log = ras_cli(db, "log", "--limit", "500");
    cr_expect(strstr(log, "handshake timeout"), "%s", log);
    cr_expect(strstr(log, "TLS handshake failed"), "no audit of the garbage or wrong PSK");
    cr_expect(strstr(ras_cli(db, "status"), "\"state\": \"done\""));
}

/* 3.4.5 resume: the card drops the answer to its results POST and
 * resumes at the same Next-URI with the same results: stored once, the
 * answered script not sent again, the job completes. */
Test(net_ras, resume_after_dropped_answer)
{
    const char *db = db_path();
    ras_add_cards(db, 1, 0);
    ras_cli(db, "enqueue", "--card", "8949000000000000000", "--script", two_scripts());
    RasSrv s = ras_start(db, 0, "ras", NULL);
    int st;
    char *out = load(s.port, "--break-after", "1", 1, &st);
    cr_assert_eq(st, 0, "%s", out);
    cr_expect(strstr(out, "ok=1 failed=0"), "%s", out);
    char *d = ras_cli(db, "status", "--job", "1");
    cr_expect(strstr(d, "\"state\": \"done\""), "%s", d);
    cr_expect_eq(ras_count(d, "\"answered\": 1"), 2, "%s", d);
    cr_expect(strstr(d, "\"idx\": 1, \"apdus\": \"00A4040008A000000151000000 80CA006600\", "
                        "\"sent_count\": 1"), "script 1 re-sent: %s", d);
    char *log = ras_cli(db, "log", "--limit", "100");
    cr_expect_eq(ras_count(log, "\"event\": \"results-duplicate\""), 1, "%s", log);
    cr_expect_eq(ras_count(log, "\"event\": \"resume\""), 1, "%s", log);
}

/* The server is killed (SIGKILL) while a card holds script 1, then
 * restarted on the same port: the card's retry resumes at its Next-URI
 * and the job completes once (state lives in the database only). */
Test(net_ras, server_killed_mid_session)
{
    const char *db = db_path();
    ras_add_cards(db, 1, 0);
    ras_cli(db, "enqueue", "--card", "8949000000000000000", "--script", two_scripts());
    RasSrv s = ras_start(db, 0, "ras-a", NULL);
    const char *a[] = { ras_load_bin(), "--port", nc_strf("%d", s.port), "--cards", "1",
                        "--hold-ms", "2500", "--retries", "40", NULL };
    const char *out = nc_tmp_path("load-kill.out");
    NcSpawnOpts o = { .cwd = nc_tmpdir(), .stdout_path = out };
    NcProc *card = nc_spawn("ras-load", a, &o);
    int64_t end = nc_now_ms() + 20000;
    while (!strstr(ras_cli(db, "status", "--job", "1"), "\"sent_count\": 1")) {
        cr_assert_lt(nc_now_ms(), end, "script 1 never sent");
        nc_nap_ms(50);
    }
    kill(s.proc->pid, SIGKILL);
    nc_proc_wait(s.proc, 5000);
    ras_start(db, s.port, "ras-b", NULL);
    int st = nc_proc_wait_exit(card, 60000);
    char *t = nc_gc(nc_read_file(out, NULL));
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", t);
    char *d = ras_cli(db, "status", "--job", "1");
    cr_expect(strstr(d, "\"state\": \"done\", \"reason\": null, \"target\": null, "
                        "\"scp03_level\": 0, \"n_scripts\": 2, \"owner\": \"ras-b\""), "%s", d);
    cr_expect_eq(ras_count(d, "\"sent_count\": 1, \"answered\": 1"), 2, "%s", d);
}

/* The REST API on the admin port: add a card with SCP03 keys, queue an
 * SCP03 job; the server sends INITIALIZE UPDATE first (script 0) and, as
 * the simulated card answers it with a bare 90 00, fails the job with the
 * reason instead of sending EXTERNAL AUTHENTICATE. */
Test(net_ras, rest_api_and_scp03_sequencing)
{
    const char *db = db_path();
    ras_add_cards(db, 1, 0);
    RasSrv s = ras_start(db, 0, "ras", NULL);
    const char *curl = nc_tool("curl", "curl");
    const char *url = nc_strf("http://127.0.0.1:%d/api", s.admin);
    const char *c1[] = { curl, "-sS", "-d",
        "{\"card\": \"8949000000000000000\", \"identity\": \"ras-load-000000\","
        " \"psk\": \"010E1B2835424F5C697683909DAAB7C4\", \"scp03\": {\"kvn\": \"30\","
        " \"enc\": \"404142434445464748494A4B4C4D4E4F\", \"mac\": \"404142434445464748494A4B4C4D4E4F\","
        " \"dek\": \"404142434445464748494A4B4C4D4E4F\"}}", nc_strf("%s/cards", url), NULL };
    int st;
    char *r = ras_run("curl", c1, &st, NC_TIMEOUT_EXIT_MS);
    cr_assert(strstr(r, "\"ok\": true"), "%s", r);
    const char *c2[] = { curl, "-sS", "-d",
        "{\"card\": \"8949000000000000000\", \"apdus\": [\"80F21002024F0000\"], \"scp03\": 51}",
        nc_strf("%s/jobs", url), NULL };
    r = ras_run("curl", c2, &st, NC_TIMEOUT_EXIT_MS);
    cr_assert(strstr(r, "{\"jobs\": [1]}"), "%s", r);
    const char *c3[] = { curl, "-sS", "-d", "{\"card\": \"nope\", \"apdus\": [\"00\"]}",
                         nc_strf("%s/jobs", url), NULL };
    r = ras_run("curl", c3, &st, NC_TIMEOUT_EXIT_MS);
    cr_expect(strstr(r, "\"error\""), "%s", r);
    char *out = load(s.port, NULL, NULL, 1, &st);
    cr_assert_eq(st, 0, "%s", out);
    const char *c4[] = { curl, "-sS", nc_strf("%s/jobs/1", url), NULL };
    r = ras_run("curl", c4, &st, NC_TIMEOUT_EXIT_MS);
    cr_expect(strstr(r, "\"state\": \"failed\", \"reason\": \"scp03: INITIALIZE UPDATE "
                        "response refused (malformed or error status)\""), "%s", r);
    cr_expect(strstr(r, "\"idx\": 0, \"apdus\": \"8050300008"), "script 0 is not "
              "INITIALIZE UPDATE (KVN 30): %s", r);
    cr_expect(strstr(r, "\"idx\": 1, \"apdus\": \"80F21002024F0000\", \"sent_count\": 0"),
              "the wrapped script was sent: %s", r);
}
