/*
 * System tests: the ISO 7816 contact interface as a host program sees it,
 * through vpcd framing on the card's socket (DESIGN.md "Host interfaces").
 *
 * The card OS runs its real ATR / PPS / T=0 / T=1 stack against the
 * terminal inside the UART model; the test plays vpcd. Expected values are
 * independent of the card: ISO 7816-3's ATR rules (TS, TCK), the bytes the
 * test itself sent (ECHO), and the test applet's documented contract
 * (tests/cardos/test_applet.h, docs/iso7816-card.md).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "system.h"
#include "iso_card.h"

#include <stdlib.h>

TestSuite(system_iso7816, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

#define APDU_TIMEOUT_MS  30000
#define MAX_RAPDU        (65536 + 2)

#define INS_ECHO   0x10
#define INS_DELAY  0x20

typedef struct IsoCard {
    NcCard *card;
    NcVpcd *vpcd;
    int port;
} IsoCard;

/* Boot cardos-test.elf with the ISO 7816 interface listening on a free port. */
static IsoCard boot_iso_card(const char *protocol)
{
    IsoCard ic = { 0 };
    const char *uart_protocol[] = {
        "-global", protocol ? nc_strf("netcard-iso7816-uart.protocol=%s", protocol) : NULL,
        NULL,
    };

    ic.card = iso_card_start(protocol ? uart_protocol : NULL, &ic.port, &ic.vpcd);
    return ic;
}

static size_t get_atr(IsoCard *ic, uint8_t *atr, size_t cap)
{
    nc_vpcd_ctrl(ic->vpcd, NC_VPCD_ATR);
    return nc_vpcd_recv(ic->vpcd, atr, cap, APDU_TIMEOUT_MS);
}

/* ISO 7816-3 8.2: TS, then T0..TCK XOR to zero when TCK is present. */
static void check_atr(const uint8_t *atr, size_t len)
{
    cr_assert_geq(len, 2u, "ATR too short: %s", nc_hex(atr, len));
    cr_assert_eq(atr[0], 0x3B, "TS is %02X, expected 3B (direct "
                 "convention): %s", atr[0], nc_hex(atr, len));
    /* Walk the interface bytes to find the protocols and whether TCK is
     * present (only T=0 alone omits it). */
    uint8_t y = atr[1] >> 4, k = atr[1] & 0x0F;
    bool t0 = false, t1 = false, only_t0 = true;
    size_t i = 2;
    for (int level = 1;; level++) {
        i += !!(y & 1) + !!(y & 2) + !!(y & 4);
        if (!(y & 8)) {
            if (level == 1) {
                t0 = true;   /* no TD1: T=0 implicitly */
            }
            break;
        }
        cr_assert_lt(i, len, "ATR truncated in the interface bytes: %s",
                     nc_hex(atr, len));
        uint8_t td = atr[i++];
        if ((td & 0x0F) == 0) {
            t0 = true;
        } else if ((td & 0x0F) == 1) {
            t1 = true;
        }
        if ((td & 0x0F) != 0) {
            only_t0 = false;
        }
        y = td >> 4;
    }
    size_t expected = i + k + (only_t0 ? 0 : 1);
    cr_assert_eq(len, expected, "ATR length %zu, the interface bytes and "
                 "K=%u say %zu: %s", len, k, expected, nc_hex(atr, len));
    cr_assert(t0 && t1, "the ATR must offer T=0 and T=1: %s",
              nc_hex(atr, len));
    uint8_t x = 0;
    for (size_t j = 1; j < len; j++) {
        x ^= atr[j];
    }
    cr_assert_eq(x, 0, "TCK check fails (XOR T0..TCK = %02X): %s", x,
                 nc_hex(atr, len));
}

static size_t transmit(IsoCard *ic, const uint8_t *apdu, size_t len,
                       uint8_t *resp)
{
    nc_vpcd_send(ic->vpcd, apdu, len);
    return nc_vpcd_recv(ic->vpcd, resp, MAX_RAPDU, APDU_TIMEOUT_MS);
}

