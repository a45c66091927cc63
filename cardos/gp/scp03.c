/*
 * Secure Channel Protocol '03'. Contract: gp/scp03.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "gp/scp03.h"

#include <string.h>

#include "crypto/keystore.h"

static void ahead_forget(const struct scp_session *s);

enum crypto_status scp03_kdf(const struct crypto_key *key, uint8_t constant,
                             uint16_t l_bits, const uint8_t *context,
                             size_t context_len, uint8_t *out)
{
    /* Amendment D 4.1.5: label (11 zero bytes and the derivation
     * constant), separator 00, L (2 bytes), counter i (1 byte), context;
     * for what is sent (cryptograms, card challenge): the output is not
     * a key */
    uint32_t words[(16 + 32) / 4];
    uint8_t *msg = (uint8_t *)words;
    uint8_t block[16];
    size_t want = l_bits / 8u, done = 0, n;
    enum crypto_status rc = CRYPTO_OK;

    if (context_len > 32 || want == 0 || want > 32) {
        return CRYPTO_ERR_PARAM;
    }
    memset(msg, 0, 11);
    msg[11] = constant;
    msg[12] = 0x00;
    msg[13] = (uint8_t)(l_bits >> 8);
    msg[14] = (uint8_t)l_bits;
    memcpy(msg + 16, context, context_len);
    for (uint8_t i = 1; done < want && rc == CRYPTO_OK; i++) {
        msg[15] = i;
        rc = crypto_key_cmac(key, msg, 16 + context_len, block);
        n = want - done < 16 ? want - done : 16;
        if (rc == CRYPTO_OK) {
            memcpy(out + done, block, n);
        }
        done += n;
    }
    return rc;
}

enum crypto_status scp03_card_challenge(const struct crypto_key *key_enc,
                                        const uint8_t seq[3],
                                        const uint8_t *aid, size_t aid_len,
                                        uint8_t out[8])
{
    uint8_t ctx[3 + 16];

    if (aid_len > 16) {
        return CRYPTO_ERR_PARAM;
    }
    memcpy(ctx, seq, 3);
    memcpy(ctx + 3, aid, aid_len);
    return scp03_kdf(key_enc, SCP03_DC_CARD_CHALLENGE, 64, ctx, 3 + aid_len,
                     out);
}

enum crypto_status scp03_start(struct scp_session *s, uint8_t i, uint8_t kvn,
                               const struct store *st,
                               const uint16_t key_id[3], size_t key_len,
                               const uint8_t host[8], const uint8_t card[8],
                               const uint8_t seq[3],
                               uint8_t card_cryptogram[8])
{
    struct crypto_key k;
    uint8_t ctx[16];
    enum crypto_status rc = CRYPTO_OK;

    scp_end(s);
    ahead_forget(s);
    if (key_len != 16 && key_len != 24 && key_len != 32) {
        return CRYPTO_ERR_PARAM;
    }
    scp_set_key_store(st);
    /* one counter for the key set's ENC, MAC, DEK (crypto/keystore.h) */
    s->epoch = keystore_epoch(key_id[0]);
    memcpy(s->key_id, key_id, sizeof(s->key_id));
    s->proto = 0x03;
    s->i = i;
    s->kvn = kvn;
    s->key_len = (uint8_t)key_len;
    memcpy(s->host_challenge, host, 8);
    memcpy(s->card_challenge, card, 8);
    memcpy(s->seq, seq, 3);
    s->state = SCP_STARTED;
    /* 6.2.1: S-ENC, S-MAC, S-RMAC derived into coprocessor slots */
    for (unsigned w = SCP_KEY_ENC; w <= SCP_KEY_RMAC && rc == CRYPTO_OK;
         w++) {
        scp_key(s, (enum scp_key)w, &k);
        rc = crypto_key_make(&k);
    }
    if (rc == CRYPTO_OK) {
        memcpy(ctx, host, 8);
        memcpy(ctx + 8, card, 8);
        scp_key(s, SCP_KEY_MAC, &k);
        rc = scp03_kdf(&k, SCP03_DC_CARD_CRYPTOGRAM, 64, ctx, 16,
                       card_cryptogram);
    }
    if (rc != CRYPTO_OK) {
        scp_end(s);
    }
    return rc;
}

/*
 * C-MAC of the N command bytes at BUF (header, Lc as sent, data without
 * the MAC) with the chaining value in front (Amendment D 6.2.4): built
 * in place, the command moved up by 16 bytes. The full 16-byte CMAC into
 * MAC; the command stays at BUF + 16.
 */
static enum crypto_status cmac_command(struct scp_session *s, uint8_t *buf,
                                       size_t n, size_t tail, uint8_t mac[16])
{
    struct crypto_key k;

    memmove(buf + 16, buf, n + tail);
    memcpy(buf, s->chain, 16);
    scp_key(s, SCP_KEY_MAC, &k);
    return crypto_key_cmac(&k, buf, 16 + n, mac);
}

