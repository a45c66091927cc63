/*
 * Helpers for the ISO 7816 unit tests: hex strings to bytes.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef TESTS_UNIT_ISO_HEX_H
#define TESTS_UNIT_ISO_HEX_H

#include <criterion/criterion.h>
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>

/* "00 A4 04 00" -> bytes; spaces ignored. Returns the length. */
static inline size_t hex_to_bytes(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int hi = -1;

    for (; *s; s++) {
        int v;

        if (isspace((unsigned char)*s)) {
            continue;
        }
        v = isdigit((unsigned char)*s) ? *s - '0' : (tolower((unsigned char)*s) - 'a' + 10);
        cr_assert(v >= 0 && v < 16, "bad hex in \"%s\"", s);
        if (hi < 0) {
            hi = v;
        } else {
            cr_assert(n < cap, "hex longer than %zu bytes", cap);
            out[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    cr_assert(hi < 0, "odd number of hex digits");
    return n;
}

static inline char *bytes_to_hex(const uint8_t *b, size_t n, char *out, size_t cap)
{
    static const char d[] = "0123456789ABCDEF";
    size_t o = 0;

    for (size_t i = 0; i < n && o + 3 < cap; i++) {
        out[o++] = d[b[i] >> 4];
        out[o++] = d[b[i] & 15];
        out[o++] = ' ';
    }
    out[o ? o - 1 : 0] = '\0';
    return out;
}

#endif /* TESTS_UNIT_ISO_HEX_H */
