/*
 * Unit tests: the file system against power cuts, on the simulated NOR
 * flash (nor_sim.h). A command is cut at EVERY flash operation it makes,
 * in each tear mode (before / partial / after); the card then boots again
 * (store and file system mounted from the flash) and must show:
 *
 *  - UPDATE BINARY / UPDATE RECORD (cyclic): the file entirely old or
 *    entirely new (docs/fs.md "Persistence");
 *  - VERIFY with a wrong PIN: the try counter is the old value or one
 *    less, never more; with the right PIN: unchanged, one less, or
 *    reset to the maximum (only after the match), and 9000 only from a
 *    completed command; the decrement is committed before the response
 *    exists;
 *  - CREATE / DELETE FILE: the file either absent or complete (header and
 *    erased content), and the file system mounts;
 *  - the first boot's tree creation: the next boot finishes it.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "fs_fixture.h"

#include <stdlib.h>

#include "fs/profile.h"
#include "fs/pin.h"

TestSuite(unit_fs_tear, .init = fsx_setup, .fini = fsx_teardown,
          .timeout = 300);

static const char *const mode_name[] = { "before", "partial", "after" };
static uint8_t image[FSX_PAGE_SIZE * FSX_PAGES];
static jmp_buf power_cut;

static void snapshot(void)
{
    memcpy(image, fsx_sim.mem, sizeof(image));
}

static void restore(void)
{
    memcpy(fsx_sim.mem, image, sizeof(image));
    fsx_sim.tear_at = 0;
}

/*
 * Run APDU after PRE (commands that set up the session) from the
 * snapshot, cut at operation k = 1, 2, ... in MODE until it completes;
 * after each cut the card boots again and CHECK(completed, sw, k) looks.
 * Returns the number of operations of the complete command.
 */
static unsigned tear_every_op(int mode, void (*pre)(void), const char *apdu,
                              void (*check)(bool completed, uint16_t sw,
                                            unsigned k))
{
    for (volatile unsigned k = 1; k < 10000; k++) {
        volatile bool completed = false;
        volatile uint16_t sw = 0;

        restore();
        fsx_boot();
        if (pre) {
            pre();
        }
        nor_sim_arm(&fsx_sim, k, mode, 1000u + k, &power_cut);
        if (setjmp(power_cut) == 0) {
            sw = fsx_cmd(apdu);
            completed = true;
        }
        nor_sim_arm(&fsx_sim, 0, 0, 0, NULL);
        cr_assert_eq(fsx_boot(), FS_MOUNTED, "%s: boot after a cut at op %u",
                     mode_name[mode], k);
        check(completed, sw, k);
        if (completed) {
            cr_assert_eq(fsx_sim.overwrites, 0u);
            cr_assert_eq(fsx_sim.bad_calls, 0u);
            cr_log_info("%s: %u operations, cut at each", apdu, k);
            return k;
        }
    }
    cr_assert_fail("the command never completed");
    return 0;
}

/* ---- UPDATE BINARY on EF_ICCID ------------------------------------------ */

#define ICCID_OLD "98 94 20 00 00 21 43 65 87 F9"
#define ICCID_NEW "01 02 03 04 05 06 07 08 09 0A"

static void pre_adm_iccid(void)
{
    fsx_expect("00 20 00 0A 08 " FSX_ADM1, 0x9000, "");
    fsx_expect("00 A4 00 0C 02 2F E2", 0x9000, "");
}

static void check_iccid(bool completed, uint16_t sw, unsigned k)
{
    uint8_t old[10], new[10];

    hex_to_bytes(ICCID_OLD, old, sizeof(old));
    hex_to_bytes(ICCID_NEW, new, sizeof(new));
    fsx_expect("00 A4 00 0C 02 2F E2", 0x9000, "");
    fsx_expect("00 B0 00 00 0A", 0x9000, NULL);
    if (completed) {
        cr_assert_eq(sw, 0x9000);
        cr_assert(memcmp(fsx_rsp, new, 10) == 0, "completed, not new");
    } else {
        cr_assert(memcmp(fsx_rsp, old, 10) == 0 ||
                  memcmp(fsx_rsp, new, 10) == 0,
                  "cut at op %u: ICCID neither old nor new", k);
    }
}

