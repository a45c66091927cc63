/*
 * CMSDK APB timer as the OS clock. Register map: Cortex-M System Design
 * Kit TRM (ARM DDI 0479C, 4.4 "APB timer"), as modelled by QEMU's
 * hw/timer/cmsdk-apb-timer.c.
 *
 * The counter decrements at pclk from RELOAD to 0, then interrupts and
 * reloads: one period is RELOAD + 1 clock cycles. With RELOAD =
 * 0xFFFFFFFF a period is 2^32 cycles, so the cycles since start are
 * wraps * 2^32 + (0xFFFFFFFF - VALUE). The wrap interrupt keeps that
 * total as whole ms plus a remainder, so no 64-bit division is needed:
 * timer_now_ms() is one 32-bit UDIV and stays inside its own symbol
 * (the insn_window plugin excludes it by address range, see
 * tests/bench/bench_crypto.py).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "drivers/timer.h"

#include "arch/cpu.h"
#include "arch/nvic.h"
#include "arch/startup.h"
#include "arch/mmio.h"
#include "arch/regfields.h"
#include "netcard_memmap.h"

REG32(TIMER_CTRL, 0x00)
    FIELD(TIMER_CTRL, EN, 0, 1)
    FIELD(TIMER_CTRL, IRQEN, 3, 1)
REG32(TIMER_VALUE, 0x04)
REG32(TIMER_RELOAD, 0x08)
REG32(TIMER_INTSTATUS, 0x0c)
    FIELD(TIMER_INTSTATUS, IRQ, 0, 1)    /* write 1 to clear */

#define TIMER_CYCLES_PER_MS (NETCARD_SYSCLK_HZ / 1000u)
#define TIMER_FREE_RUNNING 0xFFFFFFFFu
/* One wrap, 2^32 cycles: this many whole ms and this many cycles more. */
#define WRAP_MS  ((uint32_t)((1ull << 32) / TIMER_CYCLES_PER_MS))
#define WRAP_REM ((uint32_t)((1ull << 32) % TIMER_CYCLES_PER_MS))
/* The wrap has the lowest urgency: device interrupts preempt it. */
#define TIMER_IRQ_PRIORITY 7u

/* Time at the last wrap: whole ms, and cycles beyond them (< 1 ms). */
static volatile uint32_t wrap_ms;
static volatile uint32_t wrap_rem;

static uint32_t timer_read(uint32_t offset)
{
    return mmio_read32(NETCARD_TIMER_BASE + offset);
}

static void timer_write(uint32_t offset, uint32_t value)
{
    mmio_write32(NETCARD_TIMER_BASE + offset, value);
}

void timer_init(void)
{
    timer_write(A_TIMER_CTRL, 0);
    timer_write(A_TIMER_INTSTATUS, R_TIMER_INTSTATUS_IRQ_MASK);
    timer_write(A_TIMER_RELOAD, TIMER_FREE_RUNNING);
    timer_write(A_TIMER_VALUE, TIMER_FREE_RUNNING);
    wrap_ms = 0;
    wrap_rem = 0;

    nvic_set_priority(NETCARD_IRQ_TIMER, TIMER_IRQ_PRIORITY);
    nvic_clear_pending_irq(NETCARD_IRQ_TIMER);
    nvic_enable_irq(NETCARD_IRQ_TIMER);

    timer_write(A_TIMER_CTRL, R_TIMER_CTRL_EN_MASK | R_TIMER_CTRL_IRQEN_MASK);
}

/* Add one wrap (2^32 cycles) to *ms, *rem. */
static inline __attribute__((always_inline)) void add_wrap(uint32_t *ms,
                                                           uint32_t *rem)
{
    *ms += WRAP_MS;
    *rem += WRAP_REM;
    if (*rem >= TIMER_CYCLES_PER_MS) {
        *rem -= TIMER_CYCLES_PER_MS;
        *ms += 1u;
    }
}

void timer_irq_handler(void)
{
    uint32_t ms = wrap_ms, rem = wrap_rem;

    timer_write(A_TIMER_INTSTATUS, R_TIMER_INTSTATUS_IRQ_MASK);
    add_wrap(&ms, &rem);
    wrap_ms = ms;
    wrap_rem = rem;
    /* The level interrupt must drop before return, or it is taken again. */
    cpu_dsb();
}

/*
 * The clock now: returns whole ms, *frac = cycles into the current ms.
 * Masked, so the wrap handler cannot run between reading its result and
 * the counter; a wrap whose interrupt is pending (INTSTATUS set, which
 * QEMU and the TRM set together with the reload) is added here.
 */
static inline __attribute__((always_inline)) uint32_t clock_read(uint32_t *frac)
{
    uint32_t state = cpu_irq_save();
    uint32_t ms = wrap_ms, rem = wrap_rem;
    uint32_t cycles = TIMER_FREE_RUNNING - timer_read(A_TIMER_VALUE);

    if (timer_read(A_TIMER_INTSTATUS) & R_TIMER_INTSTATUS_IRQ_MASK) {
        cycles = TIMER_FREE_RUNNING - timer_read(A_TIMER_VALUE);
        add_wrap(&ms, &rem);
    }
    cpu_irq_restore(state);

    ms += cycles / TIMER_CYCLES_PER_MS;
    rem += cycles % TIMER_CYCLES_PER_MS;
    if (rem >= TIMER_CYCLES_PER_MS) {
        rem -= TIMER_CYCLES_PER_MS;
        ms += 1u;
    }
    *frac = rem;
    return ms;
}

uint32_t timer_cycles(void)
{
    /* the counter runs down through all 2^32 values: its complement
     * counts up, wrapping at 2^32 exactly when the counter reloads */
    return TIMER_FREE_RUNNING - timer_read(A_TIMER_VALUE);
}

uint32_t timer_now_ms(void)
{
    uint32_t frac;

    return clock_read(&frac);
}

uint32_t timer_cycles_until(uint32_t at_ms)
{
    uint32_t frac;
    uint32_t left = at_ms - clock_read(&frac);

    if ((int32_t)left <= 0) {
        return 0;
    }
    if (left > UINT32_MAX / TIMER_CYCLES_PER_MS) {
        return UINT32_MAX;
    }
    return left * TIMER_CYCLES_PER_MS - frac;
}

void timer_busy_wait_us(uint32_t us)
{
    uint32_t want = us * (NETCARD_SYSCLK_HZ / 1000000u);
    uint32_t last = timer_read(A_TIMER_VALUE);
    uint32_t elapsed = 0;

    /* A down-counter over all 2^32 values: modular differences add up. */
    while (elapsed < want) {
        uint32_t now = timer_read(A_TIMER_VALUE);

        elapsed += last - now;
        last = now;
    }
}
