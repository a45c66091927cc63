/*
 * ras_codec — the ETSI TS 102 226 "expanded" remote APDU format as used by
 * GlobalPlatform Amendment B v1.1.3 (section 3.5 / 3.6: the body of a
 * server response is a command script, the body of the card's next POST
 * its response script).
 *
 * Contract:
 *  - Command script (TS 102 226 clause 5.2.1): definite form
 *    'AA' L { '22' L C-APDU }*, or indefinite form
 *    'AE' '80' { '22' L C-APDU }* '00' '00'. Lengths are BER-TLV
 *    (ISO/IEC 8825-1): one byte below 128, '81' xx, '82' xx xx, '83' xx xx xx.
 *  - Response script (TS 102 226 clause 5.2.2): 'AB' L or 'AF' '80' ... '00'
 *    '00' holding '80' 01 n (number of C-APDUs executed), one '23' L R-APDU
 *    per executed command (data + SW1 SW2) and optionally '90' 01 e
 *    (bad format: 01 unknown tag, 02 wrong length, 03 length missing).
 *    Unknown tags inside a script are skipped (TS 102 226 5.2: a receiver
 *    ignores TLVs it does not know in the expanded format).
 *  - Every parser is bounded by its input length, never reads past it and
 *    returns a negative RAS_E* on malformed input. No global state; no
 *    GLib: the card-side load generator and the unit tests link it alone.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_RAS_CODEC_H
#define NETCARD_RAS_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RAS_TAG_SCRIPT_DEF    0xAA  /* command script, definite length */
#define RAS_TAG_SCRIPT_INDEF  0xAE  /* command script, indefinite length */
#define RAS_TAG_RESP_DEF      0xAB  /* response script, definite */
#define RAS_TAG_RESP_INDEF    0xAF  /* response script, indefinite */
#define RAS_TAG_CAPDU         0x22
#define RAS_TAG_RAPDU         0x23
#define RAS_TAG_COUNT         0x80  /* number of executed commands */
#define RAS_TAG_BAD_FORMAT    0x90

#define RAS_E_TRUNCATED  (-1)   /* input ends inside a TLV */
#define RAS_E_FORMAT     (-2)   /* wrong outer tag or malformed length */
#define RAS_E_TOO_MANY   (-3)   /* more items than the caller's bound */
#define RAS_E_NOMEM      (-4)

/* A growable byte buffer (malloc). */
typedef struct RasBytes {
    uint8_t *p;
    size_t len, cap;
} RasBytes;

bool ras_bytes_append(RasBytes *b, const void *data, size_t n);
void ras_bytes_free(RasBytes *b);

/* A byte string inside someone else's buffer. */
typedef struct RasSpan {
    const uint8_t *p;
    size_t len;
} RasSpan;

/* BER length octets for LEN into OUT (at most 4); returns their count. */
size_t ras_ber_len_put(size_t len, uint8_t out[4]);
/* Decode a BER length at P (AVAIL bytes): *LEN the value, *HDR the number
 * of length octets. 0 on success, RAS_E_TRUNCATED / RAS_E_FORMAT. The
 * indefinite form '80' is RAS_E_FORMAT here (only the outer tags allow it). */
int ras_ber_len_get(const uint8_t *p, size_t avail, size_t *len, size_t *hdr);

/* Append TAG LEN VALUE (BER length). */
bool ras_tlv_put(RasBytes *b, uint8_t tag, const uint8_t *v, size_t n);

/* Encode N C-APDUs as a command script: definite ('AA') or indefinite
 * ('AE' 80 ... 00 00). Appends to OUT; false on allocation failure. */
bool ras_script_encode(RasBytes *out, const RasSpan *apdus, size_t n,
                       bool indefinite);

/* Parse a command script: fills up to MAX spans (pointing into BUF) and
 * returns their number, or a negative RAS_E*. */
int ras_script_parse(const uint8_t *buf, size_t len, RasSpan *apdus,
                     size_t max);

/* A parsed response script. */
typedef struct RasResults {
    bool indefinite;
    int executed;            /* the '80' count, -1 when absent */
    int bad_format;          /* the '90' value, -1 when absent */
    size_t n_rapdus;
    RasSpan *rapdus;         /* malloc'd array pointing into the input */
} RasResults;

/* Parse a response script ('AB' or 'AF'); at most MAX R-APDUs. 0 or a
 * negative RAS_E*. Free with ras_results_free (also after a failure). */
int ras_results_parse(const uint8_t *buf, size_t len, RasResults *r,
                      size_t max);
void ras_results_free(RasResults *r);

/* Encode a response script (the card side: the load generator). */
bool ras_results_encode(RasBytes *out, int executed, const RasSpan *rapdus,
                        size_t n, bool indefinite);

/* Hex helpers: ras_unhex accepts upper/lower case and ignores spaces;
 * returns the byte count or -1. ras_hex writes 2n+1 chars. */
long ras_unhex(const char *hex, uint8_t *out, size_t cap);
void ras_hex(const uint8_t *p, size_t n, char *out);

#endif /* NETCARD_RAS_CODEC_H */
