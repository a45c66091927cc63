/*
 * usim_auth: the USIM's AUTHENTICATE (3GPP TS 31.102 7.1.2) with MILENAGE
 * (fs/milenage.h), its keys and its sequence numbers.
 *
 * Keys: Ki (K) and OPc live in the key store (crypto/keystore.h) as AES
 * keys USIM_KEY_KI and USIM_KEY_OPC, copied out only for a computation
 * and wiped after it; no command reads them. The block cipher is the
 * card's (crypto/crypto.h AES-128 on the coprocessor), handed in by the
 * wiring (card/) through usim_auth_set_cipher(); the host tests give the
 * software AES.
 *
 * Sequence numbers (TS 33.102 Annex C, profile of C.3): SQN = SEQ || IND
 * with a 5-bit IND; an array of a = 32 accepted SEQ values SEQ_MS(i),
 * all 0 at first. A received SQN is accepted when SEQ > SEQ_MS(IND)
 * (C.2.2 freshness) and SEQ - SEQ_MS <= 2^28 (C.2.1 wrap-around limit
 * Delta), SEQ_MS the highest SEQ of the array; the age limit L of C.2.2
 * is not applied (the option the annex leaves). Accepted: SEQ_MS(IND) :=
 * SEQ. Otherwise a synchronisation failure with AUTS built on SQN_MS,
 * the highest accepted SQN (its SEQ || its IND), AMF* = 0000 (6.3.3).
 *
 * The array is one security object of the store (FS_OBJ_KEY(0xF1),
 * store_put_secure): it is COMMITTED before RES, CK and IK leave the
 * card, so a power cut either leaves the SQN unused (no answer was
 * given) or used; no cut and no damage makes an accepted SQN acceptable
 * again (damage reads as damaged: AUTHENTICATE then answers 6983, the
 * card never starts over from zeros).
 *
 * Status words of usim_auth_3g / usim_auth_gsm: 9000 (with the response
 * data); 9862 MAC failure (no state changed); 6983 the SQN record or a
 * key is damaged; 6A88 no key; 6581 the store refused the update; 6F00
 * the cipher failed. Host-compilable.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_FS_USIM_AUTH_H
#define CARDOS_FS_USIM_AUTH_H

#include <stdint.h>

#include "fs/fs.h"

#define USIM_KEY_KI        0x5501u     /* key store ids (docs/crypto.md) */
#define USIM_KEY_OPC       0x5502u
#define USIM_OBJ_SQN       FS_OBJ_KEY(0xF1)
#define USIM_IND_BITS      5u
#define USIM_SQN_ARRAY     (1u << USIM_IND_BITS)
#define USIM_SQN_DELTA     (1ull << 28)
#define USIM_SW_MAC        0x9862u     /* TS 31.102 7.1.2: incorrect MAC */

/* 3G response: DB 08 RES 10 CK 10 IK 08 Kc; sync failure: DC 0E AUTS. */
#define USIM_AUTH_RSP_MAX  53u

/* AES-128 encryption of one block with KEY; 0 on success. */
struct usim_cipher {
    int (*encrypt)(void *ctx, const uint8_t key[16], const uint8_t in[16],
                   uint8_t out[16]);
    void *ctx;
};
void usim_auth_set_cipher(const struct usim_cipher *c);

/* First-boot values (docs/usim.md): Ki and OPc of TS 35.208 test set 1
 * and an all-zero SQN array, each only where missing. 9000 or 6581. */
uint16_t usim_auth_personalise(struct fs *fs);

/*
 * 3G context: RAND (16), AUTN (16). Success: *SYNC_FAIL false, OUT (at
 * least USIM_AUTH_RSP_MAX) gets DB..; sync failure: *SYNC_FAIL true, OUT
 * gets DC 0E AUTS. *LEN the bytes written. WITH_KC adds Kc (c3).
 */
uint16_t usim_auth_3g(struct fs *fs, const uint8_t rand[16],
                      const uint8_t autn[16], bool with_kc, uint8_t *out,
                      uint32_t *len);
/* GSM context (TS 33.102 6.8.1.2): SRES = c2(RES), Kc = c3(CK, IK). */
uint16_t usim_auth_gsm(struct fs *fs, const uint8_t rand[16],
                       uint8_t sres[4], uint8_t kc[8]);

/* Personalisation (applets/perso_applet.h through card/): Ki and OPc,
 * or Ki and OP (OPc computed here); and the SQN array: every SEQ_MS(i)
 * := SQN >> 5, so that the next accepted SQN is above SQN. 9000, 6581,
 * 6F00. */
uint16_t usim_auth_set_keys(struct fs *fs, const uint8_t ki[16],
                            const uint8_t opc[16], const uint8_t *op);
uint16_t usim_auth_set_sqn(struct fs *fs, uint64_t sqn);

#endif /* CARDOS_FS_USIM_AUTH_H */
