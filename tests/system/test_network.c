/*
 * System tests: the card as a TCP/IP node. cardos-test.elf boots with its NIC
 * on libslirp (-nic user,model=netcard-nic) and the web server forwarded
 * to free loopback ports; real clients (curl, python3's json, plain
 * sockets) talk to it. Expectations are independent of the card's code:
 * the version comes from the VERSION file, the chip id from the sysctl
 * specification, the addresses from libslirp's documented defaults and the
 * card's own DHCP log line, status codes from RFC 9110.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE
#include "net_card.h"
#include "nvm_image.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "crypto/keystore.h"
#include "store/store.h"

TestSuite(system_network, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

Test(system_network, dhcp_lease_and_status_resources)
{
    NetCard *nc = boot_net_card();

    /* libslirp's DHCP server leases the first address, 10.0.2.15/24,
     * with the gateway 10.0.2.2 (QEMU documentation, "user networking"). */
    cr_assert_str_eq(nc->ip, "10.0.2.15", "DHCP address %s", nc->ip);
    cr_assert_eq(nc->prefix, 24u);
    cr_assert_str_eq(nc->gw, "10.0.2.2");
    /* ICMP echo from the card: slirp answers for its gateway address. */
    nc_console_wait(nc->card->console,
                    nc_strf("I net: gateway %s answers ping", nc->gw),
                    NET_UP_TIMEOUT_MS);

    const char *html = nc_tmp_path("index.html");
    char *code = curl_get(nc_strf("http://127.0.0.1:%d/", nc->http_port),
                          html);
    cr_assert_str_eq(code, "200", "GET / gave HTTP %s", code);
    char *page = nc_gc(nc_read_file(html, NULL));
    cr_assert(page && strstr(page, "<html"), "/ is not HTML:\n%s", page);
    cr_assert(strstr(page, nc_version()), "/ does not name version %s",
              nc_version());

    const char *js = nc_tmp_path("status.json");
    code = curl_get(nc_strf("http://127.0.0.1:%d/api/status", nc->http_port),
                    js);
    cr_assert_str_eq(code, "200", "GET /api/status gave HTTP %s", code);
    cr_assert_str_eq(json_field(js, "d['version']"), nc_version());
    cr_assert_str_eq(json_field(js, "d['card_id']"), "4e430033");
    cr_assert_str_eq(json_field(js, "d['network']['ip']"), nc->ip);
    cr_assert_str_eq(json_field(js, "d['network']['gateway']"), nc->gw);
    cr_assert_str_eq(json_field(js, "d['network']['netmask']"),
                     "255.255.255.0");
    cr_assert_str_eq(json_field(js, "d['network']['dhcp']"), "true");
    cr_assert_str_eq(json_field(js, "d['network']['link']"), "true");
    /* QEMU's default MAC for the first NIC. */
    cr_assert_str_eq(json_field(js, "d['network']['mac']"),
                     "52:54:00:12:34:56");
    cr_assert_str_eq(json_field(js, "d['memory']['ram_bytes']"), "262144");
    char *up = json_field(js, "d['uptime_ms']");
    cr_assert(atol(up) > 0, "uptime_ms %s", up);

    /* The SCWS port serves the same resources. */
    code = curl_get(nc_strf("http://127.0.0.1:%d/api/status", nc->scws_port),
                    nc_tmp_path("scws.json"));
    cr_assert_str_eq(code, "200", "SCWS port: HTTP %s", code);

    /* HEAD, 404, 405 as RFC 9110 says. */
    const char *argv_head[] = { curl(), "-sS", "-I", "-o", "/dev/null", "-w",
        "%{http_code}", nc_strf("http://127.0.0.1:%d/api/status",
                                nc->http_port), NULL };
    cr_assert_str_eq(run_tool("curl", argv_head, NULL), "200");
    cr_assert_str_eq(curl_get(nc_strf("http://127.0.0.1:%d/no/such",
                                      nc->http_port), "/dev/null"), "404");
    const char *argv_post[] = { curl(), "-sS", "-o", "/dev/null", "-w",
        "%{http_code}", "-d", "x=1", nc_strf("http://127.0.0.1:%d/api/status",
                                             nc->http_port), NULL };
    cr_assert_str_eq(run_tool("curl", argv_post, NULL), "405");

    /* A handler-API route with a Content-Length body: POST /api/echo. */
    const char *echo_out = nc_tmp_path("echo.out");
    const char *argv_echo[] = { curl(), "-sS", "-o", echo_out, "-w",
        "%{http_code}", "--data-binary", "netcard \x01 body",
        nc_strf("http://127.0.0.1:%d/api/echo", nc->http_port), NULL };
    cr_assert_str_eq(run_tool("curl", argv_echo, NULL), "200");
    char *echoed = nc_gc(nc_read_file(echo_out, NULL));
    cr_assert_str_eq(echoed, "netcard \x01 body");
}

