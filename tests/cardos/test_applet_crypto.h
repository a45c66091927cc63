/*
 * Crypto commands of the test application (tests/cardos/test_applet.h), for
 * tests that compare the card's crypto with a host's (CLA 80, any
 * channel; docs/iso7816-card.md "Crypto commands"). Each runs on the
 * crypto API (crypto/crypto.h).
 *
 *   INS 50 CIPHER  P1 01 AES-ECB, 02 AES-CBC, 03 AES-CTR, 04 TDES-ECB,
 *                  05 TDES-CBC; P2 b1 = 1 decrypt, b8 = 1 the card's
 *                  software AES (AES modes only); other P2 bits 0.
 *                  Data: Lk || key || IV (16 for AES-CBC/CTR, 8 for
 *                  TDES-CBC, none for ECB) || input. Returns the output.
 *   INS 52 MAC     P1 01 AES-CMAC, 02 ISO/IEC 9797-1 MAC algorithm 3
 *                  (2-key TDES, padding method 2 applied by the card),
 *                  03/04/05 HMAC-SHA-256/384/512; P2 00. Data: Lk || key
 *                  || message. Returns the full MAC.
 *   INS 54 HASH    P1 01 SHA-1, 02 SHA-224, 03 SHA-256, 04 SHA-384,
 *                  05 SHA-512; P2 00. Data: the message (may be empty).
 *   INS 56 EC      P2 curve 01 P-256, 02 P-384.
 *                  P1 01 GENERATE (no data): a key pair in the applet's EC
 *                  key (crypto key id 0); returns 04 || X || Y.
 *                  P1 02 SIGN: data = hash (1..64 bytes); returns r || s.
 *                  P1 03 VERIFY: data = 04 || X || Y || r || s || hash;
 *                  returns 01 (valid) or 00 (invalid).
 *                  P1 04 ECDH: data = peer 04 || X || Y; returns the
 *                  shared X with the generated key.
 *                  SIGN/ECDH with no key of that curve generated: 6985.
 *   INS 58 RANDOM  P1P2 = N (1..4096); returns N bytes of health-tested
 *                  TRNG output; no data.
 *   INS 5A RSA     raw modular exponentiation, extended APDU.
 *                  P1 01 public: data = k (2 bytes) || n (k) || e (4) ||
 *                  x (k); returns x^e mod n (k bytes).
 *                  P1 02 CRT private: data = h (2 bytes) || p || q || dP
 *                  || dQ || qInv (h bytes each) || x (2h); returns
 *                  x^d mod n (2h bytes). P2 00.
 *   INS 5E BENCH   tests/cardos/test_applet_bench.h (routed from here).
 *
 * Status words: P1/P2 not as above 6A86; a malformed data field or an
 * input the algorithm rejects (length, key size, RSA x >= n, a point not
 * on the curve) 6A80; Lc where none is allowed 6700; the response length
 * rule of the test application; a crypto failure (the card is refused)
 * 6F00, and every later command 6F00 through the dispatcher.
 *
 * Card only (uses the crypto API, which needs the hardware).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_TESTS_CARDOS_TEST_APPLET_CRYPTO_H
#define NETCARD_TESTS_CARDOS_TEST_APPLET_CRYPTO_H

#include "apdu/apdu.h"
#include "apdu/applet.h"

#define TEST_INS_CIPHER  0x50u
#define TEST_INS_MAC     0x52u
#define TEST_INS_HASH    0x54u
#define TEST_INS_EC      0x56u
#define TEST_INS_RANDOM  0x58u
#define TEST_INS_RSA     0x5au

/* INS 50..5F; anything else there: 6D00. */
enum applet_status test_applet_crypto_process(const struct apdu *cmd,
                                              struct apdu_response *rsp);
enum t0_dir test_applet_crypto_t0_direction(const uint8_t hdr[4]);

#endif /* NETCARD_TESTS_CARDOS_TEST_APPLET_CRYPTO_H */
