/*
 * System tests: the card's public-key crypto (cardos/crypto/crypto.h) as a
 * host sees it, through the test application's EC and RSA commands over
 * ISO 7816 (crypto_card.h). ECDSA both ways (the card signs and openssl
 * verifies; openssl signs and the card verifies) on P-256 and P-384, ECDH
 * against openssl's derivation, raw RSA with an openssl-generated key.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "crypto_card.h"
#include "nc_openssl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TestSuite(system_crypto_card_pk, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

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
    return cc_file_put("card-pub.der", der, n + plen);
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
    size_t n = cc_file_get(pub, der, sizeof(der));
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
    n = cc_cmd_ok(cc, INS_EC, 0x01, curve, NULL, 0, pub, "EC GENERATE");
    cr_assert_eq(n, plen);
    cr_assert_eq(pub[0], 0x04);
    const char *spki = write_spki(curve, pub, plen);
    for (int i = 0; i < 3; i++) {
        size_t hl = i == 0 ? cs : i == 1 ? 32 : 64;    /* also truncation */
        cc_rnd(hash, hl);
        n = cc_cmd_ok(cc, INS_EC, 0x02, curve, hash, hl, sig, "EC SIGN");
        cr_assert_eq(n, 2 * cs);
        size_t dl = sig_to_der(sig, cs, der);
        const char *args[] = { "pkeyutl", "-verify", "-pubin", "-keyform", "DER",
                               "-inkey", spki, "-in", cc_file_put("hash.bin", hash, hl),
                               "-sigfile", cc_file_put("sig.der", der, dl), NULL };
        char *out = nc_openssl_run(args);
        cr_assert(strstr(out, "Signature Verified Successfully"),
                  "openssl does not verify the card's signature: %s", out);
    }

    /* openssl signs; the card verifies (and rejects a changed hash) */
    uint8_t hpoint[97], data[1 + 96 + 96 + 64];
    const char *pem = host_ec_key(curve, hpoint);
    cc_rnd(hash, cs);
    const char *sigf = nc_tmp_path("host-sig.der");
    const char *args[] = { "pkeyutl", "-sign", "-inkey", pem, "-in",
                           cc_file_put("hash2.bin", hash, cs), "-out", sigf, NULL };
    (void)nc_openssl_run(args);
    size_t dl = cc_file_get(sigf, der, sizeof(der));
    der_to_sig(der, dl, cs, sig);
    memcpy(data, hpoint, plen);
    memcpy(data + plen, sig, 2 * cs);
    memcpy(data + plen + 2 * cs, hash, cs);
    uint8_t v[1];
    n = cc_cmd_ok(cc, INS_EC, 0x03, curve, data, plen + 3 * cs, v, "EC VERIFY");
    cr_assert(n == 1 && v[0] == 0x01, "the card rejects openssl's signature");
    data[plen + 2 * cs] ^= 0x01;
    n = cc_cmd_ok(cc, INS_EC, 0x03, curve, data, plen + 3 * cs, v, "EC VERIFY (bad)");
    cr_assert(n == 1 && v[0] == 0x00, "the card accepts a signature over another hash");
    /* a point that is not on the curve: 6A80 */
    data[plen + 2 * cs] ^= 0x01;
    data[plen - 1] ^= 0x01;
    uint16_t sw;
    (void)cc_cmd(cc, INS_EC, 0x03, curve, data, plen + 3 * cs, v, &sw);
    cr_assert_eq(sw, 0x6A80, "point off the curve: SW %04X", sw);

    /* ECDH: the card's key with openssl's, and openssl's derivation */
    uint8_t z[48], zw[48];
    n = cc_cmd_ok(cc, INS_EC, 0x04, curve, hpoint, plen, z, "EC ECDH");
    cr_assert_eq(n, cs);
    const char *zf = nc_tmp_path("z.bin");
    const char *a2[] = { "pkeyutl", "-derive", "-inkey", pem, "-peerkey", spki,
                         "-peerform", "DER", "-out", zf, NULL };
    (void)nc_openssl_run(a2);
    cr_assert_eq(cc_file_get(zf, zw, sizeof(zw)), cs);
    cr_assert(memcmp(z, zw, cs) == 0, "ECDH: card %s, openssl %s", nc_hex(z, cs),
              nc_hex(zw, cs));
}

Test(system_crypto_card_pk, ecdsa_and_ecdh_p256_match_openssl)
{
    CryptoCard *cc = cc_boot_selected();
    uint16_t sw;
    uint8_t h[32] = { 0 }, peer[65] = { 0x04 };

    /* SIGN / ECDH before GENERATE: 6985 (the self-tests leave no key) */
    (void)cc_cmd(cc, INS_EC, 0x02, 0x01, h, sizeof(h), NULL, &sw);
    cr_assert_eq(sw, 0x6985, "SIGN without a key: SW %04X", sw);
    (void)cc_cmd(cc, INS_EC, 0x04, 0x01, peer, sizeof(peer), NULL, &sw);
    cr_assert_eq(sw, 0x6985, "ECDH without a key: SW %04X", sw);
    ec_sign_verify(cc, 1);
}

Test(system_crypto_card_pk, ecdsa_and_ecdh_p384_match_openssl)
{
    CryptoCard *cc = cc_boot_selected();
    uint16_t sw;
    uint8_t h[32] = { 0 };

    /* SIGN before any key of the curve was generated: 6985 */
    (void)cc_cmd(cc, INS_EC, 0x02, 0x02, h, sizeof(h), NULL, &sw);
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
    cc_rnd(x, k);
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
    size_t n = cc_cmd_ok(cc, INS_RSA, 0x01, 0x00, d, 6 + 2 * k, got, "RSA public");
    cr_assert_eq(n, k);
    const char *fy = nc_tmp_path("rsa-y.bin");
    const char *a3[] = { "pkeyutl", "-encrypt", "-inkey", pem, "-pkeyopt",
                         "rsa_padding_mode:none", "-in", cc_file_put("rsa-x.bin", x, k),
                         "-out", fy, NULL };
    (void)nc_openssl_run(a3);
    cr_assert_eq(cc_file_get(fy, want, k), k);
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
    n = cc_cmd_ok(cc, INS_RSA, 0x02, 0x00, d, 2 + 5 * h + k, got, "RSA private");
    cr_assert_eq(n, k);
    cr_assert(memcmp(got, x, k) == 0, "RSA-%u CRT op does not invert openssl's", bits);
    /* openssl's private operation agrees */
    const char *fx = nc_tmp_path("rsa-x2.bin");
    const char *a4[] = { "pkeyutl", "-decrypt", "-inkey", pem, "-pkeyopt",
                         "rsa_padding_mode:none", "-in", fy, "-out", fx, NULL };
    (void)nc_openssl_run(a4);
    cr_assert_eq(cc_file_get(fx, want, k), k);
    cr_assert(memcmp(want, x, k) == 0);

    /* an input >= n is refused with 6A80, the card stays in service */
    uint16_t sw;
    d[0] = (uint8_t)(k >> 8);
    d[1] = (uint8_t)k;
    rsa_field(text, "modulus", d + 2, k);
    memset(d + 6 + k, 0xff, k);
    (void)cc_cmd(cc, INS_RSA, 0x01, 0x00, d, 6 + 2 * k, NULL, &sw);
    cr_assert_eq(sw, 0x6A80, "RSA x >= n: SW %04X", sw);
}

Test(system_crypto_card_pk, rsa_matches_openssl)
{
    CryptoCard *cc = cc_boot_selected();
    rsa_case(cc, 1024);
    rsa_case(cc, 2048);
}
