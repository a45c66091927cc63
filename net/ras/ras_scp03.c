/*
 * ras_scp03 — host side of SCP03 (see ras_scp03.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "ras_scp03.h"

#include <stdbool.h>
#include <string.h>

#include "mbedtls/aes.h"
#include "mbedtls/cipher.h"
#include "mbedtls/cmac.h"

static const mbedtls_cipher_info_t *cmac_info(size_t key_len)
{
    switch (key_len) {
    case 16: return mbedtls_cipher_info_from_type(MBEDTLS_CIPHER_AES_128_ECB);
    case 24: return mbedtls_cipher_info_from_type(MBEDTLS_CIPHER_AES_192_ECB);
    case 32: return mbedtls_cipher_info_from_type(MBEDTLS_CIPHER_AES_256_ECB);
    default: return NULL;
    }
}

static int cmac(const uint8_t *key, size_t key_len, const uint8_t *in,
                size_t n, uint8_t out[16])
{
    const mbedtls_cipher_info_t *ci = cmac_info(key_len);
    if (!ci) {
        return RAS_SCP03_E_ARG;
    }
    return mbedtls_cipher_cmac(ci, key, key_len * 8, in, n, out)
           ? RAS_SCP03_E_CRYPTO : RAS_SCP03_OK;
}

/* Amendment D 4.1.5: SP 800-108 counter mode, the counter i after L. */
int ras_scp03_kdf(const uint8_t *key, size_t key_len, uint8_t constant,
                  unsigned l_bits, const uint8_t *ctx, size_t ctx_len,
                  uint8_t *out)
{
    uint8_t d[16 + 64];
    if (ctx_len > 64 || l_bits % 64 || l_bits == 0 || l_bits > 256) {
        return RAS_SCP03_E_ARG;
    }
    memset(d, 0, 11);
    d[11] = constant;
    d[12] = 0x00;                          /* separation indicator */
    d[13] = (uint8_t)(l_bits >> 8);
    d[14] = (uint8_t)l_bits;
    memcpy(d + 16, ctx, ctx_len);
    size_t want = l_bits / 8;
    for (uint8_t i = 1; (size_t)(i - 1) * 16 < want; i++) {
        uint8_t blk[16];
        d[15] = i;
        int rc = cmac(key, key_len, d, 16 + ctx_len, blk);
        if (rc) {
            return rc;
        }
        size_t off = (size_t)(i - 1) * 16;
        memcpy(out + off, blk, want - off < 16 ? want - off : 16);
    }
    return RAS_SCP03_OK;
}

size_t ras_scp03_initialize_update(uint8_t kvn, const uint8_t host_chal[8],
                                   uint8_t out[14])
{
    static const uint8_t h[5] = { 0x80, 0x50, 0x00, 0x00, 0x08 };
    memcpy(out, h, 5);
    out[2] = kvn;
    memcpy(out + 5, host_chal, 8);
    out[13] = 0x00;                        /* Le */
    return 14;
}

int ras_scp03_card_challenge(const uint8_t *key_enc, size_t key_len,
                             const uint8_t seq[3], const uint8_t *aid,
                             size_t aid_len, uint8_t out[8])
{
    uint8_t ctx[3 + 16];
    if (aid_len > 16) {
        return RAS_SCP03_E_ARG;
    }
    memcpy(ctx, seq, 3);
    memcpy(ctx + 3, aid, aid_len);
    return ras_scp03_kdf(key_enc, key_len, 0x02, 64, ctx, 3 + aid_len, out);
}

/* C-MAC over chain | header | data (Amendment D 6.2.4); updates the
 * chaining value and writes the first 8 bytes to MAC8. */
static int c_mac(RasScp03Session *s, const uint8_t *msg, size_t n,
                 uint8_t mac8[8])
{
    uint8_t buf[16 + 5 + 255];
    uint8_t full[16];
    if (n > 5 + 255) {
        return RAS_SCP03_E_ARG;
    }
    memcpy(buf, s->chain, 16);
    memcpy(buf + 16, msg, n);
    int rc = cmac(s->s_mac, s->key_len, buf, 16 + n, full);
    if (rc) {
        return rc;
    }
    memcpy(s->chain, full, 16);
    memcpy(mac8, full, 8);
    return RAS_SCP03_OK;
}

