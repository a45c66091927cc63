/*
 * Unit tests: the object store (cardos/store) on a simulated NOR flash:
 * CRC-32 against the published check value, format / mount / free space,
 * the transaction API, garbage collection against a reference model, wear
 * levelling, and detection of corrupted, foreign and truncated images.
 * Power cuts: test_store_tear.c.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <criterion/criterion.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nor_sim.h"
#include "store/crc32.h"
#include "store/store.h"
#include "store_model.h"

#define PAGE_SIZE   2048
#define PAGES       16

static struct nor_sim sim;
static struct store st;
static struct store_flash fl;

static void sim_setup(void)
{
    nor_sim_init(&sim, PAGE_SIZE, PAGES);
    nor_sim_flash(&sim, &fl);
}

static void sim_teardown(void)
{
    nor_sim_free(&sim);
}

static void format_ok(void)
{
    int rc = store_format(&st, &fl, 0xA5A5F00Du);

    cr_assert_eq(rc, STORE_OK, "format: %s", store_strerror(rc));
}

static void mount_ok(void)
{
    int rc = store_mount(&st, &fl);

    cr_assert_eq(rc, STORE_OK, "mount: %s", store_strerror(rc));
}

static void put_ok(uint32_t id, const void *data, uint32_t len)
{
    int rc = store_put(&st, id, data, len);

    cr_assert_eq(rc, STORE_OK, "put %u: %s", id, store_strerror(rc));
}

static void expect_object(uint32_t id, const void *data, uint32_t len)
{
    static uint8_t buf[STORE_MAX_OBJECT];
    uint32_t got = 0;
    int rc = store_read(&st, id, buf, sizeof(buf), &got);

    cr_assert_eq(rc, STORE_OK, "read %u: %s", id, store_strerror(rc));
    cr_assert_eq(got, len, "object %u has %u bytes, expected %u", id, got,
                 len);
    cr_assert(memcmp(buf, data, len) == 0, "object %u content", id);
}

/* ---- CRC-32 ------------------------------------------------------------- */

TestSuite(unit_store_crc);

Test(unit_store_crc, check_value)
{
    /* the catalogue check value of CRC-32/ISO-HDLC */
    cr_assert_eq(crc32("123456789", 9), 0xCBF43926u);
    cr_assert_eq(crc32("", 0), 0u);
    /* "The quick brown fox jumps over the lazy dog": 0x414FA339 */
    cr_assert_eq(crc32("The quick brown fox jumps over the lazy dog", 43),
                 0x414FA339u);
    /* continuation */
    cr_assert_eq(crc32_update(crc32("12345", 5), "6789", 4), 0xCBF43926u);
}

/* The CRC bit by bit, straight from its definition. */
static uint32_t crc32_bitwise(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;

    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++) {
            c = (c >> 1) ^ ((c & 1u) ? 0xEDB88320u : 0u);
        }
    }
    return ~c;
}

Test(unit_store_crc, matches_the_bitwise_definition)
{
    static uint8_t buf[300];
    uint64_t x = 5;

    for (size_t i = 0; i < sizeof(buf); i++) {
        buf[i] = (uint8_t)model_rng(&x);
    }
    for (size_t off = 0; off < 4; off++) {
        for (size_t n = 0; n + off <= sizeof(buf); n += 7) {
            cr_assert_eq(crc32(buf + off, n), crc32_bitwise(buf + off, n),
                         "offset %zu length %zu", off, n);
        }
    }
}

/* ---- format, mount, API --------------------------------------------------- */

TestSuite(unit_store_api, .init = sim_setup, .fini = sim_teardown);

Test(unit_store_api, blank_flash_mounts_as_blank_until_formatted)
{
    cr_assert_eq(store_mount(&st, &fl), STORE_ERR_BLANK);
    cr_assert_eq(store_begin(&st), STORE_ERR_STATE, "unmounted store used");
    cr_assert_eq(sim.ops, 0u, "mount wrote to flash");
    format_ok();
    cr_assert_eq(store_next_id(&st, 0), 0u, "fresh store not empty");
    mount_ok();
    cr_assert_eq(store_size(&st, 1), STORE_ERR_NOT_FOUND);
}

