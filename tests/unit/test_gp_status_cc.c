/*
 * Unit tests: GET STATUS tag CC, the associated security domain's AID
 * (GPC 2.3.1 11.4.2.2, Table 11-36), in the entries of load files,
 * applications and security domains; none in the ISD's own entry.
 * Expected entries written from the table, not from the card's code. The
 * session is opened by the independent host SCP03 (gp_host_scp03.h).
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


/* The plain command HEX wrapped in the session: the answer as hex. */
static const char *sec(const char *hex)
{
    uint8_t c[300], w[320], r[600];
    size_t cn = nc_unhex(hex, c, sizeof(c)), rn;

    cn = host_scp03_wrap(&host, c, cn, w);
    rn = send(w, cn, r);
    return nc_hex(r, rn);
}

static void setup(void)
{
    uint8_t r[300];

    gp_fixture_start(true);
    size_t n = send((const uint8_t *)"\x00\xA4\x04\x00\x00", 5, r);

    cr_assert(n >= 2 && r[n - 2] == 0x90, "SELECT of the ISD");
    host_scp03_open(&host, send, 0x30, key40);
}

static void teardown(void)
{
    nor_sim_free(&sim);
    nc_test_fini();
}

TestSuite(unit_gp_status_cc, .init = setup, .fini = teardown);

Test(unit_gp_status_cc, isd_entry_has_none_application_and_load_file_cc)
{
    /* the ISD (P1 80): 4F, 9F70, C5 only */
    cr_assert_str_eq(sec("80F28002024F0000"),
                     "E3134F08A0000001510000009F70010FC5039E00009000");
    /* an instance of the sample module, installed by the ISD */
    cr_assert_str_eq(sec("80E60C0025" "0AF06E6574636172640300"
                         "09F06E65746361726403" "06A0000000AA01" "0100"
                         "05C903010203" "00" "00"), "009000");
    /* its entry (P1 40): 4F, 9F70 SELECTABLE, C5, CC the ISD */
    cr_assert_str_eq(sec("80F24002084F06A0000000AA0100"),
                     "E31B4F06A0000000AA019F700107C503000000"
                     "CC08A0000001510000009000");
    /* its load file (P1 20): 4F, 9F70 LOADED, CE 0100, CC the ISD */
    cr_assert_str_eq(sec("80F220020C4F0AF06E657463617264030000"),
                     "E31E4F0AF06E65746361726403009F700101CE020100"
                     "CC08A0000001510000009000");
    /* a tag list without CC leaves it out (5C: 4F only) */
    cr_assert_str_eq(sec("80F240020B4F06A0000000AA015C014F00"),
                     "E3084F06A0000000AA019000");
}
