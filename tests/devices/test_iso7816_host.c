/*
 * Device tests: the ISO 7816 terminal's answers to the host at the limits
 * of vpcd framing (docs/iso7816.md "Answers in error cases").
 *
 * As in test_iso7816_uart.c the test plays both ends: the HOST over vpcd
 * framing on the second -serial, and the CARD by poking the UART
 * registers over qtest. Expected bytes come from ISO/IEC 7816-3 (T=0
 * procedure bytes, GET RESPONSE) and the vpcd frame format.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "devices.h"
#include "netcard_iso7816_uart.h"

#include <stdlib.h>
#include <string.h>

TestSuite(device_iso7816_host, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_DEVICE);

#define ISO_BASE    0x40002000u
#define ISO(reg)    (ISO_BASE + (uint32_t)A_ISO_##reg)
#define ST_RXNE     0x01u
#define CTRL_EN     0x01u
#define LINE_RST    0x02u

/* A T=0 card without PPS: ATR 3B 02 14 50 (T0: 2 historical bytes). */
#define ATR_T0      "3B 02 14 50"

typedef struct Rig {
    NcQtest *qt;
    NcVpcd *v;
} Rig;

static Rig *rig_start(void)
{
    Rig *r = nc_gc(calloc(1, sizeof(*r)));
    int port = nc_free_tcp_port();
    const char *args[] = {
        "-serial", nc_strf("tcp:127.0.0.1:%d,server=on,wait=off", port),
        NULL,
    };

    r->qt = nc_qtest_start(args);
    r->v = nc_vpcd_connect(port, NC_TIMEOUT_START_MS, r->qt->qemu);
    return r;
}

/* Poll a register without advancing virtual time (bounded in wall time). */
static void poll_nostep(Rig *r, uint32_t addr, uint32_t mask, uint32_t want,
                        const char *what)
{
    int64_t deadline = nc_now_ms() + NC_TIMEOUT_CMD_MS;
    uint32_t v;

    while (((v = nc_readl(r->qt, addr)) & mask) != want) {
        if (nc_now_ms() > deadline) {
            nc_fail("%s: register 0x%08x is 0x%08x, expected 0x%08x under "
                    "mask 0x%08x", what, addr, v, want, mask);
        }
        nc_nap_ms(1);
    }
}

static void card_put(Rig *r, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        nc_writel(r->qt, ISO(DATA), b[i]);
    }
}

static void card_put_hex(Rig *r, const char *hex)
{
    uint8_t b[64];

    card_put(r, b, nc_unhex(hex, b, sizeof(b)));
}

/* The terminal sent exactly HEX to the card. */
static void card_expect(Rig *r, const char *hex, const char *what)
{
    uint8_t want[64], got[64];
    size_t n = nc_unhex(hex, want, sizeof(want));

    for (size_t i = 0; i < n; i++) {
        poll_nostep(r, ISO(STATUS), ST_RXNE, ST_RXNE, what);
        got[i] = (uint8_t)nc_readl(r->qt, ISO(DATA));
    }
    cr_assert_str_eq(nc_hex(got, n), nc_hex(want, n),
                     "%s: the card received %s, expected %s", what,
                     nc_hex(got, n), nc_hex(want, n));
}

/* Host power-on and get-ATR; the card answers ATR_T0 (no PPS). */
static void activate_t0(Rig *r)
{
    uint8_t atr[40];

    nc_writel(r->qt, ISO(IER), 0x7f);   /* a marker the chip reset clears */
    nc_vpcd_ctrl(r->v, NC_VPCD_ON);
    nc_vpcd_ctrl(r->v, NC_VPCD_ATR);
    poll_nostep(r, ISO(IER), 0xffffffffu, 0, "chip reset after power-on");
    nc_writel(r->qt, ISO(CTRL), CTRL_EN);
    nc_qtest_poll_l(r->qt, ISO(LINE), LINE_RST, LINE_RST, NC_TIMEOUT_CMD_MS,
                    "RST high");
    card_put_hex(r, ATR_T0);
    size_t n = nc_vpcd_recv(r->v, atr, sizeof(atr), NC_TIMEOUT_CMD_MS);
    cr_assert_str_eq(nc_hex(atr, n), "3B021450", "get ATR: %s",
                     nc_hex(atr, n));
}

/*
 * T=0, case 2E with Le = 0000 (Ne = 65536): the terminal sends P3 = 00 and
 * fetches the answer with GET RESPONSE (ISO 7816-3 12.2.3/12.2.4) while
 * the card says 61xx. A vpcd frame carries at most 65535 bytes, so the
 * terminal asks for no more than 65533 data bytes: the last GET RESPONSE
 * asks for FD (253) bytes, and the host gets 65533 bytes with the card's
 * own 61 01 (one byte more available), in one frame whose length is true.
 * Before the fix the terminal asked for 00 (256) and wrote a 65536-byte
 * answer with the length 0x0000.
 */
