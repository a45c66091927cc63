/*
 * Keys and cryptography of native applets: key handles (import,
 * generate, destroy), persistent keys in the instance's own namespace,
 * and the operations of struct nc_crypto_req. docs/applets.md "System
 * calls" is the reference; cardos/sdk/netcard/syscall.h the ABI.
 * Contract: sys/sys_priv.h.
 *
 * Keys live here, in OS RAM, owned by the instance that made them; a
 * handle of another instance is NC_E_NOTFOUND. Private and secret key
 * bytes never go back to an applet (only an EC key's public half).
 * Persistent keys are store objects SYS_OBJ_KEY(namespace, slot): outside
 * the object range nc_obj_* reaches, gone with the instance (the
 * runtime's collection of dead namespaces covers them).
 *
 * EC private keys are loaded into the coprocessor's key id EC_ID for
 * one operation and cleared after it; the public key of a private key is
 * computed once (mbedTLS, software) when the key is made. An RSA key's
 * bytes are a blob in a page of the runtime's pool (sys/syscall_rsa.c),
 * the handle's entry points at it.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "crypto/crypto.h"
#include "mbedtls/ecp.h"
#include "store/store.h"
#include "sys/sys_priv.h"

/* netcard/syscall.h */
#define E_INVAL       (-1)
#define E_NOTFOUND    (-2)
#define E_NOSPACE     (-4)
#define E_CRYPTO      (-8)
#define E_IO          (-9)
#define KEY_AES       1u
#define KEY_HMAC      2u
#define KEY_DES3      3u
#define KEY_P256      4u    /* private d (32), public kept beside */
#define KEY_P256_PUB  5u    /* X || Y (64) */
#define KEYS_MAX      8u
#define KEY_SLOTS     8u    /* persistent keys per instance */
#define EC_ID         1u    /* the coprocessor's key id for applets */

static struct {
    const struct sys_instance *owner;   /* NULL: free */
    uint8_t type, len;
    uint8_t key[32];
    uint8_t pub[64];
    uint8_t *blob;                      /* RSA: its pool page */
} keys[KEYS_MAX];

static bool is_rsa(uint32_t type)
{
    return type == SYS_KEY_RSA || type == SYS_KEY_RSA_PUB;
}

/* Entry K free again, its bytes and its RSA page cleared. */
static void key_free(int k)
{
    sys_pool_give(keys[k].blob);
    memset(&keys[k], 0, sizeof(keys[k]));
}

static void *ptr(uint32_t a)
{
    return (void *)(uintptr_t)a;
}

void sys_keys_forget(const struct sys_instance *in)
{
    for (unsigned k = 0; k < KEYS_MAX; k++) {
        if (keys[k].owner == in) {
            key_free((int)k);
        }
    }
}

static int key_slot(const struct sys_call *c, int32_t h)
{
    if (h < 1 || h > (int32_t)KEYS_MAX || keys[h - 1].owner != c->in) {
        return -1;
    }
    return h - 1;
}

static bool length_ok(uint32_t type, uint32_t n)
{
    switch (type) {
    case KEY_AES:
        return n == 16 || n == 24 || n == 32;
    case KEY_HMAC:
        return n >= 1 && n <= 32;
    case KEY_DES3:
        return n == 16 || n == 24;
    case KEY_P256:
        return n == 32;
    case KEY_P256_PUB:
        return n == 64;
    default:
        return false;
    }
}

static int rng(void *p, unsigned char *out, size_t n)
{
    (void)p;
    return crypto_random(out, n) == CRYPTO_OK ? 0 : -1;
}

