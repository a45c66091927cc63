/*
 * SysTick as the idle loop's one-shot wake-up (ARMv8-M ARM DDI 0553,
 * B11.1 "The system timer, SysTick"; the Secure instance, which is ours).
 *
 * It counts the reference clock, SYSCLK / 8 = 6 MHz on this SoC
 * (docs/machine.md "CPU and clocks"): its 24 bits reach 2^24 / 6 MHz =
 * 2.796 s, and a longer sleep is cut there (one empty pass of the event
 * loop, then the next sleep). SysTick reloads and fires again after each
 * expiry, so its exception handler stops it: an idle card has no periodic
 * interrupt. A start stays armed across wake-ups by other interrupts: the
 * idle port starts SysTick again only when its deadline moved or it
 * expired (each start re-arms a QEMU timer and wakes QEMU's main loop;
 * in steady traffic the next deadline rarely moves).
 *
 * Context: systick_start(), systick_stop() and systick_running() from the
 * event loop's idle port, with interrupts masked. The crypto and TRNG
 * drivers' bounded sleeps borrow SysTick too (drivers/wake.h), only ever
 * to wake earlier than the idle port asked: the loop wakes early at worst
 * once, never late.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_ARCH_SYSTICK_H
#define CARDOS_ARCH_SYSTICK_H

#include <stdbool.h>
#include <stdint.h>

/* Reference clock = SYSCLK / SYSTICK_REFCLK_DIV (docs/machine.md). */
#define SYSTICK_REFCLK_DIV 8u
/* Longest one-shot: the 24-bit counter's full range, in SYSCLK cycles. */
#define SYSTICK_MAX_CYCLES ((1u << 24) * SYSTICK_REFCLK_DIV)

/* Stopped, lowest exception priority. */
void systick_init(void);

/*
 * Raise the SysTick exception (and so wake a WFI) after at least
 * @sysclk_cycles, at most SYSTICK_MAX_CYCLES: a longer wait is cut there.
 */
void systick_start(uint32_t sysclk_cycles);

/* Started and not expired yet (its handler has not run). */
bool systick_running(void);

/*
 * SYSCLK cycles until SysTick's expiry as the hardware counts it
 * (whoever started it: the idle port, a driver's bounded sleep, the
 * applet budget), UINT32_MAX when it is not counting. Two or three
 * register reads; no write (arch/uproc.c: a write re-arms the emulator's
 * timer).
 */
uint32_t systick_cycles_left(void);

/* Changes at every start, stop and expiry (not at a driver's bounded
 * sleep, drivers/wake.h, which only ever makes the expiry earlier). */
uint32_t systick_epoch(void);

/* Stop the one-shot and drop its exception if it is pending. */
void systick_stop(void);

/* Called from the SysTick exception after it stopped the counter (the
 * process budget of arch/uproc.h); NULL: none. */
void systick_set_expiry_hook(void (*hook)(void));

#endif /* CARDOS_ARCH_SYSTICK_H */
