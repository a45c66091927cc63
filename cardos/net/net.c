/*
 * Card network stack: lwIP bring-up, DHCP with static fallback, timers
 * and the NIC event. See net.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "net/net.h"

#include <string.h>

#include "drivers/nic.h"
#include "kernel/event_loop.h"
#include "lwip/dhcp.h"
#include "lwip/init.h"
#include "lwip/ip4_addr.h"
#include "lwip/memp.h"
#include "lwip/priv/memp_priv.h"
#include "lwip/dns.h"
#include "lwip/netif.h"
#include "lwip/sys.h"
#include "lwip/timeouts.h"
#include "net/port/netif_nic.h"
#include "net/ping.h"

#define LOG_MODULE "net"
#include "kernel/log.h"

/* Frames fed to lwIP per event before yielding to other work. */
#define NET_RX_BUDGET 8u

void lwip_port_rand_seed(uint32_t seed);

static struct netif card_netif;
/*
 * lwIP's timeouts (TCP 250 ms while connections are open, ARP, IP
 * reassembly, DNS 1 s, DHCP 500 ms / 60 s) run from one one-shot soft
 * timer kept on lwIP's next deadline (sys_timeouts_sleeptime()) by a
 * pass hook: any lwIP call in any handler may add a timeout, and the
 * hook sees it before the loop sleeps. No polling between deadlines.
 */
static struct soft_timer lwip_timer;
static struct event_loop_hook lwip_hook;
static uint32_t lwip_timer_due;     /* sys_now() lwip_timer is armed for */
static struct soft_timer dhcp_fallback_timer;
static volatile uint32_t nic_event_posted;
static bool using_dhcp;
static uint32_t logged_ip;

