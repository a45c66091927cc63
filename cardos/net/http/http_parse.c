/*
 * HTTP/1.1 message head parser. See http_parse.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "net/http/http_parse.h"

#include <stdint.h>
#include <string.h>

/* RFC 9110 5.6.2 tchar */
static bool is_tchar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        (c >= '0' && c <= '9')) {
        return true;
    }
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Visible ASCII (VCHAR) plus obs-text: what a request-target may hold. */
static bool is_target_char(char c)
{
    return (unsigned char)c > 0x20 && (unsigned char)c != 0x7f;
}

/* Field values and reason phrases: no CTL but HTAB (RFC 9110 5.5). */
static bool text_ok(const char *v, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        unsigned char c = (unsigned char)v[k];
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            return false;
        }
    }
    return true;
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

/* NAME (length N) equals WANT, ignoring case (WANT in any case). */
static bool name_is(const char *name, size_t n, const char *want)
{
    size_t i;

    for (i = 0; i < n && want[i]; i++) {
        if (lower(name[i]) != lower(want[i])) {
            return false;
        }
    }
    return i == n && want[i] == 0;
}

/* Does the comma-separated list VALUE (length N) contain TOKEN? */
static bool list_has(const char *v, size_t n, const char *token)
{
    size_t i = 0, tl = strlen(token);

    while (i < n) {
        size_t s, e;
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ',')) {
            i++;
        }
        s = i;
        while (i < n && v[i] != ',') {
            i++;
        }
        e = i;
        while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t')) {
            e--;
        }
        if (e - s == tl && name_is(v + s, tl, token)) {
            return true;
        }
    }
    return false;
}

static enum http_method method_of(const char *m, size_t n)
{
    static const struct { const char *name; enum http_method m; } t[] = {
        { "GET", HTTP_METHOD_GET }, { "HEAD", HTTP_METHOD_HEAD },
        { "POST", HTTP_METHOD_POST }, { "PUT", HTTP_METHOD_PUT },
        { "DELETE", HTTP_METHOD_DELETE },
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        if (strlen(t[i].name) == n && memcmp(t[i].name, m, n) == 0) {
            return t[i].m;
        }
    }
    return HTTP_METHOD_OTHER;
}

/*
 * Check the request line prefix that has arrived (up to LEN bytes, the
 * line may be incomplete): false if it can no longer become
 * "method SP target SP HTTP/...".
 */
static bool request_line_prefix_ok(const char *b, size_t len)
{
    size_t i = 0;

    while (i < len && is_tchar(b[i])) {
        i++;
    }
    if (i == len) {
        return i <= HTTP_METHOD_MAX_LEN;
    }
    if (i == 0 || i > HTTP_METHOD_MAX_LEN || b[i] != ' ') {
        return false;
    }
    i++;
    if (i == len) {
        return true;
    }
    if (b[i] != '/' && b[i] != '*') {
        return false;
    }
    while (i < len && is_target_char(b[i])) {
        i++;
    }
    if (i == len) {
        return true;
    }
    if (b[i] != ' ') {
        return false;
    }
    i++;
    for (const char *p = "HTTP/"; *p && i < len; p++, i++) {
        if (b[i] != *p) {
            return false;
        }
    }
    return true;
}

/* End of the line starting at B[I] (index of its LF), or LEN if none. */
static size_t line_end(const char *b, size_t i, size_t len)
{
    const char *lf = memchr(b + i, '\n', len - i);

    return lf ? (size_t)(lf - b) : len;
}

/* Length of the line [I, E) without its CR (E is the LF). */
static size_t line_len(const char *b, size_t i, size_t e)
{
    return e - i - (e > i && b[e - 1] == '\r');
}

/*
 * The empty line that ends the head whose first line starts at START:
 * true and *END just past it, or false if it is not within SCAN bytes.
 */
