/*
 * ras_session — the Amendment B exchange on the server (ras_session.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "ras_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ras_codec.h"
#include "ras_db_internal.h"
#include "ras_scp03.h"
#include "ras_scws.h"

#define MAX_APDUS 1024

static GByteArray *simple(int status, bool *close)
{
    static const char *const h[] = { "X-Admin-Protocol: " RAS_PROTOCOL,
                                     "Connection: close", NULL };
    *close = true;
    return ras_http_response(status, h, NULL, 0, false, 0);
}

static void audit(RasDb *db, const RasConfig *cfg, RasSession *s,
                  const char *event, const char *detail)
{
    ras_db_audit(db, cfg->instance, s->card.card, s->card.identity, s->peer,
                 event, detail);
}

/* The C-APDUs of script IDX as they go to the card: plain, or wrapped for
 * SCP03 jobs (EXTERNAL AUTHENTICATE first in script 1). Deterministic, so
 * a restarted server sends the same bytes. NULL and *WHY on failure. */
static GPtrArray *build(RasDb *db, const RasSession *s, const RasJob *j,
                        int idx, char **why)
{
    GPtrArray *plain = NULL;
    if (ras_db_script(db, j->id, idx, &plain, NULL) != 1) {
        *why = g_strdup("script missing");
        return NULL;
    }
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    uint8_t buf[300];
    if (j->scp03_level == 0 || idx == 0) {
        for (guint i = 0; i < plain->len; i++) {
            long n = ras_unhex(g_ptr_array_index(plain, i), buf, sizeof(buf));
            g_ptr_array_add(out, g_bytes_new(buf, n > 0 ? (size_t)n : 0));
        }
        g_ptr_array_unref(plain);
        return out;
    }
    /* SCP03: open the channel from script 0's R-APDU, then replay the
     * wrapping of scripts 1..IDX-1 to reach this script's MAC chain. */
    char *rsp_hex = ras_db_rapdu(db, j->id, 0, 0);
    uint8_t rsp[64], hc[8], ea[21], aid[16];
    long rn = rsp_hex ? ras_unhex(rsp_hex, rsp, sizeof(rsp)) : -1;
    g_free(rsp_hex);
    /* The card's static keys are its ISD's, so the channel is the ISD's
     * also when the job targets an application that opens it through
     * processSecurity: the pseudo-random card challenge is derived from
     * the ISD's AID (docs/gp.md: KDF(Key-ENC, 02, counter | ISD AID)). */
    long an = ras_unhex("A000000151000000", aid, sizeof(aid));
    RasScp03Session sc;
    int rc = RAS_SCP03_E_RESPONSE;
    if (rn > 0 && s->card.has_scp03 && j->host_chal &&
        ras_unhex(j->host_chal, hc, 8) == 8) {
        rc = ras_scp03_begin(&sc, &s->card.scp03, hc, rsp, (size_t)rn,
                             (uint8_t)j->scp03_level, aid, (size_t)an, ea);
    }
    if (rc) {
        *why = g_strdup_printf("scp03: INITIALIZE UPDATE response refused (%s)",
                               rc == RAS_SCP03_E_CRYPTOGRAM ? "card cryptogram" :
                               rc == RAS_SCP03_E_CHALLENGE ? "card challenge" :
                               "malformed or error status");
        g_ptr_array_unref(plain);
        g_ptr_array_unref(out);
        return NULL;
    }
    if (idx == 1) {
        g_ptr_array_add(out, g_bytes_new(ea, sizeof(ea)));
    }
    for (int k = 1; k <= idx; k++) {
        GPtrArray *cmds = plain;
        if (k != idx && ras_db_script(db, j->id, k, &cmds, NULL) != 1) {
            break;
        }
        for (guint i = 0; i < cmds->len; i++) {
            uint8_t in[260];
            size_t wl = 0;
            long n = ras_unhex(g_ptr_array_index(cmds, i), in, sizeof(in));
            if (n < 4 || ras_scp03_wrap(&sc, in, (size_t)n, buf, &wl)) {
                *why = g_strdup_printf("scp03: cannot wrap command %u of script %d",
                                       i + 1, k);
                break;
            }
            if (k == idx) {
                g_ptr_array_add(out, g_bytes_new(buf, wl));
            }
        }
        if (k != idx) {
            g_ptr_array_unref(cmds);
        }
    }
    g_ptr_array_unref(plain);
    if (*why) {
        g_ptr_array_unref(out);
        return NULL;
    }
    return out;
}

