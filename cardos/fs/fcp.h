/*
 * fcp: File Control Parameters templates (tag 62).
 *
 * fcp_build() writes the response of SELECT (P2 = 04) and STATUS as
 * ETSI TS 102 221 11.1.1.3 defines it:
 *   EF (11.1.1.3.2):   82 file descriptor (02: 41 21 transparent;
 *                      05: 42|46 21 00 <record length> <records> for
 *                      linear fixed | cyclic; 41/42/46 = shareable
 *                      working EF), 83 FID, 8A life cycle status,
 *                      8B 03 EF_ARR FID + record, 80 02 file size,
 *                      88 short file identifier (01 SFI<<3, or 00: none)
 *   MF/DF/ADF (11.1.1.3.1): 82 02 78 21 (shareable DF), 83 FID,
 *                      84 AID (ADF), A5 03 80 01 71 (MF: UICC
 *                      characteristics, clock stop allowed, no
 *                      preferred level), 8A, 8B 03, C6 PIN status
 *                      template (90 01 PS_DO bitmap, 83 01 key
 *                      reference per key, first key = b8 of PS_DO)
 *
 * fcp_parse() reads the FCP of CREATE FILE (ETSI TS 102 222 6.3):
 *   82 02 <41|78> 21 | 82 04/05 <42|46> 21 00 <rl> [<n>]   mandatory
 *   83 02 FID                                              mandatory
 *   84 AID (1..16; makes a DF an ADF)
 *   8A 01 life cycle (04 deactivated, anything else activated)
 *   8B 03 FID rec | 8B 2+2k FID (SEID rec)k: EF_ARR reference (the
 *        first record given); 8C / AB (compact / expanded inline
 *        attributes) are not supported: 6A80
 *   80 02 file size (EF: mandatory for transparent, record EFs take
 *        records = size / record length if 82 has no record count)
 *   88 01 SFI<<3 | 88 00 no SFI | absent: the FID's 5 low bits (1..30)
 *   A5, C6, 81, 86 and other tags: accepted and ignored.
 * Results: 9000; 6A80 malformed or inconsistent; 6A84 larger than
 * FS_MAX_FILE_SIZE. FIDs 3F00, 3FFF, 7FFF, FFFF are refused (6A80).
 *
 * Host-compilable.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_FS_FCP_H
#define CARDOS_FS_FCP_H

#include <stdbool.h>
#include <stdint.h>

#include "fs/fs.h"

#define FCP_MAX_LEN  96
#define FCP_MAX_KEYS 4

/* The keys listed in a DF's PIN status template. */
struct fcp_keys {
    uint8_t n;
    uint8_t ref[FCP_MAX_KEYS];
    bool enabled[FCP_MAX_KEYS];
};

/* Build the FCP of F into OUT (CAP >= FCP_MAX_LEN); returns its length. */
uint32_t fcp_build(const struct fs_file *f, const struct fcp_keys *keys,
                   uint8_t *out, uint32_t cap);

/* Parse a CREATE FILE FCP into F (no, parent, cyc_head left 0). */
uint16_t fcp_parse(const uint8_t *data, uint32_t len, struct fs_file *f);

/* File descriptor byte of a type (TS 102 221 11.1.1.4.3). */
uint8_t fcp_descriptor_byte(uint8_t type);

#endif /* CARDOS_FS_FCP_H */
