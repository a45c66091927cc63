/*
 * netcard ISO 7816 UART: card side of the contact interface and, inside the
 * same device, the terminal (interface device) that faces the host with
 * vsmartcard's vpcd framing on a chardev. Register map and line model:
 * netcard_iso7816_uart.h; behaviour, properties and error answers:
 * docs/iso7816.md.
 *
 * Structure of this file:
 *  - card side: registers, FIFOs, interrupts, character transmission;
 *  - the line: a character carries its physical pattern, the sender's
 *    convention and etu; the receiver decodes it with its own settings, so
 *    a convention or etu mismatch shows up as a parity error;
 *  - terminal: activation (VCC, CLK, RST), ATR, PPS, T=0 and T=1, driven
 *    only by events (chardev callbacks, virtual-clock timers, the card's
 *    DATA writes), never blocking the main loop;
 *  - host side: vpcd frames in, answers out (non-blocking writes).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/timer.h"
#include "qemu/host-utils.h"
#include "qapi/error.h"
#include "hw/irq.h"
#include "hw/qdev-properties.h"
#include "hw/qdev-properties-system.h"
#include "migration/vmstate.h"
#include "chardev/char-fe.h"
#include "chardev/char-socket.h"
#include "io/channel-socket.h"
#include "netcard_iso7816_uart.h"
#include "trace.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

/* Terminal states */
enum {
    TS_OFF = 0,        /* VCC off */
    TS_RESETTING,      /* VCC on, RST low: chip reset, then >= 400 CLK */
    TS_ATR,            /* RST high, reading the ATR */
    TS_PPS,            /* PPS request sent, reading the response */
    TS_READY,          /* ATR (and PPS) done: exchanges possible */
    TS_MUTE,           /* powered, but no valid ATR: no card */
};

static const char *const term_state_names[] = {
    "off", "resetting", "atr", "pps", "ready", "mute",
};

/* term_timer reasons */
enum {
    TR_NONE = 0,
    TR_RST_RISE,       /* end of the RST low period */
    TR_WAIT,           /* waiting time for the card's next character */
};

/* Exchanges */
enum { XFER_NONE = 0, XFER_T0, XFER_T1 };

/* T=0 sub-states */
enum { T0_PROC = 0, T0_DATA, T0_DATA1, T0_SW2 };
/* T=1 sub-states */
enum { T1_WAIT = 0, T1_WAIT_IFS, T1_WAIT_RESYNCH };

/*
 * The bound in timing=fast (property fast-wait-ms), in virtual time: the
 * card OS boots and runs in the same QEMU, so it is generous (a first boot
 * formats the store before the ATR).
 */
#define FAST_WAIT_DEFAULT_MS  5000

#define RST_LOW_CLK           400     /* ISO 7816-3 6.2.2: >= 400 clocks */
#define ATR_FIRST_CLK         40000   /* ISO 7816-3 6.2.2: TS within 40000 */
#define INITIAL_WT_ETU        9600    /* ISO 7816-3 7.2 */
#define TERM_NACK_MAX         4       /* repetitions of a rejected character */
#define T1_RETRY_MAX          3
#define T1_IFSD               254

static const uint16_t fi_table[16] = {
    372, 372, 558, 744, 1116, 1488, 1860, 0,
    0, 512, 768, 1024, 1536, 2048, 0, 0,
};
static const uint8_t di_table[16] = {
    0, 1, 2, 4, 8, 16, 32, 64, 12, 20, 0, 0, 0, 0, 0, 0,
};

static void term_rx_char(NetcardIso7816State *s, uint8_t value, bool err);
static void term_fail(NetcardIso7816State *s, const char *why, bool deactivate);
static void term_txq_pump(NetcardIso7816State *s);
static void host_dispatch(NetcardIso7816State *s);
static void host_resume(NetcardIso7816State *s);

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static uint8_t bitrev8(uint8_t b)
{
    b = (b & 0xf0) >> 4 | (b & 0x0f) << 4;
    b = (b & 0xcc) >> 2 | (b & 0x33) << 2;
    b = (b & 0xaa) >> 1 | (b & 0x55) << 1;
    return b;
}

/* Logical byte -> levels of the 8 data bits in transmission order. */
static uint8_t line_encode(uint8_t v, bool inverse)
{
    return inverse ? bitrev8((uint8_t)~v) : v;
}

static uint8_t line_decode(uint8_t phys, bool inverse)
{
    return inverse ? (uint8_t)~bitrev8(phys) : phys;
}

static uint32_t card_f(NetcardIso7816State *s)
{
    return FIELD_EX32(s->etu, ISO_ETU, F);
}

static uint32_t card_d(NetcardIso7816State *s)
{
    return FIELD_EX32(s->etu, ISO_ETU, D);
}

/* Duration of ETUS elementary time units at F/D, in ns of virtual time. */
static int64_t etu_ns(NetcardIso7816State *s, uint64_t etus, uint32_t f,
                      uint32_t d)
{
    return (int64_t)((__int128_t)etus * f * NANOSECONDS_PER_SECOND /
                     ((uint64_t)d * s->clk_hz));
}

static int64_t clk_ns(NetcardIso7816State *s, uint64_t clocks)
{
    return muldiv64_round_up(clocks, NANOSECONDS_PER_SECOND, s->clk_hz);
}

static int64_t now_ns(void)
{
    return qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
}

static bool line_active(NetcardIso7816State *s)
{
    return s->vcc && s->rst && s->clk;
}

/* ------------------------------------------------------------------ */
/* Card side                                                           */

static uint32_t card_status(NetcardIso7816State *s)
{
    uint32_t v = 0;

    v = FIELD_DP32(v, ISO_STATUS, RXNE, s->rx_count > 0);
    v = FIELD_DP32(v, ISO_STATUS, TXNF, s->tx_count < NETCARD_ISO_FIFO_DEPTH);
    v = FIELD_DP32(v, ISO_STATUS, TXIDLE, s->tx_count == 0 && !s->tx_busy);
    v |= s->isr_sticky & (R_ISO_STATUS_PARERR_MASK | R_ISO_STATUS_OVERRUN_MASK |
                          R_ISO_STATUS_TXFAIL_MASK);
    v = FIELD_DP32(v, ISO_STATUS, RXCOUNT, s->rx_count);
    v = FIELD_DP32(v, ISO_STATUS, TXCOUNT, s->tx_count);
    return v;
}

static uint32_t card_isr(NetcardIso7816State *s)
{
    uint32_t st = card_status(s);

    return (st & (R_ISO_ISR_RXNE_MASK | R_ISO_ISR_TXNF_MASK |
                  R_ISO_ISR_TXIDLE_MASK)) | s->isr_sticky;
}

static void card_update_irq(NetcardIso7816State *s)
{
    qemu_set_irq(s->irq, (card_isr(s) & s->ier) != 0);
}

static void set_line(NetcardIso7816State *s, bool vcc, bool rst, bool clk)
{
    if (rst != s->rst) {
        s->isr_sticky |= R_ISO_ISR_RST_MASK;
    }
    s->vcc = vcc;
    s->rst = rst;
    s->clk = clk;
    trace_netcard_iso_line(vcc, rst, clk);
    card_update_irq(s);
}

/*
 * A character arrives at the card's receiver. PHYS is the level pattern,
 * SENDER_INVERSE the sender's convention, F/D the sender's etu. Returns
 * true if the card signals an error (the sender should repeat).
 */
static bool card_rx_char(NetcardIso7816State *s, uint8_t phys,
                         bool sender_inverse, uint32_t f, uint32_t d)
{
    bool inverse = FIELD_EX32(s->ctrl, ISO_CTRL, INVERSE);
    bool etu_ok = (uint64_t)f * card_d(s) == (uint64_t)card_f(s) * d;
    bool good = etu_ok && inverse == sender_inverse;
    uint8_t v = etu_ok ? line_decode(phys, inverse) : (uint8_t)(phys ^ 0xa5);

    if (!FIELD_EX32(s->ctrl, ISO_CTRL, EN)) {
        trace_netcard_iso_char("term>card lost (receiver off)", v, false);
        return false;
    }
    s->cnt_to_card++;
    if (s->inject_rx_parity) {
        s->inject_rx_parity--;
        good = false;
    }
    trace_netcard_iso_char("term>card", v, !good);
    if (!good) {
        s->cnt_parity_errors++;
        s->isr_sticky |= R_ISO_ISR_PARERR_MASK;
        if (FIELD_EX32(s->ctrl, ISO_CTRL, ERRSIG)) {
            card_update_irq(s);
            return true;
        }
    }
    if (s->rx_count >= NETCARD_ISO_FIFO_DEPTH) {
        s->isr_sticky |= R_ISO_ISR_OVERRUN_MASK;
        trace_netcard_iso_error("card RX FIFO overrun");
    } else {
        s->rx_fifo[(s->rx_head + s->rx_count) % NETCARD_ISO_FIFO_DEPTH] = v;
        s->rx_count++;
    }
    card_update_irq(s);
    return false;
}

