/*
 * The card's Amendment B administration agent (cardos/net/admin/,
 * issue 15) end to end: the card on libslirp, main's netcard-ras on the
 * host as the server, the ISO 7816 interface through vpcd for the
 * parameters (STORE DATA in SCP03), the trigger and GET DATA.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <unistd.h>

#include "fs_card.h"
#include "../net/ras_harness.h"
#include "../unit/gp_host_scp03.h"

TestSuite(system_admin, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

#define ADMIN_PSK_HEX  "4E43414452414D494E50534B30303031"   /* card/admin.h */
#define ADMIN_ID       "netcard-admin"
#define CARD_ICCID     "8949000000000000077"
#define SESSION_WAIT_MS 90000

static const uint8_t key40[16] = {
    0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47,
    0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F,
};

static FsCard fc;
static struct host_scp03 host;

static size_t send_raw(const uint8_t *cmd, size_t n, uint8_t *rsp)
{
    FsResp r = fs_apdu_bytes(&fc, cmd, n);

    memcpy(rsp, r.data, r.len);
    rsp[r.len] = (uint8_t)(r.sw >> 8);
    rsp[r.len + 1] = (uint8_t)r.sw;
    return r.len + 2;
}

/* Boot with the ISO interface on vpcd and the NIC on slirp. */
static void boot_admin_card(void)
{
    fc.port = nc_free_tcp_port();
    const char *const opts[] = {
        "--iso", nc_strf("listen:127.0.0.1:%d", fc.port),
        "--hostfwd", nc_strf("%d:80", nc_free_tcp_port()),
        NULL,
    };
    NcCardOpts o = { .image = "cardos-test.elf", .cmdline_opts = opts };
    fc.card = nc_card_start(&o);
    nc_card_wait_banner(fc.card, "power-on", BOOT_TIMEOUT_MS);
    fc.vpcd = nc_vpcd_connect(fc.port, NC_TIMEOUT_START_MS, fc.card->qemu);
    fs_power_on(&fc);
    nc_console_wait(fc.card->console, "I boot: ready", READY_TIMEOUT_MS);
}

/* The triggering parameters (Amendment B 4.1) naming PORT on slirp's
 * host, with 3 retries 1 s apart. */
static size_t admin_params(int port, uint8_t *out)
{
    static const char from[] = "//se-id/iccid/" CARD_ICCID;
    uint8_t ses[64], http[96];
    size_t s = 0, h = 0, n = 0;

    const uint8_t conn[] = { 0x84, 0x0C, 0x3C, 0x03, 0x02, (uint8_t)(port >> 8),
                             (uint8_t)port, 0x3E, 0x05, 0x21, 10, 0, 2, 2 };
    memcpy(ses + s, conn, sizeof(conn));
    s += sizeof(conn);
    ses[s++] = 0x85;
    ses[s++] = (uint8_t)(1 + strlen(ADMIN_ID) + 3);
    ses[s++] = (uint8_t)strlen(ADMIN_ID);
    memcpy(ses + s, ADMIN_ID, strlen(ADMIN_ID));
    s += strlen(ADMIN_ID);
    ses[s++] = 2;
    ses[s++] = 0x40;
    ses[s++] = 0x01;
    const uint8_t retry[] = { 0x86, 0x07, 0x00, 0x03, 0x25, 0x03, 0x00, 0x00,
                              0x10 };
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
    out[n++] = 0x81;
    out[n++] = (uint8_t)(2 + s + 2 + h);
    out[n++] = 0x83;
    out[n++] = (uint8_t)s;
    memcpy(out + n, ses, s);
    n += s;
    out[n++] = 0x89;
    out[n++] = (uint8_t)h;
    memcpy(out + n, http, h);
    return n + h;
}

/* STORE DATA of the parameters through SCP03 (key set 30). */
static void store_params(int port)
{
    uint8_t p[200], cmd[260], w[300], r[300];
    size_t n = admin_params(port, p);

    fs_expect(&fc, "00A4040000", 0x9000, "SELECT the ISD");
    host_scp03_open(&host, send_raw, 0x30, key40);
    cmd[0] = 0x80;
    cmd[1] = 0xE2;
    cmd[2] = 0x90;      /* last block, BER-TLV */
    cmd[3] = 0x00;
    cmd[4] = (uint8_t)n;
    memcpy(cmd + 5, p, n);
    size_t wn = host_scp03_wrap(&host, cmd, 5 + n, w);
    size_t rn = send_raw(w, wn, r);
    cr_assert(rn >= 2 && r[rn - 2] == 0x90 && r[rn - 1] == 0x00,
              "STORE DATA of the parameters: %s", nc_hex(r, rn));
    /* read back (a new SELECT ends the secure channel) */
    fs_expect(&fc, "00A4040000", 0x9000, "SELECT the ISD");
    FsResp g = fs_expect(&fc, "00CA008500", 0x9000, "GET DATA 0085");
    cr_assert(g.len == n && memcmp(g.data, p, n) == 0,
              "GET DATA 0085 answered %s", nc_hex(g.data, g.len));
}

static void quit(void)
{
    fs_quit(&fc);
}

