/*
 * T=1 card side. See iso7816/t1.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "iso7816/t1.h"

uint8_t t1_lrc(const uint8_t *buf, size_t len)
{
    uint8_t x = 0;

    for (size_t i = 0; i < len; i++) {
        x ^= buf[i];
    }
    return x;
}

uint16_t t1_crc(const uint8_t *buf, size_t len)
{
    uint16_t crc = 0xffff;

    for (size_t i = 0; i < len; i++) {
        crc ^= buf[i];
        for (int b = 0; b < 8; b++) {
            crc = (crc & 1u) ? (uint16_t)((crc >> 1) ^ 0x8408u) : (uint16_t)(crc >> 1);
        }
    }
    return (uint16_t)~crc;
}

size_t t1_block_encode(uint8_t *out, uint8_t nad, uint8_t pcb,
                       const uint8_t *inf, size_t len, bool crc)
{
    size_t n = 3 + len;

    out[0] = nad;
    out[1] = pcb;
    out[2] = (uint8_t)len;
    if (len != 0) {
        memmove(out + 3, inf, len);
    }
    if (crc) {
        uint16_t c = t1_crc(out, n);

        out[n++] = (uint8_t)c;
        out[n++] = (uint8_t)(c >> 8);
    } else {
        out[n] = t1_lrc(out, n);
        n++;
    }
    return n;
}

bool t1_block_check(const uint8_t *blk, size_t len, bool crc)
{
    size_t edc = crc ? 2 : 1;

    if (len < 3 + edc || blk[2] > T1_MAX_INF || len != 3u + blk[2] + edc) {
        return false;
    }
    if (crc) {
        uint16_t c = t1_crc(blk, len - 2);

        return blk[len - 2] == (uint8_t)c && blk[len - 1] == (uint8_t)(c >> 8);
    }
    return t1_lrc(blk, len) == 0;
}

/* ------------------------------------------------------------------ */

static void send_block(struct t1 *t, uint8_t pcb, const uint8_t *inf,
                       size_t len, enum t1_last kind)
{
    t->last_len = t1_block_encode(t->last, t->nad, pcb, inf, len, t->cfg.crc);
    t->last_kind = kind;
    t->io.send(t->io.ctx, t->last, t->last_len);
}

static void resend_last(struct t1 *t)
{
    t->retransmits++;
    t->io.send(t->io.ctx, t->last, t->last_len);
}

static void send_r(struct t1 *t, uint8_t err)
{
    send_block(t, (uint8_t)(T1_PCB_R | (t->recv_ns << 4) | err), NULL, 0, T1_LAST_R);
}

static void send_s(struct t1 *t, uint8_t type, const uint8_t *inf, size_t len)
{
    send_block(t, (uint8_t)(T1_PCB_S | type), inf, len, T1_LAST_S);
}

/* Send the next I-block of the response from rsp_off. */
static void send_rsp_chunk(struct t1 *t)
{
    size_t left = t->rsp_len - t->rsp_off;
    size_t chunk = left > t->ifsd ? t->ifsd : left;
    bool more = left > chunk;
    uint8_t pcb = (uint8_t)((t->send_ns << 6) | (more ? 0x20 : 0));

    t->rsp_chunk = chunk;
    t->sending = more;
    send_block(t, pcb, t->apdu + t->rsp_off, chunk, T1_LAST_I);
    t->send_ns ^= 1;
}

static void start_response(struct t1 *t, size_t rsp_len)
{
    t->rsp_len = rsp_len;
    t->rsp_off = 0;
    send_rsp_chunk(t);
}

static void execute(struct t1 *t, uint32_t now_ms)
{
    size_t rsp_len = 0;

    if (t->cmd_overflow) {
        t->apdu[0] = 0x67;
        t->apdu[1] = 0x00;
        start_response(t, 2);
        return;
    }
    if (t->io.execute(t->io.ctx, t->apdu, t->cmd_len, t->apdu_cap, &rsp_len)) {
        start_response(t, rsp_len);
        return;
    }
    t->pending = true;
    t->rsp_ready = false;
    t->wtx_outstanding = false;
    t->pending_since_ms = now_ms;
    t->next_wtx_ms = now_ms + t->cfg.wtx_interval_ms;
}

