/*
 * OS tick (ARM CMSDK APB timer at NETCARD_TIMER_BASE, IRQ NETCARD_IRQ_TIMER):
 * interrupts at TIMER_TICK_HZ and counts milliseconds since boot.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_DRIVERS_TIMER_H
#define CARDOS_DRIVERS_TIMER_H

#include <stdint.h>

#define TIMER_TICK_HZ 1000u

/*
 * Milliseconds since the tick started; wraps after ~49.7 days. Written
 * only by the tick interrupt; a single aligned word, so reads are atomic.
 * Global (not static) so the debugger can read it by name.
 */
extern volatile uint32_t cardos_ticks_ms;

/* Start the 1 kHz tick and enable its interrupt. */
void timer_init(void);

uint32_t timer_now_ms(void);

/* Busy-wait at least @ms milliseconds (needs interrupts enabled). */
void timer_delay_ms(uint32_t ms);

/*
 * Busy-wait at least @us microseconds (1..999) by reading the counter;
 * works with interrupts masked and inside interrupt handlers.
 */
void timer_busy_wait_us(uint32_t us);

#endif /* CARDOS_DRIVERS_TIMER_H */
