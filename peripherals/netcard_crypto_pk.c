/*
 * netcard crypto coprocessor: key slots and the public-key commands.
 * Key validation and storage (KEY_LOAD, KEY_ZEROIZE, KEY_ZEROIZE_ALL, and
 * the slots KEYGEN and ECDH write), the slot lookup every keyed command
 * uses, RSA (public and CRT) and ECC P-256/P-384 (ECDSA sign and verify,
 * ECDH, key generation). Each command is a netcard_crypto_op_*() of
 * netcard_crypto_internal.h. docs/crypto.md describes the key formats, the
 * commands and their timing.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/guest-random.h"
#include "qemu/bswap.h"
#include "netcard_crypto.h"
#include "netcard_crypto_internal.h"
#include "trace.h"

#include "mbedtls/bignum.h"
#include "mbedtls/ecp.h"
#include "mbedtls/ecdsa.h"
#include "mbedtls/ecdh.h"
#include "mbedtls/platform_util.h"

static int netcard_crypto_rng(void *opaque, unsigned char *buf, size_t len)
{
    qemu_guest_getrandom_nofail(buf, len);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Key slots                                                           */

void netcard_crypto_slot_zeroize(NetcardCryptoSlot *k)
{
    mbedtls_platform_zeroize(k, sizeof(*k));
}

static int curve_group(uint32_t curve, mbedtls_ecp_group *grp, size_t *cs)
{
    switch (curve) {
    case NETCARD_CRYPTO_CURVE_P256:
        *cs = 32;
        return mbedtls_ecp_group_load(grp, MBEDTLS_ECP_DP_SECP256R1);
    case NETCARD_CRYPTO_CURVE_P384:
        *cs = 48;
        return mbedtls_ecp_group_load(grp, MBEDTLS_ECP_DP_SECP384R1);
    default:
        return -1;
    }
}

static uint32_t ec_read_point(mbedtls_ecp_group *grp, mbedtls_ecp_point *q,
                              const uint8_t *xy, size_t cs)
{
    uint8_t buf[1 + 2 * 48];

    buf[0] = 0x04;
    memcpy(buf + 1, xy, 2 * cs);
    if (mbedtls_ecp_point_read_binary(grp, q, buf, 1 + 2 * cs) ||
        mbedtls_ecp_check_pubkey(grp, q)) {
        return NETCARD_CRYPTO_ERR_BAD_INPUT;
    }
    return NETCARD_CRYPTO_OK;
}

