/*
 * Unit tests: the file system's commands through the dispatcher (the fs
 * as default application), on the first-boot tree of docs/fs.md, against
 * the bytes ETSI TS 102 221 / TS 102 222 and ISO/IEC 7816-4 define:
 * FCP templates (TS 102 221 11.1.1.3), SELECT by FID / path / parent /
 * SFI, READ/UPDATE BINARY, READ/UPDATE RECORD in every mode (linear
 * fixed and cyclic, 11.1.5 / 11.1.6), SEARCH RECORD (11.1.7), STATUS,
 * VERIFY / CHANGE / DISABLE / ENABLE / UNBLOCK with 63Cx counters (9.5,
 * 11.1.9..13), CREATE / DELETE FILE (TS 102 222), access rules from
 * EF_ARR, logical channels, and 6581 when there is no storage.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "fs_fixture.h"

#include <stdio.h>

#include "fs/pin.h"

TestSuite(unit_fs_apdu, .init = fsx_setup, .fini = fsx_teardown,
          .timeout = 60);

/* TS 102 221 11.1.1.3.2: 82 (41 = shareable transparent working EF, 21),
 * 83 FID, 8A 05 (activated), 8B EF_ARR 2F06 record 1, 80 size 10, 88 SFI
 * 02 << 3. */
#define FCP_ICCID "62 17 82 02 41 21 83 02 2F E2 8A 01 05 8B 03 2F 06 01" \
                  " 80 02 00 0A 88 01 10"
/* 11.1.1.3.1: 82 78 21 (shareable DF), 83 3F00, A5 UICC characteristics,
 * 8A 05, 8B 2F06 record 5, C6 PS_DO C0 (PIN1 and ADM1 enabled), keys. */
#define FCP_MF "62 20 82 02 78 21 83 02 3F 00 A5 03 80 01 71 8A 01 05" \
               " 8B 03 2F 06 05 C6 09 90 01 C0 83 01 01 83 01 0A"
#define ICCID "98 94 20 00 00 21 43 65 87 F9"

Test(unit_fs_apdu, select_iccid_by_fid_path_and_sfi)
{
    fsx_expect("00 A4 00 04 02 2F E2", 0x9000, FCP_ICCID);
    fsx_expect("00 B0 00 00 0A", 0x9000, ICCID);
    fsx_expect("00 A4 00 04 00", 0x9000, FCP_MF);   /* P1 00, no data: MF */
    fsx_expect("00 A4 08 04 02 2F E2", 0x9000, FCP_ICCID);
    fsx_expect("00 A4 08 04 04 3F 00 2F E2", 0x9000, FCP_ICCID);
    fsx_expect("00 A4 09 0C 02 2F E2", 0x9000, "");
    fsx_expect("00 B0 00 00 00", 0x9000, ICCID);   /* Le 00: to the end */
    fsx_expect("00 B0 00 04 02", 0x9000, "00 21");
    fsx_expect("00 B0 00 0A 01", 0x6B00, "");
    fsx_expect("00 B0 00 08 04", 0x6282, "87 F9");
    /* SFI 02 from the MF (P1 = 1000 0010) */
    fsx_expect("00 A4 00 0C 00", 0x9000, "");
    fsx_expect("00 B0 82 00 0A", 0x9000, ICCID);
    fsx_expect("00 B0 85 00 02", 0x9000, "65 6E");   /* EF_PL, SFI 05 */
    fsx_expect("00 B0 9F 00 02", 0x6A86, "");
    fsx_expect("00 A4 00 04 02 6F 07", 0x6A82, "");
    fsx_expect("00 A4 00 04 03 2F E2 00", 0x6700, "");
}

Test(unit_fs_apdu, select_df_parent_and_status)
{
    uint16_t sw = fsx_cmd("00 A4 00 04 02 7F 10");

    cr_assert_eq(sw, 0x9000);
    /* DF_TELECOM: 82 02 78 21, 83 02 7F 10 */
    cr_assert(fsx_rsp_len > 10 && fsx_rsp[0] == 0x62);
    cr_assert(memcmp(fsx_rsp + 2, "\x82\x02\x78\x21\x83\x02\x7f\x10", 8) == 0);
    /* STATUS answers the current DF's FCP */
    fsx_expect("80 F2 00 00 00", 0x9000, NULL);
    cr_assert(memcmp(fsx_rsp + 6, "\x83\x02\x7f\x10", 4) == 0);
    fsx_expect("80 F2 00 0C 00", 0x9000, "");
    fsx_expect("80 F2 00 05 00", 0x6A86, "");
    /* the MF's EFs are not children of DF_TELECOM: 2FE2 is not found,
     * but the parent (MF) and the DF itself are */
    fsx_expect("00 A4 02 0C 02 2F E2", 0x6A82, "");
    fsx_expect("00 A4 03 04 00", 0x9000, FCP_MF);
    fsx_expect("00 A4 03 04 00", 0x6A82, "");    /* the MF has no parent */
    fsx_expect("00 A4 01 0C 02 7F 10", 0x9000, "");
    fsx_expect("00 A4 00 0C 02 3F 00", 0x9000, "");
    fsx_expect("80 F2 00 00 00", 0x9000, FCP_MF);
    fsx_expect("00 A4 02 0C 02 7F 10", 0x6A82, "");  /* a DF, not an EF */
}

