/*
 * ISO/IEC 7816-4 command APDUs (5.1, 5.4.1) and response APDUs.
 *
 * Command parsing follows ISO/IEC 7816-4:2013 5.1 (and 7816-3:2006 12.1.3
 * for the decoding procedure). With L the number of bytes after the
 * 4-byte header (CLA INS P1 P2):
 *   L = 0                          case 1
 *   L = 1                          case 2S, Le = B1 (00 means Ne = 256)
 *   B1 != 0, L = 1 + B1            case 3S, Lc = B1
 *   B1 != 0, L = 2 + B1            case 4S, Le = last byte
 *   B1 = 0, L = 3                  case 2E, Le = B2B3 (0000 means 65536)
 *   B1 = 0, B2B3 != 0, L = 3+Lc    case 3E
 *   B1 = 0, B2B3 != 0, L = 5+Lc    case 4E, Le = last two (0000: 65536)
 * Anything else (fewer than 4 bytes, extended Lc = 0, lengths that do not
 * add up) is malformed: apdu_parse() returns SW 6700.
 *
 * Responses are built in place, like a Java Card APDU buffer: the command
 * is parsed in the caller's buffer and the response data is written to
 * the start of the same buffer (memmove-safe), then SW1 SW2 is appended.
 *
 * No hardware access; compiles on the host.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_APDU_APDU_H
#define CARDOS_APDU_APDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define APDU_MAX_NC       65535u
#define APDU_MAX_NE       65536u
/* Longest command: header, extended Lc (3), 65535 data, extended Le (2). */
#define APDU_MAX_CMD_LEN  (4u + 3u + APDU_MAX_NC + 2u)
/* One buffer holds any command and any response (65536 data + SW). */
#define APDU_BUF_SIZE     APDU_MAX_CMD_LEN

/* Status words used by the card OS (ISO/IEC 7816-4:2013 5.6). */
#define SW_OK                       0x9000u
#define SW_BYTES_REMAINING(n)       (0x6100u | ((n) & 0xffu))
#define SW_MEMORY_FAILURE           0x6581u
#define SW_WRONG_LENGTH             0x6700u
#define SW_LOGICAL_CHANNEL_NOT_SUPPORTED 0x6881u
#define SW_SECURE_MESSAGING_NOT_SUPPORTED 0x6882u
#define SW_COMMAND_CHAINING_NOT_SUPPORTED 0x6884u
#define SW_CONDITIONS_NOT_SATISFIED 0x6985u
#define SW_WRONG_DATA               0x6A80u
#define SW_FUNC_NOT_SUPPORTED       0x6A81u
#define SW_FILE_NOT_FOUND           0x6A82u
#define SW_INCORRECT_P1P2           0x6A86u
#define SW_WRONG_P1P2               0x6B00u
#define SW_CORRECT_LENGTH(n)        (0x6C00u | ((n) & 0xffu))
#define SW_INS_NOT_SUPPORTED        0x6D00u
#define SW_CLA_NOT_SUPPORTED        0x6E00u
#define SW_UNKNOWN                  0x6F00u

enum apdu_case {
    APDU_CASE_1 = 1,
    APDU_CASE_2S,
    APDU_CASE_3S,
    APDU_CASE_4S,
    APDU_CASE_2E,
    APDU_CASE_3E,
    APDU_CASE_4E,
};

struct apdu {
    uint8_t cla, ins, p1, p2;
    enum apdu_case kase;
    bool extended;
    uint32_t nc;            /* data bytes (Lc), 0 if no data field */
    const uint8_t *data;    /* into the caller's buffer; NULL if nc == 0 */
    bool le_present;
    uint32_t ne;            /* expected bytes: 0 (no Le), 1..256 or 1..65536 */
};

/* Parse @len bytes at @buf. SW_OK, or SW_WRONG_LENGTH if malformed. */
uint16_t apdu_parse(const uint8_t *buf, size_t len, struct apdu *out);

/* The GSM SIM class of 3GPP TS 51.011 (ISO reserves 1010 xxxx): not a
 * class apdu_class_decode() accepts; the dispatcher hands it to a
 * default application that takes it (apdu/applet.h gsm_class). */
#define APDU_CLA_GSM      0xA0u

/* The class byte, ISO/IEC 7816-4:2013 5.4.1 (see dispatch.h for use). */
struct apdu_class {
    bool valid;          /* false: RFU (001x xxxx) or FF */
    bool proprietary;    /* b8 = 1 */
    bool chaining;       /* command chaining (b5) */
    uint8_t sm;          /* secure messaging indication, 0 = none */
    uint8_t channel;     /* 0..19 */
};

/*
 * Decode CLA. Interindustry 000x xxxx: channel b2b1 (0..3), SM b4b3,
 * chaining b5. Further interindustry 01xx xxxx: channel 4 + b4..b1
 * (4..19), SM b6, chaining b5. Proprietary classes are read the same way
 * with b8 ignored (as GlobalPlatform does: 80..8F, C0..FF), except FF
 * (invalid, PPSS) and 90..BF (not ours: invalid).
 */
struct apdu_class apdu_class_decode(uint8_t cla);

/* A response under construction in the APDU buffer. */
struct apdu_response {
    uint8_t *buf;       /* the APDU buffer */
    size_t cap;         /* its size; data may use cap - 2 bytes */
    size_t len;         /* response data bytes written so far */
    uint16_t sw;
};

void apdu_response_init(struct apdu_response *rsp, uint8_t *buf, size_t cap);
/* Copy @n bytes (may overlap the buffer) as the data; false if too long. */
bool apdu_response_set_data(struct apdu_response *rsp, const void *data, size_t n);
/* Append bytes; false (nothing appended) if they do not fit. */
bool apdu_response_append(struct apdu_response *rsp, const void *data, size_t n);
/*
 * The response is the @n bytes already at the start of the buffer, unless
 * the command's Le asks for fewer (Ne < @n): then no data goes back and
 * the status word tells the terminal: 6Cxx (xx = @n, 00 = 256) for a
 * short APDU when @n <= 256, else 6700 (ISO/IEC 7816-3:2006 10.3.3 for
 * 6Cxx; 7816-4:2013 5.3.4). Otherwise rsp->len = @n and the status word
 * is left as it is.
 */
void apdu_response_fit_le(const struct apdu *cmd, struct apdu_response *rsp,
                          size_t n);
/* Append SW1 SW2 after the data; returns the R-APDU length. */
size_t apdu_response_finish(struct apdu_response *rsp);

#endif /* CARDOS_APDU_APDU_H */