static bool card_etu_matches(NetcardIso7816State *s)
{
    return (uint64_t)s->term_f * card_d(s) == (uint64_t)card_f(s) * s->term_d;
}

/*
 * timing=fast flow control: the terminal only sends when the card can
 * take the character, i.e. EN set, room in the RX FIFO, and the card's
 * ETU already switched to the terminal's (after PPS the card writes ETU
 * once its response has left; with no line time there is no other way
 * to give it that moment). timing=real sends regardless, as a line does.
 */
static bool card_can_accept(NetcardIso7816State *s)
{
    return FIELD_EX32(s->ctrl, ISO_CTRL, EN) &&
           s->rx_count < NETCARD_ISO_FIFO_DEPTH && card_etu_matches(s);
}

/* Guard time of the card's characters in etu (GUARD.N, 255: 11 or 12). */
static uint32_t card_char_etu(NetcardIso7816State *s)
{
    uint32_t n = FIELD_EX32(s->guard, ISO_GUARD, N);

    if (n == 255) {
        return FIELD_EX32(s->ctrl, ISO_CTRL, ERRSIG) ? 12 : 11;
    }
    return 12 + n;
}

/*
 * The character in tx_shift has been sent completely: hand it to the
 * terminal. Returns true if it must be repeated.
 */
static bool card_tx_deliver(NetcardIso7816State *s)
{
    bool inverse = FIELD_EX32(s->ctrl, ISO_CTRL, INVERSE);
    uint8_t phys = line_encode(s->tx_shift, inverse);
    bool etu_ok = (uint64_t)card_f(s) * s->term_d ==
                  (uint64_t)s->term_f * card_d(s);
    bool good = etu_ok && inverse == s->term_inverse;
    uint8_t v = etu_ok ? line_decode(phys, s->term_inverse) :
                (uint8_t)(phys ^ 0xa5);
    bool nack = false;

    if (!line_active(s)) {
        trace_netcard_iso_char("card>term lost (line inactive)", s->tx_shift,
                               false);
        return false;
    }
    s->cnt_from_card++;
    /*
     * TS: the terminal does not know the convention yet; it recognises
     * the pattern of 3B (direct) or 3F (inverse).
     */
    if (s->tstate == TS_ATR && s->atr_len == 0 && etu_ok) {
        if (inverse && line_decode(phys, true) == 0x3f) {
            s->term_inverse = true;
            good = true;
            v = 0x3f;
        } else if (!inverse && phys == 0x3b) {
            s->term_inverse = false;
            good = true;
            v = 0x3b;
        }
    }
    if (s->inject_tx_nack) {
        s->inject_tx_nack--;
        nack = true;
    } else if (!good && (s->tstate == TS_ATR || s->tstate == TS_PPS ||
                         (s->tstate == TS_READY && s->protocol_sel == 0))) {
        /* The terminal signals errors during ATR, PPS and under T=0. */
        nack = true;
    }
    trace_netcard_iso_char(nack ? "card>term rejected" : "card>term", v,
                           !good);
    if (!good) {
        s->cnt_parity_errors++;
    }
    if (nack) {
        if (FIELD_EX32(s->ctrl, ISO_CTRL, AUTORETX) &&
            s->tx_attempt < FIELD_EX32(s->ctrl, ISO_CTRL, RETRIES)) {
            s->tx_attempt++;
            s->cnt_retransmissions++;
            return true;
        }
        s->isr_sticky |= R_ISO_ISR_TXFAIL_MASK;
        trace_netcard_iso_error("card character dropped after rejections");
        return false;
    }
    term_rx_char(s, v, !good);
    return false;
}

static void card_tx_kick(NetcardIso7816State *s);

static void card_tx_start(NetcardIso7816State *s)
{
    s->tx_shift = s->tx_fifo[s->tx_head];
    s->tx_head = (s->tx_head + 1) % NETCARD_ISO_FIFO_DEPTH;
    s->tx_count--;
    s->tx_attempt = 0;
    s->tx_busy = true;
}

static void card_tx_timer_cb(void *opaque)
{
    NetcardIso7816State *s = opaque;

    if (!s->tx_busy) {
        return;
    }
    if (card_tx_deliver(s)) {
        timer_mod(s->card_tx_timer, now_ns() +
                  etu_ns(s, card_char_etu(s), card_f(s), card_d(s)));
        return;
    }
    s->tx_busy = false;
    card_tx_kick(s);
    card_update_irq(s);
}

static void card_tx_kick(NetcardIso7816State *s)
{
    if (!FIELD_EX32(s->ctrl, ISO_CTRL, EN)) {
        return;
    }
    if (s->real_timing) {
        if (!s->tx_busy && s->tx_count) {
            card_tx_start(s);
            timer_mod(s->card_tx_timer, now_ns() +
                      etu_ns(s, card_char_etu(s), card_f(s), card_d(s)));
        }
        return;
    }
    /* timing=fast: characters reach the terminal as they are written. */
    while (s->tx_count && FIELD_EX32(s->ctrl, ISO_CTRL, EN)) {
        card_tx_start(s);
        while (card_tx_deliver(s)) {
            /* repeated at once */
        }
        s->tx_busy = false;
    }
}

static void card_reset_regs(NetcardIso7816State *s)
{
    s->ctrl = 0;
    s->etu = FIELD_DP32(0, ISO_ETU, F, NETCARD_ISO_DEFAULT_F);
    s->etu = FIELD_DP32(s->etu, ISO_ETU, D, NETCARD_ISO_DEFAULT_D);
    s->guard = 0;
    s->ier = 0;
    s->isr_sticky = 0;
    s->rx_head = s->rx_count = 0;
    s->tx_head = s->tx_count = 0;
    s->tx_busy = false;
    s->tx_attempt = 0;
    timer_del(s->card_tx_timer);
}

static uint64_t iso_read(void *opaque, hwaddr offset, unsigned size)
{
    NetcardIso7816State *s = opaque;
    uint64_t v = 0;

    switch (offset) {
    case A_ISO_DATA:
        if (s->rx_count) {
            v = s->rx_fifo[s->rx_head];
            s->rx_head = (s->rx_head + 1) % NETCARD_ISO_FIFO_DEPTH;
            s->rx_count--;
            if (!s->real_timing) {
                term_txq_pump(s);
            }
            card_update_irq(s);
        }
        break;
    case A_ISO_STATUS:
        v = card_status(s);
        break;
    case A_ISO_CTRL:
        v = s->ctrl;
        break;
    case A_ISO_ETU:
        v = s->etu;
        break;
    case A_ISO_GUARD:
        v = s->guard;
        break;
    case A_ISO_IER:
        v = s->ier;
        break;
    case A_ISO_ISR:
        v = card_isr(s);
        break;
    case A_ISO_LINE:
        v = FIELD_DP32(v, ISO_LINE, VCC, s->vcc);
        v = FIELD_DP32(v, ISO_LINE, RST, s->rst);
        v = FIELD_DP32(v, ISO_LINE, CLK, s->clk);
        break;
    case A_ISO_CLK_HZ:
        v = s->clk_hz;
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-iso7816-uart: read of unknown "
                      "register 0x%03" HWADDR_PRIx "\n", offset);
        break;
    }
    trace_netcard_iso_read(offset, v);
    return v;
}

#define ISO_CTRL_MASK 0x7fu
#define ISO_IRQ_MASK  0x7fu
#define ISO_ISR_W1C   (R_ISO_ISR_PARERR_MASK | R_ISO_ISR_OVERRUN_MASK | \
                       R_ISO_ISR_TXFAIL_MASK | R_ISO_ISR_RST_MASK)

