/*
 * Serving the SCWS content store. Contract: web_server.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "net/web/web_server.h"

#include <string.h>

#include "kernel/log.h"
#include "net/http/http_app.h"
#include "net/web/web_store.h"

static const char *const wday[] = { "Thu", "Fri", "Sat", "Sun", "Mon",
                                    "Tue", "Wed" };   /* 1970-01-01: Thu */
static const char *const month[] = { "Jan", "Feb", "Mar", "Apr", "May",
                                     "Jun", "Jul", "Aug", "Sep", "Oct",
                                     "Nov", "Dec" };

/* Days since 1970-01-01 of a civil date, and back (proleptic Gregorian,
 * the usual era arithmetic). */
static int32_t days_from_civil(int32_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int32_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153u * (m + (m > 2 ? (unsigned)-3 : 9u)) + 2u) / 5u + d - 1u;
    unsigned doe = yoe * 365u + yoe / 4u - yoe / 100u + doy;
    return era * 146097 + (int32_t)doe - 719468;
}

static void civil_from_days(int32_t z, int32_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int32_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460u + doe / 36524u - doe / 146096u) / 365u;
    unsigned doy = doe - (365u * yoe + yoe / 4u - yoe / 100u);
    unsigned mp = (5u * doy + 2u) / 153u;

    *d = doy - (153u * mp + 2u) / 5u + 1u;
    *m = mp < 10 ? mp + 3u : mp - 9u;
    *y = (int32_t)yoe + era * 400 + (*m <= 2);
}

void web_http_date(uint32_t t, char *out, size_t size)
{
    int32_t days = (int32_t)(t / 86400u), y;
    uint32_t s = t % 86400u;
    unsigned m, d;

    civil_from_days(days, &y, &m, &d);
    log_snprintf(out, size, "%s, %02u %s %04d %02u:%02u:%02u GMT",
                 wday[days % 7], d, month[m - 1], (int)y,
                 (unsigned)(s / 3600u), (unsigned)(s / 60u % 60u),
                 (unsigned)(s % 60u));
}

static bool digits(const char *s, unsigned n, unsigned *v)
{
    *v = 0;
    for (unsigned i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        *v = *v * 10u + (unsigned)(s[i] - '0');
    }
    return true;
}

bool web_parse_http_date(const char *s, size_t len, uint32_t *t)
{
    /* "Sun, 06 Nov 1994 08:49:37 GMT": 29 bytes, fixed positions. */
    unsigned d, y, hh, mm, ss, m = 0;

    if (len != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' ||
        s[11] != ' ' || s[16] != ' ' || s[19] != ':' || s[22] != ':' ||
        memcmp(s + 25, " GMT", 4) != 0 || !digits(s + 5, 2, &d) ||
        !digits(s + 12, 4, &y) || !digits(s + 17, 2, &hh) ||
        !digits(s + 20, 2, &mm) || !digits(s + 23, 2, &ss)) {
        return false;
    }
    while (m < 12 && memcmp(s + 8, month[m], 3) != 0) {
        m++;
    }
    if (m == 12 || d < 1 || d > 31 || y < 1970 || y > 2105 || hh > 23 ||
        mm > 59 || ss > 60) {
        return false;
    }
    *t = (uint32_t)days_from_civil((int32_t)y, m + 1, d) * 86400u +
         hh * 3600u + mm * 60u + ss;
    return true;
}

/* Does the If-None-Match / If-Range list V match TAG ("\"...\"")? Weak
 * comparison (RFC 9110 8.8.3.2): "W/" prefixes are ignored. */
static bool etag_listed(const char *v, size_t len, const char *tag)
{
    size_t tl = strlen(tag), i = 0;

    while (i < len) {
        while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == ',')) {
            i++;
        }
        if (i < len && v[i] == '*') {
            return true;
        }
        if (i + 2 <= len && v[i] == 'W' && v[i + 1] == '/') {
            i += 2;
        }
        if (i + tl <= len && memcmp(v + i, tag, tl) == 0 &&
            (i + tl == len || v[i + tl] == ',' || v[i + tl] == ' ')) {
            return true;
        }
        while (i < len && v[i] != ',') {
            i++;
        }
    }
    return false;
}

