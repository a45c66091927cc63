/*
 * Device tests: the ISO 7816 UART's T=1 (chaining, PPS selection, error
 * recovery and resynchronisation, CRC) and the error signal with
 * retransmission (ISO/IEC 7816-3 7.3, 11).
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

TestSuite(device_iso7816_uart_t1, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_DEVICE);

Test(device_iso7816_uart_t1, t1_exchange_chaining)
{
    Rig *r = rig_start(NULL);

    activate_to_atr(r, CTRL_EN, ATR_T1);
    host_expect(r, ATR_T1, "get ATR (T=1)");
    card_expect_quiet(r, "no PPS: T=1 is the first offered protocol");

    /* 22-byte case 4 command, IFSC 16: two I-blocks */
    host_send_hex(r, "00 A4 04 00 10 01 02 03 04 05 06 07 08 09 0A 0B "
                     "0C 0D 0E 0F 10 00");
    card_expect(r, "00 C1 01 FE 3E", "S(IFS request) IFSD 254");
    card_put_hex(r, "00 E1 01 FE 1E");
    card_expect(r, t1_block(0x20, "00 A4 04 00 10 01 02 03 04 05 06 07 08 "
                                  "09 0A 0B"), "I(0, more)");
    card_put_hex(r, t1_block(0x90, ""));            /* R(1): next */
    card_expect(r, t1_block(0x40, "0C 0D 0E 0F 10 00"), "I(1, last)");
    /* the answer chained as well */
    card_put_hex(r, t1_block(0x20, "AA BB CC"));    /* I(0, more) */
    card_expect(r, t1_block(0x90, ""), "R(1) acknowledging the card");
    card_put_hex(r, t1_block(0x40, "DD EE 90 00")); /* I(1, last) */
    host_expect(r, "AA BB CC DD EE 90 00", "chained answer");

    /* next exchange: S(WTX) and an LRC error on the way */
    host_send_hex(r, "00 B0 00 00 02");
    card_expect(r, t1_block(0x00, "00 B0 00 00 02"), "I(0)");
    card_put_hex(r, t1_block(0xC3, "02"));          /* S(WTX request) */
    card_expect(r, t1_block(0xE3, "02"), "S(WTX response)");
    card_put_hex(r, "00 00 04 01 02 90 00 FF");     /* bad LRC */
    card_expect(r, t1_block(0x81, ""), "R(0) with EDC error");
    card_put_hex(r, t1_block(0x00, "01 02 90 00"));
    host_expect(r, "01 02 90 00", "answer after recovery");
    cr_assert_eq(nc_readl(r->qt, ISO(STATUS)) & ST_PARERR, 0u);
}

Test(device_iso7816_uart_t1, t1_selected_by_pps)
{
    Rig *r = rig_start(NULL);

    /* TD1 T=0, TD2 T=1: auto prefers T=1, so PPS0 = 01 */
    activate_to_atr(r, CTRL_EN, "3B 80 80 01 01");
    card_expect(r, "FF 01 FE", "PPS selecting T=1");
    card_put_hex(r, "FF 01 FE");
    host_expect(r, "3B 80 80 01 01", "get ATR");
    host_send_hex(r, "00 70 00 00");
    card_expect(r, "00 C1 01 FE 3E", "S(IFS request)");
    card_put_hex(r, "00 E1 01 FE 1E");
    card_expect(r, t1_block(0x00, "00 70 00 00"), "I(0)");
    card_put_hex(r, t1_block(0x00, "90 00"));
    host_expect(r, "90 00", "T=1 answer");
}

/* ---- error signal and retransmission ---- */

