/*
 * The card's mbedTLS on the crypto hardware:
 *   - MBEDTLS_AES_ALT (crypto/alt/aes_alt.h): AES block and CBC
 *     operations on the coprocessor;
 *   - MBEDTLS_GCM_ALT (crypto/alt/gcm_alt.h): AES-GCM with one
 *     coprocessor CTR command per call for the key stream (instead of one
 *     ECB command per block) and GHASH in software;
 *   - MBEDTLS_ENTROPY_HARDWARE_ALT: mbedtls_hardware_poll() returns
 *     health-tested TRNG output (crypto_random).
 * SHA-256 stays in software: the coprocessor's hash contexts cannot be
 * exported, and TLS clones running hashes (mbedtls_sha256_clone) and keeps
 * more of them open than the engine's 4 contexts (docs/crypto.md).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "mbedtls/aes.h"
#include "mbedtls/error.h"
#include "mbedtls/platform_util.h"

#include "crypto/crypto.h"

void mbedtls_aes_init(mbedtls_aes_context *ctx)
{
    memset(ctx, 0, sizeof(*ctx));
}

void mbedtls_aes_free(mbedtls_aes_context *ctx)
{
    if (ctx) {
        mbedtls_platform_zeroize(ctx, sizeof(*ctx));
    }
}

static int setkey(mbedtls_aes_context *ctx, const unsigned char *key,
                  unsigned int keybits)
{
    if (keybits != 128 && keybits != 192 && keybits != 256) {
        return MBEDTLS_ERR_AES_INVALID_KEY_LENGTH;
    }
    memcpy(ctx->key, key, keybits / 8);
    ctx->key_len = keybits / 8;
    return 0;
}

int mbedtls_aes_setkey_enc(mbedtls_aes_context *ctx, const unsigned char *key,
                           unsigned int keybits)
{
    return setkey(ctx, key, keybits);
}

int mbedtls_aes_setkey_dec(mbedtls_aes_context *ctx, const unsigned char *key,
                           unsigned int keybits)
{
    return setkey(ctx, key, keybits);
}

static int result(enum crypto_status rc)
{
    if (rc == CRYPTO_OK) {
        return 0;
    }
    return rc == CRYPTO_ERR_PARAM ? MBEDTLS_ERR_AES_BAD_INPUT_DATA
                                  : MBEDTLS_ERR_PLATFORM_HW_ACCEL_FAILED;
}

int mbedtls_aes_crypt_ecb(mbedtls_aes_context *ctx, int mode,
                          const unsigned char input[16],
                          unsigned char output[16])
{
    uint8_t block[16];
    int r;

    if (mode != MBEDTLS_AES_ENCRYPT && mode != MBEDTLS_AES_DECRYPT) {
        return MBEDTLS_ERR_AES_BAD_INPUT_DATA;
    }
    memcpy(block, input, 16);
    r = result(crypto_cipher(CRYPTO_AES_ECB, CRYPTO_ENGINE_HW, mode == MBEDTLS_AES_DECRYPT,
                             ctx->key, ctx->key_len, NULL, block, block, 16));
    if (r == 0) {
        memcpy(output, block, 16);
    }
    mbedtls_platform_zeroize(block, sizeof(block));
    return r;
}

int mbedtls_internal_aes_encrypt(mbedtls_aes_context *ctx,
                                 const unsigned char input[16],
                                 unsigned char output[16])
{
    return mbedtls_aes_crypt_ecb(ctx, MBEDTLS_AES_ENCRYPT, input, output);
}

int mbedtls_internal_aes_decrypt(mbedtls_aes_context *ctx,
                                 const unsigned char input[16],
                                 unsigned char output[16])
{
    return mbedtls_aes_crypt_ecb(ctx, MBEDTLS_AES_DECRYPT, input, output);
}

#if defined(MBEDTLS_CIPHER_MODE_CBC)
int mbedtls_aes_crypt_cbc(mbedtls_aes_context *ctx, int mode, size_t length,
                          unsigned char iv[16], const unsigned char *input,
                          unsigned char *output)
{
    if (mode != MBEDTLS_AES_ENCRYPT && mode != MBEDTLS_AES_DECRYPT) {
        return MBEDTLS_ERR_AES_BAD_INPUT_DATA;
    }
    if (length % 16 != 0) {
        return MBEDTLS_ERR_AES_INVALID_INPUT_LENGTH;
    }
    if (length == 0) {
        return 0;
    }
    return result(crypto_cipher(CRYPTO_AES_CBC, CRYPTO_ENGINE_HW, mode == MBEDTLS_AES_DECRYPT,
                                ctx->key, ctx->key_len, iv, input, output, length));
}
#endif

#if defined(MBEDTLS_CIPHER_MODE_CTR)
int mbedtls_aes_crypt_ctr(mbedtls_aes_context *ctx, size_t length,
                          size_t *nc_off, unsigned char nonce_counter[16],
                          unsigned char stream_block[16],
                          const unsigned char *input, unsigned char *output)
{
    size_t n = *nc_off;

    if (n > 15) {
        return MBEDTLS_ERR_AES_BAD_INPUT_DATA;
    }
    /* Byte-wise key stream as mbedTLS defines it (partial blocks carry over). */
    for (size_t i = 0; i < length; i++) {
        if (n == 0) {
            int r = mbedtls_aes_crypt_ecb(ctx, MBEDTLS_AES_ENCRYPT, nonce_counter, stream_block);

            if (r != 0) {
                return r;
            }
            for (int j = 16; j-- > 0;) {
                if (++nonce_counter[j] != 0) {
                    break;
                }
            }
        }
        output[i] = (unsigned char)(input[i] ^ stream_block[n]);
        n = (n + 1) & 0x0f;
    }
    *nc_off = n;
    return 0;
}
#endif

