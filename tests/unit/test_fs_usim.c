/*
 * Unit tests: the USIM profile (fs/usim_profile.h) installed on a card
 * that has only the UICC profile (the fixture's first boot: exactly a
 * card whose store an older image created), and AUTHENTICATE
 * (fs/usim_auth.h, 3GPP TS 31.102 7.1.2) through the dispatcher.
 *
 * Expected values: the documented personalisation (docs/usim.md), TS
 * 35.208 test set 1 (K, OPc, RAND and the f1..f5, f1*, f5* outputs),
 * and AUTN values computed by osmo-auc-gen from set 1's K, OPc and RAND
 * with AMF 8000 (SQN 32: aa689c64 83508000 904cbb45 1b65def8).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "fs_fixture.h"

#include <stdio.h>

#include "crypto/aes_soft.h"
#include "fs/usim_auth.h"
#include "fs/usim_profile.h"

static int soft_aes(void *ctx, const uint8_t key[16], const uint8_t in[16],
                    uint8_t out[16])
{
    struct aes_soft a;

    (void)ctx;
    if (aes_soft_setkey(&a, key, 16) != 0) {
        return -1;
    }
    aes_soft_encrypt(&a, in, out);
    return 0;
}

static void setup(void)
{
    static const struct usim_cipher c = { soft_aes, NULL };

    fsx_setup();
    usim_auth_set_cipher(&c);
    cr_assert_eq(fs_applet_install_usim(), 0x9000);
}

TestSuite(unit_fs_usim, .init = setup, .fini = fsx_teardown, .timeout = 30);

#define USIM_AID "A0000000871002FFFFFFFF894E430001"
#define RAND1 "23553CBE9637A89D218AE64DAE47BF35"
#define AUTN_SQN32 "AA689C6483508000904CBB451B65DEF8"
#define AUTH3G(autn) "00 88 00 81 22 10 " RAND1 " 10 " autn

Test(unit_fs_usim, installed_once_on_an_old_card)
{
    struct fs *fs = fs_applet_fs();

    cr_assert_eq(fs_file_count(fs), 60);
    cr_assert(strstr(fsx_log_text(), "I usim: created ADF.USIM") != NULL);
    uint64_t ops = fsx_sim.ops;
    cr_assert_eq(fs_applet_install_usim(), 0x9000);
    cr_assert_eq(fsx_sim.ops, ops, "a second install wrote to the flash");
    cr_assert_eq(fsx_boot(), FS_MOUNTED);
    cr_assert_eq(fs_file_count(fs), 60);
    /* EF.DIR: record 1 unchanged, record 2 ADF.USIM (TS 102 221 13.1) */
    fsx_expect("00 A4 00 0C 02 2F 00", 0x9000, "");
    fsx_expect("00 B2 01 04 20", 0x9000,
               "61 19 4F 09 F0 6E 65 74 63 61 72 64 01 50 0C"
               " 6E 65 74 63 61 72 64 20 74 65 73 74 FF FF FF FF FF");
    fsx_expect("00 B2 02 04 20", 0x9000,
               "61 18 4F 10 " USIM_AID " 50 04 55 53 49 4D"
               " FF FF FF FF FF FF");
    fsx_expect("00 B2 03 04 20", 0x6A83, "");
}

Test(unit_fs_usim, imsi_needs_pin1_and_is_shared_with_df_gsm)
{
    fsx_expect("00 A4 04 0C 10 " USIM_AID, 0x9000, "");
    fsx_expect("00 B0 87 00 09", 0x6982, "");          /* SFI 07: PIN1 */
    fsx_expect("00 20 00 01 08 " FSX_PIN1, 0x9000, "");
    fsx_expect("00 B0 87 00 09", 0x9000, "08 09 10 10 00 00 00 00 10");
    fsx_expect("00 A4 08 0C 04 7F 20 6F 07", 0x9000, "");
    fsx_expect("00 B0 00 00 09", 0x9000, "08 09 10 10 00 00 00 00 10");
    /* EF.LOCI through DF.GSM: the USIM's content changes too */
    fsx_expect("00 A4 08 0C 04 7F 20 6F 7E", 0x9000, "");
    fsx_expect("00 D6 00 00 04 01 02 03 04", 0x9000, "");
    fsx_expect("00 A4 04 0C 10 " USIM_AID, 0x9000, "");
    fsx_expect("00 B0 8B 00 04", 0x9000, "01 02 03 04");
    /* the IMSI: update ADM1 only */
    fsx_expect("00 D6 87 00 01 08", 0x6982, "");
}

