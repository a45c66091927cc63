/*
 * netcard ISO 7816 UART: the card side of the contact interface (I/O, RST,
 * CLK, VCC), and, inside the same device, the terminal (interface device)
 * that drives the line for the host.
 *
 * This header is the contract between the QEMU model and the card OS
 * driver. Built with NETCARD_CARDOS defined it provides only the register
 * map (REG32/FIELD) and the constants.
 *
 * Window: 0x4000_2000, 4 KiB, NVIC line 1. 32-bit accesses only.
 *
 * The line (ISO 7816-3):
 *  - Characters are 1 start bit, 8 data bits, even parity, then guard time.
 *    One elementary time unit (etu) is F/D cycles of CLK. The card's ETU
 *    register must match the terminal's: after reset both use F=372 D=1;
 *    after a PPS exchange both switch to the negotiated F and D (the card
 *    writes ETU once its PPS response has left, i.e. at TXIDLE). A
 *    character sent while the two disagree arrives corrupted (it is
 *    received with a parity error), as on a real line. In timing=fast the
 *    terminal holds its own characters until the card's ETU matches.
 *  - Convention: CTRL.INVERSE selects inverse convention (ISO 7816-3
 *    8.1). The terminal learns the convention from TS, the first ATR
 *    character (3B direct, 3F inverse).
 *  - Activation (ISO 7816-3 6.2): the terminal applies VCC (a cold reset
 *    of the chip: sysctl cause power-on), starts CLK, holds RST low for at
 *    least 400 CLK cycles, then raises it (LINE.RST = 1, ISR.RST). The card
 *    must start its ATR within 400..40000 CLK cycles after the rising
 *    edge (timing=real enforces it; timing=fast allows any delay up to
 *    the ATR timeout documented in docs/iso7816.md).
 *  - Warm reset (ISO 7816-3 6.3.3): RST falls (a warm reset of the chip:
 *    sysctl cause warm), then rises again; the card sends its ATR again.
 *  - Deactivation: VCC, CLK and RST off (LINE reads 0; ISR.RST if RST was
 *    high). The chip is NOT held in reset: it keeps running (its network
 *    interface stays usable, and at QEMU start it boots before any host
 *    powers the contacts); the card OS should stop using the UART until
 *    RST rises again. The next activation is a cold reset.
 *  - timing=fast (default) moves characters as soon as they are written;
 *    timing=real gives every character (12 + N) etu of virtual time. The
 *    terminal's behaviour, waiting times and answers to the host are in
 *    docs/iso7816.md.
 *  - Error signal (ISO 7816-3 7.3, T=0): a receiver that sees a parity
 *    error pulls I/O low during the guard time and the sender repeats the
 *    character. CTRL.ERRSIG makes this UART signal errors on reception;
 *    CTRL.AUTORETX makes it repeat characters the terminal rejected, up
 *    to CTRL.RETRIES times (then STATUS.TXFAIL and the character is
 *    dropped). For T=1 the card clears both: errors are caught by the
 *    block's EDC instead.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later OR Apache-2.0
 */
#ifndef NETCARD_ISO7816_UART_H
#define NETCARD_ISO7816_UART_H

#ifdef NETCARD_CARDOS
#include "arch/regfields.h"
#else
#include "hw/sysbus.h"
#include "hw/registerfields.h"
#include "chardev/char-fe.h"
#include "qemu/timer.h"
#include "system/runstate.h"
#include "qom/object.h"
#include "netcard_sysctl.h"
#endif

/*
 * RW. Read: the oldest received character (RX FIFO, NETCARD_ISO_FIFO_DEPTH
 * deep; reads 0 when empty). Write: queue a character for transmission
 * (TX FIFO; a write to a full FIFO is a guest error and is dropped).
 */
REG32(ISO_DATA, 0x000)
    FIELD(ISO_DATA, CHAR, 0, 8)
