/*
 * Power-on self-tests: one known-answer test (KAT) per algorithm of the
 * crypto API, with vectors from the published documents (each cited at
 * its test). Declared in crypto/crypto.h (crypto_selftest); the list is in
 * docs/crypto.md "Power-on self-tests".
 *
 * The public-key tests dominate the time (modelled coprocessor latency):
 * ECDSA P-256 verify 7 ms, sign 4 ms, ECDH 3.5 ms, RSA-1024 CRT 5 ms and
 * public 0.5 ms: about 27 ms per boot.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "crypto/aes_soft.h"
#include "crypto/crypto.h"
#include "drivers/timer.h"

#define LOG_MODULE "crypto"
#include "kernel/log.h"

/* Hex (no separators) into OUT; returns the byte count. */
static size_t unhex(const char *hex, uint8_t *out)
{
    size_t n = 0;

    for (; hex[0] && hex[1]; hex += 2) {
        uint8_t b = 0;

        for (unsigned i = 0; i < 2; i++) {
            char c = hex[i];

            b = (uint8_t)(b << 4);
            b |= (uint8_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
        }
        out[n++] = b;
    }
    return n;
}

static bool same(const uint8_t *a, const char *hex)
{
    uint8_t b[128];
    size_t n = unhex(hex, b);

    return memcmp(a, b, n) == 0;
}

/* ---- Vectors -------------------------------------------------------------- */

/* FIPS 197 Appendix C.1 (AES-128). */
#define FIPS197_KEY "000102030405060708090a0b0c0d0e0f"
#define FIPS197_PT  "00112233445566778899aabbccddeeff"
#define FIPS197_CT  "69c4e0d86a7b0430d8cdb78070b4c55a"
/* SP 800-38A F.2.1 CBC-AES128.Encrypt (blocks 1-2), F.5.1 CTR-AES128. */
#define SP38A_KEY   "2b7e151628aed2a6abf7158809cf4f3c"
#define SP38A_IV    "000102030405060708090a0b0c0d0e0f"
#define SP38A_PT    "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
#define SP38A_CBC   "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
#define SP38A_CTR0  "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"
#define SP38A_CTR   "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"
/* SP 800-38B D.1 Example 2 (AES-128, Mlen = 128). */
#define SP38B_MAC   "070a16b46b4d4144f79bdd9dd04a287c"
/* SP 800-67 Rev. 1 Appendix B: TDEA ECB, first block ("The quic"). */
#define SP67_KEY    "0123456789abcdef23456789abcdef01456789abcdef0123"
#define SP67_PT     "5468652071756663"
#define SP67_CT     "a826fd8ce53b855f"
/* FIPS 180-4 examples, message "abc". */
#define SHA1_ABC    "a9993e364706816aba3e25717850c26c9cd0d89d"
#define SHA224_ABC  "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"
#define SHA256_ABC  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA384_ABC  "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded163" \
                    "1a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"
#define SHA512_ABC  "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a" \
                    "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
/* RFC 4231 test case 2 (key "Jefe"). */
#define RFC4231_MSG "what do ya want for nothing?"
#define HMAC256_2   "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
#define HMAC384_2   "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47" \
                    "e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649"
#define HMAC512_2   "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554" \
                    "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
/* RFC 6979 A.2.5: P-256 key, SHA-256 of "sample" and its signature. */
#define RFC6979_X   "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"
#define RFC6979_U   "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6" \
                    "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299"
#define RFC6979_H   "af2bdbe1aa9b6ec1e2ade1d694f41fc71a831d0268e9891562113d8a62add1bf"
#define RFC6979_SIG "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716" \
                    "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8"
/* RFC 5903 8.1: ECDH P-256, initiator i, responder's g^r, shared g^ir x. */
#define RFC5903_I   "c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433"
#define RFC5903_GR  "d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63" \
                    "56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab"
#define RFC5903_GIR "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de"

/*
 * RSA-1024 test key (generated with `openssl genrsa 1024` for this KAT; it
 * protects nothing), e = 65537, message m and c = m^e mod n (computed
 * off-card with OpenSSL / Python).
 */
static const uint8_t rsa_n[128] = {
    0xe4, 0x2a, 0x16, 0x3e, 0x3f, 0xf3, 0xe7, 0xa1, 0xf1, 0x15, 0x8a, 0x24,
    0xd6, 0x6f, 0x87, 0x78, 0xb3, 0x69, 0x1b, 0xb9, 0xe9, 0x8c, 0x4e, 0xb6,
    0x2e, 0xf9, 0xa6, 0x22, 0x81, 0x27, 0x8e, 0x1c, 0x88, 0xa0, 0xde, 0x52,
    0xa9, 0x1e, 0xf1, 0xe1, 0xda, 0x84, 0xa7, 0x2a, 0x42, 0xcd, 0xfa, 0xf5,
    0x5f, 0x86, 0x78, 0x05, 0x31, 0x9d, 0xfa, 0xa2, 0x52, 0x54, 0xc5, 0x55,
    0x73, 0xbc, 0xc6, 0x52, 0x17, 0xe6, 0xc6, 0xd0, 0x14, 0x0a, 0x2b, 0x09,
    0x8a, 0xf4, 0xc1, 0x23, 0xc1, 0xfe, 0x37, 0xf9, 0xa2, 0x56, 0x1f, 0x4e,
    0x3d, 0xba, 0xe4, 0xa6, 0xee, 0x30, 0x38, 0xee, 0x7f, 0x44, 0xf7, 0xbd,
    0x57, 0x25, 0x2d, 0x7d, 0xc4, 0x67, 0xb6, 0x15, 0x84, 0xfd, 0x8d, 0x08,
    0x05, 0xaa, 0x68, 0x90, 0xdb, 0xd0, 0x1f, 0xfe, 0x54, 0xba, 0xd4, 0x3e,
    0xfd, 0x2b, 0xf3, 0xe8, 0x36, 0x45, 0xdc, 0x95,
};
static const uint8_t rsa_p[64] = {
    0xfd, 0x96, 0xa1, 0x40, 0x6f, 0x08, 0x5d, 0xe2, 0xda, 0x1e, 0xab, 0x61,
    0x6b, 0xa1, 0xd6, 0xc3, 0x11, 0xb0, 0xb9, 0x29, 0x05, 0xc7, 0x73, 0xfd,
    0x5a, 0x2c, 0x71, 0x83, 0xfc, 0xd9, 0x7a, 0xbe, 0xef, 0xab, 0x25, 0x59,
    0x57, 0xc1, 0x84, 0x62, 0xc6, 0x74, 0x2d, 0xe1, 0x80, 0x33, 0x07, 0xb9,
    0x03, 0x9c, 0x6e, 0x59, 0x01, 0x51, 0x91, 0x7e, 0x5e, 0x6e, 0x45, 0xa2,
    0x47, 0xc8, 0x18, 0x07,
};
static const uint8_t rsa_q[64] = {
    0xe6, 0x55, 0x8f, 0xb5, 0x63, 0x29, 0xa9, 0x08, 0xad, 0xa7, 0xa8, 0x25,
    0x10, 0x8b, 0x89, 0xdd, 0x41, 0x2f, 0x67, 0xff, 0x61, 0xf5, 0xcd, 0x76,
    0x3a, 0x3b, 0x1c, 0xbd, 0xef, 0x97, 0x30, 0x07, 0x5f, 0x4e, 0x5b, 0xa9,
    0x78, 0xdb, 0x2b, 0x89, 0x3f, 0x4c, 0x05, 0xac, 0xb8, 0x0d, 0x81, 0xb4,
    0x95, 0xe7, 0x32, 0xab, 0xe8, 0xcc, 0x76, 0x5f, 0x8c, 0x80, 0x62, 0x42,
    0xf3, 0xe3, 0xa7, 0x83,
};
static const uint8_t rsa_dp[64] = {
    0xfc, 0x3a, 0xf1, 0x15, 0x07, 0xdb, 0x88, 0x96, 0xf5, 0x61, 0x80, 0x11,
    0x9c, 0x5f, 0x13, 0x20, 0x5f, 0xde, 0x29, 0xad, 0xb6, 0x03, 0xd7, 0x48,
    0xee, 0x82, 0x3a, 0x3e, 0x90, 0x27, 0x39, 0x41, 0xe5, 0x5d, 0x93, 0xfe,
    0xb3, 0x9c, 0xd6, 0x32, 0xf1, 0x35, 0xe9, 0xd4, 0xdc, 0x10, 0xe5, 0xe3,
    0x8e, 0xc5, 0xef, 0xb4, 0x33, 0xed, 0x90, 0x0b, 0xe3, 0x9d, 0x47, 0x41,
    0xcc, 0xa8, 0x27, 0xcd,
};
static const uint8_t rsa_dq[64] = {
    0xde, 0xf6, 0xd4, 0x35, 0xf1, 0xd7, 0xd2, 0x18, 0xe4, 0x80, 0xf6, 0xf3,
    0x6a, 0x20, 0xa9, 0x43, 0xd4, 0x65, 0xdf, 0x76, 0x07, 0x8d, 0xb9, 0x66,
    0x48, 0xd8, 0x0f, 0xea, 0x8c, 0x92, 0xfd, 0x9b, 0x25, 0x56, 0xe4, 0xc4,
    0x18, 0x89, 0x90, 0x8b, 0x3b, 0x0a, 0x8c, 0x33, 0xb5, 0xb6, 0xdd, 0x67,
    0xc1, 0xf4, 0x1b, 0xc8, 0xed, 0x81, 0x7e, 0xd4, 0xdf, 0x5d, 0x27, 0xc1,
    0x47, 0xf5, 0x87, 0xa1,
};
static const uint8_t rsa_qinv[64] = {
    0x3b, 0xff, 0xea, 0x02, 0xf0, 0x06, 0xc8, 0xe4, 0x25, 0xfe, 0x7a, 0xfb,
    0x02, 0x47, 0xd8, 0x2b, 0x52, 0xea, 0xde, 0x01, 0xd5, 0x8c, 0xab, 0xed,
    0x57, 0x9a, 0x85, 0x75, 0xbb, 0xa1, 0x11, 0x5e, 0x5d, 0x18, 0x01, 0xbe,
    0x53, 0x92, 0x98, 0x89, 0xe6, 0x1e, 0x46, 0x38, 0x47, 0xc6, 0x01, 0x41,
    0x1a, 0xff, 0xf2, 0x8c, 0xea, 0x56, 0x2d, 0x74, 0xc9, 0xe1, 0x8f, 0x92,
    0x72, 0xac, 0xdc, 0x4d,
};
static const uint8_t rsa_m[128] = {
    0x00, 0x03, 0x0a, 0x11, 0x18, 0x1f, 0x26, 0x2d, 0x34, 0x3b, 0x42, 0x49,
    0x50, 0x57, 0x5e, 0x65, 0x6c, 0x73, 0x7a, 0x81, 0x88, 0x8f, 0x96, 0x9d,
    0xa4, 0xab, 0xb2, 0xb9, 0xc0, 0xc7, 0xce, 0xd5, 0xdc, 0xe3, 0xea, 0xf1,
    0xf8, 0xff, 0x06, 0x0d, 0x14, 0x1b, 0x22, 0x29, 0x30, 0x37, 0x3e, 0x45,
    0x4c, 0x53, 0x5a, 0x61, 0x68, 0x6f, 0x76, 0x7d, 0x84, 0x8b, 0x92, 0x99,
    0xa0, 0xa7, 0xae, 0xb5, 0xbc, 0xc3, 0xca, 0xd1, 0xd8, 0xdf, 0xe6, 0xed,
    0xf4, 0xfb, 0x02, 0x09, 0x10, 0x17, 0x1e, 0x25, 0x2c, 0x33, 0x3a, 0x41,
    0x48, 0x4f, 0x56, 0x5d, 0x64, 0x6b, 0x72, 0x79, 0x80, 0x87, 0x8e, 0x95,
    0x9c, 0xa3, 0xaa, 0xb1, 0xb8, 0xbf, 0xc6, 0xcd, 0xd4, 0xdb, 0xe2, 0xe9,
    0xf0, 0xf7, 0xfe, 0x05, 0x0c, 0x13, 0x1a, 0x21, 0x28, 0x2f, 0x36, 0x3d,
    0x44, 0x4b, 0x52, 0x59, 0x60, 0x67, 0x6e, 0x75,
};
static const uint8_t rsa_c[128] = {
    0x0e, 0x2e, 0x3e, 0x96, 0xa2, 0x0a, 0xa4, 0x5c, 0x22, 0x77, 0x33, 0xee,
    0x6c, 0xae, 0x19, 0x31, 0xc4, 0x8c, 0x7b, 0xfd, 0x99, 0x35, 0x8e, 0x65,
    0x6d, 0x18, 0x69, 0x94, 0x59, 0x5e, 0x97, 0xca, 0x58, 0xf0, 0xc7, 0x9c,
    0xcf, 0xdc, 0xdd, 0x40, 0xde, 0x06, 0x0e, 0xb0, 0x57, 0xe0, 0xd3, 0xb1,
    0x6c, 0x07, 0x70, 0x77, 0x2d, 0x8d, 0xad, 0x1b, 0xe7, 0x22, 0xe9, 0xcd,
    0x38, 0x6a, 0xfb, 0xc4, 0x32, 0x75, 0x44, 0x31, 0x80, 0xe0, 0x81, 0x87,
    0x26, 0xcf, 0x58, 0xc8, 0x2f, 0xdb, 0x85, 0x50, 0x98, 0x37, 0xb0, 0xfc,
    0x64, 0x12, 0x05, 0xd2, 0x5f, 0x5e, 0xbe, 0x6e, 0xed, 0x23, 0x44, 0xde,
    0x5a, 0x37, 0x46, 0x12, 0x76, 0xb6, 0x4f, 0x27, 0x35, 0x84, 0x2e, 0x54,
    0x58, 0x27, 0xc0, 0xb1, 0x52, 0x25, 0xf0, 0x17, 0xb7, 0x46, 0x36, 0xef,
    0x19, 0x6a, 0x48, 0x0f, 0x77, 0xca, 0x3e, 0x32,
};

/* ---- Tests ---------------------------------------------------------------- */

/* Scratch shared by the tests (RAM, word aligned: direct DMA). */
static uint32_t scratch_words[64];
#define scratch ((uint8_t *)scratch_words)

/*
 * One block in ECB on the coprocessor: @pt encrypts to @ct and back
 * (hex strings; key of @key_len bytes, block of @len bytes).
 */
static bool kat_ecb(enum crypto_cipher alg, const char *key_hex, size_t key_len,
                    const char *pt, const char *ct, size_t len)
{
    uint8_t key[24], buf[16];

    unhex(key_hex, key);
    unhex(pt, buf);
    if (crypto_cipher(alg, CRYPTO_ENGINE_HW, false, key, key_len, NULL, buf, buf, len) ||
        !same(buf, ct)) {
        return false;
    }
    return crypto_cipher(alg, CRYPTO_ENGINE_HW, true, key, key_len, NULL, buf, buf, len) ==
           CRYPTO_OK && same(buf, pt);
}

static bool kat_aes_ecb(void)
{
    return kat_ecb(CRYPTO_AES_ECB, FIPS197_KEY, 16, FIPS197_PT, FIPS197_CT, 16);
}

static bool kat_aes_cbc(void)
{
    uint8_t key[16], iv[16];

    unhex(SP38A_KEY, key);
    unhex(SP38A_IV, iv);
    unhex(SP38A_PT, scratch);
    if (crypto_cipher(CRYPTO_AES_CBC, CRYPTO_ENGINE_HW, false, key, 16, iv, scratch,
                      scratch, 32) || !same(scratch, SP38A_CBC)) {
        return false;
    }
    unhex(SP38A_IV, iv);
    return crypto_cipher(CRYPTO_AES_CBC, CRYPTO_ENGINE_HW, true, key, 16, iv, scratch,
                         scratch, 32) == CRYPTO_OK && same(scratch, SP38A_PT);
}

static bool kat_aes_ctr(void)
{
    uint8_t key[16], iv[16];

    unhex(SP38A_KEY, key);
    unhex(SP38A_CTR0, iv);
    unhex(SP38A_PT, scratch);
    return crypto_cipher(CRYPTO_AES_CTR, CRYPTO_ENGINE_HW, false, key, 16, iv, scratch,
                         scratch, 32) == CRYPTO_OK && same(scratch, SP38A_CTR);
}

static bool kat_aes_soft(void)
{
    struct aes_soft ctx;
    uint8_t key[16], iv[16], buf[32];
    bool ok;

    unhex(FIPS197_KEY, key);
    unhex(FIPS197_PT, buf);
    ok = aes_soft_setkey(&ctx, key, 16) == 0;
    aes_soft_encrypt(&ctx, buf, buf);
    ok = ok && same(buf, FIPS197_CT);
    aes_soft_decrypt(&ctx, buf, buf);
    ok = ok && same(buf, FIPS197_PT);
    unhex(SP38A_KEY, key);
    unhex(SP38A_IV, iv);
    unhex(SP38A_PT, buf);
    ok = ok && crypto_cipher(CRYPTO_AES_CBC, CRYPTO_ENGINE_SOFT, false, key, 16, iv, buf,
                             buf, 32) == CRYPTO_OK && same(buf, SP38A_CBC);
    memset(&ctx, 0, sizeof(ctx));
    return ok;
}

static bool kat_tdes(void)
{
    return kat_ecb(CRYPTO_TDES_ECB, SP67_KEY, 24, SP67_PT, SP67_CT, 8);
}

static bool kat_cmac(void)
{
    uint8_t key[16], msg[16], mac[16];
    size_t n = 0;

    unhex(SP38A_KEY, key);
    unhex(SP38A_PT, msg);
    return crypto_mac(CRYPTO_MAC_AES_CMAC, key, 16, msg, 16, mac, sizeof(mac), &n) ==
           CRYPTO_OK && n == 16 && same(mac, SP38B_MAC);
}

static bool kat_sha(enum crypto_hash alg, const char *expected)
{
    uint8_t d[CRYPTO_HASH_MAX];

    return crypto_hash(alg, "abc", 3, d) == CRYPTO_OK && same(d, expected);
}

static bool kat_sha1(void) { return kat_sha(CRYPTO_SHA1, SHA1_ABC); }
static bool kat_sha224(void) { return kat_sha(CRYPTO_SHA224, SHA224_ABC); }
static bool kat_sha256(void) { return kat_sha(CRYPTO_SHA256, SHA256_ABC); }
static bool kat_sha384(void) { return kat_sha(CRYPTO_SHA384, SHA384_ABC); }
static bool kat_sha512(void) { return kat_sha(CRYPTO_SHA512, SHA512_ABC); }

static bool kat_hmac(enum crypto_mac alg, const char *expected)
{
    uint8_t mac[64];
    size_t n = 0;

    return crypto_mac(alg, (const uint8_t *)"Jefe", 4, (const uint8_t *)RFC4231_MSG,
                      sizeof(RFC4231_MSG) - 1, mac, sizeof(mac), &n) == CRYPTO_OK &&
           n == strlen(expected) / 2 && same(mac, expected);
}

static bool kat_hmac256(void) { return kat_hmac(CRYPTO_MAC_HMAC_SHA256, HMAC256_2); }
static bool kat_hmac384(void) { return kat_hmac(CRYPTO_MAC_HMAC_SHA384, HMAC384_2); }
static bool kat_hmac512(void) { return kat_hmac(CRYPTO_MAC_HMAC_SHA512, HMAC512_2); }

/* The published signature verifies. */
static bool kat_ecdsa_verify(void)
{
    uint8_t pub[64], h[32], sig[64];

    unhex(RFC6979_U, pub);
    unhex(RFC6979_H, h);
    unhex(RFC6979_SIG, sig);
    return crypto_ecdsa_verify(CRYPTO_P256, pub, h, 32, sig) == CRYPTO_OK;
}

/* Sign with the RFC 6979 key (random nonce), then verify the signature. */
static bool kat_ecdsa_sign(void)
{
    uint8_t d[32], pub[64], h[32], sig[64];
    bool ok;

    unhex(RFC6979_X, d);
    unhex(RFC6979_U, pub);
    unhex(RFC6979_H, h);
    ok = crypto_ec_load_private(CRYPTO_P256, 0, d) == CRYPTO_OK &&
         crypto_ecdsa_sign(0, h, 32, sig) == CRYPTO_OK &&
         crypto_ecdsa_verify(CRYPTO_P256, pub, h, 32, sig) == CRYPTO_OK;
    memset(d, 0, sizeof(d));
    return ok;
}

static bool kat_ecdh(void)
{
    uint8_t d[32], peer[64], z[32];
    bool ok;

    unhex(RFC5903_I, d);
    unhex(RFC5903_GR, peer);
    ok = crypto_ec_load_private(CRYPTO_P256, 0, d) == CRYPTO_OK &&
         crypto_ecdh(0, peer, z) == CRYPTO_OK && same(z, RFC5903_GIR) &&
         crypto_ec_clear(0) == CRYPTO_OK;    /* key id 0 empty for its users */
    memset(d, 0, sizeof(d));
    return ok;
}

static bool kat_rsa(void)
{
    static const struct crypto_rsa_crt_key key = {
        .p = rsa_p, .q = rsa_q, .dp = rsa_dp, .dq = rsa_dq, .qinv = rsa_qinv, .half = 64,
    };
    uint8_t out[128];

    if (crypto_rsa_public(rsa_n, sizeof(rsa_n), 65537, rsa_m, out) != CRYPTO_OK ||
        memcmp(out, rsa_c, sizeof(out)) != 0) {
        return false;
    }
    return crypto_rsa_private(&key, rsa_c, out) == CRYPTO_OK &&
           memcmp(out, rsa_m, sizeof(out)) == 0;
}

static const struct {
    const char *name;
    bool (*run)(void);
} kats[] = {
    { "AES-ECB", kat_aes_ecb },
    { "AES-CBC", kat_aes_cbc },
    { "AES-CTR", kat_aes_ctr },
    { "software AES", kat_aes_soft },
    { "TDES", kat_tdes },
    { "AES-CMAC", kat_cmac },
    { "SHA-1", kat_sha1 },
    { "SHA-224", kat_sha224 },
    { "SHA-256", kat_sha256 },
    { "SHA-384", kat_sha384 },
    { "SHA-512", kat_sha512 },
    { "HMAC-SHA-256", kat_hmac256 },
    { "HMAC-SHA-384", kat_hmac384 },
    { "HMAC-SHA-512", kat_hmac512 },
    { "ECDSA P-256 verify", kat_ecdsa_verify },
    { "ECDSA P-256 sign", kat_ecdsa_sign },
    { "ECDH P-256", kat_ecdh },
    { "RSA-1024", kat_rsa },
};

enum crypto_status crypto_selftest(struct crypto_selftest_result *res)
{
    static char what[40];
    uint32_t t0 = timer_now_ms(), c0 = crypto_hw_cycles();
    unsigned n = 0;

    if (crypto_failed()) {
        return CRYPTO_ERR_REFUSED;
    }
    for (size_t i = 0; i < sizeof(kats) / sizeof(kats[0]); i++) {
        if (!kats[i].run()) {
            if (!crypto_failed()) {
                log_snprintf(what, sizeof(what), "self-test %s", kats[i].name);
                crypto_fail(what);
            }
            return CRYPTO_ERR_HW;
        }
        n++;
    }
    if (res) {
        res->kats = n;
        res->cycles = crypto_hw_cycles() - c0;
    }
    LOG_I("self-tests passed (%u KATs, %u ms)", n, (unsigned)(timer_now_ms() - t0));
    return CRYPTO_OK;
}
