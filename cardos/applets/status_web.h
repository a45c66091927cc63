/*
 * The card's status web application: a product application on the web
 * server's handler API (net/http/http_app.h), served on every HTTP port
 * (80, 3516) and over HTTPS (4116):
 *
 *   GET /             status page (HTML)
 *   GET /api/status   the same as JSON (docs/network.md has the fields)
 *   GET /static/style.css, /static/blob-64k.bin, /robots.txt
 *                     files in ROM
 *   POST /api/echo    the request body back (application/octet-stream)
 *
 * Other methods on the GET paths: 405 (Allow: GET, HEAD). The GET paths
 * are default resources (http_default_add): an application's route for
 * the same path, registered before or after, wins over them. /api/echo is
 * an ordinary route.
 *
 * status_web_init() registers them; the card's wiring calls it once at
 * start-up, after http_server_init(). False if the server's tables are
 * full.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_APPLETS_STATUS_WEB_H
#define CARDOS_APPLETS_STATUS_WEB_H

#include <stdbool.h>

bool status_web_init(void);

#endif /* CARDOS_APPLETS_STATUS_WEB_H */
