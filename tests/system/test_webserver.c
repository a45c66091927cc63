/*
 * System tests: the SCWS content store and the protection of web
 * resources (docs/webapps.md), on cardos-test.elf with its ISO interface
 * on vpcd and its web server forwarded (ports 80 and 4116). The store is
 * filled through the test image's PUT /_scws/... (tests/cardos/
 * test_web_admin.h). Peers and expectations are independent of the
 * card's code: curl (and curl --digest), an HTTP Digest client on
 * Python's hashlib (web_digest.py), openssl s_client -psk for Basic over
 * TLS, zlib's CRC-32 (python3) for the ETag, status codes from RFC 9110
 * and RFC 4918 (507), the PIN's try counter from ISO 7816 VERIFY.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE
#include "fs_card.h"
#include "net_card.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

TestSuite(system_webserver, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

static FsCard fc;
static int http_port, https_port;

static void boot(void)
{
    fc.port = nc_free_tcp_port();
    http_port = nc_free_tcp_port();
    do {
        https_port = nc_free_tcp_port();
    } while (https_port == http_port);
    const char *const opts[] = {
        "--iso", nc_strf("listen:127.0.0.1:%d", fc.port),
        "--hostfwd", nc_strf("%d:80", http_port),
        "--hostfwd", nc_strf("%d:4116", https_port),
        NULL,
    };
    fs_boot_net(&fc, opts);
}

static const char *url(const char *path)
{
    return nc_strf("http://127.0.0.1:%d%s", http_port, path);
}

/*
 * curl with ARGS (NULL-terminated, after the fixed ones) on PATH: the
 * status code; the head into *HEAD and the body into *BODY when asked.
 */
static unsigned curl_do(const char *path, char **head, char **body, ...)
{
    const char *argv[40];
    const char *hp = nc_tmp_path(nc_strf("h%d.txt", rand()));
    const char *bp = nc_tmp_path(nc_strf("b%d.txt", rand()));
    unsigned k = 0;
    va_list ap;

    argv[k++] = curl();
    argv[k++] = "-sS";
    argv[k++] = "--max-time";
    argv[k++] = "15";
    argv[k++] = "-D";
    argv[k++] = hp;
    argv[k++] = "-o";
    argv[k++] = bp;
    argv[k++] = "-w";
    argv[k++] = "%{http_code}";
    va_start(ap, body);
    for (const char *a; (a = va_arg(ap, const char *)) && k < 38;) {
        argv[k++] = a;
    }
    va_end(ap);
    argv[k++] = url(path);
    argv[k] = NULL;
    char *code = run_tool("curl", argv, NULL);
    if (head) {
        char *h = nc_read_file(hp, NULL);
        *head = h ? nc_gc(h) : "";
    }
    if (body) {
        char *b = nc_read_file(bp, NULL);
        *body = b ? nc_gc(b) : "";
    }
    return (unsigned)atoi(code);
}

/* The value of field NAME in HEAD (the last response of it), or NULL. */
static char *field(const char *head, const char *name)
{
    const char *p = NULL, *q = head;
    const char *want = nc_strf("\n%s:", name);

    while ((q = strcasestr(q, want))) {
        p = q;
        q++;
    }
    if (!p) {
        return NULL;
    }
    p += strlen(want);
    while (*p == ' ') {
        p++;
    }
    size_t n = strcspn(p, "\r\n");
    return nc_gc(strndup(p, n));
}

static unsigned put(const char *path, const char *type, const char *file,
                    const char *extra)
{
    return curl_do(nc_strf("/_scws%s", path), NULL, NULL, "-X", "PUT", "-H",
                   nc_strf("Content-Type: %s", type), "-H",
                   extra ? extra : "X-None: 1", "--data-binary",
                   nc_strf("@%s", file), NULL);
}

static const char *write_file(const char *name, const char *text, size_t n)
{
    const char *p = nc_tmp_path(name);
    FILE *f = fopen(p, "wb");
    cr_assert(f);
    fwrite(text, 1, n, f);
    fclose(f);
    return p;
}

