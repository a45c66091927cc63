/*
 * Gateway reachability check with ICMP echo. See ping.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "net/ping.h"

#include <string.h>

#include "kernel/event_loop.h"
#include "lwip/def.h"
#include "lwip/inet_chksum.h"
#include "lwip/ip4_addr.h"
#include "lwip/pbuf.h"
#include "lwip/prot/icmp.h"
#include "lwip/prot/ip4.h"
#include "lwip/raw.h"
#include "lwip/sys.h"

#define LOG_MODULE "net"
#include "kernel/log.h"

#define PING_ID        0x4e43u   /* "NC" */
#define PING_DATA_LEN  32u

static struct raw_pcb *ping_pcb;
static struct soft_timer ping_timer;
static ip_addr_t ping_target;
static uint16_t ping_seq;
static unsigned ping_sent;
static uint32_t ping_sent_at;
static bool ping_active;
static uint32_t replies;

static uint8_t ping_recv(void *arg, struct raw_pcb *pcb, struct pbuf *p,
                         const ip_addr_t *addr)
{
    struct icmp_echo_hdr echo;
    uint16_t hlen;
    char a[16];

    (void)arg;
    (void)pcb;
    if (p->len < IP_HLEN) {
        return 0;
    }
    hlen = (uint16_t)(IPH_HL((const struct ip_hdr *)p->payload) * 4u);
    if (pbuf_copy_partial(p, &echo, sizeof(echo), hlen) != sizeof(echo) ||
        ICMPH_TYPE(&echo) != ICMP_ER || echo.id != lwip_htons(PING_ID)) {
        return 0;   /* not ours: let lwIP's ICMP code see it */
    }
    if (ping_active && ip_addr_cmp(addr, &ping_target) &&
        lwip_ntohs(echo.seqno) == ping_seq) {
        ping_active = false;
        soft_timer_stop(&ping_timer);
        replies++;
        LOG_I("gateway %s answers ping (seq %u, %u ms)",
              ip4addr_ntoa_r(ip_2_ip4(addr), a, sizeof(a)),
              (unsigned)ping_seq, (unsigned)(sys_now() - ping_sent_at));
    }
    pbuf_free(p);
    return 1;
}

static void ping_send(void *arg)
{
    struct pbuf *p;
    struct icmp_echo_hdr *echo;
    char a[16];

    (void)arg;
    if (!ping_active) {
        return;
    }
    if (ping_sent >= PING_TRIES) {
        ping_active = false;
        soft_timer_stop(&ping_timer);
        LOG_W("gateway %s does not answer ping",
              ip4addr_ntoa_r(ip_2_ip4(&ping_target), a, sizeof(a)));
        return;
    }
    p = pbuf_alloc(PBUF_IP, sizeof(*echo) + PING_DATA_LEN, PBUF_RAM);
    if (!p) {
        return;     /* try again at the next interval */
    }
    echo = p->payload;
    ping_seq++;
    ICMPH_TYPE_SET(echo, ICMP_ECHO);
    ICMPH_CODE_SET(echo, 0);
    echo->id = lwip_htons(PING_ID);
    echo->seqno = lwip_htons(ping_seq);
    echo->chksum = 0;
    for (unsigned i = 0; i < PING_DATA_LEN; i++) {
        ((uint8_t *)(echo + 1))[i] = (uint8_t)('a' + i % 26u);
    }
    echo->chksum = inet_chksum(echo, (u16_t)(sizeof(*echo) + PING_DATA_LEN));
    ping_sent_at = sys_now();
    ping_sent++;
    (void)raw_sendto(ping_pcb, p, &ping_target);
    pbuf_free(p);
}

bool ping_init(void)
{
    ping_pcb = raw_new(IP_PROTO_ICMP);
    if (!ping_pcb) {
        return false;
    }
    raw_recv(ping_pcb, ping_recv, NULL);
    raw_bind(ping_pcb, IP_ADDR_ANY);
    return true;
}

void ping_gateway_start(uint32_t gw)
{
    if (!ping_pcb || gw == 0) {
        return;
    }
    ip_addr_set_ip4_u32(&ping_target, gw);
    ping_active = true;
    ping_sent = 0;
    ping_send(NULL);
    soft_timer_start(&ping_timer, PING_INTERVAL_MS, PING_INTERVAL_MS,
                     ping_send, NULL);
}

uint32_t ping_replies(void)
{
    return replies;
}
