/*
 * ras_db_jobs — jobs, scripts, results and the audit log (ras_db.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ras_codec.h"
#include "ras_db_internal.h"
#include "ras_json.h"
#include "ras_scp03.h"

#define I64(v) g_strdup_printf("%" G_GINT64_FORMAT, (gint64)(v))

static const char JOB_COLS[] =
    "id, card, state, reason, target, scp03_level, host_chal, n_scripts";

static void job_from(Rows *r, guint i, RasJob *j)
{
    memset(j, 0, sizeof(*j));
    j->id = g_ascii_strtoll(cell(r, i, 0), NULL, 10);
    j->card = g_strdup(cell(r, i, 1));
    j->state = g_strdup(cell(r, i, 2));
    j->reason = g_strdup(cell(r, i, 3));
    j->target = g_strdup(cell(r, i, 4));
    j->scp03_level = atoi(cell(r, i, 5));
    j->host_chal = g_strdup(cell(r, i, 6));
    j->n_scripts = atoi(cell(r, i, 7));
}

int64_t ras_db_job_add(RasDb *db, const char *card, const char *target,
                       int scp03_level, GPtrArray *scripts)
{
    char *now = I64(ras_now_ms());
    char *lvl = g_strdup_printf("%d", scp03_level);
    char *n = g_strdup_printf("%u", scripts->len);
    char *hc = NULL;
    uint8_t chal[8];
    RasCard c = { 0 };
    int64_t id = -1;
    if (scp03_level > 0) {
        /* A fresh host challenge per job (Amendment D 6.2.2.1). */
        if (ras_db_card_by_name(db, card, &c) != 1 || !c.has_scp03) {
            g_free(db->err);
            db->err = g_strdup_printf("card %s has no SCP03 keys", card);
            goto out;
        }
        for (int i = 0; i < 8; i++) {
            chal[i] = (uint8_t)g_random_int_range(0, 256);
        }
        hc = hexdup(chal, 8);
    }
    if (begin(db) < 0) {
        goto out;
    }
    const char *p[] = { card, target, lvl, hc, n, now };
    Rows *r = run(db,
        "INSERT INTO jobs (card, target, scp03_level, host_chal, n_scripts,"
        " created, updated) VALUES ($1, $2, CAST($3 AS INTEGER), $4,"
        " CAST($5 AS INTEGER), CAST($6 AS BIGINT), CAST($6 AS BIGINT))"
        " RETURNING id", 6, p, NULL);
    if (!r || r->rows->len != 1) {
        rows_free(r);
        rollback(db);
        goto out;
    }
    id = g_ascii_strtoll(cell(r, 0, 0), NULL, 10);
    rows_free(r);
    char *sid = I64(id);
    int rc = 0;
    if (scp03_level > 0) {
        uint8_t iu[14];
        ras_scp03_initialize_update(c.scp03.kvn, chal, iu);
        char *iuh = hexdup(iu, 14);
        const char *q[] = { sid, "0", iuh };
        rc = exec(db, "INSERT INTO scripts (job, idx, apdus) VALUES"
                  " (CAST($1 AS BIGINT), CAST($2 AS INTEGER), $3)", 3, q);
        g_free(iuh);
    }
    for (guint i = 0; rc >= 0 && i < scripts->len; i++) {
        GPtrArray *a = g_ptr_array_index(scripts, i);
        g_ptr_array_add(a, NULL);
        char *joined = g_strjoinv(" ", (char **)a->pdata);
        g_ptr_array_remove_index(a, a->len - 1);
        char *idx = g_strdup_printf("%u", i + 1);
        const char *q[] = { sid, idx, joined };
        rc = exec(db, "INSERT INTO scripts (job, idx, apdus) VALUES"
                  " (CAST($1 AS BIGINT), CAST($2 AS INTEGER), $3)", 3, q);
        g_free(joined);
        g_free(idx);
    }
    g_free(sid);
    if (rc < 0 || commit(db) < 0) {
        rollback(db);
        id = -1;
    }
out:
    ras_card_clear(&c);
    g_free(now); g_free(lvl); g_free(n); g_free(hc);
    return id;
}

/* The job of a query that returns at most one (R NULL: the query
 * failed): 1 found and *J filled, 0 none, -1 error. Frees R. */
static int one_job(Rows *r, RasJob *j)
{
    if (!r) {
        return -1;
    }
    int found = r->rows->len == 1;
    if (found) {
        job_from(r, 0, j);
    }
    rows_free(r);
    return found;
}

