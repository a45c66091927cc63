/*
 * The card's status web application. See status_web.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "applets/status_web.h"

#include <string.h>

#include "arch/layout.h"
#include "crypto/crypto.h"
#include "crypto/drbg.h"
#include "crypto/mbedtls_heap.h"
#include "drivers/sysctl.h"
#include "drivers/timer.h"
#include "kernel/log.h"
#include "kernel/reset_cause.h"
#include "kernel/version.h"
#include "net/http/http_app.h"
#include "net/http/http_server.h"
#include "net/net.h"
#include "net/http/https_server.h"

struct static_file {
    const char *path;
    const char *type;
    const void *data;
    size_t len;
};

static const char style_css[] =
    "body{font-family:sans-serif;margin:2em;max-width:48em}"
    "table{border-collapse:collapse}"
    "td,th{border:1px solid #999;padding:.2em .6em;text-align:left}\n";

static const char robots_txt[] = "User-agent: *\nDisallow: /\n";

static const struct static_file static_files[] = {
    { "/static/style.css", "text/css", style_css, sizeof(style_css) - 1 },
    { "/robots.txt", "text/plain", robots_txt, sizeof(robots_txt) - 1 },
};

struct status_info {
    char card_id[12];
    uint32_t uptime_ms;
    struct net_info net;
    struct http_server_stats http;
    char ip[16], mask[16], gw[16], dns[16], mac[18];
};

static void collect(struct status_info *s)
{
    log_snprintf(s->card_id, sizeof(s->card_id), "%08x",
                 (unsigned)sysctl_chip_id());
    s->uptime_ms = timer_now_ms();
    net_get_info(&s->net);
    http_server_get_stats(&s->http);
    net_ntoa(s->net.ip, s->ip);
    net_ntoa(s->net.mask, s->mask);
    net_ntoa(s->net.gw, s->gw);
    net_ntoa(s->net.dns, s->dns);
    log_snprintf(s->mac, sizeof(s->mac), "%02x:%02x:%02x:%02x:%02x:%02x",
                 s->net.mac[0], s->net.mac[1], s->net.mac[2], s->net.mac[3],
                 s->net.mac[4], s->net.mac[5]);
}

/*
 * Static RAM of the network stack: lwIP, the NIC rings, the web servers,
 * and what TLS uses of crypto/ (the mbedTLS heap, the DRBG).
 */
static size_t net_bytes(void)
{
    return net_ram_bytes() + http_server_ram_bytes() + https_server_ram_bytes() +
           crypto_mbedtls_heap_bytes() + crypto_drbg_ram_bytes();
}

static void status_json(struct http_response *resp)
{
    struct status_info s;
    struct https_server_stats tls;

    collect(&s);
    http_printf(resp, "{\"card_id\":\"%s\",\"iccid\":null,"
                "\"os\":\"netcard cardos\",\"version\":\"%s\","
                "\"uptime_ms\":%u,\"reset_cause\":\"%s\",",
                s.card_id, cardos_version, (unsigned)s.uptime_ms,
                reset_cause_name(sysctl_reset_cause()));
    http_printf(resp, "\"memory\":{\"ram_bytes\":%u,\"static_bytes\":%u,"
                "\"stack_bytes\":%u,\"free_bytes\":%u,\"net_bytes\":%u},",
                (unsigned)layout_ram_size(),
                (unsigned)layout_static_ram_used(),
                (unsigned)layout_stack_size(),
                (unsigned)(uintptr_t)__ram_free,
                (unsigned)net_bytes());
    http_printf(resp, "\"network\":{\"link\":%s,\"configured\":%s,"
                "\"dhcp\":%s,\"mac\":\"%s\",\"ip\":\"%s\",\"prefix\":%u,"
                "\"netmask\":\"%s\",\"gateway\":\"%s\",\"dns\":\"%s\","
                "\"stack\":\"%s\"},",
                s.net.link ? "true" : "false",
                s.net.configured ? "true" : "false",
                s.net.dhcp ? "true" : "false", s.mac, s.ip, s.net.prefix,
                s.mask, s.gw, s.dns, net_stack_name());
    http_printf(resp, "\"http\":{\"ports\":[%u,%u],\"max_connections\":%u,"
                "\"active\":%u,\"requests\":%u,\"errors\":%u,"
                "\"rejected_busy\":%u},",
                HTTP_PORT, HTTP_SCWS_PORT, HTTP_MAX_CONN,
                s.http.active, (unsigned)s.http.requests,
                (unsigned)s.http.errors, (unsigned)s.http.rejected_busy);
    https_server_get_stats(&tls);
    http_printf(resp, "\"https\":{\"port\":%u,\"max_sessions\":%u,"
                "\"active\":%u,\"handshakes\":%u,\"failures\":%u},",
                HTTPS_PORT, HTTPS_MAX_SESSIONS, tls.active,
                (unsigned)tls.handshakes, (unsigned)tls.failures);
    http_printf(resp, "\"crypto\":{\"state\":\"%s\",\"hw_ops\":%u,"
                "\"hw_cycles\":%u}}\n",
                crypto_failed() ? "refused" : "ok", (unsigned)crypto_hw_ops(),
                (unsigned)crypto_hw_cycles());
    http_reply_rendered(resp, 200, "application/json");
}

