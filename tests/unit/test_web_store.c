/*
 * Unit tests: the SCWS content store (net/web/web_store.h) on the store
 * over the simulated NOR flash (nor_sim.h): put/get/stat/delete/list,
 * path and metadata rules, the ETag, a full store (WEB_ERR_FULL, nothing
 * changed), and a tear campaign: a replace and a delete cut at EVERY
 * flash operation, in each tear mode; after the next mount the resource
 * is entirely the old one or entirely the new one (data, type, size,
 * ETag), never a mix.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <criterion/criterion.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/web/web_store.h"
#include "nor_sim.h"
#include "store/crc32.h"

#define PAGE_SIZE 4096u    /* the card's NVM page */
#define PAGES     24u

static struct nor_sim sim;
static struct store_flash flash;
static struct store st;
static uint8_t image[PAGE_SIZE * PAGES];
static jmp_buf power_cut;

static void setup(void)
{
    nor_sim_init(&sim, PAGE_SIZE, PAGES);
    nor_sim_flash(&sim, &flash);
    cr_assert_eq(store_format(&st, &flash, 0x57eb), STORE_OK);
    cr_assert_eq(web_store_init(&st), WEB_OK);
}

static void teardown(void)
{
    nor_sim_free(&sim);
}

TestSuite(unit_web_store, .init = setup, .fini = teardown, .timeout = 300);

static struct web_meta meta(const char *path, const char *type)
{
    struct web_meta m;

    memset(&m, 0, sizeof(m));
    strcpy(m.path, path);
    strcpy(m.type, type);
    return m;
}

static void fill(uint8_t *buf, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++) {
        buf[i] = (uint8_t)(seed + i * 7u + (i >> 8));
    }
}

/* Mount again from flash, as a boot does. */
static void remount(void)
{
    cr_assert_eq(store_mount(&st, &flash), STORE_OK);
    cr_assert_eq(web_store_init(&st), WEB_OK);
}

Test(unit_web_store, put_get_stat_and_metadata)
{
    struct web_meta m = meta("/wallet/index.html", "text/html; charset=utf-8");
    struct web_meta got;
    uint8_t data[1500], back[WEB_DATA_MAX];

    fill(data, sizeof(data), 1);
    strcpy(m.encoding, "gzip");
    strcpy(m.language, "en");
    m.modified = 1764633600u;
    cr_assert_eq(web_store_put(&m, data, sizeof(data)), WEB_OK);
    remount();
    cr_assert_eq(web_store_get("/wallet/index.html", &got, back, sizeof(back)),
                 WEB_OK);
    cr_assert_eq(got.size, sizeof(data));
    cr_assert_arr_eq(back, data, sizeof(data));
    cr_assert_str_eq(got.type, "text/html; charset=utf-8");
    cr_assert_str_eq(got.encoding, "gzip");
    cr_assert_str_eq(got.language, "en");
    cr_assert_eq(got.modified, 1764633600u);
    cr_assert_eq(web_store_stat("/wallet/index.html", &got), WEB_OK);
    cr_assert_eq(web_store_stat("/wallet/index.htm", &got), WEB_ERR_NOT_FOUND);
    cr_assert_eq(web_store_get("/wallet/index.html", &got, back, 100),
                 WEB_ERR_PARAM, "a buffer too small is refused");
}

Test(unit_web_store, etag_is_crc_of_data_and_headers)
{
    struct web_meta m = meta("/a.txt", "text/plain");
    struct web_meta got;
    char tag[24];
    /* The independent expectation: zlib's CRC-32 of the bytes the
     * header documents (data, then type, encoding, language, each with
     * its NUL). crc32("123456789") = 0xCBF43926 is checked by the store's
     * own tests. */
    static const uint8_t bytes[] = "hello\ntext/plain\0\0\0";
    uint32_t want = crc32(bytes, sizeof(bytes) - 1);
    char want_tag[24];

    cr_assert_eq(web_store_put(&m, "hello\n", 6), WEB_OK);
    cr_assert_eq(web_store_stat("/a.txt", &got), WEB_OK);
    web_store_etag(&got, tag, sizeof(tag));
    snprintf(want_tag, sizeof(want_tag), "\"%08x-6\"", want);
    cr_assert_str_eq(tag, want_tag);
    /* Same bytes, another type: another tag. */
    m = meta("/a.txt", "text/html");
    cr_assert_eq(web_store_put(&m, "hello\n", 6), WEB_OK);
    cr_assert_eq(web_store_stat("/a.txt", &got), WEB_OK);
    web_store_etag(&got, want_tag, sizeof(want_tag));
    cr_assert_str_neq(tag, want_tag);
}

