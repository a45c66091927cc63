/*
 * netcard crypto coprocessor. Contract: netcard_crypto.h; documentation:
 * docs/crypto.md.
 *
 * The arithmetic is done by the host mbedTLS 3.6 (used here under
 * GPL-2.0-or-later). A command is checked and computed when CMD is
 * written, but nothing becomes visible to the guest until the modelled
 * latency has elapsed on the virtual clock: the output is held in
 * pend_buf and written to guest RAM by the completion timer.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/timer.h"
#include "qemu/guest-random.h"
#include "qemu/bswap.h"
#include "qapi/error.h"
#include "hw/irq.h"
#include "hw/qdev-clock.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "netcard_crypto.h"
#include "trace.h"

#include "mbedtls/aes.h"
#include "mbedtls/des.h"
#include "mbedtls/cipher.h"
#include "mbedtls/cmac.h"
#include "mbedtls/sha1.h"
#include "mbedtls/sha256.h"
#include "mbedtls/sha512.h"
#include "mbedtls/bignum.h"
#include "mbedtls/ecp.h"
#include "mbedtls/ecdsa.h"
#include "mbedtls/ecdh.h"
#include "mbedtls/platform_util.h"

typedef union NetcardHashState {
    mbedtls_sha1_context sha1;
    mbedtls_sha256_context sha256;
    mbedtls_sha512_context sha512;
} NetcardHashState;

QEMU_BUILD_BUG_ON(sizeof(NetcardHashState) > NETCARD_CRYPTO_HASH_STATE_SIZE);

#define NETCARD_CRYPTO_MAX_DIGEST 64

static const char *const cost_names[NC_COST_NUM] = {
    [NC_COST_SETUP] = "setup-cycles",
    [NC_COST_AES] = "aes-cycles-per-block",
    [NC_COST_TDES] = "tdes-cycles-per-block",
    [NC_COST_SHA1] = "sha1-cycles-per-block",
    [NC_COST_SHA256] = "sha256-cycles-per-block",
    [NC_COST_SHA512] = "sha512-cycles-per-block",
    [NC_COST_RSA_PUB] = "rsa2048-public-cycles",
    [NC_COST_RSA_CRT] = "rsa2048-crt-cycles",
    [NC_COST_P256_SIGN] = "ecdsa-p256-sign-cycles",
    [NC_COST_P256_VERIFY] = "ecdsa-p256-verify-cycles",
    [NC_COST_P256_ECDH] = "ecdh-p256-cycles",
    [NC_COST_P256_KEYGEN] = "ec-p256-keygen-cycles",
    [NC_COST_P384_SIGN] = "ecdsa-p384-sign-cycles",
    [NC_COST_P384_VERIFY] = "ecdsa-p384-verify-cycles",
    [NC_COST_P384_ECDH] = "ecdh-p384-cycles",
    [NC_COST_P384_KEYGEN] = "ec-p384-keygen-cycles",
    [NC_COST_KEY] = "key-cycles",
};

/* Defaults: docs/crypto.md "Timing" explains where they come from. */
static const uint32_t cost_defaults[NC_COST_NUM] = {
    [NC_COST_SETUP] = 32,
    [NC_COST_AES] = 44,
    [NC_COST_TDES] = 56,
    [NC_COST_SHA1] = 84,
    [NC_COST_SHA256] = 72,
    [NC_COST_SHA512] = 96,
    [NC_COST_RSA_PUB] = 96000,          /* 2 ms at 48 MHz */
    [NC_COST_RSA_CRT] = 1920000,        /* 40 ms */
    [NC_COST_P256_SIGN] = 192000,       /* 4 ms */
    [NC_COST_P256_VERIFY] = 336000,     /* 7 ms */
    [NC_COST_P256_ECDH] = 168000,       /* 3.5 ms */
    [NC_COST_P256_KEYGEN] = 168000,
    [NC_COST_P384_SIGN] = 480000,       /* 10 ms */
    [NC_COST_P384_VERIFY] = 864000,     /* 18 ms */
    [NC_COST_P384_ECDH] = 432000,       /* 9 ms */
    [NC_COST_P384_KEYGEN] = 432000,
    [NC_COST_KEY] = 64,
};

static const char *const err_names[] = {
    "ok", "bad-op", "bad-slot", "key-type", "key-size", "key-usage",
    "bad-len", "dma-range", "dma-align", "dma-overlap", "bad-state",
    "bad-input", "verify", "dma-fault", "internal",
};

static const char *netcard_crypto_err_name(uint32_t err)
{
    return err < ARRAY_SIZE(err_names) ? err_names[err] : "?";
}

static int netcard_crypto_rng(void *opaque, unsigned char *buf, size_t len)
{
    qemu_guest_getrandom_nofail(buf, len);
    return 0;
}

/* ------------------------------------------------------------------ */
/* DMA                                                                 */

static bool range_in(uint32_t addr, uint32_t len, uint32_t base,
                     uint32_t size)
{
    return addr >= base && len <= size && addr - base <= size - len;
}

/*
 * A source may lie in RAM or the NVM array, a destination only in RAM;
 * both must be word aligned. LEN 0 is always accepted (no transfer).
 */
static uint32_t dma_check(NetcardCryptoState *s, uint32_t addr,
                          uint32_t len, bool is_dst)
{
    if (len == 0) {
        return NETCARD_CRYPTO_OK;
    }
    if (addr & 3) {
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: %s 0x%08x is not "
                      "word aligned\n", is_dst ? "DST" : "source", addr);
        return NETCARD_CRYPTO_ERR_DMA_ALIGN;
    }
    if (range_in(addr, len, s->ram_base, s->ram_size)) {
        return NETCARD_CRYPTO_OK;
    }
    if (!is_dst && range_in(addr, len, s->nvm_base, s->nvm_size)) {
        return NETCARD_CRYPTO_OK;
    }
    qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: %s range 0x%08x+0x%x is "
                  "outside %s\n", is_dst ? "DST" : "source", addr, len,
                  is_dst ? "RAM" : "RAM and NVM");
    return NETCARD_CRYPTO_ERR_DMA_RANGE;
}

/* DST may be exactly SRC (in place) but must not partially overlap it. */
static uint32_t dma_check_overlap(uint32_t dst, uint32_t dlen, uint32_t src,
                                  uint32_t slen)
{
    if (dlen == 0 || slen == 0 || dst == src) {
        return NETCARD_CRYPTO_OK;
    }
    if ((uint64_t)dst < (uint64_t)src + slen &&
        (uint64_t)src < (uint64_t)dst + dlen) {
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: DST 0x%08x+0x%x "
                      "overlaps source 0x%08x+0x%x\n", dst, dlen, src, slen);
        return NETCARD_CRYPTO_ERR_DMA_OVERLAP;
    }
    return NETCARD_CRYPTO_OK;
}

static uint32_t dma_read(NetcardCryptoState *s, uint32_t addr, void *buf,
                         uint32_t len)
{
    MemTxResult r;

    if (len == 0) {
        return NETCARD_CRYPTO_OK;
    }
    r = address_space_read(&s->dma_as, addr, MEMTXATTRS_UNSPECIFIED, buf,
                           len);
    if (r != MEMTX_OK) {
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: bus error reading "
                      "0x%08x+0x%x\n", addr, len);
        return NETCARD_CRYPTO_ERR_DMA_FAULT;
    }
    return NETCARD_CRYPTO_OK;
}

