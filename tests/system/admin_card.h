/*
 * The admin agent's system tests (test_admin*.c): a card with its ISO
 * interface on vpcd and its NIC on libslirp (an HTTP port forwarded), the
 * triggering parameters stored with STORE DATA through SCP03, and the
 * fake Amendment B peer tests/system/admin_peer.py (openssl s_server as
 * its TLS front).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_TESTS_ADMIN_CARD_H
#define NETCARD_TESTS_ADMIN_CARD_H

#include "fs_card.h"
#include "../net/ras_harness.h"
#include "../unit/gp_host_scp03.h"

#define ADMIN_PSK_HEX  "4E43414452414D494E50534B30303031"   /* card/admin.h */
#define ADMIN_ID       "netcard-admin"
#define CARD_ICCID     "8949000000000000077"
#define SESSION_WAIT_MS 90000

static const uint8_t admin_key40[16] = {
    0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47,
    0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F,
};

static FsCard fc;
static int admin_http_port;     /* set to forward the card's port 80 */

static inline size_t admin_send_raw(const uint8_t *cmd, size_t n, uint8_t *rsp)
{
    FsResp r = fs_apdu_bytes(&fc, cmd, n);

    memcpy(rsp, r.data, r.len);
    rsp[r.len] = (uint8_t)(r.sw >> 8);
    rsp[r.len + 1] = (uint8_t)r.sw;
    return r.len + 2;
}

/* Boot with the ISO interface on vpcd and the NIC on slirp (with
 * HTTP, the card's port 80 forwarded to admin_http_port); returns once
 * DHCP is done. */
static inline void boot_admin_card_with(bool http)
{
    fc.port = nc_free_tcp_port();
    admin_http_port = http ? nc_free_tcp_port() : 0;
    const char *const opts[] = {
        "--iso", nc_strf("listen:127.0.0.1:%d", fc.port),
        http ? "--hostfwd" : "--net",
        http ? nc_strf("%d:80", admin_http_port) : "user",
        NULL,
    };
    fs_boot_net(&fc, opts);
}

static inline void boot_admin_card(void)
{
    boot_admin_card_with(false);
}

typedef struct AdminParams {
    int port;
    const char *identity;       /* NULL: ADMIN_ID */
    unsigned retries;           /* retry counter */
    unsigned poll_s;            /* DF3C poll interval, 0: none */
    unsigned retry_s;           /* retry timer (< 60), 0: 1 s */
    bool null_sha256;           /* DF3D 01 01: offer TLS_PSK_WITH_NULL_SHA256 */
} AdminParams;

/* The triggering parameters (Amendment B 4.1) naming PORT on slirp's
 * host. */
static inline size_t admin_params(const AdminParams *a, uint8_t *out)
{
    static const char from[] = "//se-id/iccid/" CARD_ICCID;
    const char *id = a->identity ? a->identity : ADMIN_ID;
    size_t idl = strlen(id);
    uint8_t ses[96], http[96];
    size_t s = 0, h = 0, n = 0;

    const uint8_t conn[] = { 0x84, 0x0C, 0x3C, 0x03, 0x02,
                             (uint8_t)(a->port >> 8), (uint8_t)a->port,
                             0x3E, 0x05, 0x21, 10, 0, 2, 2 };
    memcpy(ses + s, conn, sizeof(conn));
    s += sizeof(conn);
    ses[s++] = 0x85;
    ses[s++] = (uint8_t)(1 + idl + 3);
    ses[s++] = (uint8_t)idl;
    memcpy(ses + s, id, idl);
    s += idl;
    ses[s++] = 2;
    ses[s++] = 0x40;
    ses[s++] = 0x01;
    const uint8_t retry[] = { 0x86, 0x07, (uint8_t)(a->retries >> 8),
                              (uint8_t)a->retries, 0x25, 0x03, 0x00, 0x00,
                              /* seconds in swapped BCD (TS 102 223) */
                              (uint8_t)(a->retry_s ? (a->retry_s % 10) << 4 |
                                        a->retry_s / 10 : 0x10) };
    memcpy(ses + s, retry, sizeof(retry));
    s += sizeof(retry);
    http[h++] = 0x8A;
    http[h++] = 8;
    memcpy(http + h, "10.0.2.2", 8);
    h += 8;
    http[h++] = 0x8B;
    http[h++] = (uint8_t)strlen(from);
    memcpy(http + h, from, strlen(from));
    h += strlen(from);
    http[h++] = 0x8C;
    http[h++] = 10;
    memcpy(http + h, "/ras/admin", 10);
    h += 10;
    size_t poll = (a->poll_s ? 7 : 0) + (a->null_sha256 ? 4 : 0);
    out[n++] = 0x81;
    out[n++] = (uint8_t)(2 + s + 2 + h + poll);
    out[n++] = 0x83;
    out[n++] = (uint8_t)s;
    memcpy(out + n, ses, s);
    n += s;
    out[n++] = 0x89;
    out[n++] = (uint8_t)h;
    memcpy(out + n, http, h);
    n += h;
    if (a->poll_s) {
        const uint8_t p[] = { 0xDF, 0x3C, 0x04, (uint8_t)(a->poll_s >> 24),
                              (uint8_t)(a->poll_s >> 16),
                              (uint8_t)(a->poll_s >> 8), (uint8_t)a->poll_s };
        memcpy(out + n, p, sizeof(p));
        n += sizeof(p);
    }
    if (a->null_sha256) {
        const uint8_t t[] = { 0xDF, 0x3D, 0x01, 0x01 };
        memcpy(out + n, t, sizeof(t));
        n += sizeof(t);
    }
    return n;
}

