/*
 * Unit tests: the event loop (event queue, software timers, watchdog kick,
 * log flush) driven through a fake port with a hand-advanced clock.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "kernel/event_loop.h"
#include "kernel/log.h"

static uint32_t fake_now;
static int irq_depth;
static unsigned kicks;
static unsigned idles;
static uint32_t idle_timeout;
static uint32_t idle_now;

/* Handler calls, recorded as their int argument. */
static intptr_t calls[256];
static unsigned ncalls;

static uint32_t fake_now_ms(void) { return fake_now; }

static uint32_t fake_irq_save(void)
{
    return (uint32_t)irq_depth++;
}

static void fake_irq_restore(uint32_t state)
{
    irq_depth--;
    cr_expect_eq((uint32_t)irq_depth, state, "restores nest");
}

static void fake_idle(uint32_t now_ms, uint32_t timeout_ms)
{
    cr_expect_gt(irq_depth, 0, "idle is entered with interrupts masked");
    idles++;
    idle_now = now_ms;
    idle_timeout = timeout_ms;
}

static void fake_kick(void) { kicks++; }

static const struct event_loop_port fake_port = {
    .now_ms = fake_now_ms,
    .irq_save = fake_irq_save,
    .irq_restore = fake_irq_restore,
    .idle = fake_idle,
    .kick_watchdog = fake_kick,
};

static void record(void *arg)
{
    cr_assert_lt(ncalls, 256);
    calls[ncalls++] = (intptr_t)arg;
}

static void loop_setup(void)
{
    fake_now = 1000;
    irq_depth = 0;
    kicks = idles = ncalls = 0;
    idle_timeout = 0;
    log_reset();
    event_loop_init(&fake_port);
}

TestSuite(unit_event_loop, .init = loop_setup);

Test(unit_event_loop, events_run_in_fifo_order)
{
    for (intptr_t i = 1; i <= 5; i++) {
        cr_assert(event_post(record, (void *)i));
    }
    cr_expect_eq(ncalls, 0, "nothing runs at post time");
    cr_expect_eq(event_loop_run_once(), 5);
    cr_assert_eq(ncalls, 5);
    for (unsigned i = 0; i < 5; i++) {
        cr_expect_eq(calls[i], (intptr_t)i + 1);
    }
    cr_expect_eq(event_loop_run_once(), 0);
    cr_expect_eq(irq_depth, 0);
}

Test(unit_event_loop, queue_full_is_refused_and_counted)
{
    for (intptr_t i = 0; i < EVENT_QUEUE_LEN; i++) {
        cr_assert(event_post(record, (void *)i));
    }
    cr_expect_not(event_post(record, (void *)99));
    cr_expect_not(event_post(record, (void *)98));
    cr_expect_eq(event_queue_overflows(), 2);
    cr_expect_eq(event_loop_run_once(), EVENT_QUEUE_LEN);
    cr_expect_eq(calls[EVENT_QUEUE_LEN - 1], EVENT_QUEUE_LEN - 1);
    cr_expect(event_post(record, (void *)1), "room again after the pass");
}

static void repost(void *arg)
{
    record(arg);
    event_post(repost, (void *)((intptr_t)arg + 1));
}

Test(unit_event_loop, events_posted_by_handlers_wait_for_next_pass)
{
    event_post(repost, (void *)0);
    cr_expect_eq(event_loop_run_once(), 1);
    cr_expect_eq(event_loop_run_once(), 1);
    cr_expect_eq(event_loop_run_once(), 1);
    cr_expect_eq(ncalls, 3);
    cr_expect_eq(kicks, 3, "the watchdog is kicked on every pass");
}

Test(unit_event_loop, one_shot_timer)
{
    struct soft_timer t;

    memset(&t, 0, sizeof(t));
    soft_timer_start(&t, 10, 0, record, (void *)7);
    cr_expect(soft_timer_active(&t));
    fake_now += 9;
    event_loop_run_once();
    cr_expect_eq(ncalls, 0, "not before its time");
    fake_now += 1;
    event_loop_run_once();
    cr_assert_eq(ncalls, 1);
    cr_expect_eq(calls[0], 7);
    cr_expect_not(soft_timer_active(&t));
    fake_now += 100;
    event_loop_run_once();
    cr_expect_eq(ncalls, 1, "one-shot");
}

