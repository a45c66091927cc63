/*
 * System tests: the card's crypto (cardos/crypto/crypto.h) as a host sees
 * it, through the test application's crypto commands over ISO 7816 (vpcd
 * framing; tests/cardos/test_applet_crypto.h, docs/iso7816-card.md).
 *
 * Every result is compared with OpenSSL run on the host as an independent
 * implementation: random host-chosen keys, IVs and data for AES
 * (coprocessor and the card's software AES), TDES, CMAC, retail MAC, HMAC,
 * SHA-1/2; ECDSA both ways (the card signs and openssl verifies; openssl
 * signs and the card verifies); ECDH against openssl's derivation; raw RSA
 * with an openssl-generated key. The power-on self-test line is checked at
 * boot, and a stuck or biased TRNG (the device's "fault" knob, set by QMP
 * at run time or before a reset) makes the card refuse service as
 * docs/crypto.md says: 6F00 to the command that hit it and to every later
 * one, and one "E crypto: ... failed: card refuses service (6F00)" line.
 * The public-key cases are in test_crypto_card_pk.c.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "crypto_card.h"
#include "nc_openssl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TestSuite(system_crypto_card, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

/* ---- tests ---------------------------------------------------------------- */

Test(system_crypto_card, self_tests_pass_at_boot)
{
    CryptoCard *cc = cc_boot(NULL);
    regmatch_t m[3];
    char *line = nc_console_wait_re(cc->card->console, SELFTEST_RE, m, 3,
                                    BOOT_TIMEOUT_MS);
    cr_assert_gt(atoi(nc_match_str(line, m, 1)), 0, "%s", line);
    nc_console_wait(cc->card->console, "I boot: ready", READY_TIMEOUT_MS);
    /* a host power-on (cold reset) runs them again */
    cc_power_on(cc);
    nc_console_wait_re(cc->card->console, SELFTEST_RE, NULL, 0, BOOT_TIMEOUT_MS);
    cr_assert_eq(cc_select_applet(cc), 0x9000);
}

static void aes_case(CryptoCard *cc, uint8_t mode, bool soft, size_t klen,
                     bool decrypt, size_t len)
{
    static const char *const names[] = { "", "ecb", "cbc", "ctr" };
    uint8_t key[32], iv[16];
    uint8_t *in = nc_gc(malloc(len)), *got = nc_gc(malloc(len));
    size_t ivlen = mode == 1 ? 0 : 16;

    cc_rnd(key, klen);
    cc_rnd(iv, ivlen);
    cc_rnd(in, len);
    cc_card_cipher(cc, mode, (uint8_t)((soft ? 0x80 : 0) | (decrypt ? 1 : 0)), key, klen,
                iv, ivlen, in, len, got);
    const char *out = cc_batch_enc(nc_strf("aes-%zu-%s", klen * 8, names[mode]),
                                decrypt && mode != 3, key, klen, iv, ivlen,
                                cc_file_put_at(cc_batch_file("in.bin"),
                                         in, len));
    cc_batch_check(nc_strf("AES-%zu-%s %s (%s engine), %zu bytes", klen * 8, names[mode],
                        decrypt ? "decrypt" : "encrypt", soft ? "software" : "coprocessor",
                        len), got, len, out);
}

Test(system_crypto_card, aes_matches_openssl)
{
    CryptoCard *cc = cc_boot_selected();
    static const size_t klens[] = { 16, 24, 32 };

    cc_batch_begin();
    for (int soft = 0; soft <= 1; soft++) {
        for (size_t k = 0; k < 3; k++) {
            for (uint8_t mode = 1; mode <= 3; mode++) {
                for (int dec = 0; dec <= 1; dec++) {
                    size_t len = 16 * (1 + (size_t)(rand() % 40));
                    if (mode == 3) {
                        len += (size_t)(rand() % 16);   /* CTR: any length */
                    }
                    aes_case(cc, mode, soft, klens[k], dec, len);
                }
            }
        }
    }
    /* longer than the crypto layer's bounce buffer, and extended APDUs */
    aes_case(cc, 2, false, 16, false, 4096);
    aes_case(cc, 3, false, 32, true, 5000);
    aes_case(cc, 2, true, 16, true, 4096);
    cc_batch_run();
}

