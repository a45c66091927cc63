/*
 * The fault image (cardos-fault.elf, card/image.h): on a power-on boot,
 * right after the banner, a load from unmapped 0x6000_0000 raises a
 * precise BusFault (CFSR.PRECISERR + BFARVALID). The fault handler
 * reports it and resets into a clean boot ("reset=software" + "last
 * boot ended by BusFault ..."): tests/system/test_faults.c.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>

#include "card/image.h"

#define LOG_MODULE "boot"
#include "kernel/log.h"

/* Nothing is mapped here (DESIGN.md memory map): loads raise a BusFault. */
#define UNMAPPED_ADDRESS 0x60000000u

const char image_name[] = "fault";

void image_add_applications(struct applet_table *table)
{
    (void)table;
}

static __attribute__((noinline)) void provoke_bus_fault(void)
{
    LOG_W("test: reading unmapped 0x%08x", (unsigned)UNMAPPED_ADDRESS);
    log_flush();
    (void)*(volatile uint32_t *)(uintptr_t)UNMAPPED_ADDRESS;
}

void image_boot_point(enum image_point point, enum reset_cause cause)
{
    if (point == IMAGE_AFTER_BANNER && cause == RESET_CAUSE_POWER_ON) {
        provoke_bus_fault();
    }
}
