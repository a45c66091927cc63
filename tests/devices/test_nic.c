/*
 * Device tests: netcard NIC at 0x4000_6000 (IRQ 5) on libslirp.
 *
 * The peer is QEMU's user-mode network (libslirp): its gateway 10.0.2.2
 * answers ARP as RFC 826 says, which is the independent expectation for
 * the RX path. Register offsets come from peripherals/netcard_nic.h; the
 * descriptor layout is written out here from docs/network.md.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "devices.h"
#include "netcard_nic.h"

#include <stdio.h>
#include <string.h>

TestSuite(device_nic, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_DEVICE);

#define NIC_BASE        0x40006000u
#define NIC(reg)        (NIC_BASE + (uint32_t)A_NIC_##reg)
#define NIC_IRQ         5

/* Card RAM layout used by the tests. */
#define TX_RING         (RAM_BASE + 0x1000u)
#define RX_RING         (RAM_BASE + 0x2000u)
#define TX_BUF          (RAM_BASE + 0x3000u)
#define RX_BUF          (RAM_BASE + 0x4000u)
#define RX_BUF_STRIDE   0x800u
#define RING_LEN        4u

/* Descriptor: word 0 buffer address, word 1 LEN[15:0] ERR[23:16] OWN[31]. */
#define DESC_OWN        0x80000000u
#define DESC_LEN(c)     ((c) & 0xffffu)
#define DESC_ERR(c)     (((c) >> 16) & 0xffu)

/* INT_STATUS bits and STATUS bits from docs/network.md. */
#define INT_RX          (1u << 0)
#define INT_TX_DONE     (1u << 1)
#define INT_LINK        (1u << 2)
#define INT_ERROR       (1u << 3)
#define ST_LINK         (1u << 0)
#define ST_TX_RING_ERR  (1u << 3)
#define CTRL_TXEN       (1u << 0)
#define CTRL_RXEN       (1u << 1)

#define ERR_ADDRESS     1u
#define ERR_LENGTH      2u
#define ERR_TOO_SMALL   3u

#define GUARD           0xC5u
#define POLL_MS         10000

static const uint8_t test_mac[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };

static NcQtest *start_nic(void)
{
    static const char *const opts[] = {
        "--net", "user", "--mac", "52:54:00:ab:cd:ef", NULL
    };
    NcQtest *qt = nc_qtest_start_with(opts, NULL);
    nc_qtest_cmd(qt, "irq_intercept_in /machine/soc/armv7m");
    return qt;
}

static void write_bytes(NcQtest *qt, uint32_t addr, const uint8_t *p,
                        size_t n)
{
    char *hex = nc_gc(calloc(1, 2 * n + 1));
    for (size_t i = 0; i < n; i++) {
        snprintf(hex + 2 * i, 3, "%02x", p[i]);
    }
    nc_qtest_cmd(qt, "write 0x%" PRIx32 " 0x%zx 0x%s", addr, n, hex);
}

static void read_bytes(NcQtest *qt, uint32_t addr, uint8_t *p, size_t n)
{
    char *r = nc_qtest_cmd(qt, "read 0x%" PRIx32 " 0x%zx", addr, n);
    cr_assert(strncmp(r, "0x", 2) == 0 && strlen(r) == 2 + 2 * n,
              "qtest read returned \"%s\"", r);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(r + 2 + 2 * i, "%2x", &v);
        p[i] = (uint8_t)v;
    }
}

static void fill(NcQtest *qt, uint32_t addr, size_t n, uint8_t v)
{
    nc_qtest_cmd(qt, "memset 0x%" PRIx32 " 0x%zx 0x%02x", addr, n, v);
}

static void expect_filled(NcQtest *qt, uint32_t addr, size_t n, uint8_t v,
                          const char *what)
{
    uint8_t *buf = nc_gc(malloc(n));
    read_bytes(qt, addr, buf, n);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(buf[i], v, "%s: byte at 0x%08" PRIx32 " is 0x%02x, "
                     "expected untouched 0x%02x", what, addr + (uint32_t)i,
                     buf[i], v);
    }
}

static void set_desc(NcQtest *qt, uint32_t ring, unsigned i, uint32_t addr,
                     uint32_t ctrl)
{
    nc_writel(qt, ring + 8u * i, addr);
    nc_writel(qt, ring + 8u * i + 4u, ctrl);
}

static uint32_t desc_ctrl(NcQtest *qt, uint32_t ring, unsigned i)
{
    return nc_readl(qt, ring + 8u * i + 4u);
}

