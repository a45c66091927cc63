/*
 * ras_api — operator operations and the REST API (ras_api.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "ras_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ras_codec.h"
#include "ras_json.h"
#include "ras_scws.h"

char *ras_enqueue(RasDb *db, const char *card, bool all, const char *target,
                  int scp03_level, GPtrArray *scripts, GArray *ids)
{
    uint8_t buf[300];
    if (!scripts->len) {
        return g_strdup("no commands given");
    }
    for (guint s = 0; s < scripts->len; s++) {
        GPtrArray *a = g_ptr_array_index(scripts, s);
        if (!a->len) {
            return g_strdup_printf("script %u is empty", s + 1);
        }
        for (guint i = 0; i < a->len; i++) {
            if (ras_scws_is(g_ptr_array_index(a, i))) {
                /* one SCWS request is a script of its own (ras_scws.h) */
                GBytes *b = ras_scws_bytes(g_ptr_array_index(a, i));
                if (!b || a->len != 1) {
                    if (b) {
                        g_bytes_unref(b);
                    }
                    return g_strdup_printf("script %u: an SCWS request is a"
                                           " script of its own", s + 1);
                }
                g_bytes_unref(b);
                continue;
            }
            long n = ras_unhex(g_ptr_array_index(a, i), buf, sizeof(buf));
            if (n < 4 || n > 261) {
                return g_strdup_printf("not a C-APDU (4..261 bytes of hex): %s",
                                       (char *)g_ptr_array_index(a, i));
            }
        }
    }
    for (guint s = 0; scp03_level && s < scripts->len; s++) {
        if (ras_scws_is(g_ptr_array_index((GPtrArray *)g_ptr_array_index(scripts, s), 0))) {
            return g_strdup("SCWS requests do not go in SCP03 jobs");
        }
    }
    if (target && (ras_unhex(target, buf, 16) < 5)) {
        return g_strdup_printf("not an AID (5..16 bytes of hex): %s", target);
    }
    if (scp03_level < 0 || scp03_level > 0x33) {
        return g_strdup("SCP03 security level must be 01, 03, 11, 13 or 33");
    }
    GPtrArray *cards = NULL;
    if (all) {
        cards = ras_db_card_names(db);
        if (!cards) {
            return g_strdup(ras_db_error(db));
        }
    } else {
        RasCard c;
        int rc = card ? ras_db_card_by_name(db, card, &c) : 0;
        if (rc != 1) {
            return rc < 0 ? g_strdup(ras_db_error(db))
                          : g_strdup_printf("unknown card %s (add it first)",
                                            card ? card : "(none)");
        }
        ras_card_clear(&c);
        cards = g_ptr_array_new_with_free_func(g_free);
        g_ptr_array_add(cards, g_strdup(card));
    }
    char *err = NULL;
    for (guint i = 0; !err && i < cards->len; i++) {
        int64_t id = ras_db_job_add(db, g_ptr_array_index(cards, i), target,
                                    scp03_level, scripts);
        if (id < 0) {
            err = g_strdup(ras_db_error(db));
        } else {
            g_array_append_val(ids, id);
        }
    }
    g_ptr_array_unref(cards);
    return err;
}

static bool key_hex(const char *h, uint8_t *out, size_t *len)
{
    long n = ras_unhex(h, out, 32);
    if (n != 16 && n != 24 && n != 32) {
        return false;
    }
    if (*len && *len != (size_t)n) {
        return false;
    }
    *len = (size_t)n;
    return true;
}

char *ras_card_add(RasDb *db, const char *card, const char *identity,
                   const char *psk_hex, const char *agent_id,
                   const char *scp03_spec)
{
    RasCard c = { 0 };
    if (!card || !*card || !identity || !*identity || !psk_hex) {
        return g_strdup("a card needs a name, a PSK identity and a PSK");
    }
    long n = ras_unhex(psk_hex, c.psk, sizeof(c.psk));
    if (n < 16) {
        return g_strdup("the PSK is 16 to 64 bytes of hex");
    }
    c.psk_len = (size_t)n;
    c.card = (char *)card;
    c.identity = (char *)identity;
    c.agent_id = (char *)agent_id;
    if (scp03_spec) {
        /* KVN:ENC:MAC:DEK */
        gchar **v = g_strsplit(scp03_spec, ":", -1);
        bool ok = g_strv_length(v) == 4 && ras_unhex(v[0], &c.scp03.kvn, 1) == 1 &&
                  key_hex(v[1], c.scp03.enc, &c.scp03.key_len) &&
                  key_hex(v[2], c.scp03.mac, &c.scp03.key_len) &&
                  key_hex(v[3], c.scp03.dek, &c.scp03.key_len);
        g_strfreev(v);
        if (!ok) {
            return g_strdup("SCP03 keys are KVN:ENC:MAC:DEK in hex (AES-128/192/256)");
        }
        c.has_scp03 = true;
    }
    return ras_db_card_put(db, &c) < 0 ? g_strdup(ras_db_error(db)) : NULL;
}

