/*
 * The test application's BENCH command (INS 5E, CLA 80): runs one crypto
 * operation through the card's crypto API (crypto/crypto.h) between the
 * bench markers (kernel/bench_mark.h), so that `make bench` can count the
 * card's instructions with the insn_window TCG plugin and add the
 * coprocessor's modelled cycles. Documented in docs/iso7816-card.md and
 * docs/crypto.md ("Benchmarks").
 *
 *   P1  operation inside the window                      data
 *   00  nothing (empty window: the markers' own cost)    none
 *   01  AES-128-CBC encrypt 16 KiB, coprocessor          none
 *   02  AES-128-CBC encrypt 16 KiB, the card's software AES  none
 *   03  SHA-256 of 16 KiB, coprocessor                   none
 *   04  ECDSA P-256 sign of a 32-byte hash               none
 *   05  ECDSA P-256 verify of that signature             none
 *   06  RSA-2048 CRT private operation                   p||q||dP||dQ||qInv,
 *                                                        128 bytes each
 *   P2  00.
 *
 * Response: 4 bytes, big-endian: the coprocessor's modelled cycles
 * (its CYCLES register, summed by the crypto layer) consumed inside the
 * window; 0 for P1 00 and 02. SW 9000.
 *
 * Each operation runs once untimed first (keys loaded, the engine's key
 * cache warm), then once inside the window with interrupts masked, so the
 * instruction count of the window repeats exactly from run to run. Inputs
 * are fixed patterns; the EC key pair is generated (untimed) into key id
 * TEST_BENCH_EC_KEY_ID, replacing what it held. The 16 KiB work area is the
 * free part of the APDU buffer behind the command. While an operation
 * runs (up to ~40 ms of card time for RSA) nothing else does: OS ticks
 * that fall inside the window are lost (the tick is a level interrupt).
 *
 * Errors: P1 unknown 6A86 (also P2 != 00); data present where none is
 * allowed, or an RSA key that is not 5 x 128 bytes: 6700; the APDU
 * buffer too small for the work area 6A84; the key rejected by the
 * engine 6A80; a failed operation (the crypto layer refused the card)
 * 6F00.
 *
 * Routed from tests/cardos/test_applet_crypto.c (INS 50..5F). Card only.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_TESTS_CARDOS_TEST_APPLET_BENCH_H
#define NETCARD_TESTS_CARDOS_TEST_APPLET_BENCH_H

#include <stdint.h>

#include "apdu/apdu.h"
#include "iso7816/t0.h"

#define TEST_INS_BENCH 0x5Eu

enum test_bench_op {
    TEST_BENCH_EMPTY = 0x00,
    TEST_BENCH_AES128_CBC_16K_HW = 0x01,
    TEST_BENCH_AES128_CBC_16K_SOFT = 0x02,
    TEST_BENCH_SHA256_16K_HW = 0x03,
    TEST_BENCH_ECDSA_P256_SIGN = 0x04,
    TEST_BENCH_ECDSA_P256_VERIFY = 0x05,
    TEST_BENCH_RSA2048_CRT = 0x06,
};

#define TEST_BENCH_DATA_LEN   16384u   /* AES and SHA-256 input */
#define TEST_BENCH_RSA_HALF   128u     /* RSA-2048: p, q, dP, dQ, qInv */
#define TEST_BENCH_EC_KEY_ID  1u       /* crypto/crypto.h EC key id used */

/* INS 5E: see above. CMD's data and RSP's buffer are the APDU buffer. */
void test_applet_bench(const struct apdu *cmd, struct apdu_response *rsp);

/* T=0 direction of a BENCH header: data in for P1 06, else out. */
enum t0_dir test_applet_bench_t0_direction(const uint8_t hdr[4]);

#endif /* NETCARD_TESTS_CARDOS_TEST_APPLET_BENCH_H */
