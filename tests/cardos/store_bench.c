/*
 * store_bench: the object store in card time. Contract: store_bench.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tests/cardos/store_bench.h"

#include <string.h>

#include "drivers/timer.h"
#include "drivers/watchdog.h"
#include "card/storage.h"

#define LOG_MODULE "bench"
#include "kernel/log.h"

#define BENCH_IDS      400
#define BENCH_LEN      255
#define BENCH_COMMITS  500
#define BENCH_MOUNTS   5

/*
 * The worst case for mount time: 1 KiB objects up to WORST_BIG_IDS (about
 * 500 KiB of live data: the page rule then lets the log span every page),
 * then one 4-byte object rewritten over and over, so that the log fills
 * with the smallest records there are; mounts timed at WORST_POINTS
 * points WORST_GAP rewrites apart (the record count rises and falls as
 * the collector runs), the slowest one reported.
 */
#define WORST_BIG_IDS   480
#define WORST_BIG_LEN   1024
#define WORST_SMALL_ID  0x00fffff0u
#define WORST_REWRITES  17000
#define WORST_POINTS    8
#define WORST_GAP       41
#define WORST_MOUNTS    2

static uint32_t bench_rng = 0x2545f491u;

static uint32_t next_rand(void)
{
    bench_rng ^= bench_rng << 13;
    bench_rng ^= bench_rng >> 17;
    bench_rng ^= bench_rng << 5;
    return bench_rng;
}

static int commit_one(struct store *s)
{
    static uint8_t obj[BENCH_LEN];

    memset(obj, (int)next_rand(), sizeof(obj));
    watchdog_kick();
    return store_put(s, 1 + next_rand() % BENCH_IDS, obj, sizeof(obj));
}

static int put_small(struct store *s, uint32_t n)
{
    static uint32_t ver;
    int rc = STORE_OK;

    for (uint32_t i = 0; i < n && rc == STORE_OK; i++) {
        ver++;
        if ((i & 63) == 0) {
            watchdog_kick();
        }
        rc = store_put(s, WORST_SMALL_ID, &ver, sizeof(ver));
    }
    return rc;
}

/* Card time of a mount of the store in its current state, in us. */
static uint32_t time_mount(struct store *s, int *rc)
{
    uint32_t t0 = timer_now_ms();

    *rc = STORE_OK;
    for (int i = 0; i < WORST_MOUNTS && *rc == STORE_OK; i++) {
        struct store_flash f = s->f;

        watchdog_kick();
        *rc = store_mount(s, &f);
    }
    return (timer_now_ms() - t0) * 1000u / WORST_MOUNTS;
}

static void store_bench_worst(struct store *s)
{
    /* on the stack: the card's static RAM has no KiB to spare (the main
     * stack is 8 KiB, the store's calls need well under 2) */
    uint8_t big[WORST_BIG_LEN];
    struct store_stats st;
    uint32_t worst_us = 0, worst_records = 0, worst_pages = 0;
    int rc = STORE_OK;

    for (uint32_t id = 1; id <= WORST_BIG_IDS && rc == STORE_OK; id++) {
        memset(big, (int)id, sizeof(big));
        watchdog_kick();
        rc = store_put(s, id, big, sizeof(big));
    }
    if (rc == STORE_OK) {
        rc = put_small(s, WORST_REWRITES);
    }
    if (rc != STORE_OK) {
        LOG_E("worst-case fill: %s", store_strerror(rc));
        return;
    }
    log_flush();
    for (int k = 0; k < WORST_POINTS && rc == STORE_OK; k++) {
        uint32_t us = time_mount(s, &rc);

        store_get_stats(s, &st);
        if (us > worst_us) {
            worst_us = us;
            worst_records = st.log_records;
            worst_pages = st.pages_active;
        }
        if (rc == STORE_OK) {
            rc = put_small(s, WORST_GAP);
        }
    }
    if (rc != STORE_OK) {
        LOG_E("worst-case mount: %s", store_strerror(rc));
        return;
    }
    store_get_stats(s, &st);
    LOG_I("store_mount_worst_us=%u records=%u pages=%u live_kib=%u",
          (unsigned)worst_us, (unsigned)worst_records, (unsigned)worst_pages,
          (unsigned)(st.live_bytes / 1024u));
    log_flush();
}

void store_bench_run(void)
{
    struct store *s = storage_store();
    struct store_stats st;
    uint32_t t0, commit_us, mount_us;
    int rc = STORE_OK;

    if (!s) {
        LOG_E("no store: %s", store_strerror(storage_status()));
        return;
    }
    /* an empty store, as the figures in docs/store.md assume: the first
     * boot's files, key sets and registry (some 100 objects) would leave
     * too few of the 512 live objects for 400 + 480 bench objects */
    {
        struct store_flash f = s->f;

        rc = store_format(s, &f, 0x62656e63u);   /* "benc" */
        if (rc != STORE_OK) {
            LOG_E("format: %s", store_strerror(rc));
            return;
        }
    }
    /* steady state: every page has been through the log once */
    do {
        for (int i = 0; i < 64 && rc == STORE_OK; i++) {
            rc = commit_one(s);
        }
        store_get_stats(s, &st);
    } while (rc == STORE_OK && st.gc_runs < 2 * st.pages_active);
    if (rc != STORE_OK) {
        LOG_E("warm-up commit: %s", store_strerror(rc));
        return;
    }
    log_flush();

    t0 = timer_now_ms();
    for (int i = 0; i < BENCH_COMMITS && rc == STORE_OK; i++) {
        rc = commit_one(s);
    }
    commit_us = (timer_now_ms() - t0) * 1000u / BENCH_COMMITS;
    if (rc != STORE_OK) {
        LOG_E("commit: %s", store_strerror(rc));
        return;
    }

    t0 = timer_now_ms();
    for (int i = 0; i < BENCH_MOUNTS && rc == STORE_OK; i++) {
        struct store_flash f = s->f;

        watchdog_kick();
        rc = store_mount(s, &f);
    }
    mount_us = (timer_now_ms() - t0) * 1000u / BENCH_MOUNTS;
    if (rc != STORE_OK) {
        LOG_E("mount: %s", store_strerror(rc));
        return;
    }
    store_get_stats(s, &st);
    LOG_I("store_commit_1obj_us=%u store_mount_full_us=%u mount_kib=%u "
          "records=%u", (unsigned)commit_us, (unsigned)mount_us,
          (unsigned)(st.mount_bytes_read / 1024u),
          (unsigned)st.log_records);
    log_flush();

    store_bench_worst(s);
}
