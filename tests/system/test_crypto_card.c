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
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "system.h"
#include "iso_card.h"
#include "nc_openssl.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

TestSuite(system_crypto_card, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

#define APDU_TIMEOUT_MS  30000
#define MAX_RAPDU        (65536 + 2)

#define INS_CIPHER 0x50
#define INS_MAC    0x52
#define INS_HASH   0x54
#define INS_EC     0x56
#define INS_RANDOM 0x58
#define INS_RSA    0x5A

#define SELFTEST_RE "^I crypto: self-tests passed \\(([0-9]+) KATs, ([0-9]+) ms\\)$"
#define REFUSED_RE  "^E crypto: (.+) failed: card refuses service \\(6F00\\)$"

/* Seed of the host's random inputs (in failure messages, to replay). */
static unsigned seed;

typedef struct CryptoCard {
    NcCard *card;
    NcVpcd *vpcd;
    int port;
} CryptoCard;

static void seed_init(void);

static CryptoCard *boot(const char *trng_fault)
{
    seed_init();
    CryptoCard *cc = nc_gc(calloc(1, sizeof(*cc)));
    const char *fault[] = {
        "-global", trng_fault ? nc_strf("netcard-trng.fault=%s", trng_fault) : NULL, NULL,
    };

    cc->card = iso_card_start(trng_fault ? fault : NULL, &cc->port, &cc->vpcd);
    return cc;
}

static size_t transmit(CryptoCard *cc, const uint8_t *apdu, size_t len,
                       uint8_t *resp)
{
    nc_vpcd_send(cc->vpcd, apdu, len);
    return nc_vpcd_recv(cc->vpcd, resp, MAX_RAPDU, APDU_TIMEOUT_MS);
}

static uint16_t sw_of(const uint8_t *resp, size_t n)
{
    cr_assert_geq(n, 2u, "response too short: %s", nc_hex(resp, n));
    return (uint16_t)(resp[n - 2] << 8 | resp[n - 1]);
}

/* Power the card on from the host (a cold reset: self-tests run again). */
static void power_on(CryptoCard *cc)
{
    uint8_t atr[40];

    nc_vpcd_ctrl(cc->vpcd, NC_VPCD_OFF);
    nc_vpcd_ctrl(cc->vpcd, NC_VPCD_ON);
    nc_vpcd_ctrl(cc->vpcd, NC_VPCD_ATR);
    size_t n = nc_vpcd_recv(cc->vpcd, atr, sizeof(atr), APDU_TIMEOUT_MS);
    cr_assert_gt(n, 2u, "no ATR");
    nc_card_wait_banner(cc->card, "power-on", BOOT_TIMEOUT_MS);
}

static uint16_t select_applet(CryptoCard *cc)
{
    uint8_t *resp = nc_gc(malloc(MAX_RAPDU));
    size_t n = transmit(cc, select_test_applet, sizeof(select_test_applet), resp);
    return sw_of(resp, n);
}

static CryptoCard *boot_selected(void)
{
    CryptoCard *cc = boot(NULL);
    power_on(cc);
    nc_console_wait_re(cc->card->console, SELFTEST_RE, NULL, 0, BOOT_TIMEOUT_MS);
    cr_assert_eq(select_applet(cc), 0x9000, "SELECT test applet");
    return cc;
}

/*
 * Send CLA 80 INS P1 P2 with DATA as an extended case 4 APDU (case 2 when
 * LEN is 0), Le = 0000. Returns the response data length (SW in *SW).
 */
static size_t cmd(CryptoCard *cc, uint8_t ins, uint8_t p1, uint8_t p2,
                  const uint8_t *data, size_t len, uint8_t *out, uint16_t *sw)
{
    uint8_t *apdu = nc_gc(malloc(len + 9));
    uint8_t *resp = nc_gc(malloc(MAX_RAPDU));
    size_t n = 0;

    cr_assert_leq(len, 65535u);
    apdu[n++] = 0x80;
    apdu[n++] = ins;
    apdu[n++] = p1;
    apdu[n++] = p2;
    apdu[n++] = 0x00;
    if (len) {
        apdu[n++] = (uint8_t)(len >> 8);
        apdu[n++] = (uint8_t)len;
        memcpy(apdu + n, data, len);
        n += len;
    }
    apdu[n++] = 0x00;
    apdu[n++] = 0x00;
    size_t r = transmit(cc, apdu, n, resp);
    *sw = sw_of(resp, r);
    if (out) {
        memcpy(out, resp, r - 2);
    }
    return r - 2;
}

/* As cmd(), expecting 9000. */
static size_t cmd_ok(CryptoCard *cc, uint8_t ins, uint8_t p1, uint8_t p2,
                     const uint8_t *data, size_t len, uint8_t *out,
                     const char *what)
{
    uint16_t sw;
    size_t n = cmd(cc, ins, p1, p2, data, len, out, &sw);
    cr_assert_eq(sw, 0x9000, "%s: SW %04X (random seed %u)", what, sw, seed);
    return n;
}

/* ---- host side ------------------------------------------------------------ */


/* Seed rand(): NETCARD_TEST_SEED replays a run that failed. */
static void seed_init(void)
{
    const char *e = getenv("NETCARD_TEST_SEED");

    seed = e ? (unsigned)strtoul(e, NULL, 0) : (unsigned)time(NULL) ^ (unsigned)getpid();
    srand(seed);
}

static void rnd(uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        b[i] = (uint8_t)(rand() >> 7);
    }
}

