/*
 * Software AES from FIPS 197. See crypto/aes_soft.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "crypto/aes_soft.h"

#include <string.h>

static uint8_t sbox[256], inv_sbox[256];
static int sbox_ready;

/* FIPS 197 4.2.1: multiplication by x modulo m(x) = x^8 + x^4 + x^3 + x + 1. */
static uint8_t xtime(uint8_t b)
{
    return (uint8_t)((b << 1) ^ ((b & 0x80) ? 0x1b : 0x00));
}

/* FIPS 197 4.2: product in GF(2^8). */
static uint8_t gmul(uint8_t a, uint8_t b)
{
    uint8_t p = 0;

    while (b) {
        if (b & 1) {
            p ^= a;
        }
        a = xtime(a);
        b >>= 1;
    }
    return p;
}

static uint8_t rotl8(uint8_t x, unsigned n)
{
    return (uint8_t)((x << n) | (x >> (8 - n)));
}

/*
 * FIPS 197 5.1.1: S(b) = affine(b^-1), with 0 mapped to 0 before the
 * affine transform b'_i = b_i ^ b_(i+4) ^ b_(i+5) ^ b_(i+6) ^ b_(i+7) ^ c_i,
 * c = 0x63. The inverse b^-1 = b^254.
 */
static void make_sbox(void)
{
    for (unsigned i = 0; i < 256; i++) {
        uint8_t b = (uint8_t)i, inv = 1, s;

        /* b^254 by square-and-multiply (254 = 11111110b) */
        if (b == 0) {
            inv = 0;
        } else {
            uint8_t sq = b;
            unsigned e = 254;

            while (e) {
                if (e & 1) {
                    inv = gmul(inv, sq);
                }
                sq = gmul(sq, sq);
                e >>= 1;
            }
        }
        s = (uint8_t)(inv ^ rotl8(inv, 1) ^ rotl8(inv, 2) ^ rotl8(inv, 3) ^
                      rotl8(inv, 4) ^ 0x63);
        sbox[i] = s;
        inv_sbox[s] = (uint8_t)i;
    }
    sbox_ready = 1;
}

/* FIPS 197 5.2 KeyExpansion, on bytes (w[i] = rk[4i..4i+3]). */
int aes_soft_setkey(struct aes_soft *ctx, const uint8_t *key, size_t len)
{
    unsigned nk, total;
    uint8_t rcon = 0x01;

    if (len != 16 && len != 24 && len != 32) {
        return -1;
    }
    if (!sbox_ready) {
        make_sbox();
    }
    nk = (unsigned)len / 4u;
    ctx->nr = nk + 6u;
    total = 4u * (ctx->nr + 1u);    /* words */
    memcpy(ctx->rk, key, len);
    for (unsigned i = nk; i < total; i++) {
        uint8_t t[4];

        memcpy(t, &ctx->rk[4 * (i - 1)], 4);
        if (i % nk == 0) {
            uint8_t t0 = t[0];

            t[0] = (uint8_t)(sbox[t[1]] ^ rcon);    /* SubWord(RotWord) ^ Rcon */
            t[1] = sbox[t[2]];
            t[2] = sbox[t[3]];
            t[3] = sbox[t0];
            rcon = xtime(rcon);
        } else if (nk > 6 && i % nk == 4) {
            for (unsigned j = 0; j < 4; j++) {
                t[j] = sbox[t[j]];
            }
        }
        for (unsigned j = 0; j < 4; j++) {
            ctx->rk[4 * i + j] = (uint8_t)(ctx->rk[4 * (i - nk) + j] ^ t[j]);
        }
    }
    return 0;
}

static void add_round_key(uint8_t s[16], const uint8_t *k)
{
    for (unsigned i = 0; i < 16; i++) {
        s[i] ^= k[i];
    }
}

/* State s[r + 4c] as in FIPS 197 3.4 (column-major input order). */
static void shift_rows(uint8_t s[16], int inverse)
{
    uint8_t t[16];

    for (unsigned r = 0; r < 4; r++) {
        for (unsigned c = 0; c < 4; c++) {
            unsigned from = inverse ? (c + 4 - r) % 4 : (c + r) % 4;

            t[r + 4 * c] = s[r + 4 * from];
        }
    }
    memcpy(s, t, 16);
}

