/*
 * TLS on the card: TLS 1.2 with pre-shared keys (RFC 4279) only, cipher
 * suites TLS_PSK_WITH_AES_128_GCM_SHA256 and
 * TLS_PSK_WITH_AES_128_CBC_SHA256 (RFC 5487), in either role:
 *
 *   TLS_ROLE_SERVER  the card's HTTPS server (net/http/https_server.h):
 *                    the client names a PSK identity, the PSK provider
 *                    hands the key for it;
 *   TLS_ROLE_CLIENT  the admin agent (issue 15, GlobalPlatform
 *                    Amendment B): the PSK provider hands the identity and
 *                    key for a reference the agent names (the security
 *                    domain's SCP81 key set).
 *
 * tls_config() fills an mbedTLS configuration for a role: versions,
 * suites, the card's shared DRBG (crypto/drbg.h) and the PSK. mbedTLS
 * allocates from the heap in crypto/mbedtls_heap.h; the connection glue
 * to lwIP is net/tls/tls_conn.h. Both roles are compiled in
 * (MBEDTLS_SSL_SRV_C, MBEDTLS_SSL_CLI_C in crypto/mbedtls_config.h).
 *
 * PSK provider: keys do not live in TLS. The card's wiring registers one
 * provider at start-up (tls_set_psk_provider); it reads keys from the
 * key store (crypto/keystore.h). TLS copies a key into mbedTLS for the
 * handshake and wipes its own copy. Without a provider, or for an
 * identity it does not know, the handshake fails (unknown_psk_identity).
 *
 * This header needs no mbedTLS headers (the wiring includes it).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_NET_TLS_TLS_H
#define CARDOS_NET_TLS_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tls_role {
    TLS_ROLE_SERVER = 0,
    TLS_ROLE_CLIENT = 1,
};

#define TLS_PSK_KEY_MAX       32u   /* MBEDTLS_PSK_MAX_LEN */
#define TLS_PSK_IDENTITY_MAX  128u  /* what a client offers at most */

struct tls_psk_provider {
    /*
     * Server role: copy the key for IDENTITY (ID_LEN bytes, as the client
     * sent it, not NUL-terminated) into KEY; return its length
     * (1..TLS_PSK_KEY_MAX), or 0 for an unknown identity.
     */
    size_t (*server_key)(void *ctx, const uint8_t *identity, size_t id_len,
                         uint8_t key[TLS_PSK_KEY_MAX]);
    /*
     * Client role: the identity (up to TLS_PSK_IDENTITY_MAX bytes) and key
     * to offer for REF (what REF names is the wiring's business); false if
     * there is none. May be NULL while the card has no TLS client.
     */
    bool (*client_psk)(void *ctx, uint32_t ref, uint8_t *identity,
                       size_t *id_len, uint8_t key[TLS_PSK_KEY_MAX],
                       size_t *key_len);
    void *ctx;
};

/* Register the card's PSK provider (it must outlive every session). */
void tls_set_psk_provider(const struct tls_psk_provider *provider);

/* Client role: no PSK for the reference (MBEDTLS_ERR_SSL_UNKNOWN_IDENTITY). */
#define TLS_ERR_NO_PSK   (-0x6C80)

struct mbedtls_ssl_config;
/*
 * Client role, after tls_config(): also offer TLS_PSK_WITH_NULL_SHA256
 * (RFC 5487; integrity only, no confidentiality), after the two AES
 * suites, so a server that has an AES suite still picks it. Amendment B
 * 2.2.3 lists it; the card refuses it unless the security domain's
 * triggering parameters ask for it (DF3D, docs/remote-admin.md).
 */
void tls_conf_allow_null(struct mbedtls_ssl_config *conf);

/*
 * Fill CONF (mbedtls_ssl_config_init() done by the caller) for ROLE.
 * PSK_REF: client role only, the reference passed to the provider's
 * client_psk (the key is copied into CONF); ignored by the server role.
 * Returns 0, TLS_ERR_NO_PSK, or a negative mbedTLS error (no memory).
 * Needs a seeded DRBG: MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED
 * otherwise.
 */
int tls_config(struct mbedtls_ssl_config *conf, enum tls_role role,
               uint32_t psk_ref);

#endif /* CARDOS_NET_TLS_TLS_H */
