/*
 * Fault and watchdog-bark reporting.
 *
 * HardFault, MemManage, BusFault, UsageFault and SecureFault enter
 * arch/fault_entry.S, which finds the exception frame (MSP or PSP, from
 * EXC_RETURN), moves to the fault stack and calls fault_report(). It:
 *   1. prints exactly one line on the debug UART, polled:
 *      FAULT <kind>: PC=0x%08x LR=0x%08x xPSR=0x%08x SP=0x%08x CFSR=0x%08x
 *      HFSR=0x%08x MMFAR=0x%08x BFAR=0x%08x          (one line)
 *      PC, LR and xPSR are the stacked values, SP the value before the
 *      exception (frame + 32, + 4 when the core realigned the stack);
 *   2. stores the fault record in the sysctl scratch words
 *      (kernel/reset_cause.h);
 *   3. requests a software reset.
 * Steps 1-3 go through the panic port (kernel/panic.h), which the card's
 * wiring registers at start-up: arch/ reaches no driver.
 * While PRIMASK is set (interrupts masked, e.g. inside a log or event
 * queue critical section) the configurable faults are masked too and
 * escalate: the report then says HardFault, and CFSR still tells why
 * (ARMv8-M ARM B3.6).
 *
 * NMI is the watchdog bark (drivers/watchdog.h): nmi_report() prints
 * "WATCHDOG: bark at PC=0x%08x" with the interrupted PC and spins, so the
 * watchdog's second expiry resets the chip (cause "watchdog").
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_ARCH_FAULT_H
#define CARDOS_ARCH_FAULT_H

#include <stdint.h>
#include <stdnoreturn.h>

/* Called from arch/fault_entry.S only. */
noreturn void fault_report(const uint32_t *frame, uint32_t exc_return,
                           uint32_t kind);
noreturn void nmi_report(const uint32_t *frame, uint32_t exc_return);

#endif /* CARDOS_ARCH_FAULT_H */
