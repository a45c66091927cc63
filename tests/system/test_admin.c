/*
 * The card's Amendment B administration agent (cardos/net/admin/,
 * issue 15) end to end: the card on libslirp, main's netcard-ras on the
 * host as the server, the ISO 7816 interface through vpcd for the
 * parameters (STORE DATA in SCP03), the trigger and GET DATA.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <unistd.h>

#include "admin_card.h"

TestSuite(system_admin, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

static void quit(void)
{
    fs_quit(&fc);
}

Test(system_admin, end_to_end_with_netcard_ras)
{
    const char *db = nc_tmp_path("ras.db");
    RasSrv srv = ras_start(db, 0, "ras", NULL);

    ras_cli(db, "card", "--card", CARD_ICCID, "--identity", ADMIN_ID,
            "--psk", ADMIN_PSK_HEX);
    /* 10 commands: SELECT the ISD, GET DATA of card data, IIN, CIN,
     * key information, ... (what they answer is checked below) */
    ras_cli(db, "enqueue", "--card", CARD_ICCID,
            "--apdu", "00A4040008A000000151000000", "--apdu", "80CA006600",
            "--apdu", "80CA004200", "--apdu", "80CA004500",
            "--apdu", "80CA00E000", "--apdu", "80CA006700",
            "--apdu", "80CA00C100", "--apdu", "80CA9F7F00",
            "--apdu", "80CADF3A00", "--apdu", "80CA006600");
    boot_admin_card();
    AdminParams ap = { .port = srv.port, .retries = 3 };
    store_params(&ap);

    fs_expect(&fc, "00A4040000", 0x9000, "SELECT the ISD");
    fs_expect(&fc, "804C0000", 0x9000, "ADMIN TRIGGER");
    /* one session at a time: a second trigger is refused */
    fs_expect(&fc, "804C0000", 0x6985, "ADMIN TRIGGER during a session");
    /* the contact interface keeps answering during the session */
    for (int i = 0; i < 5; i++) {
        fs_expect(&fc, "80CA006600", 0x9000, "GET DATA during the session");
    }
    nc_console_wait(fc.card->console, "I admin: session ok", SESSION_WAIT_MS);

    char *st = ras_cli(db, "status", "--job", "1");
    cr_assert(strstr(st, "\"state\": \"done\""), "job not done: %s", st);
    cr_assert(strstr(st, "\"executed\": 10"), "not 10 executed: %s", st);
    cr_assert(strstr(st, "\"status\": \"ok\""), "script status: %s", st);
    /* GET DATA DF3A inside the session: outcome 02, running */
    cr_assert(strstr(st, "DF3A0A02"), "R-APDUs: %s", st);
    char *log = ras_cli(db, "log", "--card", CARD_ICCID);
    cr_assert(strstr(log, "\"event\": \"end\""), "no end: %s", log);
    cr_assert(strstr(log, "//se-id/iccid/" CARD_ICCID), "X-Admin-From: %s", log);

    /* the outcome: ok (01), 3 retries left, 204, 1 script, 10 commands */
    FsResp g = fs_expect(&fc, "00CADF3A00", 0x9000, "GET DATA DF3A");
    cr_assert(g.len == 13 && g.data[3] == 0x01 && g.data[5] == 3 &&
              g.data[7] == 204 && g.data[9] == 1 && g.data[11] == 10,
              "outcome %s", nc_hex(g.data, g.len));
    quit();
}

