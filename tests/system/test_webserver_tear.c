/*
 * System test: power cuts during a content-store write on the card
 * (net/web/web_store.h), with the NVM's tearing injection over QMP
 * (docs/nvm.md) as in test_fs_tear.c. A resource is replaced over HTTP
 * (the test image's PUT /_scws/...) with a cut armed at a random flash
 * operation of the write, in a random mode; after the card rebooted the
 * resource must read back (GET, plain sockets) as the whole old version
 * or the whole new one, never a mix. The campaign's seed is logged and
 * NETCARD_TEAR_SEED replays it (tear_campaign.h). The second campaign
 * does the same with resources of WEB_DATA_MAX (15360) bytes, 15 chunk
 * objects written as they come in one transaction (web_store_put_from,
 * through the test image's X-Repeat-To).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE
#include "tear_campaign.h"
#include "net_card.h"

#include <stdio.h>
#include <stdlib.h>

TestSuite(system_webserver_tear, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

#define TEARS      12
#define MAX_ROUNDS 60
#define DATA_LEN   1500          /* two chunk objects and the metadata */
#define BIG_LEN    15360         /* WEB_DATA_MAX: 15 chunks */
#define BIG_SEED   1000          /* the body X-Repeat-To repeats */

static int http_port;
static unsigned repeat_to;        /* 0: a plain PUT of DATA_LEN bytes */

static unsigned data_len(void)
{
    return repeat_to ? repeat_to : DATA_LEN;
}

/* Generation G's bytes: every byte names the generation (a large one is
 * its first BIG_SEED bytes repeated). */
static void generation(char *b, unsigned g)
{
    for (unsigned i = 0; i < data_len(); i++) {
        unsigned k = repeat_to ? i % BIG_SEED : i;
        b[i] = (char)('a' + (g + k / 100u) % 26u);
    }
}

/* One request on a fresh connection ("Connection: close"); the whole
 * answer, "" if the card went away. */
static char *exchange(const char *req, size_t len)
{
    int fd = tcp_connect(http_port);
    send_all(fd, req, len);
    char *out = recv_all(fd, IO_TIMEOUT_MS);
    nc_close_fd(fd);
    return out;
}

static unsigned put_gen(unsigned g)
{
    static char req[DATA_LEN + 256];
    static char data[BIG_LEN];
    unsigned body = repeat_to ? BIG_SEED : DATA_LEN;
    int n;

    generation(data, g);
    n = snprintf(req, sizeof(req), "PUT /_scws/t.bin HTTP/1.1\r\nHost: c\r\n"
                 "Content-Type: application/x-gen-%u\r\nContent-Length: %u\r\n"
                 "%sConnection: close\r\n\r\n", g, body,
                 repeat_to ? nc_strf("X-Repeat-To: %u\r\n", repeat_to) : "");
    memcpy(req + n, data, body);
    return status_of(exchange(req, (size_t)n + body));
}

/* The generation the resource holds (type and bytes agree), or -1. */
static int read_gen(void)
{
    static const char get[] = "GET /t.bin HTTP/1.1\r\nHost: c\r\n"
                              "Connection: close\r\n\r\n";
    char *r = exchange(get, sizeof(get) - 1);
    char *type = strcasestr(r, "\r\nContent-Type: application/x-gen-");
    char *body = strstr(r, "\r\n\r\n");
    static char want[BIG_LEN];

    cr_assert_eq(status_of(r), 200u, "GET after a cut: \"%.80s\"", r);
    cr_assert(type && body, "no type or body: %.200s", r);
    unsigned g = (unsigned)strtoul(type + 34, NULL, 10);
    generation(want, g);
    if (strlen(body + 4) != data_len() || memcmp(body + 4, want, data_len())) {
        return -1;
    }
    return (int)g;
}

static void campaign(unsigned tears_wanted, uint64_t seed, const char *name)
{
    const char *nvm = fs_make_first_boot_image("card.nvm");
    FsCard fc = { 0 };

    fc.port = nc_free_tcp_port();
    http_port = nc_free_tcp_port();
    const char *const opts[] = {
        "--iso", nc_strf("listen:127.0.0.1:%d", fc.port),
        "--hostfwd", nc_strf("%d:80", http_port),
        "--nvm", nvm, "--nvm-format", "raw", NULL,
    };
    NcCardOpts o = { .image = "cardos-test.elf", .cmdline_opts = opts };
    fc.card = nc_card_start(&o);
    nc_card_wait_banner(fc.card, "power-on", BOOT_TIMEOUT_MS);
    fc.vpcd = nc_vpcd_connect(fc.port, NC_TIMEOUT_START_MS, fc.card->qemu);
    fs_power_on(&fc);
    nc_console_wait(fc.card->console, "I net: dhcp", NET_UP_TIMEOUT_MS);

    unsigned gen = 0;
    cr_assert_eq(put_gen(gen), 201u);
    unsigned long before = fs_flash_ops(&fc);
    cr_assert_eq(put_gen(gen + 1), 204u);
    unsigned ops = (unsigned)(fs_flash_ops(&fc) - before);
    gen++;
    cr_assert_gt(ops, 0u, "a put took no flash operation");

    Campaign c = campaign_start(&fc, seed, name);
    while (c.tears < (int)tears_wanted) {
        cr_assert_lt(c.round, MAX_ROUNDS, "seed %llu: only %d cuts in %d "
                     "rounds", c.seed, c.tears, c.round);
        unsigned mode = prng_below(&c, 3), n = 1 + prng_below(&c, ops + 2);
        unsigned long tears = fs_nvm_get(&fc, "tears");
        c.round++;
        c.last_mode = mode;
        c.last_n = n;
        fs_arm_tear(&fc, tear_modes[mode], n);
        unsigned st = put_gen(gen + 1);
        if (fs_nvm_get(&fc, "tears") == tears) {
            disarm(&fc);
            cr_assert(st == 204u, "seed %llu round %d: PUT (not cut) "
                      "answered %u", c.seed, c.round, st);
            c.completed++;
            gen++;
            continue;
        }
        c.tears++;
        c.by_mode[mode]++;
        c.by_op[n < 9 ? n : 0][mode]++;
        nc_card_wait_banner(fc.card, "tear", BOOT_TIMEOUT_MS);
        fs_power_on(&fc);
        nc_console_wait(fc.card->console, "I net: dhcp", NET_UP_TIMEOUT_MS);
        int got = read_gen();
        if (got == (int)gen) {
            c.outcome[0]++;
        } else if (got == (int)gen + 1) {
            c.outcome[1]++;
            gen++;
        } else {
            cr_assert_fail("seed %llu round %d: after a cut (%s at operation "
                           "%u) the resource is generation %d, neither the "
                           "old %u nor the new %u (or a mix)", c.seed,
                           c.round, tear_modes[mode], n, got, gen, gen + 1);
        }
    }
    static const char *const names[3] = { "old", "new", "-" };
    campaign_report(&c, name, names, nc_strf("%u", ops));
    cr_assert_gt(c.outcome[0] + c.outcome[1], 0);
}

Test(system_webserver_tear, resource_is_old_or_new_after_every_cut)
{
    repeat_to = 0;
    campaign(TEARS, 0x5745, "content store PUT");
}

/* 15 KiB: the transaction's 15 chunk records are each a place to cut. */
Test(system_webserver_tear, large_resource_is_old_or_new_after_every_cut)
{
    repeat_to = BIG_LEN;
    campaign(TEARS, 0x5746, "content store PUT of 15 KiB");
}
