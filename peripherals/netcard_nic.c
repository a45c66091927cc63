/*
 * netcard NIC: Ethernet-like link with descriptor rings in card RAM.
 * Register map and descriptor format: netcard_nic.h; behaviour:
 * docs/network.md.
 *
 * DMA masters the memory region of the "memory" link (the SoC links the
 * system memory). Every guest-supplied address is checked against the card
 * RAM window (ram-base, ram-size) before any DMA: a descriptor ring must
 * lie wholly in RAM to be accepted, a buffer must lie wholly in RAM to be
 * read or written. A bad buffer or length completes its descriptor with
 * an ERR code (only the descriptor, which is inside the accepted ring, is
 * written) and raises INT_STATUS.ERROR.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qapi/error.h"
#include "hw/irq.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "net/net.h"
#include "netcard_nic.h"
#include "trace.h"

#define INT_ALL (R_NIC_INT_STATUS_RX_MASK | R_NIC_INT_STATUS_TX_DONE_MASK | \
                 R_NIC_INT_STATUS_LINK_MASK | R_NIC_INT_STATUS_ERROR_MASK)

static void netcard_nic_update_irq(NetcardNicState *s)
{
    qemu_set_irq(s->irq, (s->int_status & s->int_enable) != 0);
}

static void netcard_nic_raise(NetcardNicState *s, uint32_t cause)
{
    s->int_status |= cause;
    netcard_nic_update_irq(s);
}

/* [addr, addr + len) wholly inside card RAM (no wrap-around). */
static bool netcard_nic_in_ram(NetcardNicState *s, uint64_t addr,
                               uint64_t len)
{
    return len <= s->ram_size && addr >= s->ram_base &&
           addr - s->ram_base <= s->ram_size - len;
}

static bool netcard_nic_ring_ok(NetcardNicState *s, uint32_t base,
                                uint32_t size)
{
    return size >= 1 && size <= NETCARD_NIC_RING_MAX && (base & 3) == 0 &&
           netcard_nic_in_ram(s, base, (uint64_t)size * NETCARD_NIC_DESC_SIZE);
}

static bool netcard_nic_dma_read(NetcardNicState *s, void *buf,
                                 uint64_t addr, uint32_t len)
{
    return address_space_read(&s->dma_as, addr, MEMTXATTRS_UNSPECIFIED,
                              buf, len) == MEMTX_OK;
}

static bool netcard_nic_dma_write(NetcardNicState *s, uint64_t addr,
                                  const void *buf, uint32_t len)
{
    return address_space_write(&s->dma_as, addr, MEMTXATTRS_UNSPECIFIED,
                               buf, len) == MEMTX_OK;
}

static bool netcard_nic_desc_read(NetcardNicState *s, uint64_t desc,
                                  uint32_t *addr, uint32_t *ctrl)
{
    uint32_t w[2];

    if (!netcard_nic_dma_read(s, w, desc, sizeof(w))) {
        return false;
    }
    *addr = le32_to_cpu(w[0]);
    *ctrl = le32_to_cpu(w[1]);
    return true;
}

static bool netcard_nic_desc_complete(NetcardNicState *s, uint64_t desc,
                                      uint32_t len, uint32_t err)
{
    uint32_t ctrl = 0;

    ctrl = FIELD_DP32(ctrl, NIC_DESC_CTRL, LEN, len);
    ctrl = FIELD_DP32(ctrl, NIC_DESC_CTRL, ERR, err);
    ctrl = cpu_to_le32(ctrl);
    return netcard_nic_dma_write(s, desc + NETCARD_NIC_DESC_CTRL, &ctrl,
                                 sizeof(ctrl));
}

