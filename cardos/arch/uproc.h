/*
 * Unprivileged processes: running applet code in Thread mode on the
 * process stack, unprivileged, under the MPU, and getting control back.
 *
 * ARMv8-M ARM references: B3.7 (CONTROL.nPRIV, SPSEL), B3.19 (PSPLIM),
 * B3.21/B3.24 (exception entry, EXC_RETURN), B3.27 (SVCall), B3.29
 * (PendSV), B10 (PMSAv8 MPU: RBAR/RLAR regions, MAIR, PRIVDEFENA).
 *
 * A process is a coroutine of the OS: uproc_run() enters (or resumes)
 * it from the OS's Thread mode through `svc #255` and returns when it
 * stops, with the reason:
 *   UPROC_SVC     it executed `svc #n` (n < 255): the OS serves the
 *                 call in Thread mode, where every interrupt and driver
 *                 works as usual, writes the result with uproc_set_r0()
 *                 and resumes it with uproc_run();
 *   UPROC_FAULT   MemManage, BusFault, UsageFault (divide by zero, stack
 *                 limit, undefined instruction) or HardFault taken from
 *                 it: what and where in p->fault;
 *   UPROC_BUDGET  its time budget ran out (SysTick, then PendSV).
 * Faults taken from the OS itself still go to fault_report() (reset).
 *
 * While it runs, the MPU (enabled, PRIVDEFENA = 1 so the OS's interrupt
 * handlers keep the default map) has exactly three regions for it: its
 * code (RO, executable), its RAM (RW, XN), the APDU window (RW, XN).
 * Unprivileged accesses anywhere else fault: ROM, OS RAM, peripherals
 * (no DMA-capable engine is reachable), the System Control Space. Its
 * stack is bounded by PSPLIM. Once it is finished (uproc_finish) the MPU
 * is off again.
 *
 * The budget is the time of an event: from the process's first entry to
 * its end, but for what the OS spends in the system calls it pauses
 * (uproc_budget_pause/resume: every call but the few short ones, the
 * runtime's choice, sys/syscall.c). It is measured on a free-running
 * SYSCLK counter (uproc_set_clock(): the OS clock, drivers/timer.h) read
 * at the first entry and around the pauses. What stops a process that
 * never stops by itself is SysTick: at the first entry uproc_run() makes
 * sure SysTick expires no later than the budget's end, and starts it only
 * when it would not (arch/systick.h systick_cycles_left()); neither a
 * first entry nor a resume reads SysTick again while it has not been
 * started, stopped or expired since a check that found it expiring in
 * time (systick_epoch(); in steady traffic: one clock read per event,
 * no SysTick access). While the idle port's one-shot or an earlier
 * start still expires in time nothing is written (a start re-arms the
 * emulator's timer and wakes its main loop; docs/applets.md "Round
 * trip"). When SysTick expires during the event with budget left (it
 * was armed for something earlier, or a pause moved the end), the hook
 * starts it again for the rest; with none left, PendSV stops the process
 * (or, while the OS runs, the next resume does not happen). SysTick is
 * left as it is when the event ends: the idle port arms it again for its
 * own deadline when that moved (card/main.c), else it wakes the loop
 * once early at worst. Context: the event loop (Thread mode, privileged),
 * one * process at a time.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_ARCH_UPROC_H
#define CARDOS_ARCH_UPROC_H

#include <stdbool.h>
#include <stdint.h>

enum uproc_stop {
    UPROC_SVC = 1,
    UPROC_FAULT = 2,
    UPROC_BUDGET = 3,
};

struct uproc_region {
    uint32_t base;          /* 32-byte aligned */
    uint32_t limit;         /* last byte + 1, 32-byte aligned */
};

struct uproc_fault {
    uint32_t kind;          /* FAULT_KIND_* (kernel/reset_cause.h) */
    uint32_t pc, lr;        /* stacked, 0 if the frame was not readable */
    uint32_t cfsr, hfsr;
    uint32_t addr;          /* MMFAR or BFAR when valid, else 0 */
};

struct uproc {
    /* set by uproc_start(); read by the assembly (offsets fixed) */
    uint32_t psp;           /* 0 */
    uint32_t psplim;        /* 4 */
    uint32_t regs[8];       /* 8: r4-r11 while stopped */
    uint32_t os_sp;         /* 40: the OS's MSP while it runs */
    uint32_t stop;          /* 44: enum uproc_stop */
    /* the rest is C's */
    struct uproc_region code, ram, window;
    uint32_t svc;           /* UPROC_SVC: the number */
    uint32_t args[4];       /* UPROC_SVC: its r0-r3 */
    struct uproc_fault fault;
    uint32_t budget;        /* SYSCLK cycles */
    uint32_t run_start;     /* the clock at its first entry, moved on by
                               the pauses */
    uint32_t paused_at;     /* the clock when the pause began */
    uint32_t epoch;         /* systick_epoch() when SysTick was checked */
    bool started, paused;
    bool mpu_on;            /* its regions are programmed and enabled */
};

/*
 * Prepare P to run from ENTRY (Thumb bit set) with r0-r2 = ARGS, r9 =
 * R9, on a stack that starts at the top of [STACK_LIMIT, STACK_TOP) and
 * may not go below STACK_LIMIT; with the regions CODE, RAM (which holds
 * the stack) and WINDOW, and BUDGET_US microseconds of CPU time (at
 * most 60 s).
 */
void uproc_start(struct uproc *p, uint32_t entry, const uint32_t args[3],
                 uint32_t r9, uint32_t stack_limit, uint32_t stack_top,
                 const struct uproc_region *code,
                 const struct uproc_region *ram,
                 const struct uproc_region *window, uint32_t budget_us);

/* The free-running SYSCLK counter the budget is measured on (modulo
 * 2^32; the OS clock, drivers/timer.h timer_cycles()), registered by the
 * card's wiring before any process runs. */
void uproc_set_clock(uint32_t (*cycles)(void));

/* Can a process run now? Only from Thread mode with interrupts enabled:
 * uproc_run's `svc #255` taken with PRIMASK set or from a handler of
 * its priority escalates to HardFault (ARMv8-M ARM B3.27, B3.24). */
bool uproc_can_run(void);

/* Run or resume P until it stops; the reason. */
enum uproc_stop uproc_run(struct uproc *p);

/* P will not be resumed (uproc_run does it itself for every stop but
 * UPROC_SVC, whose call the OS serves with P's regions on). The regions
 * stay programmed and the MPU enabled: privileged, the OS keeps the
 * default map (PRIVDEFENA) and none of the regions is writable code;
 * the next process's regions replace them before it runs. */
void uproc_finish(struct uproc *p);

/* UPROC_SVC: its result (its arguments are p->args, read from its frame
 * inside its RAM; a frame elsewhere is a UPROC_FAULT). */
void uproc_set_r0(struct uproc *p, uint32_t value);

/* While the OS serves a long system call of P: its time is not P's
 * budget. */
void uproc_budget_pause(struct uproc *p);
void uproc_budget_resume(struct uproc *p);

/* Is [ADDR, ADDR + LEN) inside one of P's regions, writable ones only
 * when WRITE (code is read-only)? LEN 0 is always fine. */
bool uproc_access_ok(const struct uproc *p, uint32_t addr, uint32_t len,
                     bool write);

/* Stopped by an SVC or the budget: its PC and LR (from its frame, when
 * inside its RAM) into p->fault, for the log. */
void uproc_where(struct uproc *p);

#endif /* CARDOS_ARCH_UPROC_H */
