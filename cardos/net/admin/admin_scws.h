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
 *   5. a path under ADMIN_SCWS_CONFIG ("/.well-known/scws/", RFC 8615's
 *      reserved place, so no content resource can be shadowed): users and
 *      protection sets of net/web/web_auth.h (SCWS 1.1's access control):
 *      PUT    .../user/<name>      body "pin:<key ref hex>" (a card PIN)
 *                                  or "password:<password>"   204
 *      DELETE .../user/<name>      (also out of every set)      204, 404
 *      PUT    .../protect<prefix>  body: user names, comma-separated:
 *                                  "/.well-known/scws/protect/wallet/"
 *                                  protects "/wallet/"           204
 *      DELETE .../protect<prefix>                               204, 404
 *      GET    .../users            text/plain "<name> pin <ref>" or
 *                                  "<name> password", one a line
 *      GET    .../protections      text/plain "<prefix> <user>,<user>"
 *      400 bad name/prefix/body, 404 a set naming an unknown user or
 *      a delete of what is not there, 507 table full, 405.
 *      The URIs are this card's design: the SCWS 1.1 text's own
 *      configuration commands were not available to check against.
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

#define ADMIN_SCWS_CONFIG "/.well-known/scws/"

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

/* Internal (admin_scws.c, admin_scws_auth.c): a response with a short
 * text body (none for 201/204), one extra header if EXTRA_NAME; the
 * status of a WEB_* result; the configuration requests, REST being the
 * path after ADMIN_SCWS_CONFIG with its leading '/'. */
size_t admin_scws_reply(unsigned status, const char *extra_name,
                        const char *extra, uint8_t *out, size_t cap,
                        unsigned *st);
unsigned admin_scws_web_status(int r);
size_t admin_scws_config(const char *rest, int method, const uint8_t *body,
                         size_t len, uint8_t *out, size_t cap,
                         unsigned *status);

#endif /* CARDOS_NET_ADMIN_ADMIN_SCWS_H */
