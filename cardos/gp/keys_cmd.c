/*
 * PUT KEY and DELETE key (GPC 2.3.1 11.8, 11.2.2.2). Contract: gp/cmd.h.
 *
 * PUT KEY data: the new KVN, then per key: key type, length, key data,
 * KCV length, KCV (11.8.2.3, Table 11-71). Key data:
 *   SCP03 session (Amendment D 7.2.2): AES-CBC with the static DEK of the
 *     session's key set, zero ICV; either "L 10 <16 bytes>" (L = 11: the
 *     first byte is the key's length) or "10 <16 bytes>";
 *   SCP02 session (E.4.7): 3DES-ECB with the session DEK, "10 <16 bytes>".
 * KCV: DES keys 3DES of 8 zero bytes, AES keys AES of 16 bytes 01; the
 * first 3 bytes; a wrong one: 6A80, nothing stored. Key type 85 (TLS PSK,
 * Amendment B) is stored as decrypted; its KCV is not checked.
 * Response: the KVN, then the KCV of each key. Key identifiers 01..03
 * only (a key set: ENC, MAC, DEK); others 6A80.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "crypto/keystore.h"
#include "gp/cmd.h"
#include "gp/gp.h"
#include "gp/keyset.h"
#include "gp/scp02.h"
#include "gp/scp03.h"

#define PUT_KEY_MAX 3

struct new_key {
    uint8_t kid, type, len;
    uint8_t value[32];
    uint8_t kcv[3];
    bool has_kcv;
};

/* Decrypt one key component of LEN bytes at IN (as the session says). */
static uint16_t decrypt(struct gp_cmd *c, const uint8_t *in, size_t len,
                        uint8_t *out)
{
    struct scp_session *s = c->sc;

    if (s->proto == 0x02) {
        if (len != 16) {
            return SW_WRONG_DATA;
        }
        return scp02_decrypt_key(s, in, out) == CRYPTO_OK ? SW_OK : SW_UNKNOWN;
    } else {
        struct crypto_key dek;

        if (len == 0 || len % 16 != 0 || len > 32) {
            return SW_WRONG_DATA;
        }
        /* Amendment D 7.2.2: the static DEK, from the key store into a
         * coprocessor slot (crypto/key.h) */
        scp_static_key(s, 2, &dek);
        return scp03_decrypt_key(&dek, in, len, out) == CRYPTO_OK
                   ? SW_OK : SW_UNKNOWN;
    }
}

/* Parse one key data field at P (N bytes left) into K; bytes used or 0
 * with *SW set. */
static size_t parse_key(struct gp_cmd *c, const uint8_t *p, size_t n,
                        struct new_key *k, uint16_t *sw)
{
    uint8_t clear[32];
    size_t l, at, klen, enc;

    *sw = SW_WRONG_DATA;
    if (n < 3) {
        return 0;
    }
    k->type = p[0];
    l = p[1];
    if (l == 0 || 2 + l + 1 > n) {
        return 0;
    }
    if (k->type != KEYSTORE_TYPE_DES && k->type != KEYSTORE_TYPE_AES &&
        k->type != KEYSTORE_TYPE_PSK_TLS) {
        *sw = SW_WRONG_DATA;
        return 0;
    }
    /* "L klen <encrypted>" (L = 1 + a multiple of 16) or "L <encrypted>" */
    if (l % 8 == 1) {
        klen = p[2];
        at = 3;
        enc = l - 1;
    } else {
        at = 2;
        enc = l;
        klen = l;
    }
    if (enc > sizeof(clear) || klen == 0 || klen > enc) {
        return 0;
    }
    *sw = decrypt(c, p + at, enc, clear);
    if (*sw != SW_OK) {
        scp_wipe(clear, sizeof(clear));
        return 0;
    }
    if ((k->type == KEYSTORE_TYPE_DES && klen != 16) ||
        (k->type == KEYSTORE_TYPE_AES && klen != 16 && klen != 24 &&
         klen != 32)) {
        scp_wipe(clear, sizeof(clear));
        *sw = SW_WRONG_DATA;
        return 0;
    }
    k->len = (uint8_t)klen;
    memcpy(k->value, clear, klen);
    scp_wipe(clear, sizeof(clear));
    at = 2 + l;
    /* KCV length and KCV */
    if (at >= n || (p[at] != 0 && p[at] != 3) || at + 1 + p[at] > n) {
        *sw = SW_WRONG_DATA;
        return 0;
    }
    k->has_kcv = p[at] == 3;
    if (k->has_kcv) {
        memcpy(k->kcv, p + at + 1, 3);
    }
    *sw = SW_OK;
    return at + 1 + p[at];
}

