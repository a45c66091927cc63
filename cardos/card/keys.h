/*
 * The card's keys: which keys the product has, where they live and who
 * may use them.
 *
 * Today one: the HTTPS server's pre-shared key for the PSK identity
 * "netcard-test", in the key store (crypto/keystore.h) as key
 * CARD_KEY_TLS_TEST, type 85 (PSK for TLS). Until the card manager
 * provisions keys, it holds the documented test value
 * (docs/network.md).
 *
 *   card_keys_personalise()  write the documented test key into the
 *                            store if the store has none, and let the
 *                            card manager personalise its key sets
 *                            (gp/isd.h gp_personalise, once per store): at first boot
 *                            and after a FORMAT NVM (card/main.c,
 *                            card/applications.c); never over a key that
 *                            is there (nor over a damaged one), never into
 *                            an unusable store. A failure is logged:
 *                            "E keys: TLS test key not personalised: <store
 *                            error>".
 *   card_keys_register()     register the TLS PSK provider (net/tls/tls.h)
 *                            that answers the HTTPS server with the
 *                            stored key of a known identity, read from the
 *                            key store at each handshake.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_CARD_KEYS_H
#define CARDOS_CARD_KEYS_H

#define CARD_KEY_TLS_TEST 0xFF01u

void card_keys_personalise(void);
void card_keys_register(void);

#endif /* CARDOS_CARD_KEYS_H */