/* zlib's CRC-32 of the ETag's bytes (web_store.h), by python3. */
static char *python_etag(const char *data_path, const char *type,
                         const char *lang)
{
    const char *py = nc_strf(
        "import sys,zlib\n"
        "d=open(sys.argv[1],'rb').read()\n"
        "b=d+b'%s\\0'+b'\\0'+b'%s\\0'\n"
        "print('\"%%08x-%%x\"' %% (zlib.crc32(b), len(d)), end='')\n",
        type, lang);
    const char *argv[] = { "/usr/bin/python3", "-c", py, data_path, NULL };
    return run_tool("python3", argv, NULL);
}

Test(system_webserver, content_store_status_codes)
{
    static const char page[] = "<!doctype html><title>SCWS</title><p>stored\n";
    const char *pf = write_file("index.html", page, sizeof(page) - 1);
    char *head, *body;

    boot();
    /* Built-in first: the status page. */
    cr_assert_eq(curl_do("/", NULL, &body, NULL), 200u);
    cr_assert(strstr(body, "<h1>netcard</h1>"), "the built-in page: %s", body);

    cr_assert_eq(put("/index.html", "text/html", pf,
                     "Last-Modified: Tue, 01 Dec 2026 10:00:00 GMT"), 201u);
    cr_assert_eq(put("/index.html", "text/html", pf,
                     "Last-Modified: Tue, 01 Dec 2026 10:00:00 GMT"), 204u,
                 "a replace is 204 (RFC 9110 9.3.4)");

    /* 200: the stored page overrides the built-in one at "/". */
    cr_assert_eq(curl_do("/", &head, &body, NULL), 200u);
    cr_assert_str_eq(body, page);
    char *etag = field(head, "ETag");
    cr_assert(etag, "no ETag:\n%s", head);
    cr_assert_str_eq(etag, python_etag(pf, "text/html", ""));
    cr_assert_str_eq(field(head, "Last-Modified"),
                     "Tue, 01 Dec 2026 10:00:00 GMT");
    cr_assert_str_eq(field(head, "Content-Type"), "text/html");
    cr_assert_str_eq(field(head, "Accept-Ranges"), "bytes");

    /* HEAD: the same head, no body. */
    cr_assert_eq(curl_do("/index.html", &head, &body, "-I", NULL), 200u);
    cr_assert_str_eq(field(head, "Content-Length"),
                     nc_strf("%zu", sizeof(page) - 1));
    cr_assert_str_eq(field(head, "ETag"), etag);

    /* 304 by If-None-Match (also in a list, and weak), and by date. */
    cr_assert_eq(curl_do("/", &head, &body, "-H",
                         nc_strf("If-None-Match: \"x\", W/%s", etag), NULL),
                 304u);
    cr_assert_str_eq(body, "");
    cr_assert_str_eq(field(head, "ETag"), etag);
    cr_assert_eq(curl_do("/index.html", NULL, NULL, "-H",
                         "If-Modified-Since: Tue, 01 Dec 2026 10:00:00 GMT",
                         NULL), 304u);
    cr_assert_eq(curl_do("/index.html", NULL, NULL, "-H",
                         "If-Modified-Since: Mon, 30 Nov 2026 10:00:00 GMT",
                         NULL), 200u);
    cr_assert_eq(curl_do("/index.html", NULL, NULL, "-H",
                         "If-None-Match: \"other\"", "-H",
                         "If-Modified-Since: Tue, 01 Dec 2026 10:00:00 GMT",
                         NULL), 200u, "If-None-Match wins (RFC 9110 13.2.2)");

    /* 206 and 416 (RFC 9110 14). */
    cr_assert_eq(curl_do("/index.html", &head, &body, "-r", "2-5", NULL),
                 206u);
    cr_assert_str_eq(body, "doct");
    cr_assert_str_eq(field(head, "Content-Range"),
                     nc_strf("bytes 2-5/%zu", sizeof(page) - 1));
    cr_assert_eq(curl_do("/index.html", &head, &body, "-r", "-3", NULL), 206u);
    cr_assert_str_eq(body, "ed\n");
    cr_assert_eq(curl_do("/index.html", &head, NULL, "-r", "500-600", NULL),
                 416u);
    cr_assert_str_eq(field(head, "Content-Range"),
                     nc_strf("bytes */%zu", sizeof(page) - 1));

    /* 405 with Allow, 404. */
    cr_assert_eq(curl_do("/index.html", &head, NULL, "-X", "POST", "-d", "x",
                         NULL), 405u);
    cr_assert_str_eq(field(head, "Allow"), "GET, HEAD");
    cr_assert_eq(curl_do("/no/such", NULL, NULL, NULL), 404u);

    /* 413: more data than a resource holds (and than a request). */
    static char big[2100];
    memset(big, 'b', sizeof(big));
    const char *bf = write_file("big.bin", big, sizeof(big));
    cr_assert_eq(put("/big.bin", "application/octet-stream", bf, NULL), 413u);

    /* Delete: the built-in page is back. */
    cr_assert_eq(curl_do("/_scws/index.html", NULL, NULL, "-X", "DELETE",
                         NULL), 204u);
    cr_assert_eq(curl_do("/", NULL, &body, NULL), 200u);
    cr_assert(strstr(body, "<h1>netcard</h1>"));
    cr_assert_eq(curl_do("/index.html", NULL, NULL, NULL), 404u);

    /* 507 once the content store is full (its 64 resources). */
    const char *sf = write_file("small.txt", "s", 1);
    const char *fill = nc_strf(
        "import http.client,sys\n"
        "c=http.client.HTTPConnection('127.0.0.1',%d,timeout=15)\n"
        "for i in range(100):\n"
        "  c.request('PUT','/_scws/f/%%d.txt'%%i,body=b's',"
        "headers={'Content-Type':'text/plain'})\n"
        "  r=c.getresponse(); r.read()\n"
        "  if r.status!=201: print(i,r.status,end=''); break\n",
        http_port);
    const char *fargv[] = { "/usr/bin/python3", "-c", fill, NULL };
    cr_assert_str_eq(run_tool("python3", fargv, NULL), "64 507",
                     "64 resources fit, the 65th is 507");
    cr_assert_eq(curl_do("/f/0.txt", NULL, &body, NULL), 200u);
    cr_assert_str_eq(body, "s");
    cr_assert_eq(curl_do("/_scws/f/", NULL, NULL, "-X", "DELETE", NULL), 204u,
                 "a directory delete");
    cr_assert_eq(curl_do("/f/63.txt", NULL, NULL, NULL), 404u);
    cr_assert_eq(put("/again.txt", "text/plain", sf, NULL), 201u);
}

