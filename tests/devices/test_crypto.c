/*
 * Device tests: the crypto coprocessor at 0x4000_3000, its symmetric
 * ciphers, MACs and hashes against published test vectors (FIPS 197,
 * NIST SP 800-38A/38B/67, FIPS 180-4, RFC 4231) and OpenSSL (TDES 2-key,
 * ISO 9797-1 MAC algorithm 3). Public-key operations: test_crypto_pk.c;
 * the key-slot, DMA, timing and robustness rules of
 * peripherals/netcard_crypto.h: test_crypto_rules.c.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "crypto_util.h"

#include <sys/wait.h>

TestSuite(device_crypto, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_DEVICE);

#define USE_ALL (NETCARD_CRYPTO_USE_ENCRYPT | NETCARD_CRYPTO_USE_DECRYPT | \
                 NETCARD_CRYPTO_USE_MAC | NETCARD_CRYPTO_USE_SIGN |        \
                 NETCARD_CRYPTO_USE_DERIVE)

/* ------------------------------------------------------------------ */
/* AES: FIPS 197 appendix C, SP 800-38A appendix F                     */

Test(device_crypto, identity_and_idle_state)
{
    NcQtest *qt = nc_qtest_start(NULL);

    cr_assert_eq(nc_readl(qt, CR(ID)), 0x4E434331u);
    cr_assert_eq(nc_readl(qt, CR(STATUS)), 0u);
    for (int i = 0; i < NETCARD_CRYPTO_NUM_SLOTS; i++) {
        cr_assert_eq(nc_readl(qt, CR(SLOTINFO0) + 4 * i), 0u,
                     "slot %d not empty after power-on", i);
    }
}

/*
 * One-block AES known answers: FIPS 197 Appendix C, and the NIST AES
 * Algorithm Validation Suite's (AESAVS, 2002) known-answer tables:
 * GFSbox (Appendix B), KeySbox (C), VarTxt (D) and VarKey (E), as
 * published with CAVP's ECB*.rsp files, plus CAVP ECBMMT128 COUNT = 0.
 */
#define ZERO128 "00000000000000000000000000000000"
#define ZERO192 "000000000000000000000000000000000000000000000000"
#define ZERO256 ZERO128 ZERO128

static const struct {
    const char *name, *key, *pt, *ct;
} aes_kat[] = {
    { "FIPS 197 C.1", "000102030405060708090a0b0c0d0e0f",
      "00112233445566778899aabbccddeeff", "69c4e0d86a7b0430d8cdb78070b4c55a" },
    { "FIPS 197 C.2", "000102030405060708090a0b0c0d0e0f1011121314151617",
      "00112233445566778899aabbccddeeff", "dda97ca4864cdfe06eaf70a0ec0d7191" },
    { "FIPS 197 C.3",
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
      "00112233445566778899aabbccddeeff", "8ea2b7ca516745bfeafc49904b496089" },
    { "AESAVS GFSbox-128 0", ZERO128,
      "f34481ec3cc627bacd5dc3fb08f273e6", "0336763e966d92595a567cc9ce537f5e" },
    { "AESAVS GFSbox-128 1", ZERO128,
      "9798c4640bad75c7c3227db910174e72", "a9a1631bf4996954ebc093957b234589" },
    { "AESAVS GFSbox-128 2", ZERO128,
      "96ab5c2ff612d9dfaae8c31f30c42168", "ff4f8391a6a40ca5b25d23bedd44a597" },
    { "AESAVS GFSbox-128 3", ZERO128,
      "6a118a874519e64e9963798a503f1d35", "dc43be40be0e53712f7e2bf5ca707209" },
    { "AESAVS GFSbox-128 4", ZERO128,
      "cb9fceec81286ca3e989bd979b0cb284", "92beedab1895a94faa69b632e5cc47ce" },
    { "AESAVS GFSbox-128 5", ZERO128,
      "b26aeb1874e47ca8358ff22378f09144", "459264f4798f6a78bacb89c15ed3d601" },
    { "AESAVS GFSbox-192 0", ZERO192,
      "1b077a6af4b7f98229de786d7516b639", "275cfc0413d8ccb70513c3859b1d0f72" },
    { "AESAVS GFSbox-256 0", ZERO256,
      "014730f80ac625fe84f026c60bfd547d", "5c9d844ed46f9885085e5d6a4f94c7d7" },
    { "AESAVS KeySbox-128 0", "10a58869d74be5a374cf867cfb473859",
      ZERO128, "6d251e6944b051e04eaa6fb4dbf78465" },
    { "AESAVS VarTxt-128 0", ZERO128,
      "80000000000000000000000000000000", "3ad78e726c1ec02b7ebfe92b23d9ec34" },
    { "AESAVS VarKey-128 0", "80000000000000000000000000000000",
      ZERO128, "0edd33d3c621e546455bd8ba1418bec8" },
    { "CAVP ECBMMT128 COUNT 0", "edfdb257cb37cdf182c5455b0c0efebb",
      "1695fe475421cace3557daca01f445ff", "7888beae6e7a426332a7eaa2f808e637" },
};

