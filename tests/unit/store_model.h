/*
 * A reference model of the object store for its unit tests: a plain array
 * of objects (id -> bytes) that transactions are applied to, deterministic
 * payloads, and a comparison of a mounted store against the model through
 * the store's public API only.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_TESTS_STORE_MODEL_H
#define NETCARD_TESTS_STORE_MODEL_H

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "nor_sim.h"
#include "store/store.h"

#define MODEL_IDS       12      /* object ids 1..MODEL_IDS */
#define MODEL_MAX_LEN   700
#define MODEL_MAX_OPS   8

struct model {
    bool present[MODEL_IDS + 1];
    uint16_t len[MODEL_IDS + 1];
    uint32_t ver[MODEL_IDS + 1];
};

struct model_op {
    bool del;
    uint32_t id;
    uint16_t len;
    uint32_t ver;
};

struct model_txn {
    int n;
    bool secure;                /* run as a secure transaction */
    struct model_op op[MODEL_MAX_OPS];
};

static inline uint64_t model_rng(uint64_t *s)
{
    uint64_t x = *s;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545f4914f6cdd1dull;
}

/* The payload of object ID at version VER: LEN deterministic bytes. */
static inline void model_payload(uint32_t id, uint32_t ver, uint16_t len,
                                 uint8_t *out)
{
    uint32_t x = id * 2654435761u ^ ver * 40503u ^ 0x5bd1e995u;

    for (uint16_t i = 0; i < len; i++) {
        x = x * 1103515245u + 12345u;
        out[i] = (uint8_t)(x >> 16);
    }
}

static inline void model_apply(struct model *m, const struct model_txn *t)
{
    for (int i = 0; i < t->n; i++) {
        const struct model_op *o = &t->op[i];

        m->present[o->id] = !o->del;
        m->len[o->id] = o->del ? 0 : o->len;
        m->ver[o->id] = o->del ? 0 : o->ver;
    }
}

/* A random transaction valid against M (deletes target present ids). */
static inline void model_random_txn(struct model *m, uint64_t *rng,
                                    uint32_t *ver, int max_ops,
                                    uint16_t max_len, struct model_txn *t)
{
    struct model tmp = *m;

    t->secure = false;
    t->n = 1 + (int)(model_rng(rng) % (uint64_t)max_ops);
    for (int i = 0; i < t->n; i++) {
        struct model_op *o = &t->op[i];

        o->id = 1 + (uint32_t)(model_rng(rng) % MODEL_IDS);
        o->del = tmp.present[o->id] && model_rng(rng) % 4 == 0;
        o->len = o->del ? 0 : (uint16_t)(model_rng(rng) % (max_len + 1u));
        o->ver = o->del ? 0 : ++*ver;
        struct model_txn one = { .n = 1, .op = { *o } };
        model_apply(&tmp, &one);
    }
}

/* Run T as one store transaction; returns the first error (0: committed). */
static inline int model_run_txn(struct store *s, const struct model_txn *t)
{
    static uint8_t buf[MODEL_MAX_LEN];
    int rc = t->secure ? store_begin_secure(s) : store_begin(s);

    if (rc) {
        return rc;
    }
    for (int i = 0; i < t->n; i++) {
        const struct model_op *o = &t->op[i];

        if (o->del) {
            rc = store_delete(s, o->id);
        } else {
            model_payload(o->id, o->ver, o->len, buf);
            rc = store_write(s, o->id, buf, o->len);
        }
        if (rc) {
            store_abort(s);
            return rc;
        }
    }
    return store_commit(s);
}

/*
 * Does the store hold exactly the objects that PRESENT, LEN and VER
 * describe for ids 1..N_IDS (model_payload bytes), and no other?
 */
/* An object id outside the model that the checks below ignore (0: none;
 * the commit rider's in test_store_tear.c). */
static uint32_t model_extra_id;

static inline bool model_arrays_match(const struct store *s, uint32_t n_ids,
                                      const bool *present,
                                      const uint16_t *len,
                                      const uint32_t *ver, char *why,
                                      size_t why_len)
{
    static uint8_t got[STORE_MAX_OBJECT], want[STORE_MAX_OBJECT];
    uint32_t id = 0;

    for (uint32_t i = 1; i <= n_ids; i++) {
        uint32_t got_len = 0;
        int rc = store_read(s, i, got, sizeof(got), &got_len);

        if (!present[i]) {
            if (rc != STORE_ERR_NOT_FOUND) {
                snprintf(why, why_len, "id %u should be absent: %s", i,
                         store_strerror(rc));
                return false;
            }
            continue;
        }
        if (rc != STORE_OK) {
            snprintf(why, why_len, "id %u: %s", i, store_strerror(rc));
            return false;
        }
        model_payload(i, ver[i], len[i], want);
        if (got_len != len[i] || memcmp(got, want, got_len) != 0) {
            snprintf(why, why_len, "id %u: %u bytes, expected %u of "
                     "version %u", i, got_len, len[i], ver[i]);
            return false;
        }
    }
    while ((id = store_next_id(s, id)) != 0) {
        if (id == model_extra_id) {
            continue;           /* checked by the test itself */
        }
        if (id > n_ids || !present[id]) {
            snprintf(why, why_len, "unexpected id %u", id);
            return false;
        }
    }
    return true;
}

/* Does the store hold exactly the objects of M? */
static inline bool model_matches(const struct store *s, const struct model *m,
                                 char *why, size_t why_len)
{
    return model_arrays_match(s, MODEL_IDS, m->present, m->len, m->ver, why,
                              why_len);
}

#endif /* NETCARD_TESTS_STORE_MODEL_H */
