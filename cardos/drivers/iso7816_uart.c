/*
 * ISO 7816 UART driver. See drivers/iso7816_uart.h and
 * peripherals/netcard_iso7816_uart.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "drivers/iso7816_uart.h"

#include "arch/cpu.h"
#include "arch/nvic.h"
#include "arch/mmio.h"
#include "netcard_iso7816_uart.h"
#include "netcard_memmap.h"

/* Device interrupts preempt the tick (7); the ISO line is the most urgent. */
#define ISO_UART_IRQ_PRIORITY 2u

static struct iso_uart_client client;

static uint8_t rx_ring[ISO_UART_RX_RING];
static volatile uint32_t rx_head, rx_tail;     /* head: ISR writes */
static uint8_t tx_ring[ISO_UART_TX_RING];
static volatile uint32_t tx_head, tx_tail;     /* tail: ISR reads */
static volatile bool rx_posted;
static volatile bool idle_wanted;
static uint32_t idle_etu, idle_ctrl;
static volatile uint32_t ier;
static struct iso_uart_stats stats;

static uint32_t rd(uint32_t off)
{
    return mmio_read32(NETCARD_ISO7816_BASE + off);
}

static void wr(uint32_t off, uint32_t v)
{
    mmio_write32(NETCARD_ISO7816_BASE + off, v);
}

static void set_ier(uint32_t v)
{
    ier = v;
    wr(A_ISO_IER, v);
}

static uint32_t ctrl_value(bool t0)
{
    uint32_t ctrl = FIELD_DP32(0, ISO_CTRL, EN, 1);

    if (t0) {
        ctrl = FIELD_DP32(ctrl, ISO_CTRL, ERRSIG, 1);
        ctrl = FIELD_DP32(ctrl, ISO_CTRL, AUTORETX, 1);
        ctrl = FIELD_DP32(ctrl, ISO_CTRL, RETRIES, ISO_UART_RETRIES);
    }
    return ctrl;
}

static uint32_t etu_value(unsigned f, unsigned d)
{
    return FIELD_DP32(FIELD_DP32(0, ISO_ETU, F, f), ISO_ETU, D, d);
}

void iso_uart_init(const struct iso_uart_client *c)
{
    nvic_disable_irq(NETCARD_IRQ_ISO7816);
    client = *c;
    rx_head = rx_tail = 0;
    tx_head = tx_tail = 0;
    rx_posted = false;
    idle_wanted = false;
    wr(A_ISO_ETU, etu_value(NETCARD_ISO_DEFAULT_F, NETCARD_ISO_DEFAULT_D));
    wr(A_ISO_GUARD, 0);
    iso_uart_set_char_mode(true);
    /* Drop anything left from before the reset. */
    while (FIELD_EX32(rd(A_ISO_STATUS), ISO_STATUS, RXNE)) {
        (void)rd(A_ISO_DATA);
    }
    wr(A_ISO_ISR, R_ISO_ISR_PARERR_MASK | R_ISO_ISR_OVERRUN_MASK |
                  R_ISO_ISR_TXFAIL_MASK | R_ISO_ISR_RST_MASK);
    set_ier(R_ISO_ISR_RXNE_MASK | R_ISO_ISR_RST_MASK | R_ISO_ISR_PARERR_MASK |
            R_ISO_ISR_OVERRUN_MASK | R_ISO_ISR_TXFAIL_MASK);
    nvic_set_priority(NETCARD_IRQ_ISO7816, ISO_UART_IRQ_PRIORITY);
    nvic_clear_pending_irq(NETCARD_IRQ_ISO7816);
    nvic_enable_irq(NETCARD_IRQ_ISO7816);
}

void iso_uart_set_char_mode(bool t0)
{
    wr(A_ISO_CTRL, ctrl_value(t0));
}

void iso_uart_set_etu(unsigned f, unsigned d)
{
    wr(A_ISO_ETU, etu_value(f, d));
}

void iso_uart_set_guard(unsigned n)
{
    wr(A_ISO_GUARD, FIELD_DP32(0, ISO_GUARD, N, n));
}

bool iso_uart_line_rst(void)
{
    return FIELD_EX32(rd(A_ISO_LINE), ISO_LINE, RST) != 0;
}

bool iso_uart_line_vcc(void)
{
    return FIELD_EX32(rd(A_ISO_LINE), ISO_LINE, VCC) != 0;
}

uint32_t iso_uart_clk_hz(void)
{
    uint32_t hz = rd(A_ISO_CLK_HZ);

    return hz ? hz : NETCARD_ISO_DEFAULT_CLK_HZ;
}

