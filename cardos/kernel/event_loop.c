/*
 * Event loop: event queue and software timers. See kernel/event_loop.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stddef.h>

#include "kernel/event_loop.h"
#include "kernel/log.h"

struct event {
    event_handler handler;
    void *arg;
};

static const struct event_loop_port *loop_port;

/* Single-producer-per-context ring, guarded by the port's irq_save. */
static struct event event_queue[EVENT_QUEUE_LEN];
static unsigned event_head;      /* next to run */
static unsigned event_count;
static uint32_t event_overflows;

/* Active timers sorted by expiry, earliest first. */
static struct soft_timer *timer_list;

/* Pass hooks, in registration order. */
static struct event_loop_hook *hook_list;

/* The clock at the start of the current pass, while one runs. */
static uint32_t pass_now;
static bool in_pass;

/* Wrap-safe "a is before b" for ms timestamps less than 2^31 apart. */
static bool time_before(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}

void event_loop_init(const struct event_loop_port *port)
{
    loop_port = port;
    event_head = 0;
    event_count = 0;
    event_overflows = 0;
    timer_list = NULL;
    hook_list = NULL;
    in_pass = false;
}

uint32_t event_loop_now(void)
{
    return in_pass ? pass_now : loop_port->now_ms();
}

void event_loop_add_pass_hook(struct event_loop_hook *hook, event_handler fn,
                              void *arg)
{
    struct event_loop_hook **link = &hook_list;

    while (*link != NULL) {
        link = &(*link)->next;
    }
    hook->next = NULL;
    hook->fn = fn;
    hook->arg = arg;
    *link = hook;
}

bool event_post(event_handler handler, void *arg)
{
    uint32_t state = loop_port->irq_save();
    bool queued = false;

    if (event_count < EVENT_QUEUE_LEN) {
        struct event *e = &event_queue[(event_head + event_count) % EVENT_QUEUE_LEN];

        e->handler = handler;
        e->arg = arg;
        event_count++;
        queued = true;
    } else {
        event_overflows++;
    }
    loop_port->irq_restore(state);
    return queued;
}

uint32_t event_queue_overflows(void)
{
    return event_overflows;
}

static bool event_take(struct event *out)
{
    uint32_t state = loop_port->irq_save();
    bool taken = false;

    if (event_count > 0) {
        *out = event_queue[event_head];
        event_head = (event_head + 1) % EVENT_QUEUE_LEN;
        event_count--;
        taken = true;
    }
    loop_port->irq_restore(state);
    return taken;
}

static void timer_unlink(struct soft_timer *timer)
{
    for (struct soft_timer **link = &timer_list; *link != NULL;
         link = &(*link)->next) {
        if (*link == timer) {
            *link = timer->next;
            break;
        }
    }
    timer->next = NULL;
    timer->active = false;
}

/* Insert after every timer due at or before it: equal expiries stay FIFO. */
static void timer_insert(struct soft_timer *timer)
{
    struct soft_timer **link = &timer_list;

    while (*link != NULL && !time_before(timer->expires, (*link)->expires)) {
        link = &(*link)->next;
    }
    timer->next = *link;
    *link = timer;
    timer->active = true;
}

void soft_timer_start(struct soft_timer *timer, uint32_t delay_ms,
                      uint32_t period_ms, event_handler handler, void *arg)
{
    if (timer->active) {
        timer_unlink(timer);
    }
    if (delay_ms == 0) {
        delay_ms = 1;   /* keeps a self-restarting timer out of a busy loop */
    }
    timer->expires = loop_port->now_ms() + delay_ms;
    timer->period_ms = period_ms;
    timer->handler = handler;
    timer->arg = arg;
    timer_insert(timer);
}

void soft_timer_stop(struct soft_timer *timer)
{
    if (timer->active) {
        timer_unlink(timer);
    }
}

bool soft_timer_active(const struct soft_timer *timer)
{
    return timer->active;
}

/*
 * Run timers due at @now. Timers (re)started by a handler expire after
 * @now, so each pass is bounded.
 */
static unsigned run_due_timers(uint32_t now)
{
    unsigned ran = 0;

    while (timer_list != NULL && !time_before(now, timer_list->expires)) {
        struct soft_timer *timer = timer_list;

        timer_list = timer->next;
        timer->next = NULL;
        timer->active = false;
        if (timer->period_ms != 0) {
            /* Keep the phase; if periods were missed, skip them. */
            timer->expires += timer->period_ms;
            if (!time_before(now, timer->expires)) {
                timer->expires = now + timer->period_ms;
            }
            timer_insert(timer);
        }
        timer->handler(timer->arg);
        ran++;
    }
    return ran;
}

unsigned event_loop_run_once(void)
{
    unsigned ran;
    unsigned queued;
    struct event e;

    if (loop_port->kick_watchdog) {
        loop_port->kick_watchdog();
    }
    pass_now = loop_port->now_ms();
    in_pass = true;
    ran = run_due_timers(pass_now);

    /* Only what was queued before this pass: a self-posting event cannot
     * starve timers or the watchdog kick. */
    {
        uint32_t state = loop_port->irq_save();
        queued = event_count;
        loop_port->irq_restore(state);
    }
    while (queued-- > 0 && event_take(&e)) {
        e.handler(e.arg);
        ran++;
    }

    for (struct event_loop_hook *h = hook_list; h != NULL; h = h->next) {
        h->fn(h->arg);
    }

    log_flush();
    in_pass = false;
    return ran;
}

bool event_loop_idle(void)
{
    uint32_t state = loop_port->irq_save();
    uint32_t timeout = EVENT_LOOP_NO_TIMEOUT;
    uint32_t now = 0;
    bool idle = event_count == 0;

    if (idle) {
        now = loop_port->now_ms();
        if (timer_list != NULL) {
            uint32_t left = timer_list->expires - now;

            if ((int32_t)left > 0) {
                timeout = left;
            } else {
                idle = false;       /* due: run it first */
            }
        }
    }
    if (idle) {
        loop_port->idle(now, timeout);
    }
    loop_port->irq_restore(state);
    return idle;
}

noreturn void event_loop_run(void)
{
    for (;;) {
        event_loop_run_once();
        (void)event_loop_idle();
    }
}
