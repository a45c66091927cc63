/*
 * ISO/IEC 7816-4 APDU parsing and response building. See apdu/apdu.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "apdu/apdu.h"

uint16_t apdu_parse(const uint8_t *buf, size_t len, struct apdu *out)
{
    size_t l;

    memset(out, 0, sizeof(*out));
    if (buf == NULL || len < 4) {
        return SW_WRONG_LENGTH;
    }
    out->cla = buf[0];
    out->ins = buf[1];
    out->p1 = buf[2];
    out->p2 = buf[3];
    l = len - 4;
    buf += 4;

    if (l == 0) {
        out->kase = APDU_CASE_1;
        return SW_OK;
    }
    if (l == 1) {
        out->kase = APDU_CASE_2S;
        out->le_present = true;
        out->ne = buf[0] ? buf[0] : 256u;
        return SW_OK;
    }
    if (buf[0] != 0) {
        size_t lc = buf[0];

        if (l == 1 + lc) {
            out->kase = APDU_CASE_3S;
        } else if (l == 2 + lc) {
            out->kase = APDU_CASE_4S;
            out->le_present = true;
            out->ne = buf[1 + lc] ? buf[1 + lc] : 256u;
        } else {
            return SW_WRONG_LENGTH;
        }
        out->nc = (uint32_t)lc;
        out->data = buf + 1;
        return SW_OK;
    }
    /* Extended: B1 = 00. */
    out->extended = true;
    if (l == 3) {
        uint32_t le = ((uint32_t)buf[1] << 8) | buf[2];

        out->kase = APDU_CASE_2E;
        out->le_present = true;
        out->ne = le ? le : 65536u;
        return SW_OK;
    }
    if (l < 3) {
        return SW_WRONG_LENGTH;
    }
    {
        size_t lc = ((size_t)buf[1] << 8) | buf[2];

        if (lc == 0) {
            return SW_WRONG_LENGTH;
        }
        if (l == 3 + lc) {
            out->kase = APDU_CASE_3E;
        } else if (l == 5 + lc) {
            uint32_t le = ((uint32_t)buf[3 + lc] << 8) | buf[4 + lc];

            out->kase = APDU_CASE_4E;
            out->le_present = true;
            out->ne = le ? le : 65536u;
        } else {
            return SW_WRONG_LENGTH;
        }
        out->nc = (uint32_t)lc;
        out->data = buf + 3;
    }
    return SW_OK;
}

struct apdu_class apdu_class_decode(uint8_t cla)
{
    struct apdu_class c = { 0 };

    if (cla == 0xff || (cla & 0xe0) == 0x20 || (cla >= 0x90 && cla <= 0xbf)) {
        return c;
    }
    c.valid = true;
    c.proprietary = (cla & 0x80) != 0;
    if ((cla & 0x40) == 0) {
        /* x00x xxxx: first interindustry encoding */
        c.chaining = (cla & 0x10) != 0;
        c.sm = (uint8_t)((cla >> 2) & 0x03);
        c.channel = (uint8_t)(cla & 0x03);
    } else {
        /* x1xx xxxx: further interindustry encoding */
        c.sm = (uint8_t)((cla >> 5) & 0x01);
        c.chaining = (cla & 0x10) != 0;
        c.channel = (uint8_t)(4 + (cla & 0x0f));
    }
    return c;
}

void apdu_response_init(struct apdu_response *rsp, uint8_t *buf, size_t cap)
{
    rsp->buf = buf;
    rsp->cap = cap;
    rsp->len = 0;
    rsp->sw = SW_OK;
}

bool apdu_response_set_data(struct apdu_response *rsp, const void *data, size_t n)
{
    if (n + 2 > rsp->cap) {
        return false;
    }
    if (n != 0) {
        memmove(rsp->buf, data, n);
    }
    rsp->len = n;
    return true;
}

bool apdu_response_append(struct apdu_response *rsp, const void *data, size_t n)
{
    if (rsp->len + n + 2 > rsp->cap) {
        return false;
    }
    if (n != 0) {
        memmove(rsp->buf + rsp->len, data, n);
    }
    rsp->len += n;
    return true;
}

size_t apdu_response_finish(struct apdu_response *rsp)
{
    rsp->buf[rsp->len] = (uint8_t)(rsp->sw >> 8);
    rsp->buf[rsp->len + 1] = (uint8_t)rsp->sw;
    return rsp->len + 2;
}

void apdu_response_fit_le(const struct apdu *cmd, struct apdu_response *rsp,
                          size_t n)
{
    if (cmd->le_present && n > cmd->ne) {
        rsp->len = 0;
        rsp->sw = (!cmd->extended && n <= 256) ? SW_CORRECT_LENGTH(n)
                                               : SW_WRONG_LENGTH;
        return;
    }
    rsp->len = n;
}
