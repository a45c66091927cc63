/*
 * The card's crypto API on the coprocessor and the TRNG. See
 * crypto/crypto.h; the self-tests are in crypto/selftest.c.
 *
 * Coprocessor key slots used here:
 *   0  SLOT_SYM   AES / TDES key of the last cipher or CMAC/retail MAC call
 *   1  SLOT_HMAC  HMAC key
 *   2  SLOT_PUB   public key of the last verify / RSA public call
 *   3  SLOT_RSA   RSA CRT key of the last private call (crypto/rsa.c)
 *   4  SLOT_DES   single-DES K || K for long retail MACs
 *   6, 7          EC key ids 0, 1
 *   5, 8..15      the key handles' cache (crypto/key.h, crypto/slot.c)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "crypto/crypto.h"

#include <string.h>

#include "crypto/aes_soft.h"
#include "crypto/health.h"
#include "drivers/crypto.h"
#include "drivers/trng.h"

#define LOG_MODULE "crypto"
#include "kernel/log.h"

#define SLOT_SYM   0u
#define SLOT_HMAC  1u
#define SLOT_PUB   2u
#define SLOT_RSA   3u
#define SLOT_DES   4u
#define SLOT_EC0   6u

#define USE_ALL_SYM (NETCARD_CRYPTO_USE_ENCRYPT | NETCARD_CRYPTO_USE_DECRYPT | \
                     NETCARD_CRYPTO_USE_MAC)

static struct {
    bool failed;
    const char *what;
    struct health health;
    uint32_t hash_ctx_busy;        /* bit per engine hash context */
    /* What SLOT_SYM holds (a key already there is not loaded again). */
    uint8_t sym_type;
    uint8_t sym_len;
    uint8_t sym_key[32];
} st;

/* DMA staging: word aligned, in RAM. */
static uint32_t bounce_words[CRYPTO_BOUNCE_SIZE / 4];
#define bounce ((uint8_t *)bounce_words)

/* ---- Refused state -------------------------------------------------------- */

void crypto_fail(const char *what)
{
    if (st.failed) {
        return;
    }
    st.failed = true;
    st.what = what;
    LOG_E("%s failed: card refuses service (6F00)", what);
    log_flush();
}

bool crypto_failed(void)
{
    return st.failed;
}

const char *crypto_failure(void)
{
    return st.failed ? st.what : NULL;
}

uint32_t crypto_hw_ops(void)
{
    return crypto_drv_ops();
}

uint32_t crypto_hw_cycles(void)
{
    return crypto_drv_cycles();
}

/* ---- Helpers -------------------------------------------------------------- */

static bool dma_src_ok(const void *p, size_t len)
{
    return crypto_drv_dma_source_ok(p, len);
}

static bool dma_dst_ok(const void *p, size_t len)
{
    return crypto_drv_dma_dest_ok(p, len);
}

static bool overlap(const void *a, const void *b, size_t len)
{
    uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;

    return x != y && x < y + len && y < x + len;
}

/*
 * Map a device result: OK, the two answers about the input, else an
 * engine failure that refuses the card.
 */
static enum crypto_status engine_result(int err, const char *what)
{
    switch (err) {
    case NETCARD_CRYPTO_OK:
        return CRYPTO_OK;
    case NETCARD_CRYPTO_ERR_BAD_INPUT:
        return CRYPTO_ERR_INPUT;
    case NETCARD_CRYPTO_ERR_VERIFY:
        return CRYPTO_ERR_VERIFY;
    case CRYPTO_DRV_ERR_TIMEOUT:
        LOG_E("coprocessor: %s: no completion within %u ms", what,
              (unsigned)CRYPTO_DRV_TIMEOUT_MS);
        crypto_fail("crypto coprocessor");
        return CRYPTO_ERR_HW;
    default:
        LOG_E("coprocessor: %s: error %d", what, err);
        crypto_fail("crypto coprocessor");
        return CRYPTO_ERR_HW;
    }
}

