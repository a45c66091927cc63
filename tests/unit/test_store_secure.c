/*
 * Unit tests: security objects of the store (docs/store.md "Security
 * objects", recovery rule 8), on the simulated NOR flash:
 *
 *  - a secure transaction reads back, survives remounts and the
 *    collector, costs its seal and its header copy, and keeps the
 *    documented limits;
 *  - one flipped bit anywhere in the records of a committed secure
 *    transaction (header, seal, header copy, payload; 0 -> 1 and 1 -> 0)
 *    never brings back the object's previous version: it reads as the
 *    new version or as damaged, wherever the record sits in the log;
 *  - recovery logs what it discards and the damage it finds;
 *  - format versions: a store is version 1 until its first secure
 *    record, pages of both versions mount, an image written by the
 *    version-1 code mounts (store_v1_image.h).
 *
 * Power cuts during secure transactions: test_store_tear.c.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <criterion/criterion.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include "kernel/log.h"
#include "nor_sim.h"
#include "store/store.h"
#include "store/store_priv.h"
#include "store_v1_image.h"

#define PAGE_SIZE   2048
#define PAGES       16

#define ID_X        0x42u   /* the security object */
#define ID_Y        0x43u
#define ID_FILL     0x50u

static struct nor_sim sim;
static struct store st;
static struct store_flash fl;
static uint8_t image[PAGE_SIZE * 64];
static char logbuf[16384];

static void log_sink(const char *line, size_t len)
{
    size_t have = strlen(logbuf);

    if (have + len + 2 < sizeof(logbuf)) {
        memcpy(logbuf + have, line, len);
        logbuf[have + len] = '\n';
        logbuf[have + len + 1] = '\0';
    }
}

static const char *log_text(void)
{
    (void)log_flush();
    return logbuf;
}

static void log_clear(void)
{
    (void)log_flush();
    logbuf[0] = '\0';
}

static void setup_pages(uint32_t pages)
{
    log_reset();
    log_set_sink(log_sink);
    logbuf[0] = '\0';
    nor_sim_init(&sim, PAGE_SIZE, pages);
    nor_sim_flash(&sim, &fl);
    cr_assert_eq(store_format(&st, &fl, 0x5ec0u), STORE_OK);
}

static void setup(void)
{
    setup_pages(PAGES);
}

static void teardown(void)
{
    log_set_sink(NULL);
    nor_sim_free(&sim);
}

static void mount_ok(const char *when)
{
    int rc = store_mount(&st, &fl);

    cr_assert_eq(rc, STORE_OK, "mount %s: %s", when, store_strerror(rc));
}

/* A counter value as a 24-byte object (the size of a key record). */
static void value(uint8_t out[24], unsigned v)
{
    for (unsigned i = 0; i < 24; i++) {
        out[i] = (uint8_t)(v * 37u + i);
    }
}

static void put_secure(uint32_t id, unsigned v)
{
    uint8_t b[24];

    value(b, v);
    cr_assert_eq(store_put_secure(&st, id, b, sizeof(b)), STORE_OK);
}

static void put_plain(uint32_t id, uint32_t len)
{
    static uint8_t b[STORE_MAX_OBJECT];

    memset(b, (int)(id ^ len), len);
    cr_assert_eq(store_put(&st, id, b, len), STORE_OK, "put %u, %u bytes",
                 id, len);
}

/* 1: ID reads version V; 0: damaged (STORE_ERR_CORRUPT); -1: absent;
 * -2: anything else. */
static int read_version(uint32_t id, unsigned v)
{
    uint8_t got[STORE_MAX_OBJECT], want[24];
    uint32_t len = 0;
    int rc = store_read(&st, id, got, sizeof(got), &len);

    value(want, v);
    if (rc == STORE_ERR_CORRUPT) {
        return 0;
    }
    if (rc == STORE_ERR_NOT_FOUND) {
        return -1;
    }
    return rc == STORE_OK && len == 24 && memcmp(got, want, 24) == 0 ? 1
                                                                     : -2;
}

/* Flash offset and size of ID's current record (the index's). */
static void record_of(uint32_t id, uint32_t *off, uint32_t *size)
{
    int i = idx_find(&st, id);

    cr_assert(i >= 0, "object %u has no record", id);
    *off = st.obj_loc[i] & LOC_MASK;
    *size = hdr_rec_size(hdr_at(&st, st.obj_loc[i]));
}

