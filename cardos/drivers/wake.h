/*
 * A deadline for a driver's bounded sleep (the crypto and TRNG drivers).
 *
 * A driver that waits for its device sleeps (WFI) until the device's
 * interrupt. When the device never raises it, nothing else wakes the
 * core in time: the card is tickless (docs/cardos.md "Time and idle"),
 * and the watchdog's first expiry is a fatal bark. So right before each
 * WFI the driver makes sure that SysTick wakes it by its deadline, where
 * it checks its time-out.
 *
 * SysTick belongs to the event loop's idle port (arch/systick.h,
 * card/main.c). A driver only borrows it to wake *earlier*: when SysTick
 * already counts towards an expiry no later than the driver's deadline it
 * is left alone; otherwise it is started for the deadline, without
 * telling arch/systick.c. The event loop then wakes early at worst once
 * (the SysTick handler stops it and clears its running flag, and the idle
 * port starts it again for the loop's own deadline), never late.
 *
 * Inline on purpose: make bench leaves the crypto driver's wait loop out
 * of its instruction counts by the loop's address range (wait_idle in
 * drivers/crypto.c), so what the loop runs while it sleeps must be in it.
 *
 * Context: the main loop, interrupts masked, right before cpu_wfi().
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_DRIVERS_WAKE_H
#define CARDOS_DRIVERS_WAKE_H

#include <stdint.h>

#include "arch/scs.h"
#include "arch/systick.h"
#include "netcard_memmap.h"

/* SysTick counts the reference clock, SYSCLK / SYSTICK_REFCLK_DIV. */
#define DRV_WAKE_TICKS_PER_MS (NETCARD_SYSCLK_HZ / SYSTICK_REFCLK_DIV / 1000u)
/* Its 24-bit counter: at most 2.796 s ahead. */
#define DRV_WAKE_TICKS_MAX    (1u << 24)

/* Make sure the core wakes from WFI within @ms (plus one reference tick). */
static inline __attribute__((always_inline)) void drv_wake_within_ms(uint32_t ms)
{
    uint64_t t = (uint64_t)ms * DRV_WAKE_TICKS_PER_MS + 2u;
    uint32_t ticks = t > DRV_WAKE_TICKS_MAX ? DRV_WAKE_TICKS_MAX : (uint32_t)t;

    if ((scs_read(A_SYST_CSR) & R_SYST_CSR_ENABLE_MASK) &&
        scs_read(A_SYST_CVR) <= ticks) {
        return;                 /* SysTick fires by then anyway */
    }
    /* As systick_start(): expiry RVR + 1 reference ticks after CVR = 0. */
    scs_write(A_SYST_CSR, 0);
    scs_write(A_SYST_RVR, ticks - 1u);
    scs_write(A_SYST_CVR, 0);
    scs_write(A_SYST_CSR, R_SYST_CSR_ENABLE_MASK | R_SYST_CSR_TICKINT_MASK);
}

#endif /* CARDOS_DRIVERS_WAKE_H */