Test(unit_fs_tear, update_binary_is_old_or_new)
{
    snapshot();
    for (int mode = 0; mode < 3; mode++) {
        unsigned ops = tear_every_op(mode, pre_adm_iccid,
                                     "00 D6 00 00 0A " ICCID_NEW, check_iccid);
        cr_assert_geq(ops, 1u);
    }
}

/* A larger transparent file: an update across two content chunks. */
static char big_update[4 + 2 + 2 * 300 + 1 + 8];

static void pre_big(void)
{
    fsx_expect("00 20 00 0A 08 " FSX_ADM1, 0x9000, "");
    fsx_expect("00 A4 00 0C 02 6F 01", 0x9000, "");
}

static void check_big(bool completed, uint16_t sw, unsigned k)
{
    (void)sw;
    fsx_expect("00 A4 00 0C 02 6F 01", 0x9000, "");
    fsx_expect("00 B0 01 B0 00", 0x9000, NULL);     /* bytes 432..687 */
    bool all_old = true, all_new = true;
    for (size_t i = 0; i < fsx_rsp_len; i++) {
        size_t off = 432 + i;
        bool in = off >= 400 && off < 700;
        all_old &= fsx_rsp[i] == 0xFF;
        all_new &= fsx_rsp[i] == (in ? 0x5A : 0xFF);
    }
    cr_assert(all_old || all_new, "cut at op %u: a mix of old and new", k);
    if (completed) {
        cr_assert(all_new);
    }
}

Test(unit_fs_tear, update_binary_across_chunks_is_old_or_new)
{
    fsx_expect("00 20 00 0A 08 " FSX_ADM1, 0x9000, "");
    /* 6F01, 1000 bytes, ARR record 4 */
    fsx_expect("00 E0 00 00 13 62 11 82 02 41 21 83 02 6F 01 8B 03 2F 06 04"
               " 80 02 03 E8", 0x9000, "");
    snapshot();
    /* UPDATE BINARY, offset 400, 300 bytes 5A (extended Lc) */
    strcpy(big_update, "00D6019000012C");
    for (int i = 0; i < 300; i++) {
        strcat(big_update, "5A");
    }
    for (int mode = 0; mode < 3; mode++) {
        (void)tear_every_op(mode, pre_big, big_update, check_big);
    }
}

/* ---- VERIFY ------------------------------------------------------------- */

static uint8_t pin1_left(void)
{
    struct pin_rec p;

    cr_assert_eq(pin_get(fs_applet_fs(), PIN_REF_PIN1, &p), FS_SW_OK);
    return p.left;
}

static uint8_t left_before;

static void check_wrong(bool completed, uint16_t sw, unsigned k)
{
    uint8_t left = pin1_left();

    cr_assert(left == left_before || left == left_before - 1,
              "cut at op %u: %u tries left, was %u", k, left, left_before);
    if (completed) {
        cr_assert_eq(sw, 0x63C0 | (left_before - 1));
        cr_assert_eq(left, left_before - 1);
    }
}

static void check_right(bool completed, uint16_t sw, unsigned k)
{
    uint8_t left = pin1_left();

    /* untouched (cut before the decrement's commit), decremented, or
     * reset after the match: nothing else */
    cr_assert(left == left_before || left == left_before - 1 || left == 3,
              "cut at op %u: %u tries left, was %u", k, left, left_before);
    if (completed) {
        cr_assert_eq(sw, 0x9000);
        cr_assert_eq(left, 3);
    }
}

Test(unit_fs_tear, verify_counter_never_goes_up)
{
    snapshot();
    left_before = 3;
    for (int mode = 0; mode < 3; mode++) {
        unsigned ops = tear_every_op(mode, NULL,
                                     "00 20 00 01 08 0000000000000000",
                                     check_wrong);
        cr_assert_geq(ops, 1u);
    }
    /* from 2 tries left, the right PIN: 1 left or reset to 3 */
    restore();
    fsx_boot();
    fsx_expect("00 20 00 01 08 0000000000000000", 0x63C2, "");
    snapshot();
    left_before = 2;
    for (int mode = 0; mode < 3; mode++) {
        (void)tear_every_op(mode, NULL, "00 20 00 01 08 " FSX_PIN1,
                            check_right);
    }
}

