/*
 * System calls of native applets (cardos/sdk/netcard/syscall.h is the
 * ABI; docs/applets.md "System calls" the reference). Contract:
 * sys/sys_priv.h.
 *
 * Every pointer and length is checked against the calling instance's
 * regions (uproc_access_ok: its code read-only, its RAM, the APDU
 * window) before the OS touches a byte: a bad one stops the applet
 * (SYS_SC_KILL), never reaches memory. Other bad arguments are NC_E_*
 * errors the applet sees.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "crypto/crypto.h"
#include "gp/registry.h"
#include "kernel/event_loop.h"
#include "sys/runtime.h"
#include "sys/sys_priv.h"
#include "sys/web.h"

#define LOG_MODULE "applet"
#include "kernel/log.h"

/* The numbers and errors of cardos/sdk/netcard/syscall.h (the OS and the
 * SDK do not include each other; tests/unit/test_sys_abi.c compares). */
enum {
    SC_EXIT, SC_VERSION, SC_SEND, SC_DATA, SC_RANDOM, SC_LOG, SC_OBJ_READ,
    SC_OBJ_WRITE, SC_OBJ_DELETE, SC_TX_BEGIN, SC_TX_COMMIT, SC_TX_ABORT,
    SC_KEY_IMPORT, SC_KEY_DESTROY, SC_CRYPTO, SC_HASH, SC_SC_STATE,
    SC_PARAMS, SC_HTTP_ROUTE, SC_SC_PROCESS, SC_SC_UNWRAP, SC_SC_WRAP,
    SC_KEY_GENERATE, SC_KEY_SAVE, SC_KEY_LOAD, SC_KEY_ERASE, SC_TIMER,
    SC_HTTP_HEADER, SC_HTTP_TYPE, SC_HTTP_FIELD, SC_ADMIN_SESSION, SC_COUNT
};
#define E_INVAL       (-1)
#define E_NOTFOUND    (-2)
#define E_QUOTA       (-3)
#define E_NOSPACE     (-4)
#define E_STATE       (-5)
#define E_UNSUPPORTED (-6)
#define E_LENGTH      (-7)
#define E_CRYPTO      (-8)
#define E_IO          (-9)
#define SYSCALL_VERSION 0x0102
#define OBJ_MAX       255u
#define RANDOM_MAX    1024u
#define LOG_MAX       96u
#define TIMER_MAX_MS  86400000u

static uint32_t calls;
static const struct sys_admin_port *admin_port;

void sys_admin_port_set(const struct sys_admin_port *port)
{
    admin_port = port;
}

uint32_t sys_syscall_count(void)
{
    return calls;
}

static struct store *st_get(void)
{
    return sys_store();
}

void sys_syscall_abort(struct sys_call *c)
{
    if (c->tx_open) {
        store_abort(st_get());
        c->tx_open = false;
    }
}

static bool rd(const struct sys_call *c, uint32_t a, uint32_t n)
{
    return uproc_access_ok(&c->p, a, n, false);
}

static bool wr(const struct sys_call *c, uint32_t a, uint32_t n)
{
    return uproc_access_ok(&c->p, a, n, true);
}

static void *ptr(uint32_t a)
{
    return (void *)(uintptr_t)a;
}

/* Bytes the namespace holds, EXCEPT object id (it is being replaced). */
static uint32_t ns_bytes(const struct store *st, uint16_t ns, uint32_t except)
{
    uint32_t id = SYS_OBJ_APPLET(ns, 0) - 1u, total = 0;

    while ((id = store_next_id(st, id)) != 0 &&
           id <= SYS_OBJ_APPLET(ns, OBJ_MAX)) {
        int n = store_size(st, id);

        if (id != except && n > 0) {
            total += (uint32_t)n;
        }
    }
    return total;
}

static int32_t obj_write(struct sys_call *c, uint32_t obj, uint32_t a,
                         uint32_t n)
{
    struct store *st = st_get();
    uint32_t id = SYS_OBJ_APPLET(c->in->ns, obj);
    int rc;

    if (obj > OBJ_MAX || n > STORE_MAX_OBJECT) {
        return E_INVAL;
    }
    if (st == NULL) {
        return E_IO;
    }
    if (ns_bytes(st, c->in->ns, id) + n > c->in->info.quota) {
        return E_QUOTA;
    }
    rc = c->tx_open ? store_write(st, id, ptr(a), n) :
                      store_put(st, id, ptr(a), n);
    if (rc == STORE_ERR_FULL) {
        return E_NOSPACE;
    }
    return rc == STORE_OK ? 0 : E_IO;
}

static int32_t obj_read(struct sys_call *c, uint32_t obj, uint32_t a,
                        uint32_t cap)
{
    struct store *st = st_get();
    uint32_t len = 0;
    int rc;

    if (obj > OBJ_MAX) {
        return E_INVAL;
    }
    if (st == NULL) {
        return E_IO;
    }
    rc = store_read(st, SYS_OBJ_APPLET(c->in->ns, obj), ptr(a), cap, &len);
    if (rc == STORE_ERR_NOT_FOUND) {
        return E_NOTFOUND;
    }
    if (rc == STORE_ERR_PARAM) {
        return E_LENGTH;
    }
    return rc == STORE_OK ? (int32_t)len : E_IO;
}