static void drop_chains(struct t1 *t)
{
    t->cmd_len = 0;
    t->cmd_overflow = false;
    t->sending = false;
}

void t1_init(struct t1 *t, const struct t1_config *cfg, const struct t1_io *io,
             uint8_t *apdu_buf, size_t apdu_cap)
{
    memset(t, 0, sizeof(*t));
    t->cfg = *cfg;
    t->io = *io;
    t->apdu = apdu_buf;
    t->apdu_cap = apdu_cap;
    t->ifsd = T1_DEFAULT_IFS;
    if (t->cfg.wtx_multiplier == 0) {
        t->cfg.wtx_multiplier = 1;
    }
}

static void on_i_block(struct t1 *t, uint8_t pcb, const uint8_t *inf,
                       size_t len, uint32_t now_ms)
{
    uint8_t ns = (pcb >> 6) & 1u;
    bool more = (pcb & 0x20) != 0;

    if (t->pending || t->sending) {
        /* Not expected now: our side has the turn. */
        send_r(t, 2);
        return;
    }
    if (ns != t->recv_ns) {
        /* Repeated I-block: never execute twice; repeat our answer. */
        if (t->last_kind != T1_LAST_NONE) {
            resend_last(t);
        } else {
            send_r(t, 2);
        }
        return;
    }
    t->recv_ns ^= 1;
    if (t->cmd_len + len > t->apdu_cap) {
        t->cmd_overflow = true;
    } else {
        memcpy(t->apdu + t->cmd_len, inf, len);
        t->cmd_len += len;
    }
    if (more) {
        send_r(t, 0);
        return;
    }
    execute(t, now_ms);
    t->cmd_len = 0;
    t->cmd_overflow = false;
}

static void on_r_block(struct t1 *t, uint8_t pcb)
{
    uint8_t nr = (pcb >> 4) & 1u;
    uint8_t last_ns = t->send_ns ^ 1u;   /* N(S) of our last I-block */

    if (t->pending) {
        if (t->wtx_outstanding) {
            resend_last(t);      /* our S(WTX request) was not received */
        }
        return;
    }
    if (t->sending) {
        /* Our chain: the other N(R) acknowledges, the same asks again. */
        if (nr == last_ns) {
            t->retransmits++;
        } else {
            t->rsp_off += t->rsp_chunk;
        }
        t->send_ns = last_ns ^ (nr == last_ns ? 0u : 1u);
        send_rsp_chunk(t);
        return;
    }
    switch (t->last_kind) {
    case T1_LAST_I:
        if (nr == last_ns) {
            resend_last(t);
        } else {
            /* The terminal's I-block was lost: ask for it again. */
            send_r(t, 0);
        }
        break;
    case T1_LAST_R:
    case T1_LAST_S:
        resend_last(t);
        break;
    default:
        send_r(t, 2);
        break;
    }
}

static void on_s_block(struct t1 *t, uint8_t pcb, const uint8_t *inf,
                       size_t len, uint32_t now_ms)
{
    uint8_t type = pcb & 0x1f;
    bool response = (pcb & T1_S_RESPONSE) != 0;

    if (response) {
        if (type == T1_S_WTX && t->wtx_outstanding && len == 1) {
            t->wtx_outstanding = false;
            t->next_wtx_ms = now_ms + t->cfg.wtx_interval_ms;
            if (t->rsp_ready) {
                t->pending = false;
                t->rsp_ready = false;
                start_response(t, t->rsp_len);
            } else {
                /* Our turn stays: nothing to send until the next WTX. */
                t->last_kind = T1_LAST_S;
            }
            return;
        }
        send_r(t, 2);
        return;
    }
    switch (type) {
    case T1_S_IFS:
        if (len != 1 || inf[0] == 0 || inf[0] == 0xff) {
            send_r(t, 2);
            return;
        }
        t->ifsd = inf[0];
        send_s(t, T1_S_IFS | T1_S_RESPONSE, inf, 1);
        break;
    case T1_S_RESYNCH:
        if (len != 0) {
            send_r(t, 2);
            return;
        }
        t->recv_ns = 0;
        t->send_ns = 0;
        t->ifsd = T1_DEFAULT_IFS;
        drop_chains(t);
        t->pending = false;
        t->rsp_ready = false;
        t->wtx_outstanding = false;
        send_s(t, T1_S_RESYNCH | T1_S_RESPONSE, NULL, 0);
        break;
    case T1_S_ABORT:
        if (len != 0) {
            send_r(t, 2);
            return;
        }
        drop_chains(t);
        send_s(t, T1_S_ABORT | T1_S_RESPONSE, NULL, 0);
        break;
    default:
        send_r(t, 2);
        break;
    }
}