Test(device_crypto, aes_fips197_and_aesavs_known_answers)
{
    NcQtest *qt = nc_qtest_start(NULL);
    uint8_t key[32], pt[16], ct[16], out[16];

    for (size_t i = 0; i < sizeof(aes_kat) / sizeof(aes_kat[0]); i++) {
        size_t kl = unhex(aes_kat[i].key, key, sizeof(key));
        unhex(aes_kat[i].pt, pt, 16);
        unhex(aes_kat[i].ct, ct, 16);
        key_ok(key_load_reg(qt, 1, NETCARD_CRYPTO_KEY_AES,
                            NETCARD_CRYPTO_USE_ENCRYPT |
                            NETCARD_CRYPTO_USE_DECRYPT, key, kl));
        mem_write(qt, BUF_IN, pt, 16);
        crypto_dma(qt, BUF_IN, BUF_OUT, 16, 0);
        crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_AES_ECB, 1, 0, 0, 0),
                  "AES-%zu encrypt", kl * 8);
        mem_read(qt, BUF_OUT, out, 16);
        expect_bytes(out, ct, 16, "%s cipher", aes_kat[i].name);
        cr_assert_eq(nc_readl(qt, CR(OUTLEN)), 16u);
        /* in place decryption */
        crypto_dma(qt, BUF_OUT, BUF_OUT, 16, 0);
        crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_AES_ECB, 1, 0, 0, CMD_DEC),
                  "AES-%zu decrypt", kl * 8);
        mem_read(qt, BUF_OUT, out, 16);
        expect_bytes(out, pt, 16, "%s inverse cipher", aes_kat[i].name);
    }
}

#define SP38A_PT \
    "6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51" \
    "30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710"
#define SP38A_IV  "000102030405060708090a0b0c0d0e0f"
#define SP38A_CTR "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"

