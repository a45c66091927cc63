/*
 * Unit-test fixture of the card manager's command tests
 * (test_gp_content.c, test_gp_perso.c, test_gp_status_cc.c): a store on
 * a simulated NOR flash for the ISD (cfg), the default test keys (key40,
 * 40..4F), a host SCP03 (host) and send(), which hands one command to
 * the dispatcher's test session (apdu_fixture.h) and returns the
 * response with its status word. gp_fixture_start() brings the card
 * manager up; each test file adds what its tests need (a session, a
 * selection) in its own init.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_TESTS_GP_FIXTURE_H
#define NETCARD_TESTS_GP_FIXTURE_H

#include <string.h>

#include "apdu_fixture.h"
#include "applets/sample_applet.h"
#include "gp/gp.h"
#include "gp/registry.h"
#include "gp/isd.h"
#include "gp_host_scp03.h"
#include "nctest.h"
#include "nor_sim.h"
#include "store/store.h"

static struct nor_sim sim;
static struct store st;
static struct store_flash fl;
static struct host_scp03 host;

static struct store *test_store(void)
{
    return &st;
}

static const struct gp_isd_config cfg = { .store = test_store };
static const uint8_t key40[16] = { 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46,
                                   0x47, 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D,
                                   0x4E, 0x4F };

static uint8_t buf[4096];

static size_t send(const uint8_t *cmd, size_t n, uint8_t *rsp)
{
    size_t len = 0;

    memcpy(buf, cmd, n);
    cr_assert_eq(dispatch_command(&test_session, buf, n, sizeof(buf), &len),
                 APPLET_DONE);
    memcpy(rsp, buf, len);
    return len;
}

/*
 * The card manager on the fixture's store: FORMAT a fresh, personalised
 * one (else the store in sim from before, as after a reset), the
 * registry with the sample applet's and the security-domain module's ROM
 * instances, the ISD, and the dispatcher's test session reset.
 */
static void gp_fixture_start(bool format)
{
    nc_test_init();
    if (format) {
        nor_sim_init(&sim, 4096, 32);
        nor_sim_flash(&sim, &fl);
        cr_assert_eq(store_format(&st, &fl, 0x4751u), STORE_OK);
        cr_assert_eq(gp_personalise(&st), STORE_OK);
    }
    apdu_fixture_init();
    gp_registry_init(test_store);
    cr_assert(gp_registry_add_rom(sample_applet(), SAMPLE_APPLET_INSTANCES,
                                  false));
    cr_assert(gp_registry_add_rom(gp_sd_module(), 8, false));
    cr_assert_eq(gp_registry_sync(), STORE_OK);
    dispatch_set_registry(gp_registry(gp_isd_init(&cfg)));
    apdu_fixture_reset();
}

#endif
