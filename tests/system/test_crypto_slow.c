/*
 * System tests: the card on a slow crypto coprocessor, set through the
 * engine's timing properties within their ranges (docs/crypto.md "Timing
 * model"). The card must never end up resetting itself through its
 * watchdog:
 *
 * - an engine slow but within what the card's driver waits for one
 *   command (docs/crypto.md "Card OS": 500 ms) serves, however long the
 *   power-on self-tests take in all;
 * - an engine whose command takes longer (every timing property at the
 *   top of its range: an ECDSA verification takes 1 s) is a failed
 *   engine: one clear error line, the refused state (every APDU 6F00),
 *   and the card stays up.
 *
 * Before, the driver waited 2 s for a command, the watchdog bit after
 * 1 s + 1 s without a kick, and the self-tests at boot ran without one:
 * both cards reset (cause watchdog) over and over.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "system.h"
#include "iso_card.h"

#include <stdlib.h>

TestSuite(system_crypto_slow, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

#define APDU_TIMEOUT_MS  30000
/* How long a card that resets in a loop needs to show it (bark 1 s, bite
 * 1 s later, a boot): watched well past that. */
#define WATCH_MS         6000

#define SELFTEST_RE "^I crypto: self-tests passed \\(18 KATs, ([0-9]+) ms\\)$"

typedef struct Slow {
    NcCard *card;
    NcVpcd *vpcd;
} Slow;

/* The test image, its ISO 7816 interface on a free port, plus GLOBALS. */
static Slow boot_with(const char *const *globals)
{
    Slow s = { 0 };
    const char *args[64];
    size_t n = 0;
    int port = nc_free_tcp_port();

    args[n++] = "-chardev";
    args[n++] = nc_strf("socket,id=iso,host=127.0.0.1,port=%d,server=on,"
                        "wait=off,nodelay=on", port);
    args[n++] = "-serial";
    args[n++] = "chardev:iso";
    for (size_t i = 0; globals[i]; i++) {
        cr_assert_lt(n, sizeof(args) / sizeof(args[0]) - 2);
        args[n++] = "-global";
        args[n++] = globals[i];
    }
    args[n] = NULL;
    NcCardOpts o = { .image = "cardos-test.elf", .extra_args = args };
    s.card = nc_card_start(&o);
    nc_card_wait_banner(s.card, "power-on", BOOT_TIMEOUT_MS);
    s.vpcd = nc_vpcd_connect(port, NC_TIMEOUT_START_MS, s.card->qemu);
    return s;
}

/* Host power-on (a cold reset: the self-tests run again), then SELECT. */
static uint16_t power_on_select(Slow *s)
{
    uint8_t atr[40];
    uint8_t *resp = nc_gc(malloc(300));

    nc_vpcd_ctrl(s->vpcd, NC_VPCD_OFF);
    nc_vpcd_ctrl(s->vpcd, NC_VPCD_ON);
    nc_vpcd_ctrl(s->vpcd, NC_VPCD_ATR);
    size_t n = nc_vpcd_recv(s->vpcd, atr, sizeof(atr), APDU_TIMEOUT_MS);
    cr_assert_gt(n, 2u, "no ATR after power-on");
    nc_card_wait_banner(s->card, "power-on", BOOT_TIMEOUT_MS);
    nc_vpcd_send(s->vpcd, select_test_applet, sizeof(select_test_applet));
    n = nc_vpcd_recv(s->vpcd, resp, 300, APDU_TIMEOUT_MS);
    cr_assert_geq(n, 2u, "SELECT: empty answer");
    return (uint16_t)(resp[n - 2] << 8 | resp[n - 1]);
}

/* Lines of the console so far that contain NEEDLE. */
static unsigned console_count(Slow *s, const char *needle)
{
    char *text = nc_gc(nc_read_file(s->card->console_path, NULL));
    unsigned n = 0;

    for (const char *p = text; p && (p = strstr(p, needle)); p++) {
        n++;
    }
    return n;
}