/* The public key of private D (GEN: make D first), into PUB. */
static int32_t ec_public(uint8_t d[32], uint8_t pub[64], bool gen)
{
    mbedtls_ecp_group g;
    mbedtls_mpi m;
    mbedtls_ecp_point q;
    uint8_t point[65];
    size_t olen = 0;
    int rc;

    mbedtls_ecp_group_init(&g);
    mbedtls_mpi_init(&m);
    mbedtls_ecp_point_init(&q);
    rc = mbedtls_ecp_group_load(&g, MBEDTLS_ECP_DP_SECP256R1);
    if (rc == 0 && gen) {
        rc = mbedtls_ecp_gen_privkey(&g, &m, rng, NULL);
        if (rc == 0) {
            rc = mbedtls_mpi_write_binary(&m, d, 32);
        }
    } else if (rc == 0) {
        rc = mbedtls_mpi_read_binary(&m, d, 32);
        if (rc == 0) {
            rc = mbedtls_ecp_check_privkey(&g, &m);
        }
    }
    if (rc == 0) {
        rc = mbedtls_ecp_mul(&g, &q, &m, &g.G, rng, NULL);
    }
    if (rc == 0) {
        rc = mbedtls_ecp_point_write_binary(&g, &q,
                                            MBEDTLS_ECP_PF_UNCOMPRESSED,
                                            &olen, point, sizeof(point));
    }
    if (rc == 0 && olen != sizeof(point)) {
        rc = -1;
    }
    if (rc == 0) {
        memcpy(pub, point + 1, 64);     /* 04 || X || Y */
    }
    mbedtls_ecp_point_free(&q);
    mbedtls_mpi_free(&m);
    mbedtls_ecp_group_free(&g);
    if (rc == MBEDTLS_ERR_ECP_INVALID_KEY) {
        return E_INVAL;
    }
    return rc == 0 ? 0 : E_CRYPTO;
}

/* A new handle of C's instance for TYPE; KEY (N bytes) and PUB set by
 * the caller; an RSA key gets its pool page. */
static int new_key(const struct sys_call *c, uint32_t type, uint32_t n)
{
    for (unsigned k = 0; k < KEYS_MAX; k++) {
        if (keys[k].owner == NULL) {
            uint8_t *blob = is_rsa(type) ? sys_pool_take() : NULL;

            if (is_rsa(type) && blob == NULL) {
                return -1;
            }
            memset(&keys[k], 0, sizeof(keys[k]));
            keys[k].owner = c->in;
            keys[k].type = (uint8_t)type;
            keys[k].len = (uint8_t)n;
            keys[k].blob = blob;
            return (int)k;
        }
    }
    return -1;
}

static int32_t key_import(struct sys_call *c, uint32_t type, uint32_t a,
                          uint32_t n)
{
    int k;
    int32_t rc = 0;

    if (!is_rsa(type) && !length_ok(type, n)) {
        return E_INVAL;
    }
    k = new_key(c, type, is_rsa(type) ? 0 : n);
    if (k < 0) {
        return E_NOSPACE;
    }
    if (is_rsa(type)) {
        rc = sys_rsa_import(keys[k].blob, type, ptr(a), n);
    } else if (type == KEY_P256_PUB) {
        memcpy(keys[k].pub, ptr(a), 64);
    } else {
        memcpy(keys[k].key, ptr(a), n);
    }
    if (type == KEY_P256) {
        rc = ec_public(keys[k].key, keys[k].pub, false);
    }
    if (rc < 0) {
        key_free(k);
        return rc;
    }
    return k + 1;
}

static int32_t key_generate(struct sys_call *c, uint32_t type, uint32_t n,
                            uint32_t pub)
{
    int k;
    int32_t rc;

    if (type == KEY_P256) {
        n = 32;
    }
    if (type == KEY_P256_PUB || type == SYS_KEY_RSA_PUB ||
        (type != SYS_KEY_RSA && !length_ok(type, n))) {
        return E_INVAL;
    }
    k = new_key(c, type, type == SYS_KEY_RSA ? 0 : n);
    if (k < 0) {
        return E_NOSPACE;
    }
    rc = type == SYS_KEY_RSA ? sys_rsa_generate(keys[k].blob, n, ptr(pub)) :
         type == KEY_P256 ? ec_public(keys[k].key, keys[k].pub, true) :
         crypto_random(keys[k].key, n) == CRYPTO_OK ? 0 : E_CRYPTO;
    if (rc < 0) {
        key_free(k);
        return rc;
    }
    if (type == KEY_P256 && pub) {
        memcpy(ptr(pub), keys[k].pub, 64);
    }
    return k + 1;
}

/* ---- persistent keys: type(1) len(1) key(len) pub(64, EC) ------------- */

