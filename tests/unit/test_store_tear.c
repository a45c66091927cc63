/*
 * Unit tests: the object store against power cuts. A simulated NOR flash
 * (nor_sim.h) cuts the power at one flash operation; the store is then
 * mounted again and must hold, for every object, exactly the state before
 * or exactly the state after the interrupted transaction (all objects of
 * the transaction together), and must go on working.
 *
 *  - exhaustive: a fixed workload of multi-object transactions (with page
 *    changes and garbage collection) is torn at every single operation
 *    index, in each mode (before / partial / after);
 *  - campaigns: seeded random workloads with a power cut every few dozen
 *    operations, for hundreds of consecutive sessions on the same flash
 *    (cuts also land in the repairs a previous cut made necessary).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <criterion/criterion.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/log.h"
#include "nor_sim.h"
#include "store_model.h"

TestSuite(unit_store_tear, .timeout = 600);

#define PAGE_SIZE   2048
#define PAGES       16
#define MAX_STEPS   64

static const char *const mode_name[] = { "before", "partial", "after" };

struct workload {
    int steps;
    struct model_txn txn[MAX_STEPS];
    struct model state[MAX_STEPS + 1];    /* state[i]: before step i */
    uint64_t commit_op[MAX_STEPS];        /* op index of step i's commit */
    uint32_t last[MAX_STEPS + 1];         /* store_last_commit() before i */
    uint64_t total_ops;
};

static struct nor_sim sim;
static struct store st;
static struct store_flash fl;
static uint8_t base_image[PAGE_SIZE * PAGES];
static jmp_buf power_cut;

static void mount_ok(const char *when)
{
    int rc = store_mount(&st, &fl);

    cr_assert_eq(rc, STORE_OK, "mount %s: %s", when, store_strerror(rc));
}

static void expect_state(const struct model *m, const char *when)
{
    char why[160] = "";

    cr_assert(model_matches(&st, m, why, sizeof(why)), "%s: %s", when, why);
}

/*
 * The commit rider (store.h): with WITH_RIDER every workload step arms a
 * rider object saying "step i + 1 committed" before its transaction; a
 * mount must find the rider of the state it finds (atomic with it).
 */
#define RIDER_ID 0x7000u
static bool with_rider;
static struct {
    uint32_t step;
    uint8_t pad[208];
} rider_obj;

static int run_step(const struct workload *w, int i)
{
    uint32_t carried;
    int rc;

    if (!with_rider) {
        return model_run_txn(&st, &w->txn[i]);
    }
    memset(&rider_obj, (uint8_t)i, sizeof(rider_obj));
    rider_obj.step = (uint32_t)i + 1u;
    cr_assert_eq(store_rider_set(&st, RIDER_ID, &rider_obj,
                                 sizeof(rider_obj)), STORE_OK);
    rc = model_run_txn(&st, &w->txn[i]);
    carried = store_rider_clear(&st);
    if (rc == STORE_OK) {
        cr_assert_eq(carried, store_last_commit(&st),
                     "step %d: carried by %u, last commit %u", i, carried,
                     store_last_commit(&st));
    }
    return rc;
}

/* The rider a mount finds: the step it says, 0 if absent. */
static uint32_t rider_step(const char *when)
{
    static uint8_t buf[sizeof(rider_obj)];
    uint32_t n = 0, step;
    int rc = store_read(&st, RIDER_ID, buf, sizeof(buf), &n);

    if (rc == STORE_ERR_NOT_FOUND) {
        return 0;
    }
    cr_assert_eq(rc, STORE_OK, "%s: rider: %s", when, store_strerror(rc));
    cr_assert_eq(n, sizeof(rider_obj), "%s: rider of %u bytes", when, n);
    memcpy(&step, buf, 4);
    for (uint32_t k = 4; k < n; k++) {
        cr_assert_eq(buf[k], (uint8_t)(step - 1u), "%s: rider byte %u",
                     when, k);
    }
    return step;
}

/* Format, prefill, and generate the workload (states and op indices);
 * every SECURE_EVERY-th transaction is a secure one (0: none). */