Test(device_iso7816_uart_t1, rx_parity_error_retransmitted)
{
    Rig *r = rig_start(NULL);

    activate_t0(r, CTRL_EN | CTRL_ERRSIG);
    uint32_t retx0 = qom_u32(r, "retransmissions");
    uint32_t perr0 = qom_u32(r, "parity-errors");

    qom_set_u32(r, "inject-rx-parity-errors", 2);
    host_send_hex(r, "00 70 00 00");
    /* the card signalled the errors; the terminal repeated: intact */
    card_expect(r, "00 70 00 00 00", "header after two repetitions");
    uint32_t st = nc_readl(r->qt, ISO(STATUS));
    cr_assert(st & ST_PARERR, "STATUS.PARERR not set (0x%08x)", st);
    cr_assert_eq(qom_u32(r, "retransmissions") - retx0, 2u);
    cr_assert_eq(qom_u32(r, "parity-errors") - perr0, 2u);
    cr_assert_eq(qom_u32(r, "inject-rx-parity-errors"), 0u);
    nc_writel(r->qt, ISO(ISR), ST_PARERR);
    cr_assert_eq(nc_readl(r->qt, ISO(STATUS)) & ST_PARERR, 0u);
    card_put_hex(r, "90 00");
    host_expect(r, "90 00", "case 1 after parity errors");

    /* without ERRSIG the corrupted character is kept, flagged */
    nc_writel(r->qt, ISO(CTRL), CTRL_EN);
    qom_set_u32(r, "inject-rx-parity-errors", 1);
    host_send_hex(r, "00 70 00 00");
    card_expect(r, "00 70 00 00 00", "header, one char flagged");
    cr_assert(nc_readl(r->qt, ISO(STATUS)) & ST_PARERR);
    card_put_hex(r, "90 00");
    host_expect(r, "90 00", "case 1");
}

Test(device_iso7816_uart_t1, tx_nack_autoretx_and_txfail)
{
    Rig *r = rig_start(NULL);

    activate_t0(r, CTRL_EN | CTRL_ERRSIG | CTRL_AUTORETX | CTRL_RETRIES(2));
    uint32_t retx0 = qom_u32(r, "retransmissions");

    /* two rejections, two repetitions: the SW gets through */
    host_send_hex(r, "00 70 00 00");
    card_expect(r, "00 70 00 00 00", "header");
    qom_set_u32(r, "inject-tx-nack", 2);
    card_put_hex(r, "90 00");
    host_expect(r, "90 00", "SW after two repetitions");
    cr_assert_eq(qom_u32(r, "retransmissions") - retx0, 2u);
    cr_assert_eq(nc_readl(r->qt, ISO(STATUS)) & ST_TXFAIL, 0u);

    /* three rejections with RETRIES = 2: TXFAIL, character dropped */
    host_send_hex(r, "00 70 00 00");
    card_expect(r, "00 70 00 00 00", "header");
    qom_set_u32(r, "inject-tx-nack", 3);
    card_put_hex(r, "90");
    uint32_t st = poll_nostep(r, ISO(STATUS), ST_TXFAIL, ST_TXFAIL,
                              "TXFAIL");
    cr_assert(nc_readl(r->qt, ISO(ISR)) & ST_TXFAIL);
    cr_assert_eq(st & ST_TXIDLE, ST_TXIDLE);
    nc_writel(r->qt, ISO(ISR), ST_TXFAIL);
    cr_assert_eq(nc_readl(r->qt, ISO(STATUS)) & ST_TXFAIL, 0u);
    /* the card sends the SW again: the terminal was still waiting */
    card_put_hex(r, "90 00");
    host_expect(r, "90 00", "SW after TXFAIL");
}


/* ---- T=1 error recovery ---- */

