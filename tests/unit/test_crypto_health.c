/*
 * Unit tests: the SP 800-90B continuous health tests (crypto/health.h).
 * (Loops assert only on failure: Criterion reports every assertion to its
 * runner, and a million of them in one test overloads it.)
 * The cut-offs are recomputed here from the formulas of SP 800-90B 4.4.1
 * and 4.4.2 for the claimed H and alpha; the tests then check that a
 * stuck source trips the repetition count test exactly at the cut-off, a
 * biased one the adaptive proportion test, and that a good random
 * sequence passes.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>

#include "crypto/health.h"

TestSuite(unit_crypto_health, .timeout = 30);

#define CLAIMED_H     0.8L    /* bits of min-entropy per sample (bit) */
#define ALPHA_LOG2    40      /* alpha = 2^-40 */

/* SP 800-90B 4.4.2: C = 1 + CRITBINOM(W, 2^-H, 1 - alpha). */
static unsigned apt_cutoff(unsigned w, long double h, int alpha_log2)
{
    long double p = powl(2.0L, -h), alpha = ldexpl(1.0L, -alpha_log2);
    long double tail = 0.0L;

    /* CRITBINOM: the smallest k with P(X <= k) >= 1 - alpha, i.e.
     * P(X > k) <= alpha; sum the upper tail from the top. */
    for (unsigned k = w; k > 0; k--) {
        long double lp = lgammal(w + 1.0L) - lgammal(k + 1.0L) - lgammal(w - k + 1.0L) +
                         k * logl(p) + (w - k) * logl(1.0L - p);

        if (tail + expl(lp) > alpha) {
            return 1 + k;    /* P(X > k) <= alpha < P(X >= k) */
        }
        tail += expl(lp);
    }
    return 1;
}

Test(unit_crypto_health, cutoffs_follow_the_formulas)
{
    /* 4.4.1: C = 1 + ceil(-log2(alpha) / H) */
    cr_expect_eq(HEALTH_RCT_CUTOFF, 1 + (unsigned)ceill(ALPHA_LOG2 / CLAIMED_H));
    cr_expect_eq(HEALTH_WORD_RCT_CUTOFF, 1 + (unsigned)ceill(ALPHA_LOG2 / (32 * CLAIMED_H)));
    cr_expect_eq(HEALTH_APT_WINDOW, 1024u);   /* binary sources, 4.4.2 */
    cr_expect_eq(HEALTH_APT_CUTOFF, apt_cutoff(1024, CLAIMED_H, ALPHA_LOG2));
    /* The computation reproduces SP 800-90B's own example (H = 1,
     * alpha = 2^-20, binary: cut-off 589). */
    cr_expect_eq(apt_cutoff(1024, 1.0L, 20), 589u);
    cr_expect_geq(HEALTH_STARTUP_SAMPLES, 1024u);  /* 4.3 item 8 */
}

Test(unit_crypto_health, stuck_bits_trip_rct_exactly_at_cutoff)
{
    struct health h;

    health_init(&h);
    for (unsigned i = 1; i < HEALTH_RCT_CUTOFF; i++) {
        enum health_result r = health_feed_bit(&h, 1);

        if (r != HEALTH_OK) {
            cr_assert_fail("sample %u: %d", i, r);
        }
    }
    cr_expect_eq(health_feed_bit(&h, 1), HEALTH_RCT_FAIL);
    /* sticky */
    cr_expect_eq(health_feed_bit(&h, 0), HEALTH_RCT_FAIL);
    cr_expect_eq(health_feed_word(&h, 0x12345678u), HEALTH_RCT_FAIL);
}

Test(unit_crypto_health, run_one_short_of_cutoff_passes)
{
    struct health h;

    health_init(&h);
    for (unsigned round = 0; round < 10; round++) {
        for (unsigned i = 1; i < HEALTH_RCT_CUTOFF; i++) {
            if (health_feed_bit(&h, round & 1) != HEALTH_OK) {
                cr_assert_fail("round %u sample %u", round, i);
            }
        }
    }
    /* 10 runs of C - 1 alternating values: no failure (the APT sees 50 %) */
    cr_expect_eq(h.failed, HEALTH_OK);
}

