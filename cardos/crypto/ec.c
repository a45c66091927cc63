/*
 * The crypto API's elliptic-curve operations (crypto/crypto.h "Elliptic
 * curves") on the coprocessor: EC key generation and loading into the
 * engine's private key slots (EC key id 0, 1 = slots 6, 7: crypto/crypto.c
 * header), ECDSA sign / verify, ECDH. Private keys never leave the
 * engine.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "crypto/crypto.h"

#include <string.h>

#include "crypto/crypto_int.h"
#include "drivers/crypto.h"

#define SLOT_PUB   2u
#define SLOT_EC0   6u

#define bounce (crypto_int_bounce())

/* The curve of each EC key id (0: none). */
static uint8_t ec_curve[CRYPTO_EC_KEYS];

void crypto_int_ec_reset(void)
{
    memset(ec_curve, 0, sizeof(ec_curve));
}

/* ---- Elliptic curves ------------------------------------------------------ */

size_t crypto_curve_size(enum crypto_curve curve)
{
    return curve == CRYPTO_P256 ? 32 : curve == CRYPTO_P384 ? 48 : 0;
}

enum crypto_curve crypto_ec_key_curve(unsigned id)
{
    return id < CRYPTO_EC_KEYS ? (enum crypto_curve)ec_curve[id] : (enum crypto_curve)0;
}

/*
 * Start putting a new key of @curve into EC key @id (@buf: the caller's
 * key or output buffer, must not be NULL): in service and valid
 * arguments, or an error and nothing changed; on success key @id is empty
 * until the caller records the new key's curve.
 */
static enum crypto_status ec_key_replace(enum crypto_curve curve, unsigned id,
                                         const void *buf)
{
    enum crypto_status rc = crypto_int_in_service();

    if (rc != CRYPTO_OK) {
        return rc;
    }
    if (crypto_curve_size(curve) == 0 || id >= CRYPTO_EC_KEYS || buf == NULL) {
        return CRYPTO_ERR_PARAM;
    }
    ec_curve[id] = 0;
    return CRYPTO_OK;
}

enum crypto_status crypto_ec_generate(enum crypto_curve curve, unsigned id,
                                      uint8_t *pub)
{
    size_t cs = crypto_curve_size(curve);
    struct crypto_drv_cmd c = { 0 };
    uint32_t outlen = 0;
    enum crypto_status rc = ec_key_replace(curve, id, pub);

    if (rc != CRYPTO_OK) {
        return rc;
    }
    c.cmd = FIELD_DP32(NETCARD_CRYPTO_OP_EC_KEYGEN, CRYPTO_CMD, ALG, (uint32_t)curve);
    c.cmd = FIELD_DP32(c.cmd, CRYPTO_CMD, KEY2, SLOT_EC0 + id);
    c.keycfg = FIELD_DP32(0, CRYPTO_KEYCFG, USAGE,
                          NETCARD_CRYPTO_USE_SIGN | NETCARD_CRYPTO_USE_DERIVE);
    c.dst = (uintptr_t)bounce;
    rc = crypto_int_result(crypto_drv_run(&c, &outlen), "EC key generation");
    if (rc == CRYPTO_OK && outlen != 2 * cs) {
        crypto_fail("crypto coprocessor");
        rc = CRYPTO_ERR_HW;
    }
    if (rc == CRYPTO_OK) {
        memcpy(pub, bounce, 2 * cs);
        ec_curve[id] = (uint8_t)curve;
    }
    return rc;
}

enum crypto_status crypto_ec_load_private(enum crypto_curve curve,
                                          unsigned id, const uint8_t *d)
{
    size_t cs = crypto_curve_size(curve);
    enum crypto_status rc = ec_key_replace(curve, id, d);

    if (rc != CRYPTO_OK) {
        return rc;
    }
    rc = crypto_int_load_key(SLOT_EC0 + id,
                  curve == CRYPTO_P256 ? NETCARD_CRYPTO_KEY_P256_PRIV : NETCARD_CRYPTO_KEY_P384_PRIV,
                  NETCARD_CRYPTO_USE_SIGN | NETCARD_CRYPTO_USE_DERIVE, d, cs);
    if (rc == CRYPTO_OK) {
        ec_curve[id] = (uint8_t)curve;
    }
    return rc;
}

static enum crypto_status zeroize(uint32_t slot)
{
    struct crypto_drv_cmd c = {
        .cmd = FIELD_DP32(NETCARD_CRYPTO_OP_KEY_ZEROIZE, CRYPTO_CMD, KEY, slot),
    };

    return crypto_int_result(crypto_drv_run(&c, NULL), "key zeroize");
}

enum crypto_status crypto_ec_clear(unsigned id)
{
    enum crypto_status rc = crypto_int_in_service();

