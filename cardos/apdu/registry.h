/*
 * Where the dispatcher finds applications by AID: an interface, so that
 * the card's wiring chooses the implementation. Today a static table
 * (apdu/applet_table.h); the GlobalPlatform registry (cardos/gp/)
 * implements the same interface, with life cycle states deciding what is
 * selectable.
 *
 * No hardware access; compiles on the host.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_APDU_REGISTRY_H
#define CARDOS_APDU_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "apdu/applet.h"

struct apdu_registry {
    /*
     * The first selectable application after AFTER (NULL: from the start,
     * in the registry's own order) whose AID begins with the LEN bytes at
     * AID: a full or partial DF name (ISO/IEC 7816-4:2013 11.2.2, SELECT
     * first/next occurrence). NULL when there is none.
     */
    const struct applet *(*find)(void *ctx, const uint8_t *aid, size_t len,
                                 const struct applet *after);
    /*
     * What SELECT by DF name without a name (no data field) selects, or
     * NULL (and a NULL function): nothing, 6700. GlobalPlatform cards
     * select the Issuer Security Domain (GPC 2.3.1 11.9.2.1).
     */
    const struct applet *(*unnamed)(void *ctx);
    void *ctx;
};

#endif /* CARDOS_APDU_REGISTRY_H */
