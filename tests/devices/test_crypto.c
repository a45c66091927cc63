/*
 * Device tests: crypto coprocessor at 0x4000_3000 against published test
 * vectors (FIPS 197, NIST SP 800-38A/38B/67, FIPS 180-4, RFC 4231,
 * RFC 6979) and OpenSSL as an independent peer (TDES 2-key, ISO 9797-1
 * MAC algorithm 3, RSA, ECDSA signatures, ECDH), plus the key-slot, DMA,
 * timing and robustness rules of peripherals/netcard_crypto.h.
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

/* openssl enc -CIPHER -K KEY [-iv IV] -nopad on DATA -> OUT */
static void openssl_enc(const char *cipher, const char *keyhex,
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

static void hash_oneshot(NcQtest *qt, uint32_t alg, uint32_t ctx,
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

/* ------------------------------------------------------------------ */
/* ECDSA P-256: RFC 6979 A.2.5 key and signatures, OpenSSL as peer     */

#define P256_D  "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721"
#define P256_QX "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6"
#define P256_QY "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299"

static const struct {
    const char *msg, *r, *s;
} rfc6979_p256_sha256[] = {
    { "sample",
      "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716",
      "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8" },
    { "test",
      "F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367",
      "019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083" },
};

/* SHA-256 of MSG computed by the device (checked by sha_fips180 tests). */
static void device_sha256(NcQtest *qt, const char *msg, uint8_t *md)
{
    mem_write(qt, BUF_IN, (const uint8_t *)msg, strlen(msg));
    hash_oneshot(qt, NETCARD_CRYPTO_HASH_SHA256, 0, BUF_IN, strlen(msg),
                 BUF_OUT);
    mem_read(qt, BUF_OUT, md, 32);
}

Test(device_crypto, ecdsa_p256_verify_rfc6979)
{
    NcQtest *qt = nc_qtest_start(NULL);
    uint8_t pub[64], sig[64], md[32];

    unhex(P256_QX P256_QY, pub, 64);
    key_ok(key_load_reg(qt, 0, NETCARD_CRYPTO_KEY_P256_PUB,
                        NETCARD_CRYPTO_USE_SIGN, pub, 64));
    for (int i = 0; i < 2; i++) {
        device_sha256(qt, rfc6979_p256_sha256[i].msg, md);
        unhex(rfc6979_p256_sha256[i].r, sig, 32);
        unhex(rfc6979_p256_sha256[i].s, sig + 32, 32);
        mem_write(qt, BUF_IN, md, 32);
        mem_write(qt, BUF_AUX, sig, 64);
        crypto_dma(qt, BUF_IN, 0, 32, BUF_AUX);
        crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_ECDSA_VERIFY, 0,
                                 NETCARD_CRYPTO_CURVE_P256, 0, 0),
                  "RFC 6979 P-256/SHA-256 '%s' signature must verify",
                  rfc6979_p256_sha256[i].msg);
        /* modified signature (s + 1 in its last byte) */
        sig[63] ^= 0x01;
        mem_write(qt, BUF_AUX, sig, 64);
        cr_assert_eq(crypto_run(qt, crypto_cmd(NETCARD_CRYPTO_OP_ECDSA_VERIFY,
                                               0, NETCARD_CRYPTO_CURVE_P256,
                                               0, 0)),
                     (uint32_t)NETCARD_CRYPTO_ERR_VERIFY,
                     "modified signature accepted");
        /* modified message digest */
        sig[63] ^= 0x01;
        md[0] ^= 0x80;
        mem_write(qt, BUF_AUX, sig, 64);
        mem_write(qt, BUF_IN, md, 32);
        cr_assert_eq(crypto_run(qt, crypto_cmd(NETCARD_CRYPTO_OP_ECDSA_VERIFY,
                                               0, NETCARD_CRYPTO_CURVE_P256,
                                               0, 0)),
                     (uint32_t)NETCARD_CRYPTO_ERR_VERIFY,
                     "signature over another digest accepted");
    }
    /* a point not on the curve is refused as a key */
    pub[63] ^= 1;
    cr_assert_eq(key_load_reg(qt, 1, NETCARD_CRYPTO_KEY_P256_PUB,
                              NETCARD_CRYPTO_USE_SIGN, pub, 64),
                 (uint32_t)NETCARD_CRYPTO_ERR_BAD_INPUT);
}

/* DER INTEGER of a big-endian unsigned value */
static size_t der_int(uint8_t *o, const uint8_t *v, size_t n)
{
    size_t z = 0, k = 0;

    while (z < n - 1 && v[z] == 0) {
        z++;
    }
    o[k++] = 0x02;
    bool pad = v[z] & 0x80;
    o[k++] = (uint8_t)(n - z + pad);
    if (pad) {
        o[k++] = 0;
    }
    memcpy(o + k, v + z, n - z);
    return k + n - z;
}

/* SubjectPublicKeyInfo (DER) of an uncompressed P-256 / P-384 point */
static const char *write_spki(int cs, const uint8_t *xy, const char *name)
{
    static const char p256[] =
        "3059301306072a8648ce3d020106082a8648ce3d030107034200";
    static const char p384[] =
        "3076301006072a8648ce3d020106052b81040022036200";
    uint8_t der[128];

    size_t n = unhex(cs == 32 ? p256 : p384, der, sizeof(der));
    der[n++] = 0x04;
    memcpy(der + n, xy, 2 * cs);
    const char *path = nc_tmp_path(name);
    file_put(path, der, n + 2 * cs);
    return path;
}

/* openssl pkeyutl -verify of a device signature r || s over a digest */
static void openssl_verify(int cs, const uint8_t *xy, const uint8_t *md,
                           size_t mdlen, const uint8_t *rs)
{
    uint8_t sig[120], body[110];
    size_t b = der_int(body, rs, cs);
    b += der_int(body + b, rs + cs, cs);
    sig[0] = 0x30;
    sig[1] = (uint8_t)b;
    memcpy(sig + 2, body, b);
    const char *pub = write_spki(cs, xy, "pub.der");
    const char *sp = nc_tmp_path("sig.der");
    const char *mp = nc_tmp_path("md.bin");
    file_put(sp, sig, b + 2);
    file_put(mp, md, mdlen);
    const char *args[] = { "pkeyutl", "-verify", "-pubin", "-keyform", "DER",
                           "-inkey", pub, "-in", mp, "-sigfile", sp, NULL };
    char *out = nc_openssl_run(args);
    cr_assert(strstr(out, "Verified Successfully"), "openssl: %s", out);
}

