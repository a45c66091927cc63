/*
 * A fixed table of applications. Contract: apdu/applet_table.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "apdu/applet_table.h"

static const struct applet *find(void *ctx, const uint8_t *aid, size_t len,
                                 const struct applet *after)
{
    const struct applet_table *t = ctx;
    unsigned i = 0;

    if (after != NULL) {
        while (i < t->count && t->apps[i] != after) {
            i++;
        }
        i++;                /* AFTER not in the table: nothing follows */
    }
    for (; i < t->count; i++) {
        if (t->apps[i]->aid_len >= len &&
            memcmp(t->apps[i]->aid, aid, len) == 0) {
            return t->apps[i];
        }
    }
    return NULL;
}

void applet_table_init(struct applet_table *t)
{
    memset(t, 0, sizeof(*t));
    t->registry.find = find;
    t->registry.unnamed = NULL;
    t->registry.ctx = t;
}

bool applet_table_add(struct applet_table *t, const struct applet *a)
{
    if (t->count >= APPLET_TABLE_MAX || a->process == NULL ||
        a->aid_len < APDU_AID_MIN || a->aid_len > APDU_AID_MAX) {
        return false;
    }
    t->apps[t->count++] = a;
    return true;
}
