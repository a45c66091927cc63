/*
 * NVM driver (peripherals/netcard_nvm.h, docs/nvm.md): programs and erases
 * the NOR flash at NETCARD_NVM_BASE through the NVM controller, polled.
 * Reads are plain memory reads of the array. The array's size is the
 * machine's choice (nvm-size, 1 to 16 MiB): the controller tells it
 * (NVMC_SIZE), nvm_size() and nvm_pages() report it.
 *
 * Every function waits for the operation to finish (at most about 2 ms, a
 * page erase) and returns 0 or a negative error: -NVMC_ERR_* (the
 * controller's ERRCODE) or NVM_ERR_TIMEOUT / NVM_ERR_PARAM. Not for use
 * from interrupt handlers.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_DRIVERS_NVM_H
#define CARDOS_DRIVERS_NVM_H

#include <stdbool.h>
#include <stdint.h>

#include "netcard_nvm.h"
#include "netcard_memmap.h"

#define NVM_ERR_PARAM    (-100)   /* misaligned, crosses a page, outside */
#define NVM_ERR_TIMEOUT  (-101)   /* the controller stayed busy */

/* The array as memory. */
static inline const uint8_t *nvm_array(void)
{
    return (const uint8_t *)NETCARD_NVM_BASE;
}

/* The array's size in bytes (NVMC_SIZE, read once). */
uint32_t nvm_size(void);
/* Pages of NETCARD_NVM_PAGE_SIZE bytes in the array. */
uint32_t nvm_pages(void);
/* Controller present and idle? (reads its ID) */
int nvm_probe(void);
/*
 * Program LEN bytes (a multiple of 4) of DATA at byte OFFSET of the array
 * (4-aligned), within one page, with NOR semantics (bits only clear).
 * Runs as rows of up to 256 bytes.
 */
int nvm_program(uint32_t offset, const void *data, uint32_t len);
/* Erase page PAGE (0 .. nvm_pages() - 1) to 0xFF. */
int nvm_erase_page(uint32_t page);
/* Is page PAGE all 0xFF? (false beyond the array) */
bool nvm_page_erased(uint32_t page);
/* Refuse every program/erase until the next reset (one way). */
void nvm_lock(void);


#endif /* CARDOS_DRIVERS_NVM_H */
