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
 * application's route always wins over them.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_NET_HTTP_HTTP_APP_H
#define CARDOS_NET_HTTP_HTTP_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_MAX_ROUTES    8
#define HTTP_MAX_DEFAULTS  3
#define HTTP_RENDER_MAX    2048

struct http_request {
    const char *method;       /* "GET", ... */
    const char *path;         /* "/api/status" (no query) */
    const char *query;        /* after '?', "" if none */
    const uint8_t *body;      /* Content-Length bytes (may be 0) */
    size_t body_len;
    uint16_t local_port;      /* 80, 3516, 4116 */
    const char *head;         /* the request head (head_len bytes), for */
    size_t head_len;          /* its fields: http_request_field() */
};

struct http_response;

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

/* The value of request field NAME (any case), not NUL-terminated. */
bool http_request_field(const struct http_request *req, const char *name,
                        const char **value, size_t *value_len);

/*
 * The buffer http_reply() copies bodies into (HTTP_RENDER_MAX bytes): a
 * handler may write its body there directly and pass it to http_reply()
 * (no copy), without http_printf() in the same response.
 */
void *http_reply_buffer(size_t *cap);

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

#endif /* CARDOS_NET_HTTP_HTTP_APP_H */