static void build_workload(struct workload *w, uint64_t seed, int steps,
                           int max_ops, uint16_t max_len, int secure_every)
{
    uint64_t rng = seed;
    uint32_t ver = 0;
    struct model m = { 0 };
    struct model_txn pre = { 0 };
    struct store_stats stats;

    nor_sim_init(&sim, PAGE_SIZE, PAGES);
    nor_sim_flash(&sim, &fl);
    cr_assert_eq(store_format(&st, &fl, 0x1234u), STORE_OK);
    for (uint32_t id = 1; id <= 6; id++) {
        pre.op[pre.n++] = (struct model_op){ false, id,
                                             (uint16_t)(100 * id), ++ver };
    }
    cr_assert_eq(model_run_txn(&st, &pre), STORE_OK);
    model_apply(&m, &pre);
    memcpy(base_image, sim.mem, sizeof(base_image));

    w->steps = steps;
    w->state[0] = m;
    w->last[0] = store_last_commit(&st);
    uint64_t start = sim.ops;
    for (int i = 0; i < steps; i++) {
        model_random_txn(&m, &rng, &ver, max_ops, max_len, &w->txn[i]);
        w->txn[i].secure = secure_every && i % secure_every == 0;
        int rc = run_step(w, i);
        cr_assert_eq(rc, STORE_OK, "workload step %d: %s", i,
                     store_strerror(rc));
        w->commit_op[i] = sim.ops - start;
        model_apply(&m, &w->txn[i]);
        w->state[i + 1] = m;
        w->last[i + 1] = store_last_commit(&st);
        cr_assert_gt(w->last[i + 1], w->last[i], "step %d: last commit", i);
    }
    w->total_ops = sim.ops - start;
    expect_state(&m, "workload without power cuts");
    store_get_stats(&st, &stats);
    /* the workload must exercise page changes and the GC */
    cr_assert(stats.gc_runs >= 2, "workload ran the GC only %u times",
              stats.gc_runs);
    cr_assert_eq(sim.overwrites, 0u);
    cr_assert_eq(sim.bad_calls, 0u);
}

static void restore_base(void)
{
    memcpy(sim.mem, base_image, sizeof(base_image));
    sim.ops = 0;
    sim.tear_at = 0;
}

/* Run steps FROM.. of W without power cuts and check the final state. */
static void finish_workload(const struct workload *w, int from,
                            const char *when)
{
    for (int i = from; i < w->steps; i++) {
        int rc = run_step(w, i);
        cr_assert_eq(rc, STORE_OK, "%s: step %d after recovery: %s", when, i,
                     store_strerror(rc));
    }
    expect_state(&w->state[w->steps], when);
    mount_ok(when);
    expect_state(&w->state[w->steps], when);
}

/* Run W from the base image with a power cut at operation N; returns the
 * step that was running. */
static int run_with_cut(const struct workload *w, uint64_t n, int mode)
{
    volatile int cur = 0;

    restore_base();
    mount_ok("before the workload");
    nor_sim_arm(&sim, n, mode, n * 7919u + (uint64_t)mode, &power_cut);
    if (setjmp(power_cut) == 0) {
        for (cur = 0; cur < w->steps; cur++) {
            run_step(w, cur);
        }
        cr_assert_fail("no power cut at operation %lu", (unsigned long)n);
    }
    return cur;
}

static void tear_everywhere(struct workload *w)
{
    char when[128];
    uint64_t trials = 0, after_count = 0;

    for (int mode = 0; mode < 3; mode++) {
        for (uint64_t n = 1; n <= w->total_ops; n++) {
            int cur = run_with_cut(w, n, mode);

            snprintf(when, sizeof(when), "cut %s at op %lu (step %d)",
                     mode_name[mode], (unsigned long)n, (int)cur);
            mount_ok(when);
            const struct model *before = &w->state[cur];
            const struct model *after = &w->state[cur + 1];
            char why[160];
            bool is_before = model_matches(&st, before, why, sizeof(why));
            bool is_after = !is_before &&
                            model_matches(&st, after, why, sizeof(why));

            cr_assert(is_before || is_after, "%s: neither old nor new: %s",
                      when, why);
            if (n < w->commit_op[cur]) {
                cr_assert(is_before, "%s: committed before its commit", when);
            } else if (mode == NOR_TEAR_AFTER) {
                cr_assert(is_after, "%s: completed commit lost", when);
            } else if (mode == NOR_TEAR_BEFORE) {
                cr_assert(is_before, "%s: commit without its record", when);
            }
            /* the last commit a mount finds is that of the state it
             * finds: the GC's transactions never count (the workload
             * runs it), a torn transaction neither */
            cr_assert_eq(store_last_commit(&st), w->last[is_after ? cur + 1
                                                                   : cur],
                         "%s: store_last_commit", when);
            if (with_rider) {
                cr_assert_eq(rider_step(when), (uint32_t)(is_after ? cur + 1
                                                                  : cur),
                             "%s: the rider is not that of the state", when);
            }
            after_count += is_after;
            finish_workload(w, is_after ? cur + 1 : cur, when);
            trials++;
        }
    }
    cr_assert_eq(sim.overwrites, 0u, "the store programmed non-erased bytes");
    cr_assert_eq(sim.bad_calls, 0u);
    cr_assert_eq(sim.tears, trials);
    cr_assert(after_count > 0);
}

