/*
 * SP 800-90B continuous health tests for the TRNG (NIST SP 800-90B,
 * January 2018, 4.4), on the card's noise-source samples:
 *
 *   sample = one bit. A TRNG DATA word carries 32 consecutive samples,
 *   bit 0 first.
 *   Claimed min-entropy H = 0.8 bit per sample (25.6 bits per word).
 *   False-positive probability alpha = 2^-40 per test (90B 4.4 asks for
 *   2^-20 <= alpha <= 2^-40; we take the most conservative end, since a
 *   false alarm takes the card out of service).
 *
 *   Repetition count test (4.4.1), C = 1 + ceil(-log2(alpha) / H)
 *       = 1 + ceil(40 / 0.8) = 51: 51 identical bits in a row fail.
 *   Adaptive proportion test (4.4.2), binary samples, window W = 1024,
 *       C = 1 + CRITBINOM(W, 2^-H, 1 - alpha) = 699: the window's first
 *       sample occurring 699 times among the window's 1024 fails.
 *   Word repetition count test: the 4.4.1 test again with the 32-bit word
 *       as the sample (H = 32 * 0.8 = 25.6 bits per word), C = 1 +
 *       ceil(40 / 25.6) = 3: three identical words in a row fail. This is
 *       a developer-defined additional test (90B 4.5) for the failure the
 *       bit-level tests cannot see, a register stuck at a value with
 *       mixed bits.
 *
 *   Cut-offs for other alpha (same H), for reference (docs/crypto.md):
 *     alpha   2^-20  2^-30  2^-40
 *     RCT bit   26     39     51
 *     APT      664    683    699
 *     RCT word   2      3      3
 *
 * Start-up test (4.3): HEALTH_STARTUP_SAMPLES samples (>= 1024, here four
 * APT windows) go through the tests before any output and are discarded.
 *
 * A failure is sticky: once a test failed every later feed reports the
 * same result until health_init().
 *
 * No hardware access; compiles on the host.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_CRYPTO_HEALTH_H
#define CARDOS_CRYPTO_HEALTH_H

#include <stdint.h>

#define HEALTH_RCT_CUTOFF       51u    /* identical bits in a row */
#define HEALTH_APT_WINDOW       1024u  /* bits */
#define HEALTH_APT_CUTOFF       699u   /* first-sample count in a window */
#define HEALTH_WORD_RCT_CUTOFF  3u     /* identical words in a row */
#define HEALTH_STARTUP_SAMPLES  4096u  /* bits, 128 words */

enum health_result {
    HEALTH_OK = 0,
    HEALTH_RCT_FAIL,        /* repetition count test (bits) */
    HEALTH_APT_FAIL,        /* adaptive proportion test */
    HEALTH_WORD_RCT_FAIL,   /* repetition count test (words) */
};

struct health {
    enum health_result failed;
    uint8_t rct_last;       /* last bit */
    uint32_t rct_count;     /* its run length (0: no sample yet) */
    uint8_t apt_first;      /* first bit of the current window */
    uint32_t apt_count;     /* occurrences of apt_first in the window */
    uint32_t apt_index;     /* samples of the window seen (0: new window) */
    uint32_t word_last;
    uint32_t word_count;    /* run length of word_last (0: none yet) */
    uint32_t samples;       /* bits fed since health_init (saturating) */
};

void health_init(struct health *h);
/* One sample (BIT is 0 or 1): runs the RCT and the APT. */
enum health_result health_feed_bit(struct health *h, unsigned bit);
/* A TRNG word: the word RCT, then its 32 bits, bit 0 first. */
enum health_result health_feed_word(struct health *h, uint32_t word);
/* Text for a result ("TRNG repetition count test", ...). */
const char *health_result_name(enum health_result r);

#endif /* CARDOS_CRYPTO_HEALTH_H */
