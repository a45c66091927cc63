/*
 * TRNG driver (peripherals/netcard_trng.h, docs/crypto.md "TRNG"): raw
 * 32-bit words from the noise source's FIFO. When the FIFO is empty the
 * reader sleeps (WFI) until the TRNG's level interrupt (IRQ 3, threshold
 * one word, enabled only while waiting) says a word arrived. No health testing
 * here: the only user is crypto/ (crypto.c), which runs every word through
 * the SP 800-90B tests (crypto/health.h) before use.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_DRIVERS_TRNG_H
#define CARDOS_DRIVERS_TRNG_H

#include <stdbool.h>
#include <stdint.h>

/* Block identifies itself as the TRNG? Enables the source (interrupt off). */
bool trng_init(void);
/* A FIFO empty this long (card time) is a dead source (a word takes 1 us). */
#define TRNG_WAIT_MS 50u

/* Next word into *W. False if the FIFO stayed empty for TRNG_WAIT_MS. */
bool trng_read_word(uint32_t *w);
/* Words read since boot. */
uint32_t trng_words_read(void);

#endif /* CARDOS_DRIVERS_TRNG_H */
