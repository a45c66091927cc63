/*
 * The netcard SoC as the card OS sees it: memory map, interrupt numbers and
 * clocks. Mirrors the table in DESIGN.md ("The SoC: -M netcard"); change
 * both together.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_SOC_H
#define CARDOS_SOC_H

/* Memories. RAM is cleared by cold resets only (power-on, tear). */
#define SOC_ROM_BASE            0x00000000u
#define SOC_ROM_SIZE            (512u * 1024u)
#define SOC_NVM_BASE            0x10000000u
#define SOC_NVM_SIZE            (1024u * 1024u)
#define SOC_RAM_BASE            0x20000000u
#define SOC_RAM_SIZE            (256u * 1024u)

/* Peripheral windows, 4 KiB each. */
#define SOC_SYSCTL_BASE         0x40000000u
#define SOC_DEBUG_UART_BASE     0x40001000u  /* ARM CMSDK APB UART */
#define SOC_ISO_UART_BASE       0x40002000u
#define SOC_CRYPTO_BASE         0x40003000u
#define SOC_TRNG_BASE           0x40004000u
#define SOC_NVMC_BASE           0x40005000u
#define SOC_NIC_BASE            0x40006000u
#define SOC_TIMER_BASE          0x40007000u  /* ARM CMSDK APB timer */
#define SOC_WATCHDOG_BASE       0x40008000u  /* ARM CMSDK APB watchdog -> NMI */

/* NVIC external interrupt numbers. The watchdog is wired to NMI instead. */
#define SOC_IRQ_DEBUG_UART      0   /* CMSDK UART combined interrupt */
#define SOC_IRQ_ISO_UART        1
#define SOC_IRQ_CRYPTO          2
#define SOC_IRQ_TRNG            3
#define SOC_IRQ_NVMC            4
#define SOC_IRQ_NIC             5
#define SOC_IRQ_TIMER           6
#define SOC_NUM_IRQS            32

/*
 * System clock: the CPU and every APB peripheral clock (pclk, WDOGCLK) run
 * at 48 MHz. sysctl SYSCLK_HZ reports the same value at run time.
 */
#define SOC_SYSCLK_HZ           48000000u

#endif /* CARDOS_SOC_H */
