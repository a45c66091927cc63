/*
 * System tests: what the ISO 7816 terminal tells the host when the card
 * side does something the vpcd framing cannot carry as it is: an answer
 * longer than a frame (65535 bytes); a reset the terminal did not cause
 * (QMP system_reset, a power cycle, software, watchdog, tear); a power-off
 * from the host while an exchange runs. docs/iso7816.md "Answers in error
 * cases" and "Resets the terminal did not cause" state the rules these
 * tests check.
 *
 * The card is the test image (cardos-test.elf) and its test application
 * (GENERATE N, INS 12: N bytes 00 01 .. FF 00 .., docs/iso7816-card.md);
 * the test plays vpcd (tests/lib nc_vpcd_*).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "system.h"
#include "iso_card.h"

#include <stdlib.h>

TestSuite(system_iso_host, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

#define APDU_TIMEOUT_MS  30000
/* A whole vpcd frame's payload, and more, so an over-long frame shows. */
#define RESP_CAP         (70 * 1024)

#define INS_ECHO      0x10
#define INS_GENERATE  0x12
#define INS_DELAY     0x20

/*
 * The reset tests set the terminal's waiting time (timing=fast) to 30 s:
 * a host that is not told of the reset waits at least that long (T=1:
 * several times, with its error recovery), so "answered within 15 s"
 * tells the behaviours apart on any machine.
 */
#define WAIT_GLOBAL       "netcard-iso7816-uart.fast-wait-ms=30000"
#define ANSWER_WITHIN_MS  15000

typedef struct Host {
    NcCard *card;
    NcVpcd *vpcd;
    int port;
} Host;

/*
 * Boot IMAGE, the terminal forced to PROTOCOL ("t0", "t1"), its waiting
 * time 30 s if LONG_WAIT, plus EXTRA (two arguments, may be NULL).
 */
static Host host_boot_image(const char *image, const char *protocol,
                            bool long_wait, const char *extra1,
                            const char *extra2)
{
    Host h = { 0 };
    const char *extra[8];
    size_t n = 0;

    extra[n++] = "-global";
    extra[n++] = nc_strf("netcard-iso7816-uart.protocol=%s", protocol);
    if (long_wait) {
        extra[n++] = "-global";
        extra[n++] = WAIT_GLOBAL;
    }
    if (extra1) {
        extra[n++] = extra1;
        extra[n++] = extra2;
    }
    extra[n] = NULL;
    h.card = iso_card_start_image(image, extra, &h.port, &h.vpcd);
    return h;
}

static Host host_boot(const char *protocol)
{
    return host_boot_image("cardos-test.elf", protocol, false, NULL, NULL);
}

static size_t xmit(Host *h, const uint8_t *apdu, size_t len, uint8_t *resp)
{
    nc_vpcd_send(h->vpcd, apdu, len);
    return nc_vpcd_recv(h->vpcd, resp, RESP_CAP, APDU_TIMEOUT_MS);
}

static uint16_t sw_of(const uint8_t *resp, size_t n)
{
    return n >= 2 ? (uint16_t)(resp[n - 2] << 8 | resp[n - 1]) : 0;
}

/* Cold start from the host: the ATR, the power-on banner. */
static void power_on(Host *h)
{
    uint8_t atr[40];

    nc_vpcd_ctrl(h->vpcd, NC_VPCD_OFF);
    nc_vpcd_ctrl(h->vpcd, NC_VPCD_ON);
    nc_vpcd_ctrl(h->vpcd, NC_VPCD_ATR);
    size_t n = nc_vpcd_recv(h->vpcd, atr, sizeof(atr), APDU_TIMEOUT_MS);
    cr_assert(n >= 2 && atr[0] == 0x3B, "no ATR after power-on: %s",
              nc_hex(atr, n));
    nc_card_wait_banner(h->card, "power-on", BOOT_TIMEOUT_MS);
}

/* ... and SELECT the test application: 9000. */
static void power_on_select(Host *h)
{
    uint8_t *resp = nc_gc(malloc(RESP_CAP));

    power_on(h);
    size_t n = xmit(h, select_test_applet, sizeof(select_test_applet), resp);
    cr_assert_eq(sw_of(resp, n), 0x9000, "SELECT test applet: %s",
                 nc_hex(resp, n));
}

