/*
 * T=1 block transmission protocol, card side (ISO/IEC 7816-3:2006 11).
 *
 * Blocks: NAD PCB LEN INF EDC. LEN 0..254 (255 is invalid). EDC is LRC
 * (XOR of all prologue and INF bytes; the card's ATR says LRC: no TC3) or
 * CRC (ISO/IEC 13239 FCS: CRC-16 x^16+x^12+x^5+1, reflected, initial
 * FFFF, final XOR FFFF, transmitted least significant byte first; offered
 * by the codec only, not by the ATR).
 *
 * PCB: I-block 0 N(S) M 00000; R-block 100 N(R) 0 e e e e (0 error free,
 * 1 EDC/parity error, 2 other error); S-block 11 r xxxxx: 0 RESYNCH,
 * 1 IFS, 2 ABORT, 3 WTX, r = 1 for a response.
 *
 * Card behaviour (7816-3 11.6 rules and Annex A scenarios):
 *  - an I-block with the expected N(S) is accepted; M = 1 is acknowledged
 *    with R(N(R) = next N(S)); M = 0 completes the APDU, which is executed
 *    through t1_io.execute; the response is sent in I-blocks of at most
 *    IFSD bytes, chained with M = 1 (each acknowledged by an R-block);
 *  - an invalid block (EDC error, LEN 255, bad PCB, wrong length) is
 *    answered by R(N(R) = expected N(S)) with error 1 (EDC) or 2
 *    (other); after our S(request) it makes us repeat the request;
 *  - an R-block asking for the N(S) of our last I-block makes us repeat
 *    it; during our chaining, an R-block with the other N(R) moves on;
 *    an R-block received when our last block was an R- or S-block makes
 *    us repeat that block; after our last I-block, an R-block with the
 *    other N(R) (its I-block was lost) is answered R(N(R) = expected);
 *  - a repeated I-block (N(S) already accepted) is not executed again:
 *    our last block is repeated;
 *  - S(IFS request) sets IFSD (1..254) and is answered S(IFS response);
 *    S(RESYNCH request) resets both N(S) to 0 and IFSD to 32, drops any
 *    chain and is answered S(RESYNCH response); S(ABORT request) drops
 *    the chains and is answered S(ABORT response);
 *  - while the APDU takes time (execute returned "pending"), the card
 *    sends S(WTX request) with multiplier cfg.wtx_multiplier every
 *    cfg.wtx_interval_ms, one at a time, each after the terminal's
 *    S(WTX response) to the previous one; the response I-block waits for
 *    an outstanding S(WTX response);
 *  - a block whose characters stop for more than cfg.char_timeout_ms is
 *    invalid: dropped and answered like a block with a bad EDC.
 *  - NAD: the response NAD swaps SAD and DAD of the last NAD received.
 *
 * No hardware access; compiles on the host. The caller owns the APDU
 * buffer (command in, response out, see apdu.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_ISO7816_T1_H
#define CARDOS_ISO7816_T1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define T1_MAX_INF     254u
#define T1_MAX_BLOCK   (3u + 255u + 2u)
#define T1_DEFAULT_IFS 32u

#define T1_PCB_R       0x80u
#define T1_PCB_S       0xc0u
#define T1_S_RESYNCH   0x00u
#define T1_S_IFS       0x01u
#define T1_S_ABORT     0x02u
#define T1_S_WTX       0x03u
#define T1_S_RESPONSE  0x20u

/* Block codec ------------------------------------------------------- */

uint8_t t1_lrc(const uint8_t *buf, size_t len);
uint16_t t1_crc(const uint8_t *buf, size_t len);

/* Encode a block; returns its length (4 + len, or 5 + len with CRC). */
size_t t1_block_encode(uint8_t *out, uint8_t nad, uint8_t pcb,
                       const uint8_t *inf, size_t len, bool crc);
/* True if @len bytes form one block with a correct EDC and LEN <= 254. */
bool t1_block_check(const uint8_t *blk, size_t len, bool crc);

/* Protocol ---------------------------------------------------------- */

struct t1_config {
    uint8_t ifsc;               /* our receive size (ATR TA3) */
    bool crc;
    uint32_t wtx_interval_ms;   /* pending time before each S(WTX request) */
    uint8_t wtx_multiplier;
    uint32_t char_timeout_ms;
};

struct t1_io {
    void (*send)(void *ctx, const uint8_t *buf, size_t len);
    /*
     * Execute the APDU in buf[0..len). Return true when done, with the
     * R-APDU (data + SW) in buf[0..*rsp_len); false when it is pending:
     * t1_response_ready() follows later.
     */
    bool (*execute)(void *ctx, uint8_t *buf, size_t len, size_t cap,
                    size_t *rsp_len);
    void *ctx;
};

enum t1_last { T1_LAST_NONE, T1_LAST_I, T1_LAST_R, T1_LAST_S };

struct t1 {
    struct t1_config cfg;
    struct t1_io io;
    uint8_t *apdu;
    size_t apdu_cap;
    /* receiver */
    uint8_t rx[T1_MAX_BLOCK];
    size_t rx_len;
    uint32_t rx_last_ms;
    /* sequence numbers: N(S) we expect from the terminal, N(S) of our next I */
    uint8_t recv_ns, send_ns;
    uint8_t nad;                /* NAD of our blocks */
    unsigned ifsd;
    /* command being received */
    size_t cmd_len;
    bool cmd_overflow;
    /* response being sent */
    size_t rsp_len, rsp_off, rsp_chunk;
    bool sending;               /* a chained response is under way */
    /* execution */
    bool pending, rsp_ready;
    uint32_t pending_since_ms;
    bool wtx_outstanding;
    uint32_t next_wtx_ms;
    /* last block sent, for retransmission */
    uint8_t last[T1_MAX_BLOCK];
    size_t last_len;
    enum t1_last last_kind;
    /* counters, for logs and tests */
    uint32_t errors_rx, retransmits, wtx_sent;
};

void t1_init(struct t1 *t, const struct t1_config *cfg, const struct t1_io *io,
             uint8_t *apdu_buf, size_t apdu_cap);
void t1_rx(struct t1 *t, const uint8_t *data, size_t n, uint32_t now_ms);
/* Call periodically (a few ms): character timeout, WTX while pending. */
void t1_tick(struct t1 *t, uint32_t now_ms);
/* True while t1_tick() has something to time: the character timeout of
 * a partial block, the next S(WTX request) while an APDU is pending. */
bool t1_needs_tick(const struct t1 *t);
/* The pending APDU is done: its R-APDU is in the APDU buffer. */
void t1_response_ready(struct t1 *t, size_t rsp_len, uint32_t now_ms);

#endif /* CARDOS_ISO7816_T1_H */