/* An invalid block (bad EDC, bad structure, characters lost). */
static void on_invalid(struct t1 *t, uint8_t err)
{
    t->errors_rx++;
    if (t->last_kind == T1_LAST_S && !(t->last[1] & T1_S_RESPONSE)) {
        resend_last(t);   /* our S(request) again (rule 7.3) */
    } else if (t->pending && !t->wtx_outstanding) {
        /* nothing to answer while the card has the turn */
    } else {
        send_r(t, err);
    }
}

static void on_block(struct t1 *t, uint32_t now_ms)
{
    const uint8_t *b = t->rx;
    uint8_t pcb = b[1];
    size_t len = b[2];
    bool valid = t1_block_check(b, t->rx_len, t->cfg.crc);

    if (valid) {
        if ((pcb & 0x80) == 0) {
            valid = len <= t->cfg.ifsc && (pcb & 0x1f) == 0;
        } else if ((pcb & 0xc0) == T1_PCB_R) {
            valid = len == 0 && (pcb & 0x20) == 0 && (pcb & 0x0c) == 0;
        }
    }
    if (!valid) {
        bool edc = t1_block_check(b, t->rx_len, t->cfg.crc) == false &&
                   t->rx_len >= 4 && b[2] <= T1_MAX_INF;

        on_invalid(t, edc ? 1 : 2);
        return;
    }
    /* Answer with SAD and DAD swapped. */
    t->nad = (uint8_t)(((b[0] & 0x07) << 4) | ((b[0] >> 4) & 0x07));
    if ((pcb & 0x80) == 0) {
        on_i_block(t, pcb, b + 3, len, now_ms);
    } else if ((pcb & 0xc0) == T1_PCB_R) {
        on_r_block(t, pcb);
    } else {
        on_s_block(t, pcb, b + 3, len, now_ms);
    }
}

void t1_rx(struct t1 *t, const uint8_t *data, size_t n, uint32_t now_ms)
{
    size_t edc = t->cfg.crc ? 2 : 1;

    for (size_t i = 0; i < n; i++) {
        if (t->rx_len > 0 && now_ms - t->rx_last_ms > t->cfg.char_timeout_ms) {
            t->rx_len = 0;
            on_invalid(t, 1);
        }
        t->rx[t->rx_len++] = data[i];
        t->rx_last_ms = now_ms;
        if (t->rx_len >= 3 && t->rx_len == 3u + t->rx[2] + edc) {
            on_block(t, now_ms);
            t->rx_len = 0;
        }
    }
}

bool t1_needs_tick(const struct t1 *t)
{
    /* The conditions t1_tick() acts on. */
    return t->rx_len > 0 ||
           (t->pending && !t->rsp_ready && !t->wtx_outstanding);
}

void t1_tick(struct t1 *t, uint32_t now_ms)
{
    if (t->rx_len > 0 && now_ms - t->rx_last_ms > t->cfg.char_timeout_ms) {
        /* Characters lost: the partial block is invalid (R-block). */
        t->rx_len = 0;
        on_invalid(t, 1);
    }
    if (t->pending && !t->rsp_ready && !t->wtx_outstanding &&
        (int32_t)(now_ms - t->next_wtx_ms) >= 0) {
        uint8_t m = t->cfg.wtx_multiplier;

        t->wtx_outstanding = true;
        t->wtx_sent++;
        send_s(t, T1_S_WTX, &m, 1);
    }
}

void t1_response_ready(struct t1 *t, size_t rsp_len, uint32_t now_ms)
{
    (void)now_ms;
    if (!t->pending) {
        return;      /* dropped by RESYNCH */
    }
    if (t->wtx_outstanding) {
        t->rsp_ready = true;
        t->rsp_len = rsp_len;
        return;
    }
    t->pending = false;
    start_response(t, rsp_len);
}
