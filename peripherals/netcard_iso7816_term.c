/*
 * netcard ISO 7816 UART, terminal side (the interface device of ISO 7816-3
 * that drives the line for the host): activation (VCC, CLK, RST), the ATR
 * and its parameters, PPS, the characters it sends and receives, and every
 * waiting time on the virtual clock. Driven only by events (the host
 * bridge, its timers, characters from the card), never blocking the main
 * loop. The T=0 and T=1 exchanges are in netcard_iso7816_t0t1.c; the
 * contract between the files of the device is netcard_iso7816_internal.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/timer.h"
#include "qemu/host-utils.h"
#include "netcard_iso7816_uart.h"
#include "netcard_iso7816_internal.h"
#include "trace.h"

static const char *const term_state_names[] = {
    "off", "resetting", "atr", "pps", "ready", "mute",
};

const char *netcard_iso_term_state_name(NetcardIso7816State *s)
{
    return term_state_names[s->tstate];
}

/* term_timer reasons */
enum {
    TR_NONE = 0,
    TR_RST_RISE,       /* end of the RST low period */
    TR_WAIT,           /* waiting time for the card's next character */
};

#define RST_LOW_CLK           400     /* ISO 7816-3 6.2.2: >= 400 clocks */
#define ATR_FIRST_CLK         40000   /* ISO 7816-3 6.2.2: TS within 40000 */
#define INITIAL_WT_ETU        9600    /* ISO 7816-3 7.2 */
#define TERM_NACK_MAX         4       /* repetitions of a rejected character */

static const uint16_t fi_table[16] = {
    372, 372, 558, 744, 1116, 1488, 1860, 0,
    0, 512, 768, 1024, 1536, 2048, 0, 0,
};
static const uint8_t di_table[16] = {
    0, 1, 2, 4, 8, 16, 32, 64, 12, 20, 0, 0, 0, 0, 0, 0,
};

/* ------------------------------------------------------------------ */
/* Terminal: sending characters to the card                            */

static uint32_t term_char_etu(NetcardIso7816State *s)
{
    if (s->term_n == 255) {
        return s->protocol_sel == 1 && s->tstate == TS_READY ? 11 : 12;
    }
    return 12 + s->term_n;
}

/* Send one character of the queue; returns false if it has to wait. */
static bool term_send_one(NetcardIso7816State *s)
{
    uint8_t v = s->txq[s->txq_pos];
    uint8_t phys = line_encode(v, s->term_inverse);

    if (netcard_iso_card_rx_char(s, phys, s->term_inverse, s->term_f,
                                 s->term_d)) {
        if (++s->nack_tries > TERM_NACK_MAX) {
            netcard_iso_term_fail(s, "card rejected a character too often",
                                  true);
            return false;
        }
        s->cnt_retransmissions++;
        return true;            /* repeat the same character */
    }
    s->nack_tries = 0;
    s->txq_pos++;
    return true;
}

static void term_txq_done(NetcardIso7816State *s)
{
    s->txq_pos = s->txq_len = 0;
    netcard_iso_term_arm_wait(s);
}

void netcard_iso_term_txq_pump(NetcardIso7816State *s)
{
    if (s->real_timing || s->txq_pos >= s->txq_len) {
        return;
    }
    while (s->txq_pos < s->txq_len && line_active(s) &&
           netcard_iso_card_can_accept(s)) {
        if (!term_send_one(s)) {
            return;
        }
    }
    if (s->txq_len && s->txq_pos >= s->txq_len) {
        term_txq_done(s);
    }
}

static void term_tx_timer_cb(void *opaque)
{
    NetcardIso7816State *s = opaque;

    if (s->txq_pos >= s->txq_len || !line_active(s)) {
        return;
    }
    if (!term_send_one(s)) {
        return;
    }
    if (s->txq_pos >= s->txq_len) {
        term_txq_done(s);
        return;
    }
    timer_mod(s->term_tx_timer, now_ns() +
              etu_ns(s, term_char_etu(s), s->term_f, s->term_d));
}

