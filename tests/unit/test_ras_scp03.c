/*
 * Unit tests: the admin server's SCP03 host side (net/ras/ras_scp03.c)
 * against independent vectors: osmocom pySim's SCP03 unit-test values
 * (tests/vectors/scp03_pysim.h: AES-128/192/256, security levels 03, 11,
 * 33, i = 70) and GlobalPlatformPro's session in the shared
 * gp-traces/scp03-i70-gp.trace (pseudo-random card challenge, Amendment D
 * 6.2.2.1, with the ISD AID A000000151000000 and sequence counter 000010).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <criterion/criterion.h>
#include <string.h>

#include "ras/ras_codec.h"
#include "ras/ras_scp03.h"
#include "../vectors/scp03_pysim.h"

TestSuite(unit_ras_scp03);

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
    long n = ras_unhex(h, out, cap);
    cr_assert_geq(n, 0, "bad hex in the vector: %s", h);
    return (size_t)n;
}

static void expect_hex(const uint8_t *p, size_t n, const char *want,
                       const char *what, const char *name)
{
    uint8_t w[300];
    size_t wn = unhex(want, w, sizeof(w));
    char got[700];
    ras_hex(p, n, got);
    cr_expect(n == wn && memcmp(p, w, n) == 0, "%s %s: got %s, want %s",
              name, what, got, want);
}

Test(unit_ras_scp03, pysim_vectors)
{
    size_t nvec = sizeof(scp03_pysim) / sizeof(scp03_pysim[0]);
    cr_assert_eq(nvec, 9);
    for (size_t v = 0; v < nvec; v++) {
        const Scp03PysimVector *t = &scp03_pysim[v];
        RasScp03Keys k = { 0 };
        uint8_t kvn;
        unhex(t->kvn, &kvn, 1);
        k.kvn = kvn;
        k.key_len = unhex(t->enc, k.enc, 32);
        unhex(t->mac, k.mac, 32);
        unhex(t->dek, k.dek, 32);

        /* Our INITIALIZE UPDATE from the vector's host challenge. */
        uint8_t iu_want[14], iu[14];
        unhex(t->iu_cmd, iu_want, 14);
        cr_assert_eq(ras_scp03_initialize_update(k.kvn, iu_want + 5, iu), 14);
        expect_hex(iu, 14, t->iu_cmd, "INITIALIZE UPDATE", t->name);

        uint8_t rsp[40], ea_want[21], ea[21];
        size_t rn = unhex(t->iu_rsp, rsp, sizeof(rsp));
        unhex(t->ea_cmd, ea_want, 21);
        RasScp03Session s;
        int rc = ras_scp03_begin(&s, &k, iu_want + 5, rsp, rn, ea_want[2],
                                 NULL, 0, ea);
        cr_assert_eq(rc, 0, "%s: begin %d", t->name, rc);
        expect_hex(ea, 21, t->ea_cmd, "EXTERNAL AUTHENTICATE", t->name);

        const char *want[5] = { t->get_eid_cmd, t->case1, t->case2, t->case3,
                                t->case4 };
        for (int c = 0; c < 5; c++) {
            uint8_t in[64], out[96];
            size_t in_len = unhex(scp03_pysim_plain[c], in, sizeof(in));
            size_t out_len = 0;
            cr_assert_eq(ras_scp03_wrap(&s, in, in_len, out, &out_len), 0);
            expect_hex(out, out_len, want[c], scp03_pysim_plain[c], t->name);
        }
    }
}

Test(unit_ras_scp03, wrong_card_cryptogram_refused)
{
    const Scp03PysimVector *t = &scp03_pysim[0];
    RasScp03Keys k = { .kvn = 0x30 };
    k.key_len = unhex(t->enc, k.enc, 32);
    unhex(t->mac, k.mac, 32);
    uint8_t hc[14], rsp[40], ea[21];
    unhex(t->iu_cmd, hc, 14);
    size_t rn = unhex(t->iu_rsp, rsp, sizeof(rsp));
    rsp[25] ^= 1;                           /* inside the card cryptogram */
    RasScp03Session s;
    cr_expect_eq(ras_scp03_begin(&s, &k, hc + 5, rsp, rn, 0x11, NULL, 0, ea),
                 RAS_SCP03_E_CRYPTOGRAM);
    rn = unhex("6982", rsp, sizeof(rsp));
    cr_expect_eq(ras_scp03_begin(&s, &k, hc + 5, rsp, rn, 0x11, NULL, 0, ea),
                 RAS_SCP03_E_RESPONSE);
}

/* GlobalPlatformPro v21.12.31 against an i=70 card (scp03-i70-gp.trace):
 * C: 8050000008FFDFCDAA9E3A10F600
 * R: 0102030405060708090A30037081E02F9C4061653AC7460A47C28008340000109000
 * C: 84820100107BEE5533CF4AD96E645950CAD133E16E
 * keys 40..4F, ISD A000000151000000. */
Test(unit_ras_scp03, pseudo_random_challenge_gp_trace)
{
    RasScp03Keys k = { .kvn = 0x30, .key_len = 16 };
    for (int i = 0; i < 16; i++) {
        k.enc[i] = k.mac[i] = k.dek[i] = (uint8_t)(0x40 + i);
    }
    uint8_t hc[8], rsp[40], ea[21], aid[8];
    unhex("FFDFCDAA9E3A10F6", hc, 8);
    size_t rn = unhex("0102030405060708090A30037081E02F9C4061653AC7460A47C28008340000109000",
                      rsp, sizeof(rsp));
    unhex("A000000151000000", aid, 8);
    uint8_t chal[8];
    cr_assert_eq(ras_scp03_card_challenge(k.enc, 16, rsp + 29, aid, 8, chal), 0);
    expect_hex(chal, 8, "81E02F9C4061653A", "card challenge", "gp trace");
    RasScp03Session s;
    cr_assert_eq(ras_scp03_begin(&s, &k, hc, rsp, rn, 0x01, aid, 8, ea), 0);
    expect_hex(ea, 21, "84820100107BEE5533CF4AD96E645950CAD133E16E",
               "EXTERNAL AUTHENTICATE", "gp trace");
    /* Another ISD AID: the challenge no longer verifies. */
    aid[7] = 0x01;
    cr_expect_eq(ras_scp03_begin(&s, &k, hc, rsp, rn, 0x01, aid, 8, ea),
                 RAS_SCP03_E_CHALLENGE);
}
