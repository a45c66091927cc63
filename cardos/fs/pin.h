/*
 * pin: PINs, their unblock keys (PUKs) and the administrative keys, with
 * persistent try counters (ETSI TS 102 221 9.5, 11.1.9 .. 11.1.13).
 *
 * One store object per key reference (FS_OBJ_KEY(ref), fs/fs.h) holds the
 * value (8 bytes, ASCII digits padded with FF for a PIN), the enabled
 * flag, the maximum and remaining tries, and for a PIN with an unblock
 * key the PUK's value and counters (PUK1 unblocks PIN1 ref 01).
 *
 * Try counters (the rule every command here follows):
 *   1. a blocked key (0 tries left) answers 6983 without comparing;
 *   2. the counter is decremented and COMMITTED to the store;
 *   3. only then are the values compared (in constant time);
 *   4. success: the counter is reset to its maximum in a second commit.
 * A power cut at any point can therefore only lose a try, never gain one,
 * and no response reveals the comparison before the decrement is durable.
 * A failed commit answers 6581 and reveals nothing. Key records are
 * security objects of the store (store_put_secure): damage to one never
 * brings back an earlier counter; a damaged key reads as blocked (6983).
 *
 * Security status (which keys are verified) is per card session: struct
 * pin_session, cleared at reset. A disabled PIN counts as satisfied for
 * access rules (9.5.1).
 *
 * Status words: 9000; 63Cx wrong value, x tries left; 6983 blocked; 6984
 * CHANGE on a disabled PIN; 6985 ENABLE an enabled / DISABLE a disabled
 * PIN, DISABLE of a key that cannot be disabled (ADM); 6A88 no such key
 * reference; 6700 data not 8 (16 for CHANGE / UNBLOCK) bytes; 6581.
 *
 * Host-compilable.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_FS_PIN_H
#define CARDOS_FS_PIN_H

#include <stdbool.h>
#include <stdint.h>

#include "fs/fs.h"

#define PIN_LEN 8
#define PIN_REC_SIZE 24

/* Key references (TS 102 221 9.5.1). */
#define PIN_REF_PIN1 0x01u
#define PIN_REF_ADM1 0x0Au

struct pin_rec {
    uint8_t ref;
    bool enabled;
    bool can_disable;
    uint8_t max;
    uint8_t left;
    uint8_t value[PIN_LEN];
    uint8_t puk_max;              /* 0: no unblock key */
    uint8_t puk_left;
    uint8_t puk[PIN_LEN];
};

struct pin_session {
    uint8_t verified[32];         /* bit per key reference */
};

void pin_session_clear(struct pin_session *s);
bool pin_is_verified(const struct pin_session *s, uint8_t ref);

/* Create or overwrite a key (personalisation). */
uint16_t pin_put(struct fs *fs, const struct pin_rec *p);
/* Read a key. 9000, 6A88 (absent), 6983 (its record is damaged: the key
 * is blocked and P is not filled in), 6581. */
uint16_t pin_get(const struct fs *fs, uint8_t ref, struct pin_rec *p);

/* Access rule check: verified in this session, or a disabled PIN. */
bool pin_satisfied(const struct fs *fs, const struct pin_session *s,
                   uint8_t ref);

/* VERIFY (INS 20): LEN 0 asks for the remaining tries (9000 if verified
 * or disabled, else 63Cx). */
uint16_t pin_verify(struct fs *fs, struct pin_session *s, uint8_t ref,
                    const uint8_t *data, uint32_t len);
/*
 * VERIFY by the caller's comparison, for the web login (net/web/
 * web_auth.h: HTTP Digest needs the PIN's value to compute HA1): the SAME
 * try counter and rules 1-4 above. MATCH gets the stored PIN's digits
 * (FF padding removed) only after the decrement is committed; a match
 * resets the counter. No session is marked verified (the contact
 * interface's security status is not the web's). 9000, 63Cx, 6983,
 * 6A88, 6581.
 */
uint16_t pin_verify_with(struct fs *fs, uint8_t ref,
                         bool (*match)(const uint8_t *pin, uint32_t len,
                                       void *ctx),
                         void *ctx);

/* CHANGE REFERENCE DATA (INS 24): old value || new value. */
uint16_t pin_change(struct fs *fs, struct pin_session *s, uint8_t ref,
                    const uint8_t *data, uint32_t len);
/* DISABLE (INS 26) / ENABLE (INS 28) VERIFICATION REQUIREMENT: the PIN. */
uint16_t pin_set_enabled(struct fs *fs, struct pin_session *s, uint8_t ref,
                         bool enable, const uint8_t *data, uint32_t len);
/* UNBLOCK PIN (INS 2C): PUK || new PIN; LEN 0 asks for the PUK's tries. */
uint16_t pin_unblock(struct fs *fs, struct pin_session *s, uint8_t ref,
                     const uint8_t *data, uint32_t len);

/* Serialisation, for tests. */
void pin_encode(const struct pin_rec *p, uint8_t out[PIN_REC_SIZE]);
bool pin_decode(const uint8_t *in, uint32_t len, struct pin_rec *p);

#endif /* CARDOS_FS_PIN_H */
