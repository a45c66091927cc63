/*
 * A simulated terminal for the ISO 7816 unit tests: drives the card
 * session (iso7816/card.h) with the dispatcher and the test application,
 * on a hand-advanced clock, and checks the bytes the card sends.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef TESTS_UNIT_ISO_TERM_H
#define TESTS_UNIT_ISO_TERM_H

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "tests/cardos/test_applet.h"
#include "iso7816/card.h"
#include "apdu_fixture.h"
#include "kernel/log.h"
#include "iso_hex.h"

static uint8_t term_in[1u << 18];     /* what the card sent, unread */
static size_t term_in_len;
static uint32_t term_ms;
static unsigned term_f, term_d;
static bool term_t0_mode;
static bool term_idle_requested;
static unsigned term_next_f, term_next_d;
static bool term_next_t0;

static inline void term_card_send(const uint8_t *buf, size_t len)
{
    cr_assert_leq(term_in_len + len, sizeof(term_in));
    memcpy(term_in + term_in_len, buf, len);
    term_in_len += len;
}

static inline void term_set_etu(unsigned f, unsigned d) { term_f = f; term_d = d; }
static void term_set_char_mode(bool t0) { term_t0_mode = t0; }
static void term_switch_at_idle(unsigned f, unsigned d, bool t0)
{
    term_idle_requested = true;
    term_next_f = f;
    term_next_d = d;
    term_next_t0 = t0;
}

/* The UART reports TXIDLE: the driver applies the pending switch. */
static inline void term_tx_idle(void)
{
    cr_assert(term_idle_requested, "no switch pending");
    term_idle_requested = false;
    term_f = term_next_f;
    term_d = term_next_d;
    term_t0_mode = term_next_t0;
    iso_card_tx_idle();
}
static uint32_t term_now(void) { return term_ms; }

static void term_link_info(char *buf, size_t size)
{
    iso_card_link_info(buf, size);
}

static const struct iso_card_io term_io = {
    .send = term_card_send,
    .set_etu = term_set_etu,
    .set_char_mode = term_set_char_mode,
    .switch_at_tx_idle = term_switch_at_idle,
    .now_ms = term_now,
    .clk_hz = 3571200,
};

/* The session's APDUs go to the fixture's session, as card/ wires them. */
static uint8_t term_apdu_buf[APDU_BUF_SIZE];

static bool term_execute(uint8_t *buf, size_t len, size_t cap, size_t *rsp_len)
{
    return dispatch_command(&test_session, buf, len, cap, rsp_len) == APPLET_DONE;
}

static bool term_poll(uint8_t *buf, size_t cap, size_t *rsp_len)
{
    return dispatch_poll(&test_session, buf, cap, rsp_len) == APPLET_DONE;
}

static void term_cancel(void)
{
    apdu_session_cancel(&test_session);
}

static enum t0_dir term_direction(const uint8_t hdr[4])
{
    return dispatch_t0_direction(&test_session, hdr);
}

static void term_apdu_reset(void)
{
    dispatch_reset(&test_session);
}

static const struct iso_card_apdu_port term_apdu_port = {
    .execute = term_execute, .poll = term_poll, .cancel = term_cancel,
    .t0_direction = term_direction, .reset = term_apdu_reset,
};

static const struct test_applet_config term_applet_cfg = {
    .now_ms = term_now,
    .version = "9.8.7",
    .git_describe = "v9.8.7-1-gabcdef0",
    .build = "host",
    .link_info = term_link_info,
};

/* Fresh card, RST high, ATR read and checked against its documented bytes. */
static inline void term_power_on(void)
{
    uint8_t atr[64];
    size_t n = hex_to_bytes("3B 9D 96 80 31 FE 45 80 57 6E 65 74 63 61 72 64 73 F6 21 5F 46",
                            atr, sizeof(atr));

    log_reset();
    term_in_len = 0;
    term_ms = 1000;
    term_f = term_d = 0;
    term_idle_requested = false;
    apdu_fixture_init();
    cr_assert(apdu_fixture_add(test_applet_init(&term_applet_cfg)));
    iso_card_init(&term_io, &term_apdu_port, term_apdu_buf,
                  sizeof(term_apdu_buf));
    cr_assert_eq(iso_card_state(), ISO_WAIT_RST);
    iso_card_send_atr();
    cr_assert_eq(term_in_len, n);
    cr_assert_arr_eq(term_in, atr, n, "ATR");
    cr_assert(term_t0_mode, "ATR in T=0 character mode");
    cr_assert_eq(term_f, 372);
    cr_assert_eq(term_d, 1);
    term_in_len = 0;
}

static inline void term_send_bytes(const uint8_t *b, size_t n)
{
    iso_card_rx(b, n);
}

static inline void term_send(const char *hex)
{
    uint8_t b[512];
    size_t n = hex_to_bytes(hex, b, sizeof(b));

    term_send_bytes(b, n);
}

/* The card must have sent exactly these bytes (consumed). */
static inline void term_expect_bytes(const uint8_t *want, size_t n, const char *what)
{
    char got[200], exp[200];

    cr_assert_eq(term_in_len, n, "%s: card sent %zu bytes [%s], expected %zu [%s]",
                 what, term_in_len, bytes_to_hex(term_in, term_in_len, got, sizeof(got)),
                 n, bytes_to_hex(want, n, exp, sizeof(exp)));
    cr_assert_arr_eq(term_in, want, n, "%s: sent [%s], expected [%s]", what,
                     bytes_to_hex(term_in, n, got, sizeof(got)),
                     bytes_to_hex(want, n, exp, sizeof(exp)));
    term_in_len = 0;
}

static inline void term_expect(const char *hex)
{
    uint8_t b[600];
    size_t n = hex_to_bytes(hex, b, sizeof(b));

    term_expect_bytes(b, n, hex);
}

static inline void term_advance(uint32_t ms)
{
    for (uint32_t i = 0; i < ms; i++) {
        term_ms++;
        iso_card_tick();
    }
}

/* Independent LRC (ISO/IEC 7816-3 11.4.4: XOR of all bytes before it). */
static inline size_t term_block(uint8_t *out, uint8_t pcb, const uint8_t *inf, size_t len)
{
    uint8_t lrc = 0;

    out[0] = 0x00;
    out[1] = pcb;
    out[2] = (uint8_t)len;
    memcpy(out + 3, inf, len);
    for (size_t i = 0; i < 3 + len; i++) {
        lrc ^= out[i];
    }
    out[3 + len] = lrc;
    return 4 + len;
}

#endif /* TESTS_UNIT_ISO_TERM_H */