/* The poll timer (DF3C) picks up a job queued after boot, no trigger. */
Test(system_admin, poll_timer_picks_up_a_job_queued_later)
{
    const char *db = nc_tmp_path("ras.db");
    RasSrv srv = ras_start(db, 0, "ras", NULL);

    ras_cli(db, "card", "--card", CARD_ICCID, "--identity", ADMIN_ID,
            "--psk", ADMIN_PSK_HEX);
    boot_admin_card();
    /* the first trigger writes the test key set; nothing is queued: 204 */
    AdminParams ap = { .port = srv.port, .retries = 3 };
    store_params(&ap);
    admin_trigger();
    nc_console_wait(fc.card->console, "I admin: session ok: 0 scripts",
                    SESSION_WAIT_MS);
    /* now a poll every 2 s; once it has run empty, a job is queued */
    ap.poll_s = 2;
    store_params(&ap);
    nc_console_wait(fc.card->console, "I admin: session start (poll)",
                    SESSION_WAIT_MS);
    nc_console_wait(fc.card->console, "I admin: session ok: 0 scripts",
                    SESSION_WAIT_MS);
    ras_cli(db, "enqueue", "--card", CARD_ICCID, "--apdu", "80CA006600",
            "--apdu", "80CA004200");
    char *line;
    const char *start = NULL;
    do {        /* the session that ran it was started by the poll timer */
        line = nc_console_wait_re(fc.card->console, "^I admin: session "
                                  "(start|ok: [1-9])", NULL, 0,
                                  SESSION_WAIT_MS);
        if (strstr(line, "start")) {
            start = nc_gc(strdup(line));
        }
    } while (!strstr(line, "session ok"));
    cr_assert(strstr(line, "1 scripts, 2 commands"), "%s", line);
    cr_assert(start && strstr(start, "(poll)"), "started by %s", start);
    char *st = ras_cli(db, "status", "--job", "1");
    cr_assert(strstr(st, "\"state\": \"done\""), "job not done: %s", st);
    cr_assert(strstr(st, "\"executed\": 2"), "not 2 executed: %s", st);
    AdminOutcome o = admin_outcome();
    cr_assert(o.trigger == 1 && (o.outcome == 1 || o.outcome == 2),
              "DF3A %s: not a poll session", o.hex);
    quit();
}

/* QMP set_link down in the middle of a job of 150 scripts: the card's I/O
 * deadline passes, it retries and resumes with X-Admin-Resume at the last
 * Next-URI; every script is answered once and the job is done once. */
Test(system_admin, link_down_mid_session_resumes_once)
{
    const char *db = nc_tmp_path("ras.db");
    RasSrv srv = ras_start(db, 0, "ras", NULL);
    const char *script = nc_tmp_path("job.script");
    FILE *f = fopen(script, "w");

    for (int i = 0; i < 150; i++) {
        fprintf(f, "%s80CA006600\n80CA004200\n", i ? "---\n" : "");
    }
    fclose(f);
    ras_cli(db, "card", "--card", CARD_ICCID, "--identity", ADMIN_ID,
            "--psk", ADMIN_PSK_HEX);
    ras_cli(db, "enqueue", "--card", CARD_ICCID, "--script", script);
    boot_admin_card();
    AdminParams ap = { .port = srv.port, .retries = 3 };
    store_params(&ap);
    admin_trigger();
    nc_console_wait(fc.card->console, "I admin: script 2:", SESSION_WAIT_MS);
    nc_qmp(fc.card->qmp, "{'execute': 'set_link', 'arguments': "
           "{'name': 'netcard-nic.0', 'up': false}}");
    nc_console_wait(fc.card->console, "W admin: connection lost",
                    SESSION_WAIT_MS);
    nc_qmp(fc.card->qmp, "{'execute': 'set_link', 'arguments': "
           "{'name': 'netcard-nic.0', 'up': true}}");
    char *ok = nc_console_wait(fc.card->console, "I admin: session ok",
                               SESSION_WAIT_MS);
    /* scripts and commands executed in this session, resume included */
    cr_assert(strstr(ok, "150 scripts, 300 commands"), "%s", ok);

    char *st = ras_cli(db, "status", "--job", "1");
    cr_assert(strstr(st, "\"state\": \"done\""), "job not done: %s", st);
    cr_assert_eq(ras_count(st, "\"answered\": 1"), 150, "scripts: %s", st);
    cr_assert_eq(ras_count(st, "\"executed\": 2"), 150, "executed: %s", st);
    char *log = ras_cli(db, "log", "--card", CARD_ICCID, "--limit", "1000");
    cr_assert(strstr(log, "\"event\": \"resume\""), "no resume: %s", log);
    cr_assert_eq(ras_count(log, "\"event\": \"job-done\""), 1, "%s", log);
    AdminOutcome o = admin_outcome();
    cr_assert(o.outcome == 1 && o.retries < 3 && o.detail == 204,
              "DF3A %s", o.hex);
    quit();
}

/* netcard admin trigger / outcome (tools/netcard_host/admin.py) over the
 * card's vpcd port, as an operator uses them. */