Test(unit_event_loop, periodic_timer_keeps_phase_and_skips_missed)
{
    struct soft_timer t;

    memset(&t, 0, sizeof(t));
    soft_timer_start(&t, 5, 5, record, (void *)1);
    for (int ms = 0; ms < 20; ms++) {
        fake_now++;
        event_loop_run_once();
    }
    cr_expect_eq(ncalls, 4, "at +5, +10, +15, +20");
    /* Late by 12 ms: runs once, then continues on the 5 ms grid. */
    fake_now += 12;
    event_loop_run_once();
    cr_expect_eq(ncalls, 5);
    fake_now += 2;
    event_loop_run_once();
    cr_expect_eq(ncalls, 5);
    fake_now += 3;
    event_loop_run_once();
    cr_expect_eq(ncalls, 6);
    soft_timer_stop(&t);
    fake_now += 50;
    event_loop_run_once();
    cr_expect_eq(ncalls, 6);
    cr_expect_not(soft_timer_active(&t));
}

Test(unit_event_loop, timers_fire_in_expiry_order)
{
    struct soft_timer t[4];

    memset(t, 0, sizeof(t));
    soft_timer_start(&t[0], 30, 0, record, (void *)30);
    soft_timer_start(&t[1], 10, 0, record, (void *)10);
    soft_timer_start(&t[2], 20, 0, record, (void *)20);
    soft_timer_start(&t[3], 10, 0, record, (void *)11);   /* same time: FIFO */
    fake_now += 30;
    cr_expect_eq(event_loop_run_once(), 4);
    cr_assert_eq(ncalls, 4);
    cr_expect_eq(calls[0], 10);
    cr_expect_eq(calls[1], 11);
    cr_expect_eq(calls[2], 20);
    cr_expect_eq(calls[3], 30);
}

Test(unit_event_loop, restart_and_stop)
{
    struct soft_timer a, b;

    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    soft_timer_start(&a, 10, 0, record, (void *)1);
    soft_timer_start(&b, 20, 0, record, (void *)2);
    soft_timer_start(&a, 30, 0, record, (void *)3);   /* restart moves it */
    fake_now += 25;
    event_loop_run_once();
    cr_assert_eq(ncalls, 1);
    cr_expect_eq(calls[0], 2);
    soft_timer_stop(&a);
    soft_timer_stop(&a);                               /* idempotent */
    fake_now += 25;
    event_loop_run_once();
    cr_expect_eq(ncalls, 1);
}

Test(unit_event_loop, zero_delay_runs_next_ms)
{
    struct soft_timer t;

    memset(&t, 0, sizeof(t));
    soft_timer_start(&t, 0, 0, record, (void *)1);
    event_loop_run_once();
    cr_expect_eq(ncalls, 0);
    fake_now++;
    event_loop_run_once();
    cr_expect_eq(ncalls, 1);
}

static struct soft_timer self_timer;

static void self_restart(void *arg)
{
    record(arg);
    soft_timer_start(&self_timer, 0, 0, self_restart, arg);
}

Test(unit_event_loop, self_restarting_timer_is_bounded)
{
    memset(&self_timer, 0, sizeof(self_timer));
    soft_timer_start(&self_timer, 1, 0, self_restart, (void *)5);
    fake_now++;
    cr_expect_eq(event_loop_run_once(), 1, "one run per pass, no busy loop");
    fake_now++;
    cr_expect_eq(event_loop_run_once(), 1);
}

static struct soft_timer stopper_target;

static void stop_target(void *arg)
{
    record(arg);
    soft_timer_stop(&stopper_target);
}

Test(unit_event_loop, handler_may_stop_other_due_timer)
{
    struct soft_timer first;

    memset(&first, 0, sizeof(first));
    memset(&stopper_target, 0, sizeof(stopper_target));
    soft_timer_start(&first, 5, 0, stop_target, (void *)1);
    soft_timer_start(&stopper_target, 5, 0, record, (void *)2);
    fake_now += 5;
    event_loop_run_once();
    cr_expect_eq(ncalls, 1, "the stopped timer did not run");
}

Test(unit_event_loop, time_wraps)
{
    struct soft_timer t;

    memset(&t, 0, sizeof(t));
    fake_now = UINT32_MAX - 5;
    soft_timer_start(&t, 10, 10, record, (void *)1);
    fake_now = UINT32_MAX;
    event_loop_run_once();
    cr_expect_eq(ncalls, 0, "not due before the wrap");
    fake_now = 4;       /* UINT32_MAX - 5 + 10 */
    event_loop_run_once();
    cr_expect_eq(ncalls, 1, "due after the wrap");
    fake_now = 14;
    event_loop_run_once();
    cr_expect_eq(ncalls, 2);
}

static char flushed[LOG_LINE_MAX];

static void flush_sink(const char *line, size_t len)
{
    (void)len;
    memcpy(flushed, line, len + 1);
}

static void log_something(void *arg)
{
    (void)arg;
    log_printf(LOG_LEVEL_INFO, "ev", "handled");
}

Test(unit_event_loop, pass_flushes_the_log)
{
    log_set_sink(flush_sink);
    event_post(log_something, NULL);
    event_loop_run_once();
    cr_expect_eq(log_pending(), 0);
    cr_expect_str_eq(flushed, "I ev: handled");
}

