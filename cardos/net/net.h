/*
 * Card network stack: lwIP 2.2 (NO_SYS) on the NIC, driven by the event
 * loop. net_init() brings the interface up and starts DHCP; without an
 * answer within NET_DHCP_FALLBACK_MS the card uses the static fallback
 * NET_STATIC_IP/24 gw NET_STATIC_GW (libslirp's defaults).
 *
 * Log lines (module "net"):
 *   I net: link up | I net: link down
 *   I net: dhcp A.B.C.D/N gw A.B.C.D
 *   W net: no DHCP answer in 5 s; static A.B.C.D/N gw A.B.C.D
 *   E net: no NIC                   (the NIC did not identify itself)
 *
 * Only the event loop calls into this module (lwIP is not reentrant).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_NET_NET_H
#define CARDOS_NET_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_DHCP_FALLBACK_MS  5000u
#define NET_STATIC_IP         "10.0.2.15"
#define NET_STATIC_MASK       "255.255.255.0"
#define NET_STATIC_GW         "10.0.2.2"

struct net_info {
    bool link;            /* NIC link up */
    bool configured;      /* an IPv4 address is set */
    bool dhcp;            /* it came from DHCP (else static fallback) */
    uint32_t ip, mask, gw, dns;   /* network byte order */
    unsigned prefix;      /* of the netmask: 24 for 255.255.255.0 */
    uint8_t mac[6];
};

/* Bring up the NIC and lwIP; false if there is no NIC. */
bool net_init(void);

void net_get_info(struct net_info *info);

/* Static RAM of the network stack: lwIP heap and pools, NIC rings. */
size_t net_ram_bytes(void);

/* The TCP/IP stack and its version: "lwIP 2.2.1". */
const char *net_stack_name(void);

/* Format an IPv4 address (network byte order) as dotted quad; buf >= 16. */
const char *net_ntoa(uint32_t addr, char *buf);

#endif /* CARDOS_NET_NET_H */
