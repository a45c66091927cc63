/*
 * ras_db — queue, results and audit log on SQLite or PostgreSQL (see
 * ras_db.h; schema also in docs/remote-admin.md "Queue schema").
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "ras_db.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ras_codec.h"
#include "ras_json.h"

#include "ras_db_internal.h"

void rows_free(Rows *r)
{
    if (r) {
        for (guint i = 0; i < r->rows->len; i++) {
            gchar **row = g_ptr_array_index(r->rows, i);
            for (int c = 0; c < r->ncols; c++) {
                g_free(row[c]);
            }
            g_free(row);
        }
        g_ptr_array_free(r->rows, TRUE);
        g_free(r);
    }
}

const char *cell(Rows *r, guint row, int col)
{
    return ((gchar **)g_ptr_array_index(r->rows, row))[col];
}

int64_t ras_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void set_err(RasDb *db, const char *what, const char *msg)
{
    g_free(db->err);
    db->err = g_strdup_printf("%s: %s", what, msg);
}

const char *ras_db_error(RasDb *db)
{
    return db->err ? db->err : "no error";
}

bool ras_db_is_pg(RasDb *db)
{
    return db->pg != NULL;
}

/* Run SQL with N text parameters $1..$N; rows when WANT_ROWS. Returns
 * NULL on error (with WANT_ROWS) / sets *CHANGED. */
Rows *run(RasDb *db, const char *sql, int n, const char *const *p,
                 int *changed)
{
    Rows *r = g_new0(Rows, 1);
    r->rows = g_ptr_array_new();
    if (db->pg) {
        PGresult *res = PQexecParams(db->pg, sql, n, NULL, p, NULL, NULL, 0);
        ExecStatusType st = PQresultStatus(res);
        if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
            set_err(db, sql, PQerrorMessage(db->pg));
            PQclear(res);
            rows_free(r);
            return NULL;
        }
        r->ncols = PQnfields(res);
        for (int i = 0; i < PQntuples(res); i++) {
            gchar **row = g_new0(gchar *, r->ncols + 1);
            for (int c = 0; c < r->ncols; c++) {
                row[c] = PQgetisnull(res, i, c) ? NULL
                                                : g_strdup(PQgetvalue(res, i, c));
            }
            g_ptr_array_add(r->rows, row);
        }
        if (changed) {
            const char *t = PQcmdTuples(res);
            *changed = t && *t ? atoi(t) : 0;
        }
        PQclear(res);
        return r;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->lite, sql, -1, &st, NULL) != SQLITE_OK) {
        set_err(db, sql, sqlite3_errmsg(db->lite));
        rows_free(r);
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        char name[16];
        snprintf(name, sizeof(name), "$%d", i + 1);
        int idx = sqlite3_bind_parameter_index(st, name);
        if (idx > 0) {
            if (p[i]) {
                sqlite3_bind_text(st, idx, p[i], -1, SQLITE_TRANSIENT);
            } else {
                sqlite3_bind_null(st, idx);
            }
        }
    }
    r->ncols = sqlite3_column_count(st);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        gchar **row = g_new0(gchar *, r->ncols + 1);
        for (int c = 0; c < r->ncols; c++) {
            const unsigned char *t = sqlite3_column_text(st, c);
            row[c] = t ? g_strdup((const char *)t) : NULL;
        }
        g_ptr_array_add(r->rows, row);
    }
    if (rc != SQLITE_DONE) {
        set_err(db, sql, sqlite3_errmsg(db->lite));
        sqlite3_finalize(st);
        rows_free(r);
        return NULL;
    }
    if (changed) {
        *changed = sqlite3_changes(db->lite);
    }
    sqlite3_finalize(st);
    return r;
}

int exec(RasDb *db, const char *sql, int n, const char *const *p)
{
    int changed = 0;
    Rows *r = run(db, sql, n, p, &changed);
    if (!r) {
        return -1;
    }
    rows_free(r);
    return changed;
}

/* A write transaction: SQLite takes the write lock at BEGIN (IMMEDIATE)
 * so two processes never deadlock upgrading a read lock. */
int begin(RasDb *db)
{
    return exec(db, db->pg ? "BEGIN" : "BEGIN IMMEDIATE", 0, NULL) < 0 ? -1 : 0;
}

int commit(RasDb *db)
{
    return exec(db, "COMMIT", 0, NULL) < 0 ? -1 : 0;
}

void rollback(RasDb *db)
{
    char *keep = db->err ? g_strdup(db->err) : NULL;
    exec(db, "ROLLBACK", 0, NULL);
    g_free(db->err);
    db->err = keep;
}