Test(unit_event_loop, idle_sleeps_until_the_earliest_timer)
{
    struct soft_timer a, b;

    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    soft_timer_start(&a, 30, 0, record, (void *)1);
    soft_timer_start(&b, 10, 0, record, (void *)2);
    cr_expect(event_loop_idle());
    cr_expect_eq(idles, 1);
    cr_expect_eq(idle_timeout, 10, "the earliest timer, not the first started");
    cr_expect_eq(idle_now, 1000, "the loop's reading of the clock");
    fake_now += 4;
    cr_expect(event_loop_idle());
    cr_expect_eq(idle_timeout, 6, "counted from now");
    cr_expect_eq(idle_now + idle_timeout, 1010, "the timer's expiry");
    cr_expect_eq(irq_depth, 0);
}

Test(unit_event_loop, idle_without_timers_waits_for_an_interrupt)
{
    cr_expect(event_loop_idle());
    cr_expect_eq(idles, 1);
    cr_expect_eq(idle_timeout, EVENT_LOOP_NO_TIMEOUT);
    cr_expect_eq(idle_now, 1000);
}

Test(unit_event_loop, idle_does_not_sleep_with_work_to_do)
{
    struct soft_timer t;

    memset(&t, 0, sizeof(t));
    cr_assert(event_post(record, (void *)1));
    cr_expect_not(event_loop_idle(), "an event is queued");
    event_loop_run_once();
    soft_timer_start(&t, 10, 0, record, (void *)2);
    fake_now += 10;
    cr_expect_not(event_loop_idle(), "a timer is due");
    cr_expect_eq(idles, 0);
    cr_expect_eq(irq_depth, 0);
}

Test(unit_event_loop, idle_across_the_time_wrap)
{
    struct soft_timer t;

    memset(&t, 0, sizeof(t));
    fake_now = UINT32_MAX - 2;
    soft_timer_start(&t, 10, 0, record, (void *)1);
    cr_expect(event_loop_idle());
    cr_expect_eq(idle_timeout, 10);
    fake_now = 3;       /* UINT32_MAX - 2 + 6 */
    cr_expect(event_loop_idle());
    cr_expect_eq(idle_timeout, 4);
}

static struct soft_timer hook_timer;
static unsigned hook_runs;

/* A pass hook that keeps a timer on a deadline of its own, as net.c does
 * for lwIP's timeouts. */
static void hook_rearm(void *arg)
{
    hook_runs++;
    record(arg);
    if (!soft_timer_active(&hook_timer)) {
        soft_timer_start(&hook_timer, 25, 0, record, (void *)9);
    }
}

Test(unit_event_loop, pass_hooks_run_after_events_every_pass)
{
    struct event_loop_hook h1, h2;

    hook_runs = 0;
    memset(&hook_timer, 0, sizeof(hook_timer));
    event_loop_add_pass_hook(&h1, hook_rearm, (void *)100);
    event_loop_add_pass_hook(&h2, record, (void *)200);
    cr_assert(event_post(record, (void *)1));
    cr_expect_eq(event_loop_run_once(), 1, "hooks are not counted");
    cr_assert_eq(ncalls, 3);
    cr_expect_eq(calls[0], 1, "events first");
    cr_expect_eq(calls[1], 100, "then the hooks, in registration order");
    cr_expect_eq(calls[2], 200);
    cr_expect(event_loop_idle());
    cr_expect_eq(idle_timeout, 25, "the timer the hook armed");
    event_loop_run_once();
    cr_expect_eq(hook_runs, 2, "on every pass, even an empty one");
}

Test(unit_event_loop, init_forgets_pass_hooks)
{
    struct event_loop_hook h;

    event_loop_add_pass_hook(&h, record, (void *)5);
    event_loop_init(&fake_port);
    event_loop_run_once();
    cr_expect_eq(ncalls, 0);
}

static uint32_t seen_now[2];

/* A handler that takes 7 ms and looks at the pass time before and after. */
static void slow_handler(void *arg)
{
    (void)arg;
    seen_now[0] = event_loop_now();
    fake_now += 7;
    seen_now[1] = event_loop_now();
}

Test(unit_event_loop, pass_time_is_read_once_per_pass)
{
    fake_now = 500;
    cr_expect_eq(event_loop_now(), 500, "outside a pass: the clock");
    fake_now = 600;
    cr_expect_eq(event_loop_now(), 600);
    cr_assert(event_post(slow_handler, NULL));
    event_loop_run_once();
    cr_expect_eq(seen_now[0], 600, "the time the pass began");
    cr_expect_eq(seen_now[1], 600, "unchanged while the pass runs");
    cr_expect_eq(event_loop_now(), 607, "after the pass: the clock again");
}