Test(unit_store_api, format_of_an_erased_flash_cut_short_is_still_blank)
{
    static jmp_buf jb;

    for (volatile int mode = NOR_TEAR_BEFORE; mode <= NOR_TEAR_AFTER;
         mode++) {
        memset(sim.mem, 0xff, PAGE_SIZE * PAGES);
        nor_sim_arm(&sim, 1, mode, 99, &jb);
        if (setjmp(jb) == 0) {
            store_format(&st, &fl, 1);
            cr_assert_fail("format of an erased flash took no operation");
        }
        int rc = store_mount(&st, &fl);
        if (mode == NOR_TEAR_AFTER) {
            cr_assert_eq(rc, STORE_OK, "format completed: %s",
                         store_strerror(rc));
        } else {
            cr_assert_eq(rc, STORE_ERR_BLANK, "mode %d: %s", mode,
                         store_strerror(rc));
            format_ok();
        }
        put_ok(1, "x", 1);
        mount_ok();
        expect_object(1, "x", 1);
    }
    /* but something in page 0 beyond what a format writes is foreign */
    memset(sim.mem, 0xff, PAGE_SIZE * PAGES);
    memset(sim.mem, 0x00, 33);
    cr_assert_eq(store_mount(&st, &fl), STORE_ERR_FOREIGN);
}

Test(unit_store_api, put_read_replace_delete_survive_remount)
{
    static const char a[] = "first object", b[] = "second, longer object";
    uint8_t big[STORE_MAX_OBJECT];

    format_ok();
    for (unsigned i = 0; i < sizeof(big); i++) {
        big[i] = (uint8_t)(i * 7);
    }
    put_ok(1, a, sizeof(a));
    put_ok(0xFFFFFFFEu, big, sizeof(big));
    put_ok(7, "", 0);
    expect_object(1, a, sizeof(a));
    cr_assert_eq(store_size(&st, 7), 0);
    put_ok(1, b, sizeof(b));
    mount_ok();
    expect_object(1, b, sizeof(b));
    expect_object(0xFFFFFFFEu, big, sizeof(big));
    cr_assert_eq(store_size(&st, 7), 0, "empty object lost");

    cr_assert_eq(store_begin(&st), STORE_OK);
    cr_assert_eq(store_delete(&st, 1), STORE_OK);
    cr_assert_eq(store_delete(&st, 1), STORE_ERR_NOT_FOUND,
                 "deleted twice in one transaction");
    cr_assert_eq(store_delete(&st, 99), STORE_ERR_NOT_FOUND);
    cr_assert_eq(store_commit(&st), STORE_OK);
    cr_assert_eq(store_size(&st, 1), STORE_ERR_NOT_FOUND);
    mount_ok();
    cr_assert_eq(store_size(&st, 1), STORE_ERR_NOT_FOUND, "delete undone");
    cr_assert_eq(store_next_id(&st, 0), 7u);
    cr_assert_eq(store_next_id(&st, 7), 0xFFFFFFFEu);
    cr_assert_eq(store_next_id(&st, 0xFFFFFFFEu), 0u);
}

Test(unit_store_api, transaction_is_invisible_until_commit_and_abort_drops_it)
{
    format_ok();
    put_ok(1, "old1", 4);
    put_ok(2, "old2", 4);
    cr_assert_eq(store_begin(&st), STORE_OK);
    cr_assert_eq(store_write(&st, 1, "new1", 4), STORE_OK);
    cr_assert_eq(store_write(&st, 3, "new3", 4), STORE_OK);
    cr_assert_eq(store_delete(&st, 2), STORE_OK);
    cr_assert_eq(store_begin(&st), STORE_ERR_STATE, "nested begin");
    expect_object(1, "old1", 4);     /* reads see the committed state */
    cr_assert_eq(store_size(&st, 3), STORE_ERR_NOT_FOUND);
    store_abort(&st);
    expect_object(1, "old1", 4);
    expect_object(2, "old2", 4);
    mount_ok();
    expect_object(1, "old1", 4);
    expect_object(2, "old2", 4);
    cr_assert_eq(store_size(&st, 3), STORE_ERR_NOT_FOUND, "aborted write");

    cr_assert_eq(store_begin(&st), STORE_OK);
    cr_assert_eq(store_write(&st, 1, "new1", 4), STORE_OK);
    cr_assert_eq(store_write(&st, 1, "newer1", 6), STORE_OK);
    cr_assert_eq(store_delete(&st, 2), STORE_OK);
    cr_assert_eq(store_write(&st, 2, "again2", 6), STORE_OK);
    cr_assert_eq(store_commit(&st), STORE_OK);
    expect_object(1, "newer1", 6);
    expect_object(2, "again2", 6);
    mount_ok();
    expect_object(1, "newer1", 6);
    expect_object(2, "again2", 6);
    cr_assert_eq(store_commit(&st), STORE_ERR_STATE, "commit without begin");
}