static bool find_head_end(const char *b, size_t start, size_t scan,
                          size_t *end)
{
    size_t i = start;

    for (;;) {
        size_t e = line_end(b, i, scan);
        if (e == scan) {
            return false;
        }
        if (e == i || (e == i + 1 && b[i] == '\r')) {
            *end = e + 1;
            return true;
        }
        i = e + 1;
    }
}

struct field {
    const char *name;
    size_t name_len;
    const char *value;        /* without leading and trailing OWS */
    size_t value_len;
};

/*
 * The header field line at B[*I] (the head ends at END): 1 and *F filled,
 * *I past it; 0 at the empty line that ends the head; -1 if malformed
 * (RFC 9112 5: field-name ":" OWS field-value OWS; a line starting with
 * whitespace is obs-fold, refused here).
 */
static int next_field(const char *b, size_t *i, size_t end, struct field *f)
{
    size_t e, ln;
    const char *line = b + *i, *colon;

    if (*i >= end) {
        return 0;
    }
    e = line_end(b, *i, end);
    ln = line_len(b, *i, e);
    if (ln == 0) {
        return 0;
    }
    if (line[0] == ' ' || line[0] == '\t') {
        return -1;
    }
    colon = memchr(line, ':', ln);
    if (!colon || colon == line) {
        return -1;
    }
    f->name = line;
    f->name_len = (size_t)(colon - line);
    for (size_t k = 0; k < f->name_len; k++) {
        if (!is_tchar(line[k])) {
            return -1;      /* also "Name :" */
        }
    }
    f->value = colon + 1;
    f->value_len = ln - f->name_len - 1;
    while (f->value_len && (*f->value == ' ' || *f->value == '\t')) {
        f->value++;
        f->value_len--;
    }
    while (f->value_len && (f->value[f->value_len - 1] == ' ' ||
                            f->value[f->value_len - 1] == '\t')) {
        f->value_len--;
    }
    if (!text_ok(f->value, f->value_len)) {
        return -1;
    }
    *i = e + 1;
    return 1;
}

/* Content-Length (RFC 9110 8.6): 1*DIGIT; false if malformed/too big. */
static bool parse_length(const char *v, size_t n, size_t *out)
{
    size_t val = 0;

    if (n == 0) {
        return false;
    }
    for (size_t k = 0; k < n; k++) {
        if (v[k] < '0' || v[k] > '9' || val > (SIZE_MAX - 9) / 10) {
            return false;
        }
        val = val * 10 + (size_t)(v[k] - '0');
    }
    *out = val;
    return true;
}

/* Fields every message head may carry, interpreted the same way. */
struct framing {
    bool have_cl, conn_close, conn_keep;
    size_t cl;
    unsigned te_fields;       /* Transfer-Encoding fields */
    bool te_chunked;          /* ... each exactly "chunked" */
};

/* false: malformed (conflicting or invalid Content-Length). */
static bool framing_field(struct framing *fr, const struct field *f)
{
    if (name_is(f->name, f->name_len, "content-length")) {
        size_t val;
        if (!parse_length(f->value, f->value_len, &val) ||
            (fr->have_cl && val != fr->cl)) {
            return false;
        }
        fr->have_cl = true;
        fr->cl = val;
    } else if (name_is(f->name, f->name_len, "transfer-encoding")) {
        fr->te_chunked = (fr->te_fields == 0 || fr->te_chunked) &&
                         name_is(f->value, f->value_len, "chunked");
        fr->te_fields++;
    } else if (name_is(f->name, f->name_len, "connection")) {
        fr->conn_close |= list_has(f->value, f->value_len, "close");
        fr->conn_keep |= list_has(f->value, f->value_len, "keep-alive");
    }
    return true;
}

/* RFC 9112 9.3: persistence from the version and the Connection field. */
static bool persistent(const struct framing *fr, unsigned minor)
{
    return minor >= 1 ? !fr->conn_close : (fr->conn_keep && !fr->conn_close);
}