Test(unit_fs_apdu, ef_dir_and_ef_arr_records)
{
    /* EF_DIR: one record listing the test applet (TS 102 221 13.1) */
    fsx_expect("00 A4 00 04 02 2F 00", 0x9000, NULL);
    cr_assert(memcmp(fsx_rsp + 2, "\x82\x05\x42\x21\x00\x20\x01", 7) == 0);
    fsx_expect("00 B2 01 04 20", 0x9000,
               "61 19 4F 09 F0 6E 65 74 63 61 72 64 01 50 0C"
               " 6E 65 74 63 61 72 64 20 74 65 73 74"
               " FF FF FF FF FF");
    fsx_expect("00 B2 02 04 20", 0x6A83, "");
    fsx_expect("00 B2 01 04 10", 0x6C20, "");
    fsx_expect("00 B0 00 00 01", 0x6981, "");      /* not transparent */
    /* EF_ARR record 4: read and update always */
    fsx_expect("00 B2 04 34 14", 0x9000,            /* SFI 06 */
               "80 01 03 90 00 FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF");
}

Test(unit_fs_apdu, access_rules_and_adm)
{
    fsx_expect("00 A4 00 0C 02 2F E2", 0x9000, "");
    fsx_expect("00 D6 00 00 02 11 22", 0x6982, "");     /* ADM1 needed */
    fsx_expect("00 20 00 01 08 " FSX_PIN1, 0x9000, "");
    fsx_expect("00 D6 00 00 02 11 22", 0x6982, "");     /* PIN1 is not ADM */
    fsx_expect("00 20 00 0A 08 " FSX_ADM1, 0x9000, "");
    fsx_expect("00 D6 00 00 02 11 22", 0x9000, "");
    fsx_expect("00 B0 00 00 0A", 0x9000, "11 22 20 00 00 21 43 65 87 F9");
    fsx_expect("00 D6 00 09 02 11 22", 0x6700, "");     /* past the end */
    fsx_expect("00 D6 00 0A 01 11", 0x6B00, "");
    /* EF_PL: update with PIN1 (record 2) */
    fsx_expect("00 A4 00 0C 02 2F 05", 0x9000, "");
    fsx_expect("00 D6 00 02 02 64 65", 0x9000, "");
    fsx_expect("00 B0 00 00 04", 0x9000, "65 6E 64 65");
}

Test(unit_fs_apdu, pl_needs_pin1_and_reset_clears_it)
{
    fsx_expect("00 A4 00 0C 02 2F 05", 0x9000, "");
    fsx_expect("00 D6 00 00 01 00", 0x6982, "");
    fsx_expect("00 20 00 01 08 " FSX_PIN1, 0x9000, "");
    fsx_expect("00 D6 00 00 01 00", 0x9000, "");
    dispatch_reset(&test_session);                      /* card reset */
    fsx_expect("00 A4 00 0C 02 2F 05", 0x9000, "");
    fsx_expect("00 D6 00 00 01 00", 0x6982, "");
    fsx_expect("00 20 00 01 00", 0x63C3, "");
}

