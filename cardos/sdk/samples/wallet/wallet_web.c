/*
 * The wallet's dynamic web resource (docs/webapps.md "The wallet
 * walkthrough"): one route, ROOT "api/" as a prefix, GET only, and under
 * it api/state, the balance and the log as JSON. The page itself (www/:
 * index.html, app.css, icon.svg, no external resources) is static: the
 * issuer puts it into the card's content store under ROOT, where the web
 * server serves it (the wallet declines every other path with an empty
 * 404, so the card's other resources answer).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "netcard/applet.h"
#include "wallet.h"

static void put(const char *s, uint32_t n)
{
    nc_send(s, n);
}

static void puts_(const char *s)
{
    nc_send(s, strlen(s));
}

static void put_u32(uint32_t v)
{
    char b[10];
    uint32_t n = 0;

    do {
        b[sizeof(b) - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    nc_send(b + sizeof(b) - n, n);
}

/* GET ROOT api/state */
static int state_json(void)
{
    struct state s;
    struct logbook l;

    if (wallet_load(&s, &l) != 0) {
        return 500;
    }
    nc_http_type(NC_HTTP_TYPE_JSON);
    puts_("{\"balance\":");
    put_u32(be32(s.balance));
    puts_(",\"seq\":");
    put_u32((uint32_t)s.seq[0] << 8 | s.seq[1]);
    puts_(",\"tries\":");
    put_u32(s.tries);
    puts_(",\"tx\":[");
    for (uint8_t i = 0; i < l.count; i++) {
        const uint8_t *e = l.e[(l.head + WALLET_LOG - 1 - i) % WALLET_LOG];
        uint32_t m = 0;

        while (m < MERCHANT_MAX && e[12 + m]) {
            m++;
        }
        puts_(i ? ",{\"type\":\"" : "{\"type\":\"");
        puts_(e[0] == 'C' ? "credit" : "debit");
        puts_("\",\"seq\":");
        put_u32((uint32_t)e[2] << 8 | e[3]);
        puts_(",\"amount\":");
        put_u32(be32(e + 4));
        puts_(",\"date\":");
        put_u32(be32(e + 8));
        puts_(",\"merchant\":\"");
        /* printable ASCII (checked when stored) but for JSON's two */
        for (uint32_t k = 0; k < m; k++) {
            if (e[12 + k] == '"' || e[12 + k] == '\\') {
                put("\\", 1);
            }
            put((const char *)e + 12 + k, 1);
        }
        puts_("\"}");
    }
    puts_("]}\n");
    return 200;
}

int wallet_web_install(void)
{
    char path[ROOT_MAX + 5];
    struct nc_http_route r = { path, 0, NC_HTTP_GET, EV_WEB };
    int32_t rc;

    r.path_len = context_root(path);
    memcpy(path + r.path_len, "api/", 4);
    r.path_len += 4;
    rc = nc_http_route(&r);
    return rc < 0 ? (int)rc : 0;
}

int wallet_web(struct nc_http_req *q)
{
    char root[ROOT_MAX + 1];
    uint32_t rl = context_root(root);

    if (q->path_len == rl + 9 && memcmp(q->text, root, rl) == 0 &&
        memcmp(q->text + rl, "api/state", 9) == 0) {
        return state_json();
    }
    return 404;
}