Test(unit_store_api, bad_parameters_and_limits)
{
    uint8_t buf[STORE_MAX_OBJECT + 1] = { 0 };
    uint32_t len = 0;

    format_ok();
    cr_assert_eq(store_put(&st, 0, "x", 1), STORE_ERR_PARAM, "id 0");
    cr_assert_eq(store_put(&st, 0xFFFFFFFFu, "x", 1), STORE_ERR_PARAM);
    cr_assert_eq(store_put(&st, 5, buf, STORE_MAX_OBJECT + 1),
                 STORE_ERR_PARAM, "object larger than the maximum");
    cr_assert_eq(store_write(&st, 5, "x", 1), STORE_ERR_STATE,
                 "write outside a transaction");
    put_ok(5, "hello", 5);
    cr_assert_eq(store_read(&st, 5, buf, 4, &len), STORE_ERR_PARAM);
    cr_assert_eq(len, 5u, "size reported with a short buffer");

    cr_assert_eq(store_begin(&st), STORE_OK);
    for (uint32_t i = 0; i < STORE_MAX_TXN_RECORDS; i++) {
        cr_assert_eq(store_write(&st, 100 + i, "y", 1), STORE_OK);
    }
    cr_assert_eq(store_write(&st, 200, "y", 1), STORE_ERR_TXN_FULL);
    cr_assert_eq(store_commit(&st), STORE_OK);
    for (uint32_t i = 0; i < STORE_MAX_TXN_RECORDS; i++) {
        cr_assert_eq(store_size(&st, 100 + i), 1);
    }
}

/* Many ids (up to the object limit), random deletes: the index. */
Test(unit_store_api, many_ids_iterate_in_order)
{
    static uint32_t ids[STORE_MAX_OBJECTS];
    static bool live[STORE_MAX_OBJECTS];
    uint64_t x = 99;
    uint32_t n = 0;

    nor_sim_free(&sim);                 /* room for 512 small objects */
    nor_sim_init(&sim, PAGE_SIZE, 64);
    nor_sim_flash(&sim, &fl);
    format_ok();
    while (n < STORE_MAX_OBJECTS) {
        uint32_t id = (uint32_t)(model_rng(&x) % 0xFFFFFFF0u) + 1u;
        bool dup = false;

        for (uint32_t k = 0; k < n; k++) {
            dup |= ids[k] == id;
        }
        if (dup) {
            continue;
        }
        ids[n] = id;
        live[n] = true;
        cr_assert_eq(store_put(&st, id, &id, 4), STORE_OK, "put #%u", n);
        n++;
    }
    cr_assert_eq(store_put(&st, 0x7FFFFFFFu, "z", 1), STORE_ERR_FULL,
                 "more objects than STORE_MAX_OBJECTS");
    for (uint32_t k = 0; k < n; k++) {
        if (model_rng(&x) % 2) {
            cr_assert_eq(store_begin(&st), STORE_OK);
            cr_assert_eq(store_delete(&st, ids[k]), STORE_OK);
            cr_assert_eq(store_commit(&st), STORE_OK);
            live[k] = false;
        }
    }
    for (int round = 0; round < 2; round++) {
        uint32_t prev = 0, count = 0, id = 0, want = 0;

        while ((id = store_next_id(&st, id)) != 0) {
            cr_assert(id > prev, "ids not ascending");
            prev = id;
            count++;
        }
        for (uint32_t k = 0; k < n; k++) {
            uint32_t v = 0, len = 0;
            int rc = store_read(&st, ids[k], &v, sizeof(v), &len);

            if (live[k]) {
                want++;
                cr_assert_eq(rc, STORE_OK, "id 0x%08x lost", ids[k]);
                cr_assert_eq(v, ids[k]);
            } else {
                cr_assert_eq(rc, STORE_ERR_NOT_FOUND, "id 0x%08x back",
                             ids[k]);
            }
        }
        cr_assert_eq(count, want, "iteration saw %u of %u", count, want);
        mount_ok();
    }
}

