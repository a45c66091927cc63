/*
 * The card's side of an ISO/IEC 7816-3 session: ATR, optional PPS, then
 * T=0 or T=1 carrying APDUs up to whoever registered struct
 * iso_card_apdu_port (the card's wiring hands them to the APDU runtime;
 * this transport never names it).
 *
 * Sequence (7816-3:2006 6.3, 9):
 *   reset        -> state WAIT_RST (nothing sent, input ignored)
 *   send_atr()   -> the ATR (atr_build) is queued; state NEGOTIATE;
 *                   the UART is in T=0 character mode (error signal and
 *                   repetition on), F = 372, D = 1.
 *   first byte FF -> a PPS request is collected; a valid one is answered
 *                   (pps_respond) and the chosen protocol starts; the new
 *                   F/D (and character mode) are applied by the driver
 *                   the moment the response has left the UART (TXIDLE),
 *                   see iso_card_io.switch_at_tx_idle. An erroneous
 *                   request gets no answer and the card waits for the
 *                   next reset.
 *   any other first byte -> no PPS: the first offered protocol (TD1:
 *                   T=0) at Fd = 372, Dd = 1 (negotiable mode, 6.3.1);
 *                   the byte is the first of a T=0 header.
 * T=1 switches the UART's error signal and repetition off (the EDC
 * catches errors).
 *
 * The platform is reached only through struct iso_card_io and the APDU
 * layer only through struct iso_card_apdu_port, so the whole session runs
 * on the host against a simulated terminal.
 *
 * Context: everything runs in the event loop, except iso_card_send_atr(),
 * which the card's RST interrupt handler may call in state WAIT_RST (the
 * other entry points do nothing in that state).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_ISO7816_CARD_H
#define CARDOS_ISO7816_CARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iso7816/t0.h"
#include "iso7816/t1.h"

struct iso_card_io {
    void (*send)(const uint8_t *buf, size_t len);
    void (*set_etu)(unsigned f, unsigned d);
    /* true: T=0 character mode (error signal + repetition); false: T=1 */
    void (*set_char_mode)(bool t0);
    /*
     * Once everything queued has left the line (TXIDLE), set the etu to
     * F/D and the character mode, at once (the driver does it in its
     * interrupt handler, so the card listens at the new rate before the
     * terminal's next character), then call iso_card_tx_idle().
     */
    void (*switch_at_tx_idle)(unsigned f, unsigned d, bool t0);
    uint32_t (*now_ms)(void);
    uint32_t clk_hz;       /* terminal's CLK, for waiting times */
};

/* Where complete command APDUs go (registered from above). */
struct iso_card_apdu_port {
    /*
     * Process the C-APDU in buf[0..len) (the buffer has CAP bytes). True:
     * done, the R-APDU is in buf[0..*rsp_len). False: the command goes on
     * (the link keeps the terminal waiting) and poll() is called from
     * iso_card_tick() until it is done.
     */
    bool (*execute)(uint8_t *buf, size_t len, size_t cap, size_t *rsp_len);
    bool (*poll)(uint8_t *buf, size_t cap, size_t *rsp_len);
    /* Forget the command that is going on (the link dropped it). */
    void (*cancel)(void);
    /* T=0: which way this command's data goes. */
    enum t0_dir (*t0_direction)(const uint8_t hdr[4]);
    /* The card was reset or a protocol starts: the APDU session restarts
     * (channels closed, default selections). */
    void (*reset)(void);
};

enum iso_card_state {
    ISO_WAIT_RST,
    ISO_NEGOTIATE,       /* ATR sent; PPS or first protocol byte expected */
    ISO_PPS_RX,
    ISO_PPS_FAILED,      /* erroneous PPS: silent until reset */
    ISO_T0,
    ISO_T1,
};

/* BUF (CAP bytes) carries every command and response: give it room for
 * the longest APDU the link accepts (apdu/apdu.h APDU_BUF_SIZE). */
void iso_card_init(const struct iso_card_io *io,
                   const struct iso_card_apdu_port *apdu, uint8_t *buf,
                   size_t cap);
/* RST low or a new activation: back to WAIT_RST. */
void iso_card_reset(void);
void iso_card_send_atr(void);
void iso_card_rx(const uint8_t *data, size_t n);
void iso_card_tx_idle(void);
/* Call every few ms while iso_card_needs_tick(): timeouts, waiting-time
 * extensions, pending APDUs. */
void iso_card_tick(void);
/*
 * True while iso_card_tick() has work: a pending APDU to poll, a T=0
 * NULL byte or T=1 S(WTX) to send in time, a partial header or block to
 * time out. Otherwise the session waits only for characters (and the
 * card can sleep): re-check after iso_card_rx() and iso_card_tick().
 */
bool iso_card_needs_tick(void);

enum iso_card_state iso_card_state(void);
unsigned iso_card_protocol(void);
void iso_card_params(unsigned *f, unsigned *d);
/* "T=1 F=512 D=32 IFSC=254 IFSD=254" */
void iso_card_link_info(char *buf, size_t size);

/* The link layers, for tests and logs. */
const struct t0 *iso_card_t0(void);
const struct t1 *iso_card_t1(void);

/* Waiting-indicator intervals derived from the ATR (ms). */
uint32_t iso_card_wwt_ms(uint32_t clk_hz, unsigned fi);
uint32_t iso_card_bwt_ms(uint32_t clk_hz, unsigned bwi);

#endif /* CARDOS_ISO7816_CARD_H */