void netcard_iso_term_send(NetcardIso7816State *s, const uint8_t *buf,
                           uint32_t len)
{
    bool was_idle = s->txq_pos >= s->txq_len;

    if (was_idle) {
        s->txq_pos = s->txq_len = 0;
    }
    if (len > NETCARD_ISO_TXQ_MAX - s->txq_len) {
        netcard_iso_term_fail(s, "terminal transmit queue overflow", true);
        return;
    }
    memcpy(s->txq + s->txq_len, buf, len);
    s->txq_len += len;
    /* bounded even if the card never takes the characters */
    netcard_iso_term_arm_wait(s);
    if (s->real_timing) {
        if (was_idle) {
            timer_mod(s->term_tx_timer, now_ns() +
                      etu_ns(s, term_char_etu(s), s->term_f, s->term_d));
        }
    } else {
        netcard_iso_term_txq_pump(s);
    }
}

static void term_flush(NetcardIso7816State *s)
{
    s->txq_pos = s->txq_len = 0;
    s->nack_tries = 0;
    timer_del(s->term_tx_timer);
}

/* ------------------------------------------------------------------ */
/* Terminal: timers                                                    */

static void term_set_timer(NetcardIso7816State *s, uint32_t reason,
                           int64_t delay_ns)
{
    s->timer_reason = reason;
    timer_mod(s->term_timer, now_ns() + delay_ns);
}

void netcard_iso_term_stop_timer(NetcardIso7816State *s)
{
    s->timer_reason = TR_NONE;
    timer_del(s->term_timer);
}

/* Waiting time for the card's next character in the current state. */
void netcard_iso_term_arm_wait(NetcardIso7816State *s)
{
    int64_t t;

    if (!s->real_timing) {
        t = (int64_t)s->fast_wait_ms * SCALE_MS;
        if (s->wtx > 1) {
            t *= s->wtx;
        }
    } else if (s->tstate == TS_ATR && !s->atr_len && s->atr_unsolicited) {
        /* no RST edge to count from: the card boots, then answers */
        t = (int64_t)s->fast_wait_ms * SCALE_MS;
    } else if (s->tstate == TS_ATR) {
        t = s->atr_len ? etu_ns(s, INITIAL_WT_ETU, 372, 1)
                       : clk_ns(s, ATR_FIRST_CLK);
    } else if (s->tstate == TS_PPS) {
        t = etu_ns(s, INITIAL_WT_ETU, 372, 1);
    } else if (s->xfer == XFER_T1) {
        if (s->t1_rx_len) {
            /* CWT = (11 + 2^CWI) etu */
            t = etu_ns(s, 11 + (1u << s->cwi), s->term_f, s->term_d);
        } else {
            /* BWT = 11 etu + 2^BWI * 960 * 372 / f (ISO 7816-3 11.4.3) */
            t = etu_ns(s, 11, s->term_f, s->term_d) +
                clk_ns(s, (uint64_t)(1u << s->bwi) * 960 * 372) *
                (s->wtx ? s->wtx : 1);
        }
    } else {
        /* T=0 WT = WI * 960 * Fi / f (ISO 7816-3 10.2) */
        t = clk_ns(s, (uint64_t)s->wi * 960 * s->term_f);
    }
    term_set_timer(s, TR_WAIT, t);
}

/* ------------------------------------------------------------------ */
/* Terminal: activation, ATR, PPS                                      */

static void term_reset_link(NetcardIso7816State *s)
{
    term_flush(s);
    netcard_iso_term_stop_timer(s);
    s->term_f = NETCARD_ISO_DEFAULT_F;
    s->term_d = NETCARD_ISO_DEFAULT_D;
    s->term_n = 0;
    s->term_inverse = false;
    s->protocol_sel = 0;
    s->atr_len = 0;
    s->atr_valid = false;
    s->pps_resp_len = 0;
    s->wtx = 0;
    s->xfer = XFER_NONE;
    s->t1_rx_len = 0;
    s->atr_unsolicited = false;
}

static void term_set_state(NetcardIso7816State *s, uint32_t st)
{
    s->tstate = st;
    trace_netcard_iso_state(term_state_names[st]);
    netcard_iso_lockstep_settle(s);
}

/* Ask for a chip reset; RST rises 400 clocks after it has happened. */
static void term_request_chip_reset(NetcardIso7816State *s,
                                    NetcardResetCause cause)
{
    term_set_state(s, TS_RESETTING);
    if (s->sysctl) {
        s->reset_pending = true;
        netcard_sysctl_request_reset(s->sysctl, cause);
    } else {
        term_set_timer(s, TR_RST_RISE, clk_ns(s, RST_LOW_CLK));
    }
}