Test(unit_store_api, free_space_is_reported_and_enforced)
{
    static uint8_t obj[1000];
    struct store_stats s0, s1;
    uint32_t id = 1;
    int rc;

    format_ok();
    uint32_t free0 = store_free(&st);
    store_get_stats(&st, &s0);
    cr_assert(free0 > 0);
    cr_assert_eq(s0.free_bytes, free0);
    cr_assert_eq(s0.objects, 0u);
    put_ok(id++, obj, sizeof(obj));
    store_get_stats(&st, &s1);
    /* one record: 28-byte header + payload rounded up to 4 */
    cr_assert_eq(free0 - store_free(&st), 28u + 1000u);
    cr_assert_eq(s1.live_bytes, 28u + 1000u);
    cr_assert_eq(s1.objects, 1u);
    /* fill until refused; the store must stay usable and correct */
    while ((rc = store_put(&st, id, obj, sizeof(obj))) == STORE_OK) {
        id++;
    }
    cr_assert_eq(rc, STORE_ERR_FULL, "filling ended with %s",
                 store_strerror(rc));
    cr_assert(store_free(&st) < 28u + 1000u);
    uint32_t n = id - 1;
    mount_ok();
    for (uint32_t i = 1; i <= n; i++) {
        expect_object(i, obj, sizeof(obj));
    }
    /* replacing an object in place still works when full */
    obj[0] = 0x42;
    put_ok(1, obj, sizeof(obj));
    /* deleting frees the space again */
    cr_assert_eq(store_begin(&st), STORE_OK);
    cr_assert_eq(store_delete(&st, 2), STORE_OK);
    cr_assert_eq(store_commit(&st), STORE_OK);
    cr_assert(store_free(&st) >= 28u + 1000u);
    put_ok(id, obj, sizeof(obj));
    mount_ok();
    expect_object(1, obj, sizeof(obj));
    expect_object(id, obj, sizeof(obj));
    cr_assert_eq(sim.overwrites, 0u);
}

Test(unit_store_api, format_keeps_the_wear_history)
{
    format_ok();
    static uint8_t obj[100];
    for (int i = 0; i < 400; i++) {
        put_ok(1, obj, sizeof(obj));
    }
    uint32_t erases = 0;
    for (uint32_t p = 0; p < PAGES; p++) {
        erases += sim.erase_count[p];
    }
    cr_assert(erases > 0);
    struct store_stats before;
    store_get_stats(&st, &before);
    format_ok();
    struct store_stats after;
    store_get_stats(&st, &after);
    cr_assert(after.erase_max >= before.erase_max, "format forgot erase "
              "counts (%u < %u)", after.erase_max, before.erase_max);
    cr_assert_eq(store_size(&st, 1), STORE_ERR_NOT_FOUND);
}

/* ---- garbage collection ------------------------------------------------- */

TestSuite(unit_store_gc, .init = sim_setup, .fini = sim_teardown,
          .timeout = 120);

Test(unit_store_gc, random_updates_match_the_model)
{
    struct model m = { 0 };
    uint64_t rng = 77;
    uint32_t ver = 0;
    struct model_txn t;
    char why[160];
    struct store_stats stats;

    format_ok();
    for (int i = 0; i < 4000; i++) {
        model_random_txn(&m, &rng, &ver, 3, 500, &t);
        int rc = model_run_txn(&st, &t);
        cr_assert_eq(rc, STORE_OK, "txn %d: %s", i, store_strerror(rc));
        model_apply(&m, &t);
        if (i % 97 == 0) {
            cr_assert(model_matches(&st, &m, why, sizeof(why)), "txn %d: %s",
                      i, why);
            mount_ok();
            cr_assert(model_matches(&st, &m, why, sizeof(why)),
                      "after remount at txn %d: %s", i, why);
        }
    }
    store_get_stats(&st, &stats);
    cr_assert(sim.erases > 50, "only %lu erases: the GC hardly ran",
              (unsigned long)sim.erases);
    mount_ok();
    cr_assert(model_matches(&st, &m, why, sizeof(why)), "%s", why);
    cr_assert_eq(sim.overwrites, 0u);
    cr_assert_eq(sim.bad_calls, 0u);
}