/* RO: FIFO levels and sticky error flags (cleared through ISR). */
REG32(ISO_STATUS, 0x004)
    FIELD(ISO_STATUS, RXNE, 0, 1)     /* RX FIFO not empty */
    FIELD(ISO_STATUS, TXNF, 1, 1)     /* TX FIFO not full */
    FIELD(ISO_STATUS, TXIDLE, 2, 1)   /* TX FIFO empty, last guard time over */
    FIELD(ISO_STATUS, PARERR, 3, 1)   /* a received char had a parity error */
    FIELD(ISO_STATUS, OVERRUN, 4, 1)  /* a char lost: arrived, RX FIFO full */
    FIELD(ISO_STATUS, TXFAIL, 5, 1)   /* a char dropped: RETRIES+1 rejections */
    FIELD(ISO_STATUS, RXCOUNT, 8, 5)  /* chars in the RX FIFO */
    FIELD(ISO_STATUS, TXCOUNT, 16, 5) /* chars in the TX FIFO */
/* RW */
REG32(ISO_CTRL, 0x008)
    FIELD(ISO_CTRL, EN, 0, 1)         /* receiver and transmitter on */
    FIELD(ISO_CTRL, INVERSE, 1, 1)    /* inverse convention */
    FIELD(ISO_CTRL, ERRSIG, 2, 1)     /* signal received parity errors (T=0) */
    FIELD(ISO_CTRL, AUTORETX, 3, 1)   /* repeat rejected chars (T=0) */
    FIELD(ISO_CTRL, RETRIES, 4, 3)    /* repetitions before TXFAIL, 0..7 */
/*
 * RW: the card's etu, F/D cycles of CLK (ISO 7816-3 7.1). F is the clock
 * rate conversion integer (372, 512, ...), D the baud rate adjustment
 * integer (1, 2, 4, ..., 64, or 12, 20). F = 0 or D = 0 is a guest error
 * and leaves the register unchanged. Reset: F = 372, D = 1.
 */
REG32(ISO_ETU, 0x00c)
    FIELD(ISO_ETU, F, 0, 16)
    FIELD(ISO_ETU, D, 16, 8)
/*
 * RW: extra guard time N (ISO 7816-3 7.2, TC1): characters the card sends
 * are 12 + N etu apart (N = 255: 11 etu under T=1, 12 under T=0).
 */
REG32(ISO_GUARD, 0x010)
    FIELD(ISO_GUARD, N, 0, 8)
/* RW: interrupt enables, bit for bit as ISR. */
REG32(ISO_IER, 0x014)
/*
 * Interrupt status. RXNE, TXNF and TXIDLE follow STATUS (level); PARERR,
 * OVERRUN, TXFAIL and RST are sticky and cleared by writing 1. The IRQ
 * line is high while (ISR & IER) != 0.
 */
REG32(ISO_ISR, 0x018)
    FIELD(ISO_ISR, RXNE, 0, 1)
    FIELD(ISO_ISR, TXNF, 1, 1)
    FIELD(ISO_ISR, TXIDLE, 2, 1)
    FIELD(ISO_ISR, PARERR, 3, 1)
    FIELD(ISO_ISR, OVERRUN, 4, 1)
    FIELD(ISO_ISR, TXFAIL, 5, 1)
    FIELD(ISO_ISR, RST, 6, 1)         /* the RST line changed */
/* RO: contact states as the card sees them. */
REG32(ISO_LINE, 0x01c)
    FIELD(ISO_LINE, VCC, 0, 1)
    FIELD(ISO_LINE, RST, 1, 1)        /* 1: RST high, the card may run */
    FIELD(ISO_LINE, CLK, 2, 1)        /* 1: CLK running */
/* RO: frequency of CLK supplied by the terminal, in Hz. */
REG32(ISO_CLK_HZ, 0x020)

#define NETCARD_ISO_FIFO_DEPTH      16
#define NETCARD_ISO_DEFAULT_F       372
#define NETCARD_ISO_DEFAULT_D       1
#define NETCARD_ISO_DEFAULT_CLK_HZ  3571200

#ifndef NETCARD_CARDOS
/*
 * QEMU-only part: the device state. Card-side registers and FIFOs are reset
 * with the chip (Resettable); everything under "terminal" survives chip
 * resets, including the ones the terminal itself causes (VCC on, RST low).
 * docs/iso7816.md describes the terminal's behaviour and the properties.
 */