static void setup_rings(NcQtest *qt)
{
    nc_writel(qt, NIC(TX_RING_BASE), TX_RING);
    nc_writel(qt, NIC(TX_RING_SIZE), RING_LEN);
    nc_writel(qt, NIC(RX_RING_BASE), RX_RING);
    nc_writel(qt, NIC(RX_RING_SIZE), RING_LEN);
    for (unsigned i = 0; i < RING_LEN; i++) {
        set_desc(qt, TX_RING, i, 0, 0);
        set_desc(qt, RX_RING, i, RX_BUF + i * RX_BUF_STRIDE, DESC_OWN | 1536u);
    }
    nc_writel(qt, NIC(INT_ENABLE), INT_RX | INT_TX_DONE | INT_LINK | INT_ERROR);
    nc_writel(qt, NIC(CTRL), CTRL_TXEN | CTRL_RXEN);
    cr_assert_eq(nc_readl(qt, NIC(CTRL)) & 3u, 3u, "CTRL did not enable "
                 "TX and RX for rings in RAM");
}

/* RFC 826 ARP request (Ethernet, IPv4) from test_mac/10.0.2.15 for TPA. */
static size_t arp_request(uint8_t *f, const uint8_t tpa[4])
{
    static const uint8_t spa[4] = { 10, 0, 2, 15 };
    size_t n = 0;
    memset(f, 0xff, 6); n += 6;                    /* broadcast */
    memcpy(f + n, test_mac, 6); n += 6;
    f[n++] = 0x08; f[n++] = 0x06;                  /* ethertype ARP */
    f[n++] = 0x00; f[n++] = 0x01;                  /* htype Ethernet */
    f[n++] = 0x08; f[n++] = 0x00;                  /* ptype IPv4 */
    f[n++] = 6; f[n++] = 4;                        /* hlen, plen */
    f[n++] = 0x00; f[n++] = 0x01;                  /* request */
    memcpy(f + n, test_mac, 6); n += 6;            /* SHA */
    memcpy(f + n, spa, 4); n += 4;                 /* SPA */
    memset(f + n, 0, 6); n += 6;                   /* THA */
    memcpy(f + n, tpa, 4); n += 4;                 /* TPA */
    return n;                                      /* 42 */
}

static const uint8_t gw_ip[4] = { 10, 0, 2, 2 };

static void send_frame(NcQtest *qt, unsigned slot, uint32_t buf,
                       const uint8_t *f, size_t n)
{
    write_bytes(qt, buf, f, n);
    set_desc(qt, TX_RING, slot, buf, DESC_OWN | (uint32_t)n);
    nc_writel(qt, NIC(TX_KICK), 1);
}

static void expect_arp_reply(const uint8_t *r, size_t len)
{
    static const uint8_t et[2] = { 0x08, 0x06 }, op_reply[2] = { 0, 2 };
    static const uint8_t my_ip[4] = { 10, 0, 2, 15 };
    cr_assert_geq(len, 42u, "ARP reply of %zu bytes", len);
    cr_assert(memcmp(r, test_mac, 6) == 0, "reply not addressed to our MAC");
    cr_assert(memcmp(r + 12, et, 2) == 0, "ethertype %02x%02x, expected 0806",
              r[12], r[13]);
    cr_assert(memcmp(r + 20, op_reply, 2) == 0, "ARP op %u, expected 2 "
              "(reply)", r[21]);
    cr_assert(memcmp(r + 28, gw_ip, 4) == 0, "SPA is not 10.0.2.2");
    cr_assert(memcmp(r + 32, test_mac, 6) == 0, "THA is not our MAC");
    cr_assert(memcmp(r + 38, my_ip, 4) == 0, "TPA is not 10.0.2.15");
    cr_assert(memcmp(r + 22, r + 6, 6) == 0, "SHA differs from the frame's "
              "source MAC");
}

Test(device_nic, identity_mac_and_link)
{
    NcQtest *qt = start_nic();
    cr_assert_eq(nc_readl(qt, NIC(ID)), 0x4e494301u, "NIC ID");
    uint32_t lo = nc_readl(qt, NIC(MAC_LO)), hi = nc_readl(qt, NIC(MAC_HI));
    cr_assert_eq(lo, 0xab005452u, "MAC_LO 0x%08" PRIx32 " for mac="
                 "52:54:00:ab:cd:ef", lo);
    cr_assert_eq(hi, 0xefcdu, "MAC_HI 0x%08" PRIx32, hi);
    cr_assert(nc_readl(qt, NIC(STATUS)) & ST_LINK, "link down at start");
    cr_assert_eq(nc_qtest_irq_level(qt, NIC_IRQ), 0);
}