static void expect_sw(const uint8_t *resp, size_t n, uint16_t sw,
                      const char *what)
{
    cr_assert_geq(n, 2u, "%s: response too short: %s", what,
                  nc_hex(resp, n));
    uint16_t got = (uint16_t)(resp[n - 2] << 8 | resp[n - 1]);
    cr_assert_eq(got, sw, "%s: SW %04X, expected %04X (response %s)", what,
                 got, sw, nc_hex(resp, n > 64 ? 64 : n));
}

/*
 * Cold-start the card from the host (vpcd 00 then 01: the terminal starts
 * with VCC off, docs/iso7816.md), check its ATR and select the applet.
 */
static void power_on_and_select(IsoCard *ic)
{
    uint8_t atr[40];
    nc_vpcd_ctrl(ic->vpcd, NC_VPCD_OFF);
    nc_vpcd_ctrl(ic->vpcd, NC_VPCD_ON);
    size_t n = get_atr(ic, atr, sizeof(atr));
    check_atr(atr, n);
    nc_card_wait_banner(ic->card, "power-on", BOOT_TIMEOUT_MS);
    uint8_t *resp = nc_gc(malloc(MAX_RAPDU));
    n = transmit(ic, select_test_applet, sizeof(select_test_applet), resp);
    expect_sw(resp, n, 0x9000, "SELECT test applet");
}

/* ECHO LEN random bytes: short APDU when it fits, extended otherwise. */
static void echo(IsoCard *ic, size_t len, bool extended)
{
    uint8_t *apdu = nc_gc(malloc(len + 9));
    uint8_t *resp = nc_gc(malloc(MAX_RAPDU));
    size_t n = 0;
    apdu[n++] = 0x80;
    apdu[n++] = INS_ECHO;
    apdu[n++] = 0x00;
    apdu[n++] = 0x00;
    if (extended) {
        apdu[n++] = 0x00;
        apdu[n++] = (uint8_t)(len >> 8);
        apdu[n++] = (uint8_t)len;
    } else if (len) {
        apdu[n++] = (uint8_t)len;
    }
    uint8_t *data = apdu + n;
    for (size_t i = 0; i < len; i++) {
        data[i] = (uint8_t)rand();
    }
    n += len;
    if (extended) {
        apdu[n++] = 0x00;    /* Le = 0000: up to 65536 */
        apdu[n++] = 0x00;
        if (!len) {
            apdu[4] = 0x00;  /* case 2E: 00 Le1 Le2 */
        }
    } else {
        apdu[n++] = 0x00;    /* Le = 00: up to 256 */
    }
    size_t r = transmit(ic, apdu, n, resp);
    char *what = nc_strf("ECHO %zu bytes (%s)", len,
                         extended ? "extended" : "short");
    expect_sw(resp, r, 0x9000, what);
    cr_assert_eq(r - 2, len, "%s: %zu bytes back", what, r - 2);
    cr_assert(memcmp(resp, data, len) == 0, "%s: data differs", what);
}

/*
 * get-ATR is the host's presence poll: it answers the inserted card's ATR,
 * also while the card is powered off (docs/iso7816.md), and power-on is a
 * cold reset of the card.
 */
Test(system_iso7816, atr_is_the_presence_poll)
{
    IsoCard ic = boot_iso_card(NULL);
    uint8_t atr1[40], atr2[40];
    size_t n1 = get_atr(&ic, atr1, sizeof(atr1));
    check_atr(atr1, n1);
    nc_card_wait_banner(ic.card, "power-on", BOOT_TIMEOUT_MS);

    nc_vpcd_ctrl(ic.vpcd, NC_VPCD_OFF);
    size_t n2 = get_atr(&ic, atr2, sizeof(atr2));
    cr_assert(n1 == n2 && memcmp(atr1, atr2, n1) == 0, "get-ATR while off "
              "answered %s, expected the card's ATR %s", nc_hex(atr2, n2),
              nc_hex(atr1, n1));

    nc_vpcd_ctrl(ic.vpcd, NC_VPCD_ON);
    n2 = get_atr(&ic, atr2, sizeof(atr2));
    check_atr(atr2, n2);
    nc_card_wait_banner(ic.card, "power-on", BOOT_TIMEOUT_MS);
}