static void mix_columns(uint8_t s[16])
{
    for (unsigned c = 0; c < 4; c++) {
        uint8_t *a = &s[4 * c];
        uint8_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
        uint8_t all = (uint8_t)(a0 ^ a1 ^ a2 ^ a3);

        /* s'_r = 2 a_r ^ 3 a_(r+1) ^ a_(r+2) ^ a_(r+3) */
        a[0] = (uint8_t)(a0 ^ all ^ xtime((uint8_t)(a0 ^ a1)));
        a[1] = (uint8_t)(a1 ^ all ^ xtime((uint8_t)(a1 ^ a2)));
        a[2] = (uint8_t)(a2 ^ all ^ xtime((uint8_t)(a2 ^ a3)));
        a[3] = (uint8_t)(a3 ^ all ^ xtime((uint8_t)(a3 ^ a0)));
    }
}

static void inv_mix_columns(uint8_t s[16])
{
    for (unsigned c = 0; c < 4; c++) {
        uint8_t *a = &s[4 * c];
        uint8_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];

        a[0] = (uint8_t)(gmul(a0, 14) ^ gmul(a1, 11) ^ gmul(a2, 13) ^ gmul(a3, 9));
        a[1] = (uint8_t)(gmul(a0, 9) ^ gmul(a1, 14) ^ gmul(a2, 11) ^ gmul(a3, 13));
        a[2] = (uint8_t)(gmul(a0, 13) ^ gmul(a1, 9) ^ gmul(a2, 14) ^ gmul(a3, 11));
        a[3] = (uint8_t)(gmul(a0, 11) ^ gmul(a1, 13) ^ gmul(a2, 9) ^ gmul(a3, 14));
    }
}

void aes_soft_encrypt(const struct aes_soft *ctx, const uint8_t in[16],
                      uint8_t out[16])
{
    uint8_t s[16];

    memcpy(s, in, 16);
    add_round_key(s, ctx->rk);
    for (unsigned round = 1; round <= ctx->nr; round++) {
        for (unsigned i = 0; i < 16; i++) {
            s[i] = sbox[s[i]];
        }
        shift_rows(s, 0);
        if (round != ctx->nr) {
            mix_columns(s);
        }
        add_round_key(s, &ctx->rk[16 * round]);
    }
    memcpy(out, s, 16);
}

void aes_soft_decrypt(const struct aes_soft *ctx, const uint8_t in[16],
                      uint8_t out[16])
{
    uint8_t s[16];

    memcpy(s, in, 16);
    add_round_key(s, &ctx->rk[16 * ctx->nr]);
    for (unsigned round = ctx->nr; round-- > 0;) {
        shift_rows(s, 1);
        for (unsigned i = 0; i < 16; i++) {
            s[i] = inv_sbox[s[i]];
        }
        add_round_key(s, &ctx->rk[16 * round]);
        if (round != 0) {
            inv_mix_columns(s);
        }
    }
    memcpy(out, s, 16);
}

int aes_soft_ecb(const struct aes_soft *ctx, int decrypt, const uint8_t *in,
                 uint8_t *out, size_t len)
{
    if (len % 16 != 0) {
        return -1;
    }
    for (size_t off = 0; off < len; off += 16) {
        if (decrypt) {
            aes_soft_decrypt(ctx, in + off, out + off);
        } else {
            aes_soft_encrypt(ctx, in + off, out + off);
        }
    }
    return 0;
}

int aes_soft_cbc(const struct aes_soft *ctx, int decrypt, uint8_t iv[16],
                 const uint8_t *in, uint8_t *out, size_t len)
{
    uint8_t b[16], c[16];

    if (len % 16 != 0) {
        return -1;
    }
    for (size_t off = 0; off < len; off += 16) {
        memcpy(c, in + off, 16);
        if (decrypt) {
            aes_soft_decrypt(ctx, c, b);
            for (unsigned i = 0; i < 16; i++) {
                out[off + i] = (uint8_t)(b[i] ^ iv[i]);
            }
            memcpy(iv, c, 16);
        } else {
            for (unsigned i = 0; i < 16; i++) {
                b[i] = (uint8_t)(c[i] ^ iv[i]);
            }
            aes_soft_encrypt(ctx, b, iv);
            memcpy(out + off, iv, 16);
        }
    }
    return 0;
}

static void counter_increment(uint8_t ctr[16])
{
    for (unsigned i = 16; i-- > 0;) {
        if (++ctr[i] != 0) {
            break;
        }
    }
}

int aes_soft_ctr(const struct aes_soft *ctx, uint8_t iv[16],
                 const uint8_t *in, uint8_t *out, size_t len)
{
    uint8_t ks[16];

    for (size_t off = 0; off < len; off += 16) {
        size_t n = len - off < 16 ? len - off : 16;

        aes_soft_encrypt(ctx, iv, ks);
        counter_increment(iv);
        for (size_t i = 0; i < n; i++) {
            out[off + i] = (uint8_t)(in[off + i] ^ ks[i]);
        }
    }
    return 0;
}