Test(device_crypto, ecdsa_p256_sign_keygen_checked_by_openssl)
{
    NcQtest *qt = nc_qtest_start(NULL);
    uint8_t d[32], pub[64], md[32], rs[64];

    /* RFC 6979 key in slot 2 (sign), generated key in slot 3 */
    unhex(P256_D, d, 32);
    unhex(P256_QX P256_QY, pub, 64);
    key_ok(key_load_reg(qt, 2, NETCARD_CRYPTO_KEY_P256_PRIV,
                        NETCARD_CRYPTO_USE_SIGN, d, 32));
    device_sha256(qt, "sample", md);
    mem_write(qt, BUF_IN, md, 32);
    crypto_dma(qt, BUF_IN, BUF_OUT, 32, 0);
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_ECDSA_SIGN, 2,
                             NETCARD_CRYPTO_CURVE_P256, 0, 0), "sign");
    cr_assert_eq(nc_readl(qt, CR(OUTLEN)), 64u);
    mem_read(qt, BUF_OUT, rs, 64);
    openssl_verify(32, pub, md, 32, rs);

    nc_writel(qt, CR(KEYCFG), keycfg(0, NETCARD_CRYPTO_USE_SIGN, 0));
    crypto_dma(qt, 0, BUF_OUT + 0x100, 0, 0);
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_EC_KEYGEN, 0,
                             NETCARD_CRYPTO_CURVE_P256, 0, CMD_KEY2(3)),
              "keygen");
    uint32_t info = nc_readl(qt, CR(SLOTINFO0) + 12);
    cr_assert_eq(info, 0x80000000u | (32u << 16) |
                 (NETCARD_CRYPTO_USE_SIGN << 8) | NETCARD_CRYPTO_KEY_P256_PRIV,
                 "SLOTINFO3 after keygen: 0x%08" PRIx32, info);
    mem_read(qt, BUF_OUT + 0x100, pub, 64);
    crypto_dma(qt, BUF_IN, BUF_OUT, 32, 0);
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_ECDSA_SIGN, 3,
                             NETCARD_CRYPTO_CURVE_P256, 0, 0), "sign");
    mem_read(qt, BUF_OUT, rs, 64);
    openssl_verify(32, pub, md, 32, rs);
    /* and the device verifies its own signature with the public key */
    key_ok(key_load_reg(qt, 4, NETCARD_CRYPTO_KEY_P256_PUB,
                        NETCARD_CRYPTO_USE_SIGN, pub, 64));
    mem_write(qt, BUF_AUX, rs, 64);
    crypto_dma(qt, BUF_IN, 0, 32, BUF_AUX);
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_ECDSA_VERIFY, 4,
                             NETCARD_CRYPTO_CURVE_P256, 0, 0), "verify");
}

Test(device_crypto, ecdsa_p384_sign_verify_with_openssl)
{
    NcQtest *qt = nc_qtest_start(NULL);
    uint8_t pub[96], md[48], rs[96], spki[160];
    const char *key = nc_tmp_path("p384.pem");
    const char *kpub = nc_tmp_path("p384pub.der");
    const char *mp = nc_tmp_path("md384.bin");
    const char *sp = nc_tmp_path("sig384.der");

    /* a device key signs, OpenSSL verifies */
    nc_writel(qt, CR(KEYCFG), keycfg(0, NETCARD_CRYPTO_USE_SIGN, 0));
    crypto_dma(qt, 0, BUF_OUT, 0, 0);
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_EC_KEYGEN, 0,
                             NETCARD_CRYPTO_CURVE_P384, 0, CMD_KEY2(6)),
              "keygen");
    cr_assert_eq(nc_readl(qt, CR(OUTLEN)), 96u);
    mem_read(qt, BUF_OUT, pub, 96);
    mem_write(qt, BUF_IN, (const uint8_t *)"abc", 3);
    hash_oneshot(qt, NETCARD_CRYPTO_HASH_SHA384, 1, BUF_IN, 3, BUF_OUT);
    mem_read(qt, BUF_OUT, md, 48);
    mem_write(qt, BUF_IN, md, 48);
    crypto_dma(qt, BUF_IN, BUF_OUT, 48, 0);
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_ECDSA_SIGN, 6,
                             NETCARD_CRYPTO_CURVE_P384, 0, 0), "sign");
    mem_read(qt, BUF_OUT, rs, 96);
    openssl_verify(48, pub, md, 48, rs);

    /* OpenSSL signs, the device verifies */
    const char *gen[] = { "ecparam", "-name", "secp384r1", "-genkey",
                          "-noout", "-out", key, NULL };
    nc_openssl_run(gen);
    const char *pubout[] = { "ec", "-in", key, "-pubout", "-outform", "DER",
                             "-out", kpub, NULL };
    nc_openssl_run(pubout);
    cr_assert_eq(file_get(kpub, spki, sizeof(spki)), 120u);
    file_put(mp, md, 48);
    const char *sign[] = { "pkeyutl", "-sign", "-inkey", key, "-in", mp,
                           "-out", sp, NULL };
    nc_openssl_run(sign);
    uint8_t der[120];
    size_t n = file_get(sp, der, sizeof(der));
    /* DER SEQUENCE { INTEGER r, INTEGER s } -> r || s, 48 bytes each */
    cr_assert(n > 8 && der[0] == 0x30 && der[1] < 0x80);
    size_t pos = 2;
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(der[pos], 0x02);
        size_t l = der[pos + 1];
        const uint8_t *v = der + pos + 2;
        while (l > 48) {
            v++;
            l--;
        }
        memset(rs + 48 * i, 0, 48);
        memcpy(rs + 48 * i + 48 - l, v, l);
        pos += 2 + der[pos + 1];
    }
    key_ok(key_load_reg(qt, 7, NETCARD_CRYPTO_KEY_P384_PUB,
                        NETCARD_CRYPTO_USE_SIGN, spki + 24, 96));
    mem_write(qt, BUF_AUX, rs, 96);
    crypto_dma(qt, BUF_IN, 0, 48, BUF_AUX);
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_ECDSA_VERIFY, 7,
                             NETCARD_CRYPTO_CURVE_P384, 0, 0),
              "OpenSSL P-384 signature must verify");
    rs[95] ^= 0x40;
    mem_write(qt, BUF_AUX, rs, 96);
    cr_assert_eq(crypto_run(qt, crypto_cmd(NETCARD_CRYPTO_OP_ECDSA_VERIFY, 7,
                                           NETCARD_CRYPTO_CURVE_P384, 0, 0)),
                 (uint32_t)NETCARD_CRYPTO_ERR_VERIFY);
    /* a P-256 command on the P-384 key is a type error */
    cr_assert_eq(crypto_run(qt, crypto_cmd(NETCARD_CRYPTO_OP_ECDSA_VERIFY, 7,
                                           NETCARD_CRYPTO_CURVE_P256, 0, 0)),
                 (uint32_t)NETCARD_CRYPTO_ERR_KEY_TYPE);
}

