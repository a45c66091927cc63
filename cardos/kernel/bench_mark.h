/*
 * Bench markers: two functions whose only job is to be executed. A
 * measuring tool outside the card watches their first instructions; the
 * card OS calls them around the work it wants measured:
 *
 *     bench_mark_begin();
 *     ... work ...
 *     bench_mark_end();
 *
 * The tool is the insn_window TCG plugin (tests/plugins/insn_window.c,
 * docs/testing.md "Counting card instructions"): it counts every guest
 * instruction executed from the first instruction of bench_mark_begin up
 * to (not including) the first instruction of bench_mark_end, and writes
 * one line per window. gdb breakpoints on the two symbols work the same
 * way.
 *
 * Contract:
 *  - both are real, out-of-line functions (noinline, never merged: each
 *    stores a different value), so their symbols in cardos.elf are the
 *    addresses the tool watches; they stay in every image;
 *  - cost: bench_mark_begin's few instructions (a store and the return;
 *    4 with the card's compiler flags) are inside the window, as are the
 *    caller's own instructions between the two calls: an empty window
 *    measures this fixed overhead;
 *  - windows do not nest: a second begin restarts the window;
 *  - interrupts taken inside a window are counted too: callers that want
 *    a count that repeats run to run mask interrupts around the window
 *    (cpu_irq_save) and do nothing that waits for an interrupt;
 *  - bench_mark_open is 1 between begin and end (for gdb and tests).
 *
 * Compiles on the host (no hardware access).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_KERNEL_BENCH_MARK_H
#define CARDOS_KERNEL_BENCH_MARK_H

#include <stdint.h>

extern volatile uint32_t bench_mark_open;

void bench_mark_begin(void) __attribute__((noinline));
void bench_mark_end(void) __attribute__((noinline));

#endif /* CARDOS_KERNEL_BENCH_MARK_H */