int ras_db_job_get(RasDb *db, int64_t id, RasJob *j)
{
    char *sid = I64(id);
    const char *p[] = { sid };
    char *sql = g_strdup_printf("SELECT %s FROM jobs WHERE id = CAST($1 AS BIGINT)",
                                JOB_COLS);
    Rows *r = run(db, sql, 1, p, NULL);
    g_free(sql);
    g_free(sid);
    return one_job(r, j);
}

int ras_db_claim(RasDb *db, const char *card, const char *owner,
                 int lease_s, bool take_sent, RasJob *j)
{
    int64_t now = ras_now_ms();
    char *snow = I64(now), *lease = I64(now + (int64_t)lease_s * 1000);
    const char *p[] = { card, owner, lease, snow, take_sent ? "1" : "0" };
    /* Amendment B leaves queueing to the server. One statement: the
     * candidate is locked (and skipped by other instances while locked,
     * PostgreSQL) and marked sent with a lease. */
    char *sql = g_strdup_printf(
        "UPDATE jobs SET state = 'sent', owner = $2,"
        " lease_until = CAST($3 AS BIGINT), updated = CAST($4 AS BIGINT)"
        " WHERE id = (SELECT id FROM jobs WHERE card = $1 AND"
        " (state = 'queued' OR (state = 'sent' AND (lease_until < CAST($4 AS BIGINT)"
        " OR CAST($5 AS INTEGER) = 1)))"
        " ORDER BY id LIMIT 1%s) RETURNING %s",
        db->pg ? " FOR UPDATE SKIP LOCKED" : "", JOB_COLS);
    Rows *r = run(db, sql, 5, p, NULL);
    g_free(sql);
    g_free(snow);
    g_free(lease);
    return one_job(r, j);
}

int ras_db_job_touch(RasDb *db, int64_t id, const char *owner, int lease_s)
{
    int64_t now = ras_now_ms();
    char *sid = I64(id), *snow = I64(now);
    char *lease = I64(now + (int64_t)lease_s * 1000);
    const char *p[] = { sid, owner, lease, snow };
    int rc = exec(db, "UPDATE jobs SET owner = $2, lease_until = CAST($3 AS BIGINT),"
                  " updated = CAST($4 AS BIGINT) WHERE id = CAST($1 AS BIGINT)"
                  " AND state IN ('queued', 'sent')", 4, p);
    g_free(sid); g_free(snow); g_free(lease);
    return rc < 0 ? -1 : 0;
}

int ras_db_job_finish(RasDb *db, int64_t id, const char *state,
                      const char *reason)
{
    char *sid = I64(id), *snow = I64(ras_now_ms());
    const char *p[] = { sid, state, reason, snow };
    int rc = exec(db, "UPDATE jobs SET state = $2, reason = $3,"
                  " updated = CAST($4 AS BIGINT) WHERE id = CAST($1 AS BIGINT)"
                  " AND state IN ('queued', 'sent')", 4, p);
    g_free(sid); g_free(snow);
    return rc < 0 ? -1 : 0;
}

int ras_db_script(RasDb *db, int64_t id, int idx, GPtrArray **apdus,
                  bool *answered)
{
    char *sid = I64(id), *sidx = g_strdup_printf("%d", idx);
    const char *p[] = { sid, sidx };
    Rows *r = run(db, "SELECT apdus, answered FROM scripts WHERE"
                  " job = CAST($1 AS BIGINT) AND idx = CAST($2 AS INTEGER)",
                  2, p, NULL);
    g_free(sid); g_free(sidx);
    if (!r) {
        return -1;
    }
    int found = r->rows->len == 1;
    if (found) {
        if (apdus) {
            *apdus = g_ptr_array_new_with_free_func(g_free);
            gchar **v = g_strsplit(cell(r, 0, 0), " ", -1);
            for (gchar **s = v; *s; s++) {
                if (**s) {
                    g_ptr_array_add(*apdus, g_strdup(*s));
                }
            }
            g_strfreev(v);
        }
        if (answered) {
            *answered = atoi(cell(r, 0, 1)) != 0;
        }
    }
    rows_free(r);
    return found;
}