/* ---- API, accounting, limits ------------------------------------------- */

TestSuite(unit_store_secure, .init = setup, .fini = teardown,
          .timeout = 120);

Test(unit_store_secure, reads_back_and_costs_its_seal_and_copy)
{
    uint8_t big[STORE_MAX_OBJECT] = { 0 };
    struct store_stats s0, s1;
    uint32_t free0, off, size;
    uint64_t programs;

    put_plain(ID_Y, 10);    /* the head page: a version-2 page from now */
    put_secure(ID_X, 1);
    free0 = store_free(&st);
    store_get_stats(&st, &s0);
    programs = sim.programs;
    put_secure(ID_X, 2);
    /* one program for the record, one for its seal */
    cr_assert_eq(sim.programs - programs, 2u);
    cr_assert_eq(store_free(&st), free0, "same size, same space");
    record_of(ID_X, &off, &size);
    cr_assert_eq(size, 28u + 24u + 24u, "header, copy, payload");
    cr_assert_eq(store_size(&st, ID_X), 24);
    cr_assert_eq(read_version(ID_X, 2), 1);
    mount_ok("after secure puts");
    cr_assert_eq(read_version(ID_X, 2), 1);
    store_get_stats(&st, &s1);
    cr_assert_eq(s1.live_bytes, s0.live_bytes);
    cr_assert_eq(s1.secure_damaged, 0u);
    cr_assert_eq(s1.discarded, 0u);

    /* limits: secure objects are 24 bytes shorter at most */
    cr_assert_eq(store_put_secure(&st, ID_Y, big, STORE_MAX_SECURE_OBJECT + 1),
                 STORE_ERR_PARAM);
    cr_assert_eq(store_put_secure(&st, ID_Y, big, STORE_MAX_SECURE_OBJECT),
                 STORE_OK);
    cr_assert_eq(store_put(&st, ID_Y, big, STORE_MAX_OBJECT), STORE_OK);

    /* a secure object rewritten by a plain put is an ordinary object */
    cr_assert_eq(store_put(&st, ID_X, "plain", 5), STORE_OK);
    mount_ok("after a plain rewrite");
    cr_assert_eq(store_size(&st, ID_X), 5);
    cr_assert_eq(sim.overwrites, 0u);
    cr_assert_eq(sim.bad_calls, 0u);
}

Test(unit_store_secure, multi_record_transactions_and_deletes)
{
    uint8_t a[24], b[24];

    value(a, 7);
    value(b, 8);
    cr_assert_eq(store_begin_secure(&st), STORE_OK);
    cr_assert_eq(store_write(&st, ID_X, a, 24), STORE_OK);
    cr_assert_eq(store_write(&st, ID_Y, b, 24), STORE_OK);
    cr_assert_eq(read_version(ID_X, 7), -1, "visible before its commit");
    cr_assert_eq(store_commit(&st), STORE_OK);
    mount_ok("after a two-object secure transaction");
    cr_assert_eq(read_version(ID_X, 7), 1);
    cr_assert_eq(read_version(ID_Y, 8), 1);

    /* aborted: nothing of it */
    cr_assert_eq(store_begin_secure(&st), STORE_OK);
    cr_assert_eq(store_write(&st, ID_X, b, 24), STORE_OK);
    cr_assert_eq(store_write(&st, ID_Y, a, 24), STORE_OK);
    store_abort(&st);
    mount_ok("after an aborted secure transaction");
    cr_assert_eq(read_version(ID_X, 7), 1);
    cr_assert(strstr(log_text(), "W store: transaction ") != NULL,
                     "the aborted records are not reported as discarded");

    /* a secure delete */
    cr_assert_eq(store_begin_secure(&st), STORE_OK);
    cr_assert_eq(store_delete(&st, ID_Y), STORE_OK);
    cr_assert_eq(store_commit(&st), STORE_OK);
    mount_ok("after a secure delete");
    cr_assert_eq(read_version(ID_Y, 8), -1);
    cr_assert_eq(read_version(ID_X, 7), 1);
}