static bool kcv_ok(struct new_key *k, uint8_t kcv[3])
{
    enum crypto_status rc;

    if (k->type == KEYSTORE_TYPE_PSK_TLS) {
        return true;
    }
    rc = k->type == KEYSTORE_TYPE_DES ? scp02_kcv(k->value, kcv)
                                      : scp03_kcv(k->value, k->len, kcv);
    return rc == CRYPTO_OK && (!k->has_kcv || scp_equal(kcv, k->kcv, 3));
}

void gp_cmd_put_key(struct gp_cmd *c)
{
    const struct apdu *cmd = c->cmd;
    struct new_key keys[PUT_KEY_MAX];
    uint8_t out[1 + 3 * PUT_KEY_MAX], kcv[3];
    uint8_t old_kvn = cmd->p1 & 0x7F, new_kvn, first_kid = cmd->p2 & 0x7F, sd;
    size_t at = 1, used, nkeys = 0, n = 0;
    uint16_t sw = SW_OK;
    int rc;

    if (!gp_cmd_authenticated(c)) {
        c->rsp->sw = SW_SECURITY_STATUS;
        return;
    }
    if ((cmd->p1 & 0x80) || first_kid == 0) {
        /* more PUT KEY commands to follow: not supported */
        c->rsp->sw = SW_INCORRECT_P1P2;
        return;
    }
    if (cmd->nc < 1 + 3) {
        c->rsp->sw = SW_WRONG_LENGTH;
        return;
    }
    new_kvn = cmd->data[0];
    if (new_kvn < GP_KVN_MIN || new_kvn > GP_KVN_MAX) {
        c->rsp->sw = SW_WRONG_DATA;
        return;
    }
    sd = c->sc->sd;         /* the keys of the session's security domain */
    while (at < cmd->nc && sw == SW_OK) {
        if (nkeys == PUT_KEY_MAX || (!(cmd->p2 & 0x80) && nkeys == 1)) {
            sw = SW_WRONG_DATA;
            break;
        }
        keys[nkeys].kid = (uint8_t)(first_kid + nkeys);
        if (keys[nkeys].kid > GP_KID_DEK) {
            sw = SW_WRONG_DATA;     /* key sets have KIDs 1..3 here */
            break;
        }
        used = parse_key(c, cmd->data + at, cmd->nc - at, &keys[nkeys], &sw);
        if (sw != SW_OK) {
            break;
        }
        if (!kcv_ok(&keys[nkeys], kcv)) {
            sw = SW_WRONG_DATA;
            break;
        }
        if (keys[nkeys].type != KEYSTORE_TYPE_PSK_TLS) {
            memcpy(out + 1 + n, kcv, 3);
            n += 3;
        }
        at += used;
        nkeys++;
    }
    /* the key set to replace (P1) must exist; a new one must not */
    if (sw == SW_OK) {
        uint8_t t;

        if (old_kvn != 0 &&
            keystore_info(c->st, gp_key_id(sd, old_kvn, first_kid), &t, NULL) !=
                STORE_OK) {
            sw = SW_GP_REFERENCED_DATA;
        } else if (old_kvn == 0 &&
                   keystore_info(c->st, gp_key_id(sd, new_kvn, first_kid), &t,
                                 NULL) == STORE_OK) {
            sw = SW_CONDITIONS_NOT_SATISFIED;
        }
    }
    /* one transaction: the old key set's keys out, the new ones in, the
     * new key set's failure count back to 0 */
    if (sw == SW_OK) {
        rc = store_begin(c->st);
        if (rc == STORE_OK && old_kvn != 0 && old_kvn != new_kvn) {
            for (unsigned kid = 1; kid <= GP_KID_DEK && rc == STORE_OK;
                 kid++) {
                uint32_t id = KEYSTORE_OBJ(gp_key_id(sd, old_kvn, kid));

                if (store_size(c->st, id) >= 0) {
                    rc = store_delete(c->st, id);
                }
            }
        }
        for (size_t i = 0; i < nkeys && rc == STORE_OK; i++) {
            rc = keystore_stage_put(c->st, gp_key_id(sd, new_kvn, keys[i].kid),
                                    keys[i].type, keys[i].value, keys[i].len);
        }
        if (rc == STORE_OK &&
            store_size(c->st, GP_SD_OBJ_TRIES(sd, new_kvn)) >= 0) {
            rc = store_delete(c->st, GP_SD_OBJ_TRIES(sd, new_kvn));
        }
        if (rc == STORE_OK) {
            rc = store_commit(c->st);
        } else {
            store_abort(c->st);
        }
        if (rc != STORE_OK) {
            sw = rc == STORE_ERR_FULL ? SW_GP_NOT_ENOUGH_MEMORY
                                      : SW_MEMORY_FAILURE;
        }
    }
    scp_wipe(keys, sizeof(keys));
    crypto_forget_byte_keys();      /* the KCVs' copies of the new keys */
    if (sw != SW_OK) {
        c->rsp->sw = sw;
        return;
    }
    out[0] = new_kvn;
    (void)apdu_response_set_data(c->rsp, out, 1 + n);
}

