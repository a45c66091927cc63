/*
 * The admin agent's HTTP messages. Contract: admin_http.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "net/admin/admin_http.h"

#include <string.h>

#include "net/http/http_write.h"

/* chunk decoder states (RFC 9112 7.1) */
enum {
    C_SIZE = 0,     /* chunk-size [ext] CRLF */
    C_DATA,         /* chunk-data */
    C_DATA_CRLF,    /* CRLF after the data */
    C_TRAILER,      /* trailer lines up to the empty one */
    C_DONE,
};

void admin_rx_init(struct admin_rx *r, uint8_t *body, size_t body_cap)
{
    memset(r, 0, sizeof(*r));
    r->body = body;
    r->body_cap = body_cap;
}

static void take(struct admin_rx *r, const uint8_t *d, size_t n)
{
    r->body_total += n;
    if (r->overflow || r->body_len + n > r->body_cap) {
        r->overflow = true;
        return;
    }
    memcpy(r->body + r->body_len, d, n);
    r->body_len += n;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A complete line (without CRLF) in r->line: the chunk size. */
static bool chunk_size(struct admin_rx *r)
{
    size_t v = 0;
    unsigned digits = 0;

    for (unsigned i = 0; i < r->line_len; i++) {
        int h = hexval(r->line[i]);

        if (h < 0) {
            if (r->line[i] == ';' || r->line[i] == ' ' || r->line[i] == '\t') {
                break;          /* chunk extension: ignored */
            }
            return false;
        }
        if (++digits > 7) {     /* 256 MiB: far past anything sane */
            return false;
        }
        v = v << 4 | (size_t)h;
    }
    if (digits == 0) {
        return false;
    }
    r->remain = v;
    return true;
}

/* Feed chunked body bytes; *USED of N consumed when DONE. */
static enum admin_rx_result chunked(struct admin_rx *r, const uint8_t *d,
                                    size_t n, size_t *used)
{
    size_t i = 0;

    while (i < n) {
        uint8_t c = d[i];

        switch (r->cstate) {
        case C_SIZE:
        case C_TRAILER:
        case C_DATA_CRLF:
            i++;
            if (c == '\r') {
                break;
            }
            if (c != '\n') {
                if (r->cstate == C_DATA_CRLF) {
                    return ADMIN_RX_BAD;
                }
                if (r->line_len >= sizeof(r->line)) {
                    if (r->cstate == C_SIZE) {
                        return ADMIN_RX_BAD;
                    }
                    r->line_len = 1;        /* a long trailer line */
                } else {
                    r->line[r->line_len++] = (char)c;
                }
                break;
            }
            if (r->cstate == C_DATA_CRLF) {
                r->cstate = C_SIZE;
            } else if (r->cstate == C_SIZE) {
                if (!chunk_size(r)) {
                    return ADMIN_RX_BAD;
                }
                r->cstate = r->remain ? C_DATA : C_TRAILER;
            } else if (r->line_len == 0) {
                r->cstate = C_DONE;
                *used = i;
                return ADMIN_RX_DONE;
            }
            r->line_len = 0;
            break;
        case C_DATA: {
            size_t k = n - i < r->remain ? n - i : r->remain;

            take(r, d + i, k);
            i += k;
            r->remain -= k;
            if (r->remain == 0) {
                r->cstate = C_DATA_CRLF;
            }
            break;
        }
        default:
            return ADMIN_RX_BAD;
        }
    }
    *used = n;
    return ADMIN_RX_MORE;
}

static enum admin_rx_result body(struct admin_rx *r, const uint8_t *d,
                                 size_t n, size_t *used)
{
    size_t k;

    if (r->chunked) {
        return chunked(r, d, n, used);
    }
    k = n < r->remain ? n : r->remain;
    take(r, d, k);
    r->remain -= k;
    *used = k;
    return r->remain ? ADMIN_RX_MORE : ADMIN_RX_DONE;
}

enum admin_rx_result admin_rx_feed(struct admin_rx *r, const uint8_t *data,
                                   size_t n, size_t *used)
{
    size_t off = 0, u = 0;
    enum admin_rx_result res;

    while (!r->head_done) {
        enum http_parse_result p;
        size_t k = n - off;

        if (k == 0) {
            *used = n;
            return ADMIN_RX_MORE;
        }
        if (k > sizeof(r->head) - r->head_len) {
            k = sizeof(r->head) - r->head_len;
        }
        if (k == 0) {
            return ADMIN_RX_BAD;            /* head over ADMIN_HEAD_MAX */
        }
        memcpy(r->head + r->head_len, data + off, k);
        p = http_parse_response(r->head, r->head_len + k, sizeof(r->head),
                                false, &r->resp);
        if (p == HTTP_PARSE_INCOMPLETE) {
            r->head_len += k;
            off += k;
            continue;
        }
        if (p != HTTP_PARSE_OK) {
            return ADMIN_RX_BAD;
        }
        /* the bytes past the head in this copy belong to the body */
        off += r->resp.head_len - r->head_len;
        r->head_len = r->resp.head_len;
        if (r->resp.status < 200) {         /* 1xx: the next head follows */
            r->head_len = 0;
            continue;
        }
        r->head_done = true;
        switch (r->resp.body) {
        case HTTP_BODY_NONE:
            *used = off;
            return ADMIN_RX_DONE;
        case HTTP_BODY_LENGTH:
            r->remain = r->resp.content_length;
            if (r->remain == 0) {
                *used = off;
                return ADMIN_RX_DONE;
            }
            break;
        case HTTP_BODY_CHUNKED:
            r->chunked = true;
            break;
        default:
            return ADMIN_RX_BAD;    /* until close: no resume point */
        }
    }
    if (r->cstate == C_DONE || (!r->chunked && r->remain == 0)) {
        *used = off;
        return ADMIN_RX_DONE;
    }
    res = body(r, data + off, n - off, &u);
    *used = off + u;
    return res;
}

bool admin_rx_field(const struct admin_rx *r, const char *name, char *out,
                    size_t cap)
{
    const char *v;
    size_t n;

    if (!r->head_done ||
        !http_find_field(r->head, r->head_len, name, &v, &n) || n >= cap) {
        return false;
    }
    memcpy(out, v, n);
    out[n] = '\0';
    return true;
}

size_t admin_post_write(const struct admin_post *p, uint8_t *out, size_t cap)
{
    struct http_writer w;
    size_t n;

    http_writer_init(&w, (char *)out, cap);
    http_write_request_line(&w, "POST", p->uri);
    http_write_field(&w, "Host", p->host);
    http_write_field(&w, "X-Admin-Protocol", "globalplatform-remote-admin/1.0");
    http_write_field(&w, "X-Admin-From", p->from);
    if (p->script_status && p->content_type) {
        http_write_field(&w, "Content-Type", p->content_type);
    } else if (p->script_status) {
        http_write_field(&w, "Content-Type",
                         "application/vnd.globalplatform.card-content-mgt-"
                         "response;version=1.0");
        http_write_field(&w, "X-Admin-Script-Status", p->script_status);
    }
    if (p->resume) {
        http_write_field(&w, "X-Admin-Resume", "true");
    }
    if (p->body_len && p->chunked) {
        http_write_field(&w, "Transfer-Encoding", "chunked");
    } else {
        http_write_fieldf(&w, "Content-Length", "%u", (unsigned)p->body_len);
    }
    n = http_write_end(&w);
    if (n == 0 || !p->body_len) {
        return n;
    }
    if (p->chunked) {
        /* one chunk and the last-chunk (RFC 9112 7.1) */
        static const char hex[] = "0123456789abcdef";
        char size[8];
        size_t s = 0, v = p->body_len;

        do {
            size[s++] = hex[v & 15u];
            v >>= 4;
        } while (v);
        if (n + s + 2 + p->body_len + 7 > cap) {
            return 0;
        }
        while (s) {
            out[n++] = (uint8_t)size[--s];
        }
        out[n++] = '\r';
        out[n++] = '\n';
        memcpy(out + n, p->body, p->body_len);
        n += p->body_len;
        memcpy(out + n, "\r\n0\r\n\r\n", 7);
        return n + 7;
    }
    if (n + p->body_len > cap) {
        return 0;
    }
    memcpy(out + n, p->body, p->body_len);
    return n + p->body_len;
}

static size_t unhex(const char *s, size_t n, uint8_t *out, size_t cap)
{
    if (n == 0 || (n & 1u) || n / 2 > cap) {
        return 0;
    }
    for (size_t i = 0; i < n; i += 2) {
        int h = hexval(s[i]), l = hexval(s[i + 1]);

        if (h < 0 || l < 0) {
            return 0;
        }
        out[i / 2] = (uint8_t)(h << 4 | l);
    }
    return n / 2;
}

size_t admin_parse_target(const char *s, uint8_t aid[16])
{
    const char *rid, *slash;
    size_t r, p = 0;

    if (strncmp(s, "//aid/", 6) != 0) {
        return 0;
    }
    rid = s + 6;
    slash = strchr(rid, '/');
    /* Amendment B 3.3.2: RID 5 bytes, PIX 0..11 bytes, hex */
    r = unhex(rid, slash ? (size_t)(slash - rid) : strlen(rid), aid, 16);
    if (r != 5) {
        return 0;
    }
    if (slash && slash[1]) {
        p = unhex(slash + 1, strlen(slash + 1), aid + 5, 11);
        if (p == 0) {
            return 0;
        }
    }
    return r + p;
}
