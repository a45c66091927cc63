/*
 * Unprivileged processes. Contract: arch/uproc.h; the exception side is
 * arch/uproc_entry.S.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stddef.h>
#include <string.h>

#include "arch/cpu.h"
#include "arch/scs.h"
#include "arch/systick.h"
#include "arch/uproc.h"
#include "kernel/reset_cause.h"

/* PMSAv8 MPU, the Secure instance (ARMv8-M ARM D1.2.x). */
#define MPU_TYPE   0xD90u
#define MPU_CTRL   0xD94u
#define MPU_RNR    0xD98u
#define MPU_RBAR   0xD9Cu
#define MPU_RLAR   0xDA0u
#define MPU_MAIR0  0xDC0u
#define MPU_CTRL_ENABLE     1u
#define MPU_CTRL_PRIVDEFENA 4u
/* RBAR.AP (B10.2): 01 read/write at any privilege, 11 read-only any. */
#define RBAR_AP_RW_ANY  (1u << 1)
#define RBAR_AP_RO_ANY  (3u << 1)
#define RBAR_XN         1u
#define RLAR_EN         1u
/* MAIR attribute 0: Normal memory, non-cacheable (0x44). */
#define MAIR_NORMAL_NC  0x44u
#define ICSR_PENDSVSET  (1u << 28)
#define ICSR_PENDSVCLR  (1u << 27)
#define CFSR_MMARVALID  (1u << 7)
#define CFSR_BFARVALID  (1u << 15)
#define REFCLK_PER_US   6u          /* SysTick reference: 6 MHz */

/* The process running now (svc_handler sets it, uproc_run clears it). */
struct uproc *volatile uproc_current;
/* The process whose event SysTick counts the budget for: from its
 * first entry (set before it, so that an expiry before svc_handler ran
 * is not lost) to uproc_finish(). */
static struct uproc *volatile budget_of;
/* The hook pended PendSV: uproc_run() drops it if the process stopped
 * by itself first. */
static volatile bool pendsv_pended;
static uint32_t (*clock_cycles)(void);
/* Less budget than this left is none: SysTick's expiry and the clock
 * differ by a reference tick or so, and re-arming for a few cycles would
 * only take the exception again. 1 ms, 0.5 % of SYS_BUDGET_US. */
#define SYSCLK_PER_US (REFCLK_PER_US * SYSTICK_REFCLK_DIV)
#define BUDGET_SLACK  (SYSCLK_PER_US * 1000u)

void uproc_fault_capture(struct uproc *p, uint32_t kind);

static void mpu_region(uint32_t n, const struct uproc_region *r,
                       uint32_t rbar_flags)
{
    scs_write(MPU_RNR, n);
    if (r == NULL || r->limit <= r->base) {
        scs_write(MPU_RLAR, 0);
        return;
    }
    scs_write(MPU_RBAR, (r->base & ~31u) | rbar_flags);
    scs_write(MPU_RLAR, ((r->limit - 32u) & ~31u) | (0u << 1) | RLAR_EN);
}

/* What regions 0-2 hold now (valid once programmed): programming them
 * again for the instance that ran last would only cost time (every
 * RBAR/RLAR write flushes the emulator's TLB). */
static struct uproc_region mpu_cache[3];
static bool mpu_cached, mpu_enabled;

static bool same_region(const struct uproc_region *a,
                        const struct uproc_region *b)
{
    return a->base == b->base && a->limit == b->limit;
}

static void mpu_on(const struct uproc *p)
{
    static bool ready;

    if (!ready) {
        uint32_t regions = (scs_read(MPU_TYPE) >> 8) & 0xffu;

        scs_write(MPU_CTRL, 0);
        for (uint32_t i = 3; i < regions; i++) {
            scs_write(MPU_RNR, i);
            scs_write(MPU_RLAR, 0);
        }
        scs_write(MPU_MAIR0, MAIR_NORMAL_NC);
        ready = true;
    }
    if (!mpu_cached || !same_region(&mpu_cache[0], &p->code) ||
        !same_region(&mpu_cache[1], &p->ram) ||
        !same_region(&mpu_cache[2], &p->window)) {
        mpu_region(0, &p->code, RBAR_AP_RO_ANY);
        mpu_region(1, &p->ram, RBAR_AP_RW_ANY | RBAR_XN);
        mpu_region(2, &p->window, RBAR_AP_RW_ANY | RBAR_XN);
        mpu_cache[0] = p->code;
        mpu_cache[1] = p->ram;
        mpu_cache[2] = p->window;
        mpu_cached = true;
    }
    /* PRIVDEFENA: the OS (interrupt handlers included) keeps the default
     * map; unprivileged code gets the three regions only (B10.2.2).
     * Enabled once and left so: the OS, privileged, never runs from the
     * regions nor writes the code area but through the NVM controller,
     * and every change of MPU_CTRL costs a TLB flush too */
    if (!mpu_enabled) {
        scs_write(MPU_CTRL, MPU_CTRL_ENABLE | MPU_CTRL_PRIVDEFENA);
        mpu_enabled = true;
    }
    cpu_dsb();
    cpu_isb();
}

