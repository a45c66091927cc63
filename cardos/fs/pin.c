/*
 * pin: PINs with persistent try counters. Contract: fs/pin.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "fs/pin.h"

#define LOG_MODULE "fs"
#include "kernel/log.h"

#define PIN_MAGIC 0x9Au

/* Layout: 0 magic, 1 ref, 2 flags (b0 enabled, b1 can disable), 3 max,
 * 4 left, 5 puk_max, 6 puk_left, 7 FF, 8-15 value, 16-23 puk. */
void pin_encode(const struct pin_rec *p, uint8_t out[PIN_REC_SIZE])
{
    out[0] = PIN_MAGIC;
    out[1] = p->ref;
    out[2] = (uint8_t)((p->enabled ? 1u : 0u) | (p->can_disable ? 2u : 0u));
    out[3] = p->max;
    out[4] = p->left;
    out[5] = p->puk_max;
    out[6] = p->puk_left;
    out[7] = 0xff;
    memcpy(out + 8, p->value, PIN_LEN);
    memcpy(out + 16, p->puk, PIN_LEN);
}

bool pin_decode(const uint8_t *in, uint32_t len, struct pin_rec *p)
{
    if (len != PIN_REC_SIZE || in[0] != PIN_MAGIC || in[4] > in[3] ||
        in[6] > in[5] || in[3] == 0 || in[3] > 15 || in[5] > 15) {
        return false;
    }
    p->ref = in[1];
    p->enabled = (in[2] & 1u) != 0;
    p->can_disable = (in[2] & 2u) != 0;
    p->max = in[3];
    p->left = in[4];
    p->puk_max = in[5];
    p->puk_left = in[6];
    memcpy(p->value, in + 8, PIN_LEN);
    memcpy(p->puk, in + 16, PIN_LEN);
    return true;
}

void pin_session_clear(struct pin_session *s)
{
    memset(s, 0, sizeof(*s));
}

bool pin_is_verified(const struct pin_session *s, uint8_t ref)
{
    return (s->verified[ref >> 3] >> (ref & 7)) & 1u;
}

static void set_verified(struct pin_session *s, uint8_t ref, bool on)
{
    if (on) {
        s->verified[ref >> 3] |= (uint8_t)(1u << (ref & 7));
    } else {
        s->verified[ref >> 3] &= (uint8_t)~(1u << (ref & 7));
    }
}

/*
 * A key record holds try counters: it is a security object of the store
 * (docs/store.md "Security objects"). A power cut during the write rolls
 * it back as any transaction, but no damage to its record ever brings
 * back the previous counter: the record then reads as damaged and
 * pin_get answers blocked.
 */
uint16_t pin_put(struct fs *fs, const struct pin_rec *p)
{
    uint8_t buf[PIN_REC_SIZE];

    if (!fs->ready || p->ref == 0) {
        return FS_SW_MEMORY;
    }
    pin_encode(p, buf);
    return store_put_secure(fs->st, FS_OBJ_KEY(p->ref), buf, sizeof(buf)) ==
                   STORE_OK
               ? FS_SW_OK : FS_SW_MEMORY;
}

uint16_t pin_get(const struct fs *fs, uint8_t ref, struct pin_rec *p)
{
    uint8_t buf[PIN_REC_SIZE];
    uint32_t len = 0;
    int rc;

    if (!fs->ready) {
        return FS_SW_MEMORY;
    }
    if (ref == 0) {
        return FS_SW_NO_REF_DATA;
    }
    rc = store_read(fs->st, FS_OBJ_KEY(ref), buf, sizeof(buf), &len);
    if (rc == STORE_ERR_NOT_FOUND) {
        return FS_SW_NO_REF_DATA;
    }
    /*
     * Damaged (a fault attack or ageing, never a power cut: the store
     * tells them apart for security objects): its try counters are
     * unknown, and no value read from it may be trusted. Fail safe: the
     * key is blocked, as with 0 tries left (6983, what a blocked PIN
     * answers: ISO/IEC 7816-4, TS 102 221); its unblock key is in the
     * same record, so it stays blocked until the card is personalised
     * again (docs/fs.md "Damaged key records").
     */
    if (rc == STORE_ERR_CORRUPT ||
        (rc == STORE_OK && (!pin_decode(buf, len, p) || p->ref != ref))) {
        LOG_E("key %02X: record damaged: blocked (6983)", (unsigned)ref);
        return FS_SW_BLOCKED;
    }
    if (rc != STORE_OK) {
        LOG_E("key %02X unreadable: %s", (unsigned)ref, store_strerror(rc));
        return FS_SW_MEMORY;
    }
    return FS_SW_OK;
}

bool pin_satisfied(const struct fs *fs, const struct pin_session *s,
                   uint8_t ref)
{
    struct pin_rec p;

    if (pin_is_verified(s, ref)) {
        return true;
    }
    return pin_get(fs, ref, &p) == FS_SW_OK && !p.enabled;
}

/* Constant-time comparison of two PIN_LEN values. */
static bool same(const uint8_t *a, const uint8_t *b)
{
    uint8_t d = 0;

    for (unsigned i = 0; i < PIN_LEN; i++) {
        d |= (uint8_t)(a[i] ^ b[i]);
    }
    return d == 0;
}

/*
 * The try-counter rule: decrement (PUK's if PUK) and commit, then compare
 * CANDIDATE with the stored value. *MATCH is the result; on a match the
 * record in P is left with the counter restored in RAM only (the caller
 * changes what it needs and commits). Returns 9000, 6983, 6581.
 */