Test(unit_store_gc, static_objects_survive_many_collections)
{
    static uint8_t a[600], b[32];

    format_ok();
    for (unsigned i = 0; i < sizeof(a); i++) {
        a[i] = (uint8_t)(i ^ 0x5a);
    }
    put_ok(1000, a, sizeof(a));
    for (uint32_t i = 0; i < 3000; i++) {
        memset(b, (int)i, sizeof(b));
        put_ok(1 + i % 5, b, sizeof(b));
    }
    struct store_stats stats;
    store_get_stats(&st, &stats);
    /* the page holding object 1000 has been collected many times over */
    cr_assert(stats.gc_runs > 2 * PAGES, "GC ran %u times", stats.gc_runs);
    expect_object(1000, a, sizeof(a));
    mount_ok();
    expect_object(1000, a, sizeof(a));
    memset(b, (int)2999, sizeof(b));
    expect_object(1 + 2999 % 5, b, sizeof(b));
}

/* ---- wear levelling ----------------------------------------------------- */

TestSuite(unit_store_wear, .init = sim_setup, .fini = sim_teardown,
          .timeout = 120);

Test(unit_store_wear, erases_spread_over_all_pages)
{
    static uint8_t cold[800], hot[64];
    uint32_t lo = UINT32_MAX, hi = 0;

    format_ok();
    /* cold data that never changes, a third of the capacity */
    for (uint32_t id = 100; id < 104; id++) {
        memset(cold, (int)id, sizeof(cold));
        put_ok(id, cold, sizeof(cold));
    }
    for (uint32_t i = 0; i < 20000; i++) {
        memset(hot, (int)i, sizeof(hot));
        put_ok(1 + i % 3, hot, sizeof(hot));
    }
    for (uint32_t p = 0; p < PAGES; p++) {
        if (sim.erase_count[p] < lo) {
            lo = sim.erase_count[p];
        }
        if (sim.erase_count[p] > hi) {
            hi = sim.erase_count[p];
        }
    }
    cr_assert(lo > 0, "a page was never erased");
    /* every page takes its turn: the counts differ by at most 10 % */
    cr_assert(hi * 10 <= lo * 11, "erase counts from %u to %u", lo, hi);
    struct store_stats stats;
    store_get_stats(&st, &stats);
    cr_assert_eq(stats.erase_max, hi, "stats disagree with the flash");
    for (uint32_t id = 100; id < 104; id++) {
        memset(cold, (int)id, sizeof(cold));
        expect_object(id, cold, sizeof(cold));
    }
}

/* ---- corrupted and foreign images ---------------------------------------- */

TestSuite(unit_store_corrupt, .init = sim_setup, .fini = sim_teardown);

/* A store with objects spread over several pages (and a few GC runs). */
static void populate(void)
{
    static uint8_t obj[700];

    format_ok();
    for (uint32_t i = 0; i < 60; i++) {
        memset(obj, (int)i, sizeof(obj));
        put_ok(1 + i % 8, obj, sizeof(obj));
    }
}

/* Offset of the first page in the log order: the one with sequence SEQ. */
static uint32_t page_with_seq(uint32_t seq)
{
    for (uint32_t p = 0; p < PAGES; p++) {
        const uint8_t *h = sim.mem + p * PAGE_SIZE;
        uint32_t v = (uint32_t)h[24] | (uint32_t)h[25] << 8 |
                     (uint32_t)h[26] << 16 | (uint32_t)h[27] << 24;

        if (h[0] == 'N' && h[1] == 'C' && v == seq && h[32] == 0xff) {
            return p;
        }
    }
    cr_assert_fail("no page with sequence %u", seq);
    return 0;
}

/* The sequence numbers of the log: lowest and highest. */
static void log_range(uint32_t *lo, uint32_t *hi)
{
    *lo = UINT32_MAX;
    *hi = 0;
    for (uint32_t p = 0; p < PAGES; p++) {
        const uint8_t *h = sim.mem + p * PAGE_SIZE;
        uint32_t v = (uint32_t)h[24] | (uint32_t)h[25] << 8 |
                     (uint32_t)h[26] << 16 | (uint32_t)h[27] << 24;

        if (h[0] == 'N' && h[1] == 'C' && v != 0xffffffffu && h[32] == 0xff) {
            *lo = v < *lo ? v : *lo;
            *hi = v > *hi ? v : *hi;
        }
    }
}

static void expect_mount(int want, const char *what)
{
    uint64_t ops = sim.ops;
    int rc = store_mount(&st, &fl);

    cr_assert_eq(rc, want, "%s: mount says %s, expected %s", what,
                 store_strerror(rc), store_strerror(want));
    cr_assert_eq(sim.ops, ops, "%s: mount wrote to the flash", what);
    if (want != STORE_OK) {
        cr_assert_eq(store_begin(&st), STORE_ERR_STATE,
                     "%s: a failed mount left a usable store", what);
    }
}

