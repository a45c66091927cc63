/*
 * netcard NIC: an Ethernet-like link with TX and RX descriptor rings in
 * card RAM. It stands for the card's inter-chip USB/EEM link; in QEMU it is
 * a NIC (-nic user,model=netcard-nic,...), normally on libslirp.
 *
 * This header is the contract between the QEMU model and the card OS
 * driver. Built with NETCARD_CARDOS defined it provides only the register
 * map (REG32/FIELD), the descriptor format and the constants; QEMU builds
 * also get the QOM type. docs/network.md describes the behaviour.
 *
 * Window: 0x4000_6000, 4 KiB, IRQ 5. All registers are 32-bit; other
 * access sizes are rejected, unknown offsets read as zero (guest error).
 *
 * Descriptor (8 bytes, little-endian, 4-byte aligned), in a ring of
 * RING_SIZE entries at RING_BASE:
 *   word 0  ADDR  buffer address (must lie wholly in card RAM)
 *   word 1  CTRL  LEN[15:0], ERR[23:16], OWN[31]
 * The driver fills ADDR/LEN and sets OWN to hand a descriptor to the
 * device; the device clears OWN when it is done (and for RX writes the
 * received length into LEN, or an error code into ERR). TX LEN is the
 * frame length (14..1514 bytes, no FCS); RX LEN is the buffer capacity.
 * The device walks each ring in order from index 0 (after enabling) and
 * wraps after RING_SIZE - 1; its current index is in TX_HEAD / RX_HEAD.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later OR Apache-2.0
 */
#ifndef NETCARD_NIC_H
#define NETCARD_NIC_H

#ifdef NETCARD_CARDOS
#include "arch/regfields.h"
#else
#include "hw/sysbus.h"
#include "hw/registerfields.h"
#include "net/net.h"
#include "qom/object.h"
#endif

/* RO: identifies the block. Reads NETCARD_NIC_ID_VALUE. */
REG32(NIC_ID, 0x000)
/*
 * RW: control. TXEN/RXEN enable the engines; enabling an engine (0 -> 1)
 * validates its ring and restarts it at index 0. A ring that does not lie
 * wholly in RAM (or RING_SIZE 0 or > NETCARD_NIC_RING_MAX, or RING_BASE not
 * 4-aligned) is refused: the engine stays off, STATUS.*_RING_ERR is set and
 * INT_STATUS.ERROR raised. STATS_CLEAR (write 1) zeroes the counters.
 */
REG32(NIC_CTRL, 0x004)
    FIELD(NIC_CTRL, TXEN, 0, 1)
    FIELD(NIC_CTRL, RXEN, 1, 1)
    FIELD(NIC_CTRL, STATS_CLEAR, 31, 1)
/* RO: link state and engine state. */
REG32(NIC_STATUS, 0x008)
    FIELD(NIC_STATUS, LINK, 0, 1)          /* 1 = link up */
    FIELD(NIC_STATUS, TX_ACTIVE, 1, 1)
    FIELD(NIC_STATUS, RX_ACTIVE, 2, 1)
    FIELD(NIC_STATUS, TX_RING_ERR, 3, 1)   /* last TXEN refused a ring */
    FIELD(NIC_STATUS, RX_RING_ERR, 4, 1)   /* last RXEN refused a ring */
    FIELD(NIC_STATUS, RX_STALLED, 5, 1)    /* frames wait for RX descriptors */
/* RW1C: interrupt causes; the IRQ line is (INT_STATUS & INT_ENABLE) != 0. */
REG32(NIC_INT_STATUS, 0x00c)
    FIELD(NIC_INT_STATUS, RX, 0, 1)        /* a frame was received */
    FIELD(NIC_INT_STATUS, TX_DONE, 1, 1)   /* TX descriptors completed */
    FIELD(NIC_INT_STATUS, LINK, 2, 1)      /* STATUS.LINK changed */
    FIELD(NIC_INT_STATUS, ERROR, 3, 1)     /* a descriptor/ring error */
REG32(NIC_INT_ENABLE, 0x010)
/*
 * RW: MAC address, bytes 0..3 in MAC_LO (byte 0 in bits 7:0), 4..5 in
 * MAC_HI.
 */
REG32(NIC_MAC_LO, 0x014)
REG32(NIC_MAC_HI, 0x018)
    FIELD(NIC_MAC_HI, BYTES, 0, 16)
