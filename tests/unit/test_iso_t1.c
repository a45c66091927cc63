/*
 * Unit tests: T=1 (ISO/IEC 7816-3:2006 11). The block codec against
 * hand-computed blocks and the CRC catalogue value, and the card's state
 * machine driven by a simulated terminal: PPS to T=1, chaining both ways,
 * S(IFS), corrupted / lost / repeated blocks, S(WTX), S(RESYNCH).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>

#include "iso_term.h"
#include "iso7816/t1.h"

static const char select_apdu[] = "00 A4 04 00 09 F0 6E 65 74 63 61 72 64 01 00";
static const char select_fci[] = "6F 0B 84 09 F0 6E 65 74 63 61 72 64 01 90 00";

/* Terminal sends an I/R/S block built from hex INF. */
static void t_block(uint8_t pcb, const char *inf_hex)
{
    uint8_t inf[300], blk[310];
    size_t n = inf_hex ? hex_to_bytes(inf_hex, inf, sizeof(inf)) : 0;

    term_send_bytes(blk, term_block(blk, pcb, inf, n));
}

/* Card must have sent this block. */
static void c_block(uint8_t pcb, const char *inf_hex)
{
    uint8_t inf[300], blk[310];
    size_t n = inf_hex ? hex_to_bytes(inf_hex, inf, sizeof(inf)) : 0;
    size_t bn = term_block(blk, pcb, inf, n);

    term_expect_bytes(blk, bn, inf_hex ? inf_hex : "(no INF)");
}

static void to_t1(void)
{
    term_power_on();
    term_send("FF 11 96 78");
    term_expect("FF 11 96 78");
    cr_assert(term_idle_requested, "the card waits for TXIDLE before switching");
    cr_assert_eq(term_f, 372, "ETU unchanged until the response has left");
    term_tx_idle();
    cr_assert_eq(term_f, 512);
    cr_assert_eq(term_d, 32);
    cr_assert_not(term_t0_mode, "T=1: no error signal / repetition");
    cr_assert_eq(iso_card_state(), ISO_T1);
}

TestSuite(unit_t1);

Test(unit_t1, lrc_hand_computed)
{
    uint8_t blk[8];
    /* S(IFS request) IFSD = 254: 00 C1 01 FE, LRC = 00^C1^01^FE = 3E */
    const uint8_t want[] = { 0x00, 0xC1, 0x01, 0xFE, 0x3E };
    uint8_t inf = 0xFE;

    cr_expect_eq(t1_lrc(want, 4), 0x3E);
    cr_assert_eq(t1_block_encode(blk, 0x00, 0xC1, &inf, 1, false), 5);
    cr_expect_arr_eq(blk, want, 5);
    cr_expect(t1_block_check(want, 5, false));
    blk[4] ^= 0x80;
    cr_expect_not(t1_block_check(blk, 5, false));
    /* R-block N(R)=1: 00 90 00 90 */
    cr_expect(t1_block_check((const uint8_t *)"\x00\x90\x00\x90", 4, false));
    /* LEN 255 is invalid whatever the EDC */
    {
        static uint8_t big[3 + 255 + 1];

        big[2] = 0xFF;
        big[sizeof(big) - 1] = t1_lrc(big, sizeof(big) - 1);
        cr_expect_not(t1_block_check(big, sizeof(big), false));
    }
}

Test(unit_t1, crc_iso13239)
{
    /* CRC-16 of ISO/IEC 13239 (X.25): check value of "123456789" is 906E */
    cr_expect_eq(t1_crc((const uint8_t *)"123456789", 9), 0x906E);
    {
        uint8_t blk[8];
        uint16_t c = t1_crc((const uint8_t *)"\x00\xC1\x01\xFE", 4);

        cr_assert_eq(t1_block_encode(blk, 0x00, 0xC1, (const uint8_t *)"\xFE", 1, true), 6);
        cr_expect_eq(blk[4], (uint8_t)c, "LSB first");
        cr_expect_eq(blk[5], (uint8_t)(c >> 8));
        cr_expect(t1_block_check(blk, 6, true));
    }
}

Test(unit_t1, pps_select_and_echo)
{
    to_t1();
    t_block(0x00, select_apdu);
    c_block(0x00, select_fci);
    t_block(0x40, "80 10 00 00 03 01 02 03 00");
    c_block(0x40, "01 02 03 90 00");
    /* Literal block, LRC by hand: 00^00^02^90^00 = 92 */
    t_block(0x00, "80 14 90 00");     /* STATUS 9000, no data */
    term_expect("00 00 02 90 00 92");
}

Test(unit_t1, ifs_request)
{
    to_t1();
    term_send("00 C1 01 FE 3E");
    term_expect("00 E1 01 FE 1E");
    cr_expect_eq(iso_card_t1()->ifsd, 254);
    term_send("00 C1 01 00 C0");      /* IFS 0 is invalid: R-block, other error */
    term_expect("00 82 00 82");
}