Test(system_admin, netcard_admin_trigger_and_outcome)
{
    const char *db = nc_tmp_path("ras.db");
    RasSrv srv = ras_start(db, 0, "ras", NULL);

    ras_cli(db, "card", "--card", CARD_ICCID, "--identity", ADMIN_ID,
            "--psk", ADMIN_PSK_HEX);
    ras_cli(db, "enqueue", "--card", CARD_ICCID, "--apdu", "80CA006600",
            "--apdu", "80CA004200");
    boot_admin_card();
    AdminParams ap = { .port = srv.port, .retries = 3 };
    store_params(&ap);
    nc_vpcd_close(fc.vpcd);     /* one vpcd client at a time */

    const char *port = nc_strf("%d", fc.port);
    const char *out0[] = { nc_bin("netcard"), "admin", "outcome", "--port",
                           port, NULL };
    int st;
    char *o = ras_run("netcard-admin", out0, &st, NC_TIMEOUT_EXIT_MS);
    cr_assert(st == 0 && strstr(o, "outcome:      00 none"), "%s", o);
    const char *trig[] = { nc_bin("netcard"), "admin", "trigger", "--port",
                           port, "--sd", "A000000151000000", NULL };
    o = ras_run("netcard-admin", trig, &st, NC_TIMEOUT_EXIT_MS);
    cr_assert(st == 0 && strstr(o, "9000 session started"), "%s", o);
    nc_console_wait(fc.card->console, "I admin: session ok: 1 scripts, 2 "
                    "commands", SESSION_WAIT_MS);
    o = ras_run("netcard-admin", out0, &st, NC_TIMEOUT_EXIT_MS);
    cr_assert(st == 0, "%s", o);
    cr_assert(strstr(o, "DF3A:         DF3A0A01000300CC0001000200"), "%s", o);
    cr_assert(strstr(o, "outcome:      01 ok (204 reached)"), "%s", o);
    cr_assert(strstr(o, "retries left: 3\n"), "%s", o);
    cr_assert(strstr(o, "trigger:      command"), "%s", o);
    /* a wrong security domain AID is refused by SELECT */
    const char *bad[] = { nc_bin("netcard"), "admin", "trigger", "--port",
                          port, "--sd", "A0000009990102", NULL };
    o = ras_run("netcard-admin", bad, &st, NC_TIMEOUT_EXIT_MS);
    cr_assert_eq(st, 2, "%s", o);
    fc.vpcd = nc_vpcd_connect(fc.port, NC_TIMEOUT_START_MS, fc.card->qemu);
    quit();
}

/* netcard-ras killed (SIGKILL) in the middle of a 150-script job and
 * started again on its port: the card's retry resumes at its last
 * Next-URI on the new process and the job is done once. */
Test(system_admin, server_killed_mid_session_job_done_once)
{
    const char *db = nc_tmp_path("ras.db");
    RasSrv srv = ras_start(db, 0, "ras-a", NULL);
    const char *script = nc_tmp_path("job.script");
    FILE *f = fopen(script, "w");

    for (int i = 0; i < 150; i++) {
        fprintf(f, "%s80CA006600\n", i ? "---\n" : "");
    }
    fclose(f);
    ras_cli(db, "card", "--card", CARD_ICCID, "--identity", ADMIN_ID,
            "--psk", ADMIN_PSK_HEX);
    ras_cli(db, "enqueue", "--card", CARD_ICCID, "--script", script);
    boot_admin_card();
    AdminParams ap = { .port = srv.port, .retries = 5, .retry_s = 3 };
    store_params(&ap);
    admin_trigger();
    nc_console_wait(fc.card->console, "I admin: script 2:", SESSION_WAIT_MS);
    kill(srv.proc->pid, SIGKILL);
    nc_proc_wait(srv.proc, 5000);
    ras_start(db, srv.port, "ras-b", NULL);
    nc_console_wait(fc.card->console, "W admin: connection lost",
                    SESSION_WAIT_MS);
    char *ok = nc_console_wait(fc.card->console, "I admin: session ok",
                               SESSION_WAIT_MS);
    cr_assert(strstr(ok, "150 scripts, 150 commands"), "%s", ok);
    char *st = ras_cli(db, "status", "--job", "1");
    cr_assert(strstr(st, "\"state\": \"done\""), "job not done: %s", st);
    cr_assert(strstr(st, "\"owner\": \"ras-b\""), "%s", st);
    cr_assert_eq(ras_count(st, "\"answered\": 1"), 150, "scripts: %s", st);
    char *log = ras_cli(db, "log", "--card", CARD_ICCID, "--limit", "2000");
    cr_assert(strstr(log, "\"event\": \"resume\""), "no resume: %s", log);
    cr_assert_eq(ras_count(log, "\"event\": \"job-done\""), 1, "%s", log);
    quit();
}

