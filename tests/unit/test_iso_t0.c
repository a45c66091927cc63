/*
 * Unit tests: T=0 (ISO/IEC 7816-3:2006 10 and 12.2) driven by a simulated
 * terminal without PPS (so T=0 at Fd = 372, Dd = 1, the first offered
 * protocol): procedure bytes, cases 1 to 4, 61xx + GET RESPONSE, 6Cxx,
 * NULL bytes while the card works, invalid INS.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "iso_term.h"

static void t0_select(void)
{
    term_power_on();
    term_send("00 A4 04 00 09");
    cr_assert_eq(iso_card_state(), ISO_T0, "no PPS: T=0");
    cr_assert_eq(term_f, 372);
    cr_assert_eq(term_d, 1);
    cr_assert(term_t0_mode);
    term_expect("A4");                         /* procedure byte = INS */
    term_send("F0 6E 65 74 63 61 72 64 01");
    term_expect("61 0D");                      /* 13 bytes of FCI waiting */
    term_send("00 C0 00 00 0D");
    term_expect("C0 6F 0B 84 09 F0 6E 65 74 63 61 72 64 01 90 00");
}

TestSuite(unit_t0);

Test(unit_t0, case3_select_and_get_response)
{
    t0_select();
    cr_expect_not_null(apdu_session_selected(&test_session, 0));
}

Test(unit_t0, case1)
{
    term_power_on();
    term_send("00 70 80 01 00");               /* close channel 1: not open */
    term_expect("68 81");
    term_send("00 70 00 01 00");               /* open channel 1: case 1 */
    term_expect("90 00");
    cr_expect(apdu_session_channel_open(&test_session, 1));
}

Test(unit_t0, case2_exact_le)
{
    t0_select();
    term_send("80 12 00 10 10");               /* GENERATE 16, Le 16 */
    term_expect("12 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 90 00");
}

Test(unit_t0, case2_wrong_le_6c)
{
    t0_select();
    term_send("80 12 00 10 08");               /* Le 8 < 16 */
    term_expect("6C 10");
    term_send("80 12 00 10 00");               /* Le 256 > 16 */
    term_expect("6C 10");
    term_send("80 12 00 10 10");               /* re-issued with P3 = 10 */
    term_expect("12 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 90 00");
}

Test(unit_t0, case2_256_bytes)
{
    uint8_t want[1 + 256 + 2];

    t0_select();
    term_send("80 12 01 00 00");               /* GENERATE 256, P3 00 = 256 */
    want[0] = 0x12;
    for (int i = 0; i < 256; i++) {
        want[1 + i] = (uint8_t)i;
    }
    want[257] = 0x90;
    want[258] = 0x00;
    term_expect_bytes(want, sizeof(want), "256 bytes");
}

Test(unit_t0, case4_get_response_in_parts)
{
    t0_select();
    term_send("80 10 00 00 05");               /* ECHO, Lc 5 */
    term_expect("10");
    term_send("01 02 03 04 05");
    term_expect("61 05");
    term_send("00 C0 00 00 08");               /* asks for too much */
    term_expect("6C 05");
    term_send("00 C0 00 00 02");
    term_expect("C0 01 02 61 03");
    term_send("00 C0 00 00 03");
    term_expect("C0 03 04 05 90 00");
}

Test(unit_t0, null_bytes_while_waiting)
{
    size_t nulls = 0;

    t0_select();
    term_send("80 20 03 E8 00");               /* DELAY 1000 ms */
    cr_expect_eq(term_in_len, 0);
    term_advance(1100);
    cr_assert_geq(term_in_len, 3);
    for (size_t i = 0; i + 2 < term_in_len; i++) {
        cr_expect_eq(term_in[i], 0x60, "NULL procedure bytes before the SW");
        nulls++;
    }
    cr_expect_geq(nulls, 2, "WWT is 1 s at Fi 372: NULL at least every 333 ms");
    cr_expect_eq(term_in[term_in_len - 2], 0x90);
    cr_expect_eq(term_in[term_in_len - 1], 0x00);
}

Test(unit_t0, invalid_ins_and_unknown)
{
    t0_select();
    term_send("00 60 00 00 00");
    term_expect("6D 00");
    term_send("80 9F 00 00 04");
    term_expect("6D 00");
    term_send("80 50 00 00 03");               /* unknown to the applet: SW at once */
    term_expect("6D 00");
    term_send("FF 10 00 00 00");               /* CLA FF after the protocol started */
    term_expect("6E 00");
}

Test(unit_t0, header_timeout)
{
    t0_select();
    term_send("80 12 00");                     /* 3 of 5 header bytes, then silence */
    term_advance(500);
    term_send("80 12 00 02 02");
    term_expect("12 00 01 90 00");
}