Test(unit_t1, response_chaining_acknowledged)
{
    char part[4][200];

    to_t1();
    t_block(0x00, select_apdu);
    c_block(0x00, select_fci);        /* card N(S)=0 used; next is 1 */
    t_block(0x40, "80 12 00 64 00");
    for (int b = 0; b < 3; b++) {
        part[b][0] = '\0';
        for (int i = 0; i < 32; i++) {
            sprintf(part[b] + strlen(part[b]), "%02X ", b * 32 + i);
        }
    }
    sprintf(part[3], "60 61 62 63 90 00");
    c_block(0x60, part[0]);           /* I(1, M) */
    term_send("00 80 00 80");         /* R(0): acknowledges I(1), wants I(0) */
    c_block(0x20, part[1]);           /* I(0, M) */
    term_send("00 80 00 80");         /* R(0) again: repeat I(0) */
    c_block(0x20, part[1]);
    term_send("00 90 00 90");         /* R(1) */
    c_block(0x60, part[2]);           /* I(1, M) */
    term_send("00 80 00 80");
    c_block(0x00, part[3]);           /* I(0), last */
    /* Next command: terminal N(S) = 0 */
    t_block(0x00, "80 14 90 00");
    c_block(0x40, "90 00");
}

Test(unit_t1, command_chaining_extended_echo)
{
    static char apdu_hex[320 * 3];
    char first[260 * 3] = "", second[80 * 3] = "";
    uint8_t apdu[400];
    size_t n;

    to_t1();
    term_send("00 C1 01 FE 3E");
    term_expect("00 E1 01 FE 1E");
    t_block(0x00, select_apdu);
    c_block(0x00, select_fci);
    /* ECHO 300 bytes, case 4E: 80 10 00 00 00 01 2C <300> 01 2C = 309 bytes */
    strcpy(apdu_hex, "80 10 00 00 00 01 2C ");
    for (int i = 0; i < 300; i++) {
        sprintf(apdu_hex + strlen(apdu_hex), "%02X ", (i * 7) & 0xFF);
    }
    strcat(apdu_hex, "01 2C");
    n = hex_to_bytes(apdu_hex, apdu, sizeof(apdu));
    cr_assert_eq(n, 309);
    for (size_t i = 0; i < 254; i++) sprintf(first + strlen(first), "%02X ", apdu[i]);
    for (size_t i = 254; i < n; i++) sprintf(second + strlen(second), "%02X ", apdu[i]);
    t_block(0x60, first);             /* I(1, M) */
    term_expect("00 80 00 80");       /* R(0): next expected N(S) = 0 */
    t_block(0x00, second);            /* I(0) */
    {
        char r1[260 * 3] = "", r2[80 * 3] = "";

        for (int i = 0; i < 254; i++) sprintf(r1 + strlen(r1), "%02X ", (i * 7) & 0xFF);
        for (int i = 254; i < 300; i++) sprintf(r2 + strlen(r2), "%02X ", (i * 7) & 0xFF);
        strcat(r2, "90 00");
        c_block(0x60, r1);            /* I(1, M), 254 bytes (IFSD 254) */
        term_send("00 80 00 80");
        c_block(0x00, r2);
    }
}

Test(unit_t1, corrupted_block_gets_r_block)
{
    uint8_t blk[40];
    size_t n;

    to_t1();
    t_block(0x00, select_apdu);
    c_block(0x00, select_fci);
    n = term_block(blk, 0x40, (const uint8_t *)"\x80\x14\x90\x00", 4);
    blk[n - 1] ^= 0x55;                /* bad LRC */
    term_send_bytes(blk, n);
    term_expect("00 91 00 91");        /* R(N(R)=1), EDC error */
    blk[n - 1] ^= 0x55;
    term_send_bytes(blk, n);
    term_expect("00 40 02 90 00 D2");
    /* A data byte flipped on the way: EDC error again, now N(R)=0 */
    n = term_block(blk, 0x00, (const uint8_t *)"\x80\x14\x90\x00", 4);
    blk[4] ^= 0x01;
    term_send_bytes(blk, n);
    term_expect("00 81 00 81");
    /* A PCB with reserved bits set (I-block b5..b1 != 0): other error */
    term_send("00 01 00 01");
    term_expect("00 82 00 82");
}