static const struct {
    const char *name;
    uint32_t op;
    const char *key, *iv, *ct;
} sp38a[] = {
    { "F.1.1 ECB-AES128", NETCARD_CRYPTO_OP_AES_ECB,
      "2b7e151628aed2a6abf7158809cf4f3c", NULL,
      "3ad77bb40d7a3660a89ecaf32466ef97 f5d3d58503b9699de785895a96fdbaaf"
      "43b1cd7f598ece23881b00e3ed030688 7b0c785e27e8ad3f8223207104725dd4" },
    { "F.1.3 ECB-AES192", NETCARD_CRYPTO_OP_AES_ECB,
      "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b", NULL,
      "bd334f1d6e45f25ff712a214571fa5cc 974104846d0ad3ad7734ecb3ecee4eef"
      "ef7afd2270e2e60adce0ba2face6444e 9a4b41ba738d6c72fb16691603c18e0e" },
    { "F.1.5 ECB-AES256", NETCARD_CRYPTO_OP_AES_ECB,
      "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
      NULL,
      "f3eed1bdb5d2a03c064b5a7e3db181f8 591ccb10d410ed26dc5ba74a31362870"
      "b6ed21b99ca6f4f9f153e7b1beafed1d 23304b7a39f9f3ff067d8d8f9e24ecc7" },
    { "F.2.1 CBC-AES128", NETCARD_CRYPTO_OP_AES_CBC,
      "2b7e151628aed2a6abf7158809cf4f3c", SP38A_IV,
      "7649abac8119b246cee98e9b12e9197d 5086cb9b507219ee95db113a917678b2"
      "73bed6b8e3c1743b7116e69e22229516 3ff1caa1681fac09120eca307586e1a7" },
    { "F.2.3 CBC-AES192", NETCARD_CRYPTO_OP_AES_CBC,
      "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b", SP38A_IV,
      "4f021db243bc633d7178183a9fa071e8 b4d9ada9ad7dedf4e5e738763f69145a"
      "571b242012fb7ae07fa9baac3df102e0 08b0e27988598881d920a9e64f5615cd" },
    { "F.2.5 CBC-AES256", NETCARD_CRYPTO_OP_AES_CBC,
      "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
      SP38A_IV,
      "f58c4c04d6e5f1ba779eabfb5f7bfbd6 9cfc4e967edb808d679f777bc6702c7d"
      "39f23369a9d9bacfa530e26304231461 b2eb05e2c39be9fcda6c19078c6a9d1b" },
    { "F.5.1 CTR-AES128", NETCARD_CRYPTO_OP_AES_CTR,
      "2b7e151628aed2a6abf7158809cf4f3c", SP38A_CTR,
      "874d6191b620e3261bef6864990db6ce 9806f66b7970fdff8617187bb9fffdff"
      "5ae4df3edbd5d35e5b4f09020db03eab 1e031dda2fbe03d1792170a0f3009cee" },
    { "F.5.3 CTR-AES192", NETCARD_CRYPTO_OP_AES_CTR,
      "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b", SP38A_CTR,
      "1abc932417521ca24f2b0459fe7e6e0b 090339ec0aa6faefd5ccc2c6f4ce8e94"
      "1e36b26bd1ebc670d1bd1d665620abf7 4f78a7f6d29809585a97daec58c6b050" },
    { "F.5.5 CTR-AES256", NETCARD_CRYPTO_OP_AES_CTR,
      "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
      SP38A_CTR,
      "601ec313775789a5b7a7f504bbf3d228 f443e3ca4d62b59aca84e990cacaf5c5"
      "2b0930daa23de94ce87017ba2d84988d dfc9c58db67aada613c2dd08457941a6" },
};

Test(device_crypto, aes_sp800_38a_ecb_cbc_ctr)
{
    NcQtest *qt = nc_qtest_start(NULL);
    uint8_t key[32], iv[16], pt[64], ct[64], out[64], ivout[16];

    unhex(SP38A_PT, pt, 64);
    for (size_t i = 0; i < sizeof(sp38a) / sizeof(sp38a[0]); i++) {
        size_t kl = unhex(sp38a[i].key, key, sizeof(key));
        unhex(sp38a[i].ct, ct, 64);
        key_ok(key_load_reg(qt, 3, NETCARD_CRYPTO_KEY_AES,
                            NETCARD_CRYPTO_USE_ENCRYPT |
                            NETCARD_CRYPTO_USE_DECRYPT, key, kl));
        for (int dec = 0; dec < 2; dec++) {
            if (sp38a[i].iv) {
                unhex(sp38a[i].iv, iv, 16);
                crypto_set_iv(qt, iv);
            }
            /* the four blocks in two commands: IV/counter chaining */
            mem_write(qt, BUF_IN, dec ? ct : pt, 64);
            mem_fill(qt, BUF_OUT, 64, 0);
            crypto_dma(qt, BUF_IN, BUF_OUT, 32, 0);
            crypto_ok(qt, crypto_cmd(sp38a[i].op, 3, 0, 0, dec ? CMD_DEC : 0),
                      "%s part 1", sp38a[i].name);
            crypto_dma(qt, BUF_IN + 32, BUF_OUT + 32, 32, 0);
            crypto_ok(qt, crypto_cmd(sp38a[i].op, 3, 0, 0, dec ? CMD_DEC : 0),
                      "%s part 2", sp38a[i].name);
            mem_read(qt, BUF_OUT, out, 64);
            expect_bytes(out, dec ? pt : ct, 64, "%s %s", sp38a[i].name,
                         dec ? "decrypt" : "encrypt");
            if (sp38a[i].op == NETCARD_CRYPTO_OP_AES_CBC) {
                /* IV register: the last ciphertext block */
                crypto_get_iv(qt, ivout);
                expect_bytes(ivout, ct + 48, 16, "%s IV after", sp38a[i].name);
            }
        }
    }
}

