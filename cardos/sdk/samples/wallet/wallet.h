/*
 * The wallet sample's shared state (wallet.c: the APDUs and the store;
 * wallet_web.c: its web pages). See wallet.c for the commands and
 * docs/webapps.md "The wallet walkthrough" for the web side.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef WALLET_H
#define WALLET_H

#include <stdint.h>

#define WALLET_LOG   8
#define ENTRY        24         /* type, 0, seq(2), amount(4), date(4),
                                   merchant(12) */
#define MERCHANT_MAX 12
#define ROOT_MAX     16
#define EV_WEB       16         /* its one route's event */

struct state {
    uint8_t balance[4];
    uint8_t seq[2];
    uint8_t tries;
    uint8_t pad;
};

struct logbook {
    uint8_t head, count, pad[2];
    uint8_t e[WALLET_LOG][ENTRY];
};

struct nc_http_req;

uint32_t be32(const uint8_t *p);
/* State and log from the store (a fresh wallet's when none): 0, or -1. */
int wallet_load(struct state *s, struct logbook *l);
/* The web context root (install parameters) into ROOT (ROOT_MAX + 1
 * bytes, NUL-ended); its length. */
uint32_t context_root(char *root);

/* wallet_web.c: register the route (INSTALL event): 0 or an NC_E_*; a
 * request: its HTTP status. */
int wallet_web_install(void);
int wallet_web(struct nc_http_req *q);

#endif /* WALLET_H */
