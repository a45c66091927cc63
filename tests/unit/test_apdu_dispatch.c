/*
 * Unit tests: the dispatcher (ISO/IEC 7816-4:2013 5.4.1 classes, 11.1.2
 * MANAGE CHANNEL, 11.2.2 SELECT by AID) and its status words, and the
 * test application (echo 0..65535 bytes, generate, status, delay, info).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/cardos/test_applet.h"
#include "apdu_fixture.h"
#include "kernel/log.h"
#include "iso_hex.h"

static uint8_t buf[APDU_BUF_SIZE];
static uint32_t fake_ms;
static uint32_t fake_now(void) { return fake_ms; }

static const struct test_applet_config cfg = {
    .now_ms = fake_now,
    .version = "1.2.3",
    .git_describe = "v1.2.3-4-g0123456",
    .build = "host",
};

static void setup(void)
{
    log_reset();
    fake_ms = 0;
    apdu_fixture_init();
    cr_assert(apdu_fixture_add(test_applet_init(&cfg)));
}

/* Send hex; return the SW; response data (if @data) copied out. */
static uint16_t cmd(const char *hex, uint8_t *data, size_t *dlen)
{
    size_t n = hex_to_bytes(hex, buf, sizeof(buf));
    size_t r = 0;

    cr_assert_eq(dispatch_command(&test_session, buf, n, sizeof(buf), &r), APPLET_DONE, "%s", hex);
    cr_assert_geq(r, 2);
    if (data) {
        memcpy(data, buf, r - 2);
    }
    if (dlen) {
        *dlen = r - 2;
    }
    return (uint16_t)(buf[r - 2] << 8 | buf[r - 1]);
}

#define SW(hex) cmd(hex, NULL, NULL)
#define AID "F0 6E 65 74 63 61 72 64 01"

TestSuite(unit_dispatch, .init = setup);

Test(unit_dispatch, manage_channel_open_all_and_beyond)
{
    uint8_t d[4];
    size_t n;

    for (unsigned ch = 1; ch <= 19; ch++) {
        cr_assert_eq(cmd("00 70 00 00 01", d, &n), 0x9000);
        cr_assert_eq(n, 1);
        cr_expect_eq(d[0], ch, "lowest free channel");
    }
    cr_expect_eq(cmd("00 70 00 00 01", d, &n), 0x6A81, "no channel left");
    cr_expect_eq(n, 0);
    /* close 5 and 19, reopen 5 by number */
    cr_expect_eq(SW("00 70 80 05"), 0x9000);
    cr_expect_not(apdu_session_channel_open(&test_session, 5));
    cr_expect_eq(SW("00 70 80 13"), 0x9000);
    cr_expect_eq(SW("00 70 00 05"), 0x9000);
    cr_expect(apdu_session_channel_open(&test_session, 5));
    cr_expect_eq(cmd("00 70 00 00 01", d, &n), 0x9000);
    cr_expect_eq(d[0], 19);
}

Test(unit_dispatch, manage_channel_errors)
{
    cr_expect_eq(SW("00 70 00 14"), 0x6881, "channel 20 does not exist");
    cr_expect_eq(SW("00 70 00 FF"), 0x6881);
    cr_expect_eq(SW("00 70 80 00"), 0x6A86, "the basic channel cannot be closed");
    cr_expect_eq(SW("00 70 80 03"), 0x6881, "close a channel that is not open");
    cr_expect_eq(SW("00 70 80 14"), 0x6881);
    cr_expect_eq(SW("00 70 40 01"), 0x6A86, "P1 neither 00 nor 80");
    cr_expect_eq(SW("00 70 00 00"), 0x6700, "open-any needs Le");
    cr_expect_eq(SW("00 70 00 01 01 00"), 0x6700, "no data field allowed");
    cr_expect_eq(SW("00 70 00 01"), 0x9000);
    cr_expect_eq(SW("00 70 00 01"), 0x6A86, "already open");
    /* a command on a closed channel */
    cr_expect_eq(SW("02 70 00 00 01"), 0x6881);
    cr_expect_eq(SW("4F A4 04 00 09 " AID), 0x6881, "channel 19 closed");
}

Test(unit_dispatch, select_by_aid_on_channels)
{
    uint8_t d[64];
    size_t n;
    uint8_t fci[32];
    size_t fn = hex_to_bytes("6F 0B 84 09 " AID, fci, sizeof(fci));

    cr_expect_eq(cmd("00 A4 04 00 09 " AID " 00", d, &n), 0x9000);
    cr_assert_eq(n, fn);
    cr_expect_arr_eq(d, fci, fn);
    cr_expect_not_null(apdu_session_selected(&test_session, 0));
    /* channel 7 (further interindustry CLA 43) */
    cr_expect_eq(SW("00 70 00 07"), 0x9000);
    cr_expect_null(apdu_session_selected(&test_session, 7));
    cr_expect_eq(cmd("43 A4 04 0C 09 " AID, d, &n), 0x9000);
    cr_expect_eq(n, 0, "P2 0C: no response data");
    cr_expect_not_null(apdu_session_selected(&test_session, 7));
    /* the applet answers on channel 7 with the proprietary class C3 */
    cr_expect_eq(cmd("C3 30 00 00 00", d, &n), 0x9000);
    cr_expect_eq(d[n - 3], 0xC4);
    cr_expect_eq(d[n - 1], 7, "INFO reports the channel");
    /* partial DF name */
    cr_expect_eq(SW("01 A4 04 00 07 F0 6E 65 74 63 61 72"), 0x6881, "channel 1 closed");
    cr_expect_eq(SW("00 A4 04 0C 07 F0 6E 65 74 63 61 72"), 0x9000);
    /* FCP */
    cr_expect_eq(cmd("00 A4 04 04 09 " AID " 00", d, &n), 0x9000);
    cr_expect_eq(d[0], 0x62);
}