Test(device_crypto, aes_ctr_partial_block)
{
    NcQtest *qt = nc_qtest_start(NULL);
    uint8_t key[16], iv[16], pt[64], ct[64], out[64];

    unhex("2b7e151628aed2a6abf7158809cf4f3c", key, 16);
    unhex(SP38A_PT, pt, 64);
    unhex(sp38a[6].ct, ct, 64);
    key_ok(key_load_reg(qt, 0, NETCARD_CRYPTO_KEY_AES,
                        NETCARD_CRYPTO_USE_ENCRYPT, key, 16));
    unhex(SP38A_CTR, iv, 16);
    crypto_set_iv(qt, iv);
    mem_write(qt, BUF_IN, pt, 64);
    mem_fill(qt, BUF_OUT, 64, 0xEE);
    crypto_dma(qt, BUF_IN, BUF_OUT, 21, 0);
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_AES_CTR, 0, 0, 0, 0), "CTR 21");
    mem_read(qt, BUF_OUT, out, 24);
    expect_bytes(out, ct, 21, "CTR over 21 bytes");
    cr_assert_eq(out[21], 0xEE, "CTR wrote past LEN");
    cr_assert_eq(nc_readl(qt, CR(OUTLEN)), 21u);
}

/* ------------------------------------------------------------------ */
/* CMAC: SP 800-38B appendix D.1-D.3                                   */

static const struct {
    const char *key;
    const char *tag[4];
} sp38b[] = {
    { "2b7e151628aed2a6abf7158809cf4f3c",
      { "bb1d6929e95937287fa37d129b756746", "070a16b46b4d4144f79bdd9dd04a287c",
        "dfa66747de9ae63030ca32611497c827",
        "51f0bebf7e3b9d92fc49741779363cfe" } },
    { "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
      { "d17ddf46adaacde531cac483de7a9367", "9e99a7bf31e710900662f65e617c5184",
        "8a1de5be2eb31aad089a82e6ee908b0e",
        "a1d5df0eed790f794d77589659f39a11" } },
    { "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
      { "028962f61b7bf89efc6b551f4667d983", "28a7023f452e8f82bd4bf28d8c37c35c",
        "aaf3d8f1de5640c232f5b169b9c911e6",
        "e1992190549f6ed5696a2c056c315410" } },
};

Test(device_crypto, cmac_sp800_38b)
{
    NcQtest *qt = nc_qtest_start(NULL);
    static const uint32_t mlen[4] = { 0, 16, 40, 64 };
    uint8_t key[32], msg[64], tag[16], out[16];

    unhex(SP38A_PT, msg, 64);
    mem_write(qt, BUF_IN, msg, 64);
    for (size_t i = 0; i < 3; i++) {
        size_t kl = unhex(sp38b[i].key, key, sizeof(key));
        key_ok(key_load_reg(qt, 5, NETCARD_CRYPTO_KEY_AES,
                            NETCARD_CRYPTO_USE_MAC, key, kl));
        for (int m = 0; m < 4; m++) {
            unhex(sp38b[i].tag[m], tag, 16);
            crypto_dma(qt, BUF_IN, BUF_OUT, mlen[m], 0);
            crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_AES_CMAC, 5, 0, 0, 0),
                      "CMAC");
            mem_read(qt, BUF_OUT, out, 16);
            expect_bytes(out, tag, 16, "SP 800-38B D.%zu AES-%zu Mlen %u",
                         i + 1, kl * 8, mlen[m] * 8);
        }
    }
}