void netcard_iso_term_power_on(NetcardIso7816State *s)
{
    trace_netcard_iso_power(true);
    term_reset_link(s);
    s->pps_failed = false;
    netcard_iso_set_line(s, true, false, true);
    term_request_chip_reset(s, NETCARD_RESET_POWER_ON);
}

void netcard_iso_term_power_off(NetcardIso7816State *s)
{
    trace_netcard_iso_power(false);
    term_reset_link(s);
    s->reset_pending = false;
    netcard_iso_set_line(s, false, false, false);
    term_set_state(s, TS_OFF);
}

void netcard_iso_term_warm_reset(NetcardIso7816State *s)
{
    term_reset_link(s);
    netcard_iso_set_line(s, true, false, true);
    term_request_chip_reset(s, NETCARD_RESET_WARM);
}

/* Bytes the ATR needs so far; -1 if malformed (longer than 33). */
static int atr_needed(const uint8_t *a, uint32_t have)
{
    uint32_t pos = 2, y, k;
    bool tck = false;

    if (have < 2) {
        return 2;
    }
    y = a[1] >> 4;
    k = a[1] & 0xf;
    for (;;) {
        uint32_t n = ctpop32(y);

        if (pos + n > have) {
            return pos + n > NETCARD_ISO_ATR_MAX ? -1 : (int)(pos + n);
        }
        pos += n;
        if (!(y & 8)) {
            break;
        }
        if (a[pos - 1] & 0xf) {
            tck = true;
        }
        y = a[pos - 1] >> 4;
    }
    pos += k + (tck ? 1 : 0);
    return pos > NETCARD_ISO_ATR_MAX ? -1 : (int)pos;
}

typedef struct AtrInfo {
    bool ta1_present;
    uint8_t ta1;
    bool specific;           /* TA2 present */
    uint8_t ta2;
    uint8_t n;
    uint8_t wi;
    bool offers[2];
    int first_t;
    uint8_t ifsc, bwi, cwi;
    bool crc;
} AtrInfo;

/* Full check of a complete ATR (ISO 7816-3 8.2). NULL if valid. */
static const char *atr_parse(const uint8_t *a, uint32_t len, AtrInfo *ai)
{
    uint32_t pos = 2, i = 1, y = a[1] >> 4, k = a[1] & 0xf;
    int prev_t = -1;
    bool t1_seen_ta = false, t1_seen_tb = false, t1_seen_tc = false;
    bool need_tck = false;

    memset(ai, 0, sizeof(*ai));
    ai->wi = 10;
    ai->ifsc = 32;
    ai->bwi = 4;
    ai->cwi = 13;
    ai->first_t = -1;
    if (a[0] != 0x3b && a[0] != 0x3f) {
        return "bad TS";
    }
    for (;;) {
        uint8_t ta = 0, tb = 0, tc = 0, td = 0;
        bool has_ta = y & 1, has_tb = y & 2, has_tc = y & 4, has_td = y & 8;

        if (has_ta) {
            ta = a[pos++];
        }
        if (has_tb) {
            tb = a[pos++];
        }
        if (has_tc) {
            tc = a[pos++];
        }
        if (has_td) {
            td = a[pos++];
        }
        if (i == 1) {
            ai->ta1_present = has_ta;
            ai->ta1 = ta;
            ai->n = has_tc ? tc : 0;
        } else if (i == 2) {
            ai->specific = has_ta;
            ai->ta2 = ta;
            if (has_tc) {
                if (tc == 0) {
                    return "TC2 = 0";
                }
                ai->wi = tc;
            }
        } else if (prev_t == 1) {
            if (has_ta && !t1_seen_ta) {
                if (ta == 0 || ta == 0xff) {
                    return "bad IFSC";
                }
                ai->ifsc = ta;
                t1_seen_ta = true;
            }
            if (has_tb && !t1_seen_tb) {
                ai->bwi = tb >> 4;
                ai->cwi = tb & 0xf;
                if (ai->bwi > 9) {
                    return "bad BWI";
                }
                t1_seen_tb = true;
            }
            if (has_tc && !t1_seen_tc) {
                ai->crc = tc & 1;
                t1_seen_tc = true;
            }
        }
        (void)tb;
        if (!has_td) {
            break;
        }
        prev_t = td & 0xf;
        if (prev_t != 0) {
            need_tck = true;
        }
        if (prev_t <= 1) {
            ai->offers[prev_t] = true;
        }
        if (ai->first_t < 0 && prev_t != 15) {
            ai->first_t = prev_t;
        }
        y = td >> 4;
        i++;
    }
    pos += k;
    if (ai->first_t < 0) {
        ai->first_t = 0;
        ai->offers[0] = true;
    }
    if (need_tck) {
        uint8_t x = 0;

        if (pos + 1 != len) {
            return "length";
        }
        for (uint32_t j = 1; j < len; j++) {
            x ^= a[j];
        }
        if (x) {
            return "bad TCK";
        }
    } else if (pos != len) {
        return "length";
    }
    if (!ai->offers[0] && !ai->offers[1]) {
        return "neither T=0 nor T=1 offered";
    }
    return NULL;
}

