/*
 * netcard crypto coprocessor: the symmetric commands. AES (ECB, CBC,
 * CTR) and AES-CMAC, TDES (ECB, CBC) and the ISO/IEC 9797-1 retail MAC,
 * SHA-1/SHA-2 and HMAC in the four hash contexts. Each command is a
 * netcard_crypto_op_*() of netcard_crypto_internal.h, called by
 * netcard_crypto.c when CMD is written. docs/crypto.md describes the
 * commands and their timing.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/bswap.h"
#include "netcard_crypto.h"
#include "netcard_crypto_internal.h"

#include "mbedtls/aes.h"
#include "mbedtls/des.h"
#include "mbedtls/cipher.h"
#include "mbedtls/cmac.h"
#include "mbedtls/sha1.h"
#include "mbedtls/sha256.h"
#include "mbedtls/sha512.h"
#include "mbedtls/platform_util.h"

typedef union NetcardHashState {
    mbedtls_sha1_context sha1;
    mbedtls_sha256_context sha256;
    mbedtls_sha512_context sha512;
} NetcardHashState;

QEMU_BUILD_BUG_ON(sizeof(NetcardHashState) > NETCARD_CRYPTO_HASH_STATE_SIZE);

/* ------------------------------------------------------------------ */
/* Hashes                                                              */

static uint32_t hash_len(uint32_t alg)
{
    static const uint8_t len[] = { 0, 20, 28, 32, 48, 64 };

    return alg < ARRAY_SIZE(len) ? len[alg] : 0;
}

static uint32_t hash_block(uint32_t alg)
{
    return alg >= NETCARD_CRYPTO_HASH_SHA384 ? 128 : 64;
}

static uint32_t hash_cost(NetcardCryptoState *s, uint32_t alg)
{
    switch (alg) {
    case NETCARD_CRYPTO_HASH_SHA1:
        return s->cost[NC_COST_SHA1];
    case NETCARD_CRYPTO_HASH_SHA224:
    case NETCARD_CRYPTO_HASH_SHA256:
        return s->cost[NC_COST_SHA256];
    default:
        return s->cost[NC_COST_SHA512];
    }
}

static void hash_start(NetcardHashState *h, uint32_t alg)
{
    switch (alg) {
    case NETCARD_CRYPTO_HASH_SHA1:
        mbedtls_sha1_init(&h->sha1);
        mbedtls_sha1_starts(&h->sha1);
        break;
    case NETCARD_CRYPTO_HASH_SHA224:
    case NETCARD_CRYPTO_HASH_SHA256:
        mbedtls_sha256_init(&h->sha256);
        mbedtls_sha256_starts(&h->sha256, alg == NETCARD_CRYPTO_HASH_SHA224);
        break;
    default:
        mbedtls_sha512_init(&h->sha512);
        mbedtls_sha512_starts(&h->sha512, alg == NETCARD_CRYPTO_HASH_SHA384);
        break;
    }
}

static void hash_update(NetcardHashState *h, uint32_t alg,
                        const uint8_t *data, size_t len)
{
    switch (alg) {
    case NETCARD_CRYPTO_HASH_SHA1:
        mbedtls_sha1_update(&h->sha1, data, len);
        break;
    case NETCARD_CRYPTO_HASH_SHA224:
    case NETCARD_CRYPTO_HASH_SHA256:
        mbedtls_sha256_update(&h->sha256, data, len);
        break;
    default:
        mbedtls_sha512_update(&h->sha512, data, len);
        break;
    }
}

static void hash_finish(NetcardHashState *h, uint32_t alg, uint8_t *out)
{
    switch (alg) {
    case NETCARD_CRYPTO_HASH_SHA1:
        mbedtls_sha1_finish(&h->sha1, out);
        break;
    case NETCARD_CRYPTO_HASH_SHA224:
    case NETCARD_CRYPTO_HASH_SHA256:
        mbedtls_sha256_finish(&h->sha256, out);
        break;
    default:
        mbedtls_sha512_finish(&h->sha512, out);
        break;
    }
    mbedtls_platform_zeroize(h, sizeof(*h));
}

static void ctx_load(NetcardCryptoCtx *c, NetcardHashState *h)
{
    memcpy(h, c->state, sizeof(*h));
}

static void ctx_store(NetcardCryptoCtx *c, NetcardHashState *h)
{
    memcpy(c->state, h, sizeof(*h));
    mbedtls_platform_zeroize(h, sizeof(*h));
}

