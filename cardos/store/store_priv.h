/*
 * store internals shared by store_write.c (writes: format, pages,
 * transactions, the collector), store_mount.c (recovery) and
 * store_index.c (the RAM index and reads): the on-flash layout of
 * docs/store.md and small helpers. Not part of the store's contract
 * (store.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_STORE_STORE_PRIV_H
#define CARDOS_STORE_STORE_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "store/crc32.h"
#include "store/store.h"

/* ---- on-flash layout (docs/store.md) -------------------------------- */

#define PH_MAGIC     0      /* u32 "NCST" */
#define PH_VERSION   4      /* u16 */
#define PH_SHIFT     6      /* u8 log2(page size) */
#define PH_RSVD      7      /* u8 0xFF */
#define PH_COUNT     8      /* u16 page count */
#define PH_RSVD2     10     /* u16 0xFFFF */
#define PH_NONCE     12     /* u32 */
#define PH_ERASES    16     /* u32 erase count */
#define PH_FCRC      20     /* u32 CRC-32 of bytes 0..19 */
#define PH_SEQ       24     /* u32 sequence number */
#define PH_SCRC      28     /* u32 CRC-32 of bytes 0..27 */
#define PH_OBSOLETE  32     /* u32 0xFFFFFFFF, 0 once collected */
#define PH_SIZE      36
#define PH_FORMAT_LEN 24    /* bytes written by "format page" */

#define PAGE_MAGIC   0x5453434eu    /* "NCST" little-endian */

#define R_TYPE       0      /* u8 */
#define R_FLAGS      1      /* u8 */
#define R_LEN        2      /* u16 payload length */
#define R_ID         4      /* u32 */
#define R_TXN        8      /* u32 */
#define R_NREC       12     /* u16 records in the txn (COMMIT only) */
#define R_RSVD       14     /* u16 0xFFFF */
#define R_PCRC       16     /* u32 CRC-32 of the payload */
#define R_HCRC       20     /* u32 CRC-32 of bytes 0..19 */
#define R_VOID       24     /* u32 0xFFFFFFFF, 0 = torn, ignore */
#define R_SEAL       24     /* the same word of a SECURE record: 0 = sealed */
#define R_SIZE       28
/*
 * A SECURE record (the last record of a secure transaction) holds a copy
 * of header bytes 0..23 after its header and its payload after the copy
 * (docs/store.md, "Security objects").
 */
#define R_COPY       28     /* 24 bytes: copy of bytes 0..23 */
#define R_COPY_LEN   24
#define R_SEC_SIZE   52     /* header + copy: where a SECURE payload starts */

#define T_PUT        0x50   /* 'P' */
#define T_DEL        0x44   /* 'D' */
#define T_TAIL       0x54   /* 'T' */
#define F_COMMIT     0x01
#define F_GC         0x02
#define F_SEC        0x04   /* SECURE: copy of the header, R_SEAL word */

/* Format version from which SECURE records exist (store.h). */
#define VERSION_SECURE 2

/*
 * The RAM index (obj_loc, struct replay) names a record by its flash
 * offset, a multiple of 4. Bit 0 set: the record's header is damaged and
 * its copy (R_COPY) is the header to read (a SECURE record, rule 8).
 */
#define LOC_COPY     1u
#define LOC_MASK     (~3u)

#define ID_NONE      0u
#define ID_MAX       0xfffffffeu

enum page_state {
    PG_BLANK = 0,   /* header erased: unused, erase count unknown */
    PG_FREE,        /* formatted, not in the log */
    PG_ACTIVE,      /* in the log */
    PG_DIRTY,       /* to be erased (half-done erase/format/open, collected) */
};

/* ---- small helpers --------------------------------------------------- */

/*
 * Little-endian loads. The card (Cortex-M33) and every host we test on are
 * little-endian; memcpy compiles to one load (unaligned loads are legal on
 * both), which matters: mount reads thousands of headers.
 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the store assumes a little-endian CPU"
#endif

static inline uint32_t rd16(const uint8_t *p)
{
    uint16_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}

static inline uint32_t rd32(const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}

static inline void wr16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline uint32_t rec_size(uint32_t len)
{
    return R_SIZE + ((len + 3u) & ~3u);
}

/* Every byte 0xFF? A word at a time: mount checks the rest of the head
 * page and open_page a whole page (P and LEN are multiples of 4 there). */
