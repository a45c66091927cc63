/*
 * Device tests: the crypto coprocessor's public-key operations against
 * published vectors (RFC 6979) and OpenSSL as an independent peer (ECDSA
 * P-256/P-384 sign, verify and key generation, ECDH, RSA public and CRT).
 * The symmetric, hash, key-slot, DMA and robustness tests are in
 * test_crypto.c.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "crypto_util.h"

#include <sys/wait.h>

TestSuite(device_crypto_pk, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_DEVICE);

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

Test(device_crypto_pk, ecdsa_p256_verify_rfc6979)
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

Test(device_crypto_pk, ecdsa_p256_sign_keygen_checked_by_openssl)
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

Test(device_crypto_pk, ecdsa_p384_sign_verify_with_openssl)
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

Test(device_crypto_pk, ecdh_p256_p384_against_openssl)
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

Test(device_crypto_pk, rsa_public_and_crt_against_openssl)
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

