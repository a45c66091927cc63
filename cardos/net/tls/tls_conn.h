/*
 * A TLS connection over one lwIP raw-API TCP connection, for either role
 * (net/tls/tls.h): the mbedTLS context and its BIO to lwIP.
 *
 * Received pbufs are queued (tls_conn_input) and handed to mbedTLS by
 * its receive callback; TCP's window opens as mbedTLS consumes them.
 * Records go out through tcp_write (copied) as far as the send buffer
 * allows (MBEDTLS_ERR_SSL_WANT_WRITE otherwise: call again from lwIP's
 * sent callback). The owner keeps the lwIP callbacks (recv, sent, err,
 * poll) and drives mbedtls_ssl_handshake/read/write on tls_conn.ssl.
 *
 * Logs (module "tls"): "W tls: handshake failed (-0x....)" (mbedTLS
 * error code: -0x6c80 unknown PSK identity, -0x7180 bad Finished, i.e. a
 * wrong key).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_NET_TLS_TLS_CONN_H
#define CARDOS_NET_TLS_TLS_CONN_H

#include <stdbool.h>
#include <stddef.h>

#include "lwip/tcp.h"
#include "mbedtls/ssl.h"

struct tls_conn {
    mbedtls_ssl_context ssl;
    struct tcp_pcb *pcb;      /* NULL once lwIP freed it or it was let go */
    struct pbuf *rx;          /* received, not yet read by mbedTLS */
    size_t rx_off;            /* bytes of rx (first pbuf) already read */
    bool peer_closed;         /* FIN received */
};

/*
 * Set up C on PCB with CONF (tls_config()). False (and C released) if
 * mbedTLS has no memory for a session.
 */
bool tls_conn_setup(struct tls_conn *c, const mbedtls_ssl_config *conf,
                    struct tcp_pcb *pcb);

/* From lwIP's recv callback: queue P (NULL: the peer closed). */
void tls_conn_input(struct tls_conn *c, struct pbuf *p);

/*
 * Advance the handshake: 0 done, 1 in progress (waiting for the peer or
 * for send room), < 0 failed (logged; the caller closes).
 */
int tls_conn_handshake(struct tls_conn *c);

/*
 * Free the mbedTLS context and the queued input; PCB is forgotten (the
 * caller closes or aborts it, or lwIP already freed it).
 */
void tls_conn_release(struct tls_conn *c);

#endif /* CARDOS_NET_TLS_TLS_CONN_H */
