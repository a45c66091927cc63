/*
 * netcard ISO 7816 UART, host bridge: vsmartcard's vpcd framing on the
 * device's chardev (serial_hd(1)). A frame is a 2-byte big-endian length
 * and a payload: a 1-byte control code (00 power off, 01 power on, 02
 * reset, 04 get ATR) or a C-APDU, answered with the R-APDU. The chardev
 * gives what it has into a staging buffer (one read for a whole frame);
 * frames are taken from it one at a time; while one is answered only the
 * next frame's header is taken, and its code if it is a control frame: a
 * power-off, power-on or reset ends the frame in progress at once (error
 * answer). Answers leave with non-blocking writes. The main loop is only
 * woken to read again when the chardev was told there was no room. The
 * terminal (netcard_iso7816_term.c, netcard_iso7816_t0t1.c) does the
 * work; contract: netcard_iso7816_internal.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "chardev/char-fe.h"
#include "chardev/char-socket.h"
#include "io/channel-socket.h"
#include "netcard_iso7816_uart.h"
#include "netcard_iso7816_internal.h"
#include "trace.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

/* ------------------------------------------------------------------ */
/* Host side                                                           */

static void host_dispatch(NetcardIso7816State *s);
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
        s->host_rx_stalled = false;
        qemu_chr_fe_accept_input(&s->chr);
        netcard_iso_host_pump(s);
    }
    return G_SOURCE_REMOVE;
}

static bool frame_complete(NetcardIso7816State *s)
{
    return s->frame_len >= 2 && s->frame_len == 2 + frame_payload_len(s);
}

/*
 * An answer over HOST_PAYLOAD_MAX bytes cannot be framed (the length field
 * would wrap and the rest would be read as further frames): the host gets
 * 6700 (wrong length) instead, as from a reader whose buffer is too small,
 * and the stream stays in step.
 */
