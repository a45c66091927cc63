/*
 * Reset cause names and the fault record codec. See kernel/reset_cause.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "kernel/reset_cause.h"
#include "kernel/log.h"

const char *reset_cause_name(uint32_t cause)
{
    switch (cause) {
    case RESET_CAUSE_POWER_ON:
        return "power-on";
    case RESET_CAUSE_WARM:
        return "warm";
    case RESET_CAUSE_WATCHDOG:
        return "watchdog";
    case RESET_CAUSE_SOFTWARE:
        return "software";
    case RESET_CAUSE_TEAR:
        return "tear";
    default:
        return "unknown";
    }
}

const char *fault_kind_name(uint32_t kind)
{
    /* The exception names of the ARMv8-M ARM, as in the FAULT line. */
    static const char *const names[FAULT_KIND_MAX + 1] = {
        [FAULT_KIND_HARD_FAULT]   = "HardFault",
        [FAULT_KIND_MEM_MANAGE]   = "MemManage",
        [FAULT_KIND_BUS_FAULT]    = "BusFault",
        [FAULT_KIND_USAGE_FAULT]  = "UsageFault",
        [FAULT_KIND_SECURE_FAULT] = "SecureFault",
        [FAULT_KIND_PANIC]        = "panic",
    };

    if (kind > FAULT_KIND_MAX || names[kind] == NULL) {
        return "unknown";
    }
    return names[kind];
}

void fault_record_encode(const struct fault_record *rec,
                         uint32_t words[FAULT_RECORD_WORDS])
{
    words[0] = FAULT_RECORD_MAGIC | (rec->kind & FAULT_RECORD_KIND_MASK);
    words[1] = rec->pc;
    words[2] = rec->cfsr;
    words[3] = rec->fault_address;
}

bool fault_record_decode(const uint32_t words[FAULT_RECORD_WORDS],
                         struct fault_record *rec)
{
    uint32_t kind = words[0] & FAULT_RECORD_KIND_MASK;

    /* Reserved bits 15..8 must be zero too: rejects random RAM patterns. */
    if ((words[0] & ~FAULT_RECORD_KIND_MASK) != FAULT_RECORD_MAGIC ||
        kind == FAULT_KIND_NONE || kind > FAULT_KIND_MAX) {
        return false;
    }
    rec->kind = kind;
    rec->pc = words[1];
    rec->cfsr = words[2];
    rec->fault_address = words[3];
    return true;
}

void fault_record_store(const struct scratch_ops *ops,
                        const struct fault_record *rec)
{
    uint32_t words[FAULT_RECORD_WORDS];

    fault_record_encode(rec, words);
    /* Magic last: a record interrupted half-way is not mistaken for one. */
    for (unsigned i = FAULT_RECORD_WORDS; i-- > 0;) {
        ops->write(i, words[i]);
    }
}

bool fault_record_take(const struct scratch_ops *ops, struct fault_record *rec)
{
    uint32_t words[FAULT_RECORD_WORDS];

    for (unsigned i = 0; i < FAULT_RECORD_WORDS; i++) {
        words[i] = ops->read(i);
    }
    if (!fault_record_decode(words, rec)) {
        return false;
    }
    for (unsigned i = 0; i < FAULT_RECORD_WORDS; i++) {
        ops->write(i, 0);
    }
    return true;
}

int fault_record_format(char *buf, size_t size, const struct fault_record *rec)
{
    return log_snprintf(buf, size, "last boot ended by %s at PC=0x%08x CFSR=0x%08x",
                        fault_kind_name(rec->kind), (unsigned)rec->pc,
                        (unsigned)rec->cfsr);
}
