/*
 * Web applets: routes and HTTP events. Contract: sys/web.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "store/store.h"
#include "sys/runtime.h"
#include "sys/sys_priv.h"
#include "sys/web.h"

#define LOG_MODULE "web"
#include "kernel/log.h"

/* cardos/sdk/netcard/syscall.h (the OS and the SDK do not include each
 * other; tests/system/webapps_flow.py sees the values an applet gets) */
#define E_INVAL       (-1)
#define E_NOTFOUND    (-2)
#define E_NOSPACE     (-4)
#define E_STATE       (-5)
#define E_IO          (-9)
#define EV_HTTP       16u
#define METHODS_ALL   0x0Fu
#define TYPE_COUNT    7u
#define FIELD_NAME_MAX 40u
#define FIELD_VALUE_MAX 128u

#define ROOT          "/applets/"
#define ROOT_LEN      (sizeof(ROOT) - 1u)
#define REL           0x80u     /* route.len: relative to the default root */

/* One route; also its record in the store (inst not used there). */
struct route {
    uint8_t inst;               /* instance index + 1; 0: free */
    uint8_t methods;
    uint8_t event;
    uint8_t len;                /* path bytes | REL */
    uint8_t id;                 /* its number among the instance's */
    char path[SYS_WEB_PATH_MAX];
};

static struct route routes[SYS_WEB_ROUTES];
static const struct sys_web_port *web_port;

void sys_web_set_port(const struct sys_web_port *port)
{
    web_port = port;
}

static const char *const types[TYPE_COUNT] = {
    "text/plain; charset=utf-8", "application/json",
    "text/html; charset=utf-8", "text/css", "text/javascript",
    "image/svg+xml", "application/octet-stream",
};

const char *sys_web_type(uint32_t type)
{
    return type < TYPE_COUNT ? types[type] : types[0];
}

static unsigned route_len(const struct route *r)
{
    return r->len & ~REL;
}

/* ---- the routes and the store ------------------------------------------ */

static unsigned inst_index(const struct sys_instance *in)
{
    for (unsigned k = 0; k < SYS_INSTANCES_MAX; k++) {
        if (sys_instance_at(k) == in) {
            return k;
        }
    }
    return SYS_INSTANCES_MAX;
}

/* The routes of instance IN (index K) into its store object. */
static int save(struct sys_call *c, unsigned k)
{
    struct store *st = sys_store();
    struct route rec[SYS_WEB_ROUTES];
    unsigned n = 0;
    uint32_t id = SYS_OBJ_ROUTES(c->in->ns);
    int rc;

    if (st == NULL) {
        return E_IO;
    }
    for (unsigned i = 0; i < SYS_WEB_ROUTES; i++) {
        if (routes[i].inst == k + 1u) {
            rec[n++] = routes[i];
        }
    }
    if (n == 0) {
        if (c->tx_open) {
            rc = store_delete(st, id);
        } else if ((rc = store_begin(st)) == STORE_OK) {
            rc = store_delete(st, id);
            rc = rc == STORE_OK ? store_commit(st) : (store_abort(st), rc);
        }
        return rc == STORE_OK || rc == STORE_ERR_NOT_FOUND ? 0 : E_IO;
    }
    rc = c->tx_open ? store_write(st, id, rec, n * sizeof(rec[0])) :
                      store_put(st, id, rec, n * sizeof(rec[0]));
    return rc == STORE_OK ? 0 : rc == STORE_ERR_FULL ? E_NOSPACE : E_IO;
}

void sys_web_reload(void)
{
    struct store *st = sys_store();
    unsigned used = 0;

    memset(routes, 0, sizeof(routes));
    for (unsigned k = 0; st && k < SYS_INSTANCES_MAX; k++) {
        const struct sys_instance *in = sys_instance_at(k);
        struct route rec[SYS_WEB_ROUTES];
        uint32_t len = 0;

        if (in == NULL ||
            store_read(st, SYS_OBJ_ROUTES(in->ns), rec, sizeof(rec), &len) !=
            STORE_OK) {
            continue;
        }
        for (unsigned i = 0; i < len / sizeof(rec[0]); i++) {
            if (used == SYS_WEB_ROUTES || route_len(&rec[i]) == 0 ||
                route_len(&rec[i]) > SYS_WEB_PATH_MAX) {
                LOG_E("a route of instance %u is dropped", k);
                continue;
            }
            routes[used] = rec[i];
            routes[used++].inst = (uint8_t)(k + 1u);
        }
    }
}

