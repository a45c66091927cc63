/*
 * Entropy for mbedTLS on the card: mbedtls_hardware_poll()
 * (MBEDTLS_ENTROPY_HARDWARE_ALT) reads the TRNG (peripherals/netcard_trng.h)
 * by polling its FIFO. It enables the TRNG if it is off and leaves it on.
 * This is the network layer's stop-gap until the card has a TRNG driver
 * with health tests; it is a weak definition, so a driver's
 * mbedtls_hardware_poll() replaces it without further changes.
 *
 * mbedtls_hardware_poll() fails (returns -1) if the block does not
 * identify itself as the TRNG or delivers nothing within a bounded spin.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_NET_TLS_ENTROPY_H
#define CARDOS_NET_TLS_ENTROPY_H

#include <stddef.h>

int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len,
                          size_t *olen);

#endif /* CARDOS_NET_TLS_ENTROPY_H */