/* ECHO of a few bytes answers exactly them: the stream is in step. */
static void expect_in_step(Host *h, uint8_t tag, const char *after)
{
    const uint8_t apdu[] = { 0x80, INS_ECHO, 0x00, 0x00, 0x03,
                             tag, 0x5A, (uint8_t)~tag, 0x00 };
    const uint8_t want[] = { tag, 0x5A, (uint8_t)~tag, 0x90, 0x00 };
    uint8_t *resp = nc_gc(malloc(RESP_CAP));
    size_t n = xmit(h, apdu, sizeof(apdu), resp);

    cr_assert(n == sizeof(want) && !memcmp(resp, want, n),
              "ECHO after %s answered %s (%zu bytes), expected %s: the "
              "answers are out of step with the commands", after,
              nc_hex(resp, n > 16 ? 16 : n), n, nc_hex(want, sizeof(want)));
}

/* GENERATE's data: byte i is i mod 256. */
static void expect_pattern(const uint8_t *d, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(d[i], (uint8_t)i, "%s: byte %zu is %02X, expected %02X",
                     what, i, d[i], (uint8_t)i);
    }
}

/*
 * T=1 passes the C-APDU as it is; an R-APDU longer than a vpcd frame
 * (65535 bytes) is answered 6700 instead, and the next command gets its
 * own answer. Before the fix the frame length wrapped (0x0000) and the
 * 65536 bytes that followed were read as further frames.
 */
Test(system_iso_host, t1_answer_over_a_frame_is_6700_and_in_step)
{
    Host h = host_boot("t1");
    uint8_t *resp = nc_gc(malloc(RESP_CAP));
    size_t n;

    power_on_select(&h);
    /* the largest that fits: 65533 bytes + 9000 = 65535 */
    static const uint8_t gen_fit[] = { 0x80, INS_GENERATE, 0xFF, 0xFD,
                                       0x00, 0x00, 0x00 };
    n = xmit(&h, gen_fit, sizeof(gen_fit), resp);
    cr_assert_eq(n, 65535u, "GENERATE 65533 (Le 0000): %zu bytes", n);
    cr_assert_eq(sw_of(resp, n), 0x9000);
    expect_pattern(resp, n - 2, "GENERATE 65533");

    /* one byte more: 65534 + SW = 65536 bytes, no frame carries it */
    static const uint8_t gen_over[] = { 0x80, INS_GENERATE, 0xFF, 0xFE,
                                        0x00, 0x00, 0x00 };
    n = xmit(&h, gen_over, sizeof(gen_over), resp);
    cr_assert(n == 2 && sw_of(resp, n) == 0x6700, "GENERATE 65534 (Le "
              "0000) under T=1 answered %zu bytes %s..., expected 6700", n,
              nc_hex(resp, n > 8 ? 8 : n));
    expect_in_step(&h, 0x01, "GENERATE 65534");

    /* a case 1 command the card answers with data anyway: same rule */
    static const uint8_t gen_case1[] = { 0x80, INS_GENERATE, 0xFF, 0xFE };
    n = xmit(&h, gen_case1, sizeof(gen_case1), resp);
    cr_assert(n == 2 && sw_of(resp, n) == 0x6700, "GENERATE 65534 (case 1) "
              "answered %zu bytes %s..., expected 6700", n,
              nc_hex(resp, n > 8 ? 8 : n));
    expect_in_step(&h, 0x02, "GENERATE 65534 (case 1)");

    /* the card is still powered and selected: no new power-on */
    n = xmit(&h, gen_fit, sizeof(gen_fit), resp);
    cr_assert_eq(n, 65535u, "GENERATE 65533 again: %zu bytes", n);
}

/* ------------------------------------------------------------------ */
/* Resets the terminal did not cause                                   */

/* Receive the answer to the frame just sent within ANSWER_WITHIN_MS. */
static size_t answer(Host *h, uint8_t *resp, const char *what)
{
    int64_t t0 = nc_now_ms();

    if (!nc_vpcd_pending(h->vpcd, ANSWER_WITHIN_MS)) {
        nc_fail("%s: no answer within %d ms (the terminal's waiting time "
                "is 30 s: it did not notice the card's reset)", what,
                ANSWER_WITHIN_MS);
    }
    size_t n = nc_vpcd_recv(h->vpcd, resp, RESP_CAP, 1000);
    cr_log_info("%s: answered %zu bytes after %lld ms", what, n,
                (long long)(nc_now_ms() - t0));
    return n;
}

/* SELECT the test application: 9000 within the bound. */
static void expect_select_ok(Host *h, const char *what)
{
    uint8_t *resp = nc_gc(malloc(RESP_CAP));

    nc_vpcd_send(h->vpcd, select_test_applet, sizeof(select_test_applet));
    size_t n = answer(h, resp, what);
    cr_assert_eq(sw_of(resp, n), 0x9000, "%s: %s, expected 9000", what,
                 nc_hex(resp, n));
}

