/*
 * Security domain key sets. Contract: gp/keyset.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "gp/keyset.h"

/* Is KVN a complete secure channel key set? Fills OUT. */
static bool channel_set(const struct store *st, uint8_t sd, uint8_t kvn,
                        struct gp_keyset *out)
{
    uint8_t type = 0, t;
    size_t len = 0, l;

    for (uint8_t kid = GP_KID_ENC; kid <= GP_KID_DEK; kid++) {
        if (keystore_info(st, gp_key_id(sd, kvn, kid), &t, &l) != STORE_OK) {
            return false;
        }
        if (kid == GP_KID_ENC) {
            type = t;
            len = l;
        } else if (t != type || l != len) {
            return false;
        }
    }
    if (type == KEYSTORE_TYPE_AES && (len == 16 || len == 24 || len == 32)) {
        out->scp = 0x03;
    } else if (type == KEYSTORE_TYPE_DES && len == 16) {
        out->scp = 0x02;
    } else {
        return false;
    }
    out->kvn = kvn;
    out->type = type;
    out->key_len = (uint8_t)len;
    return true;
}

int gp_keyset_find(const struct store *st, uint8_t sd, uint8_t kvn,
                   struct gp_keyset *out)
{
    struct gp_keyset ks, scp02 = { 0 };

    if (st == NULL) {
        return STORE_ERR_STATE;
    }
    if (kvn != 0) {
        if (kvn > GP_KVN_MAX || !channel_set(st, sd, kvn, out)) {
            return STORE_ERR_NOT_FOUND;
        }
        return STORE_OK;
    }
    for (unsigned v = GP_KVN_MAX; v >= GP_KVN_MIN; v--) {
        if (keystore_info(st, gp_key_id(sd, v, GP_KID_ENC), NULL, NULL) !=
                STORE_OK || !channel_set(st, sd, (uint8_t)v, &ks)) {
            continue;
        }
        if (ks.scp == 0x03) {
            *out = ks;
            return STORE_OK;
        }
        if (scp02.kvn == 0) {
            scp02 = ks;
        }
    }
    if (scp02.kvn == 0) {
        return STORE_ERR_NOT_FOUND;
    }
    *out = scp02;
    return STORE_OK;
}

unsigned gp_keyset_protocols(const struct store *st, uint8_t sd)
{
    struct gp_keyset ks;
    unsigned has = 0;

    for (unsigned v = GP_KVN_MIN; st && v <= GP_KVN_MAX; v++) {
        if (keystore_info(st, gp_key_id(sd, v, GP_KID_ENC), NULL, NULL) ==
                STORE_OK && channel_set(st, sd, (uint8_t)v, &ks)) {
            has |= ks.scp == 0x03 ? GP_HAS_SCP03 : GP_HAS_SCP02;
        }
    }
    return has;
}

int gp_keyset_read(const struct store *st, uint8_t sd, uint8_t kvn, uint8_t kid,
                   uint8_t type, uint8_t *out, size_t cap, size_t *len)
{
    return keystore_read(st, gp_key_id(sd, kvn, kid), type, out, cap, len);
}

