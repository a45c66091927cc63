/*
 * The crypto system tests' card and host side: see crypto_card.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "crypto_card.h"
#include "nc_openssl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Seed of the host's random inputs (in failure messages, to replay). */
unsigned cc_seed;

CryptoCard *cc_boot(const char *trng_fault)
{
    cc_seed_init();
    CryptoCard *cc = nc_gc(calloc(1, sizeof(*cc)));
    const char *fault[] = {
        "-global", trng_fault ? nc_strf("netcard-trng.fault=%s", trng_fault) : NULL, NULL,
    };

    cc->card = iso_card_start(trng_fault ? fault : NULL, &cc->port, &cc->vpcd);
    return cc;
}

size_t cc_transmit(CryptoCard *cc, const uint8_t *apdu, size_t len,
                uint8_t *resp)
{
    nc_vpcd_send(cc->vpcd, apdu, len);
    return nc_vpcd_recv(cc->vpcd, resp, MAX_RAPDU, APDU_TIMEOUT_MS);
}

uint16_t cc_sw_of(const uint8_t *resp, size_t n)
{
    cr_assert_geq(n, 2u, "response too short: %s", nc_hex(resp, n));
    return (uint16_t)(resp[n - 2] << 8 | resp[n - 1]);
}

/* Power the card on from the host (a cold reset: self-tests run again). */
void cc_power_on(CryptoCard *cc)
{
    uint8_t atr[40];

    nc_vpcd_ctrl(cc->vpcd, NC_VPCD_OFF);
    nc_vpcd_ctrl(cc->vpcd, NC_VPCD_ON);
    nc_vpcd_ctrl(cc->vpcd, NC_VPCD_ATR);
    size_t n = nc_vpcd_recv(cc->vpcd, atr, sizeof(atr), APDU_TIMEOUT_MS);
    cr_assert_gt(n, 2u, "no ATR");
    nc_card_wait_banner(cc->card, "power-on", BOOT_TIMEOUT_MS);
}

uint16_t cc_select_applet(CryptoCard *cc)
{
    uint8_t *resp = nc_gc(malloc(MAX_RAPDU));
    size_t n = cc_transmit(cc, select_test_applet, sizeof(select_test_applet), resp);
    return cc_sw_of(resp, n);
}

CryptoCard *cc_boot_selected(void)
{
    CryptoCard *cc = cc_boot(NULL);
    cc_power_on(cc);
    nc_console_wait_re(cc->card->console, SELFTEST_RE, NULL, 0, BOOT_TIMEOUT_MS);
    cr_assert_eq(cc_select_applet(cc), 0x9000, "SELECT test applet");
    return cc;
}

/*
 * Send CLA 80 INS P1 P2 with DATA as an extended case 4 APDU (case 2 when
 * LEN is 0), Le = 0000. Returns the response data length (SW in *SW).
 */
size_t cc_cmd(CryptoCard *cc, uint8_t ins, uint8_t p1, uint8_t p2,
           const uint8_t *data, size_t len, uint8_t *out, uint16_t *sw)
{
    uint8_t *apdu = nc_gc(malloc(len + 9));
    uint8_t *resp = nc_gc(malloc(MAX_RAPDU));
    size_t n = 0;

    cr_assert_leq(len, 65535u);
    apdu[n++] = 0x80;
    apdu[n++] = ins;
    apdu[n++] = p1;
    apdu[n++] = p2;
    apdu[n++] = 0x00;
    if (len) {
        apdu[n++] = (uint8_t)(len >> 8);
        apdu[n++] = (uint8_t)len;
        memcpy(apdu + n, data, len);
        n += len;
    }
    apdu[n++] = 0x00;
    apdu[n++] = 0x00;
    size_t r = cc_transmit(cc, apdu, n, resp);
    *sw = cc_sw_of(resp, r);
    if (out) {
        memcpy(out, resp, r - 2);
    }
    return r - 2;
}

