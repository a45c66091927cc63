/*
 * Unit tests: the admin server's script codec (net/ras/ras_codec.c)
 * against TS 102 226 clause 5.2 encodings written out by hand from the
 * specification's rules (expanded format: 'AA'/'AE' command scripts with
 * '22' C-APDU TLVs, 'AB'/'AF' response scripts with '80', '23', '90';
 * BER-TLV lengths of ISO/IEC 8825-1 8.1.3), as also summarised in the
 * shared notes (Amendment B part).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "ras/ras_codec.h"

TestSuite(unit_ras_codec);

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
    long n = ras_unhex(h, out, cap);
    cr_assert_geq(n, 0, "bad hex in the test: %s", h);
    return (size_t)n;
}

static void expect_bytes(const RasBytes *b, const char *want_hex)
{
    static uint8_t want[4096];
    size_t n = unhex(want_hex, want, sizeof(want));
    char *got = malloc(2 * b->len + 1);
    ras_hex(b->p, b->len, got);
    cr_expect(b->len == n && memcmp(b->p, want, n) == 0,
              "encoded %s, want %s", got, want_hex);
    free(got);
}

Test(unit_ras_codec, ber_lengths)
{
    uint8_t o[4];
    cr_expect_eq(ras_ber_len_put(0x7F, o), 1);
    cr_expect_eq(o[0], 0x7F);
    cr_expect_eq(ras_ber_len_put(0x80, o), 2);
    cr_expect(o[0] == 0x81 && o[1] == 0x80);
    cr_expect_eq(ras_ber_len_put(0xF5, o), 2);     /* the notes' 22 81 F5 */
    cr_expect(o[0] == 0x81 && o[1] == 0xF5);
    cr_expect_eq(ras_ber_len_put(0x100, o), 3);
    cr_expect(o[0] == 0x82 && o[1] == 0x01 && o[2] == 0x00);

    size_t len, hdr;
    const uint8_t l82[] = { 0x82, 0x01, 0x05 };
    cr_expect_eq(ras_ber_len_get(l82, 3, &len, &hdr), 0);
    cr_expect(len == 0x105 && hdr == 3);
    cr_expect_eq(ras_ber_len_get(l82, 2, &len, &hdr), RAS_E_TRUNCATED);
    const uint8_t indef[] = { 0x80 };
    cr_expect_eq(ras_ber_len_get(indef, 1, &len, &hdr), RAS_E_FORMAT);
    const uint8_t l85[] = { 0x85, 1, 2, 3, 4, 5 };
    cr_expect_eq(ras_ber_len_get(l85, 6, &len, &hdr), RAS_E_FORMAT);
}

/* SELECT ISD and GET DATA 66 as a definite script:
 * AA 16 | 22 0D 00A4040008A000000151000000 | 22 05 80CA006600 */
Test(unit_ras_codec, script_definite)
{
    uint8_t a1[13], a2[5];
    RasSpan s[2] = { { a1, unhex("00A4040008A000000151000000", a1, 13) },
                     { a2, unhex("80CA006600", a2, 5) } };
    RasBytes b = { 0 };
    cr_assert(ras_script_encode(&b, s, 2, false));
    expect_bytes(&b, "AA16" "220D00A4040008A000000151000000" "220580CA006600");
    ras_bytes_free(&b);
}

/* The same as indefinite: AE 80 ... 00 00 */
Test(unit_ras_codec, script_indefinite)
{
    uint8_t a1[13], a2[5];
    RasSpan s[2] = { { a1, unhex("00A4040008A000000151000000", a1, 13) },
                     { a2, unhex("80CA006600", a2, 5) } };
    RasBytes b = { 0 };
    cr_assert(ras_script_encode(&b, s, 2, true));
    expect_bytes(&b, "AE80" "220D00A4040008A000000151000000" "220580CA006600" "0000");
    RasSpan back[4];
    cr_expect_eq(ras_script_parse(b.p, b.len, back, 4), 2);
    cr_expect(back[1].len == 5 && memcmp(back[1].p, a2, 5) == 0);
    ras_bytes_free(&b);
}

/* A 245-byte C-APDU (a LOAD block: 5-byte header + 240 data) needs the
 * long form: 22 81 F5; the script then is AA 81 F8. */
