/*
 * panic(). See kernel/panic.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>

#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/reset_cause.h"

static const struct panic_port *port;

void panic_set_port(const struct panic_port *p)
{
    port = p;
}

const struct panic_port *panic_port(void)
{
    return port;
}

noreturn void panic_record_and_reset(const struct fault_record *rec)
{
    if (port != NULL) {
        fault_record_store(port->scratch, rec);
        port->software_reset();
    }
    for (;;) {
    }
}

static noreturn void panic_reset(uint32_t caller)
{
    struct fault_record rec = {
        .kind = FAULT_KIND_PANIC,
        .pc = caller,
    };

    log_flush();
    panic_record_and_reset(&rec);
}

static void mask_interrupts(void)
{
    if (port != NULL) {
        (void)port->irq_save();
    }
}

/* Thumb return addresses have bit 0 set; report the instruction address. */
static uint32_t caller_address(void *return_address)
{
    return (uint32_t)(uintptr_t)return_address & ~1u;
}

noreturn __attribute__((noinline)) void panic(const char *msg)
{
    uint32_t caller = caller_address(__builtin_return_address(0));

    mask_interrupts();
    log_printf(LOG_LEVEL_ERROR, "panic", "%s (caller 0x%08x)", msg,
               (unsigned)caller);
    panic_reset(caller);
}

noreturn __attribute__((noinline)) void panic_assert(const char *msg,
                                                     const char *file, int line)
{
    uint32_t caller = caller_address(__builtin_return_address(0));

    mask_interrupts();
    log_printf(LOG_LEVEL_ERROR, "panic", "assertion \"%s\" failed at %s:%d",
               msg, file, line);
    panic_reset(caller);
}