static const char *file_put_at(const char *path, const uint8_t *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    cr_assert(f, "cannot write %s", path);
    cr_assert_eq(fwrite(b, 1, n, f), n);
    fclose(f);
    return path;
}

static const char *file_put(const char *name, const uint8_t *b, size_t n)
{
    return file_put_at(nc_tmp_path(name), b, n);
}

static size_t file_get(const char *path, uint8_t *b, size_t max)
{
    size_t n;
    char *s = nc_read_file(path, &n);
    cr_assert(s, "cannot read %s", path);
    cr_assert_leq(n, max, "%s: %zu bytes, room for %zu", path, n, max);
    memcpy(b, s, n);
    free(s);
    return n;
}

static char *hex_lower(const uint8_t *b, size_t n)
{
    char *s = nc_gc(malloc(2 * n + 1));
    for (size_t i = 0; i < n; i++) {
        sprintf(s + 2 * i, "%02x", b[i]);
    }
    s[2 * n] = 0;
    return s;
}

/*
 * Batches of openssl commands run by one shell (a test may start only so
 * many processes): batch_add() queues a command, batch_check() a
 * comparison of the card's bytes with a file the batch writes;
 * batch_run() runs the script and checks every comparison.
 */
typedef struct Check {
    char *what;
    uint8_t *got;
    size_t len;
    const char *file;
} Check;

static struct {
    FILE *script;
    const char *path;
    Check checks[200];
    size_t n_checks;
    int files;
} batch;

static void batch_begin(void)
{
    batch.path = nc_tmp_path("openssl-batch.sh");
    batch.script = fopen(batch.path, "w");
    cr_assert(batch.script);
    fprintf(batch.script, "set -e\n");
    batch.n_checks = 0;
}

/* A file name unique in this test. */
static const char *batch_file(const char *what)
{
    return nc_tmp_path(nc_strf("b%d-%s", batch.files++, what));
}

static void batch_add(const char *const *args)
{
    fprintf(batch.script, "'%s'", nc_tool("openssl", "openssl"));
    for (int i = 0; args[i]; i++) {
        fprintf(batch.script, " '%s'", args[i]);
    }
    fprintf(batch.script, "\n");
}

static void batch_shell(const char *line)
{
    fprintf(batch.script, "%s\n", line);
}

static void batch_check(const char *what, const uint8_t *got, size_t len,
                        const char *file)
{
    cr_assert_lt(batch.n_checks, sizeof(batch.checks) / sizeof(batch.checks[0]));
    Check *c = &batch.checks[batch.n_checks++];
    c->what = nc_strf("%s", what);
    c->got = nc_gc(malloc(len ? len : 1));
    memcpy(c->got, got, len);
    c->len = len;
    c->file = file;
}

static void batch_run(void)
{
    fclose(batch.script);
    const char *argv[] = { "/bin/sh", batch.path, NULL };
    NcSpawnOpts o = { .cwd = nc_tmpdir() };
    NcProc *p = nc_spawn("openssl-batch", argv, &o);
    int st = nc_proc_wait_exit(p, 120000);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "openssl batch: %s\n%s",
              nc_proc_describe(p), nc_proc_diag(p));
    for (size_t i = 0; i < batch.n_checks; i++) {
        Check *c = &batch.checks[i];
        uint8_t *want = nc_gc(malloc(c->len + 64));
        size_t n = file_get(c->file, want, c->len + 64);
        cr_assert(n == c->len && memcmp(want, c->got, n) == 0,
                  "%s (random seed %u): card %s, openssl %s", c->what, seed, nc_hex(c->got, c->len > 48 ? 48 : c->len),
                  nc_hex(want, n > 48 ? 48 : n));
    }
}

/* ARGS (room for 16) = openssl enc (no padding) of file FIN into FOUT. */
static void enc_args(const char **args, const char *cipher, bool decrypt,
                     const uint8_t *key, size_t klen, const uint8_t *iv,
                     size_t ivlen, const char *fin, const char *fout)
{
    int n = 0;

    args[n++] = "enc";
    args[n++] = nc_strf("-%s", cipher);
    args[n++] = "-K";
    args[n++] = hex_lower(key, klen);
    if (ivlen) {
        args[n++] = "-iv";
        args[n++] = hex_lower(iv, ivlen);
    }
    args[n++] = "-nopad";
    if (decrypt) {
        args[n++] = "-d";
    }
    args[n++] = "-in";
    args[n++] = fin;
    args[n++] = "-out";
    args[n++] = fout;
    args[n] = NULL;
}

