/*
 * webapp: a test applet for the web applet paths (tests/system/
 * test_webapps.c, docs/webapps.md "Web applets"). Its INSTALL event
 * registers
 *   GET|POST /t/echo     event 16: 200, JSON with the method, path,
 *                        query, the X-Test field, the body and the port,
 *                        and the field X-Applet: webapp 1.0
 *   GET      /t/fault    event 17: reads OS RAM (a fault: 500)
 *   GET      /t/slow     event 18: loops forever (its budget: 503)
 *   GET      /t/big      event 19: 3000 bytes (over the 2048 a response
 *                        may have: nc_send says NC_E_LENGTH, it answers
 *                        507 with what it sent)
 *   GET      ping        event 20: relative, under /applets/<AID>/: 200
 *                        "pong"
 * APDU (CLA 80): 10 registers /t/echo again with the methods P1 (0:
 * removes it), 11 tries to claim /api/ (the card's), 12 a path of 28
 * bytes: the results as 4 bytes, big-endian.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "netcard/applet.h"

NC_PACKAGE("A00000007706", 1, 0, 1024, 64);
NC_MODULE("A0000000770601", webapp);

static int32_t route(const char *p, uint32_t methods, uint32_t ev)
{
    struct nc_http_route r = { p, strlen(p), methods, ev };

    return nc_http_route(&r);
}

static void put(const char *s)
{
    nc_send(s, strlen(s));
}

/* S as a JSON string (printable ASCII only here). */
static void put_str(const char *s, uint32_t n)
{
    char c[2] = { 0, 0 };

    put("\"");
    for (uint32_t i = 0; i < n; i++) {
        c[0] = s[i] >= 0x20 && s[i] < 0x7F && s[i] != '"' && s[i] != '\\' ?
               s[i] : '?';
        put(c);
    }
    put("\"");
}

static int echo(struct nc_http_req *q)
{
    char v[64];
    uint8_t body[64];
    int32_t n = nc_http_header("X-Test", 6, v, sizeof(v));
    int32_t b = nc_data(0, body, sizeof(body));
    static const char *const m[] = { "GET", "POST", "PUT", "DELETE" };
    uint32_t k = q->method == NC_HTTP_POST ? 1 : q->method == NC_HTTP_PUT ?
                 2 : q->method == NC_HTTP_DELETE ? 3 : 0;

    nc_http_type(NC_HTTP_TYPE_JSON);
    /* a field of its own; one of the card's is refused */
    if (nc_http_field("X-Applet", 8, "webapp 1.0", 10) != 0 ||
        nc_http_field("content-length", 14, "1", 1) != NC_E_INVAL) {
        return 500;
    }
    put("{\"method\":\"");
    put(m[k]);
    put("\",\"path\":");
    put_str(q->text, q->path_len);
    put(",\"query\":");
    put_str(q->text + q->path_len + 1, q->query_len);
    put(",\"x_test\":");
    if (n >= 0) {
        put_str(v, (uint32_t)n < sizeof(v) ? (uint32_t)n : sizeof(v));
    } else {
        put("null");
    }
    put(",\"body\":");
    put_str((const char *)body, b > 0 ? (uint32_t)b : 0);
    put(",\"port\":");
    put(q->port == 4116 ? "4116" : q->port == 3516 ? "3516" : "80");
    put("}\n");
    return 200;
}

static void answer32(int32_t v)
{
    uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
                     (uint8_t)(v >> 8), (uint8_t)v };

    nc_send(b, 4);
}

int webapp(unsigned event, struct nc_apdu *apdu)
{
    switch (event) {
    case NC_EV_INSTALL:
        if (route("/t/echo", NC_HTTP_GET | NC_HTTP_POST, 16) < 0 ||
            route("/t/fault", NC_HTTP_GET, 17) < 0 ||
            route("/t/slow", NC_HTTP_GET, 18) < 0 ||
            route("/t/big", NC_HTTP_GET, 19) < 0 ||
            route("ping", NC_HTTP_GET, 20) < 0) {
            return 1;
        }
        return 0;
    case NC_EV_SELECT:
    case NC_EV_DESELECT:
        return 0;
    case NC_EV_PROCESS:
        if (apdu->cla != 0x80) {
            return NC_SW_CLA_UNKNOWN;
        }
        if (apdu->ins == 0x10) {
            answer32(route("/t/echo", apdu->p1, 16));
        } else if (apdu->ins == 0x11) {
            answer32(route("/api/mine", NC_HTTP_GET, 16));
        } else if (apdu->ins == 0x12) {
            answer32(route("/t/0123456789012345678901234", NC_HTTP_GET, 16));
        } else {
            return NC_SW_INS_UNKNOWN;
        }
        return NC_SW_OK;
    case 16:
        return echo(nc_http_request(apdu));
    case 17:
        return (int)*(volatile uint32_t *)0x20000000u;
    case 18:
        for (;;) {
            __asm__ volatile("" ::: "memory");
        }
    case 19: {
        static const char line[] =
            "0123456789abcdef0123456789abcdef0123456789abcdef012345678\n";
        int32_t r = 0;

        for (int i = 0; i < 50 && r == 0; i++) {
            r = nc_send(line, sizeof(line) - 1);   /* 58 bytes */
        }
        return r == NC_E_LENGTH ? 507 : 200;
    }
    case 20:
        put("pong\n");
        return 200;
    default:
        return 500;
    }
}