static void ecdh_case(NcQtest *qt, int cs)
{
    const char *curve = cs == 32 ? "prime256v1" : "secp384r1";
    uint32_t alg = cs == 32 ? NETCARD_CRYPTO_CURVE_P256 :
                              NETCARD_CRYPTO_CURVE_P384;
    size_t spki_len = cs == 32 ? 91 : 120;
    uint8_t apub[96], bspki[160], z[48], want[48];
    const char *bkey = nc_tmp_path(nc_strf("b%d.pem", cs));
    const char *bpub = nc_tmp_path(nc_strf("bpub%d.der", cs));
    const char *zp = nc_tmp_path(nc_strf("z%d.bin", cs));

    const char *gen[] = { "ecparam", "-name", curve, "-genkey",
                          "-noout", "-out", bkey, NULL };
    nc_openssl_run(gen);
    const char *pubout[] = { "ec", "-in", bkey, "-pubout", "-outform", "DER",
                             "-out", bpub, NULL };
    nc_openssl_run(pubout);
    cr_assert_eq(file_get(bpub, bspki, sizeof(bspki)), spki_len);

    nc_writel(qt, CR(KEYCFG), keycfg(0, NETCARD_CRYPTO_USE_DERIVE, 0));
    crypto_dma(qt, 0, BUF_OUT, 0, 0);
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_EC_KEYGEN, 0, alg, 0,
                             CMD_KEY2(4)), "keygen");
    mem_read(qt, BUF_OUT, apub, 2 * cs);
    mem_write(qt, BUF_IN, bspki + spki_len - 2 * cs, 2 * cs);
    crypto_dma(qt, BUF_IN, BUF_OUT, 2 * cs, 0);
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_ECDH, 4, alg, 0, 0), "ECDH");
    cr_assert_eq(nc_readl(qt, CR(OUTLEN)), (uint32_t)cs);
    mem_read(qt, BUF_OUT, z, cs);
    const char *apath = write_spki(cs, apub, nc_strf("apub%d.der", cs));
    const char *derive[] = { "pkeyutl", "-derive", "-inkey", bkey,
                             "-peerkey", apath, "-peerform", "DER",
                             "-out", zp, NULL };
    nc_openssl_run(derive);
    cr_assert_eq(file_get(zp, want, 48), (size_t)cs);
    expect_bytes(z, want, cs, "ECDH P-%d shared secret vs openssl", cs * 8);

    /* a point off the curve is refused, nothing written */
    uint8_t bad[96], marker[48];
    memcpy(bad, bspki + spki_len - 2 * cs, 2 * cs);
    bad[2 * cs - 1] ^= 1;
    memset(marker, 0x5A, cs);
    mem_write(qt, BUF_IN, bad, 2 * cs);
    mem_write(qt, BUF_OUT, marker, cs);
    cr_assert_eq(crypto_run(qt, crypto_cmd(NETCARD_CRYPTO_OP_ECDH, 4, alg, 0,
                                           0)),
                 (uint32_t)NETCARD_CRYPTO_ERR_BAD_INPUT);
    mem_read(qt, BUF_OUT, z, cs);
    expect_bytes(z, marker, cs, "ECDH with an invalid point wrote");
    mem_write(qt, BUF_IN, bspki + spki_len - 2 * cs, 2 * cs);
    memcpy(z, want, cs);
}

Test(device_crypto, ecdh_p256_p384_against_openssl)
{
    NcQtest *qt = nc_qtest_start(NULL);
    uint8_t want[48];

    ecdh_case(qt, 48);
    ecdh_case(qt, 32);
    const char *zp = nc_tmp_path("z32.bin");
    cr_assert_eq(file_get(zp, want, 48), 32u);

    /* the P-256 secret into slot 5 as an AES-256 key: usable, unreadable */
    nc_writel(qt, CR(KEYCFG), keycfg(NETCARD_CRYPTO_KEY_AES,
                                     NETCARD_CRYPTO_USE_ENCRYPT, 0));
    crypto_dma(qt, BUF_IN, BUF_OUT, 64, 0);
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_ECDH, 4,
                             NETCARD_CRYPTO_CURVE_P256, 0,
                             CMD_TOSLOT | CMD_KEY2(5)), "ECDH to slot");
    cr_assert_eq(nc_readl(qt, CR(OUTLEN)), 0u, "ECDH to slot wrote memory");
    uint8_t blk[16] = { 0 }, ct[16], w[16];
    mem_write(qt, BUF_IN, blk, 16);
    crypto_dma(qt, BUF_IN, BUF_OUT, 16, 0);
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_AES_ECB, 5, 0, 0, 0), "AES");
    mem_read(qt, BUF_OUT, ct, 16);
    openssl_enc("-aes-256-ecb", tohex(want, 32), NULL, false, blk, 16, w);
    expect_bytes(ct, w, 16, "AES-256 under the derived key");
    /* the derive-only key cannot sign */
    crypto_dma(qt, BUF_IN, BUF_OUT, 32, 0);
    cr_assert_eq(crypto_run(qt, crypto_cmd(NETCARD_CRYPTO_OP_ECDSA_SIGN, 4,
                                           NETCARD_CRYPTO_CURVE_P256, 0, 0)),
                 (uint32_t)NETCARD_CRYPTO_ERR_KEY_USAGE);
}

/* ------------------------------------------------------------------ */
/* RSA: a key generated by openssl at test time, raw RSA by openssl    */

/* Bytes of the colon-hex block that follows "NAME:" in openssl -text. */
static size_t rsa_field(const char *text, const char *name, uint8_t *out,
                        size_t width)
{
    const char *p = strstr(text, nc_strf("\n%s:", name));
    uint8_t tmp[600];
    size_t n = 0;

    cr_assert(p, "no %s in openssl output", name);
    p = strchr(p + 1, '\n') + 1;
    while (*p == ' ') {
        const char *eol = strchr(p, '\n');
        char line[200];
        size_t l = eol - p;
        cr_assert(l < sizeof(line));
        memcpy(line, p, l);
        line[l] = 0;
        n += unhex(line, tmp + n, sizeof(tmp) - n);
        p = eol + 1;
    }
    size_t z = 0;
    while (z < n && tmp[z] == 0) {
        z++;
    }
    cr_assert(n - z <= width, "%s: %zu bytes, width %zu", name, n - z, width);
    memset(out, 0, width);
    memcpy(out + width - (n - z), tmp + z, n - z);
    return width;
}

