/*
 * ISO 7816 UART driver (card side of the contact interface, at
 * NETCARD_ISO7816_BASE, IRQ NETCARD_IRQ_ISO7816), written against
 * peripherals/netcard_iso7816_uart.h.
 *
 * Interrupt driven:
 *  - RX: the ISR moves every received character into a RAM ring
 *    (ISO_UART_RX_RING bytes) and posts the client's on_rx event once
 *    (until the client drains the ring with iso_uart_read());
 *  - TX: iso_uart_write() queues bytes in a RAM ring (ISO_UART_TX_RING);
 *    the TXNF interrupt feeds the FIFO; iso_uart_switch_at_tx_idle() arms
 *    TXIDLE: once everything queued has left the line, the ISR itself
 *    writes the new ETU and CTRL (so the card listens at the new rate
 *    as early as possible after a PPS response) and posts on_tx_idle;
 *  - line: ISR.RST calls on_rst_isr (in the ISR, so the ATR does not
 *    wait for the event loop) and posts on_line (read iso_uart_line_rst()
 *    for the level);
 *    PARERR, OVERRUN and TXFAIL are counted and cleared.
 * Handlers run in the event loop (event_post), never in the ISR.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_DRIVERS_ISO7816_UART_H
#define CARDOS_DRIVERS_ISO7816_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/event_loop.h"

#define ISO_UART_RX_RING 1024u
#define ISO_UART_TX_RING 1024u
/* Repetitions of a character the terminal rejected (T=0 / ATR / PPS). */
#define ISO_UART_RETRIES 4u

struct iso_uart_client {
    event_handler on_rx;
    event_handler on_tx_idle;
    event_handler on_line;
    void *arg;
    /* Called in the ISR when RST changed (may be NULL), before on_line. */
    void (*on_rst_isr)(bool rst_high);
};

/* Reset the rings, program F=372 D=1, N=0, enable, unmask RX and RST. */
void iso_uart_init(const struct iso_uart_client *client);

/* Copy up to @max received bytes; returns the count. */
size_t iso_uart_read(uint8_t *buf, size_t max);
/* Queue @len bytes for transmission; false (nothing queued) if no room. */
bool iso_uart_write(const uint8_t *buf, size_t len);
/* At TXIDLE (all queued bytes sent): set F/D and the character mode. */
void iso_uart_switch_at_tx_idle(unsigned f, unsigned d, bool t0);

void iso_uart_set_etu(unsigned f, unsigned d);
void iso_uart_set_guard(unsigned n);
/* T=0 character mode: error signal and repetition on; off for T=1. */
void iso_uart_set_char_mode(bool t0);

bool iso_uart_line_rst(void);
bool iso_uart_line_vcc(void);
uint32_t iso_uart_clk_hz(void);

struct iso_uart_stats {
    uint32_t parity_errors, overruns, tx_failures, rx_dropped;
};
void iso_uart_stats(struct iso_uart_stats *out);

#endif /* CARDOS_DRIVERS_ISO7816_UART_H */