static int32_t obj_delete(struct sys_call *c, uint32_t obj)
{
    struct store *st = st_get();
    uint32_t id = SYS_OBJ_APPLET(c->in->ns, obj);
    int rc;

    if (obj > OBJ_MAX) {
        return E_INVAL;
    }
    if (st == NULL) {
        return E_IO;
    }
    if (c->tx_open) {
        rc = store_delete(st, id);
    } else {
        rc = store_begin(st);
        if (rc == STORE_OK) {
            rc = store_delete(st, id);
            if (rc == STORE_OK) {
                rc = store_commit(st);
            } else {
                store_abort(st);
            }
        }
    }
    if (rc == STORE_ERR_NOT_FOUND) {
        return E_NOTFOUND;
    }
    return rc == STORE_OK ? 0 : E_IO;
}

static int32_t tx(struct sys_call *c, uint32_t n)
{
    struct store *st = st_get();
    int rc;

    if (st == NULL) {
        return E_IO;
    }
    if (n == SC_TX_BEGIN) {
        if (c->tx_open) {
            return E_STATE;
        }
        rc = store_begin(st);
        c->tx_open = rc == STORE_OK;
        return rc == STORE_OK ? 0 : rc == STORE_ERR_FULL ? E_NOSPACE : E_IO;
    }
    if (!c->tx_open) {
        return E_STATE;
    }
    c->tx_open = false;
    if (n == SC_TX_ABORT) {
        store_abort(st);
        return 0;
    }
    rc = store_commit(st);
    return rc == STORE_OK ? 0 : rc == STORE_ERR_FULL ? E_NOSPACE : E_IO;
}

/* NC_SYS_TIMER: OP 0 now (ms, 31 bits), 1 start timer ID for MS, 2 the
 * ms it has left (0: expired), 3 stop. Time is the event loop's clock
 * when the command's pass began. */
static int32_t timer(struct sys_call *c, uint32_t op, uint32_t id,
                     uint32_t ms)
{
    struct sys_instance *in = c->in;
    uint32_t now = event_loop_now();
    int32_t left;

    if (op == 0) {
        return (int32_t)(now & 0x7FFFFFFFu);
    }
    if (op > 3 || id >= SYS_TIMERS || (op == 1 && ms > TIMER_MAX_MS)) {
        return E_INVAL;
    }
    if (op == 1) {
        in->timer_due[id] = now + ms;
        in->timers_on |= (uint8_t)(1u << id);
        return 0;
    }
    if (!(in->timers_on & (1u << id))) {
        return E_STATE;
    }
    if (op == 3) {
        in->timers_on &= (uint8_t)~(1u << id);
        return 0;
    }
    left = (int32_t)(in->timer_due[id] - now);
    return left > 0 ? left : 0;
}

static void log_text(const struct sys_call *c, uint32_t a, uint32_t n)
{
    char line[LOG_MAX + 1];
    const uint8_t *p = ptr(a);

    n = n > LOG_MAX ? LOG_MAX : n;
    for (uint32_t i = 0; i < n; i++) {
        line[i] = p[i] >= 0x20 && p[i] < 0x7F ? (char)p[i] : '.';
    }
    line[n] = 0;
    LOG_I("%02X%02X..%02X: %s", c->in->aid[0], c->in->aid[1],
          c->in->aid[c->in->a.aid_len - 1], line);
}

static enum sys_sc serve(struct sys_call *c, uint32_t *value)
{
    const uint32_t *a = c->p.args;
    int32_t r = 0;

