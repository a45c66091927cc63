/*
 * Unit tests: ISO/IEC 7816-4 5.1 command APDU parsing (every Lc/Le form,
 * malformed lengths) and 5.4.1 class byte decoding. Expected fields are
 * read off the standard's encoding rules, byte by byte.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <criterion/criterion.h>
#include <string.h>

#include "apdu/apdu.h"
#include "iso_hex.h"

static struct apdu parse_hex(const char *hex, uint16_t want_sw)
{
    static uint8_t buf[APDU_BUF_SIZE];
    struct apdu a;
    size_t n = hex_to_bytes(hex, buf, sizeof(buf));

    cr_assert_eq(apdu_parse(buf, n, &a), want_sw, "parse %s", hex);
    return a;
}

TestSuite(unit_apdu);

Test(unit_apdu, case1)
{
    struct apdu a = parse_hex("00 70 80 01", SW_OK);

    cr_expect_eq(a.kase, APDU_CASE_1);
    cr_expect_eq(a.cla, 0x00);
    cr_expect_eq(a.ins, 0x70);
    cr_expect_eq(a.p1, 0x80);
    cr_expect_eq(a.p2, 0x01);
    cr_expect_eq(a.nc, 0);
    cr_expect_not(a.le_present);
    cr_expect_eq(a.ne, 0);
}

Test(unit_apdu, case2s_le_forms)
{
    struct apdu a = parse_hex("00 B0 00 00 10", SW_OK);

    cr_expect_eq(a.kase, APDU_CASE_2S);
    cr_expect(a.le_present);
    cr_expect_eq(a.ne, 16);
    a = parse_hex("00 B0 00 00 00", SW_OK);
    cr_expect_eq(a.kase, APDU_CASE_2S);
    cr_expect_eq(a.ne, 256, "short Le 00 means 256");
    a = parse_hex("00 B0 00 00 FF", SW_OK);
    cr_expect_eq(a.ne, 255);
}

Test(unit_apdu, case3s)
{
    struct apdu a = parse_hex("00 A4 04 00 03 A0 00 01", SW_OK);

    cr_expect_eq(a.kase, APDU_CASE_3S);
    cr_expect_eq(a.nc, 3);
    cr_expect_eq(a.data[0], 0xA0);
    cr_expect_eq(a.data[2], 0x01);
    cr_expect_not(a.le_present);
    cr_expect_not(a.extended);
}

Test(unit_apdu, case4s)
{
    struct apdu a = parse_hex("00 A4 04 00 02 3F 00 00", SW_OK);

    cr_expect_eq(a.kase, APDU_CASE_4S);
    cr_expect_eq(a.nc, 2);
    cr_expect_eq(a.data[1], 0x00);
    cr_expect(a.le_present);
    cr_expect_eq(a.ne, 256);
    a = parse_hex("00 A4 04 00 01 3F 20", SW_OK);
    cr_expect_eq(a.kase, APDU_CASE_4S);
    cr_expect_eq(a.ne, 0x20);
}

Test(unit_apdu, case4s_max_lc)
{
    static uint8_t buf[4 + 1 + 255 + 1];
    struct apdu a;

    memset(buf, 0xAB, sizeof(buf));
    buf[4] = 0xFF;
    buf[sizeof(buf) - 1] = 0x00;
    cr_assert_eq(apdu_parse(buf, sizeof(buf), &a), SW_OK);
    cr_expect_eq(a.kase, APDU_CASE_4S);
    cr_expect_eq(a.nc, 255);
    cr_expect_eq(a.ne, 256);
    cr_assert_eq(apdu_parse(buf, sizeof(buf) - 1, &a), SW_OK);
    cr_expect_eq(a.kase, APDU_CASE_3S);
}

Test(unit_apdu, case2e)
{
    struct apdu a = parse_hex("00 B0 00 00 00 01 00", SW_OK);

    cr_expect_eq(a.kase, APDU_CASE_2E);
    cr_expect(a.extended);
    cr_expect_eq(a.ne, 256);
    a = parse_hex("00 B0 00 00 00 00 00", SW_OK);
    cr_expect_eq(a.ne, 65536, "extended Le 0000 means 65536");
    a = parse_hex("00 B0 00 00 00 FF FF", SW_OK);
    cr_expect_eq(a.ne, 65535);
}

Test(unit_apdu, case3e_and_4e)
{
    static uint8_t buf[4 + 3 + 65535 + 2];
    struct apdu a;

    memset(buf, 0x5A, sizeof(buf));
    buf[4] = 0x00;
    buf[5] = 0x01;
    buf[6] = 0x00;     /* Lc = 256 */
    cr_assert_eq(apdu_parse(buf, 4 + 3 + 256, &a), SW_OK);
    cr_expect_eq(a.kase, APDU_CASE_3E);
    cr_expect_eq(a.nc, 256);
    cr_expect_eq(a.data, buf + 7);
    buf[7 + 256] = 0x00;
    buf[7 + 257] = 0x00;
    cr_assert_eq(apdu_parse(buf, 4 + 3 + 256 + 2, &a), SW_OK);
    cr_expect_eq(a.kase, APDU_CASE_4E);
    cr_expect_eq(a.ne, 65536);

    buf[5] = 0xFF;
    buf[6] = 0xFF;     /* Lc = 65535 */
    buf[7 + 65535] = 0x12;
    buf[7 + 65536] = 0x34;
    cr_assert_eq(apdu_parse(buf, sizeof(buf), &a), SW_OK);
    cr_expect_eq(a.kase, APDU_CASE_4E);
    cr_expect_eq(a.nc, 65535);
    cr_expect_eq(a.ne, 0x1234);
    cr_expect_eq(sizeof(buf), APDU_MAX_CMD_LEN);
}

