/*
 * The contact interface. See card/contact.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stddef.h>

#include "apdu/dispatch.h"
#include "apdu/session.h"
#include "arch/cpu.h"
#include "card/contact.h"
#include "drivers/iso7816_uart.h"
#include "drivers/timer.h"
#include "iso7816/card.h"
#include "kernel/event_loop.h"

#define LOG_MODULE "iso"
#include "kernel/log.h"

static struct soft_timer tick_timer;
static uint32_t last_activity_ms;

/* The contact interface's APDU session (index 0) and its buffer. */
static struct apdu_session contact;
static uint8_t apdu_buf[APDU_BUF_SIZE];

static bool contact_execute(uint8_t *buf, size_t len, size_t cap,
                            size_t *rsp_len)
{
    return dispatch_command(&contact, buf, len, cap, rsp_len) == APPLET_DONE;
}

static bool contact_poll(uint8_t *buf, size_t cap, size_t *rsp_len)
{
    return dispatch_poll(&contact, buf, cap, rsp_len) == APPLET_DONE;
}

static void contact_cancel(void)
{
    apdu_session_cancel(&contact);
}

static enum t0_dir contact_t0_direction(const uint8_t hdr[4])
{
    return dispatch_t0_direction(&contact, hdr);
}

static void contact_reset(void)
{
    dispatch_reset(&contact);
}

static const struct iso_card_apdu_port contact_port = {
    .execute = contact_execute,
    .poll = contact_poll,
    .cancel = contact_cancel,
    .t0_direction = contact_t0_direction,
    .reset = contact_reset,
};

bool contact_busy(uint32_t now_ms)
{
    return now_ms - last_activity_ms < ISO_POLL_WINDOW_MS;
}

static void send(const uint8_t *buf, size_t len)
{
    last_activity_ms = timer_now_ms();
    if (!iso_uart_write(buf, len)) {
        LOG_E("tx ring full, %u bytes dropped", (unsigned)len);
    }
}

static const struct iso_card_io card_io_template = {
    .send = send,
    .set_etu = iso_uart_set_etu,
    .set_char_mode = iso_uart_set_char_mode,
    .switch_at_tx_idle = iso_uart_switch_at_tx_idle,
    .now_ms = timer_now_ms,
};

static void drain_rx(void)
{
    uint8_t chunk[64];
    size_t n;

    while ((n = iso_uart_read(chunk, sizeof(chunk))) > 0) {
        last_activity_ms = timer_now_ms();
        iso_card_rx(chunk, n);
    }
}

static void on_tick(void *arg);

/*
 * The ISO_TICK_MS tick runs only while the session has something timed
 * to do (iso_card_needs_tick()); otherwise an idle contact interface
 * costs no wake-ups. Call after anything that feeds the session.
 */
static void update_tick(void)
{
    bool need = iso_card_needs_tick();

    if (need && !soft_timer_active(&tick_timer)) {
        soft_timer_start(&tick_timer, ISO_TICK_MS, ISO_TICK_MS, on_tick, NULL);
    } else if (!need && soft_timer_active(&tick_timer)) {
        soft_timer_stop(&tick_timer);
    }
}

static void on_rx(void *arg)
{
    (void)arg;
    drain_rx();
    update_tick();
}

static void on_tx_idle(void *arg)
{
    (void)arg;
    iso_card_tx_idle();
}

static uint32_t atr_delay_us;

/* RST is high and the card has not answered yet: wait 400 CLK, send. */
static void send_atr_now(void)
{
    timer_busy_wait_us(atr_delay_us);
    iso_card_send_atr();
}

static void on_rst_isr(bool high)
{
    if (high && iso_card_state() == ISO_WAIT_RST) {
        send_atr_now();
    }
}

static void on_line(void *arg)
{
    uint32_t state;

    (void)arg;
    state = cpu_irq_save();
    if (!iso_uart_line_rst()) {
        iso_card_reset();
    } else if (iso_card_state() == ISO_WAIT_RST) {
        send_atr_now();       /* RST rose before this reset was handled */
    }
    cpu_irq_restore(state);
    update_tick();
}

static void on_tick(void *arg)
{
    (void)arg;
    drain_rx();
    iso_card_tick();
    update_tick();
}

void contact_start(void)
{
    static const struct iso_uart_client client = {
        .on_rx = on_rx, .on_tx_idle = on_tx_idle, .on_line = on_line,
        .on_rst_isr = on_rst_isr,
    };
    struct iso_card_io io = card_io_template;

    apdu_session_init(&contact, 0, "contact");
    io.clk_hz = iso_uart_clk_hz();
    atr_delay_us = (uint32_t)((400ull * 1000000u + io.clk_hz - 1) / io.clk_hz) +
                   ISO_ATR_MARGIN_US;
    if (atr_delay_us > 999) {
        atr_delay_us = 999;
    }
    iso_card_init(&io, &contact_port, apdu_buf, sizeof(apdu_buf));
    /* Only now: PRIMASK is clear from reset, so an RST edge right after
     * the UART's interrupt is enabled runs on_rst_isr at once, and the
     * ATR needs iso_card_init's io (else a call through NULL). */
    iso_uart_init(&client);
    {
        uint32_t state = cpu_irq_save();

        if (iso_uart_line_rst() && iso_card_state() == ISO_WAIT_RST) {
            send_atr_now();
        }
        cpu_irq_restore(state);
    }
}