Test(unit_fs_apdu, verify_counts_down_blocks_and_unblocks)
{
    fsx_expect("00 20 00 01 00", 0x63C3, "");
    fsx_expect("00 20 00 01 08 3132333535FFFFFF", 0x63C2, "");
    fsx_expect("00 20 00 01 00", 0x63C2, "");
    fsx_expect("00 20 00 01 08 " FSX_PIN1, 0x9000, "");   /* reset to 3 */
    fsx_expect("00 20 00 01 00", 0x9000, "");
    fsx_expect("00 20 00 01 08 0000000000000000", 0x63C2, "");
    fsx_expect("00 20 00 01 00", 0x63C2, "");    /* no longer verified */
    fsx_expect("00 20 00 01 08 0000000000000000", 0x63C1, "");
    fsx_expect("00 20 00 01 08 0000000000000000", 0x63C0, "");
    fsx_expect("00 20 00 01 08 " FSX_PIN1, 0x6983, "");
    fsx_expect("00 20 00 01 00", 0x6983, "");
    fsx_expect("00 20 00 01 04 31323334", 0x6700, "");
    fsx_expect("00 20 00 02 08 " FSX_PIN1, 0x6A88, "");   /* no PIN2 */
    fsx_expect("00 20 01 01 08 " FSX_PIN1, 0x6A86, "");
    /* UNBLOCK: PUK1 || new PIN */
    fsx_expect("00 2C 00 01 00", 0x63CA, "");
    fsx_expect("00 2C 00 01 10 3132333435363739 39393939FFFFFFFF", 0x63C9, "");
    fsx_expect("00 2C 00 01 10 " FSX_PUK1 " 39393939FFFFFFFF", 0x9000, "");
    fsx_expect("00 2C 00 01 00", 0x63CA, "");
    fsx_expect("00 20 00 01 00", 0x9000, "");
    fsx_expect("00 20 00 01 08 " FSX_PIN1, 0x63C2, "");
    fsx_expect("00 20 00 01 08 39393939FFFFFFFF", 0x9000, "");
}

Test(unit_fs_apdu, puk_blocks_after_ten)
{
    for (int i = 9; i >= 0; i--) {
        uint16_t sw = fsx_cmd("00 2C 00 01 10 0000000000000000 "
                              "39393939FFFFFFFF");
        cr_assert_eq(sw, 0x63C0 | i);
    }
    fsx_expect("00 2C 00 01 10 " FSX_PUK1 " 39393939FFFFFFFF", 0x6983, "");
    fsx_expect("00 2C 00 01 00", 0x6983, "");
}

Test(unit_fs_apdu, change_disable_enable)
{
    fsx_expect("00 24 00 01 10 " FSX_PIN1 " 35363738FFFFFFFF", 0x9000, "");
    fsx_expect("00 20 00 01 08 " FSX_PIN1, 0x63C2, "");
    fsx_expect("00 24 00 01 08 " FSX_PIN1, 0x6700, "");
    fsx_expect("00 20 00 01 08 35363738FFFFFFFF", 0x9000, "");
    /* DISABLE: VERIFY without data then answers 9000 after a reset */
    fsx_expect("00 26 00 01 08 35363738FFFFFFFF", 0x9000, "");
    fsx_expect("00 26 00 01 08 35363738FFFFFFFF", 0x6985, "");
    dispatch_reset(&test_session);
    fsx_expect("00 20 00 01 00", 0x9000, "");
    /* the MF's PIN status template: PS_DO 40 (PIN1 disabled, ADM1 on) */
    fsx_expect("00 A4 00 04 02 3F 00", 0x9000, NULL);
    cr_assert(memcmp(fsx_rsp + fsx_rsp_len - 9, "\x90\x01\x40", 3) == 0);
    /* a disabled PIN1 satisfies its access rules: EF_PL update */
    fsx_expect("00 A4 00 0C 02 2F 05", 0x9000, "");
    fsx_expect("00 D6 00 00 01 00", 0x9000, "");
    fsx_expect("00 24 00 01 10 35363738FFFFFFFF " FSX_PIN1, 0x6984, "");
    fsx_expect("00 28 00 01 08 35363738FFFFFFFF", 0x9000, "");
    fsx_expect("00 28 00 01 08 35363738FFFFFFFF", 0x6985, "");
    /* ADM1 cannot be disabled */
    fsx_expect("00 26 00 0A 08 " FSX_ADM1, 0x6985, "");
}

/* CREATE FILE (TS 102 222 6.3) of a linear fixed EF under DF_TELECOM,
 * 4 records of 10 bytes, ARR record 4 (read/update always). */
#define CREATE_LINEAR "00 E0 00 00 1A 62 18 82 04 42 21 00 0A 83 02 6F 3A" \
                      " 8A 01 05 8B 03 2F 06 04 80 02 00 28 88 00"
#define CREATE_CYCLIC "00 E0 00 00 1A 62 18 82 04 46 21 00 04 83 02 6F 3C" \
                      " 8A 01 05 8B 03 2F 06 04 80 02 00 0C 88 00"

static void admin_in_telecom(void)
{
    fsx_expect("00 20 00 0A 08 " FSX_ADM1, 0x9000, "");
    fsx_expect("00 A4 00 0C 02 7F 10", 0x9000, "");
}