static void term_ready(NetcardIso7816State *s)
{
    netcard_iso_term_stop_timer(s);
    term_set_state(s, TS_READY);
    s->t1_ns = 0;
    s->t1_nr = 0;
    s->t1_need_ifs = true;
    trace_netcard_iso_params(s->term_f, s->term_d, s->term_n, s->protocol_sel);
    netcard_iso_host_resume(s);
}

static void term_atr_done(NetcardIso7816State *s)
{
    AtrInfo ai;
    const char *err = atr_parse(s->atr, s->atr_len, &ai);
    int want;

    trace_netcard_iso_atr(s->atr_len, err ? err : "valid");
    if (err) {
        netcard_iso_term_fail(s, err, true);
        return;
    }
    s->atr_valid = true;
    /* ISO 7816-3 8.2: the ATR starts within 40000 clocks of RST rising */
    s->atr_latency_us = (uint32_t)MIN((now_ns() - s->rst_rise_ns) / 1000,
                                      UINT32_MAX);
    memcpy(s->card_atr, s->atr, s->atr_len);
    s->card_atr_len = s->atr_len;
    s->card_mute = false;
    s->term_n = ai.n;
    s->wi = ai.wi;
    s->ifsc = ai.ifsc;
    s->bwi = ai.bwi;
    s->cwi = ai.cwi;
    s->edc_crc = ai.crc;

    /* Protocol: forced, else T=1 when offered (auto), else T=0. */
    want = s->forced_protocol >= 0 ? s->forced_protocol :
           (ai.offers[1] ? 1 : 0);
    if (!ai.offers[want]) {
        trace_netcard_iso_error("forced protocol not offered by the ATR");
        want = ai.first_t <= 1 ? ai.first_t : 0;
    }

    if (ai.specific) {
        /* Specific mode (TA2): no PPS; TA1 applies unless TA2 b5 says not */
        s->protocol_sel = ai.ta2 & 0xf;
        if (s->protocol_sel > 1) {
            netcard_iso_term_fail(s, "specific mode with an unsupported "
                                  "protocol", true);
            return;
        }
        if (ai.ta1_present && !(ai.ta2 & 0x10) &&
            fi_table[ai.ta1 >> 4] && di_table[ai.ta1 & 0xf]) {
            s->term_f = fi_table[ai.ta1 >> 4];
            s->term_d = di_table[ai.ta1 & 0xf];
        }
        term_ready(s);
        return;
    }

    {
        bool fd = s->pps && !s->pps_failed && ai.ta1_present &&
                  ai.ta1 != 0x11 && ai.ta1 != 0x01 &&
                  fi_table[ai.ta1 >> 4] && di_table[ai.ta1 & 0xf];
        bool proto = want != ai.first_t;
        uint8_t pck;

        if (s->pps_failed || (!fd && !proto)) {
            s->protocol_sel = s->pps_failed ? (ai.first_t <= 1 ? ai.first_t : 0)
                                            : want;
            term_ready(s);
            return;
        }
        s->pps_req_len = 0;
        s->pps_req[s->pps_req_len++] = 0xff;
        s->pps_req[s->pps_req_len++] = (fd ? 0x10 : 0) | want;
        if (fd) {
            s->pps_req[s->pps_req_len++] = ai.ta1;
        }
        pck = 0;
        for (uint32_t j = 0; j < s->pps_req_len; j++) {
            pck ^= s->pps_req[j];
        }
        s->pps_req[s->pps_req_len++] = pck;
        s->protocol_sel = want;
        s->pps_resp_len = 0;
        term_set_state(s, TS_PPS);
        trace_netcard_iso_pps(s->pps_req[1], fd ? ai.ta1 : 0x11, "request");
        netcard_iso_term_send(s, s->pps_req, s->pps_req_len);
        netcard_iso_term_arm_wait(s);
    }
}