/* VERIFY PIN1 without data: 9000 / 63Cx / 6983 (fs/pin.h). */
static uint16_t pin1_status(void)
{
    return fs_apdu(&fc, "00200001").sw;
}

static char *digest(const char *path, const char *user, const char *pass,
                    const char *alg, const char *reuse)
{
    const char *script = nc_strf("%s/tests/system/web_digest.py",
                                 nc_env("NETCARD_SRCDIR", "the source tree"));
    const char *argv[] = { "/usr/bin/python3", script, url(path), user, pass,
                           alg, reuse ? "--reuse" : NULL, reuse, NULL };
    char *out = run_tool("python3", argv, NULL);
    return out;
}

static char *basic_tls(const char *user, const char *pass)
{
    char cred[64];
    const char *argv[] = { "/usr/bin/python3", "-c",
        "import base64,sys;print(base64.b64encode(sys.argv[1].encode())"
        ".decode(),end='')", nc_strf("%s:%s", user, pass), NULL };
    snprintf(cred, sizeof(cred), "%s", run_tool("python3", argv, NULL));
    NetCard nc = { .https_port = https_port };
    int rc;
    char *out = https_request(&nc, "PSK-AES128-GCM-SHA256", TEST_PSK_IDENTITY,
                              TEST_PSK_HEX, NULL,
                              nc_strf("GET /wallet/ HTTP/1.1\r\nHost: card\r\n"
                                      "Authorization: Basic %s\r\n"
                                      "Connection: close\r\n\r\n", cred), &rc);
    cr_assert_eq(rc, 0, "s_client: %s", out);
    return out;
}

