/*
 * Unit tests: the object store keeps the number of records in its log
 * bounded (mount time is per record; docs/store.md, "Mount time"), on a
 * simulated NOR flash (nor_sim.h).
 *
 * The case the page-based collection rule (STORE_LOG_SLACK_PAGES +
 * STORE_LOG_FACTOR x live pages) does not bound: a lot of live data, so
 * that the log may span every page, and small objects rewritten many
 * thousands of times. Without a bound on records the log fills with dead
 * small records (several thousand on the card geometry).
 *
 *  - workloads near the store's limits (objects and live bytes) with
 *    one-record and sixteen-record transactions: after every commit the
 *    log holds at most STORE_LOG_MAX_RECORDS records, the count the
 *    store keeps in RAM equals the count a fresh mount finds, and the
 *    state equals a reference model (also across remounts);
 *  - a power cut at every flash operation of a workload during which the
 *    record budget makes store_begin collect: the state after mount is
 *    the one before or after the interrupted transaction.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <criterion/criterion.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nor_sim.h"
#include "store/store.h"
#include "store_model.h"

TestSuite(unit_store_bound, .timeout = 600);

/* ids 1..BM_IDS; big objects low, small ones from SMALL_ID up */
#define BM_IDS      1100
#define SMALL_ID    1001

struct bmodel {
    bool present[BM_IDS + 1];
    uint16_t len[BM_IDS + 1];
    uint32_t ver[BM_IDS + 1];
    uint32_t next_ver;
};

static struct nor_sim sim;
static struct store st;
static struct store_flash fl;
static struct bmodel bm;
static uint32_t max_records;

static void fresh(uint32_t page_size, uint32_t pages)
{
    memset(&bm, 0, sizeof(bm));
    max_records = 0;
    nor_sim_init(&sim, page_size, pages);
    nor_sim_flash(&sim, &fl);
    cr_assert_eq(store_format(&st, &fl, 0x600du), STORE_OK);
}

/* The log's records now, checked against the bound. */
static uint32_t records_checked(const char *when)
{
    struct store_stats stats;

    store_get_stats(&st, &stats);
    cr_assert(stats.log_records <= STORE_LOG_MAX_RECORDS,
              "%s: %u records in the log, bound %u", when,
              stats.log_records, (unsigned)STORE_LOG_MAX_RECORDS);
    if (stats.log_records > max_records) {
        max_records = stats.log_records;
    }
    return stats.log_records;
}

/* One transaction writing N objects (ids[i], lens[i]); applied to bm. */
static void txn_write(const uint32_t *ids, const uint16_t *lens, int n,
                      const char *when)
{
    static uint8_t buf[STORE_MAX_OBJECT];
    int rc = store_begin(&st);

    cr_assert_eq(rc, STORE_OK, "%s: begin: %s", when, store_strerror(rc));
    /* the transaction's records come on top of what begin left */
    records_checked(when);
    for (int i = 0; i < n; i++) {
        uint32_t ver = ++bm.next_ver;

        model_payload(ids[i], ver, lens[i], buf);
        rc = store_write(&st, ids[i], buf, lens[i]);
        cr_assert_eq(rc, STORE_OK, "%s: write %u: %s", when, ids[i],
                     store_strerror(rc));
        bm.present[ids[i]] = true;
        bm.len[ids[i]] = lens[i];
        bm.ver[ids[i]] = ver;
    }
    rc = store_commit(&st);
    cr_assert_eq(rc, STORE_OK, "%s: commit: %s", when, store_strerror(rc));
    records_checked(when);
}

static void put1(uint32_t id, uint16_t len, const char *when)
{
    txn_write(&id, &len, 1, when);
}

static bool bm_matches(const struct bmodel *m, char *why, size_t why_len)
{
    return model_arrays_match(&st, BM_IDS, m->present, m->len, m->ver, why,
                              why_len);
}

/* The model matches; after a remount too, and the RAM record count
 * equals the count the mount finds. */
