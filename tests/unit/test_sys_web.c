/*
 * Unit tests of the web applets' routes (cardos/sys/web.c, contract
 * sys/web.h) on the host: registration rules in the order the header
 * gives them, matching (exact, prefix, relative to /applets/<AID>/, the
 * longest wins), the checks before an applet runs and the statuses of
 * its stops, the request as struct nc_http_req lays it out in the
 * window, and routes kept in a store on a simulated NOR flash.
 *
 * The runtime around sys/web.c is stubbed here: instances, the window,
 * running an event. System-call arguments are 32-bit addresses on the
 * card, so what an applet would pass lives in memory mapped below 4 GiB
 * (MAP_32BIT).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "net/http/http_parse.h"
#include "nor_sim.h"
#include "store/store.h"
#include "sys/runtime.h"
#include "sys/sys_priv.h"
#include "sys/web.h"

/* ---- the runtime, stubbed ------------------------------------------------ */

static struct sys_instance inst[2];
static bool locked[2], running;
static uint8_t window[SYS_WINDOW_SIZE];
static struct nor_sim sim;
static struct store st;
static struct store_flash fl;
static bool have_store;

/* what the next event does, and what it saw */
static struct {
    bool stop;
    enum sys_stop why;
    uint32_t result;
    const char *body;
    uint32_t type;
    unsigned runs;
    uint32_t ev;
    struct sys_instance *in;
} ev;

struct sys_instance *sys_instance_at(unsigned k)
{
    return k < 2 && inst[k].used ? &inst[k] : NULL;
}

bool sys_instance_locked(const struct sys_instance *in)
{
    return locked[in - inst];
}

bool sys_running(void)
{
    return running;
}

uint8_t *sys_window_claim_clear(const struct sys_instance *in)
{
    (void)in;
    memset(window, 0, sizeof(window));
    return window;
}

bool sys_run_event(struct sys_instance *in, uint32_t e,
                   const struct sys_web_req *web, struct sys_web_rsp *rsp,
                   uint32_t *result)
{
    (void)web;
    ev.runs++;
    ev.ev = e;
    ev.in = in;
    if (ev.body) {
        memcpy(rsp->buf, ev.body, strlen(ev.body));
        rsp->len = strlen(ev.body);
        rsp->type = ev.type;
    }
    *result = ev.result;
    return !ev.stop;
}

enum sys_stop sys_last_stop(void)
{
    return ev.why;
}

struct store *sys_store(void)
{
    return have_store ? &st : NULL;
}

bool uproc_access_ok(const struct uproc *p, uint32_t addr, uint32_t len,
                     bool write)
{
    (void)p;
    (void)write;
    return addr != 0 && addr + len >= addr;
}

static bool reserved(const char *seg, size_t len)
{
    return len == 5 && memcmp(seg, "/api/", 5) == 0;
}

static char added[256];

static bool add_field_stub(void *ctx, const char *name, const char *value)
{
    (void)ctx;
    if (strcmp(name, "X-Full") == 0) {
        return false;
    }
    strcat(added, name);
    strcat(added, ": ");
    strcat(added, value);
    strcat(added, "\n");
    return true;
}

static const struct sys_web_port port = {
    .reserved = reserved,
    .field = http_find_field,
};

/* ---- an applet's side --------------------------------------------------- */

static uint8_t *low;            /* below 4 GiB: an applet's memory */

static void setup(void)
{
    static const uint8_t aid0[] = { 0xA0, 0, 0, 0, 0x77, 0x06, 0x01 };
    static const uint8_t aid1[] = { 0xA0, 0, 0, 0, 0x77, 0x03, 0x01 };

    memset(inst, 0, sizeof(inst));
    memset(&ev, 0, sizeof(ev));
    locked[0] = locked[1] = running = false;
    added[0] = 0;
    for (int k = 0; k < 2; k++) {
        inst[k].used = true;
        inst[k].ns = (uint16_t)(7 + k);
        inst[k].a.aid = inst[k].aid;
        inst[k].a.aid_len = 7;
        memcpy(inst[k].aid, k ? aid1 : aid0, 7);
    }
    nor_sim_init(&sim, 4096, 32);
    nor_sim_flash(&sim, &fl);
    cr_assert_eq(store_format(&st, &fl, 0x5742u), STORE_OK);
    have_store = true;
    low = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    cr_assert(low != MAP_FAILED);
    sys_web_set_port(&port);
    sys_web_reload();           /* an empty table */
}

static void teardown(void)
{
    munmap(low, 4096);
    nor_sim_free(&sim);
}