static enum crypto_status run(uint32_t cmd, uintptr_t src, uintptr_t dst,
                              uint32_t len, const char *what)
{
    struct crypto_drv_cmd c = { .cmd = cmd, .src = src, .dst = dst, .len = len };

    return engine_result(crypto_drv_run(&c, NULL), what);
}

static uint32_t cmd_word(uint32_t op, uint32_t slot)
{
    return FIELD_DP32(op, CRYPTO_CMD, KEY, slot);
}

/*
 * Load key material into SLOT from KEYDATA (<= 256 bytes) or, longer, by
 * DMA from the bounce buffer. Rejected material is the caller's input
 * (CRYPTO_ERR_INPUT), never an engine failure.
 */
static enum crypto_status load_key(uint32_t slot, uint32_t type, uint32_t usage,
                                   const uint8_t *key, size_t len)
{
    struct crypto_drv_cmd c = { 0 };
    int err;

    c.keycfg = FIELD_DP32(0, CRYPTO_KEYCFG, TYPE, type);
    c.keycfg = FIELD_DP32(c.keycfg, CRYPTO_KEYCFG, USAGE, usage);
    c.keycfg = FIELD_DP32(c.keycfg, CRYPTO_KEYCFG, LEN, (uint32_t)len);
    c.cmd = cmd_word(NETCARD_CRYPTO_OP_KEY_LOAD, slot);
    if (len <= NETCARD_CRYPTO_KEYDATA_SIZE) {
        crypto_drv_set_keydata(key, (uint32_t)len);
        c.cmd = FIELD_DP32(c.cmd, CRYPTO_CMD, FROMREG, 1);
    } else {
        if (len > CRYPTO_BOUNCE_SIZE) {
            return CRYPTO_ERR_PARAM;
        }
        if (key != bounce) {
            memcpy(bounce, key, len);
        }
        c.src = (uintptr_t)bounce;
    }
    err = crypto_drv_run(&c, NULL);
    if (slot == SLOT_SYM) {
        st.sym_type = 0;     /* reloaded below on success */
    }
    switch (err) {
    case NETCARD_CRYPTO_OK:
        return CRYPTO_OK;
    case NETCARD_CRYPTO_ERR_BAD_INPUT:
    case NETCARD_CRYPTO_ERR_KEY_SIZE:
        return CRYPTO_ERR_INPUT;
    default:
        return engine_result(err, "key load");
    }
}

static enum crypto_status load_sym(uint32_t type, const uint8_t *key, size_t len)
{
    enum crypto_status rc;

    if (st.sym_type == type && st.sym_len == len && memcmp(st.sym_key, key, len) == 0) {
        return CRYPTO_OK;
    }
    rc = load_key(SLOT_SYM, type, USE_ALL_SYM, key, len);
    if (rc == CRYPTO_OK) {
        st.sym_type = (uint8_t)type;
        st.sym_len = (uint8_t)len;
        memcpy(st.sym_key, key, len);
    }
    return rc;
}

static enum crypto_status check_in_service(void)
{
    return st.failed ? CRYPTO_ERR_REFUSED : CRYPTO_OK;
}

void crypto_forget_byte_keys(void)
{
    volatile uint8_t *k = st.sym_key;

    for (size_t i = 0; i < sizeof(st.sym_key); i++) {
        k[i] = 0;
    }
    st.sym_type = 0;
    st.sym_len = 0;
    if (!st.failed) {
        (void)run(cmd_word(NETCARD_CRYPTO_OP_KEY_ZEROIZE, SLOT_SYM), 0, 0, 0,
                  "key zeroize");
    }
}

/* ---- For crypto/slot.c (crypto/crypto_int.h) ------------------------------ */

enum crypto_status crypto_int_in_service(void)
{
    return check_in_service();
}

enum crypto_status crypto_int_result(int err, const char *what)
{
    return engine_result(err, what);
}

