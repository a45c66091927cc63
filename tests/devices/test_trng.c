/*
 * Device tests: TRNG at 0x4000_4000 (peripherals/netcard_trng.h): FIFO,
 * interrupt, determinism under -seed, and the fault knob checked with the
 * SP 800-90B section 4.4 health tests (repetition count and adaptive
 * proportion), their cut-offs computed here from the definitions.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "devices.h"
#include "netcard_trng.h"

#include <string.h>

TestSuite(device_trng, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_DEVICE);

#define TRNG_BASE   0x40004000u
#define TR(reg)     (TRNG_BASE + (uint32_t)A_TRNG_##reg)
#define TRNG_IRQ    3
#define FIFO_DEPTH  16
#define WORD_NS     1000u     /* default word-period-ns */

static uint32_t level(NcQtest *qt)
{
    return nc_readl(qt, TR(STATUS)) & R_TRNG_STATUS_LEVEL_MASK;
}

/* Read N words, refilling the FIFO by stepping the virtual clock. */
static void read_words(NcQtest *qt, uint32_t *w, size_t n)
{
    size_t got = 0;

    while (got < n) {
        nc_clock_step(qt, (FIFO_DEPTH + 1) * WORD_NS);
        uint32_t l = level(qt);
        cr_assert_eq(l, FIFO_DEPTH, "FIFO level %u after a refill", l);
        for (uint32_t i = 0; i < l && got < n; i++) {
            w[got++] = nc_readl(qt, TR(DATA));
        }
    }
}

static void set_fault(NcQtest *qt, const char *f)
{
    nc_qmp(qt->qmp, "{'execute': 'qom-set', 'arguments': {'path': "
           "'/machine/soc/trng', 'property': 'fault', 'value': '%s'}}", f);
}

Test(device_trng, fifo_fills_status_and_irq)
{
    NcQtest *qt = nc_qtest_start(NULL);

    nc_qtest_cmd(qt, "irq_intercept_in /machine/soc/armv7m");
    cr_assert_eq(nc_readl(qt, TR(ID)), 0x4E435452u);
    cr_assert_eq(nc_readl(qt, TR(STATUS)), 0u, "idle STATUS");
    nc_clock_step(qt, 100 * WORD_NS);
    cr_assert_eq(level(qt), 0u, "words produced while disabled");

    nc_writel(qt, TR(CTRL), R_TRNG_CTRL_EN_MASK | R_TRNG_CTRL_IE_MASK |
              (4u << R_TRNG_CTRL_THRESH_SHIFT));
    nc_clock_step(qt, 2 * WORD_NS + WORD_NS / 2);
    uint32_t st = nc_readl(qt, TR(STATUS));
    cr_assert_eq(st & R_TRNG_STATUS_LEVEL_MASK, 2u, "level after 2.5 words: "
                 "STATUS 0x%08" PRIx32, st);
    cr_assert(st & R_TRNG_STATUS_READY_MASK);
    cr_assert_eq(nc_qtest_irq_level(qt, TRNG_IRQ), 0, "IRQ below threshold");
    nc_clock_step(qt, 2 * WORD_NS);
    cr_assert_eq(nc_qtest_irq_level(qt, TRNG_IRQ), 1, "IRQ at threshold 4");
    nc_clock_step(qt, 100 * WORD_NS);
    st = nc_readl(qt, TR(STATUS));
    cr_assert_eq(st & (R_TRNG_STATUS_LEVEL_MASK | R_TRNG_STATUS_FULL_MASK),
                 FIFO_DEPTH | R_TRNG_STATUS_FULL_MASK, "STATUS 0x%08" PRIx32,
                 st);
    for (int i = 0; i < FIFO_DEPTH; i++) {
        (void)nc_readl(qt, TR(DATA));
    }
    cr_assert_eq(level(qt), 0u);
    cr_assert_eq(nc_qtest_irq_level(qt, TRNG_IRQ), 0, "IRQ with empty FIFO");
    /* underrun: reads 0, flagged once */
    cr_assert_eq(nc_readl(qt, TR(DATA)), 0u);
    cr_assert(nc_readl(qt, TR(STATUS)) & R_TRNG_STATUS_UNDERRUN_MASK);
    cr_assert_eq(nc_readl(qt, TR(STATUS)) & R_TRNG_STATUS_UNDERRUN_MASK, 0u);
    /* disabling empties the FIFO and stops the source */
    nc_clock_step(qt, 5 * WORD_NS);
    nc_writel(qt, TR(CTRL), 0);
    cr_assert_eq(level(qt), 0u);
    nc_clock_step(qt, 50 * WORD_NS);
    cr_assert_eq(level(qt), 0u);
    expect_running(qt);
}