Test(unit_store_corrupt, foreign_data_is_not_a_store)
{
    uint64_t x = 12345;

    for (uint32_t i = 0; i < PAGE_SIZE * PAGES; i++) {
        sim.mem[i] = (uint8_t)model_rng(&x);
    }
    expect_mount(STORE_ERR_FOREIGN, "random bytes");
    memset(sim.mem, 0, PAGE_SIZE * PAGES);
    expect_mount(STORE_ERR_FOREIGN, "all zero");
    memset(sim.mem, 0xff, PAGE_SIZE * PAGES);
    memcpy(sim.mem + 5 * PAGE_SIZE, "#!/bin/sh\necho not a store\n", 27);
    expect_mount(STORE_ERR_FOREIGN, "a text file in page 5");
}

Test(unit_store_corrupt, flipped_bit_in_a_page_header)
{
    uint32_t lo, hi;

    populate();
    log_range(&lo, &hi);
    cr_assert(hi - lo >= 3, "log too short for the test");
    /* a page in the middle of the log */
    sim.mem[page_with_seq(lo + 1) * PAGE_SIZE + 17] ^= 0x04;
    expect_mount(STORE_ERR_CORRUPT, "erase-count bit of a middle page");
}

Test(unit_store_corrupt, flipped_bit_in_the_oldest_page_header)
{
    uint32_t lo, hi;

    populate();
    log_range(&lo, &hi);
    sim.mem[page_with_seq(lo) * PAGE_SIZE + 25] ^= 0x80;
    expect_mount(STORE_ERR_CORRUPT, "sequence bit of the oldest page");
}

Test(unit_store_corrupt, flipped_bit_in_the_newest_page_header)
{
    uint32_t lo, hi;

    populate();
    log_range(&lo, &hi);
    sim.mem[page_with_seq(hi) * PAGE_SIZE + 12] ^= 0x01;
    expect_mount(STORE_ERR_CORRUPT, "nonce bit of the head page");
}

Test(unit_store_corrupt, flipped_bit_in_a_record_header)
{
    uint32_t lo, hi;

    populate();
    log_range(&lo, &hi);
    /* the first record of a middle page: its length field */
    sim.mem[page_with_seq(lo + 1) * PAGE_SIZE + 36 + 2] ^= 0x10;
    expect_mount(STORE_ERR_CORRUPT, "length bit of a record");
}

Test(unit_store_corrupt, flipped_bit_in_a_payload_is_reported_by_read)
{
    uint8_t buf[STORE_MAX_OBJECT];
    uint32_t len, hits = 0;
    uint32_t lo, hi;

    populate();
    log_range(&lo, &hi);
    /* the payload of the first record of the newest page */
    uint32_t p = page_with_seq(hi);
    sim.mem[p * PAGE_SIZE + 36 + 28 + 5] ^= 0x01;
    expect_mount(STORE_OK, "payload bit (found when read)");
    for (uint32_t id = 1; id <= 8; id++) {
        int rc = store_read(&st, id, buf, sizeof(buf), &len);
        cr_assert(rc == STORE_OK || rc == STORE_ERR_CORRUPT);
        hits += rc == STORE_ERR_CORRUPT;
    }
    cr_assert_eq(hits, 1u, "%u objects reported corrupt", hits);
}

Test(unit_store_corrupt, truncated_image_is_a_geometry_error)
{
    struct store_flash small = fl;

    populate();
    small.page_count = PAGES / 2;
    int rc = store_mount(&st, &small);
    cr_assert_eq(rc, STORE_ERR_GEOMETRY, "half the pages: %s",
                 store_strerror(rc));
    small = fl;
    small.page_size = PAGE_SIZE / 2;
    small.page_count = PAGES * 2;
    rc = store_mount(&st, &small);
    cr_assert_eq(rc, STORE_ERR_GEOMETRY, "other page size: %s",
                 store_strerror(rc));
}

