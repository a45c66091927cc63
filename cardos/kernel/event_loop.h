/*
 * Event loop: the card OS's only thread of control.
 *
 * Work is done by run-to-completion handlers, void handler(void *arg):
 *  - events, queued with event_post() from interrupt handlers or from
 *    other handlers, run in FIFO order;
 *  - software timers (struct soft_timer, storage owned by the caller, no
 *    heap), one-shot or periodic, in milliseconds of the OS tick.
 * A handler never blocks; long work is split into several events.
 *
 * Each pass of the loop: kick the watchdog, run the timers that are due,
 * run the events that were queued when the pass began, run the pass hooks,
 * flush the log. When nothing is left to do, the loop sleeps (WFI) with
 * interrupts masked around the "anything to do?" check, so an event posted
 * by an interrupt handler at any moment is never left waiting for the next
 * interrupt.
 *
 * Tickless: time is whatever port->now_ms() reads (a free-running
 * counter, no periodic interrupt); when the loop sleeps it tells the port
 * how long until the earliest soft timer is due, and the port arranges a
 * wake-up interrupt by then. With no timer due the card sleeps until a
 * device interrupt.
 *
 * The platform (time, interrupt masking, sleep, watchdog) is reached only
 * through struct event_loop_port, so this module compiles and is tested on
 * the host.
 *
 * Context rules: event_post() may be called from anywhere, including
 * interrupt handlers. soft_timer_*() and event_loop_run_once() only from
 * the loop's context (main or a handler), never from an interrupt.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_KERNEL_EVENT_LOOP_H
#define CARDOS_KERNEL_EVENT_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>

/* Events the queue holds; event_post() fails when it is full. */
#define EVENT_QUEUE_LEN 32

/* idle()'s timeout when no soft timer is active. */
#define EVENT_LOOP_NO_TIMEOUT UINT32_MAX

typedef void (*event_handler)(void *arg);

struct event_loop_port {
    uint32_t (*now_ms)(void);            /* monotonic ms, wraps at 2^32 */
    uint32_t (*irq_save)(void);          /* mask interrupts, return state */
    void (*irq_restore)(uint32_t state);
    /*
     * Sleep until an interrupt is pending, or until now_ms() reaches
     * now_ms + timeout_ms (the earliest soft timer is due then), whichever
     * comes first; EVENT_LOOP_NO_TIMEOUT: no timer is active. now_ms is
     * the loop's own reading of now_ms() for this decision (the port need
     * not read the clock again). Called with interrupts masked; may return
     * early (a spurious wake-up only costs one more pass).
     */
    void (*idle)(uint32_t now_ms, uint32_t timeout_ms);
    void (*kick_watchdog)(void);         /* may be NULL */
};

/* A pass hook (storage owned by the caller, see event_loop_add_pass_hook). */
struct event_loop_hook {
    struct event_loop_hook *next;        /* private */
    event_handler fn;                    /* private */
    void *arg;                           /* private */
};

struct soft_timer {
    struct soft_timer *next;             /* private: active timer list */
    uint32_t expires;                    /* private: due time (ms) */
    uint32_t period_ms;
    event_handler handler;
    void *arg;
    bool active;
};

/* Install the port and forget all queued events and active timers. */
void event_loop_init(const struct event_loop_port *port);

/* Queue handler(arg) to run in the loop. False (and counted) if full. */
bool event_post(event_handler handler, void *arg);

/* Events refused because the queue was full, since event_loop_init(). */
uint32_t event_queue_overflows(void);

/*
 * The clock as the current pass read it when it began (libuv's uv_now()
 * idea): free, where port->now_ms() may cost a device access, for
 * timestamps and timeouts that tolerate the length of a pass (network
 * idle timeouts, lwIP's sys_now()). Outside a pass (start-up code before
 * the loop runs) it reads the clock. port->now_ms() for exact time.
 */
uint32_t event_loop_now(void);

/*
 * (Re)start @timer: handler(arg) runs once delay_ms have passed (at the
 * earliest on the next pass of the loop; a delay of 0 counts as 1 ms), then
 * every period_ms if period_ms != 0. Delays are limited to 2^31 - 1 ms.
 */
void soft_timer_start(struct soft_timer *timer, uint32_t delay_ms,
                      uint32_t period_ms, event_handler handler, void *arg);

/* Stop @timer if active; safe from its own handler. */
void soft_timer_stop(struct soft_timer *timer);

bool soft_timer_active(const struct soft_timer *timer);

/*
 * Run fn(arg) at the end of every pass, after its timers and events, in
 * the loop's context. For a module that keeps a timer list of its own
 * (lwIP's timeouts): whatever the pass added to that list, the hook
 * re-arms the module's soft timer for the list's next deadline before the
 * loop sleeps. A hook must be cheap and must not block. Register at
 * start-up, after event_loop_init(); at most once per @hook.
 */
void event_loop_add_pass_hook(struct event_loop_hook *hook, event_handler fn,
                              void *arg);

/* One pass of the loop (see above). Returns the number of handlers run
 * (pass hooks not counted). */
unsigned event_loop_run_once(void);

/*
 * With interrupts masked: if no event is queued and no timer is due, sleep
 * through port->idle() with the time until the earliest timer, and return
 * true; otherwise return false at once. event_loop_run() calls it after
 * every pass.
 */
bool event_loop_idle(void);

/* Pass after pass, sleeping when idle. Never returns. */
noreturn void event_loop_run(void);

#endif /* CARDOS_KERNEL_EVENT_LOOP_H */