Test(device_iso7816_uart_t1, t1_recovery_and_resynch)
{
    Rig *r = rig_start(NULL);

    activate_to_atr(r, CTRL_EN, ATR_T1);
    host_expect(r, ATR_T1, "get ATR (T=1)");
    host_send_hex(r, "00 70 00 00");
    card_expect(r, "00 C1 01 FE 3E", "S(IFS request)");
    card_put_hex(r, "00 E1 01 FE 1E");
    card_expect(r, t1_block(0x00, "00 70 00 00"), "I(0)");
    /* R(0): the card asks for the I-block again */
    card_put_hex(r, t1_block(0x80, ""));
    card_expect(r, t1_block(0x00, "00 70 00 00"), "I(0) again");
    /* silence: after BWT, R(0) with "other error", twice, then RESYNCH */
    nc_clock_step(r->qt, FAST_TIMEOUT_NS + 1000000);
    card_expect(r, t1_block(0x82, ""), "R(0) after BWT");
    nc_clock_step(r->qt, FAST_TIMEOUT_NS + 1000000);
    card_expect(r, t1_block(0x82, ""), "R(0) repeated");
    cr_assert(!nc_vpcd_pending(r->v, 50), "answered during recovery");
    nc_clock_step(r->qt, FAST_TIMEOUT_NS + 1000000);
    card_expect(r, t1_block(0xC0, ""), "S(RESYNCH request)");
    card_put_hex(r, t1_block(0xE0, ""));
    host_expect(r, "", "exchange abandoned after RESYNCH");
    cr_assert_eq(nc_readl(r->qt, ISO(LINE)) & LINE_VCC, LINE_VCC,
                 "a successful RESYNCH keeps the card powered");

    /* after RESYNCH: IFS again, sequence numbers from 0 */
    host_send_hex(r, "00 70 00 00");
    card_expect(r, "00 C1 01 FE 3E", "S(IFS request) after RESYNCH");
    card_put_hex(r, "00 E1 01 FE 1E");
    card_expect(r, t1_block(0x00, "00 70 00 00"), "I(0) after RESYNCH");
    card_put_hex(r, t1_block(0x00, "90 00"));
    host_expect(r, "90 00", "exchange after RESYNCH");

    /* a card that stays silent: RESYNCH fails, the terminal deactivates */
    host_send_hex(r, "00 70 00 00");
    card_expect(r, t1_block(0x40, "00 70 00 00"), "I(1)");
    int steps = 0;
    while (!nc_vpcd_pending(r->v, 0)) {
        cr_assert(steps++ < 20, "no answer after %d waiting times", steps);
        nc_clock_step(r->qt, FAST_TIMEOUT_NS + 1000000);
        while (nc_readl(r->qt, ISO(STATUS)) & ST_RXNE) {
            (void)nc_readl(r->qt, ISO(DATA));
        }
        (void)nc_vpcd_pending(r->v, 20);
    }
    host_expect(r, "", "T=1 card mute beyond recovery");
    cr_assert_eq(nc_readl(r->qt, ISO(LINE)) & LINE_VCC, 0u,
                 "the terminal did not deactivate the mute card");
}


/* T=1 with CRC: TD1 = 81 (T=1), TD2 = 41 (TC3 follows, T=1), TC3 = 01 */
#define ATR_T1_CRC "3B 80 81 41 01 41"

Test(device_iso7816_uart_t1, t1_crc)
{
    /* the helper against the published check value of CRC-16/X-25 */
    cr_assert_eq(crc_x25((const uint8_t *)"123456789", 9), 0x906e);

    Rig *r = rig_start(NULL);

    activate_to_atr(r, CTRL_EN, ATR_T1_CRC);
    host_expect(r, ATR_T1_CRC, "get ATR (T=1, CRC)");
    host_send_hex(r, "00 70 00 00");
    card_expect(r, t1_block_crc(0xC1, "FE"), "S(IFS request) with CRC");
    card_put_hex(r, t1_block_crc(0xE1, "FE"));
    card_expect(r, t1_block_crc(0x00, "00 70 00 00"), "I(0) with CRC");
    /* a CRC error (bytes swapped): R(0) with EDC error */
    const char *good = t1_block_crc(0x00, "90 00");
    uint8_t b[16];
    size_t n = nc_unhex(good, b, sizeof(b));
    uint8_t t = b[n - 1];
    b[n - 1] = b[n - 2];
    b[n - 2] = t;
    card_put_hex(r, nc_hex(b, n));
    card_expect(r, t1_block_crc(0x81, ""), "R(0) after a CRC error");
    card_put_hex(r, good);
    host_expect(r, "90 00", "answer with CRC");
}
