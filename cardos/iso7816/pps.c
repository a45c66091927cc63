/*
 * PPS responder. See iso7816/pps.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "iso7816/atr.h"
#include "iso7816/pps.h"

void pps_rx_reset(struct pps_rx *rx)
{
    rx->len = 0;
}

static size_t pps_expected_len(uint8_t pps0)
{
    return 3u + ((pps0 >> 4) & 1u) + ((pps0 >> 5) & 1u) + ((pps0 >> 6) & 1u);
}

enum pps_rx_status pps_rx_byte(struct pps_rx *rx, uint8_t b)
{
    if (rx->len >= 2 && rx->len >= pps_expected_len(rx->buf[1])) {
        return PPS_RX_COMPLETE;
    }
    rx->buf[rx->len++] = b;
    if (rx->len >= 2 && rx->len == pps_expected_len(rx->buf[1])) {
        return PPS_RX_COMPLETE;
    }
    return PPS_RX_MORE;
}

static bool pps1_acceptable(uint8_t pps1, uint8_t ta1)
{
    unsigned fcode = pps1 >> 4, dcode = pps1 & 0x0f;
    unsigned dmax = atr_di_from_code(ta1 & 0x0f);
    unsigned d = atr_di_from_code((uint8_t)dcode);

    if (fcode != (ta1 >> 4u) && fcode != 1u) {
        return false;
    }
    if (atr_fi_from_code((uint8_t)fcode) == 0) {
        return false;
    }
    /* Di codes 1..7 are the powers of two; 12 and 20 (codes 8, 9) not offered. */
    return dcode >= 1 && dcode <= 7 && d != 0 && d <= dmax && dmax != 12 && dmax != 20;
}

size_t pps_respond(const uint8_t *req, size_t len, uint8_t card_ta1,
                   uint16_t protocols, uint8_t *rsp, struct pps_result *res)
{
    uint8_t x = 0;
    uint8_t pps0;
    unsigned t;
    size_t pos = 2, n = 0;

    if (len < 3 || req[0] != 0xff || len != pps_expected_len(req[1])) {
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        x ^= req[i];
    }
    if (x != 0) {
        return 0;
    }
    pps0 = req[1];
    t = pps0 & 0x0fu;
    if (t > 15 || (protocols & (1u << t)) == 0 || (pps0 & 0x80) != 0) {
        return 0;
    }
    res->protocol = t;
    res->f = 372;
    res->d = 1;

    rsp[n++] = 0xff;
    rsp[n++] = (uint8_t)t;          /* PPS0: PPS1 bit set below if echoed */
    if (pps0 & 0x10) {
        uint8_t pps1 = req[pos++];

        if (pps1_acceptable(pps1, card_ta1)) {
            rsp[1] |= 0x10;
            rsp[n++] = pps1;
            res->f = atr_fi_from_code(pps1 >> 4);
            res->d = atr_di_from_code(pps1 & 0x0f);
        }
    }
    {
        uint8_t pck = 0;

        for (size_t i = 0; i < n; i++) {
            pck ^= rsp[i];
        }
        rsp[n++] = pck;
    }
    return n;
}