static const char *schema[] = {
    "CREATE TABLE IF NOT EXISTS cards ("
    " card TEXT PRIMARY KEY, identity TEXT NOT NULL UNIQUE, psk TEXT NOT NULL,"
    " agent_id TEXT, scp03_kvn INTEGER, scp03_enc TEXT, scp03_mac TEXT,"
    " scp03_dek TEXT, created BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS jobs ("
    " id @ID@, card TEXT NOT NULL REFERENCES cards(card),"
    " state TEXT NOT NULL DEFAULT 'queued'"
    "  CHECK (state IN ('queued', 'sent', 'done', 'failed')),"
    " reason TEXT, target TEXT, scp03_level INTEGER NOT NULL DEFAULT 0,"
    " host_chal TEXT, n_scripts INTEGER NOT NULL, owner TEXT,"
    " lease_until BIGINT NOT NULL DEFAULT 0,"
    " created BIGINT NOT NULL, updated BIGINT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS jobs_card_state ON jobs (card, state, id)",
    "CREATE TABLE IF NOT EXISTS scripts ("
    " job BIGINT NOT NULL REFERENCES jobs(id), idx INTEGER NOT NULL,"
    " apdus TEXT NOT NULL, sent_count INTEGER NOT NULL DEFAULT 0,"
    " answered INTEGER NOT NULL DEFAULT 0, status TEXT, executed INTEGER,"
    " raw TEXT, answered_at BIGINT, PRIMARY KEY (job, idx))",
    "CREATE TABLE IF NOT EXISTS responses ("
    " job BIGINT NOT NULL, idx INTEGER NOT NULL, seq INTEGER NOT NULL,"
    " rapdu TEXT NOT NULL, PRIMARY KEY (job, idx, seq))",
    "CREATE TABLE IF NOT EXISTS audit ("
    " id @ID@, at BIGINT NOT NULL, instance TEXT, card TEXT, identity TEXT,"
    " peer TEXT, event TEXT NOT NULL, detail TEXT)",
};

static int create_schema(RasDb *db)
{
    const char *id = db->pg ? "BIGSERIAL PRIMARY KEY"
                            : "INTEGER PRIMARY KEY AUTOINCREMENT";
    /* Two instances starting together must not race on CREATE TABLE. */
    if (db->pg && exec(db, "SELECT pg_advisory_lock(815081)", 0, NULL) < 0) {
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < G_N_ELEMENTS(schema); i++) {
        GString *s = g_string_new(schema[i]);
        g_string_replace(s, "@ID@", id, 0);
        rc = exec(db, s->str, 0, NULL) < 0 ? -1 : 0;
        g_string_free(s, TRUE);
    }
    if (db->pg) {
        exec(db, "SELECT pg_advisory_unlock(815081)", 0, NULL);
    }
    return rc;
}

RasDb *ras_db_open(const char *spec, char **err)
{
    RasDb *db = g_new0(RasDb, 1);
    if (g_str_has_prefix(spec, "postgresql://") ||
        g_str_has_prefix(spec, "postgres://")) {
        db->pg = PQconnectdb(spec);
        if (PQstatus(db->pg) != CONNECTION_OK) {
            *err = g_strdup_printf("%s: %s", spec, PQerrorMessage(db->pg));
            PQfinish(db->pg);
            g_free(db);
            return NULL;
        }
        exec(db, "SET client_min_messages = warning", 0, NULL);
    } else {
        if (sqlite3_open(spec, &db->lite) != SQLITE_OK) {
            *err = g_strdup_printf("%s: %s", spec, sqlite3_errmsg(db->lite));
            sqlite3_close(db->lite);
            g_free(db);
            return NULL;
        }
        sqlite3_busy_timeout(db->lite, 5000);
        if (exec(db, "PRAGMA journal_mode = WAL", 0, NULL) < 0 ||
            exec(db, "PRAGMA synchronous = NORMAL", 0, NULL) < 0 ||
            exec(db, "PRAGMA foreign_keys = ON", 0, NULL) < 0) {
            *err = g_strdup(db->err);
            ras_db_close(db);
            return NULL;
        }
    }
    if (create_schema(db) < 0) {
        *err = g_strdup(db->err);
        ras_db_close(db);
        return NULL;
    }
    return db;
}

void ras_db_close(RasDb *db)
{
    if (!db) {
        return;
    }
    if (db->pg) {
        PQfinish(db->pg);
    }
    if (db->lite) {
        sqlite3_close(db->lite);
    }
    g_free(db->err);
    g_free(db);
}