/* Queue openssl enc (no padding) of IN; returns the output file. */
static const char *batch_enc(const char *cipher, bool decrypt, const uint8_t *key,
                             size_t klen, const uint8_t *iv, size_t ivlen,
                             const char *fin)
{
    const char *fout = batch_file("enc.bin");
    const char *args[16];

    enc_args(args, cipher, decrypt, key, klen, iv, ivlen, fin, fout);
    batch_add(args);
    return fout;
}

/* openssl enc, no padding: OUT = cipher(IN). */
static void openssl_enc(const char *cipher, bool decrypt, const uint8_t *key,
                        size_t klen, const uint8_t *iv, size_t ivlen,
                        const uint8_t *in, size_t len, uint8_t *out)
{
    const char *fin = file_put("enc-in.bin", in, len);
    const char *fout = nc_tmp_path("enc-out.bin");
    const char *args[16];

    enc_args(args, cipher, decrypt, key, klen, iv, ivlen, fin, fout);
    (void)nc_openssl_run(args);
    cr_assert_eq(file_get(fout, out, len), len, "openssl %s: output length", cipher);
}

/* The card's CIPHER command: Lk || key || iv || input. */
static void card_cipher(CryptoCard *cc, uint8_t p1, uint8_t p2, const uint8_t *key,
                        size_t klen, const uint8_t *iv, size_t ivlen,
                        const uint8_t *in, size_t len, uint8_t *out)
{
    uint8_t *data = nc_gc(malloc(1 + klen + ivlen + len));
    data[0] = (uint8_t)klen;
    memcpy(data + 1, key, klen);
    memcpy(data + 1 + klen, iv, ivlen);
    memcpy(data + 1 + klen + ivlen, in, len);
    size_t n = cmd_ok(cc, INS_CIPHER, p1, p2, data, 1 + klen + ivlen + len, out,
                      nc_strf("CIPHER %02X %02X, %zu bytes", p1, p2, len));
    cr_assert_eq(n, len, "CIPHER %02X %02X: %zu bytes back for %zu", p1, p2, n, len);
}

/* ---- tests ---------------------------------------------------------------- */

Test(system_crypto_card, self_tests_pass_at_boot)
{
    CryptoCard *cc = boot(NULL);
    regmatch_t m[3];
    char *line = nc_console_wait_re(cc->card->console, SELFTEST_RE, m, 3,
                                    BOOT_TIMEOUT_MS);
    cr_assert_gt(atoi(nc_match_str(line, m, 1)), 0, "%s", line);
    nc_console_wait(cc->card->console, "I boot: ready", READY_TIMEOUT_MS);
    /* a host power-on (cold reset) runs them again */
    power_on(cc);
    nc_console_wait_re(cc->card->console, SELFTEST_RE, NULL, 0, BOOT_TIMEOUT_MS);
    cr_assert_eq(select_applet(cc), 0x9000);
}

static void aes_case(CryptoCard *cc, uint8_t mode, bool soft, size_t klen,
                     bool decrypt, size_t len)
{
    static const char *const names[] = { "", "ecb", "cbc", "ctr" };
    uint8_t key[32], iv[16];
    uint8_t *in = nc_gc(malloc(len)), *got = nc_gc(malloc(len));
    size_t ivlen = mode == 1 ? 0 : 16;

    rnd(key, klen);
    rnd(iv, ivlen);
    rnd(in, len);
    card_cipher(cc, mode, (uint8_t)((soft ? 0x80 : 0) | (decrypt ? 1 : 0)), key, klen,
                iv, ivlen, in, len, got);
    const char *out = batch_enc(nc_strf("aes-%zu-%s", klen * 8, names[mode]),
                                decrypt && mode != 3, key, klen, iv, ivlen,
                                file_put_at(batch_file("in.bin"),
                                         in, len));
    batch_check(nc_strf("AES-%zu-%s %s (%s engine), %zu bytes", klen * 8, names[mode],
                        decrypt ? "decrypt" : "encrypt", soft ? "software" : "coprocessor",
                        len), got, len, out);
}

Test(system_crypto_card, aes_matches_openssl)
{
    CryptoCard *cc = boot_selected();
    static const size_t klens[] = { 16, 24, 32 };

    batch_begin();
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
    batch_run();
}