static void check_remount(const char *when)
{
    char why[160] = "";
    uint32_t before = records_checked(when);
    int rc;

    cr_assert(bm_matches(&bm, why, sizeof(why)), "%s: %s", when, why);
    rc = store_mount(&st, &fl);
    cr_assert_eq(rc, STORE_OK, "%s: mount: %s", when, store_strerror(rc));
    cr_assert_eq(records_checked(when), before,
                 "%s: %u records counted in RAM, mount found %u", when,
                 before, records_checked(when));
    cr_assert(bm_matches(&bm, why, sizeof(why)), "%s after remount: %s",
              when, why);
}

/* N_BIG objects of BIG_LEN bytes, 8 per transaction. */
static void fill_big(uint32_t n_big, uint16_t big_len)
{
    uint32_t ids[8];
    uint16_t lens[8];

    for (uint32_t id = 1; id <= n_big;) {
        int n = 0;

        while (n < 8 && id <= n_big) {
            ids[n] = id++;
            lens[n++] = big_len;
        }
        txn_write(ids, lens, n, "fill");
    }
}

static void expect_clean_flash(void)
{
    cr_assert_eq(sim.overwrites, 0u, "the store programmed non-erased bytes");
    cr_assert_eq(sim.bad_calls, 0u);
}

/*
 * The case docs/store.md used to leave unbounded: the card's geometry,
 * 510 objects of 1 KiB (the object limit, 70 % of the live-byte limit: the
 * page rule lets the log span every page), then one 4-byte object
 * rewritten 20 000 times.
 */
Test(unit_store_bound, tiny_object_rewritten_over_full_live_data)
{
    char when[64];
    struct store_stats stats;

    fresh(4096, 256);
    fill_big(510, 1024);
    for (uint32_t i = 0; i < 20000; i++) {
        snprintf(when, sizeof(when), "rewrite %u", i);
        put1(SMALL_ID, 4, when);
        if (i % 1000 == 999) {
            check_remount(when);
        }
    }
    store_get_stats(&st, &stats);
    /* the page rule lets this log span every page: the record budget is
     * what bounded it (it would hold about 8000 records otherwise) */
    cr_assert(STORE_LOG_SLACK_PAGES + STORE_LOG_FACTOR *
              ((stats.live_bytes + 4059) / 4060) >= 256,
              "%u live bytes: the page rule would bound this log",
              stats.live_bytes);
    cr_assert(max_records > STORE_LOG_MAX_RECORDS / 2,
              "the log never came near its budget (%u records)",
              max_records);
    check_remount("end");
    expect_clean_flash();
    cr_log_info("at most %u records in the log (budget %u)", max_records,
                (unsigned)STORE_LOG_MAX_RECORDS);
    nor_sim_free(&sim);
}

/*
 * The worst case for the overshoot past the budget: while the collector
 * copies pages that hold only live data (which frees no record), every
 * begin adds a full transaction of small records. Big objects are
 * rewritten in runs so that such pages come up in the log again and again.
 */
Test(unit_store_bound, sixteen_record_txns_with_runs_of_live_pages)
{
    uint32_t ids[STORE_MAX_TXN_RECORDS];
    uint16_t lens[STORE_MAX_TXN_RECORDS];
    uint64_t rng = 99;
    char when[64];

    fresh(4096, 256);
    fill_big(480, 1024);
    for (uint32_t i = 0; i < 6000; i++) {
        snprintf(when, sizeof(when), "txn %u", i);
        if (i % 700 == 350) {
            /* a run of pages of live data, somewhere in the log */
            uint32_t from = 1 + (uint32_t)(model_rng(&rng) % 300);

            for (uint32_t k = 0; k < 160; k += 8) {
                for (int j = 0; j < 8; j++) {
                    ids[j] = from + k + (uint32_t)j;
                    lens[j] = 1024;
                }
                txn_write(ids, lens, 8, when);
            }
        }
        for (int j = 0; j < STORE_MAX_TXN_RECORDS; j++) {
            ids[j] = SMALL_ID + (uint32_t)j;
            lens[j] = (uint16_t)(model_rng(&rng) % 9);
        }
        txn_write(ids, lens, STORE_MAX_TXN_RECORDS, when);
        if (i % 500 == 499) {
            check_remount(when);
        }
    }
    check_remount("end");
    expect_clean_flash();
    cr_log_info("at most %u records in the log (budget %u)", max_records,
                (unsigned)STORE_LOG_MAX_RECORDS);
    nor_sim_free(&sim);
}