/* Check and read a source range into a new buffer (*out, g_free it). */
static uint32_t dma_fetch(NetcardCryptoState *s, uint32_t addr, uint32_t len,
                          uint8_t **out)
{
    uint32_t err = dma_check(s, addr, len, false);

    *out = NULL;
    if (err) {
        return err;
    }
    *out = g_malloc0(len ? len : 1);
    err = dma_read(s, addr, *out, len);
    if (err) {
        g_free(*out);
        *out = NULL;
    }
    return err;
}

/* ------------------------------------------------------------------ */
/* Key slots                                                           */

static void slot_zeroize(NetcardCryptoSlot *k)
{
    mbedtls_platform_zeroize(k, sizeof(*k));
}

static int curve_group(uint32_t curve, mbedtls_ecp_group *grp, size_t *cs)
{
    switch (curve) {
    case NETCARD_CRYPTO_CURVE_P256:
        *cs = 32;
        return mbedtls_ecp_group_load(grp, MBEDTLS_ECP_DP_SECP256R1);
    case NETCARD_CRYPTO_CURVE_P384:
        *cs = 48;
        return mbedtls_ecp_group_load(grp, MBEDTLS_ECP_DP_SECP384R1);
    default:
        return -1;
    }
}

static uint32_t ec_read_point(mbedtls_ecp_group *grp, mbedtls_ecp_point *q,
                              const uint8_t *xy, size_t cs)
{
    uint8_t buf[1 + 2 * 48];

    buf[0] = 0x04;
    memcpy(buf + 1, xy, 2 * cs);
    if (mbedtls_ecp_point_read_binary(grp, q, buf, 1 + 2 * cs) ||
        mbedtls_ecp_check_pubkey(grp, q)) {
        return NETCARD_CRYPTO_ERR_BAD_INPUT;
    }
    return NETCARD_CRYPTO_OK;
}

/* Is @data a valid key of @type and @len? */
static uint32_t key_validate(uint32_t type, const uint8_t *data, uint32_t len)
{
    switch (type) {
    case NETCARD_CRYPTO_KEY_AES:
        return (len == 16 || len == 24 || len == 32) ?
            NETCARD_CRYPTO_OK : NETCARD_CRYPTO_ERR_KEY_SIZE;
    case NETCARD_CRYPTO_KEY_TDES:
        return (len == 16 || len == 24) ?
            NETCARD_CRYPTO_OK : NETCARD_CRYPTO_ERR_KEY_SIZE;
    case NETCARD_CRYPTO_KEY_HMAC:
        return (len >= 1 && len <= NETCARD_CRYPTO_KEYDATA_SIZE) ?
            NETCARD_CRYPTO_OK : NETCARD_CRYPTO_ERR_KEY_SIZE;
    case NETCARD_CRYPTO_KEY_RSA_PUB: {
        uint32_t k = len - 4;

        if (len < 4 + 128 || len > 4 + 512 || k % 8) {
            return NETCARD_CRYPTO_ERR_KEY_SIZE;
        }
        /* n has exactly k bytes and is odd; e is odd and > 1 */
        if (data[0] == 0 || !(data[k - 1] & 1) || !(data[len - 1] & 1) ||
            ldl_be_p(data + k) < 3) {
            return NETCARD_CRYPTO_ERR_BAD_INPUT;
        }
        return NETCARD_CRYPTO_OK;
    }
    case NETCARD_CRYPTO_KEY_RSA_CRT: {
        uint32_t h = len / 5;

        if (len % 5 || h < 64 || h > 256 || h % 4) {
            return NETCARD_CRYPTO_ERR_KEY_SIZE;
        }
        /* p and q: h bytes each, odd, top byte non-zero */
        if (data[0] == 0 || data[h] == 0 || !(data[h - 1] & 1) ||
            !(data[2 * h - 1] & 1)) {
            return NETCARD_CRYPTO_ERR_BAD_INPUT;
        }
        return NETCARD_CRYPTO_OK;
    }
    case NETCARD_CRYPTO_KEY_P256_PRIV:
    case NETCARD_CRYPTO_KEY_P384_PRIV:
    case NETCARD_CRYPTO_KEY_P256_PUB:
    case NETCARD_CRYPTO_KEY_P384_PUB: {
        bool p256 = type == NETCARD_CRYPTO_KEY_P256_PRIV ||
                    type == NETCARD_CRYPTO_KEY_P256_PUB;
        bool priv = type == NETCARD_CRYPTO_KEY_P256_PRIV ||
                    type == NETCARD_CRYPTO_KEY_P384_PRIV;
        mbedtls_ecp_group grp;
        size_t cs;
        uint32_t err = NETCARD_CRYPTO_OK;

        if (len != (p256 ? 32u : 48u) * (priv ? 1 : 2)) {
            return NETCARD_CRYPTO_ERR_KEY_SIZE;
        }
        mbedtls_ecp_group_init(&grp);
        if (curve_group(p256 ? NETCARD_CRYPTO_CURVE_P256 :
                        NETCARD_CRYPTO_CURVE_P384, &grp, &cs)) {
            err = NETCARD_CRYPTO_ERR_INTERNAL;
        } else if (priv) {
            mbedtls_mpi d;

            mbedtls_mpi_init(&d);
            if (mbedtls_mpi_read_binary(&d, data, len) ||
                mbedtls_ecp_check_privkey(&grp, &d)) {
                err = NETCARD_CRYPTO_ERR_BAD_INPUT;
            }
            mbedtls_mpi_free(&d);
        } else {
            mbedtls_ecp_point q;

            mbedtls_ecp_point_init(&q);
            err = ec_read_point(&grp, &q, data, cs);
            mbedtls_ecp_point_free(&q);
        }
        mbedtls_ecp_group_free(&grp);
        return err;
    }
    default:
        return NETCARD_CRYPTO_ERR_KEY_TYPE;
    }
}

/* The slot named by CMD.KEY, checked for type and usage. */
static uint32_t slot_get(NetcardCryptoState *s, uint32_t n, uint32_t type,
                         uint32_t usage, NetcardCryptoSlot **out)
{
    NetcardCryptoSlot *k;

    if (n >= NETCARD_CRYPTO_NUM_SLOTS ||
        s->slots[n].type == NETCARD_CRYPTO_KEY_NONE) {
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: key slot %u is "
                      "empty or does not exist\n", n);
        return NETCARD_CRYPTO_ERR_BAD_SLOT;
    }
    k = &s->slots[n];
    if (k->type != type) {
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: key slot %u holds "
                      "type %u, the command needs type %u\n", n, k->type,
                      type);
        return NETCARD_CRYPTO_ERR_KEY_TYPE;
    }
    if (!(k->usage & usage)) {
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: key slot %u usage "
                      "0x%x does not allow 0x%x\n", n, k->usage, usage);
        return NETCARD_CRYPTO_ERR_KEY_USAGE;
    }
    *out = k;
    return NETCARD_CRYPTO_OK;
}

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

static void ctx_zeroize(NetcardCryptoCtx *c)
{
    mbedtls_platform_zeroize(c, sizeof(*c));
}

/* ------------------------------------------------------------------ */
/* Commands                                                            */