Test(unit_fs_apdu, create_needs_adm)
{
    fsx_expect("00 A4 00 0C 02 7F 10", 0x9000, "");
    fsx_expect(CREATE_LINEAR, 0x6982, "");
    fsx_expect("00 20 00 0A 08 " FSX_ADM1, 0x9000, "");
    fsx_expect(CREATE_LINEAR, 0x9000, "");
    fsx_expect(CREATE_LINEAR, 0x6A89, "");       /* FID exists */
    fsx_expect("00 E0 00 00 04 62 02 83 00", 0x6A80, "");
    fsx_expect("00 A4 00 04 02 6F 3A", 0x9000,
               "62 19 82 05 42 21 00 0A 04 83 02 6F 3A 8A 01 05"
               " 8B 03 2F 06 04 80 02 00 28 88 00");
}

Test(unit_fs_apdu, linear_fixed_records_all_modes)
{
    admin_in_telecom();
    fsx_expect(CREATE_LINEAR, 0x9000, "");
    /* a new file is erased (FF) and selected */
    fsx_expect("00 B2 01 04 0A", 0x9000, "FF FF FF FF FF FF FF FF FF FF");
    fsx_expect("00 DC 01 04 0A 01 01 01 01 01 01 01 01 01 01", 0x9000, "");
    fsx_expect("00 DC 02 04 0A 02 02 02 02 02 02 02 02 02 02", 0x9000, "");
    fsx_expect("00 DC 03 04 0A 03 03 03 03 03 03 03 03 03 03", 0x9000, "");
    fsx_expect("00 DC 04 04 0A 04 04 04 04 04 04 04 04 04 04", 0x9000, "");
    fsx_expect("00 DC 05 04 0A 05 05 05 05 05 05 05 05 05 05", 0x6A83, "");
    fsx_expect("00 DC 01 04 09 01 01 01 01 01 01 01 01 01", 0x6700, "");
    /* pointer undefined: current fails, next = 1, previous = last */
    fsx_expect("00 B2 00 04 0A", 0x6A83, "");
    fsx_expect("00 B2 00 02 0A", 0x9000, "01 01 01 01 01 01 01 01 01 01");
    fsx_expect("00 B2 00 02 0A", 0x9000, "02 02 02 02 02 02 02 02 02 02");
    fsx_expect("00 B2 00 04 0A", 0x9000, "02 02 02 02 02 02 02 02 02 02");
    fsx_expect("00 B2 04 04 0A", 0x9000, "04 04 04 04 04 04 04 04 04 04");
    fsx_expect("00 B2 00 02 0A", 0x9000, "03 03 03 03 03 03 03 03 03 03");
    fsx_expect("00 B2 00 02 0A", 0x9000, "04 04 04 04 04 04 04 04 04 04");
    fsx_expect("00 B2 00 02 0A", 0x6A83, "");    /* no wrap */
    fsx_expect("00 B2 00 03 0A", 0x9000, "03 03 03 03 03 03 03 03 03 03");
    fsx_expect("00 B2 00 03 0A", 0x9000, "02 02 02 02 02 02 02 02 02 02");
    fsx_expect("00 B2 00 03 0A", 0x9000, "01 01 01 01 01 01 01 01 01 01");
    fsx_expect("00 B2 00 03 0A", 0x6A83, "");
    fsx_expect("00 B2 01 03 0A", 0x6A86, "");    /* P1 must be 00 */
    fsx_expect("00 B2 01 05 0A", 0x6A86, "");
    /* UPDATE next from record 1 writes record 2 */
    fsx_expect("00 DC 00 02 0A 22 22 22 22 22 22 22 22 22 22", 0x9000, "");
    fsx_expect("00 B2 00 04 0A", 0x9000, "22 22 22 22 22 22 22 22 22 22");
    /* by SFI 1A (6F3A's FID low bits), from the DF */
    fsx_expect("00 A4 00 0C 02 7F 10", 0x9000, "");
    fsx_expect("00 B2 03 D4 0A", 0x6A82, "");    /* 88 00: no SFI */
}