static void status_html(struct http_response *resp)
{
    struct status_info s;

    collect(&s);
    http_printf(resp, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                "<title>netcard %s</title>"
                "<link rel=\"stylesheet\" href=\"/static/style.css\">"
                "</head><body><h1>netcard</h1><table>\n",
                s.card_id);
    http_printf(resp, "<tr><th>card id</th><td>%s</td></tr>\n"
                "<tr><th>OS</th><td>netcard cardos %s</td></tr>\n"
                "<tr><th>uptime</th><td>%u.%03u s</td></tr>\n"
                "<tr><th>reset cause</th><td>%s</td></tr>\n",
                s.card_id, cardos_version, (unsigned)(s.uptime_ms / 1000u),
                (unsigned)(s.uptime_ms % 1000u),
                reset_cause_name(sysctl_reset_cause()));
    http_printf(resp, "<tr><th>RAM</th><td>%u KiB, %u B static, %u B "
                "network</td></tr>\n",
                (unsigned)(layout_ram_size() / 1024u),
                (unsigned)layout_static_ram_used(),
                (unsigned)net_bytes());
    http_printf(resp, "<tr><th>network</th><td>%s/%u gw %s (%s), link %s, "
                "MAC %s</td></tr>\n",
                s.ip, s.net.prefix, s.gw, s.net.dhcp ? "DHCP" : "static",
                s.net.link ? "up" : "down", s.mac);
    http_printf(resp, "<tr><th>HTTP</th><td>ports %u, %u (HTTPS %u); %u of %u "
                "connections; %u requests</td></tr>\n</table>\n"
                "<p><a href=\"/api/status\">/api/status</a> (JSON)</p>"
                "</body></html>\n",
                HTTP_PORT, HTTP_SCWS_PORT, HTTPS_PORT, s.http.active,
                HTTP_MAX_CONN,
                (unsigned)s.http.requests);
    http_reply_rendered(resp, 200, "text/html; charset=utf-8");
}

/*
 * POST /api/echo: answers the request body (Content-Length bytes) as
 * application/octet-stream.
 */
static void echo_handler(const struct http_request *req,
                         struct http_response *resp, void *ctx)
{
    (void)ctx;
    http_reply(resp, 200, "application/octet-stream", req->body,
               req->body_len);
}

/* The GET resources, a default handler: after every route. */
static bool builtin_resources(const struct http_request *req,
                              struct http_response *resp, void *ctx)
{
    static const char not_allowed[] = "405 Method Not Allowed\n";
    bool get = strcmp(req->method, "GET") == 0 ||
               strcmp(req->method, "HEAD") == 0;

    (void)ctx;
    if (strcmp(req->path, "/") == 0 || strcmp(req->path, "/api/status") == 0) {
        if (!get) {
            http_reply_static(resp, 405, "text/plain", not_allowed,
                              sizeof(not_allowed) - 1);
        } else if (req->path[1] == 0) {
            status_html(resp);
        } else {
            status_json(resp);
        }
        return true;
    }
    for (size_t i = 0; i < sizeof(static_files) / sizeof(static_files[0]);
         i++) {
        if (strcmp(req->path, static_files[i].path) == 0) {
            if (!get) {
                http_reply_static(resp, 405, "text/plain", not_allowed,
                                  sizeof(not_allowed) - 1);
            } else {
                http_reply_static(resp, 200, static_files[i].type,
                                  static_files[i].data, static_files[i].len);
            }
            return true;
        }
    }
    return false;
}

bool status_web_init(void)
{
    bool ok = http_route_add("POST", "/api/echo", echo_handler, NULL);

    return http_default_add(builtin_resources, NULL) && ok;
}
