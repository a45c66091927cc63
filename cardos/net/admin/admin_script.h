/*
 * Remote administration scripts in the expanded format of ETSI TS 102 226
 * 5.2 (GlobalPlatform Amendment B 3.5: the HTTP bodies of the admin
 * protocol). Pure code: no lwIP, no hardware; unit-tested on the host
 * (tests/unit/test_admin_script.c).
 *
 * Command script (TS 102 226 5.2.1):
 *   AA L { 22 L C-APDU }...             definite length
 *   AE 80 { 22 L C-APDU }... 00 00      indefinite length
 * L in BER (X.690 8.1.3): 1 byte below 80, 81 xx, 82 xx xx, 83 xx xx xx.
 * admin_script_next() walks the C-APDUs one at a time (the agent
 * executes each before it looks at the next): ADMIN_SCRIPT_APDU with the
 * command, ADMIN_SCRIPT_END after the last, ADMIN_SCRIPT_BAD on anything
 * malformed: another outer tag, a length past the body, bytes after the
 * end, a C-APDU TLV shorter than 4 or longer than ADMIN_CAPDU_MAX, a tag
 * other than 22 inside (TS 102 226 5.2.1 allows only C-APDU TLVs here;
 * immediate actions are not supported). A bad TLV after good ones is
 * found only when the walk reaches it: the commands before it ran (TS 102
 * 226 5.2.2: the response reports how many).
 *
 * Response script (TS 102 226 5.2.2), built by admin_resp_*():
 *   AB L { 80 01 n } { 23 L R-APDU }... [ 90 01 e ]  (definite; AF 80 ...
 *   00 00 when the command script was indefinite)
 * n = number of commands executed; one 23 TLV per executed command; the
 * 90 "bad format" TLV when the script was malformed (e = 01 unknown or
 * malformed tag, 02 length error; the code of the first problem found).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_NET_ADMIN_ADMIN_SCRIPT_H
#define CARDOS_NET_ADMIN_ADMIN_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ADMIN_CAPDU_MAX  261u   /* 4 + 1 + 255 + 1 (short APDUs) */

enum admin_script_result {
    ADMIN_SCRIPT_APDU = 0,
    ADMIN_SCRIPT_END,
    ADMIN_SCRIPT_BAD,
};

/* Bad format codes of the 90 TLV (TS 102 226 5.2.2). */
#define ADMIN_BAD_TAG     0x01u
#define ADMIN_BAD_LENGTH  0x02u

struct admin_script {
    const uint8_t *buf;
    size_t len;
    size_t at;              /* next TLV */
    size_t end;             /* end of the content (before 00 00) */
    bool indefinite;
    bool started;
    uint8_t bad;            /* ADMIN_BAD_* once BAD was returned */
};

void admin_script_init(struct admin_script *s, const uint8_t *buf,
                       size_t len);
/* The next C-APDU (pointer into the script, *APDU_LEN bytes). */
enum admin_script_result admin_script_next(struct admin_script *s,
                                           const uint8_t **apdu,
                                           size_t *apdu_len);

/* Reads one BER length at BUF[*AT] (LEN bytes in all): true and *AT past
 * it, *OUT the value; false if malformed or truncated. */
bool admin_ber_len(const uint8_t *buf, size_t len, size_t *at, size_t *out);

/* A response script being built in a caller's buffer. */
struct admin_resp {
    uint8_t *buf;
    size_t cap;
    size_t len;             /* content so far, after room for the header */
    unsigned count;         /* commands executed */
    uint8_t bad;            /* 0 or ADMIN_BAD_* */
    bool indefinite;
};

#define ADMIN_RESP_HEAD 4u  /* AB 82 xx xx at most */

void admin_resp_init(struct admin_resp *r, uint8_t *buf, size_t cap,
                     bool indefinite);
/* Room for one more R-APDU of LEN bytes (and the closing TLVs)? */
bool admin_resp_fits(const struct admin_resp *r, size_t len);
/* Add an executed command's R-APDU; false if it does not fit. */
bool admin_resp_add(struct admin_resp *r, const uint8_t *rapdu, size_t len);
/* Finish: the script moved to BUF[0..); its length. */
size_t admin_resp_finish(struct admin_resp *r);

#endif /* CARDOS_NET_ADMIN_ADMIN_SCRIPT_H */
