/*
 * Power-cut campaigns for the system tests (test_fs_tear.c,
 * test_usim_tear.c): NVM tearing injection over QMP (docs/nvm.md), a
 * seeded PRNG choosing each cut, and the figures of a run.
 *
 * A seeded PRNG picks each cut's operation number N (tear-after, uniform
 * over 1 .. K + 2, K = the flash operations the command takes on a clean
 * store) and its mode (before / partial / after). The seed (default: the
 * UTC date as YYYYMMDD) is logged (--verbose) and belongs in every
 * failure about a cut; NETCARD_TEAR_SEED=<n> replays the choices (and the
 * NVM's partial-tear bits: tear-seed is derived from it) as long as the
 * card answers the same way. NETCARD_TEAR_VERBOSE=1 logs each cut.
 *
 * The card must be driven with T=0 and no PPS (fs_boot(nvm, "t0", true)):
 * the ATR the rebooted card sends ends the interrupted exchange at once.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_TESTS_SYSTEM_TEAR_CAMPAIGN_H
#define NETCARD_TESTS_SYSTEM_TEAR_CAMPAIGN_H

#include "fs_card.h"

#include <time.h>

static const char *const tear_modes[] = { "before", "partial", "after" };

typedef struct Campaign {
    unsigned long long seed;
    uint64_t prng;          /* xorshift64* state */
    int round;
    int tears, completed;
    int by_mode[3];
    int by_op[9][3];        /* cuts at operation 1..8 (0: beyond) by mode */
    unsigned last_mode, last_n;
    unsigned long ops_at_arm;   /* flash operations since QEMU started */
    bool verbose;           /* NETCARD_TEAR_VERBOSE=1: a line per cut */
    bool after_cut;         /* the last round was cut: repairs pending */
    const char *context;    /* for the log: what preceded this round */
    int repairs;            /* untorn commands run to do the repairs */
    int outcome[3];         /* meaning depends on the test */
    int64_t t0_ms;
} Campaign;

static inline uint64_t prng_next(Campaign *c)
{
    c->prng ^= c->prng >> 12;
    c->prng ^= c->prng << 25;
    c->prng ^= c->prng >> 27;
    return c->prng * 2685821657736338717ull;
}

static inline unsigned prng_below(Campaign *c, unsigned n)
{
    return (unsigned)(prng_next(c) % n);
}

static inline Campaign campaign_start(FsCard *fc, uint64_t salt,
                                      const char *what)
{
    Campaign c = { 0 };
    const char *env = getenv("NETCARD_TEAR_SEED");

    if (env && *env) {
        c.seed = strtoull(env, NULL, 0);
    } else {
        /* Default: today's UTC date as YYYYMMDD, so the cuts change from
         * day to day and a failure in a quiet run can be replayed. */
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        c.seed = (unsigned long long)(tm.tm_year + 1900) * 10000u +
                 (unsigned long long)(tm.tm_mon + 1) * 100u +
                 (unsigned long long)tm.tm_mday;
    }
    c.prng = (c.seed ^ salt) * 0x9E3779B97F4A7C15ull | 1u;
    cr_log_info("%s: tear campaign seed %llu (NETCARD_TEAR_SEED=%llu "
                "replays it)", what, c.seed, c.seed);
    nc_qmp(fc->card->qmp, "{'execute': 'qom-set', 'arguments': {'path': "
           "'/machine/soc/nvm', 'property': 'tear-seed', 'value': %llu}}",
           (c.seed ^ salt) % 0xFFFFFFFFull + 1u);
    c.verbose = getenv("NETCARD_TEAR_VERBOSE") != NULL;
    c.t0_ms = nc_now_ms();
    return c;
}

static inline void disarm(FsCard *fc)
{
    nc_qmp(fc->card->qmp, "{'execute': 'qom-set', 'arguments': {'path': "
           "'/machine/soc/nvm', 'property': 'tear-after', 'value': 0}}");
}

/*
 * Send APDU with a cut armed at a random operation (1 .. OPS + 2) in a
 * random mode. True if the power was cut; then the card has rebooted
 * ("tear" banner) and the host has powered it on again.
 */
static inline bool torn_apdu(Campaign *c, FsCard *fc, const char *apdu,
                      unsigned ops, FsResp *resp)
{
    unsigned mode = prng_below(c, 3);
    unsigned n = 1 + prng_below(c, ops + 2);
    unsigned long tears = fs_nvm_get(fc, "tears");

    c->round++;
    c->last_mode = mode;
    c->last_n = n;
    if (c->verbose) {
        c->ops_at_arm = fs_flash_ops(fc);
    }
    fs_arm_tear(fc, tear_modes[mode], n);
    *resp = fs_apdu(fc, apdu);
    if (fs_nvm_get(fc, "tears") == tears) {
        disarm(fc);
        c->completed++;
        c->after_cut = false;
        return false;
    }
    c->after_cut = true;
    c->tears++;
    c->by_mode[mode]++;
    c->by_op[n < 9 ? n : 0][mode]++;
    nc_card_wait_banner(fc->card, "tear", BOOT_TIMEOUT_MS);
    fs_power_on(fc);
    return true;
}

/*
 * After a cut the store repairs itself in the next transaction (docs/
 * store.md), so the next command's first flash operations are repairs.
 * Half the time run an untorn command first to do them, so the cuts also
 * reach the command's own operations.
 */
static inline bool repair_first(Campaign *c)
{
    bool repair = c->after_cut && prng_below(c, 2) == 0;

    c->context = !c->after_cut ? "" : repair ?
                 " (after a cut, store repaired first)" : " (right after a cut)";
    c->repairs += repair;
    return repair;
}

/* With NETCARD_TEAR_VERBOSE: where the last cut was and what it left. */
static inline void cut_log(Campaign *c, const char *outcome)
{
    if (c->verbose) {
        cr_log_info("round %d: cut at operation %u (%s, operation %lu of "
                    "this QEMU)%s: %s", c->round, c->last_n,
                    tear_modes[c->last_mode], c->ops_at_arm + c->last_n,
                    c->context, outcome);
    }
}

static inline void campaign_report(Campaign *c, const char *what,
                            const char *const outcome_names[3],
                            const char *ops)
{
    cr_log_info("%s: seed %llu, %d rounds: %d cuts (before %d, partial %d, "
                "after %d), %d completed; outcomes %s %d, %s %d, %s %d; "
                "flash operations per command on a clean store %s; %d repair commands; "
                "%.1f s", what, c->seed, c->round, c->tears, c->by_mode[0],
                c->by_mode[1], c->by_mode[2], c->completed,
                outcome_names[0], c->outcome[0], outcome_names[1],
                c->outcome[1], outcome_names[2], c->outcome[2], ops,
                c->repairs, (double)(nc_now_ms() - c->t0_ms) / 1000.0);
    char line[256] = "";
    for (unsigned n = 1; n < 9; n++) {
        const int *m = c->by_op[n];
        if (m[0] + m[1] + m[2] > 0) {
            size_t have = strlen(line);
            snprintf(line + have, sizeof(line) - have, "%s%u: %d/%d/%d",
                     have ? ", " : "", n, m[0], m[1], m[2]);
        }
    }
    cr_log_info("%s: cuts by operation number (before/partial/after): %s%s",
                what, line, c->by_op[0][0] + c->by_op[0][1] +
                c->by_op[0][2] ? " and beyond 8" : "");
}

#endif /* NETCARD_TESTS_SYSTEM_TEAR_CAMPAIGN_H */
