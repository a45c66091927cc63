/*
 * MILENAGE (3GPP TS 35.206 4.1) on a caller's block cipher. Contract:
 * fs/milenage.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "fs/milenage.h"

static void xor16(uint8_t *out, const uint8_t *a, const uint8_t *b)
{
    for (unsigned i = 0; i < 16; i++) {
        out[i] = a[i] ^ b[i];
    }
}

/* Cyclic rotation of a 128-bit value by R bits towards the most
 * significant bit; R is a multiple of 8 for every MILENAGE constant. */
static void rot(uint8_t out[16], const uint8_t in[16], unsigned r)
{
    unsigned s = r / 8;

    for (unsigned i = 0; i < 16; i++) {
        out[i] = in[(i + s) % 16];
    }
}

int milenage_opc(const struct milenage_cipher *ek, const uint8_t op[16],
                 uint8_t opc[16])
{
    uint8_t t[16];
    int rc = ek->encrypt(ek->ctx, op, t);

    xor16(opc, t, op);
    memset(t, 0, sizeof(t));
    return rc;
}

/* TEMP = E_K(RAND xor OPc) */
static int temp_of(const struct milenage_cipher *ek, const uint8_t opc[16],
                   const uint8_t rand[16], uint8_t temp[16])
{
    uint8_t x[16];

    xor16(x, rand, opc);
    return ek->encrypt(ek->ctx, x, temp);
}

/* OUTn = E_K(rot(TEMP xor OPc, rn) xor cn) xor OPc, cn = 0..0 N */
static int out_n(const struct milenage_cipher *ek, const uint8_t opc[16],
                 const uint8_t temp[16], unsigned r, uint8_t c,
                 uint8_t out[16])
{
    uint8_t x[16], y[16];
    int rc;

    xor16(x, temp, opc);
    rot(y, x, r);
    y[15] ^= c;
    rc = ek->encrypt(ek->ctx, y, out);
    xor16(out, out, opc);
    return rc;
}

int milenage_f1(const struct milenage_cipher *ek, const uint8_t opc[16],
                const uint8_t rand[16], const uint8_t sqn[6],
                const uint8_t amf[2], uint8_t mac_a[8], uint8_t mac_s[8])
{
    uint8_t temp[16], in1[16], x[16], y[16], out[16];
    int rc = temp_of(ek, opc, rand, temp);

    /* IN1 = SQN || AMF || SQN || AMF */
    memcpy(in1, sqn, 6);
    memcpy(in1 + 6, amf, 2);
    memcpy(in1 + 8, in1, 8);
    /* OUT1 = E_K(TEMP xor rot(IN1 xor OPc, r1 = 64) xor c1 = 0) xor OPc */
    xor16(x, in1, opc);
    rot(y, x, 64);
    xor16(y, y, temp);
    if (rc == 0) {
        rc = ek->encrypt(ek->ctx, y, out);
    }
    xor16(out, out, opc);
    if (mac_a) {
        memcpy(mac_a, out, 8);
    }
    if (mac_s) {
        memcpy(mac_s, out + 8, 8);
    }
    memset(temp, 0, sizeof(temp));
    memset(out, 0, sizeof(out));
    return rc;
}

int milenage_f2345(const struct milenage_cipher *ek, const uint8_t opc[16],
                   const uint8_t rand[16], uint8_t res[8], uint8_t ck[16],
                   uint8_t ik[16], uint8_t ak[6])
{
    uint8_t temp[16], out[16];
    int rc = temp_of(ek, opc, rand, temp);

    /* OUT2: r2 = 0, c2 = 1: RES = OUT2[64..127], AK = OUT2[0..47] */
    if (rc == 0 && (res || ak)) {
        rc = out_n(ek, opc, temp, 0, 1, out);
        if (res) {
            memcpy(res, out + 8, 8);
        }
        if (ak) {
            memcpy(ak, out, 6);
        }
    }
    /* OUT3: r3 = 32, c3 = 2: CK */
    if (rc == 0 && ck) {
        rc = out_n(ek, opc, temp, 32, 2, ck);
    }
    /* OUT4: r4 = 64, c4 = 4: IK */
    if (rc == 0 && ik) {
        rc = out_n(ek, opc, temp, 64, 4, ik);
    }
    memset(temp, 0, sizeof(temp));
    memset(out, 0, sizeof(out));
    return rc;
}

int milenage_f5star(const struct milenage_cipher *ek, const uint8_t opc[16],
                    const uint8_t rand[16], uint8_t ak_star[6])
{
    uint8_t temp[16], out[16];
    int rc = temp_of(ek, opc, rand, temp);

    /* OUT5: r5 = 96, c5 = 8: AK* = OUT5[0..47] */
    if (rc == 0) {
        rc = out_n(ek, opc, temp, 96, 8, out);
    }
    memcpy(ak_star, out, 6);
    memset(temp, 0, sizeof(temp));
    memset(out, 0, sizeof(out));
    return rc;
}

void milenage_c2(const uint8_t res[8], uint8_t sres[4])
{
    for (unsigned i = 0; i < 4; i++) {
        sres[i] = res[i] ^ res[i + 4];
    }
}

void milenage_c3(const uint8_t ck[16], const uint8_t ik[16], uint8_t kc[8])
{
    for (unsigned i = 0; i < 8; i++) {
        kc[i] = ck[i] ^ ck[i + 8] ^ ik[i] ^ ik[i + 8];
    }
}
