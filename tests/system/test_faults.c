/*
 * System tests: the card OS's fault and watchdog handling, with the test
 * images cardos-fault.elf (a load from unmapped 0x6000_0000 on power-on
 * boot) and cardos-watchdog.elf (stops kicking the watchdog on power-on
 * boot).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "system.h"

#include <stdlib.h>

TestSuite(system_fault, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);
TestSuite(system_watchdog, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

#define HEX8 "0x([0-9a-fA-F]{8})"

/* CFSR bits (ARMv8-M ARM, B3.2.15): BusFault status is bits 15:8. */
#define CFSR_BFSR_MASK     0x0000FF00u
#define CFSR_PRECISERR     (1u << 9)
#define CFSR_BFARVALID     (1u << 15)

#define ROM_END  0x00080000u
#define RAM_LO   0x20000000u
#define RAM_HI   0x20040000u

static uint32_t hex(const char *line, const regmatch_t *m, size_t i)
{
    return (uint32_t)strtoul(nc_match_str(line, m, i), NULL, 16);
}

Test(system_fault, busfault_is_reported_and_survives_reset)
{
    NcCard *card = boot_card("cardos-fault.elf");

    /* Find the line first, so a format mismatch shows the line itself. */
    char *l = nc_console_wait(card->console, "FAULT ", FAULT_TIMEOUT_MS);
    static const char re[] =
        "^FAULT BusFault: PC=" HEX8 " LR=" HEX8 " xPSR=" HEX8 " SP=" HEX8
        " CFSR=" HEX8 " HFSR=" HEX8 " MMFAR=" HEX8 " BFAR=" HEX8 "$";
    regex_t rx;
    regmatch_t m[9];
    cr_assert_eq(regcomp(&rx, re, REG_EXTENDED), 0);
    int rc = regexec(&rx, l, 9, m, 0);
    regfree(&rx);
    cr_assert_eq(rc, 0, "fault line does not have the documented format\n"
                 "  expected: FAULT BusFault: PC=0x........ LR=0x........ "
                 "xPSR=0x........ SP=0x........ CFSR=0x........ "
                 "HFSR=0x........ MMFAR=0x........ BFAR=0x........\n"
                 "  got:      %s", l);

    uint32_t pc = hex(l, m, 1), sp = hex(l, m, 4), cfsr = hex(l, m, 5);
    uint32_t bfar = hex(l, m, 8);
    cr_assert_eq(bfar, 0x60000000u, "BFAR is 0x%08" PRIx32 ", expected the "
                 "faulting address 0x60000000\n  %s", bfar, l);
    cr_assert_eq(cfsr & CFSR_BFSR_MASK, CFSR_BFARVALID | CFSR_PRECISERR,
                 "CFSR 0x%08" PRIx32 ": BusFault status byte is 0x%02" PRIx32
                 ", expected 0x82 (BFARVALID | PRECISERR)\n  %s", cfsr,
                 (cfsr & CFSR_BFSR_MASK) >> 8, l);
    cr_assert_lt(pc, ROM_END, "faulting PC 0x%08" PRIx32 " is not in ROM",
                 pc);
    cr_assert(sp >= RAM_LO && sp < RAM_HI, "SP 0x%08" PRIx32 " at the fault "
              "is not in RAM", sp);

    /* The OS resets itself and reports the fault from the previous boot. */
    nc_card_wait_banner(card, "software", BOOT_TIMEOUT_MS);
    char *last = nc_console_wait_re(card->console,
                                    "last boot ended by BusFault at PC="
                                    HEX8 " CFSR=" HEX8, m, 3,
                                    BOOT_TIMEOUT_MS);
    uint32_t last_pc = hex(last, m, 1), last_cfsr = hex(last, m, 2);
    cr_assert_eq(last_pc, pc, "the fault record carried over the reset has "
                 "PC=0x%08" PRIx32 ", the FAULT line said 0x%08" PRIx32
                 "\n  %s", last_pc, pc, last);
    cr_assert_eq(last_cfsr, cfsr, "the fault record carried over the reset "
                 "has CFSR=0x%08" PRIx32 ", the FAULT line said 0x%08" PRIx32
                 "\n  %s", last_cfsr, cfsr, last);
    /* ... and this time boots all the way. */
    nc_console_wait(card->console, "ready", READY_TIMEOUT_MS);
}

Test(system_watchdog, bark_then_reset_with_cause_watchdog)
{
    NcCard *card = boot_card("cardos-watchdog.elf");

    regmatch_t m[2];
    char *bark = nc_console_wait_re(card->console,
                                    "WATCHDOG: bark at PC=" HEX8, m, 2,
                                    WATCHDOG_TIMEOUT_MS);
    uint32_t pc = hex(bark, m, 1);
    cr_assert_lt(pc, ROM_END, "watchdog bark PC 0x%08" PRIx32 " is not in "
                 "ROM\n  %s", pc, bark);

    nc_card_wait_banner(card, "watchdog", WATCHDOG_TIMEOUT_MS);
    nc_console_wait(card->console, "ready", READY_TIMEOUT_MS);
}