Test(device_crypto, rsa_public_and_crt_against_openssl)
{
    NcQtest *qt = nc_qtest_start(NULL);
    static const int bits[] = { 1024, 2048, 4096 };
    uint8_t pubkey[516], crt[1280], m[512], c[512], out[512];

    for (int b = 0; b < 3; b++) {
        size_t k = bits[b] / 8, h = k / 2;
        const char *key = nc_tmp_path(nc_strf("rsa%d.pem", bits[b]));
        const char *mp = nc_tmp_path("m.bin");
        const char *cp = nc_tmp_path("c.bin");
        const char *gen[] = { "genrsa", "-out", key, nc_strf("%d", bits[b]),
                              NULL };
        nc_openssl_run(gen);
        const char *txt[] = { "rsa", "-in", key, "-text", "-noout", NULL };
        char *t = nc_openssl_run(txt);
        rsa_field(t, "modulus", pubkey, k);
        pubkey[k] = 0; pubkey[k + 1] = 1; pubkey[k + 2] = 0; pubkey[k + 3] = 1;
        cr_assert(strstr(t, "publicExponent: 65537"), "exponent not 65537");
        rsa_field(t, "prime1", crt, h);
        rsa_field(t, "prime2", crt + h, h);
        rsa_field(t, "exponent1", crt + 2 * h, h);
        rsa_field(t, "exponent2", crt + 3 * h, h);
        rsa_field(t, "coefficient", crt + 4 * h, h);

        for (size_t i = 0; i < k; i++) {
            m[i] = (uint8_t)(i * 131 + 17);
        }
        m[0] = 0x01;   /* below the modulus */
        file_put(mp, m, k);
        const char *enc[] = { "pkeyutl", "-encrypt", "-inkey", key,
                              "-pkeyopt", "rsa_padding_mode:none",
                              "-in", mp, "-out", cp, NULL };
        nc_openssl_run(enc);
        cr_assert_eq(file_get(cp, c, sizeof(c)), k);

        key_ok(key_load_dma(qt, 0, NETCARD_CRYPTO_KEY_RSA_PUB,
                            NETCARD_CRYPTO_USE_ENCRYPT, pubkey, k + 4));
        key_ok(key_load_dma(qt, 1, NETCARD_CRYPTO_KEY_RSA_CRT,
                            NETCARD_CRYPTO_USE_DECRYPT, crt, 5 * h));
        mem_write(qt, BUF_IN, m, k);
        crypto_dma(qt, BUF_IN, BUF_OUT, k, 0);
        crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_RSA_PUBLIC, 0, 0, 0, 0),
                  "RSA-%d public", bits[b]);
        mem_read(qt, BUF_OUT, out, k);
        expect_bytes(out, c, k, "RSA-%d m^e mod n vs openssl", bits[b]);
        mem_write(qt, BUF_IN, c, k);
        crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_RSA_CRT, 1, 0, 0, 0),
                  "RSA-%d CRT", bits[b]);
        mem_read(qt, BUF_OUT, out, k);
        expect_bytes(out, m, k, "RSA-%d CRT c^d mod n", bits[b]);
        /* input not below the modulus */
        memset(out, 0xFF, k);
        mem_write(qt, BUF_IN, out, k);
        cr_assert_eq(crypto_run(qt, crypto_cmd(NETCARD_CRYPTO_OP_RSA_PUBLIC,
                                               0, 0, 0, 0)),
                     (uint32_t)NETCARD_CRYPTO_ERR_BAD_INPUT);
    }
}

/* ------------------------------------------------------------------ */
/* Key slots                                                           */

static const uint8_t aes_k[16] = { 0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2,
                                   0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf,
                                   0x4f, 0x3c };

Test(device_crypto, key_material_reads_as_zero)
{
    NcQtest *qt = nc_qtest_start(NULL);

    /* staged key data is write-only */
    for (uint32_t off = 0; off < 256; off += 4) {
        nc_writel(qt, CR(KEYDATA0) + off, 0xA5A5A5A5u);
        cr_assert_eq(nc_readl(qt, CR(KEYDATA0) + off), 0u,
                     "KEYDATA+0x%x readable", off);
    }
    key_ok(key_load_reg(qt, 0, NETCARD_CRYPTO_KEY_AES,
                        NETCARD_CRYPTO_USE_ENCRYPT, aes_k, 16));
    /* nothing in the whole window shows key bytes */
    for (uint32_t off = 0; off < 0x1000; off += 4) {
        uint32_t v = nc_readl(qt, CRYPTO_BASE + off);
        for (int i = 0; i + 3 < 16; i++) {
            uint32_t kw = aes_k[i] | aes_k[i + 1] << 8 | aes_k[i + 2] << 16 |
                          (uint32_t)aes_k[i + 3] << 24;
            cr_assert_neq(v, kw, "key bytes readable at +0x%x", off);
        }
        if (off >= A_CRYPTO_KEYDATA0) {
            cr_assert_eq(v, 0u, "+0x%x reads 0x%08" PRIx32, off, v);
        }
    }
    uint32_t info = nc_readl(qt, CR(SLOTINFO0));
    cr_assert_eq(info, 0x80000000u | (16u << 16) |
                 (NETCARD_CRYPTO_USE_ENCRYPT << 8) | NETCARD_CRYPTO_KEY_AES,
                 "SLOTINFO0 0x%08" PRIx32, info);
}