static uint16_t try_value(struct fs *fs, struct pin_rec *p, bool puk,
                          const uint8_t *candidate, bool *match)
{
    uint8_t *left = puk ? &p->puk_left : &p->left;

    *match = false;
    if (*left == 0) {
        return FS_SW_BLOCKED;
    }
    (*left)--;
    if (pin_put(fs, p) != FS_SW_OK) {
        return FS_SW_MEMORY;            /* nothing compared, nothing said */
    }
    *match = same(candidate, puk ? p->puk : p->value);
    if (*match) {
        *left = puk ? p->puk_max : p->max;
    }
    return FS_SW_OK;
}

/* Write the updated record P back and mark its PIN verified for the
 * session: the common tail of a successful VERIFY / CHANGE / DISABLE /
 * ENABLE / UNBLOCK. */
static uint16_t store_verified(struct fs *fs, struct pin_session *s,
                               const struct pin_rec *p)
{
    if (pin_put(fs, p) != FS_SW_OK) {
        return FS_SW_MEMORY;
    }
    set_verified(s, p->ref, true);
    return FS_SW_OK;
}

static uint16_t tries_sw(uint8_t left)
{
    return (uint16_t)(0x63C0u | (left & 0x0fu));
}

uint16_t pin_verify(struct fs *fs, struct pin_session *s, uint8_t ref,
                    const uint8_t *data, uint32_t len)
{
    struct pin_rec p;
    bool match;
    uint16_t sw = pin_get(fs, ref, &p);

    if (sw != FS_SW_OK) {
        return sw;
    }
    if (len == 0) {
        if (p.left == 0) {
            return FS_SW_BLOCKED;
        }
        return (pin_is_verified(s, ref) || !p.enabled) ? FS_SW_OK
                                                       : tries_sw(p.left);
    }
    if (len != PIN_LEN) {
        return FS_SW_WRONG_LENGTH;
    }
    set_verified(s, ref, false);
    sw = try_value(fs, &p, false, data, &match);
    if (sw != FS_SW_OK) {
        return sw;
    }
    if (!match) {
        return tries_sw(p.left);
    }
    return store_verified(fs, s, &p);
}

uint16_t pin_verify_with(struct fs *fs, uint8_t ref,
                         bool (*match)(const uint8_t *pin, uint32_t len,
                                       void *ctx),
                         void *ctx)
{
    struct pin_rec p;
    uint32_t n = 0;
    bool ok;
    uint16_t sw = pin_get(fs, ref, &p);

    if (sw != FS_SW_OK) {
        return sw;
    }
    if (p.left == 0) {
        return FS_SW_BLOCKED;                           /* rule 1 */
    }
    p.left--;
    if (pin_put(fs, &p) != FS_SW_OK) {                  /* rule 2 */
        return FS_SW_MEMORY;
    }
    while (n < PIN_LEN && p.value[n] != 0xFFu) {
        n++;
    }
    ok = match(p.value, n, ctx);                        /* rule 3 */
    if (!ok) {
        return tries_sw(p.left);
    }
    p.left = p.max;                                     /* rule 4 */
    return pin_put(fs, &p) == FS_SW_OK ? FS_SW_OK : FS_SW_MEMORY;
}

uint16_t pin_change(struct fs *fs, struct pin_session *s, uint8_t ref,
                    const uint8_t *data, uint32_t len)
{
    struct pin_rec p;
    bool match;
    uint16_t sw = pin_get(fs, ref, &p);

    if (sw != FS_SW_OK) {
        return sw;
    }
    if (len != 2 * PIN_LEN) {
        return FS_SW_WRONG_LENGTH;
    }
    if (!p.enabled) {
        return FS_SW_REF_UNUSABLE;
    }
    sw = try_value(fs, &p, false, data, &match);
    if (sw != FS_SW_OK) {
        return sw;
    }
    if (!match) {
        set_verified(s, ref, false);
        return tries_sw(p.left);
    }
    memcpy(p.value, data + PIN_LEN, PIN_LEN);
    return store_verified(fs, s, &p);
}

uint16_t pin_set_enabled(struct fs *fs, struct pin_session *s, uint8_t ref,
                         bool enable, const uint8_t *data, uint32_t len)
{
    struct pin_rec p;
    bool match;
    uint16_t sw = pin_get(fs, ref, &p);

    if (sw != FS_SW_OK) {
        return sw;
    }
    if (len != PIN_LEN) {
        return FS_SW_WRONG_LENGTH;
    }
    if (!p.can_disable || p.enabled == enable) {
        return FS_SW_CONDITIONS;
    }
    sw = try_value(fs, &p, false, data, &match);
    if (sw != FS_SW_OK) {
        return sw;
    }
    if (!match) {
        set_verified(s, ref, false);
        return tries_sw(p.left);
    }
    p.enabled = enable;
    return store_verified(fs, s, &p);
}

uint16_t pin_unblock(struct fs *fs, struct pin_session *s, uint8_t ref,
                     const uint8_t *data, uint32_t len)
{
    struct pin_rec p;
    bool match;
    uint16_t sw = pin_get(fs, ref, &p);

    if (sw != FS_SW_OK) {
        return sw;
    }
    if (p.puk_max == 0) {
        return FS_SW_NO_REF_DATA;
    }
    if (len == 0) {
        return p.puk_left == 0 ? FS_SW_BLOCKED : tries_sw(p.puk_left);
    }
    if (len != 2 * PIN_LEN) {
        return FS_SW_WRONG_LENGTH;
    }
    sw = try_value(fs, &p, true, data, &match);
    if (sw != FS_SW_OK) {
        return sw;
    }
    if (!match) {
        return tries_sw(p.puk_left);
    }
    memcpy(p.value, data + PIN_LEN, PIN_LEN);
    p.left = p.max;
    return store_verified(fs, s, &p);
}