/*
 * The ICVs of C-DECRYPTION and R-ENCRYPTION: the counter as a 16-byte
 * block, its first byte 80 for the response (6.2.6, 6.2.7), encrypted
 * with S-ENC. The counter of the next commands is known, so one
 * coprocessor command computes both ICVs of ICV_AHEAD commands, kept
 * for the session last used (tagged by its slot and challenges): under
 * emulation each engine command costs tens of microseconds of host time,
 * and a wrapped command needs four others (docs/gp.md "Benchmarks").
 */
#define ICV_AHEAD 4u

static struct {
    const struct scp_session *s;
    uint8_t challenges[16];
    uint32_t first;                 /* counter of blocks 0 and 1 */
    uint32_t words[ICV_AHEAD * 8];  /* 2 blocks per counter */
} ahead;

static bool ahead_has(const struct scp_session *s, uint32_t ctr)
{
    return ahead.s == s && ctr - ahead.first < ICV_AHEAD &&
           memcmp(ahead.challenges, s->host_challenge, 8) == 0 &&
           memcmp(ahead.challenges + 8, s->card_challenge, 8) == 0;
}

/* The ICVs of the command the counter is at: C-DECRYPTION's (RESPONSE
 * false) or R-ENCRYPTION's (true), from the look-ahead, computed (with
 * the next ones) if it does not hold them. */
static enum crypto_status counter_icv(const struct scp_session *s,
                                      bool response, uint8_t icv[16])
{
    uint8_t *blocks = (uint8_t *)ahead.words;
    struct crypto_key k;
    enum crypto_status rc;

    if (!ahead_has(s, s->enc_counter)) {
        memset(&ahead, 0, sizeof(ahead));
        for (unsigned c = 0; c < ICV_AHEAD; c++) {
            uint32_t v = s->enc_counter + c;

            for (unsigned b = 0; b < 2; b++) {
                uint8_t *p = blocks + 32 * c + 16 * b;

                p[0] = b ? 0x80 : 0x00;
                p[12] = (uint8_t)(v >> 24);
                p[13] = (uint8_t)(v >> 16);
                p[14] = (uint8_t)(v >> 8);
                p[15] = (uint8_t)v;
            }
        }
        scp_key(s, SCP_KEY_ENC, &k);
        rc = crypto_key_cipher(&k, CRYPTO_AES_ECB, false, NULL, blocks,
                               blocks, sizeof(ahead.words));
        if (rc != CRYPTO_OK) {
            memset(&ahead, 0, sizeof(ahead));
            return rc;
        }
        ahead.s = s;
        ahead.first = s->enc_counter;
        memcpy(ahead.challenges, s->host_challenge, 8);
        memcpy(ahead.challenges + 8, s->card_challenge, 8);
    }
    memcpy(icv, blocks + 32 * (s->enc_counter - ahead.first) +
                (response ? 16 : 0), 16);
    return CRYPTO_OK;
}

/* Forget the ICVs kept for S (its session ends or restarts). */
static void ahead_forget(const struct scp_session *s)
{
    if (ahead.s == s) {
        scp_wipe(&ahead, sizeof(ahead));
    }
}

uint16_t scp03_authenticate(struct scp_session *s, uint8_t *buf, size_t cap,
                            const struct apdu *cmd)
{
    uint8_t ctx[16], host_cryptogram[8], mac[16];
    struct crypto_key k;
    size_t off = scp_data_offset(buf, cmd), n;
    uint8_t level = cmd->p1;

    if (s->state != SCP_STARTED || s->proto != 0x03) {
        return SW_CONDITIONS_NOT_SATISFIED;
    }
    if (!scp_cla_has_sm(cmd->cla)) {
        return SW_SECURITY_STATUS;
    }
    if (cmd->nc != 16 || off + 16 + 16 > cap) {
        return SW_WRONG_LENGTH;
    }
    /* Amendment D 7.1.2.1: 00, 01, 03, 11, 13, 33; R-MAC and R-ENC only
     * where i offers them */
    if (cmd->p2 != 0 ||
        (level != 0x00 && level != 0x01 && level != 0x03 && level != 0x11 &&
         level != 0x13 && level != 0x33) ||
        ((level & SCP_LEVEL_RMAC) && !(s->i & SCP03_I_RMAC)) ||
        ((level & SCP_LEVEL_RENC) && !(s->i & SCP03_I_RENC))) {
        return SW_INCORRECT_P1P2;
    }
    memcpy(ctx, s->host_challenge, 8);
    memcpy(ctx + 8, s->card_challenge, 8);
    scp_key(s, SCP_KEY_MAC, &k);
    if (scp03_kdf(&k, SCP03_DC_HOST_CRYPTOGRAM, 64, ctx, 16,
                  host_cryptogram) != CRYPTO_OK) {
        return SW_UNKNOWN;
    }
    if (!scp_equal(host_cryptogram, cmd->data, 8)) {
        return SW_AUTH_FAILED;
    }
    memset(s->chain, 0, 16);
    n = off + 8;
    if (cmac_command(s, buf, n, 8, mac) != CRYPTO_OK) {
        return SW_UNKNOWN;
    }
    if (!scp_equal(mac, buf + 16 + n, 8)) {
        return SW_SECURITY_STATUS;
    }
    memcpy(s->chain, mac, 16);
    s->level = level;
    s->enc_counter = 0;
    s->state = SCP_OPEN;
    return SW_OK;
}

