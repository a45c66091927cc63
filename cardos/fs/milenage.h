/*
 * milenage: the 3GPP MILENAGE algorithm set (TS 35.206) and the GSM
 * conversion functions c2/c3 (TS 33.102 6.8.1.2), as pure functions over
 * a 128-bit block cipher given by the caller: E_K, AES-128 with the
 * subscriber key K (TS 35.206 4.1: the kernel function is Rijndael). On
 * the card that is the crypto coprocessor (crypto/crypto.h), in the host
 * unit tests the software AES (crypto/aes_soft.h); the key never passes
 * through this module.
 *
 * Constants: the default c1..c5 and r1..r5 of TS 35.206 4.1 (c1 = 0,
 * c2..c5 = 1, 2, 4, 8 in the last byte; r1..r5 = 64, 0, 32, 64, 96
 * bits).
 *
 * Every function returns 0, or the encrypt callback's non-zero result
 * (then the outputs are unspecified). Outputs may be NULL when not
 * wanted. No heap; host-compilable.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_FS_MILENAGE_H
#define CARDOS_FS_MILENAGE_H

#include <stdint.h>

/* E_K(IN) -> OUT, 16 bytes each (OUT may equal IN); 0 on success. */
typedef int (*milenage_encrypt_fn)(void *ctx, const uint8_t in[16],
                                   uint8_t out[16]);

struct milenage_cipher {
    milenage_encrypt_fn encrypt;
    void *ctx;
};

/* OPc = OP xor E_K(OP) (TS 35.206 4.1). */
int milenage_opc(const struct milenage_cipher *ek, const uint8_t op[16],
                 uint8_t opc[16]);

/* f1 (MAC-A) and f1* (MAC-S) over SQN (6 bytes) and AMF (2 bytes). */
int milenage_f1(const struct milenage_cipher *ek, const uint8_t opc[16],
                const uint8_t rand[16], const uint8_t sqn[6],
                const uint8_t amf[2], uint8_t mac_a[8], uint8_t mac_s[8]);

/* f2 (RES, 8 bytes), f3 (CK), f4 (IK), f5 (AK, 6 bytes). */
int milenage_f2345(const struct milenage_cipher *ek, const uint8_t opc[16],
                   const uint8_t rand[16], uint8_t res[8], uint8_t ck[16],
                   uint8_t ik[16], uint8_t ak[6]);

/* f5* (AK for resynchronisation, 6 bytes). */
int milenage_f5star(const struct milenage_cipher *ek, const uint8_t opc[16],
                    const uint8_t rand[16], uint8_t ak_star[6]);

/* c2: SRES from an 8-byte RES (the 128-bit zero-padded RES folded into
 * 32 bits by XOR, TS 33.102 6.8.1.2). */
void milenage_c2(const uint8_t res[8], uint8_t sres[4]);
/* c3: Kc = CK1 xor CK2 xor IK1 xor IK2 (64-bit halves). */
void milenage_c3(const uint8_t ck[16], const uint8_t ik[16], uint8_t kc[8]);

#endif /* CARDOS_FS_MILENAGE_H */