Test(unit_fs_apdu, cyclic_update_previous_makes_record_one)
{
    admin_in_telecom();
    fsx_expect(CREATE_CYCLIC, 0x9000, "");
    fsx_expect("00 DC 00 03 04 AA AA AA AA", 0x9000, "");
    fsx_expect("00 DC 00 03 04 BB BB BB BB", 0x9000, "");
    fsx_expect("00 DC 00 03 04 CC CC CC CC", 0x9000, "");
    fsx_expect("00 DC 00 03 04 DD DD DD DD", 0x9000, "");   /* over AA */
    fsx_expect("00 B2 01 04 04", 0x9000, "DD DD DD DD");
    fsx_expect("00 B2 02 04 04", 0x9000, "CC CC CC CC");
    fsx_expect("00 B2 03 04 04", 0x9000, "BB BB BB BB");
    fsx_expect("00 B2 04 04 04", 0x6A83, "");
    /* the update left the pointer on record 1; next/previous wrap */
    fsx_expect("00 B2 00 04 04", 0x9000, "DD DD DD DD");
    fsx_expect("00 B2 00 03 04", 0x9000, "BB BB BB BB");
    fsx_expect("00 B2 00 02 04", 0x9000, "DD DD DD DD");
    fsx_expect("00 B2 00 02 04", 0x9000, "CC CC CC CC");
    /* only PREVIOUS updates a cyclic EF */
    fsx_expect("00 DC 01 04 04 EE EE EE EE", 0x6981, "");
    fsx_expect("00 DC 00 02 04 EE EE EE EE", 0x6981, "");
    /* the order survives a remount */
    fsx_boot();
    fsx_expect("00 A4 08 04 04 7F 10 6F 3C", 0x9000, NULL);
    cr_assert(memcmp(fsx_rsp + 2, "\x82\x05\x46\x21\x00\x04\x03", 7) == 0);
    fsx_expect("00 B2 01 04 04", 0x9000, "DD DD DD DD");
    fsx_expect("00 B2 03 04 04", 0x9000, "BB BB BB BB");
}

Test(unit_fs_apdu, search_record)
{
    admin_in_telecom();
    fsx_expect(CREATE_LINEAR, 0x9000, "");
    fsx_expect("00 DC 01 04 0A 12 34 00 00 00 00 00 00 00 00", 0x9000, "");
    fsx_expect("00 DC 02 04 0A 56 78 00 00 00 00 00 00 00 00", 0x9000, "");
    fsx_expect("00 DC 03 04 0A 12 34 56 00 00 00 00 00 00 00", 0x9000, "");
    /* forward from record 1: 1 and 3; pointer on 1 */
    fsx_expect("00 A2 01 04 02 12 34", 0x9000, "01 03");
    fsx_expect("00 B2 00 04 0A", 0x9000, "12 34 00 00 00 00 00 00 00 00");
    fsx_expect("00 A2 02 04 02 12 34", 0x9000, "03");
    /* backward from record 4: 3, 1 */
    fsx_expect("00 A2 04 05 02 12 34", 0x9000, "03 01");
    fsx_expect("00 A2 00 04 01 56", 0x6282, "");   /* from 3 (current) */
    fsx_expect("00 A2 01 04 01 56", 0x9000, "02");
    fsx_expect("00 A2 00 05 01 12", 0x9000, "01");   /* back from 2 */
    fsx_expect("00 A2 01 04 01 99", 0x6282, "");
    fsx_expect("00 A2 01 06 01 99", 0x6A86, "");   /* enhanced: not here */
    fsx_expect("00 A2 05 04 01 99", 0x6A83, "");
    fsx_expect("00 A2 01 04 0B 00 00 00 00 00 00 00 00 00 00 00", 0x6700, "");
}

Test(unit_fs_apdu, delete_file_and_dfs)
{
    admin_in_telecom();
    fsx_expect(CREATE_LINEAR, 0x9000, "");
    /* a DF under DF_TELECOM with an EF in it */
    fsx_expect("00 A4 00 0C 02 7F 10", 0x9000, "");
    fsx_expect("00 E0 00 00 12 62 10 82 02 78 21 83 02 5F 3A 8A 01 05"
               " 8B 03 2F 06 05", 0x9000, "");
    fsx_expect("00 E0 00 00 13 62 11 82 02 41 21 83 02 4F 01 8B 03 2F 06 04"
               " 80 02 00 05", 0x9000, "");
    fsx_expect("00 A4 08 04 06 7F 10 5F 3A 4F 01", 0x9000, NULL);
    fsx_expect("00 A4 00 0C 02 7F 10", 0x9000, "");
    fsx_expect("00 E4 00 00 02 5F 3A", 0x9000, "");
    fsx_expect("00 A4 08 04 06 7F 10 5F 3A 4F 01", 0x6A82, "");
    fsx_expect("00 A4 08 04 04 7F 10 5F 3A", 0x6A82, "");
    fsx_expect("00 E4 00 00 02 6F 3A", 0x9000, "");
    fsx_expect("00 E4 00 00 02 6F 3A", 0x6A82, "");
    fsx_expect("00 A4 00 0C 02 6F 3A", 0x6A82, "");
    cr_assert_eq(fs_file_count(fs_applet_fs()), 6);
    /* gone after a remount too; the slot is free for a new file */
    fsx_boot();
    cr_assert_eq(fs_file_count(fs_applet_fs()), 6);
    admin_in_telecom();
    fsx_expect(CREATE_LINEAR, 0x9000, "");
    fsx_expect("00 B2 01 04 0A", 0x9000, "FF FF FF FF FF FF FF FF FF FF");
}

