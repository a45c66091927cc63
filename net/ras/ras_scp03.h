/*
 * ras_scp03 — the host (off-card entity) side of GlobalPlatform SCP03
 * (Card Specification v2.3.1 Amendment D, SCP03 v1.1.1), used by the admin
 * server to build scripts that open a secure channel with the card's
 * security domain: INITIALIZE UPDATE, then (once the card's response came
 * back in the card's next POST) EXTERNAL AUTHENTICATE and the job's
 * commands wrapped with C-MAC (and C-DECRYPTION at levels 03/33).
 *
 * Contract:
 *  - Keys are AES-128/192/256 static keys (Key-ENC, Key-MAC, Key-DEK) held
 *    only by the server (its database); nothing here writes them anywhere.
 *  - KDF: NIST SP 800-108 counter mode, PRF AES-CMAC, data =
 *    00*11 | constant | 00 | L (2 bytes, bits) | i | context (Amendment D
 *    4.1.5). Constants: 00 card cryptogram, 01 host cryptogram, 02 card
 *    challenge, 04 S-ENC, 06 S-MAC, 07 S-RMAC (Amendment D table 4-1).
 *  - ras_scp03_begin checks the card cryptogram (Amendment D 6.2.2.2) and,
 *    when the i parameter announces a pseudo-random card challenge (b5,
 *    e.g. i = 70) and an ISD AID is given, recomputes the challenge from
 *    the sequence counter (Amendment D 6.2.2.1); then it builds EXTERNAL
 *    AUTHENTICATE (6.2.2.3) with its C-MAC.
 *  - ras_scp03_wrap applies C-MAC (Amendment D 6.2.4, MAC chaining from
 *    16 zero bytes, 8-byte C-MAC) and, at levels with C-DECRYPTION (b2),
 *    encrypts the data field (6.2.6: AES-CBC with S-ENC, ICV = AES(S-ENC,
 *    counter), the counter starting at 1 and incremented for every
 *    command). Short APDUs only (wrapped Lc <= 255).
 *  - Deterministic: the same inputs give the same bytes, so a server can
 *    rebuild a session's wrapped commands after a restart.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_RAS_SCP03_H
#define NETCARD_RAS_SCP03_H

#include <stddef.h>
#include <stdint.h>

#define RAS_SCP03_OK              0
#define RAS_SCP03_E_ARG         (-1)  /* bad key length, APDU shape, ... */
#define RAS_SCP03_E_RESPONSE    (-2)  /* INITIALIZE UPDATE response malformed or SW != 9000 */
#define RAS_SCP03_E_CRYPTOGRAM  (-3)  /* card cryptogram does not verify */
#define RAS_SCP03_E_CHALLENGE   (-4)  /* pseudo-random card challenge does not verify */
#define RAS_SCP03_E_CRYPTO      (-5)  /* mbedTLS failed */

typedef struct RasScp03Keys {
    uint8_t kvn;
    size_t key_len;                   /* 16, 24 or 32 */
    uint8_t enc[32], mac[32], dek[32];
} RasScp03Keys;

typedef struct RasScp03Session {
    size_t key_len;
    uint8_t s_enc[32], s_mac[32], s_rmac[32];
    uint8_t chain[16];                /* MAC chaining value */
    uint32_t enc_counter;             /* next C-ENC counter */
    uint8_t level;                    /* EXTERNAL AUTHENTICATE P1 */
    uint8_t i_param;
    uint8_t seq[3];                   /* sequence counter, when returned */
} RasScp03Session;

/* INITIALIZE UPDATE: 80 50 KVN 00 08 host-challenge 00 (Amendment D
 * 7.1.1). Returns 14. */
size_t ras_scp03_initialize_update(uint8_t kvn, const uint8_t host_chal[8],
                                   uint8_t out[14]);

/* From the card's INITIALIZE UPDATE response RSP (with or without SW1 SW2
 * 90 00): derive the session keys, verify the card cryptogram (and the
 * pseudo-random challenge when ISD_AID is not NULL and i has b5 set) and
 * write EXTERNAL AUTHENTICATE for security level LEVEL (00, 01, 03, 11,
 * 13, 33) into EXT_AUTH (21 bytes). */
int ras_scp03_begin(RasScp03Session *s, const RasScp03Keys *k,
                    const uint8_t host_chal[8], const uint8_t *rsp,
                    size_t rsp_len, uint8_t level, const uint8_t *isd_aid,
                    size_t aid_len, uint8_t ext_auth[21]);

/* Wrap one C-APDU (case 1-4, short). OUT needs LEN + 32 bytes. */
int ras_scp03_wrap(RasScp03Session *s, const uint8_t *apdu, size_t len,
                   uint8_t *out, size_t *out_len);

/* The pseudo-random card challenge (Amendment D 6.2.2.1). */
int ras_scp03_card_challenge(const uint8_t *key_enc, size_t key_len,
                             const uint8_t seq[3], const uint8_t *aid,
                             size_t aid_len, uint8_t out[8]);

/* The SP 800-108 KDF itself (exposed for the unit tests). OUT gets
 * L_BITS / 8 bytes (64, 128, 192 or 256). */
int ras_scp03_kdf(const uint8_t *key, size_t key_len, uint8_t constant,
                  unsigned l_bits, const uint8_t *ctx, size_t ctx_len,
                  uint8_t *out);

#endif /* NETCARD_RAS_SCP03_H */
