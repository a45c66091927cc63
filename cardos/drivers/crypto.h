/*
 * Crypto coprocessor driver (peripherals/netcard_crypto.h, docs/crypto.md
 * "Crypto coprocessor"): runs one command at a time and waits for it.
 * Register level only; the algorithms' rules (key slots, lengths, bounce
 * buffers) are the crypto layer's (crypto/crypto.h).
 *
 * Waiting: STATUS is polled for a short while (symmetric commands take a
 * few microseconds), then the CPU sleeps (WFI) until the completion
 * interrupt (NVIC line NETCARD_IRQ_CRYPTO, INTEN.DONE), with SysTick set
 * to wake it at the time-out (drivers/wake.h). The interrupt handler
 * only acknowledges INTSTAT. A command still busy after
 * CRYPTO_DRV_TIMEOUT_MS of card time is a time-out, which the crypto
 * layer takes for a failed engine (the refused state). The time-out is
 * under the watchdog's bark (drivers/watchdog.h), and each command
 * restarts the watchdog, so a slow or stuck engine never makes the card
 * reset itself. The slowest command at the default timing, an RSA-4096
 * CRT operation, takes 320 ms; the engine's timing properties can make
 * commands longer (docs/crypto.md "Timing model").
 *
 * DMA: the caller passes addresses the device accepts (RAM, or NVM for
 * sources, word aligned: docs/crypto.md "DMA rules").
 *
 * Main loop only; not for interrupt handlers.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_DRIVERS_CRYPTO_H
#define CARDOS_DRIVERS_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netcard_crypto.h"

#define CRYPTO_DRV_TIMEOUT_MS   500u
/* crypto_drv_run() result besides the device's ERRCODE (0..14) */
#define CRYPTO_DRV_ERR_TIMEOUT  0x100

/* One command's parameters (registers left as they are when 0/NULL). */
struct crypto_drv_cmd {
    uint32_t cmd;                   /* CMD word: OP, DEC, ALG, CTX, KEY... */
    uintptr_t src, dst, aux;
    uint32_t len;
    uint32_t keycfg;
};

/* Coprocessor present? Enables its completion interrupt. */
bool crypto_drv_init(void);

/*
 * Run one command and wait for it. Returns the device's ERRCODE
 * (NETCARD_CRYPTO_OK = 0, else NetcardCryptoErr) or
 * CRYPTO_DRV_ERR_TIMEOUT. *OUTLEN (may be NULL) gets OUTLEN.
 */
int crypto_drv_run(const struct crypto_drv_cmd *c, uint32_t *outlen);

/* IV / counter block registers (WORDS 2 for TDES, 4 for AES). */
void crypto_drv_set_iv(const uint8_t *iv, unsigned words);
void crypto_drv_get_iv(uint8_t *iv, unsigned words);
/* Stage LEN (<= 256) bytes of key material in KEYDATA. */
void crypto_drv_set_keydata(const uint8_t *key, uint32_t len);

/* Commands completed since boot, and the sum of their CYCLES. */
/*
 * Can the coprocessor's DMA read LEN bytes at P (4-aligned, in RAM or the
 * NVM array) / write them (4-aligned, in RAM only)? Its windows
 * (peripherals/netcard_crypto.h, docs/crypto.md): anything else is
 * refused by the device, so callers bounce such buffers.
 */
bool crypto_drv_dma_source_ok(const void *p, size_t len);
bool crypto_drv_dma_dest_ok(const void *p, size_t len);

uint32_t crypto_drv_ops(void);
uint32_t crypto_drv_cycles(void);

#endif /* CARDOS_DRIVERS_CRYPTO_H */
