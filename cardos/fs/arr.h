/*
 * arr: access rules referenced through EF_ARR (ETSI TS 102 221 9.2.4,
 * ISO/IEC 7816-4:2013 7.4.3 expanded format).
 *
 * A file's header names an EF_ARR (FID) and a record in it (FCP tag 8B).
 * The EF_ARR is looked up in the DF of the file (for an EF: its parent;
 * for a DF: the DF itself), then in each parent DF up to the MF. Its
 * record holds access rules in expanded format: an access mode data
 * object (AM_DO, tag 80, one access mode byte) followed by one or more
 * security condition data objects (SC_DO), which are alternatives (any
 * one satisfied grants the access):
 *   90 00          always
 *   97 00          never
 *   A4 L {83 01 ref [95 01 usage]}   user authentication: key reference
 *                  ref verified in this session (or a disabled PIN)
 *   A0 L {SC_DO..} OR template;  AF L {SC_DO..} AND template
 * Anything else (secure messaging CRTs B4/B6/B8, AM_DO 81..8F with
 * command descriptions) is never satisfied. An access mode no AM_DO of
 * the rule covers is denied, as is a file without a rule or whose EF_ARR
 * or record is missing. Trailing FF bytes (record padding) end the rule.
 *
 * Access mode bits (ISO/IEC 7816-4 tables 17/18):
 *   EF: b1 READ/SEARCH, b2 UPDATE, b3 WRITE, b4 DEACTIVATE, b5 ACTIVATE,
 *       b6 TERMINATE, b7 DELETE FILE (self)
 *   DF: b1 DELETE FILE (child), b2 CREATE FILE (EF), b3 CREATE FILE (DF),
 *       b4 DEACTIVATE, b5 ACTIVATE, b6 TERMINATE, b7 DELETE FILE (self)
 *
 * Host-compilable.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_FS_ARR_H
#define CARDOS_FS_ARR_H

#include <stdbool.h>
#include <stdint.h>

#include "fs/fs.h"

#define ARR_AM_READ          0x01u
#define ARR_AM_UPDATE        0x02u
#define ARR_AM_WRITE         0x04u
#define ARR_AM_DEACTIVATE    0x08u
#define ARR_AM_ACTIVATE      0x10u
#define ARR_AM_TERMINATE     0x20u
#define ARR_AM_DELETE_SELF   0x40u
#define ARR_AM_DELETE_CHILD  0x01u   /* DF */
#define ARR_AM_CREATE_EF     0x02u   /* DF */
#define ARR_AM_CREATE_DF     0x04u   /* DF */

/* Is key reference REF satisfied (verified, or a disabled PIN)? */
typedef bool (*arr_key_fn)(void *ctx, uint8_t ref);

/* Does the expanded-format RULE grant access mode AM (one bit)? */
bool arr_rule_allows(const uint8_t *rule, uint32_t len, uint8_t am,
                     arr_key_fn key_ok, void *ctx);

/* Check access mode AM on file F: 9000, 6982 (denied), 6581. */
uint16_t arr_check(const struct fs *fs, const struct fs_file *f, uint8_t am,
                   arr_key_fn key_ok, void *ctx);

#endif /* CARDOS_FS_ARR_H */
