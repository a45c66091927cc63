/*
 * Unit tests: APDU sessions and the applet contract (apdu/session.h,
 * apdu/applet.h, apdu/registry.h): two sessions keep their own channels
 * and selections and give applications distinct slots; secure messaging
 * reaches the selected application, which unwraps it or answers 6882
 * itself; SELECT next occurrence walks the registry; the static table's
 * rules.
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
static struct apdu_session admin;

static const struct test_applet_config cfg = {
    .version = "1", .git_describe = "g", .build = "host",
};

/* A secure-messaging application: records what reached it and where. */
static const uint8_t sm_aid[] = { 0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00 };
static const uint8_t sm2_aid[] = { 0xA0, 0x00, 0x00, 0x01, 0x51, 0x53, 0x50 };
static struct {
    uint8_t cla, slot, channel;
    const struct apdu_session *session;
    unsigned commands;
} seen;

static enum applet_status sm_process(void *self, const struct apdu_origin *o,
                                     const struct apdu *cmd,
                                     struct apdu_response *rsp)
{
    uint8_t out[2] = { o->slot, o->channel };

    (void)self;
    seen.cla = cmd->cla;
    seen.slot = o->slot;
    seen.channel = o->channel;
    seen.session = o->session;
    seen.commands++;
    (void)apdu_response_set_data(rsp, out, sizeof(out));
    return APPLET_DONE;
}

static enum t0_dir sm_t0(void *self, const uint8_t hdr[4])
{
    (void)self;
    (void)hdr;
    return T0_DIR_IN;
}

static const struct applet sm_app = {
    .name = "sd", .aid = sm_aid, .aid_len = sizeof(sm_aid),
    .process = sm_process, .t0_direction = sm_t0,
};
static const struct applet sm2_app = {
    .name = "ssd", .aid = sm2_aid, .aid_len = sizeof(sm2_aid),
    .process = sm_process,
};

static void setup(void)
{
    log_reset();
    memset(&seen, 0, sizeof(seen));
    apdu_fixture_init();
    cr_assert(apdu_fixture_add(test_applet_init(&cfg)));
    cr_assert(apdu_fixture_add(&sm_app));
    cr_assert(apdu_fixture_add(&sm2_app));
    apdu_session_init(&admin, 1, "admin");
    dispatch_reset(&admin);
}

static uint16_t on(struct apdu_session *s, const char *hex, uint8_t *data,
                   size_t *dlen)
{
    size_t n = hex_to_bytes(hex, buf, sizeof(buf)), r = 0;

    cr_assert_eq(dispatch_command(s, buf, n, sizeof(buf), &r), APPLET_DONE,
                 "%s", hex);
    cr_assert_geq(r, 2);
    if (data) {
        memcpy(data, buf, r - 2);
    }
    if (dlen) {
        *dlen = r - 2;
    }
    return (uint16_t)(buf[r - 2] << 8 | buf[r - 1]);
}

#define TEST_AID "F0 6E 65 74 63 61 72 64 01"
#define SD_AID "A0 00 00 01 51 00 00 00"

TestSuite(unit_apdu_session, .init = setup);

Test(unit_apdu_session, sessions_keep_their_own_channels)
{
    cr_assert_eq(on(&test_session, "00 70 00 00 01", NULL, NULL), 0x9000);
    cr_expect(apdu_session_channel_open(&test_session, 1));
    cr_expect_not(apdu_session_channel_open(&admin, 1),
                  "a channel opened by one source is not the other's");
    cr_assert_eq(on(&admin, "00 A4 04 00 08 " SD_AID, NULL, NULL), 0x9000);
    cr_expect_eq(apdu_session_selected(&admin, 0), &sm_app);
    cr_expect_null(apdu_session_selected(&test_session, 0));
    cr_expect_eq(on(&admin, "81 CA 00 66 00", NULL, NULL), 0x6881,
                 "channel 1 is closed in the admin session");
    dispatch_reset(&test_session);
    cr_expect_eq(apdu_session_selected(&admin, 0), &sm_app,
                 "resetting one session leaves the other");
}

Test(unit_apdu_session, origins_carry_distinct_slots)
{
    uint8_t d[2];
    size_t n;

    cr_assert_eq(on(&test_session, "00 A4 04 0C 08 " SD_AID, NULL, NULL), 0x9000);
    cr_assert_eq(on(&admin, "00 A4 04 0C 08 " SD_AID, NULL, NULL), 0x9000);
    cr_assert_eq(on(&test_session, "80 CA 00 66 00", d, &n), 0x9000);
    cr_assert_eq(n, 2);
    cr_expect_eq(d[0], 0, "contact channel 0: slot 0");
    cr_expect_eq(seen.session, &test_session);
    cr_assert_eq(on(&admin, "80 CA 00 66 00", d, &n), 0x9000);
    cr_expect_eq(d[0], APDU_CHANNELS, "admin channel 0: slot 20");
    cr_expect_eq(d[1], 0);
    cr_expect_eq(seen.session, &admin);
}