    switch (c->p.svc) {
    case SC_EXIT:
        *value = a[0];
        return SYS_SC_EXIT;
    case SC_VERSION:
        r = SYSCALL_VERSION;
        break;
    case SC_SEND:
        if (!rd(c, a[0], a[1])) {
            return SYS_SC_KILL;
        }
        if (c->web_rsp != NULL) {
            /* an HTTP event: the response body (sys/web.h) */
            struct sys_web_rsp *w = c->web_rsp;

            r = a[1] > w->cap - w->len ? E_LENGTH : 0;
            if (r == 0) {
                memcpy(w->buf + w->len, ptr(a[0]), a[1]);
                w->len += a[1];
            }
            break;
        }
        r = c->rsp == NULL ? E_STATE :
            apdu_response_append(c->rsp, ptr(a[0]), a[1]) ? 0 : E_LENGTH;
        break;
    case SC_DATA:
        if (!wr(c, a[1], a[2])) {
            return SYS_SC_KILL;
        }
        if (c->web != NULL) {
            /* an HTTP event: the request body */
            size_t bl = c->web->body_len;
            uint32_t n = a[0] > bl ? 0 : bl - a[0] < a[2] ? bl - a[0] : a[2];

            if (a[0] > bl) {
                r = E_INVAL;
            } else {
                memcpy(ptr(a[1]), c->web->body + a[0], n);
                r = (int32_t)n;
            }
        } else if (c->cmd == NULL || a[0] > c->cmd->nc) {
            r = E_INVAL;
        } else {
            uint32_t n = c->cmd->nc - a[0] < a[2] ? c->cmd->nc - a[0] : a[2];

            memcpy(ptr(a[1]), c->cmd->data + a[0], n);
            r = (int32_t)n;
        }
        break;
    case SC_RANDOM:
        if (!wr(c, a[0], a[1])) {
            return SYS_SC_KILL;
        }
        r = a[1] > RANDOM_MAX ? E_INVAL :
            crypto_random(ptr(a[0]), a[1]) == CRYPTO_OK ? 0 : E_CRYPTO;
        break;
    case SC_LOG:
        if (!rd(c, a[0], a[1])) {
            return SYS_SC_KILL;
        }
        log_text(c, a[0], a[1]);
        break;
    case SC_OBJ_READ:
        if (!wr(c, a[1], a[2])) {
            return SYS_SC_KILL;
        }
        r = obj_read(c, a[0], a[1], a[2]);
        break;
    case SC_OBJ_WRITE:
        if (!rd(c, a[1], a[2])) {
            return SYS_SC_KILL;
        }
        r = obj_write(c, a[0], a[1], a[2]);
        break;
    case SC_OBJ_DELETE:
        r = obj_delete(c, a[0]);
        break;
    case SC_TX_BEGIN:
    case SC_TX_COMMIT:
    case SC_TX_ABORT:
        r = tx(c, c->p.svc);
        break;
    case SC_KEY_IMPORT:
    case SC_KEY_DESTROY:
    case SC_CRYPTO:
    case SC_KEY_GENERATE:
    case SC_KEY_SAVE:
    case SC_KEY_LOAD:
    case SC_KEY_ERASE:
        if (sys_syscall_keys(c, c->p.svc, a, &r) == SYS_SC_KILL) {
            return SYS_SC_KILL;     /* sys/syscall_keys.c */
        }
        break;
    case SC_TIMER:
        r = timer(c, a[0], a[1], a[2]);
        break;
    case SC_ADMIN_SESSION:      /* the wiring's port: card/admin.c */
        r = admin_port ? admin_port->session(c->in->aid, c->in->a.aid_len)
                       : E_UNSUPPORTED;
        break;
    case SC_HASH: {
        /* SHA-256, SHA-384, SHA-512 (crypto/crypto.h enum crypto_hash) */
        uint32_t n = a[0] >= CRYPTO_SHA256 && a[0] <= CRYPTO_SHA512 ?
                     (uint32_t)crypto_hash_len(a[0]) : 0;

        if (!rd(c, a[1], a[2]) || !wr(c, a[3], n ? n : 32)) {
            return SYS_SC_KILL;
        }
        r = n == 0 ? E_INVAL :
            crypto_hash(a[0], ptr(a[1]), a[2], ptr(a[3])) == CRYPTO_OK ?
            (int32_t)n : E_CRYPTO;
        break;
    }
    case SC_SC_STATE:
    case SC_SC_PROCESS:
    case SC_SC_UNWRAP:
    case SC_SC_WRAP:
        (void)sys_syscall_sc(c, c->p.svc, a, &r);    /* sys/syscall_sc.c */
        break;
    case SC_PARAMS:
        if (!wr(c, a[0], a[1])) {
            return SYS_SC_KILL;
        }
        r = (int32_t)gp_registry_params(&c->in->a, ptr(a[0]), a[1]);
        break;
    case SC_HTTP_ROUTE:
    case SC_HTTP_HEADER:
    case SC_HTTP_TYPE:
    case SC_HTTP_FIELD:
        if (sys_syscall_web(c, c->p.svc, a, &r) == SYS_SC_KILL) {
            return SYS_SC_KILL;     /* sys/web.c */
        }
        break;
    default:
        return SYS_SC_KILL;         /* no such system call */
    }
    uproc_set_r0(&c->p, (uint32_t)r);
    return SYS_SC_RESUME;
}

/*
 * The calls that count as the applet's own time in its budget
 * (arch/uproc.h): short, bounded, no device or NVM behind them. The OS's
 * time in every other call (the store, the crypto engine, key
 * generation, the log) is paused out of it.
 */
static bool counted(uint32_t n)
{
    return n == SC_EXIT || n == SC_VERSION || n == SC_SEND ||
           n == SC_DATA || n == SC_SC_STATE || n == SC_TIMER;
}

enum sys_sc sys_syscall(struct sys_call *c, uint32_t *value)
{
    enum sys_sc r;

    calls++;
    if (counted(c->p.svc)) {
        return serve(c, value);
    }
    uproc_budget_pause(&c->p);
    r = serve(c, value);
    uproc_budget_resume(&c->p);
    return r;
}
