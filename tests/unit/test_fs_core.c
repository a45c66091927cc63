/*
 * Unit tests: the file system's building blocks: the TS 102 222 FCP
 * parser (CREATE FILE), the TS 102 221 FCP builder, access rule
 * evaluation in expanded format (ISO/IEC 7816-4 7.4.3, TS 102 221 9.2.4),
 * and mounting: an existing file system is mounted without writing, a
 * damaged or foreign one is reported and never rewritten.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "fs_fixture.h"

#include <stdio.h>

#include "fs/arr.h"
#include "fs/fcp.h"
#include "fs/profile.h"
#include "fs/pin.h"

TestSuite(unit_fs_core, .init = fsx_setup, .fini = fsx_teardown,
          .timeout = 60);

static uint16_t parse(const char *hex, struct fs_file *f)
{
    uint8_t b[128];
    size_t n = hex_to_bytes(hex, b, sizeof(b));

    return fcp_parse(b, (uint32_t)n, f);
}

Test(unit_fs_core, fcp_parse_ts102222)
{
    struct fs_file f;

    /* transparent, 10 bytes, SFI from the FID (6F07 -> 07) */
    cr_assert_eq(parse("62 11 82 02 41 21 83 02 6F 07 8B 03 2F 06 02"
                       " 80 02 00 0A", &f), 0x9000);
    cr_assert_eq(f.type, FS_T_TRANSPARENT);
    cr_assert_eq(f.fid, 0x6F07);
    cr_assert_eq(f.size, 10);
    cr_assert_eq(f.sfi, 7);
    cr_assert_eq(f.arr_fid, 0x2F06);
    cr_assert_eq(f.arr_rec, 2);
    cr_assert_eq(f.lcs, FS_LCS_ACTIVATED);
    /* linear fixed with the record count in 82 (5 bytes), SFI 88 01 */
    cr_assert_eq(parse("62 13 82 05 42 21 00 1C 0A 83 02 6F 3A 8B 03 2F 06 03"
                       " 88 01 A0", &f), 0x9000);
    cr_assert_eq(f.type, FS_T_LINEAR);
    cr_assert_eq(f.rec_len, 0x1C);
    cr_assert_eq(f.nrec, 10);
    cr_assert_eq(f.size, 280);
    cr_assert_eq(f.sfi, 0x14);
    /* cyclic, count from 80 / record length; 8B with SEID pairs */
    cr_assert_eq(parse("62 16 82 04 46 21 00 05 83 02 6F 40 8B 06 2F 06 01 02"
                       " 00 03 80 02 00 0F", &f), 0x9000);
    cr_assert_eq(f.type, FS_T_CYCLIC);
    cr_assert_eq(f.nrec, 3);
    cr_assert_eq(f.arr_rec, 2);
    /* an ADF */
    cr_assert_eq(parse("62 16 82 02 78 21 83 02 7F F1 84 07 A0 00 00 00 87 10"
                       " 02 8B 03 2F 06 05", &f), 0x9000);
    cr_assert_eq(f.type, FS_T_ADF);
    cr_assert_eq(f.aid_len, 7);
    /* errors */
    cr_assert_eq(parse("62 04 83 02 6F 07", &f), 0x6A80);          /* no 82 */
    cr_assert_eq(parse("62 0C 82 02 41 21 83 02 3F 00 80 02 00 01", &f),
                 0x6A80);                                           /* MF FID */
    cr_assert_eq(parse("62 0B 82 02 41 21 83 02 6F 07 8C 01 00", &f),
                 0x6A80);                                           /* compact */
    cr_assert_eq(parse("62 0C 82 04 42 21 00 03 83 02 6F 08", &f),
                 0x6A80);                                           /* no size */
    cr_assert_eq(parse("62 10 82 04 42 21 00 03 83 02 6F 08 80 02 00 0A", &f),
                 0x6A80);                                 /* 10 % 3 != 0 */
    cr_assert_eq(parse("62 0C 82 02 41 21 83 02 6F 07 80 02 FF 00", &f),
                 0x6A84);                                           /* too big */
    cr_assert_eq(parse("62 0C 82 02 41 21 83 02 6F 07 80 02 00", &f),
                 0x6A80);                                           /* short */
}

