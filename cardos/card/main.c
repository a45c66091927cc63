/*
 * Card OS entry: bring up the drivers, report how the last boot ended,
 * then run the event loop.
 *
 * Debug UART output of a boot:
 *   netcard cardos <version> (<git describe>) reset=<cause>
 *   last boot ended by <kind> at PC=0x%08x CFSR=0x%08x   (only after a crash)
 *   I boot: ...                                          (log lines)
 *   I boot: ready
 *   I iso: ...     (ISO 7816 session: "ATR sent" comes right after the
 *                  banner when the terminal powers or resets the card)
 *
 * The order of start-up is the product's: what an image variant adds
 * (test applications, test behaviour) comes through card/image.h at fixed
 * points; the product image adds nothing.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>

#include "apdu/dispatch.h"
#include "applets/status_web.h"
#include "arch/cpu.h"
#include "arch/layout.h"
#include "arch/startup.h"
#include "arch/systick.h"
#include "arch/uproc.h"
#include "card/admin.h"
#include "card/applications.h"
#include "card/contact.h"
#include "card/image.h"
#include "card/keys.h"
#include "card/nvm_partitions.h"
#include "card/storage.h"
#include "card/web_applets.h"
#include "crypto/crypto.h"
#include "crypto/drbg.h"
#include "crypto/mbedtls_heap.h"
#include "drivers/debug_uart.h"
#include "drivers/sysctl.h"
#include "drivers/timer.h"
#include "drivers/watchdog.h"
#include "fs/fs_applet.h"
#include "fs/pin.h"
#include "kernel/event_loop.h"
#include "kernel/panic.h"
#include "kernel/reset_cause.h"
#include "kernel/version.h"
#include "net/http/http_server.h"
#include "net/http/https_server.h"
#include "net/net.h"
#include "net/web/web_auth.h"
#include "net/web/web_server.h"
#include "net/web/web_store.h"

#define LOG_MODULE "boot"
#include "kernel/log.h"

/* The web login's PIN check: the file system's try counter (fs/pin.h). */
static enum web_pin_result web_pin_verify(uint8_t ref,
                                          bool (*match)(const uint8_t *,
                                                        uint32_t, void *),
                                          void *ctx)
{
    uint16_t sw = pin_verify_with(fs_applet_fs(), ref, match, ctx);

    if (sw == 0x9000u) {
        return WEB_PIN_OK;
    }
    if ((sw & 0xFFF0u) == 0x63C0u) {
        return WEB_PIN_WRONG;
    }
    return sw == 0x6983u ? WEB_PIN_BLOCKED : WEB_PIN_ERROR;
}

static const struct web_auth_port web_auth_port = {
    .pin_verify = web_pin_verify,
};

const char cardos_version[] = CARDOS_VERSION;
const char cardos_git_describe[] = CARDOS_GIT_DESCRIBE;
const char cardos_build_date[] = __DATE__ " " __TIME__;

static void log_sink_debug_uart(const char *line, size_t len)
{
    debug_uart_write(line, len);
    debug_uart_putc('\n');
}

static uint32_t port_irq_save(void)
{
    return cpu_irq_save();
}

static void port_irq_restore(uint32_t state)
{
    cpu_irq_restore(state);
}

/*
 * Tickless idle: the clock (drivers/timer.h) needs no interrupt, so the
 * core sleeps until a device interrupt or the SysTick one-shot armed for
 * the next soft timer; with no timer, only a device wakes it.
 */
static uint32_t wake_at_ms;     /* deadline SysTick is running for */

static void port_idle(uint32_t now_ms, uint32_t timeout_ms)
{
    /* Poll rather than sleep right after contact activity (contact.h). */
    if (contact_busy(now_ms)) {
        return;
    }
    if (timeout_ms == EVENT_LOOP_NO_TIMEOUT) {
        systick_stop();
    } else if (!systick_running() || now_ms + timeout_ms != wake_at_ms) {
        /* Only when the deadline moved or passed (arch/systick.h). */
        wake_at_ms = now_ms + timeout_ms;
        systick_start(timer_cycles_until(wake_at_ms));
    }
    cpu_wfi();
}

static const struct event_loop_port card_loop_port = {
    .now_ms = timer_now_ms,
    .irq_save = port_irq_save,
    .irq_restore = port_irq_restore,
    .idle = port_idle,
    .kick_watchdog = watchdog_kick,
};

/* Polled, for panic() and the fault handlers: a line of its own. */
static void panic_write_line(const char *line, size_t len)
{
    /* Whatever the UART state was, make it usable for polled output. */
    debug_uart_init();
    if (!debug_uart_at_line_start()) {
        debug_uart_putc('\n');   /* the crash cut a line short */
    }
    debug_uart_write(line, len);
    debug_uart_putc('\n');
}

