/*
 * The card's admin agent against a peer that is not netcard-ras:
 * tests/system/admin_peer.py behind `openssl s_server -psk -nocert
 * -tls1_2` (an independent PSK-TLS implementation), serving well-formed
 * scripts in the formats of Amendment B / TS 102 226 and misbehaving the
 * ways a server can: malformed and oversized scripts, no answer, a close
 * in the middle of a chunk, a wrong PSK.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE     /* strcasestr in net_card.h */
#include "admin_card.h"
#include "net_card.h"

TestSuite(system_admin_peers, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

/* GET DATA 66 and GET DATA 42 on the ISD, definite and indefinite */
#define SCRIPT_AA "AA0E220580CA006600220580CA004200"
#define SCRIPT_AE "AE80220580CA006600220580CA0042000000"

/* Run one session against a peer started with EXTRA; returns the peer. */
static AdminPeer session(const char *const *extra, const char *end_line)
{
    AdminPeer a = admin_peer_start(NULL, extra);
    AdminParams ap = { .port = a.port, .retries = 3, .retry_s = 3 };

    store_params(&ap);
    admin_trigger();
    nc_console_wait(fc.card->console, end_line, SESSION_WAIT_MS);
    return a;
}

static void assert_has(const char *s, const char *what)
{
    cr_assert(s && strstr(s, what), "expected %s in %s", what,
              s ? s : "(no request)");
}

Test(system_admin_peers, openssl_s_server_formats_and_headers)
{
    boot_admin_card();

    /* definite AA script, Content-Length */
    const char *const e1[] = { "--script", SCRIPT_AA, NULL };
    AdminPeer a = session(e1, "I admin: session ok: 1 scripts, 2 commands");
    char *r0 = admin_peer_request(&a, 0);
    assert_has(r0, "\"path\": \"/ras/admin\"");
    assert_has(r0, "\"body\": \"\"");
    assert_has(r0, "\"x-admin-protocol\": \"globalplatform-remote-admin/1.0\"");
    assert_has(r0, "\"x-admin-from\": \"//se-id/iccid/" CARD_ICCID "\"");
    char *r1 = admin_peer_request(&a, 1);
    assert_has(r1, "\"path\": \"/peer/next/1\"");
    assert_has(r1, "card-content-mgt-response;version=1.0");
    assert_has(r1, "\"x-admin-script-status\": \"ok\"");
    assert_has(r1, "\"body\": \"AB");
    assert_has(r1, "800102");
    assert_has(r1, "9000\"");
    cr_assert_null(admin_peer_request(&a, 2), "a request after the 204");
    AdminOutcome o = admin_outcome();
    cr_assert(o.outcome == 1 && o.detail == 204 && o.scripts == 1 &&
              o.commands == 2, "DF3A %s", o.hex);

    /* indefinite AE script, chunked, explicit target: AF back, chunked */
    const char *const e2[] = { "--script", SCRIPT_AE, "--chunked",
                               "--target", "//aid/A000000151/000000", NULL };
    a = session(e2, "I admin: session ok: 1 scripts, 2 commands");
    r1 = admin_peer_request(&a, 1);
    assert_has(r1, "\"chunked\": true");
    assert_has(r1, "\"body\": \"AF80");
    assert_has(r1, "800102");
    assert_has(r1, "0000\"");

    /* a target that is not on the card */
    const char *const e3[] = { "--script", SCRIPT_AA, "--target",
                               "//aid/A000000999/0102", NULL };
    a = session(e3, "I admin: session ok: 1 scripts, 0 commands");
    r1 = admin_peer_request(&a, 1);
    assert_has(r1, "\"x-admin-script-status\": \"unknown-application\"");

    /* malformed: a C-APDU TLV longer than its script; an unknown tag */
    const char *const e4[] = { "--script", "AA07220980CA006600",
                               "--script", "AA07990580CA006600", NULL };
    a = session(e4, "I admin: session ok: 2 scripts, 0 commands");
    r1 = admin_peer_request(&a, 1);
    assert_has(r1, "800100");
    assert_has(r1, "9001");
    char *r2 = admin_peer_request(&a, 2);
    assert_has(r2, "800100");
    assert_has(r2, "900101");

    fs_quit(&fc);
}

/* A server that never answers (the card's I/O deadline, then a retry) and
 * one that closes in the middle of a chunk (a retry at once): both
 * sessions complete on the second connection, one retry spent each. */
Test(system_admin_peers, slow_server_and_close_mid_chunk_retry)
{
    boot_admin_card();

    const char *const e1[] = { "--script", SCRIPT_AA, "--hold-first", NULL };
    AdminPeer a = admin_peer_start(NULL, e1);
    AdminParams ap = { .port = a.port, .retries = 3, .retry_s = 3 };
    store_params(&ap);
    admin_trigger();
    nc_console_wait(fc.card->console, "W admin: connection lost (timeout)",
                    SESSION_WAIT_MS);
    nc_console_wait(fc.card->console, "I admin: session ok: 1 scripts, 2 "
                    "commands", SESSION_WAIT_MS);
    AdminOutcome o = admin_outcome();
    cr_assert(o.outcome == 1 && o.retries == 2, "DF3A %s", o.hex);
    /* the retry came before any 200: a fresh first POST, no resume */
    char *r1 = admin_peer_request(&a, 1);
    assert_has(r1, "\"conn\": 2");
    assert_has(r1, "\"path\": \"/ras/admin\"");
    cr_assert(!strstr(r1, "x-admin-resume"), "%s", r1);

    const char *const e2[] = { "--script", SCRIPT_AA, "--chunked",
                               "--cut-first", NULL };
    a = admin_peer_start(NULL, e2);
    ap.port = a.port;
    store_params(&ap);
    admin_trigger();
    nc_console_wait(fc.card->console, "W admin: connection lost (",
                    SESSION_WAIT_MS);
    nc_console_wait(fc.card->console, "I admin: session ok: 1 scripts, 2 "
                    "commands", SESSION_WAIT_MS);
    o = admin_outcome();
    cr_assert(o.outcome == 1 && o.retries == 2, "DF3A %s", o.hex);
    /* the cut script was not executed: exactly one results POST */
    char *log = nc_read_file(a.log, NULL);
    cr_assert_eq(ras_count(log, "/peer/next/1"), 1, "%s", log);
    cr_assert_eq(ras_count(log, "\"body\": \"AB"), 1, "%s", log);
    free(log);
    fs_quit(&fc);
}

/* A 10 MB script: read and dropped, answered 90 02 with nothing executed;
 * ISO 7816 and the card's HTTP server answer while it streams in. */
Test(system_admin_peers, ten_megabyte_script_is_refused_90_02)
{
    boot_admin_card_with(true);
    const char *const e[] = { "--big", "10485760", NULL };
    AdminPeer a = admin_peer_start(NULL, e);
    AdminParams ap = { .port = a.port, .retries = 3, .retry_s = 3 };
    store_params(&ap);
    admin_trigger();
    for (int i = 0; i < 3; i++) {
        fs_expect(&fc, "80CA006600", 0x9000, "GET DATA during the download");
        cr_assert_str_eq(curl_get(nc_strf("http://127.0.0.1:%d/api/status",
                                          admin_http_port),
                                  nc_tmp_path("status.json")), "200");
    }
    nc_console_wait(fc.card->console, "W admin: script of 10485760 bytes "
                    "dropped", SESSION_WAIT_MS * 3);
    nc_console_wait(fc.card->console, "I admin: session ok: 1 scripts, 0 "
                    "commands", SESSION_WAIT_MS);
    char *r1 = admin_peer_request(&a, 1);
    assert_has(r1, "\"x-admin-script-status\": \"ok\"");
    assert_has(r1, "800100");
    assert_has(r1, "900102");
    fs_expect(&fc, "80CA006600", 0x9000, "GET DATA after");
    fs_quit(&fc);
}

/* A wrong PSK: the handshake fails, the session ends without a retry and
 * GET DATA DF3A says TLS with the retry counter untouched. */
Test(system_admin_peers, wrong_psk_ends_without_retry)
{
    boot_admin_card();
    const char *const e[] = { "--script", SCRIPT_AA, NULL };
    AdminPeer a = admin_peer_start("00112233445566778899AABBCCDDEEFF", e);
    AdminParams ap = { .port = a.port, .retries = 3, .retry_s = 3 };
    store_params(&ap);
    admin_trigger();
    nc_console_wait(fc.card->console, "W admin: session failed: TLS",
                    SESSION_WAIT_MS);
    AdminOutcome o = admin_outcome();
    cr_assert(o.outcome == 4 && o.retries == 3 && o.detail >= 0x8000,
              "DF3A %s", o.hex);
    char *con = nc_read_file(fc.card->console_path, NULL);
    cr_assert(!strstr(con, "connection lost"), "retried:\n%s", con);
    free(con);
    cr_assert_null(admin_peer_request(&a, 0), "a request came through");
    fs_quit(&fc);
}
