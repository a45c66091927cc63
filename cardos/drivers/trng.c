/*
 * TRNG driver. Register map: peripherals/netcard_trng.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "drivers/trng.h"

#include "arch/cpu.h"
#include "arch/nvic.h"
#include "drivers/timer.h"
#include "drivers/wake.h"
#include "arch/mmio.h"
#include "netcard_trng.h"
#include "netcard_memmap.h"

static uint32_t words_read;

static uint32_t rd(uint32_t reg)
{
    return mmio_read32(NETCARD_TRNG_BASE + reg);
}

static void wr(uint32_t reg, uint32_t value)
{
    mmio_write32(NETCARD_TRNG_BASE + reg, value);
}

/* Level interrupt (LEVEL >= THRESH while IE): drop IE, the waiter wakes. */
void trng_irq_handler(void)
{
    wr(A_TRNG_CTRL, R_TRNG_CTRL_EN_MASK);
}

bool trng_init(void)
{
    if (rd(A_TRNG_ID) != NETCARD_TRNG_ID) {
        return false;
    }
    /* EN; the interrupt only while a reader waits (threshold 1 word). */
    wr(A_TRNG_CTRL, R_TRNG_CTRL_EN_MASK);
    nvic_clear_pending_irq(NETCARD_IRQ_TRNG);
    nvic_enable_irq(NETCARD_IRQ_TRNG);
    return true;
}

static bool ready(void)
{
    return (rd(A_TRNG_STATUS) & R_TRNG_STATUS_READY_MASK) != 0;
}

bool trng_read_word(uint32_t *w)
{
    uint32_t start = timer_now_ms();

    /*
     * Sleep rather than spin on STATUS: a tight register loop can starve
     * the emulator's device timers (and wastes power on silicon).
     */
    while (!ready()) {
        uint32_t primask, elapsed = timer_now_ms() - start;

        if (elapsed > TRNG_WAIT_MS) {
            return false;
        }
        primask = cpu_irq_save();
        wr(A_TRNG_CTRL, R_TRNG_CTRL_EN_MASK | R_TRNG_CTRL_IE_MASK |
                        (1u << R_TRNG_CTRL_THRESH_SHIFT));
        if (!ready()) {
            /* a dead source raises nothing: SysTick ends the wait */
            drv_wake_within_ms(TRNG_WAIT_MS + 1u - elapsed);
            cpu_wfi();
        }
        wr(A_TRNG_CTRL, R_TRNG_CTRL_EN_MASK);
        nvic_clear_pending_irq(NETCARD_IRQ_TRNG);
        cpu_irq_restore(primask);
    }
    *w = rd(A_TRNG_DATA);
    words_read++;
    return true;
}

uint32_t trng_words_read(void)
{
    return words_read;
}