static void panic_software_reset(void)
{
    sysctl_software_reset();
}

static const struct panic_port card_panic_port = {
    .irq_save = port_irq_save,
    .write_line = panic_write_line,
    .scratch = &sysctl_scratch_ops,
    .software_reset = panic_software_reset,
};

/*
 * Every pass of the loop kicks the watchdog (card_loop_port); this timer
 * makes sure an idle loop passes often enough: twice per timeout, so a
 * late wake-up still comes well before the bark.
 */
#define WATCHDOG_KICK_MS (WATCHDOG_TIMEOUT_MS / 2u)

static struct soft_timer watchdog_timer;

static void watchdog_keepalive(void *arg)
{
    (void)arg;
    watchdog_kick();
}

static void report_last_boot(void)
{
    struct fault_record rec;
    char line[LOG_LINE_MAX];

    if (fault_record_take(&sysctl_scratch_ops, &rec)) {
        (void)fault_record_format(line, sizeof(line), &rec);
        log_raw("%s", line);
    }
}

int main(void)
{
    enum reset_cause cause;

    debug_uart_init();
    /*
     * A reset can cut the previous boot's last console line short (a
     * power cut does not wait for a newline): start on a fresh line so
     * the banner is always a line of its own.
     */
    debug_uart_putc('\n');
    panic_set_port(&card_panic_port);
    log_set_lock(port_irq_save, port_irq_restore);
    log_set_sink(log_sink_debug_uart);

    cause = sysctl_reset_cause();
    log_raw("netcard cardos %s (%s) reset=%s", cardos_version,
            CARDOS_GIT_DESCRIBE, reset_cause_name(cause));
    report_last_boot();
    log_flush();

    image_boot_point(IMAGE_AFTER_BANNER, cause);

    watchdog_start(WATCHDOG_TIMEOUT_MS);
    timer_init();
    systick_init();
    uproc_set_clock(timer_cycles);     /* the applet budget's clock */
    event_loop_init(&card_loop_port);
    applications_register();
    card_web_applets_init();    /* before the registry names instances */
    soft_timer_start(&watchdog_timer, WATCHDOG_KICK_MS, WATCHDOG_KICK_MS,
                     watchdog_keepalive, NULL);
    /* Early: the ATR must start within 40000 CLK cycles (11.2 ms) of RST. */
    contact_start();
    cpu_irq_enable();

    LOG_I("chip 0x%08x rev %u.%u, reset count %u",
          (unsigned)sysctl_chip_id(), (unsigned)sysctl_revision_major(),
          (unsigned)sysctl_revision_minor(), (unsigned)sysctl_reset_count());
    LOG_I("sysclk %u Hz, ram %u KiB", (unsigned)sysctl_sysclk_hz(),
          (unsigned)(layout_ram_size() / 1024u));
    LOG_I("ram: static %u B, stack %u B, free %u B",
          (unsigned)layout_static_ram_used(), (unsigned)layout_stack_size(),
          (unsigned)(uintptr_t)__ram_free);
    log_flush();
    /* TRNG start-up test and power-on self-tests (docs/crypto.md); a
     * failure refuses service: every APDU answers 6F00 until a reset */
    dispatch_set_refusal(crypto_failed);
    if (crypto_init() == CRYPTO_OK) {
        (void)crypto_selftest(NULL);
    }
    /* mbedTLS's heap and the card's one DRBG (TLS and later users) */
    crypto_mbedtls_heap_init();
    (void)crypto_drbg_init();
    log_flush();
    nvm_partitions_init();
    (void)storage_init();   /* formats an erased NVM; never a damaged one */
    log_flush();
    /* the file system: first-boot tree on an empty store; no store or a
     * damaged file system: file commands answer 6581 (docs/fs.md) */
    (void)fs_applet_mount(storage_store());
    (void)fs_applet_install_usim();     /* docs/usim.md: when missing */
    card_keys_personalise();    /* the key store's first-boot keys */
    applications_storage_ready();   /* the GlobalPlatform registry */
    log_flush();
    image_boot_point(IMAGE_AFTER_STORAGE, cause);

    if (net_init()) {
        (void)http_server_init();
        /* native applets' routes (card/web_applets.h), then the SCWS
         * content store, before the status page's built-ins: a stored
         * resource overrides a built-in one (net/web/) */
        (void)card_web_applets_start();
        (void)web_store_init(storage_store());
        (void)web_server_init();
        (void)web_auth_init(storage_store(), &web_auth_port);
        (void)status_web_init();    /* the status page's resources */
        card_keys_register();       /* the TLS PSK provider */
        (void)https_server_init();
        card_admin_start();         /* the Amendment B agent */
    }
    log_flush();

    LOG_I("ready");
    event_loop_run();
}
