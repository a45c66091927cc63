/*
 * The Administration Agent of GlobalPlatform Amendment B v1.1.3 (remote
 * application management over HTTP, SCP81): an HTTP/1.1 client over TLS
 * 1.2 PSK that asks the Remote Administration Server for work, executes
 * the scripts it gets through the card's APDU runtime and posts the
 * results. Card only (lwIP raw API, mbedTLS); the event loop drives it
 * from lwIP callbacks and soft timers, never blocking: the contact
 * interface keeps working during a session.
 *
 * Session (Amendment B 3.3-3.5, docs/remote-admin.md "The card's agent"):
 *   - triggered by admin_agent_trigger(): the ISO 7816 command of the
 *     wiring (card/admin.c), the poll timer, the boot poll, or an
 *     applet's system call; one session at a time (ADMIN_BUSY otherwise);
 *   - TCP to the parameters' destination (admin_params.h), TLS 1.2 PSK
 *     client (net/tls/tls.h; the PSK comes from the provider for
 *     ADMIN_PSK_REF(sd, kvn, kid): the security domain's SCP81 key) with
 *     max_fragment_length 512 (RFC 6066);
 *   - POST to the first URI without a body; each 200 carries a script
 *     (admin_script.h) for the targeted application
 *     (X-Admin-Targeted-Application, else the ISD); its C-APDUs go one by
 *     one through dispatch_command() on the admin APDU session, one per
 *     pass of the event loop; execution stops after the first R-APDU
 *     whose SW is not 9000/61xx/62xx/63xx (TS 102 226 5.2.2); the results
 *     are POSTed to X-Admin-Next-URI (chunked when the server's response
 *     was); 204 ends the session with close_notify; any other status,
 *     a malformed response or an oversized head ends it;
 *   - a script over ADMIN_SCRIPT_MAX is read and dropped, and answered
 *     with 90 02 (bad format: length) and no command executed;
 *   - TCP breakdown (reset, peer close, ADMIN_IO_TIMEOUT_MS without
 *     progress) anywhere in the session: retried per the retry policy
 *     (retry counter persisted through the wiring and decremented at
 *     every attempt, across resets), after the retry timer, resuming with
 *     X-Admin-Resume: true at the last Next-URI with the last results
 *     (Amendment B 3.4.5); before the first 200 the retry starts over;
 *   - a session a reset interrupted is resumed once the network is up
 *     (one retry spent); the commands of the script it was executing are
 *     not applied twice: admin_journal.h;
 *   - TLS failures (handshake, alerts, bad records) end the session
 *     without retry (Amendment B 2.2.3).
 *
 * Log lines (module "admin"):
 *   I admin: session start (<trigger>) to A.B.C.D:P
 *   I admin: script <n>: <k> commands, status <s>
 *   W admin: connection lost (<why>); retry <r> left in <ms> ms
 *   I admin: session ok: <n> scripts, <k> commands
 *   W admin: session failed: <reason> (<detail>)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_NET_ADMIN_ADMIN_AGENT_H
#define CARDOS_NET_ADMIN_ADMIN_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/admin/admin_agent_types.h"

/* Once the network is up: resumes an interrupted session (after its
 * retry timer), runs the boot poll and starts the poll timer of the ISD's
 * parameters. */
void admin_agent_init(const struct admin_agent_config *cfg);

/* Start a session for security domain SD (0: the ISD). */
enum admin_start admin_agent_trigger(uint8_t sd, enum admin_trigger why);

bool admin_agent_busy(void);

/* During a session: true and *SD the security domain it administers
 * (the one whose SCP81 keys authenticated the PSK-TLS session). */
bool admin_agent_session_sd(uint8_t *sd);

/* The parameters changed (STORE DATA): restart the poll timer. */
void admin_agent_params_changed(void);

/* The last session's outcome for GET DATA DF3A (admin_agent.c):
 * DF3A 0A outcome retries(2) detail(2) scripts(2) commands(2) trigger;
 * its length, 0 if CAP is too small. */
size_t admin_agent_status(uint8_t *out, size_t cap);

/* Static RAM of the agent, for the bench. */
size_t admin_agent_ram_bytes(void);

#endif /* CARDOS_NET_ADMIN_ADMIN_AGENT_H */
