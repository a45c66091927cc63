/*
 * The UICC profile: the first-boot file system. Contract and values:
 * fs/profile.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "fs/profile.h"
#include "fs/pin.h"

#define ARR_REC_LEN 20
#define DIR_REC_LEN 32

static const uint8_t iccid[10] = { 0x98, 0x94, 0x20, 0x00, 0x00,
                                   0x21, 0x43, 0x65, 0x87, 0xF9 };

static const uint8_t dir_record[] = {
    0x61, 0x19, 0x4F, 0x09, 0xF0, 0x6E, 0x65, 0x74, 0x63, 0x61, 0x72, 0x64,
    0x01, 0x50, 0x0C, 'n', 'e', 't', 'c', 'a', 'r', 'd', ' ', 't', 'e', 's',
    't',
};

static const uint8_t arr_rules[5][ARR_REC_LEN] = {
    { 0x80, 0x01, 0x01, 0x90, 0x00, 0x80, 0x01, 0x1A, 0xA4, 0x06, 0x83, 0x01,
      0x0A, 0x95, 0x01, 0x08, 0xFF, 0xFF, 0xFF, 0xFF },
    { 0x80, 0x01, 0x01, 0x90, 0x00, 0x80, 0x01, 0x02, 0xA4, 0x06, 0x83, 0x01,
      0x01, 0x95, 0x01, 0x08, 0xFF, 0xFF, 0xFF, 0xFF },
    { 0x80, 0x01, 0x03, 0xA4, 0x06, 0x83, 0x01, 0x01, 0x95, 0x01, 0x08, 0xFF,
      0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF },
    { 0x80, 0x01, 0x03, 0x90, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
      0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF },
    { 0x80, 0x01, 0x5F, 0xA4, 0x06, 0x83, 0x01, 0x0A, 0x95, 0x01, 0x08, 0xFF,
      0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF },
};

static uint16_t create(struct fs *fs, uint8_t parent, uint8_t type,
                       uint16_t fid, uint8_t sfi, uint8_t arr_rec,
                       uint8_t rec_len, uint8_t nrec, uint16_t size,
                       const uint8_t *content, uint32_t content_len,
                       uint8_t *no)
{
    struct fs_file f;
    uint16_t sw;

    memset(&f, 0, sizeof(f));
    f.parent = parent;
    f.type = type;
    f.fid = fid;
    f.sfi = sfi;
    f.lcs = FS_LCS_ACTIVATED;
    f.arr_fid = PROFILE_FID_ARR;
    f.arr_rec = arr_rec;
    f.rec_len = rec_len;
    f.nrec = nrec;
    f.size = fs_type_is_record(type) ? (uint16_t)(rec_len * nrec) : size;
    sw = fs_create(fs, &f);
    if (sw == FS_SW_OK && content_len > 0) {
        sw = fs_write(fs, &f, 0, content, content_len, false);
    }
    if (no) {
        *no = f.no;
    }
    return sw;
}

uint16_t fs_profile_create(struct fs *fs)
{
    static const struct pin_rec pin1 = {
        .ref = 0x01, .enabled = true, .can_disable = true, .max = 3,
        .left = 3, .value = { '1', '2', '3', '4', 0xFF, 0xFF, 0xFF, 0xFF },
        .puk_max = 10, .puk_left = 10,
        .puk = { '1', '2', '3', '4', '5', '6', '7', '8' },
    };
    static const struct pin_rec adm1 = {
        .ref = 0x0A, .enabled = true, .can_disable = false, .max = 10,
        .left = 10, .value = { '8', '8', '8', '8', '8', '8', '8', '8' },
    };
    uint8_t dir[DIR_REC_LEN], pl[10];
    uint8_t mf = 0;
    uint16_t sw;

    memset(dir, 0xFF, sizeof(dir));
    memcpy(dir, dir_record, sizeof(dir_record));
    memset(pl, 0xFF, sizeof(pl));
    pl[0] = 'e';
    pl[1] = 'n';

    sw = create(fs, 0, FS_T_MF, FS_FID_MF, 0, 5, 0, 0, 0, NULL, 0, &mf);
    if (sw == FS_SW_OK) {
        sw = create(fs, mf, FS_T_LINEAR, PROFILE_FID_ARR, 0x06, 1, ARR_REC_LEN,
                    5, 0, &arr_rules[0][0], sizeof(arr_rules), NULL);
    }
    if (sw == FS_SW_OK) {
        sw = create(fs, mf, FS_T_LINEAR, PROFILE_FID_DIR, 0x1E, 1, DIR_REC_LEN,
                    1, 0, dir, sizeof(dir), NULL);
    }
    if (sw == FS_SW_OK) {
        sw = create(fs, mf, FS_T_TRANSPARENT, PROFILE_FID_ICCID, 0x02, 1, 0, 0,
                    sizeof(iccid), iccid, sizeof(iccid), NULL);
    }
    if (sw == FS_SW_OK) {
        sw = create(fs, mf, FS_T_TRANSPARENT, PROFILE_FID_PL, 0x05, 2, 0, 0,
                    sizeof(pl), pl, sizeof(pl), NULL);
    }
    if (sw == FS_SW_OK) {
        sw = create(fs, mf, FS_T_DF, PROFILE_FID_TELECOM, 0, 5, 0, 0, 0, NULL,
                    0, NULL);
    }
    if (sw == FS_SW_OK) {
        sw = pin_put(fs, &pin1);
    }
    if (sw == FS_SW_OK) {
        sw = pin_put(fs, &adm1);
    }
    return sw;
}

const struct fs_first_boot fs_uicc_profile = {
    .create = fs_profile_create,
    .summary = "MF, EF_DIR, EF_ICCID, EF_PL, EF_ARR, DF_TELECOM",
};
