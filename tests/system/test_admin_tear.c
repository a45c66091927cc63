/*
 * Power cuts during an admin session (issue 15): the NVM controller's
 * tearing knobs (docs/nvm.md) cut the power at the N-th flash operation
 * after ADMIN TRIGGER, for N = 1, 2, 3 ... until a session completes
 * without a cut: so every flash operation of the session is cut once
 * (the agent's own state, its script journal, and the INSTALL and DELETE
 * that the script's commands commit), in turn before, part way and
 * after the operation.
 *
 * Round k queues one job on netcard-ras: SELECT the ISD, INSTALL [for
 * install and make selectable] of instance A0000000AA<k>, GET DATA,
 * DELETE of the previous round's instance. INSTALL and DELETE cannot be
 * applied twice without an error status (6985 / 6A88), so a job that
 * ends "done" with its script answered once proves that no command ran
 * twice. After every round (cut or not, resumed or re-triggered) the
 * card is checked over ISO 7816 with an independent host SCP03 (GET
 * STATUS: the new instance is there, the old one is gone), DF3A says ok,
 * and the server has the job done once.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "admin_card.h"

TestSuite(system_admin_tear, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

static const char *const modes[3] = { "before", "partial", "after" };

/* boot_admin_card with T=0 and no PPS: the ATR of a card the cut
 * rebooted ends an interrupted exchange at once (tear_campaign.h). */
static void boot_t0(void)
{
    fc.port = nc_free_tcp_port();
    const char *const opts[] = {
        "--iso", nc_strf("listen:127.0.0.1:%d", fc.port), "--net", "user",
        "--global", "netcard-iso7816-uart.protocol=t0",
        "--global", "netcard-iso7816-uart.pps=off", NULL,
    };
    fs_boot_net(&fc, opts);
}

/* GET STATUS of applications (P1 40) through SCP03 key set 30. */
static char *apps(void)
{
    struct host_scp03 host;
    uint8_t c[] = { 0x80, 0xF2, 0x40, 0x02, 0x02, 0x4F, 0x00, 0x00 };
    uint8_t w[64], r[300];

    fs_expect(&fc, "00A4040000", 0x9000, "SELECT the ISD");
    host_scp03_open(&host, admin_send_raw, 0x30, admin_key40);
    size_t n = admin_send_raw(w, host_scp03_wrap(&host, c, sizeof(c), w), r);
    cr_assert(n >= 2 && r[n - 2] == 0x90 && r[n - 1] == 0x00,
              "GET STATUS: %s", nc_hex(r, n));
    return nc_hex(r, n - 2);
}

static const char *inst(unsigned k)
{
    return nc_strf("A0000000AA%02X", k);
}

/* One request to netcard-ras's REST API (docs/remote-admin.md): its
 * answer's body (a process per round would pass the test's limit). */
static char *rest(const RasSrv *srv, const char *method, const char *path,
                  const char *body)
{
    struct sockaddr_in a = { .sin_family = AF_INET,
                             .sin_port = htons((uint16_t)srv->admin) };
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    char *req = nc_strf("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: "
                        "close\r\nContent-Type: application/json\r\n"
                        "Content-Length: %zu\r\n\r\n%s", method, path,
                        body ? strlen(body) : 0, body ? body : "");
    size_t cap = 1 << 20, n = 0;
    char *out = nc_gc(malloc(cap));
    ssize_t r;

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert(fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0,
              "REST port %d", srv->admin);
    cr_assert_eq(send(fd, req, strlen(req), 0), (ssize_t)strlen(req));
    while (n + 1 < cap && (r = recv(fd, out + n, cap - 1 - n, 0)) > 0) {
        n += (size_t)r;
    }
    close(fd);
    out[n] = 0;
    cr_assert(strncmp(out, "HTTP/1.1 2", 10) == 0, "%s %s: %s", method, path,
              out);
    char *b = strstr(out, "\r\n\r\n");
    return b ? b + 4 : out;
}

/* Queue round K's job (job number K). */
static void enqueue(const RasSrv *srv, unsigned k)
{
    const char *install = nc_strf("80E60C00200AF06E657463617264030009F06E65"
                                  "74636172640306%s0101000000", inst(k));
    const char *del = k > 1 ? nc_strf(", \"80E40000084F06%s\"",
                                      inst(k - 1)) : "";
    char *o = rest(srv, "POST", "/api/jobs", nc_strf(
        "{\"card\": \"%s\", \"apdus\": [\"00A4040008A000000151000000\", "
        "\"%s\", \"80CA006600\"%s]}", CARD_ICCID, install, del));
    cr_assert(strstr(o, nc_strf("[%u]", k)), "enqueue: %s", o);
}

