/*
 * Cortex-M33 core intrinsics: interrupt masking, barriers, sleep.
 *
 * PRIMASK masks every exception with configurable priority (all IRQs,
 * SVC, PendSV, SysTick, the configurable faults), not NMI or HardFault
 * (ARMv8-M ARM DDI 0553, B3.32 "Priority model").
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_ARCH_CPU_H
#define CARDOS_ARCH_CPU_H

#include <stdint.h>

/* Mask interrupts; returns the previous PRIMASK for cpu_irq_restore(). */
static inline uint32_t cpu_irq_save(void)
{
    uint32_t primask;

    __asm volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask) :: "memory");
    return primask;
}

static inline void cpu_irq_restore(uint32_t primask)
{
    __asm volatile("msr primask, %0" :: "r"(primask) : "memory");
}

static inline void cpu_irq_enable(void)
{
    __asm volatile("cpsie i" ::: "memory");
}

static inline void cpu_irq_disable(void)
{
    __asm volatile("cpsid i" ::: "memory");
}

/*
 * Wait for interrupt. Safe to call with PRIMASK set: a pending interrupt
 * still wakes the core (B1.5.19), and it is taken once PRIMASK is cleared,
 * which closes the "check for work, then sleep" race.
 */
static inline void cpu_wfi(void)
{
    __asm volatile("wfi" ::: "memory");
}

static inline void cpu_dsb(void)
{
    __asm volatile("dsb 0xf" ::: "memory");
}

static inline void cpu_isb(void)
{
    __asm volatile("isb 0xf" ::: "memory");
}

/* PRIMASK: 1 while interrupts are masked (cpu_irq_save). */
static inline uint32_t cpu_primask(void)
{
    uint32_t primask;

    __asm volatile("mrs %0, primask" : "=r"(primask));
    return primask & 1u;
}

/* Current exception number (IPSR): 0 in Thread mode, 16 + n for IRQ n. */
static inline uint32_t cpu_ipsr(void)
{
    uint32_t ipsr;

    __asm volatile("mrs %0, ipsr" : "=r"(ipsr));
    return ipsr;
}

/* Zero N words at P with word stores (the C library's memset of this
 * image goes byte by byte: 4 instructions a byte). The attribute keeps
 * the compiler from turning the loop back into a memset call. */
__attribute__((optimize("no-tree-loop-distribute-patterns")))
static inline void cpu_zero_words(uint32_t *p, uint32_t n)
{
    while (n--) {
        *p++ = 0;
    }
}

#endif /* CARDOS_ARCH_CPU_H */