Test(unit_crypto_health, stuck_word_trips_word_rct_exactly_at_cutoff)
{
    struct health h;
    const uint32_t w = 0x5a3cc3a5u;   /* mixed bits: invisible to the bit tests */

    health_init(&h);
    cr_assert_eq(health_feed_word(&h, 0x01234567u), HEALTH_OK);
    for (unsigned i = 1; i < HEALTH_WORD_RCT_CUTOFF; i++) {
        if (health_feed_word(&h, w) != HEALTH_OK) {
            cr_assert_fail("word %u", i);
        }
    }
    cr_expect_eq(health_feed_word(&h, w), HEALTH_WORD_RCT_FAIL);
    cr_expect_str_eq(health_result_name(HEALTH_WORD_RCT_FAIL),
                     "TRNG word repetition count test");
}

/*
 * 3 ones in 4 (runs of 3): the window's first sample, 1, reaches the
 * cut-off count inside the window; the failure comes exactly with the
 * sample that makes the count equal C.
 */
Test(unit_crypto_health, biased_pattern_trips_apt_at_cutoff)
{
    struct health h;
    unsigned ones = 0;

    health_init(&h);
    for (unsigned i = 0; i < HEALTH_APT_WINDOW; i++) {
        unsigned bit = (i % 4) != 3;
        enum health_result r = health_feed_bit(&h, bit);

        ones += bit;
        if (ones == HEALTH_APT_CUTOFF) {
            cr_expect_eq(r, HEALTH_APT_FAIL, "sample %u", i);
            return;
        }
        if (r != HEALTH_OK) {
            cr_assert_fail("sample %u (count %u): %d", i, ones, r);
        }
    }
    cr_assert_fail("no APT failure within a window");
}

Test(unit_crypto_health, count_one_below_cutoff_passes)
{
    struct health h;
    const unsigned zeros = HEALTH_APT_WINDOW - (HEALTH_APT_CUTOFF - 1);

    health_init(&h);
    /* windows with exactly C - 1 ones, the first sample a 1, the zeros
     * spread evenly (no long runs) */
    for (unsigned win = 0; win < 4; win++) {
        unsigned ones = 0;

        for (unsigned i = 0; i < HEALTH_APT_WINDOW; i++) {
            unsigned bit = 1u - ((i + 1) * zeros / HEALTH_APT_WINDOW - i * zeros / HEALTH_APT_WINDOW);

            ones += bit;
            if (health_feed_bit(&h, bit) != HEALTH_OK) {
                cr_assert_fail("window %u sample %u", win, i);
            }
        }
        cr_assert_eq(ones, HEALTH_APT_CUTOFF - 1);
    }
}

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Like the TRNG's "biased" fault: each bit 1 with probability 3/4. */
Test(unit_crypto_health, biased_random_source_trips_apt)
{
    struct health h;
    uint64_t s = 42;
    enum health_result r = HEALTH_OK;
    unsigned words = 0;

    health_init(&h);
    while (r == HEALTH_OK && words < 32 * 64) {   /* 64 windows */
        r = health_feed_word(&h, (uint32_t)(splitmix(&s) | splitmix(&s)));
        words++;
    }
    cr_expect_eq(r, HEALTH_APT_FAIL, "after %u words", words);
}

Test(unit_crypto_health, good_random_sequence_passes)
{
    struct health h;
    uint64_t s = 7;

    health_init(&h);
    for (unsigned i = 0; i < 1000000; i++) {
        if (health_feed_word(&h, (uint32_t)splitmix(&s)) != HEALTH_OK) {
            cr_assert_fail("word %u", i);
        }
    }
}
