/*
 * ras_codec — TS 102 226 expanded remote APDU format (see ras_codec.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "ras_codec.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

bool ras_bytes_append(RasBytes *b, const void *data, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n) {
            cap *= 2;
        }
        uint8_t *p = realloc(b->p, cap);
        if (!p) {
            return false;
        }
        b->p = p;
        b->cap = cap;
    }
    if (n) {
        memcpy(b->p + b->len, data, n);
    }
    b->len += n;
    return true;
}

void ras_bytes_free(RasBytes *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* ISO/IEC 8825-1 8.1.3: short form below 128, else 0x80|count + octets. */
size_t ras_ber_len_put(size_t len, uint8_t out[4])
{
    if (len < 0x80) {
        out[0] = (uint8_t)len;
        return 1;
    }
    if (len <= 0xFF) {
        out[0] = 0x81;
        out[1] = (uint8_t)len;
        return 2;
    }
    if (len <= 0xFFFF) {
        out[0] = 0x82;
        out[1] = (uint8_t)(len >> 8);
        out[2] = (uint8_t)len;
        return 3;
    }
    out[0] = 0x83;
    out[1] = (uint8_t)(len >> 16);
    out[2] = (uint8_t)(len >> 8);
    out[3] = (uint8_t)len;
    return 4;
}

int ras_ber_len_get(const uint8_t *p, size_t avail, size_t *len, size_t *hdr)
{
    if (avail < 1) {
        return RAS_E_TRUNCATED;
    }
    if (p[0] < 0x80) {
        *len = p[0];
        *hdr = 1;
        return 0;
    }
    size_t n = p[0] & 0x7F;
    if (n == 0 || n > 3) {
        return RAS_E_FORMAT;        /* indefinite or longer than 16 MiB */
    }
    if (avail < 1 + n) {
        return RAS_E_TRUNCATED;
    }
    size_t v = 0;
    for (size_t i = 0; i < n; i++) {
        v = (v << 8) | p[1 + i];
    }
    *len = v;
    *hdr = 1 + n;
    return 0;
}

bool ras_tlv_put(RasBytes *b, uint8_t tag, const uint8_t *v, size_t n)
{
    uint8_t h[5];
    h[0] = tag;
    size_t hl = 1 + ras_ber_len_put(n, h + 1);
    return ras_bytes_append(b, h, hl) && ras_bytes_append(b, v, n);
}

/* Wrap the TLVs in INNER with an outer tag: definite TAG_DEF L, or
 * TAG_INDEF 80 ... 00 00 (TS 102 226 5.2.1 / 5.2.2). */
static bool wrap(RasBytes *out, const RasBytes *inner, uint8_t tag_def,
                 uint8_t tag_indef, bool indefinite)
{
    static const uint8_t eoc[2] = { 0x00, 0x00 };
    if (indefinite) {
        uint8_t h[2] = { tag_indef, 0x80 };
        return ras_bytes_append(out, h, 2) &&
               ras_bytes_append(out, inner->p, inner->len) &&
               ras_bytes_append(out, eoc, 2);
    }
    return ras_tlv_put(out, tag_def, inner->p, inner->len);
}

bool ras_script_encode(RasBytes *out, const RasSpan *apdus, size_t n,
                       bool indefinite)
{
    RasBytes in = { 0 };
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++) {
        ok = ras_tlv_put(&in, RAS_TAG_CAPDU, apdus[i].p, apdus[i].len);
    }
    ok = ok && wrap(out, &in, RAS_TAG_SCRIPT_DEF, RAS_TAG_SCRIPT_INDEF,
                    indefinite);
    ras_bytes_free(&in);
    return ok;
}

bool ras_results_encode(RasBytes *out, int executed, const RasSpan *rapdus,
                        size_t n, bool indefinite)
{
    RasBytes in = { 0 };
    uint8_t cnt = (uint8_t)executed;
    bool ok = ras_tlv_put(&in, RAS_TAG_COUNT, &cnt, 1);
    for (size_t i = 0; ok && i < n; i++) {
        ok = ras_tlv_put(&in, RAS_TAG_RAPDU, rapdus[i].p, rapdus[i].len);
    }
    ok = ok && wrap(out, &in, RAS_TAG_RESP_DEF, RAS_TAG_RESP_INDEF,
                    indefinite);
    ras_bytes_free(&in);
    return ok;
}

/* The TLVs inside an outer script tag: *BODY and *BODY_LEN, and whether it
 * was indefinite. For the indefinite form the content runs to the first
 * top-level end-of-contents '00 00', which must end the input. */
static int outer(const uint8_t *buf, size_t len, uint8_t tag_def,
                 uint8_t tag_indef, const uint8_t **body, size_t *body_len,
                 bool *indefinite)
{
    if (len < 2) {
        return RAS_E_TRUNCATED;
    }
    if (buf[0] == tag_indef) {
        if (buf[1] != 0x80) {
            return RAS_E_FORMAT;
        }
        /* Walk the inner TLVs to find the end-of-contents octets. */
        size_t off = 2;
        while (off < len) {
            if (buf[off] == 0x00) {
                if (off + 2 != len || buf[off + 1] != 0x00) {
                    return off + 1 >= len ? RAS_E_TRUNCATED : RAS_E_FORMAT;
                }
                *body = buf + 2;
                *body_len = off - 2;
                *indefinite = true;
                return 0;
            }
            size_t l, h;
            int rc = ras_ber_len_get(buf + off + 1, len - off - 1, &l, &h);
            if (rc) {
                return rc;
            }
            if (l > len - off - 1 - h) {
                return RAS_E_TRUNCATED;
            }
            off += 1 + h + l;
        }
        return RAS_E_TRUNCATED;
    }
    if (buf[0] != tag_def) {
        return RAS_E_FORMAT;
    }
    size_t l, h;
    int rc = ras_ber_len_get(buf + 1, len - 1, &l, &h);
    if (rc) {
        return rc;
    }
    if (l > len - 1 - h) {
        return RAS_E_TRUNCATED;
    }
    if (1 + h + l != len) {
        return RAS_E_FORMAT;          /* trailing bytes after the script */
    }
    *body = buf + 1 + h;
    *body_len = l;
    *indefinite = false;
    return 0;
}

