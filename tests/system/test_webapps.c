/*
 * System tests: web applets (docs/webapps.md "Web applets") on the
 * product image, its contact interface on a port and its web server
 * forwarded: tests/system/webapps_flow.py loads and installs applets
 * over ISO 7816 as GPShell does and reaches their routes with curl and
 * wrk (the real clients).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE
#include "net_card.h"
#include "nvm_image.h"

#include <stdarg.h>

TestSuite(system_webapps, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

#define FLOW_TIMEOUT_MS 240000

typedef struct {
    NcCard *card;
    int iso_port, http_port, https_port;
} WebCard;

/* IMAGE: cardos.elf, or cardos-test.elf where the test fills the
 * content store (PUT /_scws/, tests/cardos/test_web_admin.h). */
static WebCard boot_image(const char *name, const char *image)
{
    WebCard wc;
    const char *nvm = nvm_image_make(name, 0);

    wc.iso_port = nc_free_tcp_port();
    do {
        wc.http_port = nc_free_tcp_port();
    } while (wc.http_port == wc.iso_port);
    do {
        wc.https_port = nc_free_tcp_port();
    } while (wc.https_port == wc.iso_port || wc.https_port == wc.http_port);
    const char *opts[] = {
        "--nvm", nvm, "--iso", nc_strf("listen:127.0.0.1:%d", wc.iso_port),
        "--hostfwd", nc_strf("%d:80", wc.http_port),
        "--hostfwd", nc_strf("%d:4116", wc.https_port), NULL,
    };
    NcCardOpts o = { .image = image, .cmdline_opts = opts };
    wc.card = nc_card_start(&o);
    nc_card_wait_banner(wc.card, "power-on", BOOT_TIMEOUT_MS);
    nc_console_wait(wc.card->console, "I net: link up", NET_UP_TIMEOUT_MS);
    nc_console_wait(wc.card->console, "I boot: ready", READY_TIMEOUT_MS);
    return wc;
}

static WebCard boot_web(const char *name)
{
    return boot_image(name, "cardos.elf");
}

/* webapps_flow.py SCENARIO against WC; its output. */
static char *flow(WebCard *wc, const char *scenario)
{
    const char *build = getenv("NETCARD_CARDOS_DIR");
    cr_assert(build, "NETCARD_CARDOS_DIR is not set (run through make)");
    char *b = nc_strf("%s/..", build);
    const char *app = nc_strf("%s/applets/webapp.ncap", b);
    cr_assert(access(app, R_OK) == 0, "%s is missing: make applets", app);
    const char *argv[] = {
        "/usr/bin/python3",
        nc_strf("%s/tests/system/webapps_flow.py", nc_srcdir()),
        "--port", nc_strf("%d", wc->iso_port),
        "--http", nc_strf("%d", wc->http_port),
        "--https", nc_strf("%d", wc->https_port), "--build", b, scenario, NULL,
    };
    NcSpawnOpts so = { .stderr_to_stdout = true };
    NcProc *p = nc_spawn(nc_strf("webflow-%s", scenario), argv, &so);
    int st = nc_proc_wait_exit(p, FLOW_TIMEOUT_MS);
    char *out = nc_read_file(p->stdout_path, NULL);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0 && out &&
              strstr(out, nc_strf("ok %s", scenario)),
              "webapps_flow.py %s: %s\n%s\nconsole:\n%s", scenario,
              nc_proc_describe(p), out ? out : "",
              nc_file_tail(wc->card->console_path, 3000));
    return out;
}

/*
 * Every status path of an applet route: 200 (method, path, query, a
 * field and the body reach the applet), 405, a relative route under
 * /applets/<AID>/, 507 from the applet past the 2048 bytes, refused
 * registrations, a removed route, 500 from a fault and 503 from a spent
 * budget with the card serving on, 403 once LOCKED, 404 after DELETE.
 */
Test(system_webapps, applet_routes_every_status)
{
    WebCard wc = boot_web("webroutes");
    flow(&wc, "routes");
    nc_console_wait(wc.card->console,
                    "E sys: applet A0000000770601 stopped: time budget "
                    "exceeded", 10000);
    nc_console_wait(wc.card->console,
                    "E sys: applet A0000000770601: 3 faults, LOCKED", 10000);
}

/*
 * The routes are the card's, in the store: back after a power cycle. An
 * applet selected when the terminal resets the card gets no DESELECT
 * (the contact interface resets with interrupts masked; sys/runtime.c),
 * and the card neither faults nor counts it against the applet.
 */
Test(system_webapps, routes_survive_a_power_cycle)
{
    WebCard wc = boot_web("webpersist");
    flow(&wc, "persist");
    nc_console_wait(wc.card->console,
                    "W sys: applet event 2 not run: interrupts masked", 10000);
    char *log = nc_read_file(wc.card->console_path, NULL);
    cr_assert(log && !strstr(log, "FAULT") && !strstr(log, "stopped"),
              "console:\n%s", log ? log : "");
}