int ras_db_next_script(RasDb *db, int64_t id)
{
    char *sid = I64(id);
    const char *p[] = { sid };
    Rows *r = run(db, "SELECT MIN(idx) FROM scripts WHERE job = CAST($1 AS BIGINT)"
                  " AND answered = 0", 1, p, NULL);
    g_free(sid);
    if (!r) {
        return -2;
    }
    int idx = r->rows->len && cell(r, 0, 0) ? atoi(cell(r, 0, 0)) : -1;
    rows_free(r);
    return idx;
}

int ras_db_script_sent(RasDb *db, int64_t id, int idx)
{
    char *sid = I64(id), *sidx = g_strdup_printf("%d", idx);
    const char *p[] = { sid, sidx };
    int rc = exec(db, "UPDATE scripts SET sent_count = sent_count + 1 WHERE"
                  " job = CAST($1 AS BIGINT) AND idx = CAST($2 AS INTEGER)", 2, p);
    g_free(sid); g_free(sidx);
    return rc < 0 ? -1 : 0;
}

int ras_db_record(RasDb *db, int64_t id, int idx, const char *status,
                  int executed, GPtrArray *rapdus_hex, const char *raw_hex)
{
    char *sid = I64(id), *sidx = g_strdup_printf("%d", idx);
    char *sexe = g_strdup_printf("%d", executed), *snow = I64(ras_now_ms());
    int ret = -1;
    if (begin(db) < 0) {
        goto out;
    }
    const char *p[] = { sid, sidx };
    Rows *r = run(db, db->pg
        ? "SELECT answered FROM scripts WHERE job = CAST($1 AS BIGINT) AND"
          " idx = CAST($2 AS INTEGER) FOR UPDATE"
        : "SELECT answered FROM scripts WHERE job = CAST($1 AS BIGINT) AND"
          " idx = CAST($2 AS INTEGER)", 2, p, NULL);
    if (!r || r->rows->len != 1) {
        if (r) {
            g_free(db->err);
            db->err = g_strdup("no such script");
        }
        rows_free(r);
        rollback(db);
        goto out;
    }
    bool answered = atoi(cell(r, 0, 0)) != 0;
    rows_free(r);
    if (answered) {
        rollback(db);
        ret = 1;                    /* a duplicate: kept as first recorded */
        goto out;
    }
    const char *u[] = { sid, sidx, status, sexe, raw_hex, snow };
    int rc = exec(db, "UPDATE scripts SET answered = 1, status = $3,"
                  " executed = CAST($4 AS INTEGER), raw = $5,"
                  " answered_at = CAST($6 AS BIGINT) WHERE job = CAST($1 AS BIGINT)"
                  " AND idx = CAST($2 AS INTEGER)", 6, u);
    for (guint i = 0; rc >= 0 && rapdus_hex && i < rapdus_hex->len; i++) {
        char *seq = g_strdup_printf("%u", i);
        const char *q[] = { sid, sidx, seq, g_ptr_array_index(rapdus_hex, i) };
        rc = exec(db, "INSERT INTO responses (job, idx, seq, rapdu) VALUES"
                  " (CAST($1 AS BIGINT), CAST($2 AS INTEGER),"
                  " CAST($3 AS INTEGER), $4)", 4, q);
        g_free(seq);
    }
    if (rc < 0 || commit(db) < 0) {
        rollback(db);
        goto out;
    }
    ret = 0;
out:
    g_free(sid); g_free(sidx); g_free(sexe); g_free(snow);
    return ret;
}

char *ras_db_rapdu(RasDb *db, int64_t id, int idx, int seq)
{
    char *sid = I64(id), *sidx = g_strdup_printf("%d", idx);
    char *sseq = g_strdup_printf("%d", seq);
    const char *p[] = { sid, sidx, sseq };
    Rows *r = run(db, "SELECT rapdu FROM responses WHERE job = CAST($1 AS BIGINT)"
                  " AND idx = CAST($2 AS INTEGER) AND seq = CAST($3 AS INTEGER)",
                  3, p, NULL);
    g_free(sid); g_free(sidx); g_free(sseq);
    char *v = r && r->rows->len ? g_strdup(cell(r, 0, 0)) : NULL;
    rows_free(r);
    return v;
}

int ras_db_audit(RasDb *db, const char *instance, const char *card,
                 const char *identity, const char *peer, const char *event,
                 const char *detail)
{
    char *now = I64(ras_now_ms());
    const char *p[] = { now, instance, card, identity, peer, event, detail };
    int rc = exec(db, "INSERT INTO audit (at, instance, card, identity, peer,"
                  " event, detail) VALUES (CAST($1 AS BIGINT), $2, $3, $4, $5,"
                  " $6, $7)", 7, p);
    g_free(now);
    return rc < 0 ? -1 : 0;
}