enum crypto_status crypto_int_load_key(uint32_t slot, uint32_t type,
                                       uint32_t usage, const uint8_t *key,
                                       size_t len)
{
    return load_key(slot, type, usage, key, len);
}

uint8_t *crypto_int_bounce(void)
{
    return bounce;
}

/* ---- Life cycle ----------------------------------------------------------- */

/* crypto/ec.c, declared in crypto/crypto_int.h (which this file does not
 * include: the layer lint reads that as an include circle). */
void crypto_int_ec_reset(void);

static enum crypto_status entropy_fail(enum health_result r)
{
    crypto_fail(health_result_name(r));
    return CRYPTO_ERR_ENTROPY;
}

enum crypto_status crypto_init(void)
{
    health_init(&st.health);
    st.hash_ctx_busy = 0;
    st.sym_type = 0;
    crypto_int_ec_reset();
    if (!crypto_drv_init()) {
        crypto_fail("crypto coprocessor probe");
        return CRYPTO_ERR_HW;
    }
    if (!trng_init()) {
        crypto_fail("TRNG probe");
        return CRYPTO_ERR_HW;
    }
    /* SP 800-90B 4.3 start-up test: samples tested, then discarded. */
    for (unsigned i = 0; i < HEALTH_STARTUP_SAMPLES / 32u; i++) {
        uint32_t w;
        enum health_result r;

        if (!trng_read_word(&w)) {
            crypto_fail("TRNG start-up test (no data)");
            return CRYPTO_ERR_ENTROPY;
        }
        r = health_feed_word(&st.health, w);
        if (r != HEALTH_OK) {
            LOG_E("TRNG start-up test: %s", health_result_name(r));
            return entropy_fail(r);
        }
    }
    return CRYPTO_OK;
}

/* ---- Random --------------------------------------------------------------- */

enum crypto_status crypto_random(void *out, size_t len)
{
    uint8_t *o = out;
    enum crypto_status rc = check_in_service();

    if (rc != CRYPTO_OK) {
        return rc;
    }
    while (len > 0) {
        uint32_t w;
        enum health_result r;
        size_t n = len < 4 ? len : 4;

        if (!trng_read_word(&w)) {
            crypto_fail("TRNG (no data)");
            return CRYPTO_ERR_ENTROPY;
        }
        r = health_feed_word(&st.health, w);
        if (r != HEALTH_OK) {
            return entropy_fail(r);
        }
        memcpy(o, &w, n);
        o += n;
        len -= n;
    }
    return CRYPTO_OK;
}

/* ---- Ciphers -------------------------------------------------------------- */

static enum crypto_status soft_cipher(enum crypto_cipher alg, bool decrypt,
                                      const uint8_t *key, size_t key_len,
                                      uint8_t *iv, const uint8_t *in,
                                      uint8_t *out, size_t len)
{
    static struct aes_soft ctx;
    int r;

    if (aes_soft_setkey(&ctx, key, key_len) != 0) {
        return CRYPTO_ERR_PARAM;
    }
    switch (alg) {
    case CRYPTO_AES_ECB:
        r = aes_soft_ecb(&ctx, decrypt, in, out, len);
        break;
    case CRYPTO_AES_CBC:
        r = aes_soft_cbc(&ctx, decrypt, iv, in, out, len);
        break;
    case CRYPTO_AES_CTR:
        r = aes_soft_ctr(&ctx, iv, in, out, len);
        break;
    default:
        r = -1;
        break;
    }
    memset(&ctx, 0, sizeof(ctx));
    return r == 0 ? CRYPTO_OK : CRYPTO_ERR_PARAM;
}

