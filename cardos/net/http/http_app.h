/*
 * Handler API of the on-card web server, for card applications that serve
 * resources (net/http/http_server.h runs the server, net/http/https_server.h
 * HTTPS; the same handlers answer on ports 80, 3516 and 4116).
 *
 * Routes: a handler is registered for a method (or any) and a path
 * (exact, or a prefix ending in '/'). It runs in the event loop, exactly
 * once per request, after the whole request (head and Content-Length
 * body) has arrived, and must answer before it returns by calling one of:
 *
 *   http_reply(resp, status, content_type, body, len)   copied now
 *   http_reply_static(resp, status, content_type, body, len)
 *                                   body in ROM (or any memory that
 *                                   outlives the response), sent in place
 *   http_printf(resp, fmt, ...)     append to a dynamic body (at most
 *                                   HTTP_RENDER_MAX bytes in all), then
 *                                   http_reply_rendered(resp, status, type)
 *
 * A handler that answers nothing gets 500. HEAD requests are answered
 * without the body automatically. Registration is for the life of the
 * OS (HTTP_MAX_ROUTES routes); the first matching route wins.
 *
 * Default resources: a request no route matches is offered to the
 * default handlers (http_default_add), in their order of registration,
 * AFTER every route, whenever the route was added; each one answers and
 * returns true, or returns false without answering. If none answers: 404.
 * The card's status page (applets/status_web.c) serves its built-in
 * resources ("/", "/api/status", "/static/...") this way, so an
 * application's route always wins over them. The SCWS content store
 * (net/web/web_server.h) is the first default handler: a stored resource
 * overrides a built-in one of the same path.
 *
 * Request fields: http_request_field(req, "If-None-Match", &len) gives
 * the value (RFC 9110 5.5, without surrounding whitespace) of the first
 * field of that name, or NULL. Response fields: http_add_field(resp,
 * name, fmt, ...) adds one (at most HTTP_EXTRA_MAX bytes in all; CR, LF
 * and NUL in a value are refused). A handler that sets Cache-Control or
 * Allow replaces the server's own (Cache-Control: no-store for dynamic
 * bodies, Allow: GET, HEAD for 405).
 *
 * Binary bodies: http_render_buffer(resp, &cap) is the render buffer
 * (HTTP_RENDER_MAX bytes) to fill, then http_reply_buffer(resp, status,
 * type, len). http_reply_no_body(resp, status, type, len) answers with a
 * head only, whose Content-Length is LEN (304: the length a 200 would
 * have, RFC 9110 8.6).
 *
 * Streamed bodies (larger than the render buffer: the SCWS content
 * store's resources, net/web/web_server.c): http_reply_source(resp,
 * status, type, src, len) answers with a head of Content-Length LEN and
 * a body the connection pulls from SRC as it has send room, after the
 * handler returned: SRC->read(SRC->state, off, buf, cap) copies bytes
 * from offset OFF of the body (SRC->off first, then on) into BUF (CAP >=
 * HTTP_SOURCE_BUF_MIN) and returns how many (at least 1; it may stop
 * short, e.g. at a chunk's end), or a negative value: the body cannot be
 * sent as it began (the resource changed or is damaged) and the server
 * aborts the connection (a TCP reset, or a TLS session torn down), so a
 * client never takes a mix for a whole body (its length falls short).
 * SRC is copied into the connection; STATE is the handler's.
 * BUF is a scratch buffer: the transport copies what it sends from it.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_NET_HTTP_HTTP_APP_H
#define CARDOS_NET_HTTP_HTTP_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_MAX_ROUTES    8
#define HTTP_MAX_DEFAULTS  4
#define HTTP_RENDER_MAX    2048
#define HTTP_EXTRA_MAX     320     /* bytes of handler-added fields */

struct http_request {
    const char *method;       /* "GET", ... */
    const char *path;         /* "/api/status" (no query) */
    const char *query;        /* after '?', "" if none */
    const uint8_t *body;      /* Content-Length bytes (may be 0) */
    size_t body_len;
    uint16_t local_port;      /* 80, 3516, 4116 */
    /* The request head, for http_request_field(). */
    const char *head;
    size_t head_len;
};

struct http_response;

/* A streamed body (above). */
#define HTTP_SOURCE_STATE    24u     /* bytes of the handler's state */
#define HTTP_SOURCE_BUF_MIN  1024u
typedef int (*http_source_read)(void *state, uint32_t off, uint8_t *buf,
                                size_t cap);
struct http_body_source {
    http_source_read read;
    uint32_t off;             /* offset of the next byte to read */
    uint32_t state[HTTP_SOURCE_STATE / 4u];
};

typedef void (*http_handler)(const struct http_request *req,
                             struct http_response *resp, void *ctx);

/*
 * METHOD NULL matches any method. PATH ending in '/' matches every path
 * below it. False when the table is full.
 */
bool http_route_add(const char *method, const char *path,
                    http_handler handler, void *ctx);

/* Answers (true) or declines (false, without answering) a request. */
typedef bool (*http_default_handler)(const struct http_request *req,
                                     struct http_response *resp, void *ctx);

/* Add a default handler (above); false when HTTP_MAX_DEFAULTS are in. */
bool http_default_add(http_default_handler handler, void *ctx);

void http_reply(struct http_response *resp, unsigned status,
                const char *content_type, const void *body, size_t len);
void http_reply_static(struct http_response *resp, unsigned status,
                       const char *content_type, const void *body,
                       size_t len);
/* Appends; returns false (and truncates) once HTTP_RENDER_MAX is full. */
bool http_printf(struct http_response *resp, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void http_reply_rendered(struct http_response *resp, unsigned status,
                         const char *content_type);

/* The first field NAME of the request (case-insensitive), or NULL; *LEN
 * its value's length (the value is not NUL-terminated). */
const char *http_request_field(const struct http_request *req,
                               const char *name, size_t *len);
/* Add a response field; false (nothing added) when it does not fit or
 * the value would split the head. */
bool http_add_field(struct http_response *resp, const char *name,
                    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The render buffer to fill with a binary body; *CAP its size. */
uint8_t *http_render_buffer(struct http_response *resp, size_t *cap);
void http_reply_buffer(struct http_response *resp, unsigned status,
                       const char *content_type, size_t len);
/* Content-Length LEN, the body pulled from SRC (above). */
void http_reply_source(struct http_response *resp, unsigned status,
                       const char *content_type,
                       const struct http_body_source *src, size_t len);
/* A head without content, Content-Length LEN (HEAD-like: 304). */
void http_reply_no_body(struct http_response *resp, unsigned status,
                        const char *content_type, size_t len);

/*
 * Access check (one, net/web/web_auth.h): runs before every route and
 * default handler; returns true to let the request through, or answers
 * it (401, 403) and returns false. NULL removes it.
 */
typedef bool (*http_access_check)(const struct http_request *req,
                                  struct http_response *resp);
void http_set_access_check(http_access_check check);

#endif /* CARDOS_NET_HTTP_HTTP_APP_H */