void gp_cmd_delete_key(struct gp_cmd *c, const uint8_t *kid, const uint8_t *kvn)
{
    uint32_t ids[GP_KID_DEK];
    size_t n = 0;
    int rc;
    uint8_t sd = c->sc ? c->sc->sd : 0;

    if (kvn == NULL) {
        /* a key identifier alone names no key set (11.2.2.2) */
        c->rsp->sw = SW_WRONG_DATA;
        return;
    }
    for (unsigned k = 1; k <= GP_KID_DEK; k++) {
        uint32_t id = KEYSTORE_OBJ(gp_key_id(sd, *kvn, k));

        if ((kid == NULL || *kid == k) && store_size(c->st, id) >= 0) {
            ids[n++] = id;
        }
    }
    if (n == 0 || *kvn < GP_KVN_MIN || *kvn > GP_KVN_MAX) {
        c->rsp->sw = SW_GP_REFERENCED_DATA;
        return;
    }
    rc = store_begin(c->st);
    for (size_t i = 0; i < n && rc == STORE_OK; i++) {
        keystore_changed((uint16_t)ids[i]);  /* cached copies are stale */
        rc = store_delete(c->st, ids[i]);
    }
    if (rc == STORE_OK) {
        rc = store_commit(c->st);
    } else {
        store_abort(c->st);
    }
    if (rc != STORE_OK) {
        c->rsp->sw = SW_MEMORY_FAILURE;
        return;
    }
    /* GPC 2.3.1 11.2.3: no delete confirmation: one byte 00 */
    (void)apdu_response_set_data(c->rsp, "\x00", 1);
}

int gp_keys_stage_personalisation(struct store *st, uint8_t sd)
{
    static const uint8_t k[16] = { 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46,
                                   0x47, 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D,
                                   0x4E, 0x4F };
    int rc = STORE_OK;

    for (uint8_t kid = GP_KID_ENC; kid <= GP_KID_DEK && rc == STORE_OK; kid++) {
        rc = keystore_stage_put(st, gp_key_id(sd, 0x30, kid), KEYSTORE_TYPE_AES,
                                k, 16);
        if (rc == STORE_OK && sd == 0) {
            rc = keystore_stage_put(st, GP_KEY_ID(0x20, kid),
                                    KEYSTORE_TYPE_DES, k, 16);
        }
    }
    return rc;
}
