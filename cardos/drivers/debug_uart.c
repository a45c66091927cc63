/*
 * CMSDK APB UART, polled. Register map from the Cortex-M System Design Kit
 * TRM (ARM DDI 0479C, 4.3 "APB UART"), as modelled by QEMU's
 * hw/char/cmsdk-apb-uart.c.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "drivers/debug_uart.h"

#include "arch/mmio.h"
#include "arch/regfields.h"
#include "netcard_memmap.h"

REG32(UART_DATA, 0x00)
REG32(UART_STATE, 0x04)
    FIELD(UART_STATE, TXFULL, 0, 1)
    FIELD(UART_STATE, RXFULL, 1, 1)
    FIELD(UART_STATE, TXOVERRUN, 2, 1)   /* write 1 to clear */
    FIELD(UART_STATE, RXOVERRUN, 3, 1)   /* write 1 to clear */
REG32(UART_CTRL, 0x08)
    FIELD(UART_CTRL, TX_EN, 0, 1)
    FIELD(UART_CTRL, RX_EN, 1, 1)
REG32(UART_INTSTATUS, 0x0c)
REG32(UART_BAUDDIV, 0x10)

/* Baud rate = pclk / BAUDDIV; the TRM requires BAUDDIV >= 16. */
#define UART_BAUDDIV_VALUE (NETCARD_SYSCLK_HZ / DEBUG_UART_BAUD)
_Static_assert(UART_BAUDDIV_VALUE >= 16, "BAUDDIV must be at least 16");

/* Zero (.bss) at boot: output starts at the beginning of a line. */
static bool uart_mid_line;

static uint32_t uart_read(uint32_t offset)
{
    return mmio_read32(NETCARD_DEBUG_UART_BASE + offset);
}

static void uart_write(uint32_t offset, uint32_t value)
{
    mmio_write32(NETCARD_DEBUG_UART_BASE + offset, value);
}

void debug_uart_init(void)
{
    /* Divisor before enable: TX with an invalid divisor is an error. */
    uart_write(A_UART_BAUDDIV, UART_BAUDDIV_VALUE);
    uart_write(A_UART_CTRL, R_UART_CTRL_TX_EN_MASK | R_UART_CTRL_RX_EN_MASK);
    uart_write(A_UART_STATE, R_UART_STATE_TXOVERRUN_MASK | R_UART_STATE_RXOVERRUN_MASK);
    uart_write(A_UART_INTSTATUS, 0xf);
}

void debug_uart_putc(char c)
{
    while (uart_read(A_UART_STATE) & R_UART_STATE_TXFULL_MASK) {
    }
    uart_write(A_UART_DATA, (uint8_t)c);
    uart_mid_line = (c != '\n');
}

void debug_uart_write(const char *s, size_t len)
{
    while (len-- > 0) {
        debug_uart_putc(*s++);
    }
}

void debug_uart_puts(const char *s)
{
    while (*s != '\0') {
        debug_uart_putc(*s++);
    }
}

bool debug_uart_at_line_start(void)
{
    return !uart_mid_line;
}

int debug_uart_getc_nonblock(void)
{
    if (!(uart_read(A_UART_STATE) & R_UART_STATE_RXFULL_MASK)) {
        return -1;
    }
    return (int)(uart_read(A_UART_DATA) & 0xffu);
}