Test(device_iso7816_host, t0_get_response_stops_at_what_a_frame_carries)
{
    Rig *r = rig_start();
    static const uint8_t gen[] = { 0x80, 0x12, 0xFF, 0xFE, 0x00, 0x00, 0x00 };
    uint8_t chunk[256];
    uint8_t *resp = nc_gc(malloc(70000));

    activate_t0(r);
    nc_vpcd_send(r->v, gen, sizeof(gen));
    card_expect(r, "80 12 FF FE 00", "case 2E header (P3 = 00)");
    card_put_hex(r, "61 00");
    for (unsigned round = 0; round < 256; round++) {
        size_t left = 65533 - 256 * round;
        size_t n = left < 256 ? left : 256;

        card_expect(r, n == 256 ? "00 C0 00 00 00" :
                    nc_strf("00 C0 00 00 %02zX", n),
                    nc_strf("GET RESPONSE %u", round + 1));
        card_put_hex(r, "C0");
        for (size_t i = 0; i < n; i++) {
            chunk[i] = (uint8_t)(256 * round + i);
        }
        card_put(r, chunk, n);
        card_put_hex(r, n == 256 ? "61 00" : "61 01");
    }
    size_t got = nc_vpcd_recv(r->v, resp, 70000, NC_TIMEOUT_CMD_MS);
    cr_assert_eq(got, 65535u, "the host got %zu bytes, expected 65533 + SW",
                 got);
    cr_assert(resp[65533] == 0x61 && resp[65534] == 0x01, "SW %02X%02X, "
              "expected 6101", resp[65533], resp[65534]);
    for (size_t i = 0; i < 65533; i++) {
        cr_assert_eq(resp[i], (uint8_t)i, "data byte %zu is %02X", i,
                     resp[i]);
    }
    /* the link is in step: a case 1 command gets its own answer */
    static const uint8_t case1[] = { 0x00, 0x70, 0x00, 0x00 };
    nc_vpcd_send(r->v, case1, sizeof(case1));
    card_expect(r, "00 70 00 00 00", "case 1 header");
    card_put_hex(r, "90 00");
    got = nc_vpcd_recv(r->v, resp, 70000, NC_TIMEOUT_CMD_MS);
    cr_assert_str_eq(nc_hex(resp, got), "9000");
}

static size_t host_recv(Rig *r, uint8_t *buf, size_t cap)
{
    return nc_vpcd_recv(r->v, buf, cap, NC_TIMEOUT_CMD_MS);
}

/*
 * While a frame is answered the terminal reads ahead only as far as the
 * next frame's header and a control code: a get-ATR and a C-APDU sent
 * behind an exchange wait their turn and are answered in order; a
 * power-off behind one ends it at once (empty answer), VCC goes off.
 */
Test(device_iso7816_host, frames_behind_an_exchange)
{
    Rig *r = rig_start();
    static const uint8_t case1a[] = { 0x00, 0x70, 0x00, 0x00 };
    static const uint8_t case1b[] = { 0x00, 0x70, 0x80, 0x01 };
    uint8_t resp[64];
    size_t n;

    activate_t0(r);
    nc_vpcd_send(r->v, case1a, sizeof(case1a));
    nc_vpcd_ctrl(r->v, NC_VPCD_ATR);
    nc_vpcd_send(r->v, case1b, sizeof(case1b));
    card_expect(r, "00 70 00 00 00", "first header");
    card_put_hex(r, "90 00");
    n = host_recv(r, resp, sizeof(resp));
    cr_assert_str_eq(nc_hex(resp, n), "9000", "first answer");
    n = host_recv(r, resp, sizeof(resp));
    cr_assert_str_eq(nc_hex(resp, n), "3B021450", "get-ATR in its turn");
    card_expect(r, "00 70 80 01 00", "second header, after the get-ATR");
    card_put_hex(r, "6A 82");
    n = host_recv(r, resp, sizeof(resp));
    cr_assert_str_eq(nc_hex(resp, n), "6A82", "second answer");

    /* the card stays silent; a power-off behind the exchange ends it */
    nc_vpcd_send(r->v, case1a, sizeof(case1a));
    card_expect(r, "00 70 00 00 00", "header of the exchange cut short");
    nc_vpcd_ctrl(r->v, NC_VPCD_OFF);
    n = host_recv(r, resp, sizeof(resp));
    cr_assert_eq(n, 0u, "the exchange a power-off ended answered %s",
                 nc_hex(resp, n));
    poll_nostep(r, ISO(LINE), 0x07u, 0, "VCC, RST and CLK off");
    /* and the terminal goes on: off, then a new activation */
    nc_vpcd_send(r->v, case1a, sizeof(case1a));
    n = host_recv(r, resp, sizeof(resp));
    cr_assert_eq(n, 0u, "a C-APDU with the card off");
    activate_t0(r);
}