Test(system_crypto_card, aes_rejects_bad_input)
{
    CryptoCard *cc = boot_selected();
    uint8_t data[1 + 16 + 16 + 15] = { 16 };
    uint16_t sw;

    /* CBC with 15 bytes of input: not a multiple of the block */
    (void)cmd(cc, INS_CIPHER, 0x02, 0x00, data, sizeof(data), NULL, &sw);
    cr_expect_eq(sw, 0x6A80, "CBC, 15 bytes: SW %04X", sw);
    /* a 15-byte AES key */
    data[0] = 15;
    (void)cmd(cc, INS_CIPHER, 0x01, 0x00, data, 1 + 15 + 16, NULL, &sw);
    cr_expect_eq(sw, 0x6A80, "15-byte key: SW %04X", sw);
    /* software engine for TDES; unknown algorithm */
    (void)cmd(cc, INS_CIPHER, 0x04, 0x80, data, sizeof(data), NULL, &sw);
    cr_expect_eq(sw, 0x6A86, "software TDES: SW %04X", sw);
    (void)cmd(cc, INS_CIPHER, 0x06, 0x00, data, sizeof(data), NULL, &sw);
    cr_expect_eq(sw, 0x6A86, "P1 06: SW %04X", sw);
    /* still in service */
    uint8_t out[8];
    cmd_ok(cc, INS_RANDOM, 0x00, 0x08, NULL, 0, out, "RANDOM after errors");
}