/* ------------------------------------------------------------------ */
/* TDES: SP 800-67 example; 2-key, CBC and retail MAC against OpenSSL  */

Test(device_crypto, tdes_sp800_67_example)
{
    NcQtest *qt = nc_qtest_start(NULL);
    uint8_t key[24], pt[24], ct[24], out[24];

    unhex("0123456789ABCDEF 23456789ABCDEF01 456789ABCDEF0123", key, 24);
    unhex("5468652071756663 6B2062726F776E20 666F78206A756D70", pt, 24);
    unhex("A826FD8CE53B855F CCE21C8112256FE6 68D5C05DD9B6B900", ct, 24);
    key_ok(key_load_reg(qt, 2, NETCARD_CRYPTO_KEY_TDES,
                        NETCARD_CRYPTO_USE_ENCRYPT |
                        NETCARD_CRYPTO_USE_DECRYPT, key, 24));
    mem_write(qt, BUF_IN, pt, 24);
    crypto_dma(qt, BUF_IN, BUF_OUT, 24, 0);
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_TDES_ECB, 2, 0, 0, 0), "TDEA");
    mem_read(qt, BUF_OUT, out, 24);
    expect_bytes(out, ct, 24, "SP 800-67 TDEA ECB example");
    crypto_dma(qt, BUF_OUT, BUF_IN, 24, 0);
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_TDES_ECB, 2, 0, 0, CMD_DEC),
              "TDEA dec");
    mem_read(qt, BUF_IN, out, 24);
    expect_bytes(out, pt, 24, "SP 800-67 TDEA ECB decryption");
}


Test(device_crypto, tdes_two_and_three_key_against_openssl)
{
    NcQtest *qt = nc_qtest_start(NULL);
    static const char *k2 = "0123456789abcdeffedcba9876543210";
    static const char *k3 = "0123456789abcdef23456789abcdef01456789abcdef0123";
    static const char *iv = "1234567890abcdef";
    uint8_t key[24], ivb[16] = { 0 }, pt[64], want[64], out[64];
    static const struct {
        const char *cipher, *key;
        uint32_t op;
    } cases[] = {
        { "-des-ede-ecb", NULL, NETCARD_CRYPTO_OP_TDES_ECB },
        { "-des-ede-cbc", NULL, NETCARD_CRYPTO_OP_TDES_CBC },
        { "-des-ede3-cbc", NULL, NETCARD_CRYPTO_OP_TDES_CBC },
    };

    for (int i = 0; i < 64; i++) {
        pt[i] = (uint8_t)(i * 29 + 7);
    }
    for (size_t c = 0; c < 3; c++) {
        const char *kh = c < 2 ? k2 : k3;
        bool cbc = cases[c].op == NETCARD_CRYPTO_OP_TDES_CBC;
        size_t kl = unhex(kh, key, sizeof(key));

        key_ok(key_load_reg(qt, 4, NETCARD_CRYPTO_KEY_TDES,
                            NETCARD_CRYPTO_USE_ENCRYPT |
                            NETCARD_CRYPTO_USE_DECRYPT, key, kl));
        openssl_enc(cases[c].cipher, kh, cbc ? iv : NULL, false, pt, 64,
                    want);
        unhex(iv, ivb, 8);
        crypto_set_iv(qt, ivb);
        mem_write(qt, BUF_IN, pt, 64);
        crypto_dma(qt, BUF_IN, BUF_OUT, 64, 0);
        crypto_ok(qt, crypto_cmd(cases[c].op, 4, 0, 0, 0), "%s",
                  cases[c].cipher);
        mem_read(qt, BUF_OUT, out, 64);
        expect_bytes(out, want, 64, "%s vs openssl", cases[c].cipher);
        crypto_set_iv(qt, ivb);
        crypto_dma(qt, BUF_OUT, BUF_OUT, 64, 0);
        crypto_ok(qt, crypto_cmd(cases[c].op, 4, 0, 0, CMD_DEC), "%s dec",
                  cases[c].cipher);
        mem_read(qt, BUF_OUT, out, 64);
        expect_bytes(out, pt, 64, "%s decrypt", cases[c].cipher);
    }
}