size_t iso_uart_read(uint8_t *buf, size_t max)
{
    size_t n = 0;
    uint32_t state;

    while (n < max && rx_tail != rx_head) {
        buf[n++] = rx_ring[rx_tail % ISO_UART_RX_RING];
        rx_tail = rx_tail + 1;
    }
    state = cpu_irq_save();
    if (rx_tail == rx_head) {
        rx_posted = false;    /* the next character posts again */
    } else if (!rx_posted || n == max) {
        /* more left: keep the client coming back */
        rx_posted = event_post(client.on_rx, client.arg);
    }
    cpu_irq_restore(state);
    return n;
}

/* Move queued bytes into the FIFO; ISR or interrupts masked. */
static void tx_fill(void)
{
    while (tx_tail != tx_head && FIELD_EX32(rd(A_ISO_STATUS), ISO_STATUS, TXNF)) {
        wr(A_ISO_DATA, tx_ring[tx_tail % ISO_UART_TX_RING]);
        tx_tail = tx_tail + 1;
    }
    if (tx_tail != tx_head) {
        set_ier(ier | R_ISO_ISR_TXNF_MASK);
    } else {
        set_ier(ier & ~(uint32_t)R_ISO_ISR_TXNF_MASK);
    }
}

bool iso_uart_write(const uint8_t *buf, size_t len)
{
    uint32_t state = cpu_irq_save();
    bool ok = len <= ISO_UART_TX_RING - (tx_head - tx_tail);

    if (ok) {
        for (size_t i = 0; i < len; i++) {
            tx_ring[(tx_head + i) % ISO_UART_TX_RING] = buf[i];
        }
        tx_head = tx_head + (uint32_t)len;
        tx_fill();
    }
    cpu_irq_restore(state);
    return ok;
}

void iso_uart_switch_at_tx_idle(unsigned f, unsigned d, bool t0)
{
    uint32_t state = cpu_irq_save();

    idle_etu = etu_value(f, d);
    idle_ctrl = ctrl_value(t0);
    if (tx_tail == tx_head && FIELD_EX32(rd(A_ISO_STATUS), ISO_STATUS, TXIDLE)) {
        /* Already gone (timing=fast delivers at the DATA write): switch
         * now, without waiting for the interrupt. */
        wr(A_ISO_ETU, idle_etu);
        wr(A_ISO_CTRL, idle_ctrl);
        (void)event_post(client.on_tx_idle, client.arg);
        cpu_irq_restore(state);
        return;
    }
    idle_wanted = true;
    set_ier(ier | R_ISO_ISR_TXIDLE_MASK);
    cpu_irq_restore(state);
}

void iso_uart_stats(struct iso_uart_stats *out)
{
    uint32_t state = cpu_irq_save();

    *out = stats;
    cpu_irq_restore(state);
}

void iso_uart_irq_handler(void)
{
    uint32_t isr = rd(A_ISO_ISR);
    uint32_t sticky = isr & (R_ISO_ISR_PARERR_MASK | R_ISO_ISR_OVERRUN_MASK |
                             R_ISO_ISR_TXFAIL_MASK | R_ISO_ISR_RST_MASK);

    if (sticky) {
        wr(A_ISO_ISR, sticky);
        if (sticky & R_ISO_ISR_PARERR_MASK) stats.parity_errors++;
        if (sticky & R_ISO_ISR_OVERRUN_MASK) stats.overruns++;
        if (sticky & R_ISO_ISR_TXFAIL_MASK) stats.tx_failures++;
        if (sticky & R_ISO_ISR_RST_MASK) {
            if (client.on_rst_isr) {
                client.on_rst_isr(iso_uart_line_rst());
            }
            (void)event_post(client.on_line, client.arg);
        }
    }
    while (FIELD_EX32(rd(A_ISO_STATUS), ISO_STATUS, RXNE)) {
        uint8_t c = (uint8_t)rd(A_ISO_DATA);

        if (rx_head - rx_tail < ISO_UART_RX_RING) {
            rx_ring[rx_head % ISO_UART_RX_RING] = c;
            rx_head = rx_head + 1;
        } else {
            stats.rx_dropped++;
        }
    }
    if (rx_head != rx_tail && !rx_posted) {
        rx_posted = event_post(client.on_rx, client.arg);
    }
    if (ier & R_ISO_ISR_TXNF_MASK) {
        tx_fill();
    }
    if ((ier & R_ISO_ISR_TXIDLE_MASK) && tx_tail == tx_head &&
        FIELD_EX32(rd(A_ISO_STATUS), ISO_STATUS, TXIDLE)) {
        set_ier(ier & ~(uint32_t)R_ISO_ISR_TXIDLE_MASK);
        if (idle_wanted) {
            idle_wanted = false;
            wr(A_ISO_ETU, idle_etu);
            wr(A_ISO_CTRL, idle_ctrl);
            (void)event_post(client.on_tx_idle, client.arg);
        }
    }
    /* The level interrupt must drop before return, or it is taken again. */
    cpu_dsb();
}
