/*
 * The NVM code area. Contract: sys/codearea.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "apdu/apdu.h"
#include "sys/codearea.h"

#define LOG_MODULE "sys"
#include "kernel/log.h"

#define SW_NOT_ENOUGH_MEMORY 0x6A84u
#define ROW 256u
/* record: aid_len, aid[16], size (4, little-endian) */
#define RECORD_LEN (1u + NCAP_AID_MAX + 4u)

static struct {
    const struct sys_code_flash *fl;
    struct store *(*store)(void);
    ncap_sha256_fn sha256;
    uint8_t used[SYS_CODE_PAGES_MAX / 8];
    uint32_t used_pages;
    /* the load in progress */
    bool active;
    uint32_t first, size, written;
    uint8_t row[ROW];
    uint32_t row_len;
} ca;

static bool page_used(uint32_t p)
{
    return (ca.used[p / 8] >> (p % 8)) & 1u;
}

static void mark(uint32_t first, uint32_t n)
{
    for (uint32_t p = first; p < first + n && p < SYS_CODE_PAGES_MAX; p++) {
        if (!page_used(p)) {
            ca.used[p / 8] |= (uint8_t)(1u << (p % 8));
            ca.used_pages++;
        }
    }
}

static uint32_t pages_for(uint32_t size)
{
    return (size + SYS_CODE_PAGE - 1u) / SYS_CODE_PAGE;
}

static uint32_t area_pages(void)
{
    uint32_t n = ca.fl ? ca.fl->pages : 0;

    return n > SYS_CODE_PAGES_MAX ? SYS_CODE_PAGES_MAX : n;
}

static bool read_record(const struct store *st, uint32_t id,
                        struct sys_code_file *f)
{
    uint8_t r[RECORD_LEN];
    uint32_t len = 0;

    if (store_read(st, id, r, sizeof(r), &len) != STORE_OK ||
        len != RECORD_LEN || r[0] < NCAP_AID_MIN || r[0] > NCAP_AID_MAX) {
        return false;
    }
    f->page = id & 0xFFFFu;
    f->aid_len = r[0];
    memcpy(f->aid, r + 1, NCAP_AID_MAX);
    f->size = (uint32_t)r[17] | (uint32_t)r[18] << 8 |
              (uint32_t)r[19] << 16 | (uint32_t)r[20] << 24;
    if (f->page >= area_pages() ||
        pages_for(f->size) > area_pages() - f->page) {
        return false;
    }
    f->bytes = ca.fl->base + f->page * SYS_CODE_PAGE;
    return true;
}

void sys_code_init(const struct sys_code_flash *flash,
                   struct store *(*store)(void), ncap_sha256_fn sha256)
{
    memset(&ca, 0, sizeof(ca));
    ca.fl = flash;
    ca.store = store;
    ca.sha256 = sha256;
}

void sys_code_refresh(void)
{
    const struct store *st = ca.store ? ca.store() : NULL;
    uint32_t id = SYS_OBJ_FILE(0) - 1u;
    struct sys_code_file f;

    memset(ca.used, 0, sizeof(ca.used));
    ca.used_pages = 0;
    while (st && (id = store_next_id(st, id)) != 0 &&
           id <= SYS_OBJ_FILE_LAST) {
        if (read_record(st, id, &f)) {
            mark(f.page, pages_for(f.size));
        }
    }
    if (ca.active) {
        mark(ca.first, pages_for(ca.size));
    }
}

/* First fit: the lowest run of N free pages; false if none. */
static bool first_fit(uint32_t n, uint32_t *first)
{
    uint32_t run = 0, total = area_pages();

    for (uint32_t p = 0; p < total; p++) {
        run = page_used(p) ? 0 : run + 1;
        if (run == n) {
            *first = p + 1 - n;
            return true;
        }
    }
    return false;
}

uint16_t sys_code_load_begin(uint32_t size)
{
    uint32_t n = pages_for(size), first;

    sys_code_load_abort();
    sys_code_refresh();
    if (size < NCAP_HEADER_SIZE || !first_fit(n, &first)) {
        return SW_NOT_ENOUGH_MEMORY;
    }
    /* free pages may hold anything (a torn load, a deleted file) */
    for (uint32_t p = first; p < first + n; p++) {
        if (!ca.fl->erased(p) && ca.fl->erase(p) != 0) {
            LOG_E("code area: erasing page %u failed", (unsigned)p);
            return SW_MEMORY_FAILURE;
        }
    }
    ca.active = true;
    ca.first = first;
    ca.size = size;
    ca.written = 0;
    ca.row_len = 0;
    mark(first, n);
    return SW_OK;
}

