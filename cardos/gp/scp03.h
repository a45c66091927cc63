/*
 * Secure Channel Protocol '03' (GlobalPlatform Card Specification 2.3.1
 * Amendment D, SCP03 v1.1.1): AES-128/192/256 key sets, S8 mode (8-byte
 * cryptograms and MACs), implementation options i = 00, 10, 30, 60, 70,
 * security levels 00, 01, 03, 11, 13, 33.
 *
 *   scp03_kdf()             the data derivation (4.1.5: NIST SP 800-108
 *                           KDF in counter mode, PRF = AES-CMAC)
 *   scp03_card_challenge()  pseudo-random card challenge (6.2.2.1)
 *   scp03_start()           INITIALIZE UPDATE: session keys (6.2.1) and
 *                           the card cryptogram (6.2.2.2)
 *   scp03_authenticate()    EXTERNAL AUTHENTICATE (7.1.2): the host
 *                           cryptogram (6.2.2.3) and the command's C-MAC;
 *                           opens the session at the level of P1
 *   scp03_unwrap()          C-MAC (6.2.4) and C-DECRYPTION (6.2.6) of a
 *                           command
 *   scp03_wrap()            R-ENCRYPTION (6.2.7) and R-MAC (6.2.5) of a
 *                           response
 *   scp03_kcv()             key check value of an AES key (Amendment D:
 *                           AES of 16 bytes 01, the first 3 bytes)
 *   scp03_decrypt_key()     a PUT KEY key component: AES-CBC with the
 *                           static DEK, zero ICV (Amendment D 7.2.2)
 *
 * The session is a struct scp_session (gp/scp_session.h), buffers as
 * described there. Crypto through crypto/crypto.h (the coprocessor on the card).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_GP_SCP03_H
#define CARDOS_GP_SCP03_H

#include <stddef.h>
#include <stdint.h>

#include "apdu/apdu.h"
#include "crypto/crypto.h"
#include "crypto/key.h"
#include "gp/scp_session.h"

/* Derivation constants (Amendment D Table 4-1). */
#define SCP03_DC_CARD_CRYPTOGRAM 0x00u
#define SCP03_DC_HOST_CRYPTOGRAM 0x01u
#define SCP03_DC_CARD_CHALLENGE  0x02u
#define SCP03_DC_S_ENC           0x04u
#define SCP03_DC_S_MAC           0x06u
#define SCP03_DC_S_RMAC          0x07u

/* L_BITS / 8 bytes derived from KEY with CONSTANT and CONTEXT into OUT
 * (L_BITS: 64, 128, 192 or 256; CONTEXT at most 32 bytes): for values
 * sent to the host (cryptograms, card challenge). Session keys are
 * derived inside the coprocessor (scp_key(), crypto/key.h). */
enum crypto_status scp03_kdf(const struct crypto_key *key, uint8_t constant,
                             uint16_t l_bits, const uint8_t *context,
                             size_t context_len, uint8_t *out);

/* 8-byte pseudo-random card challenge from Key-ENC, the 3-byte sequence
 * counter and the AID of the security domain. */
enum crypto_status scp03_card_challenge(const struct crypto_key *key_enc,
                                        const uint8_t seq[3],
                                        const uint8_t *aid, size_t aid_len,
                                        uint8_t out[8]);

/*
 * Start session S (state started): remember I, KVN, the static keys
 * (KEY_ID: ENC, MAC, DEK in ST, KEY_LEN bytes each), the challenges and
 * SEQ; derive S-ENC, S-MAC, S-RMAC into coprocessor slots and compute
 * the card cryptogram.
 */
enum crypto_status scp03_start(struct scp_session *s, uint8_t i, uint8_t kvn,
                               const struct store *st,
                               const uint16_t key_id[3], size_t key_len,
                               const uint8_t host[8], const uint8_t card[8],
                               const uint8_t seq[3],
                               uint8_t card_cryptogram[8]);

/*
 * EXTERNAL AUTHENTICATE in BUF (CAP bytes of capacity): SW_OK (session
 * open), SW_AUTH_FAILED (host cryptogram), SW_SECURITY_STATUS (C-MAC,
 * no secure messaging), SW_WRONG_LENGTH, SW_INCORRECT_P1P2 (a level
 * the option i does not allow). On any error the caller ends the session.
 */
uint16_t scp03_authenticate(struct scp_session *s, uint8_t *buf, size_t cap,
                            const struct apdu *cmd);

/* As scp_unwrap() / scp_wrap() (gp/scp.h), for an SCP03 session. */
uint16_t scp03_unwrap(struct scp_session *s, uint8_t *buf, size_t cap,
                      const struct apdu *cmd, struct apdu *plain);
void scp03_wrap(struct scp_session *s, struct apdu_response *rsp);

/* Key check value of an AES key. */
enum crypto_status scp03_kcv(const uint8_t *key, size_t key_len,
                             uint8_t kcv[3]);

/* Decrypt LEN bytes (a multiple of 16) of a PUT KEY component with the
 * static DEK (a key handle) into OUT. */
enum crypto_status scp03_decrypt_key(const struct crypto_key *dek,
                                     const uint8_t *in, size_t len,
                                     uint8_t *out);

#endif /* CARDOS_GP_SCP03_H */