/* Rows as a JSON array of objects named after the columns. */
static void rows_json(GString *o, Rows *r, const char *const *names,
                      const bool *numeric)
{
    g_string_append_c(o, '[');
    for (guint i = 0; i < r->rows->len; i++) {
        g_string_append(o, i ? ",\n {" : "{");
        for (int c = 0; c < r->ncols; c++) {
            g_string_append_printf(o, "%s\"%s\": ", c ? ", " : "", names[c]);
            if (numeric[c] && cell(r, i, c)) {
                g_string_append(o, cell(r, i, c));
            } else {
                ras_json_quote(o, cell(r, i, c));
            }
        }
        g_string_append_c(o, '}');
    }
    g_string_append_c(o, ']');
}

char *ras_db_jobs_json(RasDb *db, const char *card, int64_t job_id)
{
    static const char *const jn[] = { "id", "card", "state", "reason",
        "target", "scp03_level", "n_scripts", "owner", "created", "updated" };
    static const bool jnum[] = { 1, 0, 0, 0, 0, 1, 1, 0, 1, 1 };
    char *sid = I64(job_id);
    const char *p[] = { card, sid };
    Rows *r = run(db, "SELECT id, card, state, reason, target, scp03_level,"
                  " n_scripts, owner, created, updated FROM jobs WHERE"
                  " (CAST($1 AS TEXT) IS NULL OR card = CAST($1 AS TEXT)) AND (CAST($2 AS BIGINT) = 0 OR"
                  " id = CAST($2 AS BIGINT)) ORDER BY id", 2, p, NULL);
    if (!r) {
        g_free(sid);
        return NULL;
    }
    GString *o = g_string_new(NULL);
    if (job_id) {
        /* One job: with its scripts and every R-APDU. */
        static const char *const sn[] = { "idx", "apdus", "sent_count",
            "answered", "status", "executed", "rapdus" };
        static const bool snum[] = { 1, 0, 1, 1, 0, 1, 0 };
        rows_json(o, r, jn, jnum);
        const char *q[] = { sid };
        Rows *s = run(db, db->pg
            ? "SELECT s.idx, s.apdus, s.sent_count, s.answered, s.status,"
              " s.executed, (SELECT string_agg(rapdu, ' ' ORDER BY seq) FROM"
              " responses x WHERE x.job = s.job AND x.idx = s.idx) FROM scripts s"
              " WHERE s.job = CAST($1 AS BIGINT) ORDER BY s.idx"
            : "SELECT s.idx, s.apdus, s.sent_count, s.answered, s.status,"
              " s.executed, (SELECT group_concat(rapdu, ' ') FROM (SELECT rapdu"
              " FROM responses x WHERE x.job = s.job AND x.idx = s.idx ORDER BY"
              " seq)) FROM scripts s WHERE s.job = CAST($1 AS BIGINT) ORDER BY s.idx",
            1, q, NULL);
        if (s && r->rows->len == 1) {
            g_string_truncate(o, o->len - 2);     /* reopen the object */
            g_string_append(o, ", \"scripts\": ");
            rows_json(o, s, sn, snum);
            g_string_append(o, "}]");
        }
        rows_free(s);
    } else {
        rows_json(o, r, jn, jnum);
    }
    rows_free(r);
    g_free(sid);
    return g_string_free(o, FALSE);
}

char *ras_db_log_json(RasDb *db, const char *card, int limit)
{
    static const char *const n[] = { "id", "at", "instance", "card",
        "identity", "peer", "event", "detail" };
    static const bool num[] = { 1, 1, 0, 0, 0, 0, 0, 0 };
    char *lim = g_strdup_printf("%d", limit);
    const char *p[] = { card, lim };
    Rows *r = run(db, "SELECT * FROM (SELECT id, at, instance, card, identity,"
                  " peer, event, detail FROM audit WHERE (CAST($1 AS TEXT) IS NULL OR card = CAST($1 AS TEXT))"
                  " ORDER BY id DESC LIMIT CAST($2 AS INTEGER)) t ORDER BY id",
                  2, p, NULL);
    g_free(lim);
    if (!r) {
        return NULL;
    }
    GString *o = g_string_new(NULL);
    rows_json(o, r, n, num);
    rows_free(r);
    return g_string_free(o, FALSE);
}