/* Wait for the end of round K's session(s); true if it was cut. */
static bool run_round(const RasSrv *srv, unsigned k, unsigned n,
                      unsigned mode, int *skipped, int *applied)
{
    unsigned long tears = fs_nvm_get(&fc, "tears");

    fs_arm_tear(&fc, modes[mode], n);
    fs_expect(&fc, "00A4040000", 0x9000, "SELECT the ISD");
    FsResp t = fs_apdu(&fc, "804C0000");    /* ADMIN TRIGGER */
    bool cut = false;

    for (;;) {
        char *l = nc_console_wait_re(fc.card->console,
                                     "(I admin: session ok|W admin: session "
                                     "failed|reset=tear|not run again)",
                                     NULL, 0, SESSION_WAIT_MS);
        if (strstr(l, "not run again after the reset")) {
            (*skipped)++;
            continue;
        }
        if (strstr(l, "not run again")) {
            (*applied)++;       /* "command N was applied before the cut" */
            continue;
        }
        cr_assert(!strstr(l, "session failed"), "round %u, cut at %u (%s): "
                  "%s", k, n, modes[mode], l);
        if (strstr(l, "session ok")) {
            break;
        }
        /* the cut: power on again; the card resumes by itself when its
         * state says a session was running (DF3A 02/03), else (the cut
         * came before the trigger's state was written) trigger again */
        cut = true;
        cr_assert_eq(fs_nvm_get(&fc, "tears"), tears + 1);
        fs_power_on(&fc);
        nc_console_wait(fc.card->console, "I net: dhcp", 30000);
        AdminOutcome o = admin_outcome();
        char *job = rest(srv, "GET", nc_strf("/api/jobs/%u", k), NULL);
        if (o.outcome == 1 && strstr(job, "\"state\": \"done\"")) {
            break;      /* the cut came as the session's end was saved */
        }
        if (o.outcome != 2 && o.outcome != 3) {
            cr_assert(t.sw == 0, "round %u: the trigger answered %04X and "
                      "no session was recorded (DF3A %s)", k, t.sw, o.hex);
            admin_trigger();
        }
    }
    if (!cut) {
        fs_arm_tear(&fc, "before", 0);
    }
    return cut;
}

Test(system_admin_tear, cut_at_every_flash_operation_of_a_session)
{
    const char *db = nc_tmp_path("ras.db");
    RasSrv srv = ras_start(db, 0, "ras", NULL);

    ras_cli(db, "card", "--card", CARD_ICCID, "--identity", ADMIN_ID,
            "--psk", ADMIN_PSK_HEX);
    boot_t0();
    AdminParams ap = { .port = srv.port, .retries = 3 };
    store_params(&ap);
    /* the test key set is written at the first trigger: a session with
     * no job first, so that the rounds' cuts land in sessions */
    admin_trigger();
    nc_console_wait(fc.card->console, "I admin: session ok: 0 scripts",
                    SESSION_WAIT_MS);

    unsigned k = 0, cuts = 0, by_mode[3] = { 0 };
    int skipped = 0, applied = 0;
    bool done = false;
    /* each flash operation cut before, part way and after, in turn,
     * until a cut comes after the session's end */
    for (unsigned n = 1; n < 60 && !done; n++) {
        for (unsigned mode = 0; mode < 3 && !done; mode++) {
            enqueue(&srv, ++k);
            bool cut = run_round(&srv, k, n, mode, &skipped, &applied);
            cuts += cut;
            by_mode[mode] += cut;
            done = !cut;

            /* the server: the job done once, its script answered once */
            char *st = rest(&srv, "GET", nc_strf("/api/jobs/%u", k), NULL);
            cr_assert(strstr(st, "\"state\": \"done\""), "round %u, cut "
                      "at %u (%s): job not done: %s", k, n, modes[mode], st);
            cr_assert_eq(ras_count(st, "\"answered\": 1"), 1, "%s", st);
            cr_assert(strstr(st, nc_strf("\"executed\": %u", k > 1 ? 4 : 3)),
                      "round %u: %s", k, st);
            /* the card: the new instance, not the old one */
            char *a = apps();
            cr_assert(strstr(a, inst(k)), "round %u, cut at %u (%s): %s "
                      "missing: %s", k, n, modes[mode], inst(k), a);
            cr_assert(k == 1 || !strstr(a, inst(k - 1)), "round %u: %s "
                      "still there: %s", k, inst(k - 1), a);
            AdminOutcome o = admin_outcome();
            cr_assert(o.outcome == 1 && o.detail == 204, "DF3A %s", o.hex);
        }
    }
    cr_assert(done, "the session never completed without a cut");
    char *log = rest(&srv, "GET", "/api/log?card=" CARD_ICCID "&limit=5000",
                     NULL);
    cr_assert_eq(ras_count(log, "\"event\": \"job-done\""), (int)k, "%s",
                 log);
    cr_assert_eq(ras_count(log, "\"event\": \"job-failed\""), 0);
    cr_assert_gt(cuts, 10u, "only %u flash operations in a session", cuts);
    /* both ways of the journal: a writer before the cut kept with its
     * answer, and the command the cut came right after */
    cr_assert_gt(skipped, 0, "no cut came after a command's commit");
    cr_assert_gt(applied, 0, "no cut came right after a command's commit");
    cr_log_info("%u rounds: %u cuts (before %u, partial %u, after %u); %d "
                "resumed scripts had commands not run again, %d of them "
                "the command the cut came right after", k, cuts, by_mode[0],
                by_mode[1], by_mode[2], skipped, applied);
    fs_quit(&fc);
}
