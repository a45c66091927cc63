/*
 * Unit tests: the personalization application (applets/perso_applet.h)
 * through the dispatcher, over a scripted storage: who may format, what
 * confirms it, the pending steps, CARD STATE's bytes, the status words.
 * The real storage under it (QEMU's NVM) is tested by system_perso.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <criterion/criterion.h>
#include <string.h>

#include "applets/perso_applet.h"
#include "apdu_fixture.h"
#include "kernel/log.h"
#include "store/store.h"
#include "iso_hex.h"

static uint8_t buf[APDU_BUF_SIZE];

/* the scripted storage */
static struct {
    int store;
    bool fs_ready;
    uint32_t objects, free_bytes;
    unsigned starts, steps;
    unsigned busy_steps;     /* steps that answer BUSY before the end */
    int result;              /* the last step's result */
} fake;

static void fake_card_state(struct perso_card_state *out)
{
    out->store = fake.store;
    out->fs_ready = fake.fs_ready;
    out->objects = fake.objects;
    out->free_bytes = fake.free_bytes;
}

static void fake_format_start(void)
{
    fake.starts++;
    fake.steps = 0;
    fake.store = STORE_ERR_STATE;
    fake.fs_ready = false;
}

static int fake_format_step(void)
{
    if (++fake.steps <= fake.busy_steps) {
        return PERSO_FORMAT_BUSY;
    }
    if (fake.result == 0) {
        fake.store = STORE_OK;
        fake.fs_ready = true;
    }
    return fake.result;
}

static const struct perso_applet_config cfg = {
    .card_state = fake_card_state,
    .format_start = fake_format_start,
    .format_step = fake_format_step,
};

static void setup(void)
{
    log_reset();
    memset(&fake, 0, sizeof(fake));
    fake.store = STORE_ERR_CORRUPT;
    fake.busy_steps = 3;
    apdu_fixture_init();
    cr_assert(apdu_fixture_add(perso_applet_init(&cfg)));
}

/* Send; PENDING is polled to the end, counting the polls. */
static size_t send_polls(const char *hex, unsigned *polls)
{
    size_t n = hex_to_bytes(hex, buf, sizeof(buf));
    size_t r = 0;
    enum applet_status st = dispatch_command(&test_session, buf, n, sizeof(buf), &r);

    *polls = 0;
    while (st == APPLET_PENDING) {
        cr_assert_lt(++*polls, 1000u, "%s never completes", hex);
        st = dispatch_poll(&test_session, buf, sizeof(buf), &r);
    }
    return r;
}

static size_t send(const char *hex)
{
    unsigned polls;

    return send_polls(hex, &polls);
}

static uint16_t sw(size_t r)
{
    cr_assert_geq(r, 2);
    return (uint16_t)(buf[r - 2] << 8 | buf[r - 1]);
}

TestSuite(unit_perso_applet, .init = setup);

#define SELECT "00 A4 04 00 09 F0 6E 65 74 63 61 72 64 02"
/* "FORMAT NVM" */
#define FORMAT "80 40 00 00 0A 46 4F 52 4D 41 54 20 4E 56 4D"

Test(unit_perso_applet, card_state_bytes)
{
    cr_assert_eq(sw(send(SELECT)), 0x9000);

    fake.store = STORE_OK;
    fake.fs_ready = true;
    fake.objects = 0x123;
    fake.free_bytes = 735u * 1024u + 1000u;
    size_t r = send("80 30 00 00 06");
    cr_assert_eq(r, 8u);
    cr_expect_arr_eq(buf, "\x00\x00\x01\x23\x02\xDF\x90\x00", 8);

    /* unusable store: the error, no counts even if some are reported */
    fake.store = STORE_ERR_FOREIGN;
    fake.fs_ready = false;
    r = send("80 30 00 00");
    cr_assert_eq(r, 8u);
    cr_expect_arr_eq(buf, "\x02\x01\x00\x00\x00\x00\x90\x00", 8);

    fake.store = STORE_ERR_VERSION;
    r = send("80 30 00 00 00");
    cr_expect_eq(buf[0], 0x04);
    cr_expect_eq(sw(r), 0x9000);
}

Test(unit_perso_applet, card_state_length_rules)
{
    cr_assert_eq(sw(send(SELECT)), 0x9000);
    size_t r = send("80 30 00 00 04");
    cr_expect_eq(r, 2u);
    cr_expect_eq(sw(r), 0x6C06);
    cr_expect_eq(sw(send("80 30 00 00 01 00")), 0x6700);
    cr_expect_eq(sw(send("80 30 01 00")), 0x6A86);
    cr_expect_eq(sw(send("80 30 00 01")), 0x6A86);
}