TestSuite(unit_sys_web, .init = setup, .fini = teardown);

/* nc_http_route() of instance K: its result. */
static int32_t route(int k, const char *path, uint32_t methods, uint32_t e)
{
    struct sys_call c = { .in = &inst[k] };
    uint32_t *r = (uint32_t *)(void *)low;
    uint32_t a[4] = { (uint32_t)(uintptr_t)r, 0, 0, 0 };
    int32_t res = 99;

    memcpy(low + 64, path, strlen(path));
    r[0] = (uint32_t)(uintptr_t)(low + 64);
    r[1] = (uint32_t)strlen(path);
    r[2] = methods;
    r[3] = e;
    cr_assert_eq(sys_syscall_web(&c, SYS_SC_N_HTTP_ROUTE, a, &res),
                 SYS_SC_RESUME);
    return res;
}

static unsigned get(const char *method_path, uint32_t method,
                    struct sys_web_rsp *rsp)
{
    static uint8_t out[64];
    struct sys_web_req q = { .method = method, .path = method_path,
                             .query = "x=1", .head = "", .port = 80 };

    rsp->buf = out;
    rsp->cap = sizeof(out);
    return sys_web_run(sys_web_match(method_path), &q, rsp);
}

/* ---- registration ------------------------------------------------------- */

Test(unit_sys_web, registration_checks_in_order)
{
    cr_assert_eq(route(0, "/t/echo", 1, 16), 0);
    cr_assert_eq(route(0, "/t/other/", 3, 17), 1);       /* ids count up */
    /* arguments first: event, methods, length, characters, segments */
    cr_assert_eq(route(0, "/t/x", 1, 15), -1);
    cr_assert_eq(route(0, "/t/x", 0x10, 16), -1);
    cr_assert_eq(route(0, "/t/0123456789012345678901234", 1, 16), -1);
    cr_assert_eq(route(0, "/t/a b", 1, 16), -1);
    cr_assert_eq(route(0, "/t/a?b", 1, 16), -1);
    cr_assert_eq(route(0, "/t/../x", 1, 16), -1);
    cr_assert_eq(route(0, "/t//x", 1, 16), -1);
    cr_assert_eq(route(0, "/t/./x", 1, 16), -1);
    cr_assert_eq(route(0, "/nosegment", 1, 16), -1);
    cr_assert_eq(route(0, "", 1, 16), -1);
    /* then the segment: the card's, the default root, another's */
    cr_assert_eq(route(0, "/api/x", 1, 16), -5);
    cr_assert_eq(route(0, "/applets/x", 1, 16), -5);
    cr_assert_eq(route(1, "/t/mine", 1, 16), -5);
    cr_assert_eq(route(1, "/wallet/", 1, 16), 0);
    cr_assert_eq(route(0, "/wallet/x", 1, 16), -5);
    /* relative paths never collide */
    cr_assert_eq(route(1, "t/", 1, 16), 1);
    cr_assert_eq(route(0, "t/", 1, 18), 2);
}

Test(unit_sys_web, table_full_replace_and_remove)
{
    char p[16];

    for (int i = 0; i < SYS_WEB_ROUTES; i++) {
        snprintf(p, sizeof(p), "/t/%d", i);
        cr_assert_eq(route(0, p, 1, 16), i);
    }
    cr_assert_eq(route(0, "/t/one-more", 1, 16), -4);    /* NC_E_NOSPACE */
    /* the same path again: replaced in place, its id kept */
    cr_assert_eq(route(0, "/t/3", 2, 20), 3);
    /* methods 0 removes it; an unknown one: NC_E_NOTFOUND */
    cr_assert_eq(route(0, "/t/3", 0, 16), 0);
    cr_assert_eq(route(0, "/t/3", 0, 16), -2);
    cr_assert_eq(sys_web_match("/t/3"), -1);
    cr_assert_eq(route(0, "/t/new", 1, 16), SYS_WEB_ROUTES);
}

