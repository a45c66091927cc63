/*
 * http_pcb: TCP connections without a slot. Contract: http_pcb.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "net/http/http_pcb.h"

void http_pcb_detach(struct tcp_pcb *pcb, tcp_recv_fn recv,
                     tcp_poll_fn poll, u8_t ticks)
{
    tcp_arg(pcb, NULL);
    tcp_recv(pcb, recv);
    tcp_sent(pcb, NULL);
    tcp_err(pcb, NULL);
    tcp_poll(pcb, poll, ticks);
    tcp_setprio(pcb, TCP_PRIO_MIN);
}

err_t http_pcb_close_detached(struct tcp_pcb *pcb)
{
    http_pcb_detach(pcb, NULL, NULL, 0);
    if (tcp_close(pcb) != ERR_OK) {
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    return ERR_OK;
}
