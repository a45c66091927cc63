/*
 * CMSDK APB timer as the OS tick. Register map: Cortex-M System Design Kit
 * TRM (ARM DDI 0479C, 4.4 "APB timer"), as modelled by QEMU's
 * hw/timer/cmsdk-apb-timer.c.
 *
 * The counter decrements at pclk from RELOAD to 0, then interrupts and
 * reloads: one period is RELOAD + 1 clock cycles.
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

#define TIMER_RELOAD_VALUE (NETCARD_SYSCLK_HZ / TIMER_TICK_HZ - 1u)
/* The tick has the lowest urgency: device interrupts preempt it. */
#define TIMER_IRQ_PRIORITY 7u

volatile uint32_t cardos_ticks_ms;

static void timer_write(uint32_t offset, uint32_t value)
{
    mmio_write32(NETCARD_TIMER_BASE + offset, value);
}

void timer_init(void)
{
    timer_write(A_TIMER_CTRL, 0);
    timer_write(A_TIMER_INTSTATUS, R_TIMER_INTSTATUS_IRQ_MASK);
    timer_write(A_TIMER_RELOAD, TIMER_RELOAD_VALUE);
    timer_write(A_TIMER_VALUE, TIMER_RELOAD_VALUE);
    cardos_ticks_ms = 0;

    nvic_set_priority(NETCARD_IRQ_TIMER, TIMER_IRQ_PRIORITY);
    nvic_clear_pending_irq(NETCARD_IRQ_TIMER);
    nvic_enable_irq(NETCARD_IRQ_TIMER);

    timer_write(A_TIMER_CTRL, R_TIMER_CTRL_EN_MASK | R_TIMER_CTRL_IRQEN_MASK);
}

void timer_irq_handler(void)
{
    timer_write(A_TIMER_INTSTATUS, R_TIMER_INTSTATUS_IRQ_MASK);
    cardos_ticks_ms = cardos_ticks_ms + 1;
    /* The level interrupt must drop before return, or it is taken again. */
    cpu_dsb();
}

uint32_t timer_now_ms(void)
{
    return cardos_ticks_ms;
}

void timer_delay_ms(uint32_t ms)
{
    uint32_t start = cardos_ticks_ms;

    /* +1: the first tick may come at any time within the first ms. */
    while (cardos_ticks_ms - start < ms + 1u) {
        cpu_wfi();
    }
}

void timer_busy_wait_us(uint32_t us)
{
    const uint32_t period = TIMER_RELOAD_VALUE + 1u;
    uint32_t want = us * (NETCARD_SYSCLK_HZ / 1000000u);
    uint32_t last = mmio_read32(NETCARD_TIMER_BASE + A_TIMER_VALUE);
    uint32_t elapsed = 0;

    /* VALUE counts down from RELOAD to 0 and reloads: add up the steps. */
    while (elapsed < want) {
        uint32_t now = mmio_read32(NETCARD_TIMER_BASE + A_TIMER_VALUE);

        elapsed += now <= last ? last - now : last + period - now;
        last = now;
    }
}
