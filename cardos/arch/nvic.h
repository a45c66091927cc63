/*
 * NVIC: enable, disable and prioritise external interrupts (IRQ 0..31).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_ARCH_NVIC_H
#define CARDOS_ARCH_NVIC_H

#include <stdint.h>
#include "arch/scs.h"

static inline void nvic_enable_irq(unsigned irq)
{
    scs_write(A_NVIC_ISER0 + 4u * (irq / 32u), 1u << (irq % 32u));
}

static inline void nvic_disable_irq(unsigned irq)
{
    scs_write(A_NVIC_ICER0 + 4u * (irq / 32u), 1u << (irq % 32u));
}

static inline void nvic_clear_pending_irq(unsigned irq)
{
    scs_write(A_NVIC_ICPR0 + 4u * (irq / 32u), 1u << (irq % 32u));
}

/*
 * Lower value = more urgent. The M33 implements the top bits of each
 * priority byte only (QEMU: 8 bits); we use the top 3 so the values mean
 * the same on any implementation with >= 3 priority bits.
 */
static inline void nvic_set_priority(unsigned irq, unsigned prio)
{
    *(volatile uint8_t *)(uintptr_t)(SCS_BASE + A_NVIC_IPR0 + irq) =
        (uint8_t)(prio << 5);
}

#endif /* CARDOS_ARCH_NVIC_H */
