/*
 * Unit tests: MILENAGE (fs/milenage.h) on the card's software AES
 * (crypto/aes_soft.h) against the published test data: the implementers'
 * test sets of 3GPP TS 35.207 section 4 (test sets 1-6, also the first
 * six conformance test sets of TS 35.208 section 4.3) and TS 35.208
 * conformance test sets 7, 19 and 20. Each row (tests/lib/milenage_sets.h)
 * is typed from the documents (K, RAND, SQN, AMF, OP, OPc, f1, f1*, f2,
 * f5, f3, f4, f5*) and names its set; f1..f5 and OPc of every row were also checked with
 * osmo-auc-gen (libosmocore) when they were typed. c2/c3 (TS 33.102
 * 6.8.1.2) are checked on set 1 by their definition.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <criterion/criterion.h>
#include <string.h>

#include "crypto/aes_soft.h"
#include "fs/milenage.h"
#include "iso_hex.h"
#include "milenage_sets.h"

TestSuite(unit_fs_milenage, .timeout = 10);

static int soft_encrypt(void *ctx, const uint8_t in[16], uint8_t out[16])
{
    aes_soft_encrypt(ctx, in, out);
    return 0;
}

static void want(int n, const char *what, const uint8_t *got, size_t len,
                 const char *hex)
{
    uint8_t w[16];

    cr_assert_eq(hex_to_bytes(hex, w, sizeof(w)), len);
    cr_expect(memcmp(got, w, len) == 0, "test set %d: %s differs", n, what);
}

Test(unit_fs_milenage, ts_35_207_and_35_208_test_sets)
{
    for (size_t i = 0; i < MILENAGE_SETS; i++) {
        const struct mset *s = &milenage_sets[i];
        struct aes_soft aes;
        struct milenage_cipher ek = { soft_encrypt, &aes };
        uint8_t k[16], rand[16], sqn[6], amf[2], op[16], opc[16];
        uint8_t mac_a[8], mac_s[8], res[8], ck[16], ik[16], ak[6], aks[6];

        hex_to_bytes(s->k, k, 16);
        hex_to_bytes(s->rand, rand, 16);
        hex_to_bytes(s->sqn, sqn, 6);
        hex_to_bytes(s->amf, amf, 2);
        hex_to_bytes(s->op, op, 16);
        cr_assert_eq(aes_soft_setkey(&aes, k, 16), 0);
        cr_assert_eq(milenage_opc(&ek, op, opc), 0);
        want(s->n, "OPc", opc, 16, s->opc);
        cr_assert_eq(milenage_f1(&ek, opc, rand, sqn, amf, mac_a, mac_s), 0);
        want(s->n, "f1", mac_a, 8, s->f1);
        want(s->n, "f1*", mac_s, 8, s->f1s);
        cr_assert_eq(milenage_f2345(&ek, opc, rand, res, ck, ik, ak), 0);
        want(s->n, "f2", res, 8, s->f2);
        want(s->n, "f3", ck, 16, s->f3);
        want(s->n, "f4", ik, 16, s->f4);
        want(s->n, "f5", ak, 6, s->f5);
        cr_assert_eq(milenage_f5star(&ek, opc, rand, aks), 0);
        want(s->n, "f5*", aks, 6, s->f5s);
        /* outputs one at a time give the same values */
        memset(res, 0, sizeof(res));
        cr_assert_eq(milenage_f2345(&ek, opc, rand, res, NULL, NULL, NULL), 0);
        want(s->n, "f2 alone", res, 8, s->f2);
    }
}

/* TS 33.102 6.8.1.2: SRES = RES[0..3] xor RES[4..7] for a 64-bit RES,
 * Kc = CK1 xor CK2 xor IK1 xor IK2; computed here byte by byte from
 * test set 1's f2, f3, f4 (TS 35.208 4.3). */
Test(unit_fs_milenage, c2_c3_conversions)
{
    uint8_t res[8], ck[16], ik[16], sres[4], kc[8], w[8];

    hex_to_bytes(milenage_sets[0].f2, res, 8);
    hex_to_bytes(milenage_sets[0].f3, ck, 16);
    hex_to_bytes(milenage_sets[0].f4, ik, 16);
    milenage_c2(res, sres);
    /* a54211d5 xor e3ba50bf = 46f8416a */
    hex_to_bytes("46f8416a", w, 4);
    cr_expect(memcmp(sres, w, 4) == 0, "SRES");
    milenage_c3(ck, ik, kc);
    /* b40ba9a3c58b2a05 ^ bbf0d987b21bf8cb ^ f769bcd751044604 ^
     * 127672711c6d3441 */
    hex_to_bytes("eae4be823af9a08b", w, 8);
    cr_expect(memcmp(kc, w, 8) == 0, "Kc");
}

static int failing_encrypt(void *ctx, const uint8_t in[16], uint8_t out[16])
{
    (void)ctx;
    (void)in;
    memset(out, 0, 16);
    return -5;
}

Test(unit_fs_milenage, cipher_failure_is_returned)
{
    struct milenage_cipher ek = { failing_encrypt, NULL };
    uint8_t x[16] = { 0 }, o[16];

    cr_expect_eq(milenage_opc(&ek, x, o), -5);
    cr_expect_eq(milenage_f1(&ek, x, x, x, x, o, NULL), -5);
    cr_expect_eq(milenage_f2345(&ek, x, x, o, NULL, NULL, NULL), -5);
    cr_expect_eq(milenage_f5star(&ek, x, x, o), -5);
}
