/*
 * The admin agent's TLS parameters seen from independent peers: the
 * max_fragment_length extension (RFC 6066 4, code 1 = 2^9) that the
 * agent asks for (Amendment B 2.2.3: down to 512), read from `openssl
 * s_server -msg` (the ClientHello and ServerHello bytes and the record
 * headers the card sent) and from netcard-ras's audit log; and
 * TLS_PSK_WITH_NULL_SHA256 (0x00B0, RFC 5487), refused unless the
 * triggering parameters offer it (DF3D), against an s_server that has
 * nothing else.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "admin_card.h"

TestSuite(system_admin_tls, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

/* One message of an `openssl s_server -msg` trace. */
typedef struct MsgRec {
    bool from_card;             /* "<<<" (received by s_server) */
    char title[96];
    uint8_t b[512];
    size_t n;
} MsgRec;

static size_t msg_parse(const char *path, MsgRec *out, size_t cap)
{
    char *t = nc_read_file(path, NULL);
    size_t k = 0;

    cr_assert(t, "no s_server -msg trace %s", path);
    for (char *l = strtok(t, "\n"); l; l = strtok(NULL, "\n")) {
        if (!strncmp(l, "<<< ", 4) || !strncmp(l, ">>> ", 4)) {
            cr_assert(k < cap, "trace too long");
            out[k].from_card = l[0] == '<';
            snprintf(out[k].title, sizeof(out[k].title), "%s", l + 4);
            out[k++].n = 0;
            continue;
        }
        for (char *p = l; k && *p;) {
            unsigned v;
            int used;
            if (sscanf(p, " %2x%n", &v, &used) != 1) {
                break;
            }
            if (out[k - 1].n < sizeof(out[k - 1].b)) {
                out[k - 1].b[out[k - 1].n++] = (uint8_t)v;
            }
            p += used;
        }
    }
    free(t);
    return k;
}

/* The data of extension TYPE in a ClientHello / ServerHello handshake
 * message (RFC 5246 7.4.1.2/3); -1 if absent. */
static int hello_ext(const MsgRec *m, bool client, unsigned type,
                     uint8_t *val)
{
    const uint8_t *b = m->b;
    size_t n = m->n, o = 4 + 2 + 32;

    if (o >= n) {
        return -1;
    }
    o += 1 + b[o];                                  /* session id */
    if (client) {
        o += 2 + ((size_t)b[o] << 8 | b[o + 1]);    /* cipher suites */
        o += 1 + b[o];                              /* compression */
    } else {
        o += 2 + 1;
    }
    if (o + 2 > n) {
        return -1;
    }
    size_t end = o + 2 + ((size_t)b[o] << 8 | b[o + 1]);
    for (o += 2; o + 4 <= end && end <= n;) {
        unsigned t = (unsigned)b[o] << 8 | b[o + 1];
        size_t l = (size_t)b[o + 2] << 8 | b[o + 3];
        if (t == type) {
            memcpy(val, b + o + 4, l);
            return (int)l;
        }
        o += 4 + l;
    }
    return -1;
}

/* 20 GET DATA 66 (BER length 81 8C): the results POST is ~1.6 KB. */
static const char *twenty_get_data(void)
{
    char *s = nc_strf("AA818C");
    for (int i = 0; i < 20; i++) {
        s = nc_strf("%s220580CA006600", s);
    }
    return s;
}

Test(system_admin_tls, max_fragment_length_512_with_s_server_and_ras)
{
    boot_admin_card();

    /* openssl s_server: the hellos and the card's records */
    const char *msg = nc_tmp_path("s_server.msg");
    const char *const e[] = { "--script", twenty_get_data(), "--msg", msg,
                              NULL };
    AdminPeer a = admin_peer_start(NULL, e);
    AdminParams ap = { .port = a.port, .retries = 3, .retry_s = 3 };
    store_params(&ap);
    admin_trigger();
    nc_console_wait(fc.card->console, "I admin: session ok: 1 scripts, 20 "
                    "commands", SESSION_WAIT_MS);
    static MsgRec m[400];
    size_t n = msg_parse(nc_strf("%s.1", msg), m, 400);
    const MsgRec *ch = NULL, *sh = NULL;
    size_t max_rec = 0, app_recs = 0;
    for (size_t i = 0; i < n; i++) {
        if (m[i].from_card && strstr(m[i].title, "ClientHello")) {
            ch = &m[i];
        } else if (!m[i].from_card && strstr(m[i].title, "ServerHello") &&
                   !strstr(m[i].title, "Done")) {
            sh = &m[i];
        } else if (m[i].from_card && strstr(m[i].title, "RecordHeader") &&
                   m[i].n == 5 && m[i].b[0] == 0x17) {
            size_t len = (size_t)m[i].b[3] << 8 | m[i].b[4];
            max_rec = len > max_rec ? len : max_rec;
            app_recs++;
        }
    }
    uint8_t v[8];
    cr_assert(ch && sh, "no ClientHello / ServerHello in the trace");
    cr_assert(hello_ext(ch, true, 1, v) == 1 && v[0] == 1,
              "the card's ClientHello has no max_fragment_length 512");
    cr_assert(hello_ext(sh, false, 1, v) == 1 && v[0] == 1,
              "s_server did not accept max_fragment_length 512");
    /* the ~1.6 KB results in records of at most 512 bytes of plaintext
     * (AES-128-GCM adds 8 + 16, CBC-SHA256 at most 16 + 32 + 16) */
    cr_assert(app_recs >= 4 && max_rec > 512 && max_rec <= 512 + 64,
              "%zu application records from the card, the largest %zu "
              "bytes", app_recs, max_rec);
    cr_log_info("s_server: MFL 512 in both hellos; %zu records from the "
                "card, the largest %zu bytes", app_recs, max_rec);

    /* netcard-ras: the session completes, its audit log names the MFL */
    const char *db = nc_tmp_path("ras.db");
    RasSrv srv = ras_start(db, 0, "ras", NULL);
    ras_cli(db, "card", "--card", CARD_ICCID, "--identity", ADMIN_ID,
            "--psk", ADMIN_PSK_HEX);
    ras_cli(db, "enqueue", "--card", CARD_ICCID, "--script",
            nc_strf("%s/tests/system/admin_twenty.script",
                    nc_env("NETCARD_SRCDIR", "the source tree")));
    ap.port = srv.port;
    store_params(&ap);
    admin_trigger();
    nc_console_wait(fc.card->console, "I admin: session ok: 1 scripts, 20 "
                    "commands", SESSION_WAIT_MS);
    char *log = ras_cli(db, "log", "--card", CARD_ICCID);
    cr_assert(strstr(log, "TLS-PSK-WITH-AES-128-GCM-SHA256, "
                          "max_fragment_length 512"), "%s", log);
    char *st = ras_cli(db, "status", "--job", "1");
    cr_assert(strstr(st, "\"state\": \"done\"") &&
              strstr(st, "\"executed\": 20"), "%s", st);
    fs_quit(&fc);
}