    if (rc != CRYPTO_OK) {
        return rc;
    }
    if (id >= CRYPTO_EC_KEYS) {
        return CRYPTO_ERR_PARAM;
    }
    ec_curve[id] = 0;
    return zeroize(SLOT_EC0 + id);
}

enum crypto_status crypto_ecdsa_sign(unsigned id, const uint8_t *hash,
                                     size_t hash_len, uint8_t *sig)
{
    enum crypto_curve curve = crypto_ec_key_curve(id);
    size_t cs = crypto_curve_size(curve);
    struct crypto_drv_cmd c = { 0 };
    uint32_t outlen = 0;
    enum crypto_status rc = crypto_int_in_service();

    if (rc != CRYPTO_OK) {
        return rc;
    }
    if (cs == 0 || hash == NULL || sig == NULL || hash_len == 0 || hash_len > CRYPTO_HASH_MAX) {
        return CRYPTO_ERR_PARAM;
    }
    memcpy(bounce, hash, hash_len);
    c.cmd = FIELD_DP32(NETCARD_CRYPTO_OP_ECDSA_SIGN, CRYPTO_CMD, KEY, SLOT_EC0 + id);
    c.cmd = FIELD_DP32(c.cmd, CRYPTO_CMD, ALG, (uint32_t)curve);
    c.src = (uintptr_t)bounce;
    c.len = (uint32_t)hash_len;
    c.dst = (uintptr_t)(bounce + 128);
    rc = crypto_int_result(crypto_drv_run(&c, &outlen), "ECDSA sign");
    if (rc == CRYPTO_OK && outlen != 2 * cs) {
        crypto_fail("crypto coprocessor");
        rc = CRYPTO_ERR_HW;
    }
    if (rc == CRYPTO_OK) {
        memcpy(sig, bounce + 128, 2 * cs);
    }
    return rc;
}

enum crypto_status crypto_ecdsa_verify(enum crypto_curve curve,
                                       const uint8_t *pub,
                                       const uint8_t *hash, size_t hash_len,
                                       const uint8_t *sig)
{
    size_t cs = crypto_curve_size(curve);
    struct crypto_drv_cmd c = { 0 };
    enum crypto_status rc = crypto_int_in_service();

    if (rc != CRYPTO_OK) {
        return rc;
    }
    if (cs == 0 || pub == NULL || hash == NULL || sig == NULL || hash_len == 0 ||
        hash_len > CRYPTO_HASH_MAX) {
        return CRYPTO_ERR_PARAM;
    }
    rc = crypto_int_load_key(SLOT_PUB,
                  curve == CRYPTO_P256 ? NETCARD_CRYPTO_KEY_P256_PUB : NETCARD_CRYPTO_KEY_P384_PUB,
                  NETCARD_CRYPTO_USE_SIGN, pub, 2 * cs);
    if (rc != CRYPTO_OK) {
        return rc;
    }
    memcpy(bounce, hash, hash_len);
    memcpy(bounce + 128, sig, 2 * cs);
    c.cmd = FIELD_DP32(NETCARD_CRYPTO_OP_ECDSA_VERIFY, CRYPTO_CMD, KEY, SLOT_PUB);
    c.cmd = FIELD_DP32(c.cmd, CRYPTO_CMD, ALG, (uint32_t)curve);
    c.src = (uintptr_t)bounce;
    c.len = (uint32_t)hash_len;
    c.aux = (uintptr_t)(bounce + 128);
    return crypto_int_result(crypto_drv_run(&c, NULL), "ECDSA verify");
}

enum crypto_status crypto_ecdh(unsigned id, const uint8_t *peer, uint8_t *shared)
{
    enum crypto_curve curve = crypto_ec_key_curve(id);
    size_t cs = crypto_curve_size(curve);
    struct crypto_drv_cmd c = { 0 };
    uint32_t outlen = 0;
    enum crypto_status rc = crypto_int_in_service();

    if (rc != CRYPTO_OK) {
        return rc;
    }
    if (cs == 0 || peer == NULL || shared == NULL) {
        return CRYPTO_ERR_PARAM;
    }
    memcpy(bounce, peer, 2 * cs);
    c.cmd = FIELD_DP32(NETCARD_CRYPTO_OP_ECDH, CRYPTO_CMD, KEY, SLOT_EC0 + id);
    c.cmd = FIELD_DP32(c.cmd, CRYPTO_CMD, ALG, (uint32_t)curve);
    c.src = (uintptr_t)bounce;
    c.len = (uint32_t)(2 * cs);
    c.dst = (uintptr_t)(bounce + 128);
    rc = crypto_int_result(crypto_drv_run(&c, &outlen), "ECDH");
    if (rc == CRYPTO_OK && outlen != cs) {
        crypto_fail("crypto coprocessor");
        rc = CRYPTO_ERR_HW;
    }
    if (rc == CRYPTO_OK) {
        memcpy(shared, bounce + 128, cs);
    }
    return rc;
}
