/*
 * Device tests: ISO 7816 UART at 0x4000_2000 with its terminal side:
 * registers, activation and ATR, PPS, T=0 (short and extended), the
 * inverse convention, the protocol properties. T=1 and error signalling
 * are in test_iso7816_uart_t1.c, timing and bad input in
 * test_iso7816_uart_timing.c.
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

TestSuite(device_iso7816_uart, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_DEVICE);

Test(device_iso7816_uart, reset_values)
{
    Rig *r = rig_start(NULL);
    static const struct {
        uint32_t off;
        uint32_t value;
        const char *name;
    } regs[] = {
        { A_ISO_DATA, 0, "DATA" },
        { A_ISO_STATUS, ST_TXNF | ST_TXIDLE, "STATUS" },
        { A_ISO_CTRL, 0, "CTRL" },
        { A_ISO_ETU, 372u | (1u << 16), "ETU (F=372 D=1)" },
        { A_ISO_GUARD, 0, "GUARD" },
        { A_ISO_IER, 0, "IER" },
        { A_ISO_ISR, ST_TXNF | ST_TXIDLE, "ISR" },
        { A_ISO_LINE, 0, "LINE (terminal off)" },
        { A_ISO_CLK_HZ, CLK_HZ, "CLK_HZ" },
    };

    for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
        uint32_t v = nc_readl(r->qt, ISO_BASE + regs[i].off);
        cr_assert_eq(v, regs[i].value, "%s reads 0x%08x, expected 0x%08x",
                     regs[i].name, v, regs[i].value);
    }
    /* ETU with F = 0 or D = 0 is ignored; read-only registers stay */
    nc_writel(r->qt, ISO(ETU), 0x00010000u);
    nc_writel(r->qt, ISO(ETU), 0x00000200u);
    cr_assert_eq(nc_readl(r->qt, ISO(ETU)), 372u | (1u << 16));
    nc_writel(r->qt, ISO(LINE), 7);
    nc_writel(r->qt, ISO(CLK_HZ), 1);
    cr_assert_eq(nc_readl(r->qt, ISO(LINE)), 0u);
    cr_assert_eq(nc_readl(r->qt, ISO(CLK_HZ)), CLK_HZ);
    /* a valid ETU and interrupt enables read back */
    nc_writel(r->qt, ISO(ETU), 512u | (8u << 16));
    cr_assert_eq(nc_readl(r->qt, ISO(ETU)), 512u | (8u << 16));
    nc_writel(r->qt, ISO(IER), 0xffffffffu);
    cr_assert_eq(nc_readl(r->qt, ISO(IER)), 0x7fu);
    /* a system reset restores the reset values */
    nc_qmp(r->qt->qmp, "{'execute': 'system_reset'}");
    nc_qtest_poll_l(r->qt, ISO(IER), 0xffffffffu, 0, NC_TIMEOUT_CMD_MS,
                    "IER after system_reset");
    cr_assert_eq(nc_readl(r->qt, ISO(ETU)), 372u | (1u << 16));
    expect_running(r->qt);
}

/*
 * get-ATR is the host's card-presence poll (pcscd polls it every 400 ms
 * and only powers on a card it sees as present): the first one activates
 * the card to learn its ATR; later ones, also while VCC is off, answer the
 * inserted card's ATR. A card that gives no ATR is "no card" (empty).
 */
Test(device_iso7816_uart, get_atr_reports_presence)
{
    Rig *r = rig_start(NULL);

    nc_writel(r->qt, ISO(IER), 0x7f);   /* a marker the chip reset clears */
    nc_vpcd_ctrl(r->v, NC_VPCD_ATR);
    poll_nostep(r, ISO(IER), 0xffffffffu, 0,
                "chip reset caused by the first get-ATR");
    nc_writel(r->qt, ISO(CTRL), CTRL_EN);
    nc_qtest_poll_l(r->qt, ISO(LINE), LINE_RST, LINE_RST, NC_TIMEOUT_CMD_MS,
                    "RST high after the first get-ATR");
    card_put_hex(r, ATR_T0);
    host_expect(r, ATR_T0, "first get ATR");

    nc_vpcd_ctrl(r->v, NC_VPCD_OFF);
    nc_vpcd_ctrl(r->v, NC_VPCD_ATR);
    host_expect(r, ATR_T0, "get ATR while powered off (card inserted)");
    cr_assert_eq(nc_readl(r->qt, ISO(LINE)), 0u,
                 "get-ATR while off must not power the card");
    /* a C-APDU to an unpowered card: empty answer */
    host_send_hex(r, "00 A4 04 00");
    host_expect(r, "", "C-APDU with the card off");
    nc_vpcd_ctrl(r->v, NC_VPCD_ATR);
    host_expect(r, ATR_T0, "get ATR again");
}

