/*
 * Crypto coprocessor: the 16 key slots and symmetric outputs into a slot
 * (CMD.TOSLOT on AES, CMAC as an SP 800-108 KDF, TDES), docs/crypto.md
 * "Commands". Expected values from openssl at test time: the key the
 * engine derived never comes back, so each test uses it and compares
 * what it produces with openssl under the key openssl derived.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "crypto_util.h"

#include <inttypes.h>

static const uint8_t k16[16] = {
    0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47,
    0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f,
};

/* openssl mac CMAC of MSG under the AES key KEYHEX (16/24/32 bytes). */
static void openssl_cmac(const char *keyhex, const uint8_t *msg, size_t n,
                         uint8_t out[16])
{
    static int seq;
    const char *in = nc_tmp_path(nc_strf("cmac-%d.in", seq));
    const char *o = nc_tmp_path(nc_strf("cmac-%d.out", seq++));
    const char *cipher = strlen(keyhex) == 32 ? "cipher:AES-128-CBC" :
                         strlen(keyhex) == 48 ? "cipher:AES-192-CBC" :
                         "cipher:AES-256-CBC";
    const char *args[] = {
        "mac", "-macopt", cipher, "-macopt", nc_strf("hexkey:%s", keyhex),
        "-binary", "-in", in, "-out", o, "CMAC", NULL,
    };

    file_put(in, msg, n);
    nc_openssl_run(args);
    cr_assert_eq(file_get(o, out, 16), 16u, "openssl mac CMAC output");
}

static void openssl_block(const char *cipher, const char *keyhex,
                          const uint8_t *in, size_t n, uint8_t *out)
{
    static int seq;
    const char *i = nc_tmp_path(nc_strf("blk-%d.in", seq));
    const char *o = nc_tmp_path(nc_strf("blk-%d.out", seq++));
    const char *args[] = {
        "enc", cipher, "-K", keyhex, "-nopad", "-in", i, "-out", o,
        "-iv", "0000000000000000", NULL,
    };

    file_put(i, in, n);
    nc_openssl_run(args);
    cr_assert_eq(file_get(o, out, n), n, "openssl enc %s output", cipher);
}

/* Encrypt one 16-byte block with AES-ECB under slot N; into OUT. */
static void ecb_with(NcQtest *qt, unsigned n, const uint8_t in[16],
                     uint8_t out[16])
{
    mem_write(qt, BUF_IN, in, 16);
    crypto_dma(qt, BUF_IN, BUF_OUT, 16, 0);
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_AES_ECB, n, 0, 0, 0),
              "AES-ECB under slot %u", n);
    mem_read(qt, BUF_OUT, out, 16);
}

Test(device_crypto_toslot, sixteen_slots_all_zeroized_by_reset)
{
    NcQtest *qt = nc_qtest_start(NULL);

    for (unsigned n = 0; n < 16; n++) {
        key_ok(key_load_reg(qt, n, NETCARD_CRYPTO_KEY_AES,
                            NETCARD_CRYPTO_USE_ENCRYPT, k16, 16));
        cr_assert_eq(nc_readl(qt, CR(SLOTINFO0) + 4 * n),
                     0x80000000u | (16u << 16) |
                     (NETCARD_CRYPTO_USE_ENCRYPT << 8) |
                     NETCARD_CRYPTO_KEY_AES, "SLOTINFO%u", n);
    }
    /* IV0 still follows SLOTINFO15 */
    nc_writel(qt, CR(IV0), 0x11223344u);
    cr_assert_eq(nc_readl(qt, CR(IV0)), 0x11223344u);
    cr_assert_eq(nc_readl(qt, CR(SLOTINFO0) + 60) >> 31, 1u);
    nc_qmp(qt->qmp, "{'execute': 'system_reset'}");
    expect_reset(qt, 1, CAUSE_WARM, "system_reset");
    for (unsigned n = 0; n < 16; n++) {
        cr_assert_eq(nc_readl(qt, CR(SLOTINFO0) + 4 * n), 0u,
                     "slot %u after reset", n);
    }
}

