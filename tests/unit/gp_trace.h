/*
 * Replaying the GlobalPlatformPro and GPShell sessions of
 * tests/vectors/gp-traces/ against the card: every "C:" command is sent,
 * and the answer must be the "R:" line that follows, byte for byte,
 * except for the fields the traces' reference card invented
 * (docs/gp.md "Replays"):
 *   - its CPLC (GET DATA 9F7F): the card answers its own, 9000 and 42
 *     bytes;
 *   - the application production life cycle data in the ISD's FCI
 *     (9F6E, 6 bytes): this card's own;
 *   - card capability information (GET DATA 67): the reference card had
 *     none (6A88), this card answers it (9000);
 *   - the associated security domain (CC) in GET STATUS entries of the
 *     tag format: the reference card left it out, this card sends it
 *     (GPC 2.3.1 Table 11-36); taken out of the card's answer before
 *     comparing (its value is checked in tests/unit/test_gp_status_cc.c).
 * The caller sends the commands (SEND); this file only reads the trace
 * and compares.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_TESTS_GP_TRACE_H
#define NETCARD_TESTS_GP_TRACE_H

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "nctest.h"

#define GPT_MAX 1100

/*
 * A deviation: at trace line LINE (the "R:" line) the card answers RSP
 * (hex, data + SW) instead, because the reference card broke GPC 2.3.1
 * there; WHY names the clause. Lists end with a zero LINE.
 */
struct gpt_dev {
    unsigned line;
    const char *rsp;            /* NULL: the trace's answer */
    const char *why;
    void (*after)(void *ctx);   /* then bring the card where the reference
                                   card stayed (NULL: nothing) */
};

/* Send C-APDU CMD (N bytes); the R-APDU (data + SW) into RSP, its length. */
typedef size_t (*gpt_send_fn)(void *ctx, const uint8_t *cmd, size_t n,
                              uint8_t *rsp, size_t cap);

/* Zero the value of the first "9F6E 06" TLV in R (free: this card's own). */
static inline void gpt_mask_9f6e(uint8_t *r, size_t n)
{
    for (size_t i = 0; i + 9 <= n; i++) {
        if (r[i] == 0x9F && r[i + 1] == 0x6E && r[i + 2] == 0x06) {
            memset(r + i + 3, 0, 6);
            return;
        }
    }
}

/*
 * Take the CC TLVs out of the E3 entries of the GET STATUS answer R (N
 * bytes, SW last; short E3 lengths), fixing the E3 lengths; new length.
 */
static inline size_t gpt_strip_cc(uint8_t *r, size_t n)
{
    size_t i = 0;

    while (i + 2 <= n - 2 && r[i] == 0xE3 && r[i + 1] < 0x80) {
        size_t end = i + 2 + r[i + 1], j = i + 2;

        if (end > n - 2) {
            break;
        }
        while (j + 2 <= end) {
            size_t tl = ((r[j] & 0x1F) == 0x1F) ? 2 : 1;
            size_t len = tl + 1 + r[j + tl];

            if (r[j] == 0xCC) {
                memmove(r + j, r + j + len, n - j - len);
                n -= len;
                end -= len;
                r[i + 1] = (uint8_t)(r[i + 1] - len);
            } else {
                j += len;
            }
        }
        i = end;
    }
    return n;
}

/*
 * Replay tests/vectors/gp-traces/NAME from its line FIRST (1-based) up to,
 * not including, the first command starting with STOP_AT (hex, NULL: to
 * the end). Returns the number of commands compared.
 */
static inline unsigned gpt_replay(const char *name, unsigned first,
                                  const char *stop_at,
                                  const struct gpt_dev *devs,
                                  gpt_send_fn send, void *ctx)
{
    const char *path = nc_strf("%s/tests/vectors/gp-traces/%s", nc_srcdir(),
                               name);
    char *text = nc_read_file(path, NULL);
    char *line, *save = NULL;
    unsigned lineno = 0, count = 0;
    uint8_t cmd[GPT_MAX], want[GPT_MAX], got[GPT_MAX];
    size_t cn = 0, wn, gn;
    bool have_cmd = false;
    char *errors = nc_strf("%s", "");
    unsigned nerr = 0;

    cr_assert(text, "cannot read %s", path);
    nc_gc(text);
    for (line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        if (lineno < first) {
            continue;
        }
        if (strncmp(line, "C: ", 3) == 0) {
            if (stop_at && strncasecmp(line + 3, stop_at, strlen(stop_at)) == 0) {
                break;
            }
            cn = nc_unhex(line + 3, cmd, sizeof(cmd));
            have_cmd = true;
            continue;
        }
        if (strncmp(line, "R: ", 3) != 0 || !have_cmd) {
            continue;
        }
        have_cmd = false;
        wn = nc_unhex(line + 3, want, sizeof(want));
        for (const struct gpt_dev *d = devs; d && d->line; d++) {
            if (d->line == lineno && d->rsp) {
                wn = nc_unhex(d->rsp, want, sizeof(want));
            }
        }
        gn = send(ctx, cmd, cn, got, sizeof(got));
        count++;
        cr_assert(gn >= 2, "%s:%u: no answer to %s", name, lineno,
                  nc_hex(cmd, cn));
        bool ok = false;

        if (cn >= 4 && (cmd[0] & 0xF0) == 0x80 && cmd[1] == 0xCA &&
            cmd[2] == 0x9F && cmd[3] == 0x7F) {
            /* free: the reference card's CPLC (+ an R-MAC if any) */
            ok = (gn == 2 + 45 || (cmd[0] == 0x84 && gn > 2 + 45)) &&
                 got[gn - 2] == 0x90 && got[gn - 1] == 0x00;
        } else if (cn >= 4 && cmd[0] == 0x80 && cmd[1] == 0xCA &&
                   cmd[2] == 0x00 && cmd[3] == 0x67) {
            /* free: card capability information, unknown to the
             * reference card */
            ok = got[gn - 2] == 0x90 && got[0] == 0x67;
        } else {
            if (cn >= 4 && cmd[1] == 0xF2 && (cmd[3] & 0x02)) {
                gn = gpt_strip_cc(got, gn);
            }
            gpt_mask_9f6e(got, gn);
            gpt_mask_9f6e(want, wn);
            ok = gn == wn && memcmp(got, want, wn) == 0;
        }
        if (!ok) {
            /* go on: every mismatch of the session in one report */
            errors = nc_strf("%s\n%s:%u: %s answered\n  %s, expected\n  %s",
                             errors, name, lineno, nc_hex(cmd, cn),
                             nc_hex(got, gn), nc_hex(want, wn));
            if (++nerr == 40) {
                break;
            }
        }
        for (const struct gpt_dev *d = devs; d && d->line; d++) {
            if (d->line == lineno && d->after) {
                d->after(ctx);
            }
        }
    }
    cr_assert(nerr == 0, "%u mismatch(es):%s", nerr, errors);
    return count;
}

#endif /* NETCARD_TESTS_GP_TRACE_H */