Test(unit_fs_apdu, delete_without_adm_is_refused)
{
    fsx_expect("00 E4 00 00 02 2F E2", 0x6982, "");
    fsx_expect("00 A4 00 0C 02 2F E2", 0x9000, "");
}

Test(unit_fs_apdu, deactivate_and_activate)
{
    fsx_expect("00 A4 00 0C 02 2F E2", 0x9000, "");
    fsx_expect("00 04 00 00 00", 0x6982, "");
    fsx_expect("00 20 00 0A 08 " FSX_ADM1, 0x9000, "");
    fsx_expect("00 04 00 00 00", 0x9000, "");
    fsx_expect("00 B0 00 00 0A", 0x6985, "");
    fsx_expect("00 A4 00 04 02 2F E2", 0x6283, NULL);
    cr_assert(memcmp(fsx_rsp + 10, "\x8A\x01\x04", 3) == 0);
    fsx_expect("00 44 00 00 00", 0x9000, "");
    fsx_expect("00 B0 00 00 0A", 0x9000, ICCID);
}

Test(unit_fs_apdu, applets_and_channels)
{
    /* SELECT by AID reaches the test applet; its commands work there */
    fsx_expect("00 A4 04 00 09 F0 6E 65 74 63 61 72 64 01", 0x9000, NULL);
    fsx_expect("80 10 00 00 02 AB CD", 0x9000, "AB CD");
    /* SELECT by FID returns the channel to the file system */
    fsx_expect("00 A4 00 0C 02 2F E2", 0x9000, "");
    fsx_expect("80 10 00 00 02 AB CD", 0x6D00, "");
    fsx_expect("00 B0 00 00 0A", 0x9000, ICCID);
    /* an unknown AID: 6A82, the file system stays */
    fsx_expect("00 A4 04 00 05 A0 00 00 00 87", 0x6A82, "");
    fsx_expect("00 B0 00 00 0A", 0x9000, ICCID);
    /* a new channel starts in the MF: no current EF */
    fsx_expect("00 70 00 00 01", 0x9000, "01");
    fsx_expect("01 B0 00 00 0A", 0x6986, "");
    fsx_expect("01 A4 00 0C 02 2F 05", 0x9000, "");
    fsx_expect("01 B0 00 00 02", 0x9000, "65 6E");
    fsx_expect("00 B0 00 00 0A", 0x9000, ICCID);   /* channel 0 unchanged */
    /* the security status is shared by the channels */
    fsx_expect("01 20 00 01 08 " FSX_PIN1, 0x9000, "");
    fsx_expect("00 20 00 01 00", 0x9000, "");
}

Test(unit_fs_apdu, t0_directions)
{
    static const struct { const char *hdr; enum t0_dir dir; } cases[] = {
        { "00 A4 00 04", T0_DIR_IN }, { "00 A4 04 04", T0_DIR_IN },
        { "00 B0 00 00", T0_DIR_OUT }, { "00 B2 01 04", T0_DIR_OUT },
        { "80 F2 00 00", T0_DIR_OUT }, { "00 D6 00 00", T0_DIR_IN },
        { "00 DC 01 04", T0_DIR_IN }, { "00 A2 01 04", T0_DIR_IN },
        { "00 20 00 01", T0_DIR_IN }, { "00 2C 00 01", T0_DIR_IN },
        { "00 E0 00 00", T0_DIR_IN }, { "00 E4 00 00", T0_DIR_IN },
        { "00 44 00 00", T0_DIR_IN }, { "00 CA 00 00", T0_DIR_NONE },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t h[4];

        hex_to_bytes(cases[i].hdr, h, sizeof(h));
        cr_assert_eq(dispatch_t0_direction(&test_session, h), cases[i].dir, "%s",
                     cases[i].hdr);
    }
}

