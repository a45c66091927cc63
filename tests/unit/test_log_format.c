/*
 * Unit tests: the log formatter (log_snprintf / log_vsnprintf) against the
 * host C library's snprintf, which implements the same C11 contract for
 * the conversions both support.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kernel/log.h"

#define OUT_MAX 256

/* Format with both, compare text and return value. */
static void expect_same_as_libc(int line, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void expect_same_as_libc(int line, size_t size, const char *fmt, ...)
{
    char want[OUT_MAX];
    char got[OUT_MAX];
    va_list a, b;
    int want_n, got_n;

    cr_assert(size <= OUT_MAX);
    memset(want, 0x5a, sizeof(want));
    memset(got, 0x5a, sizeof(got));
    va_start(a, fmt);
    va_copy(b, a);
    want_n = vsnprintf(want, size, fmt, a);
    got_n = log_vsnprintf(got, size, fmt, b);
    va_end(b);
    va_end(a);

    cr_expect_eq(got_n, want_n, "line %d: \"%s\": returned %d, libc %d",
                 line, fmt, got_n, want_n);
    /* Same bytes, including NUL placement and untouched tail. */
    cr_expect_arr_eq(got, want, sizeof(got), "line %d: \"%s\": got \"%.*s\", libc \"%.*s\"",
                     line, fmt, (int)(size ? size : 1), got,
                     (int)(size ? size : 1), want);
}

#define SAME(...) expect_same_as_libc(__LINE__, OUT_MAX, __VA_ARGS__)
#define SAME_SIZED(size, ...) expect_same_as_libc(__LINE__, (size), __VA_ARGS__)

/* A table of single-argument cases, each checked against snprintf. */
enum arg_kind {
    A_INT, A_UINT, A_LONG, A_ULONG, A_LLONG, A_ULLONG, A_SIZE, A_STR, A_CHAR,
};

struct fmt_case {
    const char *fmt;
    enum arg_kind kind;
    union {
        int i;
        unsigned u;
        long l;
        unsigned long ul;
        long long ll;
        unsigned long long ull;
        size_t z;
        const char *s;
    } v;
};

#define CASE_I(f, x)   { f, A_INT, { .i = (x) } }
#define CASE_U(f, x)   { f, A_UINT, { .u = (x) } }
#define CASE_L(f, x)   { f, A_LONG, { .l = (x) } }
#define CASE_UL(f, x)  { f, A_ULONG, { .ul = (x) } }
#define CASE_LL(f, x)  { f, A_LLONG, { .ll = (x) } }
#define CASE_ULL(f, x) { f, A_ULLONG, { .ull = (x) } }
#define CASE_Z(f, x)   { f, A_SIZE, { .z = (x) } }
#define CASE_S(f, x)   { f, A_STR, { .s = (x) } }
#define CASE_C(f, x)   { f, A_CHAR, { .i = (x) } }

static const struct fmt_case cases[] = {
    /* %d %i: sign, width, zero pad, precision, flags */
    CASE_I("%d", 0), CASE_I("%d", 1), CASE_I("%d", -1), CASE_I("%i", 12345),
    CASE_I("%d", INT_MAX), CASE_I("%d", INT_MIN), CASE_I("%i", INT_MIN),
    CASE_I("[%5d]", 42), CASE_I("[%5d]", -42), CASE_I("[%-5d]", 42),
    CASE_I("[%-5d]", -42), CASE_I("[%05d]", 42), CASE_I("[%05d]", -42),
    CASE_I("[%012d]", INT_MIN), CASE_I("[%2d]", 12345), CASE_I("[%+d]", 7),
    CASE_I("[%+d]", -7), CASE_I("[% d]", 7), CASE_I("[% 5d]", 7),
    CASE_I("[%+05d]", 7), CASE_I("[%.3d]", 7), CASE_I("[%.3d]", -7),
    CASE_I("[%8.3d]", -7), CASE_I("[%-8.3d]", 7), CASE_I("[%08.3d]", 7),
    CASE_I("[%.0d]", 0), CASE_I("[%5.0d]", 0), CASE_I("[%.0d]", 3),
    CASE_I("[%-05d]", 3), CASE_I("[%hd]", 70000), CASE_I("[%hhd]", 300),
    CASE_I("[%hhd]", -129), CASE_I("[%hu]", -1), CASE_I("[%hhu]", 257),
    CASE_I("[%hhx]", 0x1ff),
    /* %u %x %X %o */
    CASE_U("%u", 0), CASE_U("%u", UINT_MAX), CASE_U("%x", 0xdeadbeef),
    CASE_U("%X", 0xdeadbeef), CASE_U("%08x", 0xbeef), CASE_U("%08X", 0xbeef),
    CASE_U("[%-8x]", 0xbeef), CASE_U("[%8x]", 0), CASE_U("%#x", 0x1f),
    CASE_U("%#X", 0x1f), CASE_U("%#x", 0), CASE_U("[%#10x]", 0x1f),
    CASE_U("[%#010x]", 0x1f), CASE_U("[%-#10x]", 0x1f), CASE_U("%o", 8),
    CASE_U("%#o", 8), CASE_U("%#o", 0), CASE_U("[%#.0o]", 0), CASE_U("[%.0x]", 0),
    CASE_U("[%#.5o]", 8), CASE_U("[%.8x]", 0x1234), CASE_U("[%+u]", 5),
    CASE_U("[% u]", 5), CASE_U("0x%08x", 0x60000000u),
    /* l, ll, z: 64-bit on the host, long is 32-bit on the card */
    CASE_L("%ld", LONG_MIN), CASE_L("%ld", LONG_MAX), CASE_L("[%-20ld]", -5),
    CASE_UL("%lu", ULONG_MAX), CASE_UL("%lx", ULONG_MAX), CASE_UL("%#lX", 0xabcUL),
    CASE_LL("%lld", LLONG_MIN), CASE_LL("%lld", LLONG_MAX), CASE_LL("%lli", -1LL),
    CASE_LL("[%025lld]", LLONG_MIN), CASE_LL("[%+lld]", 1LL << 40),
    CASE_ULL("%llu", ULLONG_MAX), CASE_ULL("%llx", 0x0123456789abcdefULL),
    CASE_ULL("%llX", 0xfedcba9876543210ULL), CASE_ULL("[%020llu]", 4294967296ULL),
    CASE_ULL("%llo", ULLONG_MAX), CASE_ULL("%llu", 4294967295ULL),
    CASE_Z("%zu", 0), CASE_Z("%zu", SIZE_MAX), CASE_Z("%zx", 4096),
    /* %s %c */
    CASE_S("%s", ""), CASE_S("%s", "card"), CASE_S("[%10s]", "card"),
    CASE_S("[%-10s]", "card"), CASE_S("[%2s]", "card"), CASE_S("[%.2s]", "card"),
    CASE_S("[%6.2s]", "card"), CASE_S("[%-6.2s]", "card"), CASE_S("[%.0s]", "card"),
    CASE_S("[%.10s]", "card"), CASE_S("x%sy", "\xff\x01"),
    CASE_C("%c", 'A'), CASE_C("[%3c]", 'A'), CASE_C("[%-3c]", 'A'),
    CASE_C("%c", 0xe9),
    /* literal text and %% around conversions */
    CASE_I("100%% %d%%", 5), CASE_I("%%d %d", 1), CASE_S("a%sb%%c", "-"),
};

static void run_case(const struct fmt_case *c, size_t size)
{
    char want[OUT_MAX];
    char got[OUT_MAX];
    int want_n = 0, got_n = 0;

    memset(want, 0x5a, sizeof(want));
    memset(got, 0x5a, sizeof(got));
    switch (c->kind) {
#define BOTH(val)                                               \
        want_n = snprintf(want, size, c->fmt, val);             \
        got_n = log_snprintf(got, size, c->fmt, val);           \
        break
    case A_INT: BOTH(c->v.i);
    case A_UINT: BOTH(c->v.u);
    case A_LONG: BOTH(c->v.l);
    case A_ULONG: BOTH(c->v.ul);
    case A_LLONG: BOTH(c->v.ll);
    case A_ULLONG: BOTH(c->v.ull);
    case A_SIZE: BOTH(c->v.z);
    case A_STR: BOTH(c->v.s);
    case A_CHAR: BOTH(c->v.i);
#undef BOTH
    }
    cr_expect_eq(got_n, want_n, "\"%s\" (size %zu): returned %d, libc %d",
                 c->fmt, size, got_n, want_n);
    cr_expect_arr_eq(got, want, sizeof(got), "\"%s\" (size %zu): got \"%s\", libc \"%s\"",
                     c->fmt, size, size ? got : "", size ? want : "");
}

Test(unit_log_format, table_matches_libc)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        run_case(&cases[i], OUT_MAX);
    }
}