/* A job the server wraps in SCP03 with the card's static keys (key set
 * 30, level 33): INITIALIZE UPDATE in script 0, then EXTERNAL
 * AUTHENTICATE and the wrapped commands; the agent keeps the secure
 * channel of its admin APDU session across the scripts. */
Test(system_admin, scp03_job_built_by_the_server)
{
    const char *db = nc_tmp_path("ras.db");
    RasSrv srv = ras_start(db, 0, "ras", NULL);
    const char *k = "404142434445464748494A4B4C4D4E4F";

    ras_cli(db, "card", "--card", CARD_ICCID, "--identity", ADMIN_ID,
            "--psk", ADMIN_PSK_HEX, "--scp03", nc_strf("30:%s:%s:%s", k, k, k));
    ras_cli(db, "enqueue", "--card", CARD_ICCID, "--scp03", "51",
            "--apdu", "80CA006600", "--apdu", "80CA004200");
    boot_admin_card();
    AdminParams ap = { .port = srv.port, .retries = 3 };
    store_params(&ap);
    admin_trigger();
    char *ok = nc_console_wait_re(fc.card->console,
                                  "^[IW] admin: session (ok|failed)", NULL, 0,
                                  SESSION_WAIT_MS);
    char *st = ras_cli(db, "status", "--job", "1");
    cr_assert(strstr(ok, "session ok: 2 scripts, 4 commands"), "%s\n%s", ok,
              st);
    cr_assert(strstr(st, "\"state\": \"done\""), "job not done: %s", st);
    /* EXTERNAL AUTHENTICATE and the two wrapped commands executed, the
     * job's script answered ok (the server checked the R-MACs' SWs) */
    cr_assert(strstr(st, "\"status\": \"ok\", \"executed\": 3, "
                         "\"rapdus\": \"9000 "), "%s", st);
    quit();
}

/*
 * The seed's promise: an applet reaches the card through the admin
 * server. `netcard-ras enqueue --load hello.ncap --install AID` queues
 * one script (INSTALL [for load], LOAD in C4 blocks with the last at P1
 * 80, INSTALL [for install and make selectable]: GP 2.3.1 11.5, 11.6),
 * authenticated by the SCP81 session alone (no SCP03 inside it); after
 * the session the instance answers over ISO 7816 as the SDK's sample
 * says (INS 01: "Hello, card!").
 */
Test(system_admin, load_and_install_an_applet_over_the_admin_session)
{
    const char *build = getenv("NETCARD_CARDOS_DIR");
    cr_assert(build, "NETCARD_CARDOS_DIR is not set (run through make)");
    const char *hello = nc_strf("%s/../applets/hello.ncap", build);
    cr_assert(access(hello, R_OK) == 0, "%s is missing: make applets", hello);
    const char *db = nc_tmp_path("ras.db");
    RasSrv srv = ras_start(db, 0, "ras", NULL);

    ras_cli(db, "card", "--card", CARD_ICCID, "--identity", ADMIN_ID,
            "--psk", ADMIN_PSK_HEX);
    ras_cli(db, "enqueue", "--card", CARD_ICCID, "--load", hello,
            "--install", "A00000007701000101");
    boot_admin_card();
    AdminParams ap = { .port = srv.port, .retries = 3 };
    store_params(&ap);
    fs_expect(&fc, "00A4040000", 0x9000, "SELECT the ISD");
    fs_expect(&fc, "804C0000", 0x9000, "ADMIN TRIGGER");
    nc_console_wait(fc.card->console, "I admin: session ok", SESSION_WAIT_MS);

    char *st = ras_cli(db, "status", "--job", "1");
    cr_assert(strstr(st, "\"state\": \"done\""), "job not done: %s", st);
    cr_assert(strstr(st, "\"status\": \"ok\""), "script status: %s", st);
    cr_assert(!strstr(st, "6982") && !strstr(st, "6A80") &&
              !strstr(st, "6985"), "a command was refused: %s", st);

    fs_expect(&fc, "00A4040009A00000007701000101", 0x9000,
              "SELECT the new instance");
    FsResp r = fs_expect(&fc, "8001000000", 0x9000, "hello INS 01");
    cr_assert(r.len == 12 && memcmp(r.data, "Hello, card!", 12) == 0,
              "hello answered %s", nc_hex(r.data, r.len));
    quit();
}

