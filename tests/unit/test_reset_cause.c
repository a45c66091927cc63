/*
 * Unit tests: reset cause names and the fault record kept in the sysctl
 * scratch words across the reset that follows a crash.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "kernel/reset_cause.h"
/* The register's values: the kernel's enum must name them the same. */
#define NETCARD_CARDOS 1
#include "netcard_sysctl.h"

Test(unit_reset_cause, names)
{
    /* The names of DESIGN.md and the boot banner, by register value. */
    cr_expect_str_eq(reset_cause_name(0), "power-on");
    cr_expect_str_eq(reset_cause_name(1), "warm");
    cr_expect_str_eq(reset_cause_name(2), "watchdog");
    cr_expect_str_eq(reset_cause_name(3), "software");
    cr_expect_str_eq(reset_cause_name(4), "tear");
    cr_expect_str_eq(reset_cause_name(NETCARD_RESET_POWER_ON), "power-on");
    cr_expect_str_eq(reset_cause_name(NETCARD_RESET_TEAR), "tear");
    cr_expect_eq(RESET_CAUSE_POWER_ON, NETCARD_RESET_POWER_ON);
    cr_expect_eq(RESET_CAUSE_WARM, NETCARD_RESET_WARM);
    cr_expect_eq(RESET_CAUSE_WATCHDOG, NETCARD_RESET_WATCHDOG);
    cr_expect_eq(RESET_CAUSE_SOFTWARE, NETCARD_RESET_SOFTWARE);
    cr_expect_eq(RESET_CAUSE_TEAR, NETCARD_RESET_TEAR);
}

Test(unit_reset_cause, unknown_names)
{
    static const uint32_t bad[] = { 5, 15, 16, 0x80000000u, UINT32_MAX };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_expect_str_eq(reset_cause_name(bad[i]), "unknown", "cause %u", bad[i]);
    }
}

Test(unit_reset_cause, fault_kind_names)
{
    cr_expect_str_eq(fault_kind_name(FAULT_KIND_HARD_FAULT), "HardFault");
    cr_expect_str_eq(fault_kind_name(FAULT_KIND_MEM_MANAGE), "MemManage");
    cr_expect_str_eq(fault_kind_name(FAULT_KIND_BUS_FAULT), "BusFault");
    cr_expect_str_eq(fault_kind_name(FAULT_KIND_USAGE_FAULT), "UsageFault");
    cr_expect_str_eq(fault_kind_name(FAULT_KIND_SECURE_FAULT), "SecureFault");
    cr_expect_str_eq(fault_kind_name(FAULT_KIND_PANIC), "panic");
    cr_expect_str_eq(fault_kind_name(FAULT_KIND_NONE), "unknown");
    cr_expect_str_eq(fault_kind_name(7), "unknown");
    cr_expect_str_eq(fault_kind_name(UINT32_MAX), "unknown");
}

Test(unit_reset_cause, record_layout)
{
    struct fault_record rec = {
        .kind = FAULT_KIND_BUS_FAULT, .pc = 0x000001f2, .cfsr = 0x00008200,
        .fault_address = 0x60000000,
    };
    uint32_t words[FAULT_RECORD_WORDS];

    fault_record_encode(&rec, words);
    /* SCRATCH0 = magic 0xFA17 in bits 31..16 | kind, then PC, CFSR, address. */
    cr_expect_eq(words[0], 0xFA170003u);
    cr_expect_eq(words[1], 0x000001f2u);
    cr_expect_eq(words[2], 0x00008200u);
    cr_expect_eq(words[3], 0x60000000u);
}

Test(unit_reset_cause, record_round_trip)
{
    for (uint32_t kind = FAULT_KIND_HARD_FAULT; kind <= FAULT_KIND_MAX; kind++) {
        struct fault_record in = {
            .kind = kind, .pc = 0x1000u + kind, .cfsr = 0xff00ff00u ^ kind,
            .fault_address = ~kind,
        };
        struct fault_record out;
        uint32_t words[FAULT_RECORD_WORDS];

        memset(&out, 0, sizeof(out));
        fault_record_encode(&in, words);
        cr_assert(fault_record_decode(words, &out), "kind %u", kind);
        cr_expect_eq(out.kind, in.kind);
        cr_expect_eq(out.pc, in.pc);
        cr_expect_eq(out.cfsr, in.cfsr);
        cr_expect_eq(out.fault_address, in.fault_address);
    }
}

