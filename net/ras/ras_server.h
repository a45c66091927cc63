/*
 * ras_server — the netcard-ras event loop: the HTTPS-PSK listener for
 * cards (Amendment B v1.1.3 section 2.2 and 3: TLS 1.2, PSK cipher suites
 * TLS_PSK_WITH_AES_128_GCM_SHA256 and TLS_PSK_WITH_AES_128_CBC_SHA256 only,
 * the PSK looked up per identity in the database; max_fragment_length as
 * the card asks, down to 512) and the plain-HTTP loopback listener of the
 * operator's REST API (ras_api.h), in one thread with poll(2).
 *
 * Contract:
 *  - Every connection is a non-blocking state machine (handshake, read a
 *    request, write the answer) with its own deadlines: handshake, whole
 *    request (slowloris), idle between requests, write; and bounded
 *    buffers (head 8 KiB, body --max-body). A peer that misses one is cut
 *    and audited; the others are not delayed by it.
 *  - At most max_conns connections; beyond, new ones are closed at once.
 *  - Prints one line "netcard-ras: ready cards=HOST:PORT admin=HOST:PORT"
 *    on stdout once both listen; SIGTERM/SIGINT end the loop.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_RAS_SERVER_H
#define NETCARD_RAS_SERVER_H

#include "ras_db.h"
#include "ras_session.h"

typedef struct RasServerOpts {
    const char *listen;         /* HOST:PORT for cards (PORT 0: any) */
    const char *admin;          /* HOST:PORT for the REST API, NULL: none */
    int handshake_ms, request_ms, idle_ms;
    int max_conns;
    RasConfig cfg;
} RasServerOpts;

int ras_server_run(RasDb *db, const RasServerOpts *o);

#endif /* NETCARD_RAS_SERVER_H */