/* What a command produces, committed at completion. */
typedef struct NetcardCryptoJob {
    uint8_t *out;        /* g_malloc'd, written to dst */
    uint32_t out_len;
    uint32_t dst;
    uint64_t cycles;
    uint32_t late_err;   /* reported at completion (verify failure) */
    bool iv_valid;
    uint8_t iv[16];
} NetcardCryptoJob;

static void iv_get(NetcardCryptoState *s, uint8_t *iv)
{
    for (int i = 0; i < 4; i++) {
        stl_le_p(iv + 4 * i, s->iv[i]);
    }
}

/* Output of LEN bytes at DST: check DST against the source ranges. */
static uint32_t job_output(NetcardCryptoState *s, NetcardCryptoJob *j,
                           uint32_t len, uint32_t src, uint32_t slen)
{
    uint32_t err = dma_check(s, s->dst, len, true);

    if (!err) {
        err = dma_check_overlap(s->dst, len, src, slen);
    }
    if (!err) {
        j->dst = s->dst;
        j->out_len = len;
        j->out = g_malloc0(len ? len : 1);
    }
    return err;
}

static uint64_t aes_cycles(NetcardCryptoState *s, uint32_t keylen,
                           uint64_t blocks)
{
    /* 10, 12 or 14 rounds: the per-block figure is for AES-128 */
    return blocks * s->cost[NC_COST_AES] * (6 + keylen / 4) / 10;
}

static uint32_t op_aes(NetcardCryptoState *s, uint32_t op, NetcardCryptoJob *j)
{
    bool dec = FIELD_EX32(s->cmd, CRYPTO_CMD, DEC);
    NetcardCryptoSlot *k;
    mbedtls_aes_context aes;
    uint8_t *in = NULL;
    uint8_t iv[16], stream[16];
    size_t nc_off = 0;
    uint32_t err;
    int r;

    err = slot_get(s, FIELD_EX32(s->cmd, CRYPTO_CMD, KEY),
                   NETCARD_CRYPTO_KEY_AES,
                   dec ? NETCARD_CRYPTO_USE_DECRYPT :
                   NETCARD_CRYPTO_USE_ENCRYPT, &k);
    if (err) {
        return err;
    }
    if (s->len == 0 || (op != NETCARD_CRYPTO_OP_AES_CTR && s->len % 16)) {
        return NETCARD_CRYPTO_ERR_BAD_LEN;
    }
    err = dma_check(s, s->src, s->len, false);
    if (!err) {
        err = job_output(s, j, s->len, s->src, s->len);
    }
    if (!err) {
        err = dma_fetch(s, s->src, s->len, &in);
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
    return r ? NETCARD_CRYPTO_ERR_INTERNAL : NETCARD_CRYPTO_OK;
}

static uint32_t op_cmac(NetcardCryptoState *s, NetcardCryptoJob *j)
{
    static const mbedtls_cipher_type_t types[] = {
        MBEDTLS_CIPHER_AES_128_ECB, MBEDTLS_CIPHER_AES_192_ECB,
        MBEDTLS_CIPHER_AES_256_ECB,
    };
    NetcardCryptoSlot *k;
    uint8_t *in = NULL;
    uint32_t err;
    int r;

    err = slot_get(s, FIELD_EX32(s->cmd, CRYPTO_CMD, KEY),
                   NETCARD_CRYPTO_KEY_AES, NETCARD_CRYPTO_USE_MAC, &k);
    if (!err) {
        err = dma_check(s, s->src, s->len, false);
    }
    if (!err) {
        err = job_output(s, j, 16, s->src, s->len);
    }
    if (!err) {
        err = dma_fetch(s, s->src, s->len, &in);
    }
    if (err) {
        return err;
    }
    r = mbedtls_cipher_cmac(
        mbedtls_cipher_info_from_type(types[(k->len - 16) / 8]),
        k->data, k->len * 8, in, s->len, j->out);
    g_free(in);
    /* one extra block: the subkey derivation */
    j->cycles = aes_cycles(s, k->len, DIV_ROUND_UP(s->len, 16) + 1);
    return r ? NETCARD_CRYPTO_ERR_INTERNAL : NETCARD_CRYPTO_OK;
}

static uint32_t op_tdes(NetcardCryptoState *s, uint32_t op,
                        NetcardCryptoJob *j)
{
    bool dec = FIELD_EX32(s->cmd, CRYPTO_CMD, DEC);
    bool mac = op == NETCARD_CRYPTO_OP_RETAIL_MAC;
    NetcardCryptoSlot *k;
    uint8_t *in = NULL;
    uint8_t iv[16];
    uint32_t err;
    int r = 0;

    err = slot_get(s, FIELD_EX32(s->cmd, CRYPTO_CMD, KEY),
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
    err = dma_check(s, s->src, s->len, false);
    if (!err) {
        err = job_output(s, j, mac ? 8 : s->len, s->src, s->len);
    }
    if (!err) {
        err = dma_fetch(s, s->src, s->len, &in);
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
    return r ? NETCARD_CRYPTO_ERR_INTERNAL : NETCARD_CRYPTO_OK;
}

static uint32_t op_hash(NetcardCryptoState *s, uint32_t op,
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
            err = slot_get(s, FIELD_EX32(s->cmd, CRYPTO_CMD, KEY),
                           NETCARD_CRYPTO_KEY_HMAC, NETCARD_CRYPTO_USE_MAC,
                           &k);
            if (err) {
                return err;
            }
        }
        ctx_zeroize(c);
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
        err = dma_fetch(s, s->src, s->len, &in);
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
        err = job_output(s, j, dlen, 0, 0);
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
        ctx_zeroize(c);
        return NETCARD_CRYPTO_OK;
    }
    }
}

/* cost * (bits / 2048)^power */
static uint64_t rsa_cycles(uint32_t cost, uint32_t k, int power)
{
    uint64_t c = cost;

    for (int i = 0; i < power; i++) {
        c = c * (k * 8) / 2048;
    }
    return c;
}

