/*
 * Crypto commands of the test application. See tests/cardos/test_applet_crypto.h.
 *
 * Data is moved to the start of the APDU buffer (word aligned in RAM) and
 * processed in place, so the coprocessor reads and writes it by DMA.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tests/cardos/test_applet_crypto.h"

#include "tests/cardos/test_applet_bench.h"

#include <string.h>

#include "crypto/crypto.h"

#define EC_KEY_ID 0u

static uint16_t sw_of(enum crypto_status rc)
{
    switch (rc) {
    case CRYPTO_OK:
        return SW_OK;
    case CRYPTO_ERR_PARAM:
    case CRYPTO_ERR_INPUT:
    case CRYPTO_ERR_VERIFY:
        return SW_WRONG_DATA;
    case CRYPTO_ERR_BUSY:
        return SW_CONDITIONS_NOT_SATISFIED;
    default:
        return SW_UNKNOWN;      /* refused: 6F00 */
    }
}

static void finish(const struct apdu *cmd, struct apdu_response *rsp,
                   enum crypto_status rc, size_t n)
{
    rsp->sw = sw_of(rc);
    if (rc != CRYPTO_OK) {
        rsp->len = 0;
        return;
    }
    apdu_response_fit_le(cmd, rsp, n);
}

static bool room(const struct apdu_response *rsp, size_t n)
{
    return n + 2 <= rsp->cap;
}

static void cipher(const struct apdu *cmd, struct apdu_response *rsp)
{
    uint8_t key[32], iv[16];
    size_t lk, ivlen, len, off;
    bool aes = cmd->p1 >= 0x01 && cmd->p1 <= 0x03;
    bool soft = (cmd->p2 & 0x80) != 0;
    enum crypto_status rc;

    if (cmd->p1 < 0x01 || cmd->p1 > 0x05 || (cmd->p2 & 0x7e) != 0 || (soft && !aes)) {
        rsp->sw = SW_INCORRECT_P1P2;
        return;
    }
    ivlen = cmd->p1 == 0x02 || cmd->p1 == 0x03 ? 16 : cmd->p1 == 0x05 ? 8 : 0;
    if (cmd->nc < 1 || (lk = cmd->data[0]) > sizeof(key) || cmd->nc < 1 + lk + ivlen) {
        rsp->sw = SW_WRONG_DATA;
        return;
    }
    memcpy(key, cmd->data + 1, lk);
    memcpy(iv, cmd->data + 1 + lk, ivlen);
    off = 1 + lk + ivlen;
    len = cmd->nc - off;
    if (!room(rsp, len)) {
        rsp->sw = SW_WRONG_LENGTH;
        return;
    }
    memmove(rsp->buf, cmd->data + off, len);
    rc = crypto_cipher((enum crypto_cipher)cmd->p1,
                       soft ? CRYPTO_ENGINE_SOFT : CRYPTO_ENGINE_HW, (cmd->p2 & 1) != 0,
                       key, lk, ivlen ? iv : NULL, rsp->buf, rsp->buf, len);
    memset(key, 0, sizeof(key));
    finish(cmd, rsp, rc, len);
}

static void mac(const struct apdu *cmd, struct apdu_response *rsp)
{
    uint8_t key[256], out[64];
    size_t lk, len, n = 0;
    enum crypto_status rc;

    if (cmd->p1 < 0x01 || cmd->p1 > 0x05 || cmd->p2 != 0) {
        rsp->sw = SW_INCORRECT_P1P2;
        return;
    }
    if (cmd->nc < 1 || cmd->nc < 1u + (lk = cmd->data[0])) {
        rsp->sw = SW_WRONG_DATA;
        return;
    }
    memcpy(key, cmd->data + 1, lk);
    len = cmd->nc - 1 - lk;
    memmove(rsp->buf, cmd->data + 1 + lk, len);
    rc = crypto_mac((enum crypto_mac)cmd->p1, key, lk, rsp->buf, len, out, sizeof(out), &n);
    memset(key, 0, sizeof(key));
    if (rc == CRYPTO_OK) {
        memcpy(rsp->buf, out, n);
    }
    finish(cmd, rsp, rc, n);
}

