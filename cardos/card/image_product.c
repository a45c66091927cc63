/*
 * The product image: the card as users get it, nothing added
 * (card/image.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "card/image.h"

const char image_name[] = "product";

void image_add_applications(struct applet_table *table)
{
    (void)table;
}

void image_boot_point(enum image_point point, enum reset_cause cause)
{
    (void)point;
    (void)cause;
}
