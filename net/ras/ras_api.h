/*
 * ras_api — the operator's operations, shared by the command line
 * (netcard ras enqueue|status|log|card) and the JSON REST API on the
 * loopback admin port (plain HTTP; not reachable by cards):
 *
 *   GET  /api/cards                    card names
 *   POST /api/cards   {"card","identity","psk"[,"agent_id"][,"scp03":
 *                      {"kvn","enc","mac","dek"}]}              -> 201
 *   POST /api/jobs    {"card" | "all": true, "apdus": [hex...] |
 *                      "scripts": [[hex...], ...][, "target": AID]
 *                      [, "scp03": level]}     -> 201 {"jobs": [ids]}
 *   GET  /api/jobs[?card=ICCID]        jobs with state and reason
 *   GET  /api/jobs/ID                  one job, its scripts and R-APDUs
 *   GET  /api/log[?card=ICCID][&limit=N]   the audit log
 *
 * Answers are application/json; errors {"error": "..."} with 400/404/500.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_RAS_API_H
#define NETCARD_RAS_API_H

#include "ras_db.h"
#include "ras_http.h"
#include "ras_session.h"

/* Enqueue one job per card (CARD, or every card when ALL): SCRIPTS is a
 * GPtrArray of GPtrArray of C-APDU hex strings, each checked (4..261
 * bytes). New ids are appended to IDS. NULL, or an error message. */
char *ras_enqueue(RasDb *db, const char *card, bool all, const char *target,
                  int scp03_level, GPtrArray *scripts, GArray *ids);

/* Add or replace a card. NULL, or an error message. */
char *ras_card_add(RasDb *db, const char *card, const char *identity,
                   const char *psk_hex, const char *agent_id,
                   const char *scp03_spec);

GByteArray *ras_api_handle(RasDb *db, const RasConfig *cfg,
                           const RasHttpReq *req);

#endif /* NETCARD_RAS_API_H */