static int32_t key_save(struct sys_call *c, int32_t h, uint32_t slot)
{
    struct store *st = sys_store();
    uint8_t rec[2 + 32 + 64];
    int k = key_slot(c, h);
    uint32_t n;
    int rc;

    if (k < 0) {
        return E_NOTFOUND;
    }
    if (slot >= KEY_SLOTS) {
        return E_INVAL;
    }
    if (st == NULL) {
        return E_IO;
    }
    if (keys[k].blob) {
        /* an RSA blob is its own record (sys/syscall_rsa.c) */
        const uint8_t *b = keys[k].blob;

        n = sys_rsa_size(b);
        rc = c->tx_open ?
             store_write(st, SYS_OBJ_KEY(c->in->ns, slot), b, n) :
             store_put(st, SYS_OBJ_KEY(c->in->ns, slot), b, n);
        return rc == STORE_OK ? 0 : rc == STORE_ERR_FULL ? E_NOSPACE : E_IO;
    }
    rec[0] = keys[k].type;
    rec[1] = keys[k].len;
    memcpy(rec + 2, keys[k].key, 32);
    memcpy(rec + 34, keys[k].pub, 64);
    n = sizeof(rec);
    rc = c->tx_open ? store_write(st, SYS_OBJ_KEY(c->in->ns, slot), rec, n) :
                      store_put(st, SYS_OBJ_KEY(c->in->ns, slot), rec, n);
    memset(rec, 0, sizeof(rec));
    return rc == STORE_OK ? 0 : rc == STORE_ERR_FULL ? E_NOSPACE : E_IO;
}

/* A saved RSA key (a record longer than the others) of SIZE bytes. */
static int32_t rsa_load(struct sys_call *c, struct store *st, uint32_t slot,
                        uint32_t size)
{
    uint32_t len = 0;
    int k = new_key(c, SYS_KEY_RSA, 0);
    int rc;

    if (k < 0) {
        return E_NOSPACE;
    }
    rc = size > SYS_RSA_BLOB ? STORE_ERR_IO :
         store_read(st, SYS_OBJ_KEY(c->in->ns, slot), keys[k].blob,
                    SYS_RSA_BLOB, &len);
    if (rc != STORE_OK || !sys_rsa_blob_ok(keys[k].blob, len)) {
        key_free(k);
        return E_IO;
    }
    keys[k].type = keys[k].blob[0];
    return k + 1;
}

static int32_t key_load(struct sys_call *c, uint32_t slot)
{
    struct store *st = sys_store();
    uint8_t rec[2 + 32 + 64];
    uint32_t len = 0;
    int k, rc;

    if (slot >= KEY_SLOTS) {
        return E_INVAL;
    }
    if (st == NULL) {
        return E_IO;
    }
    rc = store_size(st, SYS_OBJ_KEY(c->in->ns, slot));
    if (rc > (int)sizeof(rec)) {
        return rsa_load(c, st, slot, (uint32_t)rc);
    }
    rc = store_read(st, SYS_OBJ_KEY(c->in->ns, slot), rec, sizeof(rec), &len);
    if (rc == STORE_ERR_NOT_FOUND) {
        return E_NOTFOUND;
    }
    if (rc != STORE_OK || len != sizeof(rec) || !length_ok(rec[0], rec[1])) {
        memset(rec, 0, sizeof(rec));
        return E_IO;
    }
    k = new_key(c, rec[0], rec[1]);
    if (k >= 0) {
        memcpy(keys[k].key, rec + 2, 32);
        memcpy(keys[k].pub, rec + 34, 64);
    }
    memset(rec, 0, sizeof(rec));
    return k < 0 ? E_NOSPACE : k + 1;
}

static int32_t key_erase(struct sys_call *c, uint32_t slot)
{
    struct store *st = sys_store();
    int rc;

    if (slot >= KEY_SLOTS) {
        return E_INVAL;
    }
    if (st == NULL) {
        return E_IO;
    }
    if (c->tx_open) {
        rc = store_delete(st, SYS_OBJ_KEY(c->in->ns, slot));
    } else {
        rc = store_begin(st);
        if (rc == STORE_OK) {
            rc = store_delete(st, SYS_OBJ_KEY(c->in->ns, slot));
            rc = rc == STORE_OK ? store_commit(st) : (store_abort(st), rc);
        }
    }
    return rc == STORE_ERR_NOT_FOUND ? E_NOTFOUND :
           rc == STORE_OK ? 0 : E_IO;
}

/* ---- operations (struct nc_crypto_req: key, op, in, len, out, iv) ------ */

enum {
    OP_AES_ECB_ENC = 1, OP_AES_ECB_DEC, OP_AES_CBC_ENC, OP_AES_CBC_DEC,
    OP_AES_CMAC, OP_HMAC_SHA256, OP_DES3_ECB_ENC, OP_DES3_ECB_DEC,
    OP_DES3_CBC_ENC, OP_DES3_CBC_DEC, OP_ECDSA_SIGN, OP_ECDSA_VERIFY,
    OP_ECDH, OP_EC_PUBLIC, OP_RSA_FIRST, OP_RSA_LAST = OP_RSA_FIRST + 8,
};