static bool parse_uint(const char **p, const char *end, uint32_t *v)
{
    const char *s = *p;

    *v = 0;
    if (s == end || *s < '0' || *s > '9') {
        return false;
    }
    while (s < end && *s >= '0' && *s <= '9') {
        if (*v > 100000000u) {
            return false;
        }
        *v = *v * 10u + (uint32_t)(*s++ - '0');
    }
    *p = s;
    return true;
}

enum range_result { RANGE_NONE, RANGE_OK, RANGE_UNSATISFIABLE };

/* One "bytes=first-last" / "bytes=first-" / "bytes=-suffix" range of a
 * SIZE-byte resource; RANGE_NONE when it is anything else (ignored). */
static enum range_result parse_range(const char *v, size_t len, uint32_t size,
                                     uint32_t *first, uint32_t *last)
{
    const char *p = v, *end = v + len;
    uint32_t a, b;

    if (len < 7 || memcmp(v, "bytes=", 6) != 0 || memchr(v, ',', len)) {
        return RANGE_NONE;
    }
    p += 6;
    if (*p == '-') {
        p++;
        if (!parse_uint(&p, end, &b) || p != end) {
            return RANGE_NONE;
        }
        if (b == 0 || size == 0) {
            return RANGE_UNSATISFIABLE;
        }
        *first = b >= size ? 0 : size - b;
        *last = size - 1;
        return RANGE_OK;
    }
    if (!parse_uint(&p, end, &a) || p == end || *p++ != '-') {
        return RANGE_NONE;
    }
    if (p == end) {
        b = UINT32_MAX;
    } else if (!parse_uint(&p, end, &b) || p != end || b < a) {
        return RANGE_NONE;
    }
    if (a >= size) {
        return RANGE_UNSATISFIABLE;
    }
    *first = a;
    *last = b >= size ? size - 1 : b;
    return RANGE_OK;
}

static void common_fields(struct http_response *resp, const struct web_meta *m,
                          const char *tag)
{
    char date[32];

    (void)http_add_field(resp, "ETag", "%s", tag);
    if (m->modified) {
        web_http_date(m->modified, date, sizeof(date));
        (void)http_add_field(resp, "Last-Modified", "%s", date);
    }
    if (m->encoding[0]) {
        (void)http_add_field(resp, "Content-Encoding", "%s", m->encoding);
    }
    if (m->language[0]) {
        (void)http_add_field(resp, "Content-Language", "%s", m->language);
    }
    (void)http_add_field(resp, "Accept-Ranges", "bytes");
    (void)http_add_field(resp, "Cache-Control", "no-cache");
}

static bool not_modified(const struct http_request *req,
                         const struct web_meta *m, const char *tag)
{
    size_t len;
    const char *v = http_request_field(req, "If-None-Match", &len);
    uint32_t since;

    if (v) {
        return etag_listed(v, len, tag);
    }
    v = http_request_field(req, "If-Modified-Since", &len);
    return v && m->modified && web_parse_http_date(v, len, &since) &&
           m->modified <= since;
}

/*
 * The body, streamed from the resource's chunks (http_app.h's source):
 * the bytes from OFF to the end of their chunk. A chunk is read whole
 * (the store reads objects whole, CRC-checked) into the transport's
 * buffer and the part before OFF dropped. The handle is checked before
 * each chunk (web_store_read_chunk): a resource replaced or deleted
 * while it is being sent fails the read, and the server aborts the
 * connection.
 */
_Static_assert(sizeof(struct web_handle) <= HTTP_SOURCE_STATE,
               "a web_handle is the source's state");