Test(unit_fs_core, fcp_build_ts102221)
{
    struct fs_file f = { .no = 3, .parent = 1, .type = FS_T_CYCLIC,
                         .lcs = FS_LCS_DEACTIVATED, .fid = 0x6F40,
                         .sfi = 0, .arr_fid = 0x6F06, .arr_rec = 3,
                         .rec_len = 0x1C, .nrec = 5, .size = 140 };
    uint8_t out[FCP_MAX_LEN], want[64];
    uint32_t n = fcp_build(&f, NULL, out, sizeof(out));
    size_t wn = hex_to_bytes("62 19 82 05 46 21 00 1C 05 83 02 6F 40 8A 01 04"
                             " 8B 03 6F 06 03 80 02 00 8C 88 00", want,
                             sizeof(want));

    cr_assert_eq(n, wn);
    cr_assert(memcmp(out, want, wn) == 0);
    /* an ADF with its AID, keys in the PIN status template */
    struct fs_file adf = { .no = 4, .parent = 1, .type = FS_T_ADF,
                           .lcs = FS_LCS_ACTIVATED, .fid = 0x7FF1,
                           .arr_fid = 0x2F06, .arr_rec = 5, .aid_len = 5,
                           .aid = { 0xA0, 0, 0, 0, 0x87 } };
    struct fcp_keys k = { .n = 2, .ref = { 0x01, 0x0A },
                          .enabled = { false, true } };
    n = fcp_build(&adf, &k, out, sizeof(out));
    wn = hex_to_bytes("62 22 82 02 78 21 83 02 7F F1 84 05 A0 00 00 00 87"
                      " 8A 01 05 8B 03 2F 06 05 C6 09 90 01 40 83 01 01"
                      " 83 01 0A", want, sizeof(want));
    cr_assert_eq(n, wn);
    cr_assert(memcmp(out, want, wn) == 0);
}

static uint8_t verified_ref;

static bool key_ok(void *ctx, uint8_t ref)
{
    (void)ctx;
    return ref == verified_ref;
}

static bool allows(const char *hex, uint8_t am)
{
    uint8_t b[64];
    size_t n = hex_to_bytes(hex, b, sizeof(b));

    return arr_rule_allows(b, (uint32_t)n, am, key_ok, NULL);
}

Test(unit_fs_core, arr_expanded_rules)
{
    const char *r1 = "80 01 01 90 00 80 01 1A A4 06 83 01 0A 95 01 08 FF FF";

    verified_ref = 0;
    cr_assert(allows(r1, ARR_AM_READ));
    cr_assert(!allows(r1, ARR_AM_UPDATE));
    cr_assert(!allows(r1, ARR_AM_DELETE_SELF));     /* not covered: never */
    verified_ref = 0x0A;
    cr_assert(allows(r1, ARR_AM_UPDATE));
    cr_assert(allows(r1, ARR_AM_ACTIVATE));
    cr_assert(!allows(r1, ARR_AM_DELETE_SELF));
    /* never */
    cr_assert(!allows("80 01 03 97 00", ARR_AM_READ));
    /* alternatives after one AM_DO: PIN1 or ADM1 */
    verified_ref = 0x01;
    cr_assert(allows("80 01 02 A4 06 83 01 0A 95 01 08 A4 06 83 01 01 95 01"
                     " 08", ARR_AM_UPDATE));
    /* OR template and AND template */
    cr_assert(allows("80 01 02 A0 10 A4 06 83 01 0A 95 01 08 A4 06 83 01 01"
                     " 95 01 08", ARR_AM_UPDATE));
    cr_assert(!allows("80 01 02 AF 10 A4 06 83 01 0A 95 01 08 A4 06 83 01 01"
                      " 95 01 08", ARR_AM_UPDATE));
    /* secure messaging CRTs are never satisfied here */
    cr_assert(!allows("80 01 01 B4 00", ARR_AM_READ));
    /* a truncated rule grants nothing it cannot parse */
    cr_assert(!allows("80 01 01 90", ARR_AM_READ));
}

Test(unit_fs_core, first_boot_tree_and_remount_without_writes)
{
    struct fs *fs = fs_applet_fs();
    struct fs_file f;
    uint8_t no;

    cr_assert_eq(fs_file_count(fs), 6);
    cr_assert_neq(fs_find_child(fs, FS_MF_NO, PROFILE_FID_ICCID), 0);
    no = fs_find_child(fs, FS_MF_NO, PROFILE_FID_TELECOM);
    cr_assert_eq(fs_get(fs, no, &f), 0x9000);
    cr_assert_eq(f.type, FS_T_DF);
    cr_assert_eq(fs_find_sfi(fs, FS_MF_NO, 0x1E),
                 fs_find_child(fs, FS_MF_NO, PROFILE_FID_DIR));
    uint64_t ops = fsx_sim.ops;
    cr_assert_eq(fsx_boot(), FS_MOUNTED);
    cr_assert_eq(fsx_sim.ops, ops, "mounting wrote to the flash");
    cr_assert_eq(fs_file_count(fs), 6);
    cr_assert(strstr(fsx_log_text(), "I fs: 6 files") != NULL);
}

