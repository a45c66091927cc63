/*
 * Device tests: the ISO 7816 UART with timing=real (character times, T=1
 * waiting times) and bad input: a mute card, bad and random host frames.
 *
 * The test plays both ends: the HOST over vpcd framing on the socket given
 * as the second -serial, and the CARD by poking the UART registers over
 * qtest (no guest code runs; iso7816_rig.h). Expected bytes are written out
 * from ISO/IEC 7816-3 and vsmartcard's vpcd framing; the behaviour in error
 * cases is the one docs/iso7816.md fixes.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "iso7816_rig.h"

TestSuite(device_iso7816_uart_timing, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_DEVICE);

/* ---- timing=real ---- */

/*
 * Step virtual time in STEP_NS increments until TXIDLE; returns the time
 * the card's transmitter was busy.
 */
static uint64_t measure_tx(Rig *r, uint64_t step_ns, uint64_t max_ns)
{
    uint64_t t = 0;

    while (!(nc_readl(r->qt, ISO(STATUS)) & ST_TXIDLE)) {
        nc_clock_step(r->qt, step_ns);
        t += step_ns;
        cr_assert(t <= max_ns, "TXIDLE not set after %" PRIu64 " ns", t);
    }
    return t;
}

static void expect_duration(uint64_t got_ns, uint64_t chars, uint64_t etus,
                            uint64_t f, uint64_t d, const char *what)
{
    /* (12 + N) * F / D / clk per character, within one etu */
    double etu_ns = (double)f / (double)d / CLK_HZ * 1e9;
    double want = (double)chars * (double)etus * etu_ns;
    double diff = (double)got_ns - want;

    cr_assert(diff > -etu_ns && diff < etu_ns, "%s: %" PRIu64 " ns, expected "
              "%.0f ns (%" PRIu64 " chars x %" PRIu64 " etu of %.1f ns) "
              "within one etu", what, got_ns, want, chars, etus, etu_ns);
}