static uint32_t pps_needed(const uint8_t *p, uint32_t have)
{
    if (have < 2) {
        return 2;
    }
    return 3 + !!(p[1] & 0x10) + !!(p[1] & 0x20) + !!(p[1] & 0x40);
}

/* PPS failed: warm reset, then default parameters (ISO 7816-3 9.3). */
static void term_pps_failed(NetcardIso7816State *s, const char *why)
{
    trace_netcard_iso_pps(s->pps_req[1], 0, why);
    netcard_iso_term_warm_reset(s);
    s->pps_failed = true;
}

static void term_pps_done(NetcardIso7816State *s)
{
    const uint8_t *r = s->pps_resp;
    uint8_t x = 0;
    uint32_t n = s->pps_resp_len;

    for (uint32_t j = 0; j < n; j++) {
        x ^= r[j];
    }
    if (x || r[0] != 0xff || (r[1] & 0xf) != (s->pps_req[1] & 0xf) ||
        (r[1] & 0x60) || ((r[1] & 0x10) && !(s->pps_req[1] & 0x10)) ||
        ((r[1] & 0x10) && r[2] != s->pps_req[2])) {
        term_pps_failed(s, "bad response");
        return;
    }
    if (r[1] & 0x10) {
        s->term_f = fi_table[r[2] >> 4];
        s->term_d = di_table[r[2] & 0xf];
    }
    trace_netcard_iso_pps(r[1], (r[1] & 0x10) ? r[2] : 0x11, "accepted");
    term_ready(s);
}

/*
 * The exchange (or activation) failed: trace, answer the host with an
 * empty frame if it waits for something, and deactivate if asked.
 */
void netcard_iso_term_fail(NetcardIso7816State *s, const char *why,
                           bool deactivate)
{
    trace_netcard_iso_fail(why, term_state_names[s->tstate]);
    s->cnt_host_errors++;
    netcard_iso_xfer_end(s);
    if (deactivate) {
        if (s->tstate == TS_ATR || s->tstate == TS_PPS ||
            s->tstate == TS_RESETTING) {
            /* no (usable) ATR: keep power, report no card */
            if (s->tstate != TS_PPS) {
                s->card_atr_len = 0;
                s->card_mute = true;
            }
            term_flush(s);
            term_set_state(s, TS_MUTE);
        } else {
            netcard_iso_term_power_off(s);
        }
    }
    if (s->host_busy) {
        netcard_iso_host_reply(s, NULL, 0);
        netcard_iso_host_done(s);
    }
}

/* ------------------------------------------------------------------ */
/* Terminal: characters from the card, timers                          */

void netcard_iso_term_rx_char(NetcardIso7816State *s, uint8_t v, bool err)
{
    switch (s->tstate) {
    case TS_ATR: {
        int need;

        if (err) {
            return;     /* signalled; the card repeats */
        }
        /* TS: 3B in direct convention or 3F in inverse, nothing else */
        if (s->atr_len == 0 && !(v == 0x3b && !s->term_inverse) &&
            !(v == 0x3f && s->term_inverse)) {
            netcard_iso_term_fail(s, "bad TS", true);
            return;
        }
        s->atr[s->atr_len++] = v;
        need = atr_needed(s->atr, s->atr_len);
        if (need < 0) {
            netcard_iso_term_fail(s, "ATR longer than 33 bytes", true);
            return;
        }
        if ((uint32_t)need == s->atr_len && s->atr_len >= 2) {
            netcard_iso_term_stop_timer(s);
            term_atr_done(s);
            return;
        }
        netcard_iso_term_arm_wait(s);
        return;
    }
    case TS_PPS:
        if (err) {
            return;
        }
        s->pps_resp[s->pps_resp_len++] = v;
        if (s->pps_resp_len == pps_needed(s->pps_resp, s->pps_resp_len)) {
            netcard_iso_term_stop_timer(s);
            term_pps_done(s);
            return;
        }
        if (s->pps_resp_len >= sizeof(s->pps_resp)) {
            term_pps_failed(s, "bad response");
            return;
        }
        netcard_iso_term_arm_wait(s);
        return;
    case TS_READY:
        netcard_iso_xfer_rx(s, v, err);
        return;
    default:
        trace_netcard_iso_error("character from the card ignored");
        return;
    }
}