Test(system_webserver, protection_digest_basic_and_the_pin_counter)
{
    const char *pf = write_file("w.html", "<p>wallet", 9);
    char *head;

    boot();
    cr_assert_eq(curl_do("/_scwsauth/user/holder", NULL, NULL, "-X", "PUT",
                         "--data-binary", "pin:01", NULL), 204u);
    cr_assert_eq(curl_do("/_scwsauth/user/admin", NULL, NULL, "-X", "PUT",
                         "--data-binary", "password:s3cret", NULL), 204u);
    cr_assert_eq(curl_do("/_scwsauth/protect/wallet/", NULL, NULL, "-X", "PUT",
                         "--data-binary", "holder", NULL), 204u);
    cr_assert_eq(put("/wallet/index.html", "text/html", pf, NULL), 201u);
    cr_assert_eq(curl_do("/api/status", NULL, NULL, NULL), 200u,
                 "outside the protection set: public");

    /* 401 with both Digest challenges (RFC 7616 3.7), no Basic on 80. */
    cr_assert_eq(curl_do("/wallet/", &head, NULL, NULL), 401u);
    cr_assert(strstr(head, "WWW-Authenticate: Digest realm=\"netcard\", "
                           "qop=\"auth\", algorithm=SHA-256, nonce=\""), "%s",
              head);
    cr_assert(strstr(head, "algorithm=MD5"), "%s", head);
    cr_assert(!strstr(head, "Basic"), "no Basic challenge on plain HTTP");

    /* Digest with the PIN: curl, and hashlib for each algorithm; requests
     * on the same nonce use the cached HA1. */
    cr_assert_eq(curl_do("/wallet/", NULL, NULL, "--digest", "-u",
                         "holder:1234", NULL), 200u);
    cr_assert_str_eq(digest("/wallet/", "holder", "1234", "MD5", "3"),
                     "200 200 200 200");
    cr_assert_str_eq(digest("/wallet/", "holder", "1234", "SHA-256", NULL),
                     "200");
    cr_assert_eq(pin1_status(), 0x63C3, "good web logins leave 3 tries");
    /* A password user not in the set: 403. Basic on plain HTTP: 401. */
    cr_assert_str_eq(digest("/wallet/", "admin", "s3cret", "SHA-256", NULL),
                     "403");
    cr_assert_eq(curl_do("/wallet/", NULL, NULL, "--basic", "-u",
                         "holder:1234", NULL), 401u);
    /* Basic over TLS (port 4116, openssl s_client -psk). */
    cr_assert_eq(status_of(basic_tls("holder", "1234")), 200u);

    /* Wrong PINs share VERIFY's counter: 2 over HTTP and TLS -> 63C1,
     * the third blocks VERIFY and the web login (403). */
    cr_assert_str_eq(digest("/wallet/", "holder", "9999", "MD5", NULL), "401");
    cr_assert_eq(pin1_status(), 0x63C2);
    cr_assert_eq(status_of(basic_tls("holder", "0000")), 401u);
    cr_assert_eq(pin1_status(), 0x63C1);
    cr_assert_eq(curl_do("/wallet/", NULL, NULL, "--digest", "-u",
                         "holder:4321", NULL), 401u);
    cr_assert_eq(pin1_status(), 0x6983, "blocked by 3 bad web logins");
    cr_assert_str_eq(digest("/wallet/", "holder", "1234", "SHA-256", NULL),
                     "403", "a blocked PIN refuses the right one too");
    cr_assert_eq(fs_apdu(&fc, "002000010831323334FFFFFFFF").sw, 0x6983);
}

/* The SHA-256 of a file (hex), by python3's hashlib. */
static char *sha256_of(const char *path)
{
    const char *argv[] = { "/usr/bin/python3", "-c",
        "import hashlib,sys;"
        "print(hashlib.sha256(open(sys.argv[1],'rb').read()).hexdigest(),"
        "end='')", path, NULL };
    return run_tool("python3", argv, NULL);
}

#define BIG_SIZE  15360u      /* WEB_DATA_MAX: 15 chunks of 1024 bytes */
#define BIG_SEED  1000u       /* the repeated body: not a chunk's size */

/* A large resource made through the test image's X-Repeat-To (the body
 * repeated to N bytes, tests/cardos/test_web_admin.c): the expected data
 * into *DATA, written to a file whose path is returned. */
static const char *put_big(const char *path, unsigned n, char **data,
                           unsigned *status)
{
    static char seed[BIG_SEED];
    char *d = nc_gc(malloc(n + 1));

    srand(0x5C55);
    for (unsigned i = 0; i < sizeof(seed); i++) {
        seed[i] = (char)(' ' + rand() % 95);      /* printable: s_client */
    }
    for (unsigned i = 0; i < n; i++) {
        d[i] = seed[i % sizeof(seed)];
    }
    d[n] = '\0';
    const char *sf = write_file("seed.txt", seed, sizeof(seed));
    *status = curl_do(nc_strf("/_scws%s", path), NULL, NULL, "-X", "PUT",
                      "-H", "Content-Type: text/plain", "-H",
                      nc_strf("X-Repeat-To: %u", n), "--data-binary",
                      nc_strf("@%s", sf), NULL);
    *data = d;
    return write_file("big-expected.txt", d, n);
}