/* A DMA failure inside an accepted ring: the engine stops. */
static void netcard_nic_ring_fault(NetcardNicState *s, bool tx)
{
    if (tx) {
        s->ctrl = FIELD_DP32(s->ctrl, NIC_CTRL, TXEN, 0);
        s->status = FIELD_DP32(s->status, NIC_STATUS, TX_RING_ERR, 1);
    } else {
        s->ctrl = FIELD_DP32(s->ctrl, NIC_CTRL, RXEN, 0);
        s->status = FIELD_DP32(s->status, NIC_STATUS, RX_RING_ERR, 1);
    }
    qemu_log_mask(LOG_GUEST_ERROR, "netcard-nic: %s ring access failed\n",
                  tx ? "TX" : "RX");
    netcard_nic_raise(s, R_NIC_INT_STATUS_ERROR_MASK);
}

static bool netcard_nic_link_up(NetcardNicState *s)
{
    return !qemu_get_queue(s->nic)->link_down;
}

static void netcard_nic_tx(NetcardNicState *s)
{
    uint32_t done = 0, errors = 0, sent = 0;

    while (FIELD_EX32(s->ctrl, NIC_CTRL, TXEN) && done < s->tx_size) {
        uint64_t desc = s->tx_base +
                        (uint64_t)s->tx_head * NETCARD_NIC_DESC_SIZE;
        uint32_t addr, ctrl, len, err = NETCARD_NIC_ERR_NONE;

        if (!netcard_nic_desc_read(s, desc, &addr, &ctrl)) {
            netcard_nic_ring_fault(s, true);
            break;
        }
        if (!FIELD_EX32(ctrl, NIC_DESC_CTRL, OWN)) {
            break;
        }
        len = FIELD_EX32(ctrl, NIC_DESC_CTRL, LEN);
        if (len < NETCARD_NIC_FRAME_MIN || len > NETCARD_NIC_FRAME_MAX) {
            err = NETCARD_NIC_ERR_LENGTH;
        } else if (!netcard_nic_in_ram(s, addr, len) ||
                   !netcard_nic_dma_read(s, s->frame, addr, len)) {
            err = NETCARD_NIC_ERR_ADDRESS;
        } else if (!netcard_nic_link_up(s)) {
            err = NETCARD_NIC_ERR_LINK_DOWN;
        }
        trace_netcard_nic_tx(s->tx_head, addr, len, err);
        if (err == NETCARD_NIC_ERR_NONE) {
            qemu_send_packet(qemu_get_queue(s->nic), s->frame, len);
            sent++;
            s->stat_tx_frames++;
            s->stat_tx_bytes += len;
        } else {
            if (err != NETCARD_NIC_ERR_LINK_DOWN) {
                qemu_log_mask(LOG_GUEST_ERROR, "netcard-nic: TX descriptor %u:"
                              " %s (addr 0x%08x len %u)\n", s->tx_head,
                              err == NETCARD_NIC_ERR_LENGTH ? "bad length" :
                              "buffer outside RAM", addr, len);
            }
            s->stat_tx_errors++;
            errors++;
        }
        if (!netcard_nic_desc_complete(s, desc, len, err)) {
            netcard_nic_ring_fault(s, true);
            break;
        }
        s->tx_head = (s->tx_head + 1) % s->tx_size;
        done++;
    }
    if (done) {
        netcard_nic_raise(s, R_NIC_INT_STATUS_TX_DONE_MASK);
    }
    if (errors) {
        netcard_nic_raise(s, R_NIC_INT_STATUS_ERROR_MASK);
    }
    if (sent) {
        /*
         * The backend (slirp) polls its host sockets from the main loop,
         * which may be asleep in ppoll() on the set it collected before
         * these frames: a frame from the guest can change that set (an
         * ACK that establishes a forwarded connection makes slirp read its
         * host socket). Wake the main loop so it collects the set again;
         * otherwise the host's data waits for the next unrelated timer.
         */
        qemu_notify_event();
    }
}

