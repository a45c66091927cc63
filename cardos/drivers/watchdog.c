/*
 * CMSDK APB watchdog. Register map: Cortex-M System Design Kit TRM (ARM
 * DDI 0479C, 4.6 "APB watchdog"; the SP805 programmer's model), as modelled
 * by QEMU's hw/watchdog/cmsdk-apb-watchdog.c.
 *
 * Counting starts when INTEN is set. On reaching zero the counter raises
 * the interrupt and reloads from WDOGLOAD; reaching zero again with the
 * interrupt still pending asserts the reset (if RESEN). Writing WDOGINTCLR
 * clears the interrupt and reloads the counter: that is the kick.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "drivers/watchdog.h"

#include "arch/mmio.h"
#include "arch/regfields.h"
#include "netcard_memmap.h"

REG32(WDOG_LOAD, 0x000)
REG32(WDOG_VALUE, 0x004)
REG32(WDOG_CONTROL, 0x008)
    FIELD(WDOG_CONTROL, INTEN, 0, 1)
    FIELD(WDOG_CONTROL, RESEN, 1, 1)
REG32(WDOG_INTCLR, 0x00c)
REG32(WDOG_RIS, 0x010)
REG32(WDOG_LOCK, 0xc00)

/* Any other value written to WDOGLOCK locks the registers again. */
#define WDOG_UNLOCK_KEY 0x1ACCE551u
#define WDOG_LOCK_KEY   0u

#define WDOG_TICKS_PER_MS (NETCARD_SYSCLK_HZ / 1000u)

static void wdog_write(uint32_t offset, uint32_t value)
{
    mmio_write32(NETCARD_WATCHDOG_BASE + offset, value);
}

void watchdog_start(uint32_t timeout_ms)
{
    wdog_write(A_WDOG_LOCK, WDOG_UNLOCK_KEY);
    wdog_write(A_WDOG_LOAD, timeout_ms * WDOG_TICKS_PER_MS);
    wdog_write(A_WDOG_INTCLR, 1);
    wdog_write(A_WDOG_CONTROL, R_WDOG_CONTROL_INTEN_MASK | R_WDOG_CONTROL_RESEN_MASK);
    wdog_write(A_WDOG_LOCK, WDOG_LOCK_KEY);
}

void watchdog_kick(void)
{
    wdog_write(A_WDOG_LOCK, WDOG_UNLOCK_KEY);
    wdog_write(A_WDOG_INTCLR, 1);
    wdog_write(A_WDOG_LOCK, WDOG_LOCK_KEY);
}
