/*
 * tls-psk-handshake: time TLS 1.2 PSK handshakes with a server, in one
 * process, so that process start-up does not count (make bench's
 * tls_psk_handshake_ms, for the card and for openssl s_server alike).
 *
 *   tls-psk-handshake HOST PORT IDENTITY PSK-HEX COUNT
 *
 * Prints one line per handshake: the milliseconds from connect() to the
 * end of the handshake. Exits 1 on the first failure, with mbedTLS's
 * error text. Built on the host mbedTLS 3.6 (build/host).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "mbedtls/error.h"
#include "mbedtls/net_sockets.h"
#include "mbedtls/ssl.h"
#include "psa/crypto.h"

static const int psk_suites[] = {
    MBEDTLS_TLS_PSK_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_PSK_WITH_AES_128_CBC_SHA256,
    0,
};

static int fail(const char *what, int ret)
{
    char text[160];

    mbedtls_strerror(ret, text, sizeof(text));
    fprintf(stderr, "tls-psk-handshake: %s: -0x%04x %s\n", what,
            (unsigned)-ret, text);
    return 1;
}

static size_t unhex(const char *hex, unsigned char *out, size_t cap)
{
    size_t n = strlen(hex) / 2;

    if (strlen(hex) % 2 || n > cap) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
            return 0;
        }
        out[i] = (unsigned char)v;
    }
    return n;
}

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_ssl_config conf;
    unsigned char psk[64];
    size_t psk_len;
    int count, ret;

    if (argc != 6 || (count = atoi(argv[5])) <= 0 ||
        !(psk_len = unhex(argv[4], psk, sizeof(psk)))) {
        fprintf(stderr, "usage: tls-psk-handshake HOST PORT IDENTITY "
                "PSK-HEX COUNT\n");
        return 2;
    }
    if (psa_crypto_init() != PSA_SUCCESS) {
        fprintf(stderr, "tls-psk-handshake: psa_crypto_init failed\n");
        return 1;
    }
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_ssl_config_init(&conf);
    ret = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
                                NULL, 0);
    if (ret) {
        return fail("ctr_drbg_seed", ret);
    }
    ret = mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_CLIENT,
                                      MBEDTLS_SSL_TRANSPORT_STREAM,
                                      MBEDTLS_SSL_PRESET_DEFAULT);
    if (ret) {
        return fail("ssl_config_defaults", ret);
    }
    mbedtls_ssl_conf_min_tls_version(&conf, MBEDTLS_SSL_VERSION_TLS1_2);
    mbedtls_ssl_conf_max_tls_version(&conf, MBEDTLS_SSL_VERSION_TLS1_2);
    mbedtls_ssl_conf_ciphersuites(&conf, psk_suites);
    mbedtls_ssl_conf_rng(&conf, mbedtls_ctr_drbg_random, &drbg);
    ret = mbedtls_ssl_conf_psk(&conf, psk, psk_len,
                               (const unsigned char *)argv[3],
                               strlen(argv[3]));
    if (ret) {
        return fail("ssl_conf_psk", ret);
    }

    for (int i = 0; i < count; i++) {
        mbedtls_net_context net;
        mbedtls_ssl_context ssl;
        double t0 = now_ms();

        mbedtls_net_init(&net);
        mbedtls_ssl_init(&ssl);
        ret = mbedtls_net_connect(&net, argv[1], argv[2],
                                  MBEDTLS_NET_PROTO_TCP);
        if (ret) {
            return fail("connect", ret);
        }
        /* mbedTLS writes each handshake record on its own: without
         * TCP_NODELAY, Nagle and delayed ACKs add ~40 ms per handshake. */
        int one = 1;
        setsockopt(net.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        ret = mbedtls_ssl_setup(&ssl, &conf);
        if (ret) {
            return fail("ssl_setup", ret);
        }
        mbedtls_ssl_set_bio(&ssl, &net, mbedtls_net_send, mbedtls_net_recv,
                            NULL);
        while ((ret = mbedtls_ssl_handshake(&ssl)) != 0) {
            if (ret != MBEDTLS_ERR_SSL_WANT_READ &&
                ret != MBEDTLS_ERR_SSL_WANT_WRITE) {
                return fail("handshake", ret);
            }
        }
        printf("%.3f\n", now_ms() - t0);
        fflush(stdout);
        mbedtls_ssl_close_notify(&ssl);
        mbedtls_ssl_free(&ssl);
        mbedtls_net_free(&net);
        /*
         * Untimed pause: a card serves few TLS sessions at once and frees
         * a slot once it has processed the close, so back-to-back
         * connections would measure its slot limit, not its handshake.
         */
        nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000 * 1000 }, NULL);
    }
    mbedtls_ssl_config_free(&conf);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    mbedtls_psa_crypto_free();
    return 0;
}
