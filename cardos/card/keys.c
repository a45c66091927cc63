/*
 * The card's keys. Contract: card/keys.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "card/keys.h"

#include <string.h>

#include "card/admin.h"
#include "card/storage.h"
#include "crypto/keystore.h"
#include "gp/isd.h"
#include "net/tls/tls.h"

#define LOG_MODULE "keys"
#include "kernel/log.h"

#define CARD_TLS_TEST_IDENTITY "netcard-test"
static const uint8_t card_tls_test_psk[16] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
    0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
};

void card_keys_personalise(void)
{
    struct store *st = storage_store();
    int rc;

    if (st == NULL) {
        return;
    }
    /* the card manager's key sets and card record (gp/isd.h) */
    rc = gp_personalise(st);
    if (rc != STORE_OK) {
        LOG_E("GlobalPlatform key sets not personalised: %s",
              store_strerror(rc));
    }
    if (keystore_info(st, CARD_KEY_TLS_TEST, NULL, NULL) != STORE_ERR_NOT_FOUND) {
        return;
    }
    rc = keystore_put(st, CARD_KEY_TLS_TEST, KEYSTORE_TYPE_PSK_TLS,
                      card_tls_test_psk, sizeof(card_tls_test_psk));
    if (rc != STORE_OK) {
        LOG_E("TLS test key not personalised: %s", store_strerror(rc));
    }
}

/* The TLS server role asks: the stored key of a known identity. */
static size_t psk_server_key(void *ctx, const uint8_t *id, size_t id_len,
                             uint8_t key[TLS_PSK_KEY_MAX])
{
    size_t len = 0;

    (void)ctx;
    if (id_len != sizeof(CARD_TLS_TEST_IDENTITY) - 1 ||
        memcmp(id, CARD_TLS_TEST_IDENTITY, id_len) != 0 ||
        keystore_read(storage_store(), CARD_KEY_TLS_TEST,
                      KEYSTORE_TYPE_PSK_TLS, key, TLS_PSK_KEY_MAX,
                      &len) != STORE_OK) {
        return 0;
    }
    return len;
}

void card_keys_register(void)
{
    static const struct tls_psk_provider provider = {
        .server_key = psk_server_key,
        .client_psk = card_admin_client_psk,    /* card/admin.h */
    };

    tls_set_psk_provider(&provider);
}