Test(unit_web_store, bad_paths_and_fields_are_refused)
{
    static const char *const bad[] = {
        "", "a", "/", "/dir/", "/a/../b", "/a/./b", "/a//b", "/a?b", "/a#b",
        "/a%20b", "/a b", "/a\\b", "/..", "/x/..",
    };
    struct web_meta m;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        m = meta(bad[i], "text/plain");
        cr_assert_eq(web_store_put(&m, "x", 1), WEB_ERR_PARAM, "path '%s'",
                     bad[i]);
    }
    m = meta("/ok", "");
    cr_assert_eq(web_store_put(&m, "x", 1), WEB_ERR_PARAM, "empty type");
    m = meta("/ok", "text/plain\r\nX-Evil: 1");
    cr_assert_eq(web_store_put(&m, "x", 1), WEB_ERR_PARAM, "CRLF in type");
    m = meta("/ok", "text/plain");
    memset(m.language, 'a', sizeof(m.language));   /* unterminated */
    cr_assert_eq(web_store_put(&m, "x", 1), WEB_ERR_PARAM);
    m = meta("/big", "application/octet-stream");
    static uint8_t big[WEB_DATA_MAX + 1];
    cr_assert_eq(web_store_put(&m, big, sizeof(big)), WEB_ERR_TOO_LARGE);
    cr_assert_eq(web_store_put(&m, big, WEB_DATA_MAX), WEB_OK);
}

Test(unit_web_store, delete_file_and_directory_and_list)
{
    struct web_meta m, got;
    uint32_t cur = 0;
    unsigned n = 0;

    m = meta("/w/a.css", "text/css");
    cr_assert_eq(web_store_put(&m, "a{}", 3), WEB_OK);
    m = meta("/w/b.js", "text/javascript");
    cr_assert_eq(web_store_put(&m, "1", 1), WEB_OK);
    m = meta("/wx.txt", "text/plain");
    cr_assert_eq(web_store_put(&m, "x", 1), WEB_OK);
    m = meta("/index.html", "text/html");
    cr_assert_eq(web_store_put(&m, "<p>", 3), WEB_OK);
    while (web_store_list(&cur, &got) == WEB_OK) {
        n++;
    }
    cr_assert_eq(n, 4);
    cr_assert_eq(web_store_delete("/w/"), WEB_OK);
    cr_assert_eq(web_store_stat("/w/a.css", &got), WEB_ERR_NOT_FOUND);
    cr_assert_eq(web_store_stat("/w/b.js", &got), WEB_ERR_NOT_FOUND);
    cr_assert_eq(web_store_stat("/wx.txt", &got), WEB_OK,
                 "a directory delete takes only what is below it");
    cr_assert_eq(web_store_delete("/w/"), WEB_ERR_NOT_FOUND);
    cr_assert_eq(web_store_delete("/index.html"), WEB_OK);
    remount();
    cur = 0;
    n = 0;
    while (web_store_list(&cur, &got) == WEB_OK) {
        cr_assert_str_eq(got.path, "/wx.txt");
        n++;
    }
    cr_assert_eq(n, 1);
}

Test(unit_web_store, full_store_changes_nothing)
{
    struct web_meta m, got;
    static uint8_t data[WEB_DATA_MAX];
    char path[32];
    int r = WEB_OK;
    unsigned i;

    for (i = 0; i < WEB_MAX_RESOURCES && r == WEB_OK; i++) {
        snprintf(path, sizeof(path), "/f%u.bin", i);
        m = meta(path, "application/octet-stream");
        fill(data, sizeof(data), (uint8_t)i);
        r = web_store_put(&m, data, sizeof(data));
    }
    cr_assert_eq(r, WEB_ERR_FULL, "a 48 KiB store fills up (after %u)", i);
    snprintf(path, sizeof(path), "/f%u.bin", i - 1);
    cr_assert_eq(web_store_stat(path, &got), WEB_ERR_NOT_FOUND,
                 "the put that did not fit left nothing");
    /* Replacing an existing resource still works once room is made. */
    cr_assert_eq(web_store_delete("/f0.bin"), WEB_OK);
    m = meta("/f1.bin", "text/plain");
    cr_assert_eq(web_store_put(&m, "small", 5), WEB_OK);
    remount();
    cr_assert_eq(web_store_stat("/f1.bin", &got), WEB_OK);
    cr_assert_eq(got.size, 5);
}

