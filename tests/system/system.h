/*
 * Shared helpers for the netcard system tests (boot the card OS in QEMU).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_TESTS_SYSTEM_H
#define NETCARD_TESTS_SYSTEM_H

#include "nctest.h"

#include <criterion/criterion.h>
#include <inttypes.h>
#include <string.h>

/* From exec to the banner, and from a reset to the next banner. */
#define BOOT_TIMEOUT_MS    NC_TIMEOUT_BOOT_MS
/* From the banner to the "ready" line. */
#define READY_TIMEOUT_MS   NC_TIMEOUT_BOOT_MS
/* Faults and the watchdog: the watchdog period is the card OS's choice. */
#define FAULT_TIMEOUT_MS   30000
#define WATCHDOG_TIMEOUT_MS 60000

/*
 * Boot IMAGE and check that the first console line is its power-on banner;
 * *DESCRIBE (if given) gets the "<git describe>" part of it.
 */
static inline NcCard *boot_card_describe(const char *image, char **describe)
{
    NcCardOpts o = { .image = image };
    NcCard *card = nc_card_start(&o);
    char *first = nc_console_next_line(card->console, BOOT_TIMEOUT_MS);
    while (!*first) {   /* tolerate blank lines before the banner */
        first = nc_console_next_line(card->console, BOOT_TIMEOUT_MS);
    }
    regex_t rx;
    regmatch_t m[2];
    cr_assert_eq(regcomp(&rx, nc_banner_re("power-on"), REG_EXTENDED), 0);
    int rc = regexec(&rx, first, 2, m, 0);
    regfree(&rx);
    cr_assert_eq(rc, 0, "first console line of %s is not the power-on "
                 "banner \"netcard cardos %s (<git describe>) "
                 "reset=power-on\":\n  | %s", image, nc_version(), first);
    if (describe) {
        *describe = nc_match_str(first, m, 1);
    }
    return card;
}

static inline NcCard *boot_card(const char *image)
{
    return boot_card_describe(image, NULL);
}

#endif /* NETCARD_TESTS_SYSTEM_H */
