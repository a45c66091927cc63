/*
 * panic(): the card OS found itself in a state it cannot continue from.
 *
 * Masks interrupts, logs "E panic: <msg> (caller 0x%08x)", flushes the log
 * to its sink, stores a fault record of kind "panic" with the return
 * address of the panic() call as PC (kernel/reset_cause.h) and requests a
 * software reset. The next boot prints "last boot ended by panic at
 * PC=0x...".
 *
 * The kernel touches no hardware: how to mask interrupts, print a line
 * from a fault handler, keep the record across the reset and reset the
 * chip is a struct panic_port, registered by the card's wiring
 * (card/main.c) before anything can go wrong. The fault handlers
 * (arch/fault.c) end through the same port. Without a port, panic()
 * logs and stops (spins).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_KERNEL_PANIC_H
#define CARDOS_KERNEL_PANIC_H

#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>

#include "kernel/reset_cause.h"

struct panic_port {
    uint32_t (*irq_save)(void);          /* mask interrupts */
    /*
     * One line on the console, on a line of its own, polled: usable with
     * interrupts masked and from a fault handler (no log ring, no locks).
     */
    void (*write_line)(const char *line, size_t len);
    /* The words that carry the fault record across the reset. */
    const struct scratch_ops *scratch;
    void (*software_reset)(void);        /* does not return */
};

void panic_set_port(const struct panic_port *port);
/* The registered port, or NULL (for the fault handlers). */
const struct panic_port *panic_port(void);

noreturn void panic(const char *msg);

/* For assertion macros (lwIP's LWIP_PLATFORM_ASSERT): adds file:line. */
noreturn void panic_assert(const char *msg, const char *file, int line);

/* Store REC through the port's scratch words and reset; faults and
 * panic() end here. */
noreturn void panic_record_and_reset(const struct fault_record *rec);

#endif /* CARDOS_KERNEL_PANIC_H */