Test(unit_sys_web, routes_come_back_from_the_store)
{
    struct sys_web_rsp rsp;

    cr_assert_eq(route(0, "/t/echo", 1, 16), 0);
    cr_assert_eq(route(1, "api/", 1, 21), 0);
    cr_assert_eq(route(1, "/wallet/", 1, 16), 1);
    sys_web_reload();           /* a reset, or another instance's INSTALL */
    cr_assert_geq(sys_web_match("/t/echo"), 0);
    cr_assert_geq(sys_web_match("/applets/A0000000770301/api/state"), 0);
    ev.result = 200;
    cr_assert_eq(get("/applets/A0000000770301/api/x", 1, &rsp), 200);
    cr_assert_eq(ev.ev, 21);
    cr_assert_eq(ev.in, &inst[1]);
    /* its instance deleted: its routes go at the next reload */
    inst[1].used = false;
    cr_assert_eq(store_begin(&st), STORE_OK);
    cr_assert_eq(store_delete(&st, SYS_OBJ_ROUTES(inst[1].ns)), STORE_OK);
    cr_assert_eq(store_commit(&st), STORE_OK);
    sys_web_reload();
    cr_assert_eq(sys_web_match("/wallet/"), -1);
    cr_assert_geq(sys_web_match("/t/echo"), 0);
    /* no store: nothing is registered */
    have_store = false;
    cr_assert_eq(route(0, "/t/b", 1, 16), -9);           /* NC_E_IO */
    cr_assert_eq(sys_web_match("/t/b"), -1);
}

/* ---- requests ------------------------------------------------------------ */

Test(unit_sys_web, matching)
{
    cr_assert_eq(route(0, "/t/", 1, 16), 0);
    cr_assert_eq(route(0, "/t/echo", 1, 17), 1);
    cr_assert_eq(route(0, "ping", 1, 18), 2);
    int echo = sys_web_match("/t/echo"), prefix = sys_web_match("/t/x/y");
    cr_assert(echo >= 0 && prefix >= 0 && echo != prefix);
    cr_assert_eq(sys_web_match("/t/echo/more"), prefix);  /* exact only */
    cr_assert_eq(sys_web_match("/t"), -1);
    cr_assert_eq(sys_web_match("/tt/"), -1);
    cr_assert_geq(sys_web_match("/applets/A0000000770601/ping"), 0);
    cr_assert_eq(sys_web_match("/applets/A0000000770601/ping2"), -1);
    cr_assert_eq(sys_web_match("/applets/A0000000770301/ping"), -1);
    cr_assert_eq(sys_web_match("/applets/A00000007706/ping"), -1);
    cr_assert_eq(sys_web_match("/applets/a0000000770601/ping"), -1);
}

Test(unit_sys_web, statuses_before_and_after_the_applet)
{
    struct sys_web_rsp rsp;

    cr_assert_eq(route(0, "/t/", 1 | 2, 16), 0);
    ev.result = 201;
    ev.body = "made";
    ev.type = 1;
    cr_assert_eq(get("/t/a", 2, &rsp), 201);
    cr_assert_eq(rsp.len, 4);
    cr_assert_eq(rsp.type, 1);
    cr_assert_eq(ev.runs, 1);
    /* the window: struct nc_http_req */
    uint32_t m, body_len;
    uint16_t pl, ql, p;
    memcpy(&m, window, 4);
    memcpy(&body_len, window + 8, 4);
    memcpy(&pl, window + 12, 2);
    memcpy(&ql, window + 14, 2);
    memcpy(&p, window + 16, 2);
    cr_assert_eq(m, 2);
    cr_assert_eq(body_len, 0);
    cr_assert_eq(pl, 4);
    cr_assert_eq(ql, 3);
    cr_assert_eq(p, 80);
    cr_assert_eq(memcmp(window + 20, "/t/a\0x=1\0", 9), 0);
    /* not run: method, LOCKED, another applet running */
    ev.body = NULL;
    cr_assert_eq(get("/t/a", 8, &rsp), 405);
    locked[0] = true;
    cr_assert_eq(get("/t/a", 1, &rsp), 403);
    locked[0] = false;
    running = true;
    cr_assert_eq(get("/t/a", 1, &rsp), 503);
    running = false;
    cr_assert_eq(ev.runs, 1);
    /* its stops and its odd results */
    ev.stop = true;
    ev.why = SYS_STOP_FAULT;
    cr_assert_eq(get("/t/a", 1, &rsp), 500);
    ev.why = SYS_STOP_ARG;
    cr_assert_eq(get("/t/a", 1, &rsp), 500);
    ev.why = SYS_STOP_BUDGET;
    cr_assert_eq(get("/t/a", 1, &rsp), 503);
    ev.stop = false;
    ev.result = 99;
    cr_assert_eq(get("/t/a", 1, &rsp), 500);
    ev.result = 600;
    cr_assert_eq(get("/t/a", 1, &rsp), 500);
    ev.result = 599;
    cr_assert_eq(get("/t/a", 1, &rsp), 599);
    cr_assert_eq(sys_web_run(-1, &(struct sys_web_req){ .path = "/",
                             .query = "" }, &rsp), 404);
}

