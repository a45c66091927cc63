/*
 * GlobalPlatform secure channel sessions: the state one security domain
 * keeps for one logical channel and what SCP02 and SCP03 share
 * (gp/scp02.h and gp/scp03.h do the cryptography, gp/scp.h dispatches
 * between them).
 *
 * A session goes through three states (GPC 2.3.1 10.2, 10.5):
 *   idle       nothing (keys wiped)
 *   started    INITIALIZE UPDATE answered: session keys derived from the
 *              static keys, card cryptogram sent; only EXTERNAL
 *              AUTHENTICATE may follow, any other command ends it
 *   open       EXTERNAL AUTHENTICATE accepted: the security level (its
 *              P1: C-MAC 01, C-DECRYPTION 02, R-MAC 10, R-ENCRYPTION 20)
 *              applies to every following command and response until
 *              the session ends (a failed check, a new INITIALIZE UPDATE,
 *              another selection, a reset).
 *
 * Keys (the "key values never leave the key store"): a session
 * holds no key bytes. It names its static keys by key store id
 * (key_id[], in store st) and its session keys by recipe: scp_key()
 * makes the crypto/key.h handle of S-ENC, S-MAC, S-RMAC (SCP02: S-DEK)
 * from the key id, the derivation constant (Amendment D Table 4-1; GPC
 * 2.3.1 E.4.1) and the session's challenges or counter. The coprocessor
 * derives each into a key slot (crypto/key.h) and computes there;
 * scp_end() zeroizes those slots. Nothing here logs a key or returns one
 * in a response.

 * Buffers: commands are unwrapped in the APDU buffer they arrived in (the
 * C-MAC input is built in place in front of the command, so the buffer
 * needs SCP_WRAP_ROOM bytes of spare capacity), and responses are
 * wrapped in place in the response buffer (R-ENC padding and R-MAC need
 * SCP_WRAP_ROOM more bytes than the data).
 *
 * No hardware access (crypto/ only); compiles on the host.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_GP_SCP_SESSION_H
#define CARDOS_GP_SCP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apdu/apdu.h"
#include "crypto/key.h"

/* Security level bits (GPC 2.3.1 Table 10-1; Amendment D 5.1). */
#define SCP_LEVEL_CMAC   0x01u
#define SCP_LEVEL_CDEC   0x02u
#define SCP_LEVEL_RMAC   0x10u
#define SCP_LEVEL_RENC   0x20u

/* SCP03 "i" bits (Amendment D 5.1, Table 5-1). */
#define SCP03_I_PSEUDO   0x10u      /* pseudo-random card challenge */
#define SCP03_I_RMAC     0x20u      /* R-MAC support */
#define SCP03_I_RENC     0x40u      /* R-ENCRYPTION support */
/* SCP02 "i" bits (GPC 2.3.1 E.1.1). */
#define SCP02_I_3KEYS    0x01u
#define SCP02_I_UNMODIFIED_APDU 0x02u
#define SCP02_I_EXPLICIT 0x04u
#define SCP02_I_ICV_MAC_AID 0x08u
#define SCP02_I_ICV_ENC  0x10u
#define SCP02_I_RMAC     0x20u
#define SCP02_I_PSEUDO   0x40u

#define SCP_WRAP_ROOM    32u        /* spare buffer bytes wrap/unwrap need */

/* Status words of the secure channel (GPC 2.3.1 E.5.2; Amendment D 7.1.2). */
#define SW_AUTH_FAILED       0x6300u    /* host cryptogram wrong */
#define SW_SECURITY_STATUS   0x6982u    /* C-MAC wrong, level not met */

enum scp_state { SCP_IDLE = 0, SCP_STARTED, SCP_OPEN };

/* Packed by size (no padding): one per logical channel (gp/isd.c), 56
 * bytes. The key store of the static keys is the card's one
 * (scp_key_store(), set by scp0x_start()). */
struct scp_session {
    uint32_t enc_counter;       /* SCP03 encryption counter */
    uint16_t epoch;             /* keystore_epoch(key_id) when started */
    uint16_t key_id[3];         /* static ENC, MAC, DEK (key store ids) */
    uint8_t chain[16];          /* SCP03: MAC chaining value;
                                   SCP02: the last C-MAC (8 bytes) */
    uint8_t state;              /* enum scp_state */
    uint8_t proto;              /* 0x02 or 0x03 */
    uint8_t i;                  /* implementation option */
    uint8_t level;              /* SCP_LEVEL_* once open */
    uint8_t kvn;                /* key version of the static keys */
    uint8_t sd;                 /* their security domain (0: the ISD) */
    uint8_t key_len;            /* session key length: 16, 24 or 32 */
    uint8_t host_challenge[8];
    uint8_t card_challenge[8];  /* SCP02: 6 bytes */
    uint8_t seq[3];             /* SCP02: 2 bytes */
};

/* Which key of a session (SCP02: RMAC is S-DEK; MAC_K1 is K1 || K1 of
 * S-MAC, the single DES key of the ICV encryption, E.4.4). */
enum scp_key { SCP_KEY_ENC = 0, SCP_KEY_MAC, SCP_KEY_RMAC, SCP_KEY_MAC_K1 };

/* The key store the sessions' static keys are in (one per card). */
void scp_set_key_store(const struct store *st);

/* K names session key WHICH of S (a started or open session). */
void scp_key(const struct scp_session *s, enum scp_key which,
             struct crypto_key *k);
/* K names static key KID (0 ENC, 1 MAC, 2 DEK) of S. */
void scp_static_key(const struct scp_session *s, unsigned kid,
                    struct crypto_key *k);

/* End the session: its session keys zeroized in the coprocessor, state
 * wiped (idle). */
void scp_end(struct scp_session *s);

/* The secure-messaging form of CLA (80 -> 84, C0.. -> E0..) and back. */
static inline bool scp_cla_has_sm(uint8_t cla)
{
    return (cla & 0x40u) ? (cla & 0x20u) != 0 : (cla & 0x0cu) != 0;
}

static inline uint8_t scp_cla_plain(uint8_t cla)
{
    return (cla & 0x40u) ? (uint8_t)(cla & ~0x20u) : (uint8_t)(cla & ~0x0cu);
}

/* For scp02/scp03: PLAIN = CMD with the plain CLA and DATA (NC bytes). */
void scp_plain(const struct apdu *cmd, const uint8_t *data, size_t nc,
               struct apdu *plain);
/* For scp02/scp03: where CMD's data field starts in BUF (the header and
 * Lc as sent: 5 or 7 bytes). */
size_t scp_data_offset(const uint8_t *buf, const struct apdu *cmd);

/* Constant-time comparison of N bytes. */
bool scp_equal(const uint8_t *a, const uint8_t *b, size_t n);
/* A plain memset before a buffer dies may be optimised away. */
void scp_wipe(void *p, size_t n);

#endif /* CARDOS_GP_SCP_SESSION_H */