/* A resource of WEB_DATA_MAX bytes is streamed from its 15 chunks: whole
 * (SHA-256) on port 80 and over TLS on 4116, Range across chunks. */
Test(system_webserver, large_resource_streamed_from_chunks)
{
    char *head, *body, *data;
    unsigned st;
    size_t blen;

    boot();
    const char *ef = put_big("/big.txt", BIG_SIZE, &data, &st);
    cr_assert_eq(st, 201u);
    char *want = sha256_of(ef);
    char *want_tag = python_etag(ef, "text/plain", "");

    cr_assert_eq(curl_do("/big.txt", &head, &body, NULL), 200u);
    blen = strlen(body);
    cr_assert_eq(blen, BIG_SIZE, "body of %zu bytes", blen);
    const char *out = write_file("big-got.txt", body, blen);
    cr_assert_str_eq(sha256_of(out), want);
    cr_assert_str_eq(field(head, "Content-Length"), nc_strf("%u", BIG_SIZE));
    cr_assert_str_eq(field(head, "ETag"), python_etag(ef, "text/plain", ""));

    /* Range across two chunk boundaries (1024, 2048), and the tail. */
    cr_assert_eq(curl_do("/big.txt", &head, &body, "-r", "1000-2100", NULL),
                 206u);
    cr_assert_eq(strlen(body), 1101u);
    cr_assert(memcmp(body, data + 1000, 1101) == 0, "range bytes differ");
    cr_assert_str_eq(field(head, "Content-Range"),
                     nc_strf("bytes 1000-2100/%u", BIG_SIZE));
    cr_assert_eq(curl_do("/big.txt", NULL, &body, "-r", "-1500", NULL), 206u);
    cr_assert_str_eq(body, data + BIG_SIZE - 1500);

    /* HEAD and 304 carry no body. */
    cr_assert_eq(curl_do("/big.txt", &head, &body, "-I", NULL), 200u);
    cr_assert_str_eq(field(head, "Content-Length"), nc_strf("%u", BIG_SIZE));
    cr_assert_eq(curl_do("/big.txt", NULL, &body, "-H",
                         nc_strf("If-None-Match: %s",
                                 want_tag), NULL),
                 304u);
    cr_assert_str_eq(body, "");

    /* Over TLS (4116, openssl s_client -psk), two on one session. */
    NetCard nc = { .https_port = https_port };
    int rc;
    char *tls = https_request(&nc, "PSK-AES128-GCM-SHA256", TEST_PSK_IDENTITY,
                              TEST_PSK_HEX, NULL,
                              "GET /big.txt HTTP/1.1\r\nHost: card\r\n\r\n"
                              "GET /big.txt HTTP/1.1\r\nHost: card\r\n"
                              "Connection: close\r\n\r\n", &rc);
    cr_assert_eq(rc, 0, "s_client failed");
    for (int i = 0; i < 2; i++) {
        char *b = strstr(tls, "\r\n\r\n");
        cr_assert(b, "response %d: no head", i);
        cr_assert(!strncmp(tls, "HTTP/1.1 200", 12), "response %d", i);
        b += 4;
        cr_assert(strlen(b) >= BIG_SIZE, "response %d: short body", i);
        cr_assert(memcmp(b, data, BIG_SIZE) == 0, "response %d differs", i);
        tls = b + BIG_SIZE;
    }
    cr_assert_str_eq(tls, "", "nothing after the second body");

    /* 413: one byte over WEB_DATA_MAX; the resource is unchanged. */
    put_big("/big.txt", BIG_SIZE + 1u, &data, &st);
    cr_assert_eq(st, 413u);
    cr_assert_eq(curl_do("/big.txt", NULL, &body, NULL), 200u);
    cr_assert_str_eq(sha256_of(write_file("big-got.txt", body, strlen(body))),
                     want);

    /* wrk on it: no errors. */
    const char *argv[] = { nc_tool("wrk", "wrk"), "-t2", "-c4", "-d3s",
                           url("/big.txt"), NULL };
    char *w = run_tool("wrk", argv, NULL);
    cr_assert(strstr(w, " requests in "), "%s", w);
    /* (Before a connection's streamed bytes in flight were bounded, the
     * lwIP heap ran out with 4 connections and wrk saw read errors.) */
    cr_assert(!strstr(w, "Socket errors"), "wrk saw errors:\n%s", w);
    cr_assert(!strstr(w, "Non-2xx"), "wrk saw non-2xx answers:\n%s", w);
    cr_log_info("wrk, 15 KiB resource: %s", strstr(w, "Requests/sec"));
    cr_assert_eq(curl_do("/big.txt", NULL, &body, NULL), 200u);
    cr_assert_str_eq(sha256_of(write_file("big-got.txt", body, strlen(body))),
                     want);
}

