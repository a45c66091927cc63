/*
 * The card's crypto API: the one interface the upper layers (ISO 7816
 * applications, GlobalPlatform, TLS glue) use for ciphers, MACs, hashes,
 * signatures, key agreement and random numbers. Everything runs on the
 * crypto coprocessor (drivers/crypto.h, docs/crypto.md) except the
 * software AES engine kept for comparison (CRYPTO_ENGINE_SOFT, our own
 * FIPS 197 implementation in crypto/aes_soft.c). Random numbers come from
 * the TRNG (drivers/trng.h) through the SP 800-90B continuous health tests
 * (crypto/health.h).
 *
 * Status: every call returns enum crypto_status. CRYPTO_OK is 0; every
 * error is negative. Callers' mistakes (CRYPTO_ERR_PARAM), a rejected
 * input (CRYPTO_ERR_INPUT: RSA input >= n, a point not on the curve) and an
 * invalid signature (CRYPTO_ERR_VERIFY) leave the card in service. An
 * engine failure (CRYPTO_ERR_HW: a coprocessor error that a correct driver
 * cannot provoke, a time-out, a wrong answer in a self-test) or a failed
 * health test (CRYPTO_ERR_ENTROPY) puts the card in the REFUSED state:
 * crypto_fail() logs once
 *
 *     E crypto: <what> failed: card refuses service (6F00)
 *
 * and from then on every call returns CRYPTO_ERR_REFUSED, the ISO 7816
 * dispatcher answers every APDU with 6F00 and the TLS server refuses new
 * handshakes. Only a reset leaves the refused state (the power-on
 * self-tests run again). docs/crypto.md "Card OS" has the details.
 *
 * Buffers: any address and alignment. Data already word aligned in RAM
 * goes to the coprocessor by DMA directly; anything else (ROM constants,
 * unaligned buffers) is staged through the layer's RAM bounce buffer in
 * chunks of CRYPTO_BOUNCE_SIZE bytes. The coprocessor's CMAC is one-shot:
 * a crypto_mac() CRYPTO_MAC_AES_CMAC message longer than
 * CRYPTO_BOUNCE_SIZE - 16 bytes must be word aligned in RAM (else
 * CRYPTO_ERR_PARAM).
 *
 * Keys: symmetric and RSA keys are passed as bytes with each call and
 * loaded into the coprocessor's transient slots (a key already loaded is
 * not loaded again). Keys that must not be in RAM are used through
 * handles instead (crypto/key.h: key store keys and session keys derived
 * in the coprocessor). EC private keys live in the coprocessor only: they
 * are generated into (or, for tests, loaded into) one of CRYPTO_EC_KEYS
 * key ids and used by id; their bytes never come back.
 *
 * Not reentrant: call from the main loop only (not from interrupt
 * handlers). Single-core, no RTOS: no locking.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_CRYPTO_CRYPTO_H
#define CARDOS_CRYPTO_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum crypto_status {
    CRYPTO_OK           = 0,
    CRYPTO_ERR_PARAM    = -1,  /* bad length, key size, algorithm, buffer */
    CRYPTO_ERR_INPUT    = -2,  /* input rejected: RSA x >= n, bad point */
    CRYPTO_ERR_VERIFY   = -3,  /* signature does not verify */
    CRYPTO_ERR_BUSY     = -4,  /* no free hash context (4 in the engine) */
    CRYPTO_ERR_HW       = -5,  /* engine failure: the card is now refused */
    CRYPTO_ERR_ENTROPY  = -6,  /* health test failed: the card is refused */
    CRYPTO_ERR_REFUSED  = -7,  /* the card was already refused */
};

#define CRYPTO_BOUNCE_SIZE  1280u   /* an RSA-4096 CRT key */

/* ---- Life cycle, self-tests, refused state ------------------------------ */

/*
 * Probe the coprocessor and the TRNG, enable the TRNG and run its start-up
 * health test (SP 800-90B 4.3: 4096 samples, discarded). Failure: refused.
 */
enum crypto_status crypto_init(void);

struct crypto_selftest_result {
    unsigned kats;        /* known-answer tests run (all passed if OK) */
    uint32_t cycles;      /* coprocessor CYCLES summed over the tests */
};
/*
 * Power-on self-tests: one known-answer test per algorithm (list in
 * docs/crypto.md). Logs "I crypto: self-tests passed (<n> KATs, <ms> ms)"
 * or refuses (logging which KAT failed). Needs crypto_init() first.
 */
enum crypto_status crypto_selftest(struct crypto_selftest_result *res);

