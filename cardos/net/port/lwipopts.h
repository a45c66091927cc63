/*
 * lwIP 2.2 configuration for the card (overrides lwIP's src/include/lwip/
 * opt.h; every option not set here keeps lwIP's default).
 *
 * Model: NO_SYS = 1, no RTOS. lwIP is entered only from the event loop
 * (the NIC interrupt posts an event that feeds received frames to the
 * netif), so no lightweight protection is needed. Memory comes from fixed
 * static pools: the MEM_SIZE heap array and the MEMP pools, never from
 * malloc. The platform provides sys_now() (OS clock, ms) and
 * lwip_port_rand() (arch/cc.h, sys_arch.c). lwIP finds this file and
 * arch/cc.h on its include path (-I cardos/net/port, cardos/build.mk).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_NET_PORT_LWIPOPTS_H
#define CARDOS_NET_PORT_LWIPOPTS_H

/* ---- System model ---- */
#define NO_SYS                          1
#define LWIP_TIMERS                     1   /* sys_check_timeouts() from the loop */
#define SYS_LIGHTWEIGHT_PROT            0   /* single context: the event loop */
#define LWIP_NETCONN                    0
#define LWIP_SOCKET                     0
#define LWIP_NETIF_API                  0

/* ---- Memory: static pools only ---- */
#define MEM_LIBC_MALLOC                 0
#define MEMP_MEM_MALLOC                 0
#define MEM_USE_POOLS                   0
#define MEM_ALIGNMENT                   4
/* lwIP's own heap (a static array): PBUF_RAM for TX and protocol state. */
#define MEM_SIZE                        (20 * 1024)
#define MEMP_NUM_PBUF                   24  /* PBUF_ROM: static bodies sent in place */
#define MEMP_NUM_RAW_PCB                1   /* gateway ping (net/ping.c) */
#define MEMP_NUM_UDP_PCB                4   /* DHCP, DNS, 2 spare */
/*
 * TCP PCBs: the 6 HTTP slots and 2 HTTPS sessions hold theirs at
 * TCP_PRIO_NORMAL while they serve (a whole request, its response, idle
 * between requests); every other connection (waiting for its first
 * bytes, with an incomplete request or in its TLS handshake, refused,
 * lingering, closing: net/http/http_server.c) is at TCP_PRIO_MIN, and
 * when a new connection finds the pool empty tcp_alloc() takes the oldest
 * TIME_WAIT, then the longest inactive of those (a reset), so idle or
 * trickling connections cannot keep a real client out. Only a burst of
 * more SYNs than PCBs (a SYN_RCVD PCB is at normal priority) still finds
 * none: the peer sends its SYN again. The admin client (issue 15) will
 * need one at normal priority.
 */
#define MEMP_NUM_TCP_PCB                12
#define MEMP_NUM_TCP_PCB_LISTEN         3   /* HTTP 80, SCWS 3516, HTTPS 4116 */
#define MEMP_NUM_TCP_SEG                32
#define MEMP_NUM_ARP_QUEUE              4
/*
 * RX frames: the NIC driver copies each frame into a pool pbuf and lwIP
 * frees it once TCP has queued or copied its data (the web server copies
 * requests into its slots). Measured with lwIP's MEMP_STATS on the card
 * under wrk (4 and 16 connections), four parallel 64 KiB downloads, two
 * HTTPS downloads and six 2 KiB POSTs at once: at most 1 pool pbuf in
 * use (lwIP heap: 15544 of 20480 bytes; TCP segments 11 of 32). What
 * needs more is a deep pipeline (system_network
 * deep_pipeline_is_answered_in_full): the server keeps the requests it
 * has no room for as received pbufs (up to the 2 x MSS window), and the
 * ACKs of its own responses must still find a pbuf, or sending stalls
 * until the peer retransmits; with 4 it stalled, with 6 it passes.
 */
#define PBUF_POOL_SIZE                  6

/* ---- Link and network layers ---- */
#define LWIP_SINGLE_NETIF               1   /* one NIC */
#define LWIP_ETHERNET                   1
#define LWIP_ARP                        1
#define ARP_TABLE_SIZE                  8
#define ARP_QUEUEING                    1
#define LWIP_IPV4                       1
#define LWIP_IPV6                       0
#define IP_FORWARD                      0
#define IP_REASSEMBLY                   1
#define IP_FRAG                         1
#define LWIP_ICMP                       1
#define LWIP_RAW                        1   /* ICMP echo requests from the card */
#define LWIP_IGMP                       0
#define LWIP_AUTOIP                     0
#define LWIP_HAVE_LOOPIF                0
#define LWIP_NETIF_LOOPBACK             0
#define LWIP_NETIF_HOSTNAME             1
#define LWIP_NETIF_STATUS_CALLBACK      1
#define LWIP_NETIF_LINK_CALLBACK        1

/* ---- DHCP and DNS (libslirp serves both) ---- */
#define LWIP_DHCP                       1
#define LWIP_DHCP_DOES_ACD_CHECK        0   /* slirp's network has no conflicts */
#define LWIP_DNS                        1
#define DNS_MAX_SERVERS                 2
#define DNS_TABLE_SIZE                  4

/* ---- Transport ---- */
#define LWIP_UDP                        1
#define LWIP_TCP                        1
#define TCP_MSS                         1460
#define TCP_WND                         (2 * TCP_MSS)  /* requests are small */
#define TCP_SND_BUF                     (4 * TCP_MSS)
#define TCP_SND_QUEUELEN                ((4 * TCP_SND_BUF + TCP_MSS - 1) / TCP_MSS)
#define TCP_LISTEN_BACKLOG              1
#define LWIP_TCP_KEEPALIVE              1
#define LWIP_ALTCP                      0   /* TLS is layered by the card OS */

/* ---- Checksums: the NIC offloads nothing, lwIP does them all ---- */
#define LWIP_CHKSUM_ALGORITHM           3
#define LWIP_CHECKSUM_CTRL_PER_NETIF    0
#define CHECKSUM_GEN_IP                 1
#define CHECKSUM_GEN_UDP                1
#define CHECKSUM_GEN_TCP                1
#define CHECKSUM_GEN_ICMP               1
#define CHECKSUM_CHECK_IP               1
#define CHECKSUM_CHECK_UDP              1
#define CHECKSUM_CHECK_TCP              1
#define CHECKSUM_CHECK_ICMP             1
#define LWIP_CHECKSUM_ON_COPY           1

/* ---- Diagnostics ---- */
#define LWIP_STATS                      0
#define LWIP_STATS_DISPLAY              0
/* LWIP_DEBUG off: LWIP_DEBUGF compiles out; LWIP_ASSERT stays on. */

#endif /* CARDOS_NET_PORT_LWIPOPTS_H */
