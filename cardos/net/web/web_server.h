/*
 * web_server: serves the SCWS content store (net/web/web_store.h) over the
 * card's web server (net/http/http_app.h), on ports 80, 3516 and 4116.
 *
 * web_server_init() registers the store as a default handler; the card's
 * wiring calls it BEFORE the status page registers its built-in
 * resources, so a stored resource overrides a built-in one of the same
 * path and deleting it brings the built-in back. Application routes come
 * before both (http_app.h).
 *
 * A request is offered to the store in this order (RFC 9110 13.2.2 for
 * the preconditions):
 *   1. the path: "/" and any path ending in '/' mean its "index.html"
 *      (OMA SCWS 1.1's default page for an abs_path of "/"); a path the
 *      store does not hold is declined (built-ins, then 404);
 *   2. the method: GET and HEAD; any other gets 405 with
 *      "Allow: GET, HEAD";
 *   3. If-None-Match (weak comparison, "*" matches): a match gets 304;
 *      otherwise, without If-None-Match, If-Modified-Since (an IMF-fixdate;
 *      only when the resource has a modification time): not newer gets 304;
 *   4. Range (RFC 9110 14.2), honoured only for GET, when If-Range (an
 *      entity tag) is absent or matches, and for a single "bytes=" range:
 *      206 with Content-Range; a range wholly outside the data: 416 with
 *      "Content-Range: bytes *\/<size>"; several ranges or another unit:
 *      the whole resource (200), which RFC 9110 allows;
 *   5. 200.
 * Every answer from the store carries ETag, Last-Modified (when known),
 * Content-Encoding and Content-Language (when set), Accept-Ranges: bytes
 * and Cache-Control: no-cache (a cache keeps it and revalidates: SCWS
 * content changes only through administration). A resource the store
 * cannot read (damaged) gets 500.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_NET_WEB_WEB_SERVER_H
#define CARDOS_NET_WEB_WEB_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Register the default handler; false when the table is full. */
bool web_server_init(void);

/* "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110 5.6.7 IMF-fixdate) for T
 * seconds since 1970 into OUT (at least 30 bytes). */
void web_http_date(uint32_t t, char *out, size_t size);
/* An IMF-fixdate back to seconds; false if it is not one. */
bool web_parse_http_date(const char *s, size_t len, uint32_t *t);

#endif /* CARDOS_NET_WEB_WEB_SERVER_H */