Test(unit_fs_usim, authenticate_test_set_1_then_stale)
{
    fsx_expect(AUTH3G(AUTN_SQN32), 0x6985, "");      /* not in ADF.USIM */
    fsx_expect("00 A4 04 0C 10 " USIM_AID, 0x9000, "");
    fsx_expect(AUTH3G(AUTN_SQN32), 0x6982, "");      /* PIN1 */
    fsx_expect("00 20 00 01 08 " FSX_PIN1, 0x9000, "");
    /* TS 35.208 set 1: RES f2, CK f3, IK f4, Kc = c3(CK, IK) */
    fsx_expect(AUTH3G(AUTN_SQN32), 0x9000,
               "DB 08 A54211D5E3BA50BF 10 B40BA9A3C58B2A05BBF0D987B21BF8CB"
               " 10 F769BCD751044604127672711C6D3441 08 EAE4BE823AF9A08B");
    /* replayed: synchronisation failure with SQN_MS = 32:
     * AUTS = (32 xor f5* 451E8BECA43B) || MAC-S (osmo-auc-gen -A takes
     * it as SQN.MS 32) */
    fsx_expect(AUTH3G(AUTN_SQN32), 0x9000,
               "DC 0E 451E8BECA41B F8EE589D46D835C9");
    /* a bit of MAC-A flipped: 9862, nothing changes */
    fsx_expect(AUTH3G("AA689C6483508000904CBB451B65DEF9"), 0x9862, "");
    /* stale across a reboot too */
    cr_assert_eq(fsx_boot(), FS_MOUNTED);
    fsx_expect("00 A4 04 0C 10 " USIM_AID, 0x9000, "");
    fsx_expect("00 20 00 01 08 " FSX_PIN1, 0x9000, "");
    fsx_expect(AUTH3G(AUTN_SQN32), 0x9000,
               "DC 0E 451E8BECA41B F8EE589D46D835C9");
    /* GSM context: SRES = c2(RES), Kc = c3(CK, IK) */
    fsx_expect("00 88 00 80 11 10 " RAND1, 0x9000,
               "04 46F8416A 08 EAE4BE823AF9A08B");
}

Test(unit_fs_usim, sqn_beyond_delta_is_a_sync_failure)
{
    uint64_t before;

    fsx_expect("00 A4 04 0C 10 " USIM_AID, 0x9000, "");
    fsx_expect("00 20 00 01 08 " FSX_PIN1, 0x9000, "");
    /* TS 35.208 set 1's own SQN ff9bb4d0b607: SEQ far beyond 2^28 from
     * an all-zero array; AUTN = SQN xor f5 || AMF b9b9 || f1 */
    before = fsx_sim.ops;
    fsx_expect(AUTH3G("55F328B43577B9B94A9FFAC354DFAFB3"), 0x9000, NULL);
    cr_assert_eq(fsx_rsp[0], 0xDC, "a SQN beyond Delta was accepted");
    cr_assert_eq(fsx_sim.ops, before, "a sync failure wrote to the flash");
    /* personalised at SQN ff9bb4d0b607 - 32: the same AUTN is fresh */
    cr_assert_eq(usim_auth_set_sqn(fs_applet_fs(), 0xff9bb4d0b607ull - 32),
                 0x9000);
    fsx_expect(AUTH3G("55F328B43577B9B94A9FFAC354DFAFB3"), 0x9000, NULL);
    cr_assert_eq(fsx_rsp[0], 0xDB);
}

/*
 * CLA A0 (3GPP TS 51.011): SELECT answers 9Fxx and GET RESPONSE gives
 * the 9.2.1 response data; READ BINARY of EF_IMSI in DF_GSM needs CHV1
 * (9804); VERIFY CHV1 (9804 with tries left, 9000); UNBLOCK CHV1 (P2 00)
 * after three wrong CHV1 (9840); RUN GSM ALGORITHM (TS 35.208 set 1:
 * SRES = c2(f2), Kc = c3(f3, f4)).
 */