/* As cmd(), expecting 9000. */
size_t cc_cmd_ok(CryptoCard *cc, uint8_t ins, uint8_t p1, uint8_t p2,
              const uint8_t *data, size_t len, uint8_t *out,
              const char *what)
{
    uint16_t sw;
    size_t n = cc_cmd(cc, ins, p1, p2, data, len, out, &sw);
    cr_assert_eq(sw, 0x9000, "%s: SW %04X (random seed %u)", what, sw, cc_seed);
    return n;
}

/* ---- host side ------------------------------------------------------------ */

/* Seed rand(): NETCARD_TEST_SEED replays a run that failed. */
void cc_seed_init(void)
{
    const char *e = getenv("NETCARD_TEST_SEED");

    cc_seed = e ? (unsigned)strtoul(e, NULL, 0) : (unsigned)time(NULL) ^ (unsigned)getpid();
    srand(cc_seed);
}

void cc_rnd(uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        b[i] = (uint8_t)(rand() >> 7);
    }
}

const char *cc_file_put_at(const char *path, const uint8_t *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    cr_assert(f, "cannot write %s", path);
    cr_assert_eq(fwrite(b, 1, n, f), n);
    fclose(f);
    return path;
}

const char *cc_file_put(const char *name, const uint8_t *b, size_t n)
{
    return cc_file_put_at(nc_tmp_path(name), b, n);
}

size_t cc_file_get(const char *path, uint8_t *b, size_t max)
{
    size_t n;
    char *s = nc_read_file(path, &n);
    cr_assert(s, "cannot read %s", path);
    cr_assert_leq(n, max, "%s: %zu bytes, room for %zu", path, n, max);
    memcpy(b, s, n);
    free(s);
    return n;
}

char *cc_hex_lower(const uint8_t *b, size_t n)
{
    char *s = nc_gc(malloc(2 * n + 1));
    for (size_t i = 0; i < n; i++) {
        sprintf(s + 2 * i, "%02x", b[i]);
    }
    s[2 * n] = 0;
    return s;
}

/*
 * Batches of openssl commands run by one shell (a test may start only so
 * many processes): batch_add() queues a command, batch_check() a
 * comparison of the card's bytes with a file the batch writes;
 * batch_run() runs the script and checks every comparison.
 */
typedef struct Check {
    char *what;
    uint8_t *got;
    size_t len;
    const char *file;
} Check;

static struct {
    FILE *script;
    const char *path;
    Check checks[200];
    size_t n_checks;
    int files;
} cc_batch;

void cc_batch_begin(void)
{
    cc_batch.path = nc_tmp_path("openssl-batch.sh");
    cc_batch.script = fopen(cc_batch.path, "w");
    cr_assert(cc_batch.script);
    fprintf(cc_batch.script, "set -e\n");
    cc_batch.n_checks = 0;
}

/* A file name unique in this test. */
const char *cc_batch_file(const char *what)
{
    return nc_tmp_path(nc_strf("b%d-%s", cc_batch.files++, what));
}

void cc_batch_add(const char *const *args)
{
    fprintf(cc_batch.script, "'%s'", nc_tool("openssl", "openssl"));
    for (int i = 0; args[i]; i++) {
        fprintf(cc_batch.script, " '%s'", args[i]);
    }
    fprintf(cc_batch.script, "\n");
}

void cc_batch_shell(const char *line)
{
    fprintf(cc_batch.script, "%s\n", line);
}

void cc_batch_check(const char *what, const uint8_t *got, size_t len,
                 const char *file)
{
    cr_assert_lt(cc_batch.n_checks, sizeof(cc_batch.checks) / sizeof(cc_batch.checks[0]));
    Check *c = &cc_batch.checks[cc_batch.n_checks++];
    c->what = nc_strf("%s", what);
    c->got = nc_gc(malloc(len ? len : 1));
    memcpy(c->got, got, len);
    c->len = len;
    c->file = file;
}