enum crypto_status crypto_cipher(enum crypto_cipher alg,
                                 enum crypto_engine engine, bool decrypt,
                                 const uint8_t *key, size_t key_len,
                                 uint8_t *iv, const uint8_t *in,
                                 uint8_t *out, size_t len)
{
    bool aes = alg == CRYPTO_AES_ECB || alg == CRYPTO_AES_CBC || alg == CRYPTO_AES_CTR;
    size_t block = aes ? 16 : 8;
    unsigned iv_words = aes ? 4 : 2;
    bool need_iv = alg == CRYPTO_AES_CBC || alg == CRYPTO_AES_CTR || alg == CRYPTO_TDES_CBC;
    uint32_t op, cmd;
    enum crypto_status rc = check_in_service();

    if (rc != CRYPTO_OK) {
        return rc;
    }
    if (!aes && alg != CRYPTO_TDES_ECB && alg != CRYPTO_TDES_CBC) {
        return CRYPTO_ERR_PARAM;
    }
    if (key == NULL || in == NULL || out == NULL || len == 0 || (need_iv && iv == NULL) ||
        overlap(in, out, len)) {
        return CRYPTO_ERR_PARAM;
    }
    if (alg != CRYPTO_AES_CTR && len % block != 0) {
        return CRYPTO_ERR_PARAM;
    }
    if (aes ? (key_len != 16 && key_len != 24 && key_len != 32)
            : (key_len != 16 && key_len != 24)) {
        return CRYPTO_ERR_PARAM;
    }
    if (engine == CRYPTO_ENGINE_SOFT) {
        return aes ? soft_cipher(alg, decrypt, key, key_len, iv, in, out, len)
                   : CRYPTO_ERR_PARAM;
    }
    if (engine != CRYPTO_ENGINE_HW) {
        return CRYPTO_ERR_PARAM;
    }

    rc = load_sym(aes ? NETCARD_CRYPTO_KEY_AES : NETCARD_CRYPTO_KEY_TDES, key, key_len);
    if (rc != CRYPTO_OK) {
        return rc;
    }
    switch (alg) {
    case CRYPTO_AES_ECB: op = NETCARD_CRYPTO_OP_AES_ECB; break;
    case CRYPTO_AES_CBC: op = NETCARD_CRYPTO_OP_AES_CBC; break;
    case CRYPTO_AES_CTR: op = NETCARD_CRYPTO_OP_AES_CTR; break;
    case CRYPTO_TDES_ECB: op = NETCARD_CRYPTO_OP_TDES_ECB; break;
    default: op = NETCARD_CRYPTO_OP_TDES_CBC; break;
    }
    cmd = cmd_word(op, SLOT_SYM);
    if (decrypt && alg != CRYPTO_AES_CTR) {
        cmd = FIELD_DP32(cmd, CRYPTO_CMD, DEC, 1);
    }
    if (need_iv) {
        crypto_drv_set_iv(iv, iv_words);
    }
    if (dma_src_ok(in, len) && dma_dst_ok(out, len)) {
        rc = run(cmd, (uintptr_t)in, (uintptr_t)out, (uint32_t)len, "cipher");
    } else {
        for (size_t off = 0; off < len && rc == CRYPTO_OK;) {
            size_t n = len - off < CRYPTO_BOUNCE_SIZE ? len - off : CRYPTO_BOUNCE_SIZE;

            memcpy(bounce, in + off, n);
            rc = run(cmd, (uintptr_t)bounce, (uintptr_t)bounce, (uint32_t)n, "cipher");
            memcpy(out + off, bounce, n);
            off += n;
        }
    }
    if (rc == CRYPTO_OK && need_iv) {
        crypto_drv_get_iv(iv, iv_words);
    }
    return rc;
}

/* ---- Hashes --------------------------------------------------------------- */

size_t crypto_hash_len(enum crypto_hash alg)
{
    switch (alg) {
    case CRYPTO_SHA1: return 20;
    case CRYPTO_SHA224: return 28;
    case CRYPTO_SHA256: return 32;
    case CRYPTO_SHA384: return 48;
    case CRYPTO_SHA512: return 64;
    }
    return 0;
}

static enum crypto_status hash_begin(struct crypto_hash_ctx *ctx,
                                     enum crypto_hash alg, bool hmac)
{
    uint32_t cmd;
    enum crypto_status rc;

