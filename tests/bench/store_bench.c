/*
 * store-bench: flash cost of the object store (cardos/store) on the
 * simulated NOR flash of the unit tests, with the card's geometry (1 MiB,
 * 256 pages of 4 KiB). Prints "name value" lines for tests/bench/bench.py.
 *
 *   store_commit_1obj_flash_ops   flash operations per one-object commit
 *   store_commit_1obj_page_programs  program calls (each within one page)
 *   store_commit_1obj_erases      page erases per commit (amortized GC)
 *   store_commit_8obj_flash_ops   the same for eight-object transactions
 *   store_write_amplification     flash bytes programmed / payload bytes
 *   store_mount_full_bytes        flash bytes a mount of a wrapped log reads
 *   store_mount_full_pages        pages in its log
 *   store_worst_records           records in the log (the most seen) when
 *                                 a 4-byte object is rewritten over and
 *                                 over next to ~500 KiB of live data, the
 *                                 case that bounds mount time
 *   store_worst_flash_ops         flash operations per such rewrite
 *   store_worst_bytes_per_commit  flash bytes programmed per such rewrite
 *
 * A flash operation is one store program call (any length within one
 * page) or one page erase, counted in steady state (the log has wrapped
 * and the garbage collector runs) over many commits of 255-byte objects.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nor_sim.h"
#include "store/store.h"

#define PAGE_SIZE 4096
#define PAGES     256
#define OBJ_LEN   255
#define IDS       400

static struct nor_sim sim;
static struct store st;
static struct store_flash fl;
static uint64_t rng = 0x1234567;

static uint32_t next_rand(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (uint32_t)((rng * 0x2545f4914f6cdd1dull) >> 32);
}

static void die(const char *what, int rc)
{
    fprintf(stderr, "store-bench: %s: %s\n", what, store_strerror(rc));
    exit(1);
}

static void fresh_store(void)
{
    int rc;

    nor_sim_init(&sim, PAGE_SIZE, PAGES);
    nor_sim_flash(&sim, &fl);
    rc = store_format(&st, &fl, 0xbe7c4u);
    if (rc) {
        die("format", rc);
    }
}

static void txn(uint32_t nobj)
{
    uint8_t obj[OBJ_LEN];
    int rc = store_begin(&st);

    if (rc) {
        die("begin", rc);
    }
    for (uint32_t i = 0; i < nobj; i++) {
        uint32_t id = 1 + next_rand() % IDS;

        memset(obj, (int)next_rand(), sizeof(obj));
        rc = store_write(&st, id, obj, sizeof(obj));
        if (rc) {
            die("write", rc);
        }
    }
    rc = store_commit(&st);
    if (rc) {
        die("commit", rc);
    }
}

/* Flash cost per transaction of NOBJ objects, in steady state. */
static void commit_cost(uint32_t nobj, unsigned n, const char *prefix,
                        bool amplification)
{
    uint64_t p0, e0, b0;

    fresh_store();
    for (uint32_t id = 1; id <= IDS; id++) {    /* every id exists */
        uint8_t obj[OBJ_LEN];

        memset(obj, (int)id, sizeof(obj));
        if (store_put(&st, id, obj, sizeof(obj))) {
            die("prefill", -1);
        }
    }
    /* wrap the log at least twice so the GC is in its steady state */
    while (sim.erases < 3 * PAGES) {
        txn(nobj);
    }
    p0 = sim.programs;
    e0 = sim.erases;
    b0 = sim.bytes_programmed;
    for (unsigned i = 0; i < n; i++) {
        txn(nobj);
    }
    printf("%s_flash_ops %.3f\n", prefix,
           (double)(sim.programs - p0 + sim.erases - e0) / n);
    printf("%s_page_programs %.3f\n", prefix,
           (double)(sim.programs - p0) / n);
    printf("%s_erases %.4f\n", prefix, (double)(sim.erases - e0) / n);
    if (amplification) {
        printf("store_write_amplification %.3f\n",
               (double)(sim.bytes_programmed - b0) /
               ((double)n * nobj * OBJ_LEN));
    }
    nor_sim_free(&sim);
}

/*
 * Mount cost of a store whose log has wrapped twice under small (32-byte)
 * updates: the log is as long as the collector lets it grow (docs/store.md,
 * "Mount time").
 */
static void mount_full(void)
{
    uint8_t obj[32];
    struct store_stats stats;
    int rc;

    fresh_store();
    while (sim.erases < 2 * PAGES) {
        memset(obj, (int)next_rand(), sizeof(obj));
        rc = store_put(&st, 1 + next_rand() % IDS, obj, sizeof(obj));
        if (rc) {
            die("fill", rc);
        }
    }
    rc = store_mount(&st, &fl);
    if (rc) {
        die("mount", rc);
    }
    store_get_stats(&st, &stats);
    printf("store_mount_full_bytes %u\n", stats.mount_bytes_read);
    printf("store_mount_full_pages %u\n", stats.pages_active);
    nor_sim_free(&sim);
}

/*
 * The worst case for mount time (docs/store.md, "Mount time"): 480
 * objects of 1 KiB (the page rule then lets the log span every page),
 * then one 4-byte object rewritten N times. The record budget bounds the
 * log; what it costs in flash operations is measured after the log has
 * reached its steady state.
 */
static void worst_case(unsigned n)
{
    static uint8_t big[1024];
    struct store_stats stats;
    uint32_t max_records = 0;
    uint64_t p0 = 0, e0 = 0, b0 = 0;
    int rc;

    fresh_store();
    for (uint32_t id = 1; id <= 480; id++) {
        memset(big, (int)id, sizeof(big));
        rc = store_put(&st, id, big, sizeof(big));
        if (rc) {
            die("worst-case fill", rc);
        }
    }
    for (unsigned i = 0; i < 2 * n; i++) {
        uint32_t v = i;

        if (i == n) {
            p0 = sim.programs;
            e0 = sim.erases;
            b0 = sim.bytes_programmed;
        }
        rc = store_put(&st, 0xfffff0u, &v, sizeof(v));
        if (rc) {
            die("worst-case rewrite", rc);
        }
        store_get_stats(&st, &stats);
        if (stats.log_records > max_records) {
            max_records = stats.log_records;
        }
    }
    printf("store_worst_records %u\n", max_records);
    printf("store_worst_flash_ops %.3f\n",
           (double)(sim.programs - p0 + sim.erases - e0) / n);
    printf("store_worst_bytes_per_commit %.1f\n",
           (double)(sim.bytes_programmed - b0) / n);
    nor_sim_free(&sim);
}

int main(int argc, char **argv)
{
    unsigned n = 20000;

    if (argc > 1 && strcmp(argv[1], "--quick") == 0) {
        n = 2000;
    }
    commit_cost(1, n, "store_commit_1obj", true);
    commit_cost(8, n / 8, "store_commit_8obj", false);
    mount_full();
    worst_case(n);
    return 0;
}