static void iso_write(void *opaque, hwaddr offset, uint64_t value,
                      unsigned size)
{
    NetcardIso7816State *s = opaque;

    trace_netcard_iso_write(offset, value);
    switch (offset) {
    case A_ISO_DATA:
        if (s->tx_count >= NETCARD_ISO_FIFO_DEPTH) {
            qemu_log_mask(LOG_GUEST_ERROR, "netcard-iso7816-uart: DATA write "
                          "with the TX FIFO full: 0x%02x dropped\n",
                          (unsigned)(value & 0xff));
            break;
        }
        s->tx_fifo[(s->tx_head + s->tx_count) % NETCARD_ISO_FIFO_DEPTH] =
            value & 0xff;
        s->tx_count++;
        card_tx_kick(s);
        break;
    case A_ISO_CTRL:
        s->ctrl = value & ISO_CTRL_MASK;
        card_tx_kick(s);
        if (!s->real_timing) {
            term_txq_pump(s);
        }
        break;
    case A_ISO_ETU:
        if (FIELD_EX32(value, ISO_ETU, F) == 0 ||
            FIELD_EX32(value, ISO_ETU, D) == 0) {
            qemu_log_mask(LOG_GUEST_ERROR, "netcard-iso7816-uart: ETU write "
                          "0x%08" PRIx64 " with F or D zero ignored\n", value);
            break;
        }
        s->etu = value & (R_ISO_ETU_F_MASK | R_ISO_ETU_D_MASK);
        if (!s->real_timing) {
            term_txq_pump(s);
        }
        break;
    case A_ISO_GUARD:
        s->guard = value & R_ISO_GUARD_N_MASK;
        break;
    case A_ISO_IER:
        s->ier = value & ISO_IRQ_MASK;
        break;
    case A_ISO_ISR:
        s->isr_sticky &= ~(value & ISO_ISR_W1C);
        break;
    case A_ISO_STATUS:
    case A_ISO_LINE:
    case A_ISO_CLK_HZ:
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-iso7816-uart: write to "
                      "read-only register 0x%03" HWADDR_PRIx "\n", offset);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-iso7816-uart: write to "
                      "unknown register 0x%03" HWADDR_PRIx "\n", offset);
        break;
    }
    card_update_irq(s);
}

