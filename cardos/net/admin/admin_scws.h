/*
 * admin_scws: SCWS administration inside an Amendment B session (OMA
 * Smartcard Web Server 1.1, OMA-TS-Smartcard_Web_Server-V1_1, its "Full
 * HTTP administration" protocol; docs/remote-admin.md "SCWS
 * administration"). Pure code over web_store.h: unit-testable on the host.
 *
 * The admin agent (admin_agent.c) reads each 200 response of the
 * Remote Administration Server. When its Content-Type is
 * ADMIN_CT_SCWS_REQUEST (instead of Amendment B's GP script type), the
 * body is one embedded HTTP/1.1 request for the SCWS; admin_scws_exec()
 * executes it against the content store and writes the embedded HTTP/1.1
 * response, which the agent POSTs back (Content-Type
 * ADMIN_CT_SCWS_RESPONSE) on the session's next request, exactly where
 * a GP response script would go. RAM over HTTP scripts and SCWS requests
 * thus alternate freely in one PSK-TLS session, as Amendment B and SCWS
 * 1.1 require.
 *
 * The embedded request (order of checks):
 *   1. the body did not fit the agent's buffer (OVERFLOW): 413, nothing
 *      done (a resource is at most WEB_DATA_MAX bytes anyway);
 *   2. not an HTTP/1.x request head, Content-Length not matching the
 *      bytes that follow the head, a transfer coding: 400;
 *   3. path longer than WEB_PATH_MAX - 1: 414;
 *   4. the method:
 *      PUT <path>     create (201) or replace (204) the resource with the
 *                     body and the embedded request's Content-Type
 *                     (required), Content-Encoding, Content-Language and
 *                     Last-Modified (IMF-fixdate, optional); one store
 *                     transaction (web_store.h: old or new after a tear);
 *                     400 bad path/metadata, 413 over WEB_DATA_MAX, 507
 *                     store full, 500 store failure;
 *      DELETE <path>  204; a path ending in '/' deletes the directory
 *                     (every resource below it); 404 if nothing matched;
 *      GET <path>     audit. A resource: 200 with its data and metadata
 *                     (Content-Type, -Encoding, -Language, ETag,
 *                     Last-Modified), or 206 with Content-Range when the
 *                     response would not fit OUT (the first bytes); a path
 *                     ending in '/': 200 text/plain, one line per resource
 *                     below it: "<path> <size> <etag> <type>", in slot
 *                     order (truncated lines are not sent: the last line
 *                     is "..." when the listing did not fit); 404;
 *      any other:     405 with Allow: GET, PUT, DELETE.
 * Protection sets and users (SCWS 1.1's access-control configuration)
 * are not administered yet: the web server has no such module in this
 * tree (docs/remote-admin.md says what is missing).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_NET_ADMIN_ADMIN_SCWS_H
#define CARDOS_NET_ADMIN_ADMIN_SCWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ADMIN_CT_SCWS_REQUEST  "application/vnd.oma.scws-http-request"
#define ADMIN_CT_SCWS_RESPONSE "application/vnd.oma.scws-http-response"

/* CT (a Content-Type field value) names an embedded SCWS request. */
bool admin_scws_is_request(const char *ct);

/*
 * Execute the embedded request REQ[0..LEN) (see above). REQ is also the
 * scratch buffer (REQ_CAP bytes, at least WEB_DATA_MAX) once the request
 * is parsed. The embedded response goes to OUT (CAP bytes); its length
 * (0 only if CAP cannot hold a minimal response). *STATUS: its status.
 */
size_t admin_scws_exec(uint8_t *req, size_t len, size_t req_cap,
                       bool overflow, uint8_t *out, size_t cap,
                       unsigned *status);

#endif /* CARDOS_NET_ADMIN_ADMIN_SCWS_H */
