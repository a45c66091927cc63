/*
 * NIC driver: descriptor rings in RAM (see nic.h and docs/network.md).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "drivers/nic.h"

#include "arch/cpu.h"
#include "arch/nvic.h"
#include "arch/mmio.h"
#include "netcard_nic.h"
#include "netcard_memmap.h"

/* Device interrupts preempt the tick (priority 7), not each other. */
#define NIC_IRQ_PRIORITY 4u

struct nic_desc {
    uint32_t addr;
    uint32_t ctrl;
};

static volatile struct nic_desc tx_ring[NIC_TX_RING_LEN] __attribute__((aligned(8)));
static volatile struct nic_desc rx_ring[NIC_RX_RING_LEN] __attribute__((aligned(8)));
static uint8_t tx_buf[NIC_TX_RING_LEN][NIC_BUF_SIZE] __attribute__((aligned(4)));
static uint8_t rx_buf[NIC_RX_RING_LEN][NIC_BUF_SIZE] __attribute__((aligned(4)));
static unsigned tx_next;
static unsigned rx_next;
static uint32_t rx_errors;
static volatile uint32_t pending_events;
static void (*notify_fn)(void);

static uint32_t nic_read(uint32_t off)
{
    return mmio_read32(NETCARD_NIC_BASE + off);
}

static void nic_write(uint32_t off, uint32_t v)
{
    mmio_write32(NETCARD_NIC_BASE + off, v);
}

/* CTRL of an RX descriptor handed to the device: owned, full buffer. */
#define RX_GIVE ((uint32_t)R_NIC_DESC_CTRL_OWN_MASK | NIC_BUF_SIZE)

bool nic_init(void (*notify)(void))
{
    if (nic_read(A_NIC_ID) != NETCARD_NIC_ID_VALUE) {
        return false;
    }
    notify_fn = notify;
    nic_write(A_NIC_CTRL, 0);
    nic_write(A_NIC_INT_ENABLE, 0);
    nic_write(A_NIC_INT_STATUS, 0xffffffffu);
    for (unsigned i = 0; i < NIC_TX_RING_LEN; i++) {
        tx_ring[i].addr = (uint32_t)(uintptr_t)tx_buf[i];
        tx_ring[i].ctrl = 0;
    }
    for (unsigned i = 0; i < NIC_RX_RING_LEN; i++) {
        rx_ring[i].addr = (uint32_t)(uintptr_t)rx_buf[i];
        rx_ring[i].ctrl = RX_GIVE;
    }
    tx_next = rx_next = 0;
    pending_events = 0;
    cpu_dsb();
    nic_write(A_NIC_TX_RING_BASE, (uint32_t)(uintptr_t)tx_ring);
    nic_write(A_NIC_TX_RING_SIZE, NIC_TX_RING_LEN);
    nic_write(A_NIC_RX_RING_BASE, (uint32_t)(uintptr_t)rx_ring);
    nic_write(A_NIC_RX_RING_SIZE, NIC_RX_RING_LEN);
    nic_write(A_NIC_CTRL, R_NIC_CTRL_TXEN_MASK | R_NIC_CTRL_RXEN_MASK);

    nvic_set_priority(NETCARD_IRQ_NIC, NIC_IRQ_PRIORITY);
    nvic_clear_pending_irq(NETCARD_IRQ_NIC);
    nvic_enable_irq(NETCARD_IRQ_NIC);
    nic_write(A_NIC_INT_ENABLE, R_NIC_INT_STATUS_RX_MASK |
              R_NIC_INT_STATUS_LINK_MASK | R_NIC_INT_STATUS_ERROR_MASK);
    return (nic_read(A_NIC_CTRL) & 3u) == 3u;
}

void nic_irq_handler(void)
{
    uint32_t st = nic_read(A_NIC_INT_STATUS);

    nic_write(A_NIC_INT_STATUS, st);
    pending_events |= st;
    cpu_dsb();
    if (notify_fn) {
        notify_fn();
    }
}

uint32_t nic_take_events(void)
{
    uint32_t state = cpu_irq_save();
    uint32_t ev = pending_events;

    pending_events = 0;
    cpu_irq_restore(state);
    return ev;
}

void nic_mac(uint8_t mac[6])
{
    uint32_t lo = nic_read(A_NIC_MAC_LO), hi = nic_read(A_NIC_MAC_HI);

    for (unsigned i = 0; i < 4; i++) {
        mac[i] = (uint8_t)(lo >> (8 * i));
    }
    mac[4] = (uint8_t)hi;
    mac[5] = (uint8_t)(hi >> 8);
}

bool nic_link_up(void)
{
    return (nic_read(A_NIC_STATUS) & R_NIC_STATUS_LINK_MASK) != 0;
}

uint8_t *nic_tx_buffer(void)
{
    if (tx_ring[tx_next].ctrl & R_NIC_DESC_CTRL_OWN_MASK) {
        return NULL;
    }
    return tx_buf[tx_next];
}

void nic_tx_send(size_t len)
{
    tx_ring[tx_next].ctrl = R_NIC_DESC_CTRL_OWN_MASK | (uint32_t)len;
    tx_next = (tx_next + 1) % NIC_TX_RING_LEN;
    cpu_dsb();
    nic_write(A_NIC_TX_KICK, 1);
}

const uint8_t *nic_rx_frame(size_t *len)
{
    for (;;) {
        uint32_t ctrl = rx_ring[rx_next].ctrl;

        if (ctrl & R_NIC_DESC_CTRL_OWN_MASK) {
            return NULL;
        }
        if (FIELD_EX32(ctrl, NIC_DESC_CTRL, ERR) == 0) {
            *len = FIELD_EX32(ctrl, NIC_DESC_CTRL, LEN);
            return rx_buf[rx_next];
        }
        rx_errors++;
        nic_rx_release();
    }
}

void nic_rx_release(void)
{
    rx_ring[rx_next].ctrl = RX_GIVE;
    rx_next = (rx_next + 1) % NIC_RX_RING_LEN;
    cpu_dsb();
    nic_write(A_NIC_RX_KICK, 1);
}

uint32_t nic_rx_errors(void)
{
    return rx_errors;
}

size_t nic_ram_bytes(void)
{
    return sizeof(tx_ring) + sizeof(rx_ring) + sizeof(tx_buf) + sizeof(rx_buf);
}
