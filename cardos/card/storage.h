/*
 * storage: the card's object store (store/store.h) on its NVM partition
 * (card/nvm_partitions.h), mounted once at boot.
 *
 * storage_init() mounts the store. On an erased NVM (first boot) it
 * formats it, as DESIGN.md says; a store that is damaged, foreign or of
 * another version is NOT reformatted: storage_status() then reports the
 * mount error, storage_store() is NULL, and commands that need storage
 * answer 6581 (memory failure). Only the personalization command
 * FORMAT NVM (applets/perso_applet.h) reformats it, through
 * storage_reformat_start() / storage_reformat_step(). Log lines:
 *   I store: formatted the erased NVM
 *   I store: <n> objects, <k> KiB free
 *   E store: NVM unusable: <reason> (storage commands answer 6581)
 *   W store: reformatted: <n> pages erased
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_CARD_STORAGE_H
#define CARDOS_CARD_STORAGE_H

#include "store/store.h"

/* Mount (or, on an erased NVM, format) the store; returns its result. */
int storage_init(void);
/* The mounted store, or NULL if storage_init failed or was not called. */
struct store *storage_store(void);
/* STORE_OK, or the error storage_init met (STORE_ERR_STATE before it). */
int storage_status(void);

/* storage_reformat_step(): pages remain to be erased, call again */
#define STORAGE_REFORMAT_BUSY 1
/* pages erased by one storage_reformat_step() (2 ms each) */
#define STORAGE_REFORMAT_STEP_PAGES 8u

/*
 * Start a reformat: the store goes out of use at once (storage_store()
 * NULL, storage_status() STORE_ERR_STATE; its users must have let go of
 * it) and the erase restarts at the last page.
 */
void storage_reformat_start(void);
/*
 * Erase up to STORAGE_REFORMAT_STEP_PAGES pages of the whole NVM that are
 * not erased, from its last page down: the code area, then the store
 * (STORAGE_REFORMAT_BUSY while pages remain); after page 0, format
 * a new store over the erased NVM (a fresh TRNG nonce; erase counts start
 * again) and return its result: STORE_OK, the store is mounted and empty.
 * A refused erase: STORE_ERR_IO, the store stays out of use. Called
 * without storage_reformat_start(): STORE_ERR_STATE. A power cut part
 * way leaves an unusable store or an erased NVM (formatted at boot).
 */
int storage_reformat_step(void);

#endif /* CARDOS_CARD_STORAGE_H */
