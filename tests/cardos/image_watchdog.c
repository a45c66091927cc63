/*
 * The watchdog image (cardos-watchdog.elf, card/image.h): on a power-on
 * boot, once storage is up, the card hangs with interrupts on and stops
 * kicking the watchdog: it barks (the NMI line) and bites; the next boot
 * says reset=watchdog (tests/system/test_faults.c).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdnoreturn.h>

#include "arch/cpu.h"
#include "card/image.h"

#define LOG_MODULE "boot"
#include "kernel/log.h"

const char image_name[] = "watchdog";

void image_add_applications(struct applet_table *table)
{
    (void)table;
}

static __attribute__((noinline)) noreturn void starve_watchdog(void)
{
    LOG_W("test: no longer kicking the watchdog");
    log_flush();
    for (;;) {
        cpu_wfi();
    }
}

void image_boot_point(enum image_point point, enum reset_cause cause)
{
    if (point == IMAGE_AFTER_STORAGE && cause == RESET_CAUSE_POWER_ON) {
        starve_watchdog();
    }
}