/*
 * The host was idle when the card reset: its next command is not sent
 * to the card and gets the error answer (empty frame) at once, the one
 * way vpcd lets the terminal say "the card is not where you left it";
 * the command after it works on the card, which the terminal has read
 * the new ATR of meanwhile.
 */
static void expect_reported_then_served(Host *h, const char *what)
{
    uint8_t *resp = nc_gc(malloc(RESP_CAP));

    nc_vpcd_send(h->vpcd, select_test_applet, sizeof(select_test_applet));
    size_t n = answer(h, resp, what);
    cr_assert_eq(n, 0u, "%s: the first command after the reset answered "
                 "%s, expected the empty error answer", what,
                 nc_hex(resp, n));
    expect_select_ok(h, nc_strf("%s, then SELECT", what));
    expect_in_step(h, 0x11, what);
}

static void qmp_reset(Host *h, const char *kind)
{
    if (!strcmp(kind, "warm")) {
        nc_qmp(h->card->qmp, "{'execute': 'system_reset'}");
    } else {
        nc_qmp(h->card->qmp, "{'execute': 'qom-set', 'arguments': {'path': "
               "'/machine/soc/sysctl', 'property': 'power-cycle', 'value': "
               "true}}");
    }
}

/* DELAY MS (test application): the card answers 9000 after MS ms. */
static void send_delay(Host *h, unsigned ms)
{
    const uint8_t apdu[] = { 0x80, INS_DELAY, (uint8_t)(ms >> 8),
                             (uint8_t)ms };

    nc_vpcd_send(h->vpcd, apdu, sizeof(apdu));
}

static void resets_by_qmp(const char *protocol)
{
    Host h = host_boot_image("cardos-test.elf", protocol, true, NULL, NULL);
    uint8_t *resp = nc_gc(malloc(RESP_CAP));
    static const char *const kinds[] = { "warm", "power-on" };

    power_on_select(&h);
    for (size_t i = 0; i < 2; i++) {
        /* while the host is idle */
        qmp_reset(&h, kinds[i]);
        nc_card_wait_banner(h.card, kinds[i], BOOT_TIMEOUT_MS);
        expect_reported_then_served(&h, nc_strf("%s reset while idle (%s)",
                                                kinds[i], protocol));

        /* during an exchange: DELAY 30 s */
        send_delay(&h, 30000);
        nc_nap_ms(500);
        qmp_reset(&h, kinds[i]);
        size_t n = answer(&h, resp, nc_strf("DELAY cut by a %s reset (%s)",
                                            kinds[i], protocol));
        cr_assert_eq(n, 0u, "the exchange the reset cut answered %s, "
                     "expected the empty error answer", nc_hex(resp, n));
        nc_card_wait_banner(h.card, kinds[i], BOOT_TIMEOUT_MS);
        expect_select_ok(&h, nc_strf("SELECT after the %s reset that cut "
                                     "an exchange (%s)", kinds[i], protocol));
    }
}

Test(system_iso_host, qmp_resets_are_noticed_t1)
{
    resets_by_qmp("t1");
}

Test(system_iso_host, qmp_resets_are_noticed_t0)
{
    resets_by_qmp("t0");
}

/*
 * A software reset (what the card OS's fault handler ends with) written
 * through a qtest socket beside the running card: sysctl RESET_CTRL with
 * its key (docs/machine.md).
 */
Test(system_iso_host, software_reset_is_noticed)
{
    const char *sock = nc_tmp_path("qtest.sock");
    int lfd = nc_unix_listen(sock);
    Host h = host_boot_image("cardos-test.elf", "t1", true, "-qtest",
                             nc_strf("unix:%s", sock));
    NcConn qt = { .fd = nc_accept(lfd, NC_TIMEOUT_START_MS, h.card->qemu,
                                  "qtest"), .what = "qtest" };

    power_on_select(&h);
    cr_assert(nc_conn_send(&qt, "writel 0x4000000c 0x5afe0001\n"));
    char *ok = nc_conn_readline(&qt, nc_now_ms() + NC_TIMEOUT_CMD_MS);
    cr_assert(ok && !strncmp(ok, "OK", 2), "qtest writel: %s",
              ok ? ok : "(nothing)");
    nc_card_wait_banner(h.card, "software", BOOT_TIMEOUT_MS);
    expect_reported_then_served(&h, "software reset while idle");
}

/*
 * A power cut by NVM tearing in the middle of a command that writes
 * (a wrong VERIFY of PIN1, to the file system, the basic channel's
 * default application, decrements its counter): the command is answered
 * with the error answer at once, the card is served again.
 */