Test(unit_fs_apdu, no_storage_answers_6581)
{
    cr_assert_eq(fs_applet_mount(NULL), FS_ERR_NO_STORE);
    fsx_expect("00 A4 00 04 02 2F E2", 0x6581, "");
    fsx_expect("00 B0 00 00 0A", 0x6581, "");
    fsx_expect("00 20 00 01 08 " FSX_PIN1, 0x6581, "");
    fsx_expect("80 F2 00 00 00", 0x6581, "");
    fsx_expect("00 CA 00 00 00", 0x6D00, "");
    /* the test applet still works */
    fsx_expect("00 A4 04 00 09 F0 6E 65 74 63 61 72 64 01", 0x9000, NULL);
}

Test(unit_fs_apdu, pin_counter_persists_across_boots)
{
    fsx_expect("00 20 00 01 08 0000000000000000", 0x63C2, "");
    fsx_boot();
    fsx_expect("00 20 00 01 00", 0x63C2, "");
    fsx_expect("00 20 00 01 08 0000000000000000", 0x63C1, "");
    fsx_boot();
    fsx_expect("00 20 00 01 08 " FSX_PIN1, 0x9000, "");
    fsx_boot();
    fsx_expect("00 20 00 01 00", 0x63C3, "");
}

/* An ADF (TS 102 222: a DF with 84 AID under the MF), selected by its DF
 * name, also partially, by 7FFF, and reported by STATUS P2 01. */
Test(unit_fs_apdu, adf_create_and_select_by_name)
{
    fsx_expect("00 20 00 0A 08 " FSX_ADM1, 0x9000, "");
    fsx_expect("00 E0 00 00 1B 62 19 82 02 78 21 83 02 7F F1"
               " 84 07 A0 00 00 00 87 10 02 8A 01 05 8B 03 2F 06 05",
               0x9000, "");
    /* an EF in it */
    fsx_expect("00 E0 00 00 13 62 11 82 02 41 21 83 02 6F 07 8B 03 2F 06 04"
               " 80 02 00 09", 0x9000, "");
    fsx_expect("00 A4 00 0C 00", 0x9000, "");
    fsx_expect("00 A4 04 04 07 A0 00 00 00 87 10 02", 0x9000, NULL);
    cr_assert(memcmp(fsx_rsp + 2, "\x82\x02\x78\x21\x83\x02\x7F\xF1"
                     "\x84\x07\xA0\x00\x00\x00\x87\x10\x02", 17) == 0);
    fsx_expect("80 F2 00 01 00", 0x9000, "84 07 A0 00 00 00 87 10 02");
    fsx_expect("00 A4 00 0C 00", 0x9000, "");
    fsx_expect("80 F2 00 01 00", 0x9000, "");          /* the MF: no name */
    fsx_expect("00 A4 04 0C 05 A0 00 00 00 87", 0x9000, "");   /* partial */
    fsx_expect("00 A4 02 0C 02 6F 07", 0x9000, "");
    fsx_expect("00 A4 08 0C 04 7F FF 6F 07", 0x9000, "");
    fsx_expect("00 A4 00 0C 02 7F FF", 0x9000, "");
    fsx_expect("00 A4 04 0C 05 A0 00 00 00 88", 0x6A82, "");
    fsx_expect("00 A4 04 02 07 A0 00 00 00 87 10 02", 0x6A82, "");  /* next */
    /* a second ADF with the same AID is refused */
    fsx_expect("00 A4 00 0C 00", 0x9000, "");
    fsx_expect("00 E0 00 00 1B 62 19 82 02 78 21 83 02 7F F2"
               " 84 07 A0 00 00 00 87 10 02 8A 01 05 8B 03 2F 06 05",
               0x6A89, "");
}

/* Bad input gets a status word and never breaks the card: 20 000 random
 * well-formed commands with the file system's INS values (without the
 * keys, so nothing protected can change), then a reboot: the file system
 * mounts, EF_ICCID and EF_ARR are intact, every answer was a valid SW. */