void netcard_crypto_ctx_zeroize(NetcardCryptoCtx *c)
{
    mbedtls_platform_zeroize(c, sizeof(*c));
}

/* ------------------------------------------------------------------ */
/* Commands                                                            */

static void iv_get(NetcardCryptoState *s, uint8_t *iv)
{
    for (int i = 0; i < 4; i++) {
        stl_le_p(iv + 4 * i, s->iv[i]);
    }
}

static uint64_t aes_cycles(NetcardCryptoState *s, uint32_t keylen,
                           uint64_t blocks)
{
    /* 10, 12 or 14 rounds: the per-block figure is for AES-128 */
    return blocks * s->cost[NC_COST_AES] * (6 + keylen / 4) / 10;
}

/*
 * Where the LEN output bytes of a cipher command go: DST, or with
 * CMD.TOSLOT a new key in slot KEY2 (sym_to_slot(), when the command is
 * accepted): nothing is then written to memory and OUTLEN stays 0.
 */
static uint32_t sym_output(NetcardCryptoState *s, NetcardCryptoJob *j,
                           uint32_t len)
{
    if (!FIELD_EX32(s->cmd, CRYPTO_CMD, TOSLOT)) {
        return netcard_crypto_job_output(s, j, len, s->src, s->len);
    }
    j->out = g_malloc0(len ? len : 1);
    j->out_len = len;
    j->dst = 0;
    return NETCARD_CRYPTO_OK;
}

/*
 * With CMD.TOSLOT: the output in J becomes slot KEY2's key of
 * KEYCFG.TYPE and .USAGE (validated as KEY_LOAD does); J keeps none.
 */
static uint32_t sym_to_slot(NetcardCryptoState *s, NetcardCryptoJob *j)
{
    uint32_t err;

    if (!FIELD_EX32(s->cmd, CRYPTO_CMD, TOSLOT)) {
        return NETCARD_CRYPTO_OK;
    }
    err = netcard_crypto_slot_store(s, FIELD_EX32(s->cmd, CRYPTO_CMD, KEY2),
                                    FIELD_EX32(s->keycfg, CRYPTO_KEYCFG, TYPE),
                                    FIELD_EX32(s->keycfg, CRYPTO_KEYCFG,
                                               USAGE),
                                    j->out, j->out_len);
    mbedtls_platform_zeroize(j->out, j->out_len);
    g_free(j->out);
    j->out = NULL;
    j->out_len = 0;
    j->iv_valid = false;
    return err;
}

uint32_t netcard_crypto_op_aes(NetcardCryptoState *s, uint32_t op,
                               NetcardCryptoJob *j)
{
    bool dec = FIELD_EX32(s->cmd, CRYPTO_CMD, DEC);
    NetcardCryptoSlot *k;
    mbedtls_aes_context aes;
    uint8_t *in = NULL;
    uint8_t iv[16], stream[16];
    size_t nc_off = 0;
    uint32_t err;
    int r;

    err = netcard_crypto_slot_get(s, FIELD_EX32(s->cmd, CRYPTO_CMD, KEY),
                                  NETCARD_CRYPTO_KEY_AES,
                                  dec ? NETCARD_CRYPTO_USE_DECRYPT :
                                  NETCARD_CRYPTO_USE_ENCRYPT, &k);
    if (err) {
        return err;
    }
    if (s->len == 0 || (op != NETCARD_CRYPTO_OP_AES_CTR && s->len % 16)) {
        return NETCARD_CRYPTO_ERR_BAD_LEN;
    }
    err = netcard_crypto_dma_check(s, s->src, s->len, false);
    if (!err) {
        err = sym_output(s, j, s->len);
    }
    if (!err) {
        err = netcard_crypto_dma_fetch(s, s->src, s->len, &in);
    }
    if (err) {
        return err;
    }
    iv_get(s, iv);
    mbedtls_aes_init(&aes);
    if (dec && op != NETCARD_CRYPTO_OP_AES_CTR) {
        r = mbedtls_aes_setkey_dec(&aes, k->data, k->len * 8);
    } else {
        r = mbedtls_aes_setkey_enc(&aes, k->data, k->len * 8);
    }
    switch (op) {
    case NETCARD_CRYPTO_OP_AES_ECB:
        for (uint32_t off = 0; !r && off < s->len; off += 16) {
            r = mbedtls_aes_crypt_ecb(&aes, dec ? MBEDTLS_AES_DECRYPT :
                                      MBEDTLS_AES_ENCRYPT, in + off,
                                      j->out + off);
        }
        break;
    case NETCARD_CRYPTO_OP_AES_CBC:
        r = r ? r : mbedtls_aes_crypt_cbc(&aes, dec ? MBEDTLS_AES_DECRYPT :
                                          MBEDTLS_AES_ENCRYPT, s->len, iv,
                                          in, j->out);
        j->iv_valid = true;
        break;
    default:
        r = r ? r : mbedtls_aes_crypt_ctr(&aes, s->len, &nc_off, iv, stream,
                                          in, j->out);
        j->iv_valid = true;
        break;
    }
    memcpy(j->iv, iv, 16);
    mbedtls_aes_free(&aes);
    mbedtls_platform_zeroize(stream, sizeof(stream));
    g_free(in);
    j->cycles = aes_cycles(s, k->len, DIV_ROUND_UP(s->len, 16));
    return r ? NETCARD_CRYPTO_ERR_INTERNAL : sym_to_slot(s, j);
}