/* ---- NC_SYS_HTTP_ROUTE ----------------------------------------------------- */

static bool path_char_ok(char ch)
{
    return ch > 0x20 && ch < 0x7F && !strchr("?#%\"<>\\^`{|}", ch);
}

/* A path of printable URI characters, no empty, "." or ".." segment. */
static bool path_ok(const char *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (!path_char_ok(p[i])) {
            return false;
        }
        if ((i == 0 || p[i - 1] == '/') && p[i] == '.' &&
            (i + 1 == n || p[i + 1] == '/' ||
             (p[i + 1] == '.' && (i + 2 == n || p[i + 2] == '/')))) {
            return false;
        }
        if (i > 0 && p[i] == '/' && p[i - 1] == '/') {
            return false;
        }
    }
    return true;
}

/* "/seg/" of absolute path P: its length, 0 if P has no such segment. */
static uint32_t segment(const char *p, uint32_t n)
{
    for (uint32_t i = 1; i < n; i++) {
        if (p[i] == '/') {
            return i + 1;
        }
    }
    return 0;
}

static int32_t route_add(struct sys_call *c, const char *p, uint32_t n,
                         uint32_t methods, uint32_t ev)
{
    unsigned k = inst_index(c->in), free_at = SYS_WEB_ROUTES, same = 0;
    bool rel = n > 0 && p[0] != '/';
    uint32_t seg = rel ? 0 : segment(p, n);
    uint8_t next_id = 0;
    struct route old;
    int rc;

    if (n == 0 || n > SYS_WEB_PATH_MAX || (methods & ~METHODS_ALL) ||
        ev < EV_HTTP || ev > 255u || !path_ok(p, n) || (!rel && seg == 0) ||
        k == SYS_INSTANCES_MAX) {
        return E_INVAL;
    }
    if (!rel && ((seg == ROOT_LEN && memcmp(p, ROOT, ROOT_LEN) == 0) ||
                 (web_port && web_port->reserved(p, seg)))) {
        return E_STATE;
    }
    for (unsigned i = 0; i < SYS_WEB_ROUTES; i++) {
        const struct route *r = &routes[i];

        if (r->inst == 0) {
            free_at = free_at < SYS_WEB_ROUTES ? free_at : i;
            continue;
        }
        if (r->inst == k + 1u) {
            next_id = r->id >= next_id ? (uint8_t)(r->id + 1u) : next_id;
            if ((r->len & REL) == (rel ? REL : 0) && route_len(r) == n &&
                memcmp(r->path, p, n) == 0) {
                same = i + 1;
            }
        } else if (!rel && !(r->len & REL) && route_len(r) >= seg &&
                   memcmp(r->path, p, seg) == 0) {
            return E_STATE;         /* another instance's segment */
        }
    }
    if (same) {
        struct route *r = &routes[same - 1];

        old = *r;
        if (methods == 0) {
            memset(r, 0, sizeof(*r));
        } else {
            r->methods = (uint8_t)methods;
            r->event = (uint8_t)ev;
        }
        rc = save(c, k);
        if (rc != 0) {
            *r = old;
        }
        return rc != 0 ? rc : methods ? old.id : 0;
    }
    if (methods == 0) {
        return E_NOTFOUND;
    }
    if (free_at == SYS_WEB_ROUTES) {
        return E_NOSPACE;
    }
    routes[free_at] = (struct route){
        .inst = (uint8_t)(k + 1u), .methods = (uint8_t)methods,
        .event = (uint8_t)ev, .len = (uint8_t)(n | (rel ? REL : 0)),
        .id = next_id,
    };
    memcpy(routes[free_at].path, p, n);
    rc = save(c, k);
    if (rc != 0) {
        memset(&routes[free_at], 0, sizeof(routes[0]));
        return rc;
    }
    return next_id;
}

