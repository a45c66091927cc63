/*
 * Device tests: SoC wiring of the timer (IRQ 6, 48 MHz) and the watchdog
 * (NMI on the first expiry, a reset with cause "watchdog" on the second).
 * The devices are QEMU's CMSDK APB timer and watchdog (ARM DDI 0479C).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "devices.h"

#include <string.h>

TestSuite(device_timers, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_DEVICE);

/* CMSDK APB timer */
#define TIMER_CTRL        (TIMER_BASE + 0x00)
#define TIMER_VALUE       (TIMER_BASE + 0x04)
#define TIMER_RELOAD      (TIMER_BASE + 0x08)
#define TIMER_INTSTATUS   (TIMER_BASE + 0x0c)   /* write 1: clear */
#define TIMER_CTRL_EN     (1u << 0)
#define TIMER_CTRL_INTEN  (1u << 3)
#define TIMER_IRQ         6

/* CMSDK APB watchdog */
#define WDOG_BASE         0x40008000u
#define WDOG_LOAD         (WDOG_BASE + 0x00)
#define WDOG_VALUE        (WDOG_BASE + 0x04)
#define WDOG_CONTROL      (WDOG_BASE + 0x08)
#define WDOG_RIS          (WDOG_BASE + 0x10)
#define WDOG_LOCK         (WDOG_BASE + 0xc00)
#define WDOG_UNLOCK_KEY   0x1ACCE551u
#define WDOG_INTEN        (1u << 0)
#define WDOG_RESEN        (1u << 1)

#define NS_PER_MS 1000000ull

/* Intercept the NVIC inputs (IRQ n, and NMI which also reports as 0). */
static void intercept_nvic(NcQtest *qt)
{
    nc_qtest_cmd(qt, "irq_intercept_in /machine/soc/armv7m");
}

Test(device_timers, timer_counts_at_48mhz_and_raises_irq6)
{
    NcQtest *qt = nc_qtest_start(NULL);
    intercept_nvic(qt);

    /* 48000 ticks = 1 ms at 48 MHz. */
    nc_writel(qt, TIMER_RELOAD, 48000);
    nc_writel(qt, TIMER_VALUE, 48000);
    nc_writel(qt, TIMER_CTRL, TIMER_CTRL_EN | TIMER_CTRL_INTEN);

    nc_clock_step(qt, NS_PER_MS / 2);
    uint32_t v = nc_readl(qt, TIMER_VALUE);
    cr_assert(v >= 23900 && v <= 24100, "timer VALUE after 0.5 ms is %" PRIu32
              ", expected about 24000 (48 MHz pclk)", v);
    cr_assert_eq(nc_readl(qt, TIMER_INTSTATUS), 0u, "interrupt before expiry");
    cr_assert_eq(nc_qtest_irq_level(qt, TIMER_IRQ), 0, "IRQ 6 before expiry");

    nc_clock_step(qt, NS_PER_MS);
    cr_assert_eq(nc_readl(qt, TIMER_INTSTATUS) & 1u, 1u,
                 "timer INTSTATUS not set 1.5 ms after a 1 ms load");
    cr_assert_eq(nc_qtest_irq_level(qt, TIMER_IRQ), 1,
                 "timer interrupt did not raise NVIC input 6");

    nc_writel(qt, TIMER_INTSTATUS, 1);
    (void)nc_readl(qt, TIMER_INTSTATUS);
    cr_assert_eq(nc_qtest_irq_level(qt, TIMER_IRQ), 0,
                 "clearing the timer interrupt did not lower NVIC input 6");
}

Test(device_timers, watchdog_nmi_then_reset_with_cause_watchdog)
{
    NcQtest *qt = nc_qtest_start(NULL);
    intercept_nvic(qt);
    nc_writel(qt, RAM_BASE, 0x0DDBA11u);
    nc_writel(qt, SYSCTL(SCRATCH0), 0xC0FFEEu);

    nc_writel(qt, WDOG_LOCK, WDOG_UNLOCK_KEY);
    nc_writel(qt, WDOG_LOAD, 48000);          /* 1 ms at 48 MHz */
    nc_writel(qt, WDOG_CONTROL, WDOG_INTEN | WDOG_RESEN);

    nc_clock_step(qt, NS_PER_MS / 2);
    uint32_t v = nc_readl(qt, WDOG_VALUE);
    cr_assert(v >= 23900 && v <= 24100, "watchdog VALUE after 0.5 ms is %"
              PRIu32 ", expected about 24000 (48 MHz WDOGCLK)", v);
    cr_assert_eq(nc_qtest_irq_level(qt, 0), 0, "NMI before the first expiry");

    /* First expiry: interrupt (NMI), no reset yet. */
    nc_clock_step(qt, NS_PER_MS);
    cr_assert_eq(nc_readl(qt, WDOG_RIS) & 1u, 1u,
                 "watchdog RIS not set after the first expiry");
    cr_assert_eq(nc_qtest_irq_level(qt, 0), 1,
                 "the watchdog's first expiry did not raise NMI");
    cr_assert_eq(nc_readl(qt, SYSCTL(RESET_COUNT)), 0u,
                 "the watchdog reset the chip on its first expiry");

    /* Second expiry: reset, cause watchdog (warm: RAM, scratch kept). */
    nc_clock_step(qt, NS_PER_MS);
    expect_reset(qt, 1, CAUSE_WATCHDOG, "after the watchdog's second expiry");
    cr_assert_eq(nc_readl(qt, RAM_BASE), 0x0DDBA11u,
                 "RAM not kept over a watchdog reset");
    cr_assert_eq(nc_readl(qt, SYSCTL(SCRATCH0)), 0xC0FFEEu,
                 "SCRATCH0 not kept over a watchdog reset");
    cr_assert_eq(nc_readl(qt, WDOG_CONTROL), 0u,
                 "the watchdog must be off after a reset");

    /* The next host reset is warm again. */
    nc_qmp(qt->qmp, "{'execute': 'system_reset'}");
    expect_reset(qt, 2, CAUSE_WARM, "system_reset after a watchdog reset");
}