/* Is @data a valid key of @type and @len? */
static uint32_t key_validate(uint32_t type, const uint8_t *data, uint32_t len)
{
    switch (type) {
    case NETCARD_CRYPTO_KEY_AES:
        return (len == 16 || len == 24 || len == 32) ?
            NETCARD_CRYPTO_OK : NETCARD_CRYPTO_ERR_KEY_SIZE;
    case NETCARD_CRYPTO_KEY_TDES:
        return (len == 16 || len == 24) ?
            NETCARD_CRYPTO_OK : NETCARD_CRYPTO_ERR_KEY_SIZE;
    case NETCARD_CRYPTO_KEY_HMAC:
        return (len >= 1 && len <= NETCARD_CRYPTO_KEYDATA_SIZE) ?
            NETCARD_CRYPTO_OK : NETCARD_CRYPTO_ERR_KEY_SIZE;
    case NETCARD_CRYPTO_KEY_RSA_PUB: {
        uint32_t k = len - 4;

        if (len < 4 + 128 || len > 4 + 512 || k % 8) {
            return NETCARD_CRYPTO_ERR_KEY_SIZE;
        }
        /* n has exactly k bytes and is odd; e is odd and > 1 */
        if (data[0] == 0 || !(data[k - 1] & 1) || !(data[len - 1] & 1) ||
            ldl_be_p(data + k) < 3) {
            return NETCARD_CRYPTO_ERR_BAD_INPUT;
        }
        return NETCARD_CRYPTO_OK;
    }
    case NETCARD_CRYPTO_KEY_RSA_CRT: {
        uint32_t h = len / 5;

        if (len % 5 || h < 64 || h > 256 || h % 4) {
            return NETCARD_CRYPTO_ERR_KEY_SIZE;
        }
        /* p and q: h bytes each, odd, top byte non-zero */
        if (data[0] == 0 || data[h] == 0 || !(data[h - 1] & 1) ||
            !(data[2 * h - 1] & 1)) {
            return NETCARD_CRYPTO_ERR_BAD_INPUT;
        }
        return NETCARD_CRYPTO_OK;
    }
    case NETCARD_CRYPTO_KEY_P256_PRIV:
    case NETCARD_CRYPTO_KEY_P384_PRIV:
    case NETCARD_CRYPTO_KEY_P256_PUB:
    case NETCARD_CRYPTO_KEY_P384_PUB: {
        bool p256 = type == NETCARD_CRYPTO_KEY_P256_PRIV ||
                    type == NETCARD_CRYPTO_KEY_P256_PUB;
        bool priv = type == NETCARD_CRYPTO_KEY_P256_PRIV ||
                    type == NETCARD_CRYPTO_KEY_P384_PRIV;
        mbedtls_ecp_group grp;
        size_t cs;
        uint32_t err = NETCARD_CRYPTO_OK;

        if (len != (p256 ? 32u : 48u) * (priv ? 1 : 2)) {
            return NETCARD_CRYPTO_ERR_KEY_SIZE;
        }
        mbedtls_ecp_group_init(&grp);
        if (curve_group(p256 ? NETCARD_CRYPTO_CURVE_P256 :
                        NETCARD_CRYPTO_CURVE_P384, &grp, &cs)) {
            err = NETCARD_CRYPTO_ERR_INTERNAL;
        } else if (priv) {
            mbedtls_mpi d;

            mbedtls_mpi_init(&d);
            if (mbedtls_mpi_read_binary(&d, data, len) ||
                mbedtls_ecp_check_privkey(&grp, &d)) {
                err = NETCARD_CRYPTO_ERR_BAD_INPUT;
            }
            mbedtls_mpi_free(&d);
        } else {
            mbedtls_ecp_point q;

            mbedtls_ecp_point_init(&q);
            err = ec_read_point(&grp, &q, data, cs);
            mbedtls_ecp_point_free(&q);
        }
        mbedtls_ecp_group_free(&grp);
        return err;
    }
    default:
        return NETCARD_CRYPTO_ERR_KEY_TYPE;
    }
}

/* The slot named by CMD.KEY, checked for type and usage. */
uint32_t netcard_crypto_slot_get(NetcardCryptoState *s, uint32_t n,
                                 uint32_t type, uint32_t usage,
                                 NetcardCryptoSlot **out)
{
    NetcardCryptoSlot *k;

    if (n >= NETCARD_CRYPTO_NUM_SLOTS ||
        s->slots[n].type == NETCARD_CRYPTO_KEY_NONE) {
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: key slot %u is "
                      "empty or does not exist\n", n);
        return NETCARD_CRYPTO_ERR_BAD_SLOT;
    }
    k = &s->slots[n];
    if (k->type != type) {
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: key slot %u holds "
                      "type %u, the command needs type %u\n", n, k->type,
                      type);
        return NETCARD_CRYPTO_ERR_KEY_TYPE;
    }
    if (!(k->usage & usage)) {
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: key slot %u usage "
                      "0x%x does not allow 0x%x\n", n, k->usage, usage);
        return NETCARD_CRYPTO_ERR_KEY_USAGE;
    }
    *out = k;
    return NETCARD_CRYPTO_OK;
}

/* ------------------------------------------------------------------ */
/* Commands                                                            */

static uint64_t rsa_cycles(uint32_t cost, uint32_t k, int power)
{
    uint64_t c = cost;

    for (int i = 0; i < power; i++) {
        c = c * (k * 8) / 2048;
    }
    return c;
}