void uproc_set_clock(uint32_t (*cycles)(void))
{
    clock_cycles = cycles;
}

/* Budget P has used by the clock NOW (a pause stops the count). */
static uint32_t budget_spent(const struct uproc *p, uint32_t now)
{
    return (p->paused ? p->paused_at : now) - p->run_start;
}

/*
 * SysTick expired (handler mode, SysTick stopped). For the process of
 * the event: budget left, start SysTick again for the rest; none and it
 * runs, stop it from PendSV (the lowest priority: it runs when returning
 * to Thread mode). None while the OS runs (a system call, or right
 * before the entry: a PendSV would be taken in the OS's Thread mode and
 * lost): check again in a moment; uproc_run() sees the new start and
 * ends the event without resuming it.
 */
static void budget_expired(void)
{
    struct uproc *p = budget_of;
    uint32_t spent;

    if (p == NULL) {
        return;
    }
    spent = budget_spent(p, clock_cycles());
    if (spent < p->budget && p->budget - spent > BUDGET_SLACK) {
        systick_start(p->budget - spent);
    } else if (uproc_current == p) {
        pendsv_pended = true;
        scs_write(A_SCB_ICSR, ICSR_PENDSVSET);
    } else {
        systick_start(BUDGET_SLACK);
    }
}

/*
 * What the last check found: at systick_epoch() KNOWN_EPOCH, SysTick
 * expires by the clock's KNOWN_END. As long as the epoch has not moved,
 * SysTick is still counting towards that (it would have moved had it
 * expired, been started or been stopped; a driver's bounded sleep only
 * makes it earlier), and KNOWN_END is at most 2.8 s away, SysTick's
 * longest one-shot.
 */
static uint32_t known_epoch, known_end;
static bool known;

/*
 * Before entering P: SysTick must expire no later than its budget's end.
 * Nothing to read when the epoch has not moved since a check that found
 * it expiring no later than that (a previous event's end, or the idle
 * port's deadline); else SysTick's registers are read, and it is started
 * only when it would expire too late (a start re-arms the emulator's
 * timer). False: no budget left.
 */
static bool budget_check(struct uproc *p)
{
    uint32_t now, spent, left, expiry;

    if (!p->started) {
        p->started = true;
        now = clock_cycles();
        p->run_start = now;
        budget_of = p;
        spent = 0;
    } else if (p->epoch == systick_epoch()) {
        return true;
    } else {
        now = clock_cycles();
        spent = budget_spent(p, now);
    }
    if (spent >= p->budget || p->budget - spent <= BUDGET_SLACK) {
        return false;
    }
    left = p->budget - spent;
    if (known && known_epoch == systick_epoch() &&
        (int32_t)(known_end - (now + left)) <= 0) {
        p->epoch = known_epoch;
        return true;
    }
    expiry = systick_cycles_left();
    if (expiry > left) {
        systick_start(left);
        expiry = left;
    }
    p->epoch = known_epoch = systick_epoch();
    known_end = now + expiry;
    known = true;
    return true;
}

void uproc_budget_pause(struct uproc *p)
{
    if (!p->paused) {
        p->paused_at = clock_cycles();
        p->paused = true;
    }
}

void uproc_budget_resume(struct uproc *p)
{
    if (p->paused) {
        p->run_start += clock_cycles() - p->paused_at;
        p->paused = false;
    }
}

static bool inside(const struct uproc_region *r, uint32_t addr, uint32_t len)
{
    return addr >= r->base && addr <= r->limit && len <= r->limit - addr;
}

bool uproc_can_run(void)
{
    return cpu_ipsr() == 0 && cpu_primask() == 0;
}

bool uproc_access_ok(const struct uproc *p, uint32_t addr, uint32_t len,
                     bool write)
{
    if (len == 0) {
        return true;
    }
    return inside(&p->ram, addr, len) || inside(&p->window, addr, len) ||
           (!write && inside(&p->code, addr, len));
}

void uproc_start(struct uproc *p, uint32_t entry, const uint32_t args[3],
                 uint32_t r9, uint32_t stack_limit, uint32_t stack_top,
                 const struct uproc_region *code,
                 const struct uproc_region *ram,
                 const struct uproc_region *window, uint32_t budget_us)
{
    uint32_t *frame;

    cpu_zero_words((uint32_t *)p, sizeof(*p) / 4u);
    p->code = *code;
    p->ram = *ram;
    p->window = *window;
    /* the basic frame the exception return pops (B3.21): r0-r3, r12,
     * lr, return address, xPSR (T bit) */
    frame = (uint32_t *)(uintptr_t)((stack_top & ~7u) - 32u);
    frame[0] = args[0];
    frame[1] = args[1];
    frame[2] = args[2];
    frame[3] = 0;
    frame[4] = 0;
    frame[5] = 0xFFFFFFFFu;         /* returning from the entry faults */
    frame[6] = entry & ~1u;
    frame[7] = 1u << 24;            /* EPSR.T */
    p->psp = (uint32_t)(uintptr_t)frame;
    p->psplim = stack_limit;
    p->regs[5] = r9;                /* r4..r11: r9 is regs[5] */
    if (budget_us > 60000000u) {
        budget_us = 60000000u;
    }
    p->budget = budget_us * SYSCLK_PER_US;
}