Test(unit_fs_apdu, random_commands_leave_the_card_whole)
{
    static const uint8_t ins[] = { 0xA4, 0xB0, 0xD6, 0xB2, 0xDC, 0xA2, 0xF2,
                                   0x20, 0x24, 0x26, 0x28, 0x2C, 0xE0, 0xE4,
                                   0x04, 0x44, 0xC0, 0x70 };
    uint64_t x = 0x9e3779b97f4a7c15u;
    uint8_t arr_before[100];
    unsigned ok = 0, denied = 0;

    fsx_expect("00 A4 00 0C 02 2F 06", 0x9000, "");
    for (int r = 1; r <= 5; r++) {
        char a[32];
        snprintf(a, sizeof(a), "00 B2 %02X 04 14", r);
        fsx_expect(a, 0x9000, NULL);
        memcpy(arr_before + 20 * (r - 1), fsx_rsp, 20);
    }
    static const uint8_t p1s[] = { 0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 0x08,
                                   0x09, 0x82, 0x85, 0x86, 0x9E, 0x0A };
    static const uint8_t p2s[] = { 0x00, 0x04, 0x0C, 0x02, 0x03, 0x05, 0x34,
                                   0x01, 0x0A, 0xF4 };
    static const uint16_t fids[] = { 0x3F00, 0x2FE2, 0x2F05, 0x2F06, 0x2F00,
                                     0x7F10, 0x7FFF, 0x6F3A };
#define NEXT() (x ^= x << 13, x ^= x >> 7, x ^= x << 17)
    for (int i = 0; i < 20000; i++) {
        size_t n = 0, r = 0, nc;

        (void)NEXT();
        fsx_buf[n++] = (x & 7) == 0 ? 0x80 : (x & 7) == 1 ? (uint8_t)(x >> 3)
                                                         : 0x00;
        fsx_buf[n++] = ins[(x >> 16) % sizeof(ins)];
        fsx_buf[n++] = (x >> 24 & 7) == 0 ? (uint8_t)(x >> 28)
                                          : p1s[(x >> 32) % sizeof(p1s)];
        fsx_buf[n++] = (x >> 36 & 7) == 0 ? (uint8_t)(x >> 40)
                                          : p2s[(x >> 44) % sizeof(p2s)];
        nc = (x >> 50) % 4 == 0 ? (x >> 52) % 24 : (x >> 50) % 4 == 1 ? 0 : 2;
        if (fsx_buf[1] == 0x20 || fsx_buf[1] == 0x2C) {
            /* wrong PINs only: never the documented values */
            fsx_buf[n++] = (uint8_t)nc;
            for (size_t j = 0; j < nc; j++) {
                fsx_buf[n++] = 0x00;
            }
        } else if (nc == 2) {
            uint16_t fid = fids[NEXT() % (sizeof(fids) / sizeof(fids[0]))];
            fsx_buf[n++] = 2;
            fsx_buf[n++] = (uint8_t)(fid >> 8);
            fsx_buf[n++] = (uint8_t)fid;
        } else if (nc > 0) {
            fsx_buf[n++] = (uint8_t)nc;
            for (size_t j = 0; j < nc; j++) {
                fsx_buf[n++] = (uint8_t)NEXT();
            }
        }
        if (NEXT() & 1) {
            fsx_buf[n++] = (uint8_t)(x >> 50);
        }
        cr_assert_eq(dispatch_command(&test_session, fsx_buf, n, sizeof(fsx_buf), &r),
                     APPLET_DONE);
        cr_assert_geq(r, 2);
        cr_assert((fsx_buf[r - 2] >= 0x61 && fsx_buf[r - 2] <= 0x6F) ||
                  fsx_buf[r - 2] == 0x90 || fsx_buf[r - 2] == 0x91,
                  "command %d: SW1 %02X", i, fsx_buf[r - 2]);
        ok += fsx_buf[r - 2] == 0x90;
        denied += fsx_buf[r - 2] == 0x69 && fsx_buf[r - 1] == 0x82;
    }
    cr_log_info("random commands: %u 9000, %u 6982", ok, denied);
    cr_assert_gt(ok, 50u);
    cr_assert_gt(denied, 200u);
    cr_assert_eq(fsx_boot(), FS_MOUNTED);
    cr_assert_geq(fs_file_count(fs_applet_fs()), 6u);
    fsx_expect("00 A4 00 0C 02 2F E2", 0x9000, "");
    fsx_expect("00 B0 00 00 0A", 0x9000, ICCID);
    fsx_expect("00 A4 00 0C 02 2F 06", 0x9000, "");
    for (int r = 1; r <= 5; r++) {
        char a[32];
        snprintf(a, sizeof(a), "00 B2 %02X 04 14", r);
        fsx_expect(a, 0x9000, NULL);
        cr_assert(memcmp(arr_before + 20 * (r - 1), fsx_rsp, 20) == 0);
    }
}

/* Secure messaging reaches the file system when it is selected
 * (apdu/applet.h); it does not do secure messaging and says so. */
Test(unit_fs_apdu, secure_messaging_answers_6882)
{
    fsx_expect("0C B0 82 00 0A", 0x6882, "");
    fsx_expect("0C A4 00 04 02 2F E2", 0x6882, "");
    fsx_expect("00 B0 82 00 0A", 0x9000, "98 94 20 00 00 21 43 65 87 F9");
}
