/*
 * Watchdog (ARM CMSDK APB watchdog at NETCARD_WATCHDOG_BASE, WDOGCLK = sysclk).
 *
 * Two stages: timeout_ms after the last kick it "barks" (interrupt, wired
 * to NMI: arch/fault.c prints "WATCHDOG: bark at PC=..."); if still not
 * kicked timeout_ms later it "bites": the chip resets, and the next boot
 * reports reset=watchdog. The event loop kicks it on every pass, and a
 * soft timer every timeout_ms / 2 keeps an idle loop passing (main.c).
 *
 * Registers stay locked (WDOGLOCK) between accesses, so a stray write
 * cannot stop it.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_DRIVERS_WATCHDOG_H
#define CARDOS_DRIVERS_WATCHDOG_H

#include <stdint.h>

#define WATCHDOG_TIMEOUT_MS 1000u

/* Start (or restart) with the given bark time; 1 <= timeout_ms <= 89000. */
void watchdog_start(uint32_t timeout_ms);

/* Reload the counter and clear a pending bark. */
void watchdog_kick(void);

#endif /* CARDOS_DRIVERS_WATCHDOG_H */
