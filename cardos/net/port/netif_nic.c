/*
 * lwIP netif driver for the NIC. See netif_nic.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "net/port/netif_nic.h"

#include <string.h>

#include "drivers/nic.h"
#include "lwip/etharp.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"

#define LOG_MODULE "net"
#include "kernel/log.h"

static unsigned rx_drops;

static err_t netif_nic_output(struct netif *netif, struct pbuf *p)
{
    uint8_t *buf;

    (void)netif;
    if (p->tot_len > NIC_FRAME_MAX) {
        return ERR_ARG;
    }
    buf = nic_tx_buffer();
    if (!buf) {
        return ERR_MEM;   /* all descriptors in flight: lwIP retries */
    }
    if (pbuf_copy_partial(p, buf, p->tot_len, 0) != p->tot_len) {
        return ERR_BUF;
    }
    nic_tx_send(p->tot_len);
    return ERR_OK;
}

err_t netif_nic_init(struct netif *netif)
{
    netif->name[0] = 'e';
    netif->name[1] = '0';
    netif->output = etharp_output;
    netif->linkoutput = netif_nic_output;
    netif->mtu = 1500;
    netif->hwaddr_len = ETH_HWADDR_LEN;
    nic_mac(netif->hwaddr);
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP |
                   NETIF_FLAG_ETHERNET;
    return ERR_OK;
}

bool netif_nic_poll(struct netif *netif, unsigned budget)
{
    uint32_t ev = nic_take_events();
    const uint8_t *frame;
    size_t len;

    if (ev & NIC_EV_LINK) {
        bool up = nic_link_up();
        if (up != netif_is_link_up(netif)) {
            LOG_I("link %s", up ? "up" : "down");
            if (up) {
                netif_set_link_up(netif);   /* its link callback follows */
            } else {
                netif_set_link_down(netif);
            }
        }
    }
    while (budget-- > 0) {
        struct pbuf *p;

        frame = nic_rx_frame(&len);
        if (!frame) {
            return false;
        }
        p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
        if (p) {
            pbuf_take(p, frame, (u16_t)len);
        }
        nic_rx_release();
        if (!p) {
            rx_drops++;
            continue;
        }
        if (netif->input(p, netif) != ERR_OK) {
            pbuf_free(p);
        }
    }
    return true;
}

unsigned netif_nic_rx_drops(void)
{
    return rx_drops;
}
