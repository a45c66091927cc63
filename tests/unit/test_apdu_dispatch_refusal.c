/*
 * Unit tests: the dispatcher's refused state (apdu/dispatch.h,
 * dispatch_set_refusal; docs/crypto.md "The refused state"): once the
 * predicate says so, every command, well-formed or not, answers 6F00
 * without reaching an application, and a response an application made
 * while the card became refused is replaced by 6F00.
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
static bool refused;
static unsigned processed;

static bool is_refused(void)
{
    return refused;
}

/* INS 50..5F of the test application: counts, and INS 58 refuses the card
 * while answering 9000 with data (as a failing health test would). */
static enum applet_status fake_crypto(const struct apdu *cmd, struct apdu_response *rsp)
{
    processed++;
    if (cmd->ins == 0x58) {
        refused = true;
        (void)apdu_response_set_data(rsp, "\x01\x02", 2);
    }
    return APPLET_DONE;
}

static const struct test_applet_config cfg = {
    .version = "1.2.3",
    .git_describe = "v1.2.3",
    .build = "host",
    .crypto_process = fake_crypto,
};

static void setup(void)
{
    log_reset();
    refused = false;
    processed = 0;
    apdu_fixture_init();
    cr_assert(apdu_fixture_add(test_applet_init(&cfg)));
    dispatch_set_refusal(is_refused);
}

static size_t send(const char *hex)
{
    size_t n = hex_to_bytes(hex, buf, sizeof(buf));
    size_t r = 0;

    cr_assert_eq(dispatch_command(&test_session, buf, n, sizeof(buf), &r), APPLET_DONE, "%s", hex);
    return r;
}

static uint16_t sw(size_t r)
{
    cr_assert_geq(r, 2);
    return (uint16_t)(buf[r - 2] << 8 | buf[r - 1]);
}

TestSuite(unit_dispatch_refusal, .init = setup);

#define SELECT "00 A4 04 00 09 F0 6E 65 74 63 61 72 64 01"

Test(unit_dispatch_refusal, in_service_until_refused)
{
    cr_expect_eq(sw(send(SELECT)), 0x9000);
    cr_expect_eq(sw(send("80 10 00 00 02 AB CD")), 0x9000);
    cr_expect_eq(sw(send("80 54 03 00")), 0x9000);
    cr_expect_eq(processed, 1u);
}

Test(unit_dispatch_refusal, the_failing_command_answers_6f00_without_data)
{
    cr_assert_eq(sw(send(SELECT)), 0x9000);
    size_t r = send("80 58 00 10");
    cr_expect_eq(r, 2u, "data returned with the refusal");
    cr_expect_eq(sw(r), 0x6F00);
}

Test(unit_dispatch_refusal, every_later_command_answers_6f00)
{
    cr_assert_eq(sw(send(SELECT)), 0x9000);
    (void)send("80 58 00 10");
    processed = 0;
    static const char *const cmds[] = {
        SELECT,                     /* SELECT by AID */
        "80 10 00 00 02 AB CD",     /* ECHO */
        "00 70 00 00 01",           /* MANAGE CHANNEL */
        "80 54 03 00",              /* a crypto command */
        "00 A4",                    /* malformed */
        "FF 00 00 00",              /* invalid class */
        "01 10 00 00",              /* closed channel */
    };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        size_t r = send(cmds[i]);
        cr_expect_eq(r, 2u, "%s", cmds[i]);
        cr_expect_eq(sw(r), 0x6F00, "%s", cmds[i]);
    }
    cr_expect_eq(processed, 0u, "an application saw a command");
    cr_expect_not(apdu_session_channel_open(&test_session, 1));
}

Test(unit_dispatch_refusal, init_clears_the_hook)
{
    refused = true;
    apdu_fixture_init();
    cr_assert(apdu_fixture_add(test_applet_init(&cfg)));
    cr_expect_eq(sw(send(SELECT)), 0x9000);
}