static void hash(const struct apdu *cmd, struct apdu_response *rsp)
{
    uint8_t d[CRYPTO_HASH_MAX];
    size_t n = crypto_hash_len((enum crypto_hash)cmd->p1);
    enum crypto_status rc;

    if (n == 0 || cmd->p2 != 0) {
        rsp->sw = SW_INCORRECT_P1P2;
        return;
    }
    rc = crypto_hash((enum crypto_hash)cmd->p1, cmd->data, cmd->nc, d);
    if (rc == CRYPTO_OK) {
        memcpy(rsp->buf, d, n);
    }
    finish(cmd, rsp, rc, n);
}

static void ec(const struct apdu *cmd, struct apdu_response *rsp)
{
    enum crypto_curve curve = (enum crypto_curve)cmd->p2;
    size_t cs = crypto_curve_size(curve);
    uint8_t tmp[1 + 2 * 48];
    enum crypto_status rc;

    if (cs == 0 || cmd->p1 < 0x01 || cmd->p1 > 0x04) {
        rsp->sw = SW_INCORRECT_P1P2;
        return;
    }
    switch (cmd->p1) {
    case 0x01:      /* GENERATE */
        if (cmd->nc != 0) {
            rsp->sw = SW_WRONG_LENGTH;
            return;
        }
        rc = crypto_ec_generate(curve, EC_KEY_ID, tmp + 1);
        tmp[0] = 0x04;
        if (rc == CRYPTO_OK) {
            memcpy(rsp->buf, tmp, 1 + 2 * cs);
        }
        finish(cmd, rsp, rc, 1 + 2 * cs);
        return;
    case 0x02:      /* SIGN */
        if (crypto_ec_key_curve(EC_KEY_ID) != curve) {
            rsp->sw = SW_CONDITIONS_NOT_SATISFIED;
            return;
        }
        if (cmd->nc < 1 || cmd->nc > CRYPTO_HASH_MAX) {
            rsp->sw = SW_WRONG_DATA;
            return;
        }
        rc = crypto_ecdsa_sign(EC_KEY_ID, cmd->data, cmd->nc, tmp);
        if (rc == CRYPTO_OK) {
            memcpy(rsp->buf, tmp, 2 * cs);
        }
        finish(cmd, rsp, rc, 2 * cs);
        return;
    case 0x03: {    /* VERIFY */
        size_t hl = cmd->nc > 1 + 4 * cs ? cmd->nc - 1 - 4 * cs : 0;

        if (hl < 1 || hl > CRYPTO_HASH_MAX || cmd->data[0] != 0x04) {
            rsp->sw = SW_WRONG_DATA;
            return;
        }
        rc = crypto_ecdsa_verify(curve, cmd->data + 1, cmd->data + 1 + 4 * cs, hl,
                                 cmd->data + 1 + 2 * cs);
        if (rc == CRYPTO_OK || rc == CRYPTO_ERR_VERIFY) {
            rsp->buf[0] = rc == CRYPTO_OK ? 0x01 : 0x00;
            rc = CRYPTO_OK;
        }
        finish(cmd, rsp, rc, 1);
        return;
    }
    default:        /* ECDH */
        if (crypto_ec_key_curve(EC_KEY_ID) != curve) {
            rsp->sw = SW_CONDITIONS_NOT_SATISFIED;
            return;
        }
        if (cmd->nc != 1 + 2 * cs || cmd->data[0] != 0x04) {
            rsp->sw = SW_WRONG_DATA;
            return;
        }
        rc = crypto_ecdh(EC_KEY_ID, cmd->data + 1, tmp);
        if (rc == CRYPTO_OK) {
            memcpy(rsp->buf, tmp, cs);
        }
        finish(cmd, rsp, rc, cs);
        return;
    }
}

static void random_bytes(const struct apdu *cmd, struct apdu_response *rsp)
{
    size_t n = (size_t)cmd->p1 << 8 | cmd->p2;

    if (n < 1 || n > 4096) {
        rsp->sw = SW_INCORRECT_P1P2;
        return;
    }
    if (cmd->nc != 0 || !room(rsp, n)) {
        rsp->sw = SW_WRONG_LENGTH;
        return;
    }
    finish(cmd, rsp, crypto_random(rsp->buf, n), n);
}