Test(unit_store_secure, survive_the_collector)
{
    put_secure(ID_X, 5);
    for (uint32_t i = 0; i < 600; i++) {
        put_plain(ID_FILL + i % 5, 300);
    }
    struct store_stats stats;
    store_get_stats(&st, &stats);
    cr_assert(stats.gc_runs > 2 * PAGES, "GC ran %u times", stats.gc_runs);
    cr_assert_eq(read_version(ID_X, 5), 1);
    mount_ok("after many collections");
    cr_assert_eq(read_version(ID_X, 5), 1);
    cr_assert_eq(sim.overwrites, 0u);
}

/* ---- one flipped bit ---------------------------------------------------- */

/* What an object must read after a flip: version V, or damaged; or, for
 * a deleted object (ABSENT), absent. Never an older version. */
struct expect {
    uint32_t id;
    unsigned v;
    bool absent;
};

struct flips {
    unsigned new_version, damaged, mount_failed;
};

static void snapshot(void)
{
    memcpy(image, sim.mem, (size_t)sim.page_size * sim.page_count);
}

static void restore(void)
{
    memcpy(sim.mem, image, (size_t)sim.page_size * sim.page_count);
}

/*
 * From the snapshot (the flash after a committed secure transaction),
 * flip each bit of [OFF, OFF + SIZE) in turn, 1 -> 0 or 0 -> 1 as it is,
 * and mount: each object of E reads as E says. Where a power cut cannot
 * explain the damage the mount may refuse the store instead
 * (MOUNT_MAY_FAIL; rule 4): never an older state either. After each flip
 * the store goes on working: a new version of E[0] is written and
 * remounted.
 */
static struct flips flip_every_bit(uint32_t off, uint32_t size,
                                   const struct expect *e, int n,
                                   bool mount_may_fail)
{
    struct flips f = { 0 };
    size_t bytes = (size_t)sim.page_size * sim.page_count;

    for (uint32_t bit = 0; bit < size * 8; bit++) {
        memcpy(sim.mem, image, bytes);
        sim.mem[off + bit / 8] ^= (uint8_t)(1u << (bit % 8));
        int rc = store_mount(&st, &fl);
        if (rc != STORE_OK) {
            cr_assert(mount_may_fail, "bit %u of the record at %u: mount: "
                      "%s", bit, off, store_strerror(rc));
            cr_assert_eq(rc, STORE_ERR_CORRUPT);
            f.mount_failed++;
            continue;
        }
        for (int i = 0; i < n; i++) {
            int got = read_version(e[i].id, e[i].v);

            if (e[i].absent) {
                cr_assert_eq(got, -1, "bit %u of the record at %u: object "
                             "%X, deleted, is back", bit, off, e[i].id);
            } else {
                cr_assert(got == 1 || got == 0, "bit %u of the record at %u:"
                          " object %X reads %s", bit, off, e[i].id,
                          got == -1 ? "absent" : "an older version");
            }
            if (i == 0) {
                f.new_version += got == 1;
                f.damaged += got == 0;
            }
        }
        put_secure(e[0].id, e[0].v + 1);
        mount_ok("after a flip and a new version");
        cr_assert_eq(read_version(e[0].id, e[0].v + 1), 1);
    }
    return f;
}

Test(unit_store_secure, flip_in_the_last_record_of_the_log)
{
    const struct expect e[] = { { ID_X, 2, false } };
    uint32_t off, size;

    put_plain(ID_Y, 100);
    put_secure(ID_X, 3);
    put_secure(ID_X, 2);            /* the last record of the log */
    record_of(ID_X, &off, &size);
    snapshot();
    struct flips f = flip_every_bit(off, size, e, 1, false);
    /* the payload's bits make it read damaged, no other */
    cr_assert_eq(f.damaged, 24u * 8, "%u flips read damaged", f.damaged);
    cr_assert_eq(f.new_version, (size - 24u) * 8);
}

Test(unit_store_secure, flip_in_a_record_followed_by_others)
{
    const struct expect e[] = { { ID_X, 2, false } };
    uint32_t off, size;

    put_secure(ID_X, 3);
    put_secure(ID_X, 2);
    put_plain(ID_Y, 100);           /* in the same page, after it */
    record_of(ID_X, &off, &size);
    snapshot();
    struct flips f = flip_every_bit(off, size, e, 1, false);
    cr_assert_eq(f.damaged, 24u * 8);
}