static bool rd(const struct sys_call *c, uint32_t a, uint32_t n)
{
    return uproc_access_ok(&c->p, a, n, false);
}

static bool wr(const struct sys_call *c, uint32_t a, uint32_t n)
{
    return uproc_access_ok(&c->p, a, n, true);
}

static int32_t cipher(int k, const uint32_t q[6])
{
    bool aes = q[1] <= OP_AES_CBC_DEC;
    uint32_t op = aes ? q[1] : q[1] - OP_DES3_ECB_ENC + 1;
    bool cbc = op >= 3, dec = op == 2 || op == 4;
    uint32_t blk = aes ? 16 : 8;

    if (keys[k].type != (aes ? KEY_AES : KEY_DES3) || q[3] == 0 ||
        q[3] % blk) {
        return E_INVAL;
    }
    return crypto_cipher(aes ? (cbc ? CRYPTO_AES_CBC : CRYPTO_AES_ECB) :
                         (cbc ? CRYPTO_TDES_CBC : CRYPTO_TDES_ECB),
                         CRYPTO_ENGINE_HW, dec, keys[k].key, keys[k].len,
                         cbc ? ptr(q[5]) : NULL, ptr(q[2]), ptr(q[4]),
                         q[3]) == CRYPTO_OK ? (int32_t)q[3] : E_CRYPTO;
}

static int32_t ec_op(int k, const uint32_t q[6])
{
    enum crypto_status s;

    if (q[1] == OP_EC_PUBLIC) {
        memcpy(ptr(q[4]), keys[k].pub, 64);
        return 64;
    }
    if (q[1] == OP_ECDSA_VERIFY) {
        if (q[3] < 1 || q[3] > 64) {
            return E_INVAL;
        }
        s = crypto_ecdsa_verify(CRYPTO_P256, keys[k].pub, ptr(q[2]), q[3],
                                ptr(q[5]));
        return s == CRYPTO_OK ? 1 : s == CRYPTO_ERR_VERIFY ? 0 :
               s == CRYPTO_ERR_INPUT ? E_INVAL : E_CRYPTO;
    }
    if (keys[k].type != KEY_P256 ||
        (q[1] == OP_ECDSA_SIGN && (q[3] < 1 || q[3] > 64)) ||
        (q[1] == OP_ECDH && q[3] != 64)) {
        return E_INVAL;
    }
    if (crypto_ec_load_private(CRYPTO_P256, EC_ID, keys[k].key) !=
        CRYPTO_OK) {
        return E_CRYPTO;
    }
    s = q[1] == OP_ECDSA_SIGN ?
        crypto_ecdsa_sign(EC_ID, ptr(q[2]), q[3], ptr(q[4])) :
        crypto_ecdh(EC_ID, ptr(q[2]), ptr(q[4]));
    (void)crypto_ec_clear(EC_ID);
    if (s == CRYPTO_ERR_INPUT) {
        return E_INVAL;             /* the peer is not a point */
    }
    return s == CRYPTO_OK ? (q[1] == OP_ECDSA_SIGN ? 64 : 32) : E_CRYPTO;
}

/* What each operation reads and writes: false when an argument is not
 * the applet's own memory (the applet is stopped). */
static bool op_memory_ok(const struct sys_call *c, const uint32_t q[6])
{
    switch (q[1]) {
    case OP_AES_ECB_ENC: case OP_AES_ECB_DEC:
    case OP_DES3_ECB_ENC: case OP_DES3_ECB_DEC:
        return rd(c, q[2], q[3]) && wr(c, q[4], q[3]);
    case OP_AES_CBC_ENC: case OP_AES_CBC_DEC:
        return rd(c, q[2], q[3]) && wr(c, q[4], q[3]) && wr(c, q[5], 16);
    case OP_DES3_CBC_ENC: case OP_DES3_CBC_DEC:
        return rd(c, q[2], q[3]) && wr(c, q[4], q[3]) && wr(c, q[5], 8);
    case OP_AES_CMAC:
        return rd(c, q[2], q[3]) && wr(c, q[4], 16);
    case OP_HMAC_SHA256:
        return rd(c, q[2], q[3]) && wr(c, q[4], 32);
    case OP_ECDSA_SIGN:
        return rd(c, q[2], q[3] > 64 ? 64 : q[3]) && wr(c, q[4], 64);
    case OP_ECDSA_VERIFY:
        return rd(c, q[2], q[3] > 64 ? 64 : q[3]) && rd(c, q[5], 64);
    case OP_ECDH:
        return rd(c, q[2], 64) && wr(c, q[4], 32);
    case OP_EC_PUBLIC:
        return wr(c, q[4], 64);
    default:
        return true;                /* NC_E_INVAL below */
    }
}

