/*
 * TS 102 226 expanded format scripts. Contract: admin_script.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "net/admin/admin_script.h"

#include <string.h>

bool admin_ber_len(const uint8_t *buf, size_t len, size_t *at, size_t *out)
{
    size_t i = *at, v = 0, n;

    if (i >= len) {
        return false;
    }
    if (buf[i] < 0x80u) {
        *out = buf[i];
        *at = i + 1;
        return true;
    }
    n = buf[i] & 0x7Fu;
    /* X.690 8.1.3.5: long form, 1..3 octets here (the card's bodies are
     * far below 16 MiB); 80 is the indefinite form, handled by callers */
    if (n == 0 || n > 3 || i + 1 + n > len) {
        return false;
    }
    for (size_t k = 0; k < n; k++) {
        v = v << 8 | buf[i + 1 + k];
    }
    *out = v;
    *at = i + 1 + n;
    return true;
}

void admin_script_init(struct admin_script *s, const uint8_t *buf,
                       size_t len)
{
    memset(s, 0, sizeof(*s));
    s->buf = buf;
    s->len = len;
}

static enum admin_script_result bad(struct admin_script *s, uint8_t code)
{
    if (!s->bad) {
        s->bad = code;
    }
    return ADMIN_SCRIPT_BAD;
}

/* The outer TLV: AA L or AE 80 (TS 102 226 5.2.1). */
static enum admin_script_result start(struct admin_script *s)
{
    size_t at = 1, l;

    s->started = true;
    if (s->len < 2) {
        return bad(s, ADMIN_BAD_LENGTH);
    }
    if (s->buf[0] == 0xAE && s->buf[1] == 0x80) {
        /* indefinite: the content ends with the end-of-contents 00 00 */
        if (s->len < 4 || s->buf[s->len - 2] || s->buf[s->len - 1]) {
            return bad(s, ADMIN_BAD_LENGTH);
        }
        s->indefinite = true;
        s->at = 2;
        s->end = s->len - 2;
        return ADMIN_SCRIPT_END;     /* means "started", not returned */
    }
    if (s->buf[0] != 0xAA) {
        return bad(s, ADMIN_BAD_TAG);
    }
    if (!admin_ber_len(s->buf, s->len, &at, &l) || at + l != s->len) {
        return bad(s, ADMIN_BAD_LENGTH);
    }
    s->at = at;
    s->end = s->len;
    return ADMIN_SCRIPT_END;
}

enum admin_script_result admin_script_next(struct admin_script *s,
                                           const uint8_t **apdu,
                                           size_t *apdu_len)
{
    size_t at, l;

    if (s->bad) {
        return ADMIN_SCRIPT_BAD;
    }
    if (!s->started && start(s) == ADMIN_SCRIPT_BAD) {
        return ADMIN_SCRIPT_BAD;
    }
    if (s->at >= s->end) {
        return ADMIN_SCRIPT_END;
    }
    if (s->buf[s->at] != 0x22) {
        return bad(s, ADMIN_BAD_TAG);
    }
    at = s->at + 1;
    if (!admin_ber_len(s->buf, s->end, &at, &l) || at + l > s->end) {
        return bad(s, ADMIN_BAD_LENGTH);
    }
    if (l < 4 || l > ADMIN_CAPDU_MAX) {
        return bad(s, ADMIN_BAD_LENGTH);
    }
    *apdu = s->buf + at;
    *apdu_len = l;
    s->at = at + l;
    return ADMIN_SCRIPT_APDU;
}

void admin_resp_init(struct admin_resp *r, uint8_t *buf, size_t cap,
                     bool indefinite)
{
    memset(r, 0, sizeof(*r));
    r->buf = buf;
    r->cap = cap;
    r->indefinite = indefinite;
    r->len = ADMIN_RESP_HEAD + 3;    /* 80 01 n goes first */
}

/* 80 01 n, 90 01 e, 00 00 at the end: 8 bytes kept free */
#define RESP_TAIL 8u

static size_t tlv_head_len(size_t len)
{
    return len < 0x80u ? 2 : len < 0x100u ? 3 : 4;
}

bool admin_resp_fits(const struct admin_resp *r, size_t len)
{
    return r->len + tlv_head_len(len) + len + RESP_TAIL <= r->cap &&
           r->count < 255u;
}

static size_t put_len(uint8_t *p, size_t len)
{
    if (len < 0x80u) {
        p[0] = (uint8_t)len;
        return 1;
    }
    if (len < 0x100u) {
        p[0] = 0x81;
        p[1] = (uint8_t)len;
        return 2;
    }
    p[0] = 0x82;
    p[1] = (uint8_t)(len >> 8);
    p[2] = (uint8_t)len;
    return 3;
}

bool admin_resp_add(struct admin_resp *r, const uint8_t *rapdu, size_t len)
{
    if (!admin_resp_fits(r, len)) {
        return false;
    }
    r->buf[r->len++] = 0x23;
    r->len += put_len(r->buf + r->len, len);
    memcpy(r->buf + r->len, rapdu, len);
    r->len += len;
    r->count++;
    return true;
}

size_t admin_resp_finish(struct admin_resp *r)
{
    uint8_t *c = r->buf + ADMIN_RESP_HEAD;
    size_t content, head;
    uint8_t h[4];

    if (r->cap < ADMIN_RESP_HEAD + 3 + RESP_TAIL) {
        return 0;
    }
    /* TS 102 226 5.2.2: number of executed commands first */
    c[0] = 0x80;
    c[1] = 0x01;
    c[2] = (uint8_t)r->count;
    if (r->bad) {
        r->buf[r->len++] = 0x90;
        r->buf[r->len++] = 0x01;
        r->buf[r->len++] = r->bad;
    }
    content = r->len - ADMIN_RESP_HEAD;
    if (r->indefinite) {
        h[0] = 0xAF;
        h[1] = 0x80;
        head = 2;
        r->buf[r->len++] = 0x00;
        r->buf[r->len++] = 0x00;
    } else {
        h[0] = 0xAB;
        head = 1 + put_len(h + 1, content);
    }
    memmove(r->buf + head, c, r->len - ADMIN_RESP_HEAD);
    memcpy(r->buf, h, head);
    return head + (r->len - ADMIN_RESP_HEAD);
}