/* wrk against a stored resource: no errors, the card answers ISO 7816. */
Test(system_webserver, wrk_on_a_stored_resource)
{
    const char *pf = write_file("s.css", "body{margin:0}\n", 15);

    boot();
    cr_assert_eq(put("/static/app.css", "text/css", pf, NULL), 201u);
    const char *argv[] = { nc_tool("wrk", "wrk"), "-t2", "-c4", "-d3s",
                           url("/static/app.css"), NULL };
    char *out = run_tool("wrk", argv, NULL);
    cr_assert(strstr(out, " requests in "), "%s", out);
    cr_assert(!strstr(out, "Socket errors"), "wrk saw errors:\n%s", out);
    cr_assert(!strstr(out, "Non-2xx"), "wrk saw non-2xx answers:\n%s", out);
    cr_assert_eq(pin1_status(), 0x63C3, "the contact interface answers");
    cr_assert_eq(curl_do("/static/app.css", NULL, NULL, NULL), 200u);
}

/*
 * netcard run --web-tls: a browser-style TLS client (curl, certificate
 * checked against the one the launcher made with openssl req in
 * $XDG_STATE_HOME) reaches the card through the local terminator and the
 * card's PSK port.
 */
Test(system_webserver, launcher_web_tls_terminator)
{
    int http = nc_free_tcp_port(), https, tls, iso;
    do {
        https = nc_free_tcp_port();
    } while (https == http);
    do {
        tls = nc_free_tcp_port();
    } while (tls == http || tls == https);
    do {
        iso = nc_free_tcp_port();
    } while (iso == http || iso == https || iso == tls);
    cr_assert_eq(setenv("XDG_STATE_HOME", nc_tmpdir(), 1), 0);
    const char *argv[] = { nc_bin("netcard"), "run", "--iso",
        nc_strf("tcp:127.0.0.1:%d", iso), "--http-port", nc_strf("%d", http),
        "--https-port", nc_strf("%d", https), "--web-tls",
        nc_strf("%d", tls), "--image",
        nc_strf("%s/cardos-test.elf", nc_env("NETCARD_CARDOS_DIR",
                                             "the card OS images")),
        "--nvm", nc_tmp_path("card.nvm"), NULL };
    NcSpawnOpts o = { .cwd = nc_tmpdir(), .stderr_to_stdout = true };
    NcProc *p = nc_spawn("netcard", argv, &o);
    NcConsole *con = nc_console_open(p->stdout_path, "launcher output", p);
    nc_console_wait(con, nc_strf("HTTPS for browsers: https://127.0.0.1:%d/",
                                 tls), NC_TIMEOUT_START_MS);
    nc_console_wait(con, "I net: dhcp ", NET_UP_TIMEOUT_MS);
    const char *cert = nc_strf("%s/netcard/web-tls/cert.pem", nc_tmpdir());
    cr_assert_eq(access(cert, R_OK), 0, "no certificate at %s", cert);
    const char *body = nc_tmp_path("tls.json");
    const char *cargv[] = { curl(), "-sS", "--max-time", "15", "--cacert",
                            cert, "-o", body, "-w", "%{http_code}",
                            nc_strf("https://127.0.0.1:%d/api/status", tls),
                            NULL };
    cr_assert_str_eq(run_tool("curl", cargv, NULL), "200");
    cr_assert_str_eq(json_field(body, "d['https']['port']"), "4116",
                     "the card answered over its PSK port");
    nc_proc_stop(p);
}