Test(unit_store_tear, every_operation_multi_object_txns)
{
    static struct workload w;

    build_workload(&w, 0xC0FFEEu, 60, 4, 400, 0);
    tear_everywhere(&w);
    nor_sim_free(&sim);
}

Test(unit_store_tear, every_operation_eight_object_txns)
{
    static struct workload w;

    build_workload(&w, 0xBEEFu, MAX_STEPS, 8, 250, 0);
    tear_everywhere(&w);
    nor_sim_free(&sim);
}

/*
 * Secure transactions (docs/store.md rule 8): one of two, one to eight
 * objects. A cut before the seal (the transaction's last operation: its
 * commit_op) leaves it as before, a completed seal as after.
 */
Test(unit_store_tear, every_operation_secure_txns)
{
    static struct workload w;

    build_workload(&w, 0x5EC0u, MAX_STEPS, 8, 250, 2);
    tear_everywhere(&w);
    nor_sim_free(&sim);
}

/*
 * The commit rider (store.h) cut at every operation: it commits with the
 * transaction that carries it or not at all, in ordinary and secure
 * transactions (one of two), the GC's (the workload runs it) carrying
 * nothing.
 */
Test(unit_store_tear, rider_is_atomic_with_its_transaction)
{
    static struct workload w;

    with_rider = true;
    model_extra_id = RIDER_ID;
    build_workload(&w, 0x41DEu, MAX_STEPS, 8, 250, 2);
    tear_everywhere(&w);
    with_rider = false;
    model_extra_id = 0;
    nor_sim_free(&sim);
}

