/*
 * A fixed table of applications: the simplest apdu_registry
 * (apdu/registry.h). Applications are kept by pointer, in the order they
 * were added, and are all selectable.
 *
 * No hardware access; compiles on the host.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_APDU_APPLET_TABLE_H
#define CARDOS_APDU_APPLET_TABLE_H

#include <stdbool.h>

#include "apdu/registry.h"

#define APPLET_TABLE_MAX 8

struct applet_table {
    const struct applet *apps[APPLET_TABLE_MAX];
    unsigned count;
    struct apdu_registry registry;      /* find() over this table */
};

/* Empty the table; t->registry is ready for dispatch_set_registry(). */
void applet_table_init(struct applet_table *t);
/* Add A. False if the table is full, A has no process() or its AID is
 * not 5..16 bytes. */
bool applet_table_add(struct applet_table *t, const struct applet *a);

#endif /* CARDOS_APDU_APPLET_TABLE_H */
