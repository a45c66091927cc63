/*
 * panic(): the card OS found itself in a state it cannot continue from.
 *
 * Masks interrupts, logs "E panic: <msg> (caller 0x%08x)", flushes the log
 * to its sink, stores a fault record of kind "panic" with the return
 * address of the panic() call as PC (kernel/reset_cause.h) and requests a
 * software reset. The next boot prints "last boot ended by panic at
 * PC=0x...".
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_KERNEL_PANIC_H
#define CARDOS_KERNEL_PANIC_H

#include <stdnoreturn.h>

noreturn void panic(const char *msg);

/* For assertion macros (lwIP's LWIP_PLATFORM_ASSERT): adds file:line. */
noreturn void panic_assert(const char *msg, const char *file, int line);

#endif /* CARDOS_KERNEL_PANIC_H */
