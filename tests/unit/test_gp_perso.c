/*
 * Unit tests: STORE DATA after INSTALL [for personalization] reaches the
 * application (GPC 2.3.1 11.5.2.3.4, 11.11.2.3; the applet contract's
 * store_data, apdu/applet.h): the sample module's instance keeps what it
 * got and returns it (its DATA command), byte for byte what the host
 * sent; and the Security Domain Manager URL (GET DATA 5F50, 11.3) set by
 * STORE DATA to the security domain in BER-TLV (P1 b5b4 = 10), kept
 * across a reset of the card manager. Secure channel: the independent
 * host SCP03 of gp_host_scp03.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <criterion/criterion.h>
#include <string.h>

#include "gp_fixture.h"
#include "applets/sample_applet.h"
#include "gp/gp.h"
#include "gp/isd.h"
#include "gp/registry.h"
#include "gp_host_scp03.h"
#include "nctest.h"
#include "nor_sim.h"
#include "store/store.h"


/* HEX sent as is (plain) or wrapped in the session: the answer as hex. */
static const char *tx(bool secure, const char *hex)
{
    uint8_t c[300], w[320], r[600];
    size_t cn = nc_unhex(hex, c, sizeof(c)), rn;

    if (secure) {
        cn = host_scp03_wrap(&host, c, cn, w);
        memcpy(c, w, cn);
    }
    rn = send(c, cn, r);
    return nc_hex(r, rn);
}

/* HEX (plain) answers 9000, with or without data. */
static void ok(const char *hex)
{
    const char *r = tx(false, hex);
    size_t n = strlen(r);

    cr_assert(n >= 4 && strcmp(r + n - 4, "9000") == 0, "%s answered %s",
              hex, r);
}

static void open_session(void)
{
    ok("00A4040008A000000151000000");
    host_scp03_open(&host, send, 0x30, key40);
}

static void boot(bool format)
{
    gp_fixture_start(format);
    open_session();
}

static void setup(void)
{
    boot(true);
}

static void teardown(void)
{
    nor_sim_free(&sim);
    nc_test_fini();
}

TestSuite(unit_gp_perso, .init = setup, .fini = teardown);

#define INSTALL_AA01 "80E60C0025" "0AF06E6574636172640300" \
    "09F06E65746361726403" "06A0000000AA01" "0100" "05C903010203" "00" "00"

Test(unit_gp_perso, store_data_reaches_the_application)
{
    cr_assert_str_eq(tx(true, INSTALL_AA01), "009000");
    /* INSTALL [for personalization] of A0000000AA01 (11.5.2.3.4) */
    cr_assert_str_eq(tx(true, "80E620000C000006A0000000AA0100000000"),
                     "009000");
    /* two blocks, BER-TLV (P1 b5b4 10), the last with P1 b8 */
    cr_assert_str_eq(tx(true, "80E21000055F20024142"), "9000");
    cr_assert_str_eq(tx(true, "80E29001045A02ABCD"), "9000");
    /* the application has exactly what was sent */
    ok("00A4040006A0000000AA01");
    cr_assert_str_eq(tx(false, "8002000000"), "5F20024142" "5A02ABCD9000");
    /* the ISD again: its STORE DATA stays its own after the last block */
    open_session();
    cr_assert_str_eq(tx(true, "80E2900005DF01020102"), "9000");
    ok("00A4040006A0000000AA01");
    cr_assert_str_eq(tx(false, "8002000000"), "5F20024142" "5A02ABCD9000");
}

Test(unit_gp_perso, personalization_of_an_unknown_application_is_6a88)
{
    cr_assert_str_eq(tx(true, "80E620000C000006A0000000AA0200000000"),
                     "6A88");
    /* STORE DATA then stays the ISD's own */
    cr_assert_str_eq(tx(true, "80E2900005DF01020102"), "9000");
}

Test(unit_gp_perso, sd_manager_url_set_by_store_data_and_read_back)
{
    /* none yet: referenced data not found */
    cr_assert_str_eq(tx(true, "80CA5F5000"), "6A88");
    /* STORE DATA to the ISD, BER-TLV: 5F50 "https://sdm.example/" */
    cr_assert_str_eq(tx(true, "80E2900017" "5F5014"
                         "68747470733A2F2F73646D2E6578616D706C652F"), "9000");
    cr_assert_str_eq(tx(true, "80CA5F5000"),
                     "5F501468747470733A2F2F73646D2E6578616D706C652F9000");
    /* kept in the store: a new boot of the card manager reads it back */
    boot(false);
    cr_assert_str_eq(tx(true, "80CA5F5000"),
                     "5F501468747470733A2F2F73646D2E6578616D706C652F9000");
    /* a bad TLV (length past the data) changes nothing: 6A80 */
    cr_assert_str_eq(tx(true, "80E29000045F500841"), "6A80");
    cr_assert_str_eq(tx(true, "80CA5F5000"),
                     "5F501468747470733A2F2F73646D2E6578616D706C652F9000");
}

#define SSD "A000000151535001"
/* INSTALL [for install and make selectable] of SSD, privileges 80 00 00,
 * install parameters C9 empty */
#define INSTALL_SSD "80E60C0024" "09A00000015153504100" "08A000000151535041" \
    "08" SSD "03800000" "02C900" "00"
#define URL_SSD "5F50136874747073" "3A2F2F7373642E6578616D706C65"

Test(unit_gp_perso, a_security_domain_has_its_own_url_gone_with_it)
{
    cr_assert_str_eq(tx(true, INSTALL_SSD), "009000");
    ok("00A4040008" SSD);
    host_scp03_open(&host, send, 0x30, key40);
    /* "https://ssd.example" (19 bytes) to the SSD itself */
    cr_assert_str_eq(tx(true, "80E2900016" URL_SSD), "9000");
    cr_assert_str_eq(tx(true, "80CA5F5000"), URL_SSD "9000");
    /* the ISD has none */
    open_session();
    cr_assert_str_eq(tx(true, "80CA5F5000"), "6A88");
    /* deleted with the SSD: a new one under the same number has none */
    cr_assert_str_eq(tx(true, "80E400000A4F08" SSD), "009000");
    cr_assert_str_eq(tx(true, INSTALL_SSD), "009000");
    ok("00A4040008" SSD);
    host_scp03_open(&host, send, 0x30, key40);
    cr_assert_str_eq(tx(true, "80CA5F5000"), "6A88");
}
