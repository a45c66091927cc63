/*
 * Log ring buffer and formatter. See kernel/log.h for the contract.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "kernel/log.h"

struct log_line {
    uint16_t len;
    char text[LOG_LINE_MAX];
};

static struct {
    struct log_line lines[LOG_RING_LINES];
    unsigned oldest;          /* index of the oldest stored line */
    unsigned count;           /* stored lines */
    uint32_t dropped;         /* total lines overwritten */
    uint32_t dropped_unreported;
    log_sink_fn sink;
    log_lock_fn lock;
    log_unlock_fn unlock;
} log_state;        /* in .bss: an initialiser would copy 4 KiB from ROM */

static int log_threshold = LOG_LEVEL_DEBUG;

/* ------------------------------------------------------------------ */
/* Formatter                                                           */
/* ------------------------------------------------------------------ */

/* Output cursor: counts every character, stores those that fit. */
struct fmt_out {
    char *buf;
    size_t size;
    size_t len;
};

static void out_char(struct fmt_out *out, char c)
{
    if (out->len + 1 < out->size) {
        out->buf[out->len] = c;
    }
    out->len++;
}

static void out_repeat(struct fmt_out *out, char c, size_t n)
{
    while (n-- > 0) {
        out_char(out, c);
    }
}

static void out_chars(struct fmt_out *out, const char *s, size_t n)
{
    while (n-- > 0) {
        out_char(out, *s++);
    }
}

/* One parsed conversion specification. */
struct fmt_spec {
    bool left;        /* '-' */
    bool zero;        /* '0' */
    bool plus;        /* '+' */
    bool space;       /* ' ' */
    bool alt;         /* '#' */
    size_t width;
    int precision;    /* -1: none */
};

/* Width/precision digits, capped so a hostile format cannot overflow. */
#define FMT_MAX_FIELD 4096

static void out_padded(struct fmt_out *out, const struct fmt_spec *spec,
                       const char *s, size_t n)
{
    size_t pad = spec->width > n ? spec->width - n : 0;

    if (!spec->left) {
        out_repeat(out, ' ', pad);
    }
    out_chars(out, s, n);
    if (spec->left) {
        out_repeat(out, ' ', pad);
    }
}

/*
 * Integer conversion: @magnitude with an optional @sign character,
 * @prefix ("0x", "0X" or ""), digits in @base.
 */
static void out_integer(struct fmt_out *out, const struct fmt_spec *spec,
                        uintmax_t magnitude, char sign, unsigned base,
                        bool upper, const char *prefix)
{
    const char *digit_chars = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char digits[sizeof(uintmax_t) * CHAR_BIT / 3 + 2];
    size_t ndigits = 0;
    size_t precision;
    size_t prefix_len = strlen(prefix);
    size_t zeros, body, pad;

    /* Precision 0 with value 0 prints no digits (C11 7.21.6.1p8). */
    if (magnitude != 0 || spec->precision != 0) {
        /* 32-bit division is one instruction on the M33; 64-bit is a call. */
        if (magnitude <= UINT32_MAX) {
            uint32_t v = (uint32_t)magnitude;
            do {
                digits[ndigits++] = digit_chars[v % base];
                v /= base;
            } while (v != 0);
        } else {
            uintmax_t v = magnitude;
            do {
                digits[ndigits++] = digit_chars[v % base];
                v /= base;
            } while (v != 0);
        }
    }

    precision = spec->precision < 0 ? 1 : (size_t)spec->precision;
    if (spec->alt && base == 8 && precision <= ndigits) {
        /* '#' with %o: the first digit must be a zero. */
        if (ndigits == 0 || digits[ndigits - 1] != '0') {
            precision = ndigits + 1;
        }
    }
    zeros = precision > ndigits ? precision - ndigits : 0;
    body = (sign ? 1u : 0u) + prefix_len + zeros + ndigits;
    /* '0' pads with zeros after sign and prefix; ignored with precision. */
    if (spec->zero && !spec->left && spec->precision < 0 &&
        spec->width > body) {
        zeros += spec->width - body;
        body = spec->width;
    }
    pad = spec->width > body ? spec->width - body : 0;

    if (!spec->left) {
        out_repeat(out, ' ', pad);
    }
    if (sign) {
        out_char(out, sign);
    }
    out_chars(out, prefix, prefix_len);
    out_repeat(out, '0', zeros);
    while (ndigits > 0) {
        out_char(out, digits[--ndigits]);
    }
    if (spec->left) {
        out_repeat(out, ' ', pad);
    }
}

enum fmt_length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_J, LEN_T };

static size_t parse_number(const char **fmt)
{
    size_t n = 0;

    while (**fmt >= '0' && **fmt <= '9') {
        if (n < FMT_MAX_FIELD) {
            n = n * 10 + (size_t)(**fmt - '0');
        }
        (*fmt)++;
    }
    return n > FMT_MAX_FIELD ? FMT_MAX_FIELD : n;
}