Test(unit_t1, lost_terminal_block)
{
    uint8_t blk[40];
    size_t n;

    to_t1();
    t_block(0x00, select_apdu);
    c_block(0x00, select_fci);
    /* The terminal's I(1) is lost on the way: it times out and sends R(1). */
    term_send("00 90 00 90");
    term_expect("00 90 00 90");        /* card: still expecting N(S)=1 */
    t_block(0x40, "80 14 90 00");
    c_block(0x40, "90 00");
    /* Characters lost in the middle of a block: the rest never comes. */
    n = term_block(blk, 0x00, (const uint8_t *)"\x80\x14\x90\x00", 4);
    term_send_bytes(blk, 5);
    term_advance(150);
    cr_expect_eq(term_in_len, 0, "still waiting for the rest");
    term_advance(100);
    term_expect("00 81 00 81");        /* invalid block: R(N(R)=0), error */
    term_send("00 81 00 81");          /* ... which the terminal got garbled */
    term_expect("00 81 00 81");        /* card: the same R-block again */
    term_send_bytes(blk, n);           /* terminal repeats its I(0) */
    c_block(0x00, "90 00");
}

Test(unit_t1, lost_card_block_is_repeated)
{
    to_t1();
    t_block(0x00, select_apdu);
    c_block(0x00, select_fci);
    term_send("00 80 00 80");          /* R(0): I(0) of the card did not arrive */
    c_block(0x00, select_fci);
    term_send("00 81 00 81");          /* ... or arrived corrupted */
    c_block(0x00, select_fci);
}

Test(unit_t1, repeated_block_not_executed_twice)
{
    to_t1();
    t_block(0x00, "00 70 00 00 01");   /* MANAGE CHANNEL open */
    c_block(0x00, "01 90 00");
    t_block(0x00, "00 70 00 00 01");   /* the same I(0) again */
    c_block(0x00, "01 90 00");         /* repeated answer, no channel 2 */
    cr_expect_not(apdu_session_channel_open(&test_session, 2));
    t_block(0x40, "00 70 00 00 01");
    c_block(0x40, "02 90 00");
}

Test(unit_t1, wtx_during_delay)
{
    to_t1();
    t_block(0x00, select_apdu);
    c_block(0x00, select_fci);
    t_block(0x40, "80 20 03 E8");      /* DELAY 1000 ms */
    cr_expect_eq(term_in_len, 0);
    term_advance(500);
    cr_expect_eq(term_in_len, 0, "BWT/3 = 533 ms not reached yet");
    term_advance(40);
    term_expect("00 C3 01 01 C3");     /* S(WTX request), multiplier 1 */
    term_advance(100);
    cr_expect_eq(term_in_len, 0, "one WTX at a time");
    term_send("00 E3 01 01 E3");       /* S(WTX response) */
    term_advance(300);
    cr_expect_eq(term_in_len, 0);
    term_advance(100);                 /* 1040 ms */
    term_expect("00 40 02 90 00 D2");
}

Test(unit_t1, response_waits_for_wtx_response)
{
    to_t1();
    t_block(0x00, select_apdu);
    c_block(0x00, select_fci);
    t_block(0x40, "80 20 02 58");      /* DELAY 600 ms */
    term_advance(540);
    term_expect("00 C3 01 01 C3");
    term_advance(200);                 /* done at 600, but WTX unanswered */
    cr_expect_eq(term_in_len, 0);
    term_send("00 81 00 81");          /* the terminal got the WTX corrupted */
    term_expect("00 C3 01 01 C3");
    term_send("00 E3 01 01 E3");
    term_expect("00 40 02 90 00 D2");
}

Test(unit_t1, resynch)
{
    to_t1();
    term_send("00 C1 01 40 80");       /* IFSD 64 */
    term_expect("00 E1 01 40 A0");
    t_block(0x00, select_apdu);
    c_block(0x00, select_fci);
    term_send("00 C0 00 C0");          /* S(RESYNCH request) */
    term_expect("00 E0 00 E0");
    cr_expect_eq(iso_card_t1()->ifsd, 32, "IFSD back to 32");
    t_block(0x00, "80 14 90 00");      /* N(S)=0 again on both sides */
    c_block(0x00, "90 00");
}

Test(unit_t1, abort_and_unexpected_s_blocks)
{
    to_t1();
    term_send("00 C2 00 C2");          /* S(ABORT request) */
    term_expect("00 E2 00 E2");
    term_send("00 C3 01 01 C3");       /* WTX request from the terminal: invalid */
    term_expect("00 82 00 82");
    term_send("00 E3 01 01 E3");       /* WTX response nobody asked for */
    term_expect("00 82 00 82");
}

Test(unit_t1, nad_swapped)
{
    to_t1();
    /* NAD 12: SAD 2, DAD 1 -> card answers NAD 21 */
    term_send("12 00 05 00 70 00 00 01 66");
    term_expect("21 00 03 01 90 00 B3");
}

