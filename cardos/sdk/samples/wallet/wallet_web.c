/*
 * The wallet's web pages (docs/webapps.md "The wallet walkthrough"): one
 * route, its context root as a prefix, GET only. Under it: the page, its
 * style sheet and icon (no external resources; each under the 2048 bytes
 * a response may have), and api/state, the balance and the log as JSON.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "netcard/applet.h"
#include "wallet.h"

static const char page[] =
    "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
    "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
    "<title>Wallet</title><link rel=\"stylesheet\" href=\"app.css\">"
    "<link rel=\"icon\" href=\"icon.svg\"></head><body>"
    "<header><img src=\"icon.svg\" alt=\"\" width=\"32\" height=\"32\">"
    "<h1>Wallet</h1></header>"
    "<section class=\"card\"><div class=\"label\">Balance</div>"
    "<div id=\"balance\" class=\"balance\">&hellip;</div>"
    "<div id=\"ops\" class=\"label\"></div></section>"
    "<h2>Recent transactions</h2><ul id=\"tx\"></ul>"
    "<p id=\"err\" class=\"err\"></p>"
    "<script>"
    "function m(c){return (c/100).toFixed(2)}"
    "fetch('api/state',{credentials:'same-origin'})"
    ".then(function(r){if(!r.ok)throw new Error('HTTP '+r.status);"
    "return r.json()}).then(function(s){"
    "document.getElementById('balance').textContent=m(s.balance);"
    "document.getElementById('ops').textContent=s.seq+' operations';"
    "var u=document.getElementById('tx');"
    "if(!s.tx.length){u.innerHTML='<li class=\"none\">none yet</li>'}"
    "s.tx.forEach(function(t){var li=document.createElement('li');"
    "var d=t.date?new Date(t.date*1000).toISOString().slice(0,10):'';"
    "var a=document.createElement('span');a.className='amt '+t.type;"
    "a.textContent=(t.type=='debit'?'-':'+')+m(t.amount);"
    "var w=document.createElement('span');w.className='who';"
    "w.textContent=t.merchant||(t.type=='debit'?'Payment':'Top-up');"
    "var e=document.createElement('span');e.className='date';"
    "e.textContent=d+' #'+t.seq;"
    "li.appendChild(w);li.appendChild(a);li.appendChild(e);"
    "u.appendChild(li)})}).catch(function(e){"
    "document.getElementById('err').textContent='Cannot read the wallet: '"
    "+e.message})"
    "</script></body></html>\n";

static const char css[] =
    "*{box-sizing:border-box}"
    "body{margin:0 auto;max-width:30em;padding:1em;font:16px/1.4 "
    "system-ui,sans-serif;background:#f3f5f8;color:#1c2430}"
    "header{display:flex;align-items:center;gap:.6em}"
    "h1{font-size:1.4em;margin:0}h2{font-size:1.05em;margin:1.4em 0 .5em}"
    ".card{background:linear-gradient(135deg,#1f5fbf,#17407f);color:#fff;"
    "border-radius:14px;padding:1.2em;margin-top:1em}"
    ".label{opacity:.8;font-size:.9em}"
    ".balance{font-size:2.4em;font-weight:600;margin:.1em 0}"
    "ul{list-style:none;padding:0;margin:0}"
    "li{background:#fff;border-radius:10px;padding:.7em .9em;"
    "margin-bottom:.5em;display:grid;grid-template-columns:1fr auto;"
    "box-shadow:0 1px 2px rgba(0,0,0,.08)}"
    ".who{font-weight:600}.amt{text-align:right;font-weight:600}"
    ".amt.debit{color:#b3261e}.amt.credit{color:#1b7f3b}"
    ".date{grid-column:1/3;color:#66707c;font-size:.85em}"
    ".none{color:#66707c}.err{color:#b3261e}\n";

static const char icon[] =
    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\">"
    "<rect x=\"2\" y=\"6\" width=\"28\" height=\"20\" rx=\"4\" "
    "fill=\"#1f5fbf\"/><rect x=\"18\" y=\"12\" width=\"12\" height=\"8\" "
    "rx=\"2\" fill=\"#fff\"/><circle cx=\"23\" cy=\"16\" r=\"2\" "
    "fill=\"#1f5fbf\"/></svg>\n";

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
    char root[ROOT_MAX + 1];
    struct nc_http_route r = { root, 0, NC_HTTP_GET, EV_WEB };
    int32_t rc;

    r.path_len = context_root(root);
    rc = nc_http_route(&r);
    return rc < 0 ? (int)rc : 0;
}

static int is(const char *rest, uint32_t n, const char *name)
{
    return strlen(name) == n && memcmp(rest, name, n) == 0;
}

int wallet_web(struct nc_http_req *q)
{
    char root[ROOT_MAX + 1];
    uint32_t rl = context_root(root);
    const char *rest = q->text + rl;
    uint32_t n = q->path_len - rl;

    if (q->path_len < rl || memcmp(q->text, root, rl) != 0) {
        return 404;
    }
    if (n == 0 || is(rest, n, "index.html")) {
        nc_http_type(NC_HTTP_TYPE_HTML);
        put(page, sizeof(page) - 1);
        return 200;
    }
    if (is(rest, n, "app.css")) {
        nc_http_type(NC_HTTP_TYPE_CSS);
        put(css, sizeof(css) - 1);
        return 200;
    }
    if (is(rest, n, "icon.svg")) {
        nc_http_type(NC_HTTP_TYPE_SVG);
        put(icon, sizeof(icon) - 1);
        return 200;
    }
    if (is(rest, n, "api/state")) {
        return state_json();
    }
    return 404;
}
