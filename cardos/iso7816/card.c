/*
 * ISO 7816-3 session: ATR, PPS, protocol start. See iso7816/card.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "iso7816/atr.h"
#include "iso7816/card.h"
#include "iso7816/pps.h"

#define LOG_MODULE "iso"
#include "kernel/log.h"

#define CHAR_TIMEOUT_MS 200u

static struct iso_card_io io;
static struct iso_card_apdu_port up;
static bool apdu_pending;         /* up.execute() left a command going */
static enum iso_card_state state;
static unsigned protocol, cur_f = 372, cur_d = 1;
static struct pps_rx pps;
static struct pps_result pps_res;
static struct t0 t0;
static struct t1 t1;

/* The one APDU buffer (iso_card_init): command in, response out. */
static uint8_t *apdu_buf;
static size_t apdu_cap;

uint32_t iso_card_wwt_ms(uint32_t clk_hz, unsigned fi)
{
    /* WT = WI x 960 x Fi / f, WI = 10 (no TC2) */
    return (uint32_t)((uint64_t)10u * 960u * fi * 1000u / (clk_hz ? clk_hz : 1u));
}

uint32_t iso_card_bwt_ms(uint32_t clk_hz, unsigned bwi)
{
    /* BWT = 11 etu + 2^BWI x 960 x 372 / f (Fd = 372); the 11 etu dropped */
    return (uint32_t)(((uint64_t)1u << bwi) * 960u * 372u * 1000u / (clk_hz ? clk_hz : 1u));
}

static void link_send(void *ctx, const uint8_t *buf, size_t len)
{
    (void)ctx;
    io.send(buf, len);
}

static bool link_execute(void *ctx, uint8_t *buf, size_t len, size_t cap,
                         size_t *rsp_len)
{
    (void)ctx;
    apdu_pending = !up.execute(buf, len, cap, rsp_len);
    return !apdu_pending;
}

static enum t0_dir link_direction(void *ctx, const uint8_t hdr[4])
{
    (void)ctx;
    return up.t0_direction(hdr);
}

static void start_protocol(unsigned t, unsigned f, unsigned d, bool now)
{
    protocol = t;
    cur_f = f;
    cur_d = d;
    apdu_pending = false;
    up.reset();
    if (t == 1) {
        struct t1_config c = {
            .ifsc = ATR_CARD_IFSC,
            .crc = false,
            .char_timeout_ms = CHAR_TIMEOUT_MS,
            .wtx_multiplier = 1,
        };
        struct t1_io l = { .send = link_send, .execute = link_execute };
        uint32_t bwt = iso_card_bwt_ms(io.clk_hz, ATR_CARD_BWI);

        /* Ask again after a third of the waiting time granted. */
        c.wtx_interval_ms = bwt / 3 ? bwt / 3 : 1;
        t1_init(&t1, &c, &l, apdu_buf, apdu_cap);
        if (now) {
            io.set_char_mode(false);
        }
        state = ISO_T1;
    } else {
        struct t0_config c = { .char_timeout_ms = CHAR_TIMEOUT_MS };
        struct t0_io l = {
            .send = link_send, .execute = link_execute, .direction = link_direction,
        };
        uint32_t wwt = iso_card_wwt_ms(io.clk_hz, atr_fi_from_code(ATR_CARD_TA1 >> 4));
        uint32_t wwt_fd = iso_card_wwt_ms(io.clk_hz, 372);

        /* A NULL byte well within WWT (whichever Fi the terminal uses). */
        c.null_interval_ms = (wwt < wwt_fd ? wwt : wwt_fd) / 3;
        if (c.null_interval_ms == 0) {
            c.null_interval_ms = 1;
        }
        t0_init(&t0, &c, &l, apdu_buf, apdu_cap);
        if (now) {
            io.set_char_mode(true);
        }
        state = ISO_T0;
    }
    LOG_I("protocol T=%u F=%u D=%u", t, f, d);
}

void iso_card_init(const struct iso_card_io *p,
                   const struct iso_card_apdu_port *apdu, uint8_t *buf,
                   size_t cap)
{
    io = *p;
    up = *apdu;
    apdu_buf = buf;
    apdu_cap = cap;
    iso_card_reset();
}

void iso_card_reset(void)
{
    state = ISO_WAIT_RST;
    protocol = 0;
    cur_f = 372;
    cur_d = 1;
    pps_rx_reset(&pps);
    apdu_pending = false;
    up.reset();
}