Test(system_network, two_hundred_sequential_requests)
{
    NetCard *nc = boot_net_card();
    const char *url = nc_strf("http://127.0.0.1:%d/api/status", nc->http_port);
    /* 100 on one keep-alive connection, 100 on fresh connections. */
    for (int round = 0; round < 2; round++) {
        const char *argv[320];
        size_t n = 0;
        argv[n++] = curl();
        argv[n++] = "-sS";
        argv[n++] = "--max-time";
        argv[n++] = "60";
        if (round == 1) {
            argv[n++] = "-H";
            argv[n++] = "Connection: close";
        }
        argv[n++] = "-w";
        argv[n++] = "%{http_code}\\n";
        for (int i = 0; i < 100; i++) {
            argv[n++] = "-o";
            argv[n++] = "/dev/null";
            argv[n++] = url;
        }
        argv[n] = NULL;
        char *out = run_tool("curl", argv, NULL);
        int ok = 0, lines = 0;
        for (char *s = out; *s; s++) {
            if (s == out || s[-1] == '\n') {
                lines++;
                ok += strncmp(s, "200\n", 4) == 0;
            }
        }
        cr_assert_eq(ok, 100, "round %d: %d of %d responses were 200:\n%s",
                     round, ok, lines, out);
    }
}

Test(system_network, sixteen_concurrent_clients)
{
    NetCard *nc = boot_net_card();
    const char *url = nc_strf("http://127.0.0.1:%d/api/status", nc->http_port);
    NcProc *p[16];
    for (int i = 0; i < 16; i++) {
        const char *argv[] = { curl(), "-sS", "--max-time", "60", "-w",
            "%{http_code}\\n", "-o", "/dev/null", url, "-o", "/dev/null",
            url, "-o", "/dev/null", url, "-o", "/dev/null", url, NULL };
        p[i] = nc_spawn(nc_strf("curl%d", i), argv, NULL);
    }
    int served = 0, refused = 0;
    for (int i = 0; i < 16; i++) {
        int st = nc_proc_wait_exit(p[i], 90000);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "client %d: %s\n%s",
                  i, nc_proc_describe(p[i]), nc_proc_diag(p[i]));
        char *out = nc_gc(nc_read_file(p[i]->stdout_path, NULL));
        for (char *s = out; s && *s; s = strchr(s, '\n') + 1) {
            if (strncmp(s, "200", 3) == 0) {
                served++;
            } else if (strncmp(s, "503", 3) == 0) {
                refused++;
            } else {
                cr_assert_fail("client %d: unexpected response line \"%.*s\"", i,
                        (int)strcspn(s, "\n"), s);
            }
            if (!strchr(s, '\n')) {
                break;
            }
        }
    }
    cr_assert_eq(served + refused, 64, "%d served + %d refused of 64",
                 served, refused);
    cr_assert_gt(served, 0);
    expect_serving(nc);
}

/*
 * Send LEN bytes of REQ on a new connection, read what comes back within
 * WAIT_MS, and require the status line to carry CODE.
 */
static void expect_status(NetCard *nc, const char *req, size_t len,
                          int wait_ms, unsigned code, const char *what)
{
    int fd = tcp_connect(nc->http_port);
    send_all(fd, req, len);
    char *r = recv_all(fd, wait_ms);
    cr_assert_eq(status_of(r), code, "%s: got \"%.60s\"", what, r);
    nc_close_fd(fd);
}