/* 200 with script IDX of job J (3.5: the server's response). */
static GByteArray *send_script(RasDb *db, const RasConfig *cfg,
                               RasSession *s, const RasJob *j, int idx,
                               GPtrArray *apdus)
{
    RasSpan spans[MAX_APDUS];
    guint n = apdus->len < MAX_APDUS ? apdus->len : MAX_APDUS;
    for (guint i = 0; i < n; i++) {
        gsize l;
        spans[i].p = g_bytes_get_data(g_ptr_array_index(apdus, i), &l);
        spans[i].len = l;
    }
    RasBytes body = { 0 };
    ras_script_encode(&body, spans, n, cfg->indefinite);
    char *next = g_strdup_printf("X-Admin-Next-URI: /ras/j/%" G_GINT64_FORMAT "/%d",
                                 j->id, idx);
    char *target = NULL;
    if (j->target && strlen(j->target) >= 10) {
        /* //aid/<RID>/<PIX> (Amendment B 3.5.2): RID is 5 bytes. */
        target = g_strdup_printf("X-Admin-Targeted-Application: //aid/%.10s/%s",
                                 j->target, j->target + 10);
    }
    const char *h[] = { "X-Admin-Protocol: " RAS_PROTOCOL,
                        "Content-Type: " RAS_CT_SCRIPT, next, target, NULL };
    GByteArray *o = ras_http_response(200, h, body.p, body.len, cfg->chunked,
                                      512);
    ras_db_script_sent(db, j->id, idx);
    char *d = g_strdup_printf("job %" G_GINT64_FORMAT " script %d: %u commands, %zu bytes",
                              j->id, idx, n, body.len);
    audit(db, cfg, s, "script", d);
    g_free(d);
    g_free(next);
    g_free(target);
    ras_bytes_free(&body);
    s->scripts_sent++;
    return o;
}

/* Script IDX of job J if it is an SCWS request (its stored form, g_free),
 * else NULL. */
static char *scws_script(RasDb *db, const RasJob *j, int idx)
{
    GPtrArray *a = NULL;
    char *r = NULL;
    if (ras_db_script(db, j->id, idx, &a, NULL) == 1 && a->len == 1 &&
        ras_scws_is(g_ptr_array_index(a, 0))) {
        r = g_strdup(g_ptr_array_index(a, 0));
    }
    if (a) {
        g_ptr_array_unref(a);
    }
    return r;
}

/* 200 with the embedded SCWS request of script IDX (SCWS 1.1 full HTTP
 * administration inside the Amendment B session: ras_scws.h). */
static GByteArray *send_scws(RasDb *db, const RasConfig *cfg, RasSession *s,
                             const RasJob *j, int idx, const char *stored)
{
    GBytes *b = ras_scws_bytes(stored);
    gsize n = 0;
    const uint8_t *p = b ? g_bytes_get_data(b, &n) : NULL;
    char *next = g_strdup_printf("X-Admin-Next-URI: /ras/j/%" G_GINT64_FORMAT "/%d",
                                 j->id, idx);
    const char *h[] = { "X-Admin-Protocol: " RAS_PROTOCOL,
                        "Content-Type: " RAS_CT_SCWS_REQUEST, next, NULL };
    GByteArray *o = ras_http_response(200, h, p, n, cfg->chunked, 512);
    ras_db_script_sent(db, j->id, idx);
    char *sum = ras_scws_summary(stored);
    char *d = g_strdup_printf("job %" G_GINT64_FORMAT " script %d: %s, %zu bytes",
                              j->id, idx, sum, (size_t)n);
    audit(db, cfg, s, "scws", d);
    g_free(d);
    g_free(sum);
    g_free(next);
    if (b) {
        g_bytes_unref(b);
    }
    s->scripts_sent++;
    return o;
}

/* The next script to send, from job J on, then from later jobs; 204 when
 * none is left (3.4.4). */