    ctx->alg = 0;
    if (crypto_hash_len(alg) == 0) {
        return CRYPTO_ERR_PARAM;
    }
    for (unsigned i = 0; i < NETCARD_CRYPTO_NUM_CTX; i++) {
        if (!(st.hash_ctx_busy & (1u << i))) {
            cmd = cmd_word(hmac ? NETCARD_CRYPTO_OP_HMAC_INIT : NETCARD_CRYPTO_OP_HASH_INIT,
                           SLOT_HMAC);
            cmd = FIELD_DP32(cmd, CRYPTO_CMD, ALG, (uint32_t)alg);
            cmd = FIELD_DP32(cmd, CRYPTO_CMD, CTX, i);
            rc = run(cmd, 0, 0, 0, "hash init");
            if (rc != CRYPTO_OK) {
                return rc;
            }
            st.hash_ctx_busy |= 1u << i;
            ctx->alg = (uint8_t)alg;
            ctx->hw_ctx = (uint8_t)i;
            return CRYPTO_OK;
        }
    }
    return CRYPTO_ERR_BUSY;
}

enum crypto_status crypto_hash_start(struct crypto_hash_ctx *ctx,
                                     enum crypto_hash alg)
{
    enum crypto_status rc = check_in_service();

    if (rc != CRYPTO_OK) {
        ctx->alg = 0;
        return rc;
    }
    return hash_begin(ctx, alg, false);
}

enum crypto_status crypto_hash_update(struct crypto_hash_ctx *ctx,
                                      const void *data, size_t len)
{
    const uint8_t *d = data;
    uint32_t cmd;
    enum crypto_status rc = check_in_service();

    if (rc != CRYPTO_OK) {
        return rc;
    }
    if (ctx->alg == 0 || (len != 0 && data == NULL)) {
        return CRYPTO_ERR_PARAM;
    }
    cmd = FIELD_DP32(NETCARD_CRYPTO_OP_HASH_UPDATE, CRYPTO_CMD, CTX, ctx->hw_ctx);
    if (len == 0) {
        return CRYPTO_OK;
    }
    if (dma_src_ok(d, len)) {
        return run(cmd, (uintptr_t)d, 0, (uint32_t)len, "hash update");
    }
    for (size_t off = 0; off < len && rc == CRYPTO_OK;) {
        size_t n = len - off < CRYPTO_BOUNCE_SIZE ? len - off : CRYPTO_BOUNCE_SIZE;

        memcpy(bounce, d + off, n);
        rc = run(cmd, (uintptr_t)bounce, 0, (uint32_t)n, "hash update");
        off += n;
    }
    return rc;
}

enum crypto_status crypto_hash_finish(struct crypto_hash_ctx *ctx, uint8_t *out)
{
    uint32_t cmd, outlen = 0;
    struct crypto_drv_cmd c = { 0 };
    size_t n;
    enum crypto_status rc;
    int err;

    if (ctx->alg == 0) {
        return CRYPTO_ERR_PARAM;
    }
    n = crypto_hash_len((enum crypto_hash)ctx->alg);
    cmd = FIELD_DP32(NETCARD_CRYPTO_OP_HASH_FINAL, CRYPTO_CMD, CTX, ctx->hw_ctx);
    st.hash_ctx_busy &= ~(1u << ctx->hw_ctx);
    ctx->alg = 0;
    rc = check_in_service();
    if (rc != CRYPTO_OK) {
        return rc;
    }
    c.cmd = cmd;
    c.dst = (uintptr_t)bounce;
    err = crypto_drv_run(&c, &outlen);
    rc = engine_result(err, "hash final");
    if (rc == CRYPTO_OK && outlen != n) {
        crypto_fail("crypto coprocessor");
        return CRYPTO_ERR_HW;
    }
    if (rc == CRYPTO_OK) {
        memcpy(out, bounce, n);
    }
    return rc;
}