Test(system_crypto_card, tdes_matches_openssl)
{
    CryptoCard *cc = boot_selected();

    for (int three = 0; three <= 1; three++) {
        for (uint8_t mode = 4; mode <= 5; mode++) {
            for (int dec = 0; dec <= 1; dec++) {
                size_t klen = three ? 24 : 16, ivlen = mode == 5 ? 8 : 0;
                size_t len = 8 * (1 + (size_t)(rand() % 64));
                uint8_t key[24], iv[8];
                uint8_t *in = nc_gc(malloc(len)), *want = nc_gc(malloc(len)),
                        *got = nc_gc(malloc(len));

                rnd(key, klen);
                rnd(iv, ivlen);
                rnd(in, len);
                card_cipher(cc, mode, (uint8_t)dec, key, klen, iv, ivlen, in, len, got);
                openssl_enc(nc_strf("des-ede%s%s", three ? "3" : "", mode == 5 ? "-cbc" : ""),
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
    return cmd_ok(cc, INS_MAC, p1, 0x00, data, 1 + klen + len, out,
                  nc_strf("MAC %02X, %zu bytes", p1, len));
}

/* Queue openssl mac: CMAC (-cipher) or HMAC (-digest); the output file. */
static const char *batch_mac(const char *alg, const char *param, const char *value,
                             const uint8_t *key, size_t klen, const char *fin)
{
    const char *fout = batch_file("mac.bin");
    const char *args[] = { "mac", param, value, "-macopt",
                           nc_strf("hexkey:%s", hex_lower(key, klen)), "-binary",
                           "-in", fin, "-out", fout, alg, NULL };
    batch_add(args);
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
    const char *fin = batch_file("retail-in.bin");
    file_put_at(fin, p, plen);
    const char *c = batch_enc("des-ede3-cbc", false, kkk, 24, zero, 8, fin);
    const char *last = batch_file("retail-last.bin");
    batch_shell(nc_strf("tail -c 8 '%s' > '%s'", c, last));
    const char *h = batch_enc("des-ede3", true, k2k2k2, 24, NULL, 0, last);
    return batch_enc("des-ede3", false, kkk, 24, NULL, 0, h);
}

Test(system_crypto_card, mac_matches_openssl)
{
    CryptoCard *cc = boot_selected();
    static const size_t lens[] = { 0, 1, 16, 63, 64, 200, 1500 };
    static const char *const digests[] = { "SHA256", "SHA384", "SHA512" };
    uint8_t key[256], *msg = nc_gc(malloc(2000)), got[64];

    batch_begin();
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        size_t len = lens[i];

        rnd(msg, len);
        const char *fin = batch_file("msg.bin");
        file_put_at(fin, msg, len);
        /* AES-CMAC, each key size */
        for (size_t klen = 16; klen <= 32; klen += 8) {
            rnd(key, klen);
            size_t n = card_mac(cc, 0x01, key, klen, msg, len, got);
            batch_check(nc_strf("CMAC AES-%zu, %zu bytes", klen * 8, len), got, n,
                        batch_mac("CMAC", "-cipher", nc_strf("AES-%zu-CBC", klen * 8),
                                  key, klen, fin));
        }
        /* retail MAC */
        rnd(key, 16);
        size_t n = card_mac(cc, 0x02, key, 16, msg, len, got);
        batch_check(nc_strf("retail MAC, %zu bytes", len), got, n,
                    batch_retail_mac(key, msg, len));
        /* HMAC, keys shorter and longer than the block */
        for (uint8_t d = 0; d < 3; d++) {
            size_t klen = 1 + (size_t)(rand() % 200);
            rnd(key, klen);
            n = card_mac(cc, (uint8_t)(0x03 + d), key, klen, msg, len, got);
            batch_check(nc_strf("HMAC-%s, key %zu, %zu bytes", digests[d], klen, len),
                        got, n, batch_mac("HMAC", "-digest", digests[d], key, klen, fin));
        }
    }
    batch_run();
}

Test(system_crypto_card, hash_matches_openssl)
{
    CryptoCard *cc = boot_selected();
    static const char *const names[] = { "", "sha1", "sha224", "sha256", "sha384", "sha512" };
    static const size_t lens[] = { 0, 3, 55, 56, 64, 111, 112, 128, 1000, 3000, 20000 };
    uint8_t *msg = nc_gc(malloc(20000)), got[64];

    batch_begin();
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        rnd(msg, lens[i]);
        const char *fin = batch_file("msg.bin");
        file_put_at(fin, msg, lens[i]);
        for (uint8_t alg = 1; alg <= 5; alg++) {
            size_t n = cmd_ok(cc, INS_HASH, alg, 0x00, msg, lens[i], got,
                              nc_strf("HASH %s", names[alg]));
            const char *fout = batch_file("digest.bin");
            const char *args[] = { "dgst", nc_strf("-%s", names[alg]), "-binary",
                                   "-out", fout, fin, NULL };
            batch_add(args);
            batch_check(nc_strf("%s of %zu bytes", names[alg], lens[i]), got, n, fout);
        }
    }
    batch_run();
}

/* ---- EC ------------------------------------------------------------------- */

/* SubjectPublicKeyInfo (RFC 5480) prefixes for an uncompressed point. */
static const char spki_p256[] =
    "3059301306072A8648CE3D020106082A8648CE3D030107034200";
static const char spki_p384[] =
    "3076301006072A8648CE3D020106052B81040022036200";

static const char *write_spki(uint8_t curve, const uint8_t *point, size_t plen)
{
    uint8_t der[160];
    size_t n = nc_unhex(curve == 1 ? spki_p256 : spki_p384, der, sizeof(der));
    memcpy(der + n, point, plen);
    return file_put("card-pub.der", der, n + plen);
}

static size_t der_int(uint8_t *out, const uint8_t *v, size_t len)
{
    while (len > 1 && v[0] == 0) {
        v++;
        len--;
    }
    size_t n = 0;
    out[n++] = 0x02;
    out[n++] = (uint8_t)(len + (v[0] & 0x80 ? 1 : 0));
    if (v[0] & 0x80) {
        out[n++] = 0;
    }
    memcpy(out + n, v, len);
    return n + len;
}

/* r || s (CS bytes each) as an ECDSA-Sig-Value (SEQUENCE of two INTEGERs). */
static size_t sig_to_der(const uint8_t *rs, size_t cs, uint8_t *der)
{
    uint8_t body[120];
    size_t n = der_int(body, rs, cs);
    n += der_int(body + n, rs + cs, cs);
    der[0] = 0x30;
    der[1] = (uint8_t)n;
    memcpy(der + 2, body, n);
    return n + 2;
}

static void der_to_sig(const uint8_t *der, size_t len, size_t cs, uint8_t *rs)
{
    size_t i = 2;
    cr_assert(len > 8 && der[0] == 0x30, "not a DER signature: %s", nc_hex(der, len));
    if (der[1] == 0x81) {
        i = 3;
    }
    memset(rs, 0, 2 * cs);
    for (int k = 0; k < 2; k++) {
        cr_assert_eq(der[i], 0x02);
        size_t l = der[i + 1];
        const uint8_t *v = der + i + 2;
        i += 2 + l;
        while (l > cs) {
            v++;
            l--;
        }
        memcpy(rs + k * cs + (cs - l), v, l);
    }
}

static const char *host_ec_key(uint8_t curve, uint8_t *point)
{
    const char *pem = nc_tmp_path("host-ec.pem");
    const char *pub = nc_tmp_path("host-ec-pub.der");
    const char *a1[] = { "ecparam", "-name", curve == 1 ? "prime256v1" : "secp384r1",
                         "-genkey", "-noout", "-out", pem, NULL };
    (void)nc_openssl_run(a1);
    const char *a2[] = { "pkey", "-in", pem, "-pubout", "-outform", "DER", "-out", pub,
                         NULL };
    (void)nc_openssl_run(a2);
    uint8_t der[160];
    size_t n = file_get(pub, der, sizeof(der));
    size_t plen = curve == 1 ? 65 : 97;
    memcpy(point, der + n - plen, plen);
    cr_assert_eq(point[0], 0x04);
    return pem;
}

static void ec_sign_verify(CryptoCard *cc, uint8_t curve)
{
    size_t cs = curve == 1 ? 32 : 48, plen = 1 + 2 * cs;
    uint8_t pub[97], hash[64], sig[96], der[120];
    size_t n;

    /* the card generates a key pair and signs; openssl verifies */
    n = cmd_ok(cc, INS_EC, 0x01, curve, NULL, 0, pub, "EC GENERATE");
    cr_assert_eq(n, plen);
    cr_assert_eq(pub[0], 0x04);
    const char *spki = write_spki(curve, pub, plen);
    for (int i = 0; i < 3; i++) {
        size_t hl = i == 0 ? cs : i == 1 ? 32 : 64;    /* also truncation */
        rnd(hash, hl);
        n = cmd_ok(cc, INS_EC, 0x02, curve, hash, hl, sig, "EC SIGN");
        cr_assert_eq(n, 2 * cs);
        size_t dl = sig_to_der(sig, cs, der);
        const char *args[] = { "pkeyutl", "-verify", "-pubin", "-keyform", "DER",
                               "-inkey", spki, "-in", file_put("hash.bin", hash, hl),
                               "-sigfile", file_put("sig.der", der, dl), NULL };
        char *out = nc_openssl_run(args);
        cr_assert(strstr(out, "Signature Verified Successfully"),
                  "openssl does not verify the card's signature: %s", out);
    }

    /* openssl signs; the card verifies (and rejects a changed hash) */
    uint8_t hpoint[97], data[1 + 96 + 96 + 64];
    const char *pem = host_ec_key(curve, hpoint);
    rnd(hash, cs);
    const char *sigf = nc_tmp_path("host-sig.der");
    const char *args[] = { "pkeyutl", "-sign", "-inkey", pem, "-in",
                           file_put("hash2.bin", hash, cs), "-out", sigf, NULL };
    (void)nc_openssl_run(args);
    size_t dl = file_get(sigf, der, sizeof(der));
    der_to_sig(der, dl, cs, sig);
    memcpy(data, hpoint, plen);
    memcpy(data + plen, sig, 2 * cs);
    memcpy(data + plen + 2 * cs, hash, cs);
    uint8_t v[1];
    n = cmd_ok(cc, INS_EC, 0x03, curve, data, plen + 3 * cs, v, "EC VERIFY");
    cr_assert(n == 1 && v[0] == 0x01, "the card rejects openssl's signature");
    data[plen + 2 * cs] ^= 0x01;
    n = cmd_ok(cc, INS_EC, 0x03, curve, data, plen + 3 * cs, v, "EC VERIFY (bad)");
    cr_assert(n == 1 && v[0] == 0x00, "the card accepts a signature over another hash");
    /* a point that is not on the curve: 6A80 */
    data[plen + 2 * cs] ^= 0x01;
    data[plen - 1] ^= 0x01;
    uint16_t sw;
    (void)cmd(cc, INS_EC, 0x03, curve, data, plen + 3 * cs, v, &sw);
    cr_assert_eq(sw, 0x6A80, "point off the curve: SW %04X", sw);

    /* ECDH: the card's key with openssl's, and openssl's derivation */
    uint8_t z[48], zw[48];
    n = cmd_ok(cc, INS_EC, 0x04, curve, hpoint, plen, z, "EC ECDH");
    cr_assert_eq(n, cs);
    const char *zf = nc_tmp_path("z.bin");
    const char *a2[] = { "pkeyutl", "-derive", "-inkey", pem, "-peerkey", spki,
                         "-peerform", "DER", "-out", zf, NULL };
    (void)nc_openssl_run(a2);
    cr_assert_eq(file_get(zf, zw, sizeof(zw)), cs);
    cr_assert(memcmp(z, zw, cs) == 0, "ECDH: card %s, openssl %s", nc_hex(z, cs),
              nc_hex(zw, cs));
}

Test(system_crypto_card, ecdsa_and_ecdh_p256_match_openssl)
{
    CryptoCard *cc = boot_selected();
    uint16_t sw;
    uint8_t h[32] = { 0 }, peer[65] = { 0x04 };

    /* SIGN / ECDH before GENERATE: 6985 (the self-tests leave no key) */
    (void)cmd(cc, INS_EC, 0x02, 0x01, h, sizeof(h), NULL, &sw);
    cr_assert_eq(sw, 0x6985, "SIGN without a key: SW %04X", sw);
    (void)cmd(cc, INS_EC, 0x04, 0x01, peer, sizeof(peer), NULL, &sw);
    cr_assert_eq(sw, 0x6985, "ECDH without a key: SW %04X", sw);
    ec_sign_verify(cc, 1);
}

Test(system_crypto_card, ecdsa_and_ecdh_p384_match_openssl)
{
    CryptoCard *cc = boot_selected();
    uint16_t sw;
    uint8_t h[32] = { 0 };

    /* SIGN before any key of the curve was generated: 6985 */
    (void)cmd(cc, INS_EC, 0x02, 0x02, h, sizeof(h), NULL, &sw);
    cr_assert_eq(sw, 0x6985, "SIGN without a key: SW %04X", sw);
    ec_sign_verify(cc, 2);
}

/* ---- RSA ------------------------------------------------------------------ */

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
           c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/*
 * A field ("modulus:", "prime1:", ...) of `openssl rsa -text -noout`: the
 * indented lines "    00:e4:2a:..." after its label, as WIDTH bytes.
 */
static size_t rsa_field(const char *text, const char *name, uint8_t *out, size_t width)
{
    const char *p = strstr(text, nc_strf("\n%s:", name));
    if (!p && strncmp(text, nc_strf("%s:", name), strlen(name) + 1) == 0) {
        p = text - 1;
    }
    cr_assert(p, "no %s in openssl rsa -text", name);
    p = strchr(p + 1, '\n');
    cr_assert(p);
    p++;
    uint8_t tmp[600];
    size_t n = 0;
    while (*p == ' ') {
        while (*p && *p != '\n') {
            if (hexval(p[0]) >= 0 && hexval(p[1]) >= 0) {
                if (n == sizeof(tmp)) {
                    cr_assert_fail("%s: too long", name);
                }
                tmp[n++] = (uint8_t)(hexval(p[0]) << 4 | hexval(p[1]));
                p += 2;
            } else {
                p++;
            }
        }
        if (*p == '\n') {
            p++;
        }
    }
    const uint8_t *v = tmp;
    while (n > width && *v == 0) {
        v++;
        n--;
    }
    cr_assert_leq(n, width, "%s wider than %zu bytes (%zu)", name, width, n);
    memset(out, 0, width - n);
    memcpy(out + width - n, v, n);
    return width;
}

static void rsa_case(CryptoCard *cc, unsigned bits)
{
    size_t k = bits / 8, h = k / 2;
    const char *pem = nc_tmp_path(nc_strf("rsa%u.pem", bits));
    const char *a1[] = { "genrsa", "-out", pem, nc_strf("%u", bits), NULL };
    (void)nc_openssl_run(a1);
    const char *a2[] = { "rsa", "-in", pem, "-text", "-noout", NULL };
    char *text = nc_openssl_run(a2);
    uint8_t *d = nc_gc(malloc(2 + 5 * h + k + 8)), *x = nc_gc(malloc(k)),
            *got = nc_gc(malloc(k + 2)), *want = nc_gc(malloc(k));

    /* x < n: top byte 00 */
    rnd(x, k);
    x[0] = 0;
    /* public: k || n || e || x */
    d[0] = (uint8_t)(k >> 8);
    d[1] = (uint8_t)k;
    rsa_field(text, "modulus", d + 2, k);
    const char *e = strstr(text, "publicExponent: ");
    cr_assert(e);
    unsigned long ev = strtoul(e + 16, NULL, 10);
    d[2 + k] = (uint8_t)(ev >> 24);
    d[3 + k] = (uint8_t)(ev >> 16);
    d[4 + k] = (uint8_t)(ev >> 8);
    d[5 + k] = (uint8_t)ev;
    memcpy(d + 6 + k, x, k);
    size_t n = cmd_ok(cc, INS_RSA, 0x01, 0x00, d, 6 + 2 * k, got, "RSA public");
    cr_assert_eq(n, k);
    const char *fy = nc_tmp_path("rsa-y.bin");
    const char *a3[] = { "pkeyutl", "-encrypt", "-inkey", pem, "-pkeyopt",
                         "rsa_padding_mode:none", "-in", file_put("rsa-x.bin", x, k),
                         "-out", fy, NULL };
    (void)nc_openssl_run(a3);
    cr_assert_eq(file_get(fy, want, k), k);
    cr_assert(memcmp(got, want, k) == 0, "RSA-%u public op differs from openssl", bits);

    /* CRT private: h || p || q || dP || dQ || qInv || y -> x */
    d[0] = (uint8_t)(h >> 8);
    d[1] = (uint8_t)h;
    rsa_field(text, "prime1", d + 2, h);
    rsa_field(text, "prime2", d + 2 + h, h);
    rsa_field(text, "exponent1", d + 2 + 2 * h, h);
    rsa_field(text, "exponent2", d + 2 + 3 * h, h);
    rsa_field(text, "coefficient", d + 2 + 4 * h, h);
    memcpy(d + 2 + 5 * h, want, k);
    n = cmd_ok(cc, INS_RSA, 0x02, 0x00, d, 2 + 5 * h + k, got, "RSA private");
    cr_assert_eq(n, k);
    cr_assert(memcmp(got, x, k) == 0, "RSA-%u CRT op does not invert openssl's", bits);
    /* openssl's private operation agrees */
    const char *fx = nc_tmp_path("rsa-x2.bin");
    const char *a4[] = { "pkeyutl", "-decrypt", "-inkey", pem, "-pkeyopt",
                         "rsa_padding_mode:none", "-in", fy, "-out", fx, NULL };
    (void)nc_openssl_run(a4);
    cr_assert_eq(file_get(fx, want, k), k);
    cr_assert(memcmp(want, x, k) == 0);

    /* an input >= n is refused with 6A80, the card stays in service */
    uint16_t sw;
    d[0] = (uint8_t)(k >> 8);
    d[1] = (uint8_t)k;
    rsa_field(text, "modulus", d + 2, k);
    memset(d + 6 + k, 0xff, k);
    (void)cmd(cc, INS_RSA, 0x01, 0x00, d, 6 + 2 * k, NULL, &sw);
    cr_assert_eq(sw, 0x6A80, "RSA x >= n: SW %04X", sw);
}

Test(system_crypto_card, rsa_matches_openssl)
{
    CryptoCard *cc = boot_selected();
    rsa_case(cc, 1024);
    rsa_case(cc, 2048);
}

/* ---- random and the refused state ----------------------------------------- */

Test(system_crypto_card, random_bytes)
{
    CryptoCard *cc = boot_selected();
    uint8_t *a = nc_gc(malloc(4096)), *b = nc_gc(malloc(4096));
    uint16_t sw;

    cr_assert_eq(cmd_ok(cc, INS_RANDOM, 0x10, 0x00, NULL, 0, a, "RANDOM 4096"), 4096u);
    cr_assert_eq(cmd_ok(cc, INS_RANDOM, 0x10, 0x00, NULL, 0, b, "RANDOM 4096"), 4096u);
    cr_assert(memcmp(a, b, 4096) != 0, "two RANDOM answers are equal");
    /* a crude sanity check (the real ones run on the card): bit balance */
    unsigned ones = 0;
    for (size_t i = 0; i < 4096; i++) {
        ones += (unsigned)__builtin_popcount(a[i]);
    }
    cr_assert(ones > 16384 - 1000 && ones < 16384 + 1000, "%u ones in 32768 bits", ones);
    cr_assert_eq(cmd_ok(cc, INS_RANDOM, 0x00, 0x01, NULL, 0, a, "RANDOM 1"), 1u);
    (void)cmd(cc, INS_RANDOM, 0x00, 0x00, NULL, 0, NULL, &sw);
    cr_assert_eq(sw, 0x6A86, "RANDOM 0: SW %04X", sw);
    (void)cmd(cc, INS_RANDOM, 0x10, 0x01, NULL, 0, NULL, &sw);
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

    cr_assert_eq(select_applet(cc), 0x6F00, "SELECT on a refused card");
    size_t n = transmit(cc, echo, sizeof(echo), resp);
    cr_assert(n == 2 && sw_of(resp, n) == 0x6F00, "ECHO on a refused card: %s",
              nc_hex(resp, n));
    n = transmit(cc, bad, sizeof(bad), resp);
    cr_assert_eq(sw_of(resp, n), 0x6F00, "malformed APDU on a refused card");
    (void)cmd(cc, INS_HASH, 0x03, 0x00, (const uint8_t *)"abc", 3, NULL, &sw);
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

    (void)cmd(cc, INS_RANDOM, p1, 0x00, NULL, 0, out, &sw);
    cr_assert_eq(sw, 0x6F00, "RANDOM from a %s TRNG: SW %04X", fault, sw);
    regmatch_t m[2];
    char *line = nc_console_wait_re(cc->card->console, REFUSED_RE, m, 2, APDU_TIMEOUT_MS);
    cr_assert(strstr(nc_match_str(line, m, 1), health_test), "%s", line);
    expect_refused(cc);
}

Test(system_crypto_card, stuck_trng_at_run_time_refuses_service)
{
    CryptoCard *cc = boot_selected();
    uint8_t out[256];

    cmd_ok(cc, INS_RANDOM, 0x01, 0x00, NULL, 0, out, "RANDOM while healthy");
    set_trng_fault(cc, "stuck");
    /* 256 bytes = 64 words: more than the 16 healthy words in the FIFO */
    random_refused(cc, 0x01, out, "stuck", "repetition count");
}

Test(system_crypto_card, biased_trng_at_run_time_refuses_service)
{
    CryptoCard *cc = boot_selected();
    uint8_t *out = nc_gc(malloc(4096));

    set_trng_fault(cc, "biased");
    /* 4096 bytes: 32 adaptive proportion windows */
    random_refused(cc, 0x10, out, "biased", "adaptive proportion");
}

Test(system_crypto_card, stuck_trng_at_boot_refuses_service)
{
    /* stuck from power-on (-global): the start-up test catches it */
    CryptoCard *cc = boot("stuck");
    regmatch_t m[2];
    char *line = nc_console_wait_re(cc->card->console, REFUSED_RE, m, 2, BOOT_TIMEOUT_MS);
    cr_assert(strstr(nc_match_str(line, m, 1), "TRNG"), "%s", line);
    nc_console_wait(cc->card->console, "I boot: ready", READY_TIMEOUT_MS);
    /* the host powers the card on: refused again after the start-up test */
    power_on(cc);
    nc_console_wait_re(cc->card->console, REFUSED_RE, NULL, 0, BOOT_TIMEOUT_MS);
    expect_refused(cc);

    /* set by QMP before a reset: the fault survives it, the card refuses
     * again; healthy again, the next power-on serves */
    set_trng_fault(cc, "none");
    power_on(cc);
    nc_console_wait_re(cc->card->console, SELFTEST_RE, NULL, 0, BOOT_TIMEOUT_MS);
    cr_assert_eq(select_applet(cc), 0x9000, "SELECT after a healthy power-on");
    set_trng_fault(cc, "stuck");
    power_on(cc);
    nc_console_wait_re(cc->card->console, REFUSED_RE, NULL, 0, BOOT_TIMEOUT_MS);
    expect_refused(cc);
}