/* The cipher suite s_server chose (ServerHello, RFC 5246 7.4.1.3). */
static unsigned server_suite(const MsgRec *sh)
{
    size_t o = 4 + 2 + 32;

    cr_assert(sh->n > o + 3);
    o += 1 + sh->b[o];
    return (unsigned)sh->b[o] << 8 | sh->b[o + 1];
}

/* Does the ClientHello offer SUITE? */
static bool client_offers(const MsgRec *ch, unsigned suite)
{
    size_t o = 4 + 2 + 32;

    o += 1 + ch->b[o];
    size_t n = (size_t)ch->b[o] << 8 | ch->b[o + 1];
    for (size_t i = o + 2; i + 1 < o + 2 + n && i + 1 < ch->n; i += 2) {
        if (((unsigned)ch->b[i] << 8 | ch->b[i + 1]) == suite) {
            return true;
        }
    }
    return false;
}

/* The hellos of connection CONN of the s_server trace MSG. */
static void hellos(const char *msg, int conn, MsgRec **ch, MsgRec **sh)
{
    static MsgRec m[400];
    size_t n = msg_parse(nc_strf("%s.%d", msg, conn), m, 400);

    *ch = *sh = NULL;
    for (size_t i = 0; i < n; i++) {
        if (m[i].from_card && strstr(m[i].title, "ClientHello")) {
            *ch = &m[i];
        } else if (!m[i].from_card && strstr(m[i].title, "ServerHello") &&
                   !strstr(m[i].title, "Done")) {
            *sh = &m[i];
        }
    }
    cr_assert(*ch, "no ClientHello in connection %d", conn);
}

Test(system_admin_tls, null_sha256_refused_unless_configured)
{
    boot_admin_card();
    const char *msg = nc_tmp_path("null.msg");
    /* an s_server with the NULL suite only (OpenSSL 3 needs security
     * level 0 for a cipher without encryption) */
    const char *const e[] = { "--script", "AA07220580CA006600", "--cipher",
                              "PSK-NULL-SHA256:@SECLEVEL=0", "--msg", msg,
                              NULL };
    AdminPeer a = admin_peer_start(NULL, e);
    AdminParams ap = { .port = a.port, .retries = 3, .retry_s = 3 };

    /* by default: not offered, the handshake fails, no retry */
    store_params(&ap);
    admin_trigger();
    char *l = nc_console_wait_re(fc.card->console,
                                 "^[IW] admin: session (ok|failed)", NULL, 0,
                                 SESSION_WAIT_MS);
    cr_assert(strstr(l, "session failed: TLS"), "%s", l);
    AdminOutcome o = admin_outcome();
    cr_assert(o.outcome == 4 && o.retries == 3, "DF3A %s", o.hex);
    MsgRec *ch, *sh;
    hellos(msg, 1, &ch, &sh);
    cr_assert(!client_offers(ch, 0x00B0) && client_offers(ch, 0x00A8) &&
              client_offers(ch, 0x00AE), "the default ClientHello's suites");
    cr_assert_null(sh, "a ServerHello without a common suite");

    /* DF3D 01 01: offered (after the AES suites), chosen, the session
     * runs its script */
    ap.null_sha256 = true;
    store_params(&ap);
    admin_trigger();
    nc_console_wait(fc.card->console, "I admin: session ok: 1 scripts, 1 "
                    "commands", SESSION_WAIT_MS);
    hellos(msg, 2, &ch, &sh);
    cr_assert(client_offers(ch, 0x00B0), "DF3D did not offer NULL_SHA256");
    cr_assert(sh && server_suite(sh) == 0x00B0, "s_server chose %04X",
              sh ? server_suite(sh) : 0);
    char *r1 = admin_peer_request(&a, 1);
    cr_assert(r1 && strstr(r1, "\"x-admin-script-status\": \"ok\""), "%s",
              r1 ? r1 : "(no results POST)");
    o = admin_outcome();
    cr_assert(o.outcome == 1 && o.detail == 204, "DF3A %s", o.hex);
    fs_quit(&fc);
}