Test(unit_sys_web, long_uri_and_header_call)
{
    static char path[600];
    struct sys_web_rsp rsp;

    cr_assert_eq(route(0, "/t/", 1, 16), 0);
    memset(path, 'a', sizeof(path) - 1);
    memcpy(path, "/t/", 3);
    ev.result = 200;
    cr_assert_eq(get(path, 1, &rsp), 414);
    cr_assert_eq(ev.runs, 0);
    /* nc_http_header(): the head's field, any case; its whole length */
    static const char head[] =
        "GET /t/a HTTP/1.1\r\nHost: card\r\nX-Test: hello card\r\n\r\n";
    struct sys_web_req q = { .method = 1, .path = "/t/a", .query = "",
                             .head = head, .head_len = sizeof(head) - 1 };
    struct sys_call c = { .in = &inst[0], .web = &q };
    int32_t r = 0;
    memcpy(low + 100, "x-test", 6);
    uint32_t a[4] = { (uint32_t)(uintptr_t)(low + 100), 6,
                      (uint32_t)(uintptr_t)(low + 200), 5 };
    cr_assert_eq(sys_syscall_web(&c, SYS_SC_N_HTTP_HEADER, a, &r),
                 SYS_SC_RESUME);
    cr_assert_eq(r, 10);
    cr_assert_eq(memcmp(low + 200, "hello", 5), 0);
    cr_assert_eq(low[205], 0);          /* no more than CAP */
    memcpy(low + 100, "Accept", 6);
    cr_assert_eq(sys_syscall_web(&c, SYS_SC_N_HTTP_HEADER, a, &r),
                 SYS_SC_RESUME);
    cr_assert_eq(r, -2);
    c.web = NULL;               /* not in an HTTP event */
    cr_assert_eq(sys_syscall_web(&c, SYS_SC_N_HTTP_HEADER, a, &r),
                 SYS_SC_RESUME);
    cr_assert_eq(r, -5);
    /* nc_http_type(): only in an HTTP event, one of the types */
    struct sys_web_rsp out = { 0 };
    uint32_t t[4] = { 5, 0, 0, 0 };
    c.web_rsp = &out;
    cr_assert_eq(sys_syscall_web(&c, SYS_SC_N_HTTP_TYPE, t, &r),
                 SYS_SC_RESUME);
    cr_assert_eq(r, 0);
    cr_assert_eq(out.type, 5);
    cr_assert_str_eq(sys_web_type(out.type), "image/svg+xml");
    t[0] = 7;
    cr_assert_eq(sys_syscall_web(&c, SYS_SC_N_HTTP_TYPE, t, &r),
                 SYS_SC_RESUME);
    cr_assert_eq(r, -1);
    /* nc_http_field(): through the port; the card's own fields, bad
     * characters, outside an HTTP event refused */
    static const struct {
        const char *name, *value;
        int32_t want;
    } fields[] = {
        { "X-Applet", "webapp 1.0", 0 }, { "Cache-Control", "max-age=5", 0 },
        { "content-TYPE", "x", -1 }, { "Content-Length", "1", -1 },
        { "Connection", "close", -1 }, { "Server", "me", -1 },
        { "Transfer-Encoding", "chunked", -1 }, { "X Bad", "v", -1 },
        { "X-Bad", "a\r\nInjected: 1", -1 }, { "", "v", -1 },
        { "X-Full", "v", -4 },
    };
    struct sys_web_port p2 = port;
    p2.add_field = add_field_stub;
    sys_web_set_port(&p2);
    for (unsigned i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        size_t nl = strlen(fields[i].name), vl = strlen(fields[i].value);
        memcpy(low + 300, fields[i].name, nl);
        memcpy(low + 400, fields[i].value, vl);
        uint32_t f[4] = { (uint32_t)(uintptr_t)(low + 300), (uint32_t)nl,
                          (uint32_t)(uintptr_t)(low + 400), (uint32_t)vl };
        cr_assert_eq(sys_syscall_web(&c, SYS_SC_N_HTTP_FIELD, f, &r),
                     SYS_SC_RESUME);
        cr_assert_eq(r, fields[i].want, "%s: %d", fields[i].name, r);
    }
    cr_assert_str_eq(added, "X-Applet: webapp 1.0\nCache-Control: max-age=5\n");
    sys_web_set_port(&port);
    /* a bad pointer stops the applet */
    a[0] = 0;
    c.web = &q;
    cr_assert_eq(sys_syscall_web(&c, SYS_SC_N_HTTP_HEADER, a, &r),
                 SYS_SC_KILL);
}
