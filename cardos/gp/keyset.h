/*
 * Security domain key sets on the key store (crypto/keystore.h), with
 * their sequence counters and authentication failure counters.
 *
 * A key set is a key version number (KVN, 01..7F) and keys by key
 * identifier (KID 01 ENC, 02 MAC, 03 DEK for secure channel key sets;
 * GPC 2.3.1 11.1.8; KIDs above 03 are not kept) of one security domain
 * (SD: 0 the ISD): key (KVN, KID) of SD is key store key id
 * gp_key_id(sd, kvn, kid). Its protocol follows from the
 * key type: AES (88) is SCP03 (Amendment D), DES (80) is SCP02 (16-byte
 * 3DES keys); a set is usable for a secure channel when ENC, MAC and DEK
 * are all present with the same type and length. Other key types (85,
 * TLS PSK for SCP81) are kept per (KVN, KID) too.
 *
 * Key values leave the key store only as copies into the caller's buffer
 * (gp_keyset_read) for the secure channel's derivations; the caller
 * wipes them (gp/scp_session.h).
 *
 * Per key set, two security objects (store_put_secure: never rolled back
 * by damage, docs/store.md "Security objects"):
 *   GP_OBJ_COUNTER(kvn)  the next sequence counter value (3 bytes); a
 *                        session uses the value and the counter is
 *                        advanced on the NVM before the card answers, so
 *                        a power cut never lets a value be used twice
 *   GP_OBJ_TRIES(kvn)    consecutive authentication failures (1 byte);
 *                        GP_AUTH_TRIES of them block the key set (GPC
 *                        2.3.1 E.5.1, Amendment D 7.1.1: INITIALIZE
 *                        UPDATE answers 6983) until PUT KEY replaces it
 * A damaged counter (STORE_ERR_CORRUPT) fails safe: the key set refuses
 * to open sessions.
 *
 * No hardware access; compiles on the host.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_GP_KEYSET_H
#define CARDOS_GP_KEYSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/keystore.h"
#include "store/store.h"

#define GP_KVN_MIN            0x01u
#define GP_KVN_MAX            0x7Fu
#define GP_KID_ENC            0x01u
#define GP_KID_MAC            0x02u
#define GP_KID_DEK            0x03u
/* Security domains: 0 the ISD, 1..GP_SD_MAX supplementary ones (their
 * number in the registry, gp/registry.h). */
#define GP_SD_MAX             62u     /* 63 would reach the TLS key FF01 */

/*
 * Key store id of key (KVN, KID) of security domain SD: 8000 | SD << 9 |
 * KVN << 2 | KID, KID 1..3 (a key set is ENC, MAC, DEK; or a PSK and its
 * DEK), a range of its own in the key store (docs/crypto.md "Keys in
 * use": the USIM's keys and the TLS key are outside it).
 */
static inline uint16_t gp_key_id(uint8_t sd, unsigned kvn, unsigned kid)
{
    return (uint16_t)(0x8000u | (sd & 0x3Fu) << 9 | (kvn & 0x7Fu) << 2 |
                      (kid & 0x03u));
}
#define GP_KEY_ID(kvn, kid)   gp_key_id(0, kvn, kid)

/* Per key set of security domain SD ("GS", "GT"). */
#define GP_SD_OBJ_COUNTER(sd, kvn) \
    (0x47530000u | (uint32_t)(uint8_t)(sd) << 8 | (uint8_t)(kvn))
#define GP_SD_OBJ_TRIES(sd, kvn) \
    (0x47540000u | (uint32_t)(uint8_t)(sd) << 8 | (uint8_t)(kvn))
/* The security domain's Security Domain Manager URL (gp/card_data.h),
 * "GU": gone with the domain's keys (gp_keyset_stage_delete_all). */
#define GP_SD_OBJ_URL(sd)     (0x47550000u | (uint32_t)(uint8_t)(sd))
#define GP_OBJ_COUNTER(kvn)   GP_SD_OBJ_COUNTER(0, kvn)
#define GP_OBJ_TRIES(kvn)     GP_SD_OBJ_TRIES(0, kvn)
#define GP_AUTH_TRIES         10u

#define GP_ERR_BLOCKED        (-40)     /* the key set's tries are used up */
#define GP_ERR_EXHAUSTED      (-41)     /* the sequence counter is at its end */

struct gp_keyset {
    uint8_t kvn;
    uint8_t scp;            /* 0x02 or 0x03 */
    uint8_t type;           /* KEYSTORE_TYPE_AES or _DES */
    uint8_t key_len;        /* 16, 24 or 32 */
};

/*
 * The secure channel key set KVN (INITIALIZE UPDATE P1: GPC 2.3.1 E.5.1,
 * Amendment D 7.1.1), or for KVN 0 the card's default: the SCP03 key
 * set with the highest KVN, else the SCP02 one with the highest KVN (the
 * newest key set of the stronger protocol; docs/gp.md). STORE_OK, or
 * STORE_ERR_NOT_FOUND.
 */
int gp_keyset_find(const struct store *st, uint8_t sd, uint8_t kvn,
                   struct gp_keyset *out);

/* Copy key (KVN, KID) of TYPE into OUT (CAP bytes); length in *LEN. */
int gp_keyset_read(const struct store *st, uint8_t sd, uint8_t kvn, uint8_t kid,
                   uint8_t type, uint8_t *out, size_t cap, size_t *len);

/* The sequence counter KVN will use next (0 if never used). */
int gp_counter_peek(const struct store *st, uint8_t sd, uint8_t kvn,
                    uint32_t *value);
/*
 * Take the next sequence counter value of KVN for a session: *VALUE gets
 * it and the NVM the next one, in one secure transaction, before this
 * returns. GP_ERR_EXHAUSTED past MAX (FFFF for SCP02, FFFFFF for SCP03).
 */
int gp_counter_take(struct store *st, uint8_t sd, uint8_t kvn, uint32_t max,
                    uint32_t *value);

/* Consecutive authentication failures of KVN so far. */
int gp_tries_used(const struct store *st, uint8_t sd, uint8_t kvn,
                  uint8_t *used);
/* One more failure (saturating at GP_AUTH_TRIES). */
int gp_tries_fail(struct store *st, uint8_t sd, uint8_t kvn);
/* A successful authentication: back to 0 (no write if already 0). */
int gp_tries_reset(struct store *st, uint8_t sd, uint8_t kvn);

/*
 * Key Information Template (GPC 2.3.1 11.3.3.1, GET DATA E0): one
 * C0 04 KID KVN type length per key in the store, by KVN and KID, into
 * OUT (CAP bytes); the template's length, or 0 if it does not fit.
 */
size_t gp_key_info_template(const struct store *st, uint8_t sd, uint8_t *out,
                            size_t cap);
/* Stage the deletion of every key and failure count of security domain
 * SD (not the ISD) into the caller's transaction; its sequence counters
 * stay (a security domain made later under that number goes on from
 * them). */
int gp_keyset_stage_delete_all(struct store *st, uint8_t sd);

/* Which SCPs the key sets of ST can open: GP_HAS_SCP02 | GP_HAS_SCP03. */
#define GP_HAS_SCP02  0x01u
#define GP_HAS_SCP03  0x02u
unsigned gp_keyset_protocols(const struct store *st, uint8_t sd);

#endif /* CARDOS_GP_KEYSET_H */