void crypto_hash_abort(struct crypto_hash_ctx *ctx)
{
    if (ctx->alg != 0) {
        st.hash_ctx_busy &= ~(1u << ctx->hw_ctx);
        ctx->alg = 0;
    }
}

/* Hash the last @len bytes of a started @ctx into @out; abort it on error. */
static enum crypto_status hash_last(struct crypto_hash_ctx *ctx, const void *msg,
                                    size_t len, uint8_t *out)
{
    enum crypto_status rc = crypto_hash_update(ctx, msg, len);

    if (rc != CRYPTO_OK) {
        crypto_hash_abort(ctx);
        return rc;
    }
    return crypto_hash_finish(ctx, out);
}

enum crypto_status crypto_hash(enum crypto_hash alg, const void *msg,
                               size_t len, uint8_t *out)
{
    struct crypto_hash_ctx ctx;
    enum crypto_status rc = crypto_hash_start(&ctx, alg);

    if (rc != CRYPTO_OK) {
        return rc;
    }
    return hash_last(&ctx, msg, len, out);
}

/* ---- MACs ----------------------------------------------------------------- */

/* AES-CMAC: one command over the whole message. */
static enum crypto_status mac_cmac(const uint8_t *key, size_t key_len,
                                   const uint8_t *msg, size_t msg_len,
                                   uint8_t *mac)
{
    uintptr_t src;
    enum crypto_status rc;

    if (key_len != 16 && key_len != 24 && key_len != 32) {
        return CRYPTO_ERR_PARAM;
    }
    if (msg_len != 0 && dma_src_ok(msg, msg_len)) {
        src = (uintptr_t)msg;
    } else if (msg_len <= CRYPTO_BOUNCE_SIZE - 16) {
        if (msg_len) {
            memcpy(bounce + 16, msg, msg_len);
        }
        src = (uintptr_t)(bounce + 16);
    } else {
        return CRYPTO_ERR_PARAM;
    }
    rc = load_sym(NETCARD_CRYPTO_KEY_AES, key, key_len);
    if (rc != CRYPTO_OK) {
        return rc;
    }
    rc = run(cmd_word(NETCARD_CRYPTO_OP_AES_CMAC, SLOT_SYM), src, (uintptr_t)bounce,
             (uint32_t)msg_len, "CMAC");
    if (rc == CRYPTO_OK) {
        memcpy(mac, bounce, 16);
    }
    return rc;
}

/*
 * ISO/IEC 9797-1 MAC algorithm 3, padding method 2 (append 80, then 00 to
 * a multiple of 8). Everything but the last bounce-full of blocks is
 * chained with single DES (TDES with K || K) in CBC mode; the coprocessor's
 * RETAIL_MAC finishes from that chaining value.
 */
static enum crypto_status mac_retail(const uint8_t *key, size_t key_len,
                                     const uint8_t *msg, size_t msg_len,
                                     uint8_t *mac)
{
    const size_t tail_max = CRYPTO_BOUNCE_SIZE - 16;   /* multiple of 8 */
    size_t padded = (msg_len / 8 + 1) * 8;
    size_t head = 0, tail;
    uint8_t iv[8] = { 0 };
    enum crypto_status rc;

    if (key_len != 16) {
        return CRYPTO_ERR_PARAM;
    }
    if (padded > tail_max) {
        head = padded - tail_max;       /* whole blocks, all message bytes */
        uint8_t kk[16];

        memcpy(kk, key, 8);
        memcpy(kk + 8, key, 8);
        rc = load_key(SLOT_DES, NETCARD_CRYPTO_KEY_TDES, NETCARD_CRYPTO_USE_ENCRYPT, kk, 16);
        memset(kk, 0, sizeof(kk));
        if (rc != CRYPTO_OK) {
            return rc;
        }
        crypto_drv_set_iv(iv, 2);
        for (size_t off = 0; off < head && rc == CRYPTO_OK;) {
            size_t n = head - off < tail_max ? head - off : tail_max;

            memcpy(bounce, msg + off, n);
            rc = run(cmd_word(NETCARD_CRYPTO_OP_TDES_CBC, SLOT_DES), (uintptr_t)bounce,
                     (uintptr_t)bounce, (uint32_t)n, "retail MAC");
            off += n;
        }
        if (rc != CRYPTO_OK) {
            return rc;
        }
        crypto_drv_get_iv(iv, 2);
    }
    tail = msg_len - head;
    memcpy(bounce + 16, msg + head, tail);
    bounce[16 + tail] = 0x80;
    memset(bounce + 16 + tail + 1, 0, padded - head - tail - 1);
    rc = load_sym(NETCARD_CRYPTO_KEY_TDES, key, key_len);
    if (rc != CRYPTO_OK) {
        return rc;
    }
    crypto_drv_set_iv(iv, 2);
    rc = run(cmd_word(NETCARD_CRYPTO_OP_RETAIL_MAC, SLOT_SYM), (uintptr_t)(bounce + 16),
             (uintptr_t)bounce, (uint32_t)(padded - head), "retail MAC");
    if (rc == CRYPTO_OK) {
        memcpy(mac, bounce, 8);
    }
    return rc;
}