Test(system_network, bad_requests_get_4xx_and_card_keeps_serving)
{
    NetCard *nc = boot_net_card();
    int fd;
    char *r;

    /* Garbage: 400 */
    static const char garbage[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\r\n\r\n";
    expect_status(nc, garbage, sizeof(garbage) - 1, IO_TIMEOUT_MS, 400u,
                  "garbage");

    /* A 64 KiB header line: 431 */
    size_t big = 64 * 1024;
    char *req = nc_gc(malloc(big + 128));
    int n = snprintf(req, 128, "GET / HTTP/1.1\r\nHost: card\r\nX-Long: ");
    memset(req + n, 'a', big);
    memcpy(req + n + big, "\r\n\r\n", 4);
    expect_status(nc, req, (size_t)n + big + 4, IO_TIMEOUT_MS, 431u,
                  "64 KiB header");

    /* Half a request, then silence: 408 */
    static const char half[] = "GET /api/status HTTP/1.1\r\nHost: ca";
    expect_status(nc, half, sizeof(half) - 1, HALF_SENT_WAIT_MS, 408u,
                  "half-sent request");

    /* Not HTTP/1.x: 505 */
    static const char v2[] = "GET / HTTP/2.0\r\nHost: card\r\n\r\n";
    expect_status(nc, v2, sizeof(v2) - 1, IO_TIMEOUT_MS, 505u, "HTTP/2.0");

    /* Pipelined requests on one connection are answered in order. */
    fd = tcp_connect(nc->http_port);
    static const char two[] = "GET /robots.txt HTTP/1.1\r\nHost: card\r\n\r\n"
                              "GET /nope HTTP/1.1\r\nHost: card\r\n"
                              "Connection: close\r\n\r\n";
    send_all(fd, two, sizeof(two) - 1);
    r = recv_all(fd, IO_TIMEOUT_MS);
    cr_assert_eq(status_of(r), 200u, "pipelined 1: \"%.60s\"", r);
    char *second = strstr(r + 1, "HTTP/1.1 ");
    cr_assert(second && status_of(second) == 404u, "pipelined 2: %s", r);
    nc_close_fd(fd);

    expect_serving(nc);
}

Test(system_network, link_down_and_up_recovers)
{
    NetCard *nc = boot_net_card();
    expect_serving(nc);

    nc_qmp(nc->card->qmp, "{'execute': 'set_link', 'arguments': "
           "{'name': 'netcard-nic.0', 'up': false}}");
    nc_console_wait(nc->card->console, "I net: link down", IO_TIMEOUT_MS);
    nc_qmp(nc->card->qmp, "{'execute': 'set_link', 'arguments': "
           "{'name': 'netcard-nic.0', 'up': true}}");
    nc_console_wait(nc->card->console, "I net: link up", IO_TIMEOUT_MS);
    nc_console_wait(nc->card->console,
                    nc_strf("I net: gateway %s answers ping", nc->gw),
                    IO_TIMEOUT_MS);
    expect_serving(nc);
}

Test(system_network, launcher_forwards_the_web_server)
{
    int http = nc_free_tcp_port(), https, iso;
    do {
        https = nc_free_tcp_port();
    } while (https == http);
    do {
        iso = nc_free_tcp_port();
    } while (iso == http || iso == https);
    const char *argv[] = { nc_bin("netcard"), "run", "--iso",
        nc_strf("tcp:127.0.0.1:%d", iso), "--http-port", nc_strf("%d", http),
        "--https-port", nc_strf("%d", https), "--nvm",
        nc_tmp_path("card.nvm"), NULL };
    NcSpawnOpts o = { .cwd = nc_tmpdir(), .stderr_to_stdout = true };
    NcProc *p = nc_spawn("netcard", argv, &o);
    NcConsole *con = nc_console_open(p->stdout_path, "launcher output", p);
    nc_console_wait(con, nc_strf("http://127.0.0.1:%d/", http),
                    NC_TIMEOUT_START_MS);
    nc_console_wait(con, "I net: dhcp ", NET_UP_TIMEOUT_MS);
    char *code = curl_get(nc_strf("http://127.0.0.1:%d/api/status", http),
                          nc_tmp_path("l.json"));
    cr_assert_str_eq(code, "200", "through the launcher: HTTP %s", code);
    nc_proc_stop(p);
}

Test(system_network, all_slots_busy_gives_503)
{
    NetCard *nc = boot_net_card();
    /* docs/network.md: 6 connection slots. Fill them with kept-alive
     * connections that each completed a request. */
    static const char get[] = "GET /robots.txt HTTP/1.1\r\nHost: card\r\n\r\n";
    int held[6];
    for (int i = 0; i < 6; i++) {
        held[i] = tcp_connect(nc->http_port);
        send_all(held[i], get, sizeof(get) - 1);
        cr_assert_eq(read_one_response(held[i]), 200u, "connection %d", i);
    }
    int extra = tcp_connect(nc->http_port);
    send_all(extra, get, sizeof(get) - 1);
    char *r = recv_all(extra, IO_TIMEOUT_MS);
    cr_assert_eq(status_of(r), 503u, "7th connection: \"%.60s\"", r);
    cr_assert(strcasestr(r, "Connection: close"), "503 without close: %s", r);
    nc_close_fd(extra);

    /* The held connections still work; once closed, slots free up. */
    send_all(held[0], get, sizeof(get) - 1);
    cr_assert_eq(read_one_response(held[0]), 200u);
    for (int i = 0; i < 6; i++) {
        nc_close_fd(held[i]);
    }
    int64_t deadline = nc_now_ms() + IO_TIMEOUT_MS;
    unsigned st = 0;
    while (nc_now_ms() < deadline && st != 200u) {
        int fd = tcp_connect(nc->http_port);
        send_all(fd, get, sizeof(get) - 1);
        st = read_one_response(fd);
        nc_close_fd(fd);
        if (st != 200u) {
            nc_nap_ms(100);
        }
    }
    cr_assert_eq(st, 200u, "slots not freed after the clients closed");
}

Test(system_network, https_tls_psk)
{
    NetCard *nc = boot_net_card();
    int rc;
    static const char *const suites[] = {
        "PSK-AES128-GCM-SHA256",        /* TLS_PSK_WITH_AES_128_GCM_SHA256 */
        "PSK-AES128-CBC-SHA256",        /* TLS_PSK_WITH_AES_128_CBC_SHA256 */
    };
    for (size_t i = 0; i < 2; i++) {
        char *out = https_get(nc, suites[i], TEST_PSK_IDENTITY, TEST_PSK_HEX,
                              NULL, &rc);
        cr_assert_eq(rc, 0, "%s: openssl exited %d:\n%s", suites[i], rc, out);
        cr_assert_eq(status_of(out), 200u, "%s: %.80s", suites[i], out);
        cr_assert(strstr(out, nc_strf("\"version\":\"%s\"", nc_version())),
                  "%s: no version in %s", suites[i], out);
    }
    /* RFC 6066 max_fragment_length 512 */
    char *out = https_get(nc, suites[0], TEST_PSK_IDENTITY, TEST_PSK_HEX,
                          "-maxfraglen", &rc);
    cr_assert_eq(status_of(out), 200u, "max_fragment_length 512: %.80s", out);

    /* Half a request over TLS: 408 as over plain HTTP. */
    out = https_request(nc, suites[0], TEST_PSK_IDENTITY, TEST_PSK_HEX, NULL,
                        "GET /api/status HTTP/1.1\r\nHo", &rc);
    cr_assert_eq(status_of(out), 408u, "half-sent over TLS: %.80s", out);

    /* A wrong key or an unknown identity: no handshake, no response. */
    out = https_get(nc, suites[0], TEST_PSK_IDENTITY,
                    "000102030405060708090a0b0c0d0e0e", NULL, &rc);
    cr_assert_neq(rc, 0, "handshake with a wrong PSK succeeded:\n%s", out);
    cr_assert_null(strstr(out, "HTTP/1.1"), "response with a wrong PSK");
    out = https_get(nc, suites[0], "intruder", TEST_PSK_HEX, NULL, &rc);
    cr_assert_neq(rc, 0, "handshake with an unknown identity succeeded");
    nc_console_wait(nc->card->console, "W tls: handshake failed",
                    IO_TIMEOUT_MS);

    /* The card keeps serving, over TLS and plain HTTP. */
    out = https_get(nc, suites[0], TEST_PSK_IDENTITY, TEST_PSK_HEX, NULL,
                    &rc);
    cr_assert_eq(status_of(out), 200u, "after failures: %.80s", out);
    expect_serving(nc);
}

/*
 * The store of a raw NVM image, mounted on the host with the card's own
 * store code over a copy of the image in memory (NOR rules: programs
 * clear bits, erases set a page to FF).
 */
static uint8_t key_image[NVM_IMAGE_SIZE];
static struct store key_store;

static int image_program(void *ctx, uint32_t off, const void *data,
                         uint32_t len)
{
    (void)ctx;
    for (uint32_t i = 0; i < len; i++) {
        key_image[off + i] &= ((const uint8_t *)data)[i];
    }
    return 0;
}

static int image_erase(void *ctx, uint32_t page)
{
    (void)ctx;
    memset(key_image + page * 4096u, 0xFF, 4096u);
    return 0;
}

/* Mount the store in image file PATH; it spans some pages of 4 KiB from
 * the start (kernel/storage.c; docs/nvm.md): the count that mounts. */
static struct store *image_store_mount(const char *path)
{
    static struct store_flash fl;
    size_t len = 0;
    uint8_t *img = nc_gc(nc_read_file(path, &len));
    int rc = STORE_ERR_GEOMETRY;

    cr_assert(img && len == NVM_IMAGE_SIZE, "image %s: %zu bytes", path, len);
    memcpy(key_image, img, len);
    for (uint32_t pages = NVM_IMAGE_SIZE / 4096u;
         rc == STORE_ERR_GEOMETRY && pages >= STORE_MIN_PAGES; pages--) {
        fl = (struct store_flash){ .base = key_image, .page_size = 4096u,
                                   .page_count = pages,
                                   .program = image_program,
                                   .erase = image_erase };
        rc = store_mount(&key_store, &fl);
    }
    cr_assert_eq(rc, STORE_OK, "the card's store in %s: %s", path,
                 store_strerror(rc));
    return &key_store;
}

static void image_save(const char *path)
{
    FILE *f = fopen(path, "wb");
    cr_assert(f, "cannot write %s: %s", path, strerror(errno));
    cr_assert_eq(fwrite(key_image, 1, sizeof(key_image), f),
                 sizeof(key_image));
    cr_assert_eq(fclose(f), 0);
}

static void quit_card(NetCard *nc)
{
    nc_conn_send(&nc->card->qmp->conn, "{\"execute\": \"quit\"}\n");
    if (!nc_proc_wait(nc->card->qemu, NC_TIMEOUT_EXIT_MS)) {
        nc_proc_stop(nc->card->qemu);
    }
}

/*
 * The HTTPS server's PSK is the key store's (docs/crypto.md "Key store",
 * key FF01): the first boot writes the documented test key into the
 * store; a key written there on the host (with the card's own store and
 * key store code) is the one the card accepts at the next boot, and the
 * test key no longer is (a present key is never personalised over).
 */
Test(system_network, https_psk_is_the_key_stores)
{
    static const uint8_t test_psk[16] = { 0x00, 0x01, 0x02, 0x03, 0x04,
        0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f };
    static const uint8_t new_psk[16] = { 0xf0, 0xe1, 0xd2, 0xc3, 0xb4,
        0xa5, 0x96, 0x87, 0x78, 0x69, 0x5a, 0x4b, 0x3c, 0x2d, 0x1e, 0x0f };
    const char *nvm = nvm_image_make("card.nvm", 0);
    NetCard *nc = boot_net_card_on(nvm);
    int rc;
    char *out = https_get(nc, "PSK-AES128-GCM-SHA256", TEST_PSK_IDENTITY,
                          TEST_PSK_HEX, NULL, &rc);
    cr_assert_eq(status_of(out), 200u, "first boot: %.80s", out);
    quit_card(nc);

    struct store *st = image_store_mount(nvm);
    uint8_t key[KEYSTORE_VALUE_MAX];
    size_t len = 0;
    rc = keystore_read(st, 0xFF01, KEYSTORE_TYPE_PSK_TLS, key, sizeof(key),
                       &len);
    cr_assert_eq(rc, STORE_OK, "key FF01 after the first boot: %d", rc);
    cr_assert(len == sizeof(test_psk) && memcmp(key, test_psk, len) == 0,
              "key FF01 is not the documented test key");
    cr_assert_eq(keystore_put(st, 0xFF01, KEYSTORE_TYPE_PSK_TLS, new_psk,
                              sizeof(new_psk)), STORE_OK);
    image_save(nvm);

    nc = boot_net_card_on(nvm);
    out = https_get(nc, "PSK-AES128-GCM-SHA256", TEST_PSK_IDENTITY,
                    "f0e1d2c3b4a5968778695a4b3c2d1e0f", NULL, &rc);
    cr_assert_eq(status_of(out), 200u, "with the stored key: %.80s", out);
    out = https_get(nc, "PSK-AES128-GCM-SHA256", TEST_PSK_IDENTITY,
                    TEST_PSK_HEX, NULL, &rc);
    cr_assert_neq(rc, 0, "the test key still opens a session:\n%s", out);
    expect_serving(nc);
}

/*
 * TLS runs on the crypto coprocessor (docs/crypto.md "mbedTLS"): the
 * card's count of completed coprocessor operations (/api/status
 * crypto.hw_ops) stands still across plain HTTP requests and grows with
 * every HTTPS request, for both cipher suites.
 */
static unsigned long crypto_hw_ops_plain(NetCard *nc)
{
    const char *js = nc_tmp_path("crypto-status.json");
    char *code = curl_get(nc_strf("http://127.0.0.1:%d/api/status",
                                  nc->http_port), js);
    cr_assert_str_eq(code, "200", "GET /api/status gave HTTP %s", code);
    cr_assert_str_eq(json_field(js, "d['crypto']['state']"), "ok");
    return strtoul(json_field(js, "d['crypto']['hw_ops']"), NULL, 10);
}

static unsigned long crypto_hw_ops_https(NetCard *nc, const char *suite)
{
    int rc;
    char *out = https_get(nc, suite, TEST_PSK_IDENTITY, TEST_PSK_HEX, NULL,
                          &rc);
    cr_assert_eq(status_of(out), 200u, "%s: %.80s", suite, out);
    const char *body = strstr(out, "\r\n\r\n");
    cr_assert(body, "%s: no HTTP body in %s", suite, out);
    const char *js = nc_tmp_path("crypto-status-tls.json");
    FILE *f = fopen(js, "w");
    cr_assert(f);
    fputs(body + 4, f);
    fclose(f);
    return strtoul(json_field(js, "d['crypto']['hw_ops']"), NULL, 10);
}

Test(system_network, https_runs_on_crypto_coprocessor)
{
    NetCard *nc = boot_net_card();
    unsigned long plain1 = crypto_hw_ops_plain(nc);
    unsigned long plain2 = crypto_hw_ops_plain(nc);
    cr_assert_eq(plain2, plain1, "plain HTTP used the coprocessor: %lu -> %lu",
                 plain1, plain2);
    unsigned long gcm = crypto_hw_ops_https(nc, "PSK-AES128-GCM-SHA256");
    cr_assert_gt(gcm, plain2, "an AES-GCM HTTPS request used no coprocessor "
                 "operation (%lu before, %lu during)", plain2, gcm);
    unsigned long cbc = crypto_hw_ops_https(nc, "PSK-AES128-CBC-SHA256");
    cr_assert_gt(cbc, gcm, "an AES-CBC HTTPS request used no coprocessor "
                 "operation (%lu before, %lu during)", gcm, cbc);
    unsigned long after = crypto_hw_ops_plain(nc);
    cr_assert_geq(after, cbc);
}

Test(system_network, dhcp_timeout_falls_back_to_static)
{
    /* No backend: nobody answers DHCP. docs/network.md: after 5 s the card
     * uses 10.0.2.15/24 gw 10.0.2.2. */
    static const char *const opts[] = { "--net", "none", NULL };
    NcCardOpts o = { .image = "cardos-test.elf", .cmdline_opts = opts };
    NcCard *card = nc_card_start(&o);
    nc_card_wait_banner(card, "power-on", BOOT_TIMEOUT_MS);
    nc_console_wait(card->console, "I net: link up", NET_UP_TIMEOUT_MS);
    nc_console_wait(card->console,
                    "W net: no DHCP answer in 5 s; static 10.0.2.15/24 "
                    "gw 10.0.2.2", NET_UP_TIMEOUT_MS);
    /* Nobody there: the reachability check says so. */
    nc_console_wait(card->console,
                    "W net: gateway 10.0.2.2 does not answer ping",
                    NET_UP_TIMEOUT_MS);
    cr_assert(!nc_proc_exited(card->qemu), "QEMU %s",
              nc_proc_describe(card->qemu));
}

/* `netcard run ... --print-cmdline`: exit status and output. */
static int launcher_print(const char *const *args, char **out)
{
    const char *argv[24];
    size_t n = 0;
    argv[n++] = nc_bin("netcard");
    argv[n++] = "run";
    argv[n++] = "--print-cmdline";
    argv[n++] = "--iso";
    argv[n++] = "none";
    for (size_t i = 0; args[i] && n < 23; i++) {
        argv[n++] = args[i];
    }
    argv[n] = NULL;
    NcSpawnOpts o = { .cwd = nc_tmpdir(), .stderr_to_stdout = true };
    NcProc *p = nc_spawn("netcard", argv, &o);
    int st = nc_proc_wait_exit(p, NC_TIMEOUT_EXIT_MS);
    cr_assert(WIFEXITED(st), "netcard %s", nc_proc_describe(p));
    char *text = nc_read_file(p->stdout_path, NULL);
    *out = text ? nc_gc(text) : "";
    return WEXITSTATUS(st);
}

Test(system_network, launcher_network_options)
{
    int http = nc_free_tcp_port(), https;
    do {
        https = nc_free_tcp_port();
    } while (https == http);
    char *out;
    const char *pcap = nc_tmp_path("card.pcap");
    const char *a1[] = { "--http-port", nc_strf("%d", http), "--https-port",
                         nc_strf("%d", https), "--pcap", pcap, NULL };
    cr_assert_eq(launcher_print(a1, &out), 0, "%s", out);
    cr_assert(strstr(out, "model=netcard-nic"), "no netcard-nic NIC:\n%s",
              out);
    cr_assert(strstr(out, nc_strf("hostfwd=tcp:127.0.0.1:%d-:80", http)),
              "no HTTP forward:\n%s", out);
    cr_assert(strstr(out, nc_strf("hostfwd=tcp:127.0.0.1:%d-:4116", https)),
              "no HTTPS forward:\n%s", out);
    cr_assert(strstr(out, "filter-dump") && strstr(out, pcap),
              "no filter-dump for --pcap:\n%s", out);

    const char *a2[] = { "--no-net", NULL };
    cr_assert_eq(launcher_print(a2, &out), 0, "%s", out);
    cr_assert(strstr(out, "-nic none"), "--no-net without -nic none:\n%s",
              out);
    cr_assert_null(strstr(out, "hostfwd"), "--no-net forwards:\n%s", out);

    /* A forwarded port in use: one line, exit status 2. */
    int busy = 0;
    int lfd = nc_tcp_listen(&busy);
    (void)lfd;
    const char *a3[] = { "--http-port", nc_strf("%d", busy), "--https-port",
                         nc_strf("%d", https), NULL };
    cr_assert_eq(launcher_print(a3, &out), 2, "port in use accepted:\n%s",
                 out);
    cr_assert(strstr(out, nc_strf("port %d", busy)) &&
              strstr(out, "--http-port"), "message: %s", out);

    const char *a4[] = { "--no-net", "--http-port", "9000", NULL };
    cr_assert_eq(launcher_print(a4, &out), 2, "--no-net with --http-port:\n%s",
                 out);
}

Test(system_network, client_resets_and_half_closes)
{
    NetCard *nc = boot_net_card();
    static const char blob[] = "GET /static/blob-64k.bin HTTP/1.1\r\n"
                               "Host: card\r\n\r\n";

    /* A client that resets in the middle of a 64 KiB response. */
    for (int i = 0; i < 8; i++) {
        int fd = tcp_connect(nc->http_port);
        send_all(fd, blob, sizeof(blob) - 1);
        char buf[1000];
        (void)recv(fd, buf, sizeof(buf), 0);
        struct linger lg = { .l_onoff = 1, .l_linger = 0 };
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
        nc_close_fd(fd);
    }

    /* A request followed by a half-close is still answered in full. */
    int fd = tcp_connect(nc->http_port);
    send_all(fd, blob, sizeof(blob) - 1);
    shutdown(fd, SHUT_WR);
    char *r = recv_all(fd, IO_TIMEOUT_MS);
    cr_assert_eq(status_of(r), 200u, "after half-close: \"%.40s\"", r);
    char *body = strstr(r, "\r\n\r\n");
    cr_assert(body && strlen(body + 4) == 65536u, "body of %zu bytes, "
              "expected 65536", body ? strlen(body + 4) : 0);
    nc_close_fd(fd);

    expect_serving(nc);
}

/*
 * A short load from wrk (Debian's HTTP benchmarking tool, a real and
 * aggressive client): 8 keep-alive connections for 3 s, more than the
 * card's 6 connection slots. The card must neither crash nor wedge:
 * wrk completes requests, and the card answers normally afterwards.
 */
Test(system_network, wrk_load_does_not_break_the_card)
{
    const char *wrk = nc_tool("wrk", "wrk");
    NetCard *nc = boot_net_card();
    const char *argv[] = {
        wrk, "-t", "2", "-c", "8", "-d", "3s", "--timeout", "5s",
        nc_strf("http://127.0.0.1:%d/api/status", nc->http_port), NULL,
    };
    char *out = run_tool("wrk", argv, NULL);
    const char *req = strstr(out, " requests in ");
    cr_assert(req, "wrk printed no request count:\n%s", out);
    const char *line = req;
    while (line > out && line[-1] != '\n') {
        line--;
    }
    long done = strtol(line, NULL, 10);
    cr_assert_gt(done, 100, "wrk completed only %ld requests in 3 s:\n%s",
                 done, out);
    cr_assert(!nc_proc_exited(nc->card->qemu), "QEMU %s under wrk",
              nc_proc_describe(nc->card->qemu));
    expect_serving(nc);
}

/*
 * RFC 9112 9.3.2: a server must answer pipelined requests in order. 200
 * requests sent at once (about 7 KB, far more than the card's 2 KiB
 * request buffer) must all be answered, the last with Connection: close.
 */
Test(system_network, deep_pipeline_is_answered_in_full)
{
    NetCard *nc = boot_net_card();
    enum { N = 200 };
    static const char req[] = "GET /api/status HTTP/1.1\r\nHost: t\r\n\r\n";
    static const char last[] =
        "GET /api/status HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    size_t len = (N - 1) * (sizeof(req) - 1) + sizeof(last) - 1;
    char *all = nc_gc(malloc(len + 1));
    char *w = all;
    for (int i = 0; i < N - 1; i++) {
        memcpy(w, req, sizeof(req) - 1);
        w += sizeof(req) - 1;
    }
    memcpy(w, last, sizeof(last));
    int fd = tcp_connect(nc->http_port);
    send_all(fd, all, len);
    char *resp = recv_all(fd, 30000);
    int ok = 0;
    for (char *p = resp; (p = strstr(p, "HTTP/1.1 ")); p++) {
        cr_assert_eq(status_of(p), 200u, "response %d is not 200: %.40s",
                     ok + 1, p);
        ok++;
    }
    cr_assert_eq(ok, N, "%d of %d pipelined requests were answered", ok, N);
    expect_serving(nc);
}