/* True once the card is refused (until the next reset). */
bool crypto_failed(void);
/* What failed ("KAT AES-CBC", "TRNG repetition count test", ...), or NULL. */
const char *crypto_failure(void);
/*
 * Enter the refused state (idempotent: the first reason is kept and logged
 * once). For upper layers that detect a fatal crypto fault themselves.
 */
void crypto_fail(const char *what);

/* Operations completed by the coprocessor since boot (diagnostics/tests). */
uint32_t crypto_hw_ops(void);
/* Sum of the coprocessor's CYCLES register over those operations. */
uint32_t crypto_hw_cycles(void);

/* ---- Random --------------------------------------------------------------- */

/*
 * LEN bytes of health-tested TRNG output (no conditioning: the modelled
 * source's claimed min-entropy is in docs/crypto.md). A failed health test
 * refuses the card and returns CRYPTO_ERR_ENTROPY with OUT unspecified.
 */
enum crypto_status crypto_random(void *out, size_t len);

/* ---- Ciphers -------------------------------------------------------------- */

enum crypto_cipher {
    CRYPTO_AES_ECB = 1,
    CRYPTO_AES_CBC = 2,
    CRYPTO_AES_CTR = 3,
    CRYPTO_TDES_ECB = 4,
    CRYPTO_TDES_CBC = 5,
};

enum crypto_engine {
    CRYPTO_ENGINE_HW = 0,     /* the coprocessor */
    CRYPTO_ENGINE_SOFT = 1,   /* crypto/aes_soft.c (AES modes only) */
};

/*
 * Encrypt (decrypt = false) or decrypt LEN bytes IN -> OUT (OUT may equal
 * IN; other overlaps are not allowed).
 *   AES: KEY_LEN 16/24/32; ECB/CBC: LEN a non-zero multiple of 16; CTR: any
 *        LEN > 0, the 16-byte counter block big-endian in IV.
 *   TDES: KEY_LEN 16 (K1 K2, K3 = K1) or 24; LEN a non-zero multiple of 8;
 *        8-byte IV for CBC.
 *   IV (CBC, CTR; NULL for ECB) is updated in place: the last ciphertext
 *   block (CBC) or the next counter block (CTR: advanced by ceil(LEN/16)),
 *   so successive calls chain.
 * ENGINE: CRYPTO_ENGINE_SOFT is valid for the AES modes only.
 */
enum crypto_status crypto_cipher(enum crypto_cipher alg,
                                 enum crypto_engine engine, bool decrypt,
                                 const uint8_t *key, size_t key_len,
                                 uint8_t *iv, const uint8_t *in,
                                 uint8_t *out, size_t len);

/*
 * Forget the key last passed as bytes: zeroize the coprocessor slot it
 * was loaded into and this layer's RAM copy of it (kept to avoid
 * reloading the same key). For callers done with a secret they had to
 * hold as bytes (a new key of a GlobalPlatform PUT KEY, for its KCV).
 */
void crypto_forget_byte_keys(void);

/* ---- MACs ----------------------------------------------------------------- */

enum crypto_mac {
    CRYPTO_MAC_AES_CMAC = 1,      /* SP 800-38B, 16-byte MAC, key 16/24/32 */
    CRYPTO_MAC_RETAIL = 2,        /* ISO/IEC 9797-1 MAC algorithm 3, 2-key
                                   * TDES (16-byte key), padding method 2
                                   * applied here; 8-byte MAC */
    CRYPTO_MAC_HMAC_SHA256 = 3,   /* RFC 2104; key 1..256 bytes */
    CRYPTO_MAC_HMAC_SHA384 = 4,
    CRYPTO_MAC_HMAC_SHA512 = 5,
};

/* Full-length MAC of MSG into MAC (capacity MAC_CAP), length in *MAC_LEN. */
enum crypto_status crypto_mac(enum crypto_mac alg, const uint8_t *key,
                              size_t key_len, const uint8_t *msg,
                              size_t msg_len, uint8_t *mac, size_t mac_cap,
                              size_t *mac_len);

/* ---- Hashes --------------------------------------------------------------- */

enum crypto_hash {             /* values as the coprocessor's ALG field */
    CRYPTO_SHA1 = 1,
    CRYPTO_SHA224 = 2,
    CRYPTO_SHA256 = 3,
    CRYPTO_SHA384 = 4,
    CRYPTO_SHA512 = 5,
};
#define CRYPTO_HASH_MAX 64