/* Rings. BASE/SIZE may change only while the engine is off. */
REG32(NIC_TX_RING_BASE, 0x020)
REG32(NIC_TX_RING_SIZE, 0x024)
REG32(NIC_TX_HEAD, 0x028)                  /* RO: next descriptor to process */
REG32(NIC_TX_KICK, 0x02c)                  /* WO: process owned descriptors */
REG32(NIC_RX_RING_BASE, 0x030)
REG32(NIC_RX_RING_SIZE, 0x034)
REG32(NIC_RX_HEAD, 0x038)                  /* RO: next descriptor to fill */
REG32(NIC_RX_KICK, 0x03c)                  /* WO: descriptors were returned */
/* RO: statistics (wrap at 2^32), cleared by reset and CTRL.STATS_CLEAR. */
REG32(NIC_STAT_TX_FRAMES, 0x040)
REG32(NIC_STAT_TX_BYTES, 0x044)
REG32(NIC_STAT_TX_ERRORS, 0x048)           /* TX descriptors done with ERR */
REG32(NIC_STAT_RX_FRAMES, 0x04c)
REG32(NIC_STAT_RX_BYTES, 0x050)
REG32(NIC_STAT_RX_ERRORS, 0x054)           /* RX descriptors done with ERR */
REG32(NIC_STAT_RX_DROPPED, 0x058)          /* dropped: RX off or link down */
REG32(NIC_STAT_LINK_CHANGES, 0x05c)

/* Descriptor layout. */
#define NETCARD_NIC_DESC_SIZE        8u
#define NETCARD_NIC_DESC_ADDR        0u   /* byte offset of ADDR */
#define NETCARD_NIC_DESC_CTRL        4u   /* byte offset of CTRL */
REG32(NIC_DESC_CTRL, 0x004)
    FIELD(NIC_DESC_CTRL, LEN, 0, 16)
    FIELD(NIC_DESC_CTRL, ERR, 16, 8)
    FIELD(NIC_DESC_CTRL, OWN, 31, 1)

/* Descriptor ERR codes (0 = none). */
enum {
    NETCARD_NIC_ERR_NONE       = 0,
    NETCARD_NIC_ERR_ADDRESS    = 1,   /* buffer not wholly in RAM */
    NETCARD_NIC_ERR_LENGTH     = 2,   /* TX LEN outside 14..1514 */
    NETCARD_NIC_ERR_TOO_SMALL  = 3,   /* RX frame longer than the buffer */
    NETCARD_NIC_ERR_LINK_DOWN  = 4,   /* TX while the link is down */
};

#define NETCARD_NIC_ID_VALUE         0x4e494301u  /* "NIC", version 1 */
#define NETCARD_NIC_RING_MAX         256u
#define NETCARD_NIC_FRAME_MIN        14u          /* Ethernet header */
#define NETCARD_NIC_FRAME_MAX        1514u        /* header + 1500, no FCS */

#ifndef NETCARD_CARDOS

#define TYPE_NETCARD_NIC "netcard-nic"
OBJECT_DECLARE_SIMPLE_TYPE(NetcardNicState, NETCARD_NIC)

struct NetcardNicState {
    SysBusDevice parent_obj;

    MemoryRegion iomem;
    qemu_irq irq;
    NICState *nic;
    NICConf conf;

    /*
     * DMA: the bus it masters (link "memory") and the window of it the
     * rings and buffers must lie in (the card RAM), set by the SoC.
     */
    MemoryRegion *dma_mr;
    AddressSpace dma_as;
    uint32_t ram_base;
    uint32_t ram_size;

    uint32_t ctrl;
    uint32_t status;
    uint32_t int_status;
    uint32_t int_enable;
    uint32_t mac_lo;
    uint32_t mac_hi;
    uint32_t tx_base, tx_size, tx_head;
    uint32_t rx_base, rx_size, rx_head;

    uint32_t stat_tx_frames, stat_tx_bytes, stat_tx_errors;
    uint32_t stat_rx_frames, stat_rx_bytes, stat_rx_errors;
    uint32_t stat_rx_dropped, stat_link_changes;

    uint8_t frame[NETCARD_NIC_FRAME_MAX];
};

#endif /* !NETCARD_CARDOS */

#endif /* NETCARD_NIC_H */