Test(device_iso7816_uart_timing, real_timing_character_times)
{
    Rig *r = rig_start("netcard-iso7816-uart.timing=real");

    nc_writel(r->qt, ISO(IER), 0x7f);
    nc_vpcd_ctrl(r->v, NC_VPCD_ON);
    nc_vpcd_ctrl(r->v, NC_VPCD_ATR);
    poll_nostep(r, ISO(IER), 0xffffffffu, 0, "chip reset after power-on");
    nc_writel(r->qt, ISO(CTRL), CTRL_EN | CTRL_ERRSIG);
    nc_clock_step(r->qt, 120000);   /* > 400 CLK */
    cr_assert_eq(nc_readl(r->qt, ISO(LINE)) & LINE_RST, LINE_RST);

    /* ATR at F=372 D=1, N=0: 12 etu per character */
    card_put_hex(r, ATR_T0);
    uint32_t st = nc_readl(r->qt, ISO(STATUS));
    cr_assert_eq((st >> 16) & 0x1f, 3u, "3 characters should wait in the "
                 "TX FIFO, STATUS 0x%08x", st);
    uint64_t t = measure_tx(r, 13000, 20000000);    /* etu ~104 us */
    expect_duration(t, 4, 12, 372, 1, "4 ATR characters at F=372 D=1");
    host_expect(r, ATR_T0, "get ATR in timing=real");

    /* the terminal's characters: 12 etu each at F=372 D=1 (no TC1) */
    uint32_t frames = qom_u32(r, "host-frames");
    host_send_hex(r, "00 70 00 00");
    while (qom_u32(r, "host-frames") == frames) {
        nc_nap_ms(1);
    }
    t = 0;
    while (((nc_readl(r->qt, ISO(STATUS)) >> 8) & 0x1f) < 5) {
        nc_clock_step(r->qt, 13000);
        t += 13000;
        cr_assert(t < 20000000, "header not received after %" PRIu64 " ns",
                  t);
    }
    expect_duration(t, 5, 12, 372, 1, "5 header characters from the "
                    "terminal");
    card_expect(r, "00 70 00 00 00", "header in timing=real");
    card_put_hex(r, "90 00");
    t = measure_tx(r, 13000, 20000000);
    expect_duration(t, 2, 12, 372, 1, "SW1 SW2");
    host_expect(r, "90 00", "case 1 in timing=real");

    /* the card at another etu: the terminal's characters are corrupted */
    nc_writel(r->qt, ISO(CTRL), CTRL_EN);
    nc_writel(r->qt, ISO(ETU), 512u | (8u << 16));
    host_send_hex(r, "00 70 00 00");
    t = 0;
    while (((nc_readl(r->qt, ISO(STATUS)) >> 8) & 0x1f) < 5) {
        nc_clock_step(r->qt, 13000);
        t += 13000;
        cr_assert(t < 20000000, "header not received after %" PRIu64 " ns",
                  t);
    }
    st = nc_readl(r->qt, ISO(STATUS));
    cr_assert(st & ST_PARERR, "no parity error with mismatched etu "
              "(STATUS 0x%08x)", st);
    uint8_t hdr[5];
    card_get(r, hdr, 5, "header at the wrong etu");
    cr_assert_str_neq(nc_hex(hdr, 5), "0070000000",
                      "header intact despite the etu mismatch");
    nc_writel(r->qt, ISO(ISR), ST_PARERR);
    nc_writel(r->qt, ISO(ETU), 372u | (1u << 16));
    card_put_hex(r, "90 00");
    t = measure_tx(r, 13000, 20000000);
    host_expect(r, "90 00", "SW at the right etu");
    nc_writel(r->qt, ISO(CTRL), CTRL_EN | CTRL_ERRSIG);

    /* 20 data bytes at line speed into the 16-deep RX FIFO: overrun */
    frames = qom_u32(r, "host-frames");
    host_send_hex(r, "00 D6 00 00 14 00 01 02 03 04 05 06 07 08 09 0A 0B 0C "
                     "0D 0E 0F 10 11 12 13");
    while (qom_u32(r, "host-frames") == frames) {
        nc_nap_ms(1);
    }
    nc_clock_step(r->qt, 7000000);      /* 5 x 12 etu = 6.25 ms */
    card_expect(r, "00 D6 00 00 14", "case 3 header");
    card_put_hex(r, "D6");
    nc_clock_step(r->qt, 32000000);     /* 1 + 20 characters */
    st = nc_readl(r->qt, ISO(STATUS));
    cr_assert(st & ST_OVERRUN, "no OVERRUN (STATUS 0x%08x)", st);
    cr_assert_eq((st >> 8) & 0x1f, 16u, "RXCOUNT %u, expected 16",
                 (st >> 8) & 0x1f);
    card_expect(r, "00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F",
                "the first 16 data bytes");
    nc_writel(r->qt, ISO(ISR), ST_OVERRUN);
    cr_assert_eq(nc_readl(r->qt, ISO(STATUS)) & ST_OVERRUN, 0u);
    card_put_hex(r, "67 00");
    t = measure_tx(r, 13000, 20000000);
    host_expect(r, "67 00", "SW after the overrun");

    /* F=512 D=8 (etu 64 CLK), N=2: 14 etu per character */
    nc_writel(r->qt, ISO(ETU), 512u | (8u << 16));
    nc_writel(r->qt, ISO(GUARD), 2);
    card_put_hex(r, "01 02 03");
    t = measure_tx(r, 2240, 2000000);               /* etu/8 */
    expect_duration(t, 3, 14, 512, 8, "3 characters at F=512 D=8 N=2");

    /* N = 255 under T=0 (ERRSIG): 12 etu */
    nc_writel(r->qt, ISO(GUARD), 255);
    nc_writel(r->qt, ISO(ISR), 0x7f);
    card_put_hex(r, "01 02");
    t = measure_tx(r, 2240, 2000000);
    expect_duration(t, 2, 12, 512, 8, "2 characters at N=255 (T=0)");

    /* a mute card: TS must come within 40000 CLK cycles of RST rising */
    nc_writel(r->qt, ISO(IER), 0x7f);
    nc_vpcd_ctrl(r->v, NC_VPCD_ON);
    nc_vpcd_ctrl(r->v, NC_VPCD_ATR);
    poll_nostep(r, ISO(IER), 0xffffffffu, 0, "chip reset after power-on");
    cr_assert_eq(nc_readl(r->qt, ISO(LINE)), LINE_VCC | LINE_CLK);
    nc_clock_step(r->qt, 120000);       /* RST rises after 112 us */
    cr_assert_eq(nc_readl(r->qt, ISO(LINE)) & LINE_RST, LINE_RST);
    nc_clock_step(r->qt, 11000000);     /* 39280 CLK later: still waiting */
    cr_assert(!nc_vpcd_pending(r->v, 100), "answered before 40000 CLK");
    nc_clock_step(r->qt, 400000);       /* 40709 CLK */
    host_expect(r, "", "get ATR from a card mute for 40000 CLK cycles");
    expect_running(r->qt);
}