static void stream(const char *seed, uint32_t *w, size_t n)
{
    const char *opts[] = { "--seed", seed, NULL };
    NcQtest *qt = nc_qtest_start_with(opts, NULL);

    nc_writel(qt, TR(CTRL), R_TRNG_CTRL_EN_MASK);
    read_words(qt, w, n);
    nc_qtest_quit(qt);
}

Test(device_trng, seed_determinism)
{
    uint32_t a[64], b[64], c[64];

    stream("42", a, 64);
    stream("42", b, 64);
    stream("43", c, 64);
    cr_assert(memcmp(a, b, sizeof(a)) == 0,
              "two runs with -seed 42 gave different words");
    size_t same = 0;
    for (int i = 0; i < 64; i++) {
        same += a[i] == c[i];
    }
    cr_assert_lt(same, 2u, "-seed 42 and -seed 43 share %zu of 64 words",
                 same);
}

/*
 * seeded=on: the words are the high halves of SplitMix64's outputs
 * (Steele, Lea, Flood, OOPSLA 2014). Expected: the first five outputs of
 * the reference splitmix64.c (Vigna) for seed 1234567, 6457827717110365317,
 * 3203168211198807973, 9817491932198370423, 4593380528125082431 and
 * 16408922859458223821, shifted right by 32. Host entropy (-seed absent)
 * is on when seeded is off, so the same seed property alone changes
 * nothing.
 */
Test(device_trng, seeded_words_are_splitmix64)
{
    static const uint32_t want[5] = {
        0x599ed017, 0x2c73f084, 0x883ebce5, 0x3fbef740, 0xe3b83467,
    };
    const char *seeded[] = { "--global", "netcard-trng.seeded=on",
                             "--global", "netcard-trng.seed=1234567", NULL };
    const char *unseeded[] = { "--global", "netcard-trng.seed=1234567",
                               NULL };
    uint32_t w[5];
    NcQtest *qt = nc_qtest_start_with(seeded, NULL);

    nc_writel(qt, TR(CTRL), R_TRNG_CTRL_EN_MASK);
    read_words(qt, w, 5);
    nc_qtest_quit(qt);
    for (int i = 0; i < 5; i++) {
        cr_assert_eq(w[i], want[i], "word %d: 0x%08x, want 0x%08x", i, w[i],
                     want[i]);
    }
    qt = nc_qtest_start_with(unseeded, NULL);
    nc_writel(qt, TR(CTRL), R_TRNG_CTRL_EN_MASK);
    read_words(qt, w, 5);
    nc_qtest_quit(qt);
    cr_assert(w[0] != want[0] || w[1] != want[1],
              "seed alone (seeded off) gave the seeded words");
}

/*
 * SP 800-90B 4.4.1 repetition count test on 32-bit samples: cut-off
 * C = 1 + ceil(-log2(alpha) / H), alpha = 2^-20. H = 8 bits per word is a
 * deliberately low claimed min-entropy (the test must not need a perfect
 * source): C = 4, i.e. 4 identical words in a row fail.
 */
static size_t longest_run(const uint32_t *w, size_t n)
{
    size_t best = 1, run = 1;

    for (size_t i = 1; i < n; i++) {
        run = w[i] == w[i - 1] ? run + 1 : 1;
        best = run > best ? run : best;
    }
    return best;
}

/*
 * SP 800-90B 4.4.2 adaptive proportion test on the bit stream (binary
 * samples, W = 1024, H = 1, alpha = 2^-20): C = 1 + critbinom(W, 2^-H,
 * 1 - alpha), computed from the binomial distribution.
 */
static unsigned apt_cutoff(void)
{
    enum { W = 1024 };
    static double pmf[W + 1];
    double sum = 0, cdf = 0;

    /* Bin(W, 1/2) without libm: ratios from the mode, then normalise */
    pmf[W / 2] = 1.0;
    for (int c = W / 2; c < W; c++) {
        pmf[c + 1] = pmf[c] * (W - c) / (c + 1);
    }
    for (int c = W / 2; c > 0; c--) {
        pmf[c - 1] = pmf[c] * c / (W - c + 1);
    }
    for (int c = 0; c <= W; c++) {
        sum += pmf[c];
    }
    for (int c = 0; c <= W; c++) {
        cdf += pmf[c] / sum;
        if (cdf >= 1.0 - 1.0 / 1048576.0) {
            return (unsigned)c + 1;
        }
    }
    return W;
}

