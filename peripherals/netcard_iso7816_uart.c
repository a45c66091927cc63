/*
 * netcard ISO 7816 UART, card side: the registers, FIFOs and interrupt the
 * card OS drives, the contacts as the card sees them, and the line in the
 * card's direction (a character carries its physical pattern, the
 * sender's convention and etu; the receiver decodes it with its own
 * settings, so a convention or etu mismatch shows up as a parity error).
 * Also the QOM device: properties, reset, VMState.
 *
 * The device (netcard-iso7816-uart) is one QOM type in four files:
 *   netcard_iso7816_uart.c  card side and QOM (this file)
 *   netcard_iso7816_term.c  terminal: activation, ATR, PPS, line timing
 *   netcard_iso7816_t0t1.c  terminal: T=0 and T=1 exchanges
 *   netcard_iso7816_vpcd.c  host bridge: vpcd frames on the chardev
 * netcard_iso7816_internal.h is the contract between them. Register map
 * and line model: netcard_iso7816_uart.h; behaviour, properties and error
 * answers: docs/iso7816.md.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/timer.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "hw/irq.h"
#include "hw/qdev-properties.h"
#include "hw/qdev-properties-system.h"
#include "migration/vmstate.h"
#include "netcard_iso7816_uart.h"
#include "netcard_iso7816_internal.h"
#include "trace.h"

/* ------------------------------------------------------------------ */
/* Card side                                                           */

static uint32_t card_f(NetcardIso7816State *s)
{
    return FIELD_EX32(s->etu, ISO_ETU, F);
}

static uint32_t card_d(NetcardIso7816State *s)
{
    return FIELD_EX32(s->etu, ISO_ETU, D);
}

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

void netcard_iso_set_line(NetcardIso7816State *s, bool vcc, bool rst, bool clk)
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
bool netcard_iso_card_rx_char(NetcardIso7816State *s, uint8_t phys,
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
bool netcard_iso_card_can_accept(NetcardIso7816State *s)
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
    netcard_iso_term_rx_char(s, v, !good);
    return false;
}

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
    netcard_iso_card_tx_kick(s);
    card_update_irq(s);
}

void netcard_iso_card_tx_kick(NetcardIso7816State *s)
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
                netcard_iso_term_txq_pump(s);
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
        netcard_iso_card_tx_kick(s);
        break;
    case A_ISO_CTRL:
        s->ctrl = value & ISO_CTRL_MASK;
        netcard_iso_card_tx_kick(s);
        if (!s->real_timing) {
            netcard_iso_term_txq_pump(s);
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
            netcard_iso_term_txq_pump(s);
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
    netcard_iso_term_chip_reset_done(s);
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

    return g_strdup(netcard_iso_term_state_name(s));
}

/*
 * The fault-injection counts (inject-*, docs/iso7816.md): characters to
 * corrupt from now on, 0..ISO_INJECT_MAX. OPAQUE is the field.
 */
#define ISO_INJECT_MAX 65535u

static void iso_get_inject(Object *obj, Visitor *v, const char *name,
                           void *opaque, Error **errp)
{
    visit_type_uint32(v, name, opaque, errp);
}

static void iso_set_inject(Object *obj, Visitor *v, const char *name,
                           void *opaque, Error **errp)
{
    uint32_t value;

    if (!visit_type_uint32(v, name, &value, errp)) {
        return;
    }
    if (value > ISO_INJECT_MAX) {
        error_setg(errp, "netcard-iso7816-uart: %s must be 0..%u "
                   "(characters)", name, ISO_INJECT_MAX);
        return;
    }
    *(uint32_t *)opaque = value;
}

static void iso_init(Object *obj)
{
    NetcardIso7816State *s = NETCARD_ISO7816_UART(obj);

    memory_region_init_io(&s->iomem, obj, &iso_ops, s,
                          TYPE_NETCARD_ISO7816_UART, 0x1000);
    sysbus_init_mmio(SYS_BUS_DEVICE(obj), &s->iomem);
    sysbus_init_irq(SYS_BUS_DEVICE(obj), &s->irq);

    object_property_add(obj, "inject-rx-parity-errors", "uint32",
                        iso_get_inject, iso_set_inject, NULL,
                        &s->inject_rx_parity);
    object_property_add(obj, "inject-tx-nack", "uint32", iso_get_inject,
                        iso_set_inject, NULL, &s->inject_tx_nack);
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
    if (!netcard_iso_lockstep_realize(s, errp)) {
        return;
    }
    s->card_tx_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, card_tx_timer_cb, s);
    netcard_iso_term_realize(s);
    netcard_iso_vpcd_realize(s);
}

static void iso_unrealize(DeviceState *dev)
{
    NetcardIso7816State *s = NETCARD_ISO7816_UART(dev);

    netcard_iso_vpcd_unrealize(s);
    timer_free(s->card_tx_timer);
    netcard_iso_term_unrealize(s);
    netcard_iso_lockstep_unrealize(s);
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
        s->t1_chunk > T1_IFSD ||
        s->inject_rx_parity > ISO_INJECT_MAX ||
        s->inject_tx_nack > ISO_INJECT_MAX ||
        s->ahead_len > sizeof(s->ahead)) {
        return -EINVAL;
    }
    /* the host connection is not part of the snapshot */
    s->host_tx_pos = s->host_tx_len = 0;
    s->host_watch = 0;
    s->stage_len = 0;
    s->host_rx_stalled = s->host_pumping = s->host_repump = false;
    return 0;
}

/*
 * What the terminal owes the host after a reset it did not cause, and the
 * look-ahead at the next frame: only sent when there is any, so that
 * streams stay loadable both ways with version 2 otherwise.
 */
static bool iso_host_events_needed(void *opaque)
{
    NetcardIso7816State *s = opaque;

    return s->reset_report || s->atr_unsolicited || s->ahead_len;
}

static const VMStateDescription vmstate_iso_host_events = {
    .name = TYPE_NETCARD_ISO7816_UART "/host-events",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = iso_host_events_needed,
    .fields = (const VMStateField[]) {
        VMSTATE_BOOL(reset_report, NetcardIso7816State),
        VMSTATE_BOOL(atr_unsolicited, NetcardIso7816State),
        VMSTATE_UINT8_ARRAY(ahead, NetcardIso7816State, 3),
        VMSTATE_UINT32(ahead_len, NetcardIso7816State),
        VMSTATE_END_OF_LIST()
    },
};

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
    .subsections = (const VMStateDescription * const []) {
        &vmstate_iso_host_events,
        NULL
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
    DEFINE_PROP_BOOL("lockstep", NetcardIso7816State, lockstep, false),
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
