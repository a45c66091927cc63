/*
 * Unit tests: ATR (ISO/IEC 7816-3:2006 8.2). The card's ATR against its
 * byte-by-byte description, and published ATRs of real cards parsed to
 * the fields the standard's encoding gives.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <criterion/criterion.h>
#include <string.h>

#include "iso7816/atr.h"
#include "iso7816/pps.h"
#include "iso_hex.h"

TestSuite(unit_atr);

Test(unit_atr, card_atr_bytes)
{
    uint8_t atr[ATR_MAX_LEN], want[ATR_MAX_LEN];
    size_t n = atr_build(atr, sizeof(atr));
    /* docs/iso7816-card.md; TCK = XOR of T0..H13 computed by hand = 51 */
    size_t wn = hex_to_bytes("3B 9D 96 80 31 FE 45 80 57 6E 65 74 63 61 72 64 73 F6 21 5F 46",
                             want, sizeof(want));

    cr_assert_eq(n, wn);
    cr_expect_arr_eq(atr, want, n);
}

Test(unit_atr, card_atr_parses_back)
{
    uint8_t atr[ATR_MAX_LEN];
    struct atr_info i;
    size_t n = atr_build(atr, sizeof(atr));

    cr_assert_eq(atr_parse(atr, n, &i), ATR_OK);
    cr_expect_not(i.inverse);
    cr_expect_eq(i.fi, 512);
    cr_expect_eq(i.di, 32);
    cr_expect_eq(i.fmax_khz, 5000);
    cr_expect_eq(i.protocols, 0x3, "T=0 and T=1");
    cr_expect_eq(i.first_protocol, 0);
    cr_expect_eq(i.ifsc, 254);
    cr_expect_eq(i.bwi, 4);
    cr_expect_eq(i.cwi, 5);
    cr_expect_not(i.crc);
    cr_expect_not(i.specific_mode);
    cr_expect_eq(i.hist_len, 13);
    cr_expect_eq(i.hist[0], 0x80, "category indicator");
    cr_expect_arr_eq(i.hist + 2, "netcard", 7);
    cr_expect(i.has_tck);
}

/* YubiKey 4, as published (e.g. pcsc-tools' smartcard_list). */
Test(unit_atr, yubikey4)
{
    uint8_t atr[ATR_MAX_LEN];
    struct atr_info i;
    size_t n = hex_to_bytes("3B F8 13 00 00 81 31 FE 15 59 75 62 69 6B 65 79 34 D4",
                            atr, sizeof(atr));

    cr_assert_eq(atr_parse(atr, n, &i), ATR_OK);
    cr_expect(i.has_ta[1] && i.ta[1] == 0x13);
    cr_expect_eq(i.fi, 372);
    cr_expect_eq(i.di, 4);
    cr_expect(i.has_tb[1] && i.has_tc[1]);
    cr_expect_eq(i.n, 0);
    cr_expect_eq(i.td[1], 0x81);
    cr_expect_eq(i.first_protocol, 1);
    cr_expect_eq(i.protocols, 0x2, "T=1 only");
    cr_expect_eq(i.ifsc, 254);
    cr_expect_eq(i.bwi, 1);
    cr_expect_eq(i.cwi, 5);
    cr_expect_eq(i.hist_len, 8);
    cr_expect_arr_eq(i.hist, "Yubikey4", 8);
    cr_expect_eq(i.tck, 0xD4);
}

/* NXP JCOP 31 V2.3.2 (JCAlgTest list): T=0 and T=1, no TA1. */
Test(unit_atr, jcop31)
{
    uint8_t atr[ATR_MAX_LEN];
    struct atr_info i;
    size_t n = hex_to_bytes("3B 8A 80 01 4A 43 4F 50 33 31 56 32 33 32 7A", atr, sizeof(atr));

    cr_assert_eq(atr_parse(atr, n, &i), ATR_OK);
    cr_expect_eq(i.fi, 372);
    cr_expect_eq(i.di, 1);
    cr_expect_eq(i.protocols, 0x3);
    cr_expect_eq(i.first_protocol, 0);
    cr_expect_eq(i.ifsc, 32, "default IFSC");
    cr_expect_eq(i.bwi, 4);
    cr_expect_eq(i.cwi, 13);
    cr_expect_arr_eq(i.hist, "JCOP31V232", 10);
}

/* Schlumberger Multiflex 3k: T=0 only, so no TCK. */
Test(unit_atr, t0_only_without_tck)
{
    uint8_t atr[] = { 0x3B, 0x02, 0x14, 0x50 };
    struct atr_info i;

    cr_assert_eq(atr_parse(atr, sizeof(atr), &i), ATR_OK);
    cr_expect_eq(i.protocols, 0x1);
    cr_expect_not(i.has_tck);
    cr_expect_eq(i.hist_len, 2);
    cr_expect_eq(i.hist[0], 0x14);
}

