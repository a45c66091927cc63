/*
 * The card's wiring of web applets (sys/web.h) into its web server
 * (net/http/http_app.h): a default handler, registered before the card's
 * own resources, that hands a request whose path an applet route
 * matches to the applet, and the runtime's port (the paths the card
 * serves itself, request fields). An applet's 404 without a body or an
 * added field declines the request: the card's other resources (content store,
 * status page) may still answer it, else 404. Card only.
 *
 * First path segments the card keeps for itself (an applet may not
 * claim them): "/api/", "/static/" (applets/status_web.c) and "/_scws/"
 * (the content store's administration in the test image). Order of the
 * card's resources: applet routes, the SCWS content store
 * (net/web/web_server.h), the status page's built-ins.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_CARD_WEB_APPLETS_H
#define CARDOS_CARD_WEB_APPLETS_H

#include <stdbool.h>

/* At start-up, before the status page (applets/status_web.h). */
void card_web_applets_init(void);
/* After http_server_init(): false if the server's table is full. */
bool card_web_applets_start(void);

#endif /* CARDOS_CARD_WEB_APPLETS_H */