uint16_t scp03_unwrap(struct scp_session *s, uint8_t *buf, size_t cap,
                      const struct apdu *cmd, struct apdu *plain)
{
    size_t off = scp_data_offset(buf, cmd), n, len;
    uint8_t mac[16], icv[16];
    struct crypto_key k;
    uint8_t *data;

    /* 6.2.6: the counter counts every command of the session */
    s->enc_counter++;
    if (cmd->nc < 8) {
        return SW_SECURITY_STATUS;
    }
    n = off + cmd->nc - 8;
    if (n + 8 + 16 > cap) {
        return SW_WRONG_LENGTH;
    }
    if (cmac_command(s, buf, n, 8, mac) != CRYPTO_OK) {
        return SW_UNKNOWN;
    }
    if (!scp_equal(mac, buf + 16 + n, 8)) {
        return SW_SECURITY_STATUS;
    }
    memcpy(s->chain, mac, 16);
    data = buf + 16 + off;
    len = cmd->nc - 8;
    if ((s->level & SCP_LEVEL_CDEC) &&
        counter_icv(s, false, icv) != CRYPTO_OK) {
        return SW_UNKNOWN;
    }
    if ((s->level & SCP_LEVEL_CDEC) && len > 0) {
        if (len % 16 != 0) {
            return SW_SECURITY_STATUS;
        }
        scp_key(s, SCP_KEY_ENC, &k);
        if (crypto_key_cipher(&k, CRYPTO_AES_CBC, true, icv, data, data,
                              len) != CRYPTO_OK) {
            return SW_UNKNOWN;
        }
        /* ISO/IEC 9797-1 padding method 2 */
        while (len > 0 && data[len - 1] == 0x00) {
            len--;
        }
        if (len == 0 || data[len - 1] != 0x80) {
            return SW_SECURITY_STATUS;
        }
        len--;
    }
    scp_plain(cmd, data, len, plain);
    return SW_OK;
}

void scp03_wrap(struct scp_session *s, struct apdu_response *rsp)
{
    uint8_t *buf = rsp->buf;
    size_t len = rsp->len;
    uint8_t icv[16], mac[16];
    struct crypto_key k;
    uint8_t sw1 = (uint8_t)(rsp->sw >> 8);

    if (!(s->level & SCP_LEVEL_RMAC) ||
        (rsp->sw != SW_OK && sw1 != 0x62 && sw1 != 0x63)) {
        return;     /* Amendment D 6.2.5: errors go back unprotected */
    }
    if (len + 16 + 16 + 2 + 8 > rsp->cap) {
        rsp->len = 0;
        rsp->sw = SW_UNKNOWN;
        return;
    }
    if ((s->level & SCP_LEVEL_RENC) && len > 0) {
        buf[len++] = 0x80;
        while (len % 16 != 0) {
            buf[len++] = 0x00;
        }
        /* 6.2.7: the R-ENCRYPTION ICV of the command last unwrapped (the
         * counter has not moved since) */
        if (counter_icv(s, true, icv) != CRYPTO_OK) {
            rsp->len = 0;
            rsp->sw = SW_UNKNOWN;
            return;
        }
        scp_key(s, SCP_KEY_ENC, &k);
        if (crypto_key_cipher(&k, CRYPTO_AES_CBC, false, icv, buf, buf,
                              len) != CRYPTO_OK) {
            rsp->len = 0;
            rsp->sw = SW_UNKNOWN;
            return;
        }
    }
    /* R-MAC over the chaining value (the C-MAC of the command), the
     * response data and the status word */
    memmove(buf + 16, buf, len);
    memcpy(buf, s->chain, 16);
    buf[16 + len] = sw1;
    buf[16 + len + 1] = (uint8_t)rsp->sw;
    scp_key(s, SCP_KEY_RMAC, &k);
    if (crypto_key_cmac(&k, buf, 16 + len + 2, mac) != CRYPTO_OK) {
        rsp->len = 0;
        rsp->sw = SW_UNKNOWN;
        return;
    }
    memmove(buf, buf + 16, len);
    memcpy(buf + len, mac, 8);
    rsp->len = len + 8;
}

enum crypto_status scp03_kcv(const uint8_t *key, size_t key_len,
                             uint8_t kcv[3])
{
    uint8_t block[16];
    enum crypto_status rc;

    memset(block, 0x01, sizeof(block));
    rc = crypto_cipher(CRYPTO_AES_ECB, CRYPTO_ENGINE_HW, false, key, key_len,
                       NULL, block, block, 16);
    memcpy(kcv, block, 3);
    return rc;
}

enum crypto_status scp03_decrypt_key(const struct crypto_key *dek,
                                     const uint8_t *in, size_t len,
                                     uint8_t *out)
{
    uint8_t icv[16] = { 0 };

    return crypto_key_cipher(dek, CRYPTO_AES_CBC, true, icv, in, out, len);
}