static size_t be16(const uint8_t *p)
{
    return (size_t)p[0] << 8 | p[1];
}

static void rsa(const struct apdu *cmd, struct apdu_response *rsp)
{
    const uint8_t *d = cmd->data;
    enum crypto_status rc;
    size_t k;

    if ((cmd->p1 != 0x01 && cmd->p1 != 0x02) || cmd->p2 != 0) {
        rsp->sw = SW_INCORRECT_P1P2;
        return;
    }
    if (cmd->nc < 2) {
        rsp->sw = SW_WRONG_DATA;
        return;
    }
    if (cmd->p1 == 0x01) {
        uint32_t e;

        k = be16(d);
        if (k == 0 || cmd->nc != 2 + k + 4 + k) {
            rsp->sw = SW_WRONG_DATA;
            return;
        }
        e = (uint32_t)d[2 + k] << 24 | (uint32_t)d[3 + k] << 16 |
            (uint32_t)d[4 + k] << 8 | d[5 + k];
        /* The output goes after the command's data: the buffer holds both. */
        if (!room(rsp, cmd->nc + 8 + k)) {
            rsp->sw = SW_WRONG_LENGTH;
            return;
        }
        {
            uint8_t *out = rsp->buf + ((cmd->data - rsp->buf) + cmd->nc + 3u) / 4u * 4u;

            rc = crypto_rsa_public(d + 2, k, e, d + 6 + k, out);
            if (rc == CRYPTO_OK) {
                memmove(rsp->buf, out, k);
            }
        }
    } else {
        size_t h = be16(d);
        struct crypto_rsa_crt_key key;

        k = 2 * h;
        if (h == 0 || cmd->nc != 2 + 5 * h + k) {
            rsp->sw = SW_WRONG_DATA;
            return;
        }
        if (!room(rsp, cmd->nc + 8 + k)) {
            rsp->sw = SW_WRONG_LENGTH;
            return;
        }
        key.p = d + 2;
        key.q = d + 2 + h;
        key.dp = d + 2 + 2 * h;
        key.dq = d + 2 + 3 * h;
        key.qinv = d + 2 + 4 * h;
        key.half = h;
        {
            uint8_t *out = rsp->buf + ((cmd->data - rsp->buf) + cmd->nc + 3u) / 4u * 4u;

            rc = crypto_rsa_private(&key, d + 2 + 5 * h, out);
            if (rc == CRYPTO_OK) {
                memmove(rsp->buf, out, k);
            }
        }
    }
    finish(cmd, rsp, rc, k);
}

enum applet_status test_applet_crypto_process(const struct apdu *cmd,
                                              struct apdu_response *rsp)
{
    switch (cmd->ins) {
    case TEST_INS_CIPHER:
        cipher(cmd, rsp);
        break;
    case TEST_INS_MAC:
        mac(cmd, rsp);
        break;
    case TEST_INS_HASH:
        hash(cmd, rsp);
        break;
    case TEST_INS_EC:
        ec(cmd, rsp);
        break;
    case TEST_INS_RANDOM:
        random_bytes(cmd, rsp);
        break;
    case TEST_INS_RSA:
        rsa(cmd, rsp);
        break;
    case TEST_INS_BENCH:
        test_applet_bench(cmd, rsp);
        break;
    default:
        rsp->sw = SW_INS_NOT_SUPPORTED;
        break;
    }
    return APPLET_DONE;
}

enum t0_dir test_applet_crypto_t0_direction(const uint8_t hdr[4])
{
    switch (hdr[1]) {
    case TEST_INS_CIPHER:
    case TEST_INS_MAC:
    case TEST_INS_HASH:
    case TEST_INS_RSA:
        return T0_DIR_IN;
    case TEST_INS_EC:
        return hdr[2] == 0x01 ? T0_DIR_OUT : T0_DIR_IN;
    case TEST_INS_RANDOM:
        return T0_DIR_OUT;
    case TEST_INS_BENCH:
        return test_applet_bench_t0_direction(hdr);
    default:
        return T0_DIR_NONE;
    }
}