Test(unit_apdu, case3e_small)
{
    struct apdu a = parse_hex("80 10 00 00 00 00 02 AA BB", SW_OK);

    cr_expect_eq(a.kase, APDU_CASE_3E);
    cr_expect_eq(a.nc, 2);
    a = parse_hex("80 10 00 00 00 00 02 AA BB 00 05", SW_OK);
    cr_expect_eq(a.kase, APDU_CASE_4E);
    cr_expect_eq(a.ne, 5);
}

Test(unit_apdu, malformed_lengths)
{
    const char *bad[] = {
        "",                             /* nothing */
        "00",
        "00 A4 04",                     /* too short: 3 bytes */
        "00 A4 04 00 00 01",            /* B1=00 then 1 byte: neither form */
        "00 A4 04 00 03 01 02",         /* Lc 3, 2 data bytes */
        "00 A4 04 00 02 01 02 00 00",   /* Lc 2, 3 more bytes */
        "00 A4 04 00 01 01 02 03",      /* Lc 1, too many */
        "00 A4 04 00 00 00 00 01",      /* extended Lc = 0 */
        "00 A4 04 00 00 00 00 01 02",   /* extended Lc = 0 with data */
        "00 A4 04 00 00 00 02 AA",      /* extended Lc 2, 1 byte */
        "00 A4 04 00 00 00 02 AA BB CC",/* extended: 1 byte after data */
        "00 A4 04 00 00 00 01 AA 00 00 00", /* extended: 3 bytes after data */
        "00 A4 04 00 00 00",            /* B1=00 then 1 byte (L=2) */
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        parse_hex(bad[i], SW_WRONG_LENGTH);
    }
    cr_expect_eq(apdu_parse(NULL, 0, &(struct apdu){ 0 }), SW_WRONG_LENGTH);
}

Test(unit_apdu, class_byte)
{
    struct apdu_class c;

    c = apdu_class_decode(0x00);
    cr_expect(c.valid && !c.proprietary && c.channel == 0 && c.sm == 0 && !c.chaining);
    c = apdu_class_decode(0x03);
    cr_expect(c.valid && c.channel == 3);
    c = apdu_class_decode(0x0C);           /* b4b3 = 11: SM, header authenticated */
    cr_expect(c.valid && c.sm == 3 && c.channel == 0);
    c = apdu_class_decode(0x10);           /* b5: command chaining */
    cr_expect(c.valid && c.chaining);
    c = apdu_class_decode(0x40);           /* further interindustry: channel 4 */
    cr_expect(c.valid && c.channel == 4 && c.sm == 0);
    c = apdu_class_decode(0x4F);
    cr_expect(c.valid && c.channel == 19);
    c = apdu_class_decode(0x60);           /* b6: SM */
    cr_expect(c.valid && c.sm == 1 && c.channel == 4);
    c = apdu_class_decode(0x51);           /* b5: chaining, channel 5 */
    cr_expect(c.valid && c.chaining && c.channel == 5);
    c = apdu_class_decode(0x81);
    cr_expect(c.valid && c.proprietary && c.channel == 1);
    c = apdu_class_decode(0xC2);
    cr_expect(c.valid && c.proprietary && c.channel == 6);
    cr_expect_not(apdu_class_decode(0x20).valid, "001x xxxx is RFU");
    cr_expect_not(apdu_class_decode(0x3F).valid);
    cr_expect_not(apdu_class_decode(0xFF).valid, "FF is PPSS");
    cr_expect_not(apdu_class_decode(0xA0).valid);
}

Test(unit_apdu, response_building)
{
    uint8_t buf[8];
    struct apdu_response r;

    apdu_response_init(&r, buf, sizeof(buf));
    cr_assert(apdu_response_set_data(&r, "abc", 3));
    cr_assert(apdu_response_append(&r, "def", 3));
    cr_expect_not(apdu_response_append(&r, "g", 1), "no room for SW");
    r.sw = 0x6282;
    cr_assert_eq(apdu_response_finish(&r), 8);
    cr_expect_arr_eq(buf, "abcdef\x62\x82", 8);
}
