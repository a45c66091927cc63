/*
 * store_bench: the object store in card time. Contract: store_bench.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "kernel/store_bench.h"

#include <string.h>

#include "drivers/timer.h"
#include "drivers/watchdog.h"
#include "kernel/storage.h"

#define LOG_MODULE "bench"
#include "kernel/log.h"

#define BENCH_IDS      400
#define BENCH_LEN      255
#define BENCH_COMMITS  500
#define BENCH_MOUNTS   5

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
    LOG_I("store_commit_1obj_us=%u store_mount_full_us=%u mount_kib=%u",
          (unsigned)commit_us, (unsigned)mount_us,
          (unsigned)(st.mount_bytes_read / 1024u));
    log_flush();
}