/* Leave exactly ROOM bytes in the head page (records of object ID_FILL). */
static void fill_head_to(uint32_t room)
{
    for (int guard = 0; guard < 16; guard++) {
        uint32_t left = st.head_closed ? 0 : PAGE_SIZE - st.head_off;

        if (left == room) {
            return;
        }
        uint32_t len = left >= room + 28 ? left - room - 28 : 600;
        put_plain(ID_FILL, len > 1000 ? 1000 : len);
    }
    cr_assert_fail("could not leave %u bytes in the head page", room);
}

Test(unit_store_secure, flip_in_the_last_record_of_a_page)
{
    const struct expect e[] = { { ID_X, 2, false } };
    uint32_t off, size;

    teardown();
    setup_pages(64);                /* no collection while filling */
    put_secure(ID_X, 3);
    fill_head_to(28 + 24 + 24);
    put_secure(ID_X, 2);            /* ends its page exactly */
    record_of(ID_X, &off, &size);
    cr_assert_eq((off + size) % PAGE_SIZE, 0u, "not at the page end");
    put_plain(ID_Y, 100);           /* the log goes on in a new page */
    snapshot();
    struct flips f = flip_every_bit(off, size, e, 1, false);
    cr_assert_eq(f.damaged, 24u * 8);
}

Test(unit_store_secure, flip_in_any_record_of_a_secure_transaction)
{
    const struct expect e_x[] = { { ID_X, 2, false }, { ID_Y, 31, false } };
    const struct expect e_y[] = { { ID_Y, 31, false }, { ID_X, 2, false } };
    uint8_t x[24], y[24];
    uint32_t off_x, size_x, off_y, size_y;

    put_secure(ID_X, 3);
    put_secure(ID_Y, 30);
    value(x, 2);
    value(y, 31);
    cr_assert_eq(store_begin_secure(&st), STORE_OK);
    cr_assert_eq(store_write(&st, ID_Y, y, 24), STORE_OK);
    cr_assert_eq(store_write(&st, ID_X, x, 24), STORE_OK);
    cr_assert_eq(store_commit(&st), STORE_OK);
    record_of(ID_X, &off_x, &size_x);
    record_of(ID_Y, &off_y, &size_y);
    cr_assert_eq(size_y, 28u + 24u, "only the last record is SECURE");
    snapshot();
    struct flips f = flip_every_bit(off_x, size_x, e_x, 2, false);
    cr_assert_eq(f.damaged, 24u * 8);
    /* a record before the commit record: damage to its header or mark
     * breaks the transaction's record count (rule 3), a mount refuses
     * that; its payload reads damaged. The transaction never goes back. */
    f = flip_every_bit(off_y, size_y, e_y, 2, true);
    cr_assert_eq(f.damaged, 24u * 8);
    cr_assert_eq(f.mount_failed, 28u * 8);
}

Test(unit_store_secure, flip_in_a_secure_delete)
{
    const struct expect e[] = { { ID_X, 2, true } };
    uint32_t off;

    put_secure(ID_X, 3);
    off = PAGE_SIZE * (st.order[st.n_active - 1]) + st.head_off;
    cr_assert_eq(store_begin_secure(&st), STORE_OK);
    cr_assert_eq(store_delete(&st, ID_X), STORE_OK);
    cr_assert_eq(store_commit(&st), STORE_OK);
    snapshot();
    (void)flip_every_bit(off, 28 + 24, e, 1, false);
}

Test(unit_store_secure, flip_after_the_collector_moved_it)
{
    const struct expect e[] = { { ID_X, 2, false } };
    uint32_t off, size, first;

    put_secure(ID_X, 3);
    put_secure(ID_X, 2);
    record_of(ID_X, &first, &size);
    for (int i = 0; i < 400; i++) {
        put_plain(ID_FILL + i % 3, 500);
        record_of(ID_X, &off, &size);
        if (off / PAGE_SIZE != first / PAGE_SIZE) {
            break;
        }
    }
    cr_assert_neq(off / PAGE_SIZE, first / PAGE_SIZE, "never collected");
    cr_assert_eq(size, 28u + 24u, "the collector's copy is plain");
    snapshot();
    /* no older version is left in flash; damage reads damaged or makes
     * the log unmountable (the copy's transaction ends with the tail) */
    (void)flip_every_bit(off, size, e, 1, true);
}