Test(system_crypto_card, aes_rejects_bad_input)
{
    CryptoCard *cc = cc_boot_selected();
    uint8_t data[1 + 16 + 16 + 15] = { 16 };
    uint16_t sw;

    /* CBC with 15 bytes of input: not a multiple of the block */
    (void)cc_cmd(cc, INS_CIPHER, 0x02, 0x00, data, sizeof(data), NULL, &sw);
    cr_expect_eq(sw, 0x6A80, "CBC, 15 bytes: SW %04X", sw);
    /* a 15-byte AES key */
    data[0] = 15;
    (void)cc_cmd(cc, INS_CIPHER, 0x01, 0x00, data, 1 + 15 + 16, NULL, &sw);
    cr_expect_eq(sw, 0x6A80, "15-byte key: SW %04X", sw);
    /* software engine for TDES; unknown algorithm */
    (void)cc_cmd(cc, INS_CIPHER, 0x04, 0x80, data, sizeof(data), NULL, &sw);
    cr_expect_eq(sw, 0x6A86, "software TDES: SW %04X", sw);
    (void)cc_cmd(cc, INS_CIPHER, 0x06, 0x00, data, sizeof(data), NULL, &sw);
    cr_expect_eq(sw, 0x6A86, "P1 06: SW %04X", sw);
    /* still in service */
    uint8_t out[8];
    cc_cmd_ok(cc, INS_RANDOM, 0x00, 0x08, NULL, 0, out, "RANDOM after errors");
}

Test(system_crypto_card, tdes_matches_openssl)
{
    CryptoCard *cc = cc_boot_selected();

    for (int three = 0; three <= 1; three++) {
        for (uint8_t mode = 4; mode <= 5; mode++) {
            for (int dec = 0; dec <= 1; dec++) {
                size_t klen = three ? 24 : 16, ivlen = mode == 5 ? 8 : 0;
                size_t len = 8 * (1 + (size_t)(rand() % 64));
                uint8_t key[24], iv[8];
                uint8_t *in = nc_gc(malloc(len)), *want = nc_gc(malloc(len)),
                        *got = nc_gc(malloc(len));

                cc_rnd(key, klen);
                cc_rnd(iv, ivlen);
                cc_rnd(in, len);
                cc_card_cipher(cc, mode, (uint8_t)dec, key, klen, iv, ivlen, in, len, got);
                cc_openssl_enc(nc_strf("des-ede%s%s", three ? "3" : "", mode == 5 ? "-cbc" : ""),
                            dec, key, klen, iv, ivlen, in, len, want);
                cr_assert(memcmp(got, want, len) == 0, "TDES %s-key %s %s, %zu bytes",
                          three ? "3" : "2", mode == 5 ? "CBC" : "ECB",
                          dec ? "decrypt" : "encrypt", len);
            }
        }
    }
}

static size_t card_mac(CryptoCard *cc, uint8_t p1, const uint8_t *key, size_t klen,
                       const uint8_t *msg, size_t len, uint8_t *out)
{
    uint8_t *data = nc_gc(malloc(1 + klen + len));
    data[0] = (uint8_t)klen;
    memcpy(data + 1, key, klen);
    memcpy(data + 1 + klen, msg, len);
    return cc_cmd_ok(cc, INS_MAC, p1, 0x00, data, 1 + klen + len, out,
                  nc_strf("MAC %02X, %zu bytes", p1, len));
}

/* Queue openssl mac: CMAC (-cipher) or HMAC (-digest); the output file. */
static const char *batch_mac(const char *alg, const char *param, const char *value,
                             const uint8_t *key, size_t klen, const char *fin)
{
    const char *fout = cc_batch_file("mac.bin");
    const char *args[] = { "mac", param, value, "-macopt",
                           nc_strf("hexkey:%s", cc_hex_lower(key, klen)), "-binary",
                           "-in", fin, "-out", fout, alg, NULL };
    cc_batch_add(args);
    return fout;
}

/*
 * Queue ISO/IEC 9797-1 MAC algorithm 3 from openssl's TDES: padding method
 * 2, CBC-MAC with single DES K (3DES with K K K), then D with K', E with K.
 */
static const char *batch_retail_mac(const uint8_t *key, const uint8_t *msg, size_t len)
{
    size_t plen = (len / 8 + 1) * 8;
    uint8_t *p = nc_gc(calloc(1, plen));
    uint8_t kkk[24], k2k2k2[24], zero[8] = { 0 };

    memcpy(p, msg, len);
    p[len] = 0x80;
    for (int i = 0; i < 3; i++) {
        memcpy(kkk + 8 * i, key, 8);
        memcpy(k2k2k2 + 8 * i, key + 8, 8);
    }
    const char *fin = cc_batch_file("retail-in.bin");
    cc_file_put_at(fin, p, plen);
    const char *c = cc_batch_enc("des-ede3-cbc", false, kkk, 24, zero, 8, fin);
    const char *last = cc_batch_file("retail-last.bin");
    cc_batch_shell(nc_strf("tail -c 8 '%s' > '%s'", c, last));
    const char *h = cc_batch_enc("des-ede3", true, k2k2k2, 24, NULL, 0, last);
    return cc_batch_enc("des-ede3", false, kkk, 24, NULL, 0, h);
}

