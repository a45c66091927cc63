/*
 * Symmetric key handles and their slot cache. Contract: crypto/key.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "crypto/key.h"

#include <string.h>

#include "crypto/keystore.h"
#include "crypto/slot.h"

static struct {
    struct crypto_key key[CRYPTO_KEY_CACHE];  /* recipes, no values */
    uint16_t epoch[CRYPTO_KEY_CACHE];   /* stored keys: when loaded */
    uint32_t used[CRYPTO_KEY_CACHE];    /* LRU stamp, 0: empty */
    uint32_t clock;
    struct crypto_key_stats stats;
} cache;

static void wipe(void *p, size_t n)
{
    volatile uint8_t *v = p;

    while (n--) {
        *v++ = 0;
    }
}

void crypto_key_stored(struct crypto_key *k, const struct store *st,
                       uint16_t id, uint8_t type, uint8_t len)
{
    memset(k, 0, sizeof(*k));
    k->st = st;
    k->id = id;
    k->kind = CRYPTO_KEY_STORED;
    k->type = type;
    k->len = len;
}

void crypto_key_derived(struct crypto_key *k, const struct crypto_key *base,
                        enum crypto_key_kind kind, uint16_t constant,
                        const uint8_t *ctx, size_t ctx_len, uint16_t epoch)
{
    memset(k, 0, sizeof(*k));
    k->st = base->st;
    k->id = base->id;
    k->type = base->type;
    k->len = base->len;
    k->kind = (uint8_t)kind;
    k->constant = constant;
    k->epoch = epoch;
    if (ctx_len > sizeof(k->ctx)) {
        ctx_len = sizeof(k->ctx);
    }
    k->ctx_len = (uint8_t)ctx_len;
    memcpy(k->ctx, ctx, ctx_len);
}

static bool same(const struct crypto_key *a, const struct crypto_key *b)
{
    return a->st == b->st && a->epoch == b->epoch && a->id == b->id &&
           a->constant == b->constant && a->kind == b->kind &&
           a->type == b->type && a->len == b->len &&
           a->ctx_len == b->ctx_len && memcmp(a->ctx, b->ctx, a->ctx_len) == 0;
}

static int find(const struct crypto_key *k)
{
    for (unsigned i = 0; i < CRYPTO_KEY_CACHE; i++) {
        if (cache.used[i] && same(&cache.key[i], k) &&
            (k->kind != CRYPTO_KEY_STORED ||
             cache.epoch[i] == keystore_epoch(k->id))) {
            return (int)i;
        }
    }
    return -1;
}

/* An empty entry, or the least recently used one other than KEEP. */
static unsigned victim(int keep)
{
    unsigned best = 0;
    uint32_t oldest = UINT32_MAX;

    for (unsigned i = 0; i < CRYPTO_KEY_CACHE; i++) {
        if ((int)i == keep) {
            continue;
        }
        if (cache.used[i] == 0) {
            return i;
        }
        if (cache.used[i] < oldest) {
            oldest = cache.used[i];
            best = i;
        }
    }
    return best;
}

static void touch(unsigned i)
{
    cache.used[i] = ++cache.clock;
}

static enum crypto_status load_stored(const struct crypto_key *k, unsigned i)
{
    uint8_t v[32];
    size_t n = 0;
    enum crypto_status rc;

    if (keystore_read(k->st, k->id, k->type, v, sizeof(v), &n) != STORE_OK ||
        n != k->len) {
        wipe(v, sizeof(v));
        return CRYPTO_ERR_PARAM;
    }
    rc = crypto_slot_load(i, k->type, v, n);
    wipe(v, sizeof(v));
    if (rc == CRYPTO_OK) {
        cache.epoch[i] = keystore_epoch(k->id);
        cache.stats.loads++;
    }
    return rc;
}