Test(unit_store_corrupt, image_cut_short_is_detected)
{
    uint32_t lo, hi;

    populate();
    log_range(&lo, &hi);
    /* an image copied only in part: the pages of the log middle erased */
    memset(sim.mem + page_with_seq(lo + 1) * PAGE_SIZE, 0xff, PAGE_SIZE);
    memset(sim.mem + page_with_seq(lo + 2) * PAGE_SIZE, 0xff, PAGE_SIZE);
    expect_mount(STORE_ERR_CORRUPT, "two pages of the log missing");
}

Test(unit_store_corrupt, other_version_is_reported)
{
    populate();
    for (uint32_t p = 0; p < PAGES; p++) {
        uint8_t *h = sim.mem + p * PAGE_SIZE;
        /* a version this code does not know (2 is its own since secure
         * records), header CRC made valid again */
        h[4] = STORE_FORMAT_VERSION + 1;
        uint32_t c = crc32(h, 20);
        h[20] = (uint8_t)c;
        h[21] = (uint8_t)(c >> 8);
        h[22] = (uint8_t)(c >> 16);
        h[23] = (uint8_t)(c >> 24);
    }
    expect_mount(STORE_ERR_VERSION, "a newer format version");
}

Test(unit_store_corrupt, pages_of_two_stores_do_not_mix)
{
    static uint8_t other[PAGE_SIZE * PAGES];

    populate();
    memcpy(other, sim.mem, sizeof(other));
    cr_assert_eq(store_format(&st, &fl, 0x11111111u), STORE_OK);
    put_ok(1, "x", 1);
    /* one page of the other store slipped in */
    memcpy(sim.mem + 9 * PAGE_SIZE, other + 9 * PAGE_SIZE, PAGE_SIZE);
    expect_mount(STORE_ERR_CORRUPT, "a page of another store");
}

Test(unit_store_corrupt, garbage_after_the_log_end_is_never_programmed)
{
    populate();
    uint32_t lo, hi;
    log_range(&lo, &hi);
    uint32_t p = page_with_seq(hi);
    /* find the end of the head page's records, dirty a word after it */
    uint32_t end = PAGE_SIZE - 4;
    while (end > 36 && sim.mem[p * PAGE_SIZE + end] == 0xff) {
        end--;
    }
    uint32_t dirty = ((end + 4) & ~3u) + 64;
    cr_assert(dirty + 4 < PAGE_SIZE, "head page too full for the test");
    sim.mem[p * PAGE_SIZE + dirty] = 0x00;
    expect_mount(STORE_OK, "stray bits after the end of the log");
    uint64_t overwrites = sim.overwrites;
    put_ok(50, "after", 5);
    cr_assert_eq(sim.overwrites, overwrites, "programmed over stray bits");
    mount_ok();
    expect_object(50, "after", 5);
}

Test(unit_store_corrupt, corrupt_store_is_not_reformatted)
{
    populate();
    uint8_t *copy = malloc(PAGE_SIZE * PAGES);
    uint32_t lo, hi;

    log_range(&lo, &hi);
    sim.mem[page_with_seq(lo + 1) * PAGE_SIZE + 36 + 2] ^= 0x10;
    memcpy(copy, sim.mem, PAGE_SIZE * PAGES);
    for (int i = 0; i < 3; i++) {
        expect_mount(STORE_ERR_CORRUPT, "again");
        cr_assert_eq(store_begin(&st), STORE_ERR_STATE);
        cr_assert_eq(store_put(&st, 1, "x", 1), STORE_ERR_STATE);
    }
    cr_assert(memcmp(copy, sim.mem, PAGE_SIZE * PAGES) == 0,
              "the flash changed");
    free(copy);
}

Test(unit_store_corrupt, one_half_written_page_is_a_power_cut_two_are_damage)
{
    uint32_t lo, hi, spare[2], n = 0;

    populate();
    log_range(&lo, &hi);
    /* two pages outside the log */
    for (uint32_t p = 0; p < PAGES && n < 2; p++) {
        const uint8_t *h = sim.mem + p * PAGE_SIZE;
        bool in_log = h[0] == 'N' && h[24] != 0xff;

        if (!in_log) {
            spare[n++] = p;
        }
    }
    cr_assert_eq(n, 2u, "no two pages outside the log");
    /* what a format header cut part way looks like */
    memset(sim.mem + spare[0] * PAGE_SIZE, 0x5a, 8);
    expect_mount(STORE_OK, "one half-written page");
    memset(sim.mem + spare[1] * PAGE_SIZE, 0x5a, 8);
    expect_mount(STORE_ERR_CORRUPT, "two half-written pages");
}
