/*
 * keystore: secret keys as store objects. Contract: keystore.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "crypto/keystore.h"

#include <stdbool.h>
#include <string.h>

#define KEY_HEAD 3u             /* format, type, value length */
#define KEY_OBJ_MAX (KEY_HEAD + KEYSTORE_VALUE_MAX)

/* A plain memset before a buffer dies may be optimised away. */
static void wipe(void *p, size_t len)
{
    volatile uint8_t *b = p;

    while (len--) {
        *b++ = 0;
    }
}

/* Write key ID in a transaction of its own (STAGE false) or in the
 * caller's open one. */
/* Change counters by key id, one per bucket of key ids that differ only
 * in their two low bits (a GlobalPlatform key set: gp/keyset.h). */
#define EPOCH_BUCKETS 16u

static uint16_t epoch[EPOCH_BUCKETS];

static unsigned bucket(uint16_t id)
{
    return (unsigned)(((uint32_t)(id >> 2) * 0x9E37u) >> 8) % EPOCH_BUCKETS;
}

uint16_t keystore_epoch(uint16_t id)
{
    return epoch[bucket(id)];
}

void keystore_changed(uint16_t id)
{
    epoch[bucket(id)]++;
}

void keystore_changed_all(void)
{
    for (unsigned i = 0; i < EPOCH_BUCKETS; i++) {
        epoch[i]++;
    }
}

static int put(struct store *st, uint16_t id, uint8_t type,
               const void *value, size_t len, bool stage)
{
    uint8_t obj[KEY_OBJ_MAX];
    int rc;

    if (st == NULL) {
        return STORE_ERR_STATE;
    }
    keystore_changed(id);
    if (value == NULL || len == 0 || len > KEYSTORE_VALUE_MAX) {
        return STORE_ERR_PARAM;
    }
    obj[0] = KEYSTORE_FORMAT;
    obj[1] = type;
    obj[2] = (uint8_t)len;
    memcpy(obj + KEY_HEAD, value, len);
    if (stage) {
        rc = store_write(st, KEYSTORE_OBJ(id), obj, (uint32_t)(KEY_HEAD + len));
    } else {
        rc = store_put(st, KEYSTORE_OBJ(id), obj, (uint32_t)(KEY_HEAD + len));
    }
    wipe(obj, sizeof(obj));
    return rc;
}

int keystore_put(struct store *st, uint16_t id, uint8_t type,
                 const void *value, size_t len)
{
    return put(st, id, type, value, len, false);
}

int keystore_stage_put(struct store *st, uint16_t id, uint8_t type,
                       const void *value, size_t len)
{
    return put(st, id, type, value, len, true);
}

/* Read and check key ID's object into OBJ; its value length into *N. */
static int load(const struct store *st, uint16_t id, uint8_t *obj,
                size_t *n)
{
    uint32_t got = 0;
    int rc;

    if (st == NULL) {
        return STORE_ERR_STATE;
    }
    rc = store_read(st, KEYSTORE_OBJ(id), obj, KEY_OBJ_MAX, &got);
    if (rc == STORE_ERR_PARAM) {
        return KEYSTORE_ERR_FORMAT;     /* larger than any key */
    }
    if (rc != STORE_OK) {
        return rc;
    }
    if (got < KEY_HEAD + 1u || obj[0] != KEYSTORE_FORMAT ||
        obj[2] != got - KEY_HEAD) {
        return KEYSTORE_ERR_FORMAT;
    }
    *n = obj[2];
    return STORE_OK;
}

int keystore_read(const struct store *st, uint16_t id, uint8_t type,
                  void *out, size_t cap, size_t *len)
{
    uint8_t obj[KEY_OBJ_MAX];
    size_t n = 0;
    int rc = load(st, id, obj, &n);

    if (rc == STORE_OK && obj[1] != type) {
        rc = KEYSTORE_ERR_TYPE;
    }
    if (rc == STORE_OK && (out == NULL || cap < n)) {
        rc = STORE_ERR_PARAM;
    }
    if (rc == STORE_OK) {
        memcpy(out, obj + KEY_HEAD, n);
        if (len) {
            *len = n;
        }
    }
    wipe(obj, sizeof(obj));
    return rc;
}

int keystore_info(const struct store *st, uint16_t id, uint8_t *type,
                  size_t *len)
{
    uint8_t obj[KEY_OBJ_MAX];
    size_t n = 0;
    int rc = load(st, id, obj, &n);

    if (rc == STORE_OK) {
        if (type) {
            *type = obj[1];
        }
        if (len) {
            *len = n;
        }
    }
    wipe(obj, sizeof(obj));
    return rc;
}

int keystore_delete(struct store *st, uint16_t id)
{
    int rc;

    if (st == NULL) {
        return STORE_ERR_STATE;
    }
    keystore_changed(id);
    rc = store_begin(st);
    if (rc == STORE_OK) {
        rc = store_delete(st, KEYSTORE_OBJ(id));
        if (rc != STORE_OK) {
            store_abort(st);
            return rc;
        }
        rc = store_commit(st);
    }
    return rc;
}
