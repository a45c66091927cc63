/*
 * The USIM profile (3GPP TS 31.102) and the GSM SIM files (TS 51.011):
 * what fs/profile.h's UICC profile does not create, installed by
 * usim_profile_install() on a mounted file system, with documented test
 * values (docs/usim.md):
 *
 *   MF
 *   +-- EF.UMPC 2F08          5 bytes, SFI 08 (TS 102 221 13.6)
 *   +-- EF.DIR  2F00          grown to 2 records: record 2 names ADF.USIM
 *   +-- ADF.USIM  AID A0000000871002FFFFFFFF894E430001
 *   |   +-- EF.ARR 6F06, EF.IMSI 6F07, EF.AD 6FAD, EF.UST 6F38, EF.EST
 *   |   |   6F56, EF.ACC 6F78, EF.SPN 6F46, EF.LI 6F05, EF.HPPLMN 6F31,
 *   |   |   EF.PLMNwAcT 6F60, EF.OPLMNwAcT 6F61, EF.HPLMNwAcT 6F62,
 *   |   |   EF.FPLMN 6F7B, EF.LOCI 6F7E, EF.PSLOCI 6F73, EF.EPSLOCI 6FE3,
 *   |   |   EF.EPSNSC 6FE4, EF.KEYS 6F08, EF.KEYSPS 6F09, EF.START-HFN
 *   |   |   6F5B, EF.THRESHOLD 6F5C, EF.ECC 6FB7, EF.MSISDN 6F40, EF.SMS
 *   |   |   6F3C, EF.SMSP 6F42, EF.SMSS 6F43
 *   |   +-- DF.GSM-ACCESS 5F3B: EF.Kc 4F20, EF.KcGPRS 4F52
 *   +-- DF.GSM 7F20: EF.IMSI 6F07, EF.Kc 6F20, EF.PLMNsel 6F30, EF.HPPLMN
 *   |   6F31, EF.SST 6F38, EF.ACC 6F78, EF.FPLMN 6F7B, EF.LOCI 6F7E,
 *   |   EF.AD 6FAD, EF.SPN 6F46, EF.PLMNwAcT 6F60, EF.OPLMNwAcT 6F61,
 *   |   EF.HPLMNwAcT 6F62, EF.KcGPRS 6F52, EF.LOCIGPRS 6F53, EF.ARR 6F06
 *   +-- DF.TELECOM 7F10: EF.ADN 6F3A, EF.MSISDN 6F40, EF.SMS 6F3C,
 *       EF.SMSP 6F42, EF.SMSS 6F43, EF.ARR 6F06
 *
 * Files of DF.GSM / DF.TELECOM that the specifications make the same
 * data as ADF.USIM's are links to them (fs/fs.h): only EF.PLMNsel,
 * EF.SST and EF.ADN have content of their own. Access rules: ADF.USIM's
 * EF.ARR 6F06 (DF.GSM and DF.TELECOM link to it), records:
 *   1 read ALW; update, (de)activate ADM1
 *   2 read ALW; update PIN1; (de)activate ADM1
 *   3 read, update PIN1 (or ADM1); (de)activate ADM1
 *   4 read PIN1; update, (de)activate ADM1
 *   5 (DF) ADM1 for every DF access mode
 *
 * When: at every mount of a working file system (card/: after
 * fs_applet_mount(), at boot and after FORMAT NVM), so that a card whose
 * store was created by an older image (UICC profile only) gets the files
 * too. Installed once: the last step writes a marker object
 * (USIM_OBJ_MARKER); until it is there every step is redone from the
 * start (files created when missing, their documented content written
 * again), so a power cut during the installation is finished by the next
 * boot. The USIM keys (Ki, OPc) and the SQN array come from
 * fs/usim_auth.h (usim_auth_personalise).
 *
 * Host-compilable.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_FS_USIM_PROFILE_H
#define CARDOS_FS_USIM_PROFILE_H

#include <stdint.h>

#include "fs/fs.h"

#define USIM_AID_LEN      16
extern const uint8_t usim_aid[USIM_AID_LEN];

#define USIM_FID_ADF      0x7FF0u   /* the ADF's FID (TS 31.102: any) */
#define USIM_FID_ARR      0x6F06u
#define USIM_FID_IMSI     0x6F07u
#define USIM_FID_LOCI     0x6F7Eu
#define USIM_FID_GSM      0x7F20u
#define USIM_FID_UMPC     0x2F08u

/* Store object marking a completed installation (fs range, not a key). */
#define USIM_OBJ_MARKER   FS_OBJ_KEY(0xF0)

/*
 * Install the profile if the marker is missing: 9000 (installed now or
 * before) or the first failing status word (the next call starts over).
 * Logs "I usim: created ADF.USIM, DF.GSM, DF.TELECOM files, EF.UMPC" and
 * "I fs: <n> files" when it installed.
 */
uint16_t usim_profile_install(struct fs *fs);

#endif /* CARDOS_FS_USIM_PROFILE_H */
