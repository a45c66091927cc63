/*
 * A power cut during an SCWS content write made through the admin
 * session (issue 16 item 4): round k replaces /tear/page.html (1800
 * bytes: two data chunks) with version k through netcard-ras, with the
 * NVM controller's tearing knob (docs/nvm.md) cutting the power at the
 * N-th flash operation after the trigger, N = 1, 2, ... in the three tear
 * modes in turn, until a session completes without a cut. After each
 * cut, as soon as the card is back on the network, curl must get version
 * k-1 or version k whole (never a mix, never a 404 or 500); once the
 * session has resumed (the agent does so by itself) or been triggered
 * again, curl gets version k and the server has the job done with its
 * request answered once (201/204: the PUT ran again after the resume, on
 * the same bytes).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE
#include <unistd.h>

#include "admin_scws.h"

TestSuite(system_admin_scws_tear, .init = nc_test_init,
          .fini = nc_test_fini, .timeout = NC_SUITE_TIMEOUT_SYSTEM);

static const char *const modes[3] = { "before", "partial", "after" };

/* T=0 without PPS (a card the cut rebooted ends an interrupted exchange
 * at once: tear_campaign.h), the NIC on slirp with port 80 forwarded. */
static void boot_t0_http(void)
{
    fc.port = nc_free_tcp_port();
    admin_http_port = nc_free_tcp_port();
    const char *const opts[] = {
        "--iso", nc_strf("listen:127.0.0.1:%d", fc.port),
        "--hostfwd", nc_strf("%d:80", admin_http_port),
        "--global", "netcard-iso7816-uart.protocol=t0",
        "--global", "netcard-iso7816-uart.pps=off", NULL,
    };
    fs_boot_net(&fc, opts);
}

/* Version K of the page: 1800 bytes naming K on every line. */
static char *version(unsigned k)
{
    char *v = nc_gc(malloc(1801));
    size_t n = 0;

    while (n < 1800) {
        n += (size_t)snprintf(v + n, 1801 - n, "<p>version %u, %zu</p>\n", k,
                              n);
    }
    v[1800] = 0;
    return v;
}

/* Queue version K through the REST API (job K + 1). */
static void enqueue(const RasSrv *srv, unsigned k, const char *data)
{
    char *o;
    const char *j = nc_strf("{\"card\": \"" CARD_ICCID "\", \"scripts\": "
                            "[{\"scws\": \"PUT\", \"path\": "
                            "\"/tear/page.html\", \"type\": \"text/html\", "
                            "\"data\": \"%s\"}]}", data);
    /* the page has no character JSON would escape but the newlines */
    char *e = nc_gc(malloc(strlen(j) * 2 + 1)), *w = e;
    for (const char *c = j; *c; c++) {
        if (*c == '\n') {
            *w++ = '\\';
            *w++ = 'n';
        } else {
            *w++ = *c;
        }
    }
    *w = 0;
    cr_assert_eq(http_once(srv->admin, "POST", "/api/jobs", e, &o), 201,
                 "%s", o);
    cr_assert(strstr(o, nc_strf("[%u]", k + 1)), "%s", o);
}

static char *job(const RasSrv *srv, unsigned k)
{
    char *o;

    cr_assert_eq(http_once(srv->admin, "GET", nc_strf("/api/jobs/%u", k + 1),
                           NULL, &o), 200, "%s", o);
    return o;
}

/* The page as the card's web server serves it (NULL: not 200). */
static char *page(void)
{
    char *b;

    return http_once(admin_http_port, "GET", "/tear/page.html", NULL, &b) ==
           200 ? b : NULL;
}

Test(system_admin_scws_tear, cut_during_a_content_write)
{
    const char *db = nc_tmp_path("ras.db");
    RasSrv srv = ras_start(db, 0, "ras", NULL);

    ras_cli(db, "card", "--card", CARD_ICCID, "--identity", ADMIN_ID,
            "--psk", ADMIN_PSK_HEX);
    boot_t0_http();
    AdminParams ap = { .port = srv.port, .retries = 3 };
    store_params(&ap);
    /* version 0, without cuts (the test key set is written then too) */
    char *prev = version(0);
    enqueue(&srv, 0, prev);
    admin_trigger();
    nc_console_wait(fc.card->console, "I admin: session ok: 1 scripts",
                    SESSION_WAIT_MS);

    unsigned k = 0, cuts = 0, olds = 0, news = 0;
    bool done = false;
    char *body;
    for (unsigned n = 1; n < 80 && !done; n++) {
        for (unsigned mode = 0; mode < 3 && !done; mode++) {
            char *cur = version(++k);
            unsigned long tears = fs_nvm_get(&fc, "tears");

            enqueue(&srv, k, cur);
            fs_arm_tear(&fc, modes[mode], n);
            fs_expect(&fc, "00A4040000", 0x9000, "SELECT the ISD");
            FsResp t = fs_apdu(&fc, "804C0000");        /* ADMIN TRIGGER */
            bool cut = false;

            for (;;) {
                char *l = nc_console_wait_re(fc.card->console,
                                             "(I admin: session ok|W admin: "
                                             "session failed|reset=tear)",
                                             NULL, 0, SESSION_WAIT_MS);
                cr_assert(!strstr(l, "session failed"), "round %u, cut at "
                          "%u (%s): %s", k, n, modes[mode], l);
                if (strstr(l, "session ok")) {
                    break;
                }
                cut = true;
                cuts++;
                cr_assert_eq(fs_nvm_get(&fc, "tears"), tears + 1);
                fs_power_on(&fc);
                nc_console_wait(fc.card->console, "I net: dhcp", 30000);
                /* old or new, whole */
                body = page();
                cr_assert(body, "round %u, cut at %u (%s): not served", k, n,
                          modes[mode]);
                bool is_old = strcmp(body, prev) == 0;
                bool is_new = strcmp(body, cur) == 0;
                cr_assert(is_old || is_new, "round %u, cut at %u (%s): a "
                          "mix of versions %u and %u served", k, n,
                          modes[mode], k - 1, k);
                olds += is_old;
                news += is_new;
                /* the card resumes by itself when its state says a
                 * session was running (DF3A 02/03); else the cut came
                 * before the trigger was recorded, or as the end was */
                AdminOutcome o = admin_outcome();
                char *st = job(&srv, k);
                if (o.outcome == 1 && strstr(st, "\"state\": \"done\"")) {
                    break;
                }
                if (o.outcome != 2 && o.outcome != 3) {
                    cr_assert(t.sw == 0, "round %u: trigger %04X, DF3A %s",
                              k, t.sw, o.hex);
                    admin_trigger();
                }
            }
            if (!cut) {
                done = true;            /* no cut in this session */
                fs_arm_tear(&fc, "before", 0);
            }
            char *st = job(&srv, k);
            cr_assert(strstr(st, "\"state\": \"done\""), "round %u: %s", k,
                      st);
            cr_assert(strstr(st, "\"answered\": 1"), "%s", st);
            body = page();
            cr_assert(body && strcmp(body, cur) == 0, "round %u: not the new "
                      "version", k);
            prev = cur;
        }
    }
    cr_assert(done, "the session never completed without a cut");
    /* and curl, the independent client, agrees */
    cr_assert_str_eq(scws_curl("/tear/page.html", &body, NULL), "200");
    cr_assert_str_eq(body, prev);
    cr_assert_gt(cuts, 5u, "only %u flash operations in a session", cuts);
    cr_log_info("%u rounds, %u cuts: right after the cut %u served the old "
                "version, %u the new one", k, cuts, olds, news);
    fs_quit(&fc);
}
