/*
 * Admin session triggering parameters (Amendment B). Contract:
 * admin_params.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "net/admin/admin_params.h"

#include <string.h>

#include "net/admin/admin_script.h"

void admin_params_default(struct admin_params *p)
{
    memset(p, 0, sizeof(*p));
    p->ip = ADMIN_DEFAULT_IP;
    p->port = ADMIN_DEFAULT_PORT;
    p->identity_len = sizeof(ADMIN_DEFAULT_ID) - 1;
    memcpy(p->identity, ADMIN_DEFAULT_ID, p->identity_len);
    p->kvn = ADMIN_DEFAULT_KVN;
    p->kid = ADMIN_DEFAULT_KID;
    p->retries = ADMIN_DEFAULT_RETRY;
    p->retry_ms = ADMIN_DEFAULT_RETRY_S * 1000u;
    memcpy(p->host, ADMIN_DEFAULT_HOST, sizeof(ADMIN_DEFAULT_HOST));
    memcpy(p->from, ADMIN_DEFAULT_FROM, sizeof(ADMIN_DEFAULT_FROM));
    memcpy(p->uri, ADMIN_DEFAULT_URI, sizeof(ADMIN_DEFAULT_URI));
}

/* One BER-TLV at BUF[*AT] within LEN: tag (1 or 2 bytes), value. */
static bool tlv(const uint8_t *buf, size_t len, size_t *at, unsigned *tag,
                const uint8_t **val, size_t *vlen)
{
    size_t i = *at;

    if (i >= len) {
        return false;
    }
    *tag = buf[i++];
    if ((*tag & 0x1Fu) == 0x1Fu) {          /* X.690 8.1.2.4 */
        if (i >= len || (buf[i] & 0x80u)) {
            return false;
        }
        *tag = *tag << 8 | buf[i++];
    }
    if (!admin_ber_len(buf, len, &i, vlen) || i + *vlen > len) {
        return false;
    }
    *val = buf + i;
    *at = i + *vlen;
    return true;
}

static bool str(char *dst, size_t cap, const uint8_t *v, size_t n)
{
    if (n >= cap || n == 0) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (v[i] < 0x21u || v[i] > 0x7Eu) {   /* a header value token */
            return false;
        }
    }
    memcpy(dst, v, n);
    dst[n] = '\0';
    return true;
}

static unsigned bcd_swapped(uint8_t b)
{
    return (b & 0x0Fu) * 10u + (b >> 4);
}

/* 84: the BIP objects of TS 102 223 (8.58 other address, 8.59 transport). */
static bool connection(const uint8_t *v, size_t n, struct admin_params *p)
{
    size_t at = 0, l;
    unsigned tag;
    const uint8_t *x;

    while (at < n) {
        if (!tlv(v, n, &at, &tag, &x, &l)) {
            return false;
        }
        tag &= 0x7Fu;                       /* the comprehension bit */
        if (tag == 0x3C && l == 3 && x[0] == 0x02) {
            p->port = (uint16_t)(x[1] << 8 | x[2]);
            if (p->port == 0) {
                return false;
            }
        } else if (tag == 0x3E && l == 5 && x[0] == 0x21) {
            p->ip = (uint32_t)x[1] << 24 | (uint32_t)x[2] << 16 |
                    (uint32_t)x[3] << 8 | x[4];
        }
    }
    return true;
}

/* 85: LV identity, LV (KVN, KID). */
static bool security(const uint8_t *v, size_t n, struct admin_params *p)
{
    size_t id;

    if (n < 1 || (id = v[0]) == 0 || id > ADMIN_STR_MAX || 1 + id > n) {
        return false;
    }
    memcpy(p->identity, v + 1, id);
    p->identity_len = (uint8_t)id;
    if (1 + id < n) {
        const uint8_t *k = v + 1 + id;

        if (n - 1 - id != 3 || k[0] != 2 || k[2] == 0) {
            return false;
        }
        p->kvn = k[1];
        p->kid = k[2];
    }
    return true;
}

/* 86: counter, then the timer value 25 03 hh mm ss (TS 102 223 8.38). */
static bool retry(const uint8_t *v, size_t n, struct admin_params *p)
{
    if (n < 2) {
        return false;
    }
    p->retries = (uint16_t)(v[0] << 8 | v[1]);
    if (n >= 7 && (v[2] & 0x7Fu) == 0x25 && v[3] == 3) {
        p->retry_ms = (bcd_swapped(v[4]) * 3600u + bcd_swapped(v[5]) * 60u +
                       bcd_swapped(v[6])) * 1000u;
    }
    return true;
}

static bool http_post(const uint8_t *v, size_t n, struct admin_params *p)
{
    size_t at = 0, l;
    unsigned tag;
    const uint8_t *x;

    while (at < n) {
        if (!tlv(v, n, &at, &tag, &x, &l)) {
            return false;
        }
        if ((tag == 0x8A && !str(p->host, sizeof(p->host), x, l)) ||
            (tag == 0x8B && !str(p->from, sizeof(p->from), x, l)) ||
            (tag == 0x8C && (!str(p->uri, sizeof(p->uri), x, l) ||
                             x[0] != '/'))) {
            return false;
        }
    }
    return true;
}