#define TYPE_NETCARD_ISO7816_UART "netcard-iso7816-uart"
OBJECT_DECLARE_SIMPLE_TYPE(NetcardIso7816State, NETCARD_ISO7816_UART)

#define NETCARD_ISO_ATR_MAX      33
#define NETCARD_ISO_FRAME_MAX    (2 + 65535)        /* vpcd length + payload */
#define NETCARD_ISO_RESP_MAX     (65536 + 2)        /* R-APDU data + SW */
#define NETCARD_ISO_HOST_STAGE   4096               /* one chardev read */
#define NETCARD_ISO_TXQ_MAX      320                /* one TPDU or T=1 block */
#define NETCARD_ISO_T1_BLOCK_MAX (3 + 254 + 2)

struct NetcardIso7816State {
    SysBusDevice parent_obj;

    MemoryRegion iomem;
    qemu_irq irq;
    CharBackend chr;
    NetcardSysctlState *sysctl;
    QEMUTimer *card_tx_timer;   /* timing=real: card character on the line */
    QEMUTimer *term_tx_timer;   /* timing=real: terminal character on line */
    QEMUTimer *term_timer;      /* RST delay, ATR/PPS/T=0/T=1 waiting times */

    /* Properties */
    uint32_t clk_hz;
    char *timing;               /* "fast" | "real" */
    char *protocol;             /* "auto" | "t0" | "t1" */
    bool pps;
    uint32_t fast_wait_ms;      /* timing=fast: bound for any wait */
    bool real_timing;           /* parsed */
    int32_t forced_protocol;    /* -1 auto, 0, 1 */

    /* Fault knobs (QMP qom-set at run time) and counters (qom-get) */
    uint32_t inject_rx_parity;
    uint32_t inject_tx_nack;
    uint32_t cnt_to_card;
    uint32_t cnt_from_card;
    uint32_t cnt_parity_errors;
    uint32_t cnt_retransmissions;
    uint32_t cnt_host_errors;
    uint32_t cnt_host_frames;
    int64_t rst_rise_ns;        /* virtual time RST last rose */
    uint32_t atr_latency_us;    /* RST rise to ATR end: QOM atr-latency-us */

    /* Card side: reset with the chip */
    uint32_t ctrl;
    uint32_t etu;
    uint32_t guard;
    uint32_t ier;
    uint32_t isr_sticky;
    uint8_t rx_fifo[NETCARD_ISO_FIFO_DEPTH];
    uint32_t rx_head;
    uint32_t rx_count;
    uint8_t tx_fifo[NETCARD_ISO_FIFO_DEPTH];
    uint32_t tx_head;
    uint32_t tx_count;
    bool tx_busy;               /* timing=real: a character is on the line */
    uint8_t tx_shift;           /* ... this one */
    uint32_t tx_attempt;        /* repetitions of tx_shift so far */

    /* Contacts, driven by the terminal */
    bool vcc;
    bool rst;
    bool clk;

    /* Terminal: survives chip resets */
    uint32_t tstate;            /* TS_* (netcard_iso7816_internal.h) */
    uint32_t timer_reason;
    bool reset_pending;         /* a chip reset we requested has not run yet */
    bool pps_failed;            /* skip PPS after the warm reset it caused */
    uint32_t term_f;
    uint32_t term_d;
    uint32_t term_n;            /* extra guard time (TC1) */
    bool term_inverse;
    uint32_t protocol_sel;      /* 0 or 1 */
    uint8_t atr[NETCARD_ISO_ATR_MAX];
    uint32_t atr_len;
    bool atr_valid;
    /*
     * The inserted card's ATR from its last successful activation, kept
     * while VCC is off: vpcd's get-ATR is pcscd's card-presence poll, and
     * pcscd only powers on a card it sees as present.
     */
    uint8_t card_atr[NETCARD_ISO_ATR_MAX];
    uint32_t card_atr_len;
    bool card_mute;             /* last activation found no valid ATR */
    /*
     * The card reset itself (a reset the terminal did not cause) while
     * the host was idle: its next frame is answered with the error
     * answer (docs/iso7816.md "Resets the terminal did not cause").
     */
    bool reset_report;
    bool atr_unsolicited;       /* reading an ATR not asked for */
    uint8_t pps_req[4];
    uint32_t pps_req_len;
    uint8_t pps_resp[6];
    uint32_t pps_resp_len;
    uint32_t wi;                /* T=0 waiting integer (TC2) */
    uint32_t bwi;               /* T=1 (TB3) */
    uint32_t cwi;
    uint32_t ifsc;
    bool edc_crc;
    uint32_t wtx;               /* T=1 waiting time extension multiplier */
    uint32_t nack_tries;        /* terminal repetitions of one character */