static enum crypto_status mac_hmac(enum crypto_hash alg, const uint8_t *key,
                                   size_t key_len, const uint8_t *msg,
                                   size_t msg_len, uint8_t *mac)
{
    struct crypto_hash_ctx ctx;
    enum crypto_status rc;

    if (key_len == 0 || key_len > NETCARD_CRYPTO_KEYDATA_SIZE) {
        return CRYPTO_ERR_PARAM;
    }
    rc = load_key(SLOT_HMAC, NETCARD_CRYPTO_KEY_HMAC, NETCARD_CRYPTO_USE_MAC, key, key_len);
    if (rc != CRYPTO_OK) {
        return rc;
    }
    rc = hash_begin(&ctx, alg, true);
    if (rc != CRYPTO_OK) {
        return rc;
    }
    return hash_last(&ctx, msg, msg_len, mac);
}

enum crypto_status crypto_mac(enum crypto_mac alg, const uint8_t *key,
                              size_t key_len, const uint8_t *msg,
                              size_t msg_len, uint8_t *mac, size_t mac_cap,
                              size_t *mac_len)
{
    size_t n;
    enum crypto_status rc = check_in_service();

    if (rc != CRYPTO_OK) {
        return rc;
    }
    switch (alg) {
    case CRYPTO_MAC_AES_CMAC: n = 16; break;
    case CRYPTO_MAC_RETAIL: n = 8; break;
    case CRYPTO_MAC_HMAC_SHA256: n = 32; break;
    case CRYPTO_MAC_HMAC_SHA384: n = 48; break;
    case CRYPTO_MAC_HMAC_SHA512: n = 64; break;
    default: return CRYPTO_ERR_PARAM;
    }
    if (key == NULL || mac == NULL || mac_cap < n || (msg_len != 0 && msg == NULL)) {
        return CRYPTO_ERR_PARAM;
    }
    switch (alg) {
    case CRYPTO_MAC_AES_CMAC:
        rc = mac_cmac(key, key_len, msg, msg_len, mac);
        break;
    case CRYPTO_MAC_RETAIL:
        rc = mac_retail(key, key_len, msg, msg_len, mac);
        break;
    case CRYPTO_MAC_HMAC_SHA256:
        rc = mac_hmac(CRYPTO_SHA256, key, key_len, msg, msg_len, mac);
        break;
    case CRYPTO_MAC_HMAC_SHA384:
        rc = mac_hmac(CRYPTO_SHA384, key, key_len, msg, msg_len, mac);
        break;
    default:
        rc = mac_hmac(CRYPTO_SHA512, key, key_len, msg, msg_len, mac);
        break;
    }
    if (rc == CRYPTO_OK && mac_len) {
        *mac_len = n;
    }
    return rc;
}