/*
 * AES_CMAC. With CMD.TOSLOT, a key derivation (NIST SP 800-108 5.1,
 * counter mode, PRF AES-CMAC, an 8-bit counter): KEYCFG.LEN bytes (at
 * most 64) of CMAC(SRC/LEN) with the byte at offset CMD.ALG of the
 * message set to 1, 2, ... for each 16-byte block, into slot KEY2.
 * GPC Amendment D 4.1.5 (SCP03) puts that counter at offset 15.
 */
uint32_t netcard_crypto_op_cmac(NetcardCryptoState *s, NetcardCryptoJob *j)
{
    static const mbedtls_cipher_type_t types[] = {
        MBEDTLS_CIPHER_AES_128_ECB, MBEDTLS_CIPHER_AES_192_ECB,
        MBEDTLS_CIPHER_AES_256_ECB,
    };
    bool toslot = FIELD_EX32(s->cmd, CRYPTO_CMD, TOSLOT);
    uint32_t ctr = FIELD_EX32(s->cmd, CRYPTO_CMD, ALG);
    uint32_t olen = toslot ? FIELD_EX32(s->keycfg, CRYPTO_KEYCFG, LEN) : 16;
    uint32_t blocks = DIV_ROUND_UP(olen, 16);
    NetcardCryptoSlot *k;
    uint8_t *in = NULL;
    uint8_t mac[16];
    uint32_t err;
    int r = 0;

    err = netcard_crypto_slot_get(s, FIELD_EX32(s->cmd, CRYPTO_CMD, KEY),
                                  NETCARD_CRYPTO_KEY_AES,
                                  NETCARD_CRYPTO_USE_MAC, &k);
    if (!err && toslot &&
        (olen == 0 || olen > 64 || ctr >= s->len)) {
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: CMAC KDF of %u "
                      "bytes, counter at %u of %u\n", olen, ctr, s->len);
        err = NETCARD_CRYPTO_ERR_BAD_LEN;
    }
    if (!err) {
        err = netcard_crypto_dma_check(s, s->src, s->len, false);
    }
    if (!err) {
        err = sym_output(s, j, olen);
    }
    if (!err) {
        err = netcard_crypto_dma_fetch(s, s->src, s->len, &in);
    }
    if (err) {
        return err;
    }
    for (uint32_t b = 0; !r && b < blocks; b++) {
        if (toslot) {
            in[ctr] = (uint8_t)(b + 1);
        }
        r = mbedtls_cipher_cmac(
            mbedtls_cipher_info_from_type(types[(k->len - 16) / 8]),
            k->data, k->len * 8, in, s->len, mac);
        memcpy(j->out + 16 * b, mac, MIN(16, olen - 16 * b));
    }
    mbedtls_platform_zeroize(mac, sizeof(mac));
    g_free(in);
    /* one extra block per CMAC: the subkey derivation */
    j->cycles = blocks * aes_cycles(s, k->len, DIV_ROUND_UP(s->len, 16) + 1);
    return r ? NETCARD_CRYPTO_ERR_INTERNAL : sym_to_slot(s, j);
}