Test(unit_ras_codec, script_long_form)
{
    uint8_t apdu[245];
    memset(apdu, 0x5A, sizeof(apdu));
    apdu[0] = 0x80; apdu[1] = 0xE8; apdu[2] = 0x00; apdu[3] = 0x00;
    apdu[4] = 240;
    RasSpan s = { apdu, sizeof(apdu) };
    RasBytes b = { 0 };
    cr_assert(ras_script_encode(&b, &s, 1, false));
    cr_expect_eq(b.len, 3 + 3 + 245);
    const uint8_t head[] = { 0xAA, 0x81, 0xF8, 0x22, 0x81, 0xF5, 0x80, 0xE8 };
    cr_expect(memcmp(b.p, head, sizeof(head)) == 0, "head %02X %02X %02X %02X %02X %02X",
              b.p[0], b.p[1], b.p[2], b.p[3], b.p[4], b.p[5]);
    ras_bytes_free(&b);
}

/* Response: AB 0D | 80 01 02 | 23 02 9000 | 23 04 C101 9000 (the second
 * R-APDU is data C1 01 and SW 90 00) */
Test(unit_ras_codec, results_definite)
{
    uint8_t buf[64];
    size_t n = unhex("AB0D" "800102" "23029000" "2304C1019000", buf, sizeof(buf));
    RasResults r;
    cr_assert_eq(ras_results_parse(buf, n, &r, 16), 0);
    cr_expect_eq(r.executed, 2);
    cr_expect_eq(r.bad_format, -1);
    cr_expect_eq(r.n_rapdus, 2);
    cr_expect_eq(r.rapdus[1].len, 4);
    cr_expect_eq(r.rapdus[1].p[0], 0xC1);
    cr_expect(!r.indefinite);
    ras_results_free(&r);
}

Test(unit_ras_codec, results_indefinite_bad_format_unknown_tag)
{
    uint8_t buf[64];
    /* AF 80 | 80 01 01 | 23 02 6A82 | 90 01 01 | C7 01 FF (unknown: skipped) | 00 00 */
    size_t n = unhex("AF80" "800101" "23026A82" "900101" "C701FF" "0000", buf, sizeof(buf));
    RasResults r;
    cr_assert_eq(ras_results_parse(buf, n, &r, 16), 0);
    cr_expect(r.indefinite);
    cr_expect_eq(r.executed, 1);
    cr_expect_eq(r.bad_format, 1);
    cr_expect_eq(r.n_rapdus, 1);
    cr_expect(r.rapdus[0].p[0] == 0x6A && r.rapdus[0].p[1] == 0x82);
    ras_results_free(&r);
}

Test(unit_ras_codec, results_encode_matches_spec)
{
    uint8_t sw[2] = { 0x90, 0x00 };
    RasSpan s[1] = { { sw, 2 } };
    RasBytes b = { 0 };
    cr_assert(ras_results_encode(&b, 1, s, 1, false));
    expect_bytes(&b, "AB07" "800101" "23029000");
    b.len = 0;
    cr_assert(ras_results_encode(&b, 1, s, 1, true));
    expect_bytes(&b, "AF80" "800101" "23029000" "0000");
    ras_bytes_free(&b);
}

Test(unit_ras_codec, malformed_refused)
{
    static const char *const bad[] = {
        "",                       /* empty */
        "AB",                     /* no length */
        "AB05800101",             /* length past the end */
        "AB03800101FF",           /* trailing byte */
        "AC03800101",             /* wrong outer tag */
        "AF81800101",             /* indefinite needs 80 */
        "AF80800101",             /* no end-of-contents */
        "AF808001010000FF",       /* bytes after end-of-contents */
        "AB0380020101",           /* count with length 2 */
        "AB032301FF",             /* R-APDU shorter than SW1 SW2 (+ truncated) */
        "AB0423820001",           /* inner length past the end */
        "AB85000000000000",       /* 5-byte length */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint8_t buf[32];
        size_t n = unhex(bad[i], buf, sizeof(buf));
        RasResults r;
        cr_expect_lt(ras_results_parse(buf, n, &r, 16), 0, "accepted %s", bad[i]);
        ras_results_free(&r);
    }
    uint8_t buf[32];
    RasSpan s[2];
    size_t n = unhex("AA0622040000", buf, sizeof(buf));
    cr_expect_lt(ras_script_parse(buf, n, s, 2), 0, "accepted a length past the end");
    n = unhex("AA0A2204000000002204000000", buf, sizeof(buf));
    cr_expect_lt(ras_script_parse(buf, n, s, 2), 0, "accepted a wrong outer length");
    n = unhex("AA03220100", buf, sizeof(buf));
    cr_expect_lt(ras_script_parse(buf, n, s, 2), 0, "accepted a 1-byte C-APDU");
    n = unhex("AA0C22040000000022040000000022040000", buf, sizeof(buf));
    cr_expect_lt(ras_script_parse(buf, n, s, 2), 0, "accepted more than the bound");
}
