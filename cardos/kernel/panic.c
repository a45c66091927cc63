/*
 * panic(). See kernel/panic.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>

#include "arch/cpu.h"
#include "drivers/sysctl.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/reset_cause.h"

static noreturn void panic_reset(uint32_t caller)
{
    struct fault_record rec = {
        .kind = FAULT_KIND_PANIC,
        .pc = caller,
    };

    log_flush();
    fault_record_store(&sysctl_scratch_ops, &rec);
    sysctl_software_reset();
}

/* Thumb return addresses have bit 0 set; report the instruction address. */
static uint32_t caller_address(void *return_address)
{
    return (uint32_t)(uintptr_t)return_address & ~1u;
}

noreturn __attribute__((noinline)) void panic(const char *msg)
{
    uint32_t caller = caller_address(__builtin_return_address(0));

    (void)cpu_irq_save();
    log_printf(LOG_LEVEL_ERROR, "panic", "%s (caller 0x%08x)", msg,
               (unsigned)caller);
    panic_reset(caller);
}

noreturn __attribute__((noinline)) void panic_assert(const char *msg,
                                                     const char *file, int line)
{
    uint32_t caller = caller_address(__builtin_return_address(0));

    (void)cpu_irq_save();
    log_printf(LOG_LEVEL_ERROR, "panic", "assertion \"%s\" failed at %s:%d",
               msg, file, line);
    panic_reset(caller);
}