/* ---- mute card, bad host input ---- */

Test(device_iso7816_uart_timing, mute_card)
{
    Rig *r = rig_start(NULL);

    /* no ATR at all */
    nc_writel(r->qt, ISO(IER), 0x7f);
    nc_vpcd_ctrl(r->v, NC_VPCD_ON);
    nc_vpcd_ctrl(r->v, NC_VPCD_ATR);
    poll_nostep(r, ISO(IER), 0xffffffffu, 0, "chip reset after power-on");
    cr_assert(!nc_vpcd_pending(r->v, 50), "answered before the timeout");
    nc_clock_step(r->qt, FAST_TIMEOUT_NS + 1000000);
    host_expect(r, "", "get ATR from a mute card");
    cr_assert_str_eq(qom_str(r, "terminal-state"), "mute");

    /* the next power-on recovers */
    activate_t0(r, CTRL_EN);

    /* the card goes mute in an exchange: empty answer, deactivation */
    host_send_hex(r, "00 70 00 00");
    card_expect(r, "00 70 00 00 00", "header");
    cr_assert(!nc_vpcd_pending(r->v, 50), "answered before the timeout");
    nc_clock_step(r->qt, FAST_TIMEOUT_NS + 1000000);
    host_expect(r, "", "C-APDU to a card that went mute");
    cr_assert_eq(nc_readl(r->qt, ISO(LINE)) & LINE_VCC, 0u,
                 "the terminal did not deactivate the mute card");
    nc_vpcd_ctrl(r->v, NC_VPCD_ATR);
    host_expect(r, ATR_T0, "get ATR after deactivation (still inserted)");

    activate_t0(r, CTRL_EN);
    host_send_hex(r, "00 70 00 00");
    card_expect(r, "00 70 00 00 00", "header after recovery");
    card_put_hex(r, "90 00");
    host_expect(r, "90 00", "exchange after recovery");
}

Test(device_iso7816_uart_timing, bad_host_frames)
{
    Rig *r = rig_start(NULL);
    static uint8_t big[65535];

    activate_t0(r, CTRL_EN);
    uint32_t err0 = qom_u32(r, "host-errors");

    /* zero-length frame: dropped, no answer */
    nc_vpcd_send_raw(r->v, "\x00\x00", 2);
    nc_vpcd_ctrl(r->v, NC_VPCD_ATR);
    host_expect(r, ATR_T0, "get ATR after a zero-length frame");

    /* unknown control code: dropped */
    nc_vpcd_ctrl(r->v, 0x03);
    nc_vpcd_ctrl(r->v, NC_VPCD_ATR);
    host_expect(r, ATR_T0, "get ATR after an unknown control code");

    /* garbage: too short for a C-APDU, and a malformed 65535-byte one */
    host_send_hex(r, "FF FF");
    host_expect(r, "", "2-byte garbage");
    host_send_hex(r, "12 34 56");
    host_expect(r, "", "3-byte garbage");
    memset(big, 0xff, sizeof(big));
    nc_vpcd_send(r->v, big, sizeof(big));
    host_expect(r, "", "65535-byte malformed C-APDU");
    card_expect_quiet(r, "nothing sent to the card for bad frames");
    cr_assert(qom_u32(r, "host-errors") - err0 >= 5u);

    /* disconnect in the middle of a frame, reconnect */
    nc_vpcd_send_raw(r->v, "\x00\x10\x00\xA4\x04", 5);
    nc_vpcd_close(r->v);
    r->v = nc_vpcd_connect(r->port, NC_TIMEOUT_START_MS, r->qt->qemu);
    nc_vpcd_ctrl(r->v, NC_VPCD_ATR);
    host_expect(r, ATR_T0, "get ATR after reconnecting");
    host_send_hex(r, "00 B0 00 00 02");
    card_expect(r, "00 B0 00 00 02", "header after reconnecting");
    card_put_hex(r, "B0 12 34 90 00");
    host_expect(r, "12 34 90 00", "exchange after reconnecting");
    expect_running(r->qt);
}