/*
 * Issue 15 item 3c: an applet asks for a session of its security domain
 * (nc_admin_session, system call 27, tests/applets/adminapp). The applet
 * arrives through a first session (enqueue --load), a job is queued
 * after it, and the applet's call starts the session that fetches it.
 */
Test(system_admin, applet_triggers_a_session_that_fetches_a_job)
{
    const char *build = getenv("NETCARD_CARDOS_DIR");
    cr_assert(build, "NETCARD_CARDOS_DIR is not set (run through make)");
    const char *app = nc_strf("%s/../applets/adminapp.ncap", build);
    cr_assert(access(app, R_OK) == 0, "%s is missing: make applets", app);
    const char *db = nc_tmp_path("ras.db");
    RasSrv srv = ras_start(db, 0, "ras", NULL);

    ras_cli(db, "card", "--card", CARD_ICCID, "--identity", ADMIN_ID,
            "--psk", ADMIN_PSK_HEX);
    ras_cli(db, "enqueue", "--card", CARD_ICCID, "--load", app,
            "--install", "A0000000770601");
    boot_admin_card();
    AdminParams ap = { .port = srv.port, .retries = 3 };
    store_params(&ap);
    admin_trigger();
    nc_console_wait(fc.card->console, "I admin: session ok: 1 scripts",
                    SESSION_WAIT_MS);
    /* during a session the call is refused (NC_E_STATE), not queued */
    const char *script = nc_tmp_path("long.script");
    FILE *f = fopen(script, "w");
    for (int i = 0; i < 60; i++) {
        fprintf(f, "%s80CA006600\n", i ? "---\n" : "");
    }
    fclose(f);
    ras_cli(db, "enqueue", "--card", CARD_ICCID, "--script", script);
    admin_trigger();
    nc_console_wait(fc.card->console, "I admin: script 2:", SESSION_WAIT_MS);
    fs_expect(&fc, "00A4040007A0000000770601", 0x9000, "SELECT adminapp");
    FsResp busy = fs_expect(&fc, "8030000000", 0x9000, "adminapp SESSION");
    cr_assert(busy.len == 1 && busy.data[0] == 0xFB, "nc_admin_session "
              "during a session: %s", nc_hex(busy.data, busy.len));
    nc_console_wait(fc.card->console, "I admin: session ok: 60 scripts",
                    SESSION_WAIT_MS);
    ras_cli(db, "enqueue", "--card", CARD_ICCID, "--apdu", "80CA006600",
            "--apdu", "80CA004200");

    fs_expect(&fc, "00A4040007A0000000770601", 0x9000, "SELECT adminapp");
    FsResp r = fs_expect(&fc, "8030000000", 0x9000, "adminapp SESSION");
    cr_assert(r.len == 1 && r.data[0] == 0x00, "nc_admin_session: %s",
              nc_hex(r.data, r.len));
    nc_console_wait(fc.card->console, "I admin: session start (applet)",
                    SESSION_WAIT_MS);
    nc_console_wait(fc.card->console, "I admin: session ok: 1 scripts, 2 "
                    "commands", SESSION_WAIT_MS);
    char *st = ras_cli(db, "status", "--job", "3");
    cr_assert(strstr(st, "\"state\": \"done\"") &&
              strstr(st, "\"executed\": 2"), "%s", st);
    AdminOutcome o = admin_outcome();
    cr_assert(o.outcome == 1 && o.trigger == 3, "DF3A %s: not an applet "
              "session", o.hex);
    quit();
}