/* RFC 9110 5.1 field names: tokens; the card's own are refused. */
static bool name_ok(const char *p, uint32_t n)
{
    static const char *const own[] = {
        "content-type", "content-length", "connection",
        "transfer-encoding", "server",
    };

    for (uint32_t i = 0; i < n; i++) {
        char ch = p[i];

        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || strchr("!#$%&'*+-.^_`|~", ch)) ||
            ch == 0) {
            return false;
        }
    }
    for (unsigned k = 0; k < sizeof(own) / sizeof(own[0]); k++) {
        uint32_t i = 0;

        while (i < n && own[k][i] &&
               (p[i] | 0x20) == own[k][i]) {
            i++;
        }
        if (i == n && own[k][i] == 0) {
            return false;
        }
    }
    return true;
}

/* NC_SYS_HTTP_FIELD: name, value (visible ASCII, spaces, tabs). */
static int32_t field_add(struct sys_call *c, const char *name, uint32_t nl,
                         const char *value, uint32_t vl)
{
    char nm[FIELD_NAME_MAX + 1], v[FIELD_VALUE_MAX + 1];

    if (c->web_rsp == NULL) {
        return E_STATE;
    }
    if (nl == 0 || nl > FIELD_NAME_MAX || vl > FIELD_VALUE_MAX ||
        !name_ok(name, nl) || web_port == NULL) {
        return E_INVAL;
    }
    for (uint32_t i = 0; i < vl; i++) {
        if ((value[i] < 0x20 && value[i] != '\t') || value[i] == 0x7F) {
            return E_INVAL;
        }
    }
    memcpy(nm, name, nl);
    nm[nl] = 0;
    memcpy(v, value, vl);
    v[vl] = 0;
    if (!web_port->add_field(c->web_rsp->ctx, nm, v)) {
        return E_NOSPACE;
    }
    c->web_rsp->fields++;
    return 0;
}

enum sys_sc sys_syscall_web(struct sys_call *c, uint32_t n,
                            const uint32_t a[4], int32_t *r)
{
    if (n == SYS_SC_N_HTTP_ROUTE) {
        /* struct nc_http_route: path, path_len, methods, event */
        const uint32_t *rt = (const uint32_t *)(uintptr_t)a[0];

        if (!uproc_access_ok(&c->p, a[0], 16, false) ||
            !uproc_access_ok(&c->p, rt[0], rt[1], false)) {
            return SYS_SC_KILL;
        }
        *r = route_add(c, (const char *)(uintptr_t)rt[0], rt[1], rt[2],
                       rt[3]);
        return SYS_SC_RESUME;
    }
    if (n == SYS_SC_N_HTTP_TYPE) {
        if (c->web_rsp == NULL) {
            *r = E_STATE;
        } else if (a[0] >= TYPE_COUNT) {
            *r = E_INVAL;
        } else {
            c->web_rsp->type = a[0];
            *r = 0;
        }
        return SYS_SC_RESUME;
    }
    if (n == SYS_SC_N_HTTP_FIELD) {
        if (!uproc_access_ok(&c->p, a[0], a[1], false) ||
            !uproc_access_ok(&c->p, a[2], a[3], false)) {
            return SYS_SC_KILL;
        }
        *r = field_add(c, (const char *)(uintptr_t)a[0], a[1],
                       (const char *)(uintptr_t)a[2], a[3]);
        return SYS_SC_RESUME;
    }
    /* HTTP_HEADER: name, name_len, out, cap */
    if (!uproc_access_ok(&c->p, a[0], a[1], false) ||
        !uproc_access_ok(&c->p, a[2], a[3], true)) {
        return SYS_SC_KILL;
    }
    if (c->web == NULL) {
        *r = E_STATE;
    } else if (a[1] == 0 || a[1] > FIELD_NAME_MAX || web_port == NULL) {
        *r = E_INVAL;
    } else {
        char name[FIELD_NAME_MAX + 1];
        const char *v;
        size_t vl;

        memcpy(name, (const void *)(uintptr_t)a[0], a[1]);
        name[a[1]] = 0;
        if (strlen(name) != a[1] ||
            !web_port->field(c->web->head, c->web->head_len, name, &v, &vl)) {
            *r = strlen(name) != a[1] ? E_INVAL : E_NOTFOUND;
        } else {
            memcpy((void *)(uintptr_t)a[2], v, vl < a[3] ? vl : a[3]);
            *r = (int32_t)vl;
        }
    }
    return SYS_SC_RESUME;
}