const char *net_ntoa(uint32_t addr, char *buf)
{
    const uint8_t *b = (const uint8_t *)&addr;

    log_snprintf(buf, 16, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
    return buf;
}

static unsigned prefix_len(uint32_t mask_net)
{
    uint32_t m = lwip_ntohl(mask_net);
    unsigned n = 0;

    while (m & 0x80000000u) {
        n++;
        m <<= 1;
    }
    return n;
}

static void net_nic_event(void *arg);

/* From the NIC interrupt: post one event at a time. */
static void net_nic_notify(void)
{
    if (!nic_event_posted) {
        nic_event_posted = 1;
        if (!event_post(net_nic_event, NULL)) {
            nic_event_posted = 0;   /* net_timer() picks it up */
        }
    }
}

static void net_nic_event(void *arg)
{
    (void)arg;
    nic_event_posted = 0;
    if (netif_nic_poll(&card_netif, NET_RX_BUDGET)) {
        net_nic_notify();
    }
}

static void net_timer(void *arg)
{
    (void)arg;
    /* Catch up with frames whose event could not be posted. */
    if (!nic_event_posted) {
        (void)netif_nic_poll(&card_netif, NET_RX_BUDGET);
    }
    sys_check_timeouts();
}

/*
 * Pass hook: keep lwip_timer on lwIP's next deadline. sys_now() is the
 * pass's time (net/sys_arch.c), so due is exactly lwIP's next expiry and
 * costs no clock read while it stays put; a restart counts the delay from
 * the real now, i.e. at most the length of this pass late.
 */
static void net_schedule(void *arg)
{
    u32_t sleep = sys_timeouts_sleeptime();
    uint32_t due;

    (void)arg;
    if (sleep == SYS_TIMEOUTS_SLEEPTIME_INFINITE) {
        soft_timer_stop(&lwip_timer);
        return;
    }
    due = sys_now() + sleep;
    if (soft_timer_active(&lwip_timer) && due == lwip_timer_due) {
        return;
    }
    lwip_timer_due = due;
    soft_timer_start(&lwip_timer, sleep, 0, net_timer, NULL);
}

static void net_status_changed(struct netif *netif)
{
    const ip4_addr_t *ip = netif_ip4_addr(netif);
    char a[16], g[16];

    if (ip4_addr_isany(ip) || ip4_addr_get_u32(ip) == logged_ip) {
        return;
    }
    logged_ip = ip4_addr_get_u32(ip);
    if (using_dhcp && dhcp_supplied_address(netif)) {
        soft_timer_stop(&dhcp_fallback_timer);
        LOG_I("dhcp %s/%u gw %s", net_ntoa(logged_ip, a),
              prefix_len(ip4_addr_get_u32(netif_ip4_netmask(netif))),
              net_ntoa(ip4_addr_get_u32(netif_ip4_gw(netif)), g));
    }
    ping_gateway_start(ip4_addr_get_u32(netif_ip4_gw(netif)));
}

/* The NIC's link came back (net/port/netif_nic.c): is the gateway there? */
static void net_link_changed(struct netif *netif)
{
    if (netif_is_link_up(netif)) {
        ping_gateway_start(ip4_addr_get_u32(netif_ip4_gw(netif)));
    }
}

static void net_dhcp_fallback(void *arg)
{
    ip4_addr_t ip, mask, gw;
    char a[16], g[16];

    (void)arg;
    if (dhcp_supplied_address(&card_netif)) {
        return;
    }
    dhcp_release_and_stop(&card_netif);
    using_dhcp = false;
    ip4addr_aton(NET_STATIC_IP, &ip);
    ip4addr_aton(NET_STATIC_MASK, &mask);
    ip4addr_aton(NET_STATIC_GW, &gw);
    netif_set_addr(&card_netif, &ip, &mask, &gw);
    LOG_W("no DHCP answer in %u s; static %s/%u gw %s",
          (unsigned)(NET_DHCP_FALLBACK_MS / 1000u),
          net_ntoa(ip4_addr_get_u32(&ip), a),
          prefix_len(ip4_addr_get_u32(&mask)),
          net_ntoa(ip4_addr_get_u32(&gw), g));
}

bool net_init(void)
{
    uint8_t mac[6];

    if (!nic_init(net_nic_notify)) {
        LOG_E("no NIC");
        return false;
    }
    nic_mac(mac);
    lwip_port_rand_seed(((uint32_t)mac[2] << 24 | (uint32_t)mac[3] << 16 |
                         (uint32_t)mac[4] << 8 | mac[5]) ^ sys_now());
    lwip_init();
    (void)ping_init();
    netif_add(&card_netif, IP4_ADDR_ANY4, IP4_ADDR_ANY4, IP4_ADDR_ANY4,
              NULL, netif_nic_init, netif_input);
    netif_set_hostname(&card_netif, "netcard");
    netif_set_default(&card_netif);
    netif_set_status_callback(&card_netif, net_status_changed);
    netif_set_up(&card_netif);
    if (nic_link_up()) {
        LOG_I("link up");
        netif_set_link_up(&card_netif);
    } else {
        LOG_I("link down");
    }
    /* After the boot's link state: only changes ping the gateway. */
    netif_set_link_callback(&card_netif, net_link_changed);
    using_dhcp = true;
    dhcp_start(&card_netif);
    soft_timer_start(&dhcp_fallback_timer, NET_DHCP_FALLBACK_MS, 0,
                     net_dhcp_fallback, NULL);
    event_loop_add_pass_hook(&lwip_hook, net_schedule, NULL);
    return true;
}

void net_get_info(struct net_info *info)
{
    memset(info, 0, sizeof(*info));
    info->link = netif_is_link_up(&card_netif);
    info->ip = ip4_addr_get_u32(netif_ip4_addr(&card_netif));
    info->mask = ip4_addr_get_u32(netif_ip4_netmask(&card_netif));
    info->gw = ip4_addr_get_u32(netif_ip4_gw(&card_netif));
    info->configured = info->ip != 0;
    info->dhcp = using_dhcp && dhcp_supplied_address(&card_netif);
    info->dns = ip4_addr_get_u32(ip_2_ip4(dns_getserver(0)));
    info->prefix = prefix_len(info->mask);
    memcpy(info->mac, card_netif.hwaddr, sizeof(info->mac));
}

const char *net_stack_name(void)
{
    return "lwIP " LWIP_VERSION_STRING;
}

/* lwIP's statically allocated memory (mem.c heap, memp pools). */
size_t net_ram_bytes(void)
{
    size_t pools = 0;

    for (unsigned i = 0; i < MEMP_MAX; i++) {
        pools += (size_t)memp_pools[i]->num * memp_pools[i]->size;
    }
    return MEM_SIZE + pools + nic_ram_bytes();
}