static void term_timer_cb(void *opaque)
{
    NetcardIso7816State *s = opaque;
    uint32_t reason = s->timer_reason;

    s->timer_reason = TR_NONE;
    switch (reason) {
    case TR_RST_RISE:
        if (s->tstate != TS_RESETTING) {
            return;
        }
        term_set_state(s, TS_ATR);
        s->atr_len = 0;
        s->rst_rise_ns = now_ns();
        netcard_iso_set_line(s, true, true, true);
        netcard_iso_term_arm_wait(s);
        netcard_iso_card_tx_kick(s);
        return;
    case TR_WAIT:
        if (s->tstate == TS_ATR) {
            netcard_iso_term_fail(s, s->atr_len ?
                                  "ATR incomplete (waiting time)" :
                                  "no ATR (mute card)", true);
        } else if (s->tstate == TS_PPS) {
            term_pps_failed(s, "no response");
        } else {
            netcard_iso_xfer_timeout(s);
        }
        return;
    default:
        return;
    }
}

/*
 * A reset the terminal did not cause: QMP system_reset, a power cycle,
 * the watchdog, a software reset (the card OS's fault handler), a tear.
 * RST stayed high, so the card, back at F = 372, D = 1 and with no
 * protocol state, sends a new ATR by itself once it has booted. A reader
 * takes TS arriving when it expects no ATR as that: it drops the
 * exchange in progress and reads the ATR with the default parameters,
 * then PPS and the protocol start again as after any activation.
 *
 * The host hears of it the one way vpcd has: the error answer (empty
 * frame), at once for the exchange the reset cut, else for the host's
 * next frame (then pcscd sees the card removed and inserted again).
 * While the card is off (RST low) it stays silent; while the terminal
 * activates it, reading the ATR simply starts again; a mute card stays
 * mute until the host powers it again.
 */
static void term_unsolicited_reset(NetcardIso7816State *s)
{
    uint32_t was = s->tstate;
    bool cut = was == TS_READY && s->host_busy;

    if (was != TS_READY && was != TS_ATR && was != TS_PPS) {
        return;
    }
    trace_netcard_iso_card_reset(term_state_names[was], cut);
    term_reset_link(s);
    s->pps_failed = false;
    s->atr_unsolicited = true;
    s->rst_rise_ns = now_ns();
    /* first the new state, so that a queued frame waits for the ATR */
    term_set_state(s, TS_ATR);
    netcard_iso_term_arm_wait(s);
    if (cut) {
        s->cnt_host_errors++;
        netcard_iso_host_reply(s, NULL, 0);
        netcard_iso_host_done(s);
    } else if (was == TS_READY) {
        s->reset_report = true;
    }
}

/*
 * The chip has been reset: after the reset the terminal asked for
 * (power-on or warm), RST rises RST_LOW_CLK clocks later; any other was
 * the card's own. Called from the device's reset.
 */
void netcard_iso_term_chip_reset_done(NetcardIso7816State *s)
{
    if (s->reset_pending) {
        s->reset_pending = false;
        if (s->tstate == TS_RESETTING) {
            term_set_timer(s, TR_RST_RISE, clk_ns(s, RST_LOW_CLK));
        }
        return;
    }
    term_unsolicited_reset(s);
}

bool netcard_iso_term_take_reset_report(NetcardIso7816State *s)
{
    bool r = s->reset_report;

    s->reset_report = false;
    return r;
}

void netcard_iso_term_forget_reset_report(NetcardIso7816State *s)
{
    s->reset_report = false;
}

void netcard_iso_term_realize(NetcardIso7816State *s)
{
    s->term_tx_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, term_tx_timer_cb, s);
    s->term_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, term_timer_cb, s);
    s->term_f = NETCARD_ISO_DEFAULT_F;
    s->term_d = NETCARD_ISO_DEFAULT_D;
    s->tstate = TS_OFF;
    /* ISO 7816-3 defaults until an ATR says otherwise */
    s->wi = 10;
    s->ifsc = 32;
    s->bwi = 4;
    s->cwi = 13;
}

void netcard_iso_term_unrealize(NetcardIso7816State *s)
{
    timer_free(s->term_tx_timer);
    timer_free(s->term_timer);
}