Test(unit_atr, rejects_bad_tck_and_truncation)
{
    uint8_t atr[ATR_MAX_LEN + 2];
    struct atr_info i;
    size_t n = atr_build(atr, sizeof(atr));

    atr[n - 1] ^= 0x01;
    cr_expect_eq(atr_parse(atr, n, &i), ATR_ERR_TCK);
    atr[n - 1] ^= 0x01;
    for (size_t k = 0; k < n; k++) {
        cr_expect_eq(atr_parse(atr, k, &i), k == 0 ? ATR_ERR_TRUNCATED : ATR_ERR_TRUNCATED,
                     "truncated to %zu bytes", k);
    }
    atr[n] = 0x00;
    cr_expect_eq(atr_parse(atr, n + 1, &i), ATR_ERR_TOO_LONG);
    atr[0] = 0x3C;
    cr_expect_eq(atr_parse(atr, n, &i), ATR_ERR_TS);
    {
        /* T=1 indicated but TCK missing */
        uint8_t jcop[] = { 0x3B, 0x8A, 0x80, 0x01, 'J', 'C', 'O', 'P', '3', '1', 'V', '2', '3', '2' };

        cr_expect_eq(atr_parse(jcop, sizeof(jcop), &i), ATR_ERR_TRUNCATED);
    }
}

Test(unit_atr, fi_di_tables)
{
    /* ISO/IEC 7816-3:2006 Tables 7 and 8 */
    cr_expect_eq(atr_fi_from_code(0x1), 372);
    cr_expect_eq(atr_fi_from_code(0x9), 512);
    cr_expect_eq(atr_fi_from_code(0xD), 2048);
    cr_expect_eq(atr_fi_from_code(0x7), 0, "RFU");
    cr_expect_eq(atr_di_from_code(0x6), 32);
    cr_expect_eq(atr_di_from_code(0x8), 12);
    cr_expect_eq(atr_di_from_code(0x9), 20);
    cr_expect_eq(atr_di_from_code(0x0), 0, "RFU");
}

TestSuite(unit_pps);

static size_t pps(const char *req_hex, uint8_t *rsp, struct pps_result *res)
{
    uint8_t req[8];
    size_t n = hex_to_bytes(req_hex, req, sizeof(req));

    return pps_respond(req, n, 0x96, 0x3, rsp, res);
}

Test(unit_pps, accepts_ta1_and_echoes)
{
    uint8_t rsp[PPS_MAX_LEN];
    struct pps_result r;
    /* PPSS FF, PPS0 11 (PPS1, T=1), PPS1 96, PCK = FF^11^96 = 78 */
    size_t n = pps("FF 11 96 78", rsp, &r);

    cr_assert_eq(n, 4);
    cr_expect_arr_eq(rsp, "\xFF\x11\x96\x78", 4);
    cr_expect_eq(r.protocol, 1);
    cr_expect_eq(r.f, 512);
    cr_expect_eq(r.d, 32);
}

Test(unit_pps, t0_with_lower_d)
{
    uint8_t rsp[PPS_MAX_LEN];
    struct pps_result r;
    /* T=0, Fi 512 Di 8 (code 4): FF 10 94 PCK=FF^10^94=7B */
    size_t n = pps("FF 10 94 7B", rsp, &r);

    cr_assert_eq(n, 4);
    cr_expect_arr_eq(rsp, "\xFF\x10\x94\x7B", 4);
    cr_expect_eq(r.protocol, 0);
    cr_expect_eq(r.f, 512);
    cr_expect_eq(r.d, 8);
}

Test(unit_pps, no_pps1_means_default)
{
    uint8_t rsp[PPS_MAX_LEN];
    struct pps_result r;
    size_t n = pps("FF 01 FE", rsp, &r);   /* T=1, PCK = FF^01 = FE */

    cr_assert_eq(n, 3);
    cr_expect_arr_eq(rsp, "\xFF\x01\xFE", 3);
    cr_expect_eq(r.f, 372);
    cr_expect_eq(r.d, 1);
}

Test(unit_pps, too_fast_pps1_is_left_out)
{
    uint8_t rsp[PPS_MAX_LEN];
    struct pps_result r;
    /* Fi 512 Di 64 (97) is more than TA1 offers: response without PPS1 */
    size_t n = pps("FF 11 97 79", rsp, &r);

    cr_assert_eq(n, 3);
    cr_expect_arr_eq(rsp, "\xFF\x01\xFE", 3);
    cr_expect_eq(r.f, 372);
    cr_expect_eq(r.d, 1);
}

Test(unit_pps, pps2_not_echoed)
{
    uint8_t rsp[PPS_MAX_LEN];
    struct pps_result r;
    /* PPS0 31: PPS1 and PPS2 present; PCK = FF^31^96^02 = 5A */
    size_t n = pps("FF 31 96 02 5A", rsp, &r);

    cr_assert_eq(n, 4);
    cr_expect_arr_eq(rsp, "\xFF\x11\x96\x78", 4);
}

Test(unit_pps, erroneous_requests_get_no_answer)
{
    uint8_t rsp[PPS_MAX_LEN];
    struct pps_result r;

    cr_expect_eq(pps("FF 11 96 77", rsp, &r), 0, "bad PCK");
    cr_expect_eq(pps("FF 12 96 7B", rsp, &r), 0, "T=2 not offered");
    cr_expect_eq(pps("FF 11 96", rsp, &r), 0, "truncated");
    cr_expect_eq(pps("FE 11 96 79", rsp, &r), 0, "not PPSS");
}

Test(unit_pps, receiver_length)
{
    struct pps_rx rx;
    const uint8_t req[] = { 0xFF, 0x71, 0x96, 0x00, 0x00, 0x18 };

    pps_rx_reset(&rx);
    for (size_t i = 0; i < sizeof(req) - 1; i++) {
        cr_expect_eq(pps_rx_byte(&rx, req[i]), PPS_RX_MORE);
    }
    cr_expect_eq(pps_rx_byte(&rx, req[5]), PPS_RX_COMPLETE);
    cr_expect_eq(rx.len, 6);
}
