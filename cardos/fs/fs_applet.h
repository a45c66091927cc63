/*
 * fs_applet: the file system's commands, the card's default application
 * on every logical channel (apdu/dispatch.h dispatch_set_default).
 * Commands (ETSI TS 102 221 11, ETSI TS 102 222 6; any CLA the
 * dispatcher accepts; docs/fs.md has every P1/P2 and status word):
 *
 *   A4 SELECT         P1 00 FID (empty: MF; 3F00 MF; 7FFF current ADF;
 *                     a child of the current DF, the current DF, its
 *                     parent, a sibling DF), 01 child DF, 02 child EF,
 *                     03 parent DF, 04 DF name (ADFs; registered applets
 *                     are matched first by the dispatcher), 08 path from
 *                     the MF (a leading 3F00 is skipped), 09 path from the
 *                     current DF. P2 04 (or 00) FCP, 0C no data; b2b1 00
 *                     only. Deactivated file: selected, 6283.       T=0 in
 *   B0 READ BINARY    P1P2 offset (15 bits), or P1 = 100 SFI, P2 offset.
 *                     Returns min(Ne, rest) bytes (Ne absent: 256);
 *                     fewer than an explicit Ne (not 00): 6282.    T=0 out
 *   D6 UPDATE BINARY  same addressing, data 1..2048 bytes.          T=0 in
 *   B2 READ RECORD    P1 record (00 current), P2 SFI<<3 | mode: 04
 *                     absolute/current (pointer unchanged), 02 next, 03
 *                     previous (pointer moves; cyclic EFs wrap, linear
 *                     fixed EFs answer 6A83 past either end). Ne set and
 *                     smaller than the record: 6Cxx.               T=0 out
 *   DC UPDATE RECORD  same modes; data = record length (6700 else).
 *                     Cyclic EF: only P1 00 P2 03 (previous): the oldest
 *                     record is written and becomes record 1 (pointer
 *                     on it); other modes 6981.                     T=0 in
 *   A2 SEARCH RECORD  simple search: P1 start record (00: current, or the
 *                     first/last if none), P2 SFI<<3 | 04 forward, 05
 *                     backward; data = pattern (1..record length),
 *                     compared with the start of each record. Returns the
 *                     matching record numbers in search order, pointer on
 *                     the first; none: 6282.                        T=0 in
 *   F2 STATUS         P1 00/01/02, P2 00 FCP of the current DF, 01 DF
 *                     name (84 AID, an ADF), 0C nothing.           T=0 out
 *   20 VERIFY, 24 CHANGE REFERENCE DATA, 26 DISABLE / 28 ENABLE
 *                     VERIFICATION REQUIREMENT, 2C RESET RETRY COUNTER
 *                     (UNBLOCK): P1 00, P2 key reference (fs/pin.h).
 *                                                                  T=0 in
 *   E0 CREATE FILE    P1P2 0000, data = FCP (fs/fcp.h), created under the
 *                     current DF and selected.                      T=0 in
 *   E4 DELETE FILE    P1P2 0000, data = FID of a child of the current DF;
 *                     its subtree goes too.                         T=0 in
 *   88 AUTHENTICATE   3GPP TS 31.102 7.1.2 in ADF.USIM (fs/usim_auth.h):
 *                     P2 80 GSM context, 81 3G context; PIN1. T=0 in
 *   04 DEACTIVATE / 44 ACTIVATE FILE   P1P2 0000, no data: the current EF
 *                     (or DF if no EF); data FID: as SELECT P1 00 finds
 *                     it.                                           T=0 in
 *
 * Access is checked with the file's EF_ARR rule (fs/arr.h): READ for
 * read/search, UPDATE for updates, (DE)ACTIVATE, CREATE EF / DF on the
 * current DF, DELETE (self) on the file or DELETE (child) on its DF.
 * Denied: 6982. On a deactivated file, data commands answer 6985.
 * With the storage unusable (no store, or a damaged file system) every
 * command above answers 6581. Other INS: 6D00.
 *
 * State: per channel the current DF, EF and record pointer (MF, none,
 * undefined after selection or reset); the security status (verified
 * keys) is per card session, shared by the channels, cleared by reset.
 *
 * Host-compilable.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_FS_FS_APPLET_H
#define CARDOS_FS_FS_APPLET_H

#include <stdint.h>

#include "fs/fs.h"
#include "apdu/applet.h"
#include "apdu/session.h"

#define FS_INS_DEACTIVATE   0x04u
#define FS_INS_VERIFY       0x20u
#define FS_INS_CHANGE       0x24u
#define FS_INS_DISABLE      0x26u
#define FS_INS_ENABLE       0x28u
#define FS_INS_UNBLOCK      0x2Cu
#define FS_INS_ACTIVATE     0x44u
#define FS_INS_SEARCH       0xA2u
#define FS_INS_SELECT       0xA4u
#define FS_INS_READ_BINARY  0xB0u
#define FS_INS_READ_RECORD  0xB2u
#define FS_INS_UPDATE_BINARY 0xD6u
#define FS_INS_UPDATE_RECORD 0xDCu
#define FS_INS_CREATE       0xE0u
#define FS_INS_DELETE       0xE4u
#define FS_INS_STATUS       0xF2u
#define FS_INS_AUTHENTICATE 0x88u

/*
 * Mount the card's file system on ST (NULL: storage unusable, every file
 * command answers 6581); creates the first-boot tree on an empty store.
 * Returns fs_mount()'s result. Resets the channels and the session.
 */
int fs_applet_mount(struct store *st);
/*
 * Take the file system out of use without a log line (the storage is
 * about to be reformatted, applets/perso_applet.h): every file command
 * answers 6581 until the next fs_applet_mount(). Resets the channels and
 * the session.
 */
void fs_applet_unmount(void);
/*
 * Install the USIM profile and the GSM SIM files on the mounted file
 * system when they are missing (fs/usim_profile.h): after
 * fs_applet_mount() on the card. 9000 or the failing status word.
 */
uint16_t fs_applet_install_usim(void);
/* Is key REF verified in the card session (or a disabled PIN)? For the
 * personalization application's ADM1 check, through card/. */
bool fs_applet_key_verified(uint8_t ref);
/* The application, for dispatch_set_default(). */
const struct applet *fs_applet(void);
/* The mounted file system (tests, diagnostics). */
struct fs *fs_applet_fs(void);

#endif /* CARDOS_FS_FS_APPLET_H */