    /* Terminal -> card character queue */
    uint8_t txq[NETCARD_ISO_TXQ_MAX];
    uint32_t txq_pos;
    uint32_t txq_len;

    /* Exchange in progress */
    uint32_t xfer;              /* 0 none, 1 T=0, 2 T=1 */
    uint32_t sub;
    uint8_t resp[NETCARD_ISO_RESP_MAX];
    uint32_t resp_len;
    /* T=0 */
    uint8_t t0_hdr[5];
    uint32_t t0_out_off;        /* next command byte to send (in the frame) */
    uint32_t t0_out_rem;
    uint32_t t0_in_rem;
    uint32_t t0_ne;             /* response bytes still wanted */
    uint32_t t0_case;
    bool t0_reissued;
    uint8_t t0_sw1;
    /* T=1 */
    uint32_t t1_ns;             /* N(S) of the terminal's next I-block */
    uint32_t t1_nr;             /* N(S) expected from the card */
    bool t1_need_ifs;
    uint32_t t1_off;            /* command bytes sent so far */
    uint32_t t1_chunk;          /* size of the last I-block's INF */
    uint32_t t1_retries;
    uint32_t t1_resynchs;
    bool t1_sending;            /* still sending the command chain */
    bool t1_i_acked;            /* our last I-block has been acknowledged */
    uint8_t t1_last[NETCARD_ISO_T1_BLOCK_MAX];
    uint32_t t1_last_len;
    uint8_t t1_last_i[NETCARD_ISO_T1_BLOCK_MAX];
    uint32_t t1_last_i_len;
    uint8_t t1_rx[NETCARD_ISO_T1_BLOCK_MAX + 1];
    uint32_t t1_rx_len;
    bool t1_rx_err;

    /* Host side (vpcd framing) */
    uint8_t frame[NETCARD_ISO_FRAME_MAX];
    uint32_t frame_len;         /* bytes received of the current frame */
    bool host_busy;             /* the current frame is being answered */
    bool host_discard;          /* client went away: drop the answer */
    /*
     * Look-ahead: while a frame is answered, the next frame's header and,
     * for a control frame, its code (a power-off ends the exchange).
     */
    uint8_t ahead[3];
    uint32_t ahead_len;
    /*
     * What the chardev gave and the frame or the look-ahead has not taken
     * yet: a whole frame arrives in one read, whatever its length field.
     */
    uint8_t stage[NETCARD_ISO_HOST_STAGE];
    uint32_t stage_len;
    bool host_rx_stalled;       /* can_receive said 0 since the last kick */
    bool host_pumping;          /* host_pump() runs: a nested call repeats */
    bool host_repump;
    uint8_t host_tx[2 + NETCARD_ISO_RESP_MAX];
    uint32_t host_tx_pos;
    uint32_t host_tx_len;
    guint host_watch;

    /* Lockstep with the host (property lockstep; netcard_iso7816_lockstep.c) */
    bool lockstep;
    bool ls_turn;               /* the host's turn: the card waits for it */
    bool ls_frozen;             /* the VM is stopped for that turn */
    QEMUTimerListGroup ls_tlg;  /* timer lists nobody runs: the fence's */
    QEMUTimer ls_fence;         /* expired: no guest instruction runs */
    QEMUBH *ls_bh;
    VMChangeStateEntry *ls_vmse;
};
#endif /* !NETCARD_CARDOS */

#endif /* NETCARD_ISO7816_UART_H */
