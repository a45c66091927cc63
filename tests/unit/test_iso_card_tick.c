/*
 * Unit tests: the card session asks for its tick only while it has
 * something timed to do (iso_card_needs_tick(), the tickless idle of
 * docs/cardos.md): driven the way card/contact.c drives it, with
 * iso_card_tick() called only while the session asks, NULL bytes, WTX,
 * pending commands and character timeouts come out as with a permanent
 * tick, and an idle session asks for nothing.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "iso_term.h"

static unsigned ticks;

/* The clock runs; the tick only while the session asks for it. */
static void advance_tickless(uint32_t ms)
{
    for (uint32_t i = 0; i < ms; i++) {
        term_ms++;
        if (iso_card_needs_tick()) {
            iso_card_tick();
            ticks++;
        }
    }
}

static void t0_selected(void)
{
    term_power_on();
    cr_expect_not(iso_card_needs_tick(), "ATR sent, nothing timed");
    term_send("00 A4 04 00 09");
    term_expect("A4");
    cr_expect(iso_card_needs_tick(), "data bytes expected: character timeout");
    term_send("F0 6E 65 74 63 61 72 64 01");
    term_expect("61 0D");
    term_send("00 C0 00 00 0D");
    term_expect("C0 6F 0B 84 09 F0 6E 65 74 63 61 72 64 01 90 00");
    cr_expect_not(iso_card_needs_tick(), "command done");
}

static void t1_selected(void)
{
    uint8_t blk[40];

    term_power_on();
    term_send("FF 11 96 78");
    term_expect("FF 11 96 78");
    term_tx_idle();
    cr_assert_eq(iso_card_state(), ISO_T1);
    cr_expect_not(iso_card_needs_tick(), "T=1 started, nothing timed");
    term_send_bytes(blk, term_block(blk, 0x00, (const uint8_t *)
                    "\x00\xA4\x04\x00\x09\xF0\x6E\x65\x74\x63\x61\x72\x64\x01\x00",
                    15));
    cr_assert_eq(term_in_len, 4 + 15, "the FCI block");
    term_in_len = 0;
    cr_expect_not(iso_card_needs_tick());
}

TestSuite(unit_iso_card_tick);

Test(unit_iso_card_tick, idle_session_asks_for_nothing)
{
    term_power_on();
    cr_expect_not(iso_card_needs_tick(), "waiting for PPS or a header");
    iso_card_reset();
    cr_expect_not(iso_card_needs_tick(), "waiting for RST");
    t0_selected();
    ticks = 0;
    advance_tickless(10000);
    cr_expect_eq(ticks, 0u, "10 s idle in T=0: no tick");
    t1_selected();
    advance_tickless(10000);
    cr_expect_eq(ticks, 0u, "10 s idle in T=1: no tick");
    cr_expect_eq(term_in_len, 0);
}

Test(unit_iso_card_tick, t0_null_bytes_and_response_while_pending)
{
    size_t nulls = 0;

    t0_selected();
    term_send("80 20 03 E8 00");               /* DELAY 1000 ms */
    cr_expect(iso_card_needs_tick(), "a pending command is polled");
    advance_tickless(1100);
    cr_assert_geq(term_in_len, 3);
    for (size_t i = 0; i + 2 < term_in_len; i++) {
        cr_expect_eq(term_in[i], 0x60, "NULL procedure bytes before the SW");
        nulls++;
    }
    cr_expect_geq(nulls, 2, "WWT is 1 s at Fi 372: NULL at least every 333 ms");
    cr_expect_eq(term_in[term_in_len - 2], 0x90);
    cr_expect_eq(term_in[term_in_len - 1], 0x00);
    cr_expect_not(iso_card_needs_tick(), "answered: no more tick");
}

Test(unit_iso_card_tick, t0_partial_header_times_out)
{
    t0_selected();
    term_send("80 12 00");                     /* 3 of 5 header bytes */
    cr_expect(iso_card_needs_tick(), "character timeout running");
    advance_tickless(500);
    cr_expect_not(iso_card_needs_tick(), "header dropped, back to idle");
    term_send("80 12 00 02 02");
    term_expect("12 00 01 90 00");
}

Test(unit_iso_card_tick, t1_wtx_while_pending)
{
    uint8_t blk[16];

    t1_selected();
    term_send_bytes(blk, term_block(blk, 0x40, (const uint8_t *)"\x80\x20\x03\xE8", 4));
    cr_expect(iso_card_needs_tick(), "DELAY 1000 ms pending");
    advance_tickless(500);
    cr_expect_eq(term_in_len, 0, "BWT/3 = 533 ms not reached yet");
    advance_tickless(40);
    term_expect("00 C3 01 01 C3");             /* S(WTX request) */
    cr_expect(iso_card_needs_tick(), "the command is still polled");
    term_send("00 E3 01 01 E3");               /* S(WTX response) */
    advance_tickless(500);
    term_expect("00 40 02 90 00 D2");
    cr_expect_not(iso_card_needs_tick());
}

Test(unit_iso_card_tick, t1_partial_block_times_out)
{
    uint8_t blk[16];

    t1_selected();
    term_block(blk, 0x40, (const uint8_t *)"\x80\x14\x90\x00", 4);
    term_send_bytes(blk, 5);                   /* the rest never comes */
    cr_expect(iso_card_needs_tick(), "character timeout running");
    advance_tickless(250);
    term_expect("00 91 00 91");                /* invalid block: R(N(R)=1) */
    cr_expect_not(iso_card_needs_tick());
}
