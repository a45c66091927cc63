/*
 * ISO 7816 service glue. See kernel/iso_service.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stddef.h>

#include "applets/perso_applet.h"
#include "applets/test_applet.h"
#include "applets/test_applet_crypto.h"
#include "arch/cpu.h"
#include "drivers/iso7816_uart.h"
#include "drivers/timer.h"
#include "fs/fs_applet.h"
#include "iso7816/card.h"
#include "iso7816/dispatch.h"
#include "kernel/event_loop.h"
#include "kernel/iso_service.h"
#include "kernel/storage.h"

#define LOG_MODULE "iso"
#include "kernel/log.h"

static struct soft_timer tick_timer;
static uint32_t last_activity_ms;

bool iso_service_busy(uint32_t now_ms)
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

/* The personalization application's view of the storage (the store
 * below, the file system on it) and its FORMAT NVM. */
static void perso_card_state(struct perso_card_state *out)
{
    struct store *st = storage_store();
    struct store_stats stats;

    out->store = storage_status();
    out->fs_ready = fs_applet_fs()->ready;
    if (st != NULL) {
        store_get_stats(st, &stats);
        out->objects = stats.objects;
        out->free_bytes = stats.free_bytes;
    }
}

static void perso_format_start(void)
{
    fs_applet_unmount();        /* before the store under it goes */
    storage_reformat_start();
}

static int perso_format_step(void)
{
    int rc = storage_reformat_step();

    if (rc == STORAGE_REFORMAT_BUSY) {
        return PERSO_FORMAT_BUSY;
    }
    if (rc != STORE_OK) {
        return rc;
    }
    /* an empty store: the file system creates its first-boot tree */
    return fs_applet_mount(storage_store()) >= 0 ? 0 : STORE_ERR_IO;
}

void iso_service_start(const char *version, const char *git_describe,
                       const char *build)
{
    static const struct iso_uart_client client = {
        .on_rx = on_rx, .on_tx_idle = on_tx_idle, .on_line = on_line,
        .on_rst_isr = on_rst_isr,
    };
    struct test_applet_config applet_cfg = {
        .now_ms = timer_now_ms,
        .version = version,
        .git_describe = git_describe,
        .build = build,
        .link_info = iso_card_link_info,
        .crypto_process = test_applet_crypto_process,
        .crypto_t0_direction = test_applet_crypto_t0_direction,
    };
    struct iso_card_io io = card_io_template;

    dispatch_init();
    static const struct perso_applet_config perso_cfg = {
        .card_state = perso_card_state,
        .format_start = perso_format_start,
        .format_step = perso_format_step,
    };
    (void)dispatch_register(test_applet_init(&applet_cfg));
    (void)dispatch_register(perso_applet_init(&perso_cfg));
    /* the file system is every channel's default application; it is
     * mounted after storage_init() (kernel/main.c), before any command
     * is processed: until then its commands answer 6581 */
    dispatch_set_default(fs_applet());
    io.clk_hz = iso_uart_clk_hz();
    atr_delay_us = (uint32_t)((400ull * 1000000u + io.clk_hz - 1) / io.clk_hz) +
                   ISO_ATR_MARGIN_US;
    if (atr_delay_us > 999) {
        atr_delay_us = 999;
    }
    iso_card_init(&io);
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