uint32_t netcard_crypto_op_rsa(NetcardCryptoState *s, uint32_t op,
                               NetcardCryptoJob *j)
{
    bool crt = op == NETCARD_CRYPTO_OP_RSA_CRT;
    uint32_t n = FIELD_EX32(s->cmd, CRYPTO_CMD, KEY);
    NetcardCryptoSlot *k;
    mbedtls_mpi N, E, X, Y, P, Q, DP, DQ, QI, M1, M2, H;
    uint8_t *in = NULL;
    uint32_t err, klen;
    int r = 0;

    if (crt) {
        err = netcard_crypto_slot_get(s, n, NETCARD_CRYPTO_KEY_RSA_CRT,
                                      NETCARD_CRYPTO_USE_SIGN, &k);
        if (err == NETCARD_CRYPTO_ERR_KEY_USAGE) {
            err = netcard_crypto_slot_get(s, n, NETCARD_CRYPTO_KEY_RSA_CRT,
                                          NETCARD_CRYPTO_USE_DECRYPT, &k);
        }
    } else {
        err = netcard_crypto_slot_get(s, n, NETCARD_CRYPTO_KEY_RSA_PUB,
                                      NETCARD_CRYPTO_USE_ENCRYPT, &k);
    }
    if (err) {
        return err;
    }
    klen = crt ? k->len / 5 * 2 : k->len - 4;
    if (s->len != klen) {
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: RSA LEN %u is not "
                      "the modulus length %u\n", s->len, klen);
        return NETCARD_CRYPTO_ERR_BAD_LEN;
    }
    err = netcard_crypto_dma_check(s, s->src, s->len, false);
    if (!err) {
        err = netcard_crypto_job_output(s, j, klen, s->src, s->len);
    }
    if (!err) {
        err = netcard_crypto_dma_fetch(s, s->src, s->len, &in);
    }
    if (err) {
        return err;
    }
    mbedtls_mpi_init(&N); mbedtls_mpi_init(&E); mbedtls_mpi_init(&X);
    mbedtls_mpi_init(&Y); mbedtls_mpi_init(&P); mbedtls_mpi_init(&Q);
    mbedtls_mpi_init(&DP); mbedtls_mpi_init(&DQ); mbedtls_mpi_init(&QI);
    mbedtls_mpi_init(&M1); mbedtls_mpi_init(&M2); mbedtls_mpi_init(&H);

    r = mbedtls_mpi_read_binary(&X, in, klen);
    if (crt) {
        uint32_t h = klen / 2;

        r = r ? r : mbedtls_mpi_read_binary(&P, k->data, h);
        r = r ? r : mbedtls_mpi_read_binary(&Q, k->data + h, h);
        r = r ? r : mbedtls_mpi_read_binary(&DP, k->data + 2 * h, h);
        r = r ? r : mbedtls_mpi_read_binary(&DQ, k->data + 3 * h, h);
        r = r ? r : mbedtls_mpi_read_binary(&QI, k->data + 4 * h, h);
        r = r ? r : mbedtls_mpi_mul_mpi(&N, &P, &Q);
    } else {
        r = r ? r : mbedtls_mpi_read_binary(&N, k->data, klen);
        r = r ? r : mbedtls_mpi_read_binary(&E, k->data + klen, 4);
    }
    if (!r && mbedtls_mpi_cmp_mpi(&X, &N) >= 0) {
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: RSA input is not "
                      "less than the modulus\n");
        err = NETCARD_CRYPTO_ERR_BAD_INPUT;
    } else if (!r && crt) {
        /* m1 = c^dP mod p, m2 = c^dQ mod q, h = qInv (m1 - m2) mod p */
        r = mbedtls_mpi_mod_mpi(&H, &X, &P);
        r = r ? r : mbedtls_mpi_exp_mod(&M1, &H, &DP, &P, NULL);
        r = r ? r : mbedtls_mpi_mod_mpi(&H, &X, &Q);
        r = r ? r : mbedtls_mpi_exp_mod(&M2, &H, &DQ, &Q, NULL);
        r = r ? r : mbedtls_mpi_sub_mpi(&H, &M1, &M2);
        r = r ? r : mbedtls_mpi_mul_mpi(&M1, &H, &QI);
        r = r ? r : mbedtls_mpi_mod_mpi(&H, &M1, &P);
        r = r ? r : mbedtls_mpi_mul_mpi(&M1, &H, &Q);
        r = r ? r : mbedtls_mpi_add_mpi(&Y, &M1, &M2);
        r = r ? r : mbedtls_mpi_mod_mpi(&Y, &Y, &N);
    } else if (!r) {
        r = mbedtls_mpi_exp_mod(&Y, &X, &E, &N, NULL);
    }
    if (!r && !err) {
        r = mbedtls_mpi_write_binary(&Y, j->out, klen);
    }
    mbedtls_mpi_free(&N); mbedtls_mpi_free(&E); mbedtls_mpi_free(&X);
    mbedtls_mpi_free(&Y); mbedtls_mpi_free(&P); mbedtls_mpi_free(&Q);
    mbedtls_mpi_free(&DP); mbedtls_mpi_free(&DQ); mbedtls_mpi_free(&QI);
    mbedtls_mpi_free(&M1); mbedtls_mpi_free(&M2); mbedtls_mpi_free(&H);
    g_free(in);
    if (err) {
        return err;
    }
    if (r) {
        /* e.g. even modulus or zero exponent in a CRT key */
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: RSA key or input "
                      "rejected (mbedTLS -0x%04x)\n", (unsigned)-r);
        return NETCARD_CRYPTO_ERR_BAD_INPUT;
    }
    j->cycles = crt ? rsa_cycles(s->cost[NC_COST_RSA_CRT], klen, 3) :
                      rsa_cycles(s->cost[NC_COST_RSA_PUB], klen, 2);
    return NETCARD_CRYPTO_OK;
}