Test(unit_log_format, table_matches_libc_when_truncated)
{
    /* Every case again, into buffers too small for most of them. */
    static const size_t sizes[] = { 1, 2, 3, 5, 8 };

    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            run_case(&cases[i], sizes[s]);
        }
    }
}

Test(unit_log_format, star_width_and_precision)
{
    SAME("[%*d]", 6, 42);
    SAME("[%*d]", -6, 42);          /* negative width: left-justify */
    SAME("[%-*d]", 6, 42);
    SAME("[%.*d]", 4, 42);
    SAME("[%.*d]", -1, 42);         /* negative precision: none */
    SAME("[%*.*s]", 8, 3, "abcdef");
    SAME("[%.*s]", 3, "abcdef");
    SAME("[%0*x]", 8, 0xabcu);
}

Test(unit_log_format, several_conversions_in_one_format)
{
    SAME("FAULT %s: PC=0x%08x LR=0x%08x xPSR=0x%08x SP=0x%08x", "BusFault",
         0x1f2u, 0xfffffff9u, 0x21000000u, 0x2003ffe0u);
    SAME("%c %s: %d/%u/%x/%X/%lld/%llu/%zu/%%/%5.2s|", 'I', "boot", -3, 3u,
         255u, 255u, LLONG_MIN, ULLONG_MAX, (size_t)7, "xyz");
    SAME("%hhd %hd %d %ld %lld", (signed char)-128, (short)-32768, INT_MIN,
         LONG_MIN, LLONG_MIN);
    SAME("%s", "no conversions at all, just text");
    SAME("%d%d%d", 1, 2, 3);
}