static bool netcard_nic_can_receive(NetClientState *nc)
{
    NetcardNicState *s = qemu_get_nic_opaque(nc);

    /* Frames for a stopped receiver are dropped (and counted) in receive. */
    return !FIELD_EX32(s->status, NIC_STATUS, RX_STALLED);
}

static ssize_t netcard_nic_receive(NetClientState *nc, const uint8_t *buf,
                                   size_t size)
{
    NetcardNicState *s = qemu_get_nic_opaque(nc);
    uint64_t desc;
    uint32_t addr, ctrl, cap, err = NETCARD_NIC_ERR_NONE;

    if (!FIELD_EX32(s->ctrl, NIC_CTRL, RXEN) || nc->link_down) {
        s->stat_rx_dropped++;
        return size;
    }
    desc = s->rx_base + (uint64_t)s->rx_head * NETCARD_NIC_DESC_SIZE;
    if (!netcard_nic_desc_read(s, desc, &addr, &ctrl)) {
        netcard_nic_ring_fault(s, false);
        s->stat_rx_dropped++;
        return size;
    }
    if (!FIELD_EX32(ctrl, NIC_DESC_CTRL, OWN)) {
        /* No buffer: QEMU queues the frame until RX_KICK. */
        s->status = FIELD_DP32(s->status, NIC_STATUS, RX_STALLED, 1);
        trace_netcard_nic_rx_stall(s->rx_head);
        return 0;
    }
    cap = FIELD_EX32(ctrl, NIC_DESC_CTRL, LEN);
    if (size > cap) {
        err = NETCARD_NIC_ERR_TOO_SMALL;
    } else if (!netcard_nic_in_ram(s, addr, size) ||
               !netcard_nic_dma_write(s, addr, buf, size)) {
        err = NETCARD_NIC_ERR_ADDRESS;
    }
    trace_netcard_nic_rx(s->rx_head, addr, size, err);
    if (!netcard_nic_desc_complete(s, desc, err ? 0 : size, err)) {
        netcard_nic_ring_fault(s, false);
        s->stat_rx_dropped++;
        return size;
    }
    s->rx_head = (s->rx_head + 1) % s->rx_size;
    if (err) {
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-nic: RX descriptor: %s "
                      "(addr 0x%08x capacity %u, frame %zu)\n",
                      err == NETCARD_NIC_ERR_TOO_SMALL ? "buffer too small" :
                      "buffer outside RAM", addr, cap, size);
        s->stat_rx_errors++;
        netcard_nic_raise(s, R_NIC_INT_STATUS_ERROR_MASK);
    } else {
        s->stat_rx_frames++;
        s->stat_rx_bytes += size;
        netcard_nic_raise(s, R_NIC_INT_STATUS_RX_MASK);
    }
    return size;
}

static void netcard_nic_rx_kick(NetcardNicState *s)
{
    if (FIELD_EX32(s->status, NIC_STATUS, RX_STALLED)) {
        s->status = FIELD_DP32(s->status, NIC_STATUS, RX_STALLED, 0);
        qemu_flush_queued_packets(qemu_get_queue(s->nic));
    }
}

static void netcard_nic_set_link(NetClientState *nc)
{
    NetcardNicState *s = qemu_get_nic_opaque(nc);
    bool up = !nc->link_down;

    if (FIELD_EX32(s->status, NIC_STATUS, LINK) == up) {
        return;
    }
    trace_netcard_nic_link(up);
    s->status = FIELD_DP32(s->status, NIC_STATUS, LINK, up);
    s->stat_link_changes++;
    netcard_nic_raise(s, R_NIC_INT_STATUS_LINK_MASK);
}

static void netcard_nic_clear_stats(NetcardNicState *s)
{
    s->stat_tx_frames = s->stat_tx_bytes = s->stat_tx_errors = 0;
    s->stat_rx_frames = s->stat_rx_bytes = s->stat_rx_errors = 0;
    s->stat_rx_dropped = s->stat_link_changes = 0;
}