static inline bool all_ff(const uint8_t *p, uint32_t len)
{
    if (((uintptr_t)p & 3u) == 0) {
        for (; len >= 4; p += 4, len -= 4) {
            if (rd32(p) != 0xffffffffu) {
                return false;
            }
        }
    }
    while (len--) {
        if (*p++ != 0xff) {
            return false;
        }
    }
    return true;
}

static inline const uint8_t *page_ptr(const struct store *s, uint32_t page)
{
    return s->f.base + page * s->f.page_size;
}

static inline unsigned page_shift(uint32_t size)
{
    unsigned n = 0;

    while ((1u << n) < size) {
        n++;
    }
    return n;
}

/* Size in flash of the record whose (valid) header is H. */
static inline uint32_t hdr_rec_size(const uint8_t *h)
{
    return rec_size(rd16(h + R_LEN)) +
           ((h[R_FLAGS] & F_SEC) ? R_COPY_LEN : 0u);
}

/* The record at index location LOC, and the header to read there. */
static inline const uint8_t *rec_at(const struct store *s, uint32_t loc)
{
    return s->f.base + (loc & LOC_MASK);
}

static inline const uint8_t *hdr_at(const struct store *s, uint32_t loc)
{
    return rec_at(s, loc) + ((loc & LOC_COPY) ? R_COPY : 0u);
}

/* Payload of record R whose (valid) header is H. */
static inline const uint8_t *payload_of(const uint8_t *r, const uint8_t *h)
{
    return r + ((h[R_FLAGS] & F_SEC) ? R_SEC_SIZE : R_SIZE);
}

static inline bool payload_ok(const uint8_t *r, const uint8_t *h)
{
    return crc32(payload_of(r, h), rd16(h + R_LEN)) == rd32(h + R_PCRC);
}

static inline int check_ready(const struct store *s)
{
    if (!s || !s->mounted) {
        return STORE_ERR_STATE;
    }
    return s->error;
}

/* Erased pages, formatted or not: what the log can still open. */
static inline uint32_t free_pages(const struct store *s)
{
    uint32_t n = 0;

    for (uint32_t p = 0; p < s->f.page_count; p++) {
        if (s->pages[p].state == PG_BLANK || s->pages[p].state == PG_FREE) {
            n++;
        }
    }
    return n;
}

/* ---- RAM index --------------------------------------------------------- */

/*
 * The index is an open-addressing hash table (linear probing) of
 * STORE_INDEX_SLOTS slots, at most half full; id 0 marks an empty slot.
 * Mount inserts every object: this keeps that O(1) per record.
 */
#define SLOT_MASK (STORE_INDEX_SLOTS - 1u)
_Static_assert((STORE_INDEX_SLOTS & SLOT_MASK) == 0 &&
               STORE_INDEX_SLOTS >= 2 * STORE_MAX_OBJECTS,
               "STORE_INDEX_SLOTS: a power of two, twice the objects");

static inline uint32_t idx_home(uint32_t id)
{
    uint32_t h = id * 2654435761u;

    return (h ^ (h >> 16)) & SLOT_MASK;
}

/* Slot of ID, or -1. */
static inline int idx_find(const struct store *s, uint32_t id)
{
    for (uint32_t i = idx_home(id);; i = (i + 1) & SLOT_MASK) {
        if (s->obj_id[i] == id) {
            return (int)i;
        }
        if (s->obj_id[i] == 0) {
            return -1;
        }
    }
}

static inline uint32_t loc_size(const struct store *s, uint32_t loc)
{
    return hdr_rec_size(hdr_at(s, loc));
}

/* Per-page live counts (for begin's look-ahead, record_budget_at_risk). */
static inline void live_move(struct store *s, uint32_t from_loc,
                             uint32_t to_loc)
{
    if (from_loc != UINT32_MAX) {
        s->live[from_loc / s->f.page_size]--;
    }
    if (to_loc != UINT32_MAX) {
        s->live[to_loc / s->f.page_size]++;
    }
}

/* store_index.c */
int store_idx_put(struct store *s, uint32_t id, uint32_t loc);
void store_idx_del(struct store *s, uint32_t id);
/* The records of the live objects, in bytes (what mount sets
 * live_bytes to). */
uint32_t store_idx_live_bytes(const struct store *s);

/* store_mount.c: what mount and format start with (check, clean RAM). */
int store_attach(struct store *s, const struct store_flash *f);

#endif /* CARDOS_STORE_STORE_PRIV_H */