void cc_batch_run(void)
{
    fclose(cc_batch.script);
    const char *argv[] = { "/bin/sh", cc_batch.path, NULL };
    NcSpawnOpts o = { .cwd = nc_tmpdir() };
    NcProc *p = nc_spawn("openssl-batch", argv, &o);
    int st = nc_proc_wait_exit(p, 120000);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "openssl batch: %s\n%s",
              nc_proc_describe(p), nc_proc_diag(p));
    for (size_t i = 0; i < cc_batch.n_checks; i++) {
        Check *c = &cc_batch.checks[i];
        uint8_t *want = nc_gc(malloc(c->len + 64));
        size_t n = cc_file_get(c->file, want, c->len + 64);
        cr_assert(n == c->len && memcmp(want, c->got, n) == 0,
                  "%s (random seed %u): card %s, openssl %s", c->what, cc_seed, nc_hex(c->got, c->len > 48 ? 48 : c->len),
                  nc_hex(want, n > 48 ? 48 : n));
    }
}

/* ARGS (room for 16) = openssl enc (no padding) of file FIN into FOUT. */
static void cc_enc_args(const char **args, const char *cipher, bool decrypt,
                     const uint8_t *key, size_t klen, const uint8_t *iv,
                     size_t ivlen, const char *fin, const char *fout)
{
    int n = 0;

    args[n++] = "enc";
    args[n++] = nc_strf("-%s", cipher);
    args[n++] = "-K";
    args[n++] = cc_hex_lower(key, klen);
    if (ivlen) {
        args[n++] = "-iv";
        args[n++] = cc_hex_lower(iv, ivlen);
    }
    args[n++] = "-nopad";
    if (decrypt) {
        args[n++] = "-d";
    }
    args[n++] = "-in";
    args[n++] = fin;
    args[n++] = "-out";
    args[n++] = fout;
    args[n] = NULL;
}

/* Queue openssl enc (no padding) of IN; returns the output file. */
const char *cc_batch_enc(const char *cipher, bool decrypt, const uint8_t *key,
                      size_t klen, const uint8_t *iv, size_t ivlen,
                      const char *fin)
{
    const char *fout = cc_batch_file("enc.bin");
    const char *args[16];

    cc_enc_args(args, cipher, decrypt, key, klen, iv, ivlen, fin, fout);
    cc_batch_add(args);
    return fout;
}

/* openssl enc, no padding: OUT = cipher(IN). */
void cc_openssl_enc(const char *cipher, bool decrypt, const uint8_t *key,
                 size_t klen, const uint8_t *iv, size_t ivlen,
                 const uint8_t *in, size_t len, uint8_t *out)
{
    const char *fin = cc_file_put("enc-in.bin", in, len);
    const char *fout = nc_tmp_path("enc-out.bin");
    const char *args[16];

    cc_enc_args(args, cipher, decrypt, key, klen, iv, ivlen, fin, fout);
    (void)nc_openssl_run(args);
    cr_assert_eq(cc_file_get(fout, out, len), len, "openssl %s: output length", cipher);
}

/* The card's CIPHER command: Lk || key || iv || input. */
void cc_card_cipher(CryptoCard *cc, uint8_t p1, uint8_t p2, const uint8_t *key,
                 size_t klen, const uint8_t *iv, size_t ivlen,
                 const uint8_t *in, size_t len, uint8_t *out)
{
    uint8_t *data = nc_gc(malloc(1 + klen + ivlen + len));
    data[0] = (uint8_t)klen;
    memcpy(data + 1, key, klen);
    memcpy(data + 1 + klen, iv, ivlen);
    memcpy(data + 1 + klen + ivlen, in, len);
    size_t n = cc_cmd_ok(cc, INS_CIPHER, p1, p2, data, 1 + klen + ivlen + len, out,
                      nc_strf("CIPHER %02X %02X, %zu bytes", p1, p2, len));
    cr_assert_eq(n, len, "CIPHER %02X %02X: %zu bytes back for %zu", p1, p2, n, len);
}