Test(unit_fs_usim, gsm_class_a0)
{
    /* SELECT MF: 22 bytes; FID 3F00, type 01, 9 bytes follow, 3 codes,
     * CHV1 status 83 (initialised, 3 tries), UNBLOCK CHV1 8A */
    fsx_expect("A0 A4 00 00 02 3F 00", 0x9F16, "");
    fsx_expect("A0 C0 00 00 16", 0x9000, NULL);
    cr_assert_eq(fsx_rsp[4], 0x3F);
    cr_assert_eq(fsx_rsp[5], 0x00);
    cr_assert_eq(fsx_rsp[6], 0x01);
    cr_assert_eq(fsx_rsp[12], 9);
    cr_assert_eq(fsx_rsp[16], 3);
    cr_assert_eq(fsx_rsp[18], 0x83);
    cr_assert_eq(fsx_rsp[19], 0x8A);
    fsx_expect("A0 A4 00 00 02 7F 20", 0x9F16, "");
    /* EF_IMSI: 15 bytes: size 0009, FID 6F07, EF, access READ CHV1 /
     * UPDATE ADM (1A), activated, transparent */
    fsx_expect("A0 A4 00 00 02 6F 07", 0x9F0F, "");
    fsx_expect("A0 C0 00 00 0F", 0x9000,
               "00 00 00 09 6F 07 04 00 1A FF AA 01 02 00 00");
    fsx_expect("A0 B0 00 00 09", 0x9804, "");
    fsx_expect("A0 20 00 01 08 31 32 33 35 FF FF FF FF", 0x9804, "");
    fsx_expect("A0 20 00 01 08 " FSX_PIN1, 0x9000, "");
    fsx_expect("A0 B0 00 00 09", 0x9000, "08 09 10 10 00 00 00 00 10");
    fsx_expect("A0 88 00 00 10 " RAND1, 0x9F0C, "");
    fsx_expect("A0 C0 00 00 0C", 0x9000, "46F8416A EAE4BE823AF9A08B");
    fsx_expect("A0 C0 00 00 0C", 0x6F00, "");        /* taken */
    fsx_expect("A0 F2 00 00 16", 0x9000, NULL);        /* STATUS: DF.GSM */
    cr_assert_eq(fsx_rsp[4], 0x7F);
    cr_assert_eq(fsx_rsp[5], 0x20);
    /* three wrong CHV1: blocked (9840), then UNBLOCK CHV1 with PUK1 */
    for (int i = 0; i < 2; i++) {
        fsx_expect("A0 20 00 01 08 31 32 33 35 FF FF FF FF", 0x9804, "");
    }
    fsx_expect("A0 20 00 01 08 31 32 33 35 FF FF FF FF", 0x9840, "");
    fsx_expect("A0 20 00 01 08 " FSX_PIN1, 0x9840, "");
    fsx_expect("A0 2C 00 00 10 " FSX_PUK1 FSX_PIN1, 0x9000, "");
    fsx_expect("A0 20 00 01 08 " FSX_PIN1, 0x9000, "");
    /* ISO class on the same card still works */
    fsx_expect("00 A4 00 0C 02 3F 00", 0x9000, "");
    fsx_expect("A0 12 00 00 00", 0x6D00, "");
}

/*
 * TS 51.011 9.2.1 (EF response data), byte 12: the file status of 9.3:
 * b1 = 1 not invalidated, 0 invalidated; b3 = 0 an invalidated file is
 * neither readable nor updatable (READ / UPDATE then answer 9810, 9.4.4
 * "file invalidated"). INVALIDATE (9.2.11) clears b1, REHABILITATE
 * (9.2.12) sets it again; both under ADM (EF.PLMNsel's byte 11: AA).
 * Real SIMs answer 01 for a valid file (pySim's own test vectors of
 * EF.ICCID and EF.MSISDN in tests/unittests/test_decode_select_resp.py).
 */