/* No reset of any kind, no watchdog bark, for WATCH_MS more. */
static void expect_no_more_resets(Slow *s, unsigned banners)
{
    nc_nap_ms(WATCH_MS);
    cr_assert(!nc_proc_exited(s->card->qemu), "QEMU %s",
              nc_proc_describe(s->card->qemu));
    cr_assert_eq(console_count(s, "WATCHDOG"), 0u, "the watchdog barked:\n%s",
                 nc_file_tail(s->card->console_path, 1500));
    cr_assert_eq(console_count(s, "netcard cardos "), banners, "the card "
                 "booted %u times, expected %u (QEMU start, host power-on):"
                 "\n%s", console_count(s, "netcard cardos "), banners,
                 nc_file_tail(s->card->console_path, 1500));
    char *cause = nc_qmp(s->card->qmp, "{'execute': 'qom-get', 'arguments': "
                         "{'path': '/machine/soc/sysctl', 'property': "
                         "'reset-cause'}}");
    cr_assert_str_eq(cause, "\"power-on\"");
}

/*
 * Each public-key command between 250 and 420 ms: under the driver's
 * 500 ms, but the self-tests take about 2 s before the event loop (and
 * its watchdog kicks) runs.
 */
Test(system_crypto_slow, slow_engine_within_the_drivers_wait_serves)
{
    static const char *const globals[] = {
        "netcard-crypto.ecdsa-p256-verify-cycles=20000000",
        "netcard-crypto.ecdsa-p256-sign-cycles=20000000",
        "netcard-crypto.ecdh-p256-cycles=20000000",
        "netcard-crypto.rsa2048-public-cycles=48000000",
        "netcard-crypto.rsa2048-crt-cycles=48000000",
        NULL,
    };
    Slow s = boot_with(globals);
    regmatch_t m[2];

    char *l = nc_console_wait_re(s.card->console, SELFTEST_RE, m, 2,
                                 BOOT_TIMEOUT_MS);
    unsigned ms = (unsigned)strtoul(nc_match_str(l, m, 1), NULL, 10);
    cr_assert_geq(ms, 1500u, "the self-tests took %u ms: the engine is not "
                  "as slow as set", ms);
    nc_console_wait(s.card->console, "ready", READY_TIMEOUT_MS);
    cr_assert_eq(power_on_select(&s), 0x9000, "SELECT on a slow engine");
    nc_console_wait_re(s.card->console, SELFTEST_RE, NULL, 0,
                       BOOT_TIMEOUT_MS);
    expect_no_more_resets(&s, 2);
}

/* Every timing property of the engine at the top of its range. */
Test(system_crypto_slow, over_long_command_refuses_service_not_resets)
{
    static const char *const globals[] = {
        "netcard-crypto.setup-cycles=480000",
        "netcard-crypto.aes-cycles-per-block=480000",
        "netcard-crypto.tdes-cycles-per-block=480000",
        "netcard-crypto.sha1-cycles-per-block=480000",
        "netcard-crypto.sha256-cycles-per-block=480000",
        "netcard-crypto.sha512-cycles-per-block=480000",
        "netcard-crypto.key-cycles=480000",
        "netcard-crypto.rsa2048-public-cycles=48000000",
        "netcard-crypto.rsa2048-crt-cycles=48000000",
        "netcard-crypto.ecdsa-p256-sign-cycles=48000000",
        "netcard-crypto.ecdsa-p256-verify-cycles=48000000",
        "netcard-crypto.ecdh-p256-cycles=48000000",
        "netcard-crypto.ec-p256-keygen-cycles=48000000",
        "netcard-crypto.ecdsa-p384-sign-cycles=48000000",
        "netcard-crypto.ecdsa-p384-verify-cycles=48000000",
        "netcard-crypto.ecdh-p384-cycles=48000000",
        "netcard-crypto.ec-p384-keygen-cycles=48000000",
        NULL,
    };
    Slow s = boot_with(globals);

    nc_console_wait(s.card->console, "no completion within 500 ms",
                    BOOT_TIMEOUT_MS);
    nc_console_wait(s.card->console, "E crypto: crypto coprocessor failed: "
                    "card refuses service (6F00)", BOOT_TIMEOUT_MS);
    nc_console_wait(s.card->console, "ready", READY_TIMEOUT_MS);
    cr_assert_eq(power_on_select(&s), 0x6F00, "SELECT on a card whose "
                 "engine failed its self-test must answer 6F00");
    expect_no_more_resets(&s, 2);
}