static void netcard_nic_write_ctrl(NetcardNicState *s, uint32_t value)
{
    bool txen = FIELD_EX32(value, NIC_CTRL, TXEN);
    bool rxen = FIELD_EX32(value, NIC_CTRL, RXEN);

    if (FIELD_EX32(value, NIC_CTRL, STATS_CLEAR)) {
        netcard_nic_clear_stats(s);
    }
    if (txen && !FIELD_EX32(s->ctrl, NIC_CTRL, TXEN)) {
        if (netcard_nic_ring_ok(s, s->tx_base, s->tx_size)) {
            s->tx_head = 0;
            s->status = FIELD_DP32(s->status, NIC_STATUS, TX_RING_ERR, 0);
        } else {
            qemu_log_mask(LOG_GUEST_ERROR, "netcard-nic: TX ring 0x%08x x %u "
                          "is not wholly in RAM\n", s->tx_base, s->tx_size);
            s->status = FIELD_DP32(s->status, NIC_STATUS, TX_RING_ERR, 1);
            netcard_nic_raise(s, R_NIC_INT_STATUS_ERROR_MASK);
            txen = false;
        }
    }
    if (rxen && !FIELD_EX32(s->ctrl, NIC_CTRL, RXEN)) {
        if (netcard_nic_ring_ok(s, s->rx_base, s->rx_size)) {
            s->rx_head = 0;
            s->status = FIELD_DP32(s->status, NIC_STATUS, RX_RING_ERR, 0);
        } else {
            qemu_log_mask(LOG_GUEST_ERROR, "netcard-nic: RX ring 0x%08x x %u "
                          "is not wholly in RAM\n", s->rx_base, s->rx_size);
            s->status = FIELD_DP32(s->status, NIC_STATUS, RX_RING_ERR, 1);
            netcard_nic_raise(s, R_NIC_INT_STATUS_ERROR_MASK);
            rxen = false;
        }
    }
    s->ctrl = FIELD_DP32(s->ctrl, NIC_CTRL, TXEN, txen);
    s->ctrl = FIELD_DP32(s->ctrl, NIC_CTRL, RXEN, rxen);
    if (!rxen) {
        s->status = FIELD_DP32(s->status, NIC_STATUS, RX_STALLED, 0);
    }
    /* A stopped receiver drops; an enabled one may take queued frames. */
    qemu_flush_queued_packets(qemu_get_queue(s->nic));
}

static uint32_t netcard_nic_status(NetcardNicState *s)
{
    uint32_t v = s->status;

    v = FIELD_DP32(v, NIC_STATUS, TX_ACTIVE,
                   FIELD_EX32(s->ctrl, NIC_CTRL, TXEN));
    v = FIELD_DP32(v, NIC_STATUS, RX_ACTIVE,
                   FIELD_EX32(s->ctrl, NIC_CTRL, RXEN));
    return v;
}