/* Digest length in bytes, 0 for an unknown algorithm. */
size_t crypto_hash_len(enum crypto_hash alg);

/* One-shot digest of MSG into OUT (crypto_hash_len(alg) bytes). */
enum crypto_status crypto_hash(enum crypto_hash alg, const void *msg,
                               size_t len, uint8_t *out);

/*
 * Multi-part: start takes one of the engine's 4 hash contexts
 * (CRYPTO_ERR_BUSY if none is free) until finish or abort gives it back.
 * Several may run interleaved.
 */
struct crypto_hash_ctx {
    uint8_t alg;      /* enum crypto_hash; 0 when not started */
    uint8_t hw_ctx;   /* engine context */
};
enum crypto_status crypto_hash_start(struct crypto_hash_ctx *ctx,
                                     enum crypto_hash alg);
enum crypto_status crypto_hash_update(struct crypto_hash_ctx *ctx,
                                      const void *data, size_t len);
enum crypto_status crypto_hash_finish(struct crypto_hash_ctx *ctx,
                                      uint8_t *out);
void crypto_hash_abort(struct crypto_hash_ctx *ctx);

/* ---- Elliptic curves (ECDSA, ECDH) ---------------------------------------- */

enum crypto_curve {            /* values as the coprocessor's ALG field */
    CRYPTO_P256 = 1,
    CRYPTO_P384 = 2,
};
/* Field element / coordinate size: 32 (P-256) or 48 (P-384); 0 if unknown. */
size_t crypto_curve_size(enum crypto_curve curve);

/* EC private keys held by the coprocessor, by id 0..CRYPTO_EC_KEYS-1. */
#define CRYPTO_EC_KEYS 2

/*
 * Generate a key pair in key id ID (replacing what it held); the public
 * key X || Y (2 * crypto_curve_size bytes, big-endian) into PUB.
 */
enum crypto_status crypto_ec_generate(enum crypto_curve curve, unsigned id,
                                      uint8_t *pub);
/* Load a known private key D (crypto_curve_size bytes) into key id ID. */
enum crypto_status crypto_ec_load_private(enum crypto_curve curve,
                                          unsigned id, const uint8_t *d);
/* Curve of key id ID, 0 if empty. */
enum crypto_curve crypto_ec_key_curve(unsigned id);
/* Zeroize key id ID in the engine (it becomes empty). */
enum crypto_status crypto_ec_clear(unsigned id);

/*
 * ECDSA signature of HASH (1..64 bytes; truncated to the curve's order
 * size as FIPS 186-5 says) with key id ID: r || s, each
 * crypto_curve_size bytes, into SIG.
 */
enum crypto_status crypto_ecdsa_sign(unsigned id, const uint8_t *hash,
                                     size_t hash_len, uint8_t *sig);
/*
 * Verify r || s (SIG) over HASH with the public key PUB = X || Y.
 * CRYPTO_OK: valid; CRYPTO_ERR_VERIFY: invalid; CRYPTO_ERR_INPUT: PUB not
 * a point of the curve.
 */
enum crypto_status crypto_ecdsa_verify(enum crypto_curve curve,
                                       const uint8_t *pub,
                                       const uint8_t *hash, size_t hash_len,
                                       const uint8_t *sig);
/* ECDH: the X coordinate of d(ID) * PEER (PEER = X || Y) into SHARED. */
enum crypto_status crypto_ecdh(unsigned id, const uint8_t *peer,
                               uint8_t *shared);

/* ---- RSA (raw modular exponentiation, no padding) ------------------------- */

/*
 * Public operation OUT = IN^E mod N. N_LEN = k bytes (128..512, a multiple
 * of 8, top byte non-zero, N odd); IN and OUT k bytes, big-endian; E odd
 * and >= 3. IN >= N: CRYPTO_ERR_INPUT.
 */
enum crypto_status crypto_rsa_public(const uint8_t *n, size_t n_len,
                                     uint32_t e, const uint8_t *in,
                                     uint8_t *out);

/*
 * Private key in CRT form: p, q, dP, dQ, qInv, each HALF bytes (64..256, a
 * multiple of 4), big-endian; k = 2 * HALF.
 */
struct crypto_rsa_crt_key {
    const uint8_t *p, *q, *dp, *dq, *qinv;
    size_t half;
};
/* OUT = IN^d mod n by CRT (k bytes each). */
enum crypto_status crypto_rsa_private(const struct crypto_rsa_crt_key *key,
                                      const uint8_t *in, uint8_t *out);

#endif /* CARDOS_CRYPTO_CRYPTO_H */
