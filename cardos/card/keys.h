/*
 * The card's keys: which keys the product has and who may use them.
 *
 * card_keys_register() registers the TLS PSK provider
 * (net/tls/tls.h) that the HTTPS server asks for the key of a PSK
 * identity: the documented test identity "netcard-test" with its test key
 * (docs/network.md), until the card manager provisions keys.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_CARD_KEYS_H
#define CARDOS_CARD_KEYS_H

void card_keys_register(void);

#endif /* CARDOS_CARD_KEYS_H */