Test(unit_reset_cause, decode_rejects_non_records)
{
    static const uint32_t first_words[] = {
        0x00000000u,    /* scratch after power-on */
        0xFA170000u,    /* magic, no kind */
        0xFA170007u,    /* magic, kind out of range */
        0xFA1701FFu,    /* reserved bits set */
        0xFA170103u,    /* reserved bits set, valid kind */
        0xFA160003u,    /* wrong magic */
        0x00000003u,    /* kind without magic */
        0xFFFFFFFFu,
    };
    struct fault_record out;

    for (size_t i = 0; i < sizeof(first_words) / sizeof(first_words[0]); i++) {
        uint32_t words[FAULT_RECORD_WORDS] = { first_words[i], 1, 2, 3 };
        cr_expect_not(fault_record_decode(words, &out), "SCRATCH0 = 0x%08x",
                      first_words[i]);
    }
}

/* Fake scratch registers: contents and every write in order. */
static uint32_t fake_scratch[FAULT_RECORD_WORDS];
static unsigned fake_write_order[16];
static unsigned fake_writes;

static uint32_t fake_read(unsigned index)
{
    cr_assert_lt(index, FAULT_RECORD_WORDS);
    return fake_scratch[index];
}

static void fake_write(unsigned index, uint32_t value)
{
    cr_assert_lt(index, FAULT_RECORD_WORDS);
    cr_assert_lt(fake_writes, 16);
    fake_scratch[index] = value;
    fake_write_order[fake_writes++] = index;
}

static const struct scratch_ops fake_ops = { fake_read, fake_write };

static void fake_setup(void)
{
    memset(fake_scratch, 0, sizeof(fake_scratch));
    fake_writes = 0;
}

Test(unit_reset_cause, store_writes_magic_last, .init = fake_setup)
{
    struct fault_record rec = { .kind = FAULT_KIND_USAGE_FAULT, .pc = 0x200 };

    fault_record_store(&fake_ops, &rec);
    cr_assert_eq(fake_writes, 4);
    cr_expect_eq(fake_write_order[3], 0, "SCRATCH0 (the magic) is written last");
    cr_expect_eq(fake_scratch[0], 0xFA170004u);
    cr_expect_eq(fake_scratch[1], 0x200u);
}

Test(unit_reset_cause, take_reads_and_clears, .init = fake_setup)
{
    struct fault_record rec = {
        .kind = FAULT_KIND_BUS_FAULT, .pc = 0x1f2, .cfsr = 0x8200,
        .fault_address = 0x60000000,
    };
    struct fault_record out;

    fault_record_store(&fake_ops, &rec);
    cr_assert(fault_record_take(&fake_ops, &out));
    cr_expect_eq(out.kind, FAULT_KIND_BUS_FAULT);
    cr_expect_eq(out.pc, 0x1f2u);
    cr_expect_eq(out.cfsr, 0x8200u);
    cr_expect_eq(out.fault_address, 0x60000000u);
    for (unsigned i = 0; i < FAULT_RECORD_WORDS; i++) {
        cr_expect_eq(fake_scratch[i], 0, "SCRATCH%u cleared", i);
    }
    cr_expect_not(fault_record_take(&fake_ops, &out), "reported once");
}

Test(unit_reset_cause, take_leaves_foreign_data, .init = fake_setup)
{
    struct fault_record out;

    fake_scratch[0] = 0x12345678u;
    fake_scratch[3] = 0xcafef00du;
    cr_expect_not(fault_record_take(&fake_ops, &out));
    cr_expect_eq(fake_writes, 0, "nothing written");
    cr_expect_eq(fake_scratch[0], 0x12345678u);
    cr_expect_eq(fake_scratch[3], 0xcafef00du);
}

Test(unit_reset_cause, last_boot_line)
{
    char line[128];
    struct fault_record bus = { .kind = FAULT_KIND_BUS_FAULT, .pc = 0x1f2, .cfsr = 0x8200 };
    struct fault_record hard = {
        .kind = FAULT_KIND_HARD_FAULT, .pc = 0xfffffffe, .cfsr = 0,
    };
    struct fault_record panic_rec = { .kind = FAULT_KIND_PANIC, .pc = 0x4e2 };
    int n;

    n = fault_record_format(line, sizeof(line), &bus);
    cr_expect_str_eq(line, "last boot ended by BusFault at PC=0x000001f2 CFSR=0x00008200");
    cr_expect_eq(n, (int)strlen(line));
    fault_record_format(line, sizeof(line), &hard);
    cr_expect_str_eq(line, "last boot ended by HardFault at PC=0xfffffffe CFSR=0x00000000");
    fault_record_format(line, sizeof(line), &panic_rec);
    cr_expect_str_eq(line, "last boot ended by panic at PC=0x000004e2 CFSR=0x00000000");
}