static const MemoryRegionOps iso_ops = {
    .read = iso_read,
    .write = iso_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid.min_access_size = 4,
    .valid.max_access_size = 4,
    .valid.unaligned = false,
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

static void term_arm_wait(NetcardIso7816State *s);

/* Send one character of the queue; returns false if it has to wait. */
static bool term_send_one(NetcardIso7816State *s)
{
    uint8_t v = s->txq[s->txq_pos];
    uint8_t phys = line_encode(v, s->term_inverse);

    if (card_rx_char(s, phys, s->term_inverse, s->term_f, s->term_d)) {
        if (++s->nack_tries > TERM_NACK_MAX) {
            term_fail(s, "card rejected a character too often", true);
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
    term_arm_wait(s);
}

static void term_txq_pump(NetcardIso7816State *s)
{
    if (s->real_timing || s->txq_pos >= s->txq_len) {
        return;
    }
    while (s->txq_pos < s->txq_len && line_active(s) && card_can_accept(s)) {
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

static void term_send(NetcardIso7816State *s, const uint8_t *buf, uint32_t len)
{
    bool was_idle = s->txq_pos >= s->txq_len;

    if (was_idle) {
        s->txq_pos = s->txq_len = 0;
    }
    if (len > NETCARD_ISO_TXQ_MAX - s->txq_len) {
        term_fail(s, "terminal transmit queue overflow", true);
        return;
    }
    memcpy(s->txq + s->txq_len, buf, len);
    s->txq_len += len;
    /* bounded even if the card never takes the characters */
    term_arm_wait(s);
    if (s->real_timing) {
        if (was_idle) {
            timer_mod(s->term_tx_timer, now_ns() +
                      etu_ns(s, term_char_etu(s), s->term_f, s->term_d));
        }
    } else {
        term_txq_pump(s);
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

static void term_stop_timer(NetcardIso7816State *s)
{
    s->timer_reason = TR_NONE;
    timer_del(s->term_timer);
}

/* Waiting time for the card's next character in the current state. */
static void term_arm_wait(NetcardIso7816State *s)
{
    int64_t t;

    if (!s->real_timing) {
        t = (int64_t)s->fast_wait_ms * SCALE_MS;
        if (s->wtx > 1) {
            t *= s->wtx;
        }
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
/* Host side                                                           */

static gboolean host_tx_watch_cb(void *do_not_use, GIOCondition cond,
                                 void *opaque);

static void host_tx_flush(NetcardIso7816State *s)
{
    while (s->host_tx_pos < s->host_tx_len) {
        int r = qemu_chr_fe_write(&s->chr, s->host_tx + s->host_tx_pos,
                                  s->host_tx_len - s->host_tx_pos);
        if (r <= 0) {
            if (!s->host_watch) {
                s->host_watch = qemu_chr_fe_add_watch(&s->chr,
                                                      G_IO_OUT | G_IO_HUP,
                                                      host_tx_watch_cb, s);
                if (!s->host_watch) {
                    /* not connected: the answer is lost */
                    s->host_tx_pos = s->host_tx_len = 0;
                }
            }
            return;
        }
        s->host_tx_pos += r;
    }
    s->host_tx_pos = s->host_tx_len = 0;
}

static gboolean host_tx_watch_cb(void *do_not_use, GIOCondition cond,
                                 void *opaque)
{
    NetcardIso7816State *s = opaque;

    s->host_watch = 0;
    host_tx_flush(s);
    if (s->host_tx_len == 0) {
        qemu_chr_fe_accept_input(&s->chr);
        host_dispatch(s);
    }
    return G_SOURCE_REMOVE;
}

/* Frame payload length (valid once 2 bytes are in). */
static uint32_t frame_payload_len(NetcardIso7816State *s)
{
    return (uint32_t)s->frame[0] << 8 | s->frame[1];
}

static bool frame_complete(NetcardIso7816State *s)
{
    return s->frame_len >= 2 && s->frame_len == 2 + frame_payload_len(s);
}

static void host_reply(NetcardIso7816State *s, const uint8_t *data,
                       uint32_t len)
{
    if (s->host_discard || !qemu_chr_fe_backend_connected(&s->chr)) {
        return;
    }
    trace_netcard_iso_host_reply(len);
    s->host_tx[0] = len >> 8;
    s->host_tx[1] = len & 0xff;
    memcpy(s->host_tx + 2, data, len);
    s->host_tx_pos = 0;
    s->host_tx_len = 2 + len;
    host_tx_flush(s);
}

/* The current frame is finished with: accept the next one. */
static void host_done(NetcardIso7816State *s)
{
    s->host_busy = false;
    s->host_discard = false;
    s->frame_len = 0;
    qemu_chr_fe_accept_input(&s->chr);
    host_dispatch(s);
}

/*
 * get-ATR is also the host's card-presence poll: a card that is inserted
 * but unpowered answers with the ATR of its last activation; only a card
 * that gave no valid ATR (mute, wrong) is "no card" (an empty ATR).
 */
static void host_answer_atr(NetcardIso7816State *s)
{
    if (s->tstate == TS_READY && s->atr_valid) {
        host_reply(s, s->atr, s->atr_len);
    } else if (s->tstate == TS_OFF && s->card_atr_len) {
        host_reply(s, s->card_atr, s->card_atr_len);
    } else {
        host_reply(s, NULL, 0);
    }
}

/* ------------------------------------------------------------------ */
/* Terminal: activation, ATR, PPS                                      */

static void term_reset_link(NetcardIso7816State *s)
{
    term_flush(s);
    term_stop_timer(s);
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
}

static void term_set_state(NetcardIso7816State *s, uint32_t st)
{
    s->tstate = st;
    trace_netcard_iso_state(term_state_names[st]);
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

static void term_power_on(NetcardIso7816State *s)
{
    trace_netcard_iso_power(true);
    term_reset_link(s);
    s->pps_failed = false;
    set_line(s, true, false, true);
    term_request_chip_reset(s, NETCARD_RESET_POWER_ON);
}

static void term_power_off(NetcardIso7816State *s)
{
    trace_netcard_iso_power(false);
    term_reset_link(s);
    s->reset_pending = false;
    set_line(s, false, false, false);
    term_set_state(s, TS_OFF);
}

static void term_warm_reset(NetcardIso7816State *s)
{
    term_reset_link(s);
    set_line(s, true, false, true);
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
    term_stop_timer(s);
    term_set_state(s, TS_READY);
    s->t1_ns = 0;
    s->t1_nr = 0;
    s->t1_need_ifs = true;
    trace_netcard_iso_params(s->term_f, s->term_d, s->term_n, s->protocol_sel);
    host_resume(s);
}

static void term_atr_done(NetcardIso7816State *s)
{
    AtrInfo ai;
    const char *err = atr_parse(s->atr, s->atr_len, &ai);
    int want;

    trace_netcard_iso_atr(s->atr_len, err ? err : "valid");
    if (err) {
        term_fail(s, err, true);
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
            term_fail(s, "specific mode with an unsupported protocol", true);
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
        term_send(s, s->pps_req, s->pps_req_len);
        term_arm_wait(s);
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
    term_warm_reset(s);
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

/* ------------------------------------------------------------------ */
/* Terminal: exchanges                                                 */

static void xfer_end(NetcardIso7816State *s)
{
    s->xfer = XFER_NONE;
    s->wtx = 0;
    term_stop_timer(s);
}

/* End the exchange with the R-APDU in resp. */
static void xfer_complete(NetcardIso7816State *s)
{
    xfer_end(s);
    host_reply(s, s->resp, s->resp_len);
    host_done(s);
}

/*
 * The exchange (or activation) failed: trace, answer the host with an
 * empty frame if it waits for something, and deactivate if asked.
 */
static void term_fail(NetcardIso7816State *s, const char *why,
                      bool deactivate)
{
    trace_netcard_iso_fail(why, term_state_names[s->tstate]);
    s->cnt_host_errors++;
    xfer_end(s);
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
            term_power_off(s);
        }
    }
    if (s->host_busy) {
        host_reply(s, NULL, 0);
        host_done(s);
    }
}

/* ---- T=0 ---- */

static void t0_send_header(NetcardIso7816State *s)
{
    trace_netcard_iso_t0("header", s->t0_hdr[1]);
    s->sub = T0_PROC;
    term_send(s, s->t0_hdr, 5);
}

static void t0_get_response(NetcardIso7816State *s, uint8_t cla, uint8_t xx)
{
    uint32_t avail = xx ? xx : 256;
    uint32_t want = MIN(avail, s->t0_ne);

    s->t0_hdr[0] = cla;
    s->t0_hdr[1] = 0xc0;
    s->t0_hdr[2] = 0;
    s->t0_hdr[3] = 0;
    s->t0_hdr[4] = want & 0xff;
    s->t0_out_rem = 0;
    s->t0_in_rem = want;
    s->t0_reissued = false;
    t0_send_header(s);
}

static uint8_t t0_gr_cla(uint8_t cla)
{
    if ((cla & 0xe0) == 0x00) {
        return cla & 0x03;          /* first interindustry: channel bits */
    }
    if ((cla & 0xc0) == 0x40) {
        return cla & 0x4f;          /* further interindustry */
    }
    return 0x00;
}

/* Parse a C-APDU (ISO 7816-4 5.1). Returns the case (1..4, +10 extended). */
typedef struct Apdu {
    int kase;
    bool ext;
    uint32_t nc, ne;
    uint32_t data_off;
} Apdu;

static bool apdu_parse(const uint8_t *a, uint32_t len, Apdu *ap)
{
    memset(ap, 0, sizeof(*ap));
    if (len < 4) {
        return false;
    }
    if (len == 4) {
        ap->kase = 1;
        return true;
    }
    if (len == 5) {
        ap->kase = 2;
        ap->ne = a[4] ? a[4] : 256;
        return true;
    }
    if (a[4]) {
        ap->nc = a[4];
        ap->data_off = 5;
        if (len == 5 + ap->nc) {
            ap->kase = 3;
            return true;
        }
        if (len == 6 + ap->nc) {
            ap->kase = 4;
            ap->ne = a[len - 1] ? a[len - 1] : 256;
            return true;
        }
        return false;
    }
    if (len < 7) {
        return false;
    }
    ap->ext = true;
    if (len == 7) {
        ap->kase = 2;
        ap->ne = ((uint32_t)a[5] << 8 | a[6]);
        ap->ne = ap->ne ? ap->ne : 65536;
        return true;
    }
    ap->nc = (uint32_t)a[5] << 8 | a[6];
    ap->data_off = 7;
    if (ap->nc == 0) {
        return false;
    }
    if (len == 7 + ap->nc) {
        ap->kase = 3;
        return true;
    }
    if (len == 9 + ap->nc) {
        ap->kase = 4;
        ap->ne = (uint32_t)a[len - 2] << 8 | a[len - 1];
        ap->ne = ap->ne ? ap->ne : 65536;
        return true;
    }
    return false;
}

static void t0_start(NetcardIso7816State *s)
{
    const uint8_t *a = s->frame + 2;
    uint32_t len = frame_payload_len(s);
    Apdu ap;

    if (!apdu_parse(a, len, &ap)) {
        trace_netcard_iso_host_error("malformed C-APDU for T=0");
        s->cnt_host_errors++;
        host_reply(s, NULL, 0);
        host_done(s);
        return;
    }
    if (ap.nc > 255) {
        trace_netcard_iso_host_error("extended Lc > 255 not supported in T=0");
        s->cnt_host_errors++;
        host_reply(s, NULL, 0);
        host_done(s);
        return;
    }
    s->xfer = XFER_T0;
    s->resp_len = 0;
    s->t0_case = ap.kase;
    s->t0_reissued = false;
    memcpy(s->t0_hdr, a, 4);
    s->t0_ne = ap.ne;
    s->t0_out_off = 2 + ap.data_off;
    switch (ap.kase) {
    case 1:
        s->t0_hdr[4] = 0;
        s->t0_out_rem = 0;
        s->t0_in_rem = 0;
        break;
    case 2:
        s->t0_hdr[4] = ap.ne >= 256 ? 0 : ap.ne;
        s->t0_out_rem = 0;
        s->t0_in_rem = MIN(ap.ne, 256);
        break;
    default:
        s->t0_hdr[4] = ap.nc;
        s->t0_out_rem = ap.nc;
        s->t0_in_rem = 0;
        break;
    }
    t0_send_header(s);
}

static void t0_sw(NetcardIso7816State *s, uint8_t sw1, uint8_t sw2)
{
    trace_netcard_iso_t0("SW", sw1);
    if (sw1 == 0x6c && s->t0_in_rem && !s->t0_reissued) {
        /* wrong Le: re-issue with Le = SW2 (ISO 7816-3 12.2.3) */
        s->t0_hdr[4] = sw2;
        s->t0_in_rem = sw2 ? sw2 : 256;
        s->t0_ne = MAX(s->t0_ne, s->t0_in_rem);
        s->t0_reissued = true;
        t0_send_header(s);
        return;
    }
    if (sw1 == 0x61 && s->t0_ne > 0) {
        /* more data: GET RESPONSE (ISO 7816-3 12.2.3/12.2.4) */
        t0_get_response(s, t0_gr_cla(s->frame[2]), sw2);
        return;
    }
    if (s->resp_len + 2 > NETCARD_ISO_RESP_MAX) {
        term_fail(s, "R-APDU too long", true);
        return;
    }
    s->resp[s->resp_len++] = sw1;
    s->resp[s->resp_len++] = sw2;
    xfer_complete(s);
}

static void t0_rx(NetcardIso7816State *s, uint8_t b, bool err)
{
    if (err) {
        /* the terminal signalled the error; the card repeats */
        return;
    }
    switch (s->sub) {
    case T0_PROC:
        if (b == 0x60) {
            trace_netcard_iso_t0("NULL", b);
            term_arm_wait(s);
            return;
        }
        if ((b & 0xf0) == 0x60 || (b & 0xf0) == 0x90) {
            s->t0_sw1 = b;
            s->sub = T0_SW2;
            term_arm_wait(s);
            return;
        }
        if (b == s->t0_hdr[1] || b == (uint8_t)~s->t0_hdr[1]) {
            bool all = b == s->t0_hdr[1];

            trace_netcard_iso_t0(all ? "ACK all" : "ACK one", b);
            if (s->t0_out_rem) {
                uint32_t n = all ? s->t0_out_rem : 1;

                term_send(s, s->frame + s->t0_out_off, n);
                s->t0_out_off += n;
                s->t0_out_rem -= n;
                s->sub = T0_PROC;
            } else if (s->t0_in_rem) {
                s->sub = all ? T0_DATA : T0_DATA1;
            }
            term_arm_wait(s);
            return;
        }
        term_fail(s, "T=0: bad procedure byte", true);
        return;
    case T0_DATA:
    case T0_DATA1:
        if (s->resp_len >= NETCARD_ISO_RESP_MAX - 2 || s->t0_ne == 0) {
            term_fail(s, "R-APDU too long", true);
            return;
        }
        s->resp[s->resp_len++] = b;
        s->t0_in_rem--;
        s->t0_ne--;
        if (s->t0_in_rem == 0 || s->sub == T0_DATA1) {
            s->sub = T0_PROC;
        }
        term_arm_wait(s);
        return;
    case T0_SW2:
        t0_sw(s, s->t0_sw1, b);
        return;
    }
}

/* ---- T=1 ---- */

/*
 * T=1 CRC: the ISO/IEC 13239 FCS (CRC-16 x^16 + x^12 + x^5 + 1, reflected,
 * preset FFFF, final XOR FFFF; "CRC-16/X-25"), sent low byte first.
 */
static uint16_t t1_crc(const uint8_t *p, uint32_t n)
{
    uint16_t crc = 0xffff;

    while (n--) {
        crc ^= *p++;
        for (int i = 0; i < 8; i++) {
            crc = (crc & 1) ? (crc >> 1) ^ 0x8408 : crc >> 1;
        }
    }
    return (uint16_t)~crc;
}

static uint32_t t1_edc_len(NetcardIso7816State *s)
{
    return s->edc_crc ? 2 : 1;
}

static uint32_t t1_build(NetcardIso7816State *s, uint8_t *blk, uint8_t pcb,
                         const uint8_t *inf, uint32_t len)
{
    uint32_t n = 3 + len;

    blk[0] = 0;
    blk[1] = pcb;
    blk[2] = len;
    if (len) {
        memcpy(blk + 3, inf, len);
    }
    if (s->edc_crc) {
        uint16_t c = t1_crc(blk, n);

        blk[n++] = c & 0xff;
        blk[n++] = c >> 8;
    } else {
        uint8_t x = 0;

        for (uint32_t i = 0; i < n; i++) {
            x ^= blk[i];
        }
        blk[n++] = x;
    }
    return n;
}

static void t1_send_block(NetcardIso7816State *s, uint8_t pcb,
                          const uint8_t *inf, uint32_t len)
{
    s->t1_last_len = t1_build(s, s->t1_last, pcb, inf, len);
    if (!(pcb & 0x80)) {
        memcpy(s->t1_last_i, s->t1_last, s->t1_last_len);
        s->t1_last_i_len = s->t1_last_len;
    }
    trace_netcard_iso_t1_block("term>card", pcb, len);
    s->t1_rx_len = 0;
    s->t1_rx_err = false;
    term_send(s, s->t1_last, s->t1_last_len);
    term_arm_wait(s);
}

static void t1_resend(NetcardIso7816State *s, const uint8_t *blk,
                      uint32_t len)
{
    if (blk != s->t1_last) {
        memcpy(s->t1_last, blk, len);
        s->t1_last_len = len;
    }
    s->cnt_retransmissions++;
    trace_netcard_iso_t1_block("term>card again", blk[1], blk[2]);
    s->t1_rx_len = 0;
    s->t1_rx_err = false;
    term_send(s, s->t1_last, s->t1_last_len);
    term_arm_wait(s);
}

static void t1_send_next_i(NetcardIso7816State *s)
{
    uint32_t total = frame_payload_len(s);
    uint32_t n = MIN(total - s->t1_off, s->ifsc);
    bool more = s->t1_off + n < total;

    s->t1_chunk = n;
    s->t1_sending = more;
    s->t1_i_acked = false;
    s->sub = T1_WAIT;
    t1_send_block(s, (s->t1_ns << 6) | (more ? 0x20 : 0),
                  s->frame + 2 + s->t1_off, n);
}

static void t1_start(NetcardIso7816State *s)
{
    s->xfer = XFER_T1;
    s->resp_len = 0;
    s->t1_off = 0;
    s->t1_retries = 0;
    s->t1_resynchs = 0;
    s->wtx = 0;
    if (s->t1_need_ifs) {
        uint8_t ifsd = T1_IFSD;

        s->sub = T1_WAIT_IFS;
        t1_send_block(s, 0xc1, &ifsd, 1);
        return;
    }
    t1_send_next_i(s);
}

/* Error recovery (ISO 7816-3 11.6.3). KIND: 1 EDC/parity, 2 other. */
static void t1_error(NetcardIso7816State *s, int kind, const char *why)
{
    trace_netcard_iso_error(why);
    if (++s->t1_retries > T1_RETRY_MAX) {
        uint8_t pcb = 0xc0;

        if (s->sub == T1_WAIT_RESYNCH || ++s->t1_resynchs > T1_RETRY_MAX) {
            term_fail(s, "T=1: no recovery", true);
            return;
        }
        s->t1_retries = 0;
        s->sub = T1_WAIT_RESYNCH;
        t1_send_block(s, pcb, NULL, 0);
        return;
    }
    if (s->sub == T1_WAIT_IFS || s->sub == T1_WAIT_RESYNCH) {
        t1_resend(s, s->t1_last, s->t1_last_len);
        return;
    }
    if ((s->t1_last[1] & 0xc0) == 0x80) {
        /* our last block was an R-block: send it again */
        t1_resend(s, s->t1_last, s->t1_last_len);
        return;
    }
    /* R-block asking for the expected I-block */
    t1_send_block(s, 0x80 | (s->t1_nr << 4) | kind, NULL, 0);
}

static void t1_block(NetcardIso7816State *s)
{
    const uint8_t *b = s->t1_rx;
    uint32_t len = b[2];
    uint32_t n = 3 + len + t1_edc_len(s);
    uint8_t pcb = b[1];
    bool edc_ok;

    if (s->edc_crc) {
        uint16_t c = t1_crc(b, 3 + len);

        edc_ok = b[3 + len] == (c & 0xff) && b[4 + len] == (c >> 8);
    } else {
        uint8_t x = 0;

        for (uint32_t i = 0; i < n; i++) {
            x ^= b[i];
        }
        edc_ok = x == 0;
    }
    trace_netcard_iso_t1_block("card>term", pcb, len);
    s->t1_rx_len = 0;
    s->wtx = 0;
    if (s->t1_rx_err || !edc_ok) {
        s->t1_rx_err = false;
        t1_error(s, 1, "T=1: parity or EDC error");
        return;
    }
    if (b[0] != 0 || len == 0xff || len > T1_IFSD) {
        t1_error(s, 2, "T=1: bad NAD or LEN");
        return;
    }

    if ((pcb & 0x80) == 0) {
        /* I-block */
        uint32_t ns = (pcb >> 6) & 1;

        if (s->sub != T1_WAIT || s->t1_sending || ns != s->t1_nr) {
            t1_error(s, 2, "T=1: unexpected I-block");
            return;
        }
        if (s->resp_len + len > NETCARD_ISO_RESP_MAX) {
            term_fail(s, "R-APDU too long", true);
            return;
        }
        if (!s->t1_i_acked) {
            /* the first block of the answer acknowledges our last one */
            s->t1_i_acked = true;
            s->t1_ns ^= 1;
        }
        memcpy(s->resp + s->resp_len, b + 3, len);
        s->resp_len += len;
        s->t1_nr ^= 1;
        s->t1_retries = 0;
        s->wtx = 0;
        if (pcb & 0x20) {
            t1_send_block(s, 0x80 | (s->t1_nr << 4), NULL, 0);
            return;
        }
        xfer_complete(s);
        return;
    }
    if ((pcb & 0xc0) == 0x80) {
        /* R-block */
        uint32_t nr = (pcb >> 4) & 1;

        if (s->sub != T1_WAIT) {
            t1_error(s, 2, "T=1: unexpected R-block");
            return;
        }
        if (s->t1_sending && nr != s->t1_ns) {
            /* acknowledgement of our chained I-block */
            s->t1_ns ^= 1;
            s->t1_off += s->t1_chunk;
            s->t1_retries = 0;
            t1_send_next_i(s);
            return;
        }
        if (nr == s->t1_ns && !s->t1_i_acked && s->t1_last_i_len) {
            /* the card asks for our last I-block again */
            if (++s->t1_retries > T1_RETRY_MAX) {
                s->t1_retries--;
                t1_error(s, 2, "T=1: too many retransmissions");
                return;
            }
            t1_resend(s, s->t1_last_i, s->t1_last_i_len);
            return;
        }
        t1_error(s, 2, "T=1: unexpected R-block");
        return;
    }
    /* S-block */
    switch (pcb) {
    case 0xc1: /* IFS request */
        if (len != 1 || b[3] == 0 || b[3] == 0xff) {
            t1_error(s, 2, "T=1: bad S(IFS request)");
            return;
        }
        s->ifsc = b[3];
        {
            uint8_t v = b[3];
            uint8_t last[NETCARD_ISO_T1_BLOCK_MAX];
            uint32_t last_len = s->t1_last_len;

            /* answer, but keep our last block for error recovery */
            memcpy(last, s->t1_last, last_len);
            t1_send_block(s, 0xe1, &v, 1);
            memcpy(s->t1_last, last, last_len);
            s->t1_last_len = last_len;
        }
        return;
    case 0xc3: /* WTX request */
        if (len != 1) {
            t1_error(s, 2, "T=1: bad S(WTX request)");
            return;
        }
        {
            uint8_t v = b[3];
            uint8_t last[NETCARD_ISO_T1_BLOCK_MAX];
            uint32_t last_len = s->t1_last_len;

            memcpy(last, s->t1_last, last_len);
            t1_send_block(s, 0xe3, &v, 1);
            memcpy(s->t1_last, last, last_len);
            s->t1_last_len = last_len;
            s->wtx = v ? v : 1;
            term_arm_wait(s);
        }
        return;
    case 0xe1: /* IFS response */
        if (s->sub == T1_WAIT_IFS && len == 1 && b[3] == T1_IFSD) {
            s->t1_need_ifs = false;
            s->t1_retries = 0;
            t1_send_next_i(s);
            return;
        }
        t1_error(s, 2, "T=1: unexpected S(IFS response)");
        return;
    case 0xe0: /* RESYNCH response */
        if (s->sub == T1_WAIT_RESYNCH) {
            s->t1_ns = 0;
            s->t1_nr = 0;
            s->t1_need_ifs = true;
            term_fail(s, "T=1: exchange abandoned after RESYNCH", false);
            return;
        }
        t1_error(s, 2, "T=1: unexpected S(RESYNCH response)");
        return;
    case 0xc2: /* ABORT request */
        term_fail(s, "T=1: card aborted the chain", false);
        return;
    default:
        t1_error(s, 2, "T=1: unexpected S-block");
        return;
    }
}

static void t1_rx(NetcardIso7816State *s, uint8_t v, bool err)
{
    if (s->t1_rx_len >= sizeof(s->t1_rx)) {
        s->t1_rx_len = 0;
    }
    s->t1_rx[s->t1_rx_len++] = v;
    s->t1_rx_err |= err;
    if (s->t1_rx_len >= 3 &&
        s->t1_rx_len == 3 + s->t1_rx[2] + t1_edc_len(s)) {
        t1_block(s);
        return;
    }
    term_arm_wait(s);
}

/* ------------------------------------------------------------------ */
/* Terminal: characters from the card, timers                          */

static void term_rx_char(NetcardIso7816State *s, uint8_t v, bool err)
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
            term_fail(s, "bad TS", true);
            return;
        }
        s->atr[s->atr_len++] = v;
        need = atr_needed(s->atr, s->atr_len);
        if (need < 0) {
            term_fail(s, "ATR longer than 33 bytes", true);
            return;
        }
        if ((uint32_t)need == s->atr_len && s->atr_len >= 2) {
            term_stop_timer(s);
            term_atr_done(s);
            return;
        }
        term_arm_wait(s);
        return;
    }
    case TS_PPS:
        if (err) {
            return;
        }
        s->pps_resp[s->pps_resp_len++] = v;
        if (s->pps_resp_len == pps_needed(s->pps_resp, s->pps_resp_len)) {
            term_stop_timer(s);
            term_pps_done(s);
            return;
        }
        if (s->pps_resp_len >= sizeof(s->pps_resp)) {
            term_pps_failed(s, "bad response");
            return;
        }
        term_arm_wait(s);
        return;
    case TS_READY:
        if (s->xfer == XFER_T0) {
            t0_rx(s, v, err);
        } else if (s->xfer == XFER_T1) {
            t1_rx(s, v, err);
        } else {
            trace_netcard_iso_error("unexpected character from the card");
        }
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
        set_line(s, true, true, true);
        term_arm_wait(s);
        card_tx_kick(s);
        return;
    case TR_WAIT:
        if (s->tstate == TS_ATR) {
            term_fail(s, s->atr_len ? "ATR incomplete (waiting time)"
                                    : "no ATR (mute card)", true);
        } else if (s->tstate == TS_PPS) {
            term_pps_failed(s, "no response");
        } else if (s->xfer == XFER_T1) {
            s->t1_rx_len = 0;
            t1_error(s, 2, "T=1: waiting time exceeded");
        } else if (s->xfer == XFER_T0) {
            term_fail(s, "T=0: waiting time exceeded", true);
        }
        return;
    default:
        return;
    }
}

/* ------------------------------------------------------------------ */
/* Host side: frames                                                   */

static void host_start_apdu(NetcardIso7816State *s)
{
    if (s->protocol_sel == 1) {
        t1_start(s);
    } else {
        t0_start(s);
    }
}

static bool term_transitional(NetcardIso7816State *s)
{
    return s->tstate == TS_RESETTING || s->tstate == TS_ATR ||
           s->tstate == TS_PPS;
}

/* A deferred frame can proceed now that activation has finished. */
static void host_resume(NetcardIso7816State *s)
{
    uint32_t len;

    if (!s->host_busy || s->xfer != XFER_NONE || !frame_complete(s)) {
        return;
    }
    len = frame_payload_len(s);
    if (len == 1) {
        host_answer_atr(s);
        host_done(s);
        return;
    }
    if (s->tstate == TS_READY) {
        host_start_apdu(s);
    } else {
        host_reply(s, NULL, 0);
        host_done(s);
    }
}

static void host_dispatch(NetcardIso7816State *s)
{
    uint32_t len;

    if (s->host_busy || s->host_tx_len || !frame_complete(s)) {
        return;
    }
    len = frame_payload_len(s);
    s->cnt_host_frames++;
    trace_netcard_iso_host_frame(len, len ? s->frame[2] : 0);
    if (len == 0) {
        trace_netcard_iso_host_error("zero-length frame dropped");
        s->cnt_host_errors++;
        host_done(s);
        return;
    }
    if (len == 1) {
        switch (s->frame[2]) {
        case 0x00:
            term_power_off(s);
            break;
        case 0x01:
            s->card_mute = false;       /* try the card again */
            term_power_on(s);
            break;
        case 0x02:
            if (s->tstate == TS_OFF) {
                term_power_on(s);
            } else {
                term_warm_reset(s);
            }
            break;
        case 0x04:
            if (s->tstate == TS_OFF && !s->card_atr_len && !s->card_mute) {
                /*
                 * The card's ATR is not known yet (first poll since QEMU
                 * started): activate it to learn it, as a reader does when
                 * a card is inserted. Answered when the ATR is in.
                 */
                term_power_on(s);
            }
            if (term_transitional(s)) {
                s->host_busy = true;    /* answered when the ATR is in */
                return;
            }
            host_answer_atr(s);
            break;
        default:
            trace_netcard_iso_host_error("unknown control code dropped");
            s->cnt_host_errors++;
            break;
        }
        host_done(s);
        return;
    }
    s->host_busy = true;
    if (term_transitional(s)) {
        return;                         /* host_resume() starts it */
    }
    if (s->tstate != TS_READY) {
        trace_netcard_iso_host_error("C-APDU without a card");
        s->cnt_host_errors++;
        host_reply(s, NULL, 0);
        host_done(s);
        return;
    }
    host_start_apdu(s);
}

static int host_can_receive(void *opaque)
{
    NetcardIso7816State *s = opaque;

    if (s->host_busy || s->host_tx_len) {
        return 0;
    }
    if (s->frame_len < 2) {
        return 2 - s->frame_len;
    }
    return 2 + frame_payload_len(s) - s->frame_len;
}

/*
 * TCP_NODELAY on the socket, and TCP_QUICKACK re-armed before every read
 * (Linux clears it after use). Only a socket chardev on TCP has a socket
 * we can tune: we look at the SocketChardev's client channel, which is the
 * one clean way QEMU exposes it (no API on CharBackend).
 */
static void host_tune_socket(NetcardIso7816State *s, bool nodelay)
{
    Chardev *chr = qemu_chr_fe_get_driver(&s->chr);
    SocketChardev *sc;

    if (!chr || !object_dynamic_cast(OBJECT(chr), TYPE_CHARDEV_SOCKET)) {
        return;
    }
    sc = SOCKET_CHARDEV(chr);
    if (!sc->sioc || !sc->addr || sc->addr->type != SOCKET_ADDRESS_TYPE_INET) {
        return;
    }
    if (nodelay) {
        qio_channel_set_delay(QIO_CHANNEL(sc->sioc), false);
    }
#ifdef TCP_QUICKACK
    {
        int one = 1;

        if (setsockopt(sc->sioc->fd, IPPROTO_TCP, TCP_QUICKACK, &one,
                       sizeof(one)) < 0) {
            trace_netcard_iso_socket("TCP_QUICKACK failed");
        }
    }
#endif
}

static void host_receive(void *opaque, const uint8_t *buf, int size)
{
    NetcardIso7816State *s = opaque;
    int room = (int)sizeof(s->frame) - (int)s->frame_len;

    host_tune_socket(s, false);
    if (size > room) {
        size = room;        /* cannot happen: can_receive bounds it */
    }
    memcpy(s->frame + s->frame_len, buf, size);
    s->frame_len += size;
    host_dispatch(s);
}

static void host_event(void *opaque, QEMUChrEvent event)
{
    NetcardIso7816State *s = opaque;

    switch (event) {
    case CHR_EVENT_OPENED:
        trace_netcard_iso_socket("client connected");
        host_tune_socket(s, true);
        break;
    case CHR_EVENT_CLOSED:
        trace_netcard_iso_socket("client gone");
        if (s->host_watch) {
            g_source_remove(s->host_watch);
            s->host_watch = 0;
        }
        s->host_tx_pos = s->host_tx_len = 0;
        if (s->host_busy) {
            s->host_discard = true;     /* answer dropped when done */
        } else {
            if (s->frame_len) {
                trace_netcard_iso_host_error("disconnect mid-frame: dropped");
                s->cnt_host_errors++;
            }
            s->frame_len = 0;
        }
        break;
    default:
        break;
    }
}

/* ------------------------------------------------------------------ */
/* QOM                                                                 */

static void iso_reset_hold(Object *obj, ResetType type)
{
    NetcardIso7816State *s = NETCARD_ISO7816_UART(obj);

    if (type == RESET_TYPE_SNAPSHOT_LOAD) {
        return;
    }
    card_reset_regs(s);
}

static void iso_reset_exit(Object *obj, ResetType type)
{
    NetcardIso7816State *s = NETCARD_ISO7816_UART(obj);

    if (type == RESET_TYPE_SNAPSHOT_LOAD) {
        return;
    }
    if (s->reset_pending) {
        s->reset_pending = false;
        if (s->tstate == TS_RESETTING) {
            term_set_timer(s, TR_RST_RISE, clk_ns(s, RST_LOW_CLK));
        }
    }
    card_update_irq(s);
}

static char *iso_get_atr(Object *obj, Error **errp)
{
    NetcardIso7816State *s = NETCARD_ISO7816_UART(obj);
    GString *g = g_string_new("");

    for (uint32_t i = 0; i < s->atr_len; i++) {
        g_string_append_printf(g, "%02X", s->atr[i]);
    }
    return g_string_free(g, false);
}

static char *iso_get_state(Object *obj, Error **errp)
{
    NetcardIso7816State *s = NETCARD_ISO7816_UART(obj);

    return g_strdup(term_state_names[s->tstate]);
}

static void iso_init(Object *obj)
{
    NetcardIso7816State *s = NETCARD_ISO7816_UART(obj);

    memory_region_init_io(&s->iomem, obj, &iso_ops, s,
                          TYPE_NETCARD_ISO7816_UART, 0x1000);
    sysbus_init_mmio(SYS_BUS_DEVICE(obj), &s->iomem);
    sysbus_init_irq(SYS_BUS_DEVICE(obj), &s->irq);

    object_property_add_uint32_ptr(obj, "inject-rx-parity-errors",
                                   &s->inject_rx_parity,
                                   OBJ_PROP_FLAG_READWRITE);
    object_property_add_uint32_ptr(obj, "inject-tx-nack", &s->inject_tx_nack,
                                   OBJ_PROP_FLAG_READWRITE);
    object_property_add_uint32_ptr(obj, "chars-to-card", &s->cnt_to_card,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint32_ptr(obj, "chars-from-card", &s->cnt_from_card,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint32_ptr(obj, "parity-errors",
                                   &s->cnt_parity_errors, OBJ_PROP_FLAG_READ);
    object_property_add_uint32_ptr(obj, "retransmissions",
                                   &s->cnt_retransmissions,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint32_ptr(obj, "host-errors", &s->cnt_host_errors,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint32_ptr(obj, "host-frames", &s->cnt_host_frames,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint32_ptr(obj, "atr-latency-us", &s->atr_latency_us,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_str(obj, "atr", iso_get_atr, NULL);
    object_property_add_str(obj, "terminal-state", iso_get_state, NULL);
}

static void iso_realize(DeviceState *dev, Error **errp)
{
    NetcardIso7816State *s = NETCARD_ISO7816_UART(dev);

    if (s->clk_hz < 1000000 || s->clk_hz > 20000000) {
        error_setg(errp, "netcard-iso7816-uart: clk-hz %u outside 1..20 MHz",
                   s->clk_hz);
        return;
    }
    if (s->fast_wait_ms == 0 || s->fast_wait_ms > 3600000) {
        error_setg(errp, "netcard-iso7816-uart: fast-wait-ms must be "
                   "1..3600000");
        return;
    }
    if (!s->timing || !strcmp(s->timing, "fast")) {
        s->real_timing = false;
    } else if (!strcmp(s->timing, "real")) {
        s->real_timing = true;
    } else {
        error_setg(errp, "netcard-iso7816-uart: timing must be fast or real");
        return;
    }
    if (!s->protocol || !strcmp(s->protocol, "auto")) {
        s->forced_protocol = -1;
    } else if (!strcmp(s->protocol, "t0")) {
        s->forced_protocol = 0;
    } else if (!strcmp(s->protocol, "t1")) {
        s->forced_protocol = 1;
    } else {
        error_setg(errp, "netcard-iso7816-uart: protocol must be auto, t0 "
                   "or t1");
        return;
    }
    s->card_tx_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, card_tx_timer_cb, s);
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
    qemu_chr_fe_set_handlers(&s->chr, host_can_receive, host_receive,
                             host_event, NULL, s, NULL, true);
}

static void iso_unrealize(DeviceState *dev)
{
    NetcardIso7816State *s = NETCARD_ISO7816_UART(dev);

    qemu_chr_fe_deinit(&s->chr, false);
    timer_free(s->card_tx_timer);
    timer_free(s->term_tx_timer);
    timer_free(s->term_timer);
}

static int iso_post_load(void *opaque, int version_id)
{
    NetcardIso7816State *s = opaque;

    if (s->rx_head >= NETCARD_ISO_FIFO_DEPTH ||
        s->rx_count > NETCARD_ISO_FIFO_DEPTH ||
        s->tx_head >= NETCARD_ISO_FIFO_DEPTH ||
        s->tx_count > NETCARD_ISO_FIFO_DEPTH ||
        s->tstate > TS_MUTE || s->atr_len > NETCARD_ISO_ATR_MAX ||
        s->card_atr_len > NETCARD_ISO_ATR_MAX ||
        s->txq_len > NETCARD_ISO_TXQ_MAX || s->txq_pos > s->txq_len ||
        s->frame_len > NETCARD_ISO_FRAME_MAX ||
        s->resp_len > NETCARD_ISO_RESP_MAX ||
        s->t1_rx_len > sizeof(s->t1_rx) ||
        s->t1_last_len > sizeof(s->t1_last) ||
        s->t1_last_i_len > sizeof(s->t1_last_i) ||
        s->pps_resp_len > sizeof(s->pps_resp) ||
        s->pps_req_len > sizeof(s->pps_req) ||
        s->term_f == 0 || s->term_d == 0 ||
        s->ifsc == 0 || s->ifsc > T1_IFSD || s->bwi > 9 || s->cwi > 15 ||
        s->protocol_sel > 1 || s->xfer > XFER_T1 ||
        s->t0_out_off > NETCARD_ISO_FRAME_MAX ||
        s->t0_out_rem > NETCARD_ISO_FRAME_MAX - s->t0_out_off ||
        s->t1_off > NETCARD_ISO_FRAME_MAX - 2 ||
        s->t1_chunk > T1_IFSD) {
        return -EINVAL;
    }
    /* the host connection is not part of the snapshot */
    s->host_tx_pos = s->host_tx_len = 0;
    s->host_watch = 0;
    return 0;
}

static const VMStateDescription vmstate_iso = {
    .name = TYPE_NETCARD_ISO7816_UART,
    .version_id = 2,
    .minimum_version_id = 2,
    .post_load = iso_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(inject_rx_parity, NetcardIso7816State),
        VMSTATE_UINT32(inject_tx_nack, NetcardIso7816State),
        VMSTATE_UINT32(cnt_to_card, NetcardIso7816State),
        VMSTATE_UINT32(cnt_from_card, NetcardIso7816State),
        VMSTATE_UINT32(cnt_parity_errors, NetcardIso7816State),
        VMSTATE_UINT32(cnt_retransmissions, NetcardIso7816State),
        VMSTATE_UINT32(cnt_host_errors, NetcardIso7816State),
        VMSTATE_UINT32(cnt_host_frames, NetcardIso7816State),
        VMSTATE_INT64(rst_rise_ns, NetcardIso7816State),
        VMSTATE_UINT32(atr_latency_us, NetcardIso7816State),
        VMSTATE_UINT32(ctrl, NetcardIso7816State),
        VMSTATE_UINT32(etu, NetcardIso7816State),
        VMSTATE_UINT32(guard, NetcardIso7816State),
        VMSTATE_UINT32(ier, NetcardIso7816State),
        VMSTATE_UINT32(isr_sticky, NetcardIso7816State),
        VMSTATE_UINT8_ARRAY(rx_fifo, NetcardIso7816State,
                            NETCARD_ISO_FIFO_DEPTH),
        VMSTATE_UINT32(rx_head, NetcardIso7816State),
        VMSTATE_UINT32(rx_count, NetcardIso7816State),
        VMSTATE_UINT8_ARRAY(tx_fifo, NetcardIso7816State,
                            NETCARD_ISO_FIFO_DEPTH),
        VMSTATE_UINT32(tx_head, NetcardIso7816State),
        VMSTATE_UINT32(tx_count, NetcardIso7816State),
        VMSTATE_BOOL(tx_busy, NetcardIso7816State),
        VMSTATE_UINT8(tx_shift, NetcardIso7816State),
        VMSTATE_UINT32(tx_attempt, NetcardIso7816State),
        VMSTATE_BOOL(vcc, NetcardIso7816State),
        VMSTATE_BOOL(rst, NetcardIso7816State),
        VMSTATE_BOOL(clk, NetcardIso7816State),
        VMSTATE_TIMER_PTR(card_tx_timer, NetcardIso7816State),
        VMSTATE_TIMER_PTR(term_tx_timer, NetcardIso7816State),
        VMSTATE_TIMER_PTR(term_timer, NetcardIso7816State),
        VMSTATE_UINT32(tstate, NetcardIso7816State),
        VMSTATE_UINT32(timer_reason, NetcardIso7816State),
        VMSTATE_BOOL(reset_pending, NetcardIso7816State),
        VMSTATE_BOOL(pps_failed, NetcardIso7816State),
        VMSTATE_UINT32(term_f, NetcardIso7816State),
        VMSTATE_UINT32(term_d, NetcardIso7816State),
        VMSTATE_UINT32(term_n, NetcardIso7816State),
        VMSTATE_BOOL(term_inverse, NetcardIso7816State),
        VMSTATE_UINT32(protocol_sel, NetcardIso7816State),
        VMSTATE_UINT8_ARRAY(atr, NetcardIso7816State, NETCARD_ISO_ATR_MAX),
        VMSTATE_UINT32(atr_len, NetcardIso7816State),
        VMSTATE_BOOL(atr_valid, NetcardIso7816State),
        VMSTATE_UINT8_ARRAY(card_atr, NetcardIso7816State,
                            NETCARD_ISO_ATR_MAX),
        VMSTATE_UINT32(card_atr_len, NetcardIso7816State),
        VMSTATE_BOOL(card_mute, NetcardIso7816State),
        VMSTATE_UINT8_ARRAY(pps_req, NetcardIso7816State, 4),
        VMSTATE_UINT32(pps_req_len, NetcardIso7816State),
        VMSTATE_UINT8_ARRAY(pps_resp, NetcardIso7816State, 6),
        VMSTATE_UINT32(pps_resp_len, NetcardIso7816State),
        VMSTATE_UINT32(wi, NetcardIso7816State),
        VMSTATE_UINT32(bwi, NetcardIso7816State),
        VMSTATE_UINT32(cwi, NetcardIso7816State),
        VMSTATE_UINT32(ifsc, NetcardIso7816State),
        VMSTATE_BOOL(edc_crc, NetcardIso7816State),
        VMSTATE_UINT32(wtx, NetcardIso7816State),
        VMSTATE_UINT32(nack_tries, NetcardIso7816State),
        VMSTATE_UINT8_ARRAY(txq, NetcardIso7816State, NETCARD_ISO_TXQ_MAX),
        VMSTATE_UINT32(txq_pos, NetcardIso7816State),
        VMSTATE_UINT32(txq_len, NetcardIso7816State),
        VMSTATE_UINT32(xfer, NetcardIso7816State),
        VMSTATE_UINT32(sub, NetcardIso7816State),
        VMSTATE_UINT8_ARRAY(resp, NetcardIso7816State, NETCARD_ISO_RESP_MAX),
        VMSTATE_UINT32(resp_len, NetcardIso7816State),
        VMSTATE_UINT8_ARRAY(t0_hdr, NetcardIso7816State, 5),
        VMSTATE_UINT32(t0_out_off, NetcardIso7816State),
        VMSTATE_UINT32(t0_out_rem, NetcardIso7816State),
        VMSTATE_UINT32(t0_in_rem, NetcardIso7816State),
        VMSTATE_UINT32(t0_ne, NetcardIso7816State),
        VMSTATE_UINT32(t0_case, NetcardIso7816State),
        VMSTATE_BOOL(t0_reissued, NetcardIso7816State),
        VMSTATE_UINT8(t0_sw1, NetcardIso7816State),
        VMSTATE_UINT32(t1_ns, NetcardIso7816State),
        VMSTATE_UINT32(t1_nr, NetcardIso7816State),
        VMSTATE_BOOL(t1_need_ifs, NetcardIso7816State),
        VMSTATE_UINT32(t1_off, NetcardIso7816State),
        VMSTATE_UINT32(t1_chunk, NetcardIso7816State),
        VMSTATE_UINT32(t1_retries, NetcardIso7816State),
        VMSTATE_UINT32(t1_resynchs, NetcardIso7816State),
        VMSTATE_BOOL(t1_sending, NetcardIso7816State),
        VMSTATE_BOOL(t1_i_acked, NetcardIso7816State),
        VMSTATE_UINT8_ARRAY(t1_last, NetcardIso7816State,
                            NETCARD_ISO_T1_BLOCK_MAX),
        VMSTATE_UINT32(t1_last_len, NetcardIso7816State),
        VMSTATE_UINT8_ARRAY(t1_last_i, NetcardIso7816State,
                            NETCARD_ISO_T1_BLOCK_MAX),
        VMSTATE_UINT32(t1_last_i_len, NetcardIso7816State),
        VMSTATE_UINT8_ARRAY(t1_rx, NetcardIso7816State,
                            NETCARD_ISO_T1_BLOCK_MAX + 1),
        VMSTATE_UINT32(t1_rx_len, NetcardIso7816State),
        VMSTATE_BOOL(t1_rx_err, NetcardIso7816State),
        VMSTATE_UINT8_ARRAY(frame, NetcardIso7816State,
                            NETCARD_ISO_FRAME_MAX),
        VMSTATE_UINT32(frame_len, NetcardIso7816State),
        VMSTATE_BOOL(host_busy, NetcardIso7816State),
        VMSTATE_BOOL(host_discard, NetcardIso7816State),
        VMSTATE_END_OF_LIST()
    },
};

static const Property iso_properties[] = {
    DEFINE_PROP_CHR("chardev", NetcardIso7816State, chr),
    DEFINE_PROP_LINK("sysctl", NetcardIso7816State, sysctl,
                     TYPE_NETCARD_SYSCTL, NetcardSysctlState *),
    DEFINE_PROP_UINT32("clk-hz", NetcardIso7816State, clk_hz,
                       NETCARD_ISO_DEFAULT_CLK_HZ),
    DEFINE_PROP_STRING("timing", NetcardIso7816State, timing),
    DEFINE_PROP_STRING("protocol", NetcardIso7816State, protocol),
    DEFINE_PROP_BOOL("pps", NetcardIso7816State, pps, true),
    DEFINE_PROP_UINT32("fast-wait-ms", NetcardIso7816State, fast_wait_ms,
                       FAST_WAIT_DEFAULT_MS),
};

static void iso_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);

    dc->realize = iso_realize;
    dc->unrealize = iso_unrealize;
    dc->vmsd = &vmstate_iso;
    rc->phases.hold = iso_reset_hold;
    rc->phases.exit = iso_reset_exit;
    device_class_set_props(dc, iso_properties);
}

static const TypeInfo iso_types[] = {
    {
        .name = TYPE_NETCARD_ISO7816_UART,
        .parent = TYPE_SYS_BUS_DEVICE,
        .instance_size = sizeof(NetcardIso7816State),
        .instance_init = iso_init,
        .class_init = iso_class_init,
    },
};

DEFINE_TYPES(iso_types)
