/*
 * Web applets: the HTTP routes of native applet instances and running a
 * request in the instance that owns its route (docs/webapps.md "Web
 * applets"; the system calls NC_SYS_HTTP_ROUTE, NC_SYS_HTTP_HEADER,
 * NC_SYS_HTTP_TYPE, NC_SYS_HTTP_FIELD of cardos/sdk/netcard/syscall.h).
 *
 * sys/ is below net/ (docs/cardos.md "Layers"): it knows nothing of the
 * web server. The card's wiring (card/web_applets.c) registers a port
 * (sys_web_set_port) that tells which paths the card serves itself and
 * finds request fields, and calls sys_web_match() and sys_web_run() from
 * the web server's handler.
 *
 * Routes: SYS_WEB_ROUTES for all instances, each a path (exact, or a
 * prefix ending in '/', at most SYS_WEB_PATH_MAX bytes), a methods mask
 * and a handler event. An absolute path ("/wallet/api/") claims its
 * first segment ("/wallet/") for its instance: another instance's route
 * there, a segment the port reserves (the card's own resources) or
 * "/applets/" is refused. A relative one ("api/") is under the default
 * context root "/applets/<AID in hex>/". Order of checks at
 * registration: the arguments (NC_E_INVAL), the segment (NC_E_STATE),
 * room in the table (NC_E_NOSPACE), the store (NC_E_IO). Routes are kept
 * in the instance's namespace in the store (object SYS_OBJ_ROUTES), so
 * they come back at every start and go with the instance (DELETE
 * collects its namespace) without the applet registering them again.
 * Registered while the applet has a transaction open, the store write is
 * part of it (an abort takes it back; the table follows at the next
 * registry reload).
 *
 * Requests: the longest matching route wins. Before the applet runs:
 * the method not in its mask: 405; the instance LOCKED (GP life cycle,
 * GPC 2.3.1 5.3.2): 403 (the issuer's decision, not a transient state);
 * an applet already running (no re-entry): 503; path and query longer
 * than the window: 414. Then event EV of the instance runs with the
 * request in the APDU window (struct nc_http_req), the body through
 * NC_SYS_DATA, named fields through NC_SYS_HTTP_HEADER; NC_SYS_SEND
 * appends to the response body (at most the caller's CAP bytes:
 * NC_E_LENGTH past it), NC_SYS_HTTP_TYPE sets its Content-Type and
 * NC_SYS_HTTP_FIELD adds a field (not one the card writes itself:
 * Content-Type, Content-Length, Connection, Transfer-Encoding, Server).
 * Its result is the status (100..599, else 500).
 * A fault or a bad system-call argument: 500; the time budget spent:
 * 503 (both are the runtime's stops, counted towards LOCKED).
 *
 * Context: the event loop.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_SYS_WEB_H
#define CARDOS_SYS_WEB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SYS_WEB_ROUTES    8
#define SYS_WEB_PATH_MAX  27

struct sys_web_port {
    /* Does the card itself serve below "/SEG/" (LEN bytes, with both
     * slashes)? Then no applet may claim it. */
    bool (*reserved)(const char *seg, size_t len);
    /* Field NAME (NUL-terminated) of the request head HEAD: its value. */
    bool (*field)(const char *head, size_t head_len, const char *name,
                  const char **value, size_t *value_len);
    /* Add response field NAME: VALUE (NUL-terminated, checked) to the
     * response CTX (struct sys_web_rsp ctx); false when it does not fit. */
    bool (*add_field)(void *ctx, const char *name, const char *value);
};

void sys_web_set_port(const struct sys_web_port *port);

struct sys_web_req {
    uint32_t method;            /* one NC_HTTP_* bit; 0: not one of them */
    const char *path;           /* NUL-terminated */
    const char *query;          /* NUL-terminated, "" if none */
    const char *head;           /* the request head, for its fields */
    size_t head_len;
    const uint8_t *body;
    size_t body_len;
    uint16_t port;
};

struct sys_web_rsp {
    uint8_t *buf;               /* the body, written by the applet */
    size_t cap;
    size_t len;
    uint32_t type;              /* NC_HTTP_TYPE_* */
    uint32_t allow;             /* 405: the route's NC_HTTP_* methods */
    uint32_t fields;            /* fields the applet added */
    void *ctx;                  /* the caller's, for port->add_field */
};

/* The route for PATH (the longest match), or -1. */
int sys_web_match(const char *path);

/* Run REQ on route ROUTE (sys_web_match): the HTTP status, the body in
 * RSP. */
unsigned sys_web_run(int route, const struct sys_web_req *req,
                     struct sys_web_rsp *rsp);

/* The Content-Type of NC_HTTP_TYPE_* TYPE. */
const char *sys_web_type(uint32_t type);

#endif /* CARDOS_SYS_WEB_H */
