/*
 * ras_db — the admin server's queue, results and audit log, on SQLite (one
 * file, WAL) or PostgreSQL (several server instances sharing the work).
 * The schema is in docs/remote-admin.md "Queue schema"; both back ends
 * run the same SQL except where noted (ids, the claim's SKIP LOCKED).
 *
 * Contract:
 *  - ras_db_open(SPEC): SPEC is a file path (SQLite, created with the
 *    schema when new, journal_mode=WAL, busy timeout 5 s) or a
 *    postgresql:// / postgres:// URI (libpq; the schema is created if
 *    missing). Binary values are stored as upper-case hex text.
 *  - Every function is synchronous and returns < 0 on a database error
 *    (the message is kept: ras_db_error()).
 *  - ras_db_claim: the oldest job of a card that is queued, or sent with
 *    an expired lease (or with any lease when TAKE_SENT: the card said
 *    its earlier session is over), becomes "sent" with OWNER and a lease; on
 *    PostgreSQL the candidate row is chosen with SELECT ... FOR UPDATE
 *    SKIP LOCKED, so two instances never claim the same job.
 *  - ras_db_record: stores one script's results (status, R-APDUs) once:
 *    under a row lock (PostgreSQL FOR UPDATE, SQLite BEGIN IMMEDIATE) it
 *    returns 0 after storing and 1 when that script was already answered
 *    (a resumed session re-posting the same results).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_RAS_DB_H
#define NETCARD_RAS_DB_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "ras_scp03.h"

typedef struct RasDb RasDb;

typedef struct RasCard {
    char *card;             /* ICCID or agent id: the operator's name */
    char *identity;         /* PSK identity (TLS) */
    uint8_t psk[64];
    size_t psk_len;
    char *agent_id;         /* expected X-Admin-From, may be NULL */
    bool has_scp03;
    RasScp03Keys scp03;     /* the card's static keys, server side only */
} RasCard;

typedef struct RasJob {
    int64_t id;
    char *card;
    char *state;            /* queued, sent, done, failed */
    char *reason;
    char *target;           /* AID hex, or NULL: the agent's own SD */
    int scp03_level;        /* 0: scripts sent as given */
    char *host_chal;        /* hex, for SCP03 jobs */
    int n_scripts;          /* scripts 1..n (0 is SCP03's INITIALIZE UPDATE) */
} RasJob;

RasDb *ras_db_open(const char *spec, char **err);
void ras_db_close(RasDb *db);
bool ras_db_is_pg(RasDb *db);
const char *ras_db_error(RasDb *db);

void ras_card_clear(RasCard *c);
void ras_job_clear(RasJob *j);

int ras_db_card_put(RasDb *db, const RasCard *c);
/* 1 found (C filled), 0 unknown. */
int ras_db_card_by_identity(RasDb *db, const char *identity, RasCard *c);
int ras_db_card_by_name(RasDb *db, const char *name, RasCard *c);
/* Every card name (g_free'd strings in a GPtrArray with a free func). */
GPtrArray *ras_db_card_names(RasDb *db);

/* A job: SCRIPTS is an array of scripts, each a GPtrArray of C-APDU hex
 * strings. With SCP03_LEVEL > 0 script 0 (INITIALIZE UPDATE with a fresh
 * host challenge) is added. Returns the new id (> 0). */
int64_t ras_db_job_add(RasDb *db, const char *card, const char *target,
                       int scp03_level, GPtrArray *scripts);
int ras_db_job_get(RasDb *db, int64_t id, RasJob *j);
int ras_db_claim(RasDb *db, const char *card, const char *owner,
                 int lease_s, bool take_sent, RasJob *j);
int ras_db_job_touch(RasDb *db, int64_t id, const char *owner, int lease_s);
int ras_db_job_finish(RasDb *db, int64_t id, const char *state,
                      const char *reason);

/* Script IDX of job ID: its C-APDUs (hex strings) and whether answered. */
int ras_db_script(RasDb *db, int64_t id, int idx, GPtrArray **apdus,
                  bool *answered);
/* The first unanswered script index of a job, or -1 when all are. */
int ras_db_next_script(RasDb *db, int64_t id);
int ras_db_script_sent(RasDb *db, int64_t id, int idx);
int ras_db_record(RasDb *db, int64_t id, int idx, const char *status,
                  int executed, GPtrArray *rapdus_hex, const char *raw_hex);
/* R-APDU SEQ of script IDX (hex, g_free), NULL if none. */
char *ras_db_rapdu(RasDb *db, int64_t id, int idx, int seq);

int ras_db_audit(RasDb *db, const char *instance, const char *card,
                 const char *identity, const char *peer, const char *event,
                 const char *detail);

/* JSON arrays for the operator (status, log): g_free'd strings. */
char *ras_db_jobs_json(RasDb *db, const char *card, int64_t job_id);
char *ras_db_log_json(RasDb *db, const char *card, int limit);

int64_t ras_now_ms(void);

#endif /* NETCARD_RAS_DB_H */
