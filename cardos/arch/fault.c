/*
 * Fault and NMI reporting in C. See arch/fault.h.
 *
 * Runs on the fault stack with whatever state the crash left: it uses no
 * interrupts, no log ring and no locks, only the pure formatter and the
 * panic port (kernel/panic.h: a polled console line, the scratch words,
 * the software reset) that the card's wiring registered.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>

#include "arch/fault.h"
#include "arch/scs.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/reset_cause.h"

/* Basic exception frame, in words (ARMv8-M ARM B3.21, "Stack frames"). */
enum {
    FRAME_R0, FRAME_R1, FRAME_R2, FRAME_R3, FRAME_R12,
    FRAME_LR, FRAME_PC, FRAME_XPSR, FRAME_WORDS
};
/* RETPSR bit 9: the core inserted a padding word to 8-align the frame. */
#define XPSR_SPREALIGN (1u << 9)

#define FAULT_LINE_MAX 192

static uint32_t sp_before_exception(const uint32_t *frame)
{
    uint32_t sp = (uint32_t)(uintptr_t)frame + FRAME_WORDS * 4u;

    if (frame[FRAME_XPSR] & XPSR_SPREALIGN) {
        sp += 4u;
    }
    return sp;
}

/* Polled output of one line, on a line of its own. */
static void print_line(const char *line, int len)
{
    const struct panic_port *port = panic_port();

    if (port != NULL) {
        port->write_line(line, (size_t)len);
    }
}

noreturn void fault_report(const uint32_t *frame, uint32_t exc_return,
                           uint32_t kind)
{
    char line[FAULT_LINE_MAX];
    uint32_t cfsr = scs_read(A_SCB_CFSR);
    uint32_t hfsr = scs_read(A_SCB_HFSR);
    uint32_t mmfar = scs_read(A_SCB_MMFAR);
    uint32_t bfar = scs_read(A_SCB_BFAR);
    struct fault_record rec = {
        .kind = kind,
        .pc = frame[FRAME_PC],
        .cfsr = cfsr,
        .fault_address = (cfsr & R_SCB_CFSR_BFARVALID_MASK) ? bfar :
                         (cfsr & R_SCB_CFSR_MMARVALID_MASK) ? mmfar : 0,
    };
    int len;

    (void)exc_return;
    len = log_snprintf(line, sizeof(line),
                       "FAULT %s: PC=0x%08x LR=0x%08x xPSR=0x%08x SP=0x%08x "
                       "CFSR=0x%08x HFSR=0x%08x MMFAR=0x%08x BFAR=0x%08x",
                       fault_kind_name(kind), (unsigned)frame[FRAME_PC],
                       (unsigned)frame[FRAME_LR], (unsigned)frame[FRAME_XPSR],
                       (unsigned)sp_before_exception(frame), (unsigned)cfsr,
                       (unsigned)hfsr, (unsigned)mmfar, (unsigned)bfar);
    if (len >= (int)sizeof(line)) {
        len = (int)sizeof(line) - 1;
    }
    print_line(line, len);
    panic_record_and_reset(&rec);
}

noreturn void nmi_report(const uint32_t *frame, uint32_t exc_return)
{
    char line[64];
    int len;

    (void)exc_return;
    len = log_snprintf(line, sizeof(line), "WATCHDOG: bark at PC=0x%08x",
                       (unsigned)frame[FRAME_PC]);
    print_line(line, len);

    /* Do not kick: the watchdog's next expiry resets the chip. */
    for (;;) {
    }
}
