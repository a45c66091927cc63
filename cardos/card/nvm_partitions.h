/*
 * The card's NVM partitions (docs/nvm.md "Partitions"): the NVM array
 * (drivers/nvm.h, pages of NETCARD_NVM_PAGE_SIZE bytes) is split into
 *
 *   store      pages 0 .. 255         1 MiB    the object store
 *                                              (store/store.h): files,
 *                                              keys, the registry
 *   code area  pages 256 .. end       the rest load files, executed in
 *                                              place (XIP) by the CPU
 *
 * The store keeps the place and size it always had, so its images stay
 * valid; the code area is what an NVM larger than 1 MiB adds (none on a
 * 1 MiB NVM: loading code is then refused).
 *
 * Each partition is reached through its own adapter: programs and erases
 * are bounded to the partition (NVM_ERR_PARAM outside it), offsets and
 * page numbers are relative to its start. Card only.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_CARD_NVM_PARTITIONS_H
#define CARDOS_CARD_NVM_PARTITIONS_H

#include <stdbool.h>
#include <stdint.h>

#define NVM_STORE_FIRST_PAGE  0u
#define NVM_STORE_PAGES       256u
#define NVM_CODE_FIRST_PAGE   (NVM_STORE_FIRST_PAGE + NVM_STORE_PAGES)

struct nvm_partition {
    const char *name;
    uint32_t first_page;
    uint32_t pages;         /* 0: the NVM has no room for it */
};

/* Size the partitions from the NVM the driver reports; once, at boot. */
void nvm_partitions_init(void);

const struct nvm_partition *nvm_store_partition(void);
const struct nvm_partition *nvm_code_partition(void);

/* The partition as memory (read and execute in place). */
const uint8_t *nvm_partition_base(const struct nvm_partition *p);
uint32_t nvm_partition_size(const struct nvm_partition *p);
/* drivers/nvm.h semantics, within the partition. */
int nvm_partition_program(const struct nvm_partition *p, uint32_t offset,
                          const void *data, uint32_t len);
int nvm_partition_erase(const struct nvm_partition *p, uint32_t page);
/* Every byte 0xFF? */
bool nvm_partition_page_erased(const struct nvm_partition *p, uint32_t page);

/* The store's view (store/store.h) of partition P; ctx points at P. */
struct store_flash;
void nvm_partition_store_flash(const struct nvm_partition *p,
                               struct store_flash *f);

#endif /* CARDOS_CARD_NVM_PARTITIONS_H */