/*
 * The payload of a plain record may hold anything: a forged copy of a
 * SECURE header too, naming the security object with a value of the
 * attacker's. Flipping a bit of that record's header, its mark word
 * erased or programmed (voided), must never make the store read the
 * forgery: a damaged header is replaced only by a copy it differs from
 * in a bit or two (rule 8).
 */
Test(unit_store_secure, a_forged_copy_in_a_payload_names_nothing)
{
    uint8_t forged[48];
    uint32_t off, size;

    put_secure(ID_X, 3);
    /* bytes 0..23: a valid SECURE header for ID_X; 24..47: value 15 */
    memset(forged, 0xff, sizeof(forged));
    forged[R_TYPE] = T_PUT;
    forged[R_FLAGS] = F_COMMIT | F_SEC;
    wr16(forged + R_LEN, 24);
    wr32(forged + R_ID, ID_X);
    wr32(forged + R_TXN, st.next_txn);
    wr16(forged + R_NREC, 1);
    value(forged + 24, 15);
    wr32(forged + R_PCRC, crc32(forged + 24, 24));
    wr32(forged + R_HCRC, crc32(forged, R_HCRC));
    cr_assert_eq(store_put(&st, ID_Y, forged, sizeof(forged)), STORE_OK);
    record_of(ID_Y, &off, &size);
    snapshot();
    for (int voided = 0; voided < 2; voided++) {
        for (uint32_t bit = 0; bit < R_COPY_LEN * 8; bit++) {
            restore();
            if (voided) {
                memset(sim.mem + off + R_VOID, 0, 4);
            }
            sim.mem[off + bit / 8] ^= (uint8_t)(1u << (bit % 8));
            int rc = store_mount(&st, &fl);
            if (rc == STORE_ERR_CORRUPT) {
                continue;           /* damage: nothing read at all */
            }
            cr_assert_eq(rc, STORE_OK);
            cr_assert_eq(read_version(ID_X, 3), 1, "bit %u%s: the forged "
                         "copy was read", bit, voided ? " (voided)" : "");
        }
    }
}

/* ---- what recovery says ------------------------------------------------- */

Test(unit_store_secure, recovery_logs_discards_and_damage)
{
    static jmp_buf jb;
    uint8_t v[24];
    uint32_t off, size;

    put_plain(ID_Y, 50);
    put_secure(ID_X, 3);
    snapshot();
    /* a power cut between the record and its seal: not committed */
    value(v, 2);
    nor_sim_arm(&sim, 2, NOR_TEAR_BEFORE, 1, &jb);
    if (setjmp(jb) == 0) {
        store_put_secure(&st, ID_X, v, 24);
        cr_assert_fail("no power cut");
    }
    log_clear();
    mount_ok("after a cut before the seal");
    cr_assert_eq(read_version(ID_X, 3), 1);
    cr_assert(strstr(log_text(), "W store: transaction ") != NULL &&
              strstr(log_text(), "not sealed") != NULL, "log: %s", logbuf);
    struct store_stats s;
    store_get_stats(&st, &s);
    cr_assert_eq(s.discarded, 1u);

    /* a plain put torn in its payload */
    restore();
    mount_ok("again");
    nor_sim_arm(&sim, 1, NOR_TEAR_PARTIAL, 5, &jb);
    if (setjmp(jb) == 0) {
        put_plain(ID_Y, 200);
        cr_assert_fail("no power cut");
    }
    log_clear();
    mount_ok("after a torn plain put");
    cr_assert(strstr(log_text(), "W store: ") != NULL, "log: %s", logbuf);

    /* a damaged payload of the last version: the distinct line */
    restore();
    mount_ok("from the snapshot");
    record_of(ID_X, &off, &size);
    sim.mem[off + size - 1] ^= 0x10;
    log_clear();
    mount_ok("after a flip");
    cr_assert_eq(read_version(ID_X, 3), 0);
    cr_assert(strstr(log_text(), "E store: object 00000042: security record "
                     "damaged") != NULL, "log: %s", logbuf);
    store_get_stats(&st, &s);
    cr_assert_eq(s.secure_damaged, 1u);
    cr_assert_eq(s.discarded, 0u);

    /* a damaged header: its copy names it */
    sim.mem[off + size - 1] ^= 0x10;
    sim.mem[off + 5] ^= 0x01;
    log_clear();
    mount_ok("after a header flip");
    cr_assert_eq(read_version(ID_X, 3), 1);
    cr_assert(strstr(log_text(), "W store: object 00000042: security record "
                     "header damaged") != NULL, "log: %s", logbuf);
}