Test(device_nic, arp_request_gets_slirp_reply)
{
    NcQtest *qt = start_nic();
    setup_rings(qt);
    uint8_t f[64], r[1536];
    size_t n = arp_request(f, gw_ip);

    fill(qt, RX_BUF, RX_BUF_STRIDE, GUARD);
    send_frame(qt, 0, TX_BUF, f, n);

    nc_qtest_poll_l(qt, TX_RING + 4u, DESC_OWN, 0, POLL_MS, "TX desc 0 done");
    uint32_t c = desc_ctrl(qt, TX_RING, 0);
    cr_assert_eq(DESC_ERR(c), 0u, "TX descriptor ERR %u", DESC_ERR(c));
    cr_assert_eq(nc_readl(qt, NIC(TX_HEAD)), 1u);

    nc_qtest_poll_l(qt, RX_RING + 4u, DESC_OWN, 0, POLL_MS, "RX desc 0 filled");
    c = desc_ctrl(qt, RX_RING, 0);
    cr_assert_eq(DESC_ERR(c), 0u, "RX descriptor ERR %u", DESC_ERR(c));
    size_t len = DESC_LEN(c);
    read_bytes(qt, RX_BUF, r, len);
    expect_arp_reply(r, len);
    /* Nothing past the frame was written. */
    expect_filled(qt, RX_BUF + (uint32_t)len, 64, GUARD, "after RX frame");
    cr_assert_eq(nc_readl(qt, NIC(RX_HEAD)), 1u);

    uint32_t is = nc_readl(qt, NIC(INT_STATUS));
    cr_assert((is & (INT_RX | INT_TX_DONE)) == (INT_RX | INT_TX_DONE),
              "INT_STATUS 0x%08" PRIx32 ", expected RX and TX_DONE", is);
    cr_assert_eq(nc_qtest_irq_level(qt, NIC_IRQ), 1, "IRQ 5 not raised");
    nc_writel(qt, NIC(INT_STATUS), is);
    cr_assert_eq(nc_readl(qt, NIC(INT_STATUS)), 0u, "INT_STATUS is W1C");
    cr_assert_eq(nc_qtest_irq_level(qt, NIC_IRQ), 0, "IRQ 5 still high");

    /* Counters, registers and QOM agree. */
    cr_assert_eq(nc_readl(qt, NIC(STAT_TX_FRAMES)), 1u);
    cr_assert_eq(nc_readl(qt, NIC(STAT_TX_BYTES)), (uint32_t)n);
    cr_assert_eq(nc_readl(qt, NIC(STAT_RX_FRAMES)), 1u);
    cr_assert_eq(nc_readl(qt, NIC(STAT_RX_BYTES)), (uint32_t)len);
    char *v = nc_qmp(qt->qmp, "{'execute': 'qom-get', 'arguments': "
                     "{'path': '/machine/soc/nic', 'property': "
                     "'stat-rx-frames'}}");
    cr_assert_str_eq(v, "1", "qom stat-rx-frames %s", v);
    v = nc_qmp(qt->qmp, "{'execute': 'qom-get', 'arguments': "
               "{'path': '/machine/soc/nic', 'property': 'stat-tx-bytes'}}");
    cr_assert_str_eq(v, nc_strf("%zu", n), "qom stat-tx-bytes %s", v);

    /* STATS_CLEAR */
    nc_writel(qt, NIC(CTRL), CTRL_TXEN | CTRL_RXEN | 0x80000000u);
    cr_assert_eq(nc_readl(qt, NIC(STAT_TX_FRAMES)), 0u);
    cr_assert_eq(nc_readl(qt, NIC(STAT_RX_BYTES)), 0u);
    expect_running(qt);
}

