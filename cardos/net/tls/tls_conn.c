/*
 * A TLS connection over lwIP's raw TCP API. See tls_conn.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "mbedtls/ssl.h"

#include <string.h>

#include "net/tls/tls_conn.h"

#define LOG_MODULE "tls"
#include "kernel/log.h"

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    struct tls_conn *c = ctx;
    size_t room, n;

    if (!c->pcb) {
        return MBEDTLS_ERR_SSL_INTERNAL_ERROR;
    }
    room = tcp_sndbuf(c->pcb);
    if (tcp_sndqueuelen(c->pcb) + 2u > TCP_SND_QUEUELEN) {
        room = 0;
    }
    n = len < room ? len : room;
    if (n > 0xffffu) {
        n = 0xffffu;
    }
    if (n == 0) {
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    }
    if (tcp_write(c->pcb, buf, (u16_t)n, TCP_WRITE_FLAG_COPY) != ERR_OK) {
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    }
    return (int)n;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
    struct tls_conn *c = ctx;
    size_t done = 0;

    while (c->rx && done < len) {
        struct pbuf *p = c->rx;
        size_t avail = p->len - c->rx_off;
        size_t n = avail < len - done ? avail : len - done;

        memcpy(buf + done, (const uint8_t *)p->payload + c->rx_off, n);
        done += n;
        c->rx_off += n;
        if (c->rx_off == p->len) {
            c->rx = p->next;
            if (c->rx) {
                pbuf_ref(c->rx);
            }
            pbuf_free(p);
            c->rx_off = 0;
        }
    }
    if (done) {
        if (c->pcb) {
            tcp_recved(c->pcb, (u16_t)done);
        }
        return (int)done;
    }
    return c->peer_closed ? 0 : MBEDTLS_ERR_SSL_WANT_READ;
}

bool tls_conn_setup(struct tls_conn *c, const mbedtls_ssl_config *conf,
                    struct tcp_pcb *pcb)
{
    memset(c, 0, sizeof(*c));
    mbedtls_ssl_init(&c->ssl);
    if (mbedtls_ssl_setup(&c->ssl, conf) != 0) {
        LOG_W("no memory for a session");
        mbedtls_ssl_free(&c->ssl);
        return false;
    }
    mbedtls_ssl_set_bio(&c->ssl, c, bio_send, bio_recv, NULL);
    c->pcb = pcb;
    return true;
}

void tls_conn_input(struct tls_conn *c, struct pbuf *p)
{
    if (!p) {
        c->peer_closed = true;
    } else if (c->rx) {
        pbuf_cat(c->rx, p);
    } else {
        c->rx = p;
        c->rx_off = 0;
    }
}

int tls_conn_handshake(struct tls_conn *c)
{
    int r = mbedtls_ssl_handshake(&c->ssl);

    if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE) {
        return 1;
    }
    if (r != 0) {
        LOG_W("handshake failed (-0x%04x)", (unsigned)-r);
    }
    return r;
}

void tls_conn_release(struct tls_conn *c)
{
    c->pcb = NULL;
    if (c->rx) {
        pbuf_free(c->rx);
        c->rx = NULL;
    }
    mbedtls_ssl_free(&c->ssl);
}
