/*
 * Unit tests: SELECT by DF name without a name (the registry's unnamed()
 * application: on the card the Issuer Security Domain, GPC 2.3.1 11.9)
 * and an application's own FCI (applet.fci) in the dispatcher
 * (apdu/dispatch.h), with a registry of one stand-in application; a
 * registry without unnamed() keeps answering 6700.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <criterion/criterion.h>
#include <string.h>

#include "apdu_fixture.h"
#include "iso_hex.h"

static uint8_t buf[1024];
static const uint8_t sd_aid[8] = { 0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00,
                                   0x00 };

static enum applet_status sd_process(void *self, const struct apdu_origin *o,
                                     const struct apdu *cmd,
                                     struct apdu_response *rsp)
{
    (void)self;
    (void)o;
    (void)cmd;
    (void)rsp;
    return APPLET_DONE;
}

/* Its own FCI: 6F 03 84 01 AA. */
static void sd_fci(void *self, const struct apdu_origin *o,
                   struct apdu_response *rsp)
{
    static const uint8_t fci[5] = { 0x6F, 0x03, 0x84, 0x01, 0xAA };

    (void)self;
    (void)o;
    (void)apdu_response_set_data(rsp, fci, sizeof(fci));
}

static const struct applet sd = {
    .name = "sd", .aid = sd_aid, .aid_len = sizeof(sd_aid),
    .process = sd_process, .fci = sd_fci,
};

static const struct applet *unnamed(void *ctx)
{
    (void)ctx;
    return &sd;
}

static void setup(void)
{
    apdu_fixture_init();
    cr_assert(apdu_fixture_add(&sd));
    test_applets.registry.unnamed = unnamed;
    apdu_fixture_reset();
}

TestSuite(unit_dispatch_unnamed, .init = setup);

static uint16_t cmd(const char *hex, uint8_t *out, size_t *n)
{
    size_t len = hex_to_bytes(hex, buf, sizeof(buf)), rlen = 0;

    cr_assert_eq(dispatch_command(&test_session, buf, len, sizeof(buf),
                                  &rlen), APPLET_DONE);
    cr_assert(rlen >= 2);
    if (out) {
        memcpy(out, buf, rlen - 2);
        *n = rlen - 2;
    }
    return (uint16_t)(buf[rlen - 2] << 8 | buf[rlen - 1]);
}

Test(unit_dispatch_unnamed, empty_select_selects_the_unnamed_application)
{
    uint8_t d[64];
    size_t n = 0;

    cr_assert_eq(cmd("00 A4 04 00 00", d, &n), 0x9000);
    cr_assert(n == 5 && d[0] == 0x6F && d[4] == 0xAA, "its own FCI");
    cr_assert_eq(apdu_session_selected(&test_session, 0), &sd);
    cr_assert_eq(cmd("00 A4 04 00", NULL, NULL), 0x9000, "case 1 too");
    cr_assert_eq(cmd("00 A4 04 0C", NULL, NULL), 0x9000, "no FCI asked");
    cr_assert_eq(cmd("00 A4 04 02 00", NULL, NULL), 0x6700,
                 "next occurrence of no name");
}

Test(unit_dispatch_unnamed, by_name_the_fci_is_the_applications)
{
    uint8_t d[64];
    size_t n = 0;

    cr_assert_eq(cmd("00 A4 04 00 08 A0 00 00 01 51 00 00 00 00", d, &n),
                 0x9000);
    cr_assert(n == 5 && d[4] == 0xAA);
    cr_assert_eq(cmd("00 A4 04 04 08 A0 00 00 01 51 00 00 00 00", d, &n),
                 0x9000);
    cr_assert(n == 12 && d[0] == 0x62, "FCP: the dispatcher's 62 84 AID");
}

Test(unit_dispatch_unnamed, without_unnamed_no_name_is_6700)
{
    test_applets.registry.unnamed = NULL;
    cr_assert_eq(cmd("00 A4 04 00 00", NULL, NULL), 0x6700);
}