/* 1000 random frames (seeded) with the card off, then a good exchange */
Test(device_iso7816_uart_timing, random_host_frames)
{
    Rig *r = rig_start(NULL);
    static uint8_t got[70000];
    uint8_t b[400];
    uint32_t seed = 0x7816u;
    unsigned replies = 0;

    for (int i = 0; i < 1000; i++) {
        seed = seed * 1103515245u + 12345u;
        size_t len = (seed >> 8) % 300;
        for (size_t j = 0; j < len; j++) {
            seed = seed * 1103515245u + 12345u;
            b[j] = (uint8_t)(seed >> 16);
        }
        /* keep the card off: 01 and 02 would power it */
        if (len == 1 && (b[0] == NC_VPCD_ON || b[0] == NC_VPCD_RESET)) {
            b[0] = 0x03;
        }
        nc_vpcd_send(r->v, b, len);
        /* answered: get-ATR and every C-APDU (empty: no card) */
        if ((len == 1 && b[0] == NC_VPCD_ATR) || len >= 2) {
            size_t g = nc_vpcd_recv(r->v, got, sizeof(got), NC_TIMEOUT_CMD_MS);
            cr_assert_eq(g, 0u, "frame %d (%zu bytes): answer of %zu bytes "
                         "without a card", i, len, g);
            replies++;
        }
    }
    cr_assert(replies > 900, "only %u frames needed an answer", replies);
    cr_assert(!nc_vpcd_pending(r->v, 50), "an unexpected answer is pending");
    expect_running(r->qt);

    activate_t0(r, CTRL_EN);
    host_send_hex(r, "00 70 00 00");
    card_expect(r, "00 70 00 00 00", "header after random frames");
    card_put_hex(r, "90 00");
    host_expect(r, "90 00", "exchange after random frames");
}


/*
 * timing=real, T=1 waiting times from TB3 = 45 (BWI 4, CWI 5), F=372 D=1:
 * BWT = 11 etu + 2^4 x 960 x 372 / 3571200 s = 1.6011 s (ISO 7816-3
 * 11.4.3), CWT = (11 + 2^5) etu = 43 etu = 4.48 ms (11.4.3).
 */
Test(device_iso7816_uart_timing, real_timing_t1_waiting_times)
{
    Rig *r = rig_start("netcard-iso7816-uart.timing=real");

    nc_writel(r->qt, ISO(IER), 0x7f);
    nc_vpcd_ctrl(r->v, NC_VPCD_ON);
    nc_vpcd_ctrl(r->v, NC_VPCD_ATR);
    poll_nostep(r, ISO(IER), 0xffffffffu, 0, "chip reset after power-on");
    nc_writel(r->qt, ISO(CTRL), CTRL_EN);
    nc_clock_step(r->qt, 120000);
    card_put_hex(r, ATR_T1);
    nc_clock_step(r->qt, 10000000);     /* 7 x 12 etu = 8.75 ms */
    host_expect(r, ATR_T1, "get ATR (T=1, timing=real)");

    uint32_t frames = qom_u32(r, "host-frames");
    host_send_hex(r, "00 70 00 00");
    while (qom_u32(r, "host-frames") == frames) {
        nc_nap_ms(1);
    }
    nc_clock_step(r->qt, 7000000);      /* 5 characters: 6.25 ms */
    card_expect(r, "00 C1 01 FE 3E", "S(IFS request)");
    card_put_hex(r, "00 E1 01 FE 1E");
    nc_clock_step(r->qt, 7000000);      /* the card's 5 characters */
    nc_clock_step(r->qt, 11000000);     /* the I-block: 8 x 1.25 ms */
    card_expect(r, t1_block(0x00, "00 70 00 00"), "I(0)");

    /* BWT after the I-block's last character (sent 1 ms ago) */
    nc_clock_step(r->qt, 1590000000);   /* 1.591 s after it */
    card_expect_quiet(r, "no R-block before BWT");
    nc_clock_step(r->qt, 20000000);     /* 1.611 s: BWT passed */
    nc_clock_step(r->qt, 6000000);      /* the R-block: 4 x 1.25 ms */
    card_expect(r, t1_block(0x82, ""), "R(0) after BWT");

    /* CWT: two characters of a block, then silence */
    card_put_hex(r, "00 00");
    nc_clock_step(r->qt, 3000000);      /* both sent (2.5 ms) */
    nc_clock_step(r->qt, 1500000);      /* 2 ms after the last: < CWT */
    card_expect_quiet(r, "no R-block before CWT");
    nc_clock_step(r->qt, 3000000);      /* 5 ms: CWT (4.48 ms) passed */
    nc_clock_step(r->qt, 6000000);
    card_expect(r, t1_block(0x82, ""), "R(0) again after CWT");

    card_put_hex(r, t1_block(0x00, "90 00"));
    nc_clock_step(r->qt, 10000000);     /* 6 characters: 7.5 ms */
    host_expect(r, "90 00", "answer after BWT and CWT recovery");
}