/* The wallet's transactions (dates, merchants) through APDUs and its
 * JSON on /wallet/api/state agree with the model; its page comes from
 * the content store. */
Test(system_webapps, wallet_state_over_http)
{
    WebCard wc = boot_image("webwallet", "cardos-test.elf");
    flow(&wc, "wallet");
}

/* The same route over PSK-TLS on 4116 (openssl s_client as the peer):
 * method, query, a field and the body reach the applet, which is told
 * the port. */
Test(system_webapps, applet_route_over_psk_tls)
{
    WebCard wc = boot_web("webhttps");
    flow(&wc, "https");
}

/* wrk against an applet route: no errors; ISO 7816 answers after. */
Test(system_webapps, wrk_on_an_applet_route)
{
    WebCard wc = boot_web("webwrk");
    char *out = flow(&wc, "wrk");
    cr_assert(!nc_proc_exited(wc.card->qemu), "QEMU %s under wrk:\n%s",
              nc_proc_describe(wc.card->qemu), out);
}

/* A port P with P+1 free too: vpcd listens on both (two slots). */
static int free_vpcd_port(void)
{
    for (int tries = 0; tries < 50; tries++) {
        int p = nc_free_tcp_port();
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in a = {
            .sin_family = AF_INET,
            .sin_port = htons((uint16_t)(p + 1)),
            .sin_addr.s_addr = htonl(INADDR_ANY),
        };
        bool ok = fd >= 0 && p + 1 < 65536 &&
                  bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
        if (fd >= 0) {
            close(fd);
        }
        if (ok) {
            return p;
        }
    }
    nc_fail("no pair of free ports for vpcd");
}

/*
 * The wallet in headless Chromium (tests/system/webapps_browser.py, the
 * DevTools protocol): credits and debits made over pcscd + vpcd with
 * pyscard; its page in the content store and /wallet/ protected by the
 * card's PIN1; the browser logs in (Digest) and /wallet/ on a
 * phone-sized screen shows that balance and those transactions, newest
 * first (the screenshot is kept in the test's folder; docs/webapps.md
 * shows one). Three wrong PINs in a second browser block the web login
 * (403) and ISO 7816 VERIFY (6983).
 */
Test(system_webapps, wallet_in_a_browser)
{
    (void)nc_tool("chromium", "chromium");
    (void)nc_tool("pcscd", "pcscd");
    (void)nc_tool("unshare", "util-linux");
    int port = free_vpcd_port();
    int http = nc_free_tcp_port();
    const char *opts[] = {
        "--nvm", nvm_image_make("webbrowser", 0),
        "--iso", nc_strf("connect:127.0.0.1:%d", port),
        "--iso-reconnect-ms", "200",
        "--hostfwd", nc_strf("%d:80", http), NULL,
    };
    NcCardOpts o = { .image = "cardos-test.elf", .cmdline_opts = opts };
    NcCard *card = nc_card_start(&o);
    nc_card_wait_banner(card, "power-on", BOOT_TIMEOUT_MS);
    nc_console_wait(card->console, "I net: link up", NET_UP_TIMEOUT_MS);
    const char *shot = nc_tmp_path("wallet.png");
    const char *argv[] = {
        nc_strf("%s/tests/system/pcsc-session.sh", nc_srcdir()),
        nc_tmp_path("pcsc-browser"), nc_strf("%d", port),
        "/usr/bin/python3",
        nc_strf("%s/tests/system/webapps_browser.py", nc_srcdir()),
        "--reader", "Virtual PCD 00 00", "--http", nc_strf("%d", http),
        "--build", nc_strf("%s/..", getenv("NETCARD_CARDOS_DIR")),
        "--shot", shot, NULL,
    };
    setenv("NETCARD_PCSC_WAIT_CARD", "1", 1);
    NcSpawnOpts so = { .cwd = nc_tmpdir(), .stderr_to_stdout = true };
    NcProc *p = nc_spawn("browser", argv, &so);
    int st = nc_proc_wait_exit(p, FLOW_TIMEOUT_MS);
    char *out = nc_read_file(p->stdout_path, NULL);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0 && out &&
              strstr(out, "ok browser"),
              "webapps_browser.py: %s\n%s\nconsole:\n%s", nc_proc_describe(p),
              out ? out : "", nc_file_tail(card->console_path, 3000));
    size_t len = 0;
    char *png = nc_read_file(shot, &len);
    cr_assert(png && len > 10000 && memcmp(png, "\x89PNG", 4) == 0,
              "no screenshot at %s", shot);
}