int gp_counter_peek(const struct store *st, uint8_t sd, uint8_t kvn,
                    uint32_t *value)
{
    uint8_t b[3];
    uint32_t n = 0;
    int rc;

    if (st == NULL) {
        return STORE_ERR_STATE;
    }
    rc = store_read(st, GP_SD_OBJ_COUNTER(sd, kvn), b, sizeof(b), &n);
    if (rc == STORE_ERR_NOT_FOUND) {
        *value = 0;
        return STORE_OK;
    }
    if (rc != STORE_OK) {
        return rc;
    }
    if (n != 3) {
        return STORE_ERR_CORRUPT;
    }
    *value = (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[2];
    return STORE_OK;
}

int gp_counter_take(struct store *st, uint8_t sd, uint8_t kvn, uint32_t max,
                    uint32_t *value)
{
    uint32_t v;
    uint8_t b[3];
    int rc = gp_counter_peek(st, sd, kvn, &v);

    if (rc != STORE_OK) {
        return rc;
    }
    if (v > max) {
        return GP_ERR_EXHAUSTED;
    }
    b[0] = (uint8_t)((v + 1) >> 16);
    b[1] = (uint8_t)((v + 1) >> 8);
    b[2] = (uint8_t)(v + 1);
    rc = store_put_secure(st, GP_SD_OBJ_COUNTER(sd, kvn), b, sizeof(b));
    if (rc == STORE_OK) {
        *value = v;
    }
    return rc;
}

int gp_tries_used(const struct store *st, uint8_t sd, uint8_t kvn,
                  uint8_t *used)
{
    uint32_t n = 0;
    int rc;

    if (st == NULL) {
        return STORE_ERR_STATE;
    }
    rc = store_read(st, GP_SD_OBJ_TRIES(sd, kvn), used, 1, &n);
    if (rc == STORE_ERR_NOT_FOUND) {
        *used = 0;
        return STORE_OK;
    }
    if (rc == STORE_OK && n != 1) {
        return STORE_ERR_CORRUPT;
    }
    return rc;
}

int gp_tries_fail(struct store *st, uint8_t sd, uint8_t kvn)
{
    uint8_t used = 0;
    int rc = gp_tries_used(st, sd, kvn, &used);

    if (rc == STORE_ERR_CORRUPT) {
        used = GP_AUTH_TRIES - 1;       /* fail safe: blocked */
    } else if (rc != STORE_OK) {
        return rc;
    }
    if (used < GP_AUTH_TRIES) {
        used++;
    }
    return store_put_secure(st, GP_SD_OBJ_TRIES(sd, kvn), &used, 1);
}

int gp_tries_reset(struct store *st, uint8_t sd, uint8_t kvn)
{
    uint8_t used = 0;
    int rc = gp_tries_used(st, sd, kvn, &used);

    if (rc == STORE_OK && used == 0) {
        return STORE_OK;
    }
    used = 0;
    return store_put_secure(st, GP_SD_OBJ_TRIES(sd, kvn), &used, 1);
}

/* The key store object range of SD's keys. */
static void key_range(uint8_t sd, uint32_t *first, uint32_t *last)
{
    *first = KEYSTORE_OBJ(gp_key_id(sd, GP_KVN_MIN, 0));
    *last = KEYSTORE_OBJ(gp_key_id(sd, GP_KVN_MAX, 3));
}

size_t gp_key_info_template(const struct store *st, uint8_t sd, uint8_t *out,
                            size_t cap)
{
    size_t n = 2;
    uint32_t id, last;

    if (cap < 2 || st == NULL) {
        return 0;
    }
    key_range(sd, &id, &last);
    id--;
    /* store ids ascend as (KVN, KID) do */
    while ((id = store_next_id(st, id)) != 0 && id <= last) {
        uint8_t type;
        size_t len;

        if (keystore_info(st, (uint16_t)id, &type, &len) != STORE_OK) {
            continue;
        }
        if (n + 6 > cap || n + 6 > 2 + 127) {
            return 0;
        }
        out[n++] = 0xC0;
        out[n++] = 0x04;
        out[n++] = (uint8_t)(id & 0x03);                /* KID */
        out[n++] = (uint8_t)((id >> 2) & 0x7F);         /* KVN */
        out[n++] = type;
        out[n++] = (uint8_t)len;
    }
    out[0] = 0xE0;
    out[1] = (uint8_t)(n - 2);
    return n;
}

int gp_keyset_stage_delete_all(struct store *st, uint8_t sd)
{
    uint32_t id, last;
    int rc = STORE_OK;

    if (sd == 0) {
        return STORE_ERR_PARAM;     /* the ISD's keys are not deleted so */
    }
    keystore_changed_all();     /* cached copies of these keys are stale */
    key_range(sd, &id, &last);
    id--;
    while (rc == STORE_OK && (id = store_next_id(st, id)) != 0 && id <= last) {
        rc = store_delete(st, id);
    }
    /* its Security Domain Manager URL (GET DATA 5F50) goes too */
    if (rc == STORE_OK && store_size(st, GP_SD_OBJ_URL(sd)) >= 0) {
        rc = store_delete(st, GP_SD_OBJ_URL(sd));
    }
    /* the counters stay: a security domain made later under the same
     * number goes on from them (a counter never goes back) */
    for (unsigned kvn = GP_KVN_MIN; rc == STORE_OK && kvn <= GP_KVN_MAX; kvn++) {
        if (store_size(st, GP_SD_OBJ_TRIES(sd, kvn)) >= 0) {
            rc = store_delete(st, GP_SD_OBJ_TRIES(sd, kvn));
        }
    }
    return rc;
}