static uint64_t netcard_nic_read(void *opaque, hwaddr offset, unsigned size)
{
    NetcardNicState *s = opaque;
    uint64_t v = 0;

    switch (offset) {
    case A_NIC_ID:
        v = NETCARD_NIC_ID_VALUE;
        break;
    case A_NIC_CTRL:
        v = s->ctrl;
        break;
    case A_NIC_STATUS:
        v = netcard_nic_status(s);
        break;
    case A_NIC_INT_STATUS:
        v = s->int_status;
        break;
    case A_NIC_INT_ENABLE:
        v = s->int_enable;
        break;
    case A_NIC_MAC_LO:
        v = s->mac_lo;
        break;
    case A_NIC_MAC_HI:
        v = s->mac_hi;
        break;
    case A_NIC_TX_RING_BASE:
        v = s->tx_base;
        break;
    case A_NIC_TX_RING_SIZE:
        v = s->tx_size;
        break;
    case A_NIC_TX_HEAD:
        v = s->tx_head;
        break;
    case A_NIC_RX_RING_BASE:
        v = s->rx_base;
        break;
    case A_NIC_RX_RING_SIZE:
        v = s->rx_size;
        break;
    case A_NIC_RX_HEAD:
        v = s->rx_head;
        break;
    case A_NIC_TX_KICK:
    case A_NIC_RX_KICK:
        v = 0;
        break;
    case A_NIC_STAT_TX_FRAMES:
        v = s->stat_tx_frames;
        break;
    case A_NIC_STAT_TX_BYTES:
        v = s->stat_tx_bytes;
        break;
    case A_NIC_STAT_TX_ERRORS:
        v = s->stat_tx_errors;
        break;
    case A_NIC_STAT_RX_FRAMES:
        v = s->stat_rx_frames;
        break;
    case A_NIC_STAT_RX_BYTES:
        v = s->stat_rx_bytes;
        break;
    case A_NIC_STAT_RX_ERRORS:
        v = s->stat_rx_errors;
        break;
    case A_NIC_STAT_RX_DROPPED:
        v = s->stat_rx_dropped;
        break;
    case A_NIC_STAT_LINK_CHANGES:
        v = s->stat_link_changes;
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-nic: read of unknown offset "
                      "0x%03" HWADDR_PRIx "\n", offset);
        break;
    }
    trace_netcard_nic_read(offset, v);
    return v;
}

static void netcard_nic_set_ring(NetcardNicState *s, bool tx, uint32_t *reg,
                                 uint32_t value)
{
    if (FIELD_EX32(s->ctrl, NIC_CTRL, TXEN) && tx) {
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-nic: TX ring changed while "
                      "enabled (ignored)\n");
        return;
    }
    if (FIELD_EX32(s->ctrl, NIC_CTRL, RXEN) && !tx) {
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-nic: RX ring changed while "
                      "enabled (ignored)\n");
        return;
    }
    *reg = value;
}

static void netcard_nic_write(void *opaque, hwaddr offset, uint64_t value,
                              unsigned size)
{
    NetcardNicState *s = opaque;
    uint32_t v = value;

    trace_netcard_nic_write(offset, value);
    switch (offset) {
    case A_NIC_CTRL:
        netcard_nic_write_ctrl(s, v);
        break;
    case A_NIC_INT_STATUS:
        s->int_status &= ~(v & INT_ALL);
        netcard_nic_update_irq(s);
        break;
    case A_NIC_INT_ENABLE:
        s->int_enable = v & INT_ALL;
        netcard_nic_update_irq(s);
        break;
    case A_NIC_MAC_LO:
        s->mac_lo = v;
        break;
    case A_NIC_MAC_HI:
        s->mac_hi = v & R_NIC_MAC_HI_BYTES_MASK;
        break;
    case A_NIC_TX_RING_BASE:
        netcard_nic_set_ring(s, true, &s->tx_base, v);
        break;
    case A_NIC_TX_RING_SIZE:
        netcard_nic_set_ring(s, true, &s->tx_size, v);
        break;
    case A_NIC_RX_RING_BASE:
        netcard_nic_set_ring(s, false, &s->rx_base, v);
        break;
    case A_NIC_RX_RING_SIZE:
        netcard_nic_set_ring(s, false, &s->rx_size, v);
        break;
    case A_NIC_TX_KICK:
        netcard_nic_tx(s);
        break;
    case A_NIC_RX_KICK:
        netcard_nic_rx_kick(s);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-nic: write of read-only or "
                      "unknown offset 0x%03" HWADDR_PRIx "\n", offset);
        break;
    }
}

static const MemoryRegionOps netcard_nic_ops = {
    .read = netcard_nic_read,
    .write = netcard_nic_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid.min_access_size = 4,
    .valid.max_access_size = 4,
    .valid.unaligned = false,
};