/* ---- format versions ---------------------------------------------------- */

static uint32_t page_version(uint32_t p)
{
    const uint8_t *h = sim.mem + (size_t)p * PAGE_SIZE;

    return (uint32_t)h[4] | (uint32_t)h[5] << 8;
}

Test(unit_store_secure, version_1_until_the_first_secure_record)
{
    struct store_stats s;
    uint32_t off, size, first_head;

    for (int i = 0; i < 40; i++) {
        put_plain(1 + i % 4, 200);
    }
    store_get_stats(&st, &s);
    cr_assert_eq(s.version, 1u);
    for (uint32_t p = 0; p < PAGES; p++) {
        cr_assert(page_version(p) == 1 || page_version(p) == 0xFFFF,
                  "page %u is version %u", p, page_version(p));
    }
    first_head = st.order[st.n_active - 1];
    put_secure(ID_X, 1);
    record_of(ID_X, &off, &size);
    /* a secure record only in a page that says version 2 */
    cr_assert_neq(off / PAGE_SIZE, first_head, "written in a v1 page");
    cr_assert_eq(page_version(off / PAGE_SIZE), 2u);
    mount_ok("after the first secure record");
    store_get_stats(&st, &s);
    cr_assert_eq(s.version, 2u);
    /* from then on every page written is version 2, old free pages too */
    for (int i = 0; i < 300; i++) {
        put_plain(1 + i % 4, 200);
    }
    for (uint32_t p = 0; p < PAGES; p++) {
        cr_assert(page_version(p) == 2 || page_version(p) == 0xFFFF,
                  "page %u is still version %u", p, page_version(p));
    }
    mount_ok("after a cycle of the log");
    cr_assert_eq(read_version(ID_X, 1), 1);
    cr_assert_eq(sim.overwrites, 0u);
}

Test(unit_store_secure, an_image_of_the_version_1_code_mounts)
{
    char want[40];
    uint8_t got[64];
    uint32_t len;

    teardown();
    log_reset();
    log_set_sink(log_sink);
    logbuf[0] = '\0';
    nor_sim_init(&sim, V1_IMAGE_PAGE_SIZE, V1_IMAGE_PAGES);
    nor_sim_flash(&sim, &fl);
    for (size_t i = 0; i < sizeof(v1_image_runs) / sizeof(v1_image_runs[0]);
         i++) {
        memcpy(sim.mem + v1_image_runs[i].off, v1_image_runs[i].bytes,
               v1_image_runs[i].len);
    }
    mount_ok("a version-1 image");
    cr_assert(strstr(log_text(), "W store: torn record at page 0 offset "
                     "672 discarded") != NULL, "log: %s", logbuf);
    for (uint32_t id = 1; id <= 4; id++) {
        int rc = store_read(&st, id, got, sizeof(got), &len);

        if (id == 3) {
            cr_assert_eq(rc, STORE_ERR_NOT_FOUND);
            continue;
        }
        snprintf(want, sizeof(want), "object %u version %u", id, 7 + id);
        cr_assert_eq(rc, STORE_OK, "object %u: %s", id, store_strerror(rc));
        cr_assert(len == strlen(want) && memcmp(got, want, len) == 0,
                  "object %u: %.*s", id, (int)len, got);
    }
    cr_assert_eq(store_read(&st, 5, got, sizeof(got), &len), STORE_OK);
    cr_assert(len == 4 && memcmp(got, "five", 4) == 0);
    struct store_stats s;
    store_get_stats(&st, &s);
    cr_assert_eq(s.version, 1u);

    /* upgraded in place by its first secure record */
    put_secure(ID_X, 9);
    mount_ok("the upgraded image");
    store_get_stats(&st, &s);
    cr_assert_eq(s.version, 2u);
    cr_assert_eq(read_version(ID_X, 9), 1);
    cr_assert_eq(store_read(&st, 5, got, sizeof(got), &len), STORE_OK);
    cr_assert_eq(sim.overwrites, 0u, "programmed over the torn record");
}
