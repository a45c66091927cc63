/*
 * netcard ISO 7816 UART, terminal side: the exchanges. One C-APDU from the
 * host becomes T=0 TPDUs (ISO 7816-3 clause 10: procedure bytes, NULL,
 * GET RESPONSE for 61xx, re-issue for 6Cxx) or T=1 blocks (clause 11:
 * I/R/S blocks, IFS, chaining, WTX, error recovery and RESYNCH), as the
 * ATR chose; the R-APDU goes back to the host bridge. Characters go out
 * and waiting times run through the terminal (netcard_iso7816_term.c);
 * contract: netcard_iso7816_internal.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "netcard_iso7816_uart.h"
#include "netcard_iso7816_internal.h"
#include "trace.h"

/* T=0 sub-states */
enum { T0_PROC = 0, T0_DATA, T0_DATA1, T0_SW2 };
/* T=1 sub-states */
enum { T1_WAIT = 0, T1_WAIT_IFS, T1_WAIT_RESYNCH };

#define T1_RETRY_MAX          3   /* block retries; RESYNCH attempts */

/* ------------------------------------------------------------------ */
/* Terminal: exchanges                                                 */

void netcard_iso_xfer_end(NetcardIso7816State *s)
{
    s->xfer = XFER_NONE;
    s->wtx = 0;
    netcard_iso_term_stop_timer(s);
}

/* End the exchange with the R-APDU in resp. */
static void xfer_complete(NetcardIso7816State *s)
{
    netcard_iso_xfer_end(s);
    netcard_iso_host_reply(s, s->resp, s->resp_len);
    netcard_iso_host_done(s);
}

/* ---- T=0 ---- */

static void t0_send_header(NetcardIso7816State *s)
{
    trace_netcard_iso_t0("header", s->t0_hdr[1]);
    s->sub = T0_PROC;
    netcard_iso_term_send(s, s->t0_hdr, 5);
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
        netcard_iso_host_reply(s, NULL, 0);
        netcard_iso_host_done(s);
        return;
    }
    if (ap.nc > 255) {
        trace_netcard_iso_host_error("extended Lc > 255 not supported in T=0");
        s->cnt_host_errors++;
        netcard_iso_host_reply(s, NULL, 0);
        netcard_iso_host_done(s);
        return;
    }
    s->xfer = XFER_T0;
    s->resp_len = 0;
    s->t0_case = ap.kase;
    s->t0_reissued = false;
    memcpy(s->t0_hdr, a, 4);
    /*
     * The terminal takes no more data than one vpcd frame carries with
     * the SW: GET RESPONSE stops there and the host gets the card's 61xx
     * (ISO 7816-3 12.2.4), truthfully, to fetch the rest itself.
     */
    s->t0_ne = MIN(ap.ne, HOST_PAYLOAD_MAX - 2);
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
        netcard_iso_term_fail(s, "R-APDU too long", true);
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
            netcard_iso_term_arm_wait(s);
            return;
        }
        if ((b & 0xf0) == 0x60 || (b & 0xf0) == 0x90) {
            s->t0_sw1 = b;
            s->sub = T0_SW2;
            netcard_iso_term_arm_wait(s);
            return;
        }
        if (b == s->t0_hdr[1] || b == (uint8_t)~s->t0_hdr[1]) {
            bool all = b == s->t0_hdr[1];

            trace_netcard_iso_t0(all ? "ACK all" : "ACK one", b);
            if (s->t0_out_rem) {
                uint32_t n = all ? s->t0_out_rem : 1;

                netcard_iso_term_send(s, s->frame + s->t0_out_off, n);
                s->t0_out_off += n;
                s->t0_out_rem -= n;
                s->sub = T0_PROC;
            } else if (s->t0_in_rem) {
                s->sub = all ? T0_DATA : T0_DATA1;
            }
            netcard_iso_term_arm_wait(s);
            return;
        }
        netcard_iso_term_fail(s, "T=0: bad procedure byte", true);
        return;
    case T0_DATA:
    case T0_DATA1:
        if (s->resp_len >= NETCARD_ISO_RESP_MAX - 2 || s->t0_ne == 0) {
            netcard_iso_term_fail(s, "R-APDU too long", true);
            return;
        }
        s->resp[s->resp_len++] = b;
        s->t0_in_rem--;
        s->t0_ne--;
        if (s->t0_in_rem == 0 || s->sub == T0_DATA1) {
            s->sub = T0_PROC;
        }
        netcard_iso_term_arm_wait(s);
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
    netcard_iso_term_send(s, s->t1_last, s->t1_last_len);
    netcard_iso_term_arm_wait(s);
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
    netcard_iso_term_send(s, s->t1_last, s->t1_last_len);
    netcard_iso_term_arm_wait(s);
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
            netcard_iso_term_fail(s, "T=1: no recovery", true);
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
            netcard_iso_term_fail(s, "R-APDU too long", true);
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
            netcard_iso_term_arm_wait(s);
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
            netcard_iso_term_fail(s, "T=1: exchange abandoned after RESYNCH",
                                  false);
            return;
        }
        t1_error(s, 2, "T=1: unexpected S(RESYNCH response)");
        return;
    case 0xc2: /* ABORT request */
        netcard_iso_term_fail(s, "T=1: card aborted the chain", false);
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
    netcard_iso_term_arm_wait(s);
}

/* ------------------------------------------------------------------ */
/* Entry points                                                        */

/* Start exchanging the C-APDU in the host frame, by the chosen protocol. */
void netcard_iso_xfer_start(NetcardIso7816State *s)
{
    if (s->protocol_sel == 1) {
        t1_start(s);
    } else {
        t0_start(s);
    }
}

/* A character from the card while the terminal is ready. */
void netcard_iso_xfer_rx(NetcardIso7816State *s, uint8_t v, bool err)
{
    if (s->xfer == XFER_T0) {
        t0_rx(s, v, err);
    } else if (s->xfer == XFER_T1) {
        t1_rx(s, v, err);
    } else {
        trace_netcard_iso_error("unexpected character from the card");
    }
}

/* The waiting time for the card's next character ran out. */
void netcard_iso_xfer_timeout(NetcardIso7816State *s)
{
    if (s->xfer == XFER_T1) {
        s->t1_rx_len = 0;
        t1_error(s, 2, "T=1: waiting time exceeded");
    } else if (s->xfer == XFER_T0) {
        netcard_iso_term_fail(s, "T=0: waiting time exceeded", true);
    }
}