/* ECHO of 65535 bytes, case 4E, through T=1 chaining both ways (IFS 254). */
Test(unit_t1, echo_65535_chained)
{
    static uint8_t apdu[APDU_MAX_CMD_LEN], got[70000];
    size_t n = 0, off = 0, got_len = 0;
    uint8_t blk[300];
    uint8_t ns = 0, card_ns = 0;

    to_t1();
    term_send("00 C1 01 FE 3E");
    term_expect("00 E1 01 FE 1E");
    t_block(0x00, select_apdu);
    c_block(0x00, select_fci);
    ns = 1;
    card_ns = 1;
    apdu[n++] = 0x80; apdu[n++] = 0x10; apdu[n++] = 0; apdu[n++] = 0;
    apdu[n++] = 0; apdu[n++] = 0xFF; apdu[n++] = 0xFF;
    for (size_t i = 0; i < 65535; i++) {
        apdu[n++] = (uint8_t)(i ^ (i >> 8));
    }
    apdu[n++] = 0; apdu[n++] = 0;
    cr_assert_eq(n, APDU_MAX_CMD_LEN);
    while (off < n) {
        size_t chunk = n - off > 254 ? 254 : n - off;
        bool more = off + chunk < n;
        uint8_t pcb = (uint8_t)((ns << 6) | (more ? 0x20 : 0));

        term_send_bytes(blk, term_block(blk, pcb, apdu + off, chunk));
        off += chunk;
        ns ^= 1;
        if (more) {
            uint8_t r[4] = { 0x00, (uint8_t)(0x80 | ns << 4), 0x00, 0 };

            r[3] = r[1];
            term_expect_bytes(r, 4, "R-block acknowledging the chain");
        }
    }
    for (;;) {
        uint8_t pcb;
        size_t len;

        cr_assert_geq(term_in_len, 4);
        cr_assert_eq(term_in[0], 0x00);
        pcb = term_in[1];
        len = term_in[2];
        cr_assert_eq(term_in_len, 4 + len);
        cr_assert_eq((pcb & 0x80), 0, "I-block");
        cr_assert_eq((pcb >> 6) & 1, card_ns, "card N(S) alternates");
        memcpy(got + got_len, term_in + 3, len);
        got_len += len;
        term_in_len = 0;
        card_ns ^= 1;
        if (!(pcb & 0x20)) {
            break;
        }
        {
            uint8_t r[4] = { 0x00, (uint8_t)(0x80 | card_ns << 4), 0x00, 0 };

            r[3] = r[1];
            term_send_bytes(r, 4);
        }
    }
    cr_assert_eq(got_len, 65537);
    cr_expect_eq(memcmp(got, apdu + 7, 65535), 0);
    cr_expect_eq(got[65535], 0x90);
    cr_expect_eq(got[65536], 0x00);
}

Test(unit_t1, pps_to_t0_fast)
{
    term_power_on();
    term_send("FF 10 96 79");          /* T=0, Fi 512 Di 32: PCK FF^10^96 = 79 */
    term_expect("FF 10 96 79");
    term_tx_idle();
    cr_expect_eq(iso_card_state(), ISO_T0);
    cr_expect_eq(term_f, 512);
    cr_expect_eq(term_d, 32);
    cr_expect(term_t0_mode);
    term_send("00 70 00 01 00");
    term_expect("90 00");
}

Test(unit_t1, erroneous_pps_is_not_answered)
{
    term_power_on();
    term_send("FF 11 96 77");          /* bad PCK */
    cr_expect_eq(term_in_len, 0);
    cr_expect_eq(iso_card_state(), ISO_PPS_FAILED);
    term_send("00 A4 04 00 09");       /* silence until the next reset */
    cr_expect_eq(term_in_len, 0);
    cr_expect_not(term_idle_requested);
}

/* Garbage never crashes the card and a RESYNCH brings it back. */
Test(unit_t1, garbage_then_resynch)
{
    uint32_t seed = 12345;

    to_t1();
    for (int i = 0; i < 20000; i++) {
        uint8_t b;

        seed = seed * 1103515245u + 12345u;
        b = (uint8_t)(seed >> 16);
        term_send_bytes(&b, 1);
        if ((seed >> 8) % 97 == 0) {
            term_advance(250);
        }
        term_in_len = 0;
    }
    term_advance(250);
    term_in_len = 0;
    term_send("00 C0 00 C0");
    term_expect("00 E0 00 E0");
    t_block(0x00, "00 70 00 00 01");
    cr_expect_eq(term_in_len, 4 + 3);
}

/* The terminal may start the protocol right behind the PPS exchange. */
Test(unit_t1, block_right_after_pps)
{
    term_power_on();
    term_send("FF 11 96 78 00 00 05 00 70 00 00 01 74");
    cr_expect_eq(iso_card_state(), ISO_T1);
    term_expect("FF 11 96 78 00 00 03 01 90 00 92");
    term_tx_idle();
    cr_expect_eq(term_f, 512);
}
