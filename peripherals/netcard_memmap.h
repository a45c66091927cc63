/*
 * netcard SoC memory map: the one source of every base address, window
 * size and interrupt number of the chip, and of its system clock.
 *
 * Included by the QEMU SoC model (machine/netcard_soc.c), by the card OS
 * (C) and, through the C preprocessor, by the card OS linker script
 * (cardos/arch/cardos.ld.S). Everything here must therefore be a plain
 * integer literal or a parenthesised expression of them that C and GNU ld
 * read alike: no `u` suffixes, no casts, no enums, no C declarations.
 * Values fit in a signed 32-bit int, so C sees them as int constants.
 *
 * The table in docs/machine.md ("Memory map") describes the same map.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later OR Apache-2.0
 */
#ifndef NETCARD_MEMMAP_H
#define NETCARD_MEMMAP_H

/*
 * System clock: the CPU and every APB peripheral clock (pclk, WDOGCLK)
 * run from it. sysctl SYSCLK_HZ reports the same value at run time.
 */
#define NETCARD_SYSCLK_HZ           48000000

/* NVIC external interrupt lines implemented by the SoC. */
#define NETCARD_NUM_IRQ             32

/* ROM: the card OS image (-kernel), read/execute. */
#define NETCARD_ROM_BASE            0x00000000
#define NETCARD_ROM_SIZE            (512 * 1024)

/*
 * NVM flash array: read/execute in place, pages of 4 KiB. The machine
 * property nvm-size chooses the array's size, a whole number of pages
 * from NETCARD_NVM_SIZE_MIN to NETCARD_NVM_SIZE_MAX (default
 * NETCARD_NVM_SIZE_DEFAULT); the window reserves the largest. Only the
 * array itself is mapped: the rest of the window is unmapped. The card OS
 * learns the size at run time from the NVM controller (NVMC_SIZE).
 */
#define NETCARD_NVM_BASE            0x10000000
#define NETCARD_NVM_SIZE_MAX        (16 * 1024 * 1024)
#define NETCARD_NVM_SIZE_MIN        (1024 * 1024)
#define NETCARD_NVM_SIZE_DEFAULT    (2 * 1024 * 1024)

/*
 * RAM: the machine property ram-size chooses its size, a multiple of
 * 4 KiB from NETCARD_RAM_SIZE_MIN to NETCARD_RAM_SIZE_MAX. The default,
 * NETCARD_RAM_SIZE, is what the card OS is linked for. Cleared by cold
 * resets only (power-on, tear).
 */
#define NETCARD_RAM_BASE            0x20000000
#define NETCARD_RAM_SIZE_MAX        (256 * 1024)
#define NETCARD_RAM_SIZE_MIN        (16 * 1024)
#define NETCARD_RAM_SIZE            NETCARD_RAM_SIZE_MAX

/* Peripheral windows: every one is NETCARD_PERIPH_SIZE bytes. */
#define NETCARD_PERIPH_SIZE         0x1000

#define NETCARD_SYSCTL_BASE         0x40000000
#define NETCARD_SYSCTL_SIZE         NETCARD_PERIPH_SIZE
/* ARM CMSDK APB UART (QEMU cmsdk-apb-uart) */
#define NETCARD_DEBUG_UART_BASE     0x40001000
#define NETCARD_DEBUG_UART_SIZE     NETCARD_PERIPH_SIZE
#define NETCARD_ISO7816_BASE        0x40002000
#define NETCARD_ISO7816_SIZE        NETCARD_PERIPH_SIZE
#define NETCARD_CRYPTO_BASE         0x40003000
#define NETCARD_CRYPTO_SIZE         NETCARD_PERIPH_SIZE
#define NETCARD_TRNG_BASE           0x40004000
#define NETCARD_TRNG_SIZE           NETCARD_PERIPH_SIZE
/* NVM controller (the array is at NETCARD_NVM_BASE) */
#define NETCARD_NVMC_BASE           0x40005000
#define NETCARD_NVMC_SIZE           NETCARD_PERIPH_SIZE
#define NETCARD_NIC_BASE            0x40006000
#define NETCARD_NIC_SIZE            NETCARD_PERIPH_SIZE
/* ARM CMSDK APB timer (QEMU cmsdk-apb-timer) */
#define NETCARD_TIMER_BASE          0x40007000
#define NETCARD_TIMER_SIZE          NETCARD_PERIPH_SIZE
/* ARM CMSDK APB watchdog (QEMU cmsdk-apb-watchdog), wired to the NMI */
#define NETCARD_WATCHDOG_BASE       0x40008000
#define NETCARD_WATCHDOG_SIZE       NETCARD_PERIPH_SIZE

/*
 * NVIC external interrupt numbers (vector 16 + n). The watchdog has
 * none: it drives the NMI.
 */
#define NETCARD_IRQ_DEBUG_UART      0   /* CMSDK UART combined UARTINT */
#define NETCARD_IRQ_ISO7816         1
#define NETCARD_IRQ_CRYPTO          2
#define NETCARD_IRQ_TRNG            3
#define NETCARD_IRQ_NVMC            4
#define NETCARD_IRQ_NIC             5
#define NETCARD_IRQ_TIMER           6

#endif /* NETCARD_MEMMAP_H */