Test(device_iso7816_uart, activation_sequence)
{
    Rig *r = rig_start(NULL);
    const uint64_t step_ns = 2800;     /* 10 CLK cycles at 3.5712 MHz */
    uint64_t t = 0;

    nc_writel(r->qt, ISO(IER), 0x7f);
    nc_vpcd_ctrl(r->v, NC_VPCD_ON);
    nc_vpcd_ctrl(r->v, NC_VPCD_ATR);
    /* VCC and CLK on, RST low; the power-on reset of the chip happens */
    poll_nostep(r, ISO(IER), 0xffffffffu, 0, "chip reset after power-on");
    uint32_t line = nc_readl(r->qt, ISO(LINE));
    cr_assert_eq(line, LINE_VCC | LINE_CLK, "LINE after power-on is 0x%x, "
                 "expected VCC|CLK with RST low", line);
    cr_assert_eq(nc_readl(r->qt, SYSCTL(RESET_CAUSE)), CAUSE_POWER_ON);
    cr_assert_eq(nc_readl(r->qt, ISO(ISR)) & ISR_RST, 0u);

    /* RST rises no earlier than 400 CLK cycles after the reset */
    while (!(nc_readl(r->qt, ISO(LINE)) & LINE_RST)) {
        nc_clock_step(r->qt, step_ns);
        t += step_ns;
        cr_assert(t < 1000000, "RST still low after %" PRIu64 " ns", t);
    }
    uint64_t clocks_hi = t * CLK_HZ / 1000000000ull;
    uint64_t clocks_lo = (t - step_ns) * CLK_HZ / 1000000000ull;
    cr_assert(clocks_hi >= 400, "RST rose after at most %" PRIu64
              " CLK cycles, expected at least 400", clocks_hi);
    cr_assert(clocks_lo < 440, "RST rose only after %" PRIu64 " CLK cycles",
              clocks_lo);
    cr_assert_eq(nc_readl(r->qt, ISO(LINE)), LINE_VCC | LINE_RST | LINE_CLK);
    cr_assert_eq(nc_readl(r->qt, ISO(ISR)) & ISR_RST, ISR_RST,
                 "ISR.RST not set by the rising RST");
    /* the IRQ follows ISR & IER */
    nc_qtest_cmd(r->qt, "irq_intercept_in /machine/soc/armv7m");
    nc_writel(r->qt, ISO(IER), ISR_RST);
    cr_assert_eq(nc_qtest_irq_level(r->qt, 1), 1, "IRQ 1 not raised");
    nc_writel(r->qt, ISO(ISR), ISR_RST);
    cr_assert_eq(nc_readl(r->qt, ISO(ISR)) & ISR_RST, 0u);
    cr_assert_eq(nc_qtest_irq_level(r->qt, 1), 0, "IRQ 1 not lowered");

    /* the card answers; the host gets the ATR */
    nc_writel(r->qt, ISO(CTRL), CTRL_EN);
    card_put_hex(r, ATR_T0);
    host_expect(r, ATR_T0, "get ATR after power-on");
    nc_vpcd_ctrl(r->v, NC_VPCD_ATR);
    host_expect(r, ATR_T0, "get ATR again");
    cr_assert_str_eq(qom_str(r, "terminal-state"), "ready");

    /* 02: warm reset: RST low (warm chip reset), then high again */
    nc_vpcd_ctrl(r->v, NC_VPCD_RESET);
    nc_vpcd_ctrl(r->v, NC_VPCD_ATR);
    nc_qtest_poll_l(r->qt, SYSCTL(RESET_COUNT), 0xffffffffu, 1,
                    NC_TIMEOUT_CMD_MS, "warm reset");
    cr_assert_eq(nc_readl(r->qt, SYSCTL(RESET_CAUSE)), CAUSE_WARM);
    nc_writel(r->qt, ISO(CTRL), CTRL_EN);
    nc_qtest_poll_l(r->qt, ISO(LINE), LINE_RST, LINE_RST, NC_TIMEOUT_CMD_MS,
                    "RST high after the warm reset");
    card_put_hex(r, ATR_T0);
    host_expect(r, ATR_T0, "get ATR after the warm reset");

    /* 00: power off */
    nc_vpcd_ctrl(r->v, NC_VPCD_OFF);
    nc_vpcd_ctrl(r->v, NC_VPCD_ATR);
    host_expect(r, ATR_T0, "get ATR after power off (still inserted)");
    cr_assert_eq(nc_readl(r->qt, ISO(LINE)), 0u);
}