/*
 * ISO/IEC 9797-1 MAC algorithm 3 with a 2-key TDES key (K, K'):
 * H = CBC-MAC_K(M1..Mn-1), MAC = E_K(D_K'(E_K(H xor Mn))). OpenSSL
 * computes it in two steps: single DES CBC is TDES with K1=K2=K3=K
 * (-des-ede3-cbc), and the last block is a 2-key TDES ECB encryption.
 */
Test(device_crypto, retail_mac_iso9797_alg3_against_openssl)
{
    NcQtest *qt = nc_qtest_start(NULL);
    static const char *kk = "0123456789abcdeffedcba9876543210";
    static const uint32_t lens[] = { 8, 16, 40 };
    uint8_t key[16], msg[40], chain[40], last[8], want[8], out[8];

    unhex(kk, key, 16);
    for (int i = 0; i < 40; i++) {
        msg[i] = (uint8_t)(0xA0 + i * 3);
    }
    key_ok(key_load_reg(qt, 6, NETCARD_CRYPTO_KEY_TDES,
                        NETCARD_CRYPTO_USE_MAC, key, 16));
    mem_write(qt, BUF_IN, msg, 40);
    for (size_t t = 0; t < 3; t++) {
        uint32_t n = lens[t];
        memset(last, 0, 8);
        if (n > 8) {
            openssl_enc("-des-ede3-cbc", nc_strf("%.16s%.16s%.16s", kk, kk, kk),
                        "0000000000000000", false, msg, n - 8, chain);
            memcpy(last, chain + n - 16, 8);
        }
        for (int i = 0; i < 8; i++) {
            last[i] ^= msg[n - 8 + i];
        }
        openssl_enc("-des-ede-ecb", kk, NULL, false, last, 8, want);
        crypto_set_iv(qt, NULL);
        crypto_dma(qt, BUF_IN, BUF_OUT, n, 0);
        crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_RETAIL_MAC, 6, 0, 0, 0),
                  "retail MAC");
        mem_read(qt, BUF_OUT, out, 8);
        expect_bytes(out, want, 8, "retail MAC of %u bytes", n);
    }
}

/* ------------------------------------------------------------------ */
/* SHA: FIPS 180-4 examples                                            */

#define MSG448 "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
#define MSG896 "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn" \
               "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"