static uint32_t op_rsa(NetcardCryptoState *s, uint32_t op,
                       NetcardCryptoJob *j)
{
    bool crt = op == NETCARD_CRYPTO_OP_RSA_CRT;
    uint32_t n = FIELD_EX32(s->cmd, CRYPTO_CMD, KEY);
    NetcardCryptoSlot *k;
    mbedtls_mpi N, E, X, Y, P, Q, DP, DQ, QI, M1, M2, H;
    uint8_t *in = NULL;
    uint32_t err, klen;
    int r = 0;

    if (crt) {
        err = slot_get(s, n, NETCARD_CRYPTO_KEY_RSA_CRT,
                       NETCARD_CRYPTO_USE_SIGN, &k);
        if (err == NETCARD_CRYPTO_ERR_KEY_USAGE) {
            err = slot_get(s, n, NETCARD_CRYPTO_KEY_RSA_CRT,
                           NETCARD_CRYPTO_USE_DECRYPT, &k);
        }
    } else {
        err = slot_get(s, n, NETCARD_CRYPTO_KEY_RSA_PUB,
                       NETCARD_CRYPTO_USE_ENCRYPT, &k);
    }
    if (err) {
        return err;
    }
    klen = crt ? k->len / 5 * 2 : k->len - 4;
    if (s->len != klen) {
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: RSA LEN %u is not "
                      "the modulus length %u\n", s->len, klen);
        return NETCARD_CRYPTO_ERR_BAD_LEN;
    }
    err = dma_check(s, s->src, s->len, false);
    if (!err) {
        err = job_output(s, j, klen, s->src, s->len);
    }
    if (!err) {
        err = dma_fetch(s, s->src, s->len, &in);
    }
    if (err) {
        return err;
    }
    mbedtls_mpi_init(&N); mbedtls_mpi_init(&E); mbedtls_mpi_init(&X);
    mbedtls_mpi_init(&Y); mbedtls_mpi_init(&P); mbedtls_mpi_init(&Q);
    mbedtls_mpi_init(&DP); mbedtls_mpi_init(&DQ); mbedtls_mpi_init(&QI);
    mbedtls_mpi_init(&M1); mbedtls_mpi_init(&M2); mbedtls_mpi_init(&H);

    r = mbedtls_mpi_read_binary(&X, in, klen);
    if (crt) {
        uint32_t h = klen / 2;

        r = r ? r : mbedtls_mpi_read_binary(&P, k->data, h);
        r = r ? r : mbedtls_mpi_read_binary(&Q, k->data + h, h);
        r = r ? r : mbedtls_mpi_read_binary(&DP, k->data + 2 * h, h);
        r = r ? r : mbedtls_mpi_read_binary(&DQ, k->data + 3 * h, h);
        r = r ? r : mbedtls_mpi_read_binary(&QI, k->data + 4 * h, h);
        r = r ? r : mbedtls_mpi_mul_mpi(&N, &P, &Q);
    } else {
        r = r ? r : mbedtls_mpi_read_binary(&N, k->data, klen);
        r = r ? r : mbedtls_mpi_read_binary(&E, k->data + klen, 4);
    }
    if (!r && mbedtls_mpi_cmp_mpi(&X, &N) >= 0) {
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: RSA input is not "
                      "less than the modulus\n");
        err = NETCARD_CRYPTO_ERR_BAD_INPUT;
    } else if (!r && crt) {
        /* m1 = c^dP mod p, m2 = c^dQ mod q, h = qInv (m1 - m2) mod p */
        r = mbedtls_mpi_mod_mpi(&H, &X, &P);
        r = r ? r : mbedtls_mpi_exp_mod(&M1, &H, &DP, &P, NULL);
        r = r ? r : mbedtls_mpi_mod_mpi(&H, &X, &Q);
        r = r ? r : mbedtls_mpi_exp_mod(&M2, &H, &DQ, &Q, NULL);
        r = r ? r : mbedtls_mpi_sub_mpi(&H, &M1, &M2);
        r = r ? r : mbedtls_mpi_mul_mpi(&M1, &H, &QI);
        r = r ? r : mbedtls_mpi_mod_mpi(&H, &M1, &P);
        r = r ? r : mbedtls_mpi_mul_mpi(&M1, &H, &Q);
        r = r ? r : mbedtls_mpi_add_mpi(&Y, &M1, &M2);
        r = r ? r : mbedtls_mpi_mod_mpi(&Y, &Y, &N);
    } else if (!r) {
        r = mbedtls_mpi_exp_mod(&Y, &X, &E, &N, NULL);
    }
    if (!r && !err) {
        r = mbedtls_mpi_write_binary(&Y, j->out, klen);
    }
    mbedtls_mpi_free(&N); mbedtls_mpi_free(&E); mbedtls_mpi_free(&X);
    mbedtls_mpi_free(&Y); mbedtls_mpi_free(&P); mbedtls_mpi_free(&Q);
    mbedtls_mpi_free(&DP); mbedtls_mpi_free(&DQ); mbedtls_mpi_free(&QI);
    mbedtls_mpi_free(&M1); mbedtls_mpi_free(&M2); mbedtls_mpi_free(&H);
    g_free(in);
    if (err) {
        return err;
    }
    if (r) {
        /* e.g. even modulus or zero exponent in a CRT key */
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: RSA key or input "
                      "rejected (mbedTLS -0x%04x)\n", (unsigned)-r);
        return NETCARD_CRYPTO_ERR_BAD_INPUT;
    }
    j->cycles = crt ? rsa_cycles(s->cost[NC_COST_RSA_CRT], klen, 3) :
                      rsa_cycles(s->cost[NC_COST_RSA_PUB], klen, 2);
    return NETCARD_CRYPTO_OK;
}

static uint32_t slot_store(NetcardCryptoState *s, uint32_t n, uint32_t type,
                           uint32_t usage, const uint8_t *data, uint32_t len)
{
    uint32_t err;

    if (n >= NETCARD_CRYPTO_NUM_SLOTS) {
        return NETCARD_CRYPTO_ERR_BAD_SLOT;
    }
    err = key_validate(type, data, len);
    if (err) {
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: key of type %u, "
                      "%u bytes rejected (%s)\n", type, len,
                      netcard_crypto_err_name(err));
        return err;
    }
    slot_zeroize(&s->slots[n]);
    s->slots[n].type = type;
    s->slots[n].usage = usage;
    s->slots[n].len = len;
    memcpy(s->slots[n].data, data, len);
    return NETCARD_CRYPTO_OK;
}