/*
 * GPC Amendment D 4.1.5 derivation: label (11 zero bytes, constant),
 * separator, L, counter at offset 15, context. L = 128 and 256.
 */
Test(device_crypto_toslot, cmac_kdf_into_slot_matches_openssl)
{
    NcQtest *qt = nc_qtest_start(NULL);
    uint8_t msg[32] = { 0 }, want[32], blk[16] = { 0x5a }, got[16], w[16];

    key_ok(key_load_reg(qt, 8, NETCARD_CRYPTO_KEY_AES,
                        NETCARD_CRYPTO_USE_MAC, k16, 16));
    for (unsigned l = 16; l <= 32; l += 16) {
        msg[11] = 0x04;
        msg[13] = (uint8_t)((l * 8) >> 8);
        msg[14] = (uint8_t)(l * 8);
        for (unsigned i = 0; i < 16; i++) {
            msg[16 + i] = (uint8_t)(0xa0 + i);
        }
        for (unsigned b = 0; b < l / 16; b++) {
            msg[15] = (uint8_t)(b + 1);
            openssl_cmac(tohex(k16, 16), msg, 32, want + 16 * b);
        }
        msg[15] = 0xee;        /* the engine sets the counter itself */
        mem_write(qt, BUF_IN, msg, 32);
        mem_fill(qt, BUF_OUT, 16, 0x77);
        nc_writel(qt, CR(KEYCFG), keycfg(NETCARD_CRYPTO_KEY_AES,
                                         NETCARD_CRYPTO_USE_ENCRYPT, l));
        crypto_dma(qt, BUF_IN, BUF_OUT, 32, 0);
        crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_AES_CMAC, 8, 15, 0,
                                 CMD_TOSLOT | CMD_KEY2(13)), "KDF L=%u", l);
        cr_assert_eq(nc_readl(qt, CR(OUTLEN)), 0u, "KDF wrote memory");
        mem_read(qt, BUF_OUT, got, 16);
        for (unsigned i = 0; i < 16; i++) {
            cr_assert_eq(got[i], 0x77, "KDF output reached DST");
        }
        cr_assert_eq(nc_readl(qt, CR(SLOTINFO0) + 4 * 13),
                     0x80000000u | (l << 16) |
                     (NETCARD_CRYPTO_USE_ENCRYPT << 8) |
                     NETCARD_CRYPTO_KEY_AES);
        ecb_with(qt, 13, blk, got);
        openssl_block(l == 16 ? "-aes-128-ecb" : "-aes-256-ecb",
                      tohex(want, l), blk, 16, w);
        expect_bytes(got, w, 16, "AES under the derived %u-byte key", l);
    }
}

/* GPC 2.3.1 E.4.1 (SCP02): 3DES-CBC of a block pair as the session key. */
Test(device_crypto_toslot, tdes_cbc_into_slot_matches_openssl)
{
    NcQtest *qt = nc_qtest_start(NULL);
    uint8_t blk[16] = { 0x01, 0x82, 0x00, 0x2a }, zero[16] = { 0 };
    uint8_t sk[16], pt[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, got[8], w[8];

    key_ok(key_load_reg(qt, 10, NETCARD_CRYPTO_KEY_TDES,
                        NETCARD_CRYPTO_USE_ENCRYPT, k16, 16));
    crypto_set_iv(qt, zero);
    mem_write(qt, BUF_IN, blk, 16);
    nc_writel(qt, CR(KEYCFG), keycfg(NETCARD_CRYPTO_KEY_TDES,
                                     NETCARD_CRYPTO_USE_ENCRYPT |
                                     NETCARD_CRYPTO_USE_MAC, 16));
    crypto_dma(qt, BUF_IN, BUF_OUT, 16, 0);
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_TDES_CBC, 10, 0, 0,
                             CMD_TOSLOT | CMD_KEY2(11)), "TDES-CBC to slot");
    cr_assert_eq(nc_readl(qt, CR(OUTLEN)), 0u);
    /* openssl: the session key, then 3DES-ECB of PT under it */
    openssl_block("-des-ede-cbc", tohex(k16, 16), blk, 16, sk);
    mem_write(qt, BUF_IN, pt, 8);
    crypto_dma(qt, BUF_IN, BUF_OUT, 8, 0);
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_TDES_ECB, 11, 0, 0, 0),
              "TDES under the derived key");
    mem_read(qt, BUF_OUT, got, 8);
    openssl_block("-des-ede-ecb", tohex(sk, 16), pt, 8, w);
    expect_bytes(got, w, 8, "3DES under the derived key");
}

