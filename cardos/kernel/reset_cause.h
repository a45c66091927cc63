/*
 * Why did the card reboot? Names for the sysctl reset causes, and the fault
 * record that carries a crash across the software reset that follows it.
 *
 * Fault record: written by the fault handlers (arch/fault.c) and panic()
 * into the four sysctl scratch words, which survive warm, software and
 * watchdog resets and are cleared by cold ones (power-on, tear):
 *
 *   SCRATCH0  FAULT_RECORD_MAGIC | kind   (bits 31..16 magic, 7..0 kind)
 *   SCRATCH1  PC: faulting instruction, or return address of panic()
 *   SCRATCH2  CFSR at the fault (0 for panic)
 *   SCRATCH3  fault address: BFAR if CFSR.BFARVALID, else MMFAR if
 *             CFSR.MMARVALID, else 0
 *
 * The next boot takes the record (read, then clear) and prints
 * "last boot ended by <kind> at PC=0x%08x CFSR=0x%08x".
 *
 * This module does no hardware access (scratch words are reached through
 * struct scratch_ops) so it is unit-tested on the host.
 * Included from assembly (arch/fault_entry.S) for the FAULT_KIND_ values.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_KERNEL_RESET_CAUSE_H
#define CARDOS_KERNEL_RESET_CAUSE_H

#define FAULT_KIND_NONE          0
#define FAULT_KIND_HARD_FAULT    1
#define FAULT_KIND_MEM_MANAGE    2
#define FAULT_KIND_BUS_FAULT     3
#define FAULT_KIND_USAGE_FAULT   4
#define FAULT_KIND_SECURE_FAULT  5
#define FAULT_KIND_PANIC         6
#define FAULT_KIND_MAX           FAULT_KIND_PANIC

#define FAULT_RECORD_MAGIC       0xFA170000u   /* "FAIL" */
#define FAULT_RECORD_MAGIC_MASK  0xFFFF0000u
#define FAULT_RECORD_KIND_MASK   0x000000FFu
#define FAULT_RECORD_WORDS       4

#ifndef __ASSEMBLER__

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Why the chip last reset. The values are those of the sysctl
 * RESET_CAUSE field (peripherals/netcard_sysctl.h), which the sysctl
 * driver translates; the kernel itself knows no register.
 */
enum reset_cause {
    RESET_CAUSE_POWER_ON = 0,   /* cold: power applied (RAM cleared) */
    RESET_CAUSE_WARM = 1,       /* the terminal's RST */
    RESET_CAUSE_WATCHDOG = 2,
    RESET_CAUSE_SOFTWARE = 3,   /* a crash report, or a request */
    RESET_CAUSE_TEAR = 4,       /* cold: power cut (RAM cleared) */
    RESET_CAUSE_UNKNOWN = 255,  /* any value the driver does not know */
};

struct fault_record {
    uint32_t kind;           /* FAULT_KIND_* */
    uint32_t pc;
    uint32_t cfsr;
    uint32_t fault_address;
};

/* Access to the scratch words: the sysctl driver on the card, fakes in tests. */
struct scratch_ops {
    uint32_t (*read)(unsigned index);
    void (*write)(unsigned index, uint32_t value);
};

/*
 * "power-on", "warm", "watchdog", "software", "tear"; "unknown" for any
 * other value. The names appear in the boot banner (reset=<name>).
 */
const char *reset_cause_name(uint32_t cause);

/*
 * "HardFault", "MemManage", "BusFault", "UsageFault", "SecureFault",
 * "panic"; "unknown" for anything else.
 */
const char *fault_kind_name(uint32_t kind);

void fault_record_encode(const struct fault_record *rec,
                         uint32_t words[FAULT_RECORD_WORDS]);

/* True if @words hold a record (magic and a known kind); fills @rec. */
bool fault_record_decode(const uint32_t words[FAULT_RECORD_WORDS],
                         struct fault_record *rec);

/* Write @rec to the scratch words. */
void fault_record_store(const struct scratch_ops *ops,
                        const struct fault_record *rec);

/*
 * Read the scratch words; if they hold a record, fill @rec, clear the
 * words (so the record is reported once) and return true. Scratch words
 * that do not hold a record are left untouched.
 */
bool fault_record_take(const struct scratch_ops *ops, struct fault_record *rec);

/*
 * Format "last boot ended by <kind> at PC=0x%08x CFSR=0x%08x" (no newline)
 * like snprintf: returns the length of the full line.
 */
int fault_record_format(char *buf, size_t size, const struct fault_record *rec);

#endif /* !__ASSEMBLER__ */

#endif /* CARDOS_KERNEL_RESET_CAUSE_H */