Test(system_crypto_card, mac_matches_openssl)
{
    CryptoCard *cc = cc_boot_selected();
    static const size_t lens[] = { 0, 1, 16, 63, 64, 200, 1500 };
    static const char *const digests[] = { "SHA256", "SHA384", "SHA512" };
    uint8_t key[256], *msg = nc_gc(malloc(2000)), got[64];

    cc_batch_begin();
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        size_t len = lens[i];

        cc_rnd(msg, len);
        const char *fin = cc_batch_file("msg.bin");
        cc_file_put_at(fin, msg, len);
        /* AES-CMAC, each key size */
        for (size_t klen = 16; klen <= 32; klen += 8) {
            cc_rnd(key, klen);
            size_t n = card_mac(cc, 0x01, key, klen, msg, len, got);
            cc_batch_check(nc_strf("CMAC AES-%zu, %zu bytes", klen * 8, len), got, n,
                        batch_mac("CMAC", "-cipher", nc_strf("AES-%zu-CBC", klen * 8),
                                  key, klen, fin));
        }
        /* retail MAC */
        cc_rnd(key, 16);
        size_t n = card_mac(cc, 0x02, key, 16, msg, len, got);
        cc_batch_check(nc_strf("retail MAC, %zu bytes", len), got, n,
                    batch_retail_mac(key, msg, len));
        /* HMAC, keys shorter and longer than the block */
        for (uint8_t d = 0; d < 3; d++) {
            size_t klen = 1 + (size_t)(rand() % 200);
            cc_rnd(key, klen);
            n = card_mac(cc, (uint8_t)(0x03 + d), key, klen, msg, len, got);
            cc_batch_check(nc_strf("HMAC-%s, key %zu, %zu bytes", digests[d], klen, len),
                        got, n, batch_mac("HMAC", "-digest", digests[d], key, klen, fin));
        }
    }
    cc_batch_run();
}

Test(system_crypto_card, hash_matches_openssl)
{
    CryptoCard *cc = cc_boot_selected();
    static const char *const names[] = { "", "sha1", "sha224", "sha256", "sha384", "sha512" };
    static const size_t lens[] = { 0, 3, 55, 56, 64, 111, 112, 128, 1000, 3000, 20000 };
    uint8_t *msg = nc_gc(malloc(20000)), got[64];

    cc_batch_begin();
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        cc_rnd(msg, lens[i]);
        const char *fin = cc_batch_file("msg.bin");
        cc_file_put_at(fin, msg, lens[i]);
        for (uint8_t alg = 1; alg <= 5; alg++) {
            size_t n = cc_cmd_ok(cc, INS_HASH, alg, 0x00, msg, lens[i], got,
                              nc_strf("HASH %s", names[alg]));
            const char *fout = cc_batch_file("digest.bin");
            const char *args[] = { "dgst", nc_strf("-%s", names[alg]), "-binary",
                                   "-out", fout, fin, NULL };
            cc_batch_add(args);
            cc_batch_check(nc_strf("%s of %zu bytes", names[alg], lens[i]), got, n, fout);
        }
    }
    cc_batch_run();
}


/* ---- random and the refused state ----------------------------------------- */

Test(system_crypto_card, random_bytes)
{
    CryptoCard *cc = cc_boot_selected();
    uint8_t *a = nc_gc(malloc(4096)), *b = nc_gc(malloc(4096));
    uint16_t sw;

    cr_assert_eq(cc_cmd_ok(cc, INS_RANDOM, 0x10, 0x00, NULL, 0, a, "RANDOM 4096"), 4096u);
    cr_assert_eq(cc_cmd_ok(cc, INS_RANDOM, 0x10, 0x00, NULL, 0, b, "RANDOM 4096"), 4096u);
    cr_assert(memcmp(a, b, 4096) != 0, "two RANDOM answers are equal");
    /* a crude sanity check (the real ones run on the card): bit balance */
    unsigned ones = 0;
    for (size_t i = 0; i < 4096; i++) {
        ones += (unsigned)__builtin_popcount(a[i]);
    }
    cr_assert(ones > 16384 - 1000 && ones < 16384 + 1000, "%u ones in 32768 bits", ones);
    cr_assert_eq(cc_cmd_ok(cc, INS_RANDOM, 0x00, 0x01, NULL, 0, a, "RANDOM 1"), 1u);
    (void)cc_cmd(cc, INS_RANDOM, 0x00, 0x00, NULL, 0, NULL, &sw);
    cr_assert_eq(sw, 0x6A86, "RANDOM 0: SW %04X", sw);
    (void)cc_cmd(cc, INS_RANDOM, 0x10, 0x01, NULL, 0, NULL, &sw);
    cr_assert_eq(sw, 0x6A86, "RANDOM 4097: SW %04X", sw);
}