/*
 * Advance RD's search for the end of a request head over B[0, SCAN),
 * looking only at lines it has not finished before: skip the empty lines
 * a request may begin with (RFC 9112 2.2), check the request line while
 * it arrives (one that cannot become HTTP is refused before its end),
 * then look for the empty line that ends the head (RFC 9112 2.1). OK and
 * *END just past the empty line; INCOMPLETE; BAD.
 */
static enum http_parse_result head_scan(struct http_reader *rd,
                                        const char *b, size_t scan,
                                        size_t *end)
{
    if (!rd->started) {
        while (rd->next < scan && (b[rd->next] == '\r' || b[rd->next] == '\n')) {
            rd->next++;
        }
        if (rd->next == scan) {
            return HTTP_PARSE_INCOMPLETE;
        }
        rd->started = true;
        rd->start = rd->next;
    }
    if (rd->next == rd->start) {
        /* The request line, whole or as far as it has arrived. */
        size_t eol = line_end(b, rd->start, scan);
        size_t n = (eol < scan ? eol : scan) - rd->start;

        if (eol < scan && n > 0 && b[eol - 1] == '\r') {
            n--;
        }
        if (!request_line_prefix_ok(b + rd->start, n)) {
            return HTTP_PARSE_BAD;
        }
        if (eol == scan) {
            return HTTP_PARSE_INCOMPLETE;
        }
        rd->next = eol + 1;
    }
    for (;;) {
        size_t e = line_end(b, rd->next, scan);

        if (e == scan) {
            return HTTP_PARSE_INCOMPLETE;
        }
        if (e == rd->next || (e == rd->next + 1 && b[rd->next] == '\r')) {
            *end = e + 1;
            return HTTP_PARSE_OK;
        }
        rd->next = e + 1;
    }
}

/*
 * The complete request head B[START, END) (START: its request line):
 * request line and fields into *REQ. Nothing is written to B.
 */
static enum http_parse_result head_parse(const char *buf, size_t start,
                                         size_t end, struct http_parsed *req)
{
    size_t i = start, eol = line_end(buf, start, end), n;
    bool have_host = false;
    struct framing fr = { 0 };
    struct field f;
    const char *sp1, *sp2, *q;
    int r;

    memset(req, 0, sizeof(*req));
    req->head_len = end;

    /* Request line: method SP target SP HTTP/1.x (RFC 9112 3) */
    n = line_len(buf, i, eol);
    sp1 = memchr(buf + i, ' ', n);
    if (!sp1) {
        return HTTP_PARSE_BAD;
    }
    sp2 = memchr(sp1 + 1, ' ', (size_t)(buf + i + n - (sp1 + 1)));
    if (!sp2 || sp2 == sp1 + 1 || (size_t)(buf + i + n - sp2) != 9) {
        return HTTP_PARSE_BAD;
    }
    for (const char *p = sp1 + 1; p < sp2; p++) {
        if (!is_target_char(*p)) {
            return HTTP_PARSE_BAD;
        }
    }
    if (memcmp(sp2 + 1, "HTTP/", 5) != 0 || sp2[6] < '0' || sp2[6] > '9' ||
        sp2[7] != '.' || sp2[8] < '0' || sp2[8] > '9') {
        return HTTP_PARSE_BAD;
    }
    if (sp2[6] != '1') {
        return HTTP_PARSE_VERSION;
    }
    req->minor = (unsigned)(sp2[8] - '0');
    memcpy(req->method_name, buf + i, (size_t)(sp1 - (buf + i)));
    req->method_name[sp1 - (buf + i)] = 0;
    req->method = method_of(buf + i, (size_t)(sp1 - (buf + i)));
    if (sp1[1] != '/') {
        return HTTP_PARSE_BAD;   /* absolute-form and '*' are not served */
    }

    /* Header fields. */
    i = eol + 1;
    while ((r = next_field(buf, &i, end, &f)) > 0) {
        if (name_is(f.name, f.name_len, "host")) {
            if (have_host) {
                return HTTP_PARSE_BAD;
            }
            have_host = true;
        } else if (name_is(f.name, f.name_len, "transfer-encoding")) {
            return HTTP_PARSE_NOT_IMPL;
        } else if (!framing_field(&fr, &f)) {
            return HTTP_PARSE_BAD;
        }
    }
    if (r < 0) {
        return HTTP_PARSE_BAD;
    }
    if (req->minor >= 1 && !have_host) {
        return HTTP_PARSE_BAD;
    }
    req->content_length = fr.cl;
    req->keep_alive = persistent(&fr, req->minor);

    /* Path and query (RFC 9112 3.2.1 origin-form), left in place. */
    req->path = sp1 + 1;
    q = memchr(req->path, '?', (size_t)(sp2 - req->path));
    req->path_len = (size_t)((q ? q : sp2) - req->path);
    req->query = q ? q + 1 : sp2;
    req->query_len = (size_t)(sp2 - req->query);
    return HTTP_PARSE_OK;
}