static uint32_t slot_store(NetcardCryptoState *s, uint32_t n, uint32_t type,
                           uint32_t usage, const uint8_t *data, uint32_t len)
{
    uint32_t err;

    if (n >= NETCARD_CRYPTO_NUM_SLOTS) {
        return NETCARD_CRYPTO_ERR_BAD_SLOT;
    }
    err = key_validate(type, data, len);
    if (err) {
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: key of type %u, "
                      "%u bytes rejected (%s)\n", type, len,
                      netcard_crypto_err_name(err));
        return err;
    }
    netcard_crypto_slot_zeroize(&s->slots[n]);
    s->slots[n].type = type;
    s->slots[n].usage = usage;
    s->slots[n].len = len;
    memcpy(s->slots[n].data, data, len);
    trace_netcard_crypto_slot(n, type, usage, len);
    return NETCARD_CRYPTO_OK;
}

uint32_t netcard_crypto_slot_store(NetcardCryptoState *s, uint32_t n,
                                   uint32_t type, uint32_t usage,
                                   const uint8_t *data, uint32_t len)
{
    return slot_store(s, n, type, usage, data, len);
}

uint32_t netcard_crypto_op_ec(NetcardCryptoState *s, uint32_t op,
                              NetcardCryptoJob *j)
{
    uint32_t curve = FIELD_EX32(s->cmd, CRYPTO_CMD, ALG);
    bool p256 = curve == NETCARD_CRYPTO_CURVE_P256;
    uint32_t knum = FIELD_EX32(s->cmd, CRYPTO_CMD, KEY);
    uint32_t k2 = FIELD_EX32(s->cmd, CRYPTO_CMD, KEY2);
    bool toslot = FIELD_EX32(s->cmd, CRYPTO_CMD, TOSLOT);
    NetcardCryptoSlot *k = NULL;
    mbedtls_ecp_group grp;
    mbedtls_ecp_point Q;
    mbedtls_mpi d, r1, s1;
    uint8_t *in = NULL, *sig = NULL;
    uint8_t buf[2 * 48];
    size_t cs = 0;
    uint32_t err = NETCARD_CRYPTO_OK;
    int r = 0;

    if (curve != NETCARD_CRYPTO_CURVE_P256 &&
        curve != NETCARD_CRYPTO_CURVE_P384) {
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: unknown curve ALG "
                      "%u\n", curve);
        return NETCARD_CRYPTO_ERR_BAD_OP;
    }
    cs = p256 ? 32 : 48;

    /* Parameter checks, nothing computed yet */
    switch (op) {
    case NETCARD_CRYPTO_OP_ECDSA_SIGN:
    case NETCARD_CRYPTO_OP_ECDSA_VERIFY: {
        bool sign = op == NETCARD_CRYPTO_OP_ECDSA_SIGN;

        err = netcard_crypto_slot_get(s, knum, p256 ?
                                      (sign ? NETCARD_CRYPTO_KEY_P256_PRIV :
                                       NETCARD_CRYPTO_KEY_P256_PUB) :
                                      (sign ? NETCARD_CRYPTO_KEY_P384_PRIV :
                                       NETCARD_CRYPTO_KEY_P384_PUB),
                                      NETCARD_CRYPTO_USE_SIGN, &k);
        if (!err && (s->len == 0 || s->len > NETCARD_CRYPTO_MAX_DIGEST)) {
            err = NETCARD_CRYPTO_ERR_BAD_LEN;
        }
        err = err ? err : netcard_crypto_dma_check(s, s->src, s->len, false);
        if (sign) {
            err = err ? err : netcard_crypto_job_output(s, j, 2 * cs, s->src,
                                                        s->len);
        } else {
            err = err ? err : netcard_crypto_dma_check(s, s->aux, 2 * cs,
                                                       false);
            err = err ? err : netcard_crypto_dma_fetch(s, s->aux, 2 * cs,
                                                       &sig);
        }
        break;
    }
    case NETCARD_CRYPTO_OP_ECDH:
        err = netcard_crypto_slot_get(s, knum,
                                      p256 ? NETCARD_CRYPTO_KEY_P256_PRIV :
                                      NETCARD_CRYPTO_KEY_P384_PRIV,
                                      NETCARD_CRYPTO_USE_DERIVE, &k);
        if (!err && s->len != 2 * cs) {
            err = NETCARD_CRYPTO_ERR_BAD_LEN;
        }
        err = err ? err : netcard_crypto_dma_check(s, s->src, s->len, false);
        if (!err && toslot && k2 >= NETCARD_CRYPTO_NUM_SLOTS) {
            err = NETCARD_CRYPTO_ERR_BAD_SLOT;
        }
        if (!err && !toslot) {
            err = netcard_crypto_job_output(s, j, cs, s->src, s->len);
        }
        break;
    default: /* KEYGEN */
        if (k2 >= NETCARD_CRYPTO_NUM_SLOTS) {
            err = NETCARD_CRYPTO_ERR_BAD_SLOT;
        }
        err = err ? err : netcard_crypto_job_output(s, j, 2 * cs, 0, 0);
        break;
    }
    if (!err && op != NETCARD_CRYPTO_OP_EC_KEYGEN) {
        err = netcard_crypto_dma_fetch(s, s->src, s->len, &in);
    }
    if (err) {
        g_free(sig);
        return err;
    }

    mbedtls_ecp_group_init(&grp);
    mbedtls_ecp_point_init(&Q);
    mbedtls_mpi_init(&d);
    mbedtls_mpi_init(&r1);
    mbedtls_mpi_init(&s1);
    r = curve_group(curve, &grp, &cs);
    switch (op) {
    case NETCARD_CRYPTO_OP_ECDSA_SIGN:
        r = r ? r : mbedtls_mpi_read_binary(&d, k->data, cs);
        r = r ? r : mbedtls_ecdsa_sign(&grp, &r1, &s1, &d, in, s->len,
                                       netcard_crypto_rng, NULL);
        r = r ? r : mbedtls_mpi_write_binary(&r1, j->out, cs);
        r = r ? r : mbedtls_mpi_write_binary(&s1, j->out + cs, cs);
        j->cycles = s->cost[p256 ? NC_COST_P256_SIGN : NC_COST_P384_SIGN];
        break;
    case NETCARD_CRYPTO_OP_ECDSA_VERIFY:
        err = r ? NETCARD_CRYPTO_ERR_INTERNAL :
                  ec_read_point(&grp, &Q, k->data, cs);
        r = err ? 0 : mbedtls_mpi_read_binary(&r1, sig, cs);
        r = r ? r : mbedtls_mpi_read_binary(&s1, sig + cs, cs);
        if (!err && !r &&
            mbedtls_ecdsa_verify(&grp, in, s->len, &Q, &r1, &s1)) {
            j->late_err = NETCARD_CRYPTO_ERR_VERIFY;
        }
        j->cycles = s->cost[p256 ? NC_COST_P256_VERIFY : NC_COST_P384_VERIFY];
        break;
    case NETCARD_CRYPTO_OP_ECDH:
        err = r ? NETCARD_CRYPTO_ERR_INTERNAL : ec_read_point(&grp, &Q, in, cs);
        if (err) {
            qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: ECDH peer key "
                          "is not a point of the curve\n");
            break;
        }
        r = mbedtls_mpi_read_binary(&d, k->data, cs);
        r = r ? r : mbedtls_ecdh_compute_shared(&grp, &r1, &Q, &d,
                                                netcard_crypto_rng, NULL);
        r = r ? r : mbedtls_mpi_write_binary(&r1, buf, cs);
        if (!r && toslot) {
            err = slot_store(s, k2, FIELD_EX32(s->keycfg, CRYPTO_KEYCFG, TYPE),
                             FIELD_EX32(s->keycfg, CRYPTO_KEYCFG, USAGE),
                             buf, cs);
        } else if (!r) {
            memcpy(j->out, buf, cs);
        }
        j->cycles = s->cost[p256 ? NC_COST_P256_ECDH : NC_COST_P384_ECDH];
        break;
    default:
        r = r ? r : mbedtls_ecp_gen_keypair(&grp, &d, &Q, netcard_crypto_rng,
                                            NULL);
        r = r ? r : mbedtls_mpi_write_binary(&d, buf, cs);
        if (!r) {
            uint8_t pub[1 + 2 * 48];
            size_t olen;

            r = mbedtls_ecp_point_write_binary(&grp, &Q,
                                               MBEDTLS_ECP_PF_UNCOMPRESSED,
                                               &olen, pub, sizeof(pub));
            if (!r && olen == 1 + 2 * cs) {
                memcpy(j->out, pub + 1, 2 * cs);
            }
        }
        if (!r) {
            err = slot_store(s, k2, p256 ? NETCARD_CRYPTO_KEY_P256_PRIV :
                             NETCARD_CRYPTO_KEY_P384_PRIV,
                             FIELD_EX32(s->keycfg, CRYPTO_KEYCFG, USAGE),
                             buf, cs);
        }
        j->cycles = s->cost[p256 ? NC_COST_P256_KEYGEN : NC_COST_P384_KEYGEN];
        break;
    }
    mbedtls_platform_zeroize(buf, sizeof(buf));
    mbedtls_ecp_group_free(&grp);
    mbedtls_ecp_point_free(&Q);
    mbedtls_mpi_free(&d);
    mbedtls_mpi_free(&r1);
    mbedtls_mpi_free(&s1);
    g_free(in);
    g_free(sig);
    if (err) {
        return err;
    }
    return r ? NETCARD_CRYPTO_ERR_INTERNAL : NETCARD_CRYPTO_OK;
}