uint32_t netcard_crypto_op_tdes(NetcardCryptoState *s, uint32_t op,
                                NetcardCryptoJob *j)
{
    bool dec = FIELD_EX32(s->cmd, CRYPTO_CMD, DEC);
    bool mac = op == NETCARD_CRYPTO_OP_RETAIL_MAC;
    NetcardCryptoSlot *k;
    uint8_t *in = NULL;
    uint8_t iv[16];
    uint32_t err;
    int r = 0;

    err = netcard_crypto_slot_get(s, FIELD_EX32(s->cmd, CRYPTO_CMD, KEY),
                                  NETCARD_CRYPTO_KEY_TDES,
                                  mac ? NETCARD_CRYPTO_USE_MAC :
                                  dec ? NETCARD_CRYPTO_USE_DECRYPT :
                                  NETCARD_CRYPTO_USE_ENCRYPT, &k);
    if (err) {
        return err;
    }
    if (mac && k->len != 16) {
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: retail MAC needs a "
                      "16-byte (K, K') key\n");
        return NETCARD_CRYPTO_ERR_KEY_SIZE;
    }
    if (s->len == 0 || s->len % 8) {
        return NETCARD_CRYPTO_ERR_BAD_LEN;
    }
    if (mac && FIELD_EX32(s->cmd, CRYPTO_CMD, TOSLOT)) {
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: no retail MAC into "
                      "a slot\n");
        return NETCARD_CRYPTO_ERR_BAD_OP;
    }
    err = netcard_crypto_dma_check(s, s->src, s->len, false);
    if (!err) {
        err = sym_output(s, j, mac ? 8 : s->len);
    }
    if (!err) {
        err = netcard_crypto_dma_fetch(s, s->src, s->len, &in);
    }
    if (err) {
        return err;
    }
    iv_get(s, iv);
    if (mac) {
        /* ISO/IEC 9797-1 MAC algorithm 3: CBC-MAC with K, then D_K', E_K */
        mbedtls_des_context ek, dk2;
        uint8_t h[8];

        mbedtls_des_init(&ek);
        mbedtls_des_init(&dk2);
        r = mbedtls_des_setkey_enc(&ek, k->data);
        r = r ? r : mbedtls_des_setkey_dec(&dk2, k->data + 8);
        memcpy(h, iv, 8);
        for (uint32_t off = 0; !r && off < s->len; off += 8) {
            for (int i = 0; i < 8; i++) {
                h[i] ^= in[off + i];
            }
            r = mbedtls_des_crypt_ecb(&ek, h, h);
        }
        r = r ? r : mbedtls_des_crypt_ecb(&dk2, h, h);
        r = r ? r : mbedtls_des_crypt_ecb(&ek, h, j->out);
        mbedtls_platform_zeroize(h, sizeof(h));
        mbedtls_des_free(&ek);
        mbedtls_des_free(&dk2);
        /* single DES per block (a third of a TDES block), plus 2 at the end */
        j->cycles = (uint64_t)s->cost[NC_COST_TDES] * (s->len / 8 + 2) / 3;
    } else {
        mbedtls_des3_context d3;

        mbedtls_des3_init(&d3);
        if (k->len == 16) {
            r = dec ? mbedtls_des3_set2key_dec(&d3, k->data) :
                      mbedtls_des3_set2key_enc(&d3, k->data);
        } else {
            r = dec ? mbedtls_des3_set3key_dec(&d3, k->data) :
                      mbedtls_des3_set3key_enc(&d3, k->data);
        }
        if (op == NETCARD_CRYPTO_OP_TDES_ECB) {
            for (uint32_t off = 0; !r && off < s->len; off += 8) {
                r = mbedtls_des3_crypt_ecb(&d3, in + off, j->out + off);
            }
        } else {
            r = r ? r : mbedtls_des3_crypt_cbc(&d3, dec ? MBEDTLS_DES_DECRYPT :
                                               MBEDTLS_DES_ENCRYPT, s->len,
                                               iv, in, j->out);
            memcpy(j->iv, iv, 16);
            j->iv_valid = true;
        }
        mbedtls_des3_free(&d3);
        j->cycles = (uint64_t)s->cost[NC_COST_TDES] * (s->len / 8);
    }
    g_free(in);
    return r ? NETCARD_CRYPTO_ERR_INTERNAL : sym_to_slot(s, j);
}

