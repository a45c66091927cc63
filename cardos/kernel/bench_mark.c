/*
 * Bench markers. See kernel/bench_mark.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "kernel/bench_mark.h"

volatile uint32_t bench_mark_open;

__attribute__((noinline)) void bench_mark_begin(void)
{
    bench_mark_open = 1;
}

__attribute__((noinline)) void bench_mark_end(void)
{
    bench_mark_open = 0;
}