Test(device_iso7816_uart, invalid_atr_bad_tck)
{
    Rig *r = rig_start(NULL);

    /* T0=80 TD1=01 (T=1): TCK must be 81; 80 is wrong */
    activate_to_atr(r, CTRL_EN, "3B 80 01 80");
    host_expect(r, "", "get ATR for an ATR with a bad TCK");
    cr_assert_str_eq(qom_str(r, "terminal-state"), "mute");
    cr_assert_str_eq(qom_str(r, "atr"), "3B800180");
    nc_vpcd_ctrl(r->v, NC_VPCD_ATR);
    host_expect(r, "", "get ATR again");

    /* 3F sent in direct convention is not a TS */
    activate_to_atr(r, CTRL_EN, "3F 00");
    host_expect(r, "", "get ATR for a direct-convention 3F");
    cr_assert_str_eq(qom_str(r, "terminal-state"), "mute");

    /* a new power-on with a correct ATR recovers */
    activate_to_atr(r, CTRL_EN, "3B 80 01 81");
    host_expect(r, "3B 80 01 81", "get ATR with a good TCK");
}

/* T=0 with TA1 = 96 (Fi 512, Di 32): PPS FF 10 96 79 (ISO 7816-3 9.2) */
Test(device_iso7816_uart, pps_negotiation)
{
    Rig *r = rig_start(NULL);

    activate_to_atr(r, CTRL_EN, "3B 10 96");
    card_expect(r, "FF 10 96 79", "PPS request");
    card_put_hex(r, "FF 10 96 79");
    host_expect(r, "3B 10 96", "get ATR after PPS");

    /*
     * timing=fast: until the card has switched its ETU, the terminal holds
     * its characters (timing=real corrupts them: real_timing test).
     */
    host_send_hex(r, "00 70 00 00");
    card_expect_quiet(r, "header held while the card is at F=372 D=1");
    /* the card's characters at the old etu do arrive corrupted */
    nc_writel(r->qt, ISO(CTRL), CTRL_EN | CTRL_ERRSIG);
    card_put_hex(r, "60");
    cr_assert(nc_readl(r->qt, ISO(STATUS)) & ST_TXFAIL,
              "a character at the wrong etu was not rejected");
    nc_writel(r->qt, ISO(ISR), ST_TXFAIL);
    nc_writel(r->qt, ISO(ETU), 512u | (32u << 16));
    card_expect(r, "00 70 00 00 00", "header at the negotiated etu");
    cr_assert_eq(nc_readl(r->qt, ISO(STATUS)) & ST_PARERR, 0u);
    card_put_hex(r, "90 00");
    host_expect(r, "90 00", "case 1 at the negotiated etu");
    cr_assert(qom_u32(r, "parity-errors") >= 1u);
}

Test(device_iso7816_uart, pps_without_answer_warm_reset)
{
    Rig *r = rig_start(NULL);

    activate_to_atr(r, CTRL_EN, "3B 10 96");
    card_expect(r, "FF 10 96 79", "PPS request");
    /* the card stays silent: after the waiting time, a warm reset */
    nc_clock_step(r->qt, FAST_TIMEOUT_NS + 1000000);
    nc_qtest_poll_l(r->qt, SYSCTL(RESET_COUNT), 0xffffffffu, 1,
                    NC_TIMEOUT_CMD_MS, "warm reset after a failed PPS");
    cr_assert_eq(nc_readl(r->qt, SYSCTL(RESET_CAUSE)), CAUSE_WARM);
    nc_writel(r->qt, ISO(CTRL), CTRL_EN);
    nc_qtest_poll_l(r->qt, ISO(LINE), LINE_RST, LINE_RST, NC_TIMEOUT_CMD_MS,
                    "RST high after the warm reset");
    card_put_hex(r, "3B 10 96");
    host_expect(r, "3B 10 96", "get ATR after PPS failure");
    card_expect_quiet(r, "no second PPS");
    /* default parameters: F=372 D=1 on both sides */
    host_send_hex(r, "00 70 00 00");
    card_expect(r, "00 70 00 00 00", "header at F=372 D=1");
    card_put_hex(r, "90 00");
    host_expect(r, "90 00", "case 1");
}