/* Declared in mbedTLS's private library/entropy_poll.h. */
int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len,
                          size_t *olen);

int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len,
                          size_t *olen)
{
    (void)data;
    *olen = 0;
    if (crypto_random(output, len) != CRYPTO_OK) {
        return -1;
    }
    *olen = len;
    return 0;
}

/* ---- AES-GCM (MBEDTLS_GCM_ALT, crypto/alt/gcm_alt.h) ------------------------ */

#if defined(MBEDTLS_GCM_ALT)
#include "mbedtls/gcm.h"

static uint64_t load64(const unsigned char *p)
{
    uint64_t v = 0;

    for (int i = 0; i < 8; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

static void store64(unsigned char *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (unsigned char)v;
        v >>= 8;
    }
}

/*
 * X = X * H in GF(2^128) (SP 800-38D 6.3, Algorithm 1): bit 0 is the most
 * significant bit of the first byte; R = 11100001 || 0^120. Branch-free in
 * the data.
 */
static void gf_mult(uint64_t x[2], const uint64_t h[2])
{
    uint64_t zh = 0, zl = 0, vh = h[0], vl = h[1];

    for (int i = 0; i < 128; i++) {
        uint64_t bit = (i < 64 ? x[0] >> (63 - i) : x[1] >> (127 - i)) & 1u;
        uint64_t m = 0 - bit, lsb = vl & 1u;

        zh ^= vh & m;
        zl ^= vl & m;
        vl = (vl >> 1) | (vh << 63);
        vh = (vh >> 1) ^ (0xe100000000000000ull & (0 - lsb));
    }
    x[0] = zh;
    x[1] = zl;
}

static void ghash_block(mbedtls_gcm_context *ctx, const unsigned char b[16])
{
    ctx->y[0] ^= load64(b);
    ctx->y[1] ^= load64(b + 8);
    gf_mult(ctx->y, ctx->h);
}

static void ghash(mbedtls_gcm_context *ctx, const unsigned char *p, size_t n)
{
    while (n > 0) {
        if (ctx->part_len == 0 && n >= 16) {
            ghash_block(ctx, p);
            p += 16;
            n -= 16;
            continue;
        }
        ctx->part[ctx->part_len++] = *p++;
        n--;
        if (ctx->part_len == 16) {
            ghash_block(ctx, ctx->part);
            ctx->part_len = 0;
        }
    }
}

/* Zero-pad what is buffered to a block (end of the AD or of the text). */
static void ghash_flush(mbedtls_gcm_context *ctx)
{
    if (ctx->part_len) {
        memset(ctx->part + ctx->part_len, 0, 16 - ctx->part_len);
        ghash_block(ctx, ctx->part);
        ctx->part_len = 0;
    }
}

void mbedtls_gcm_init(mbedtls_gcm_context *ctx)
{
    memset(ctx, 0, sizeof(*ctx));
}

void mbedtls_gcm_free(mbedtls_gcm_context *ctx)
{
    if (ctx) {
        mbedtls_platform_zeroize(ctx, sizeof(*ctx));
    }
}

int mbedtls_gcm_setkey(mbedtls_gcm_context *ctx, mbedtls_cipher_id_t cipher,
                       const unsigned char *key, unsigned int keybits)
{
    unsigned char zero[16] = { 0 };
    int r;

    if (cipher != MBEDTLS_CIPHER_ID_AES) {
        return MBEDTLS_ERR_PLATFORM_FEATURE_UNSUPPORTED;
    }
    if (keybits != 128 && keybits != 192 && keybits != 256) {
        return MBEDTLS_ERR_GCM_BAD_INPUT;
    }
    memcpy(ctx->key, key, keybits / 8);
    ctx->key_len = keybits / 8;
    r = result(crypto_cipher(CRYPTO_AES_ECB, CRYPTO_ENGINE_HW, false, ctx->key,
                             ctx->key_len, NULL, zero, zero, 16));
    if (r != 0) {
        return r;
    }
    ctx->h[0] = load64(zero);
    ctx->h[1] = load64(zero + 8);
    return 0;
}

int mbedtls_gcm_starts(mbedtls_gcm_context *ctx, int mode,
                       const unsigned char *iv, size_t iv_len)
{
    if (ctx->key_len == 0) {
        return MBEDTLS_ERR_GCM_BAD_INPUT;
    }
    if (iv_len != 12) {
        return MBEDTLS_ERR_PLATFORM_FEATURE_UNSUPPORTED;
    }
    ctx->mode = mode;
    ctx->y[0] = ctx->y[1] = 0;
    ctx->ad_len = ctx->len = 0;
    ctx->ks_off = 0;
    ctx->part_len = 0;
    /* J0 = IV || 0^31 || 1; the text starts at inc32(J0) */
    memcpy(ctx->ek0, iv, 12);
    ctx->ek0[12] = ctx->ek0[13] = ctx->ek0[14] = 0;
    ctx->ek0[15] = 1;
    memcpy(ctx->ctr, ctx->ek0, 16);
    ctx->ctr[15] = 2;
    return result(crypto_cipher(CRYPTO_AES_ECB, CRYPTO_ENGINE_HW, false, ctx->key,
                                ctx->key_len, NULL, ctx->ek0, ctx->ek0, 16));
}

int mbedtls_gcm_update_ad(mbedtls_gcm_context *ctx, const unsigned char *add,
                          size_t add_len)
{
    if (ctx->len != 0 || ctx->ks_off != 0) {
        return MBEDTLS_ERR_GCM_BAD_INPUT;    /* AD after text */
    }
    if ((uint64_t)add_len >> 61 || ctx->ad_len + add_len < ctx->ad_len) {
        return MBEDTLS_ERR_GCM_BAD_INPUT;
    }
    ghash(ctx, add, add_len);
    ctx->ad_len += add_len;
    return 0;
}

/*
 * The 128-bit counter of the coprocessor's CTR mode equals GCM's inc32 as
 * long as the low word does not wrap: it starts at 2 and SP 800-38D limits
 * the text to 2^32 - 2 blocks (checked below).
 */
int mbedtls_gcm_update(mbedtls_gcm_context *ctx, const unsigned char *input,
                       size_t input_length, unsigned char *output,
                       size_t output_size, size_t *output_length)
{
    size_t n = input_length;
    int r;

    *output_length = 0;
    if (output_size < input_length) {
        return MBEDTLS_ERR_GCM_BUFFER_TOO_SMALL;
    }
    if (ctx->len + input_length < ctx->len ||
        ctx->len + input_length > 0xfffffffe0ull) {     /* (2^32 - 2) blocks */
        return MBEDTLS_ERR_GCM_BAD_INPUT;
    }
    if (ctx->len == 0 && ctx->ks_off == 0) {
        ghash_flush(ctx);                  /* the AD ends here */
    }
    if (input_length == 0) {
        return 0;
    }
    if (output != input && output < input + n && input < output + n) {
        memmove(output, input, n);         /* overlapping: work in place */
        input = output;
    }
    if (ctx->mode == MBEDTLS_GCM_DECRYPT) {
        ghash(ctx, input, n);              /* before an in-place decrypt */
    }
    ctx->len += n;
    /* the rest of a partly used key stream block */
    if (n > 0 && ctx->ks_off != 0 && !ctx->ks_valid) {
        /* recompute it: the block before the next counter */
        unsigned char prev[16];

        memcpy(prev, ctx->ctr, 16);
        for (int i = 15; i >= 0 && prev[i]-- == 0; i--) {
        }
        r = result(crypto_cipher(CRYPTO_AES_ECB, CRYPTO_ENGINE_HW, false, ctx->key,
                                 ctx->key_len, NULL, prev, ctx->ks, 16));
        if (r != 0) {
            return r;
        }
        ctx->ks_valid = 1;
    }
    while (n > 0 && ctx->ks_off != 0) {
        *output++ = *input++ ^ ctx->ks[ctx->ks_off];
        ctx->ks_off = (ctx->ks_off + 1) & 15u;
        n--;
    }
    /*
     * Everything else in one CTR command (a partial last block included:
     * its unused key stream is recomputed only if another update follows).
     */
    if (n) {
        r = result(crypto_cipher(CRYPTO_AES_CTR, CRYPTO_ENGINE_HW, false, ctx->key,
                                 ctx->key_len, ctx->ctr, input, output, n));
        if (r != 0) {
            return r;
        }
        ctx->ks_off = (unsigned int)(n & 15u);
        ctx->ks_valid = 0;
        output += n;
        n = 0;
    }
    if (ctx->mode == MBEDTLS_GCM_ENCRYPT) {
        ghash(ctx, output + n - input_length, input_length);
    }
    *output_length = input_length;
    return 0;
}

int mbedtls_gcm_finish(mbedtls_gcm_context *ctx, unsigned char *output,
                       size_t output_size, size_t *output_length,
                       unsigned char *tag, size_t tag_len)
{
    unsigned char lens[16], t[16];

    (void)output;
    (void)output_size;
    *output_length = 0;
    if (tag_len < 4 || tag_len > 16) {
        return MBEDTLS_ERR_GCM_BAD_INPUT;
    }
    ghash_flush(ctx);
    store64(lens, ctx->ad_len * 8);
    store64(lens + 8, ctx->len * 8);
    ghash_block(ctx, lens);
    store64(t, ctx->y[0]);
    store64(t + 8, ctx->y[1]);
    for (size_t i = 0; i < tag_len; i++) {
        tag[i] = t[i] ^ ctx->ek0[i];
    }
    mbedtls_platform_zeroize(t, sizeof(t));
    return 0;
}

int mbedtls_gcm_crypt_and_tag(mbedtls_gcm_context *ctx, int mode, size_t length,
                              const unsigned char *iv, size_t iv_len,
                              const unsigned char *add, size_t add_len,
                              const unsigned char *input, unsigned char *output,
                              size_t tag_len, unsigned char *tag)
{
    size_t olen;
    int r = mbedtls_gcm_starts(ctx, mode, iv, iv_len);

    if (r == 0) {
        r = mbedtls_gcm_update_ad(ctx, add, add_len);
    }
    if (r == 0) {
        r = mbedtls_gcm_update(ctx, input, length, output, length, &olen);
    }
    if (r == 0) {
        r = mbedtls_gcm_finish(ctx, NULL, 0, &olen, tag, tag_len);
    }
    return r;
}

int mbedtls_gcm_auth_decrypt(mbedtls_gcm_context *ctx, size_t length,
                             const unsigned char *iv, size_t iv_len,
                             const unsigned char *add, size_t add_len,
                             const unsigned char *tag, size_t tag_len,
                             const unsigned char *input, unsigned char *output)
{
    unsigned char check[16];
    unsigned char diff = 0;
    int r = mbedtls_gcm_crypt_and_tag(ctx, MBEDTLS_GCM_DECRYPT, length, iv, iv_len,
                                      add, add_len, input, output, tag_len, check);

    if (r != 0) {
        return r;
    }
    for (size_t i = 0; i < tag_len; i++) {
        diff |= tag[i] ^ check[i];
    }
    if (diff != 0) {
        mbedtls_platform_zeroize(output, length);
        return MBEDTLS_ERR_GCM_AUTH_FAILED;
    }
    return 0;
}
#endif /* MBEDTLS_GCM_ALT */