Test(unit_dispatch, select_errors)
{
    cr_expect_eq(SW("00 A4 04 00 05 A0 00 00 00 03"), 0x6A82, "not found");
    cr_expect_null(apdu_session_selected(&test_session, 0));
    cr_expect_eq(SW("00 A4 04 0C 09 " AID), 0x9000);
    cr_expect_eq(SW("00 A4 04 00 05 A0 00 00 00 03"), 0x6A82);
    cr_expect_not_null(apdu_session_selected(&test_session, 0), "a failed SELECT keeps the selection");
    cr_expect_eq(SW("00 A4 04 02 09 " AID), 0x6A82, "next occurrence: none");
    cr_expect_eq(SW("00 A4 04 08 09 " AID), 0x6A86, "FMD not supported");
    cr_expect_eq(SW("00 A4 04 01 09 " AID), 0x6A86, "last occurrence");
    cr_expect_eq(SW("00 A4 04 00 03 F0 6E 65"), 0x6700, "AID shorter than 5");
    cr_expect_eq(SW("00 A4 04 00 11 F0 6E 65 74 63 61 72 64 01 01 02 03 04 05 06 07 08"),
                 0x6700, "AID longer than 16");
    cr_expect_eq(SW("00 A4 04 00"), 0x6700, "no AID");
}

Test(unit_dispatch, class_and_ins_errors)
{
    cr_expect_eq(SW("20 A4 04 00"), 0x6E00, "RFU class");
    cr_expect_eq(SW("FF A4 04 00"), 0x6E00);
    cr_expect_eq(SW("0C A4 04 00 09 " AID), 0x6882, "secure messaging");
    cr_expect_eq(SW("60 A4 04 00 09 " AID), 0x6882, "SM, further interindustry");
    cr_expect_eq(SW("10 A4 04 00 09 " AID), 0x6884, "command chaining");
    cr_expect_eq(SW("00 CA 00 00 00"), 0x6D00, "nothing selected: INS not supported");
    cr_expect_eq(SW("80 10 00 00 00"), 0x6E00, "nothing selected: proprietary CLA");
    cr_expect_eq(SW("00 A4 00 00 02 3F 00"), 0x6A86, "SELECT by FID: no file system");
    cr_expect_eq(SW("00 A4"), 0x6700, "too short");
    cr_expect_eq(SW("00 A4 04 00 05 01 02"), 0x6700, "Lc says 5, 2 bytes");
    cr_expect_eq(SW("00 A4 04 00 00 00 00 01"), 0x6700, "extended Lc 0");
    cr_expect_eq(SW("00 A4 04 0C 09 " AID), 0x9000);
    cr_expect_eq(SW("80 7E 00 00"), 0x6D00, "applet: unknown INS");
}

Test(unit_dispatch, channel_inherits_selection)
{
    uint8_t d[4];
    size_t n;

    cr_expect_eq(SW("00 70 00 01"), 0x9000);
    cr_expect_eq(SW("01 A4 04 0C 09 " AID), 0x9000);
    /* opened from channel 1: inherits its application */
    cr_expect_eq(cmd("01 70 00 00 01", d, &n), 0x9000);
    cr_expect_eq(d[0], 2);
    cr_expect_not_null(apdu_session_selected(&test_session, 2));
    /* opened from the basic channel: nothing selected */
    cr_expect_eq(cmd("00 70 00 00 01", d, &n), 0x9000);
    cr_expect_eq(d[0], 3);
    cr_expect_null(apdu_session_selected(&test_session, 3));
    cr_expect_eq(SW("00 70 80 02"), 0x9000);
    cr_expect_null(apdu_session_selected(&test_session, 2));
}

TestSuite(unit_test_applet, .init = setup);

static void select_applet(void)
{
    cr_assert_eq(SW("00 A4 04 0C 09 " AID), 0x9000);
}

