/*
 * The test image (cardos-test.elf, card/image.h): the product plus the
 * test application (tests/cardos/test_applet.h) with its crypto and
 * bench commands, which the system tests and `make bench` talk to.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "card/image.h"
#include "drivers/timer.h"
#include "iso7816/card.h"
#include "kernel/version.h"
#include "tests/cardos/test_applet.h"
#include "tests/cardos/test_applet_crypto.h"

const char image_name[] = "test";

void image_add_applications(struct applet_table *table)
{
    static const struct test_applet_config cfg = {
        .now_ms = timer_now_ms,
        .version = cardos_version,
        .git_describe = cardos_git_describe,
        .build = cardos_build_date,
        .link_info = iso_card_link_info,
        .crypto_process = test_applet_crypto_process,
        .crypto_t0_direction = test_applet_crypto_t0_direction,
    };

    (void)applet_table_add(table, test_applet_init(&cfg));
}

void image_boot_point(enum image_point point, enum reset_cause cause)
{
    (void)point;
    (void)cause;
}
