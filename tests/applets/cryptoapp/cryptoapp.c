/*
 * cryptoapp: the system calls of interface 1.1 for the system tests
 * (tests/system/applets_flow.py "crypto"). CLA 80; a negative result r
 * of a system call answers 6A00 | -r (6A01 NC_E_INVAL ... 6A0A
 * NC_E_SECURITY).
 *   10 IMPORT    P1 type, data the key         handle (1)
 *   12 CRYPTO    P1 handle, P2 op, data: [iv (CBC: 16 AES, 8 3DES)]
 *                [sig (64 ECDSA verify; RSA verify: all but the last 32
 *                bytes)] input                 the output (verify: 1 byte)
 *   14 GENERATE  P1 type, P2 length (RSA: k / 8)  handle (1), public key
 *                (EC: X || Y; RSA: n)
 *   16 SAVE      P1 handle, P2 slot
 *   18 LOAD      P2 slot                       handle (1)
 *   1A ERASE     P2 slot
 *   1C DESTROY   P1 handle
 *   20 TIMER     P1 op, P2 id, data ms (4)     result (4, big-endian)
 *   22 INSTALLS  -                             how many install events ran (1)
 *   24 HASH      P1 alg, data                  the digest
 *   26 WRITE     P1 object, data               (its quota: 6A03)
 *   28 DEEP      P1P2 bytes of stack to use    (more than its stack: 6F00)
 *   2A OS OUT    P1 handle, P2 op: that operation with its output in OS
 *                RAM (stopped: 6F00)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "netcard/applet.h"

NC_PACKAGE("A00000007705", 1, 0, 1024, 64);
NC_MODULE("A0000000770501", cryptoapp);

static uint8_t buf[1024];         /* an RSA-2048 private key: 644 */
static uint8_t out[264];

static int fail(int32_t r)
{
    return 0x6A00 | (int)(-r & 0xFF);
}

static int one(int32_t r)
{
    uint8_t b = (uint8_t)r;

    if (r < 0) {
        return fail(r);
    }
    nc_send(&b, 1);
    return NC_SW_OK;
}

static int crypto(struct nc_apdu *a, uint32_t n)
{
    struct nc_crypto_req q;
    uint32_t op = a->p2, skip = 0;
    int32_t r;

    q.key = a->p1;
    q.op = op;
    q.iv = 0;
    if (op == NC_OP_AES_CBC_ENC || op == NC_OP_AES_CBC_DEC) {
        skip = 16;
    } else if (op == NC_OP_DES3_CBC_ENC || op == NC_OP_DES3_CBC_DEC ||
               op == NC_OP_ECDSA_VERIFY) {
        skip = op == NC_OP_ECDSA_VERIFY ? 64 : 8;
    } else if (op == NC_OP_RSA_VERIFY) {
        skip = n > 32 ? n - 32 : 32;
    }
    if (n < skip) {
        return NC_SW_WRONG_LENGTH;
    }
    q.iv = skip ? buf : 0;
    q.in = buf + skip;
    q.len = n - skip;
    q.out = op <= NC_OP_DES3_CBC_DEC && op != NC_OP_AES_CMAC &&
            op != NC_OP_HMAC_SHA256 ? buf + skip : out;
    r = nc_crypto(&q);
    if (r < 0) {
        return fail(r);
    }
    if (op == NC_OP_ECDSA_VERIFY || op == NC_OP_RSA_VERIFY) {
        return one(r);
    }
    nc_send(q.out, (uint32_t)r);
    return NC_SW_OK;
}

/* About N bytes of stack, 256 at a time. */
static uint32_t deep(uint32_t n)
{
    volatile uint8_t pad[256];

    pad[0] = (uint8_t)n;
    pad[255] = pad[0];
    return n > 256 ? deep(n - 256) + pad[255] : pad[255];
}

static int32_t be32(const uint8_t *p)
{
    return (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
                     (uint32_t)p[2] << 8 | p[3]);
}

int cryptoapp(unsigned event, struct nc_apdu *a)
{
    uint32_t n;
    int32_t r;
    uint8_t cnt = 0;

    if (event == NC_EV_INSTALL) {
        (void)nc_obj_read(0, &cnt, 1);
        cnt++;
        return nc_obj_write(0, &cnt, 1) == 0 ? 0 : 1;
    }
    if (event != NC_EV_PROCESS) {
        return 0;
    }
    n = a->nc < sizeof(buf) ? a->nc : sizeof(buf);
    if (n) {
        nc_data(0, buf, n);
    }
    switch (a->ins) {
    case 0x10:
        return one(nc_key_import(a->p1, buf, n));
    case 0x12:
        return crypto(a, n);
    case 0x14:
        n = a->p1 == NC_KEY_RSA ? (uint32_t)a->p2 * 8u : a->p2;
        r = nc_key_generate(a->p1, n, out);
        if (r < 0) {
            return fail(r);
        }
        buf[0] = (uint8_t)r;
        nc_send(buf, 1);
        if (a->p1 == NC_KEY_EC_P256) {
            nc_send(out, 64);
        } else if (a->p1 == NC_KEY_RSA) {
            nc_send(out, n);
        }
        return NC_SW_OK;
    case 0x16:
        r = nc_key_save(a->p1, a->p2);
        return r < 0 ? fail(r) : NC_SW_OK;
    case 0x18:
        return one(nc_key_load(a->p2));
    case 0x1A:
        r = nc_key_erase(a->p2);
        return r < 0 ? fail(r) : NC_SW_OK;
    case 0x1C:
        r = nc_key_destroy(a->p1);
        return r < 0 ? fail(r) : NC_SW_OK;
    case 0x20:
        r = nc_timer(a->p1, a->p2, n >= 4 ? (uint32_t)be32(buf) : 0);
        if (r < 0) {
            return fail(r);
        }
        out[0] = (uint8_t)(r >> 24);
        out[1] = (uint8_t)(r >> 16);
        out[2] = (uint8_t)(r >> 8);
        out[3] = (uint8_t)r;
        nc_send(out, 4);
        return NC_SW_OK;
    case 0x22:
        r = nc_obj_read(0, &cnt, 1);
        return one(r < 0 ? 0 : cnt);
    case 0x24:
        r = nc_hash(a->p1, buf, n, out);
        if (r < 0) {
            return fail(r);
        }
        nc_send(out, (uint32_t)r);
        return NC_SW_OK;
    case 0x26:
        r = nc_obj_write(a->p1, buf, n);
        return r < 0 ? fail(r) : NC_SW_OK;
    case 0x28:
        (void)deep((uint32_t)a->p1 << 8 | a->p2);
        return NC_SW_OK;
    case 0x2A: {
        struct nc_crypto_req q = { a->p1, a->p2, buf, n,
                                   (void *)0x20000200u, buf };

        return one(nc_crypto(&q));
    }
    default:
        return NC_SW_INS_UNKNOWN;
    }
}
