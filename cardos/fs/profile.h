/*
 * The UICC profile: the file system a card gets on its first boot (an
 * erased NVM; fs_applet.c hands fs_uicc_profile to fs_mount()),
 * with documented test values (docs/fs.md):
 *
 *   MF 3F00                      ARR 2F06 record 5
 *   +-- EF_DIR   2F00 linear fixed, 1 record of 32 bytes, SFI 1E, ARR 1:
 *   |            61 19 4F 09 F06E65746361726401 50 0C "netcard test" FF..
 *   +-- EF_ICCID 2FE2 transparent, 10 bytes, SFI 02, ARR 1:
 *   |            98 94 20 00 00 21 43 65 87 F9 (ICCID 8949020000123456789)
 *   +-- EF_PL    2F05 transparent, 10 bytes, SFI 05, ARR 2: 65 6E FF..FF
 *   +-- EF_ARR   2F06 linear fixed, 5 records of 20 bytes, SFI 06, ARR 1
 *   +-- DF_TELECOM 7F10          ARR 2F06 record 5
 *
 *   EF_ARR records (expanded format, FF padded):
 *     1  80 01 01 90 00 80 01 1A A4 06 83 01 0A 95 01 08
 *        read: always; update, deactivate, activate: ADM1
 *     2  80 01 01 90 00 80 01 02 A4 06 83 01 01 95 01 08
 *        read: always; update: PIN1
 *     3  80 01 03 A4 06 83 01 01 95 01 08      read, update: PIN1
 *     4  80 01 03 90 00                        read, update: always
 *     5  80 01 5F A4 06 83 01 0A 95 01 08      (DF) delete child, create
 *        EF/DF, deactivate, activate, delete self: ADM1
 *
 *   Keys: PIN1 (ref 01) "1234" = 31 32 33 34 FF FF FF FF, 3 tries,
 *         enabled; PUK1 "12345678", 10 tries; ADM1 (ref 0A) "88888888",
 *         10 tries (cannot be disabled).
 *
 * Host-compilable.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_FS_PROFILE_H
#define CARDOS_FS_PROFILE_H

#include <stdint.h>

#include "fs/fs.h"

#define PROFILE_FID_DIR     0x2F00u
#define PROFILE_FID_ICCID   0x2FE2u
#define PROFILE_FID_PL      0x2F05u
#define PROFILE_FID_ARR     0x2F06u
#define PROFILE_FID_TELECOM 0x7F10u

/* Create the first-boot tree and keys on an empty fs (fs->ready). */
uint16_t fs_profile_create(struct fs *fs);

/* fs_profile_create as fs_mount()'s first boot (fs/fs.h). */
extern const struct fs_first_boot fs_uicc_profile;

#endif /* CARDOS_FS_PROFILE_H */
