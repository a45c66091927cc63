/*
 * http_pcb: TCP connections the web servers hold without a slot (plain
 * HTTP, http_server.c) or a session (HTTPS, https_server.c): a new
 * connection before its first bytes, one refused, lingering or closing.
 *
 * Such a PCB has no argument, no sent or error callback, and runs at
 * TCP_PRIO_MIN, so lwIP's tcp_alloc() may reset the longest inactive of
 * them when a new connection finds the PCB pool empty (docs/network.md
 * "Limits": idle connections never keep a real client out).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_NET_HTTP_HTTP_PCB_H
#define CARDOS_NET_HTTP_HTTP_PCB_H

#include "lwip/tcp.h"

/* PCB goes on without a slot: RECV and POLL (after TICKS of lwIP's 500 ms
 * timer, counted from now for a PCB with nothing unacknowledged) are its
 * only callbacks. */
void http_pcb_detach(struct tcp_pcb *pcb, tcp_recv_fn recv,
                     tcp_poll_fn poll, u8_t ticks);

/* Close a PCB that has no slot (detached first); a close lwIP refuses
 * becomes an abort (RST). Returns ERR_ABRT after an abort, so a lwIP
 * callback that called it returns that, else ERR_OK. */
err_t http_pcb_close_detached(struct tcp_pcb *pcb);

#endif