int ras_scp03_begin(RasScp03Session *s, const RasScp03Keys *k,
                    const uint8_t host_chal[8], const uint8_t *rsp,
                    size_t rsp_len, uint8_t level, const uint8_t *isd_aid,
                    size_t aid_len, uint8_t ext_auth[21])
{
    memset(s, 0, sizeof(*s));
    if (!cmac_info(k->key_len)) {
        return RAS_SCP03_E_ARG;
    }
    /* Strip SW 90 00 when present: key diversification data (10), key
     * information (3: KVN, 03, i), card challenge (8), card cryptogram (8),
     * [sequence counter (3) with a pseudo-random challenge]. */
    if (rsp_len == 31 || rsp_len == 34) {
        if (rsp[rsp_len - 2] != 0x90 || rsp[rsp_len - 1] != 0x00) {
            return RAS_SCP03_E_RESPONSE;
        }
        rsp_len -= 2;
    }
    if ((rsp_len != 29 && rsp_len != 32) || rsp[11] != 0x03) {
        return RAS_SCP03_E_RESPONSE;
    }
    s->key_len = k->key_len;
    s->i_param = rsp[12];
    s->level = level;
    const uint8_t *card_chal = rsp + 13;
    const uint8_t *card_crypto = rsp + 21;
    if (rsp_len == 32) {
        memcpy(s->seq, rsp + 29, 3);
    }
    if ((s->i_param & 0x10) && isd_aid) {
        uint8_t want[8];
        if (rsp_len != 32) {
            return RAS_SCP03_E_RESPONSE;
        }
        int rc = ras_scp03_card_challenge(k->enc, k->key_len, s->seq,
                                          isd_aid, aid_len, want);
        if (rc) {
            return rc;
        }
        if (memcmp(want, card_chal, 8)) {
            return RAS_SCP03_E_CHALLENGE;
        }
    }
    uint8_t ctx[16];
    memcpy(ctx, host_chal, 8);
    memcpy(ctx + 8, card_chal, 8);
    unsigned lk = (unsigned)k->key_len * 8;
    int rc = ras_scp03_kdf(k->enc, k->key_len, 0x04, lk, ctx, 16, s->s_enc);
    rc = rc ? rc : ras_scp03_kdf(k->mac, k->key_len, 0x06, lk, ctx, 16, s->s_mac);
    rc = rc ? rc : ras_scp03_kdf(k->mac, k->key_len, 0x07, lk, ctx, 16, s->s_rmac);
    if (rc) {
        return rc;
    }
    uint8_t crypto[8];
    rc = ras_scp03_kdf(s->s_mac, s->key_len, 0x00, 64, ctx, 16, crypto);
    if (rc) {
        return rc;
    }
    if (memcmp(crypto, card_crypto, 8)) {
        return RAS_SCP03_E_CRYPTOGRAM;
    }
    /* EXTERNAL AUTHENTICATE: 84 82 level 00 10 host-cryptogram C-MAC. */
    ext_auth[0] = 0x84;
    ext_auth[1] = 0x82;
    ext_auth[2] = level;
    ext_auth[3] = 0x00;
    ext_auth[4] = 0x10;
    rc = ras_scp03_kdf(s->s_mac, s->key_len, 0x01, 64, ctx, 16, ext_auth + 5);
    if (rc) {
        return rc;
    }
    rc = c_mac(s, ext_auth, 13, ext_auth + 13);
    s->enc_counter = 1;
    return rc;
}

int ras_scp03_wrap(RasScp03Session *s, const uint8_t *apdu, size_t len,
                   uint8_t *out, size_t *out_len)
{
    size_t lc = 0, data_off = 5;
    bool has_le = false;
    uint8_t le = 0;
    if (len < 4) {
        return RAS_SCP03_E_ARG;
    }
    if (len == 5) {                          /* case 2 */
        has_le = true;
        le = apdu[4];
    } else if (len > 5) {                    /* case 3 or 4 */
        lc = apdu[4];
        if (lc == 0 || 5 + lc > len || len > 5 + lc + 1) {
            return RAS_SCP03_E_ARG;
        }
        if (len == 5 + lc + 1) {
            has_le = true;
            le = apdu[len - 1];
        }
    }
    uint8_t data[256];
    size_t dlen = lc;
    memcpy(data, apdu + data_off, lc);
    /* C-DECRYPTION (level b2): pad 80 00.. and AES-CBC with S-ENC, ICV =
     * AES(S-ENC, counter) (Amendment D 6.2.6); no data, nothing encrypted. */
    if ((s->level & 0x02) && lc) {
        uint8_t icv[16] = { 0 };
        mbedtls_aes_context aes;
        dlen = (lc / 16 + 1) * 16;
        if (dlen + 8 > 255) {
            return RAS_SCP03_E_ARG;
        }
        data[lc] = 0x80;
        memset(data + lc + 1, 0, dlen - lc - 1);
        icv[12] = (uint8_t)(s->enc_counter >> 24);
        icv[13] = (uint8_t)(s->enc_counter >> 16);
        icv[14] = (uint8_t)(s->enc_counter >> 8);
        icv[15] = (uint8_t)s->enc_counter;
        mbedtls_aes_init(&aes);
        int rc = mbedtls_aes_setkey_enc(&aes, s->s_enc, (unsigned)s->key_len * 8);
        rc = rc ? rc : mbedtls_aes_crypt_ecb(&aes, MBEDTLS_AES_ENCRYPT, icv, icv);
        rc = rc ? rc : mbedtls_aes_crypt_cbc(&aes, MBEDTLS_AES_ENCRYPT, dlen,
                                             icv, data, data);
        mbedtls_aes_free(&aes);
        if (rc) {
            return RAS_SCP03_E_CRYPTO;
        }
    }
    s->enc_counter++;
    if (dlen + 8 > 255) {
        return RAS_SCP03_E_ARG;
    }
    out[0] = (uint8_t)(apdu[0] | 0x04);  /* secure messaging indication */
    out[1] = apdu[1];
    out[2] = apdu[2];
    out[3] = apdu[3];
    out[4] = (uint8_t)(dlen + 8);
    memcpy(out + 5, data, dlen);
    int rc = c_mac(s, out, 5 + dlen, out + 5 + dlen);
    if (rc) {
        return rc;
    }
    *out_len = 5 + dlen + 8;
    if (has_le) {
        out[(*out_len)++] = le;
    }
    return RAS_SCP03_OK;
}