Test(system_iso_host, tear_during_a_command_is_noticed)
{
    Host h = host_boot_image("cardos-test.elf", "t1", true, NULL, NULL);
    uint8_t *resp = nc_gc(malloc(RESP_CAP));
    static const uint8_t wrong_verify[] = {
        0x00, 0x20, 0x00, 0x01, 0x08,
        0x39, 0x39, 0x39, 0x39, 0xFF, 0xFF, 0xFF, 0xFF,
    };

    power_on(&h);
    nc_qmp(h.card->qmp, "{'execute': 'qom-set', 'arguments': {'path': "
           "'/machine/soc/nvm', 'property': 'tear-after', 'value': 1}}");
    nc_vpcd_send(h.vpcd, wrong_verify, sizeof(wrong_verify));
    size_t n = answer(&h, resp, "VERIFY cut by a tear");
    cr_assert_eq(n, 0u, "the command cut by the tear answered %s, expected "
                 "the empty error answer", nc_hex(resp, n));
    nc_card_wait_banner(h.card, "tear", BOOT_TIMEOUT_MS);
    expect_select_ok(&h, "SELECT after the tear");
    expect_in_step(&h, 0x12, "the tear");
}

/*
 * cardos-watchdog.elf stops kicking its watchdog on a power-on boot once
 * storage is up: after its ATR, before it serves any command. Under T=0
 * without PPS the terminal is ready at once, the host's command waits on
 * the hung card until the watchdog resets it (a second or two), then gets
 * the error answer at once; the card boots (reset=watchdog) and answers.
 * (With PPS the reset comes while the terminal waits for the PPS answer:
 * the activation simply starts again, the host only waits a little.)
 */
Test(system_iso_host, watchdog_reset_during_a_command_is_noticed)
{
    Host h = host_boot_image("cardos-watchdog.elf", "t0", true, "-global",
                             "netcard-iso7816-uart.pps=off");
    uint8_t *resp = nc_gc(malloc(RESP_CAP));

    /* QEMU's own power-on boot starves too: let that reset pass first */
    nc_card_wait_banner(h.card, "watchdog", BOOT_TIMEOUT_MS);
    power_on(&h);
    nc_vpcd_send(h.vpcd, select_test_applet, sizeof(select_test_applet));
    size_t n = answer(&h, resp, "SELECT to a card that hangs");
    cr_assert_eq(n, 0u, "the command the watchdog reset cut answered %s, "
                 "expected the empty error answer", nc_hex(resp, n));
    nc_card_wait_banner(h.card, "watchdog", BOOT_TIMEOUT_MS);
    /* the watchdog image has no test application: SELECT answers 6A82 */
    nc_vpcd_send(h.vpcd, select_test_applet, sizeof(select_test_applet));
    n = answer(&h, resp, "SELECT after the watchdog reset");
    cr_assert_eq(sw_of(resp, n), 0x6A82, "SELECT after the watchdog reset: "
                 "%s", nc_hex(resp, n));
}

/* ------------------------------------------------------------------ */
/* Power-off from the host during an exchange                          */

static void power_off_cuts_delay(const char *protocol)
{
    Host h = host_boot_image("cardos-test.elf", protocol, true, NULL, NULL);
    uint8_t *resp = nc_gc(malloc(RESP_CAP));

    power_on_select(&h);
    send_delay(&h, 30000);
    nc_nap_ms(500);
    nc_vpcd_ctrl(h.vpcd, NC_VPCD_OFF);
    size_t n = answer(&h, resp, nc_strf("DELAY 30 s cut by power-off (%s)",
                                        protocol));
    cr_assert_eq(n, 0u, "the exchange the power-off cut answered %s, "
                 "expected the empty error answer", nc_hex(resp, n));
    char *state = nc_qmp(h.card->qmp, "{'execute': 'qom-get', 'arguments': "
                         "{'path': '/machine/soc/iso7816', 'property': "
                         "'terminal-state'}}");
    cr_assert_str_eq(state, "\"off\"", "terminal-state after the power-off");
    /* a command to the unpowered card: the error answer, at once */
    nc_vpcd_send(h.vpcd, select_test_applet, sizeof(select_test_applet));
    n = answer(&h, resp, "SELECT with the card off");
    cr_assert_eq(n, 0u);
    power_on_select(&h);
    expect_in_step(&h, 0x13, "power-off during DELAY");
}

Test(system_iso_host, power_off_ends_an_exchange_at_once_t1)
{
    power_off_cuts_delay("t1");
}

Test(system_iso_host, power_off_ends_an_exchange_at_once_t0)
{
    power_off_cuts_delay("t0");
}