static uint32_t op_ec(NetcardCryptoState *s, uint32_t op, NetcardCryptoJob *j)
{
    uint32_t curve = FIELD_EX32(s->cmd, CRYPTO_CMD, ALG);
    bool p256 = curve == NETCARD_CRYPTO_CURVE_P256;
    uint32_t knum = FIELD_EX32(s->cmd, CRYPTO_CMD, KEY);
    uint32_t k2 = FIELD_EX32(s->cmd, CRYPTO_CMD, KEY2);
    bool toslot = FIELD_EX32(s->cmd, CRYPTO_CMD, TOSLOT);
    NetcardCryptoSlot *k = NULL;
    mbedtls_ecp_group grp;
    mbedtls_ecp_point Q;
    mbedtls_mpi d, r1, s1;
    uint8_t *in = NULL, *sig = NULL;
    uint8_t buf[2 * 48];
    size_t cs = 0;
    uint32_t err = NETCARD_CRYPTO_OK;
    int r = 0;

    if (curve != NETCARD_CRYPTO_CURVE_P256 &&
        curve != NETCARD_CRYPTO_CURVE_P384) {
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: unknown curve ALG "
                      "%u\n", curve);
        return NETCARD_CRYPTO_ERR_BAD_OP;
    }
    cs = p256 ? 32 : 48;

    /* Parameter checks, nothing computed yet */
    switch (op) {
    case NETCARD_CRYPTO_OP_ECDSA_SIGN:
    case NETCARD_CRYPTO_OP_ECDSA_VERIFY: {
        bool sign = op == NETCARD_CRYPTO_OP_ECDSA_SIGN;

        err = slot_get(s, knum, p256 ?
                       (sign ? NETCARD_CRYPTO_KEY_P256_PRIV :
                        NETCARD_CRYPTO_KEY_P256_PUB) :
                       (sign ? NETCARD_CRYPTO_KEY_P384_PRIV :
                        NETCARD_CRYPTO_KEY_P384_PUB),
                       NETCARD_CRYPTO_USE_SIGN, &k);
        if (!err && (s->len == 0 || s->len > NETCARD_CRYPTO_MAX_DIGEST)) {
            err = NETCARD_CRYPTO_ERR_BAD_LEN;
        }
        err = err ? err : dma_check(s, s->src, s->len, false);
        if (sign) {
            err = err ? err : job_output(s, j, 2 * cs, s->src, s->len);
        } else {
            err = err ? err : dma_check(s, s->aux, 2 * cs, false);
            err = err ? err : dma_fetch(s, s->aux, 2 * cs, &sig);
        }
        break;
    }
    case NETCARD_CRYPTO_OP_ECDH:
        err = slot_get(s, knum, p256 ? NETCARD_CRYPTO_KEY_P256_PRIV :
                       NETCARD_CRYPTO_KEY_P384_PRIV,
                       NETCARD_CRYPTO_USE_DERIVE, &k);
        if (!err && s->len != 2 * cs) {
            err = NETCARD_CRYPTO_ERR_BAD_LEN;
        }
        err = err ? err : dma_check(s, s->src, s->len, false);
        if (!err && toslot && k2 >= NETCARD_CRYPTO_NUM_SLOTS) {
            err = NETCARD_CRYPTO_ERR_BAD_SLOT;
        }
        if (!err && !toslot) {
            err = job_output(s, j, cs, s->src, s->len);
        }
        break;
    default: /* KEYGEN */
        if (k2 >= NETCARD_CRYPTO_NUM_SLOTS) {
            err = NETCARD_CRYPTO_ERR_BAD_SLOT;
        }
        err = err ? err : job_output(s, j, 2 * cs, 0, 0);
        break;
    }
    if (!err && op != NETCARD_CRYPTO_OP_EC_KEYGEN) {
        err = dma_fetch(s, s->src, s->len, &in);
    }
    if (err) {
        g_free(sig);
        return err;
    }

    mbedtls_ecp_group_init(&grp);
    mbedtls_ecp_point_init(&Q);
    mbedtls_mpi_init(&d);
    mbedtls_mpi_init(&r1);
    mbedtls_mpi_init(&s1);
    r = curve_group(curve, &grp, &cs);
    switch (op) {
    case NETCARD_CRYPTO_OP_ECDSA_SIGN:
        r = r ? r : mbedtls_mpi_read_binary(&d, k->data, cs);
        r = r ? r : mbedtls_ecdsa_sign(&grp, &r1, &s1, &d, in, s->len,
                                       netcard_crypto_rng, NULL);
        r = r ? r : mbedtls_mpi_write_binary(&r1, j->out, cs);
        r = r ? r : mbedtls_mpi_write_binary(&s1, j->out + cs, cs);
        j->cycles = s->cost[p256 ? NC_COST_P256_SIGN : NC_COST_P384_SIGN];
        break;
    case NETCARD_CRYPTO_OP_ECDSA_VERIFY:
        err = r ? NETCARD_CRYPTO_ERR_INTERNAL :
                  ec_read_point(&grp, &Q, k->data, cs);
        r = err ? 0 : mbedtls_mpi_read_binary(&r1, sig, cs);
        r = r ? r : mbedtls_mpi_read_binary(&s1, sig + cs, cs);
        if (!err && !r &&
            mbedtls_ecdsa_verify(&grp, in, s->len, &Q, &r1, &s1)) {
            j->late_err = NETCARD_CRYPTO_ERR_VERIFY;
        }
        j->cycles = s->cost[p256 ? NC_COST_P256_VERIFY : NC_COST_P384_VERIFY];
        break;
    case NETCARD_CRYPTO_OP_ECDH:
        err = r ? NETCARD_CRYPTO_ERR_INTERNAL : ec_read_point(&grp, &Q, in, cs);
        if (err) {
            qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: ECDH peer key "
                          "is not a point of the curve\n");
            break;
        }
        r = mbedtls_mpi_read_binary(&d, k->data, cs);
        r = r ? r : mbedtls_ecdh_compute_shared(&grp, &r1, &Q, &d,
                                                netcard_crypto_rng, NULL);
        r = r ? r : mbedtls_mpi_write_binary(&r1, buf, cs);
        if (!r && toslot) {
            err = slot_store(s, k2, FIELD_EX32(s->keycfg, CRYPTO_KEYCFG, TYPE),
                             FIELD_EX32(s->keycfg, CRYPTO_KEYCFG, USAGE),
                             buf, cs);
        } else if (!r) {
            memcpy(j->out, buf, cs);
        }
        j->cycles = s->cost[p256 ? NC_COST_P256_ECDH : NC_COST_P384_ECDH];
        break;
    default:
        r = r ? r : mbedtls_ecp_gen_keypair(&grp, &d, &Q, netcard_crypto_rng,
                                            NULL);
        r = r ? r : mbedtls_mpi_write_binary(&d, buf, cs);
        if (!r) {
            uint8_t pub[1 + 2 * 48];
            size_t olen;

            r = mbedtls_ecp_point_write_binary(&grp, &Q,
                                               MBEDTLS_ECP_PF_UNCOMPRESSED,
                                               &olen, pub, sizeof(pub));
            if (!r && olen == 1 + 2 * cs) {
                memcpy(j->out, pub + 1, 2 * cs);
            }
        }
        if (!r) {
            err = slot_store(s, k2, p256 ? NETCARD_CRYPTO_KEY_P256_PRIV :
                             NETCARD_CRYPTO_KEY_P384_PRIV,
                             FIELD_EX32(s->keycfg, CRYPTO_KEYCFG, USAGE),
                             buf, cs);
        }
        j->cycles = s->cost[p256 ? NC_COST_P256_KEYGEN : NC_COST_P384_KEYGEN];
        break;
    }
    mbedtls_platform_zeroize(buf, sizeof(buf));
    mbedtls_ecp_group_free(&grp);
    mbedtls_ecp_point_free(&Q);
    mbedtls_mpi_free(&d);
    mbedtls_mpi_free(&r1);
    mbedtls_mpi_free(&s1);
    g_free(in);
    g_free(sig);
    if (err) {
        return err;
    }
    return r ? NETCARD_CRYPTO_ERR_INTERNAL : NETCARD_CRYPTO_OK;
}

static uint32_t op_key(NetcardCryptoState *s, uint32_t op,
                       NetcardCryptoJob *j)
{
    uint32_t n = FIELD_EX32(s->cmd, CRYPTO_CMD, KEY);
    uint32_t err;

    j->cycles = s->cost[NC_COST_KEY];
    switch (op) {
    case NETCARD_CRYPTO_OP_KEY_ZEROIZE_ALL:
        for (int i = 0; i < NETCARD_CRYPTO_NUM_SLOTS; i++) {
            slot_zeroize(&s->slots[i]);
        }
        return NETCARD_CRYPTO_OK;
    case NETCARD_CRYPTO_OP_KEY_ZEROIZE:
        if (n >= NETCARD_CRYPTO_NUM_SLOTS) {
            return NETCARD_CRYPTO_ERR_BAD_SLOT;
        }
        slot_zeroize(&s->slots[n]);
        return NETCARD_CRYPTO_OK;
    default: { /* KEY_LOAD */
        uint32_t type = FIELD_EX32(s->keycfg, CRYPTO_KEYCFG, TYPE);
        uint32_t usage = FIELD_EX32(s->keycfg, CRYPTO_KEYCFG, USAGE);
        uint32_t len = FIELD_EX32(s->keycfg, CRYPTO_KEYCFG, LEN);
        uint8_t *data = NULL;

        if (n >= NETCARD_CRYPTO_NUM_SLOTS) {
            err = NETCARD_CRYPTO_ERR_BAD_SLOT;
        } else if (len == 0 || len > NETCARD_CRYPTO_SLOT_MAX) {
            err = NETCARD_CRYPTO_ERR_KEY_SIZE;
        } else if (FIELD_EX32(s->cmd, CRYPTO_CMD, FROMREG)) {
            err = len > NETCARD_CRYPTO_KEYDATA_SIZE ?
                NETCARD_CRYPTO_ERR_KEY_SIZE :
                slot_store(s, n, type, usage, s->keydata, len);
        } else {
            err = dma_fetch(s, s->src, len, &data);
            err = err ? err : slot_store(s, n, type, usage, data, len);
        }
        if (data) {
            mbedtls_platform_zeroize(data, len);
            g_free(data);
        }
        if (FIELD_EX32(s->cmd, CRYPTO_CMD, FROMREG)) {
            mbedtls_platform_zeroize(s->keydata, sizeof(s->keydata));
        }
        return err;
    }
    }
}

