/*
 * RSA of native applets: the keys (key types NC_KEY_RSA and
 * NC_KEY_RSA_PUB) and the operations NC_OP_RSA_* of struct
 * nc_crypto_req. docs/applets.md "System calls" is the reference;
 * cardos/sdk/netcard/syscall.h the ABI. Contract: sys/sys_priv.h.
 *
 * A key is a blob in one page of the runtime's RAM pool (sys/runtime.c
 * sys_pool_take: OS memory no applet region covers), laid out as it is
 * saved (nc_key_save):
 *   0 type, 1 k / 8 (k = modulus bytes, 128..256: 1024..2048 bits),
 *   2..3 zero, 4 e (big-endian), 8 n (k bytes, in 256),
 *   264 p, q, dP, dQ, qInv (k / 2 bytes each; private keys only)
 * The exponentiations run on the crypto coprocessor (crypto/crypto.h:
 * raw public and CRT private); padding is done here: PKCS #1 v2.2
 * (RFC 8017) 8.2 RSASSA-PKCS1-v1_5 with SHA-256, 7.2 RSAES-PKCS1-v1_5 and
 * 7.1 RSAES-OAEP with SHA-256 and MGF1-SHA-256, empty label. Key
 * generation is mbedTLS's (software prime search; the watchdog is kicked
 * from its random source, each candidate takes well under its period).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "crypto/crypto.h"
#include "drivers/watchdog.h"
#include "mbedtls/bignum.h"
#include "mbedtls/rsa.h"
#include "sys/sys_priv.h"

/* netcard/syscall.h */
#define E_INVAL       (-1)
#define E_CRYPTO      (-8)
#define OP_RSA_PUBLIC      15
#define OP_RSA_PRIVATE     16
#define OP_RSA_SIGN        17
#define OP_RSA_VERIFY      18
#define OP_RSA_ENC_PKCS1   19
#define OP_RSA_DEC_PKCS1   20
#define OP_RSA_ENC_OAEP    21
#define OP_RSA_DEC_OAEP    22
#define OP_RSA_PUBLIC_KEY  23

#define B_TYPE 0
#define B_K8   1
#define B_E    4
#define B_N    8
#define B_CRT  264
#define K_MIN  128u
#define K_MAX  256u
#define HLEN   32u              /* SHA-256 */

/* DigestInfo of SHA-256 (RFC 8017 9.2 note 1). */
static const uint8_t sha256_info[19] = {
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
    0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
};

static void *ptr(uint32_t a)
{
    return (void *)(uintptr_t)a;
}

static uint32_t k_of(const uint8_t *b)
{
    return (uint32_t)b[B_K8] * 8u;
}

static uint32_t get_e(const uint8_t *b)
{
    return (uint32_t)b[B_E] << 24 | (uint32_t)b[B_E + 1] << 16 |
           (uint32_t)b[B_E + 2] << 8 | b[B_E + 3];
}

uint32_t sys_rsa_size(const uint8_t *b)
{
    return B_CRT + (b[B_TYPE] == SYS_KEY_RSA ? 5u * (k_of(b) / 2u) : 0u);
}

static bool modulus_ok(const uint8_t *n, uint32_t k, uint32_t e)
{
    return k >= K_MIN && k <= K_MAX && k % 8u == 0 && n[0] != 0 &&
           (n[k - 1] & 1u) && e >= 3u && (e & 1u);
}

bool sys_rsa_blob_ok(const uint8_t *b, uint32_t size)
{
    return size >= B_CRT &&
           (b[B_TYPE] == SYS_KEY_RSA || b[B_TYPE] == SYS_KEY_RSA_PUB) &&
           modulus_ok(b + B_N, k_of(b), get_e(b)) &&
           size == sys_rsa_size(b);
}

static void crt_key(const uint8_t *b, struct crypto_rsa_crt_key *key)
{
    uint32_t h = k_of(b) / 2u;

    key->p = b + B_CRT;
    key->q = key->p + h;
    key->dp = key->q + h;
    key->dq = key->dp + h;
    key->qinv = key->dq + h;
    key->half = h;
}

static int32_t status(enum crypto_status s)
{
    return s == CRYPTO_OK ? 0 : s == CRYPTO_ERR_INPUT ? E_INVAL : E_CRYPTO;
}

static int32_t pub_op(const uint8_t *b, const uint8_t *in, uint8_t *out)
{
    return status(crypto_rsa_public(b + B_N, k_of(b), get_e(b), in, out));
}

