/*
 * T=0 card side. See iso7816/t0.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "iso7816/t0.h"

static void send_bytes(struct t0 *t, const uint8_t *b, size_t n)
{
    t->io.send(t->io.ctx, b, n);
}

static void send_sw(struct t0 *t, uint16_t sw)
{
    uint8_t b[2] = { (uint8_t)(sw >> 8), (uint8_t)sw };

    send_bytes(t, b, 2);
}

void t0_init(struct t0 *t, const struct t0_config *cfg, const struct t0_io *io,
             uint8_t *apdu_buf, size_t apdu_cap)
{
    memset(t, 0, sizeof(*t));
    t->cfg = *cfg;
    t->io = *io;
    t->apdu = apdu_buf;
    t->apdu_cap = apdu_cap;
    t->state = T0_HEADER;
}

bool t0_pending(const struct t0 *t)
{
    return t->state == T0_PENDING;
}

bool t0_needs_tick(const struct t0 *t)
{
    /* The conditions t0_tick() acts on. */
    return t->state != T0_HEADER || t->hdr_len > 0;
}

static void send_61(struct t0 *t)
{
    send_sw(t, (uint16_t)(0x6100u | (t->rsp_left >= 256 ? 0 : t->rsp_left)));
}

/* An R-APDU of @rsp_len bytes is in the buffer: answer the TPDU. */
static void finish(struct t0 *t, size_t rsp_len)
{
    size_t nr = rsp_len >= 2 ? rsp_len - 2 : 0;
    uint16_t sw = rsp_len >= 2 ?
        (uint16_t)(t->apdu[rsp_len - 2] << 8 | t->apdu[rsp_len - 1]) : 0x6f00u;

    t->state = T0_HEADER;
    t->hdr_len = 0;
    t->rsp_valid = false;
    t->rsp_6c = false;
    if (nr == 0) {
        send_sw(t, sw);
        return;
    }
    t->rsp_off = 0;
    t->rsp_left = nr;
    t->rsp_sw = sw;
    t->rsp_valid = true;
    if (t->dir == T0_DIR_OUT) {
        size_t le = t->hdr[4] ? t->hdr[4] : 256u;

        if (nr == le) {
            uint8_t ins = t->hdr[1];

            send_bytes(t, &ins, 1);
            send_bytes(t, t->apdu, nr);
            send_sw(t, sw);
            t->rsp_valid = false;
            return;
        }
        if (nr < le) {
            t->rsp_6c = true;
            memcpy(t->rsp_6c_hdr, t->hdr, 4);
            send_sw(t, (uint16_t)(0x6c00u | nr));
            return;
        }
    }
    send_61(t);
}

static void execute(struct t0 *t, size_t len, uint32_t now_ms)
{
    size_t rsp_len = 0;

    if (t->io.execute(t->io.ctx, t->apdu, len, t->apdu_cap, &rsp_len)) {
        finish(t, rsp_len);
        return;
    }
    t->state = T0_PENDING;
    t->next_null_ms = now_ms + t->cfg.null_interval_ms;
}

static void get_response(struct t0 *t)
{
    size_t le = t->hdr[4] ? t->hdr[4] : 256u;
    uint8_t ins = T0_INS_GET_RESPONSE;

    t->rsp_6c = false;
    if (le > t->rsp_left) {
        send_sw(t, (uint16_t)(0x6c00u | (t->rsp_left & 0xff)));
        return;
    }
    send_bytes(t, &ins, 1);
    send_bytes(t, t->apdu + t->rsp_off, le);
    t->rsp_off += le;
    t->rsp_left -= le;
    if (t->rsp_left > 0) {
        send_61(t);
    } else {
        t->rsp_valid = false;
        send_sw(t, t->rsp_sw);
    }
}

static void on_header(struct t0 *t, uint32_t now_ms)
{
    uint8_t ins = t->hdr[1];

    if ((ins & 0xf0) == 0x60 || (ins & 0xf0) == 0x90) {
        t->hdr_len = 0;
        send_sw(t, 0x6d00u);
        return;
    }
    if (t->rsp_valid && ins == T0_INS_GET_RESPONSE && !t->rsp_6c &&
        t->hdr[2] == 0 && t->hdr[3] == 0) {
        t->hdr_len = 0;
        get_response(t);
        return;
    }
    if (t->rsp_valid && t->rsp_6c && memcmp(t->hdr, t->rsp_6c_hdr, 4) == 0 &&
        t->hdr[4] == (t->rsp_left & 0xff)) {
        uint8_t b = ins;

        t->hdr_len = 0;
        t->rsp_6c = false;
        t->rsp_valid = false;
        send_bytes(t, &b, 1);
        send_bytes(t, t->apdu + t->rsp_off, t->rsp_left);
        send_sw(t, t->rsp_sw);
        return;
    }
    t->rsp_valid = false;
    t->rsp_6c = false;
    t->dir = t->io.direction(t->io.ctx, t->hdr);
    memcpy(t->apdu, t->hdr, 4);
    switch (t->dir) {
    case T0_DIR_IN:
        if (t->hdr[4] == 0) {
            t->dir = T0_DIR_NONE;
            execute(t, 4, now_ms);
            return;
        }
        t->apdu[4] = t->hdr[4];
        t->data_len = 0;
        t->data_want = t->hdr[4];
        t->state = T0_DATA;
        send_bytes(t, &ins, 1);    /* procedure byte: all data at once */
        return;
    case T0_DIR_OUT:
        t->apdu[4] = t->hdr[4];
        execute(t, 5, now_ms);
        return;
    default:
        execute(t, 4, now_ms);
        return;
    }
}

void t0_rx(struct t0 *t, const uint8_t *data, size_t n, uint32_t now_ms)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t b = data[i];

        if ((t->state == T0_HEADER && t->hdr_len > 0) || t->state == T0_DATA) {
            if (now_ms - t->last_rx_ms > t->cfg.char_timeout_ms) {
                t->state = T0_HEADER;
                t->hdr_len = 0;
            }
        }
        t->last_rx_ms = now_ms;
        switch (t->state) {
        case T0_HEADER:
            t->hdr[t->hdr_len++] = b;
            if (t->hdr_len == 5) {
                t->hdr_len = 0;
                on_header(t, now_ms);
            }
            break;
        case T0_DATA:
            t->apdu[5 + t->data_len++] = b;
            if (t->data_len == t->data_want) {
                /* Case 4S with Le = 00: the application may answer data. */
                t->apdu[5 + t->data_len] = 0x00;
                t->state = T0_HEADER;
                execute(t, 6 + t->data_len, now_ms);
            }
            break;
        case T0_PENDING:
            /* The card has the turn: the terminal must stay silent. */
            break;
        }
    }
}

void t0_tick(struct t0 *t, uint32_t now_ms)
{
    if (t->state == T0_PENDING) {
        if ((int32_t)(now_ms - t->next_null_ms) >= 0) {
            uint8_t null = T0_NULL;

            send_bytes(t, &null, 1);
            t->nulls_sent++;
            t->next_null_ms = now_ms + t->cfg.null_interval_ms;
        }
    } else if ((t->state == T0_DATA || t->hdr_len > 0) &&
               now_ms - t->last_rx_ms > t->cfg.char_timeout_ms) {
        t->state = T0_HEADER;
        t->hdr_len = 0;
    }
}

void t0_response_ready(struct t0 *t, size_t rsp_len, uint32_t now_ms)
{
    (void)now_ms;
    if (t->state != T0_PENDING) {
        return;
    }
    finish(t, rsp_len);
}