Test(system_admin, end_to_end_with_netcard_ras)
{
    const char *db = nc_tmp_path("ras.db");
    RasSrv srv = ras_start(db, 0, "ras", NULL);

    ras_cli(db, "card", "--card", CARD_ICCID, "--identity", ADMIN_ID,
            "--psk", ADMIN_PSK_HEX);
    /* 10 commands: SELECT the ISD, GET DATA of card data, IIN, CIN,
     * key information, ... (what they answer is checked below) */
    ras_cli(db, "enqueue", "--card", CARD_ICCID,
            "--apdu", "00A4040008A000000151000000", "--apdu", "80CA006600",
            "--apdu", "80CA004200", "--apdu", "80CA004500",
            "--apdu", "80CA00E000", "--apdu", "80CA006700",
            "--apdu", "80CA00C100", "--apdu", "80CA9F7F00",
            "--apdu", "80CADF3A00", "--apdu", "80CA006600");
    boot_admin_card();
    nc_console_wait(fc.card->console, "I net: dhcp", 30000);
    store_params(srv.port);

    fs_expect(&fc, "00A4040000", 0x9000, "SELECT the ISD");
    fs_expect(&fc, "804C0000", 0x9000, "ADMIN TRIGGER");
    /* one session at a time: a second trigger is refused */
    fs_expect(&fc, "804C0000", 0x6985, "ADMIN TRIGGER during a session");
    /* the contact interface keeps answering during the session */
    for (int i = 0; i < 5; i++) {
        fs_expect(&fc, "80CA006600", 0x9000, "GET DATA during the session");
    }
    nc_console_wait(fc.card->console, "I admin: session ok", SESSION_WAIT_MS);

    char *st = ras_cli(db, "status", "--job", "1");
    cr_assert(strstr(st, "\"state\": \"done\""), "job not done: %s", st);
    cr_assert(strstr(st, "\"executed\": 10"), "not 10 executed: %s", st);
    cr_assert(strstr(st, "\"status\": \"ok\""), "script status: %s", st);
    /* GET DATA DF3A inside the session: outcome 02, running */
    cr_assert(strstr(st, "DF3A0A02"), "R-APDUs: %s", st);
    char *log = ras_cli(db, "log", "--card", CARD_ICCID);
    cr_assert(strstr(log, "\"event\": \"end\""), "no end: %s", log);
    cr_assert(strstr(log, "//se-id/iccid/" CARD_ICCID), "X-Admin-From: %s", log);

    /* the outcome: ok (01), 3 retries left, 204, 1 script, 10 commands */
    FsResp g = fs_expect(&fc, "00CADF3A00", 0x9000, "GET DATA DF3A");
    cr_assert(g.len == 13 && g.data[3] == 0x01 && g.data[5] == 3 &&
              g.data[7] == 204 && g.data[9] == 1 && g.data[11] == 10,
              "outcome %s", nc_hex(g.data, g.len));
    quit();
}

/*
 * The seed's promise: an applet reaches the card through the admin
 * server. `netcard-ras enqueue --load hello.ncap --install AID` queues
 * one script (INSTALL [for load], LOAD in C4 blocks with the last at P1
 * 80, INSTALL [for install and make selectable]: GP 2.3.1 11.5, 11.6);
 * after the session the instance answers over ISO 7816 as the SDK's
 * sample says (INS 01: "Hello, card!") and GET STATUS lists it.
 */
Test(system_admin, load_and_install_an_applet_over_the_admin_session)
{
    const char *build = getenv("NETCARD_CARDOS_DIR");
    cr_assert(build, "NETCARD_CARDOS_DIR is not set (run through make)");
    const char *hello = nc_strf("%s/../applets/hello.ncap", build);
    cr_assert(access(hello, R_OK) == 0, "%s is missing: make applets", hello);
    const char *db = nc_tmp_path("ras.db");
    RasSrv srv = ras_start(db, 0, "ras", NULL);

    ras_cli(db, "card", "--card", CARD_ICCID, "--identity", ADMIN_ID,
            "--psk", ADMIN_PSK_HEX);
    ras_cli(db, "enqueue", "--card", CARD_ICCID, "--load", hello,
            "--install", "A00000007701000101");
    boot_admin_card();
    nc_console_wait(fc.card->console, "I net: dhcp", 30000);
    store_params(srv.port);
    fs_expect(&fc, "00A4040000", 0x9000, "SELECT the ISD");
    fs_expect(&fc, "804C0000", 0x9000, "ADMIN TRIGGER");
    nc_console_wait(fc.card->console, "I admin: session ok", SESSION_WAIT_MS);

    char *st = ras_cli(db, "status", "--job", "1");
    cr_assert(strstr(st, "\"state\": \"done\""), "job not done: %s", st);
    cr_assert(strstr(st, "\"status\": \"ok\""), "script status: %s", st);
    cr_assert(!strstr(st, "6A80") && !strstr(st, "6985"),
              "a command was refused: %s", st);

    FsResp r = fs_expect(&fc, "00A4040009A00000007701000101", 0x9000,
                         "SELECT the new instance");
    (void)r;
    r = fs_expect(&fc, "8001000000", 0x9000, "hello INS 01");
    cr_assert(r.len == 12 && memcmp(r.data, "Hello, card!", 12) == 0,
              "hello answered %s", nc_hex(r.data, r.len));
    quit();
}
