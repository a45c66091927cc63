/*
 * Unit tests: the log ring buffer: line format, order, wrap-around,
 * overflow (drop oldest, count, notice), truncation, sinks and locks.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "kernel/log.h"

#define CAPTURE_MAX 256

/* What the sink received, in order. */
static struct {
    char lines[CAPTURE_MAX][LOG_LINE_MAX];
    size_t lens[CAPTURE_MAX];
    size_t count;
} captured;

static void capture_sink(const char *line, size_t len)
{
    cr_assert_lt(captured.count, CAPTURE_MAX);
    cr_assert_eq(strlen(line), len, "len matches the NUL-terminated line");
    memcpy(captured.lines[captured.count], line, len + 1);
    captured.lens[captured.count] = len;
    captured.count++;
}

static void ring_setup(void)
{
    log_reset();
    memset(&captured, 0, sizeof(captured));
    log_set_sink(capture_sink);
}

TestSuite(unit_log_ring, .init = ring_setup);

Test(unit_log_ring, line_format)
{
    log_printf(LOG_LEVEL_ERROR, "nvm", "erase failed at 0x%08x", 0x10001000u);
    log_printf(LOG_LEVEL_WARN, "iso", "parity error");
    log_printf(LOG_LEVEL_INFO, "boot", "sysclk %u Hz, ram %u KiB", 48000000u, 256u);
    log_printf(LOG_LEVEL_DEBUG, "t1", "I-block %d", 3);
    log_raw("netcard cardos %s (%s) reset=%s", "0.1.0", "v0.1.0-3-gabc", "power-on");

    cr_assert_eq(log_flush(), 5);
    cr_assert_eq(captured.count, 5);
    cr_expect_str_eq(captured.lines[0], "E nvm: erase failed at 0x10001000");
    cr_expect_str_eq(captured.lines[1], "W iso: parity error");
    cr_expect_str_eq(captured.lines[2], "I boot: sysclk 48000000 Hz, ram 256 KiB");
    cr_expect_str_eq(captured.lines[3], "D t1: I-block 3");
    cr_expect_str_eq(captured.lines[4], "netcard cardos 0.1.0 (v0.1.0-3-gabc) reset=power-on");
}

Test(unit_log_ring, macros_use_log_module)
{
#define LOG_MODULE "mac"
    LOG_E("e%d", 1);
    LOG_W("w%d", 2);
    LOG_I("i%d", 3);
    LOG_D("d%d", 4);    /* compiled out at the default CARDOS_LOG_LEVEL */
#undef LOG_MODULE
    log_flush();
    cr_assert_eq(captured.count, CARDOS_LOG_LEVEL >= LOG_LEVEL_DEBUG ? 4 : 3);
    cr_expect_str_eq(captured.lines[0], "E mac: e1");
    cr_expect_str_eq(captured.lines[1], "W mac: w2");
    cr_expect_str_eq(captured.lines[2], "I mac: i3");
}

Test(unit_log_ring, flush_drains_in_order_once)
{
    for (int i = 0; i < 10; i++) {
        log_printf(LOG_LEVEL_INFO, "seq", "%d", i);
    }
    cr_expect_eq(log_pending(), 10);
    cr_expect_eq(log_flush(), 10);
    cr_expect_eq(log_pending(), 0);
    for (int i = 0; i < 10; i++) {
        char want[32];
        snprintf(want, sizeof(want), "I seq: %d", i);
        cr_expect_str_eq(captured.lines[i], want);
    }
    cr_expect_eq(log_flush(), 0, "each line is handed over once");
    cr_expect_eq(captured.count, 10);
}

Test(unit_log_ring, wraps_around)
{
    /* Partial flushes move the ring's start; lines survive the wrap. */
    int next = 0;

    for (int round = 0; round < 5; round++) {
        for (int i = 0; i < LOG_RING_LINES - 3; i++) {
            log_printf(LOG_LEVEL_INFO, "w", "%d", next++);
        }
        log_flush();
    }
    cr_assert_eq(captured.count, (size_t)next);
    cr_expect_eq(log_dropped(), 0);
    for (int i = 0; i < next; i++) {
        char want[32];
        snprintf(want, sizeof(want), "I w: %d", i);
        cr_expect_str_eq(captured.lines[i], want);
    }
}

Test(unit_log_ring, full_ring_holds_all_lines)
{
    for (int i = 0; i < LOG_RING_LINES; i++) {
        log_printf(LOG_LEVEL_INFO, "f", "%d", i);
    }
    cr_expect_eq(log_pending(), LOG_RING_LINES);
    cr_expect_eq(log_dropped(), 0);
    cr_expect_eq(log_flush(), LOG_RING_LINES);
    cr_expect_str_eq(captured.lines[0], "I f: 0");
}

