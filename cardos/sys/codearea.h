/*
 * The NVM code area: where native load files live, executed in place
 * (docs/applets.md "Content management").
 *
 * Each load file occupies whole pages (SYS_CODE_PAGE bytes), from the
 * first page the allocator picks. What is live is recorded in the store,
 * one object per file (SYS_OBJ_FILE(first page): AID, size); the pages
 * no record covers are free, whatever they hold (an abandoned or torn
 * load, a deleted file) and are erased when a new load takes them.
 * Allocation policy: first fit, lowest pages first; no compaction (files
 * are executed in place, moving one would need its instances stopped);
 * docs/applets.md gives the fragmentation bound the tests check.
 *
 * A load: sys_code_load_begin(size) takes free pages (erasing them),
 * sys_code_load_write() appends (programs rows as they fill), and
 * sys_code_load_stage() checks the whole file where it lies (sys/ncap.h,
 * hash included) and stages its record into the caller's open store
 * transaction. The pages count as used once a sys_code_refresh() sees
 * the committed record. Context: the event loop.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_SYS_CODEAREA_H
#define CARDOS_SYS_CODEAREA_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"
#include "sys/ncap.h"

#define SYS_CODE_PAGE         4096u
#define SYS_CODE_PAGES_MAX    4096u             /* a 16 MiB NVM */
#define SYS_OBJ_FILE(page)    (0x4E4C0000u | (uint16_t)(page))  /* "NL" */
#define SYS_OBJ_FILE_LAST     0x4E4CFFFFu

/* The code area as the card's wiring hands it over (card/nvm_partitions). */
struct sys_code_flash {
    const uint8_t *base;        /* mapped, executable */
    uint32_t pages;             /* 0: no code area */
    int (*program)(uint32_t offset, const void *data, uint32_t len);
    int (*erase)(uint32_t page);
    bool (*erased)(uint32_t page);
};

/* A live load file. */
struct sys_code_file {
    uint32_t page, size;
    uint8_t aid_len, aid[NCAP_AID_MAX];
    const uint8_t *bytes;       /* where it lies */
};

void sys_code_init(const struct sys_code_flash *flash,
                   struct store *(*store)(void), ncap_sha256_fn sha256);
/* Rebuild the page map from the store's records (after a mount, a
 * commit or an abort). */
void sys_code_refresh(void);

/* 0, or a GP status word: 6A84 (no room), 6581 (the NVM failed). */
uint16_t sys_code_load_begin(uint32_t size);
uint16_t sys_code_load_write(const uint8_t *data, uint32_t len);
/* Check the file (6A80: not a good load file, or not named AID) and
 * stage its record into ST's open transaction; INFO filled. */
uint16_t sys_code_load_stage(struct store *st, const uint8_t *aid,
                             uint8_t aid_len, struct ncap_info *info);
void sys_code_load_abort(void);

/* The live file named AID: true and F filled. */
bool sys_code_find(const uint8_t *aid, uint8_t aid_len,
                   struct sys_code_file *f);
/* Stage the removal of the file named AID (STORE_OK if there is none). */
int sys_code_stage_remove(struct store *st, const uint8_t *aid,
                          uint8_t aid_len);

/* Pages: the area's, the used ones, the largest free run. */
uint32_t sys_code_pages(void);
uint32_t sys_code_used_pages(void);
uint32_t sys_code_largest_free(void);

#endif /* CARDOS_SYS_CODEAREA_H */