/* ECHO @len bytes; the APDU is built by hand (short or extended case 4). */
static void echo(size_t len)
{
    static uint8_t data[65536];
    size_t n = 0, r = 0;

    for (size_t i = 0; i < len; i++) {
        data[i] = (uint8_t)(i * 31 + 7);
    }
    buf[n++] = 0x80;
    buf[n++] = 0x10;
    buf[n++] = 0x00;
    buf[n++] = 0x00;
    if (len == 0) {
        buf[n++] = 0x00;                       /* case 2S, Le 00 */
    } else if (len <= 255) {
        buf[n++] = (uint8_t)len;
        memcpy(buf + n, data, len);
        n += len;
        buf[n++] = 0x00;                       /* Le 00 = 256 */
    } else {
        buf[n++] = 0x00;
        buf[n++] = (uint8_t)(len >> 8);
        buf[n++] = (uint8_t)len;
        memcpy(buf + n, data, len);
        n += len;
        buf[n++] = 0x00;                       /* Le 0000 = 65536 */
        buf[n++] = 0x00;
    }
    cr_assert_eq(dispatch_command(&test_session, buf, n, sizeof(buf), &r), APPLET_DONE);
    cr_assert_eq(r, len + 2, "echo %zu", len);
    cr_expect_eq(memcmp(buf, data, len), 0, "echo %zu data", len);
    cr_expect_eq(buf[len], 0x90);
    cr_expect_eq(buf[len + 1], 0x00);
}

Test(unit_test_applet, echo_lengths)
{
    select_applet();
    echo(0);
    echo(1);
    echo(255);
    echo(256);
    echo(4096);
    echo(65535);
}

Test(unit_test_applet, echo_le_too_small)
{
    uint8_t d[8];
    size_t n;

    select_applet();
    cr_expect_eq(cmd("80 10 00 00 03 01 02 03 02", d, &n), 0x6C03);
    cr_expect_eq(n, 0);
    cr_expect_eq(cmd("80 10 00 00 00 00 03 01 02 03 00 02", d, &n), 0x6700, "extended");
    cr_expect_eq(cmd("80 10 00 00 03 01 02 03", d, &n), 0x9000, "no Le: data anyway");
    cr_expect_eq(n, 3);
    cr_expect_eq(SW("80 10 01 00 01 AA"), 0x6A86);
}

Test(unit_test_applet, generate_and_status)
{
    uint8_t d[300];
    size_t n;

    select_applet();
    cr_expect_eq(cmd("80 12 01 00 00", d, &n), 0x9000);
    cr_expect_eq(n, 256);
    cr_expect_eq(d[255], 0xFF);
    cr_expect_eq(cmd("80 12 01 01 00", d, &n), 0x6700, "257 > 256 in a short APDU");
    cr_expect_eq(cmd("80 12 00 05 03", d, &n), 0x6C05);
    cr_expect_eq(SW("80 14 6A 88"), 0x6A88);
    cr_expect_eq(cmd("80 14 62 82 02 AA BB", d, &n), 0x6282);
    cr_expect_eq(n, 2, "warning with data");
    cr_expect_eq(SW("80 14 61 00"), 0x6A86, "61xx not allowed");
    cr_expect_eq(SW("80 14 6C 00"), 0x6A86, "6Cxx not allowed");
    cr_expect_eq(SW("80 14 12 34"), 0x6A86);
}

Test(unit_test_applet, delay_is_pending_until_time)
{
    size_t r = 0;
    size_t n;

    select_applet();
    n = hex_to_bytes("80 20 01 F4", buf, sizeof(buf));   /* 500 ms */
    cr_assert_eq(dispatch_command(&test_session, buf, n, sizeof(buf), &r), APPLET_PENDING);
    cr_expect(apdu_session_pending(&test_session));
    fake_ms = 499;
    cr_expect_eq(dispatch_poll(&test_session, buf, sizeof(buf), &r), APPLET_PENDING);
    fake_ms = 500;
    cr_assert_eq(dispatch_poll(&test_session, buf, sizeof(buf), &r), APPLET_DONE);
    cr_expect_eq(r, 2);
    cr_expect_eq(buf[0], 0x90);
    cr_expect_not(apdu_session_pending(&test_session));
    cr_expect_eq(SW("80 20 00 00 01 00"), 0x6700, "no data allowed");
}

Test(unit_test_applet, info)
{
    uint8_t d[256];
    size_t n;

    select_applet();
    cr_assert_eq(cmd("80 30 00 00 00", d, &n), 0x9000);
    cr_assert_geq(n, 2 + 5);
    cr_expect_eq(d[0], 0xC0);
    cr_expect_eq(d[1], 5);
    cr_expect_arr_eq(d + 2, "1.2.3", 5);
    cr_expect_eq(d[7], 0xC1);
    cr_expect_eq(d[8], strlen("v1.2.3-4-g0123456"));
    cr_expect_arr_eq(d + 9, "v1.2.3-4-g0123456", d[8]);
    cr_expect_eq(d[n - 3], 0xC4);
    cr_expect_eq(d[n - 1], 0, "basic channel");
    cr_assert_eq(cmd("80 30 01 00 00", d, &n), 0x9000);
    d[n] = 0;
    cr_expect_str_eq((char *)d, "netcard cardos 1.2.3 (v1.2.3-4-g0123456) ");
    cr_expect_eq(SW("80 30 02 00 00"), 0x6A86);
    cr_expect_eq(cmd("80 30 00 00 04", d, &n), 0x6C00 | (uint16_t)(
                     2 + 5 + 2 + 17 + 2 + 4 + 2 + 0 + 3));
}