Test(device_iso7816_uart, t0_cases)
{
    Rig *r = rig_start(NULL);

    activate_t0(r, CTRL_EN | CTRL_ERRSIG | CTRL_AUTORETX | CTRL_RETRIES(3));

    /* case 1: P3 = 00 */
    host_send_hex(r, "00 70 00 00");
    card_expect(r, "00 70 00 00 00", "case 1 header");
    card_put_hex(r, "90 00");
    host_expect(r, "90 00", "case 1");

    /* case 2: ACK, Le bytes, SW */
    host_send_hex(r, "00 B0 00 00 04");
    card_expect(r, "00 B0 00 00 04", "case 2 header");
    card_put_hex(r, "B0 11 22 33 44 90 00");
    host_expect(r, "11 22 33 44 90 00", "case 2");

    /* case 2 with 6Cxx: re-issued with P3 = xx */
    host_send_hex(r, "00 B0 00 00 00");
    card_expect(r, "00 B0 00 00 00", "case 2 header, Le 256");
    card_put_hex(r, "6C 03");
    card_expect(r, "00 B0 00 00 03", "re-issued header");
    card_put_hex(r, "B0 AA BB CC 90 00");
    host_expect(r, "AA BB CC 90 00", "case 2 after 6C03");

    /* case 3 with a NULL byte and one byte at a time (~INS) */
    host_send_hex(r, "00 D6 00 00 03 AA BB CC");
    card_expect(r, "00 D6 00 00 03", "case 3 header");
    card_put_hex(r, "60");
    card_put_hex(r, "29");          /* ~D6: one byte */
    card_expect(r, "AA", "case 3 first byte");
    card_put_hex(r, "D6");          /* INS: the rest */
    card_expect(r, "BB CC", "case 3 remaining bytes");
    card_put_hex(r, "90 00");
    host_expect(r, "90 00", "case 3");

    /* case 4: data, 61xx, GET RESPONSE */
    host_send_hex(r, "00 A4 04 00 02 3F 00 00");
    card_expect(r, "00 A4 04 00 02", "case 4 header");
    card_put_hex(r, "A4");
    card_expect(r, "3F 00", "case 4 data");
    card_put_hex(r, "61 03");
    card_expect(r, "00 C0 00 00 03", "GET RESPONSE");
    card_put_hex(r, "C0 01 02 03 90 00");
    host_expect(r, "01 02 03 90 00", "case 4");

    /* case 4 answered with an error SW: no GET RESPONSE */
    host_send_hex(r, "00 A4 04 00 02 3F 01 00");
    card_expect(r, "00 A4 04 00 02", "case 4 header");
    card_put_hex(r, "A4");
    card_expect(r, "3F 01", "case 4 data");
    card_put_hex(r, "6A 82");
    host_expect(r, "6A 82", "case 4 with 6A82");
    card_expect_quiet(r, "no GET RESPONSE after 6A82");
    cr_assert_eq(qom_u32(r, "parity-errors"), 0u);
}

Test(device_iso7816_uart, inverse_convention)
{
    Rig *r = rig_start(NULL);

    /* TS 3F (inverse), T0 00 */
    activate_to_atr(r, CTRL_EN | CTRL_INV | CTRL_ERRSIG, "3F 00");
    host_expect(r, "3F 00", "get ATR, inverse convention");
    host_send_hex(r, "00 70 00 00");
    card_expect(r, "00 70 00 00 00", "header in inverse convention");
    card_put_hex(r, "90 00");
    host_expect(r, "90 00", "case 1, inverse convention");
    cr_assert_eq(qom_u32(r, "parity-errors"), 0u);
    /* ATR 2 + SW 2 characters from the card, a 5-byte header to it */
    cr_assert_eq(qom_u32(r, "chars-from-card"), 4u);
    cr_assert_eq(qom_u32(r, "chars-to-card"), 5u);
    cr_assert_eq(qom_u32(r, "retransmissions"), 0u);
}