enum uproc_stop uproc_run(struct uproc *p)
{
    static bool hooked;
    const uint32_t *frame;
    uint32_t pc;

    if (!hooked) {
        /* PendSV at the lowest priority (SHPR3[23:16], B3.32): pended by
         * the SysTick handler, it runs when that returns, on the way back
         * to the process, never inside another handler */
        scs_write(A_SCB_SHPR3, scs_read(A_SCB_SHPR3) | (0xFFu << 16));
        systick_set_expiry_hook(budget_expired);
        hooked = true;
    }
    if (clock_cycles == NULL || !budget_check(p)) {
        p->stop = UPROC_BUDGET;
        uproc_finish(p);
        return UPROC_BUDGET;
    }
    if (!p->mpu_on) {
        mpu_on(p);              /* stays on across system calls */
        p->mpu_on = true;
    }
    p->stop = 0;
    __asm volatile("mov r0, %0\n\tsvc #255" :: "r"(p)
                   : "r0", "memory");
    uproc_current = NULL;
    if (pendsv_pended) {
        /* the hook pended it as the process stopped by itself: drop it */
        scs_write(A_SCB_ICSR, ICSR_PENDSVCLR);
        pendsv_pended = false;
    }
    if (p->stop != UPROC_SVC) {
        uproc_finish(p);
        return (enum uproc_stop)p->stop;
    }
    /* the arguments and the number (the immediate of the SVC before the
     * stacked return address, T32 encoding DF nn); the frame is only
     * trusted inside its RAM (a privileged read elsewhere could touch a
     * peripheral) */
    if ((p->psp & 3u) || !inside(&p->ram, p->psp, 32)) {
        p->stop = UPROC_FAULT;
        p->fault.kind = FAULT_KIND_MEM_MANAGE;
        return UPROC_FAULT;
    }
    frame = (const uint32_t *)(uintptr_t)p->psp;
    p->args[0] = frame[0];
    p->args[1] = frame[1];
    p->args[2] = frame[2];
    p->args[3] = frame[3];
    pc = frame[6];
    if (!inside(&p->code, pc - 2u, 2)) {
        p->stop = UPROC_FAULT;
        p->fault.kind = FAULT_KIND_USAGE_FAULT;
        p->fault.pc = pc;
        return UPROC_FAULT;
    }
    p->svc = *(const uint8_t *)(uintptr_t)(pc - 2u);
    return UPROC_SVC;
}

void uproc_finish(struct uproc *p)
{
    /* the regions stay (mpu_on): they give unprivileged code, which runs
     * only through uproc_run, nothing until it programs its own */
    p->mpu_on = false;
    /* SysTick stays as it is (arch/uproc.h) */
    if (budget_of == p) {
        budget_of = NULL;
    }
}

void uproc_where(struct uproc *p)
{
    if (!(p->psp & 3u) && inside(&p->ram, p->psp, 32)) {
        p->fault.lr = ((const uint32_t *)(uintptr_t)p->psp)[5];
        p->fault.pc = ((const uint32_t *)(uintptr_t)p->psp)[6];
    }
}

void uproc_set_r0(struct uproc *p, uint32_t value)
{
    if (inside(&p->ram, p->psp, 32) && !(p->psp & 3u)) {
        ((uint32_t *)(uintptr_t)p->psp)[0] = value;
    }
}

/* From uproc_fault_stop (handler mode): what happened, then clear the
 * sticky status bits (write one to clear, B3.6) for the next fault. */
void uproc_fault_capture(struct uproc *p, uint32_t kind)
{
    uint32_t psp, cfsr = scs_read(A_SCB_CFSR);

    __asm volatile("mrs %0, psp" : "=r"(psp));
    memset(&p->fault, 0, sizeof(p->fault));
    p->fault.kind = kind;
    p->fault.cfsr = cfsr;
    p->fault.hfsr = scs_read(A_SCB_HFSR);
    if (cfsr & CFSR_MMARVALID) {
        p->fault.addr = scs_read(A_SCB_MMFAR);
    } else if (cfsr & CFSR_BFARVALID) {
        p->fault.addr = scs_read(A_SCB_BFAR);
    }
    if (!(psp & 3u) && inside(&p->ram, psp, 32)) {
        p->fault.lr = ((const uint32_t *)(uintptr_t)psp)[5];
        p->fault.pc = ((const uint32_t *)(uintptr_t)psp)[6];
    }
    scs_write(A_SCB_CFSR, cfsr);
    scs_write(A_SCB_HFSR, p->fault.hfsr);
}