/* Largest count of the first bit's value in any 1024-bit window. */
static unsigned apt_max(const uint32_t *w, size_t nwords)
{
    unsigned worst = 0;

    for (size_t start = 0; start + 32 <= nwords; start += 32) {
        unsigned first = w[start] & 1, count = 0;
        for (size_t i = 0; i < 32; i++) {
            for (int b = 0; b < 32; b++) {
                count += ((w[start + i] >> b) & 1) == first;
            }
        }
        worst = count > worst ? count : worst;
    }
    return worst;
}

static double ones_fraction(const uint32_t *w, size_t n)
{
    unsigned long ones = 0;

    for (size_t i = 0; i < n; i++) {
        ones += __builtin_popcount(w[i]);
    }
    return (double)ones / (32.0 * n);
}

Test(device_trng, fault_knob_stuck_and_biased_fail_health_tests)
{
    static const char *const opts[] = { "--seed", "7", NULL };
    NcQtest *qt = nc_qtest_start_with(opts, NULL);
    static uint32_t w[256];
    unsigned cutoff = apt_cutoff();

    cr_assert(cutoff > 512 && cutoff < 700, "APT cut-off %u", cutoff);
    nc_writel(qt, TR(CTRL), R_TRNG_CTRL_EN_MASK);

    /* healthy */
    read_words(qt, w, 256);
    cr_assert_lt(longest_run(w, 256), 4u, "healthy stream fails the RCT");
    cr_assert_lt(apt_max(w, 256), cutoff, "healthy stream fails the APT");
    char *f = nc_qmp(qt->qmp, "{'execute': 'qom-get', 'arguments': {'path': "
                     "'/machine/soc/trng', 'property': 'fault'}}");
    cr_assert(strstr(f, "none"), "fault reads %s", f);

    /* stuck: after the words already queued, one value forever */
    set_fault(qt, "stuck");
    nc_writel(qt, TR(CTRL), 0);   /* flush */
    nc_writel(qt, TR(CTRL), R_TRNG_CTRL_EN_MASK);
    read_words(qt, w, 64);
    cr_assert_geq(longest_run(w, 64), 64u, "stuck source: longest run %zu",
                  longest_run(w, 64));

    /* biased: ones with probability 3/4 */
    set_fault(qt, "biased");
    nc_writel(qt, TR(CTRL), 0);
    nc_writel(qt, TR(CTRL), R_TRNG_CTRL_EN_MASK);
    read_words(qt, w, 256);
    double p = ones_fraction(w, 256);
    cr_assert(p > 0.70 && p < 0.80, "biased: fraction of ones %.3f", p);
    cr_assert_geq(apt_max(w, 256), cutoff, "biased stream passes the APT "
                  "(max %u, cut-off %u)", apt_max(w, 256), cutoff);
    cr_assert_lt(longest_run(w, 256), 4u, "biased stream is not stuck");

    /* back to healthy */
    set_fault(qt, "none");
    nc_writel(qt, TR(CTRL), 0);
    nc_writel(qt, TR(CTRL), R_TRNG_CTRL_EN_MASK);
    read_words(qt, w, 256);
    p = ones_fraction(w, 256);
    cr_assert(p > 0.45 && p < 0.55, "healthy: fraction of ones %.3f", p);
    cr_assert_lt(apt_max(w, 256), cutoff);

    /* a bad value is refused and QEMU carries on */
    char *err = NULL;
    nc_qmp_exec(qt->qmp, "{\"execute\": \"qom-set\", \"arguments\": {\"path\":"
                " \"/machine/soc/trng\", \"property\": \"fault\", \"value\": "
                "\"melted\"}}", &err);
    cr_assert(err, "fault=melted accepted");
    expect_running(qt);
}

Test(device_trng, bad_accesses_are_harmless)
{
    NcQtest *qt = nc_qtest_start(NULL);

    nc_writel(qt, TR(DATA), 1);
    nc_writel(qt, TR(STATUS), 0xffffffffu);
    nc_writel(qt, TRNG_BASE + 0x800, 0xffffffffu);
    nc_writel(qt, TR(CTRL), 0xffffffffu);   /* THRESH 31 clamps to 16 */
    cr_assert_eq(nc_readl(qt, TRNG_BASE + 0x800), 0u);
    nc_clock_step(qt, 100 * WORD_NS);
    cr_assert_eq(level(qt), FIFO_DEPTH);
    (void)nc_readb(qt, TR(DATA));
    cr_assert_eq(level(qt), FIFO_DEPTH, "a byte read popped a word");
    expect_running(qt);
}
