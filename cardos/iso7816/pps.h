/*
 * PPS responder, card side (ISO/IEC 7816-3:2006 9).
 *
 * Request: PPSS (FF), PPS0 (b5/b6/b7: PPS1/PPS2/PPS3 present, b4..b1: T),
 * PPS1 (Fi/Di codes), PPS2, PPS3, PCK (XOR of all bytes = 00).
 *
 * The card accepts:
 *  - T = 0 or T = 1 (the protocols its ATR offers);
 *  - PPS1 with the Fi code of TA1 (or 1, Fi = 372) and a Di code from 1
 *    up to that of TA1 (Di 1, 2, 4, 8, 16, 32): echoed, and used;
 *    any other PPS1 is left out of the response: Fd = 372, Dd = 1 apply;
 *  - PPS2 and PPS3 are never echoed (no SPU, nothing defined).
 * An erroneous request (bad PCK, T not offered, wrong PPSS) gets no
 * response (9.3: the terminal then resets or deactivates the card).
 *
 * No hardware access; compiles on the host.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_ISO7816_PPS_H
#define CARDOS_ISO7816_PPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PPS_MAX_LEN 6

struct pps_rx {
    uint8_t buf[PPS_MAX_LEN];
    size_t len;
};

enum pps_rx_status {
    PPS_RX_MORE,        /* need more bytes */
    PPS_RX_COMPLETE,    /* a full request is in the buffer */
};

void pps_rx_reset(struct pps_rx *rx);
/* Feed one byte; once COMPLETE, further bytes are not taken. */
enum pps_rx_status pps_rx_byte(struct pps_rx *rx, uint8_t b);

struct pps_result {
    unsigned protocol;      /* T */
    unsigned f, d;          /* to use after the response */
};

/*
 * Evaluate a complete request against the card's TA1 and offered
 * protocols (bit T set). Returns the response length written to @rsp
 * (>= PPS_MAX_LEN bytes), or 0 if the request is erroneous (no response).
 */
size_t pps_respond(const uint8_t *req, size_t len, uint8_t card_ta1,
                   uint16_t protocols, uint8_t *rsp, struct pps_result *res);

#endif /* CARDOS_ISO7816_PPS_H */
