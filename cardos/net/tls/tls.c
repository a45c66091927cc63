/*
 * TLS configuration per role and the PSK provider. See tls.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "mbedtls/ctr_drbg.h"
#include "mbedtls/platform_util.h"
#include "mbedtls/ssl.h"

#include "crypto/drbg.h"
#include "net/tls/tls.h"

_Static_assert(TLS_PSK_KEY_MAX == MBEDTLS_PSK_MAX_LEN,
               "TLS_PSK_KEY_MAX is mbedTLS's PSK buffer");
_Static_assert(TLS_ERR_NO_PSK == MBEDTLS_ERR_SSL_UNKNOWN_IDENTITY,
               "TLS_ERR_NO_PSK is mbedTLS's unknown identity");

static const struct tls_psk_provider *psk_provider;

static const int ciphersuites[] = {
    MBEDTLS_TLS_PSK_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_PSK_WITH_AES_128_CBC_SHA256,
    0
};

static const int ciphersuites_null[] = {
    MBEDTLS_TLS_PSK_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_PSK_WITH_AES_128_CBC_SHA256,
    MBEDTLS_TLS_PSK_WITH_NULL_SHA256,
    0
};

void tls_conf_allow_null(struct mbedtls_ssl_config *conf)
{
    mbedtls_ssl_conf_ciphersuites(conf, ciphersuites_null);
}

void tls_set_psk_provider(const struct tls_psk_provider *provider)
{
    psk_provider = provider;
}

/* mbedTLS f_psk (server role): the key for the identity the client sent. */
static int psk_for_identity(void *arg, mbedtls_ssl_context *ssl,
                            const unsigned char *id, size_t id_len)
{
    uint8_t key[TLS_PSK_KEY_MAX];
    size_t n = 0;
    int r = -1;         /* mbedTLS: unknown_psk_identity */

    (void)arg;
    if (psk_provider && psk_provider->server_key) {
        n = psk_provider->server_key(psk_provider->ctx, id, id_len, key);
    }
    if (n > 0 && n <= sizeof(key)) {
        r = mbedtls_ssl_set_hs_psk(ssl, key, n);    /* copies it */
    }
    mbedtls_platform_zeroize(key, sizeof(key));
    return r;
}

/* Client role: the identity and key the provider has for REF. */
static int client_psk(mbedtls_ssl_config *conf, uint32_t ref)
{
    uint8_t id[TLS_PSK_IDENTITY_MAX];
    uint8_t key[TLS_PSK_KEY_MAX];
    size_t id_len = 0, key_len = 0;
    int r = TLS_ERR_NO_PSK;

    if (psk_provider && psk_provider->client_psk &&
        psk_provider->client_psk(psk_provider->ctx, ref, id, &id_len, key,
                                 &key_len) &&
        id_len > 0 && id_len <= sizeof(id) && key_len > 0 &&
        key_len <= sizeof(key)) {
        r = mbedtls_ssl_conf_psk(conf, key, key_len, id, id_len); /* copies */
    }
    mbedtls_platform_zeroize(key, sizeof(key));
    return r;
}

int tls_config(struct mbedtls_ssl_config *conf, enum tls_role role,
               uint32_t psk_ref)
{
    int r;

    if (!crypto_drbg_ready()) {
        return MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
    }
    r = mbedtls_ssl_config_defaults(conf, role == TLS_ROLE_CLIENT ?
                                    MBEDTLS_SSL_IS_CLIENT :
                                    MBEDTLS_SSL_IS_SERVER,
                                    MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT);
    if (r != 0) {
        return r;
    }
    mbedtls_ssl_conf_rng(conf, crypto_drbg_f_rng, NULL);
    mbedtls_ssl_conf_min_tls_version(conf, MBEDTLS_SSL_VERSION_TLS1_2);
    mbedtls_ssl_conf_max_tls_version(conf, MBEDTLS_SSL_VERSION_TLS1_2);
    mbedtls_ssl_conf_ciphersuites(conf, ciphersuites);
    if (role == TLS_ROLE_CLIENT) {
        return client_psk(conf, psk_ref);
    }
    mbedtls_ssl_conf_psk_cb(conf, psk_for_identity, NULL);
    return 0;
}
