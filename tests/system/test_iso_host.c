/*
 * System tests: what the ISO 7816 terminal tells the host when the card
 * side does something the vpcd framing cannot carry as it is: an answer
 * longer than a frame (65535 bytes). docs/iso7816.md "Answers in error
 * cases" states the rules these tests check.
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

typedef struct Host {
    NcCard *card;
    NcVpcd *vpcd;
    int port;
} Host;

/* Boot the test image, the terminal forced to PROTOCOL ("t0", "t1"). */
static Host host_boot(const char *protocol)
{
    Host h = { 0 };
    const char *extra[] = {
        "-global", nc_strf("netcard-iso7816-uart.protocol=%s", protocol),
        NULL,
    };

    h.card = iso_card_start(extra, &h.port, &h.vpcd);
    return h;
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

/* Cold start from the host and SELECT the test application: 9000. */
static void power_on_select(Host *h)
{
    uint8_t atr[40];
    uint8_t *resp = nc_gc(malloc(RESP_CAP));

    nc_vpcd_ctrl(h->vpcd, NC_VPCD_OFF);
    nc_vpcd_ctrl(h->vpcd, NC_VPCD_ON);
    nc_vpcd_ctrl(h->vpcd, NC_VPCD_ATR);
    size_t n = nc_vpcd_recv(h->vpcd, atr, sizeof(atr), APDU_TIMEOUT_MS);
    cr_assert(n >= 2 && atr[0] == 0x3B, "no ATR after power-on: %s",
              nc_hex(atr, n));
    nc_card_wait_banner(h->card, "power-on", BOOT_TIMEOUT_MS);
    n = xmit(h, select_test_applet, sizeof(select_test_applet), resp);
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
