/*
 * Symmetric key handles: crypto on keys named, not held. A handle names
 * a key of the key store (crypto/keystore.h) or a session key derived
 * from one (the SCP03 KDF of GPC Amendment D 4.1.5, the SCP02 session
 * keys of GPC 2.3.1 E.4.1) by its recipe: key store id, derivation
 * constant, context. It holds no key bytes, so a secure channel session
 * keeps handles instead of keys.
 *
 * The keys live in the coprocessor's key slots (docs/crypto.md "Key
 * slots"): CRYPTO_KEY_CACHE slots (engine slots 5 and 8..15) form a cache
 * by recipe, least recently used out. A handle's key is made on its first
 * use and stays while in use:
 *   - a stored key: read from the key store into a stack buffer, loaded
 *     through KEYDATA (KEY_LOAD FROMREG, which clears KEYDATA) and the
 *     buffer wiped: the only time a static key's value is in RAM, for the
 *     duration of one call (the store's own read buffer is wiped too);
 *   - a derived key: its base key is made (as above), then the engine
 *     derives into a slot (CMAC KDF or TDES to slot, CMD.TOSLOT): the
 *     session key is never in memory. Evicted, it is derived again from
 *     the recipe, unless its base key may have changed since the handle
 *     was made (keystore_epoch(id)): then CRYPTO_ERR_STALE (the caller
 *     ends the session; a replaced static key would give another session
 *     key).
 *
 * Handles are plain values: zero them before filling (the constructors
 * do), copy them freely; two handles with the same recipe name the same
 * slot. Results are enum crypto_status (crypto/crypto.h) plus
 * CRYPTO_ERR_STALE; a missing or malformed stored key is CRYPTO_ERR_PARAM.
 *
 * On the card: crypto/key.c over the engine primitives of crypto/slot.h
 * (crypto/slot.c); on the host unit tests: the same key.c over
 * tests/unit/crypto_host.c. Not reentrant (main loop only).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_CRYPTO_KEY_H
#define CARDOS_CRYPTO_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "store/store.h"

#define CRYPTO_ERR_STALE  (-8)     /* derived key lost, store changed */

enum crypto_key_kind {
    CRYPTO_KEY_NONE = 0,
    CRYPTO_KEY_STORED,      /* a key store key */
    CRYPTO_KEY_SCP03,       /* KDF(base, constant, L = base length, ctx) */
    CRYPTO_KEY_SCP02,       /* 3DES-CBC(base, constant | seq | 0..) */
    CRYPTO_KEY_SCP02_K1,    /* K1 || K1 of that SCP02 key (single DES) */
};

struct crypto_key {
    const struct store *st;
    uint16_t epoch;         /* derived: keystore_epoch(id) of the recipe */
    uint16_t id;            /* key store id (of the base key) */
    uint16_t constant;      /* derivation constant */
    uint8_t kind;           /* enum crypto_key_kind */
    uint8_t type;           /* KEYSTORE_TYPE_AES or _DES (base and key) */
    uint8_t len;            /* key length: 16, 24, 32 */
    uint8_t ctx_len;
    uint8_t ctx[16];        /* SCP03: host | card challenge; SCP02: seq */
};

#define CRYPTO_KEY_CACHE 9u

/* K names key store key ID of TYPE and LEN bytes. */
void crypto_key_stored(struct crypto_key *k, const struct store *st,
                       uint16_t id, uint8_t type, uint8_t len);
/*
 * K names a key derived from the stored key BASE of KIND with CONSTANT
 * and CTX (CTX_LEN <= 16), in key store epoch EPOCH. Nothing is computed
 * yet.
 */
void crypto_key_derived(struct crypto_key *k, const struct crypto_key *base,
                        enum crypto_key_kind kind, uint16_t constant,
                        const uint8_t *ctx, size_t ctx_len, uint16_t epoch);

/* Make K's key (load or derive) now: errors show here. */
enum crypto_status crypto_key_make(const struct crypto_key *k);

/* As crypto_cipher() (engine: the coprocessor) with K's key. */
enum crypto_status crypto_key_cipher(const struct crypto_key *k,
                                     enum crypto_cipher alg, bool decrypt,
                                     uint8_t *iv, const uint8_t *in,
                                     uint8_t *out, size_t len);
/* AES-CMAC of MSG (at most CRYPTO_BOUNCE_SIZE - 16 bytes unless word
 * aligned in RAM) into MAC. */
enum crypto_status crypto_key_cmac(const struct crypto_key *k,
                                   const uint8_t *msg, size_t len,
                                   uint8_t mac[16]);
/*
 * ISO/IEC 9797-1 MAC algorithm 3 with K (2-key TDES) and initial value
 * ICV over MSG padded with method 2 (LEN <= CRYPTO_BOUNCE_SIZE - 24).
 */
enum crypto_status crypto_key_retail_mac(const struct crypto_key *k,
                                         const uint8_t icv[8],
                                         const uint8_t *msg, size_t len,
                                         uint8_t mac[8]);

/* The cache entry (0..CRYPTO_KEY_CACHE-1) holding K's key, or -1: which
 * slot, never what is in it (diagnostics, the host tests' model). */
int crypto_key_entry(const struct crypto_key *k);

/* Zeroize K's slot if it holds it. */
void crypto_key_forget(const struct crypto_key *k);

struct crypto_key_stats {
    uint32_t loads;         /* stored keys loaded into a slot */
    uint32_t derivations;   /* derived keys made in a slot */
    uint32_t hits;          /* uses of a key already in its slot */
};
void crypto_key_stats(struct crypto_key_stats *out);
/* Forget every cached key (the slots are zeroized): tests, reset. */
void crypto_key_flush(void);

#endif /* CARDOS_CRYPTO_KEY_H */