static uint32_t netcard_crypto_execute(NetcardCryptoState *s,
                                       NetcardCryptoJob *j)
{
    uint32_t op = FIELD_EX32(s->cmd, CRYPTO_CMD, OP);

    switch (op) {
    case NETCARD_CRYPTO_OP_NOP:
        return NETCARD_CRYPTO_OK;
    case NETCARD_CRYPTO_OP_AES_ECB:
    case NETCARD_CRYPTO_OP_AES_CBC:
    case NETCARD_CRYPTO_OP_AES_CTR:
        return op_aes(s, op, j);
    case NETCARD_CRYPTO_OP_AES_CMAC:
        return op_cmac(s, j);
    case NETCARD_CRYPTO_OP_TDES_ECB:
    case NETCARD_CRYPTO_OP_TDES_CBC:
    case NETCARD_CRYPTO_OP_RETAIL_MAC:
        return op_tdes(s, op, j);
    case NETCARD_CRYPTO_OP_HASH_INIT:
    case NETCARD_CRYPTO_OP_HASH_UPDATE:
    case NETCARD_CRYPTO_OP_HASH_FINAL:
    case NETCARD_CRYPTO_OP_HMAC_INIT:
        return op_hash(s, op, j);
    case NETCARD_CRYPTO_OP_RSA_PUBLIC:
    case NETCARD_CRYPTO_OP_RSA_CRT:
        return op_rsa(s, op, j);
    case NETCARD_CRYPTO_OP_ECDSA_SIGN:
    case NETCARD_CRYPTO_OP_ECDSA_VERIFY:
    case NETCARD_CRYPTO_OP_ECDH:
    case NETCARD_CRYPTO_OP_EC_KEYGEN:
        return op_ec(s, op, j);
    case NETCARD_CRYPTO_OP_KEY_LOAD:
    case NETCARD_CRYPTO_OP_KEY_ZEROIZE:
    case NETCARD_CRYPTO_OP_KEY_ZEROIZE_ALL:
        return op_key(s, op, j);
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: unknown OP 0x%02x\n",
                      op);
        return NETCARD_CRYPTO_ERR_BAD_OP;
    }
}

/* ------------------------------------------------------------------ */
/* Completion, registers                                               */

static void netcard_crypto_update_irq(NetcardCryptoState *s)
{
    qemu_set_irq(s->irq, !!(s->intstat & s->inten));
}

static void netcard_crypto_finish(NetcardCryptoState *s, uint32_t err)
{
    s->status = R_CRYPTO_STATUS_DONE_MASK |
                (s->status & R_CRYPTO_STATUS_OVERRUN_MASK);
    if (err) {
        s->status |= R_CRYPTO_STATUS_ERR_MASK;
    }
    s->status = FIELD_DP32(s->status, CRYPTO_STATUS, ERRCODE, err);
    s->intstat |= R_CRYPTO_INTSTAT_DONE_MASK;
    trace_netcard_crypto_done(FIELD_EX32(s->cmd, CRYPTO_CMD, OP),
                              netcard_crypto_err_name(err), s->cycles);
    netcard_crypto_update_irq(s);
}

static void netcard_crypto_pending_clear(NetcardCryptoState *s)
{
    if (s->pend_buf) {
        mbedtls_platform_zeroize(s->pend_buf, s->pend_len);
        g_free(s->pend_buf);
    }
    s->pend_buf = NULL;
    s->pend_len = 0;
    s->pend_dst = 0;
    s->pend_err = 0;
    s->pend_iv_valid = 0;
    memset(s->pend_iv, 0, sizeof(s->pend_iv));
}

static void netcard_crypto_complete(void *opaque)
{
    NetcardCryptoState *s = NETCARD_CRYPTO(opaque);
    uint32_t err = s->pend_err;

    if (!(s->status & R_CRYPTO_STATUS_BUSY_MASK)) {
        return;
    }
    if (!err && s->pend_len) {
        if (address_space_write(&s->dma_as, s->pend_dst,
                                MEMTXATTRS_UNSPECIFIED, s->pend_buf,
                                s->pend_len) != MEMTX_OK) {
            qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: bus error "
                          "writing 0x%08x+0x%x\n", s->pend_dst, s->pend_len);
            err = NETCARD_CRYPTO_ERR_DMA_FAULT;
        } else {
            s->outlen = s->pend_len;
        }
    }
    if (!err && s->pend_iv_valid) {
        memcpy(s->iv, s->pend_iv, sizeof(s->iv));
    }
    netcard_crypto_pending_clear(s);
    netcard_crypto_finish(s, err);
}

static void netcard_crypto_command(NetcardCryptoState *s, uint32_t cmd)
{
    NetcardCryptoJob j = { 0 };
    uint32_t err;
    uint64_t cycles;

    if (s->status & R_CRYPTO_STATUS_BUSY_MASK) {
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: CMD 0x%08x written "
                      "while busy: dropped\n", cmd);
        s->status |= R_CRYPTO_STATUS_OVERRUN_MASK;
        return;
    }
    s->cmd = cmd;
    s->status = 0;
    s->outlen = 0;
    err = netcard_crypto_execute(s, &j);
    trace_netcard_crypto_cmd(FIELD_EX32(cmd, CRYPTO_CMD, OP), s->src, s->dst,
                             s->len, netcard_crypto_err_name(err));
    if (err) {
        /* Rejected when accepted: nothing written, done at once. */
        if (j.out) {
            mbedtls_platform_zeroize(j.out, j.out_len);
        }
        g_free(j.out);
        s->cycles = 0;
        netcard_crypto_finish(s, err);
        return;
    }
    cycles = MIN(j.cycles + s->cost[NC_COST_SETUP], UINT32_MAX);
    s->cycles = cycles;
    s->pend_buf = j.out;
    s->pend_len = j.out ? j.out_len : 0;
    s->pend_dst = j.dst;
    s->pend_err = j.late_err;
    s->pend_iv_valid = j.iv_valid;
    for (int i = 0; i < 4; i++) {
        s->pend_iv[i] = ldl_le_p(j.iv + 4 * i);
    }
    s->status = R_CRYPTO_STATUS_BUSY_MASK;
    timer_mod(s->timer, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) +
              clock_ticks_to_ns(s->clk, cycles));
}

