/*
 * T=0 character protocol, card side (ISO/IEC 7816-3:2006 10, and 12.2
 * for the mapping of APDUs to T=0 TPDUs).
 *
 * The card receives a 5-byte header CLA INS P1 P2 P3, then:
 *  - INS 6x or 9x (invalid, 10.3.2): SW 6D00 at once.
 *  - GET RESPONSE (INS C0, P1 P2 = 00 00) while response bytes are
 *    waiting: with Le' = P3 (00 = 256) and Na bytes waiting: Le' > Na:
 *    6C Na; else procedure byte C0, Le' bytes, then 61 xx with what is
 *    left (xx = 00 for 256 or more), or the response's own SW when done.
 *  - A repeated header with P3 = the Na of our last 6C Na (and the same
 *    CLA INS P1 P2): the kept response is sent, not executed again.
 *  - Otherwise t0_io.direction() tells the case from CLA INS P1 P2:
 *    T0_DIR_IN (the card receives P3 data bytes, case 3/4; P3 = 00 is
 *      case 1): procedure byte INS, then P3 bytes; executed as case 4S
 *      (Le = 00), since T=0 does not carry Le: response data is offered
 *      with 61 xx for GET RESPONSE;
 *    T0_DIR_OUT (case 2, Le = P3, 00 = 256): executed as case 2S; if the
 *      response has exactly Le bytes: INS, data, SW; fewer (but some):
 *      6C Na; more: 61 xx;
 *    T0_DIR_NONE (case 1 or unknown command): executed as case 1, its SW
 *      sent at once.
 *  - While an execution is pending, a NULL byte (60) is sent every
 *    cfg.null_interval_ms (10.3.3) so the terminal's WWT never runs out.
 *  - Header or data characters that stop for more than
 *    cfg.char_timeout_ms are dropped (back to waiting for a header).
 *
 * Parity errors and repetition are handled by the UART (CTRL.ERRSIG and
 * AUTORETX), not here.
 *
 * No hardware access; compiles on the host.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_ISO7816_T0_H
#define CARDOS_ISO7816_T0_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define T0_NULL 0x60u
#define T0_INS_GET_RESPONSE 0xc0u

enum t0_dir { T0_DIR_NONE, T0_DIR_IN, T0_DIR_OUT };

struct t0_config {
    uint32_t null_interval_ms;
    uint32_t char_timeout_ms;
};

struct t0_io {
    void (*send)(void *ctx, const uint8_t *buf, size_t len);
    /* Same contract as t1_io.execute. */
    bool (*execute)(void *ctx, uint8_t *buf, size_t len, size_t cap,
                    size_t *rsp_len);
    enum t0_dir (*direction)(void *ctx, const uint8_t hdr[4]);
    void *ctx;
};

enum t0_state { T0_HEADER, T0_DATA, T0_PENDING };

struct t0 {
    struct t0_config cfg;
    struct t0_io io;
    uint8_t *apdu;
    size_t apdu_cap;
    enum t0_state state;
    uint8_t hdr[5];
    size_t hdr_len;
    size_t data_len, data_want;
    enum t0_dir dir;
    uint32_t last_rx_ms, next_null_ms;
    /* response kept for GET RESPONSE / 6Cxx: data at apdu[rsp_off..] */
    size_t rsp_off, rsp_left;
    uint16_t rsp_sw;
    bool rsp_valid;
    bool rsp_6c;              /* last answer was 6C Na for this header */
    uint8_t rsp_6c_hdr[4];
    uint32_t nulls_sent;
};

void t0_init(struct t0 *t, const struct t0_config *cfg, const struct t0_io *io,
             uint8_t *apdu_buf, size_t apdu_cap);
void t0_rx(struct t0 *t, const uint8_t *data, size_t n, uint32_t now_ms);
void t0_tick(struct t0 *t, uint32_t now_ms);
void t0_response_ready(struct t0 *t, size_t rsp_len, uint32_t now_ms);
bool t0_pending(const struct t0 *t);
/* True while t0_tick() has something to time: NULL bytes while pending,
 * the character timeout of a partial header or data. */
bool t0_needs_tick(const struct t0 *t);

#endif /* CARDOS_ISO7816_T0_H */
