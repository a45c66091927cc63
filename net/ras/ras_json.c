/*
 * ras_json — a small bounded JSON parser and string quoting (ras_json.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "ras_json.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *s, *end;
    char *err;
} P;

static void ws(P *p)
{
    while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' ||
                             *p->s == '\n' || *p->s == '\r')) {
        p->s++;
    }
}

static RasJson *fail(P *p, const char *msg)
{
    if (!p->err) {
        p->err = g_strdup(msg);
    }
    return NULL;
}

static int hex4(const char *s)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        int c = g_ascii_xdigit_value(s[i]);
        if (c < 0) {
            return -1;
        }
        v = v << 4 | c;
    }
    return v;
}

static char *string(P *p)
{
    GString *o = g_string_new(NULL);
    p->s++;                                     /* opening quote */
    while (p->s < p->end && *p->s != '"') {
        unsigned char c = (unsigned char)*p->s++;
        if (c < 0x20) {
            break;
        }
        if (c != '\\') {
            g_string_append_c(o, (char)c);
            continue;
        }
        if (p->s >= p->end) {
            break;
        }
        char e = *p->s++;
        switch (e) {
        case '"': case '\\': case '/': g_string_append_c(o, e); break;
        case 'b': g_string_append_c(o, '\b'); break;
        case 'f': g_string_append_c(o, '\f'); break;
        case 'n': g_string_append_c(o, '\n'); break;
        case 'r': g_string_append_c(o, '\r'); break;
        case 't': g_string_append_c(o, '\t'); break;
        case 'u': {
            int u = p->end - p->s >= 4 ? hex4(p->s) : -1;
            if (u < 0) {
                g_string_free(o, TRUE);
                return NULL;
            }
            p->s += 4;
            if (u >= 0xD800 && u < 0xDC00 && p->end - p->s >= 6 &&
                p->s[0] == '\\' && p->s[1] == 'u') {
                int lo = hex4(p->s + 2);
                if (lo >= 0xDC00 && lo < 0xE000) {
                    u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                    p->s += 6;
                }
            }
            g_string_append_unichar(o, (gunichar)u);
            break;
        }
        default:
            g_string_free(o, TRUE);
            return NULL;
        }
    }
    if (p->s >= p->end || *p->s != '"') {
        g_string_free(o, TRUE);
        return NULL;
    }
    p->s++;
    return g_string_free(o, FALSE);
}

static RasJson *value(P *p, int depth);

static RasJson *container(P *p, int depth, bool obj)
{
    RasJson *j = g_new0(RasJson, 1);
    j->type = obj ? RAS_JSON_OBJ : RAS_JSON_ARR;
    j->items = g_ptr_array_new_with_free_func((GDestroyNotify)ras_json_free);
    p->s++;
    ws(p);
    if (p->s < p->end && *p->s == (obj ? '}' : ']')) {
        p->s++;
        return j;
    }
    for (;;) {
        char *key = NULL;
        ws(p);
        if (obj) {
            if (p->s >= p->end || *p->s != '"' || !(key = string(p))) {
                ras_json_free(j);
                return fail(p, "expected a member name");
            }
            ws(p);
            if (p->s >= p->end || *p->s != ':') {
                g_free(key);
                ras_json_free(j);
                return fail(p, "expected ':'");
            }
            p->s++;
        }
        RasJson *v = value(p, depth + 1);
        if (!v) {
            g_free(key);
            ras_json_free(j);
            return NULL;
        }
        v->key = key;
        g_ptr_array_add(j->items, v);
        ws(p);
        if (p->s < p->end && *p->s == ',') {
            p->s++;
            continue;
        }
        if (p->s < p->end && *p->s == (obj ? '}' : ']')) {
            p->s++;
            return j;
        }
        ras_json_free(j);
        return fail(p, "expected ',' or the end of a container");
    }
}

static RasJson *value(P *p, int depth)
{
    if (depth > 16) {
        return fail(p, "nested too deeply");
    }
    ws(p);
    if (p->s >= p->end) {
        return fail(p, "unexpected end");
    }
    char c = *p->s;
    if (c == '{' || c == '[') {
        return container(p, depth, c == '{');
    }
    RasJson *j = g_new0(RasJson, 1);
    if (c == '"') {
        j->type = RAS_JSON_STR;
        if (!(j->str = string(p))) {
            g_free(j);
            return fail(p, "bad string");
        }
        return j;
    }
    static const struct { const char *w; RasJsonType t; bool b; } lit[] = {
        { "true", RAS_JSON_BOOL, true }, { "false", RAS_JSON_BOOL, false },
        { "null", RAS_JSON_NULL, false },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(lit); i++) {
        size_t n = strlen(lit[i].w);
        if ((size_t)(p->end - p->s) >= n && !memcmp(p->s, lit[i].w, n)) {
            p->s += n;
            j->type = lit[i].t;
            j->b = lit[i].b;
            return j;
        }
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        char buf[40];
        size_t n = 0;
        while (p->s + n < p->end && n < sizeof(buf) - 1 &&
               strchr("+-.eE0123456789", p->s[n])) {
            n++;
        }
        memcpy(buf, p->s, n);
        buf[n] = 0;
        char *e;
        j->num = g_ascii_strtod(buf, &e);
        if (*e == 0) {
            p->s += n;
            j->type = RAS_JSON_NUM;
            return j;
        }
    }
    g_free(j);
    return fail(p, "unexpected character");
}

RasJson *ras_json_parse(const char *s, size_t len, char **err)
{
    P p = { s, s + len, NULL };
    RasJson *j = value(&p, 0);
    ws(&p);
    if (j && p.s != p.end) {
        ras_json_free(j);
        j = fail(&p, "trailing characters");
    }
    if (!j) {
        *err = p.err ? p.err : g_strdup("malformed JSON");
    }
    return j;
}

void ras_json_free(RasJson *j)
{
    if (j) {
        g_free(j->str);
        g_free(j->key);
        if (j->items) {
            g_ptr_array_free(j->items, TRUE);
        }
        g_free(j);
    }
}

const RasJson *ras_json_get(const RasJson *o, const char *key)
{
    if (!o || o->type != RAS_JSON_OBJ) {
        return NULL;
    }
    for (guint i = 0; i < o->items->len; i++) {
        const RasJson *m = g_ptr_array_index(o->items, i);
        if (!strcmp(m->key, key)) {
            return m;
        }
    }
    return NULL;
}

void ras_json_quote(GString *out, const char *s)
{
    if (!s) {
        g_string_append(out, "null");
        return;
    }
    g_string_append_c(out, '"');
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\') {
            g_string_append_c(out, '\\');
            g_string_append_c(out, (char)*c);
        } else if (*c < 0x20) {
            g_string_append_printf(out, "\\u%04x", *c);
        } else {
            g_string_append_c(out, (char)*c);
        }
    }
    g_string_append_c(out, '"');
}
