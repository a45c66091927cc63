/*
 * keystore: the card's secret keys, one object of the object store
 * (store/store.h) per key, so they persist and change atomically.
 *
 * A key is named by a 16-bit key id and holds a type and a value:
 *   - type: the GlobalPlatform key type byte (GPC 2.3.1 Table 11-16;
 *     0x85 "pre-shared key for TLS" from Amendment B), KEYSTORE_TYPE_*;
 *   - value: 1..KEYSTORE_VALUE_MAX bytes.
 * Key ids are the wiring's to assign (the card's own keys, and later the
 * GlobalPlatform key sets of issue 13, which will map (key version, key
 * id) onto them); docs/crypto.md "Key store" lists those in use.
 *
 * Storage: key id K is store object KEYSTORE_OBJ(K) (the 0x4B59xxxx
 * range, "KY"), payload: format byte KEYSTORE_FORMAT, type, value length
 * n, then the n value bytes. The store's CRC covers it; one write is one
 * store transaction (atomic against a power cut).
 *
 * Contract for the values (secrets):
 *   - they leave the key store only through keystore_read(), a copy into
 *     the caller's buffer, for privileged card OS consumers (the TLS PSK
 *     provider of the card's wiring today; secure channels later). No call
 *     returns a pointer into the NVM, no system call for applications may
 *     export keystore_read(), and nothing here logs a value;
 *   - a caller wipes its copy when done (the TLS layer does, with
 *     mbedtls_platform_zeroize()); the key store wipes its own staging
 *     buffers;
 *   - keystore_info() tells a key's type and length without the value.
 *
 * Results: STORE_OK (0) or a negative store_result (store/store.h):
 * STORE_ERR_STATE (no store), STORE_ERR_NOT_FOUND (no such key),
 * STORE_ERR_PARAM (bad length, buffer too small), STORE_ERR_CORRUPT (the
 * object fails its CRC); or KEYSTORE_ERR_TYPE (the key is of another type
 * than asked) and KEYSTORE_ERR_FORMAT (the object is not a key of this
 * format). Not reentrant: the event loop only, like the store.
 *
 * Host unit-tested: tests/unit/test_keystore.c (on tests/unit/nor_sim).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_CRYPTO_KEYSTORE_H
#define CARDOS_CRYPTO_KEYSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define KEYSTORE_OBJ_BASE     0x4B590000u          /* "KY" */
#define KEYSTORE_OBJ(id)      (KEYSTORE_OBJ_BASE | (uint32_t)(uint16_t)(id))
#define KEYSTORE_FORMAT       1u
#define KEYSTORE_VALUE_MAX    64u

/* GlobalPlatform key types (GPC 2.3.1 Table 11-16, Amendment B). */
#define KEYSTORE_TYPE_DES     0x80u
#define KEYSTORE_TYPE_PSK_TLS 0x85u
#define KEYSTORE_TYPE_AES     0x88u

#define KEYSTORE_ERR_TYPE     (-32)
#define KEYSTORE_ERR_FORMAT   (-33)

/* Create or replace key ID (one store transaction). */
int keystore_put(struct store *st, uint16_t id, uint8_t type,
                 const void *value, size_t len);

/*
 * Copy the value of key ID, which must be of type TYPE, into OUT (CAP
 * bytes); its length into *LEN. Nothing is copied on an error.
 */
int keystore_read(const struct store *st, uint16_t id, uint8_t type,
                  void *out, size_t cap, size_t *len);

/* Type and value length of key ID (either pointer may be NULL). */
int keystore_info(const struct store *st, uint16_t id, uint8_t *type,
                  size_t *len);

/* Remove key ID (one store transaction). */
int keystore_delete(struct store *st, uint16_t id);

/*
 * Stage the creation or replacement of key ID into the transaction the
 * caller has open on ST (store_begin ... store_commit), so that several
 * keys change together (a GlobalPlatform key set: all or none). Errors as
 * store_write(); the caller aborts.
 */
int keystore_stage_put(struct store *st, uint16_t id, uint8_t type,
                       const void *value, size_t len);

/*
 * A counter that changes whenever key ID may have changed (shared by ids
 * that differ only in their two low bits, a GlobalPlatform key set, and
 * by a few others: a change shows as a change of all of them):
 * keystore_put, keystore_stage_put and keystore_delete count; callers
 * that delete key objects themselves inside a larger transaction call
 * keystore_changed(id) or keystore_changed_all(). The key handles
 * (crypto/key.h) reload a cached key and refuse to derive a session key
 * again once its base key's counter moved. 16 bits: a count that wraps
 * round to the same value only misses a change, which then shows as
 * wrong MACs (the session fails safe).
 */
uint16_t keystore_epoch(uint16_t id);
void keystore_changed(uint16_t id);
void keystore_changed_all(void);

#endif /* CARDOS_CRYPTO_KEYSTORE_H */