Test(unit_perso_applet, proprietary_class_only_and_unknown_ins)
{
    cr_assert_eq(sw(send(SELECT)), 0x9000);
    cr_expect_eq(sw(send("00 30 00 00")), 0x6E00);
    cr_expect_eq(sw(send("00 40 00 00 0A 46 4F 52 4D 41 54 20 4E 56 4D")),
                 0x6E00);
    cr_expect_eq(sw(send("80 42 00 00")), 0x6D00);
    cr_expect_eq(fake.starts, 0u);
    /* channel 1 in a proprietary class (81) is proprietary too */
    cr_assert_eq(sw(send("00 70 00 01")), 0x9000);
    cr_assert_eq(sw(send("01 A4 04 00 09 F0 6E 65 74 63 61 72 64 02")),
                 0x9000);
    cr_expect_eq(sw(send("81 30 00 00")), 0x9000);
}

Test(unit_perso_applet, format_needs_the_exact_confirmation)
{
    static const char *const bad[] = {
        "80 40 00 00",                                     /* no data */
        "80 40 00 00 09 46 4F 52 4D 41 54 20 4E 56",       /* short */
        "80 40 00 00 0B 46 4F 52 4D 41 54 20 4E 56 4D 00", /* long */
        "80 40 00 00 0A 66 6F 72 6D 61 74 20 6E 76 6D",    /* lower case */
    };

    cr_assert_eq(sw(send(SELECT)), 0x9000);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_expect_eq(sw(send(bad[i])), 0x6A80, "%s", bad[i]);
    }
    cr_expect_eq(sw(send("80 40 01 00 0A 46 4F 52 4D 41 54 20 4E 56 4D")),
                 0x6A86);
    cr_expect_eq(fake.starts, 0u, "a bad FORMAT started erasing");
}

Test(unit_perso_applet, a_working_card_is_never_formatted)
{
    fake.store = STORE_OK;
    fake.fs_ready = true;
    cr_assert_eq(sw(send(SELECT)), 0x9000);
    cr_expect_eq(sw(send(FORMAT)), 0x6985);
    cr_expect_eq(fake.starts, 0u);
}

Test(unit_perso_applet, formats_an_unusable_store_in_steps)
{
    unsigned polls;

    cr_assert_eq(sw(send(SELECT)), 0x9000);
    size_t r = send_polls(FORMAT, &polls);
    cr_expect_eq(r, 2u);
    cr_expect_eq(sw(r), 0x9000);
    cr_expect_eq(fake.starts, 1u);
    cr_expect_eq(fake.steps, 4u);
    cr_expect_eq(polls, 4u, "one step per poll");
    cr_expect_eq(fake.store, STORE_OK);
    /* and now the card works: a second FORMAT is refused */
    cr_expect_eq(sw(send(FORMAT)), 0x6985);
    cr_expect_eq(fake.starts, 1u);
}

Test(unit_perso_applet, formats_a_store_whose_file_system_is_damaged)
{
    fake.store = STORE_OK;
    fake.fs_ready = false;
    cr_assert_eq(sw(send(SELECT)), 0x9000);
    cr_expect_eq(sw(send(FORMAT)), 0x9000);
    cr_expect_eq(fake.starts, 1u);
}

Test(unit_perso_applet, a_failed_format_answers_6581)
{
    fake.result = STORE_ERR_IO;
    cr_assert_eq(sw(send(SELECT)), 0x9000);
    cr_expect_eq(sw(send(FORMAT)), 0x6581);
    /* still unusable: FORMAT may be sent again, and restarts */
    fake.result = 0;
    cr_expect_eq(sw(send(FORMAT)), 0x9000);
    cr_expect_eq(fake.starts, 2u);
}

Test(unit_perso_applet, another_command_cuts_a_format_short)
{
    size_t n, r = 0;

    cr_assert_eq(sw(send(SELECT)), 0x9000);
    n = hex_to_bytes(FORMAT, buf, sizeof(buf));
    cr_assert_eq(dispatch_command(&test_session, buf, n, sizeof(buf), &r), APPLET_PENDING);
    cr_assert_eq(dispatch_poll(&test_session, buf, sizeof(buf), &r), APPLET_PENDING);
    /* the host gives up and asks for the state: not mounted, unusable */
    r = send("80 30 00 00");
    cr_assert_eq(sw(r), 0x9000);
    cr_expect_eq(buf[0], 0x0B);
    cr_expect_eq(buf[1], 0x01);
    /* FORMAT again starts from the beginning and completes */
    cr_expect_eq(sw(send(FORMAT)), 0x9000);
    cr_expect_eq(fake.starts, 2u);
    cr_expect_eq(fake.steps, 4u);
}

Test(unit_perso_applet, t0_directions)
{
    static const uint8_t state[4] = { 0x80, 0x30, 0, 0 };
    static const uint8_t format[4] = { 0x80, 0x40, 0, 0 };
    static const uint8_t other[4] = { 0x80, 0x42, 0, 0 };

    cr_assert_eq(sw(send(SELECT)), 0x9000);
    cr_expect_eq(dispatch_t0_direction(&test_session, state), T0_DIR_OUT);
    cr_expect_eq(dispatch_t0_direction(&test_session, format), T0_DIR_IN);
    cr_expect_eq(dispatch_t0_direction(&test_session, other), T0_DIR_NONE);
}
