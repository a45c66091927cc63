/*
 * Test image only: an application that puts the card manager into the
 * state a reference session started from, so that the system tests can
 * replay the GlobalPlatformPro and GPShell sessions of
 * tests/vectors/gp-traces on the card. The product image has none of it.
 *
 * AID F0 6E 65 74 63 61 72 64 04. Commands (CLA 80):
 *   INS 60  delete key set P1 (every key of that KVN)            9000/6A88
 *   INS 62  set the sequence counter of key set P1 to the 3 data bytes
 *   INS 64  write key set P1 with ENC = MAC = DEK = 40..4F, key type P2
 *           (80 DES, 88 AES), as the reference card kept it after a PUT
 *           KEY it answered without storing
 * Other INS: 6D00; a store error: 6581.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_TESTS_CARDOS_TEST_GP_STATE_H
#define NETCARD_TESTS_CARDOS_TEST_GP_STATE_H

#include "apdu/applet.h"
#include "store/store.h"

const struct applet *test_gp_state_init(struct store *(*store)(void));

#endif /* NETCARD_TESTS_CARDOS_TEST_GP_STATE_H */