static const struct {
    uint32_t alg;
    const char *msg;
    const char *md;
} fips180[] = {
    { NETCARD_CRYPTO_HASH_SHA1, "abc",
      "a9993e364706816aba3e25717850c26c9cd0d89d" },
    { NETCARD_CRYPTO_HASH_SHA1, MSG448,
      "84983e441c3bd26ebaae4aa1f95129e5e54670f1" },
    { NETCARD_CRYPTO_HASH_SHA224, "abc",
      "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7" },
    { NETCARD_CRYPTO_HASH_SHA224, MSG448,
      "75388b16512776cc5dba5da1fd890150b0c6455cb4f58b1952522525" },
    { NETCARD_CRYPTO_HASH_SHA256, "abc",
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
    { NETCARD_CRYPTO_HASH_SHA256, MSG448,
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
    { NETCARD_CRYPTO_HASH_SHA384, "abc",
      "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
      "8086072ba1e7cc2358baeca134c825a7" },
    { NETCARD_CRYPTO_HASH_SHA384, MSG896,
      "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712"
      "fcc7c71a557e2db966c3e9fa91746039" },
    { NETCARD_CRYPTO_HASH_SHA512, "abc",
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
      "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f" },
    { NETCARD_CRYPTO_HASH_SHA512, MSG896,
      "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
      "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909" },
};


Test(device_crypto, sha_fips180_short_messages)
{
    NcQtest *qt = nc_qtest_start(NULL);
    uint8_t md[64], out[64];

    for (size_t i = 0; i < sizeof(fips180) / sizeof(fips180[0]); i++) {
        size_t ml = strlen(fips180[i].msg);
        size_t dl = unhex(fips180[i].md, md, sizeof(md));

        mem_write(qt, BUF_IN, (const uint8_t *)fips180[i].msg, ml);
        hash_oneshot(qt, fips180[i].alg, i % 4, BUF_IN, ml, BUF_OUT);
        mem_read(qt, BUF_OUT, out, dl);
        expect_bytes(out, md, dl, "FIPS 180-4 alg %u, %zu-byte message",
                     fips180[i].alg, ml);
        cr_assert_eq(nc_readl(qt, CR(OUTLEN)), dl);
    }
}

/* The long message: one million 'a', in updates of varied sizes. */
Test(device_crypto, sha_fips180_million_a_multipart)
{
    NcQtest *qt = nc_qtest_start(NULL);
    uint8_t sha1[20], sha256[32], out[32];
    static const uint32_t first[] = { 1, 63, 64, 65, 1000 };

    unhex("34aa973cd4c4daa4f61eeb2bdbad27316534016f", sha1, 20);
    unhex("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
          sha256, 32);
    mem_fill(qt, BUF_BIG, 65536, 'a');
    /* two contexts interleaved: SHA-1 in 0, SHA-256 in 3 */
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_HASH_INIT, 0,
                             NETCARD_CRYPTO_HASH_SHA1, 0, 0), "init");
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_HASH_INIT, 0,
                             NETCARD_CRYPTO_HASH_SHA256, 3, 0), "init");
    uint32_t done = 0, step = 0;
    while (done < 1000000) {
        uint32_t n = step < 5 ? first[step] : 65536;
        if (n > 1000000 - done) {
            n = 1000000 - done;
        }
        step++;
        crypto_dma(qt, BUF_BIG, 0, n, 0);
        crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_HASH_UPDATE, 0, 0, 0, 0),
                  "update SHA-1");
        crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_HASH_UPDATE, 0, 0, 3, 0),
                  "update SHA-256");
        done += n;
    }
    crypto_dma(qt, 0, BUF_OUT, 0, 0);
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_HASH_FINAL, 0, 0, 0, 0), "fin");
    mem_read(qt, BUF_OUT, out, 20);
    expect_bytes(out, sha1, 20, "SHA-1 of one million 'a'");
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_HASH_FINAL, 0, 0, 3, 0), "fin");
    mem_read(qt, BUF_OUT, out, 32);
    expect_bytes(out, sha256, 32, "SHA-256 of one million 'a'");
    /* A finished context is idle again. */
    cr_assert_eq(crypto_run(qt, crypto_cmd(NETCARD_CRYPTO_OP_HASH_FINAL, 0, 0,
                                           3, 0)),
                 (uint32_t)NETCARD_CRYPTO_ERR_BAD_STATE);
}

/* Messages straight from the NVM array (erased: 0xFF bytes). */
Test(device_crypto, sha256_source_in_nvm)
{
    NcQtest *qt = nc_qtest_start(NULL);
    uint8_t out[32], want[32], ff[64];
    const char *in = nc_tmp_path("ff.bin");

    memset(ff, 0xFF, 64);
    file_put(in, ff, 64);
    const char *args[] = { "dgst", "-sha256", "-binary", in, NULL };
    memcpy(want, nc_openssl_run(args), 32);
    hash_oneshot(qt, NETCARD_CRYPTO_HASH_SHA256, 1, NVM_BASE + 0x800, 64,
                 BUF_OUT);
    mem_read(qt, BUF_OUT, out, 32);
    expect_bytes(out, want, 32, "SHA-256 of 64 erased NVM bytes");
}

/* ------------------------------------------------------------------ */
/* HMAC: RFC 4231 test cases 1-4, 6, 7                                 */

