/*
 * Secure Channel Protocol '02'. Contract: gp/scp02.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "gp/scp02.h"

#include <string.h>

#include "crypto/keystore.h"

/* Full 3DES MAC (ISO/IEC 9797-1 algorithm 1, 3DES-CBC, zero ICV) with
 * key K of the LEN bytes at MSG padded (method 2); LEN at most 24. */
static enum crypto_status full_mac(const struct crypto_key *k,
                                   const uint8_t *msg, size_t len,
                                   uint8_t mac[8])
{
    uint32_t words[8] = { 0 };
    uint8_t *block = (uint8_t *)words, icv[8] = { 0 };
    size_t padded = (len / 8 + 1) * 8;
    enum crypto_status rc;

    if (len > 24) {
        return CRYPTO_ERR_PARAM;
    }
    memcpy(block, msg, len);
    block[len] = 0x80;
    rc = crypto_key_cipher(k, CRYPTO_TDES_CBC, false, icv, block, block,
                           padded);
    memcpy(mac, block + padded - 8, 8);
    return rc;
}

enum crypto_status scp02_card_challenge(const struct crypto_key *key_mac,
                                        const uint8_t *aid, size_t aid_len,
                                        uint8_t out[6])
{
    uint8_t mac[8];
    enum crypto_status rc;

    if (aid_len > 16) {
        return CRYPTO_ERR_PARAM;
    }
    rc = full_mac(key_mac, aid, aid_len, mac);
    memcpy(out, mac, 6);
    return rc;
}

enum crypto_status scp02_start(struct scp_session *s, uint8_t i, uint8_t kvn,
                               const struct store *st,
                               const uint16_t key_id[3],
                               const uint8_t host[8], const uint8_t card[6],
                               const uint8_t seq[2],
                               uint8_t card_cryptogram[8])
{
    struct crypto_key k;
    uint8_t msg[16];
    enum crypto_status rc = CRYPTO_OK;

    scp_end(s);
    scp_set_key_store(st);
    /* one counter for the key set's ENC, MAC, DEK (crypto/keystore.h) */
    s->epoch = keystore_epoch(key_id[0]);
    memcpy(s->key_id, key_id, sizeof(s->key_id));
    s->proto = 0x02;
    s->i = i;
    s->kvn = kvn;
    s->key_len = 16;
    memcpy(s->host_challenge, host, 8);
    memcpy(s->card_challenge, card, 6);
    memcpy(s->seq, seq, 2);
    s->state = SCP_STARTED;
    /* E.4.1: S-ENC, C-MAC (and its K1 for the ICV), DEK into slots */
    for (unsigned w = SCP_KEY_ENC; w <= SCP_KEY_MAC_K1 && rc == CRYPTO_OK;
         w++) {
        scp_key(s, (enum scp_key)w, &k);
        rc = crypto_key_make(&k);
    }
    /* E.4.2.1: host challenge | sequence counter | card challenge */
    memcpy(msg, host, 8);
    memcpy(msg + 8, seq, 2);
    memcpy(msg + 10, card, 6);
    if (rc == CRYPTO_OK) {
        scp_key(s, SCP_KEY_ENC, &k);
        rc = full_mac(&k, msg, 16, card_cryptogram);
    }
    if (rc != CRYPTO_OK) {
        scp_end(s);
    }
    return rc;
}

/* The ICV of the next C-MAC: zero for the first command (EXTERNAL
 * AUTHENTICATE), then the last C-MAC, encrypted with single DES (K1 of
 * S-MAC) when i says so (E.4.4). */
static enum crypto_status next_icv(const struct scp_session *s, bool first,
                                   uint8_t icv[8])
{
    struct crypto_key k1;

    if (first) {
        memset(icv, 0, 8);
        return CRYPTO_OK;
    }
    memcpy(icv, s->chain, 8);
    if (!(s->i & SCP02_I_ICV_ENC)) {
        return CRYPTO_OK;
    }
    scp_key(s, SCP_KEY_MAC_K1, &k1);
    return crypto_key_cipher(&k1, CRYPTO_TDES_ECB, false, NULL, icv, icv, 8);
}

/*
 * Check the C-MAC of the command in BUF whose data field (after
 * decryption) is LEN bytes at BUF + OFF followed by the 8-byte MAC at MAC:
 * the MAC covers the header with Lc = LEN + 8 and the data (E.4.4: the
 * modified APDU). Short APDUs only.
 */
