/*
 * netcard ISO 7816 UART: the contract between the files of the one QOM
 * device netcard-iso7816-uart. They share its state, NetcardIso7816State
 * (netcard_iso7816_uart.h); each part owns some of its fields and reaches
 * the others only through the functions below.
 *
 * netcard_iso7816_uart.c  card side and QOM. Owns the registers, FIFOs,
 *     the IRQ and the card's transmitter (ctrl ... tx_attempt, the card
 *     timer), the contacts as the card sees them (vcc, rst, clk: changed
 *     only through netcard_iso_set_line()), properties, reset and VMState.
 *     Hands every character the card sends to netcard_iso_term_rx_char();
 *     tells the terminal when it may send (netcard_iso_term_txq_pump())
 *     and when a chip reset it asked for has happened.
 * netcard_iso7816_term.c  terminal. Owns the terminal state (tstate), the
 *     link parameters learnt from the ATR and PPS (term_f ... nack_tries),
 *     the character queue towards the card (txq) and both terminal
 *     timers. Activates, resets and deactivates the card, reads the ATR,
 *     negotiates PPS, sends characters (netcard_iso_term_send()) and runs
 *     the waiting time of whatever it waits for. When it is ready it
 *     passes characters from the card on to the exchange in progress.
 * netcard_iso7816_t0t1.c  exchanges. Owns xfer, sub, resp and the t0_*
 *     and t1_* fields: turns the C-APDU of the host frame into T=0 or T=1
 *     traffic and the answer into the R-APDU.
 * netcard_iso7816_lockstep.c  lockstep with the host (property
 *     lockstep): owns ls_*; stops the VM while it is the host's turn.
 * netcard_iso7816_vpcd.c  host bridge. Owns the chardev, the frame being
 *     received or answered (frame, host_busy, host_discard), the
 *     look-ahead at the next frame (ahead) and the answer being written
 *     (host_tx, host_watch). Starts exchanges and activations; everyone
 *     answers the current frame through netcard_iso_host_reply() and
 *     then netcard_iso_host_done().
 *
 * Everything runs in the main loop (chardev callbacks, virtual-clock
 * timers, MMIO), one event at a time: the functions call each other
 * directly, and none blocks.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef NETCARD_ISO7816_INTERNAL_H
#define NETCARD_ISO7816_INTERNAL_H

#include "qemu/timer.h"
#include "qemu/host-utils.h"
#include "netcard_iso7816_uart.h"

/* Terminal states (tstate) */
enum {
    TS_OFF = 0,        /* VCC off */
    TS_RESETTING,      /* VCC on, RST low: chip reset, then >= 400 CLK */
    TS_ATR,            /* RST high, reading the ATR */
    TS_PPS,            /* PPS request sent, reading the response */
    TS_READY,          /* ATR (and PPS) done: exchanges possible */
    TS_MUTE,           /* powered, but no valid ATR: no card */
};

/* Exchanges (xfer) */
enum { XFER_NONE = 0, XFER_T0, XFER_T1 };

/*
 * The longest answer a vpcd frame carries: its length field is 16 bits.
 * Under T=0 the terminal never asks the card for more data than fits
 * with the SW; any longer answer (T=1: up to 65536 bytes + SW) reaches
 * the host as 6700, so that no frame length ever wraps
 * (docs/iso7816.md "Answers in error cases").
 */
#define HOST_PAYLOAD_MAX      0xffffu

/* The terminal's IFSD: the longest INF it takes (ISO 7816-3 11.4.2) */
#define T1_IFSD               254

/*
 * The bound in timing=fast (property fast-wait-ms), in virtual time: the
 * card OS boots and runs in the same QEMU, so it is generous (a first boot
 * formats the store before the ATR).
 */
#define FAST_WAIT_DEFAULT_MS  5000

/* ---- Shared helpers ---- */

static inline uint8_t bitrev8(uint8_t b)
{
    b = (b & 0xf0) >> 4 | (b & 0x0f) << 4;
    b = (b & 0xcc) >> 2 | (b & 0x33) << 2;
    b = (b & 0xaa) >> 1 | (b & 0x55) << 1;
    return b;
}

/* Logical byte -> levels of the 8 data bits in transmission order. */
static inline uint8_t line_encode(uint8_t v, bool inverse)
{
    return inverse ? bitrev8((uint8_t)~v) : v;
}

static inline uint8_t line_decode(uint8_t phys, bool inverse)
{
    return inverse ? (uint8_t)~bitrev8(phys) : phys;
}

/* Duration of ETUS elementary time units at F/D, in ns of virtual time. */
static inline int64_t etu_ns(NetcardIso7816State *s, uint64_t etus,
                             uint32_t f, uint32_t d)
{
    return (int64_t)((__int128_t)etus * f * NANOSECONDS_PER_SECOND /
                     ((uint64_t)d * s->clk_hz));
}

static inline int64_t clk_ns(NetcardIso7816State *s, uint64_t clocks)
{
    return muldiv64_round_up(clocks, NANOSECONDS_PER_SECOND, s->clk_hz);
}

static inline int64_t now_ns(void)
{
    return qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
}

/* Powered, out of reset and clocked: characters can cross the line. */
static inline bool line_active(NetcardIso7816State *s)
{
    return s->vcc && s->rst && s->clk;
}