void ras_card_clear(RasCard *c)
{
    g_free(c->card);
    g_free(c->identity);
    g_free(c->agent_id);
    memset(c, 0, sizeof(*c));
}

void ras_job_clear(RasJob *j)
{
    g_free(j->card);
    g_free(j->state);
    g_free(j->reason);
    g_free(j->target);
    g_free(j->host_chal);
    memset(j, 0, sizeof(*j));
}

char *hexdup(const uint8_t *p, size_t n)
{
    char *s = g_malloc(2 * n + 1);
    ras_hex(p, n, s);
    return s;
}

int ras_db_card_put(RasDb *db, const RasCard *c)
{
    char *psk = hexdup(c->psk, c->psk_len);
    char *now = g_strdup_printf("%" G_GINT64_FORMAT, ras_now_ms());
    char *kvn = c->has_scp03 ? g_strdup_printf("%u", c->scp03.kvn) : NULL;
    char *enc = c->has_scp03 ? hexdup(c->scp03.enc, c->scp03.key_len) : NULL;
    char *mac = c->has_scp03 ? hexdup(c->scp03.mac, c->scp03.key_len) : NULL;
    char *dek = c->has_scp03 ? hexdup(c->scp03.dek, c->scp03.key_len) : NULL;
    const char *p[] = { c->card, c->identity, psk, c->agent_id, kvn, enc, mac,
                        dek, now };
    int rc = exec(db,
        "INSERT INTO cards (card, identity, psk, agent_id, scp03_kvn,"
        " scp03_enc, scp03_mac, scp03_dek, created)"
        " VALUES ($1, $2, $3, $4, CAST($5 AS INTEGER), $6, $7, $8,"
        " CAST($9 AS BIGINT))"
        " ON CONFLICT (card) DO UPDATE SET identity = excluded.identity,"
        " psk = excluded.psk, agent_id = excluded.agent_id,"
        " scp03_kvn = excluded.scp03_kvn, scp03_enc = excluded.scp03_enc,"
        " scp03_mac = excluded.scp03_mac, scp03_dek = excluded.scp03_dek",
        9, p);
    g_free(psk); g_free(now); g_free(kvn); g_free(enc); g_free(mac);
    g_free(dek);
    return rc < 0 ? -1 : 0;
}

static int card_where(RasDb *db, const char *col, const char *v, RasCard *c)
{
    char *sql = g_strdup_printf(
        "SELECT card, identity, psk, agent_id, scp03_kvn, scp03_enc,"
        " scp03_mac, scp03_dek FROM cards WHERE %s = $1", col);
    const char *p[] = { v };
    Rows *r = run(db, sql, 1, p, NULL);
    g_free(sql);
    if (!r) {
        return -1;
    }
    int found = r->rows->len > 0;
    if (found) {
        memset(c, 0, sizeof(*c));
        c->card = g_strdup(cell(r, 0, 0));
        c->identity = g_strdup(cell(r, 0, 1));
        long n = ras_unhex(cell(r, 0, 2), c->psk, sizeof(c->psk));
        c->psk_len = n > 0 ? (size_t)n : 0;
        c->agent_id = g_strdup(cell(r, 0, 3));
        if (cell(r, 0, 4) && cell(r, 0, 5) && cell(r, 0, 6)) {
            c->has_scp03 = true;
            c->scp03.kvn = (uint8_t)atoi(cell(r, 0, 4));
            n = ras_unhex(cell(r, 0, 5), c->scp03.enc, 32);
            c->scp03.key_len = n > 0 ? (size_t)n : 0;
            ras_unhex(cell(r, 0, 6), c->scp03.mac, 32);
            if (cell(r, 0, 7)) {
                ras_unhex(cell(r, 0, 7), c->scp03.dek, 32);
            }
        }
    }
    rows_free(r);
    return found;
}

int ras_db_card_by_identity(RasDb *db, const char *identity, RasCard *c)
{
    return card_where(db, "identity", identity, c);
}

int ras_db_card_by_name(RasDb *db, const char *name, RasCard *c)
{
    return card_where(db, "card", name, c);
}

GPtrArray *ras_db_card_names(RasDb *db)
{
    Rows *r = run(db, "SELECT card FROM cards ORDER BY card", 0, NULL, NULL);
    if (!r) {
        return NULL;
    }
    GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < r->rows->len; i++) {
        g_ptr_array_add(a, g_strdup(cell(r, i, 0)));
    }
    rows_free(r);
    return a;
}