void iso_card_send_atr(void)
{
    uint8_t atr[ATR_MAX_LEN];
    size_t n = atr_build(atr, sizeof(atr));

    cur_f = 372;
    cur_d = 1;
    io.set_etu(372, 1);
    io.set_char_mode(true);
    pps_rx_reset(&pps);
    io.send(atr, n);
    state = ISO_NEGOTIATE;
    LOG_I("ATR sent");
}

void iso_card_rx(const uint8_t *data, size_t n)
{
    uint32_t now = io.now_ms();

    while (n > 0) {
        switch (state) {
        case ISO_WAIT_RST:
        case ISO_PPS_FAILED:
            return;
        case ISO_NEGOTIATE:
            if (data[0] == 0xff) {
                state = ISO_PPS_RX;
                continue;
            }
            start_protocol(0, 372, 1, true);
            continue;
        case ISO_PPS_RX: {
            uint8_t rsp[PPS_MAX_LEN];
            size_t len;

            if (pps_rx_byte(&pps, data[0]) == PPS_RX_MORE) {
                data++;
                n--;
                continue;
            }
            data++;
            n--;
            len = pps_respond(pps.buf, pps.len, ATR_CARD_TA1, 0x3u, rsp, &pps_res);
            if (len == 0) {
                LOG_W("erroneous PPS, waiting for a reset");
                state = ISO_PPS_FAILED;
                return;
            }
            if (pps_res.protocol == 1) {
                /* T=1 has no error signal: a character the terminal sends
                 * before the switch arrives garbled and the EDC catches
                 * it, instead of being rejected until the terminal gives
                 * up. */
                io.set_char_mode(false);
            }
            io.send(rsp, len);
            io.switch_at_tx_idle(pps_res.f, pps_res.d, pps_res.protocol == 0);
            LOG_I("PPS T=%u F=%u D=%u", pps_res.protocol, pps_res.f, pps_res.d);
            start_protocol(pps_res.protocol, pps_res.f, pps_res.d, false);
            /* Whatever follows already belongs to the protocol. */
            continue;
        }
        case ISO_T0:
            t0_rx(&t0, data, n, now);
            return;
        case ISO_T1:
            t1_rx(&t1, data, n, now);
            return;
        }
    }
}

void iso_card_tx_idle(void)
{
    /* The driver has applied the PPS parameters; nothing left to do. */
}

void iso_card_tick(void)
{
    uint32_t now = io.now_ms();
    bool link_pending;

    if (state == ISO_T0) {
        link_pending = t0_pending(&t0);
    } else if (state == ISO_T1) {
        link_pending = t1.pending && !t1.rsp_ready;
    } else {
        return;
    }
    if (apdu_pending) {
        size_t rsp_len = 0;

        if (!link_pending) {
            apdu_pending = false;   /* the link dropped it (RESYNCH) */
            up.cancel();
        } else if (up.poll(apdu_buf, apdu_cap, &rsp_len)) {
            apdu_pending = false;
            if (state == ISO_T0) {
                t0_response_ready(&t0, rsp_len, now);
            } else {
                t1_response_ready(&t1, rsp_len, now);
            }
            return;
        }
    }
    if (state == ISO_T0) {
        t0_tick(&t0, now);
    } else {
        t1_tick(&t1, now);
    }
}

bool iso_card_needs_tick(void)
{
    if (state == ISO_T0) {
        return apdu_pending || t0_needs_tick(&t0);
    }
    if (state == ISO_T1) {
        return apdu_pending || t1_needs_tick(&t1);
    }
    return false;       /* iso_card_tick() does nothing in other states */
}

enum iso_card_state iso_card_state(void)
{
    return state;
}

unsigned iso_card_protocol(void)
{
    return protocol;
}

void iso_card_params(unsigned *f, unsigned *d)
{
    *f = cur_f;
    *d = cur_d;
}

void iso_card_link_info(char *buf, size_t size)
{
    if (state == ISO_T1) {
        (void)log_snprintf(buf, size, "T=1 F=%u D=%u IFSC=%u IFSD=%u", cur_f,
                           cur_d, (unsigned)ATR_CARD_IFSC, t1.ifsd);
    } else {
        (void)log_snprintf(buf, size, "T=%u F=%u D=%u", protocol, cur_f, cur_d);
    }
}

const struct t0 *iso_card_t0(void)
{
    return &t0;
}

const struct t1 *iso_card_t1(void)
{
    return &t1;
}
