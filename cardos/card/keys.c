/*
 * The card's keys. Contract: card/keys.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "card/keys.h"

#include <string.h>

#include "net/tls/tls.h"

#define CARD_TLS_TEST_IDENTITY "netcard-test"
static const uint8_t card_tls_test_psk[16] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
    0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
};

static size_t psk_server_key(void *ctx, const uint8_t *id, size_t id_len,
                             uint8_t key[TLS_PSK_KEY_MAX])
{
    (void)ctx;
    if (id_len != sizeof(CARD_TLS_TEST_IDENTITY) - 1 ||
        memcmp(id, CARD_TLS_TEST_IDENTITY, id_len) != 0) {
        return 0;
    }
    memcpy(key, card_tls_test_psk, sizeof(card_tls_test_psk));
    return sizeof(card_tls_test_psk);
}

void card_keys_register(void)
{
    static const struct tls_psk_provider provider = {
        .server_key = psk_server_key,
    };

    tls_set_psk_provider(&provider);
}