static GByteArray *next_work(RasDb *db, const RasConfig *cfg, RasSession *s,
                             RasJob *j, bool have_job, bool take_sent,
                             bool *close)
{
    for (;;) {
        if (have_job && (!strcmp(j->state, "queued") || !strcmp(j->state, "sent"))) {
            int idx = ras_db_next_script(db, j->id);
            if (idx < -1) {
                ras_job_clear(j);
                return simple(500, close);
            }
            if (idx < 0) {
                ras_db_job_finish(db, j->id, "done", NULL);
                char *d = g_strdup_printf("job %" G_GINT64_FORMAT " done", j->id);
                audit(db, cfg, s, "job-done", d);
                g_free(d);
            } else {
                char *why = NULL;
                char *sc = scws_script(db, j, idx);
                if (sc) {
                    ras_db_job_touch(db, j->id, cfg->instance, cfg->lease_s);
                    GByteArray *o = send_scws(db, cfg, s, j, idx, sc);
                    g_free(sc);
                    ras_job_clear(j);
                    return o;
                }
                GPtrArray *apdus = build(db, s, j, idx, &why);
                if (apdus) {
                    ras_db_job_touch(db, j->id, cfg->instance, cfg->lease_s);
                    GByteArray *o = send_script(db, cfg, s, j, idx, apdus);
                    g_ptr_array_unref(apdus);
                    ras_job_clear(j);
                    return o;
                }
                ras_db_job_finish(db, j->id, "failed", why);
                audit(db, cfg, s, "job-failed", why);
                g_free(why);
            }
        }
        if (have_job) {
            ras_job_clear(j);
        }
        int rc = ras_db_claim(db, s->card.card, cfg->instance, cfg->lease_s,
                              take_sent, j);
        if (rc < 0) {
            return simple(500, close);
        }
        if (rc == 0) {
            static const char *const h[] = { "X-Admin-Protocol: " RAS_PROTOCOL, NULL };
            audit(db, cfg, s, "end", "204 no more work");
            *close = true;        /* 3.4.4: the session is over */
            return ras_http_response(204, h, NULL, 0, false, 0);
        }
        have_job = true;
    }
}

/* Store the results of script IDX of job J; fail the job when they say
 * so. Returns false when the request is malformed beyond recording. */
static void fail(RasDb *db, const RasConfig *cfg, RasSession *s, RasJob *j,
                 const char *why)
{
    ras_db_job_finish(db, j->id, "failed", why);
    audit(db, cfg, s, "job-failed", why);
    g_free(j->state);
    j->state = g_strdup("failed");
}

/* The card's embedded SCWS response to script IDX: stored whole (hex) as
 * its one result, status "scws <code>"; >= 400 (or not an HTTP response)
 * fails the job. */
static void record_scws(RasDb *db, const RasConfig *cfg, RasSession *s,
                        RasJob *j, int idx, const char *stored,
                        const RasHttpReq *req)
{
    int code = ras_scws_status(req->body->data, req->body->len);
    char *hex = hexdup(req->body->data, req->body->len);
    char *status = g_strdup_printf("scws %d", code);
    GPtrArray *rap = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(rap, g_strdup(hex));
    int rc = ras_db_record(db, j->id, idx, status, code > 0 ? 1 : 0, rap, hex);
    char *sum = ras_scws_summary(stored);
    const uint8_t *eol = memchr(req->body->data, '\r', req->body->len);
    int sl = eol ? (int)(eol - req->body->data) : 0;
    char *d = g_strdup_printf("job %" G_GINT64_FORMAT " script %d: %s -> %.*s"
                              " (%u bytes)%s", j->id, idx, sum, sl,
                              (const char *)req->body->data, req->body->len,
                              rc == 1 ? " (duplicate after resume: not stored again)" : "");
    audit(db, cfg, s, rc == 1 ? "results-duplicate" : "results", d);
    if (rc == 0 && (code < 0 || code >= 400)) {
        char *why = code < 0 ? g_strdup_printf("%s: not an HTTP response", sum)
                             : g_strdup_printf("%s: %.*s", sum, sl > 9 ? sl - 9 : 0,
                                               (const char *)req->body->data + 9);
        fail(db, cfg, s, j, why);
        g_free(why);
    }
    g_free(d);
    g_free(sum);
    g_free(status);
    g_free(hex);
    g_ptr_array_unref(rap);
}

