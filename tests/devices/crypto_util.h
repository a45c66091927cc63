/*
 * Helpers for the crypto coprocessor device tests: guest memory as bytes,
 * hex, driving the coprocessor's registers (peripherals/netcard_crypto.h)
 * and running OpenSSL as an independent peer.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_TESTS_CRYPTO_UTIL_H
#define NETCARD_TESTS_CRYPTO_UTIL_H

#include "devices.h"
#include "netcard_crypto.h"
#include "nc_openssl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CRYPTO_BASE   0x40003000u
#define CR(reg)       (CRYPTO_BASE + (uint32_t)A_CRYPTO_##reg)
#define CRYPTO_IRQ    2

/* Guest RAM areas used by the tests */
#define BUF_AUX       (RAM_BASE + 0x0800u)
#define BUF_IN        (RAM_BASE + 0x1000u)
#define BUF_OUT       (RAM_BASE + 0x9000u)
#define BUF_KEY       (RAM_BASE + 0x11000u)
#define BUF_BIG       (RAM_BASE + 0x20000u)

#define SYSCLK_HZ     48000000ull

static inline uint32_t crypto_cmd(uint32_t op, uint32_t key, uint32_t alg,
                                  uint32_t ctx, uint32_t flags)
{
    return op | (alg << R_CRYPTO_CMD_ALG_SHIFT) |
           (ctx << R_CRYPTO_CMD_CTX_SHIFT) |
           (key << R_CRYPTO_CMD_KEY_SHIFT) | flags;
}
#define CMD_DEC      R_CRYPTO_CMD_DEC_MASK
#define CMD_TOSLOT   R_CRYPTO_CMD_TOSLOT_MASK
#define CMD_FROMREG  R_CRYPTO_CMD_FROMREG_MASK
#define CMD_KEY2(n)  ((uint32_t)(n) << R_CRYPTO_CMD_KEY2_SHIFT)