Test(unit_fs_core, foreign_marker_is_reported_not_rewritten)
{
    static const uint8_t other[8] = { 'N', 'C', 'F', 'S', 99, 0, 0, 0 };

    cr_assert_eq(store_put(&fsx_store, FS_OBJ_MARKER, other, sizeof(other)),
                 STORE_OK);
    uint64_t ops = fsx_sim.ops;
    cr_assert_eq(fs_applet_mount(&fsx_store), FS_ERR_CORRUPT);
    cr_assert_eq(fsx_sim.ops, ops, "a foreign file system was written to");
    apdu_fixture_init();
    dispatch_set_default(fs_applet());
    apdu_fixture_reset();
    fsx_expect("00 A4 00 04 02 2F E2", 0x6581, "");
    fsx_expect("00 20 00 01 08 " FSX_PIN1, 0x6581, "");
}

Test(unit_fs_core, damaged_header_is_reported)
{
    static const uint8_t junk[FS_HDR_SIZE] = { 0x11, 0x22 };
    uint8_t no = fs_find_child(fs_applet_fs(), FS_MF_NO, PROFILE_FID_PL);

    cr_assert_eq(store_put(&fsx_store, FS_OBJ_HDR(no), junk, sizeof(junk)),
                 STORE_OK);
    uint64_t ops = fsx_sim.ops;
    cr_assert_eq(fs_applet_mount(&fsx_store), FS_ERR_CORRUPT);
    cr_assert_eq(fsx_sim.ops, ops);
    cr_assert(strstr(fsx_log_text(), "E fs: file system damaged") != NULL);
}

/* A flash that refuses programs on demand (the NVM controller reporting
 * an error): the command answers 6581 and nothing changes. */
static bool refuse_programs;

static int failing_program(void *ctx, uint32_t off, const void *data,
                           uint32_t len)
{
    if (refuse_programs) {
        return -1;
    }
    return fsx_flash.program(ctx, off, data, len);
}

Test(unit_fs_core, flash_failure_answers_6581)
{
    struct store_flash f = fsx_flash;

    f.program = failing_program;
    refuse_programs = false;
    cr_assert_eq(store_mount(&fsx_store, &f), STORE_OK);
    cr_assert_eq(fs_applet_mount(&fsx_store), FS_MOUNTED);
    apdu_fixture_init();
    dispatch_set_default(fs_applet());
    apdu_fixture_reset();
    /* VERIFY cannot commit its decrement: 6581, nothing compared */
    refuse_programs = true;
    fsx_expect("00 20 00 0A 08 " FSX_ADM1, 0x6581, "");
    refuse_programs = false;
    cr_assert_eq(store_mount(&fsx_store, &f), STORE_OK);
    cr_assert_eq(fs_applet_mount(&fsx_store), FS_MOUNTED);
    apdu_fixture_init();
    dispatch_set_default(fs_applet());
    apdu_fixture_reset();
    fsx_expect("00 20 00 0A 00", 0x63CA, "");   /* no try was lost */
    fsx_expect("00 20 00 0A 08 " FSX_ADM1, 0x9000, "");
    fsx_expect("00 A4 00 0C 02 2F E2", 0x9000, "");
    refuse_programs = true;
    fsx_expect("00 D6 00 00 02 11 22", 0x6581, "");
    refuse_programs = false;
    cr_assert_eq(store_mount(&fsx_store, &f), STORE_OK);
    cr_assert_eq(fs_applet_mount(&fsx_store), FS_MOUNTED);
    apdu_fixture_init();
    dispatch_set_default(fs_applet());
    apdu_fixture_reset();
    fsx_expect("00 A4 00 0C 02 2F E2", 0x9000, "");
    fsx_expect("00 B0 00 00 02", 0x9000, "98 94");
}

/* CREATE FILE until the store or the file table is full: 6A84, and the
 * space of a refused file is given back (a smaller file still fits). */
Test(unit_fs_core, create_until_full)
{
    char apdu[128];
    unsigned created = 0;
    uint16_t sw = 0x9000;

    fsx_expect("00 20 00 0A 08 " FSX_ADM1, 0x9000, "");
    for (unsigned i = 0; i < 200 && sw == 0x9000; i++) {
        fsx_expect("00 A4 00 0C 00", 0x9000, "");
        /* 16 000-byte transparent EFs 6Fxx/5Fxx */
        snprintf(apdu, sizeof(apdu), "00 E0 00 00 13 62 11 82 02 41 21 83 02"
                 " %02X %02X 8B 03 2F 06 04 80 02 3E 80", 0x40 + i / 256,
                 i % 256);
        sw = fsx_cmd(apdu);
        created += sw == 0x9000;
    }
    cr_assert_eq(sw, 0x6A84, "the last CREATE answered %04X", sw);
    cr_assert_geq(created, 1u);
    fsx_expect("00 A4 00 0C 00", 0x9000, "");
    fsx_expect("00 E0 00 00 13 62 11 82 02 41 21 83 02 2F 10 8B 03 2F 06 04"
               " 80 02 00 10", 0x9000, "");
    cr_assert_eq(fsx_boot(), FS_MOUNTED);
    cr_assert_eq(fs_file_count(fs_applet_fs()), 6u + created + 1u);
}