uint32_t netcard_crypto_op_key(NetcardCryptoState *s, uint32_t op,
                               NetcardCryptoJob *j)
{
    uint32_t n = FIELD_EX32(s->cmd, CRYPTO_CMD, KEY);
    uint32_t err;

    j->cycles = s->cost[NC_COST_KEY];
    switch (op) {
    case NETCARD_CRYPTO_OP_KEY_ZEROIZE_ALL:
        for (int i = 0; i < NETCARD_CRYPTO_NUM_SLOTS; i++) {
            netcard_crypto_slot_zeroize(&s->slots[i]);
        }
        return NETCARD_CRYPTO_OK;
    case NETCARD_CRYPTO_OP_KEY_ZEROIZE:
        if (n >= NETCARD_CRYPTO_NUM_SLOTS) {
            return NETCARD_CRYPTO_ERR_BAD_SLOT;
        }
        netcard_crypto_slot_zeroize(&s->slots[n]);
        return NETCARD_CRYPTO_OK;
    default: { /* KEY_LOAD */
        uint32_t type = FIELD_EX32(s->keycfg, CRYPTO_KEYCFG, TYPE);
        uint32_t usage = FIELD_EX32(s->keycfg, CRYPTO_KEYCFG, USAGE);
        uint32_t len = FIELD_EX32(s->keycfg, CRYPTO_KEYCFG, LEN);
        uint8_t *data = NULL;

        if (n >= NETCARD_CRYPTO_NUM_SLOTS) {
            err = NETCARD_CRYPTO_ERR_BAD_SLOT;
        } else if (len == 0 || len > NETCARD_CRYPTO_SLOT_MAX) {
            err = NETCARD_CRYPTO_ERR_KEY_SIZE;
        } else if (FIELD_EX32(s->cmd, CRYPTO_CMD, FROMREG)) {
            err = len > NETCARD_CRYPTO_KEYDATA_SIZE ?
                NETCARD_CRYPTO_ERR_KEY_SIZE :
                slot_store(s, n, type, usage, s->keydata, len);
        } else {
            err = netcard_crypto_dma_fetch(s, s->src, len, &data);
            err = err ? err : slot_store(s, n, type, usage, data, len);
        }
        if (data) {
            mbedtls_platform_zeroize(data, len);
            g_free(data);
        }
        if (FIELD_EX32(s->cmd, CRYPTO_CMD, FROMREG)) {
            mbedtls_platform_zeroize(s->keydata, sizeof(s->keydata));
        }
        return err;
    }
    }
}