Test(unit_log_format, truncation_is_nul_terminated)
{
    char buf[8];
    int n;

    memset(buf, 'X', sizeof(buf));
    n = log_snprintf(buf, 5, "%s", "hello world");
    cr_expect_eq(n, 11, "returns the untruncated length");
    cr_expect_str_eq(buf, "hell");
    cr_expect_eq(buf[5], 'X', "nothing written past size");

    memset(buf, 'X', sizeof(buf));
    n = log_snprintf(buf, 1, "%d", 12345);
    cr_expect_eq(n, 5);
    cr_expect_eq(buf[0], '\0');
    cr_expect_eq(buf[1], 'X');

    n = log_snprintf(NULL, 0, "%d-%s", -12, "abc");
    cr_expect_eq(n, 7, "size 0: only counts");

    memset(buf, 'X', sizeof(buf));
    n = log_snprintf(buf, sizeof(buf), "%08x", 0xdeadbeefu);
    cr_expect_eq(n, 8);
    cr_expect_str_eq(buf, "deadbee", "cut in the middle of a conversion");

    /* Truncation against libc at every size, across a padded conversion. */
    for (size_t size = 0; size <= 24; size++) {
        SAME_SIZED(size, "ab%-6dcd%05xef%sgh", -42, 0x2au, "STR");
    }
}

Test(unit_log_format, pointer)
{
    char got[64];
    char want[64];
    int x;
    void *ptrs[] = { NULL, &x, (void *)(uintptr_t)0x2000f00cu, (void *)UINTPTR_MAX };

    for (size_t i = 0; i < sizeof(ptrs) / sizeof(ptrs[0]); i++) {
        /* Documented format: 0x + hex, zero-padded to the pointer width. */
        snprintf(want, sizeof(want), "0x%0*jx", (int)(2 * sizeof(void *)),
                 (uintmax_t)(uintptr_t)ptrs[i]);
        log_snprintf(got, sizeof(got), "%p", ptrs[i]);
        cr_expect_str_eq(got, want);
    }
    log_snprintf(got, sizeof(got), "[%*p]", (int)(2 * sizeof(void *) + 4), NULL);
    snprintf(want, sizeof(want), "[  0x%0*x]", (int)(2 * sizeof(void *)), 0);
    cr_expect_str_eq(got, want, "width pads with spaces on the left");
    log_snprintf(got, sizeof(got), "[%-*p]", (int)(2 * sizeof(void *) + 4), NULL);
    snprintf(want, sizeof(want), "[0x%0*x  ]", (int)(2 * sizeof(void *)), 0);
    cr_expect_str_eq(got, want);
}

Test(unit_log_format, null_string_and_unknown_conversion)
{
    char buf[32];
    const char *null_str = NULL;
    /* Not literals, so the compiler's format checker stays out of it. */
    const char *unknown = "a%yb%w";
    const char *dangling = "x%-5";
    int n;

    n = log_snprintf(buf, sizeof(buf), "[%s]", null_str);
    cr_expect_str_eq(buf, "[(null)]");
    cr_expect_eq(n, 8);

    n = log_snprintf(buf, sizeof(buf), unknown, 0);
    cr_expect_str_eq(buf, "a%yb%w", "unknown conversions are copied");
    cr_expect_eq(n, 6);

    n = log_snprintf(buf, sizeof(buf), dangling, 0);
    cr_expect_str_eq(buf, "x%-5", "a format ending inside a spec is copied");
    cr_expect_eq(n, 4);
}

Test(unit_log_format, huge_width_is_capped)
{
    char buf[16];
    int n = log_snprintf(buf, sizeof(buf), "%999999999d", 1);

    cr_expect_eq(n, 4096, "width capped at 4096, returned %d", n);
    cr_expect_eq(strlen(buf), sizeof(buf) - 1);
}