static uint64_t netcard_crypto_read(void *opaque, hwaddr offset,
                                    unsigned size)
{
    NetcardCryptoState *s = NETCARD_CRYPTO(opaque);
    uint64_t value = 0;

    switch (offset) {
    case A_CRYPTO_ID:
        value = NETCARD_CRYPTO_ID;
        break;
    case A_CRYPTO_CMD:
        value = s->cmd;
        break;
    case A_CRYPTO_STATUS:
        value = s->status;
        break;
    case A_CRYPTO_INTEN:
        value = s->inten;
        break;
    case A_CRYPTO_INTSTAT:
        value = s->intstat;
        break;
    case A_CRYPTO_SRC:
        value = s->src;
        break;
    case A_CRYPTO_DST:
        value = s->dst;
        break;
    case A_CRYPTO_LEN:
        value = s->len;
        break;
    case A_CRYPTO_AUX:
        value = s->aux;
        break;
    case A_CRYPTO_KEYCFG:
        value = s->keycfg;
        break;
    case A_CRYPTO_OUTLEN:
        value = s->outlen;
        break;
    case A_CRYPTO_CYCLES:
        value = s->cycles;
        break;
    case A_CRYPTO_SLOTINFO0 ...
         A_CRYPTO_SLOTINFO0 + 4 * (NETCARD_CRYPTO_NUM_SLOTS - 1): {
        NetcardCryptoSlot *k = &s->slots[(offset - A_CRYPTO_SLOTINFO0) / 4];

        if (k->type != NETCARD_CRYPTO_KEY_NONE) {
            value = FIELD_DP32(0, CRYPTO_SLOTINFO0, TYPE, k->type);
            value = FIELD_DP32(value, CRYPTO_SLOTINFO0, USAGE, k->usage);
            value = FIELD_DP32(value, CRYPTO_SLOTINFO0, LEN, k->len);
            value = FIELD_DP32(value, CRYPTO_SLOTINFO0, VALID, 1);
        }
        break;
    }
    case A_CRYPTO_IV0 ... A_CRYPTO_IV3:
        value = s->iv[(offset - A_CRYPTO_IV0) / 4];
        break;
    case A_CRYPTO_KEYDATA0 ...
         A_CRYPTO_KEYDATA0 + NETCARD_CRYPTO_KEYDATA_SIZE - 4:
        break; /* write-only: key material is never readable */
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: read of unknown "
                      "register 0x%03" HWADDR_PRIx "\n", offset);
        break;
    }
    trace_netcard_crypto_read(offset, value);
    return value;
}

static void netcard_crypto_write(void *opaque, hwaddr offset,
                                 uint64_t value, unsigned size)
{
    NetcardCryptoState *s = NETCARD_CRYPTO(opaque);

    trace_netcard_crypto_write(offset, value);
    switch (offset) {
    case A_CRYPTO_CMD:
        netcard_crypto_command(s, value);
        break;
    case A_CRYPTO_INTEN:
        s->inten = value & R_CRYPTO_INTEN_DONE_MASK;
        netcard_crypto_update_irq(s);
        break;
    case A_CRYPTO_INTSTAT:
        s->intstat &= ~(value & R_CRYPTO_INTSTAT_DONE_MASK);
        netcard_crypto_update_irq(s);
        break;
    case A_CRYPTO_SRC:
        s->src = value;
        break;
    case A_CRYPTO_DST:
        s->dst = value;
        break;
    case A_CRYPTO_LEN:
        s->len = value;
        break;
    case A_CRYPTO_AUX:
        s->aux = value;
        break;
    case A_CRYPTO_KEYCFG:
        s->keycfg = value & (R_CRYPTO_KEYCFG_TYPE_MASK |
                             R_CRYPTO_KEYCFG_USAGE_MASK |
                             R_CRYPTO_KEYCFG_LEN_MASK);
        break;
    case A_CRYPTO_IV0 ... A_CRYPTO_IV3:
        s->iv[(offset - A_CRYPTO_IV0) / 4] = value;
        break;
    case A_CRYPTO_KEYDATA0 ...
         A_CRYPTO_KEYDATA0 + NETCARD_CRYPTO_KEYDATA_SIZE - 4:
        stl_le_p(s->keydata + (offset - A_CRYPTO_KEYDATA0), value);
        break;
    case A_CRYPTO_ID:
    case A_CRYPTO_STATUS:
    case A_CRYPTO_OUTLEN:
    case A_CRYPTO_CYCLES:
    case A_CRYPTO_SLOTINFO0 ...
         A_CRYPTO_SLOTINFO0 + 4 * (NETCARD_CRYPTO_NUM_SLOTS - 1):
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: write to read-only "
                      "register 0x%03" HWADDR_PRIx "\n", offset);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: write to unknown "
                      "register 0x%03" HWADDR_PRIx "\n", offset);
        break;
    }
}

static const MemoryRegionOps netcard_crypto_ops = {
    .read = netcard_crypto_read,
    .write = netcard_crypto_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid.min_access_size = 4,
    .valid.max_access_size = 4,
    .valid.unaligned = false,
};

/* Any reset zeroizes every key, context and pending result. */
static void netcard_crypto_reset_hold(Object *obj, ResetType type)
{
    NetcardCryptoState *s = NETCARD_CRYPTO(obj);

    if (type == RESET_TYPE_SNAPSHOT_LOAD) {
        return;
    }
    timer_del(s->timer);
    netcard_crypto_pending_clear(s);
    for (int i = 0; i < NETCARD_CRYPTO_NUM_SLOTS; i++) {
        slot_zeroize(&s->slots[i]);
    }
    for (int i = 0; i < NETCARD_CRYPTO_NUM_CTX; i++) {
        ctx_zeroize(&s->ctx[i]);
    }
    mbedtls_platform_zeroize(s->keydata, sizeof(s->keydata));
    s->cmd = s->status = s->inten = s->intstat = 0;
    s->src = s->dst = s->len = s->aux = s->keycfg = 0;
    s->outlen = s->cycles = 0;
    memset(s->iv, 0, sizeof(s->iv));
    trace_netcard_crypto_reset();
}

static void netcard_crypto_reset_exit(Object *obj, ResetType type)
{
    netcard_crypto_update_irq(NETCARD_CRYPTO(obj));
}

static void netcard_crypto_init(Object *obj)
{
    NetcardCryptoState *s = NETCARD_CRYPTO(obj);

    memory_region_init_io(&s->iomem, obj, &netcard_crypto_ops, s,
                          TYPE_NETCARD_CRYPTO, 0x1000);
    sysbus_init_mmio(SYS_BUS_DEVICE(obj), &s->iomem);
    sysbus_init_irq(SYS_BUS_DEVICE(obj), &s->irq);
    s->clk = qdev_init_clock_in(DEVICE(obj), "clk", NULL, NULL, 0);
    s->timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, netcard_crypto_complete, s);
    for (int i = 0; i < NC_COST_NUM; i++) {
        s->cost[i] = cost_defaults[i];
        object_property_add_uint32_ptr(obj, cost_names[i], &s->cost[i],
                                       OBJ_PROP_FLAG_READWRITE);
    }
}

