/*
 * Answer-to-Reset (ISO/IEC 7816-3:2006 8.2): the card's own ATR, and a
 * parser for any ATR (used by the unit tests and usable by host tools).
 *
 * The netcard ATR (docs/iso7816-card.md explains every byte):
 *
 *   3B 9D 96 80 31 FE 45 80 57 6E 65 74 63 61 72 64 73 F6 21 5F TCK
 *
 *   TS 3B direct convention; T0 9D: TA1, TD1, 13 historical bytes;
 *   TA1 96: Fi = 512, Di = 32 (fmax 5 MHz); TD1 80: T=0, TD2 follows;
 *   TD2 31: T=1, TA3 and TB3 follow; TA3 FE: IFSC 254; TB3 45: BWI 4,
 *   CWI 5; historical bytes: category 80, COMPACT-TLV 57 "netcard"
 *   (card issuer's data), 73 F6 21 5F (card capabilities); TCK.
 *
 * No hardware access; compiles on the host.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_ISO7816_ATR_H
#define CARDOS_ISO7816_ATR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ATR_MAX_LEN 33

/* The card's parameters, as advertised by atr_build(). */
#define ATR_CARD_TA1        0x96u   /* Fi = 512, Di = 32 */
#define ATR_CARD_IFSC       254u
#define ATR_CARD_BWI        4u
#define ATR_CARD_CWI        5u

/* Fi / Di from the TA1 (and PPS1) codes, ISO/IEC 7816-3:2006 Tables 7, 8. 0 = RFU. */
unsigned atr_fi_from_code(uint8_t code);   /* high nibble of TA1 */
unsigned atr_fmax_khz_from_code(uint8_t code);
unsigned atr_di_from_code(uint8_t code);   /* low nibble of TA1 */

/* Write the card's ATR into @buf (>= ATR_MAX_LEN); returns its length. */
size_t atr_build(uint8_t *buf, size_t cap);

enum atr_error {
    ATR_OK = 0,
    ATR_ERR_TRUNCATED,     /* fewer bytes than T0/TDi/K announce */
    ATR_ERR_TS,            /* TS neither 3B nor 3F */
    ATR_ERR_TCK,           /* TCK present and the XOR of T0..TCK != 0 */
    ATR_ERR_TOO_LONG,      /* bytes after the end, or more than 33 */
};

#define ATR_MAX_GROUPS 8

struct atr_info {
    bool inverse;                 /* TS = 3F */
    uint8_t ta[ATR_MAX_GROUPS + 1], tb[ATR_MAX_GROUPS + 1];
    uint8_t tc[ATR_MAX_GROUPS + 1], td[ATR_MAX_GROUPS + 1];
    bool has_ta[ATR_MAX_GROUPS + 1], has_tb[ATR_MAX_GROUPS + 1];
    bool has_tc[ATR_MAX_GROUPS + 1], has_td[ATR_MAX_GROUPS + 1];
    unsigned groups;              /* highest i with an interface byte */
    uint8_t hist[15];
    unsigned hist_len;
    bool has_tck;
    uint8_t tck;
    uint16_t protocols;           /* bit T for each T in TD1, TD2, ... */
    unsigned first_protocol;      /* T of TD1, or 0 if TD1 absent */
    /* Derived global and T=1 parameters (defaults if absent). */
    unsigned fi, di, fmax_khz;    /* from TA1 (372, 1, 5000 by default) */
    unsigned n;                   /* extra guard time, TC1 (0) */
    bool specific_mode;           /* TA2 present */
    unsigned wi;                  /* T=0 TC2 (10) */
    unsigned ifsc;                /* T=1: first TA after a TD with T=1 (32) */
    unsigned bwi, cwi;            /* T=1: first TB (4, 13) */
    bool crc;                     /* T=1: first TC b1 (false: LRC) */
};

/*
 * Parse an ATR (direct convention bytes as received, i.e. TS first).
 * TCK is required to be correct when present, and present when a
 * protocol other than T=0 is indicated.
 */
enum atr_error atr_parse(const uint8_t *atr, size_t len, struct atr_info *out);

#endif /* CARDOS_ISO7816_ATR_H */