/* What carries the rider and what does not (store.h rules). */
Test(unit_store_tear, rider_rules)
{
    static uint8_t obj[64];
    static uint32_t r = 0xA5A5A5A5u;
    uint32_t carried;

    nor_sim_init(&sim, PAGE_SIZE, PAGES);
    nor_sim_flash(&sim, &fl);
    cr_assert_eq(store_format(&st, &fl, 7), STORE_OK);
    cr_assert_eq(store_rider_set(&st, 0, &r, 4), STORE_ERR_PARAM);
    cr_assert_eq(store_rider_set(&st, 99, &r, STORE_MAX_SECURE_OBJECT + 1),
                 STORE_ERR_PARAM);
    cr_assert_eq(store_rider_set(&st, 99, &r, sizeof(r)), STORE_OK);
    /* a transaction that writes nothing, an aborted one: carry nothing */
    cr_assert_eq(store_begin(&st), STORE_OK);
    cr_assert_eq(store_commit(&st), STORE_OK);
    cr_assert_eq(store_begin(&st), STORE_OK);
    cr_assert_eq(store_write(&st, 1, obj, sizeof(obj)), STORE_OK);
    store_abort(&st);
    cr_assert_eq(store_size(&st, 99), STORE_ERR_NOT_FOUND);
    /* a full transaction (STORE_MAX_TXN_RECORDS) still takes it */
    cr_assert_eq(store_begin(&st), STORE_OK);
    for (uint32_t id = 1; id <= STORE_MAX_TXN_RECORDS; id++) {
        cr_assert_eq(store_write(&st, id, obj, sizeof(obj)), STORE_OK);
    }
    cr_assert_eq(store_write(&st, 50, obj, 1), STORE_ERR_TXN_FULL);
    cr_assert_eq(store_commit(&st), STORE_OK);
    carried = store_rider_clear(&st);
    cr_assert_eq(carried, store_last_commit(&st));
    cr_assert_eq(store_size(&st, 99), 4);
    cr_assert_eq(store_size(&st, STORE_MAX_TXN_RECORDS), sizeof(obj));
    /* one-shot: the next commit carries nothing; cleared: nothing */
    r = 1;
    cr_assert_eq(store_rider_set(&st, 99, &r, sizeof(r)), STORE_OK);
    cr_assert_eq(store_rider_clear(&st), 0u);
    cr_assert_eq(store_put(&st, 1, obj, 1), STORE_OK);
    cr_assert_eq(store_read(&st, 99, obj, sizeof(obj), &carried), STORE_OK);
    cr_assert_eq(memcmp(obj, "\xA5\xA5\xA5\xA5", 4), 0);
    /* it wins over a write of its id in the same transaction */
    cr_assert_eq(store_rider_set(&st, 99, &r, sizeof(r)), STORE_OK);
    cr_assert_eq(store_put(&st, 99, "\x07\x07", 2), STORE_OK);
    cr_assert_eq(store_size(&st, 99), 4);
    cr_assert_neq(store_rider_clear(&st), 0u);
    cr_assert_eq(store_put(&st, 2, obj, 1), STORE_OK);    /* not again */
    cr_assert_eq(store_size(&st, 99), 4);
    /* a mount disarms it */
    cr_assert_eq(store_rider_set(&st, 98, &r, sizeof(r)), STORE_OK);
    mount_ok("rider");
    cr_assert_eq(store_put(&st, 3, obj, 1), STORE_OK);
    cr_assert_eq(store_size(&st, 98), STORE_ERR_NOT_FOUND);
    cr_assert_eq(sim.overwrites, 0u);
    nor_sim_free(&sim);
}

/* Campaign state (static: it lives across the longjmp of a power cut). */
static uint64_t c_rng;
static uint32_t c_ver;
static struct model c_m;
static struct model_txn c_pending;
static bool c_secure;           /* a third of the transactions secure */
static bool c_have_pending;
static uint64_t c_commits;

/* One session: random transactions until the armed power cut. */
static void campaign_session(int max_ops, uint16_t max_len, const char *when)
{
    if (setjmp(power_cut) == 0) {
        for (;;) {
            model_random_txn(&c_m, &c_rng, &c_ver, max_ops, max_len,
                             &c_pending);
            c_pending.secure = c_secure && model_rng(&c_rng) % 3 == 0;
            c_have_pending = true;
            int rc = model_run_txn(&st, &c_pending);
            cr_assert_eq(rc, STORE_OK, "%s: %s", when, store_strerror(rc));
            model_apply(&c_m, &c_pending);
            c_have_pending = false;
            c_commits++;
        }
    }
}

/* Consecutive sessions on one flash, each ended by a power cut. */
static void campaign(uint64_t seed, int sessions, int max_ops,
                     uint16_t max_len)
{
    char when[96];
    struct model_txn t;

    c_rng = seed;
    c_ver = 0;
    memset(&c_m, 0, sizeof(c_m));
    c_have_pending = false;
    c_commits = 0;
    nor_sim_init(&sim, PAGE_SIZE, PAGES);
    nor_sim_flash(&sim, &fl);
    cr_assert_eq(store_format(&st, &fl, (uint32_t)seed), STORE_OK);

    for (int session = 0; session <= sessions; session++) {
        snprintf(when, sizeof(when), "seed %lu session %d",
                 (unsigned long)seed, session);
        mount_ok(when);
        if (c_have_pending) {
            struct model after = c_m;
            char why[160];

            model_apply(&after, &c_pending);
            if (model_matches(&st, &after, why, sizeof(why))) {
                c_m = after;
            }
            c_have_pending = false;
        }
        expect_state(&c_m, when);
        if (session == sessions) {
            break;
        }
        nor_sim_arm(&sim, 1 + model_rng(&c_rng) % 48,
                    (int)(model_rng(&c_rng) % 3), model_rng(&c_rng),
                    &power_cut);
        campaign_session(max_ops, max_len, when);
    }
    /* and it still works */
    model_random_txn(&c_m, &c_rng, &c_ver, max_ops, max_len, &t);
    cr_assert_eq(model_run_txn(&st, &t), STORE_OK);
    model_apply(&c_m, &t);
    mount_ok("final");
    expect_state(&c_m, "final");
    cr_assert_eq(sim.overwrites, 0u);
    cr_assert_eq(sim.bad_calls, 0u);
    cr_assert(c_commits > (uint64_t)sessions / 4, "only %lu commits",
              (unsigned long)c_commits);
    nor_sim_free(&sim);
}