static int32_t priv_op(const uint8_t *b, const uint8_t *in, uint8_t *out)
{
    struct crypto_rsa_crt_key key;

    crt_key(b, &key);
    return status(crypto_rsa_private(&key, in, out));
}

/* IN < n (big-endian, k bytes each)? The coprocessor refuses the rest;
 * checked here too so that a refusal is NC_E_INVAL for every path. */
static bool below_n(const uint8_t *b, const uint8_t *in)
{
    return memcmp(in, b + B_N, k_of(b)) < 0;
}

/*
 * The private operation, checked: the result raised to e must give IN
 * back (a fault in the CRT halves would otherwise give away a factor of
 * n: Boneh, DeMillo, Lipton 1997).
 */
static int32_t priv_checked(const uint8_t *b, const uint8_t *in,
                            uint8_t *out, uint8_t *tmp)
{
    int32_t rc = priv_op(b, in, out);

    if (rc == 0) {
        rc = pub_op(b, out, tmp);
    }
    if (rc == 0 && memcmp(tmp, in, k_of(b)) != 0) {
        memset(out, 0, k_of(b));
        rc = E_CRYPTO;
    }
    return rc;
}

/* ---- making keys --------------------------------------------------------- */

/* n = p * q into the blob (k bytes exactly), mbedTLS bignum. */
static int32_t compute_n(uint8_t *b, uint32_t k)
{
    mbedtls_mpi p, q, n;
    uint32_t h = k / 2u;
    int rc;

    mbedtls_mpi_init(&p);
    mbedtls_mpi_init(&q);
    mbedtls_mpi_init(&n);
    rc = mbedtls_mpi_read_binary(&p, b + B_CRT, h);
    if (rc == 0) {
        rc = mbedtls_mpi_read_binary(&q, b + B_CRT + h, h);
    }
    if (rc == 0) {
        rc = mbedtls_mpi_mul_mpi(&n, &p, &q);
    }
    if (rc == 0) {
        rc = mbedtls_mpi_write_binary(&n, b + B_N, k);
    }
    mbedtls_mpi_free(&p);
    mbedtls_mpi_free(&q);
    mbedtls_mpi_free(&n);
    return rc == 0 ? 0 : rc == MBEDTLS_ERR_MPI_BUFFER_TOO_SMALL ? E_INVAL :
           E_CRYPTO;
}

/* A pairwise check of a private key: a random x < n raised to e, then
 * back through the CRT (a small x would be the same mod p and mod q and
 * miss a wrong qInv). */
static int32_t pairwise(const uint8_t *b, uint8_t *tmp)
{
    uint32_t k = k_of(b);
    uint8_t *x = tmp, *y = tmp + K_MAX, *z = tmp + 2 * K_MAX;
    int32_t rc;

    if (crypto_random(x, k) != CRYPTO_OK) {
        return E_CRYPTO;
    }
    x[0] = 0;
    rc = pub_op(b, x, y);
    if (rc == 0) {
        rc = priv_op(b, y, z);
    }
    if (rc == 0 && memcmp(x, z, k) != 0) {
        rc = E_INVAL;
    }
    return rc == 0 ? 0 : rc == E_CRYPTO ? E_CRYPTO : E_INVAL;
}