_Static_assert(HTTP_SOURCE_BUF_MIN >= WEB_CHUNK,
               "a transport's buffer takes a whole chunk");

static int body_read(void *state, uint32_t off, uint8_t *buf, size_t cap)
{
    struct web_handle *h = state;
    uint32_t skip = off % WEB_CHUNK;
    int n = web_store_read_chunk(h, off / WEB_CHUNK, buf,
                                 cap > UINT32_MAX ? UINT32_MAX :
                                 (uint32_t)cap);

    if (n < 0 || (uint32_t)n <= skip) {
        return n < 0 ? n : WEB_ERR_IO;
    }
    memmove(buf, buf + skip, (uint32_t)n - skip);
    return n - (int)skip;
}

/* The Content-Type of the response being described: the response keeps
 * a pointer (http_app.h), which must outlive the handler. */
static char type_buf[WEB_TYPE_MAX];

static bool web_default(const struct http_request *req,
                        struct http_response *resp, void *ctx)
{
    char path[WEB_PATH_MAX];
    struct web_meta m;
    char tag[24];
    size_t n = strlen(req->path), len;
    bool get = strcmp(req->method, "GET") == 0;
    const char *v;
    uint32_t first = 0, last = 0;
    enum range_result rr = RANGE_NONE;
    struct http_body_source src;
    struct web_handle *h = (struct web_handle *)src.state;

    (void)ctx;
    if (n == 0 || n >= sizeof(path)) {
        return false;
    }
    memcpy(path, req->path, n + 1);
    if (path[n - 1] == '/') {
        static const char index[] = "index.html";
        if (n + sizeof(index) > sizeof(path)) {
            return false;
        }
        memcpy(path + n, index, sizeof(index));
    }
    memset(&src, 0, sizeof(src));
    if (web_store_open(path, &m, h) != WEB_OK) {
        return false;                   /* built-ins, then 404 */
    }
    if (!get && strcmp(req->method, "HEAD") != 0) {
        static const char na[] = "405 Method Not Allowed\n";
        (void)http_add_field(resp, "Allow", "GET, HEAD");
        http_reply_static(resp, 405, "text/plain", na, sizeof(na) - 1);
        return true;
    }
    memcpy(type_buf, m.type, sizeof(type_buf));
    web_store_etag(&m, tag, sizeof(tag));
    common_fields(resp, &m, tag);
    if (not_modified(req, &m, tag)) {
        http_reply_no_body(resp, 304, type_buf, m.size);
        return true;
    }
    v = http_request_field(req, "Range", &len);
    if (v && get) {
        size_t il;
        const char *ir = http_request_field(req, "If-Range", &il);
        if (!ir || (il == strlen(tag) && memcmp(ir, tag, il) == 0)) {
            rr = parse_range(v, len, m.size, &first, &last);
        }
    }
    if (rr == RANGE_UNSATISFIABLE) {
        static const char rn[] = "416 Range Not Satisfiable\n";
        (void)http_add_field(resp, "Content-Range", "bytes */%u",
                             (unsigned)m.size);
        http_reply_static(resp, 416, "text/plain", rn, sizeof(rn) - 1);
        return true;
    }
    if (!get) {
        http_reply_no_body(resp, 200, type_buf, m.size);
        return true;
    }
    src.read = body_read;
    if (rr == RANGE_OK) {
        (void)http_add_field(resp, "Content-Range", "bytes %u-%u/%u",
                             (unsigned)first, (unsigned)last,
                             (unsigned)m.size);
        src.off = first;
        http_reply_source(resp, 206, type_buf, &src, last - first + 1u);
        return true;
    }
    if (m.size == 0) {
        http_reply_buffer(resp, 200, type_buf, 0);
        return true;
    }
    http_reply_source(resp, 200, type_buf, &src, m.size);
    return true;
}

bool web_server_init(void)
{
    return http_default_add(web_default, NULL);
}
