/*
 * Unit tests: the dispatcher's default application (apdu/dispatch.h,
 * dispatch_set_default), with a recording stand-in for the file system
 * next to the test applet: selected on the basic channel after reset and
 * on channels opened from it, SELECT with P1 != 04 always reaches it,
 * SELECT by DF name tries registered applets first and falls back to it,
 * reset() on dispatch_reset(&test_session), T=0 directions of SELECT from it.
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
static uint32_t zero_ms(void) { return 0; }

static const struct test_applet_config cfg = {
    .now_ms = zero_ms, .version = "1", .git_describe = "g", .build = "host",
};

/* The stand-in: answers 9000 with (channel, INS, P1) to INS A4/B0, 6A82
 * to SELECT P1 04 unless the name starts with A0; counts calls. */
static struct {
    unsigned selects, resets, deselects;
    uint8_t last_select_channel;
} rec;

static bool def_select(void *self, const struct apdu_origin *o)
{
    (void)self;
    rec.selects++;
    rec.last_select_channel = o->channel;
    return true;
}

static void def_deselect(void *self, const struct apdu_origin *o)
{
    (void)self;
    (void)o;
    rec.deselects++;
}

static enum applet_status def_process(void *self, const struct apdu_origin *o,
                                      const struct apdu *cmd,
                                      struct apdu_response *rsp)
{
    uint8_t out[3] = { o->channel, cmd->ins, cmd->p1 };

    (void)self;
    if (cmd->ins == 0xA4 && cmd->p1 == 0x04 &&
        (cmd->nc == 0 || cmd->data[0] != 0xA0)) {
        rsp->sw = SW_FILE_NOT_FOUND;
        return APPLET_DONE;
    }
    if (cmd->ins != 0xA4 && cmd->ins != 0xB0) {
        rsp->sw = SW_INS_NOT_SUPPORTED;
        return APPLET_DONE;
    }
    (void)apdu_response_set_data(rsp, out, sizeof(out));
    return APPLET_DONE;
}

static void def_reset(void *self, const struct apdu_session *s)
{
    (void)self;
    (void)s;
    rec.resets++;
}

static enum t0_dir def_t0(void *self, const uint8_t hdr[4])
{
    (void)self;
    return hdr[1] == 0xB0 ? T0_DIR_OUT : T0_DIR_IN;
}

static const struct applet def_app = {
    .name = "default", .select = def_select, .deselect = def_deselect,
    .process = def_process, .t0_direction = def_t0, .reset = def_reset,
};

static void setup(void)
{
    log_reset();
    memset(&rec, 0, sizeof(rec));
    apdu_fixture_init();
    cr_assert(apdu_fixture_add(test_applet_init(&cfg)));
    dispatch_set_default(&def_app);
    apdu_fixture_reset();       /* as at the card's start-up */
    rec.resets = 0;             /* count the tests' resets only */
}

static uint16_t cmd(const char *hex, const char *want_data)
{
    size_t n = hex_to_bytes(hex, buf, sizeof(buf)), r = 0;
    uint8_t want[64];

    cr_assert_eq(dispatch_command(&test_session, buf, n, sizeof(buf), &r), APPLET_DONE);
    if (want_data) {
        size_t wn = hex_to_bytes(want_data, want, sizeof(want));
        cr_assert(r - 2 == wn && memcmp(buf, want, wn) == 0,
                  "%s: unexpected data", hex);
    }
    return (uint16_t)(buf[r - 2] << 8 | buf[r - 1]);
}

TestSuite(unit_dispatch_default, .init = setup);

Test(unit_dispatch_default, basic_channel_starts_with_it)
{
    cr_assert_eq(apdu_session_selected(&test_session, 0), &def_app);
    cr_assert_eq(rec.selects, 1);
    cr_assert_eq(cmd("00 B0 00 00 01", "00 B0 00"), 0x9000);
    dispatch_reset(&test_session);
    cr_assert_eq(rec.resets, 1);
    cr_assert_eq(apdu_session_selected(&test_session, 0), &def_app);
}

Test(unit_dispatch_default, select_by_fid_always_reaches_it)
{
    cr_assert_eq(cmd("00 A4 04 00 09 F0 6E 65 74 63 61 72 64 01", NULL),
                 0x9000);
    cr_assert_neq(apdu_session_selected(&test_session, 0), &def_app);
    cr_assert_eq(rec.deselects, 1);
    /* the test applet does not see B0 ... */
    cr_assert_eq(cmd("00 B0 00 00 01", NULL), 0x6D00);
    /* ... but SELECT P1 00 goes to the default application */
    unsigned before = rec.selects;
    cr_assert_eq(cmd("00 A4 00 0C 02 3F 00", "00 A4 00"), 0x9000);
    cr_assert_eq(apdu_session_selected(&test_session, 0), &def_app);
    cr_assert_eq(rec.selects, before + 1);
    /* already current: no new select() */
    cr_assert_eq(cmd("00 A4 08 0C 02 2F E2", "00 A4 08"), 0x9000);
    cr_assert_eq(rec.selects, before + 1);
}

Test(unit_dispatch_default, select_by_name_falls_back_to_it)
{
    /* unknown to the registered applets, found by the default one */
    cr_assert_eq(cmd("00 A4 04 00 05 F0 6E 65 74 63", NULL), 0x9000);
    cr_assert_neq(apdu_session_selected(&test_session, 0), &def_app);   /* test applet prefix */
    cr_assert_eq(cmd("00 A4 04 00 05 A0 00 00 00 87", "00 A4 04"), 0x9000);
    cr_assert_eq(apdu_session_selected(&test_session, 0), &def_app);
    /* found by nobody: 6A82, the selection stays */
    cr_assert_eq(cmd("00 A4 04 00 09 F0 6E 65 74 63 61 72 64 01", NULL),
                 0x9000);
    cr_assert_eq(cmd("00 A4 04 00 05 B0 00 00 00 87", ""), 0x6A82);
    cr_assert_neq(apdu_session_selected(&test_session, 0), &def_app);
}

Test(unit_dispatch_default, channels_and_t0)
{
    cr_assert_eq(cmd("00 70 00 00 01", "01"), 0x9000);
    cr_assert_eq(apdu_session_selected(&test_session, 1), &def_app);
    cr_assert_eq(rec.last_select_channel, 1);
    cr_assert_eq(cmd("01 B0 00 00 01", "01 B0 00"), 0x9000);
    /* opened from channel 1: inherits its application */
    cr_assert_eq(cmd("01 A4 04 00 09 F0 6E 65 74 63 61 72 64 01", NULL),
                 0x9000);
    cr_assert_eq(cmd("01 70 00 00 01", "02"), 0x9000);
    cr_assert_neq(apdu_session_selected(&test_session, 2), &def_app);
    cr_assert_neq(apdu_session_selected(&test_session, 2), NULL);
    /* T=0: SELECT P1 != 04 from the default application, even while
     * another application is current */
    uint8_t h1[4] = { 0x01, 0xA4, 0x00, 0x04 };
    uint8_t h2[4] = { 0x00, 0xB0, 0x00, 0x00 };
    cr_assert_eq(dispatch_t0_direction(&test_session, h1), T0_DIR_IN);
    cr_assert_eq(dispatch_t0_direction(&test_session, h2), T0_DIR_OUT);
    /* without a default application the old rules apply */
    dispatch_set_default(NULL);
    apdu_fixture_reset();
    dispatch_reset(&test_session);
    cr_assert_eq(apdu_session_selected(&test_session, 0), NULL);
    cr_assert_eq(cmd("00 A4 00 0C 02 3F 00", ""), 0x6A86);
}
