/*
 * lwIP netif driver for the NIC (drivers/nic.h): Ethernet framing by
 * lwIP's ethernet/etharp code, frames copied between pbufs and the NIC
 * ring buffers.
 *
 *  netif_nic_init   the netif init function for netif_add()
 *  netif_nic_poll   feed up to @budget received frames to lwIP and follow
 *                   link changes (netif_set_link_up/down: the netif's
 *                   link callback tells the stack); returns true if
 *                   frames may remain
 *
 * Part of the lwIP port (net/port/): includes nothing of net/ above it.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_NET_PORT_NETIF_NIC_H
#define CARDOS_NET_PORT_NETIF_NIC_H

#include <stdbool.h>

#include "lwip/err.h"
#include "lwip/netif.h"

err_t netif_nic_init(struct netif *netif);
bool netif_nic_poll(struct netif *netif, unsigned budget);

/* Frames lwIP could not take (no pbuf): dropped, counted. */
unsigned netif_nic_rx_drops(void);

#endif /* CARDOS_NET_PORT_NETIF_NIC_H */