/* ---- properties ---- */

Test(device_iso7816_uart, protocol_t0_forced)
{
    Rig *r = rig_start("netcard-iso7816-uart.protocol=t0");

    /* offers T=0 (first) and T=1: forced T=0 needs no PPS */
    activate_to_atr(r, CTRL_EN, "3B 80 80 01 01");
    host_expect(r, "3B 80 80 01 01", "get ATR");
    card_expect_quiet(r, "no PPS with T=0 forced");
    host_send_hex(r, "00 70 00 00");
    card_expect(r, "00 70 00 00 00", "T=0 header");
    card_put_hex(r, "90 00");
    host_expect(r, "90 00", "T=0 exchange");
}

Test(device_iso7816_uart, pps_off_keeps_default_rate)
{
    Rig *r = rig_start("netcard-iso7816-uart.pps=off");

    activate_to_atr(r, CTRL_EN, "3B 10 96");
    host_expect(r, "3B 10 96", "get ATR");
    card_expect_quiet(r, "no PPS with pps=off");
    host_send_hex(r, "00 70 00 00");
    card_expect(r, "00 70 00 00 00", "header at F=372 D=1");
    cr_assert_eq(nc_readl(r->qt, ISO(STATUS)) & ST_PARERR, 0u);
    card_put_hex(r, "90 00");
    host_expect(r, "90 00", "exchange at F=372 D=1");
}


/* T=0 and extended lengths (ISO 7816-3 12.2: case 2E via GET RESPONSE) */
Test(device_iso7816_uart, t0_extended_apdus)
{
    Rig *r = rig_start(NULL);
    static uint8_t got[70000];

    activate_t0(r, CTRL_EN);
    /* case 2E, Ne = 300: P3 = 00 (256), then GET RESPONSE for 44 */
    host_send_hex(r, "00 B0 00 00 00 01 2C");
    card_expect(r, "00 B0 00 00 00", "case 2E header");
    nc_writel(r->qt, ISO(DATA), 0xB0);
    for (int i = 0; i < 256; i++) {
        nc_writel(r->qt, ISO(DATA), (uint32_t)i & 0xff);
    }
    card_put_hex(r, "61 2C");
    card_expect(r, "00 C0 00 00 2C", "GET RESPONSE for the rest of Ne");
    nc_writel(r->qt, ISO(DATA), 0xC0);
    for (int i = 0; i < 44; i++) {
        nc_writel(r->qt, ISO(DATA), (uint32_t)(0x80 + i));
    }
    card_put_hex(r, "90 00");
    size_t g = nc_vpcd_recv(r->v, got, sizeof(got), NC_TIMEOUT_CMD_MS);
    cr_assert_eq(g, 302u, "case 2E answer of %zu bytes, expected 300 + SW", g);
    for (int i = 0; i < 300; i++) {
        uint8_t want = i < 256 ? (uint8_t)i : (uint8_t)(0x80 + i - 256);
        cr_assert_eq(got[i], want, "byte %d is %02X, expected %02X", i,
                     got[i], want);
    }
    cr_assert_eq(got[300], 0x90);
    cr_assert_eq(got[301], 0x00);

    /* case 3E with Nc = 3: sent as a short TPDU */
    host_send_hex(r, "00 D6 00 00 00 00 03 AA BB CC");
    card_expect(r, "00 D6 00 00 03", "case 3E as a short header");
    card_put_hex(r, "D6");
    card_expect(r, "AA BB CC", "case 3E data");
    card_put_hex(r, "90 00");
    host_expect(r, "90 00", "case 3E");

    /* case 3E with Nc = 256 would need ENVELOPE: refused, card untouched */
    static uint8_t big[7 + 256];
    memcpy(big, "\x00\xD6\x00\x00\x00\x01\x00", 7);
    nc_vpcd_send(r->v, big, sizeof(big));
    host_expect(r, "", "case 3E with Nc 256 under T=0");
    card_expect_quiet(r, "nothing sent for a refused command");
}