Test(device_nic, rx_waits_for_descriptors)
{
    NcQtest *qt = start_nic();
    setup_rings(qt);
    uint8_t f[64], r[1536];
    size_t n = arp_request(f, gw_ip);

    /* No RX descriptor owned by the device: the reply must wait. */
    for (unsigned i = 0; i < RING_LEN; i++) {
        set_desc(qt, RX_RING, i, RX_BUF + i * RX_BUF_STRIDE, 1536u);
    }
    send_frame(qt, 0, TX_BUF, f, n);
    nc_qtest_poll_l(qt, TX_RING + 4u, DESC_OWN, 0, POLL_MS, "TX desc 0 done");
    settle(qt);
    cr_assert_eq(nc_readl(qt, NIC(STAT_RX_FRAMES)), 0u);
    cr_assert(nc_readl(qt, NIC(STATUS)) & (1u << 5), "STATUS.RX_STALLED "
              "not set");

    set_desc(qt, RX_RING, 0, RX_BUF, DESC_OWN | 1536u);
    nc_writel(qt, NIC(RX_KICK), 1);
    nc_qtest_poll_l(qt, RX_RING + 4u, DESC_OWN, 0, POLL_MS, "RX after kick");
    uint32_t c = desc_ctrl(qt, RX_RING, 0);
    read_bytes(qt, RX_BUF, r, DESC_LEN(c));
    expect_arp_reply(r, DESC_LEN(c));
    cr_assert_eq(nc_readl(qt, NIC(STAT_RX_FRAMES)), 1u);
}

Test(device_nic, tx_descriptor_errors_touch_nothing_else)
{
    NcQtest *qt = start_nic();
    setup_rings(qt);
    /* Guards around the TX ring and a buffer. */
    fill(qt, TX_RING - 64u, 64, GUARD);
    fill(qt, TX_RING + 8u * RING_LEN, 64, GUARD);
    fill(qt, TX_BUF, 0x100, 0x11);

    set_desc(qt, TX_RING, 0, TX_BUF, DESC_OWN | 0u);           /* too short */
    set_desc(qt, TX_RING, 1, TX_BUF, DESC_OWN | 2000u);        /* too long */
    set_desc(qt, TX_RING, 2, RAM_BASE + RAM_SIZE - 20u,        /* crosses */
             DESC_OWN | 60u);                                  /* RAM end */
    set_desc(qt, TX_RING, 3, 0x10000000u, DESC_OWN | 60u);     /* NVM */
    nc_writel(qt, NIC(TX_KICK), 1);

    static const uint32_t expect_err[4] = {
        ERR_LENGTH, ERR_LENGTH, ERR_ADDRESS, ERR_ADDRESS
    };
    for (unsigned i = 0; i < RING_LEN; i++) {
        uint32_t c = desc_ctrl(qt, TX_RING, i);
        cr_assert_eq(c & DESC_OWN, 0u, "TX desc %u still owned", i);
        cr_assert_eq(DESC_ERR(c), expect_err[i], "TX desc %u: ERR %u, "
                     "expected %u", i, DESC_ERR(c), expect_err[i]);
    }
    cr_assert_eq(nc_readl(qt, NIC(STAT_TX_ERRORS)), 4u);
    cr_assert_eq(nc_readl(qt, NIC(STAT_TX_FRAMES)), 0u);
    cr_assert(nc_readl(qt, NIC(INT_STATUS)) & INT_ERROR, "no ERROR interrupt");
    cr_assert_eq(nc_qtest_irq_level(qt, NIC_IRQ), 1);
    expect_filled(qt, TX_RING - 64u, 64, GUARD, "before TX ring");
    expect_filled(qt, TX_RING + 8u * RING_LEN, 64, GUARD, "after TX ring");
    expect_filled(qt, TX_BUF, 0x100, 0x11, "TX buffer");
    expect_running(qt);
}