static bool walk(const uint8_t *v, size_t n, struct admin_params *p,
                 unsigned depth)
{
    size_t at = 0, l;
    unsigned tag;
    const uint8_t *x;
    bool ok = true;

    while (ok && at < n) {
        if (!tlv(v, n, &at, &tag, &x, &l)) {
            return false;
        }
        switch (tag) {
        case 0x83:
            ok = depth == 0 && walk(x, l, p, 1);
            break;
        case 0x84:
            ok = connection(x, l, p);
            break;
        case 0x85:
            ok = security(x, l, p);
            break;
        case 0x86:
            ok = retry(x, l, p);
            break;
        case 0x89:
            ok = http_post(x, l, p);
            break;
        case 0xDF3C:
            ok = l == 4;
            if (ok) {
                p->poll_s = (uint32_t)x[0] << 24 | (uint32_t)x[1] << 16 |
                            (uint32_t)x[2] << 8 | x[3];
            }
            break;
        case 0xDF3D:
            ok = l == 1;
            if (ok) {
                p->tls_flags = x[0];
            }
            break;
        default:
            break;          /* unknown: skipped (Amendment B tolerance) */
        }
    }
    return ok;
}

bool admin_params_parse(const uint8_t *buf, size_t len,
                        struct admin_params *out)
{
    struct admin_params p;
    size_t at = 0, l;
    unsigned tag;
    const uint8_t *x;

    admin_params_default(&p);
    if (!tlv(buf, len, &at, &tag, &x, &l) || tag != 0x81 || at != len ||
        !walk(x, l, &p, 0)) {
        return false;
    }
    *out = p;
    return true;
}

/* Append TAG L V (L < 128) at OUT[*N]; false if it does not fit. */
static bool put(uint8_t *out, size_t cap, size_t *n, unsigned tag,
                const void *v, size_t l)
{
    size_t t = tag > 0xFFu ? 2 : 1;

    if (l > 0x7Fu || *n + t + 1 + l > cap) {
        return false;
    }
    if (t == 2) {
        out[(*n)++] = (uint8_t)(tag >> 8);
    }
    out[(*n)++] = (uint8_t)tag;
    out[(*n)++] = (uint8_t)l;
    if (l) {
        memcpy(out + *n, v, l);
    }
    *n += l;
    return true;
}

size_t admin_params_encode(const struct admin_params *p, uint8_t *out,
                           size_t cap)
{
    uint8_t conn[12], sec[3 + ADMIN_STR_MAX + 3], rt[7], hp[200], ses[240];
    uint8_t all[ADMIN_PARAMS_MAX];
    size_t n = 0, s = 0, h = 0, a = 0;
    unsigned secs = p->retry_ms / 1000u;
    uint8_t poll[4] = { (uint8_t)(p->poll_s >> 24), (uint8_t)(p->poll_s >> 16),
                        (uint8_t)(p->poll_s >> 8), (uint8_t)p->poll_s };

    conn[0] = 0x3C; conn[1] = 3; conn[2] = 0x02;
    conn[3] = (uint8_t)(p->port >> 8); conn[4] = (uint8_t)p->port;
    conn[5] = 0x3E; conn[6] = 5; conn[7] = 0x21;
    conn[8] = (uint8_t)(p->ip >> 24); conn[9] = (uint8_t)(p->ip >> 16);
    conn[10] = (uint8_t)(p->ip >> 8); conn[11] = (uint8_t)p->ip;
    sec[n++] = p->identity_len;
    memcpy(sec + n, p->identity, p->identity_len);
    n += p->identity_len;
    sec[n++] = 2;
    sec[n++] = p->kvn;
    sec[n++] = p->kid;
    rt[0] = (uint8_t)(p->retries >> 8); rt[1] = (uint8_t)p->retries;
    rt[2] = 0x25; rt[3] = 3;
    rt[4] = (uint8_t)((secs / 3600u % 10u) << 4 | secs / 36000u % 10u);
    rt[5] = (uint8_t)((secs / 60u % 60u % 10u) << 4 | secs / 600u % 6u);
    rt[6] = (uint8_t)((secs % 60u % 10u) << 4 | secs % 60u / 10u);
    if (!put(ses, sizeof(ses), &s, 0x84, conn, sizeof(conn)) ||
        !put(ses, sizeof(ses), &s, 0x85, sec, n) ||
        !put(ses, sizeof(ses), &s, 0x86, rt, sizeof(rt)) ||
        !put(hp, sizeof(hp), &h, 0x8A, p->host, strlen(p->host)) ||
        !put(hp, sizeof(hp), &h, 0x8B, p->from, strlen(p->from)) ||
        !put(hp, sizeof(hp), &h, 0x8C, p->uri, strlen(p->uri)) ||
        !put(all, sizeof(all), &a, 0x83, ses, s) ||
        !put(all, sizeof(all), &a, 0x89, hp, h) ||
        !put(all, sizeof(all), &a, 0xDF3C, poll, 4) ||
        (p->tls_flags && !put(all, sizeof(all), &a, 0xDF3D, &p->tls_flags,
                              1))) {
        return 0;
    }
    /* the outer 81 may need the long form */
    n = 0;
    if (a + 4 > cap) {
        return 0;
    }
    out[n++] = 0x81;
    if (a < 0x80u) {
        out[n++] = (uint8_t)a;
    } else if (a < 0x100u) {
        out[n++] = 0x81;
        out[n++] = (uint8_t)a;
    } else {
        out[n++] = 0x82;
        out[n++] = (uint8_t)(a >> 8);
        out[n++] = (uint8_t)a;
    }
    memcpy(out + n, all, a);
    return n + a;
}