Test(device_crypto, usage_flags_enforced_nothing_written)
{
    NcQtest *qt = nc_qtest_start(NULL);
    uint8_t pt[16] = { 1, 2, 3 }, out[16], marker[16];

    memset(marker, 0x5A, 16);
    key_ok(key_load_reg(qt, 0, NETCARD_CRYPTO_KEY_AES,
                        NETCARD_CRYPTO_USE_ENCRYPT, aes_k, 16));
    key_ok(key_load_reg(qt, 1, NETCARD_CRYPTO_KEY_AES,
                        NETCARD_CRYPTO_USE_MAC, aes_k, 16));
    mem_write(qt, BUF_IN, pt, 16);
    mem_write(qt, BUF_OUT, marker, 16);
    crypto_dma(qt, BUF_IN, BUF_OUT, 16, 0);
    static const struct {
        uint32_t cmd, err;
        const char *what;
    } bad[] = {
        { NETCARD_CRYPTO_OP_AES_ECB | CMD_DEC, NETCARD_CRYPTO_ERR_KEY_USAGE,
          "decrypt with an encrypt-only key" },
        { NETCARD_CRYPTO_OP_AES_CMAC, NETCARD_CRYPTO_ERR_KEY_USAGE,
          "CMAC with an encrypt-only key" },
        { NETCARD_CRYPTO_OP_AES_ECB | (1u << 24), NETCARD_CRYPTO_ERR_KEY_USAGE,
          "encrypt with a MAC-only key" },
        { NETCARD_CRYPTO_OP_AES_ECB | (2u << 24), NETCARD_CRYPTO_ERR_BAD_SLOT,
          "empty slot" },
        { NETCARD_CRYPTO_OP_AES_ECB | (15u << 24), NETCARD_CRYPTO_ERR_BAD_SLOT,
          "empty slot 15" },
        { NETCARD_CRYPTO_OP_TDES_ECB, NETCARD_CRYPTO_ERR_KEY_TYPE,
          "TDES with an AES key" },
        { 0x7f, NETCARD_CRYPTO_ERR_BAD_OP, "unknown operation" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint32_t e = crypto_run(qt, bad[i].cmd);
        cr_assert_eq(e, bad[i].err, "%s: ERRCODE %" PRIu32 ", expected %"
                     PRIu32, bad[i].what, e, bad[i].err);
        uint32_t st = nc_readl(qt, CR(STATUS));
        cr_assert(st & R_CRYPTO_STATUS_ERR_MASK, "%s: STATUS.ERR clear",
                  bad[i].what);
        mem_read(qt, BUF_OUT, out, 16);
        expect_bytes(out, marker, 16, "%s: destination changed", bad[i].what);
    }
    /* wrong key sizes are refused at load */
    cr_assert_eq(key_load_reg(qt, 2, NETCARD_CRYPTO_KEY_AES,
                              NETCARD_CRYPTO_USE_ENCRYPT, aes_k, 15),
                 (uint32_t)NETCARD_CRYPTO_ERR_KEY_SIZE);
    cr_assert_eq(key_load_reg(qt, 2, NETCARD_CRYPTO_KEY_TDES,
                              NETCARD_CRYPTO_USE_ENCRYPT, aes_k, 8),
                 (uint32_t)NETCARD_CRYPTO_ERR_KEY_SIZE);
    cr_assert_eq(nc_readl(qt, CR(SLOTINFO0) + 8), 0u);
    /* retail MAC wants a 2-key TDES key, a 3-key one is refused */
    uint8_t k3[24];
    memset(k3, 0x11, 24);
    key_ok(key_load_reg(qt, 3, NETCARD_CRYPTO_KEY_TDES,
                        NETCARD_CRYPTO_USE_MAC, k3, 24));
    crypto_dma(qt, BUF_IN, BUF_OUT, 16, 0);
    cr_assert_eq(crypto_run(qt, NETCARD_CRYPTO_OP_RETAIL_MAC | (3u << 24)),
                 (uint32_t)NETCARD_CRYPTO_ERR_KEY_SIZE);
    mem_read(qt, BUF_OUT, out, 16);
    expect_bytes(out, marker, 16, "retail MAC with a bad key wrote");
}

Test(device_crypto, zeroize_and_reset_clear_keys)
{
    NcQtest *qt = nc_qtest_start(NULL);

    for (uint32_t s = 0; s < 8; s++) {
        key_ok(key_load_reg(qt, s, NETCARD_CRYPTO_KEY_AES,
                            NETCARD_CRYPTO_USE_ENCRYPT, aes_k, 16));
    }
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_KEY_ZEROIZE, 2, 0, 0, 0), "zz");
    cr_assert_eq(nc_readl(qt, CR(SLOTINFO0) + 8), 0u, "slot 2 after zeroize");
    cr_assert_neq(nc_readl(qt, CR(SLOTINFO0) + 4), 0u, "slot 1 zeroized too");
    crypto_dma(qt, BUF_IN, BUF_OUT, 16, 0);
    cr_assert_eq(crypto_run(qt, NETCARD_CRYPTO_OP_AES_ECB | (2u << 24)),
                 (uint32_t)NETCARD_CRYPTO_ERR_BAD_SLOT, "zeroized key usable");
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_AES_ECB, 1, 0, 0, 0), "slot 1");

    /* a warm reset zeroizes every slot */
    nc_qmp(qt->qmp, "{'execute': 'system_reset'}");
    expect_reset(qt, 1, CAUSE_WARM, "system_reset");
    for (int s = 0; s < 8; s++) {
        cr_assert_eq(nc_readl(qt, CR(SLOTINFO0) + 4 * s), 0u,
                     "slot %d survives a warm reset", s);
    }
    crypto_dma(qt, BUF_IN, BUF_OUT, 16, 0);
    cr_assert_eq(crypto_run(qt, NETCARD_CRYPTO_OP_AES_ECB | (1u << 24)),
                 (uint32_t)NETCARD_CRYPTO_ERR_BAD_SLOT);

    key_ok(key_load_reg(qt, 4, NETCARD_CRYPTO_KEY_AES,
                        NETCARD_CRYPTO_USE_ENCRYPT, aes_k, 16));
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_KEY_ZEROIZE_ALL, 0, 0, 0, 0),
              "zeroize all");
    cr_assert_eq(nc_readl(qt, CR(SLOTINFO0) + 16), 0u);
}

/* ------------------------------------------------------------------ */
/* DMA rules                                                           */

