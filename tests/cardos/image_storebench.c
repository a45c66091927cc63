/*
 * The store bench image (cardos-storebench.elf, card/image.h): once the
 * store is mounted, times it in card time (tests/cardos/store_bench.h)
 * for `make bench`.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "card/image.h"
#include "tests/cardos/store_bench.h"

const char image_name[] = "storebench";

void image_add_applications(struct applet_table *table)
{
    (void)table;
}

void image_boot_point(enum image_point point, enum reset_cause cause)
{
    (void)cause;
    if (point == IMAGE_AFTER_STORAGE) {
        store_bench_run();
    }
}