static void netcard_nic_load_mac(NetcardNicState *s)
{
    const uint8_t *m = s->conf.macaddr.a;

    s->mac_lo = m[0] | (m[1] << 8) | (m[2] << 16) | ((uint32_t)m[3] << 24);
    s->mac_hi = m[4] | (m[5] << 8);
}

static void netcard_nic_reset_hold(Object *obj, ResetType type)
{
    NetcardNicState *s = NETCARD_NIC(obj);

    if (type == RESET_TYPE_SNAPSHOT_LOAD) {
        return;
    }
    s->ctrl = 0;
    s->status = 0;
    s->int_status = 0;
    s->int_enable = 0;
    s->tx_base = s->tx_size = s->tx_head = 0;
    s->rx_base = s->rx_size = s->rx_head = 0;
    netcard_nic_clear_stats(s);
    netcard_nic_load_mac(s);
    if (s->nic && netcard_nic_link_up(s)) {
        s->status = FIELD_DP32(s->status, NIC_STATUS, LINK, 1);
    }
}

static void netcard_nic_reset_exit(Object *obj, ResetType type)
{
    NetcardNicState *s = NETCARD_NIC(obj);

    netcard_nic_update_irq(s);
}

static NetClientInfo netcard_nic_info = {
    .type = NET_CLIENT_DRIVER_NIC,
    .size = sizeof(NICState),
    .can_receive = netcard_nic_can_receive,
    .receive = netcard_nic_receive,
    .link_status_changed = netcard_nic_set_link,
};

