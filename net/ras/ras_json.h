/*
 * ras_json — the little JSON (RFC 8259) the admin REST API needs: a
 * bounded recursive parser (depth 16, input as given) into a tree, and
 * string quoting for writers. Numbers are doubles; strings are UTF-8 as
 * received, \uXXXX escapes decoded (surrogate pairs combined).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_RAS_JSON_H
#define NETCARD_RAS_JSON_H

#include <glib.h>
#include <stdbool.h>

typedef enum {
    RAS_JSON_NULL, RAS_JSON_BOOL, RAS_JSON_NUM, RAS_JSON_STR, RAS_JSON_ARR,
    RAS_JSON_OBJ,
} RasJsonType;

typedef struct RasJson {
    RasJsonType type;
    bool b;
    double num;
    char *str;
    char *key;              /* member name inside an object */
    GPtrArray *items;       /* RasJson * (array elements, object members) */
} RasJson;

/* NULL and *ERR (g_free) on malformed input or trailing garbage. */
RasJson *ras_json_parse(const char *s, size_t len, char **err);
void ras_json_free(RasJson *j);
/* Member KEY of object O, or NULL. */
const RasJson *ras_json_get(const RasJson *o, const char *key);
/* Append S as a JSON string literal (NULL: null). */
void ras_json_quote(GString *out, const char *s);

#endif /* NETCARD_RAS_JSON_H */
