/*
 * ras_db_internal — what ras_db.c (connections, schema, cards) shares
 * with ras_db_jobs.c (jobs, scripts, results, audit, JSON listings):
 * one SQL runner for both back ends with text parameters $1..$N.
 * Not for use outside ras_db*.c.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_RAS_DB_INTERNAL_H
#define NETCARD_RAS_DB_INTERNAL_H

#include <libpq-fe.h>
#include <sqlite3.h>

#include "ras_db.h"

struct RasDb {
    sqlite3 *lite;
    PGconn *pg;
    char *err;
};

typedef struct Rows {
    int ncols;
    GPtrArray *rows;        /* gchar ** of ncols, NULL for SQL NULL */
} Rows;

/* NULL on error (message in db->err); *CHANGED: rows affected. */
Rows *run(RasDb *db, const char *sql, int n, const char *const *p,
          int *changed);
void rows_free(Rows *r);
const char *cell(Rows *r, guint row, int col);
/* Rows affected, or -1. */
int exec(RasDb *db, const char *sql, int n, const char *const *p);
int begin(RasDb *db);
int commit(RasDb *db);
void rollback(RasDb *db);
char *hexdup(const uint8_t *p, size_t n);

#endif /* NETCARD_RAS_DB_INTERNAL_H */
