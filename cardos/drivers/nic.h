/*
 * NIC driver (peripherals/netcard_nic.h, NETCARD_NIC_BASE, NETCARD_IRQ_NIC): owns
 * the TX and RX descriptor rings and their buffers (static, in .bss).
 *
 * Contract:
 *  - nic_init() programs the rings, enables both engines and the
 *    interrupt; the MAC address is the device's (QEMU -nic ...,mac=).
 *  - TX: nic_tx_buffer() returns the next free TX buffer (NIC_BUF_SIZE
 *    bytes) or NULL when all NIC_TX_RING_LEN descriptors are in flight;
 *    nic_tx_send(len) hands it to the device (14..1514 bytes).
 *  - RX: nic_rx_frame() returns the oldest received frame (or NULL),
 *    valid until nic_rx_release(), which gives the buffer back to the
 *    device. Frames the device completed with an error are skipped and
 *    counted (nic_rx_errors()).
 *  - Interrupts: the handler acknowledges the causes, ORs them into a
 *    pending set and calls the notify function (from the interrupt: it
 *    should only post an event). nic_take_events() returns and clears the
 *    set (NIC_EV_* bits = INT_STATUS bits).
 * Only the event loop calls the functions other than the interrupt
 * handler.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_DRIVERS_NIC_H
#define CARDOS_DRIVERS_NIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Ring sizes. TX is synchronous in the device (a TX_KICK returns once every
 * owned descriptor is done, docs/network.md), so one TX buffer is never
 * waited for. RX frames are copied into lwIP pbufs as soon as they are
 * looked at (net/port/netif_nic.c) and the buffer given back; while no RX
 * descriptor is free the device holds frames (QEMU's queue, RX_STALLED)
 * and delivers them on RX_KICK, so two buffers lose nothing.
 */
#define NIC_TX_RING_LEN   1u
#define NIC_RX_RING_LEN   2u
#define NIC_BUF_SIZE      1536u
#define NIC_FRAME_MAX     1514u

#define NIC_EV_RX         (1u << 0)
#define NIC_EV_TX_DONE    (1u << 1)
#define NIC_EV_LINK       (1u << 2)
#define NIC_EV_ERROR      (1u << 3)

/* Bring the NIC up; false if the block does not identify as the NIC. */
bool nic_init(void (*notify)(void));

void nic_mac(uint8_t mac[6]);
bool nic_link_up(void);
uint32_t nic_take_events(void);

uint8_t *nic_tx_buffer(void);
void nic_tx_send(size_t len);

const uint8_t *nic_rx_frame(size_t *len);
void nic_rx_release(void);

uint32_t nic_rx_errors(void);
/* RAM the driver holds (rings and buffers), for the status page. */
size_t nic_ram_bytes(void);

#endif /* CARDOS_DRIVERS_NIC_H */