Test(unit_fs_usim, gsm_file_status_byte_is_ts_51_011_9_3)
{
    fsx_expect("A0 A4 00 00 02 7F 20", 0x9F16, "");
    fsx_expect("A0 A4 00 00 02 6F 30", 0x9F0F, "");
    /* EF.PLMNsel: 24 bytes, READ/UPDATE CHV1 (11), INCREASE NEV, REHAB /
     * INVALIDATE ADM (AA), status 01, 2 bytes follow, transparent */
    fsx_expect("A0 C0 00 00 0F", 0x9000,
               "00 00 00 18 6F 30 04 00 11 FF AA 01 02 00 00");
    fsx_expect("A0 20 00 01 08 " FSX_PIN1, 0x9000, "");
    fsx_expect("A0 04 00 00 00", 0x9804, "");        /* ADM not verified */
    fsx_expect("A0 20 00 0A 08 " FSX_ADM1, 0x9000, "");
    fsx_expect("A0 04 00 00 00", 0x9000, "");        /* INVALIDATE */
    fsx_expect("A0 A4 00 00 02 6F 30", 0x9F0F, "");
    fsx_expect("A0 C0 00 00 0F", 0x9000,
               "00 00 00 18 6F 30 04 00 11 FF AA 00 02 00 00");
    fsx_expect("A0 B0 00 00 03", 0x9810, "");
    fsx_expect("A0 D6 00 00 03 00 F1 10", 0x9810, "");
    fsx_expect("A0 44 00 00 00", 0x9000, "");        /* REHABILITATE */
    fsx_expect("A0 A4 00 00 02 6F 30", 0x9F0F, "");
    fsx_expect("A0 C0 00 00 0F", 0x9000,
               "00 00 00 18 6F 30 04 00 11 FF AA 01 02 00 00");
    fsx_expect("A0 B0 00 00 03", 0x9000, "00 F1 10");
}

/*
 * SEEK (TS 51.011 9.2.7 and 8.8) on DF.TELECOM's EF.ADN (linear fixed,
 * 10 x 30, free records all FF): type 1 sets the record pointer (READ
 * RECORD P2 04 then reads that record), type 2 also gives the record
 * number (9F01, GET RESPONSE); modes 0 from the beginning, 1 from the
 * end, 2 next, 3 previous; no match 9404 with the pointer unchanged;
 * pattern longer than a record 6700; a transparent EF 9408; P2 RFU 6B00.
 */
Test(unit_fs_usim, gsm_seek)
{
    char rec3[200], rec7[200], pad[100] = "", apdu[256];

    for (int i = 0; i < 27; i++) {
        strcat(pad, " FF");
    }
    snprintf(rec3, sizeof(rec3), "41 42 43%s", pad);
    snprintf(rec7, sizeof(rec7), "41 42 44%s", pad);
    fsx_expect("A0 20 00 01 08 " FSX_PIN1, 0x9000, "");
    fsx_expect("A0 A4 00 00 02 7F 10", 0x9F16, "");
    fsx_expect("A0 A4 00 00 02 6F 3A", 0x9F0F, "");
    snprintf(apdu, sizeof(apdu), "A0 DC 03 04 1E %s", rec3);
    fsx_expect(apdu, 0x9000, "");
    snprintf(apdu, sizeof(apdu), "A0 DC 07 04 1E %s", rec7);
    fsx_expect(apdu, 0x9000, "");
    /* type 1, from the beginning: record 3 becomes current */
    fsx_expect("A0 A2 00 00 02 41 42", 0x9000, "");
    fsx_expect("A0 B2 00 04 1E", 0x9000, rec3);
    /* type 2, next: record 7; again: none (9404), pointer stays */
    fsx_expect("A0 A2 00 12 02 41 42", 0x9F01, "");
    fsx_expect("A0 C0 00 00 01", 0x9000, "07");
    fsx_expect("A0 A2 00 12 02 41 42", 0x9404, "");
    fsx_expect("A0 B2 00 04 1E", 0x9000, rec7);
    /* previous: record 3; from the end: record 7 (41 42 44) */
    fsx_expect("A0 A2 00 13 02 41 42", 0x9F01, "");
    fsx_expect("A0 C0 00 00 01", 0x9000, "03");
    fsx_expect("A0 A2 00 11 03 41 42 44", 0x9F01, "");
    fsx_expect("A0 C0 00 00 01", 0x9000, "07");
    /* from the end backward, a pattern of free records: record 10 */
    fsx_expect("A0 A2 00 11 01 FF", 0x9F01, "");
    fsx_expect("A0 C0 00 00 01", 0x9000, "0A");
    fsx_expect("A0 A2 00 00 01 5A", 0x9404, "");
    /* 31 bytes: one more than a record */
    snprintf(apdu, sizeof(apdu), "A0 A2 00 00 1F 41 42 43%s FF", pad);
    fsx_expect(apdu, 0x6700, "");
    fsx_expect("A0 A2 00 20 01 41", 0x6B00, "");
    fsx_expect("A0 A2 01 00 01 41", 0x6B00, "");
    /* a transparent EF */
    fsx_expect("A0 A4 00 00 02 7F 20", 0x9F16, "");
    fsx_expect("A0 A4 00 00 02 6F 30", 0x9F0F, "");
    fsx_expect("A0 A2 00 00 01 00", 0x9408, "");
}