/* Bytes of a hex string (white space ignored) into OUT; returns count. */
static inline size_t unhex(const char *hex, uint8_t *out, size_t max)
{
    size_t n = 0;
    int hi = -1;

    for (; *hex; hex++) {
        int v;
        char c = *hex;

        if (c >= '0' && c <= '9') {
            v = c - '0';
        } else if (c >= 'a' && c <= 'f') {
            v = c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            v = c - 'A' + 10;
        } else {
            continue;
        }
        if (hi < 0) {
            hi = v;
        } else {
            cr_assert(n < max, "hex string longer than %zu bytes", max);
            out[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    cr_assert(hi < 0, "odd number of hex digits");
    return n;
}

static inline char *tohex(const uint8_t *b, size_t n)
{
    char *s = nc_gc(malloc(2 * n + 1));

    for (size_t i = 0; i < n; i++) {
        sprintf(s + 2 * i, "%02x", b[i]);
    }
    s[2 * n] = 0;
    return s;
}

static inline void mem_write(NcQtest *qt, uint32_t addr, const uint8_t *b,
                             size_t n)
{
    if (n == 0) {
        return;
    }
    nc_qtest_cmd(qt, "write 0x%" PRIx32 " 0x%zx 0x%s", addr, n, tohex(b, n));
}

static inline void mem_read(NcQtest *qt, uint32_t addr, uint8_t *b, size_t n)
{
    char *r = nc_qtest_cmd(qt, "read 0x%" PRIx32 " 0x%zx", addr, n);

    cr_assert(strncmp(r, "0x", 2) == 0, "qtest read answered '%s'", r);
    cr_assert_eq(unhex(r + 2, b, n), n, "qtest read returned too few bytes");
}

static inline void mem_fill(NcQtest *qt, uint32_t addr, size_t n, uint8_t v)
{
    nc_qtest_cmd(qt, "memset 0x%" PRIx32 " 0x%zx 0x%02x", addr, n, v);
}

#define expect_bytes(got, want, n, ...)                                       \
    do {                                                                      \
        if (memcmp((got), (want), (n)) != 0) {                                \
            cr_assert_fail("%s: got %s, expected %s", nc_strf(__VA_ARGS__),   \
                           tohex((got), (n)), tohex((want), (n)));            \
        }                                                                     \
    } while (0)

/*
 * Write CMD and wait for completion, stepping the virtual clock (bounded);
 * returns STATUS.ERRCODE.
 */
static inline uint32_t crypto_run(NcQtest *qt, uint32_t cmd)
{
    uint32_t st;

    nc_writel(qt, CR(CMD), cmd);
    for (int i = 0; i < 2000; i++) {
        st = nc_readl(qt, CR(STATUS));
        if (!(st & R_CRYPTO_STATUS_BUSY_MASK)) {
            cr_assert(st & R_CRYPTO_STATUS_DONE_MASK,
                      "CMD 0x%08" PRIx32 ": STATUS 0x%08" PRIx32
                      " neither BUSY nor DONE", cmd, st);
            return (st >> R_CRYPTO_STATUS_ERRCODE_SHIFT) & 0xff;
        }
        nc_clock_step(qt, 1000000);
    }
    cr_assert_fail("CMD 0x%08" PRIx32 " still BUSY after 2 s of virtual time",
                   cmd);
    return 0xff;
}

#define crypto_ok(qt, cmd, ...)                                               \
    do {                                                                      \
        uint32_t e__ = crypto_run(qt, cmd);                                   \
        cr_assert_eq(e__, 0u, "%s: CMD 0x%08" PRIx32 " failed with ERRCODE "  \
                     "%" PRIu32, nc_strf(__VA_ARGS__), (uint32_t)(cmd), e__); \
    } while (0)

static inline void crypto_dma(NcQtest *qt, uint32_t src, uint32_t dst,
                              uint32_t len, uint32_t aux)
{
    nc_writel(qt, CR(SRC), src);
    nc_writel(qt, CR(DST), dst);
    nc_writel(qt, CR(LEN), len);
    nc_writel(qt, CR(AUX), aux);
}

static inline void crypto_set_iv(NcQtest *qt, const uint8_t *iv)
{
    for (int i = 0; i < 4; i++) {
        uint32_t w = 0;

        if (iv) {
            w = (uint32_t)iv[4 * i] | (uint32_t)iv[4 * i + 1] << 8 |
                (uint32_t)iv[4 * i + 2] << 16 | (uint32_t)iv[4 * i + 3] << 24;
        }
        nc_writel(qt, CR(IV0) + 4 * i, w);
    }
}

static inline void crypto_get_iv(NcQtest *qt, uint8_t *iv)
{
    for (int i = 0; i < 4; i++) {
        uint32_t w = nc_readl(qt, CR(IV0) + 4 * i);

        iv[4 * i] = w;
        iv[4 * i + 1] = w >> 8;
        iv[4 * i + 2] = w >> 16;
        iv[4 * i + 3] = w >> 24;
    }
}

static inline uint32_t keycfg(uint32_t type, uint32_t usage, uint32_t len)
{
    return type << R_CRYPTO_KEYCFG_TYPE_SHIFT |
           usage << R_CRYPTO_KEYCFG_USAGE_SHIFT |
           len << R_CRYPTO_KEYCFG_LEN_SHIFT;
}

/* Load a key through the KEYDATA staging window; returns ERRCODE. */
static inline uint32_t key_load_reg(NcQtest *qt, uint32_t slot, uint32_t type,
                                    uint32_t usage, const uint8_t *k,
                                    size_t len)
{
    for (size_t i = 0; i < len; i += 4) {
        uint32_t w = 0;

        for (size_t b = 0; b < 4 && i + b < len; b++) {
            w |= (uint32_t)k[i + b] << (8 * b);
        }
        nc_writel(qt, CR(KEYDATA0) + i, w);
    }
    nc_writel(qt, CR(KEYCFG), keycfg(type, usage, len));
    return crypto_run(qt, crypto_cmd(NETCARD_CRYPTO_OP_KEY_LOAD, slot, 0, 0,
                                     CMD_FROMREG));
}

/* Load a key by DMA from RAM; returns ERRCODE. */
static inline uint32_t key_load_dma(NcQtest *qt, uint32_t slot, uint32_t type,
                                    uint32_t usage, const uint8_t *k,
                                    size_t len)
{
    mem_write(qt, BUF_KEY, k, len);
    nc_writel(qt, CR(SRC), BUF_KEY);
    nc_writel(qt, CR(KEYCFG), keycfg(type, usage, len));
    uint32_t e = crypto_run(qt, crypto_cmd(NETCARD_CRYPTO_OP_KEY_LOAD, slot,
                                           0, 0, 0));
    mem_fill(qt, BUF_KEY, len, 0);
    return e;
}

#define key_ok(expr) \
    cr_assert_eq((expr), 0u, "key load failed: %s", #expr)

/* ------------------------------------------------------------------ */
/* OpenSSL as an independent peer                                      */

static inline void file_put(const char *path, const uint8_t *b, size_t n)
{
    FILE *f = fopen(path, "wb");

    cr_assert(f, "cannot create %s", path);
    cr_assert_eq(fwrite(b, 1, n, f), n);
    fclose(f);
}

static inline size_t file_get(const char *path, uint8_t *b, size_t max)
{
    size_t n;
    char *s = nc_read_file(path, &n);

    cr_assert(s, "cannot read %s", path);
    cr_assert(n <= max, "%s: %zu bytes, room for %zu", path, n, max);
    memcpy(b, s, n);
    free(s);
    return n;
}

/* openssl enc -CIPHER -K KEY [-iv IV] -nopad on DATA -> OUT */
static inline void openssl_enc(const char *cipher, const char *keyhex,
                        const char *ivhex, bool dec, const uint8_t *data,
                        size_t n, uint8_t *out)
{
    static int seq;
    const char *in = nc_tmp_path(nc_strf("enc-%d.in", seq));
    const char *o = nc_tmp_path(nc_strf("enc-%d.out", seq++));
    const char *args[16];
    int a = 0;

    file_put(in, data, n);
    args[a++] = "enc";
    args[a++] = cipher;
    if (dec) {
        args[a++] = "-d";
    }
    args[a++] = "-K";
    args[a++] = keyhex;
    if (ivhex) {
        args[a++] = "-iv";
        args[a++] = ivhex;
    }
    args[a++] = "-nopad";
    args[a++] = "-in";
    args[a++] = in;
    args[a++] = "-out";
    args[a++] = o;
    args[a] = NULL;
    nc_openssl_run(args);
    cr_assert_eq(file_get(o, out, n), n, "openssl enc %s output length",
                 cipher);
}

static inline void hash_oneshot(NcQtest *qt, uint32_t alg, uint32_t ctx,
                         uint32_t src, uint32_t len, uint32_t dst)
{
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_HASH_INIT, 0, alg, ctx, 0),
              "HASH_INIT");
    crypto_dma(qt, src, 0, len, 0);
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_HASH_UPDATE, 0, 0, ctx, 0),
              "HASH_UPDATE");
    crypto_dma(qt, 0, dst, 0, 0);
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_HASH_FINAL, 0, 0, ctx, 0),
              "HASH_FINAL");
}

#endif /* NETCARD_TESTS_CRYPTO_UTIL_H */