Test(unit_apdu_session, secure_messaging_reaches_the_selected_application)
{
    uint8_t d[2];
    size_t n;

    /* GlobalPlatform: CLA 84 (proprietary, SM b3) on the basic channel */
    cr_assert_eq(on(&test_session, "00 A4 04 0C 08 " SD_AID, NULL, NULL), 0x9000);
    cr_expect_eq(on(&test_session, "84 82 00 00 10 01 02 03 04 05 06 07 08 "
                    "09 0A 0B 0C 0D 0E 0F 10", d, &n), 0x9000);
    cr_expect_eq(seen.cla, 0x84);
    /* interindustry SM CLA 0C and further interindustry E1 (channel 5,
     * b6 SM) reach it too, whatever the INS: A4 here is not a SELECT
     * for the dispatcher */
    cr_expect_eq(on(&test_session, "0C A4 04 00 04 01 02 03 04", NULL, NULL), 0x9000);
    cr_expect_eq(seen.cla, 0x0C);
    cr_expect_eq(apdu_session_selected(&test_session, 0), &sm_app);
    cr_assert_eq(on(&test_session, "00 70 00 05", NULL, NULL), 0x9000);
    cr_assert_eq(on(&test_session, "01 A4 04 0C 08 " SD_AID, NULL, NULL), 0x6881);
    cr_assert_eq(on(&test_session, "41 A4 04 0C 08 " SD_AID, NULL, NULL), 0x9000,
                 "further interindustry CLA 41 = channel 5");
    cr_expect_eq(on(&test_session, "E1 CA 00 66 00", d, &n), 0x9000);
    cr_expect_eq(seen.cla, 0xE1);
    cr_expect_eq(seen.channel, 5);
    {
        uint8_t hdr[4] = { 0x84, 0xE8, 0x00, 0x00 };

        cr_expect_eq(dispatch_t0_direction(&test_session, hdr), T0_DIR_IN,
                     "T=0 direction of an SM command comes from the application");
    }
}

Test(unit_apdu_session, an_application_without_sm_answers_6882_itself)
{
    cr_assert_eq(on(&test_session, "00 A4 04 0C 09 " TEST_AID, NULL, NULL), 0x9000);
    cr_expect_eq(on(&test_session, "84 10 00 00 02 01 02", NULL, NULL), 0x6882);
    cr_expect_eq(on(&test_session, "0C 10 00 00 02 01 02", NULL, NULL), 0x6882);
    cr_expect_eq(apdu_session_selected(&test_session, 0), test_applet_init(&cfg),
                 "the SM command leaves the selection");
    cr_expect_eq(on(&test_session, "00 10 00 00 02 01 02", NULL, NULL), 0x9000);
    cr_expect_eq(seen.commands, 0);
}

Test(unit_apdu_session, sm_with_nothing_selected_or_a_closed_channel)
{
    cr_expect_eq(on(&test_session, "84 CA 00 66 00", NULL, NULL), 0x6882);
    cr_expect_eq(on(&test_session, "87 CA 00 66 00", NULL, NULL), 0x6882,
                 "channel 3 closed");
    cr_expect_eq(seen.commands, 0);
}

Test(unit_apdu_session, select_next_occurrence_walks_the_registry)
{
    uint8_t d[32];
    size_t n;

    /* partial name A0 00 00 01 51 matches both SDs, in registry order */
    cr_assert_eq(on(&test_session, "00 A4 04 00 05 A0 00 00 01 51", d, &n), 0x9000);
    cr_expect_eq(apdu_session_selected(&test_session, 0), &sm_app);
    cr_assert_eq(on(&test_session, "00 A4 04 02 05 A0 00 00 01 51", d, &n), 0x9000);
    cr_expect_eq(apdu_session_selected(&test_session, 0), &sm2_app);
    cr_expect_eq(d[3], sizeof(sm2_aid), "FCI names the next one");
    cr_expect_eq(on(&test_session, "00 A4 04 02 05 A0 00 00 01 51", NULL, NULL),
                 0x6A82, "no further occurrence");
    cr_expect_eq(apdu_session_selected(&test_session, 0), &sm2_app,
                 "a failed SELECT keeps the selection");
    cr_expect_eq(on(&test_session, "00 A4 04 00 05 A0 00 00 01 51", NULL, NULL),
                 0x9000, "first occurrence again");
    cr_expect_eq(apdu_session_selected(&test_session, 0), &sm_app);
}

Test(unit_apdu_session, applet_table_rules)
{
    static const uint8_t short_aid[4] = { 1, 2, 3, 4 };
    static const uint8_t long_aid[17] = { 0 };
    struct applet bad = sm_app;
    struct applet_table t;

    applet_table_init(&t);
    bad.aid = short_aid;
    bad.aid_len = sizeof(short_aid);
    cr_expect_not(applet_table_add(&t, &bad), "AID shorter than 5");
    bad.aid = long_aid;
    bad.aid_len = sizeof(long_aid);
    cr_expect_not(applet_table_add(&t, &bad), "AID longer than 16");
    bad = sm_app;
    bad.process = NULL;
    cr_expect_not(applet_table_add(&t, &bad), "no process()");
    for (unsigned i = 0; i < APPLET_TABLE_MAX; i++) {
        cr_assert(applet_table_add(&t, &sm_app));
    }
    cr_expect_not(applet_table_add(&t, &sm_app), "full");
    cr_expect_eq(t.registry.find(t.registry.ctx, sm_aid, 5, &sm2_app), NULL,
                 "after an application not in the table: nothing");
}
