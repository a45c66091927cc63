/*
 * Reset entry point and exception vector table.
 *
 * reset_handler() is what the core runs first (vector 1), in Secure Thread
 * mode on the main stack, after every reset: cold (power-on, tear) and warm
 * (warm, watchdog, software). It must not assume RAM is zero. It:
 *   1. sets MSPLIM to the bottom of the main stack (overflow -> STKOF),
 *   2. copies .data and .tdata from ROM, zeroes .tbss and .bss, sets up
 *      picolibc's thread pointer,
 *   3. enables the MemManage, BusFault, UsageFault and SecureFault
 *      exceptions (else they escalate to HardFault) and divide-by-zero
 *      trapping,
 *   4. runs constructors, then calls main().
 *
 * The vector table (arch/vectors.c) holds 16 system entries and
 * NETCARD_NUM_IRQ external interrupts. Every handler name below is a weak
 * alias of default_handler(), which panics; a driver overrides one by
 * defining a function of the same name.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_ARCH_STARTUP_H
#define CARDOS_ARCH_STARTUP_H

#include <stdnoreturn.h>

noreturn void reset_handler(void);

/* System exceptions (vectors 2..15). Faults and NMI: arch/fault_entry.S. */
void nmi_handler(void);
void hard_fault_handler(void);
void mem_manage_handler(void);
void bus_fault_handler(void);
void usage_fault_handler(void);
void secure_fault_handler(void);
void svc_handler(void);
void debug_monitor_handler(void);
void pendsv_handler(void);
void systick_handler(void);

/* External interrupts (vector 16 + n), see netcard_memmap.h. */
void debug_uart_irq_handler(void);   /* IRQ 0 */
void iso_uart_irq_handler(void);     /* IRQ 1 */
void crypto_irq_handler(void);       /* IRQ 2 */
void trng_irq_handler(void);         /* IRQ 3 */
void nvmc_irq_handler(void);         /* IRQ 4 */
void nic_irq_handler(void);          /* IRQ 5 */
void timer_irq_handler(void);        /* IRQ 6 */

/* Anything without a handler: logs the exception number and panics. */
noreturn void default_handler(void);

int main(void);

#endif /* CARDOS_ARCH_STARTUP_H */