static const struct {
    const char *key;      /* hex, or NULL: repeat byte */
    uint8_t rep;
    size_t replen;
    const char *data;     /* text, or NULL: repeat byte */
    uint8_t drep;
    size_t dreplen;
    const char *mac[3];   /* SHA-256, -384, -512 */
} rfc4231[] = {
    { NULL, 0x0b, 20, "Hi There", 0, 0,
      { "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
        "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
        "faea9ea9076ede7f4af152e8b2fa9cb6",
        "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
        "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" } },
    { "4a656665", 0, 0, "what do ya want for nothing?", 0, 0,
      { "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
        "8e2240ca5e69e2c78b3239ecfab21649",
        "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
        "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" } },
    { NULL, 0xaa, 20, NULL, 0xdd, 50,
      { "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
        "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b"
        "2a5ab39dc13814b94e3ab6e101a34f27",
        "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
        "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb" } },
    { "0102030405060708090a0b0c0d0e0f10111213141516171819", 0, 0, NULL, 0xcd,
      50,
      { "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
        "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e"
        "6801dd23c4a7d679ccf8a386c674cffb",
        "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
        "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd" } },
    { NULL, 0xaa, 131, "Test Using Larger Than Block-Size Key - Hash Key First",
      0, 0,
      { "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
        "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
        "0c2ef6ab4030fe8296248df163f44952",
        "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
        "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598" } },
    { NULL, 0xaa, 131,
      "This is a test using a larger than block-size key and a larger than "
      "block-size data. The key needs to be hashed before being used by the "
      "HMAC algorithm.", 0, 0,
      { "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
        "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5"
        "a678cc31e799176d3860e6110c46523e",
        "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
        "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58" } },
};

Test(device_crypto, hmac_rfc4231)
{
    NcQtest *qt = nc_qtest_start(NULL);
    static const int tc[] = { 1, 2, 3, 4, 6, 7 };
    static const uint32_t algs[3] = { NETCARD_CRYPTO_HASH_SHA256,
                                      NETCARD_CRYPTO_HASH_SHA384,
                                      NETCARD_CRYPTO_HASH_SHA512 };
    uint8_t key[200], data[200], mac[64], out[64];

    for (size_t i = 0; i < sizeof(rfc4231) / sizeof(rfc4231[0]); i++) {
        size_t kl, dl;

        if (rfc4231[i].key) {
            kl = unhex(rfc4231[i].key, key, sizeof(key));
        } else {
            kl = rfc4231[i].replen;
            memset(key, rfc4231[i].rep, kl);
        }
        if (rfc4231[i].data) {
            dl = strlen(rfc4231[i].data);
            memcpy(data, rfc4231[i].data, dl);
        } else {
            dl = rfc4231[i].dreplen;
            memset(data, rfc4231[i].drep, dl);
        }
        key_ok(key_load_reg(qt, 7, NETCARD_CRYPTO_KEY_HMAC,
                            NETCARD_CRYPTO_USE_MAC, key, kl));
        mem_write(qt, BUF_IN, data, dl);
        for (int a = 0; a < 3; a++) {
            size_t ml = unhex(rfc4231[i].mac[a], mac, sizeof(mac));
            crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_HMAC_INIT, 7, algs[a],
                                     2, 0), "HMAC_INIT");
            /* data in two parts */
            crypto_dma(qt, BUF_IN, 0, dl / 2, 0);
            crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_HASH_UPDATE, 0, 0, 2, 0),
                      "update");
            crypto_dma(qt, BUF_IN + dl / 2, 0, dl - dl / 2, 0);
            /* unaligned source: rejected, context unharmed */
            if ((BUF_IN + dl / 2) & 3) {
                cr_assert_eq(crypto_run(qt, crypto_cmd(
                                 NETCARD_CRYPTO_OP_HASH_UPDATE, 0, 0, 2, 0)),
                             (uint32_t)NETCARD_CRYPTO_ERR_DMA_ALIGN);
                mem_write(qt, BUF_AUX, data + dl / 2, dl - dl / 2);
                crypto_dma(qt, BUF_AUX, 0, dl - dl / 2, 0);
            }
            crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_HASH_UPDATE, 0, 0, 2, 0),
                      "update");
            crypto_dma(qt, 0, BUF_OUT, 0, 0);
            crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_HASH_FINAL, 0, 0, 2, 0),
                      "final");
            mem_read(qt, BUF_OUT, out, ml);
            expect_bytes(out, mac, ml, "RFC 4231 test case %d, HMAC-SHA-%s",
                         tc[i], a == 0 ? "256" : a == 1 ? "384" : "512");
        }
    }
}
