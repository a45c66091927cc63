/*
 * What crypto/crypto.c shares with crypto/slot.c (the engine primitives
 * of the key handles): the refused state, the mapping of engine results,
 * key loading and the DMA bounce buffer (CRYPTO_BOUNCE_SIZE bytes, word
 * aligned, in RAM). Not for other layers.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_CRYPTO_CRYPTO_INT_H
#define CARDOS_CRYPTO_CRYPTO_INT_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

/* CRYPTO_ERR_REFUSED once the card is refused, else CRYPTO_OK. */
enum crypto_status crypto_int_in_service(void);
/* A crypto_drv_run() result as a status (an engine error refuses). */
enum crypto_status crypto_int_result(int err, const char *what);
/* KEY_LOAD of LEN bytes into engine slot SLOT (KEYDATA up to 256). */
enum crypto_status crypto_int_load_key(uint32_t slot, uint32_t type,
                                       uint32_t usage, const uint8_t *key,
                                       size_t len);
uint8_t *crypto_int_bounce(void);
/* crypto/ec.c: forget the EC key ids' curves (crypto_init). */
void crypto_int_ec_reset(void);

#endif /* CARDOS_CRYPTO_CRYPTO_INT_H */