/*
 * Small pages (many records per byte of live data elsewhere): 64 pages of
 * 2 KiB with 0-byte objects, a mix of transaction sizes, random ids.
 */
Test(unit_store_bound, mixed_small_geometry_matches_the_model)
{
    uint32_t ids[STORE_MAX_TXN_RECORDS];
    uint16_t lens[STORE_MAX_TXN_RECORDS];
    uint64_t rng = 5;
    char when[64];

    fresh(2048, 64);
    fill_big(50, 900);
    for (uint32_t i = 0; i < 20000; i++) {
        int n = 1 + (int)(model_rng(&rng) % 4);

        snprintf(when, sizeof(when), "txn %u", i);
        for (int j = 0; j < n; j++) {
            ids[j] = SMALL_ID + (uint32_t)(model_rng(&rng) % 40);
            lens[j] = (uint16_t)(model_rng(&rng) % 3 ? 0 : 4);
        }
        txn_write(ids, lens, n, when);
        if (i % 997 == 0) {
            check_remount(when);
        }
    }
    check_remount("end");
    expect_clean_flash();
    nor_sim_free(&sim);
}

/* ---- power cuts while the record budget drives the collector ----------- */

#define TEAR_PAGE_SIZE 4096
#define TEAR_PAGES     64
#define TEAR_STEPS     40
#define TEAR_MAX_OPS   8

struct tear_step {
    int n;
    uint32_t id[TEAR_MAX_OPS];
    uint16_t len[TEAR_MAX_OPS];
    uint32_t ver[TEAR_MAX_OPS];
};

static struct bmodel tear_state[TEAR_STEPS + 1];
static struct tear_step tear_steps[TEAR_STEPS];
static uint64_t tear_commit_op[TEAR_STEPS];
static uint8_t *tear_base;
static jmp_buf power_cut;

static void tear_apply(struct bmodel *m, const struct tear_step *t)
{
    for (int i = 0; i < t->n; i++) {
        m->present[t->id[i]] = true;
        m->len[t->id[i]] = t->len[i];
        m->ver[t->id[i]] = t->ver[i];
    }
}

/* Run step T; returns the first error (0: committed). */
static int tear_run(const struct tear_step *t)
{
    static uint8_t buf[STORE_MAX_OBJECT];
    int rc = store_begin(&st);

    for (int i = 0; rc == STORE_OK && i < t->n; i++) {
        model_payload(t->id[i], t->ver[i], t->len[i], buf);
        rc = store_write(&st, t->id[i], buf, t->len[i]);
    }
    if (rc == STORE_OK) {
        return store_commit(&st);
    }
    store_abort(&st);
    return rc;
}

