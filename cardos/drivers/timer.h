/*
 * OS clock (ARM CMSDK APB timer at NETCARD_TIMER_BASE, IRQ NETCARD_IRQ_TIMER):
 * free-running at sysclk, no periodic interrupt.
 *
 * The counter runs down through all 2^32 values (RELOAD = 0xFFFFFFFF) at
 * 48 MHz; its only interrupt is the wrap, every 2^32 cycles (~89.5 s),
 * which carries the time into RAM. Milliseconds since timer_init() are
 * computed from the counter when asked: no tick wakes the core, so an
 * idle card sleeps until its next deadline (docs/cardos.md "Time and
 * idle"). Deadlines are the port's business (arch/systick.h); this module
 * only tells how far away one is (timer_cycles_until()).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_DRIVERS_TIMER_H
#define CARDOS_DRIVERS_TIMER_H

#include <stdint.h>

/* Start the free-running counter and enable its wrap interrupt. */
void timer_init(void);

/*
 * Milliseconds since timer_init(); wraps after ~49.7 days. Safe anywhere,
 * also with interrupts masked and in interrupt handlers (a wrap whose
 * interrupt is still pending is accounted for).
 */
uint32_t timer_now_ms(void);

/*
 * Sysclk cycles from now until timer_now_ms() reaches @at_ms (the start
 * of that millisecond); 0 if it already has, UINT32_MAX when that is
 * further away than 2^32 - 1 cycles. @at_ms at most 2^31 - 1 ms ahead.
 */
uint32_t timer_cycles_until(uint32_t at_ms);

/*
 * Sysclk cycles since timer_init(), modulo 2^32 (wraps every ~89.5 s):
 * one register read, for measuring intervals shorter than that (the
 * applet budget, arch/uproc.h). Safe anywhere.
 */
uint32_t timer_cycles(void);

/*
 * Busy-wait at least @us microseconds (1..999) by reading the counter;
 * works with interrupts masked and inside interrupt handlers.
 */
void timer_busy_wait_us(uint32_t us);

#endif /* CARDOS_DRIVERS_TIMER_H */
