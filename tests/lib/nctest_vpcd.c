/*
 * nctest vpcd: the tests' asserting wrapper of netcard's one vpcd client
 * (tools/lib/vpcd.h: vsmartcard's vpcd framing, a 2-byte big-endian
 * length, then the payload), and hex helpers. Every wait is bounded, stops
 * early when QEMU dies, and failures name what was expected.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE
#include "nctest_internal.h"

#include "vpcd.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The library's abort callback: stop waiting for a QEMU that exited. */
static bool qemu_gone(void *opaque)
{
    NcProc *proc = opaque;
    return proc && nc_proc_exited(proc);
}

static VpcdLink *link_of(const char *file, int line, NcVpcd *v,
                         const char *what)
{
    if (!v->link) {
        nc_fail_at(file, line, "vpcd: %s on a closed connection", what);
    }
    return v->link;
}

NcVpcd *nc_vpcd_connect_at(const char *file, int line, int port,
                           int timeout_ms, NcProc *proc)
{
    VpcdLink *link = vpcd_new();
    if (!link) {
        nc_fail_at(file, line, "vpcd: out of memory");
    }
    vpcd_set_abort(link, qemu_gone, proc);
    if (vpcd_connect(link, "127.0.0.1", port, timeout_ms, 1) != 0) {
        const char *why = vpcd_status(link) == VPCD_ERR_ABORTED
            ? nc_strf("QEMU %s before the vpcd port %d accepted a "
                      "connection\n%s", nc_proc_describe(proc), port,
                      nc_proc_diag(proc))
            : vpcd_status(link) == VPCD_ERR_TIMEOUT
            ? nc_strf("could not connect to the vpcd port %d within %d ms",
                      port, timeout_ms)
            : nc_strf("vpcd: %s", vpcd_message(link));
        vpcd_free(link);
        nc_fail_at(file, line, "%s", why);
    }
    /* Tear-down closes the socket; the link is plain heap memory. */
    nc_register_fd(vpcd_fd(link));
    NcVpcd *v = nc_gc(nc_xmalloc(sizeof(*v)));
    v->link = nc_gc(link);
    v->port = port;
    v->proc = proc;
    return v;
}

void nc_vpcd_send_raw_at(const char *file, int line, NcVpcd *v,
                         const void *buf, size_t len)
{
    VpcdLink *link = link_of(file, line, v, "send");
    if (vpcd_send_raw(link, buf, len) != 0) {
        nc_fail_at(file, line, "vpcd: send to port %d failed: %s", v->port,
                   strerror(vpcd_errno(link)));
    }
}

void nc_vpcd_send_at(const char *file, int line, NcVpcd *v,
                     const uint8_t *buf, size_t len)
{
    if (len > VPCD_MAX_PAYLOAD) {
        nc_fail_at(file, line, "vpcd: frame of %zu bytes cannot be encoded",
                   len);
    }
    VpcdLink *link = link_of(file, line, v, "send");
    if (vpcd_send(link, buf, len) != 0) {
        nc_fail_at(file, line, "vpcd: send to port %d failed: %s", v->port,
                   strerror(vpcd_errno(link)));
    }
}

size_t nc_vpcd_recv_at(const char *file, int line, NcVpcd *v, uint8_t *buf,
                       size_t cap, int timeout_ms)
{
    VpcdLink *link = link_of(file, line, v, "receive");
    long n = vpcd_recv(link, buf, cap, timeout_ms);
    if (n >= 0) {
        return (size_t)n;
    }
    bool body = vpcd_stage(link) == VPCD_STAGE_BODY;
    const char *what = body ? "a frame body" : "a frame length";
    switch (vpcd_status(link)) {
    case VPCD_ERR_ABORTED:
        nc_fail_at(file, line, "QEMU %s while waiting for %s\n%s",
                   nc_proc_describe(v->proc), what, nc_proc_diag(v->proc));
    case VPCD_ERR_CLOSED:
        nc_fail_at(file, line, "vpcd: connection closed by the card "
                   "while waiting for %s", what);
    case VPCD_ERR_TOO_LONG:
        nc_fail_at(file, line, "vpcd: answer of %zu bytes, expected at most "
                   "%zu", vpcd_frame_len(link), cap);
    case VPCD_ERR_TIMEOUT:
        if (body) {
            nc_fail_at(file, line, "vpcd: frame body of %zu bytes "
                       "incomplete after %d ms", vpcd_frame_len(link),
                       timeout_ms);
        }
        nc_fail_at(file, line, "vpcd: no answer frame within %d ms",
                   timeout_ms);
    default:
        nc_fail_at(file, line, "vpcd: %s", vpcd_message(link));
    }
}

bool nc_vpcd_pending(NcVpcd *v, int timeout_ms)
{
    return v->link && vpcd_pending(v->link, timeout_ms) > 0;
}

void nc_vpcd_close(NcVpcd *v)
{
    if (v->link) {
        nc_forget_fd(vpcd_fd(v->link));
        vpcd_close(v->link);
        v->link = NULL;
    }
}

char *nc_hex(const uint8_t *b, size_t n)
{
    char *s = nc_gc(nc_xmalloc(2 * n + 1));
    for (size_t i = 0; i < n; i++) {
        sprintf(s + 2 * i, "%02X", b[i]);
    }
    s[2 * n] = 0;
    return s;
}

size_t nc_unhex_at(const char *file, int line, const char *hex, uint8_t *out,
                   size_t cap)
{
    size_t n = 0;
    int hi = -1;

    for (const char *p = hex; *p; p++) {
        int d;
        if (isspace((unsigned char)*p)) {
            continue;
        }
        if (!isxdigit((unsigned char)*p)) {
            nc_fail_at(file, line, "nc_unhex: bad character '%c' in \"%s\"",
                       *p, hex);
        }
        d = isdigit((unsigned char)*p) ? *p - '0'
                                       : tolower((unsigned char)*p) - 'a' + 10;
        if (hi < 0) {
            hi = d;
            continue;
        }
        if (n == cap) {
            nc_fail_at(file, line, "nc_unhex: more than %zu bytes in \"%s\"",
                       cap, hex);
        }
        out[n++] = (uint8_t)(hi << 4 | d);
        hi = -1;
    }
    if (hi >= 0) {
        nc_fail_at(file, line, "nc_unhex: odd number of digits in \"%s\"",
                   hex);
    }
    return n;
}
