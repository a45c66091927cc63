/*
 * Shared helpers for the netcard device tests (qtest + QMP, no guest code).
 *
 * The register offsets come from the contract header
 * peripherals/netcard_sysctl.h; the expected values are written out here
 * from the specification so that a wrong constant in the header or the
 * model is caught.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_TESTS_DEVICES_H
#define NETCARD_TESTS_DEVICES_H

#define NETCARD_CARDOS 1        /* register map only, no QEMU headers */
#include "netcard_sysctl.h"
#include "nctest.h"

#include <criterion/criterion.h>
#include <inttypes.h>

/* Memory map (DESIGN.md, "The SoC"). */
#define ROM_BASE        0x00000000u
#define ROM_SIZE        (512u * 1024u)
#define NVM_BASE        0x10000000u
#define NVM_SIZE        (2u * 1024u * 1024u)   /* the default nvm-size */
#define RAM_BASE        0x20000000u
#define RAM_SIZE        (256u * 1024u)
#define SYSCTL_BASE     0x40000000u
#define TIMER_BASE      0x40007000u
#define PERIPH_SIZE     0x1000u

#define SYSCTL(reg)     (SYSCTL_BASE + (uint32_t)A_SYSCTL_##reg)

/* Reset causes as numbered by the specification. */
#define CAUSE_POWER_ON  0u
#define CAUSE_WARM      1u
#define CAUSE_WATCHDOG  2u
#define CAUSE_SOFTWARE  3u
#define CAUSE_TEAR      4u

#define RESET_KEY       0x5afeu

/* Bound for a requested reset to become visible in the registers. */
#define RESET_TIMEOUT_MS 10000

/*
 * Wait until RESET_COUNT reads EXPECT_COUNT (a requested reset has
 * happened); then check RESET_CAUSE.
 */
#define expect_reset(qt, expect_count, expect_cause, what)                   \
    do {                                                                     \
        nc_qtest_poll_l(qt, SYSCTL(RESET_COUNT), 0xffffffffu,                \
                        (uint32_t)(expect_count), RESET_TIMEOUT_MS, what);   \
        uint32_t cause__ = nc_readl(qt, SYSCTL(RESET_CAUSE));                \
        cr_assert_eq(cause__, (uint32_t)(expect_cause),                      \
                     "%s: RESET_CAUSE is %" PRIu32 ", expected %u", what,    \
                     cause__, (unsigned)(expect_cause));                     \
    } while (0)

/*
 * Give QEMU's main loop several chances to act on anything a previous
 * write requested: qtest round trips with clock steps, then a QMP round
 * trip. Used before asserting that something did NOT happen.
 */
static inline void settle(NcQtest *qt)
{
    for (int i = 0; i < 10; i++) {
        nc_clock_step(qt, 1000000);
        (void)nc_readl(qt, SYSCTL(CHIP_ID));
    }
    nc_qmp(qt->qmp, "{'execute': 'query-status'}");
    (void)nc_readl(qt, SYSCTL(CHIP_ID));
}

/* QEMU still alive and its VM in the expected state. */
static inline void expect_running(NcQtest *qt)
{
    char *st = nc_qmp(qt->qmp, "{'execute': 'query-status'}");
    char *status = nc_json_get_str(st, "status");
    cr_assert(status && strcmp(status, "running") == 0,
              "query-status: expected status \"running\", got %s", st);
    cr_assert(!nc_proc_exited(qt->qemu), "QEMU %s",
              nc_proc_describe(qt->qemu));
}

#endif /* NETCARD_TESTS_DEVICES_H */