uint32_t netcard_crypto_op_hash(NetcardCryptoState *s, uint32_t op,
                                NetcardCryptoJob *j)
{
    uint32_t alg = FIELD_EX32(s->cmd, CRYPTO_CMD, ALG);
    NetcardCryptoCtx *c = &s->ctx[FIELD_EX32(s->cmd, CRYPTO_CMD, CTX)];
    NetcardHashState h;
    uint8_t *in = NULL;
    uint32_t err;

    switch (op) {
    case NETCARD_CRYPTO_OP_HASH_INIT:
    case NETCARD_CRYPTO_OP_HMAC_INIT: {
        NetcardCryptoSlot *k = NULL;
        uint8_t kb[128], pad[128];
        uint32_t bs = hash_block(alg), klen;

        if (hash_len(alg) == 0) {
            qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: unknown hash "
                          "ALG %u\n", alg);
            return NETCARD_CRYPTO_ERR_BAD_OP;
        }
        if (op == NETCARD_CRYPTO_OP_HMAC_INIT) {
            err = netcard_crypto_slot_get(
                s, FIELD_EX32(s->cmd, CRYPTO_CMD, KEY),
                NETCARD_CRYPTO_KEY_HMAC, NETCARD_CRYPTO_USE_MAC, &k);
            if (err) {
                return err;
            }
        }
        netcard_crypto_ctx_zeroize(c);
        c->alg = alg;
        j->cycles = hash_cost(s, alg);
        if (!k) {
            hash_start(&h, alg);
            ctx_store(c, &h);
            return NETCARD_CRYPTO_OK;
        }
        /* RFC 2104: keys longer than a block are hashed first */
        memset(kb, 0, sizeof(kb));
        klen = k->len;
        if (klen > bs) {
            hash_start(&h, alg);
            hash_update(&h, alg, k->data, klen);
            hash_finish(&h, alg, kb);
            j->cycles += hash_cost(s, alg) * DIV_ROUND_UP(klen + 1, bs);
        } else {
            memcpy(kb, k->data, klen);
        }
        for (uint32_t i = 0; i < bs; i++) {
            pad[i] = kb[i] ^ 0x36;
            c->opad[i] = kb[i] ^ 0x5c;
        }
        c->hmac = 1;
        hash_start(&h, alg);
        hash_update(&h, alg, pad, bs);
        ctx_store(c, &h);
        mbedtls_platform_zeroize(kb, sizeof(kb));
        mbedtls_platform_zeroize(pad, sizeof(pad));
        return NETCARD_CRYPTO_OK;
    }
    case NETCARD_CRYPTO_OP_HASH_UPDATE:
        if (c->alg == 0) {
            qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: HASH_UPDATE on "
                          "idle context %u\n",
                          (unsigned)FIELD_EX32(s->cmd, CRYPTO_CMD, CTX));
            return NETCARD_CRYPTO_ERR_BAD_STATE;
        }
        err = netcard_crypto_dma_fetch(s, s->src, s->len, &in);
        if (err) {
            return err;
        }
        ctx_load(c, &h);
        hash_update(&h, c->alg, in, s->len);
        ctx_store(c, &h);
        g_free(in);
        j->cycles = (uint64_t)hash_cost(s, c->alg) *
            DIV_ROUND_UP(s->len, hash_block(c->alg));
        return NETCARD_CRYPTO_OK;
    default: { /* HASH_FINAL */
        uint8_t d[NETCARD_CRYPTO_MAX_DIGEST];
        uint32_t dlen = hash_len(c->alg);

        if (c->alg == 0) {
            qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: HASH_FINAL on "
                          "idle context\n");
            return NETCARD_CRYPTO_ERR_BAD_STATE;
        }
        err = netcard_crypto_job_output(s, j, dlen, 0, 0);
        if (err) {
            return err;
        }
        ctx_load(c, &h);
        hash_finish(&h, c->alg, d);
        j->cycles = hash_cost(s, c->alg);
        if (c->hmac) {
            hash_start(&h, c->alg);
            hash_update(&h, c->alg, c->opad, hash_block(c->alg));
            hash_update(&h, c->alg, d, dlen);
            hash_finish(&h, c->alg, d);
            j->cycles += 2 * hash_cost(s, c->alg);
        }
        memcpy(j->out, d, dlen);
        mbedtls_platform_zeroize(d, sizeof(d));
        netcard_crypto_ctx_zeroize(c);
        return NETCARD_CRYPTO_OK;
    }
    }
}

/* cost * (bits / 2048)^power */
