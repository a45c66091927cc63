/*
 * Image variants: what one card OS image adds to the product's wiring.
 *
 * Every image is the same card OS (card/main.c and everything below it)
 * plus exactly one implementation of this header:
 *   cardos.elf            card/image_product.c: adds nothing
 *   cardos-test.elf       tests/cardos/image_test.c: the test application
 *                         (echo, generate, delay, crypto and bench
 *                         commands) that the system tests and benchmarks
 *                         talk to
 *   cardos-fault.elf      tests/cardos/image_fault.c: a BusFault on
 *                         power-on boots
 *   cardos-watchdog.elf   tests/cardos/image_watchdog.c: starves the
 *                         watchdog on power-on boots
 *   cardos-storebench.elf tests/cardos/image_storebench.c: times the
 *                         object store (make bench)
 * so that the product image carries no test code (cardos/build.mk lists
 * the images and their sources).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_CARD_IMAGE_H
#define CARDOS_CARD_IMAGE_H

#include "apdu/applet_table.h"
#include "kernel/reset_cause.h"

/* The image's name in the boot log ("product", "test", ...). */
extern const char image_name[];

/*
 * Add the image's applications after the product's (card/applications.c);
 * they are selectable by AID like any other.
 */
void image_add_applications(struct applet_table *table);

/* Fixed points of the boot (card/main.c) where an image may act. */
enum image_point {
    IMAGE_AFTER_BANNER,     /* banner and last-boot report printed */
    IMAGE_AFTER_STORAGE,    /* store and file system mounted */
};

void image_boot_point(enum image_point point, enum reset_cause cause);

#endif /* CARDOS_CARD_IMAGE_H */