int log_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct fmt_out out = { .buf = buf, .size = size, .len = 0 };
    va_list args;

    va_copy(args, ap);
    while (*fmt != '\0') {
        const char *spec_start = fmt;
        struct fmt_spec spec = { .precision = -1 };
        enum fmt_length length = LEN_NONE;
        bool flags_done = false;

        if (*fmt != '%') {
            out_char(&out, *fmt++);
            continue;
        }
        fmt++;

        while (!flags_done) {
            switch (*fmt) {
            case '-': spec.left = true; fmt++; break;
            case '0': spec.zero = true; fmt++; break;
            case '+': spec.plus = true; fmt++; break;
            case ' ': spec.space = true; fmt++; break;
            case '#': spec.alt = true; fmt++; break;
            default: flags_done = true; break;
            }
        }

        if (*fmt == '*') {
            int w = va_arg(args, int);
            fmt++;
            if (w < 0) {
                spec.left = true;
                /* -INT_MIN overflows; any huge width is capped anyway. */
                w = (w == INT_MIN) ? INT_MAX : -w;
            }
            spec.width = (size_t)w > FMT_MAX_FIELD ? FMT_MAX_FIELD : (size_t)w;
        } else {
            spec.width = parse_number(&fmt);
        }

        if (*fmt == '.') {
            fmt++;
            if (*fmt == '*') {
                int p = va_arg(args, int);
                fmt++;
                spec.precision = p < 0 ? -1 : (p > FMT_MAX_FIELD ? FMT_MAX_FIELD : p);
            } else {
                spec.precision = (int)parse_number(&fmt);
            }
        }

        switch (*fmt) {
        case 'h':
            fmt++;
            length = LEN_H;
            if (*fmt == 'h') {
                fmt++;
                length = LEN_HH;
            }
            break;
        case 'l':
            fmt++;
            length = LEN_L;
            if (*fmt == 'l') {
                fmt++;
                length = LEN_LL;
            }
            break;
        case 'z': fmt++; length = LEN_Z; break;
        case 'j': fmt++; length = LEN_J; break;
        case 't': fmt++; length = LEN_T; break;
        default: break;
        }

        switch (*fmt) {
        case 'd':
        case 'i': {
            intmax_t v;
            uintmax_t magnitude;
            char sign = 0;

            switch (length) {
            case LEN_HH: v = (signed char)va_arg(args, int); break;
            case LEN_H: v = (short)va_arg(args, int); break;
            case LEN_L: v = va_arg(args, long); break;
            case LEN_LL: v = va_arg(args, long long); break;
            case LEN_Z: v = (intmax_t)va_arg(args, size_t); break;
            case LEN_J: v = va_arg(args, intmax_t); break;
            case LEN_T: v = va_arg(args, ptrdiff_t); break;
            default: v = va_arg(args, int); break;
            }
            /* Negate in unsigned arithmetic: correct for INT_MIN too. */
            magnitude = v < 0 ? (uintmax_t)0 - (uintmax_t)v : (uintmax_t)v;
            if (v < 0) {
                sign = '-';
            } else if (spec.plus) {
                sign = '+';
            } else if (spec.space) {
                sign = ' ';
            }
            out_integer(&out, &spec, magnitude, sign, 10, false, "");
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            uintmax_t v;
            unsigned base = *fmt == 'u' ? 10 : (*fmt == 'o' ? 8 : 16);
            const char *prefix = "";

            switch (length) {
            case LEN_HH: v = (unsigned char)va_arg(args, unsigned); break;
            case LEN_H: v = (unsigned short)va_arg(args, unsigned); break;
            case LEN_L: v = va_arg(args, unsigned long); break;
            case LEN_LL: v = va_arg(args, unsigned long long); break;
            case LEN_Z: v = va_arg(args, size_t); break;
            case LEN_J: v = va_arg(args, uintmax_t); break;
            case LEN_T: v = (uintmax_t)va_arg(args, ptrdiff_t); break;
            default: v = va_arg(args, unsigned); break;
            }
            if (spec.alt && base == 16 && v != 0) {
                prefix = *fmt == 'X' ? "0X" : "0x";
            }
            out_integer(&out, &spec, v, 0, base, *fmt == 'X', prefix);
            break;
        }
        case 'p': {
            uintptr_t p = (uintptr_t)va_arg(args, void *);
            struct fmt_spec pspec = spec;

            pspec.zero = false;
            pspec.precision = (int)(sizeof(void *) * 2);
            out_integer(&out, &pspec, p, 0, 16, false, "0x");
            break;
        }
        case 'c': {
            char c = (char)va_arg(args, int);
            out_padded(&out, &spec, &c, 1);
            break;
        }
        case 's': {
            const char *s = va_arg(args, const char *);
            size_t n = 0;

            if (s == NULL) {
                s = "(null)";
            }
            while (s[n] != '\0' &&
                   (spec.precision < 0 || n < (size_t)spec.precision)) {
                n++;
            }
            out_padded(&out, &spec, s, n);
            break;
        }
        case '%':
            out_char(&out, '%');
            break;
        case '\0':
            /* Format ends inside a specification: copy what is there. */
            out_chars(&out, spec_start, (size_t)(fmt - spec_start));
            continue;
        default:
            /* Unknown conversion: copy it verbatim, consume no argument. */
            out_chars(&out, spec_start, (size_t)(fmt - spec_start) + 1);
            break;
        }
        fmt++;
    }
    va_end(args);

    if (size > 0) {
        buf[out.len < size ? out.len : size - 1] = '\0';
    }
    return out.len > INT_MAX ? INT_MAX : (int)out.len;
}