/* STORE DATA of the parameters through SCP03 (key set 30), read back. */
static inline void store_params(const AdminParams *a)
{
    struct host_scp03 host;
    uint8_t p[200], cmd[260], w[300], r[300];
    size_t n = admin_params(a, p);

    fs_expect(&fc, "00A4040000", 0x9000, "SELECT the ISD");
    host_scp03_open(&host, admin_send_raw, 0x30, admin_key40);
    cmd[0] = 0x80;
    cmd[1] = 0xE2;
    cmd[2] = 0x90;      /* last block, BER-TLV */
    cmd[3] = 0x00;
    cmd[4] = (uint8_t)n;
    memcpy(cmd + 5, p, n);
    size_t wn = host_scp03_wrap(&host, cmd, 5 + n, w);
    size_t rn = admin_send_raw(w, wn, r);
    cr_assert(rn >= 2 && r[rn - 2] == 0x90 && r[rn - 1] == 0x00,
              "STORE DATA of the parameters: %s", nc_hex(r, rn));
    /* read back (a new SELECT ends the secure channel) */
    fs_expect(&fc, "00A4040000", 0x9000, "SELECT the ISD");
    FsResp g = fs_expect(&fc, "00CA008500", 0x9000, "GET DATA 0085");
    cr_assert(g.len == n && memcmp(g.data, p, n) == 0,
              "GET DATA 0085 answered %s", nc_hex(g.data, g.len));
}

static inline void admin_trigger(void)
{
    fs_expect(&fc, "00A4040000", 0x9000, "SELECT the ISD");
    fs_expect(&fc, "804C0000", 0x9000, "ADMIN TRIGGER");
}

/* GET DATA DF3A: outcome, retries left, detail, scripts, commands. */
typedef struct AdminOutcome {
    unsigned outcome, retries, detail, scripts, commands, trigger;
    const char *hex;
} AdminOutcome;

static inline AdminOutcome admin_outcome(void)
{
    fs_expect(&fc, "00A4040000", 0x9000, "SELECT the ISD");
    FsResp g = fs_expect(&fc, "00CADF3A00", 0x9000, "GET DATA DF3A");
    cr_assert(g.len == 13 && g.data[0] == 0xDF && g.data[1] == 0x3A &&
              g.data[2] == 10, "DF3A %s", nc_hex(g.data, g.len));
    AdminOutcome o = {
        g.data[3], (unsigned)g.data[4] << 8 | g.data[5],
        (unsigned)g.data[6] << 8 | g.data[7],
        (unsigned)g.data[8] << 8 | g.data[9],
        (unsigned)g.data[10] << 8 | g.data[11], g.data[12],
        nc_hex(g.data, g.len),
    };
    return o;
}

/* ---- the fake peer (admin_peer.py) -------------------------------------- */

typedef struct AdminPeer {
    NcProc *proc;
    int port;
    const char *log;
} AdminPeer;

/* Start admin_peer.py on a free port with the card's test PSK (or PSK)
 * and the options in EXTRA (NULL-terminated). */
static inline AdminPeer admin_peer_start(const char *psk,
                                         const char *const *extra)
{
    AdminPeer a;
    nc_tool("openssl", "openssl");
    a.port = nc_free_tcp_port();
    a.log = nc_tmp_path(nc_strf("peer-%d.jsonl", a.port));
    const char *argv[40] = {
        nc_tool("python3", "python3"),
        nc_strf("%s/tests/system/admin_peer.py",
                nc_env("NETCARD_SRCDIR", "the source tree")),
        "--port", nc_strf("%d", a.port), "--psk", psk ? psk : ADMIN_PSK_HEX,
        "--log", a.log,
    };
    int n = 8;
    for (int i = 0; extra && extra[i] && n < 39; i++) {
        argv[n++] = extra[i];
    }
    argv[n] = NULL;
    const char *out = nc_tmp_path(nc_strf("peer-%d.out", a.port));
    NcSpawnOpts o = { .stdout_path = out, .stderr_to_stdout = true };
    a.proc = nc_spawn("admin_peer", argv, &o);
    NcConsole *c = nc_console_open(out, "admin_peer output", a.proc);
    nc_console_wait(c, "admin_peer: listening", NC_TIMEOUT_START_MS);
    return a;
}

/* Line I (from 0) of the peer's request log, or NULL. */
static inline char *admin_peer_request(const AdminPeer *a, int i)
{
    char *t = nc_read_file(a->log, NULL);
    char *p = t;

    for (int k = 0; p && *p && k < i; k++) {
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    if (!p || !*p) {
        free(t);
        return NULL;
    }
    char *e = strchr(p, '\n');
    char *line = nc_gc(strndup(p, e ? (size_t)(e - p) : strlen(p)));
    free(t);
    return line;
}

#endif /* NETCARD_TESTS_ADMIN_CARD_H */