Test(system_iso7816, echo_sizes_auto_protocol)
{
    IsoCard ic = boot_iso_card(NULL);
    power_on_and_select(&ic);
    srand(1);
    echo(&ic, 0, false);
    echo(&ic, 1, false);
    echo(&ic, 255, false);
    echo(&ic, 256, true);
    echo(&ic, 4096, true);
    /* The largest ECHO a vpcd frame (at most 65535 bytes) can carry: 7
     * header bytes + 65526 data + 2 Le bytes. */
    echo(&ic, 65526, true);
}

Test(system_iso7816, echo_forced_t0)
{
    IsoCard ic = boot_iso_card("t0");
    power_on_and_select(&ic);
    srand(2);
    echo(&ic, 1, false);
    echo(&ic, 100, false);
    echo(&ic, 255, false);
}

Test(system_iso7816, echo_forced_t1)
{
    IsoCard ic = boot_iso_card("t1");
    power_on_and_select(&ic);
    srand(3);
    echo(&ic, 1, false);
    echo(&ic, 255, false);
    echo(&ic, 4096, true);
}

static void delay_ms(IsoCard *ic, unsigned ms)
{
    uint8_t apdu[] = { 0x80, INS_DELAY, (uint8_t)(ms >> 8), (uint8_t)ms };
    uint8_t *resp = nc_gc(malloc(MAX_RAPDU));
    size_t n = transmit(ic, apdu, sizeof(apdu), resp);
    expect_sw(resp, n, 0x9000, nc_strf("DELAY %u ms", ms));
}

Test(system_iso7816, waiting_time_extension_t1)
{
    IsoCard ic = boot_iso_card("t1");
    power_on_and_select(&ic);
    delay_ms(&ic, 3000);
    echo(&ic, 16, false);
}

Test(system_iso7816, null_procedure_bytes_t0)
{
    IsoCard ic = boot_iso_card("t0");
    power_on_and_select(&ic);
    delay_ms(&ic, 3000);
    echo(&ic, 16, false);
}

Test(system_iso7816, warm_and_cold_reset)
{
    IsoCard ic = boot_iso_card(NULL);
    power_on_and_select(&ic);
    uint8_t atr1[40], atr2[40];
    size_t n1 = get_atr(&ic, atr1, sizeof(atr1));

    nc_vpcd_ctrl(ic.vpcd, NC_VPCD_RESET);
    size_t n2 = get_atr(&ic, atr2, sizeof(atr2));
    cr_assert(n1 == n2 && memcmp(atr1, atr2, n1) == 0, "ATR after warm "
              "reset %s differs from %s", nc_hex(atr2, n2), nc_hex(atr1, n1));
    nc_card_wait_banner(ic.card, "warm", BOOT_TIMEOUT_MS);
    uint8_t *resp = nc_gc(malloc(MAX_RAPDU));
    size_t n = transmit(&ic, select_test_applet, sizeof(select_test_applet),
                        resp);
    expect_sw(resp, n, 0x9000, "SELECT after warm reset");
    echo(&ic, 32, false);

    nc_vpcd_ctrl(ic.vpcd, NC_VPCD_OFF);
    nc_vpcd_ctrl(ic.vpcd, NC_VPCD_ON);
    n2 = get_atr(&ic, atr2, sizeof(atr2));
    check_atr(atr2, n2);
    nc_card_wait_banner(ic.card, "power-on", BOOT_TIMEOUT_MS);
    n = transmit(&ic, select_test_applet, sizeof(select_test_applet), resp);
    expect_sw(resp, n, 0x9000, "SELECT after power cycle");
}