enum http_parse_result http_parse_request(const char *buf, size_t len,
                                          size_t max,
                                          struct http_parsed *req)
{
    struct http_reader rd;
    size_t end;
    enum http_parse_result r;

    http_reader_init(&rd);
    r = head_scan(&rd, buf, len < max ? len : max, &end);
    if (r == HTTP_PARSE_INCOMPLETE) {
        return len >= max ? HTTP_PARSE_TOO_LARGE : HTTP_PARSE_INCOMPLETE;
    }
    return r == HTTP_PARSE_OK ? head_parse(buf, rd.start, end, req) : r;
}

void http_parsed_terminate(struct http_parsed *req, char *buf)
{
    /* Both end inside the request line, at '?' or the SP before the
     * version (the query's end is the path's when there is none). */
    buf[(size_t)(req->path - buf) + req->path_len] = 0;
    buf[(size_t)(req->query - buf) + req->query_len] = 0;
}

void http_reader_init(struct http_reader *rd)
{
    memset(rd, 0, sizeof(*rd));
}

enum http_parse_result http_reader_feed(struct http_reader *rd,
                                        const char *buf, size_t len,
                                        size_t max)
{
    if (rd->result == HTTP_PARSE_INCOMPLETE) {
        size_t end;
        enum http_parse_result r = head_scan(rd, buf, len < max ? len : max,
                                             &end);

        if (r == HTTP_PARSE_INCOMPLETE) {
            if (len < max) {
                return r;
            }
            r = HTTP_PARSE_TOO_LARGE;
        } else if (r == HTTP_PARSE_OK) {
            r = head_parse(buf, rd->start, end, &rd->req);
            if (r == HTTP_PARSE_OK &&
                rd->req.content_length > max - rd->req.head_len) {
                r = HTTP_PARSE_CONTENT_TOO_LARGE;   /* RFC 9110 15.5.14 */
            }
        }
        rd->result = r;
    }
    if (rd->result != HTTP_PARSE_OK) {
        return rd->result;
    }
    /* RFC 9112 6.2: Content-Length octets of body follow the head. */
    return len - rd->req.head_len >= rd->req.content_length ?
           HTTP_PARSE_OK : HTTP_PARSE_INCOMPLETE;
}

/*
 * RFC 9112 5.2: a user agent replaces each obs-fold (CRLF followed by
 * whitespace) in a response with SP before interpreting the field. Done
 * in place over the field lines [FROM, END) (END: past the empty line).
 */
static void unfold(char *b, size_t from, size_t end)
{
    for (size_t k = from; k + 1 < end; k++) {
        if (b[k] == '\n' && (b[k + 1] == ' ' || b[k + 1] == '\t')) {
            b[k] = ' ';
            if (k > from && b[k - 1] == '\r') {
                b[k - 1] = ' ';
            }
        }
    }
}

enum http_parse_result http_parse_response(char *buf, size_t len, size_t max,
                                           bool head_request,
                                           struct http_parsed_response *resp)
{
    size_t scan = len < max ? len : max;
    size_t eol, end, n, i;
    struct framing fr = { 0 };
    struct field f;
    int r;