Test(unit_web_store, slot_table_full)
{
    struct web_meta m;
    char path[32];

    for (unsigned i = 0; i < WEB_MAX_RESOURCES; i++) {
        snprintf(path, sizeof(path), "/s%u", i);
        m = meta(path, "text/plain");
        cr_assert_eq(web_store_put(&m, "", 0), WEB_OK);
    }
    m = meta("/one-more", "text/plain");
    cr_assert_eq(web_store_put(&m, "", 0), WEB_ERR_FULL);
}

/* ---- Tear campaign -------------------------------------------------- */

static const char *const mode_name[] = { "before", "partial", "after" };

/* The resource is exactly A (old) or exactly B (new); returns which. */
static int old_or_new(const uint8_t *a, uint32_t alen, const char *atype,
                      const uint8_t *b, uint32_t blen, const char *btype,
                      unsigned k, int mode)
{
    struct web_meta got;
    static uint8_t back[WEB_DATA_MAX];
    int r = web_store_get("/t.bin", &got, back, sizeof(back));

    if (r == WEB_ERR_NOT_FOUND && !a) {
        return 0;
    }
    if (r == WEB_ERR_NOT_FOUND && !b) {
        return 1;
    }
    cr_assert_eq(r, WEB_OK, "%s cut at op %u: get %d", mode_name[mode], k, r);
    if (a && got.size == alen && strcmp(got.type, atype) == 0 &&
        memcmp(back, a, alen) == 0) {
        return 0;
    }
    if (b && got.size == blen && strcmp(got.type, btype) == 0 &&
        memcmp(back, b, blen) == 0) {
        return 1;
    }
    cr_assert_fail("%s cut at op %u: neither old nor new (size %u, type %s)",
                   mode_name[mode], k, got.size, got.type);
    return -1;
}

/* Cut OP (0 replace, 1 delete) at every flash operation in every mode. */
static void campaign(int op)
{
    static uint8_t a[1900], b[700];
    struct web_meta m = meta("/t.bin", "application/x-old");

    fill(a, sizeof(a), 3);
    fill(b, sizeof(b), 9);
    cr_assert_eq(web_store_put(&m, a, sizeof(a)), WEB_OK);
    memcpy(image, sim.mem, sizeof(image));
    for (int mode = 0; mode < 3; mode++) {
        unsigned seen_new = 0;
        for (volatile unsigned k = 1; k < 1000; k++) {
            volatile bool completed = false;

            memcpy(sim.mem, image, sizeof(image));
            remount();
            nor_sim_arm(&sim, k, mode, 77u + k, &power_cut);
            if (setjmp(power_cut) == 0) {
                struct web_meta n = meta("/t.bin", "application/x-new");
                int r = op == 0 ? web_store_put(&n, b, sizeof(b))
                                : web_store_delete("/t.bin");
                cr_assert_eq(r, WEB_OK);
                completed = true;
            }
            nor_sim_arm(&sim, 0, 0, 0, NULL);
            remount();
            int which = op == 0
                ? old_or_new(a, sizeof(a), "application/x-old", b, sizeof(b),
                             "application/x-new", k, mode)
                : old_or_new(a, sizeof(a), "application/x-old", NULL, 0, NULL,
                             k, mode);
            if (completed) {
                cr_assert_eq(which, 1, "a completed %s shows the new state",
                             op == 0 ? "put" : "delete");
                cr_assert_eq(sim.bad_calls, 0u);
                cr_log_info("%s %s: %u operations, cut at each (%u new)",
                            op == 0 ? "put" : "delete", mode_name[mode], k,
                            seen_new);
                break;
            }
            seen_new += (unsigned)which;
            cr_assert(k < 999, "never completed");
        }
    }
}

Test(unit_web_store, tear_during_replace_is_old_or_new)
{
    campaign(0);
}

Test(unit_web_store, tear_during_delete_is_old_or_gone)
{
    campaign(1);
}

/* Streaming reads (web_store_open / read_chunk): chunk by chunk the same
 * bytes as web_store_get; a replace or delete between two chunks fails
 * the next read (checked, not pinned: web_store.h), an unrelated commit
 * does not. */