/* ---- requests -------------------------------------------------------------- */

/* How much of PATH route R matches (its whole length), 0 if it does not. */
static size_t matches(const struct route *r, const char *path)
{
    size_t n = route_len(r), at = 0;

    if (r->len & REL) {
        const struct sys_instance *in = sys_instance_at(r->inst - 1u);
        static const char hex[] = "0123456789ABCDEF";

        if (in == NULL || strncmp(path, ROOT, ROOT_LEN) != 0) {
            return 0;
        }
        at = ROOT_LEN;
        for (uint8_t i = 0; i < in->a.aid_len; i++, at += 2) {
            if (path[at] != hex[in->aid[i] >> 4] ||
                path[at + 1] != hex[in->aid[i] & 15]) {
                return 0;
            }
        }
        if (path[at++] != '/') {
            return 0;
        }
    }
    if (strncmp(path + at, r->path, n) != 0) {
        return 0;
    }
    if (r->path[n - 1] != '/' && path[at + n] != 0) {
        return 0;                   /* exact path */
    }
    return at + n;
}

int sys_web_match(const char *path)
{
    int best = -1;
    size_t best_len = 0;

    for (unsigned i = 0; i < SYS_WEB_ROUTES; i++) {
        size_t m = routes[i].inst ? matches(&routes[i], path) : 0;

        if (m > best_len) {
            best = (int)i;
            best_len = m;
        }
    }
    return best;
}

unsigned sys_web_run(int route, const struct sys_web_req *req,
                     struct sys_web_rsp *rsp)
{
    const struct route *r = route >= 0 && route < SYS_WEB_ROUTES ?
                            &routes[route] : NULL;
    struct sys_instance *in = r && r->inst ? sys_instance_at(r->inst - 1u) :
                              NULL;
    size_t pl = strlen(req->path), ql = strlen(req->query);
    uint8_t *w;
    uint32_t result = 0;

    rsp->len = 0;
    rsp->type = 0;
    rsp->allow = 0;
    rsp->fields = 0;
    if (in == NULL) {
        return 404;
    }
    if (!(req->method & r->methods)) {
        rsp->allow = r->methods;
        return 405;
    }
    if (sys_instance_locked(in)) {
        return 403;
    }
    if (sys_running()) {
        return 503;
    }
    if (pl + ql + 2u > SYS_WINDOW_SIZE - 20u) {
        return 414;
    }
    /* struct nc_http_req in the window */
    w = sys_window_claim_clear(in);
    memcpy(w, &req->method, 4);
    w[4] = r->id;
    memcpy(w + 8, &(uint32_t){ (uint32_t)req->body_len }, 4);
    memcpy(w + 12, &(uint16_t){ (uint16_t)pl }, 2);
    memcpy(w + 14, &(uint16_t){ (uint16_t)ql }, 2);
    memcpy(w + 16, &req->port, 2);
    memcpy(w + 20, req->path, pl);
    memcpy(w + 21 + pl, req->query, ql);
    if (!sys_run_event(in, r->event, req, rsp, &result)) {
        rsp->len = 0;
        rsp->type = 0;
        return sys_last_stop() == SYS_STOP_BUDGET ||
               sys_last_stop() == SYS_STOP_CANNOT_RUN ? 503 : 500;
    }
    if (result < 100 || result > 599) {
        LOG_E("applet answered status %u", (unsigned)result);
        rsp->len = 0;
        rsp->type = 0;
        return 500;
    }
    return result;
}