Test(device_crypto, dma_bounds_alignment_overlap)
{
    NcQtest *qt = nc_qtest_start(NULL);
    uint8_t marker[64], out[64];

    key_ok(key_load_reg(qt, 0, NETCARD_CRYPTO_KEY_AES,
                        NETCARD_CRYPTO_USE_ENCRYPT, aes_k, 16));
    memset(marker, 0x5A, sizeof(marker));
    mem_write(qt, BUF_OUT, marker, 64);
    mem_write(qt, BUF_IN, marker, 64);
    static const struct {
        uint32_t src, dst, len, err;
        const char *what;
    } bad[] = {
        { RAM_BASE + RAM_SIZE - 16, BUF_OUT, 32, NETCARD_CRYPTO_ERR_DMA_RANGE,
          "source runs past the end of RAM" },
        { BUF_IN, RAM_BASE + RAM_SIZE - 16, 32, NETCARD_CRYPTO_ERR_DMA_RANGE,
          "destination runs past the end of RAM" },
        { BUF_IN, 0x40000000u, 16, NETCARD_CRYPTO_ERR_DMA_RANGE,
          "destination in the sysctl window" },
        { 0x40003000u, BUF_OUT, 16, NETCARD_CRYPTO_ERR_DMA_RANGE,
          "source in the coprocessor's own window" },
        { BUF_IN, 0x40003000u, 16, NETCARD_CRYPTO_ERR_DMA_RANGE,
          "destination in the coprocessor's own window" },
        { BUF_IN, NVM_BASE, 16, NETCARD_CRYPTO_ERR_DMA_RANGE,
          "NVM as destination" },
        { 0x00000000u, BUF_OUT, 16, NETCARD_CRYPTO_ERR_DMA_RANGE,
          "source in ROM" },
        { NVM_BASE + NVM_SIZE - 16, BUF_OUT, 32, NETCARD_CRYPTO_ERR_DMA_RANGE,
          "source runs past the end of NVM" },
        { 0xFFFFFFF0u, BUF_OUT, 32, NETCARD_CRYPTO_ERR_DMA_RANGE,
          "source wraps around 4 GiB" },
        { BUF_IN + 2, BUF_OUT, 16, NETCARD_CRYPTO_ERR_DMA_ALIGN,
          "misaligned source" },
        { BUF_IN, BUF_OUT + 1, 16, NETCARD_CRYPTO_ERR_DMA_ALIGN,
          "misaligned destination" },
        { BUF_OUT + 16, BUF_OUT, 32, NETCARD_CRYPTO_ERR_DMA_OVERLAP,
          "destination overlaps the source" },
        { BUF_OUT, BUF_OUT + 16, 32, NETCARD_CRYPTO_ERR_DMA_OVERLAP,
          "source overlaps the destination" },
        { BUF_IN, BUF_OUT, 20, NETCARD_CRYPTO_ERR_BAD_LEN,
          "ECB length not a block multiple" },
        { BUF_IN, BUF_OUT, 0, NETCARD_CRYPTO_ERR_BAD_LEN, "zero length" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        crypto_dma(qt, bad[i].src, bad[i].dst, bad[i].len, 0);
        uint32_t e = crypto_run(qt, NETCARD_CRYPTO_OP_AES_ECB);
        cr_assert_eq(e, bad[i].err, "%s: ERRCODE %" PRIu32 ", expected %"
                     PRIu32, bad[i].what, e, bad[i].err);
        cr_assert_eq(nc_readl(qt, CR(OUTLEN)), 0u);
        mem_read(qt, BUF_OUT, out, 64);
        expect_bytes(out, marker, 64, "%s: RAM changed", bad[i].what);
        mem_read(qt, RAM_BASE + RAM_SIZE - 16, out, 16);
        expect_bytes(out, (uint8_t[16]){ 0 }, 16, "%s: end of RAM changed",
                     bad[i].what);
    }
    cr_assert_eq(nc_readl(qt, SYSCTL(CHIP_ID)), 0x4E430033u);
    cr_assert_eq(nc_readl(qt, SYSCTL(SCRATCH0)), 0u);
    /* NVM as source and the last bytes of RAM as destination are fine */
    crypto_dma(qt, NVM_BASE + NVM_SIZE - 16, RAM_BASE + RAM_SIZE - 16, 16, 0);
    crypto_ok(qt, NETCARD_CRYPTO_OP_AES_ECB, "NVM to end of RAM");
    /* exactly in place is fine */
    crypto_dma(qt, BUF_OUT, BUF_OUT, 64, 0);
    crypto_ok(qt, NETCARD_CRYPTO_OP_AES_ECB, "in place");
    expect_running(qt);
}

/* The DMA bound follows the machine's ram-size. */
Test(device_crypto, dma_bound_follows_ram_size)
{
    static const char *const opts[] = { "--machine", "netcard,ram-size=64K",
                                        NULL };
    NcQtest *qt = nc_qtest_start_with(opts, NULL);
    const uint32_t end = RAM_BASE + 64 * 1024;

    key_ok(key_load_reg(qt, 0, NETCARD_CRYPTO_KEY_AES,
                        NETCARD_CRYPTO_USE_ENCRYPT, aes_k, 16));
    crypto_dma(qt, BUF_IN, end - 16, 32, 0);
    cr_assert_eq(crypto_run(qt, NETCARD_CRYPTO_OP_AES_ECB),
                 (uint32_t)NETCARD_CRYPTO_ERR_DMA_RANGE,
                 "output past a 64 KiB RAM accepted");
    crypto_dma(qt, BUF_IN, end - 32, 32, 0);
    crypto_ok(qt, NETCARD_CRYPTO_OP_AES_ECB, "last 32 bytes of a 64 KiB RAM");
    cr_assert_eq(nc_readl(qt, CR(OUTLEN)), 32u);
}

/* The NVM source window follows the machine's nvm-size. */
Test(device_crypto, dma_bound_follows_nvm_size)
{
    static const struct {
        const char *opt;
        uint32_t size;
    } sizes[] = { { "1M", 1024u * 1024u }, { "16M", 16u * 1024u * 1024u } };

    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        const char *opts[] = { "--machine", nc_strf("netcard,nvm-size=%s",
                                                    sizes[i].opt), NULL };
        NcQtest *qt = nc_qtest_start_with(opts, NULL);
        const uint32_t end = NVM_BASE + sizes[i].size;

        key_ok(key_load_reg(qt, 0, NETCARD_CRYPTO_KEY_AES,
                            NETCARD_CRYPTO_USE_ENCRYPT, aes_k, 16));
        crypto_dma(qt, end - 16, BUF_OUT, 32, 0);
        cr_assert_eq(crypto_run(qt, NETCARD_CRYPTO_OP_AES_ECB),
                     (uint32_t)NETCARD_CRYPTO_ERR_DMA_RANGE,
                     "nvm-size=%s: source past the NVM accepted",
                     sizes[i].opt);
        crypto_dma(qt, end - 32, BUF_OUT, 32, 0);
        crypto_ok(qt, NETCARD_CRYPTO_OP_AES_ECB,
                  "nvm-size=%s: last 32 bytes of the NVM", sizes[i].opt);
        cr_assert_eq(nc_readl(qt, CR(OUTLEN)), 32u);
        nc_qtest_quit(qt);
    }
}