static GByteArray *json(int status, char *body)
{
    static const char *const h[] = { "Content-Type: application/json", NULL };
    GByteArray *o = ras_http_response(status, h, (const uint8_t *)body,
                                      strlen(body), false, 0);
    g_free(body);
    return o;
}

static GByteArray *error(int status, const char *msg)
{
    GString *s = g_string_new("{\"error\": ");
    ras_json_quote(s, msg);
    g_string_append(s, "}\n");
    return json(status, g_string_free(s, FALSE));
}

/* Query parameter NAME (no percent-decoding: names and numbers only). */
static char *param(const char *q, const char *name)
{
    gchar **kv = g_strsplit(q, "&", -1);
    char *v = NULL;
    for (gchar **p = kv; *p && !v; p++) {
        size_t n = strlen(name);
        if (!strncmp(*p, name, n) && (*p)[n] == '=') {
            v = g_strdup(*p + n + 1);
        }
    }
    g_strfreev(kv);
    return v;
}

static const char *jstr(const RasJson *o, const char *k)
{
    const RasJson *v = ras_json_get(o, k);
    return v && v->type == RAS_JSON_STR ? v->str : NULL;
}

static GPtrArray *str_list(const RasJson *a)
{
    if (!a || a->type != RAS_JSON_ARR) {
        return NULL;
    }
    GPtrArray *l = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < a->items->len; i++) {
        const RasJson *s = g_ptr_array_index(a->items, i);
        if (s->type != RAS_JSON_STR) {
            g_ptr_array_unref(l);
            return NULL;
        }
        g_ptr_array_add(l, g_strdup(s->str));
    }
    return l;
}

/* {"scws": METHOD, "path": P, "type", "encoding", "language", "data"
 * (text) or "data_hex"}: one SCWS request (ras_scws.h), or NULL. */
static GPtrArray *scws_item(const RasJson *e)
{
    const char *m = jstr(e, "scws"), *hex = jstr(e, "data_hex"),
               *text = jstr(e, "data");
    uint8_t *data = NULL;
    size_t len = 0;
    if (!m) {
        return NULL;
    }
    if (hex) {
        data = g_malloc(strlen(hex) / 2 + 1);
        long n = ras_unhex(hex, data, strlen(hex) / 2 + 1);
        if (n < 0) {
            g_free(data);
            return NULL;
        }
        len = (size_t)n;
    } else if (text) {
        data = (uint8_t *)g_strdup(text);
        len = strlen(text);
    }
    char *err = NULL;
    char *one = ras_scws_request(m, jstr(e, "path"), data, len, jstr(e, "type"),
                                 jstr(e, "encoding"), jstr(e, "language"), &err);
    g_free(data);
    g_free(err);
    if (!one) {
        return NULL;
    }
    GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(a, one);
    return a;
}

