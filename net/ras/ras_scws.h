/*
 * ras_scws — SCWS administration requests in the admin server's queue
 * (OMA Smartcard Web Server 1.1 "Full HTTP administration" carried in an
 * Amendment B session; docs/remote-admin.md "SCWS administration").
 *
 * A job is a list of scripts; a script is either a list of C-APDUs (hex)
 * or ONE SCWS request, stored in the same `scripts.apdus` column as the
 * text "scws:" followed by the hex of the whole embedded HTTP/1.1 request
 * (request line, Host, the resource's headers, Content-Length, body).
 * The session (ras_session.c) sends such a script as the body of a 200
 * with Content-Type RAS_CT_SCWS_REQUEST; the card answers with the
 * embedded HTTP response (RAS_CT_SCWS_RESPONSE), stored as the script's
 * one "R-APDU" (hex) with status "scws <code>"; a code >= 400 fails the
 * job with the request and the status line as its reason.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_RAS_SCWS_H
#define NETCARD_RAS_SCWS_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RAS_CT_SCWS_REQUEST  "application/vnd.oma.scws-http-request"
#define RAS_CT_SCWS_RESPONSE "application/vnd.oma.scws-http-response"
#define RAS_SCWS_PREFIX      "scws:"
/* Users and protection sets (cardos/net/admin/admin_scws.h item 5). */
#define RAS_SCWS_CONFIG      "/.well-known/scws/"
/* What the card's agent can hold: a request head and WEB_DATA_MAX (2048)
 * bytes fit its 4 KiB script buffer; bigger ones are refused here rather
 * than answered 413 by the card. */
#define RAS_SCWS_MAX         4096

/*
 * The stored form of one request: METHOD (PUT, DELETE, GET), PATH (an
 * absolute path), for PUT the DATA (LEN bytes) and TYPE (required),
 * ENCODING and LANGUAGE (NULL or ""). NULL and *ERR on a bad argument.
 */
char *ras_scws_request(const char *method, const char *path,
                       const uint8_t *data, size_t len, const char *type,
                       const char *encoding, const char *language,
                       char **err);

/* S is a stored SCWS request (starts with RAS_SCWS_PREFIX). */
bool ras_scws_is(const char *s);

/* Its embedded request bytes (g_bytes_unref), NULL if malformed. */
GBytes *ras_scws_bytes(const char *s);

/* "METHOD PATH" of a stored request, for logs (g_free). */
char *ras_scws_summary(const char *s);

/* The status code of an embedded HTTP response (100..599), -1 if it is
 * not one. */
int ras_scws_status(const uint8_t *p, size_t len);

#endif /* NETCARD_RAS_SCWS_H */