void netcard_iso_host_reply(NetcardIso7816State *s, const uint8_t *data,
                            uint32_t len)
{
    static const uint8_t wrong_length[2] = { 0x67, 0x00 };

    if (len > HOST_PAYLOAD_MAX) {
        trace_netcard_iso_host_error("answer over 65535 bytes: 6700 instead");
        s->cnt_host_errors++;
        data = wrong_length;
        len = sizeof(wrong_length);
    }
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
void netcard_iso_host_done(NetcardIso7816State *s)
{
    s->host_busy = false;
    s->host_discard = false;
    /* what was read ahead is the start of the next frame */
    memcpy(s->frame, s->ahead, s->ahead_len);
    s->frame_len = s->ahead_len;
    s->ahead_len = 0;
    if (s->host_rx_stalled) {
        /* the main loop stopped reading: have it look again */
        s->host_rx_stalled = false;
        qemu_chr_fe_accept_input(&s->chr);
    }
    netcard_iso_host_pump(s);
}

/*
 * The card reset itself since the host's last frame (a reset the
 * terminal did not cause): this frame gets the error answer, vpcd's one
 * way to say so (docs/iso7816.md "Resets the terminal did not cause").
 */
static bool host_report_card_reset(NetcardIso7816State *s)
{
    if (!netcard_iso_term_take_reset_report(s)) {
        return false;
    }
    trace_netcard_iso_host_error("the card reset itself: error answer");
    s->cnt_host_errors++;
    netcard_iso_host_reply(s, NULL, 0);
    netcard_iso_host_done(s);
    return true;
}

/*
 * get-ATR is also the host's card-presence poll: a card that is inserted
 * but unpowered answers with the ATR of its last activation; only a card
 * that gave no valid ATR (mute, wrong) is "no card" (an empty ATR).
 */
static void host_answer_atr(NetcardIso7816State *s)
{
    if (s->tstate == TS_READY && s->atr_valid) {
        netcard_iso_host_reply(s, s->atr, s->atr_len);
    } else if (s->tstate == TS_OFF && s->card_atr_len) {
        netcard_iso_host_reply(s, s->card_atr, s->card_atr_len);
    } else {
        netcard_iso_host_reply(s, NULL, 0);
    }
}

/* ------------------------------------------------------------------ */
/* Host side: frames                                                   */

/* A deferred frame can proceed now that activation has finished. */
void netcard_iso_host_resume(NetcardIso7816State *s)
{
    uint32_t len;

    if (!s->host_busy || s->xfer != XFER_NONE || !frame_complete(s)) {
        return;
    }
    len = frame_payload_len(s);
    if (len == 1) {
        host_answer_atr(s);
        netcard_iso_host_done(s);
        return;
    }
    if (s->tstate == TS_READY) {
        netcard_iso_xfer_start(s);
    } else {
        netcard_iso_host_reply(s, NULL, 0);
        netcard_iso_host_done(s);
    }
}

static void host_dispatch(NetcardIso7816State *s)
{
    uint32_t len;

    if (s->host_busy || s->host_tx_len || !frame_complete(s)) {
        return;
    }
    if (s->lockstep && !netcard_iso_lockstep_host_turn(s)) {
        return;         /* taken on the host's turn (lockstep.c) */
    }
    len = frame_payload_len(s);
    s->cnt_host_frames++;
    trace_netcard_iso_host_frame(len, len ? s->frame[2] : 0);
    if (len == 0) {
        trace_netcard_iso_host_error("zero-length frame dropped");
        s->cnt_host_errors++;
        netcard_iso_host_done(s);
        return;
    }
    if (len == 1) {
        if (s->frame[2] != 0x04) {
            /* the host powers or resets the card itself */
            netcard_iso_term_forget_reset_report(s);
        } else if (host_report_card_reset(s)) {
            return;             /* "no card" once */
        }
        switch (s->frame[2]) {
        case 0x00:
            netcard_iso_term_power_off(s);
            break;
        case 0x01:
            s->card_mute = false;       /* try the card again */
            netcard_iso_term_power_on(s);
            break;
        case 0x02:
            if (s->tstate == TS_OFF) {
                netcard_iso_term_power_on(s);
            } else {
                netcard_iso_term_warm_reset(s);
            }
            break;
        case 0x04:
            if (s->tstate == TS_OFF && !s->card_atr_len && !s->card_mute) {
                /*
                 * The card's ATR is not known yet (first poll since QEMU
                 * started): activate it to learn it, as a reader does when
                 * a card is inserted. Answered when the ATR is in.
                 */
                netcard_iso_term_power_on(s);
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
        netcard_iso_host_done(s);
        return;
    }
    if (host_report_card_reset(s)) {
        return;             /* not sent to a card that lost its state */
    }
    s->host_busy = true;
    if (term_transitional(s)) {
        return;             /* netcard_iso_host_resume() starts it */
    }
    if (s->tstate != TS_READY) {
        trace_netcard_iso_host_error("C-APDU without a card");
        s->cnt_host_errors++;
        netcard_iso_host_reply(s, NULL, 0);
        netcard_iso_host_done(s);
        return;
    }
    netcard_iso_xfer_start(s);
}

/* Room in the look-ahead: a header, then a control frame's code. */
static int host_ahead_room(NetcardIso7816State *s)
{
    if (s->ahead_len < 2) {
        return 2 - s->ahead_len;
    }
    if (s->ahead_len == 2 && (s->ahead[0] << 8 | s->ahead[1]) == 1) {
        return 1;
    }
    return 0;           /* a C-APDU, or a code that waits its turn */
}

/*
 * A power-off, power-on or reset read ahead ends the frame in progress:
 * its exchange (or the activation it waits for) cannot complete, so it is
 * answered at once with the error answer, and the control frame runs. A
 * host whose command hangs can so power the card off without waiting
 * for the waiting time; a get-ATR or a C-APDU waits its turn.
 */
static void host_check_ahead(NetcardIso7816State *s)
{
    if (s->lockstep) {
        return;         /* it waits for the host's turn */
    }
    if (s->ahead_len != 3 || s->ahead[0] || s->ahead[1] != 1 ||
        s->ahead[2] > 0x02) {
        return;
    }
    trace_netcard_iso_host_error("frame in progress ended by a control "
                                 "frame");
    s->cnt_host_errors++;
    if (s->xfer != XFER_NONE) {
        netcard_iso_xfer_end(s);
    }
    netcard_iso_host_reply(s, NULL, 0);
    netcard_iso_host_done(s);
}

static int host_can_receive(void *opaque)
{
    NetcardIso7816State *s = opaque;

    if (s->host_tx_len || s->stage_len == sizeof(s->stage)) {
        s->host_rx_stalled = true;
        return 0;
    }
    return sizeof(s->stage) - s->stage_len;
}

static void host_unstage(NetcardIso7816State *s, uint32_t n)
{
    s->stage_len -= n;
    memmove(s->stage, s->stage + n, s->stage_len);
}

/*
 * Staged bytes into the frame (the rest of its header, then of its
 * payload) or, while a frame is answered, into the look-ahead; each frame
 * complete is dispatched. A call from inside (a control frame answered at
 * once ends in netcard_iso_host_done()) makes the running one go round
 * again instead of nesting.
 */
void netcard_iso_host_pump(NetcardIso7816State *s)
{
    uint32_t n;

    if (s->host_pumping) {
        s->host_repump = true;
        return;
    }
    s->host_pumping = true;
    do {
        s->host_repump = false;
        while (!s->host_busy && s->stage_len && !frame_complete(s)) {
            n = s->frame_len < 2 ? 2 - s->frame_len
                                 : 2 + frame_payload_len(s) - s->frame_len;
            n = MIN(n, s->stage_len);
            memcpy(s->frame + s->frame_len, s->stage, n);
            s->frame_len += n;
            host_unstage(s, n);
        }
        host_dispatch(s);
        while (s->host_busy && s->stage_len && host_ahead_room(s)) {
            n = MIN(s->stage_len, (uint32_t)host_ahead_room(s));
            memcpy(s->ahead + s->ahead_len, s->stage, n);
            s->ahead_len += n;
            host_unstage(s, n);
            host_check_ahead(s);
        }
    } while (s->host_repump);
    s->host_pumping = false;
    netcard_iso_lockstep_settle(s);
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
    int room = (int)sizeof(s->stage) - (int)s->stage_len;

    host_tune_socket(s, false);
    if (size > room) {
        size = room;        /* cannot happen: can_receive bounds it */
    }
    memcpy(s->stage + s->stage_len, buf, size);
    s->stage_len += size;
    netcard_iso_host_pump(s);
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
        s->ahead_len = 0;               /* the gone client's next frame */
        s->stage_len = 0;
        netcard_iso_term_forget_reset_report(s);   /* its session is gone */
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

void netcard_iso_vpcd_realize(NetcardIso7816State *s)
{
    qemu_chr_fe_set_handlers(&s->chr, host_can_receive, host_receive,
                             host_event, NULL, s, NULL, true);
}

void netcard_iso_vpcd_unrealize(NetcardIso7816State *s)
{
    qemu_chr_fe_deinit(&s->chr, false);
}