static GByteArray *post_jobs(RasDb *db, const RasJson *o)
{
    GPtrArray *scripts = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
    const RasJson *sc = ras_json_get(o, "scripts");
    GPtrArray *one = str_list(ras_json_get(o, "apdus"));
    if (one) {
        g_ptr_array_add(scripts, one);
    }
    for (guint i = 0; sc && sc->type == RAS_JSON_ARR && i < sc->items->len; i++) {
        const RasJson *e = g_ptr_array_index(sc->items, i);
        GPtrArray *l = e->type == RAS_JSON_OBJ ? scws_item(e) : str_list(e);
        if (!l) {
            g_ptr_array_unref(scripts);
            return error(400, "scripts: arrays of hex strings, or SCWS requests"
                         " {\"scws\": \"PUT|DELETE|GET\", \"path\": ...,"
                         " \"type\", \"encoding\", \"language\","
                         " \"data\" or \"data_hex\"}");
        }
        g_ptr_array_add(scripts, l);
    }
    const RasJson *all = ras_json_get(o, "all");
    const RasJson *lvl = ras_json_get(o, "scp03");
    GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
    char *err = ras_enqueue(db, jstr(o, "card"), all && all->b, jstr(o, "target"),
                            lvl && lvl->type == RAS_JSON_NUM ? (int)lvl->num : 0,
                            scripts, ids);
    g_ptr_array_unref(scripts);
    GByteArray *r;
    if (err) {
        r = error(400, err);
        g_free(err);
    } else {
        GString *s = g_string_new("{\"jobs\": [");
        for (guint i = 0; i < ids->len; i++) {
            g_string_append_printf(s, "%s%" G_GINT64_FORMAT, i ? ", " : "",
                                   (gint64)g_array_index(ids, int64_t, i));
        }
        g_string_append(s, "]}\n");
        r = json(201, g_string_free(s, FALSE));
    }
    g_array_unref(ids);
    return r;
}

static GByteArray *post_cards(RasDb *db, const RasJson *o)
{
    const RasJson *k = ras_json_get(o, "scp03");
    char *spec = NULL;
    if (k) {
        spec = g_strdup_printf("%s:%s:%s:%s", jstr(k, "kvn") ? jstr(k, "kvn") : "",
                               jstr(k, "enc") ? jstr(k, "enc") : "",
                               jstr(k, "mac") ? jstr(k, "mac") : "",
                               jstr(k, "dek") ? jstr(k, "dek") : "");
    }
    char *err = ras_card_add(db, jstr(o, "card"), jstr(o, "identity"),
                             jstr(o, "psk"), jstr(o, "agent_id"), spec);
    g_free(spec);
    if (err) {
        GByteArray *r = error(400, err);
        g_free(err);
        return r;
    }
    return json(201, g_strdup("{\"ok\": true}\n"));
}

GByteArray *ras_api_handle(RasDb *db, const RasConfig *cfg,
                           const RasHttpReq *req)
{
    (void)cfg;
    bool get = !strcmp(req->method, "GET"), post = !strcmp(req->method, "POST");
    if (post && (!strcmp(req->path, "/api/jobs") || !strcmp(req->path, "/api/cards"))) {
        char *err = NULL;
        RasJson *o = ras_json_parse((const char *)req->body->data, req->body->len, &err);
        if (!o || o->type != RAS_JSON_OBJ) {
            GByteArray *r = error(400, err ? err : "expected a JSON object");
            g_free(err);
            ras_json_free(o);
            return r;
        }
        GByteArray *r = !strcmp(req->path, "/api/jobs") ? post_jobs(db, o)
                                                         : post_cards(db, o);
        ras_json_free(o);
        return r;
    }
    if (get && !strcmp(req->path, "/api/cards")) {
        GPtrArray *n = ras_db_card_names(db);
        if (!n) {
            return error(500, ras_db_error(db));
        }
        GString *s = g_string_new("[");
        for (guint i = 0; i < n->len; i++) {
            if (i) {
                g_string_append(s, ", ");
            }
            ras_json_quote(s, g_ptr_array_index(n, i));
        }
        g_string_append(s, "]\n");
        g_ptr_array_unref(n);
        return json(200, g_string_free(s, FALSE));
    }
    gint64 id = 0;
    if (get && (!strcmp(req->path, "/api/jobs") ||
                sscanf(req->path, "/api/jobs/%" G_GINT64_FORMAT, &id) == 1)) {
        char *card = param(req->query, "card");
        char *j = ras_db_jobs_json(db, card, id);
        g_free(card);
        if (!j) {
            return error(500, ras_db_error(db));
        }
        if (id && !strcmp(j, "[]")) {
            g_free(j);
            return error(404, "no such job");
        }
        char *b = g_strconcat(j, "\n", NULL);
        g_free(j);
        return json(200, b);
    }
    if (get && !strcmp(req->path, "/api/log")) {
        char *card = param(req->query, "card"), *lim = param(req->query, "limit");
        char *j = ras_db_log_json(db, card, lim ? atoi(lim) : 100);
        g_free(card);
        g_free(lim);
        if (!j) {
            return error(500, ras_db_error(db));
        }
        char *b = g_strconcat(j, "\n", NULL);
        g_free(j);
        return json(200, b);
    }
    return error(get || post ? 404 : 405, "no such resource");
}