static enum sys_sc crypto_op(struct sys_call *c, uint32_t a, int32_t *res)
{
    uint32_t q[6];
    size_t mac_len = 0;
    int k;

    if (!rd(c, a, sizeof(q))) {
        return SYS_SC_KILL;
    }
    memcpy(q, ptr(a), sizeof(q));
    if (!op_memory_ok(c, q)) {
        return SYS_SC_KILL;
    }
    k = key_slot(c, (int32_t)q[0]);
    if (k < 0) {
        *res = E_NOTFOUND;
    } else if (q[1] <= OP_AES_CBC_DEC ||
               (q[1] >= OP_DES3_ECB_ENC && q[1] <= OP_DES3_CBC_DEC)) {
        *res = q[1] == 0 ? E_INVAL : cipher(k, q);
    } else if (q[1] == OP_AES_CMAC || q[1] == OP_HMAC_SHA256) {
        bool cmac = q[1] == OP_AES_CMAC;

        *res = keys[k].type != (cmac ? KEY_AES : KEY_HMAC) ? E_INVAL :
               crypto_mac(cmac ? CRYPTO_MAC_AES_CMAC : CRYPTO_MAC_HMAC_SHA256,
                          keys[k].key, keys[k].len, ptr(q[2]), q[3],
                          ptr(q[4]), cmac ? 16 : 32, &mac_len) == CRYPTO_OK ?
               (int32_t)mac_len : E_CRYPTO;
    } else if (q[1] >= OP_ECDSA_SIGN && q[1] <= OP_EC_PUBLIC) {
        *res = keys[k].type != KEY_P256 && keys[k].type != KEY_P256_PUB ?
               E_INVAL : ec_op(k, q);
    } else if (q[1] >= OP_RSA_FIRST && q[1] <= OP_RSA_LAST) {
        if (!keys[k].blob) {
            *res = E_INVAL;
        } else {
            return sys_rsa_op(c, keys[k].blob, q, res);
        }
    } else {
        *res = E_INVAL;
    }
    return SYS_SC_RESUME;
}

static uint32_t import_max(uint32_t type)
{
    return type == SYS_KEY_RSA ? 644u : type == SYS_KEY_RSA_PUB ? 260u : 64u;
}

enum sys_sc sys_syscall_keys(struct sys_call *c, uint32_t n,
                             const uint32_t a[4], int32_t *r)
{
    int k;

    switch (n) {
    case SYS_SC_N_KEY_IMPORT:
        /* up to the longest key of the type: an RSA-2048 private key
         * 644 bytes, its public key 260, the others 64 */
        if (!rd(c, a[1], a[2] > import_max(a[0]) ? import_max(a[0]) :
                                                    a[2])) {
            return SYS_SC_KILL;
        }
        *r = key_import(c, a[0], a[1], a[2]);
        return SYS_SC_RESUME;
    case SYS_SC_N_KEY_DESTROY:
        k = key_slot(c, (int32_t)a[0]);
        if (k >= 0) {
            key_free(k);
        }
        *r = k >= 0 ? 0 : E_NOTFOUND;
        return SYS_SC_RESUME;
    case SYS_SC_N_CRYPTO:
        return crypto_op(c, a[0], r);
    case SYS_SC_N_KEY_GENERATE:
        /* pub: X || Y of an EC key, n of an RSA key (len bytes) */
        if (a[2] && !wr(c, a[2], a[0] != SYS_KEY_RSA ? 64 :
                                  a[1] > 256 ? 256 : a[1])) {
            return SYS_SC_KILL;
        }
        *r = key_generate(c, a[0], a[1], a[2]);
        return SYS_SC_RESUME;
    case SYS_SC_N_KEY_SAVE:
        *r = key_save(c, (int32_t)a[0], a[1]);
        return SYS_SC_RESUME;
    case SYS_SC_N_KEY_LOAD:
        *r = key_load(c, a[0]);
        return SYS_SC_RESUME;
    case SYS_SC_N_KEY_ERASE:
        *r = key_erase(c, a[0]);
        return SYS_SC_RESUME;
    default:
        return SYS_SC_KILL;
    }
}