Test(device_crypto_toslot, bad_toslot_commands_change_nothing)
{
    NcQtest *qt = nc_qtest_start(NULL);
    uint8_t msg[32] = { 0 }, blk[16] = { 0 }, before[16], after[16];

    key_ok(key_load_reg(qt, 8, NETCARD_CRYPTO_KEY_AES,
                        NETCARD_CRYPTO_USE_MAC | NETCARD_CRYPTO_USE_ENCRYPT,
                        k16, 16));
    key_ok(key_load_reg(qt, 9, NETCARD_CRYPTO_KEY_AES,
                        NETCARD_CRYPTO_USE_ENCRYPT, k16, 16));
    ecb_with(qt, 9, blk, before);
    mem_write(qt, BUF_IN, msg, 32);
    crypto_dma(qt, BUF_IN, BUF_OUT, 32, 0);
    /* counter offset past the message */
    nc_writel(qt, CR(KEYCFG), keycfg(NETCARD_CRYPTO_KEY_AES,
                                     NETCARD_CRYPTO_USE_ENCRYPT, 16));
    crypto_dma(qt, BUF_IN, BUF_OUT, 8, 0);
    cr_assert_eq(crypto_run(qt, crypto_cmd(NETCARD_CRYPTO_OP_AES_CMAC, 8, 9,
                                           0, CMD_TOSLOT | CMD_KEY2(9))),
                 (uint32_t)NETCARD_CRYPTO_ERR_BAD_LEN);
    /* an AES key of 20 bytes */
    nc_writel(qt, CR(KEYCFG), keycfg(NETCARD_CRYPTO_KEY_AES,
                                     NETCARD_CRYPTO_USE_ENCRYPT, 20));
    crypto_dma(qt, BUF_IN, BUF_OUT, 32, 0);
    cr_assert_eq(crypto_run(qt, crypto_cmd(NETCARD_CRYPTO_OP_AES_CMAC, 8, 15,
                                           0, CMD_TOSLOT | CMD_KEY2(9))),
                 (uint32_t)NETCARD_CRYPTO_ERR_KEY_SIZE);
    /* AES-ECB of 32 bytes as an AES-128 key: wrong length */
    nc_writel(qt, CR(KEYCFG), keycfg(NETCARD_CRYPTO_KEY_AES,
                                     NETCARD_CRYPTO_USE_ENCRYPT, 0));
    crypto_dma(qt, BUF_IN, BUF_OUT, 48, 0);
    cr_assert_eq(crypto_run(qt, crypto_cmd(NETCARD_CRYPTO_OP_AES_ECB, 8, 0,
                                           0, CMD_TOSLOT | CMD_KEY2(9))),
                 (uint32_t)NETCARD_CRYPTO_ERR_KEY_SIZE);
    cr_assert_eq(nc_readl(qt, CR(SLOTINFO0) + 36),
                 0x80000000u | (16u << 16) |
                 (NETCARD_CRYPTO_USE_ENCRYPT << 8) | NETCARD_CRYPTO_KEY_AES);
    ecb_with(qt, 9, blk, after);
    expect_bytes(after, before, 16, "slot 9 changed by a refused command");
}
