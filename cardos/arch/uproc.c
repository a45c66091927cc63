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
/* Budget expiry seen by the SysTick hook. */
static volatile bool budget_armed;

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

/* SysTick expired: if a process is what runs, stop it from PendSV (the
 * lowest priority, so it runs when returning to Thread mode). */
static void budget_expired(void)
{
    if (budget_armed && uproc_current != NULL) {
        scs_write(A_SCB_ICSR, ICSR_PENDSVSET);
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
    if (budget_us > (1u << 24) / REFCLK_PER_US) {
        budget_us = (1u << 24) / REFCLK_PER_US;
    }
    p->budget_ticks = budget_us * REFCLK_PER_US;
}

enum uproc_stop uproc_run(struct uproc *p)
{
    static bool hooked;
    uint32_t left;

    if (!hooked) {
        /* PendSV at the lowest priority (SHPR3[23:16], B3.32): pended by
         * the SysTick handler, it runs when that returns, on the way back
         * to the process, never inside another handler */
        scs_write(A_SCB_SHPR3, scs_read(A_SCB_SHPR3) | (0xFFu << 16));
        systick_set_expiry_hook(budget_expired);
        hooked = true;
    }
    if (p->budget_ticks == 0) {
        p->stop = UPROC_BUDGET;
        return UPROC_BUDGET;
    }
    if (!p->mpu_on) {
        mpu_on(p);              /* stays on across system calls */
        p->mpu_on = true;
    }
    p->stop = 0;
    systick_start(p->budget_ticks * SYSTICK_REFCLK_DIV);
    budget_armed = true;
    __asm volatile("mov r0, %0\n\tsvc #255" :: "r"(p)
                   : "r0", "memory");
    budget_armed = false;
    /* CVR reads 0 until the first reference tick after the start
     * reloads it: then nothing was spent yet */
    left = scs_read(A_SYST_CVR) & 0xFFFFFFu;
    if (!systick_running()) {
        left = 0;
    } else if (left == 0 || left > p->budget_ticks) {
        left = p->budget_ticks;
    }
    systick_stop();
    scs_write(A_SCB_ICSR, ICSR_PENDSVCLR);
    uproc_current = NULL;
    if (p->stop != UPROC_SVC) {
        uproc_finish(p);
    }
    p->budget_ticks = p->stop == UPROC_SVC ? left : 0;
    if (p->stop == UPROC_SVC) {
        /* the number is the immediate of the SVC before the stacked
         * return address (T32 encoding DF nn) */
        uint32_t args[4], pc;

        if (!uproc_args(p, args)) {
            p->stop = UPROC_FAULT;
            p->fault.kind = FAULT_KIND_MEM_MANAGE;
            return UPROC_FAULT;
        }
        pc = ((const uint32_t *)(uintptr_t)p->psp)[6];
        if (!inside(&p->code, pc - 2u, 2)) {
            p->stop = UPROC_FAULT;
            p->fault.kind = FAULT_KIND_USAGE_FAULT;
            p->fault.pc = pc;
            return UPROC_FAULT;
        }
        p->svc = *(const uint8_t *)(uintptr_t)(pc - 2u);
    }
    return (enum uproc_stop)p->stop;
}

void uproc_finish(struct uproc *p)
{
    /* the regions stay (mpu_on): they give unprivileged code, which runs
     * only through uproc_run, nothing until it programs its own */
    p->mpu_on = false;
}

bool uproc_args(const struct uproc *p, uint32_t args[4])
{
    const uint32_t *frame = (const uint32_t *)(uintptr_t)p->psp;

    /* the frame is where the process's SP was: only trust it inside its
     * RAM (a privileged read elsewhere could touch a peripheral) */
    if ((p->psp & 3u) || !inside(&p->ram, p->psp, 32)) {
        return false;
    }
    memcpy(args, frame, 4 * sizeof(uint32_t));
    return true;
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