Test(device_crypto, busy_timing_and_irq)
{
    NcQtest *qt = nc_qtest_start(NULL);
    uint8_t marker[16], out[16], ct[16], pt[16];

    nc_qtest_cmd(qt, "irq_intercept_in /machine/soc/armv7m");
    unhex("3ad77bb40d7a3660a89ecaf32466ef97", ct, 16);
    unhex("6bc1bee22e409f96e93d7e117393172a", pt, 16);
    memset(marker, 0x5A, 16);
    key_ok(key_load_reg(qt, 0, NETCARD_CRYPTO_KEY_AES,
                        NETCARD_CRYPTO_USE_ENCRYPT, aes_k, 16));
    nc_writel(qt, CR(INTSTAT), 1);
    cr_assert_eq(nc_qtest_irq_level(qt, CRYPTO_IRQ), 0);
    nc_writel(qt, CR(INTEN), 1);
    mem_write(qt, BUF_IN, pt, 16);
    mem_write(qt, BUF_OUT, marker, 16);
    crypto_dma(qt, BUF_IN, BUF_OUT, 16, 0);
    /* a longer command to see the latency: 4096 blocks of CTR */
    nc_writel(qt, CR(CMD), NETCARD_CRYPTO_OP_AES_ECB);
    uint32_t st = nc_readl(qt, CR(STATUS));
    cr_assert_eq(st, R_CRYPTO_STATUS_BUSY_MASK, "STATUS 0x%08" PRIx32
                 " right after CMD", st);
    uint32_t cycles = nc_readl(qt, CR(CYCLES));
    cr_assert_gt(cycles, 0u);
    uint64_t ns = (uint64_t)cycles * 1000000000ull / SYSCLK_HZ;
    /* not visible before the modelled time */
    mem_read(qt, BUF_OUT, out, 16);
    expect_bytes(out, marker, 16, "output visible while BUSY");
    cr_assert_eq(nc_qtest_irq_level(qt, CRYPTO_IRQ), 0);
    /* a command while busy is dropped and flagged */
    nc_writel(qt, CR(CMD), NETCARD_CRYPTO_OP_KEY_ZEROIZE_ALL);
    st = nc_readl(qt, CR(STATUS));
    cr_assert(st & R_CRYPTO_STATUS_OVERRUN_MASK, "no OVERRUN: 0x%08" PRIx32,
              st);
    if (ns > 1) {
        nc_clock_step(qt, ns - 1);
        cr_assert(nc_readl(qt, CR(STATUS)) & R_CRYPTO_STATUS_BUSY_MASK,
                  "done before %" PRIu64 " ns", ns);
    }
    nc_clock_step(qt, 2 + ns / 1000);
    st = nc_readl(qt, CR(STATUS));
    cr_assert_eq(st & 0xff07u, R_CRYPTO_STATUS_DONE_MASK, "STATUS 0x%08"
                 PRIx32 " after %" PRIu64 " ns", st, ns);
    mem_read(qt, BUF_OUT, out, 16);
    expect_bytes(out, ct, 16, "ECB result at completion");
    cr_assert_eq(nc_readl(qt, CR(INTSTAT)), 1u);
    cr_assert_eq(nc_qtest_irq_level(qt, CRYPTO_IRQ), 1, "IRQ 2 not raised");
    nc_writel(qt, CR(INTSTAT), 1);
    cr_assert_eq(nc_qtest_irq_level(qt, CRYPTO_IRQ), 0, "IRQ 2 not lowered");
    /* the dropped ZEROIZE_ALL did not happen */
    cr_assert_neq(nc_readl(qt, CR(SLOTINFO0)), 0u);
    /* 64 blocks take longer than 1 */
    crypto_dma(qt, BUF_BIG, BUF_BIG, 1024, 0);
    crypto_ok(qt, NETCARD_CRYPTO_OP_AES_ECB, "1 KiB");
    cr_assert_gt(nc_readl(qt, CR(CYCLES)), cycles);
    /* the cost is a property */
    nc_qmp(qt->qmp, "{'execute': 'qom-set', 'arguments': {'path': "
           "'/machine/soc/crypto', 'property': 'aes-cycles-per-block', "
           "'value': 1000}}");
    crypto_dma(qt, BUF_IN, BUF_OUT, 16, 0);
    crypto_ok(qt, NETCARD_CRYPTO_OP_AES_ECB, "slow");
    cr_assert_geq(nc_readl(qt, CR(CYCLES)), 1000u);
}

/* ------------------------------------------------------------------ */
/* Robustness                                                          */

/* A reset in the middle of a long command: no late write, keys gone. */
Test(device_crypto, reset_while_busy_cancels_the_command)
{
    NcQtest *qt = nc_qtest_start(NULL);
    uint8_t marker[64], out[64];

    memset(marker, 0x5A, sizeof(marker));
    key_ok(key_load_reg(qt, 0, NETCARD_CRYPTO_KEY_AES,
                        NETCARD_CRYPTO_USE_ENCRYPT, aes_k, 16));
    /* make one block cost 10 ms */
    nc_qmp(qt->qmp, "{'execute': 'qom-set', 'arguments': {'path': "
           "'/machine/soc/crypto', 'property': 'aes-cycles-per-block', "
           "'value': 480000}}");
    mem_write(qt, BUF_OUT, marker, 64);
    crypto_dma(qt, BUF_IN, BUF_OUT, 64, 0);
    nc_writel(qt, CR(CMD), NETCARD_CRYPTO_OP_AES_ECB);
    cr_assert(nc_readl(qt, CR(STATUS)) & R_CRYPTO_STATUS_BUSY_MASK);
    nc_qmp(qt->qmp, "{'execute': 'system_reset'}");
    expect_reset(qt, 1, CAUSE_WARM, "system_reset");
    cr_assert_eq(nc_readl(qt, CR(STATUS)), 0u, "STATUS after reset");
    nc_clock_step(qt, 100000000);
    mem_read(qt, BUF_OUT, out, 64);
    expect_bytes(out, marker, 64, "a cancelled command wrote its output");
    cr_assert_eq(nc_readl(qt, CR(STATUS)), 0u);
    cr_assert_eq(nc_readl(qt, CR(SLOTINFO0)), 0u);
    cr_assert_eq(nc_readl(qt, CR(INTSTAT)), 0u);
}

static uint64_t rng_state;

static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)rng_state;
}

static uint32_t rnd_addr(void)
{
    static const uint32_t bases[] = { RAM_BASE, RAM_BASE + RAM_SIZE - 64,
                                      NVM_BASE, 0x40003000u, 0x40000000u, 0 };
    switch (rnd() % 4) {
    case 0:
        return rnd();
    case 1:
        return bases[rnd() % 6] + (rnd() % 256);
    default:
        return RAM_BASE + (rnd() % 0x3000) * 4;
    }
}