/* The decrement is durable before anything is compared: a wrong VERIFY
 * makes exactly one commit, and no cut leaves the counter untouched once
 * the command has answered. Counted: the commands' flash operations. */
Test(unit_fs_tear, verify_commits_before_answering)
{
    uint64_t before = fsx_sim.ops;

    fsx_expect("00 20 00 01 08 0000000000000000", 0x63C2, "");
    cr_assert_geq(fsx_sim.ops - before, 1u, "VERIFY wrote nothing");
    fsx_boot();
    cr_assert_eq(pin1_left(), 2);
}

/* ---- cyclic UPDATE RECORD ----------------------------------------------- */

static void pre_cyclic(void)
{
    fsx_expect("00 A4 08 0C 04 7F 10 6F 3C", 0x9000, "");
}

static void check_cyclic(bool completed, uint16_t sw, unsigned k)
{
    (void)sw;
    fsx_expect("00 A4 08 0C 04 7F 10 6F 3C", 0x9000, "");
    fsx_expect("00 B2 01 04 04", 0x9000, NULL);
    bool is_new = memcmp(fsx_rsp, "\xEE\xEE\xEE\xEE", 4) == 0;
    bool is_old = memcmp(fsx_rsp, "\xCC\xCC\xCC\xCC", 4) == 0;
    cr_assert(is_new || is_old, "cut at op %u: record 1 is neither", k);
    fsx_expect("00 B2 02 04 04", 0x9000, NULL);
    cr_assert(memcmp(fsx_rsp, is_new ? "\xCC\xCC\xCC\xCC" : "\xBB\xBB\xBB\xBB",
                     4) == 0, "cut at op %u: record 2 does not follow", k);
    fsx_expect("00 B2 03 04 04", 0x9000, NULL);
    cr_assert(memcmp(fsx_rsp, is_new ? "\xBB\xBB\xBB\xBB" : "\xAA\xAA\xAA\xAA",
                     4) == 0, "cut at op %u: record 3 does not follow", k);
    if (completed) {
        cr_assert(is_new);
    }
}

Test(unit_fs_tear, cyclic_update_is_old_or_new)
{
    fsx_expect("00 20 00 0A 08 " FSX_ADM1, 0x9000, "");
    fsx_expect("00 A4 00 0C 02 7F 10", 0x9000, "");
    fsx_expect("00 E0 00 00 1A 62 18 82 04 46 21 00 04 83 02 6F 3C"
               " 8A 01 05 8B 03 2F 06 04 80 02 00 0C 88 00", 0x9000, "");
    fsx_expect("00 DC 00 03 04 AA AA AA AA", 0x9000, "");
    fsx_expect("00 DC 00 03 04 BB BB BB BB", 0x9000, "");
    fsx_expect("00 DC 00 03 04 CC CC CC CC", 0x9000, "");
    snapshot();
    for (int mode = 0; mode < 3; mode++) {
        (void)tear_every_op(mode, pre_cyclic, "00 DC 00 03 04 EE EE EE EE",
                            check_cyclic);
    }
}

/* ---- CREATE / DELETE FILE ----------------------------------------------- */

static void pre_adm_mf(void)
{
    fsx_expect("00 20 00 0A 08 " FSX_ADM1, 0x9000, "");
}

static void check_create(bool completed, uint16_t sw, unsigned k)
{
    uint16_t s = fsx_cmd("00 A4 00 0C 02 6F 02");

    cr_assert(s == 0x9000 || s == 0x6A82, "cut at op %u: SELECT %04X", k, s);
    if (s == 0x9000) {
        fsx_expect("00 B0 00 00 00", 0x9000, NULL);
        cr_assert_eq(fsx_rsp_len, 256u);
        for (size_t i = 0; i < fsx_rsp_len; i++) {
            cr_assert_eq(fsx_rsp[i], 0xFF, "cut at op %u: content", k);
        }
        fsx_expect("00 B0 07 CF 01", 0x9000, "FF");   /* last byte */
    }
    cr_assert_eq(fs_file_count(fs_applet_fs()), s == 0x9000 ? 7u : 6u);
    if (completed) {
        cr_assert_eq(sw, 0x9000);
        cr_assert_eq(s, 0x9000);
    }
}