Test(device_nic, bad_rings_are_refused)
{
    NcQtest *qt = start_nic();
    fill(qt, RAM_BASE + RAM_SIZE - 64u, 64, GUARD);
    nc_writel(qt, NIC(INT_ENABLE), INT_ERROR);
    static const struct { uint32_t base, size; const char *what; } bad[] = {
        { RAM_BASE + RAM_SIZE - 16u, 4, "ring crossing the end of RAM" },
        { 0x10000000u, 4, "ring in NVM" },
        { RAM_BASE + 2u, 4, "misaligned ring" },
        { RAM_BASE, 0, "empty ring" },
        { RAM_BASE, 257, "ring larger than 256" },
        { 0xFFFFFFF8u, 4, "ring wrapping the address space" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        nc_writel(qt, NIC(CTRL), 0);
        nc_writel(qt, NIC(INT_STATUS), 0xf);
        nc_writel(qt, NIC(TX_RING_BASE), bad[i].base);
        nc_writel(qt, NIC(TX_RING_SIZE), bad[i].size);
        nc_writel(qt, NIC(CTRL), CTRL_TXEN);
        cr_assert_eq(nc_readl(qt, NIC(CTRL)) & CTRL_TXEN, 0u, "%s: TXEN "
                     "accepted", bad[i].what);
        cr_assert(nc_readl(qt, NIC(STATUS)) & ST_TX_RING_ERR, "%s: no "
                  "TX_RING_ERR", bad[i].what);
        cr_assert(nc_readl(qt, NIC(INT_STATUS)) & INT_ERROR, "%s: no ERROR "
                  "interrupt", bad[i].what);
        nc_writel(qt, NIC(TX_KICK), 1);
    }
    expect_filled(qt, RAM_BASE + RAM_SIZE - 64u, 64, GUARD, "end of RAM");
    expect_running(qt);
}

Test(device_nic, rx_errors_keep_buffers_intact)
{
    NcQtest *qt = start_nic();
    setup_rings(qt);
    uint8_t f[64];
    size_t n = arp_request(f, gw_ip);

    nc_writel(qt, NIC(CTRL), CTRL_TXEN);       /* stop RX to change it */
    fill(qt, RX_BUF, 0x100, GUARD);
    set_desc(qt, RX_RING, 0, RX_BUF, DESC_OWN | 20u);                /* small */
    set_desc(qt, RX_RING, 1, RAM_BASE + RAM_SIZE - 16u, DESC_OWN | 1536u);
    set_desc(qt, RX_RING, 2, RX_BUF + RX_BUF_STRIDE, DESC_OWN | 1536u);
    nc_writel(qt, NIC(CTRL), CTRL_TXEN | CTRL_RXEN);

    send_frame(qt, 0, TX_BUF, f, n);
    nc_qtest_poll_l(qt, RX_RING + 4u, DESC_OWN, 0, POLL_MS, "RX desc 0");
    cr_assert_eq(DESC_ERR(desc_ctrl(qt, RX_RING, 0)), ERR_TOO_SMALL);
    expect_filled(qt, RX_BUF, 0x100, GUARD, "too-small RX buffer");

    send_frame(qt, 1, TX_BUF + 0x100u, f, n);
    nc_qtest_poll_l(qt, RX_RING + 12u, DESC_OWN, 0, POLL_MS, "RX desc 1");
    cr_assert_eq(DESC_ERR(desc_ctrl(qt, RX_RING, 1)), ERR_ADDRESS);
    cr_assert_eq(nc_readl(qt, NIC(STAT_RX_ERRORS)), 2u);
    cr_assert(nc_readl(qt, NIC(INT_STATUS)) & INT_ERROR);

    /* The next good descriptor still works. */
    send_frame(qt, 2, TX_BUF + 0x200u, f, n);
    nc_qtest_poll_l(qt, RX_RING + 20u, DESC_OWN, 0, POLL_MS, "RX desc 2");
    cr_assert_eq(DESC_ERR(desc_ctrl(qt, RX_RING, 2)), 0u);
    cr_assert_eq(nc_readl(qt, NIC(STAT_RX_FRAMES)), 1u);
    expect_running(qt);
}

Test(device_nic, link_follows_set_link)
{
    NcQtest *qt = start_nic();
    setup_rings(qt);
    nc_writel(qt, NIC(INT_STATUS), 0xf);
    cr_assert_eq(nc_qtest_irq_level(qt, NIC_IRQ), 0);

    /* QEMU names the NIC's net client after its model: netcard-nic.0 */
    const char *netdev = "netcard-nic.0";
    char *err = NULL;
    char *r = nc_qmp_exec(qt->qmp, nc_strf("{\"execute\": \"set_link\", "
                          "\"arguments\": {\"name\": \"%s\", \"up\": false}}",
                          netdev), &err);
    cr_assert(r, "set_link %s failed: %s", netdev, err);
    cr_assert_eq(nc_readl(qt, NIC(STATUS)) & ST_LINK, 0u, "link still up");
    cr_assert(nc_readl(qt, NIC(INT_STATUS)) & INT_LINK, "no LINK interrupt");
    cr_assert_eq(nc_qtest_irq_level(qt, NIC_IRQ), 1);
    nc_writel(qt, NIC(INT_STATUS), INT_LINK);

    /* While down, a frame is not sent. */
    uint8_t f[64];
    size_t n = arp_request(f, gw_ip);
    send_frame(qt, 0, TX_BUF, f, n);
    cr_assert_eq(DESC_ERR(desc_ctrl(qt, TX_RING, 0)), 4u, "TX while link "
                 "down: ERR %u", DESC_ERR(desc_ctrl(qt, TX_RING, 0)));

    nc_qmp_exec(qt->qmp, nc_strf("{\"execute\": \"set_link\", \"arguments\": "
                "{\"name\": \"%s\", \"up\": true}}", netdev), NULL);
    cr_assert(nc_readl(qt, NIC(STATUS)) & ST_LINK, "link not up again");
    cr_assert(nc_readl(qt, NIC(INT_STATUS)) & INT_LINK, "no LINK interrupt");
    cr_assert_eq(nc_readl(qt, NIC(STAT_LINK_CHANGES)), 2u);

    /* And traffic flows again. */
    send_frame(qt, 1, TX_BUF + 0x100u, f, n);
    nc_qtest_poll_l(qt, RX_RING + 4u, DESC_OWN, 0, POLL_MS, "RX after link up");
    cr_assert_eq(DESC_ERR(desc_ctrl(qt, RX_RING, 0)), 0u);
    expect_running(qt);
}

/* Wait until query-migrate reports STATUS (bounded). */
static void wait_migration(NcQtest *qt, const char *status)
{
    int64_t deadline = nc_now_ms() + NC_TIMEOUT_CMD_MS;
    char *r = NULL;
    while (nc_now_ms() < deadline) {
        r = nc_qmp(qt->qmp, "{'execute': 'query-migrate'}");
        char *st = nc_json_get_str(r, "status");
        if (st && strcmp(st, status) == 0) {
            return;
        }
        cr_assert(!st || strcmp(st, "failed") != 0, "migration failed: %s", r);
        nc_nap_ms(20);
    }
    cr_assert_fail("migration not %s: %s", status, r ? r : "");
}

Test(device_nic, state_survives_migration)
{
    NcQtest *qt = start_nic();
    setup_rings(qt);
    uint8_t f[64];
    size_t n = arp_request(f, gw_ip);
    send_frame(qt, 0, TX_BUF, f, n);
    nc_qtest_poll_l(qt, RX_RING + 4u, DESC_OWN, 0, POLL_MS, "RX desc 0");
    nc_writel(qt, NIC(MAC_LO), 0x11223344u);

    static const uint32_t regs[] = {
        A_NIC_CTRL, A_NIC_STATUS, A_NIC_INT_STATUS, A_NIC_INT_ENABLE,
        A_NIC_MAC_LO, A_NIC_MAC_HI, A_NIC_TX_RING_BASE, A_NIC_TX_RING_SIZE,
        A_NIC_TX_HEAD, A_NIC_RX_RING_BASE, A_NIC_RX_RING_SIZE, A_NIC_RX_HEAD,
        A_NIC_STAT_TX_FRAMES, A_NIC_STAT_TX_BYTES, A_NIC_STAT_RX_FRAMES,
        A_NIC_STAT_RX_BYTES,
    };
    uint32_t before[sizeof(regs) / sizeof(regs[0])];
    for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
        before[i] = nc_readl(qt, NIC_BASE + regs[i]);
    }
    cr_assert_eq(before[12], 1u, "no frame was sent before migrating");

    const char *file = nc_tmp_path("nic.mig");
    nc_qmp(qt->qmp, "{'execute': 'stop'}");
    nc_qmp_exec(qt->qmp, nc_strf("{\"execute\": \"migrate\", \"arguments\": "
                "{\"uri\": \"exec:cat > %s\"}}", file), NULL);
    wait_migration(qt, "completed");
    nc_qtest_quit(qt);

    static const char *const opts[] = {
        "--net", "user", "--mac", "52:54:00:ab:cd:ef", NULL
    };
    const char *args[] = { "-incoming", nc_strf("exec:cat %s", file), NULL };
    NcQtest *q2 = nc_qtest_start_with(opts, args);
    int64_t deadline = nc_now_ms() + NC_TIMEOUT_CMD_MS;
    for (;;) {
        char *st = nc_json_get_str(nc_qmp(q2->qmp,
                                   "{'execute': 'query-status'}"), "status");
        if (st && strcmp(st, "inmigrate") != 0) {
            break;
        }
        cr_assert(nc_now_ms() < deadline, "incoming migration never ended");
        nc_nap_ms(20);
    }
    for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
        uint32_t v = nc_readl(q2, NIC_BASE + regs[i]);
        cr_assert_eq(v, before[i], "register 0x%03x: 0x%08" PRIx32 " after "
                     "migration, 0x%08" PRIx32 " before", regs[i], v,
                     before[i]);
    }
}
