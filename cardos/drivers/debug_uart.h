/*
 * Debug UART driver (ARM CMSDK APB UART at NETCARD_DEBUG_UART_BASE): 115200 8N1
 * console, polled only. Used for log output and by fault handlers, so it
 * never depends on interrupts or on state that a crash could have broken:
 * debug_uart_init() may be called again at any time.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_DRIVERS_DEBUG_UART_H
#define CARDOS_DRIVERS_DEBUG_UART_H

#include <stdbool.h>
#include <stddef.h>

#define DEBUG_UART_BAUD 115200u

/* Program the baud divisor and enable TX and RX, interrupts off. */
void debug_uart_init(void);

/* Wait until the transmit holding register is free, then send @c. */
void debug_uart_putc(char c);

void debug_uart_write(const char *s, size_t len);
void debug_uart_puts(const char *s);   /* no newline added */

/* True if nothing was sent yet or the last character sent was a newline. */
bool debug_uart_at_line_start(void);

/* A received byte (0..255), or -1 if none is waiting. */
int debug_uart_getc_nonblock(void);

#endif /* CARDOS_DRIVERS_DEBUG_UART_H */
