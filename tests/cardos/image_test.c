/*
 * The test image (cardos-test.elf, card/image.h): the product plus the
 * test application (tests/cardos/test_applet.h) with its crypto and
 * bench commands, which the system tests and `make bench` talk to, the
 * card manager's state hooks for trace replays (test_gp_state.h), and
 * /static/blob-64k.bin on the web server (64 KiB of 'n' in ROM, for the
 * throughput tests and tcp_throughput_kib_s), and PUT/DELETE /_scws/...
 * that fill the SCWS content store (test_web_admin.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "card/image.h"
#include "card/storage.h"
#include "drivers/timer.h"
#include "net/http/http_app.h"
#include "iso7816/card.h"
#include "kernel/version.h"
#include "tests/cardos/test_applet.h"
#include "tests/cardos/test_applet_crypto.h"
#include "tests/cardos/test_gp_state.h"
#include "tests/cardos/test_web_admin.h"

const char image_name[] = "test";

#define BLOB_SIZE (64u * 1024u)
static const uint8_t blob_64k[BLOB_SIZE] = { [0 ... BLOB_SIZE - 1] = 'n' };

/* A default resource, like the status application's files (http_app.h). */
static bool blob_resource(const struct http_request *req,
                          struct http_response *resp, void *ctx)
{
    static const char not_allowed[] = "405 Method Not Allowed\n";

    (void)ctx;
    if (strcmp(req->path, "/static/blob-64k.bin") != 0) {
        return false;
    }
    if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
        http_reply_static(resp, 405, "text/plain", not_allowed,
                          sizeof(not_allowed) - 1);
    } else {
        http_reply_static(resp, 200, "application/octet-stream", blob_64k,
                          sizeof(blob_64k));
    }
    return true;
}

void image_add_applications(struct applet_table *table)
{
    static const struct test_applet_config cfg = {
        .now_ms = timer_now_ms,
        .version = cardos_version,
        .git_describe = cardos_git_describe,
        .build = cardos_build_date,
        .link_info = iso_card_link_info,
        .crypto_process = test_applet_crypto_process,
        .crypto_t0_direction = test_applet_crypto_t0_direction,
    };

    (void)applet_table_add(table, test_applet_init(&cfg));
    (void)applet_table_add(table, test_gp_state_init(storage_store));
    (void)http_default_add(blob_resource, NULL);
    (void)test_web_admin_init();    /* PUT/DELETE /_scws/... */
}

void image_boot_point(enum image_point point, enum reset_cause cause)
{
    (void)point;
    (void)cause;
}