int log_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = log_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

/* ------------------------------------------------------------------ */
/* Ring buffer                                                         */
/* ------------------------------------------------------------------ */

static uint32_t log_lock(void)
{
    return log_state.lock ? log_state.lock() : 0;
}

static void log_unlock(uint32_t state)
{
    if (log_state.unlock) {
        log_state.unlock(state);
    }
}

void log_reset(void)
{
    memset(&log_state, 0, sizeof(log_state));
    log_threshold = LOG_LEVEL_DEBUG;
}

void log_set_sink(log_sink_fn sink)
{
    log_state.sink = sink;
}

void log_set_lock(log_lock_fn lock, log_unlock_fn unlock)
{
    log_state.lock = lock;
    log_state.unlock = unlock;
}

void log_set_level(int level)
{
    log_threshold = level;
}

int log_get_level(void)
{
    return log_threshold;
}

char log_level_letter(int level)
{
    switch (level) {
    case LOG_LEVEL_ERROR: return 'E';
    case LOG_LEVEL_WARN: return 'W';
    case LOG_LEVEL_INFO: return 'I';
    case LOG_LEVEL_DEBUG: return 'D';
    default: return '?';
    }
}

/* One call, one line: drop trailing newlines, flatten embedded ones. */
static size_t sanitize_line(char *text, size_t len)
{
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r')) {
        len--;
    }
    text[len] = '\0';
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n' || text[i] == '\r') {
            text[i] = ' ';
        }
    }
    return len;
}

static void ring_append(const char *text, size_t len)
{
    uint32_t state = log_lock();
    unsigned slot;

    if (log_state.count == LOG_RING_LINES) {
        /* Full: the oldest line makes room. */
        log_state.oldest = (log_state.oldest + 1) % LOG_RING_LINES;
        log_state.count--;
        log_state.dropped++;
        log_state.dropped_unreported++;
    }
    slot = (log_state.oldest + log_state.count) % LOG_RING_LINES;
    memcpy(log_state.lines[slot].text, text, len + 1);
    log_state.lines[slot].len = (uint16_t)len;
    log_state.count++;
    log_unlock(state);
}

/* Format into a local line (outside the lock), then store it. */
static void log_store(const char *prefix_fmt, int level, const char *module,
                      const char *fmt, va_list ap)
{
    char line[LOG_LINE_MAX];
    size_t len = 0;
    int n;

    if (prefix_fmt != NULL) {
        n = log_snprintf(line, sizeof(line), prefix_fmt,
                         log_level_letter(level), module ? module : "?");
        len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
    }
    n = log_vsnprintf(line + len, sizeof(line) - len, fmt, ap);
    len += (size_t)n < sizeof(line) - len ? (size_t)n : sizeof(line) - len - 1;
    len = sanitize_line(line, len);
    ring_append(line, len);
}

void log_vprintf(int level, const char *module, const char *fmt, va_list ap)
{
    if (level <= LOG_LEVEL_NONE || level > log_threshold) {
        return;
    }
    log_store("%c %s: ", level, module, fmt, ap);
}

void log_printf(int level, const char *module, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_vprintf(level, module, fmt, ap);
    va_end(ap);
}

void log_raw(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_store(NULL, LOG_LEVEL_NONE, NULL, fmt, ap);
    va_end(ap);
}

size_t log_flush(void)
{
    size_t delivered = 0;

    for (;;) {
        char line[LOG_LINE_MAX];
        size_t len = 0;
        bool have_line = false;
        uint32_t drops;
        uint32_t state = log_lock();

        /* Take the drop count and the oldest line together: the notice
         * then precedes exactly the lines that survived the overflow. */
        drops = log_state.dropped_unreported;
        log_state.dropped_unreported = 0;
        if (log_state.count > 0) {
            const struct log_line *oldest = &log_state.lines[log_state.oldest];

            len = oldest->len;
            memcpy(line, oldest->text, len + 1);
            log_state.oldest = (log_state.oldest + 1) % LOG_RING_LINES;
            log_state.count--;
            have_line = true;
        }
        log_unlock(state);

        if (drops > 0) {
            char notice[48];
            int n = log_snprintf(notice, sizeof(notice), "%c log: %u lines dropped",
                                 log_level_letter(LOG_LEVEL_WARN), (unsigned)drops);

            if (log_state.sink) {
                log_state.sink(notice, (size_t)n);
            }
            delivered++;
        }
        if (!have_line) {
            break;
        }
        if (log_state.sink) {
            log_state.sink(line, len);
        }
        delivered++;
    }
    return delivered;
}

size_t log_pending(void)
{
    return log_state.count;
}

uint32_t log_dropped(void)
{
    return log_state.dropped;
}