static void set_trng_fault(CryptoCard *cc, const char *fault)
{
    nc_qmp(cc->card->qmp, "{'execute': 'qom-set', 'arguments': {'path': "
           "'/machine/soc/trng', 'property': 'fault', 'value': '%s'}}", fault);
}

/* Every command, even SELECT and a malformed one, now answers 6F00. */
static void expect_refused(CryptoCard *cc)
{
    uint8_t *resp = nc_gc(malloc(MAX_RAPDU));
    static const uint8_t echo[] = { 0x80, 0x10, 0x00, 0x00, 0x02, 0xAB, 0xCD, 0x00 };
    static const uint8_t bad[] = { 0x00, 0xA4 };
    uint16_t sw;

    cr_assert_eq(cc_select_applet(cc), 0x6F00, "SELECT on a refused card");
    size_t n = cc_transmit(cc, echo, sizeof(echo), resp);
    cr_assert(n == 2 && cc_sw_of(resp, n) == 0x6F00, "ECHO on a refused card: %s",
              nc_hex(resp, n));
    n = cc_transmit(cc, bad, sizeof(bad), resp);
    cr_assert_eq(cc_sw_of(resp, n), 0x6F00, "malformed APDU on a refused card");
    (void)cc_cmd(cc, INS_HASH, 0x03, 0x00, (const uint8_t *)"abc", 3, NULL, &sw);
    cr_assert_eq(sw, 0x6F00, "HASH on a refused card: SW %04X", sw);
}

/*
 * RANDOM of P1 x 256 bytes into OUT from a FAULT TRNG: 6F00, the refusal
 * line names HEALTH_TEST, and the card refuses everything after.
 */
static void random_refused(CryptoCard *cc, uint8_t p1, uint8_t *out,
                           const char *fault, const char *health_test)
{
    uint16_t sw;

    (void)cc_cmd(cc, INS_RANDOM, p1, 0x00, NULL, 0, out, &sw);
    cr_assert_eq(sw, 0x6F00, "RANDOM from a %s TRNG: SW %04X", fault, sw);
    regmatch_t m[2];
    char *line = nc_console_wait_re(cc->card->console, REFUSED_RE, m, 2, APDU_TIMEOUT_MS);
    cr_assert(strstr(nc_match_str(line, m, 1), health_test), "%s", line);
    expect_refused(cc);
}

Test(system_crypto_card, stuck_trng_at_run_time_refuses_service)
{
    CryptoCard *cc = cc_boot_selected();
    uint8_t out[256];

    cc_cmd_ok(cc, INS_RANDOM, 0x01, 0x00, NULL, 0, out, "RANDOM while healthy");
    set_trng_fault(cc, "stuck");
    /* 256 bytes = 64 words: more than the 16 healthy words in the FIFO */
    random_refused(cc, 0x01, out, "stuck", "repetition count");
}

Test(system_crypto_card, biased_trng_at_run_time_refuses_service)
{
    CryptoCard *cc = cc_boot_selected();
    uint8_t *out = nc_gc(malloc(4096));

    set_trng_fault(cc, "biased");
    /* 4096 bytes: 32 adaptive proportion windows */
    random_refused(cc, 0x10, out, "biased", "adaptive proportion");
}

Test(system_crypto_card, stuck_trng_at_boot_refuses_service)
{
    /* stuck from power-on (-global): the start-up test catches it */
    CryptoCard *cc = cc_boot("stuck");
    regmatch_t m[2];
    char *line = nc_console_wait_re(cc->card->console, REFUSED_RE, m, 2, BOOT_TIMEOUT_MS);
    cr_assert(strstr(nc_match_str(line, m, 1), "TRNG"), "%s", line);
    nc_console_wait(cc->card->console, "I boot: ready", READY_TIMEOUT_MS);
    /* the host powers the card on: refused again after the start-up test */
    cc_power_on(cc);
    nc_console_wait_re(cc->card->console, REFUSED_RE, NULL, 0, BOOT_TIMEOUT_MS);
    expect_refused(cc);

    /* set by QMP before a reset: the fault survives it, the card refuses
     * again; healthy again, the next power-on serves */
    set_trng_fault(cc, "none");
    cc_power_on(cc);
    nc_console_wait_re(cc->card->console, SELFTEST_RE, NULL, 0, BOOT_TIMEOUT_MS);
    cr_assert_eq(cc_select_applet(cc), 0x9000, "SELECT after a healthy power-on");
    set_trng_fault(cc, "stuck");
    cc_power_on(cc);
    nc_console_wait_re(cc->card->console, REFUSED_RE, NULL, 0, BOOT_TIMEOUT_MS);
    expect_refused(cc);
}
