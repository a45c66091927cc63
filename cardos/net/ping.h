/*
 * Gateway reachability check: ICMP echo (RFC 792) from the card to its
 * gateway after it gets an address (DHCP or the static fallback) and
 * after the link comes back. Up to PING_TRIES echo requests, one every
 * PING_INTERVAL_MS; the first matching echo reply ends the check.
 *
 * Log lines (module "net"):
 *   I net: gateway A.B.C.D answers ping (seq N, T ms)
 *   W net: gateway A.B.C.D does not answer ping
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_NET_PING_H
#define CARDOS_NET_PING_H

#include <stdbool.h>
#include <stdint.h>

#define PING_TRIES        3u
#define PING_INTERVAL_MS  1000u

/* Create the raw ICMP PCB; false if lwIP has none left. */
bool ping_init(void);

/* Start (or restart) the check towards GW (network byte order). */
void ping_gateway_start(uint32_t gw);

/* Replies seen since boot (for the status page). */
uint32_t ping_replies(void);

#endif /* CARDOS_NET_PING_H */