/* Activation in progress: a frame waits for it to end. */
static inline bool term_transitional(NetcardIso7816State *s)
{
    return s->tstate == TS_RESETTING || s->tstate == TS_ATR ||
           s->tstate == TS_PPS;
}

/* Payload length of the host frame (valid once 2 bytes are in). */
static inline uint32_t frame_payload_len(NetcardIso7816State *s)
{
    return (uint32_t)s->frame[0] << 8 | s->frame[1];
}

/* ---- netcard_iso7816_uart.c: card side ---- */

/* Drive the contacts; a change of RST sets ISR.RST. */
void netcard_iso_set_line(NetcardIso7816State *s, bool vcc, bool rst,
                          bool clk);
/*
 * A character arrives at the card's receiver. PHYS is the level pattern,
 * SENDER_INVERSE the sender's convention, F/D the sender's etu. Returns
 * true if the card signals an error (the sender should repeat).
 */
bool netcard_iso_card_rx_char(NetcardIso7816State *s, uint8_t phys,
                              bool sender_inverse, uint32_t f, uint32_t d);
/* timing=fast flow control: may the terminal send a character now? */
bool netcard_iso_card_can_accept(NetcardIso7816State *s);
/* Start (or, in timing=fast, finish) sending what the card queued. */
void netcard_iso_card_tx_kick(NetcardIso7816State *s);

/* ---- netcard_iso7816_term.c: terminal ---- */

const char *netcard_iso_term_state_name(NetcardIso7816State *s);
/* A character from the card reached the terminal; ERR: parity error. */
void netcard_iso_term_rx_char(NetcardIso7816State *s, uint8_t v, bool err);
/* timing=fast: send queued characters while the card can take them. */
void netcard_iso_term_txq_pump(NetcardIso7816State *s);
/* Queue characters for the card (and arm the waiting time). */
void netcard_iso_term_send(NetcardIso7816State *s, const uint8_t *buf,
                           uint32_t len);
/* (Re)arm the waiting time for the card's next character. */
void netcard_iso_term_arm_wait(NetcardIso7816State *s);
void netcard_iso_term_stop_timer(NetcardIso7816State *s);
/*
 * The exchange (or activation) failed: trace, answer the host with an
 * empty frame if it waits for something, and deactivate if asked.
 */
void netcard_iso_term_fail(NetcardIso7816State *s, const char *why,
                           bool deactivate);
void netcard_iso_term_power_on(NetcardIso7816State *s);
void netcard_iso_term_power_off(NetcardIso7816State *s);
void netcard_iso_term_warm_reset(NetcardIso7816State *s);
/*
 * The chip has been reset (the device's reset): RST rises after a reset
 * the terminal asked for; after any other the terminal reads the ATR the
 * card sends on its own and tells the host.
 */
void netcard_iso_term_chip_reset_done(NetcardIso7816State *s);
/*
 * The card reset itself while the host was idle and the host has not
 * been told yet: true once (the caller answers the frame with the error
 * answer), then false.
 */
bool netcard_iso_term_take_reset_report(NetcardIso7816State *s);
/* The host powers or resets the card itself: nothing left to tell. */
void netcard_iso_term_forget_reset_report(NetcardIso7816State *s);
void netcard_iso_term_realize(NetcardIso7816State *s);
void netcard_iso_term_unrealize(NetcardIso7816State *s);

/* ---- netcard_iso7816_t0t1.c: exchanges ---- */

/* Exchange the C-APDU of the host frame (terminal ready, T=0 or T=1). */
void netcard_iso_xfer_start(NetcardIso7816State *s);
/* A character from the card while the terminal is ready. */
void netcard_iso_xfer_rx(NetcardIso7816State *s, uint8_t v, bool err);
/* The waiting time of the exchange in progress ran out. */
void netcard_iso_xfer_timeout(NetcardIso7816State *s);
/* Forget the exchange in progress (no answer sent). */
void netcard_iso_xfer_end(NetcardIso7816State *s);

/* ---- netcard_iso7816_vpcd.c: host bridge ---- */

/* Answer the current frame (LEN 0: the empty error answer). */
void netcard_iso_host_reply(NetcardIso7816State *s, const uint8_t *data,
                            uint32_t len);
/* The current frame is finished with: accept the next one. */
void netcard_iso_host_done(NetcardIso7816State *s);
/* Activation ended: a frame that waited for it can proceed. */
void netcard_iso_host_resume(NetcardIso7816State *s);
/* Take what the host sent as far as the frame in progress allows. */
void netcard_iso_host_pump(NetcardIso7816State *s);
void netcard_iso_vpcd_realize(NetcardIso7816State *s);
void netcard_iso_vpcd_unrealize(NetcardIso7816State *s);

/* ---- netcard_iso7816_lockstep.c: lockstep with the host ---- */

/*
 * Is it the host's turn (lockstep on, no frame being answered, no
 * activation or ATR in progress)? Frames are taken only then.
 */
bool netcard_iso_lockstep_host_turn(NetcardIso7816State *s);
/*
 * Something that decides the turn changed (a frame taken or finished, a
 * terminal state): stop the card for the host's turn, or let it run.
 */
void netcard_iso_lockstep_settle(NetcardIso7816State *s);
bool netcard_iso_lockstep_realize(NetcardIso7816State *s, Error **errp);
void netcard_iso_lockstep_unrealize(NetcardIso7816State *s);

#endif /* NETCARD_ISO7816_INTERNAL_H */