/* Derive K's key into entry I from its base key in entry B. */
static enum crypto_status derive(const struct crypto_key *k, unsigned i,
                                 unsigned b)
{
    uint8_t msg[32] = { 0 };

    if (k->kind == CRYPTO_KEY_SCP03) {
        /* Amendment D 4.1.5: label (11 zero bytes, the constant),
         * separator 00, L, counter i (set by the engine), context */
        uint16_t l_bits = (uint16_t)(k->len * 8u);

        msg[11] = (uint8_t)k->constant;
        msg[13] = (uint8_t)(l_bits >> 8);
        msg[14] = (uint8_t)l_bits;
        memcpy(msg + 16, k->ctx, k->ctx_len);
        return crypto_slot_kdf(i, b, 15, msg, 16u + k->ctx_len, k->len);
    }
    /* GPC 2.3.1 E.4.1: 3DES-CBC, zero ICV, of constant | counter | 00..;
     * K1 || K1: the first block twice, ECB (the CBC's first block) */
    msg[0] = (uint8_t)(k->constant >> 8);
    msg[1] = (uint8_t)k->constant;
    memcpy(msg + 2, k->ctx, k->ctx_len < 14 ? k->ctx_len : 14);
    if (k->kind == CRYPTO_KEY_SCP02_K1) {
        memcpy(msg + 8, msg, 8);
        return crypto_slot_tdes_key(i, b, false, msg, 16);
    }
    return crypto_slot_tdes_key(i, b, true, msg, 16);
}

/* The cache entry holding K's key, made if need be. */
static enum crypto_status entry(const struct crypto_key *k, unsigned *out)
{
    struct crypto_key base;
    enum crypto_status rc;
    int i = find(k), b;

    if (i >= 0) {
        touch((unsigned)i);
        cache.stats.hits++;
        *out = (unsigned)i;
        return CRYPTO_OK;
    }
    switch (k->kind) {
    case CRYPTO_KEY_STORED:
        i = (int)victim(-1);
        cache.used[i] = 0;
        rc = load_stored(k, (unsigned)i);
        break;
    case CRYPTO_KEY_SCP03:
    case CRYPTO_KEY_SCP02:
    case CRYPTO_KEY_SCP02_K1:
        if (k->epoch != keystore_epoch(k->id)) {
            return CRYPTO_ERR_STALE;
        }
        crypto_key_stored(&base, k->st, k->id, k->type, k->len);
        rc = entry(&base, (unsigned *)&b);
        if (rc != CRYPTO_OK) {
            return rc;
        }
        i = (int)victim(b);
        cache.used[i] = 0;
        rc = derive(k, (unsigned)i, (unsigned)b);
        if (rc == CRYPTO_OK) {
            cache.stats.derivations++;
        }
        break;
    default:
        return CRYPTO_ERR_PARAM;
    }
    if (rc != CRYPTO_OK) {
        return rc;
    }
    cache.key[i] = *k;
    touch((unsigned)i);
    *out = (unsigned)i;
    return CRYPTO_OK;
}

enum crypto_status crypto_key_make(const struct crypto_key *k)
{
    unsigned i;

    return entry(k, &i);
}

enum crypto_status crypto_key_cipher(const struct crypto_key *k,
                                     enum crypto_cipher alg, bool decrypt,
                                     uint8_t *iv, const uint8_t *in,
                                     uint8_t *out, size_t len)
{
    unsigned i;
    enum crypto_status rc = entry(k, &i);

    return rc == CRYPTO_OK ? crypto_slot_cipher(i, alg, decrypt, iv, in, out,
                                                len)
                           : rc;
}

enum crypto_status crypto_key_cmac(const struct crypto_key *k,
                                   const uint8_t *msg, size_t len,
                                   uint8_t mac[16])
{
    unsigned i;
    enum crypto_status rc = entry(k, &i);

    return rc == CRYPTO_OK ? crypto_slot_cmac(i, msg, len, mac) : rc;
}

enum crypto_status crypto_key_retail_mac(const struct crypto_key *k,
                                         const uint8_t icv[8],
                                         const uint8_t *msg, size_t len,
                                         uint8_t mac[8])
{
    unsigned i;
    enum crypto_status rc = entry(k, &i);

    return rc == CRYPTO_OK ? crypto_slot_retail_mac(i, icv, msg, len, mac)
                           : rc;
}

int crypto_key_entry(const struct crypto_key *k)
{
    return find(k);
}

void crypto_key_forget(const struct crypto_key *k)
{
    for (unsigned i = 0; i < CRYPTO_KEY_CACHE; i++) {
        if (cache.used[i] && same(&cache.key[i], k)) {
            crypto_slot_clear(i);
            cache.used[i] = 0;
        }
    }
}

void crypto_key_stats(struct crypto_key_stats *out)
{
    *out = cache.stats;
}

void crypto_key_flush(void)
{
    for (unsigned i = 0; i < CRYPTO_KEY_CACHE; i++) {
        if (cache.used[i]) {
            crypto_slot_clear(i);
        }
        cache.used[i] = 0;
    }
}
