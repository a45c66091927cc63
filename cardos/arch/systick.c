/*
 * SysTick one-shot. See arch/systick.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdbool.h>

#include "arch/scs.h"
#include "arch/startup.h"
#include "arch/systick.h"

/* Lowest urgency, as the timer's wrap interrupt (top 3 bits, nvic.h). */
#define SYSTICK_PRIORITY 7u

/* Started and not yet expired; cleared by the exception handler. */
static volatile bool running;
static volatile uint32_t epoch;
static void (*volatile expiry_hook)(void);

void systick_set_expiry_hook(void (*hook)(void))
{
    expiry_hook = hook;
}

void systick_init(void)
{
    uint32_t shpr3 = scs_read(A_SCB_SHPR3);

    scs_write(A_SYST_CSR, 0);
    shpr3 = (shpr3 & 0x00FFFFFFu) | (SYSTICK_PRIORITY << (24 + 5));
    scs_write(A_SCB_SHPR3, shpr3);
    scs_write(A_SCB_ICSR, R_SCB_ICSR_PENDSTCLR_MASK);
    running = false;
}

void systick_start(uint32_t sysclk_cycles)
{
    uint32_t ticks;

    if (sysclk_cycles >= SYSTICK_MAX_CYCLES) {
        ticks = 1u << 24;
    } else {
        ticks = (sysclk_cycles + SYSTICK_REFCLK_DIV - 1u) / SYSTICK_REFCLK_DIV;
        if (ticks < 2u) {
            ticks = 2u;         /* RVR = 0 would stop the counter */
        }
    }
    /*
     * A write to CVR clears it; the counter then loads RVR on the next
     * clock edge and counts down to 0, where it pends the exception:
     * RVR + 1 reference clock ticks after the start. An expiry of the
     * previous start still pending (masked) is dropped first, so the
     * handler that runs next belongs to this start.
     */
    scs_write(A_SYST_CSR, 0);
    scs_write(A_SCB_ICSR, R_SCB_ICSR_PENDSTCLR_MASK);
    scs_write(A_SYST_RVR, ticks - 1u);
    scs_write(A_SYST_CVR, 0);
    scs_write(A_SYST_CSR, R_SYST_CSR_ENABLE_MASK | R_SYST_CSR_TICKINT_MASK);
    running = true;
    epoch++;
}

uint32_t systick_epoch(void)
{
    return epoch;
}

bool systick_running(void)
{
    return running;
}

uint32_t systick_cycles_left(void)
{
    uint32_t cvr;

    if (!(scs_read(A_SYST_CSR) & R_SYST_CSR_ENABLE_MASK)) {
        return UINT32_MAX;
    }
    /* CVR reads 0 from the start until the first reference tick loads
     * RVR into it: the whole period is still to come */
    cvr = scs_read(A_SYST_CVR) & 0xFFFFFFu;
    if (cvr == 0) {
        cvr = (scs_read(A_SYST_RVR) & 0xFFFFFFu) + 1u;
    }
    return cvr * SYSTICK_REFCLK_DIV;
}

void systick_stop(void)
{
    if (!running) {
        return;
    }
    scs_write(A_SYST_CSR, 0);
    scs_write(A_SCB_ICSR, R_SCB_ICSR_PENDSTCLR_MASK);
    running = false;
    epoch++;
}

/*
 * Expired: stop here, or SysTick reloads and fires again every period.
 * Waking the core was the rest of the job.
 */
void systick_handler(void)
{
    void (*hook)(void) = expiry_hook;

    scs_write(A_SYST_CSR, 0);
    running = false;
    epoch++;
    if (hook) {
        hook();
    }
}