static void record(RasDb *db, const RasConfig *cfg, RasSession *s, RasJob *j,
                   int idx, const RasHttpReq *req)
{
    char *sc = scws_script(db, j, idx);
    if (sc) {
        record_scws(db, cfg, s, j, idx, sc, req);
        g_free(sc);
        return;
    }
    GPtrArray *cmds = NULL;
    ras_db_script(db, j->id, idx, &cmds, NULL);
    guint sent = cmds ? cmds->len : 0;
    if (cmds) {
        g_ptr_array_unref(cmds);
    }
    if (j->scp03_level > 0 && idx == 1) {
        sent++;                           /* EXTERNAL AUTHENTICATE */
    }
    RasResults r;
    int prc = ras_results_parse(req->body->data, req->body->len, &r, MAX_APDUS);
    GPtrArray *rap = g_ptr_array_new_with_free_func(g_free);
    for (size_t i = 0; prc == 0 && i < r.n_rapdus; i++) {
        g_ptr_array_add(rap, hexdup(r.rapdus[i].p, r.rapdus[i].len));
    }
    char *raw = hexdup(req->body->data, req->body->len);
    const char *status = req->script_status[0] ? req->script_status : "ok";
    int rc = ras_db_record(db, j->id, idx, status, prc ? -1 : r.executed, rap, raw);
    g_free(raw);
    g_ptr_array_unref(rap);
    char *d = g_strdup_printf("job %" G_GINT64_FORMAT " script %d: status %s, %d executed%s",
                              j->id, idx, status, prc ? -1 : r.executed,
                              rc == 1 ? " (duplicate after resume: not stored again)" : "");
    audit(db, cfg, s, rc == 1 ? "results-duplicate" : "results", d);
    g_free(d);
    if (rc == 0) {
        char *why = NULL;
        if (strcmp(status, "ok")) {
            why = g_strdup_printf("X-Admin-Script-Status: %s", status);
        } else if (prc) {
            why = g_strdup_printf("unparsable response script (%d)", prc);
        } else if (r.bad_format >= 0) {
            why = g_strdup_printf("bad format (90 %02X)", r.bad_format);
        } else if (r.executed < 0 || (guint)r.executed < sent) {
            const RasSpan *last = r.n_rapdus ? &r.rapdus[r.n_rapdus - 1] : NULL;
            why = g_strdup_printf("script %d stopped after %d of %u commands%s%02X%02X",
                                  idx, r.executed, sent, last ? ", last SW " : "",
                                  last ? last->p[last->len - 2] : 0,
                                  last ? last->p[last->len - 1] : 0);
            if (!last) {
                why[strlen(why) - 4] = 0;
            }
        }
        if (why) {
            ras_db_job_finish(db, j->id, "failed", why);
            audit(db, cfg, s, "job-failed", why);
            g_free(why);
            g_free(j->state);
            j->state = g_strdup("failed");
        }
    }
    ras_results_free(&r);
}

GByteArray *ras_session_handle(RasDb *db, const RasConfig *cfg,
                               RasSession *s, const RasHttpReq *req,
                               bool *close)
{
    *close = req->close;
    s->posts++;
    if (strcmp(req->method, "POST")) {
        audit(db, cfg, s, "refused", "method is not POST");
        return simple(405, close);
    }
    RasJob j = { 0 };
    gint64 jid;
    int idx;
    char tail;
    if (sscanf(req->path, "/ras/j/%" G_GINT64_FORMAT "/%d%c", &jid, &idx, &tail) == 2) {
        int rc = ras_db_job_get(db, jid, &j);
        if (rc != 1 || strcmp(j.card, s->card.card)) {
            audit(db, cfg, s, "refused", req->path);
            if (rc == 1) {
                ras_job_clear(&j);
            }
            return simple(rc < 0 ? 500 : 404, close);
        }
        bool answered = false;
        if (ras_db_script(db, jid, idx, NULL, &answered) != 1) {
            ras_job_clear(&j);
            return simple(404, close);
        }
        if (req->resume) {
            audit(db, cfg, s, "resume", req->path);
        }
        if (req->body->len) {
            record(db, cfg, s, &j, idx, req);
        } else if (!req->resume) {
            /* A POST to a Next-URI carries the script's results. */
            ras_job_clear(&j);
            audit(db, cfg, s, "refused", "no results on a Next-URI");
            return simple(400, close);
        }
        ras_db_job_touch(db, jid, cfg->instance, cfg->lease_s);
        return next_work(db, cfg, s, &j, true, false, close);
    }
    if (req->body->len) {
        /* 3.4.2: the first POST of a session has no body. */
        audit(db, cfg, s, "refused", "body on the first POST");
        return simple(400, close);
    }
    char *d = g_strdup_printf("%s from %s%s", req->path,
                              req->admin_from[0] ? req->admin_from : "(no X-Admin-From)",
                              req->resume ? " (resume)" : "");
    audit(db, cfg, s, "open", d);
    g_free(d);
    /* A resumed session that had no Next-URI yet (the card was reset
     * before it kept one): its earlier session is over, so a job it was
     * sent is its again at once, lease or not (the script is sent again;
     * the card's journal keeps its commands from running twice). */
    return next_work(db, cfg, s, &j, false, req->resume, close);
}