static uint16_t check_cmac(struct scp_session *s, uint8_t *buf, size_t off,
                           size_t len, const uint8_t mac_in[8], bool first)
{
    uint8_t icv[8], mac[8];
    struct crypto_key k;

    if (off != 5 || len + 8 > 255) {
        return SW_WRONG_LENGTH;
    }
    buf[4] = (uint8_t)(len + 8);
    scp_key(s, SCP_KEY_MAC, &k);
    if (next_icv(s, first, icv) != CRYPTO_OK ||
        crypto_key_retail_mac(&k, icv, buf, off + len, mac) != CRYPTO_OK) {
        return SW_UNKNOWN;
    }
    if (!scp_equal(mac, mac_in, 8)) {
        return SW_SECURITY_STATUS;
    }
    memcpy(s->chain, mac, 8);
    return SW_OK;
}

uint16_t scp02_authenticate(struct scp_session *s, uint8_t *buf, size_t cap,
                            const struct apdu *cmd)
{
    uint8_t msg[24], host_cryptogram[8], mac[8];
    struct crypto_key k;
    size_t off = scp_data_offset(buf, cmd);
    uint8_t level = cmd->p1;
    uint16_t sw;

    if (s->state != SCP_STARTED || s->proto != 0x02) {
        return SW_CONDITIONS_NOT_SATISFIED;
    }
    if (!scp_cla_has_sm(cmd->cla)) {
        return SW_SECURITY_STATUS;
    }
    if (cmd->nc != 16 || off + 16 + 8 > cap) {
        return SW_WRONG_LENGTH;
    }
    if (cmd->p2 != 0 || (level != 0x00 && level != 0x01 && level != 0x03)) {
        return SW_INCORRECT_P1P2;
    }
    /* E.4.2.2: counter | card challenge | host challenge */
    memcpy(msg, s->seq, 2);
    memcpy(msg + 2, s->card_challenge, 6);
    memcpy(msg + 8, s->host_challenge, 8);
    scp_key(s, SCP_KEY_ENC, &k);
    if (full_mac(&k, msg, 16, host_cryptogram) != CRYPTO_OK) {
        return SW_UNKNOWN;
    }
    if (!scp_equal(host_cryptogram, cmd->data, 8)) {
        return SW_AUTH_FAILED;
    }
    memcpy(mac, cmd->data + 8, 8);
    sw = check_cmac(s, buf, off, 8, mac, true);
    if (sw != SW_OK) {
        return sw;
    }
    s->level = level;
    s->state = SCP_OPEN;
    return SW_OK;
}

uint16_t scp02_unwrap(struct scp_session *s, uint8_t *buf, size_t cap,
                      const struct apdu *cmd, struct apdu *plain)
{
    size_t off = scp_data_offset(buf, cmd), len;
    uint8_t mac[8];
    uint8_t *data = buf + off;
    uint16_t sw;

    if (cmd->nc < 8) {
        return SW_SECURITY_STATUS;
    }
    if (off + cmd->nc + 8 > cap) {
        return SW_WRONG_LENGTH;
    }
    len = cmd->nc - 8;
    memcpy(mac, data + len, 8);
    if ((s->level & SCP_LEVEL_CDEC) && len > 0) {
        /* E.4.6: 3DES-CBC with S-ENC, zero ICV, always padded */
        uint8_t icv[8] = { 0 };
        struct crypto_key k;

        if (len % 8 != 0) {
            return SW_SECURITY_STATUS;
        }
        scp_key(s, SCP_KEY_ENC, &k);
        if (crypto_key_cipher(&k, CRYPTO_TDES_CBC, true, icv, data, data,
                              len) != CRYPTO_OK) {
            return SW_UNKNOWN;
        }
        while (len > 0 && data[len - 1] == 0x00) {
            len--;
        }
        if (len == 0 || data[len - 1] != 0x80) {
            return SW_SECURITY_STATUS;
        }
        len--;
    }
    sw = check_cmac(s, buf, off, len, mac, false);
    if (sw != SW_OK) {
        return sw;
    }
    scp_plain(cmd, data, len, plain);
    return SW_OK;
}

enum crypto_status scp02_kcv(const uint8_t key[16], uint8_t kcv[3])
{
    uint8_t block[8] = { 0 };
    enum crypto_status rc;

    rc = crypto_cipher(CRYPTO_TDES_ECB, CRYPTO_ENGINE_HW, false, key, 16,
                       NULL, block, block, 8);
    memcpy(kcv, block, 3);
    return rc;
}

enum crypto_status scp02_decrypt_key(const struct scp_session *s,
                                     const uint8_t in[16], uint8_t out[16])
{
    struct crypto_key dek;

    scp_key(s, SCP_KEY_RMAC, &dek);     /* SCP02: the session DEK */
    return crypto_key_cipher(&dek, CRYPTO_TDES_ECB, true, NULL, in, out, 16);
}
