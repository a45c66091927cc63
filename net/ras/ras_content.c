/*
 * ras_content — LOAD and INSTALL scripts of a load file. Contract:
 * ras_content.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "ras_content.h"

#include <string.h>

#define NCAP_HEADER     64
#define NCAP_MODULE     24
#define AID_MIN         5
#define AID_MAX         16

/* HEX (even length, [0-9A-Fa-f]) into OUT; its length, or -1. */
static int unhex(const char *hex, guint8 *out, size_t cap)
{
    size_t n = strlen(hex);

    if (n % 2 || n / 2 > cap) {
        return -1;
    }
    for (size_t i = 0; i < n; i += 2) {
        int hi = g_ascii_xdigit_value(hex[i]);
        int lo = g_ascii_xdigit_value(hex[i + 1]);
        if (hi < 0 || lo < 0) {
            return -1;
        }
        out[i / 2] = (guint8)(hi << 4 | lo);
    }
    return (int)(n / 2);
}

static void put_lv(GByteArray *b, const guint8 *v, size_t n)
{
    guint8 len = (guint8)n;

    g_byte_array_append(b, &len, 1);
    if (n) {
        g_byte_array_append(b, v, (guint)n);
    }
}

/* CLA INS P1 P2 Lc DATA [Le 00] as upper-case hex. */
static char *apdu_hex(guint8 ins, guint8 p1, guint8 p2, const guint8 *data,
                      size_t n, gboolean le)
{
    GString *s = g_string_new(NULL);

    g_string_append_printf(s, "80%02X%02X%02X%02X", ins, p1, p2, (guint)n);
    for (size_t i = 0; i < n; i++) {
        g_string_append_printf(s, "%02X", data[i]);
    }
    if (le) {
        g_string_append(s, "00");
    }
    return g_string_free(s, FALSE);
}

static GPtrArray *fail(char **err, GPtrArray *a, char *msg)
{
    *err = msg;
    if (a) {
        g_ptr_array_unref(a);
    }
    return NULL;
}

GPtrArray *ras_content_script(const char *ncap_path, const char *instance,
                              const char *module, const char *params,
                              char **err)
{
    g_autofree guint8 *file = NULL;
    gsize len = 0;
    GError *ge = NULL;

    if (!g_file_get_contents(ncap_path, (gchar **)&file, &len, &ge)) {
        char *m = g_strdup(ge->message);
        g_error_free(ge);
        return fail(err, NULL, m);
    }
    if (len < NCAP_HEADER || memcmp(file, "NCAP", 4) != 0 || len > 0xFFFFFF) {
        return fail(err, NULL, g_strdup_printf("%s: not a netcard load file "
                                               "(docs/applets.md)", ncap_path));
    }
    guint nmod = file[10], pkg_len = file[11];
    if (pkg_len < AID_MIN || pkg_len > AID_MAX || nmod == 0 ||
        len < NCAP_HEADER + (gsize)NCAP_MODULE * nmod) {
        return fail(err, NULL, g_strdup_printf("%s: bad load file header",
                                               ncap_path));
    }
    const guint8 *pkg = file + 12;
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);

    /* 1. INSTALL [for load]: package AID, no SD AID, hash, params, token */
    g_autoptr(GByteArray) d = g_byte_array_new();
    put_lv(d, pkg, pkg_len);
    put_lv(d, NULL, 0);
    put_lv(d, NULL, 0);
    put_lv(d, NULL, 0);
    put_lv(d, NULL, 0);
    g_ptr_array_add(out, apdu_hex(0xE6, 0x02, 0x00, d->data, d->len, TRUE));

    /* 2. LOAD: C4 with a BER length, then the file, in numbered blocks */
    g_autoptr(GByteArray) s = g_byte_array_new();
    guint8 head[5] = { 0xC4 };
    size_t hn;
    if (len < 0x80) {
        head[1] = (guint8)len;
        hn = 2;
    } else if (len < 0x100) {
        head[1] = 0x81;
        head[2] = (guint8)len;
        hn = 3;
    } else if (len < 0x10000) {
        head[1] = 0x82;
        head[2] = (guint8)(len >> 8);
        head[3] = (guint8)len;
        hn = 4;
    } else {
        head[1] = 0x83;
        head[2] = (guint8)(len >> 16);
        head[3] = (guint8)(len >> 8);
        head[4] = (guint8)len;
        hn = 5;
    }
    g_byte_array_append(s, head, (guint)hn);
    g_byte_array_append(s, file, (guint)len);
    guint blocks = (s->len + RAS_CONTENT_BLOCK - 1) / RAS_CONTENT_BLOCK;
    if (blocks > 256) {
        return fail(err, out, g_strdup_printf("%s: %u blocks, LOAD numbers "
                                              "256 at most", ncap_path,
                                              blocks));
    }
    for (guint k = 0; k < blocks; k++) {
        guint off = k * RAS_CONTENT_BLOCK;
        guint n = MIN(RAS_CONTENT_BLOCK, s->len - off);
        g_ptr_array_add(out, apdu_hex(0xE8, k + 1 == blocks ? 0x80 : 0x00,
                                      (guint8)k, s->data + off, n, TRUE));
    }
    if (!instance) {
        return out;
    }

    /* 3. INSTALL [for install and make selectable] */
    guint8 inst[AID_MAX], mod[AID_MAX], par[120];
    int in = unhex(instance, inst, sizeof(inst)), mn, pn;
    if (in < AID_MIN) {
        return fail(err, out, g_strdup_printf("instance AID '%s': 5 to 16 "
                                              "bytes of hex", instance));
    }
    if (module) {
        mn = unhex(module, mod, sizeof(mod));
        if (mn < AID_MIN) {
            return fail(err, out, g_strdup_printf("module AID '%s': 5 to 16 "
                                                  "bytes of hex", module));
        }
    } else {
        mn = file[NCAP_HEADER];
        if (mn < AID_MIN || mn > AID_MAX) {
            return fail(err, out, g_strdup_printf("%s: bad first module",
                                                  ncap_path));
        }
        memcpy(mod, file + NCAP_HEADER + 1, (size_t)mn);
    }
    pn = unhex(params ? params : "", par, sizeof(par));
    if (pn < 0) {
        return fail(err, out, g_strdup_printf("parameters '%s': at most %zu "
                                              "bytes of hex", params,
                                              sizeof(par)));
    }
    g_autoptr(GByteArray) i = g_byte_array_new();
    guint8 priv = 0x00, c9[2 + sizeof(par)] = { 0xC9, (guint8)pn };
    memcpy(c9 + 2, par, (size_t)pn);
    put_lv(i, pkg, pkg_len);
    put_lv(i, mod, (size_t)mn);
    put_lv(i, inst, (size_t)in);
    put_lv(i, &priv, 1);
    put_lv(i, c9, 2 + (size_t)pn);
    put_lv(i, NULL, 0);
    g_ptr_array_add(out, apdu_hex(0xE6, 0x0C, 0x00, i->data, i->len, TRUE));
    return out;
}