Test(unit_fs_tear, create_file_is_all_or_nothing)
{
    snapshot();
    for (int mode = 0; mode < 3; mode++) {
        /* 2000 bytes: four content chunks and a header */
        (void)tear_every_op(mode, pre_adm_mf,
                            "00 E0 00 00 13 62 11 82 02 41 21 83 02 6F 02"
                            " 8B 03 2F 06 04 80 02 07 D0", check_create);
    }
}

static void check_delete(bool completed, uint16_t sw, unsigned k)
{
    uint16_t s = fsx_cmd("00 A4 00 0C 02 6F 02");

    cr_assert(s == 0x9000 || s == 0x6A82, "cut at op %u: SELECT %04X", k, s);
    if (s == 0x9000) {
        fsx_expect("00 B0 00 00 02", 0x9000, "12 34");
    }
    if (completed) {
        cr_assert_eq(sw, 0x9000);
        cr_assert_eq(s, 0x6A82);
    }
    /* the slot and its space can be used again */
    fsx_expect("00 20 00 0A 08 " FSX_ADM1, 0x9000, "");
    fsx_expect("00 A4 00 0C 02 3F 00", 0x9000, "");
    fsx_expect("00 E0 00 00 13 62 11 82 02 41 21 83 02 6F 03"
               " 8B 03 2F 06 04 80 02 07 D0", 0x9000, "");
    fsx_expect("00 B0 07 CF 01", 0x9000, "FF");
}

Test(unit_fs_tear, delete_file_is_all_or_nothing)
{
    fsx_expect("00 20 00 0A 08 " FSX_ADM1, 0x9000, "");
    fsx_expect("00 E0 00 00 13 62 11 82 02 41 21 83 02 6F 02"
               " 8B 03 2F 06 04 80 02 07 D0", 0x9000, "");
    fsx_expect("00 D6 00 00 02 12 34", 0x9000, "");
    snapshot();
    for (int mode = 0; mode < 3; mode++) {
        (void)tear_every_op(mode, pre_adm_mf, "00 E4 00 00 02 6F 02",
                            check_delete);
    }
}

/* ---- first boot ---------------------------------------------------------- */

Test(unit_fs_tear, first_boot_creation_is_finished_by_the_next_boot)
{
    static uint8_t formatted[FSX_PAGE_SIZE * FSX_PAGES];

    /* an empty store, as storage_init leaves an erased NVM */
    cr_assert_eq(store_format(&fsx_store, &fsx_flash, 0x77), STORE_OK);
    memcpy(formatted, fsx_sim.mem, sizeof(formatted));
    for (int mode = 0; mode < 3; mode++) {
        for (volatile unsigned k = 1;; k++) {
            volatile bool done = false;

            memcpy(fsx_sim.mem, formatted, sizeof(formatted));
            cr_assert_eq(store_mount(&fsx_store, &fsx_flash), STORE_OK);
            nor_sim_arm(&fsx_sim, k, mode, k, &power_cut);
            if (setjmp(power_cut) == 0) {
                cr_assert_eq(fs_applet_mount(&fsx_store), FS_CREATED);
                done = true;
            }
            nor_sim_arm(&fsx_sim, 0, 0, 0, NULL);
            int rc = fsx_boot();
            cr_assert(rc == FS_CREATED || rc == FS_MOUNTED,
                      "%s, op %u: boot after the cut: %d", mode_name[mode], k,
                      rc);
            cr_assert(!done || rc == FS_MOUNTED);
            cr_assert_eq(fs_file_count(fs_applet_fs()), 6u);
            fsx_expect("00 A4 00 0C 02 2F E2", 0x9000, "");
            fsx_expect("00 B0 00 00 0A", 0x9000, ICCID_OLD);
            fsx_expect("00 20 00 01 00", 0x63C3, "");
            if (done) {
                break;
            }
        }
    }
}
