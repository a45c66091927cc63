/*
 * Reading the GlobalPlatform vectors of tests/vectors/ (README.md there
 * names their sources): scp-pysim.json and the notes' SCP03 vector, as
 * hex strings found by key. The JSON is read as text: a value is the
 * string after the next "KEY": following a position (the vector's
 * "name"), which is all these flat files need.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_TESTS_GP_VECTORS_H
#define NETCARD_TESTS_GP_VECTORS_H

#include <criterion/criterion.h>
#include <string.h>

#include "nctest.h"

/* The file tests/vectors/NAME, whole. */
static inline const char *gpv_file(const char *name)
{
    const char *path = nc_strf("%s/tests/vectors/%s", nc_srcdir(), name);
    char *text = nc_read_file(path, NULL);

    cr_assert(text, "cannot read %s", path);
    return nc_gc(text);
}

/* Where "NAME" (a vector's name value) is in TEXT. */
static inline const char *gpv_find(const char *text, const char *name)
{
    const char *p = strstr(text, nc_strf("\"%s\"", name));

    cr_assert(p, "vector %s not found", name);
    return p;
}

/* The string value of the next "KEY": after FROM. */
static inline const char *gpv_str(const char *from, const char *key)
{
    const char *p = strstr(from, nc_strf("\"%s\":", key));
    const char *q, *e;

    cr_assert(p, "no \"%s\" after the vector's start", key);
    q = strchr(p + strlen(key) + 3, '"');
    cr_assert(q, "no value for %s", key);
    e = strchr(q + 1, '"');
    cr_assert(e, "unterminated value for %s", key);
    return nc_strf("%.*s", (int)(e - q - 1), q + 1);
}

/* The hex value of the next "KEY": after FROM into OUT; its length. */
static inline size_t gpv_hex(const char *from, const char *key, uint8_t *out,
                             size_t cap)
{
    return nc_unhex(gpv_str(from, key), out, cap);
}

/* In a text vector ("Label  hex" lines), the hex after LABEL. */
static inline size_t gpv_line(const char *text, const char *label,
                              uint8_t *out, size_t cap)
{
    const char *p = strstr(text, nc_strf("\n%s ", label));
    size_t n;

    cr_assert(p, "no line %s", label);
    p += strlen(label) + 2;
    while (*p == ' ') {
        p++;
    }
    n = strcspn(p, "\n");
    return nc_unhex(nc_strf("%.*s", (int)n, p), out, cap);
}

#endif /* NETCARD_TESTS_GP_VECTORS_H */