Test(unit_log_ring, overflow_drops_oldest_and_reports)
{
    const int extra = 5;

    for (int i = 0; i < LOG_RING_LINES + extra; i++) {
        log_printf(LOG_LEVEL_INFO, "o", "%d", i);
    }
    cr_expect_eq(log_pending(), LOG_RING_LINES);
    cr_expect_eq(log_dropped(), (uint32_t)extra);

    cr_assert_eq(log_flush(), (size_t)LOG_RING_LINES + 1, "lines + drop notice");
    cr_expect_str_eq(captured.lines[0], "W log: 5 lines dropped");
    for (int i = 0; i < LOG_RING_LINES; i++) {
        char want[32];
        snprintf(want, sizeof(want), "I o: %d", i + extra);
        cr_expect_str_eq(captured.lines[i + 1], want, "oldest lines went first");
    }

    /* The notice is given once; the total keeps counting. */
    cr_expect_eq(log_flush(), 0);
    for (int i = 0; i < LOG_RING_LINES + 2; i++) {
        log_printf(LOG_LEVEL_INFO, "o", "again %d", i);
    }
    captured.count = 0;
    log_flush();
    cr_expect_str_eq(captured.lines[0], "W log: 2 lines dropped");
    cr_expect_str_eq(captured.lines[1], "I o: again 2");
    cr_expect_eq(log_dropped(), 7);
}

Test(unit_log_ring, long_lines_are_truncated)
{
    char longmsg[3 * LOG_LINE_MAX];

    memset(longmsg, 'x', sizeof(longmsg) - 1);
    longmsg[sizeof(longmsg) - 1] = '\0';
    log_printf(LOG_LEVEL_INFO, "long", "%s", longmsg);
    log_raw("%s", longmsg);
    log_flush();
    cr_assert_eq(captured.count, 2);
    cr_expect_eq(captured.lens[0], LOG_LINE_MAX - 1);
    cr_expect_eq(strncmp(captured.lines[0], "I long: xxx", 11), 0);
    cr_expect_eq(captured.lines[0][LOG_LINE_MAX - 2], 'x');
    cr_expect_eq(captured.lens[1], LOG_LINE_MAX - 1);

    /* A prefix that alone fills the line. */
    char longmod[LOG_LINE_MAX + 10];
    memset(longmod, 'm', sizeof(longmod) - 1);
    longmod[sizeof(longmod) - 1] = '\0';
    captured.count = 0;
    log_printf(LOG_LEVEL_INFO, longmod, "msg");
    log_flush();
    cr_expect_eq(captured.lens[0], LOG_LINE_MAX - 1);
}

Test(unit_log_ring, one_call_is_one_line)
{
    log_printf(LOG_LEVEL_INFO, "nl", "first\nsecond\r\n");
    log_printf(LOG_LEVEL_INFO, "nl", "trailing\n\n");
    log_printf(LOG_LEVEL_INFO, "nl", "%s", "");
    log_flush();
    cr_assert_eq(captured.count, 3);
    cr_expect_str_eq(captured.lines[0], "I nl: first second");
    cr_expect_str_eq(captured.lines[1], "I nl: trailing");
    cr_expect_str_eq(captured.lines[2], "I nl: ");
}

Test(unit_log_ring, no_sink_discards)
{
    log_set_sink(NULL);
    log_printf(LOG_LEVEL_INFO, "x", "lost");
    cr_expect_eq(log_flush(), 1);
    cr_expect_eq(log_pending(), 0);
    log_set_sink(capture_sink);
    cr_expect_eq(log_flush(), 0);
    cr_expect_eq(captured.count, 0);
}

static int lock_depth;
static int lock_calls;

static uint32_t test_lock(void)
{
    lock_depth++;
    lock_calls++;
    return 0x1234;
}

static void test_unlock(uint32_t state)
{
    cr_expect_eq(state, 0x1234, "unlock gets the lock's state back");
    lock_depth--;
}

static void sink_checks_unlocked(const char *line, size_t len)
{
    cr_expect_eq(lock_depth, 0, "the sink runs outside the lock");
    capture_sink(line, len);
}

Test(unit_log_ring, lock_is_balanced_and_sink_unlocked)
{
    lock_depth = 0;
    lock_calls = 0;
    log_set_lock(test_lock, test_unlock);
    log_set_sink(sink_checks_unlocked);
    for (int i = 0; i < LOG_RING_LINES + 3; i++) {
        log_printf(LOG_LEVEL_INFO, "lk", "%d", i);
    }
    log_flush();
    cr_expect_eq(lock_depth, 0);
    cr_expect_gt(lock_calls, LOG_RING_LINES);
    cr_expect_eq(captured.count, LOG_RING_LINES + 1);
}