Test(device_crypto, random_register_sequences, .timeout = 120)
{
    NcQtest *qt = nc_qtest_start(NULL);
    static const uint32_t ops[] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x08, 0x09,
                                    0x0a, 0x10, 0x11, 0x12, 0x14, 0x20, 0x21,
                                    0x30, 0x31, 0x32, 0x33, 0x40, 0x41, 0x42 };
    int64_t t0 = nc_now_ms();

    rng_state = 0x9E3779B97F4A7C15ull;
    /* a few usable keys so deeper paths are reached */
    key_ok(key_load_reg(qt, 0, NETCARD_CRYPTO_KEY_AES, 0x1f, aes_k, 16));
    key_ok(key_load_reg(qt, 1, NETCARD_CRYPTO_KEY_TDES, 0x1f, aes_k, 16));
    key_ok(key_load_reg(qt, 2, NETCARD_CRYPTO_KEY_HMAC, 0x1f, aes_k, 16));
    for (int seq = 0; seq < 10000; seq++) {
        int n = 1 + rnd() % 3;
        for (int i = 0; i < n; i++) {
            uint32_t reg = (rnd() % 0x48) * 4;
            uint32_t v;
            switch (reg) {
            case A_CRYPTO_SRC: case A_CRYPTO_DST: case A_CRYPTO_AUX:
                v = rnd_addr();
                break;
            case A_CRYPTO_LEN:
                v = rnd() % 3 ? rnd() % 200 : rnd();
                break;
            case A_CRYPTO_CMD:
                continue;
            default:
                v = rnd();
            }
            nc_writel(qt, CRYPTO_BASE + reg, v);
        }
        uint32_t cmd = (rnd() & 0xffffff00u & ~(uint32_t)CMD_FROMREG) |
                       ops[rnd() % (sizeof(ops) / sizeof(ops[0]))];
        if ((cmd & 0xff) == NETCARD_CRYPTO_OP_KEY_ZEROIZE_ALL && rnd() % 8) {
            cmd = NETCARD_CRYPTO_OP_NOP;
        }
        if ((cmd & 0xff) == NETCARD_CRYPTO_OP_EC_KEYGEN && rnd() % 8) {
            cmd ^= 0x33 ^ 0x30;
        }
        nc_writel(qt, CR(CMD), cmd);
        if (seq % 64 == 0) {
            /* wrong access sizes and unknown offsets are bus errors */
            uint32_t off = (rnd() % 0x1000) & ~3u;
            nc_writeb(qt, CRYPTO_BASE + off, rnd());
            (void)nc_readw(qt, CRYPTO_BASE + off);
            (void)nc_readl(qt, CRYPTO_BASE + off);
        }
        if (seq % 4 == 0) {
            nc_clock_step(qt, rnd() % 3000000);
        }
    }
    expect_running(qt);
    cr_assert_eq(nc_readl(qt, CR(ID)), 0x4E434331u);
    cr_assert_eq(nc_readl(qt, SYSCTL(CHIP_ID)), 0x4E430033u);
    cr_log_info("10000 random sequences in %" PRId64 " ms",
                nc_now_ms() - t0);
}

/* ------------------------------------------------------------------ */
/* VMState: keys and hash contexts travel with a migration stream      */

static void wait_migration(NcQtest *qt, const char *what)
{
    int64_t deadline = nc_now_ms() + NC_TIMEOUT_CMD_MS;

    for (;;) {
        char *r = nc_qmp(qt->qmp, "{'execute': 'query-migrate'}");
        char *st = nc_json_get_str(r, "status");
        if (st && strcmp(st, "completed") == 0) {
            return;
        }
        cr_assert(!st || strcmp(st, "failed") != 0, "%s: %s", what, r);
        cr_assert(nc_now_ms() < deadline, "%s not completed: %s", what, r);
        nc_nap_ms(20);
    }
}

Test(device_crypto, vmstate_keeps_keys_and_contexts)
{
    const char *file = nc_tmp_path("migration.bin");
    uint8_t md[32], out[32], ct[16];

    unhex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
          md, 32);
    unhex("3ad77bb40d7a3660a89ecaf32466ef97", ct, 16);

    NcQtest *qt = nc_qtest_start(NULL);
    key_ok(key_load_reg(qt, 6, NETCARD_CRYPTO_KEY_AES,
                        NETCARD_CRYPTO_USE_ENCRYPT, aes_k, 16));
    mem_write(qt, BUF_IN, (const uint8_t *)"abc", 3);
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_HASH_INIT, 0,
                             NETCARD_CRYPTO_HASH_SHA256, 1, 0), "init");
    crypto_dma(qt, BUF_IN, 0, 2, 0);
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_HASH_UPDATE, 0, 0, 1, 0), "ab");
    nc_qmp(qt->qmp, "{'execute': 'stop'}");
    nc_qmp(qt->qmp, "{'execute': 'migrate', 'arguments': {'uri': "
           "'exec:cat > %s'}}", file);
    wait_migration(qt, "outgoing migration");
    nc_qtest_quit(qt);

    const char *args[] = { "-incoming", "defer", NULL };
    qt = nc_qtest_start(args);
    nc_qmp(qt->qmp, "{'execute': 'migrate-incoming', 'arguments': {'uri': "
           "'exec:cat %s'}}", file);
    wait_migration(qt, "incoming migration");
    nc_qmp(qt->qmp, "{'execute': 'cont'}");
    cr_assert_neq(nc_readl(qt, CR(SLOTINFO0) + 24), 0u, "slot 6 lost");
    /* the 'c' (BUF_IN + 2 is not word aligned: copy it) */
    mem_write(qt, BUF_AUX, (const uint8_t *)"c", 1);
    crypto_dma(qt, BUF_AUX, 0, 1, 0);
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_HASH_UPDATE, 0, 0, 1, 0), "c");
    crypto_dma(qt, 0, BUF_OUT, 0, 0);
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_HASH_FINAL, 0, 0, 1, 0), "fin");
    mem_read(qt, BUF_OUT, out, 32);
    expect_bytes(out, md, 32, "SHA-256(\"abc\") across a migration");
    uint8_t pt[16];
    unhex("6bc1bee22e409f96e93d7e117393172a", pt, 16);
    mem_write(qt, BUF_IN, pt, 16);
    crypto_dma(qt, BUF_IN, BUF_OUT, 16, 0);
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_AES_ECB, 6, 0, 0, 0), "AES");
    mem_read(qt, BUF_OUT, out, 16);
    expect_bytes(out, ct, 16, "AES with a migrated key");
}