/* After each kind of bad input, a new client gets correct answers. */
static void reconnect_and_check(IsoCard *ic)
{
    nc_vpcd_close(ic->vpcd);
    ic->vpcd = nc_vpcd_connect(ic->port, NC_TIMEOUT_START_MS, ic->card->qemu);
    power_on_and_select(ic);
    echo(ic, 200, false);
}

Test(system_iso7816, bad_host_input)
{
    IsoCard ic = boot_iso_card(NULL);
    power_on_and_select(&ic);

    /* A zero-length frame. */
    static const uint8_t zero[] = { 0x00, 0x00 };
    nc_vpcd_send_raw(ic.vpcd, zero, sizeof(zero));
    reconnect_and_check(&ic);

    /* A length far over what the card accepts, then a disconnect. */
    static const uint8_t huge[] = { 0xFF, 0xFF, 0x00, 0xA4 };
    nc_vpcd_send_raw(ic.vpcd, huge, sizeof(huge));
    reconnect_and_check(&ic);

    /* Garbage, then a disconnect in the middle of a frame. */
    uint8_t junk[300];
    srand(4);
    for (size_t i = 0; i < sizeof(junk); i++) {
        junk[i] = (uint8_t)rand();
    }
    nc_vpcd_send_raw(ic.vpcd, junk, sizeof(junk));
    reconnect_and_check(&ic);
    static const uint8_t half[] = { 0x00, 0x10, 0x80, 0x10 };
    nc_vpcd_send_raw(ic.vpcd, half, sizeof(half));
    reconnect_and_check(&ic);

    /* 1000 random well-framed payloads: any answer is fine, no hang. */
    uint8_t *resp = nc_gc(malloc(MAX_RAPDU));
    for (int i = 0; i < 1000; i++) {
        uint8_t frame[64];
        size_t len = 4 + (size_t)(rand() % 60);
        for (size_t j = 0; j < len; j++) {
            frame[j] = (uint8_t)rand();
        }
        if (frame[1] == INS_DELAY) {
            frame[1] = INS_ECHO;   /* no random minute-long waits */
        }
        nc_vpcd_send(ic.vpcd, frame, len);
        (void)nc_vpcd_recv(ic.vpcd, resp, MAX_RAPDU, APDU_TIMEOUT_MS);
    }
    reconnect_and_check(&ic);
}

/*
 * The product image (cardos.elf) carries no test code (card/image.h):
 * the test application's AID is not found, the file system and the
 * personalization application answer as in the test image.
 */
Test(system_iso7816, product_image_has_no_test_application)
{
    static const uint8_t select_perso[] = {
        0x00, 0xA4, 0x04, 0x00, 0x09,
        0xF0, 0x6E, 0x65, 0x74, 0x63, 0x61, 0x72, 0x64, 0x02, 0x00,
    };
    static const uint8_t select_iccid[] = { 0x00, 0xA4, 0x08, 0x04, 0x02, 0x2F, 0xE2, 0x00 };
    IsoCard ic = { 0 };
    uint8_t atr[40];
    uint8_t *resp = nc_gc(malloc(MAX_RAPDU));
    size_t n;

    ic.card = iso_card_start_image("cardos.elf", NULL, &ic.port, &ic.vpcd);
    nc_vpcd_ctrl(ic.vpcd, NC_VPCD_OFF);
    nc_vpcd_ctrl(ic.vpcd, NC_VPCD_ON);
    n = get_atr(&ic, atr, sizeof(atr));
    check_atr(atr, n);
    n = transmit(&ic, select_test_applet, sizeof(select_test_applet), resp);
    expect_sw(resp, n, 0x6A82, "SELECT test applet on the product image");
    n = transmit(&ic, select_perso, sizeof(select_perso), resp);
    expect_sw(resp, n, 0x9000, "SELECT the personalization application");
    n = transmit(&ic, select_iccid, sizeof(select_iccid), resp);
    expect_sw(resp, n, 0x9000, "SELECT EF.ICCID by path");
}
