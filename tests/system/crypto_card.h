/*
 * The crypto system tests' card and host side (tests/system/test_crypto_card*.c):
 * a card booted with the test application selected, its crypto commands
 * (INS 50..5A as extended APDUs over vpcd), random host inputs with a
 * replayable seed (NETCARD_TEST_SEED), files, and batches of openssl
 * commands run by one shell as the independent implementation.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_TESTS_CRYPTO_CARD_H
#define NETCARD_TESTS_CRYPTO_CARD_H

#include "system.h"
#include "iso_card.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define APDU_TIMEOUT_MS  30000
#define MAX_RAPDU        (65536 + 2)

#define INS_CIPHER 0x50
#define INS_MAC    0x52
#define INS_HASH   0x54
#define INS_EC     0x56
#define INS_RANDOM 0x58
#define INS_RSA    0x5A

#define SELFTEST_RE "^I crypto: self-tests passed \\(([0-9]+) KATs, ([0-9]+) ms\\)$"
#define REFUSED_RE  "^E crypto: (.+) failed: card refuses service \\(6F00\\)$"

typedef struct CryptoCard {
    NcCard *card;
    NcVpcd *vpcd;
    int port;
} CryptoCard;

/* Seed of the host's random inputs (in failure messages, to replay). */
extern unsigned cc_seed;

CryptoCard *cc_boot(const char *trng_fault);
size_t cc_transmit(CryptoCard *cc, const uint8_t *apdu, size_t len,
                uint8_t *resp);
uint16_t cc_sw_of(const uint8_t *resp, size_t n);
void cc_power_on(CryptoCard *cc);
uint16_t cc_select_applet(CryptoCard *cc);
CryptoCard *cc_boot_selected(void);
size_t cc_cmd(CryptoCard *cc, uint8_t ins, uint8_t p1, uint8_t p2,
           const uint8_t *data, size_t len, uint8_t *out, uint16_t *sw);
size_t cc_cmd_ok(CryptoCard *cc, uint8_t ins, uint8_t p1, uint8_t p2,
              const uint8_t *data, size_t len, uint8_t *out,
              const char *what);
void cc_seed_init(void);
void cc_rnd(uint8_t *b, size_t n);
const char *cc_file_put_at(const char *path, const uint8_t *b, size_t n);
const char *cc_file_put(const char *name, const uint8_t *b, size_t n);
size_t cc_file_get(const char *path, uint8_t *b, size_t max);
char *cc_hex_lower(const uint8_t *b, size_t n);
void cc_batch_begin(void);
const char *cc_batch_file(const char *what);
void cc_batch_add(const char *const *args);
void cc_batch_shell(const char *line);
void cc_batch_check(const char *what, const uint8_t *got, size_t len,
                 const char *file);
void cc_batch_run(void);
const char *cc_batch_enc(const char *cipher, bool decrypt, const uint8_t *key,
                      size_t klen, const uint8_t *iv, size_t ivlen,
                      const char *fin);
void cc_openssl_enc(const char *cipher, bool decrypt, const uint8_t *key,
                 size_t klen, const uint8_t *iv, size_t ivlen,
                 const uint8_t *in, size_t len, uint8_t *out);
void cc_card_cipher(CryptoCard *cc, uint8_t p1, uint8_t p2, const uint8_t *key,
                 size_t klen, const uint8_t *iv, size_t ivlen,
                 const uint8_t *in, size_t len, uint8_t *out);

#endif /* NETCARD_TESTS_CRYPTO_CARD_H */