/* Iterate over the TLVs of BODY: calls FN(tag, value, len, ctx). */
typedef int (*tlv_fn)(uint8_t tag, const uint8_t *v, size_t n, void *ctx);

static int each_tlv(const uint8_t *body, size_t len, tlv_fn fn, void *ctx)
{
    size_t off = 0;
    while (off < len) {
        size_t l, h;
        int rc = ras_ber_len_get(body + off + 1, len - off - 1, &l, &h);
        if (rc) {
            return rc;
        }
        if (l > len - off - 1 - h) {
            return RAS_E_TRUNCATED;
        }
        rc = fn(body[off], body + off + 1 + h, l, ctx);
        if (rc) {
            return rc;
        }
        off += 1 + h + l;
    }
    return 0;
}

typedef struct {
    RasSpan *apdus;
    size_t n, max;
} ScriptCtx;

static int script_item(uint8_t tag, const uint8_t *v, size_t n, void *c)
{
    ScriptCtx *s = c;
    if (tag != RAS_TAG_CAPDU) {
        return 0;                 /* other expanded-format TLVs: skipped */
    }
    if (n < 4) {
        return RAS_E_FORMAT;      /* a C-APDU has at least CLA INS P1 P2 */
    }
    if (s->n >= s->max) {
        return RAS_E_TOO_MANY;
    }
    s->apdus[s->n].p = v;
    s->apdus[s->n].len = n;
    s->n++;
    return 0;
}

int ras_script_parse(const uint8_t *buf, size_t len, RasSpan *apdus,
                     size_t max)
{
    const uint8_t *body;
    size_t blen;
    bool indef;
    int rc = outer(buf, len, RAS_TAG_SCRIPT_DEF, RAS_TAG_SCRIPT_INDEF,
                   &body, &blen, &indef);
    if (rc) {
        return rc;
    }
    ScriptCtx s = { apdus, 0, max };
    rc = each_tlv(body, blen, script_item, &s);
    return rc ? rc : (int)s.n;
}

typedef struct {
    RasResults *r;
    size_t max, cap;
} ResultsCtx;

static int results_item(uint8_t tag, const uint8_t *v, size_t n, void *c)
{
    ResultsCtx *x = c;
    RasResults *r = x->r;
    switch (tag) {
    case RAS_TAG_COUNT:
        if (n != 1) {
            return RAS_E_FORMAT;
        }
        r->executed = v[0];
        return 0;
    case RAS_TAG_BAD_FORMAT:
        if (n != 1) {
            return RAS_E_FORMAT;
        }
        r->bad_format = v[0];
        return 0;
    case RAS_TAG_RAPDU:
        if (n < 2) {
            return RAS_E_FORMAT;  /* at least SW1 SW2 */
        }
        if (r->n_rapdus >= x->max) {
            return RAS_E_TOO_MANY;
        }
        if (r->n_rapdus == x->cap) {
            size_t cap = x->cap ? 2 * x->cap : 8;
            RasSpan *p = realloc(r->rapdus, cap * sizeof(*p));
            if (!p) {
                return RAS_E_NOMEM;
            }
            r->rapdus = p;
            x->cap = cap;
        }
        r->rapdus[r->n_rapdus].p = v;
        r->rapdus[r->n_rapdus].len = n;
        r->n_rapdus++;
        return 0;
    default:
        return 0;
    }
}

int ras_results_parse(const uint8_t *buf, size_t len, RasResults *r,
                      size_t max)
{
    memset(r, 0, sizeof(*r));
    r->executed = -1;
    r->bad_format = -1;
    const uint8_t *body;
    size_t blen;
    int rc = outer(buf, len, RAS_TAG_RESP_DEF, RAS_TAG_RESP_INDEF, &body,
                   &blen, &r->indefinite);
    if (rc) {
        return rc;
    }
    ResultsCtx x = { r, max, 0 };
    return each_tlv(body, blen, results_item, &x);
}

void ras_results_free(RasResults *r)
{
    free(r->rapdus);
    r->rapdus = NULL;
    r->n_rapdus = 0;
}

long ras_unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int hi = -1;
    for (const char *s = hex; *s; s++) {
        if (isspace((unsigned char)*s)) {
            continue;
        }
        if (!isxdigit((unsigned char)*s)) {
            return -1;
        }
        int v = isdigit((unsigned char)*s) ? *s - '0'
                                           : (tolower((unsigned char)*s) - 'a' + 10);
        if (hi < 0) {
            hi = v;
        } else {
            if (n >= cap) {
                return -1;
            }
            out[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    return hi < 0 ? (long)n : -1;
}

void ras_hex(const uint8_t *p, size_t n, char *out)
{
    static const char d[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = d[p[i] >> 4];
        out[2 * i + 1] = d[p[i] & 15];
    }
    out[2 * n] = 0;
}