Test(unit_store_bound, power_cut_at_every_operation_of_record_collections)
{
    static const char *const mode_name[] = { "before", "partial", "after" };
    uint64_t rng = 31, start, total;
    uint32_t gc_before;
    struct store_stats stats;
    char when[128], why[160];
    uint64_t trials = 0;

    /* 150 KiB of live data (the page rule then allows more than 64 pages),
     * then 0-byte objects until the record budget makes begin collect;
     * the base image is the one just before that */
    fresh(TEAR_PAGE_SIZE, TEAR_PAGES);
    fill_big(150, 1000);
    tear_base = malloc((size_t)TEAR_PAGE_SIZE * TEAR_PAGES);
    cr_assert(tear_base);
    store_get_stats(&st, &stats);
    gc_before = stats.gc_runs;
    struct bmodel base_model = bm;
    for (uint32_t i = 0; stats.gc_runs == gc_before; i++) {
        cr_assert(i < 10000, "the record budget never made begin collect");
        memcpy(tear_base, sim.mem, (size_t)TEAR_PAGE_SIZE * TEAR_PAGES);
        base_model = bm;
        put1(SMALL_ID + i % 7, 0, "prefill");
        store_get_stats(&st, &stats);
    }
    memcpy(sim.mem, tear_base, (size_t)TEAR_PAGE_SIZE * TEAR_PAGES);
    bm = base_model;
    cr_assert_eq(store_mount(&st, &fl), STORE_OK);

    /* the workload, without cuts: its states and commit operations */
    tear_state[0] = bm;
    start = sim.ops;
    for (int i = 0; i < TEAR_STEPS; i++) {
        struct tear_step *t = &tear_steps[i];

        t->n = 1 + (int)(model_rng(&rng) % TEAR_MAX_OPS);
        for (int j = 0; j < t->n; j++) {
            t->id[j] = SMALL_ID + 10 + (uint32_t)j;
            /* not 0: a payload tells the versions apart */
            t->len[j] = (uint16_t)(model_rng(&rng) % 2 ? 8 : 4);
            t->ver[j] = ++bm.next_ver;
        }
        cr_assert_eq(tear_run(t), STORE_OK, "workload step %d", i);
        tear_commit_op[i] = sim.ops - start;
        tear_state[i + 1] = tear_state[i];
        tear_apply(&tear_state[i + 1], t);
    }
    total = sim.ops - start;
    bm = tear_state[TEAR_STEPS];
    cr_assert(bm_matches(&bm, why, sizeof(why)), "workload: %s", why);
    store_get_stats(&st, &stats);
    /* the budget made begin collect during the workload (the page rule
     * and the erased-page reserve never do in this store) */
    cr_assert(stats.gc_runs >= 4, "%u collections", stats.gc_runs);
    cr_log_info("%lu operations, %u collections", (unsigned long)total,
                stats.gc_runs);

    for (int mode = 0; mode < 3; mode++) {
        for (uint64_t n = 1; n <= total; n++) {
            volatile int cur = 0;

            memcpy(sim.mem, tear_base, (size_t)TEAR_PAGE_SIZE * TEAR_PAGES);
            cr_assert_eq(store_mount(&st, &fl), STORE_OK);
            nor_sim_arm(&sim, n, mode, n * 7919u + (uint64_t)mode,
                        &power_cut);
            if (setjmp(power_cut) == 0) {
                for (cur = 0; cur < TEAR_STEPS; cur++) {
                    tear_run(&tear_steps[cur]);
                }
                cr_assert_fail("no power cut at operation %lu",
                               (unsigned long)n);
            }
            snprintf(when, sizeof(when), "cut %s at op %lu (step %d)",
                     mode_name[mode], (unsigned long)n, (int)cur);
            cr_assert_eq(store_mount(&st, &fl), STORE_OK, "%s", when);
            bool is_before = bm_matches(&tear_state[cur], why, sizeof(why));
            bool is_after = !is_before &&
                            bm_matches(&tear_state[cur + 1], why, sizeof(why));

            cr_assert(is_before || is_after, "%s: neither old nor new: %s",
                      when, why);
            if (n < tear_commit_op[cur]) {
                cr_assert(is_before, "%s: committed before its commit", when);
            } else if (mode == NOR_TEAR_AFTER) {
                cr_assert(is_after, "%s: completed commit lost", when);
            } else if (mode == NOR_TEAR_BEFORE) {
                cr_assert(is_before, "%s: commit without its record", when);
            }
            for (int i = is_after ? cur + 1 : cur; i < TEAR_STEPS; i++) {
                cr_assert_eq(tear_run(&tear_steps[i]), STORE_OK,
                             "%s: step %d after recovery", when, i);
                records_checked(when);
            }
            bm = tear_state[TEAR_STEPS];
            check_remount(when);
            trials++;
        }
    }
    cr_assert_eq(sim.tears, trials);
    expect_clean_flash();
    free(tear_base);
    nor_sim_free(&sim);
}