static uint16_t flush_row(void)
{
    uint32_t len = (ca.row_len + 3u) & ~3u;

    if (ca.row_len == 0) {
        return SW_OK;
    }
    memset(ca.row + ca.row_len, 0xFF, len - ca.row_len);
    if (ca.fl->program(ca.first * SYS_CODE_PAGE + ca.written, ca.row,
                       len) != 0) {
        return SW_MEMORY_FAILURE;
    }
    ca.written += ca.row_len;
    ca.row_len = 0;
    return SW_OK;
}

uint16_t sys_code_load_write(const uint8_t *data, uint32_t len)
{
    if (!ca.active || len > ca.size - ca.written - ca.row_len) {
        return SW_WRONG_DATA;
    }
    while (len > 0) {
        uint32_t n = ROW - ca.row_len;

        if (n > len) {
            n = len;
        }
        memcpy(ca.row + ca.row_len, data, n);
        ca.row_len += n;
        data += n;
        len -= n;
        if (ca.row_len == ROW && flush_row() != SW_OK) {
            return SW_MEMORY_FAILURE;
        }
    }
    return SW_OK;
}

uint16_t sys_code_load_stage(struct store *st, const uint8_t *aid,
                             uint8_t aid_len, struct ncap_info *info)
{
    uint8_t r[RECORD_LEN] = { 0 };
    const uint8_t *file;
    enum ncap_error err;

    if (!ca.active || flush_row() != SW_OK) {
        return SW_MEMORY_FAILURE;
    }
    if (ca.written != ca.size) {
        return SW_WRONG_DATA;
    }
    file = ca.fl->base + ca.first * SYS_CODE_PAGE;
    err = ncap_check(file, ca.size, ca.sha256, info);
    if (err != NCAP_OK) {
        LOG_W("load file refused: %s", ncap_error_name(err));
        return SW_WRONG_DATA;
    }
    if (info->aid_len != aid_len || memcmp(info->aid, aid, aid_len) != 0) {
        LOG_W("load file refused: its package AID is not the one loaded");
        return SW_WRONG_DATA;
    }
    LOG_I("load file: %u bytes at 0x%08x, code at 0x%08x",
          (unsigned)ca.size, (unsigned)(uintptr_t)file,
          (unsigned)(uintptr_t)(file + info->code_offset));
    r[0] = aid_len;
    memcpy(r + 1, aid, aid_len);
    r[17] = (uint8_t)ca.size;
    r[18] = (uint8_t)(ca.size >> 8);
    r[19] = (uint8_t)(ca.size >> 16);
    r[20] = (uint8_t)(ca.size >> 24);
    return store_write(st, SYS_OBJ_FILE(ca.first), r, sizeof(r)) == STORE_OK ?
           SW_OK : SW_NOT_ENOUGH_MEMORY;
}

void sys_code_load_abort(void)
{
    ca.active = false;
    ca.row_len = 0;
}

bool sys_code_find(const uint8_t *aid, uint8_t aid_len,
                   struct sys_code_file *f)
{
    const struct store *st = ca.store ? ca.store() : NULL;
    uint32_t id = SYS_OBJ_FILE(0) - 1u;

    while (st && (id = store_next_id(st, id)) != 0 &&
           id <= SYS_OBJ_FILE_LAST) {
        if (read_record(st, id, f) && f->aid_len == aid_len &&
            memcmp(f->aid, aid, aid_len) == 0) {
            return true;
        }
    }
    return false;
}

int sys_code_stage_remove(struct store *st, const uint8_t *aid,
                          uint8_t aid_len)
{
    struct sys_code_file f;

    if (!sys_code_find(aid, aid_len, &f)) {
        return STORE_OK;
    }
    return store_delete(st, SYS_OBJ_FILE(f.page));
}

uint32_t sys_code_pages(void)
{
    return area_pages();
}

uint32_t sys_code_used_pages(void)
{
    return ca.used_pages;
}

uint32_t sys_code_largest_free(void)
{
    uint32_t run = 0, best = 0;

    for (uint32_t p = 0; p < area_pages(); p++) {
        run = page_used(p) ? 0 : run + 1;
        best = run > best ? run : best;
    }
    return best;
}