Test(unit_store_tear, random_campaign_seed_1)
{
    campaign(1, 400, 4, 400);
}

Test(unit_store_tear, random_campaign_seed_2)
{
    campaign(2, 400, 6, 300);
}

Test(unit_store_tear, random_campaign_seed_3_small_objects)
{
    campaign(3, 400, 6, 40);
}

Test(unit_store_tear, random_campaign_seed_4_secure)
{
    c_secure = true;
    campaign(4, 400, 4, 300);
    c_secure = false;
}

/* ---- what recovery says ---------------------------------------------- */

static char said[4096];

static void said_sink(const char *line, size_t len)
{
    size_t have = strlen(said);

    if (have + len + 2 < sizeof(said)) {
        memcpy(said + have, line, len);
        said[have + len] = '\n';
        said[have + len + 1] = '\0';
    }
}

/* Mount; the number of transactions it discarded; its log in SAID. */
static uint32_t mount_and_listen(void)
{
    struct store_stats stats;

    (void)log_flush();
    said[0] = '\0';
    mount_ok("listening");
    (void)log_flush();
    store_get_stats(&st, &stats);
    return stats.discarded;
}

/* Every transaction recovery discards is said on the console ("W store:",
 * docs/store.md "At boot"); a clean log says nothing. */
Test(unit_store_tear, recovery_says_what_it_discards)
{
    static uint8_t obj[200], big[400];
    static jmp_buf jb;

    log_reset();
    log_set_sink(said_sink);
    nor_sim_init(&sim, PAGE_SIZE, PAGES);
    nor_sim_flash(&sim, &fl);
    cr_assert_eq(store_format(&st, &fl, 9), STORE_OK);
    cr_assert_eq(store_put(&st, 1, obj, sizeof(obj)), STORE_OK);
    cr_assert_eq(mount_and_listen(), 0u);
    cr_assert_eq(strstr(said, "W store"), NULL, "%s", said);

    /* a put cut part way through its one program: a torn header */
    nor_sim_arm(&sim, 1, NOR_TEAR_PARTIAL, 1, &jb);
    if (setjmp(jb) == 0) {
        store_put(&st, 2, obj, sizeof(obj));
        cr_assert_fail("no power cut");
    }
    cr_assert_eq(mount_and_listen(), 1u);
    cr_assert(strstr(said, "W store: torn record at page ") != NULL, "%s",
              said);

    /* a put of two rows cut before its second: a torn payload (rule 5) */
    cr_assert_eq(store_put(&st, 2, obj, 10), STORE_OK);     /* new page */
    nor_sim_arm(&sim, 2, NOR_TEAR_BEFORE, 1, &jb);
    if (setjmp(jb) == 0) {
        store_put(&st, 5, big, sizeof(big));
        cr_assert_fail("no power cut");
    }
    cr_assert_geq(mount_and_listen(), 1u);
    cr_assert(strstr(said, "W store: transaction ") != NULL &&
              strstr(said, "the last of object 00000005): its last record "
                     "is torn (payload CRC)") != NULL, "%s", said);

    /* an abort after a record was written: its records stay, discarded */
    cr_assert_eq(store_begin(&st), STORE_OK);
    cr_assert_eq(store_write(&st, 3, obj, 10), STORE_OK);
    cr_assert_eq(store_write(&st, 4, obj, 10), STORE_OK);
    store_abort(&st);
    cr_assert_geq(mount_and_listen(), 1u);
    cr_assert(strstr(said, "(1 record(s)): no commit record at the end of "
                     "the log") != NULL, "%s", said);
    log_set_sink(NULL);
    nor_sim_free(&sim);
}