static void netcard_crypto_finalize(Object *obj)
{
    NetcardCryptoState *s = NETCARD_CRYPTO(obj);

    timer_free(s->timer);
    netcard_crypto_pending_clear(s);
}

static void netcard_crypto_realize(DeviceState *dev, Error **errp)
{
    NetcardCryptoState *s = NETCARD_CRYPTO(dev);

    if (!clock_has_source(s->clk)) {
        error_setg(errp, "netcard-crypto: clk must be connected");
        return;
    }
    if (!s->dma_mr) {
        error_setg(errp, "netcard-crypto: 'memory' link not set");
        return;
    }
    if (s->ram_size == 0 ||
        (uint64_t)s->ram_base + s->ram_size > UINT32_MAX + 1ULL) {
        error_setg(errp, "netcard-crypto: ram-base/ram-size must describe "
                   "the card RAM");
        return;
    }
    if ((uint64_t)s->nvm_base + s->nvm_size > UINT32_MAX + 1ULL) {
        error_setg(errp, "netcard-crypto: nvm-base/nvm-size out of range");
        return;
    }
    address_space_init(&s->dma_as, s->dma_mr, "netcard-crypto-dma");
}

static void netcard_crypto_unrealize(DeviceState *dev)
{
    NetcardCryptoState *s = NETCARD_CRYPTO(dev);

    address_space_destroy(&s->dma_as);
}

/*
 * The DMA bus and the windows of it DMA may use, set by the SoC: sources
 * in RAM or the NVM array (nvm-size 0: no NVM window), destinations in
 * RAM only.
 */
static const Property netcard_crypto_properties[] = {
    DEFINE_PROP_LINK("memory", NetcardCryptoState, dma_mr, TYPE_MEMORY_REGION,
                     MemoryRegion *),
    DEFINE_PROP_UINT32("ram-base", NetcardCryptoState, ram_base, 0),
    DEFINE_PROP_UINT32("ram-size", NetcardCryptoState, ram_size, 0),
    DEFINE_PROP_UINT32("nvm-base", NetcardCryptoState, nvm_base, 0),
    DEFINE_PROP_UINT32("nvm-size", NetcardCryptoState, nvm_size, 0),
};

static const VMStateDescription vmstate_netcard_crypto_slot = {
    .name = "netcard-crypto/slot",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(type, NetcardCryptoSlot),
        VMSTATE_UINT32(usage, NetcardCryptoSlot),
        VMSTATE_UINT32(len, NetcardCryptoSlot),
        VMSTATE_UINT8_ARRAY(data, NetcardCryptoSlot, NETCARD_CRYPTO_SLOT_MAX),
        VMSTATE_END_OF_LIST()
    },
};

/* The hash state is mbedTLS's context as bytes: host-endian. */
static const VMStateDescription vmstate_netcard_crypto_ctx = {
    .name = "netcard-crypto/ctx",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(alg, NetcardCryptoCtx),
        VMSTATE_UINT32(hmac, NetcardCryptoCtx),
        VMSTATE_UINT8_ARRAY(state, NetcardCryptoCtx,
                            NETCARD_CRYPTO_HASH_STATE_SIZE),
        VMSTATE_UINT8_ARRAY(opad, NetcardCryptoCtx, 128),
        VMSTATE_END_OF_LIST()
    },
};

/* A migration stream is input too: never trust lengths from it. */
static int netcard_crypto_post_load(void *opaque, int version_id)
{
    NetcardCryptoState *s = NETCARD_CRYPTO(opaque);

    for (int i = 0; i < NETCARD_CRYPTO_NUM_SLOTS; i++) {
        if (s->slots[i].len > NETCARD_CRYPTO_SLOT_MAX ||
            s->slots[i].type > NETCARD_CRYPTO_KEY_P384_PUB) {
            return -EINVAL;
        }
    }
    for (int i = 0; i < NETCARD_CRYPTO_NUM_CTX; i++) {
        if (s->ctx[i].alg > NETCARD_CRYPTO_HASH_SHA512) {
            return -EINVAL;
        }
    }
    if (s->pend_len && !s->pend_buf) {
        return -EINVAL;
    }
    return 0;
}

static const VMStateDescription vmstate_netcard_crypto = {
    .name = TYPE_NETCARD_CRYPTO,
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = netcard_crypto_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_CLOCK(clk, NetcardCryptoState),
        VMSTATE_TIMER_PTR(timer, NetcardCryptoState),
        VMSTATE_UINT32(cmd, NetcardCryptoState),
        VMSTATE_UINT32(status, NetcardCryptoState),
        VMSTATE_UINT32(inten, NetcardCryptoState),
        VMSTATE_UINT32(intstat, NetcardCryptoState),
        VMSTATE_UINT32(src, NetcardCryptoState),
        VMSTATE_UINT32(dst, NetcardCryptoState),
        VMSTATE_UINT32(len, NetcardCryptoState),
        VMSTATE_UINT32(aux, NetcardCryptoState),
        VMSTATE_UINT32(keycfg, NetcardCryptoState),
        VMSTATE_UINT32(outlen, NetcardCryptoState),
        VMSTATE_UINT32(cycles, NetcardCryptoState),
        VMSTATE_UINT32_ARRAY(iv, NetcardCryptoState, 4),
        VMSTATE_UINT8_ARRAY(keydata, NetcardCryptoState,
                            NETCARD_CRYPTO_KEYDATA_SIZE),
        VMSTATE_STRUCT_ARRAY(slots, NetcardCryptoState,
                             NETCARD_CRYPTO_NUM_SLOTS, 1,
                             vmstate_netcard_crypto_slot, NetcardCryptoSlot),
        VMSTATE_STRUCT_ARRAY(ctx, NetcardCryptoState, NETCARD_CRYPTO_NUM_CTX,
                             1, vmstate_netcard_crypto_ctx, NetcardCryptoCtx),
        VMSTATE_UINT32(pend_err, NetcardCryptoState),
        VMSTATE_UINT32(pend_dst, NetcardCryptoState),
        VMSTATE_UINT32(pend_len, NetcardCryptoState),
        VMSTATE_VBUFFER_ALLOC_UINT32(pend_buf, NetcardCryptoState, 0, NULL,
                                     pend_len),
        VMSTATE_UINT32_ARRAY(pend_iv, NetcardCryptoState, 4),
        VMSTATE_UINT32(pend_iv_valid, NetcardCryptoState),
        VMSTATE_UINT32_ARRAY(cost, NetcardCryptoState, NC_COST_NUM),
        VMSTATE_END_OF_LIST()
    },
};

static void netcard_crypto_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);

    dc->realize = netcard_crypto_realize;
    dc->unrealize = netcard_crypto_unrealize;
    dc->vmsd = &vmstate_netcard_crypto;
    rc->phases.hold = netcard_crypto_reset_hold;
    rc->phases.exit = netcard_crypto_reset_exit;
    device_class_set_props(dc, netcard_crypto_properties);
}

static const TypeInfo netcard_crypto_types[] = {
    {
        .name = TYPE_NETCARD_CRYPTO,
        .parent = TYPE_SYS_BUS_DEVICE,
        .instance_size = sizeof(NetcardCryptoState),
        .instance_init = netcard_crypto_init,
        .instance_finalize = netcard_crypto_finalize,
        .class_init = netcard_crypto_class_init,
    },
};

DEFINE_TYPES(netcard_crypto_types)