Test(unit_web_store, streamed_chunks_and_a_replace_midway)
{
    static uint8_t a[WEB_DATA_MAX], b[WEB_DATA_MAX], got[WEB_CHUNK];
    struct web_meta m = meta("/big.bin", "application/octet-stream"), o;
    struct web_meta other = meta("/x.txt", "text/plain");
    struct web_handle h;

    fill(a, sizeof(a), 1);
    fill(b, sizeof(b), 2);
    cr_assert_eq(web_store_put(&m, a, sizeof(a)), WEB_OK);
    cr_assert_eq(web_store_open("/big.bin", &o, &h), WEB_OK);
    cr_assert_eq(o.size, WEB_DATA_MAX);
    for (uint32_t c = 0; c < WEB_MAX_CHUNKS; c++) {
        cr_assert_eq(web_store_read_chunk(&h, c, got, sizeof(got)),
                     (int)WEB_CHUNK);
        cr_assert(memcmp(got, a + c * WEB_CHUNK, WEB_CHUNK) == 0, "chunk %u",
                  (unsigned)c);
        if (c == 3) {
            /* another resource changes: the stream goes on */
            cr_assert_eq(web_store_put(&other, "x", 1), WEB_OK);
        }
    }
    cr_assert_eq(web_store_read_chunk(&h, WEB_MAX_CHUNKS, got, sizeof(got)),
                 WEB_ERR_PARAM, "past the end");
    cr_assert_eq(web_store_put(&m, b, sizeof(b)), WEB_OK);
    cr_assert_eq(web_store_read_chunk(&h, 4, got, sizeof(got)),
                 WEB_ERR_NOT_FOUND, "replaced while being sent");
    cr_assert_eq(web_store_open("/big.bin", &o, &h), WEB_OK);
    cr_assert_eq(web_store_read_chunk(&h, 14, got, sizeof(got)),
                 (int)WEB_CHUNK);
    cr_assert(memcmp(got, b + 14 * WEB_CHUNK, WEB_CHUNK) == 0);
    cr_assert_eq(web_store_delete("/big.bin"), WEB_OK);
    cr_assert_eq(web_store_read_chunk(&h, 0, got, sizeof(got)),
                 WEB_ERR_NOT_FOUND, "deleted while being sent");
}

/* web_store_put_from: the reader's chunks in order, and a reader that
 * gives up changes nothing. */
static const void *half_reader(void *ctx, uint32_t off, uint32_t n)
{
    (void)n;
    return off >= 4u * WEB_CHUNK ? NULL : (const uint8_t *)ctx + off;
}

Test(unit_web_store, put_from_a_reader_that_gives_up_changes_nothing)
{
    static uint8_t a[WEB_DATA_MAX], b[WEB_DATA_MAX], got[WEB_DATA_MAX];
    struct web_meta m = meta("/r.bin", "application/octet-stream"), o;

    fill(a, sizeof(a), 3);
    fill(b, sizeof(b), 4);
    cr_assert_eq(web_store_put(&m, a, 5000), WEB_OK);
    cr_assert_eq(web_store_put_from(&m, sizeof(b), half_reader, b),
                 WEB_ERR_IO);
    cr_assert_eq(web_store_get("/r.bin", &o, got, sizeof(got)), WEB_OK);
    cr_assert_eq(o.size, 5000u);
    cr_assert(memcmp(got, a, 5000) == 0);
    cr_assert_eq(web_store_put_from(&m, WEB_DATA_MAX + 1u, half_reader, b),
                 WEB_ERR_TOO_LARGE);
}

/* A 15 KiB put needs about 5 erased pages for its records: after a churn
 * of small writes has used the erased pages up (the log at its soft
 * limit, only the 2 pages store_begin guarantees left), it still
 * succeeds: web_store_put asks the store for room for its bytes
 * (store_begin_for collects garbage until they fit). */
Test(unit_web_store, large_put_after_a_churn_of_small_ones)
{
    static uint8_t a[WEB_DATA_MAX], got[WEB_DATA_MAX];
    struct web_meta m = meta("/a.bin", "application/octet-stream"), o;
    struct web_meta s = meta("/s.txt", "text/plain");
    uint8_t small[900];
    struct store_stats ss;

    fill(a, sizeof(a), 5);
    cr_assert_eq(web_store_put(&m, a, sizeof(a)), WEB_OK);
    for (unsigned i = 0; i < 300; i++) {
        fill(small, sizeof(small), (uint8_t)i);
        cr_assert_eq(web_store_put(&s, small, sizeof(small)), WEB_OK);
    }
    store_get_stats(&st, &ss);
    cr_log_info("after the churn: %u erased pages, %u in the log",
                ss.pages_free, ss.pages_active);
    fill(a, sizeof(a), 6);
    cr_assert_eq(web_store_put(&m, a, sizeof(a)), WEB_OK);
    cr_assert_eq(web_store_get("/a.bin", &o, got, sizeof(got)), WEB_OK);
    cr_assert(memcmp(got, a, sizeof(a)) == 0);
}