    if (!find_head_end(buf, 0, scan, &end)) {
        return len >= max ? HTTP_PARSE_TOO_LARGE : HTTP_PARSE_INCOMPLETE;
    }
    memset(resp, 0, sizeof(*resp));
    resp->head_len = end;

    /* status-line = HTTP-version SP status-code SP [ reason-phrase ]
     * (RFC 9112 4); a missing SP before an empty reason is tolerated. */
    eol = line_end(buf, 0, end);
    n = line_len(buf, 0, eol);
    if (n < 12 || memcmp(buf, "HTTP/", 5) != 0 || buf[5] < '0' ||
        buf[5] > '9' || buf[6] != '.' || buf[7] < '0' || buf[7] > '9' ||
        buf[8] != ' ') {
        return HTTP_PARSE_BAD;
    }
    for (size_t k = 9; k < 12; k++) {
        if (buf[k] < '0' || buf[k] > '9') {
            return HTTP_PARSE_BAD;
        }
        resp->status = resp->status * 10u + (unsigned)(buf[k] - '0');
    }
    if (resp->status < 100 || resp->status > 599 ||
        (n > 12 && buf[12] != ' ') || !text_ok(buf + 12, n - 12)) {
        return HTTP_PARSE_BAD;       /* RFC 9110 15: 100..599 */
    }
    if (buf[5] != '1') {
        return HTTP_PARSE_VERSION;
    }
    resp->minor = (unsigned)(buf[7] - '0');
    resp->reason = buf + (n > 12 ? 13 : 12);
    resp->reason_len = n > 12 ? n - 13 : 0;

    /* RFC 9112 2.2: whitespace before the first field is not obs-fold. */
    i = eol + 1;
    if (i < end && (buf[i] == ' ' || buf[i] == '\t')) {
        return HTTP_PARSE_BAD;
    }
    unfold(buf, i, end);
    while ((r = next_field(buf, &i, end, &f)) > 0) {
        if (!framing_field(&fr, &f)) {
            return HTTP_PARSE_BAD;
        }
    }
    if (r < 0) {
        return HTTP_PARSE_BAD;
    }
    /* RFC 9112 6.1: Transfer-Encoding in HTTP/1.0 means faulty framing. */
    if (fr.te_fields && resp->minor == 0) {
        return HTTP_PARSE_BAD;
    }
    resp->keep_alive = persistent(&fr, resp->minor);
    /* Message body length, RFC 9112 6.3, rules 1, 3, 5 and 7. */
    if (head_request || resp->status < 200 || resp->status == 204 ||
        resp->status == 304) {
        resp->body = HTTP_BODY_NONE;
    } else if (fr.te_fields) {
        if (!fr.te_chunked || fr.te_fields > 1) {
            return HTTP_PARSE_NOT_IMPL;   /* codings we cannot decode */
        }
        resp->body = HTTP_BODY_CHUNKED;
        if (fr.have_cl) {
            resp->keep_alive = false;     /* 6.1: close after it */
        }
    } else if (fr.have_cl) {
        resp->body = HTTP_BODY_LENGTH;
        resp->content_length = fr.cl;
    } else {
        resp->body = HTTP_BODY_UNTIL_CLOSE;
        resp->keep_alive = false;
    }
    return HTTP_PARSE_OK;
}

bool http_find_field(const char *head, size_t head_len, const char *name,
                     const char **value, size_t *value_len)
{
    size_t i = 0;
    struct field f;

    /* The start line (after the empty lines a request may begin with). */
    while (i < head_len && (head[i] == '\r' || head[i] == '\n')) {
        i++;
    }
    i = line_end(head, i, head_len) + 1;
    while (next_field(head, &i, head_len, &f) > 0) {
        if (name_is(f.name, f.name_len, name)) {
            *value = f.value;
            *value_len = f.value_len;
            return true;
        }
    }
    return false;
}

const char *http_reason(unsigned status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 416: return "Range Not Satisfiable";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    case 507: return "Insufficient Storage";
    default:  return "";
    }
}
