/*
 * storage: the card's object store (store/store.h) on the NVM (all 256
 * pages, drivers/nvm.h), mounted once at boot.
 *
 * storage_init() mounts the store. On an erased NVM (first boot) it
 * formats it, as DESIGN.md says; a store that is damaged, foreign or of
 * another version is NOT reformatted: storage_status() then reports the
 * mount error, storage_store() is NULL, and commands that need storage
 * answer 6581 (memory failure). Reformatting is left to an explicit
 * personalization command. Log lines:
 *   I store: formatted the erased NVM
 *   I store: <n> objects, <k> KiB free
 *   E store: NVM unusable: <reason> (storage commands answer 6581)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_KERNEL_STORAGE_H
#define CARDOS_KERNEL_STORAGE_H

#include "store/store.h"

/* Mount (or, on an erased NVM, format) the store; returns its result. */
int storage_init(void);
/* The mounted store, or NULL if storage_init failed or was not called. */
struct store *storage_store(void);
/* STORE_OK, or the error storage_init met (STORE_ERR_STATE before it). */
int storage_status(void);

#endif /* CARDOS_KERNEL_STORAGE_H */
