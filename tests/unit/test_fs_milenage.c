/*
 * Unit tests: MILENAGE (fs/milenage.h) on the card's software AES
 * (crypto/aes_soft.h) against the published test data: the implementers'
 * test sets of 3GPP TS 35.207 section 4 (test sets 1-6, also the first
 * six conformance test sets of TS 35.208 section 4.3) and TS 35.208
 * conformance test sets 7, 19 and 20. Each row is typed from the
 * documents (K, RAND, SQN, AMF, OP, OPc, f1, f1*, f2, f5, f3, f4, f5*)
 * and names its set; f1..f5 and OPc of every row were also checked with
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

TestSuite(unit_fs_milenage, .timeout = 10);

struct mset {
    int n;
    const char *k, *rand, *sqn, *amf, *op, *opc;
    const char *f1, *f1s, *f2, *f5, *f3, *f4, *f5s;
};

static const struct mset sets[] = {
    /* TS 35.207 4.3 / TS 35.208 4.3 test set 1 */
    { 1, "465b5ce8b199b49faa5f0a2ee238a6bc", "23553cbe9637a89d218ae64dae47bf35", "ff9bb4d0b607", "b9b9",
      "cdc202d5123e20f62b6d676ac72cb318", "cd63cb71954a9f4e48a5994e37a02baf",
      "4a9ffac354dfafb3", "01cfaf9ec4e871e9", "a54211d5e3ba50bf", "aa689c648370",
      "b40ba9a3c58b2a05bbf0d987b21bf8cb",
      "f769bcd751044604127672711c6d3441", "451e8beca43b" },
    /* TS 35.207 4.3 / TS 35.208 4.3 test set 2 */
    { 2, "0396eb317b6d1c36f19c1c84cd6ffd16", "c00d603103dcee52c4478119494202e8", "fd8eef40df7d", "af17",
      "ff53bade17df5d4e793073ce9d7579fa", "53c15671c60a4b731c55b4a441c0bde2",
      "5df5b31807e258b0", "a8c016e51ef4a343", "d3a628ed988620f0", "c47783995f72",
      "58c433ff7a7082acd424220f2b67c556",
      "21a8c1f929702adb3e738488b9f5c5da", "30f1197061c1" },
    /* TS 35.207 4.3 / TS 35.208 4.3 test set 3 */
    { 3, "fec86ba6eb707ed08905757b1bb44b8f", "9f7c8d021accf4db213ccff0c7f71a6a", "9d0277595ffc", "725c",
      "dbc59adcb6f9a0ef735477b7fadf8374", "1006020f0a478bf6b699f15c062e42b3",
      "9cabc3e99baf7281", "95814ba2b3044324", "8011c48c0c214ed2", "33484dc2136b",
      "5dbdbb2954e8f3cde665b046179a5098",
      "59a92d3b476a0443487055cf88b2307b", "deacdd848cc6" },
    /* TS 35.207 4.3 / TS 35.208 4.3 test set 4 */
    { 4, "9e5944aea94b81165c82fbf9f32db751", "ce83dbc54ac0274a157c17f80d017bd6", "0b604a81eca8", "9e09",
      "223014c5806694c007ca1eeef57f004f", "a64a507ae1a2a98bb88eb4210135dc87",
      "74a58220cba84c49", "ac2cc74a96871837", "f365cd683cd92e96", "f0b9c08ad02e",
      "e203edb3971574f5a94b0d61b816345d",
      "0c4524adeac041c4dd830d20854fc46b", "6085a86c6f63" },
    /* TS 35.207 4.3 / TS 35.208 4.3 test set 5 */
    { 5, "4ab1deb05ca6ceb051fc98e77d026a84", "74b0cd6031a1c8339b2b6ce2b8c4a186", "e880a1b580b6", "9f07",
      "2d16c5cd1fdf6b22383584e3bef2a8d8", "dcf07cbd51855290b92a07a9891e523e",
      "49e785dd12626ef2", "9e85790336bb3fa2", "5860fc1bce351e7e", "31e11a609118",
      "7657766b373d1c2138f307e3de9242f9",
      "1c42e960d89b8fa99f2744e0708ccb53", "fe2555e54aa9" },
    /* TS 35.207 4.3 / TS 35.208 4.3 test set 6 */
    { 6, "6c38a116ac280c454f59332ee35c8c4f", "ee6466bc96202c5a557abbeff8babf63", "414b98222181", "4464",
      "1ba00a1a7c6700ac8c3ff3e96ad08725", "3803ef5363b947c6aaa225e58fae3934",
      "078adfb488241a57", "80246b8d0186bcf1", "16c8233f05a0ac28", "45b0f69ab06c",
      "3f8c7587fe8e4b233af676aede30ba3b",
      "a7466cc1e6b2a1337d49d3b66e95d7b4", "1f53cd2b1113" },
    /* TS 35.208 4.3 test set 7 */
    { 7, "2d609d4db0ac5bf0d2c0de267014de0d", "194aa756013896b74b4a2a3b0af4539e", "6bf69438c2e4", "5f67",
      "460a48385427aa39264aac8efc9e73e8", "c35a0ab0bcbfc9252caff15f24efbde0",
      "bd07d3003b9e5cc3", "bcb6c2fcad152250", "8c25a16cd918a1df", "7e6455f34cf3",
      "4cd0846020f8fa0731dd47cbdc6be411",
      "88ab80a415f15c73711254a1d388f696", "dc6dd01e8f15" },
    /* TS 35.208 4.3 test set 19 */
    { 19, "5122250214c33e723a5dd523fc145fc0", "81e92b6c0ee0e12ebceba8d92a99dfa5", "16f3b3f70fc2", "c3ab",
      "c9e8763286b5b9ffbdf56e1297d0887b", "981d464c7c52eb6e5036234984ad0bcf",
      "2a5c23d15ee351d5", "62dae3853f3af9d2", "28d7b0f2a2ec3de5", "ada15aeb7bb8",
      "5349fbe098649f948f5d2e973a81c00f",
      "9744871ad32bf9bbd1dd5ce54e3e2e5a", "d461bc15475d" },
    /* TS 35.208 4.3 test set 20 */
    { 20, "90dca4eda45b53cf0f12d7c9c3bc6a89", "9fddc72092c6ad036b6e464789315b78", "20f813bd4141", "61df",
      "3ffcfe5b7b1111589920d3528e84e655", "cb9cccc4b9258e6dca4760379fb82581",
      "09db94eab4f8149e", "a29468aa9775b527", "a95100e2760952cd", "83cfd54db913",
      "b5f2da03883b69f96bf52e029ed9ac45",
      "b4721368bc16ea67875c5598688bb0ef", "4f2039392ddc" },
};

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
    for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
        const struct mset *s = &sets[i];
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

    hex_to_bytes(sets[0].f2, res, 8);
    hex_to_bytes(sets[0].f3, ck, 16);
    hex_to_bytes(sets[0].f4, ik, 16);
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
