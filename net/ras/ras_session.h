/*
 * ras_session — one card's administration session on the server: the
 * Amendment B v1.1.3 section 3 exchange, one HTTP request at a time.
 *
 * Contract (the protocol as implemented; docs/remote-admin.md):
 *  - The card (authenticated by its PSK identity during the TLS handshake)
 *    POSTs to its first URI with no body (3.4.2): the server claims the
 *    card's oldest waiting job (ras_db_claim) and answers 200 with the
 *    job's first unanswered script, or 204 No Content when nothing waits.
 *  - A 200 carries X-Admin-Protocol, Content-Type
 *    application/vnd.globalplatform.card-content-mgt;version=1.0, the
 *    script (TS 102 226 expanded format), X-Admin-Next-URI
 *    /ras/j/<job>/<script> — the URI to which the card posts the results
 *    of exactly this script — and X-Admin-Targeted-Application
 *    //aid/<RID>/<PIX> when the job names an application.
 *  - The card's next POST (to that Next-URI) carries the response script
 *    (Content-Type ...card-content-mgt-response;version=1.0) and
 *    X-Admin-Script-Status; the results are stored once (a repeated POST
 *    after X-Admin-Resume: true is recognised and not stored again), the
 *    job fails on a status other than ok, a '90' bad-format TLV, an
 *    unparsable script or fewer commands executed than sent (TS 102 226
 *    5.2.2: execution stops at the first failing command), and the answer
 *    is the next unanswered script of the job, then of the next job, or
 *    204. A script that has been answered is never sent again.
 *  - SCP03 jobs (level > 0): script 0 is INITIALIZE UPDATE; its R-APDU is
 *    checked (ras_scp03_begin) and script 1 starts with EXTERNAL
 *    AUTHENTICATE; every later command is wrapped, rebuilt
 *    deterministically from the stored challenge and response.
 *  - Errors (unknown job, another card's job, a body on the first POST,
 *    a method other than POST) answer 4xx and end the session.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_RAS_SESSION_H
#define NETCARD_RAS_SESSION_H

#include "ras_db.h"
#include "ras_http.h"

typedef struct RasConfig {
    const char *instance;       /* owner name in the queue and the audit log */
    int lease_s;                /* how long a sent job stays with a session */
    bool indefinite;            /* send scripts as 'AE' 80 ... 00 00 */
    bool chunked;               /* send bodies with Transfer-Encoding: chunked */
    size_t max_body;
} RasConfig;

typedef struct RasSession {
    RasCard card;               /* from the PSK identity */
    char peer[64];
    int posts;
    int scripts_sent;
} RasSession;

/* The response to one request. *CLOSE: end the connection after it. */
GByteArray *ras_session_handle(RasDb *db, const RasConfig *cfg,
                               RasSession *s, const RasHttpReq *req,
                               bool *close);

#define RAS_CT_SCRIPT   "application/vnd.globalplatform.card-content-mgt;version=1.0"
#define RAS_CT_RESPONSE "application/vnd.globalplatform.card-content-mgt-response;version=1.0"
#define RAS_PROTOCOL    "globalplatform-remote-admin/1.0"

#endif /* NETCARD_RAS_SESSION_H */