static void netcard_nic_init(Object *obj)
{
    NetcardNicState *s = NETCARD_NIC(obj);

    memory_region_init_io(&s->iomem, obj, &netcard_nic_ops, s,
                          TYPE_NETCARD_NIC, 0x1000);
    sysbus_init_mmio(SYS_BUS_DEVICE(obj), &s->iomem);
    sysbus_init_irq(SYS_BUS_DEVICE(obj), &s->irq);

    /* Statistics, read-only, for qom-get. */
    object_property_add_uint32_ptr(obj, "stat-tx-frames", &s->stat_tx_frames,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint32_ptr(obj, "stat-tx-bytes", &s->stat_tx_bytes,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint32_ptr(obj, "stat-tx-errors", &s->stat_tx_errors,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint32_ptr(obj, "stat-rx-frames", &s->stat_rx_frames,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint32_ptr(obj, "stat-rx-bytes", &s->stat_rx_bytes,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint32_ptr(obj, "stat-rx-errors", &s->stat_rx_errors,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint32_ptr(obj, "stat-rx-dropped",
                                   &s->stat_rx_dropped, OBJ_PROP_FLAG_READ);
    object_property_add_uint32_ptr(obj, "stat-link-changes",
                                   &s->stat_link_changes, OBJ_PROP_FLAG_READ);
}

static void netcard_nic_realize(DeviceState *dev, Error **errp)
{
    NetcardNicState *s = NETCARD_NIC(dev);

    if (!s->dma_mr) {
        error_setg(errp, "netcard-nic: 'memory' link not set");
        return;
    }
    if (s->ram_size == 0 ||
        (uint64_t)s->ram_base + s->ram_size > UINT32_MAX + 1ULL) {
        error_setg(errp, "netcard-nic: ram-base/ram-size must describe the "
                   "card RAM");
        return;
    }
    address_space_init(&s->dma_as, s->dma_mr, "netcard-nic-dma");
    qemu_macaddr_default_if_unset(&s->conf.macaddr);
    s->nic = qemu_new_nic(&netcard_nic_info, &s->conf,
                          object_get_typename(OBJECT(dev)), dev->id,
                          &dev->mem_reentrancy_guard, s);
    qemu_format_nic_info_str(qemu_get_queue(s->nic), s->conf.macaddr.a);
}

static void netcard_nic_unrealize(DeviceState *dev)
{
    NetcardNicState *s = NETCARD_NIC(dev);

    qemu_del_nic(s->nic);
    address_space_destroy(&s->dma_as);
}

static int netcard_nic_post_load(void *opaque, int version_id)
{
    NetcardNicState *s = opaque;

    /* Heads must stay inside their rings whatever the stream says. */
    if ((s->tx_size && s->tx_head >= s->tx_size) ||
        (s->rx_size && s->rx_head >= s->rx_size)) {
        return -EINVAL;
    }
    if (FIELD_EX32(s->ctrl, NIC_CTRL, TXEN) &&
        !netcard_nic_ring_ok(s, s->tx_base, s->tx_size)) {
        return -EINVAL;
    }
    if (FIELD_EX32(s->ctrl, NIC_CTRL, RXEN) &&
        !netcard_nic_ring_ok(s, s->rx_base, s->rx_size)) {
        return -EINVAL;
    }
    return 0;
}

static const VMStateDescription vmstate_netcard_nic = {
    .name = TYPE_NETCARD_NIC,
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = netcard_nic_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(ctrl, NetcardNicState),
        VMSTATE_UINT32(status, NetcardNicState),
        VMSTATE_UINT32(int_status, NetcardNicState),
        VMSTATE_UINT32(int_enable, NetcardNicState),
        VMSTATE_UINT32(mac_lo, NetcardNicState),
        VMSTATE_UINT32(mac_hi, NetcardNicState),
        VMSTATE_UINT32(tx_base, NetcardNicState),
        VMSTATE_UINT32(tx_size, NetcardNicState),
        VMSTATE_UINT32(tx_head, NetcardNicState),
        VMSTATE_UINT32(rx_base, NetcardNicState),
        VMSTATE_UINT32(rx_size, NetcardNicState),
        VMSTATE_UINT32(rx_head, NetcardNicState),
        VMSTATE_UINT32(stat_tx_frames, NetcardNicState),
        VMSTATE_UINT32(stat_tx_bytes, NetcardNicState),
        VMSTATE_UINT32(stat_tx_errors, NetcardNicState),
        VMSTATE_UINT32(stat_rx_frames, NetcardNicState),
        VMSTATE_UINT32(stat_rx_bytes, NetcardNicState),
        VMSTATE_UINT32(stat_rx_errors, NetcardNicState),
        VMSTATE_UINT32(stat_rx_dropped, NetcardNicState),
        VMSTATE_UINT32(stat_link_changes, NetcardNicState),
        VMSTATE_END_OF_LIST()
    },
};

static const Property netcard_nic_properties[] = {
    DEFINE_NIC_PROPERTIES(NetcardNicState, conf),
    DEFINE_PROP_LINK("memory", NetcardNicState, dma_mr, TYPE_MEMORY_REGION,
                     MemoryRegion *),
    DEFINE_PROP_UINT32("ram-base", NetcardNicState, ram_base, 0),
    DEFINE_PROP_UINT32("ram-size", NetcardNicState, ram_size, 0),
};

static void netcard_nic_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);
    dc->realize = netcard_nic_realize;
    dc->unrealize = netcard_nic_unrealize;
    dc->vmsd = &vmstate_netcard_nic;
    rc->phases.hold = netcard_nic_reset_hold;
    rc->phases.exit = netcard_nic_reset_exit;
    device_class_set_props(dc, netcard_nic_properties);
    set_bit(DEVICE_CATEGORY_NETWORK, dc->categories);
    dc->desc = "netcard Ethernet-like link (descriptor rings)";
}

static const TypeInfo netcard_nic_types[] = {
    {
        .name = TYPE_NETCARD_NIC,
        .parent = TYPE_SYS_BUS_DEVICE,
        .instance_size = sizeof(NetcardNicState),
        .instance_init = netcard_nic_init,
        .class_init = netcard_nic_class_init,
    },
};

DEFINE_TYPES(netcard_nic_types)
