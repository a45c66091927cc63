/*
 * Exception vector table (ARMv8-M ARM B3.30 "Vector tables"): initial SP,
 * 15 system exception entries, then NETCARD_NUM_IRQ external interrupts.
 * Placed first in ROM (section .vectors) where VTOR points after reset.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>

#include "arch/cpu.h"
#include "arch/layout.h"
#include "arch/startup.h"
#include "kernel/panic.h"
#include "netcard_memmap.h"

#define LOG_MODULE "arch"
#include "kernel/log.h"

noreturn void default_handler(void)
{
    uint32_t exception = cpu_ipsr() & 0x1ffu;

    if (exception >= 16) {
        LOG_E("unexpected IRQ %u", (unsigned)(exception - 16));
    } else {
        LOG_E("unexpected exception %u", (unsigned)exception);
    }
    panic("no handler for an enabled exception");
}

#define WEAK_DEFAULT __attribute__((weak, alias("default_handler")))

void nmi_handler(void) WEAK_DEFAULT;
void hard_fault_handler(void) WEAK_DEFAULT;
void mem_manage_handler(void) WEAK_DEFAULT;
void bus_fault_handler(void) WEAK_DEFAULT;
void usage_fault_handler(void) WEAK_DEFAULT;
void secure_fault_handler(void) WEAK_DEFAULT;
void svc_handler(void) WEAK_DEFAULT;
void debug_monitor_handler(void) WEAK_DEFAULT;
void pendsv_handler(void) WEAK_DEFAULT;
void systick_handler(void) WEAK_DEFAULT;
void debug_uart_irq_handler(void) WEAK_DEFAULT;
void iso_uart_irq_handler(void) WEAK_DEFAULT;
void crypto_irq_handler(void) WEAK_DEFAULT;
void trng_irq_handler(void) WEAK_DEFAULT;
void nvmc_irq_handler(void) WEAK_DEFAULT;
void nic_irq_handler(void) WEAK_DEFAULT;
void timer_irq_handler(void) WEAK_DEFAULT;

typedef void (*vector_handler)(void);

/* Entry 0 is the initial main stack pointer, the rest are handlers. */
union vector_entry {
    uint32_t *stack_top;
    vector_handler handler;
};

#define NUM_SYSTEM_VECTORS 16

__attribute__((section(".vectors"), used))
const union vector_entry vector_table[NUM_SYSTEM_VECTORS + NETCARD_NUM_IRQ] = {
    [0]  = { .stack_top = __stack_top },
    [1]  = { .handler = reset_handler },
    [2]  = { .handler = nmi_handler },
    [3]  = { .handler = hard_fault_handler },
    [4]  = { .handler = mem_manage_handler },
    [5]  = { .handler = bus_fault_handler },
    [6]  = { .handler = usage_fault_handler },
    [7]  = { .handler = secure_fault_handler },
    /* 8..10 reserved */
    [11] = { .handler = svc_handler },
    [12] = { .handler = debug_monitor_handler },
    /* 13 reserved */
    [14] = { .handler = pendsv_handler },
    [15] = { .handler = systick_handler },

    [NUM_SYSTEM_VECTORS + NETCARD_IRQ_DEBUG_UART] = { .handler = debug_uart_irq_handler },
    [NUM_SYSTEM_VECTORS + NETCARD_IRQ_ISO7816]    = { .handler = iso_uart_irq_handler },
    [NUM_SYSTEM_VECTORS + NETCARD_IRQ_CRYPTO]     = { .handler = crypto_irq_handler },
    [NUM_SYSTEM_VECTORS + NETCARD_IRQ_TRNG]       = { .handler = trng_irq_handler },
    [NUM_SYSTEM_VECTORS + NETCARD_IRQ_NVMC]       = { .handler = nvmc_irq_handler },
    [NUM_SYSTEM_VECTORS + NETCARD_IRQ_NIC]        = { .handler = nic_irq_handler },
    [NUM_SYSTEM_VECTORS + NETCARD_IRQ_TIMER]      = { .handler = timer_irq_handler },
    [NUM_SYSTEM_VECTORS + NETCARD_IRQ_TIMER + 1 ...
     NUM_SYSTEM_VECTORS + NETCARD_NUM_IRQ - 1]    = { .handler = default_handler },
};
