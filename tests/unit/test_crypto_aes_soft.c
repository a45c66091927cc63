/*
 * Unit tests: the card's software AES (crypto/aes_soft.h) against the
 * published vectors: FIPS 197 Appendix C.1-C.3 (one block, 128/192/256-bit
 * keys) and SP 800-38A Appendix F (F.1.1, F.1.3, F.1.5 ECB; F.2.1/F.2.2
 * CBC; F.5.1/F.5.2 CTR), in both directions and in pieces (chaining).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "crypto/aes_soft.h"

TestSuite(unit_crypto_aes_soft, .timeout = 10);

static size_t unhex(const char *hex, uint8_t *out)
{
    size_t n = 0;

    for (; hex[0] && hex[1]; hex += 2) {
        unsigned v;

        if (sscanf(hex, "%2x", &v) != 1) {
            cr_assert_fail("bad hex %s", hex);
        }
        out[n++] = (uint8_t)v;
    }
    return n;
}

#define FIPS197_PT "00112233445566778899aabbccddeeff"

static void fips197(const char *key, const char *ct)
{
    struct aes_soft ctx;
    uint8_t k[32], b[16], want[16];
    size_t kl = unhex(key, k);

    unhex(ct, want);
    unhex(FIPS197_PT, b);
    cr_assert_eq(aes_soft_setkey(&ctx, k, kl), 0);
    aes_soft_encrypt(&ctx, b, b);
    cr_expect_arr_eq(b, want, 16, "FIPS 197 %zu-bit encrypt", kl * 8);
    aes_soft_decrypt(&ctx, b, b);
    unhex(FIPS197_PT, want);
    cr_expect_arr_eq(b, want, 16, "FIPS 197 %zu-bit decrypt", kl * 8);
}

Test(unit_crypto_aes_soft, fips197_appendix_c)
{
    fips197("000102030405060708090a0b0c0d0e0f", "69c4e0d86a7b0430d8cdb78070b4c55a");
    fips197("000102030405060708090a0b0c0d0e0f1011121314151617",
            "dda97ca4864cdfe06eaf70a0ec0d7191");
    fips197("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
            "8ea2b7ca516745bfeafc49904b496089");
}

Test(unit_crypto_aes_soft, bad_key_length)
{
    struct aes_soft ctx;
    uint8_t k[33] = { 0 };

    cr_expect_eq(aes_soft_setkey(&ctx, k, 0), -1);
    cr_expect_eq(aes_soft_setkey(&ctx, k, 15), -1);
    cr_expect_eq(aes_soft_setkey(&ctx, k, 33), -1);
}

/* SP 800-38A F.1-F.5 plaintext (four blocks) */
#define SP38A_PT "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51" \
                 "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710"
#define K128 "2b7e151628aed2a6abf7158809cf4f3c"
#define K192 "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b"
#define K256 "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4"

static void ecb(const char *key, const char *ct)
{
    struct aes_soft ctx;
    uint8_t k[32], pt[64], b[64], want[64];
    size_t kl = unhex(key, k);

    unhex(SP38A_PT, pt);
    unhex(ct, want);
    cr_assert_eq(aes_soft_setkey(&ctx, k, kl), 0);
    cr_assert_eq(aes_soft_ecb(&ctx, 0, pt, b, 64), 0);
    cr_expect_arr_eq(b, want, 64, "ECB-AES%zu.Encrypt", kl * 8);
    cr_assert_eq(aes_soft_ecb(&ctx, 1, b, b, 64), 0);
    cr_expect_arr_eq(b, pt, 64, "ECB-AES%zu.Decrypt", kl * 8);
    cr_expect_eq(aes_soft_ecb(&ctx, 0, pt, b, 15), -1);
}

Test(unit_crypto_aes_soft, sp800_38a_ecb)
{
    ecb(K128, "3ad77bb40d7a3660a89ecaf32466ef97f5d3d58503b9699de785895a96fdbaaf"
              "43b1cd7f598ece23881b00e3ed0306887b0c785e27e8ad3f8223207104725dd4");
    ecb(K192, "bd334f1d6e45f25ff712a214571fa5cc974104846d0ad3ad7734ecb3ecee4eef"
              "ef7afd2270e2e60adce0ba2face6444e9a4b41ba738d6c72fb16691603c18e0e");
    ecb(K256, "f3eed1bdb5d2a03c064b5a7e3db181f8591ccb10d410ed26dc5ba74a31362870"
              "b6ed21b99ca6f4f9f153e7b1beafed1d23304b7a39f9f3ff067d8d8f9e24ecc7");
}

#define F2_CT "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2" \
              "73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7"

Test(unit_crypto_aes_soft, sp800_38a_cbc_f21_f22)
{
    struct aes_soft ctx;
    uint8_t k[16], iv[16], pt[64], b[64], want[64];

    unhex(K128, k);
    unhex(SP38A_PT, pt);
    unhex(F2_CT, want);
    cr_assert_eq(aes_soft_setkey(&ctx, k, 16), 0);
    /* in two calls: the IV carries the chaining value */
    unhex("000102030405060708090a0b0c0d0e0f", iv);
    cr_assert_eq(aes_soft_cbc(&ctx, 0, iv, pt, b, 32), 0);
    cr_assert_eq(aes_soft_cbc(&ctx, 0, iv, pt + 32, b + 32, 32), 0);
    cr_expect_arr_eq(b, want, 64, "CBC-AES128.Encrypt");
    cr_expect_arr_eq(iv, want + 48, 16, "IV = last ciphertext block");
    unhex("000102030405060708090a0b0c0d0e0f", iv);
    cr_assert_eq(aes_soft_cbc(&ctx, 1, iv, b, b, 48), 0);
    cr_assert_eq(aes_soft_cbc(&ctx, 1, iv, b + 48, b + 48, 16), 0);
    cr_expect_arr_eq(b, pt, 64, "CBC-AES128.Decrypt");
    cr_expect_eq(aes_soft_cbc(&ctx, 0, iv, pt, b, 17), -1);
}

#define F5_CT "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff" \
              "5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee"

Test(unit_crypto_aes_soft, sp800_38a_ctr_f51_f52)
{
    struct aes_soft ctx;
    uint8_t k[16], ctr[16], ctr_end[16], pt[64], b[64], want[64];

    unhex(K128, k);
    unhex(SP38A_PT, pt);
    unhex(F5_CT, want);
    cr_assert_eq(aes_soft_setkey(&ctx, k, 16), 0);
    unhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", ctr);
    cr_assert_eq(aes_soft_ctr(&ctx, ctr, pt, b, 64), 0);
    cr_expect_arr_eq(b, want, 64, "CTR-AES128.Encrypt");
    /* the counter advanced by 4 blocks: ...feff + 4 = ...ff03 */
    unhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdff03", ctr_end);
    cr_expect_arr_eq(ctr, ctr_end, 16);
    /* F.5.2 decrypt, with a partial block: 20 + 44 bytes */
    unhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", ctr);
    cr_assert_eq(aes_soft_ctr(&ctx, ctr, b, b, 20), 0);
    cr_expect_arr_eq(b, pt, 20, "CTR-AES128.Decrypt, first 20 bytes");
    /* the unused key stream of block 2 is discarded: restart at block 3 */
    unhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdff01", ctr_end);
    cr_expect_arr_eq(ctr, ctr_end, 16);
    cr_assert_eq(aes_soft_ctr(&ctx, ctr, b + 32, b + 32, 32), 0);
    cr_expect_arr_eq(b + 32, pt + 32, 32, "CTR-AES128.Decrypt, blocks 3-4");
}