int32_t sys_rsa_import(uint8_t *b, uint32_t type, const uint8_t *in,
                       uint32_t len)
{
    uint8_t tmp[3 * K_MAX];
    uint32_t k, e;
    int32_t rc;

    memset(b, 0, B_CRT + 5u * (K_MAX / 2u));
    if (type == SYS_KEY_RSA_PUB) {
        /* n || e (4 bytes) */
        k = len - 4u;
        if (len < K_MIN + 4u || len > K_MAX + 4u) {
            return E_INVAL;
        }
        e = (uint32_t)in[k] << 24 | (uint32_t)in[k + 1] << 16 |
            (uint32_t)in[k + 2] << 8 | in[k + 3];
        if (!modulus_ok(in, k, e)) {
            return E_INVAL;
        }
        memcpy(b + B_N, in, k);
    } else {
        /* p || q || dP || dQ || qInv (k / 2 bytes each) || e (4 bytes) */
        if (len < 5u * (K_MIN / 2u) + 4u || len > 5u * (K_MAX / 2u) + 4u ||
            (len - 4u) % 5u != 0 || ((len - 4u) / 5u) % 4u != 0) {
            return E_INVAL;
        }
        k = 2u * ((len - 4u) / 5u);
        memcpy(b + B_CRT, in, len - 4u);
        in += len - 4u;
        e = (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 |
            (uint32_t)in[2] << 8 | in[3];
        rc = compute_n(b, k);
        if (rc == 0 && !modulus_ok(b + B_N, k, e)) {
            rc = E_INVAL;
        }
        if (rc != 0) {
            memset(b, 0, B_CRT + 5u * (K_MAX / 2u));
            return rc;
        }
    }
    b[B_TYPE] = (uint8_t)type;
    b[B_K8] = (uint8_t)(k / 8u);
    b[B_E] = (uint8_t)(e >> 24);
    b[B_E + 1] = (uint8_t)(e >> 16);
    b[B_E + 2] = (uint8_t)(e >> 8);
    b[B_E + 3] = (uint8_t)e;
    if (type == SYS_KEY_RSA && (rc = pairwise(b, tmp)) != 0) {
        memset(b, 0, B_CRT + 5u * (K_MAX / 2u));
        return rc;
    }
    memset(tmp, 0, sizeof(tmp));
    return 0;
}

static int gen_rng(void *p, unsigned char *out, size_t n)
{
    (void)p;
    /* called for every prime candidate and Miller-Rabin base: the
     * search as a whole may take longer than the watchdog's period */
    watchdog_kick();
    return crypto_random(out, n) == CRYPTO_OK ? 0 : -1;
}

int32_t sys_rsa_generate(uint8_t *b, uint32_t k, uint8_t *pub)
{
    mbedtls_rsa_context r;
    mbedtls_mpi p, q, dp, dq, qp;
    uint32_t h = k / 2u;
    int rc;

    if (k < K_MIN || k > K_MAX || k % 8u != 0) {
        return E_INVAL;
    }
    memset(b, 0, B_CRT + 5u * (K_MAX / 2u));
    mbedtls_rsa_init(&r);
    mbedtls_mpi_init(&p);
    mbedtls_mpi_init(&q);
    mbedtls_mpi_init(&dp);
    mbedtls_mpi_init(&dq);
    mbedtls_mpi_init(&qp);
    rc = mbedtls_rsa_gen_key(&r, gen_rng, NULL, k * 8u, 65537);
    if (rc == 0) {
        rc = mbedtls_rsa_export(&r, NULL, &p, &q, NULL, NULL);
    }
    if (rc == 0) {
        rc = mbedtls_rsa_export_crt(&r, &dp, &dq, &qp);
    }
    if (rc == 0) {
        rc = mbedtls_rsa_export_raw(&r, b + B_N, k, NULL, 0, NULL, 0,
                                    NULL, 0, NULL, 0);
    }
    /* each part right-aligned in its k / 2 bytes (mbedTLS makes primes
     * of exactly k / 2 bytes; dP, dQ and qInv may be shorter) */
    if (rc == 0) {
        rc = mbedtls_mpi_write_binary(&p, b + B_CRT, h);
    }
    if (rc == 0) {
        rc = mbedtls_mpi_write_binary(&q, b + B_CRT + h, h);
    }
    if (rc == 0) {
        rc = mbedtls_mpi_write_binary(&dp, b + B_CRT + 2u * h, h);
    }
    if (rc == 0) {
        rc = mbedtls_mpi_write_binary(&dq, b + B_CRT + 3u * h, h);
    }
    if (rc == 0) {
        rc = mbedtls_mpi_write_binary(&qp, b + B_CRT + 4u * h, h);
    }
    mbedtls_mpi_free(&p);
    mbedtls_mpi_free(&q);
    mbedtls_mpi_free(&dp);
    mbedtls_mpi_free(&dq);
    mbedtls_mpi_free(&qp);
    mbedtls_rsa_free(&r);
    if (rc != 0) {
        memset(b, 0, B_CRT + 5u * (K_MAX / 2u));
        return E_CRYPTO;
    }
    b[B_TYPE] = SYS_KEY_RSA;
    b[B_K8] = (uint8_t)(k / 8u);
    b[B_E + 1] = 0x01;
    b[B_E + 3] = 0x01;              /* 65537 */
    if (pub) {
        memcpy(pub, b + B_N, k);
    }
    return 0;
}

/* ---- padding ------------------------------------------------------------- */

/* MGF1 with SHA-256 (RFC 8017 B.2.1): MASK (N bytes) xored into OUT. */
static int32_t mgf1_xor(const uint8_t *seed, uint32_t seed_len, uint8_t *out,
                        uint32_t n)
{
    uint8_t in[K_MAX + 4], h[HLEN];

    for (uint32_t done = 0, ctr = 0; done < n; ctr++) {
        memcpy(in, seed, seed_len);
        in[seed_len] = (uint8_t)(ctr >> 24);
        in[seed_len + 1] = (uint8_t)(ctr >> 16);
        in[seed_len + 2] = (uint8_t)(ctr >> 8);
        in[seed_len + 3] = (uint8_t)ctr;
        if (crypto_hash(CRYPTO_SHA256, in, seed_len + 4u, h) != CRYPTO_OK) {
            return E_CRYPTO;
        }
        for (uint32_t i = 0; i < HLEN && done < n; i++) {
            out[done++] ^= h[i];
        }
    }
    return 0;
}

/* EM for RSAES-OAEP (7.1.1 step 2) of M (LEN bytes), into EM (k). */
static int32_t oaep_encode(uint32_t k, const uint8_t *m, uint32_t len,
                           uint8_t *em)
{
    uint8_t *seed = em + 1, *db = em + 1 + HLEN;
    uint32_t db_len = k - HLEN - 1u;
    int32_t rc;

    if (len > k - 2u * HLEN - 2u) {
        return E_INVAL;
    }
    memset(em, 0, k);
    if (crypto_hash(CRYPTO_SHA256, "", 0, db) != CRYPTO_OK ||
        crypto_random(seed, HLEN) != CRYPTO_OK) {
        return E_CRYPTO;
    }
    db[db_len - len - 1u] = 0x01;
    memcpy(db + db_len - len, m, len);
    rc = mgf1_xor(seed, HLEN, db, db_len);
    if (rc == 0) {
        rc = mgf1_xor(db, db_len, seed, HLEN);
    }
    return rc;
}

/* M out of EM (7.1.2 step 3); its length, or E_CRYPTO for any defect
 * (one error for all, RFC 8017 7.1.2 note). */
static int32_t oaep_decode(uint32_t k, uint8_t *em, uint8_t *m)
{
    uint8_t *seed = em + 1, *db = em + 1 + HLEN, lhash[HLEN];
    uint32_t db_len = k - HLEN - 1u, at = HLEN;
    uint8_t bad;

    if (mgf1_xor(db, db_len, seed, HLEN) != 0 ||
        mgf1_xor(seed, HLEN, db, db_len) != 0 ||
        crypto_hash(CRYPTO_SHA256, "", 0, lhash) != CRYPTO_OK) {
        return E_CRYPTO;
    }
    bad = em[0];
    for (uint32_t i = 0; i < HLEN; i++) {
        bad |= (uint8_t)(db[i] ^ lhash[i]);
    }
    while (at < db_len && db[at] == 0) {
        at++;
    }
    if (bad || at >= db_len || db[at] != 0x01) {
        return E_CRYPTO;
    }
    at++;
    memcpy(m, db + at, db_len - at);
    return (int32_t)(db_len - at);
}

/* ---- operations ---------------------------------------------------------- */

/*
 * Operation Q (struct nc_crypto_req: key, op, in, len, out, iv) with key
 * blob B. Every buffer is checked against the applet's memory first
 * (SYS_SC_KILL); the result in *RES.
 */
enum sys_sc sys_rsa_op(struct sys_call *c, const uint8_t *b,
                       const uint32_t q[6], int32_t *res)
{
    uint8_t em[K_MAX], tmp[K_MAX];
    uint32_t k = k_of(b), op = q[1], in_len = q[3];
    const uint8_t *in = ptr(q[2]);
    uint8_t *out = ptr(q[4]);
    bool priv = b[B_TYPE] == SYS_KEY_RSA;
    int32_t rc = 0;

    /* what each operation reads (in, iv) and writes (out) */
    switch (op) {
    case OP_RSA_PUBLIC: case OP_RSA_PRIVATE: case OP_RSA_DEC_PKCS1:
    case OP_RSA_DEC_OAEP:
        if (!uproc_access_ok(&c->p, q[2], k, false) ||
            !uproc_access_ok(&c->p, q[4], k, true)) {
            return SYS_SC_KILL;
        }
        break;
    case OP_RSA_SIGN:
    case OP_RSA_VERIFY:
        if (!uproc_access_ok(&c->p, q[2], HLEN, false) ||
            (op == OP_RSA_SIGN ? !uproc_access_ok(&c->p, q[4], k, true) :
                                 !uproc_access_ok(&c->p, q[5], k, false))) {
            return SYS_SC_KILL;
        }
        break;
    case OP_RSA_ENC_PKCS1: case OP_RSA_ENC_OAEP:
        if (!uproc_access_ok(&c->p, q[2], in_len > k ? k : in_len, false) ||
            !uproc_access_ok(&c->p, q[4], k, true)) {
            return SYS_SC_KILL;
        }
        break;
    case OP_RSA_PUBLIC_KEY:
        if (!uproc_access_ok(&c->p, q[4], k + 4u, true)) {
            return SYS_SC_KILL;
        }
        break;
    default:
        *res = E_INVAL;
        return SYS_SC_RESUME;
    }
    if (!priv && (op == OP_RSA_PRIVATE || op == OP_RSA_SIGN ||
                  op == OP_RSA_DEC_PKCS1 || op == OP_RSA_DEC_OAEP)) {
        *res = E_INVAL;                 /* a public key cannot */
        return SYS_SC_RESUME;
    }
    switch (op) {
    case OP_RSA_PUBLIC:
    case OP_RSA_PRIVATE:
        if (in_len != k || !below_n(b, in)) {
            rc = E_INVAL;
            break;
        }
        memcpy(em, in, k);
        rc = op == OP_RSA_PUBLIC ? pub_op(b, em, out) :
             priv_checked(b, em, out, tmp);
        rc = rc == 0 ? (int32_t)k : rc;
        break;
    case OP_RSA_SIGN:
    case OP_RSA_VERIFY:
        /* EMSA-PKCS1-v1_5 (9.2): 00 01 FF.. 00 DigestInfo H */
        if (in_len != HLEN) {
            rc = E_INVAL;
            break;
        }
        em[0] = 0x00;
        em[1] = 0x01;
        memset(em + 2, 0xFF, k - 3u - sizeof(sha256_info) - HLEN);
        em[k - 1u - sizeof(sha256_info) - HLEN] = 0x00;
        memcpy(em + k - sizeof(sha256_info) - HLEN, sha256_info,
               sizeof(sha256_info));
        memcpy(em + k - HLEN, in, HLEN);
        if (op == OP_RSA_SIGN) {
            rc = priv_checked(b, em, out, tmp);
            rc = rc == 0 ? (int32_t)k : rc;
            break;
        }
        /* 8.2.2: s must be below n, s^e must be EM exactly */
        memcpy(tmp, ptr(q[5]), k);
        if (!below_n(b, tmp)) {
            rc = 0;
            break;
        }
        rc = pub_op(b, tmp, tmp);
        rc = rc == 0 ? memcmp(tmp, em, k) == 0 : rc;
        break;
    case OP_RSA_ENC_PKCS1:
        /* 7.2.1: 00 02 PS (non-zero random, >= 8) 00 M */
        if (in_len > k - 11u) {
            rc = E_INVAL;
            break;
        }
        em[0] = 0x00;
        em[1] = 0x02;
        for (uint32_t i = 2; i < k - in_len - 1u && rc == 0; i++) {
            do {
                rc = crypto_random(&em[i], 1) == CRYPTO_OK ? 0 : E_CRYPTO;
            } while (rc == 0 && em[i] == 0);
        }
        em[k - in_len - 1u] = 0x00;
        memcpy(em + k - in_len, in, in_len);
        rc = rc == 0 ? pub_op(b, em, out) : rc;
        rc = rc == 0 ? (int32_t)k : rc;
        break;
    case OP_RSA_ENC_OAEP:
        rc = oaep_encode(k, in, in_len, em);
        rc = rc == 0 ? pub_op(b, em, out) : rc;
        rc = rc == 0 ? (int32_t)k : rc;
        break;
    case OP_RSA_DEC_PKCS1:
    case OP_RSA_DEC_OAEP:
        if (in_len != k || !below_n(b, in)) {
            rc = E_INVAL;
            break;
        }
        memcpy(tmp, in, k);
        rc = priv_checked(b, tmp, em, out);
        if (rc != 0) {
            break;
        }
        if (op == OP_RSA_DEC_OAEP) {
            rc = oaep_decode(k, em, out);
        } else {
            /* 7.2.2: 00 02, at least 8 non-zero bytes, 00, M; one error
             * for every defect */
            uint32_t at = 2;

            while (at < k && em[at] != 0) {
                at++;
            }
            if (em[0] != 0 || em[1] != 2 || at < 10u || at >= k) {
                rc = E_CRYPTO;
            } else {
                memcpy(out, em + at + 1u, k - at - 1u);
                rc = (int32_t)(k - at - 1u);
            }
        }
        break;
    case OP_RSA_PUBLIC_KEY:
        memcpy(out, b + B_N, k);
        memcpy(out + k, b + B_E, 4);
        rc = (int32_t)(k + 4u);
        break;
    }
    memset(em, 0, sizeof(em));
    memset(tmp, 0, sizeof(tmp));
    *res = rc;
    return SYS_SC_RESUME;
}
