/*
 * Secure Channel Protocol '02' (GlobalPlatform Card Specification 2.3.1
 * Appendix E): three 2-key 3DES static keys (ENC, MAC, DEK), explicit
 * initiation, implementation options i = 15 and 55 (C-MAC on the
 * modified APDU, ICV encrypted for every command after the first; 55:
 * pseudo-random card challenge), security levels 00, 01, 03. No R-MAC
 * (neither option offers it).
 *
 *   scp02_card_challenge()  pseudo-random card challenge (i b7, E.4.2.1)
 *   scp02_start()           INITIALIZE UPDATE: session keys (E.4.1) and
 *                           the card cryptogram (E.4.2.1)
 *   scp02_authenticate()    EXTERNAL AUTHENTICATE (E.5.2): the host
 *                           cryptogram (E.4.2.2) and the C-MAC
 *   scp02_unwrap()          C-MAC (E.4.4) and C-DECRYPTION (E.4.6)
 *   scp02_kcv()             key check value (3DES of 8 zero bytes)
 *   scp02_decrypt_key()     PUT KEY key component: 3DES-ECB with the
 *                           session DEK (E.4.7)
 *
 * Pseudo-random card challenge: the first 6 bytes of the full 3DES MAC
 * (ISO/IEC 9797-1 MAC algorithm 1, padding method 2) of the selected
 * security domain's AID with the static Key-MAC; it does not depend on
 * the sequence counter (the session keys do). This is what the
 * GlobalPlatformPro and GPShell sessions of the reference card show
 * (../shared/vectors/gp-traces, docs/gp.md "Decisions").
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_GP_SCP02_H
#define CARDOS_GP_SCP02_H

#include <stddef.h>
#include <stdint.h>

#include "apdu/apdu.h"
#include "crypto/crypto.h"
#include "crypto/key.h"
#include "gp/scp_session.h"

/* Session key derivation constants (E.4.1; gp/scp_session.c). */
#define SCP02_DC_CMAC  0x0101u
#define SCP02_DC_RMAC  0x0102u
#define SCP02_DC_DEK   0x0181u
#define SCP02_DC_ENC   0x0182u

enum crypto_status scp02_card_challenge(const struct crypto_key *key_mac,
                                        const uint8_t *aid, size_t aid_len,
                                        uint8_t out[6]);

/* Start session S with the static keys KEY_ID (ENC, MAC, DEK in ST, 16
 * bytes each): S-ENC, S-MAC, S-DEK derived into coprocessor slots, the
 * card cryptogram. */
enum crypto_status scp02_start(struct scp_session *s, uint8_t i, uint8_t kvn,
                               const struct store *st,
                               const uint16_t key_id[3],
                               const uint8_t host[8], const uint8_t card[6],
                               const uint8_t seq[2],
                               uint8_t card_cryptogram[8]);

/* As scp03_authenticate() (gp/scp03.h): levels 00, 01, 03. */
uint16_t scp02_authenticate(struct scp_session *s, uint8_t *buf, size_t cap,
                            const struct apdu *cmd);

/* As scp_unwrap() (gp/scp.h), for an SCP02 session. */
uint16_t scp02_unwrap(struct scp_session *s, uint8_t *buf, size_t cap,
                      const struct apdu *cmd, struct apdu *plain);

enum crypto_status scp02_kcv(const uint8_t key[16], uint8_t kcv[3]);

/* Decrypt a 16-byte key component with the session's S-DEK. */
enum crypto_status scp02_decrypt_key(const struct scp_session *s,
                                     const uint8_t in[16], uint8_t out[16]);

#endif /* CARDOS_GP_SCP02_H */
