/*
 * store: transactional object store on NOR flash. Contract: store.h;
 * on-flash format and recovery rules: docs/store.md.
 *
 * A log of records in pages. Every page in the log has a sequence number;
 * records are appended to the newest page (the head). A transaction's
 * records share a transaction id; its last record carries the COMMIT flag
 * and the number of records. Mount replays the log oldest first and
 * applies a transaction only when its COMMIT record is intact. The garbage
 * collector copies the live objects of the oldest page to the head (as a
 * transaction of its own, ended by a TAIL record naming the new oldest
 * page), then marks, erases and reformats that page.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "store/store.h"

#include <string.h>

#include "store/crc32.h"

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
#define R_SIZE       28

#define T_PUT        0x50   /* 'P' */
#define T_DEL        0x44   /* 'D' */
#define T_TAIL       0x54   /* 'T' */
#define F_COMMIT     0x01
#define F_GC         0x02

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
#error "store.c assumes a little-endian CPU"
#endif

static uint32_t rd16(const uint8_t *p)
{
    uint16_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}

static uint32_t rd32(const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}

static void wr16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t rec_size(uint32_t len)
{
    return R_SIZE + ((len + 3u) & ~3u);
}

/* Every byte 0xFF? A word at a time: mount checks the rest of the head
 * page and open_page a whole page (P and LEN are multiples of 4 there). */
static bool all_ff(const uint8_t *p, uint32_t len)
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

static const uint8_t *page_ptr(const struct store *s, uint32_t page)
{
    return s->f.base + page * s->f.page_size;
}

static unsigned page_shift(uint32_t size)
{
    unsigned n = 0;

    while ((1u << n) < size) {
        n++;
    }
    return n;
}

static bool geometry_ok(const struct store_flash *f)
{
    return f && f->base && f->program && f->erase &&
           f->page_size >= 512 && f->page_size <= 65536 &&
           (f->page_size & (f->page_size - 1)) == 0 &&
           f->page_count >= STORE_MIN_PAGES &&
           f->page_count <= STORE_MAX_PAGES;
}

static int flash_program(struct store *s, uint32_t off, const void *data,
                         uint32_t len)
{
    if (s->f.program(s->f.ctx, off, data, len) != 0) {
        s->error = STORE_ERR_IO;
        return STORE_ERR_IO;
    }
    return STORE_OK;
}

static int flash_erase(struct store *s, uint32_t page)
{
    if (s->f.erase(s->f.ctx, page) != 0) {
        s->error = STORE_ERR_IO;
        return STORE_ERR_IO;
    }
    return STORE_OK;
}

/* Largest page erase count known, for pages whose count was lost. */
static uint32_t max_erases(const struct store *s)
{
    uint32_t m = 0;

    for (uint32_t p = 0; p < s->f.page_count; p++) {
        if (s->pages[p].erases > m) {
            m = s->pages[p].erases;
        }
    }
    return m;
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

static uint32_t idx_home(uint32_t id)
{
    uint32_t h = id * 2654435761u;

    return (h ^ (h >> 16)) & SLOT_MASK;
}

/* Slot of ID, or -1. */
static int idx_find(const struct store *s, uint32_t id)
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

static uint32_t loc_size(const struct store *s, uint32_t loc)
{
    return rec_size(rd16(s->f.base + loc + R_LEN));
}

/* Per-page live counts (for begin's look-ahead, record_budget_at_risk). */
static void live_move(struct store *s, uint32_t from_loc, uint32_t to_loc)
{
    if (from_loc != UINT32_MAX) {
        s->live[from_loc / s->f.page_size]--;
    }
    if (to_loc != UINT32_MAX) {
        s->live[to_loc / s->f.page_size]++;
    }
}

static int idx_put(struct store *s, uint32_t id, uint32_t loc)
{
    int i = idx_find(s, id);

    if (i >= 0) {
        s->live_bytes -= loc_size(s, s->obj_loc[i]);
        live_move(s, s->obj_loc[i], loc);
        s->obj_loc[i] = loc;
    } else {
        uint32_t k = idx_home(id);

        if (s->n_obj >= STORE_MAX_OBJECTS) {
            return STORE_ERR_FULL;
        }
        while (s->obj_id[k] != 0) {
            k = (k + 1) & SLOT_MASK;
        }
        s->obj_id[k] = id;
        s->obj_loc[k] = loc;
        s->n_obj++;
        live_move(s, UINT32_MAX, loc);
    }
    s->live_bytes += loc_size(s, loc);
    return STORE_OK;
}

static void idx_del(struct store *s, uint32_t id)
{
    int found = idx_find(s, id);
    uint32_t i, j;

    if (found < 0) {
        return;
    }
    i = (uint32_t)found;
    s->live_bytes -= loc_size(s, s->obj_loc[i]);
    live_move(s, s->obj_loc[i], UINT32_MAX);
    s->n_obj--;
    /* backward-shift deletion: no tombstones */
    for (j = (i + 1) & SLOT_MASK; s->obj_id[j] != 0;
         j = (j + 1) & SLOT_MASK) {
        uint32_t k = idx_home(s->obj_id[j]);
        bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);

        if (!stays) {
            s->obj_id[i] = s->obj_id[j];
            s->obj_loc[i] = s->obj_loc[j];
            i = j;
        }
    }
    s->obj_id[i] = 0;
}

/* Apply one committed record at LOC to the index. */
static int apply_record(struct store *s, uint32_t loc)
{
    const uint8_t *r = s->f.base + loc;

    switch (r[R_TYPE]) {
    case T_PUT:
        return idx_put(s, rd32(r + R_ID), loc);
    case T_DEL:
        idx_del(s, rd32(r + R_ID));
        return STORE_OK;
    default: { /* T_TAIL */
        uint32_t tail = rd32(r + R_SIZE);

        if (tail > s->tail_seq) {
            s->tail_seq = tail;
        }
        return STORE_OK;
    }
    }
}

/* ---- record parsing ---------------------------------------------------- */

/* Is the record header at OFF (page-relative) of PAGE well formed? */
static bool header_ok(const struct store *s, const uint8_t *r, uint32_t off)
{
    uint8_t type = r[R_TYPE];
    uint8_t flags = r[R_FLAGS];
    uint32_t len = rd16(r + R_LEN);

    if (type != T_PUT && type != T_DEL && type != T_TAIL) {
        return false;
    }
    if ((flags & ~(F_COMMIT | F_GC)) || rd16(r + R_RSVD) != 0xffffu) {
        return false;
    }
    if (len > STORE_MAX_OBJECT || off + rec_size(len) > s->f.page_size) {
        return false;
    }
    if ((type == T_DEL && len != 0) || (type == T_TAIL && len != 4)) {
        return false;
    }
    return crc32_20(r) == rd32(r + R_HCRC);
}

static bool payload_ok(const uint8_t *r)
{
    return crc32(r + R_SIZE, rd16(r + R_LEN)) == rd32(r + R_PCRC);
}

/* ---- mount --------------------------------------------------------------- */

static void reset_ram(struct store *s, const struct store_flash *f)
{
    memset(s, 0, sizeof(*s));
    s->f = *f;
    s->dirty_page = -1;
}

static void compute_max_live(struct store *s)
{
    uint32_t cap = s->f.page_size - PH_SIZE;
    uint32_t waste = rec_size(STORE_MAX_OBJECT) - 4;
    uint32_t usable = s->f.page_count - STORE_GC_RESERVE_PAGES -
                      STORE_TXN_PAGES - 2;

    s->max_live = cap > waste ? usable * (cap - waste) : 0;
}

/* Classify every page from its header. */
static int scan_headers(struct store *s, uint32_t *n_garbled)
{
    uint32_t ours = 0, garbled = 0;
    bool have_nonce = false;

    for (uint32_t p = 0; p < s->f.page_count; p++) {
        const uint8_t *h = page_ptr(s, p);
        struct store_page *pg = &s->pages[p];

        s->mount_bytes += PH_SIZE;
        if (all_ff(h, PH_SIZE)) {
            pg->state = PG_BLANK;
            continue;
        }
        if (rd32(h + PH_MAGIC) != PAGE_MAGIC ||
            crc32_20(h) != rd32(h + PH_FCRC)) {
            pg->state = PG_DIRTY;
            garbled++;
            continue;
        }
        ours++;
        if (rd16(h + PH_VERSION) != STORE_FORMAT_VERSION) {
            return STORE_ERR_VERSION;
        }
        if (h[PH_SHIFT] != page_shift(s->f.page_size) ||
            rd16(h + PH_COUNT) != s->f.page_count) {
            return STORE_ERR_GEOMETRY;
        }
        if (!have_nonce) {
            s->nonce = rd32(h + PH_NONCE);
            have_nonce = true;
        } else if (rd32(h + PH_NONCE) != s->nonce) {
            return STORE_ERR_CORRUPT;   /* pages of two different stores */
        }
        pg->erases = rd32(h + PH_ERASES);
        if (rd32(h + PH_SEQ) == 0xffffffffu &&
            rd32(h + PH_SCRC) == 0xffffffffu) {
            pg->state = PG_FREE;
        } else if (crc32(h, PH_SCRC) == rd32(h + PH_SCRC) &&
                   rd32(h + PH_SEQ) != 0xffffffffu) {
            pg->seq = rd32(h + PH_SEQ);
            pg->state = rd32(h + PH_OBSOLETE) == 0xffffffffu ? PG_ACTIVE
                                                              : PG_DIRTY;
        } else {
            pg->state = PG_DIRTY;       /* torn while being opened */
        }
    }
    if (!ours) {
        /*
         * Erased but for the first 32 bytes of page 0: a format of an
         * erased flash cut during its only program. Nothing can be lost.
         */
        if (garbled == 1 && s->pages[0].state == PG_DIRTY &&
            all_ff(page_ptr(s, 0) + 32, s->f.page_size - 32)) {
            s->mount_bytes += s->f.page_size - 32;
            return STORE_ERR_BLANK;
        }
        return garbled ? STORE_ERR_FOREIGN : STORE_ERR_BLANK;
    }
    *n_garbled = garbled;
    return STORE_OK;
}

/* Sort the ACTIVE pages by sequence number into s->order. */
static int order_pages(struct store *s)
{
    s->n_active = 0;
    for (uint32_t p = 0; p < s->f.page_count; p++) {
        if (s->pages[p].state != PG_ACTIVE) {
            continue;
        }
        /* insertion sort: at most STORE_MAX_PAGES entries */
        int i = s->n_active++;
        while (i > 0 && s->pages[s->order[i - 1]].seq > s->pages[p].seq) {
            s->order[i] = s->order[i - 1];
            i--;
        }
        s->order[i] = (uint16_t)p;
    }
    if (!s->n_active) {
        return STORE_ERR_CORRUPT;
    }
    for (uint32_t i = 1; i < s->n_active; i++) {
        if (s->pages[s->order[i]].seq != s->pages[s->order[i - 1]].seq + 1) {
            return STORE_ERR_CORRUPT;   /* a page of the log is missing */
        }
    }
    return STORE_OK;
}

/*
 * A record header failed its checks at OFF of PAGE. A power cut leaves
 * nothing valid after the torn record in its page; a valid record further
 * on means the flash was damaged.
 */
static bool valid_record_after(struct store *s, uint32_t page, uint32_t off)
{
    const uint8_t *pg = page_ptr(s, page);

    for (uint32_t o = off + 4; o + R_SIZE <= s->f.page_size; o += 4) {
        s->mount_bytes += 4;
        if (header_ok(s, pg + o, o)) {
            return true;
        }
    }
    return false;
}

struct replay {
    bool pending;              /* a transaction is being collected */
    bool pend_at_start;        /* ... and it began with the log's first record */
    uint32_t pend_txn;
    uint32_t pend_count;
    uint32_t pend_k, pend_off; /* its first record: order index, offset */
    bool seen_any;
    uint32_t last_txn;
};

/* Apply the pending transaction's records up to and including END_LOC. */
static int replay_apply(struct store *s, struct replay *rp, uint32_t end_loc)
{
    uint32_t k = rp->pend_k, off = rp->pend_off;

    for (;;) {
        uint32_t page = s->order[k];
        uint32_t loc = page * s->f.page_size + off;
        const uint8_t *r = s->f.base + loc;

        if (off + R_SIZE > s->f.page_size ||
            (rd32(r) == 0xffffffffu && all_ff(r, R_SIZE))) {
            k++;
            off = PH_SIZE;
            if (k >= s->n_active) {
                return STORE_ERR_CORRUPT;   /* cannot happen */
            }
            continue;
        }
        if (rd32(r + R_TXN) == rp->pend_txn &&
            rd32(r + R_VOID) == 0xffffffffu) {
            int rc = apply_record(s, loc);
            if (rc) {
                return STORE_ERR_CORRUPT;
            }
        }
        if (loc == end_loc) {
            return STORE_OK;
        }
        off += rec_size(rd16(r + R_LEN));
    }
}

static int replay_log(struct store *s)
{
    struct replay rp = { 0 };
    uint32_t max_txn = 0;

    for (uint32_t k = 0; k < s->n_active; k++) {
        uint32_t page = s->order[k];
        const uint8_t *pg = page_ptr(s, page);
        uint32_t off = PH_SIZE;
        bool garbage = false;

        while (off + R_SIZE <= s->f.page_size) {
            const uint8_t *r = pg + off;
            uint32_t loc = page * s->f.page_size + off;
            uint32_t txn, size;

            s->mount_bytes += R_SIZE;
            if (rd32(r) == 0xffffffffu && all_ff(r, R_SIZE)) {
                break;                      /* end of this page's records */
            }
            if (!header_ok(s, r, off)) {
                if (valid_record_after(s, page, off)) {
                    return STORE_ERR_CORRUPT;
                }
                garbage = true;             /* a torn record */
                rp.pending = false;
                break;
            }
            s->pages[page].records++;
            txn = rd32(r + R_TXN);
            size = rec_size(rd16(r + R_LEN));
            if (txn > max_txn) {
                max_txn = txn;
            }
            /* transaction ids go up by one, never down, never skip */
            if (rp.seen_any && txn != rp.last_txn && txn != rp.last_txn + 1) {
                return STORE_ERR_CORRUPT;
            }
            if (rd32(r + R_VOID) != 0xffffffffu) {
                rp.pending = false;          /* torn, voided record */
                rp.seen_any = true;
                rp.last_txn = txn;
                off += size;
                continue;
            }
            if (rp.pending && rp.pend_txn != txn) {
                rp.pending = false;          /* never committed */
            }
            if (!rp.pending) {
                rp.pending = true;
                rp.pend_at_start = !rp.seen_any;
                rp.pend_txn = txn;
                rp.pend_count = 0;
                rp.pend_k = k;
                rp.pend_off = off;
            }
            rp.seen_any = true;
            rp.last_txn = txn;
            rp.pend_count++;
            if (r[R_FLAGS] & F_COMMIT) {
                uint32_t nrec = rd16(r + R_NREC);

                /*
                 * The last record of the log may have been torn after its
                 * header: check its payload (only there can that happen).
                 */
                if (k + 2 >= s->n_active &&
                    (off + size + R_SIZE > s->f.page_size ||
                     all_ff(r + size, R_SIZE))) {
                    s->mount_bytes += rd16(r + R_LEN);
                    if (!payload_ok(r)) {
                        s->void_loc = loc;
                        rp.pending = false;
                        off += size;
                        continue;
                    }
                }
                if (nrec == rp.pend_count ||
                    (rp.pend_at_start && nrec > rp.pend_count)) {
                    /* a one-record transaction needs no walk back */
                    if (rp.pend_count == 1 ? apply_record(s, loc) != 0
                                           : replay_apply(s, &rp, loc) != 0) {
                        return STORE_ERR_CORRUPT;
                    }
                } else {
                    return STORE_ERR_CORRUPT;   /* records went missing */
                }
                rp.pending = false;
            }
            off += size;
        }
        if (k == s->n_active - 1u) {
            s->head_off = off;
            s->head_closed = garbage;
            if (!garbage && off < s->f.page_size) {
                s->mount_bytes += s->f.page_size - off;
                if (!all_ff(pg + off, s->f.page_size - off)) {
                    s->head_closed = true;  /* torn bytes past the end */
                }
            }
        }
    }
    s->next_txn = max_txn + 1;
    return STORE_OK;
}

/* What mount and format start with: check, then clean RAM state. */
static int store_attach(struct store *s, const struct store_flash *f)
{
    if (!s) {
        return STORE_ERR_PARAM;
    }
    if (!geometry_ok(f)) {
        memset(s, 0, sizeof(*s));
        return STORE_ERR_GEOMETRY;
    }
    reset_ram(s, f);
    return STORE_OK;
}

int store_mount(struct store *s, const struct store_flash *f)
{
    uint32_t garbled = 0, transitional, max_seq = 0, known_max;
    int rc;

    rc = store_attach(s, f);
    if (rc) {
        return rc;
    }
    rc = scan_headers(s, &garbled);
    if (rc) {
        return rc;
    }
    rc = order_pages(s);
    if (rc) {
        return rc;
    }
    /* seq 1 is the first page of a fresh store; TAIL records move it on */
    s->tail_seq = 1;
    rc = replay_log(s);
    if (rc) {
        return rc;
    }

    /* Pages before the tail were collected: the GC was cut before erasing. */
    while (s->n_active > 1 && s->pages[s->order[0]].seq < s->tail_seq) {
        s->pages[s->order[0]].state = PG_DIRTY;
        s->pages[s->order[0]].records = 0;
        memmove(&s->order[0], &s->order[1],
                (s->n_active - 1u) * sizeof(s->order[0]));
        s->n_active--;
    }
    if (s->pages[s->order[0]].seq != s->tail_seq) {
        return STORE_ERR_CORRUPT;           /* the oldest page is missing */
    }
    for (uint32_t k = 0; k < s->n_active; k++) {
        s->log_records += s->pages[s->order[k]].records;
    }

    transitional = 0;
    known_max = max_erases(s);
    for (uint32_t p = 0; p < s->f.page_count; p++) {
        struct store_page *pg = &s->pages[p];

        if (pg->state == PG_DIRTY) {
            transitional++;
            s->dirty_page = (int16_t)p;
        }
        if (pg->state == PG_BLANK || (pg->state == PG_DIRTY && !pg->erases)) {
            pg->erases = known_max;
        }
        if (pg->state == PG_ACTIVE ||
            (pg->state == PG_DIRTY && pg->seq > max_seq)) {
            if (pg->seq > max_seq) {
                max_seq = pg->seq;
            }
        }
    }
    (void)garbled;
    /* One page at a time is ever between states; more is damage. */
    if (transitional > 1) {
        return STORE_ERR_CORRUPT;
    }
    s->next_seq = max_seq + 1;
    compute_max_live(s);
    s->mounted = true;
    return STORE_OK;
}

/* ---- format ---------------------------------------------------------- */

static void build_format_header(const struct store *s, uint8_t *h,
                                uint32_t erases)
{
    memset(h, 0xff, PH_SIZE);
    wr32(h + PH_MAGIC, PAGE_MAGIC);
    wr16(h + PH_VERSION, STORE_FORMAT_VERSION);
    h[PH_SHIFT] = (uint8_t)page_shift(s->f.page_size);
    wr16(h + PH_COUNT, s->f.page_count);
    wr32(h + PH_NONCE, s->nonce);
    wr32(h + PH_ERASES, erases);
    wr32(h + PH_FCRC, crc32(h, PH_FCRC));
}

int store_format(struct store *s, const struct store_flash *f,
                 uint32_t nonce)
{
    uint32_t erases;
    uint8_t h[PH_SIZE];
    int rc;

    rc = store_attach(s, f);
    if (rc) {
        return rc;
    }
    s->nonce = nonce;
    /*
     * Pages whose header is erased are left alone (open_page checks the
     * rest of a page before it uses it): formatting an erased flash is one
     * program. Every other page is erased and gets a header that keeps its
     * erase count.
     */
    for (uint32_t p = 0; p < f->page_count; p++) {
        const uint8_t *pg = page_ptr(s, p);

        erases = 0;
        if (p != 0 && all_ff(pg, PH_SIZE)) {
            continue;
        }
        if (rd32(pg + PH_MAGIC) == PAGE_MAGIC &&
            crc32(pg, PH_FCRC) == rd32(pg + PH_FCRC)) {
            erases = rd32(pg + PH_ERASES);
        }
        if (!all_ff(pg, f->page_size)) {
            rc = flash_erase(s, p);
            if (rc) {
                return rc;
            }
            erases++;
        }
        build_format_header(s, h, erases);
        if (p == 0) {
            wr32(h + PH_SEQ, 1);
            wr32(h + PH_SCRC, crc32(h, PH_SCRC));
        }
        rc = flash_program(s, p * f->page_size, h,
                           p == 0 ? 32 : PH_FORMAT_LEN);
        if (rc) {
            return rc;
        }
    }
    return store_mount(s, f);
}

/* ---- page management ----------------------------------------------------- */

static uint32_t free_pages(const struct store *s)
{
    uint32_t n = 0;

    for (uint32_t p = 0; p < s->f.page_count; p++) {
        if (s->pages[p].state == PG_BLANK || s->pages[p].state == PG_FREE) {
            n++;
        }
    }
    return n;
}

/* Erase PAGE and write its format header: it becomes FREE. */
static int recycle_page(struct store *s, uint32_t page)
{
    uint8_t h[PH_SIZE];
    int rc;

    s->pages[page].state = PG_DIRTY;
    rc = flash_erase(s, page);
    if (rc) {
        return rc;
    }
    s->pages[page].erases++;
    build_format_header(s, h, s->pages[page].erases);
    rc = flash_program(s, page * s->f.page_size, h, PH_FORMAT_LEN);
    if (rc) {
        return rc;
    }
    s->pages[page].state = PG_FREE;
    s->pages[page].seq = 0;
    s->pages[page].records = 0;
    s->live[page] = 0;
    return STORE_OK;
}

/* Make the erased page with the fewest erases the new head. */
static int open_page(struct store *s)
{
    uint32_t best = UINT32_MAX, best_erases = UINT32_MAX;
    uint8_t h[PH_SIZE];
    const uint8_t *pg;
    int rc;

    for (uint32_t p = 0; p < s->f.page_count; p++) {
        if ((s->pages[p].state == PG_BLANK || s->pages[p].state == PG_FREE) &&
            s->pages[p].erases < best_erases) {
            best = p;
            best_erases = s->pages[p].erases;
        }
    }
    if (best == UINT32_MAX) {
        return STORE_ERR_FULL;
    }
    pg = page_ptr(s, best);
    if (!all_ff(pg + PH_FORMAT_LEN, s->f.page_size - PH_FORMAT_LEN) ||
        (s->pages[best].state == PG_BLANK && !all_ff(pg, PH_FORMAT_LEN))) {
        rc = recycle_page(s, best);     /* not clean: erase it first */
        if (rc) {
            return rc;
        }
    }
    if (s->pages[best].state == PG_BLANK) {
        build_format_header(s, h, s->pages[best].erases);
        wr32(h + PH_SEQ, s->next_seq);
        wr32(h + PH_SCRC, crc32(h, PH_SCRC));
        rc = flash_program(s, best * s->f.page_size, h, 32);
    } else {
        memcpy(h, pg, PH_FORMAT_LEN);
        wr32(h + PH_SEQ, s->next_seq);
        wr32(h + PH_SCRC, crc32(h, PH_SCRC));
        rc = flash_program(s, best * s->f.page_size + PH_SEQ, h + PH_SEQ, 8);
    }
    if (rc) {
        return rc;
    }
    s->pages[best].state = PG_ACTIVE;
    s->pages[best].seq = s->next_seq++;
    s->pages[best].records = 0;
    s->order[s->n_active++] = (uint16_t)best;
    s->head_off = PH_SIZE;
    s->head_closed = false;
    return STORE_OK;
}

static uint32_t head_page(const struct store *s)
{
    return s->order[s->n_active - 1];
}

/*
 * Program the record in s->stage (s->stage_len bytes) at the head,
 * opening a new page if it does not fit. RESERVE: erased pages that must
 * remain after opening one. *LOC gets its flash offset.
 */
static int append_stage(struct store *s, uint32_t reserve, uint32_t *loc)
{
    uint32_t len = s->stage_len;
    int rc;

    if (s->head_closed || s->head_off + len > s->f.page_size) {
        if (free_pages(s) <= reserve) {
            return STORE_ERR_TXN_FULL;
        }
        rc = open_page(s);
        if (rc) {
            return rc;
        }
    }
    *loc = head_page(s) * s->f.page_size + s->head_off;
    rc = flash_program(s, *loc, s->stage, len);
    if (rc) {
        return rc;
    }
    s->head_off += len;
    s->pages[head_page(s)].records++;
    s->log_records++;
    return STORE_OK;
}

/* Build a record in s->stage. PAYLOAD may point into flash. */
static void stage_record(struct store *s, uint8_t type, uint8_t flags,
                         uint32_t id, const void *payload, uint32_t len,
                         uint32_t pcrc, uint32_t nrec)
{
    uint8_t *r = (uint8_t *)s->stage;
    uint32_t size = rec_size(len);

    memset(r, 0xff, size);
    r[R_TYPE] = type;
    r[R_FLAGS] = flags;
    wr16(r + R_LEN, len);
    wr32(r + R_ID, id);
    wr32(r + R_TXN, s->next_txn);
    wr16(r + R_NREC, nrec);
    if (len) {
        memcpy(r + R_SIZE, payload, len);
    }
    wr32(r + R_PCRC, pcrc);
    wr32(r + R_HCRC, crc32(r, R_HCRC));
    s->stage_len = size;
}

/* Set the COMMIT flag and record count of the staged record. */
static void stage_set_commit(struct store *s, uint32_t nrec)
{
    uint8_t *r = (uint8_t *)s->stage;

    r[R_FLAGS] |= F_COMMIT;
    wr16(r + R_NREC, nrec);
    wr32(r + R_HCRC, crc32(r, R_HCRC));
}

/* Collect the oldest page: copy its live objects to the head, then
 * recycle it. */
static int gc_one(struct store *s)
{
    uint32_t victim = s->order[0];
    uint32_t vseq = s->pages[victim].seq;
    uint32_t vstart = victim * s->f.page_size;
    uint32_t vend = vstart + s->f.page_size;
    uint32_t count = 0, loc;
    uint8_t tail[4];
    uint8_t zero[4] = { 0, 0, 0, 0 };
    int rc;

    if (s->n_active < 2) {
        return STORE_ERR_FULL;
    }
    for (uint32_t i = 0; i < STORE_INDEX_SLOTS; i++) {
        const uint8_t *r;

        if (!s->obj_id[i] || s->obj_loc[i] < vstart || s->obj_loc[i] >= vend) {
            continue;
        }
        r = s->f.base + s->obj_loc[i];
        stage_record(s, T_PUT, F_GC, s->obj_id[i], r + R_SIZE,
                     rd16(r + R_LEN), rd32(r + R_PCRC), 0);
        rc = append_stage(s, 0, &loc);
        if (rc) {
            return rc == STORE_ERR_TXN_FULL ? STORE_ERR_FULL : rc;
        }
        live_move(s, s->obj_loc[i], loc);
        s->obj_loc[i] = loc;    /* same size: live_bytes unchanged */
        count++;
    }
    wr32(tail, vseq + 1);
    stage_record(s, T_TAIL, F_GC | F_COMMIT, ID_NONE, tail, 4,
                 crc32(tail, 4), count + 1);
    rc = append_stage(s, 0, &loc);
    s->stage_len = 0;
    if (rc) {
        return rc == STORE_ERR_TXN_FULL ? STORE_ERR_FULL : rc;
    }
    s->next_txn++;
    s->tail_seq = vseq + 1;

    /* the victim leaves the log */
    memmove(&s->order[0], &s->order[1],
            (s->n_active - 1u) * sizeof(s->order[0]));
    s->n_active--;
    s->log_records -= s->pages[victim].records;
    s->pages[victim].records = 0;
    s->pages[victim].state = PG_DIRTY;
    rc = flash_program(s, vstart + PH_OBSOLETE, zero, 4);
    if (rc) {
        return rc;
    }
    rc = recycle_page(s, victim);
    if (rc) {
        return rc;
    }
    s->gc_runs++;
    return STORE_OK;
}

/* Pages the log may span before begin collects without need. */
static uint32_t log_soft_limit(const struct store *s)
{
    uint32_t cap = s->f.page_size - PH_SIZE;
    uint32_t live_pages = (s->live_bytes + cap - 1) / cap;

    return STORE_LOG_SLACK_PAGES + STORE_LOG_FACTOR * live_pages;
}

/*
 * Could the log come to hold more than STORE_LOG_MAX_RECORDS records if
 * this begin collected nothing?
 *
 * Collecting the oldest page removes its records and writes its live
 * ones again plus a tail record: the log changes by g = 1 + live -
 * records, at most +1 (a page of live data only; dead records are what
 * collecting frees). A transaction adds at most A = STORE_MAX_TXN_RECORDS
 * records. If every begin from now on collected STORE_GC_STEP pages, the
 * log would peak at R + max over m of (g_0 + ... + g_(m-1) +
 * A x (m / STORE_GC_STEP + 1)), m pages collected; collecting does not
 * raise that peak (it only takes terms off the front). So begin collects
 * when skipping now could take the peak over the budget before the next
 * begin: skipping adds one transaction (A records) which may open up to
 * two pages (two more terms, at most 2 + A); as long as the peak is
 * within the budget, the log is too.
 *
 * O(pages in the log), and only when the log could be near the budget.
 */
_Static_assert(STORE_LOG_MAX_RECORDS >=
               STORE_MAX_PAGES + STORE_MAX_OBJECTS + STORE_MAX_TXN_RECORDS *
               (STORE_MAX_PAGES / STORE_GC_STEP + 3) + 2,
               "STORE_LOG_MAX_RECORDS: a log of live data only (one tail "
               "record per page) must fit with the look-ahead's margin");

static bool record_budget_at_risk(const struct store *s)
{
    const int32_t a = STORE_MAX_TXN_RECORDS;
    int32_t n = (int32_t)s->n_active;
    int32_t room = STORE_LOG_MAX_RECORDS - (int32_t)s->log_records -
                   2 * a - 2;
    int32_t sum = 0;

    /* every g is at most 1: nothing to look at if even that fits */
    if (room < 0 || n + a * (n / STORE_GC_STEP + 1) > room) {
        for (int32_t m = 0; m <= n; m++) {
            if (sum + a * (m / STORE_GC_STEP + 1) > room) {
                return true;
            }
            if (m < n) {
                uint32_t p = s->order[m];

                sum += 1 + (int32_t)s->live[p] - (int32_t)s->pages[p].records;
            }
        }
    }
    return false;
}

/* Finish what a power cut left half done (found by mount). */
static int repair(struct store *s)
{
    int rc;

    if (s->void_loc) {
        static const uint8_t zero[4] = { 0, 0, 0, 0 };

        rc = flash_program(s, s->void_loc + R_VOID, zero, 4);
        if (rc) {
            return rc;
        }
        s->void_loc = 0;
    }
    if (s->dirty_page >= 0) {
        rc = recycle_page(s, (uint32_t)s->dirty_page);
        if (rc) {
            return rc;
        }
        s->dirty_page = -1;
    }
    return STORE_OK;
}

/* ---- reading ----------------------------------------------------------- */

static int check_ready(const struct store *s)
{
    if (!s || !s->mounted) {
        return STORE_ERR_STATE;
    }
    return s->error;
}

int store_size(const struct store *s, uint32_t id)
{
    int rc = check_ready(s);
    int i;

    if (rc) {
        return rc;
    }
    i = idx_find(s, id);
    if (i < 0) {
        return STORE_ERR_NOT_FOUND;
    }
    return (int)rd16(s->f.base + s->obj_loc[i] + R_LEN);
}

int store_read(const struct store *s, uint32_t id, void *buf, uint32_t cap,
               uint32_t *len)
{
    const uint8_t *r;
    uint32_t n;
    int rc = check_ready(s);
    int i;

    if (rc) {
        return rc;
    }
    i = idx_find(s, id);
    if (i < 0) {
        return STORE_ERR_NOT_FOUND;
    }
    r = s->f.base + s->obj_loc[i];
    n = rd16(r + R_LEN);
    if (len) {
        *len = n;
    }
    if (n > cap || (n && !buf)) {
        return STORE_ERR_PARAM;
    }
    if (!payload_ok(r)) {
        return STORE_ERR_CORRUPT;
    }
    if (n) {
        memcpy(buf, r + R_SIZE, n);
    }
    return STORE_OK;
}

uint32_t store_free(const struct store *s)
{
    if (!s || !s->mounted || s->live_bytes >= s->max_live) {
        return 0;
    }
    return s->max_live - s->live_bytes;
}

uint32_t store_next_id(const struct store *s, uint32_t after)
{
    uint32_t best = 0;

    if (!s || !s->mounted) {
        return 0;
    }
    for (uint32_t i = 0; i < STORE_INDEX_SLOTS; i++) {
        uint32_t id = s->obj_id[i];

        if (id > after && (best == 0 || id < best)) {
            best = id;
        }
    }
    return best;
}

void store_get_stats(const struct store *s, struct store_stats *st)
{
    memset(st, 0, sizeof(*st));
    if (!s || !s->mounted) {
        return;
    }
    st->objects = s->n_obj;
    st->live_bytes = s->live_bytes;
    st->free_bytes = store_free(s);
    st->pages_active = s->n_active;
    st->pages_free = free_pages(s);
    st->erase_min = UINT32_MAX;
    for (uint32_t p = 0; p < s->f.page_count; p++) {
        if (s->pages[p].erases < st->erase_min) {
            st->erase_min = s->pages[p].erases;
        }
        if (s->pages[p].erases > st->erase_max) {
            st->erase_max = s->pages[p].erases;
        }
    }
    st->mount_bytes_read = s->mount_bytes;
    st->gc_runs = s->gc_runs;
    st->log_records = s->log_records;
}

/* ---- transactions ------------------------------------------------------- */

int store_begin(struct store *s)
{
    int rc = check_ready(s);

    if (rc) {
        return rc;
    }
    if (s->in_txn) {
        return STORE_ERR_STATE;
    }
    rc = repair(s);
    if (rc) {
        return rc;
    }
    /*
     * soft: keep the log within about twice the live data and within
     * STORE_LOG_MAX_RECORDS records: together they bound what a mount
     * reads, in bytes and in records (its cost is per record); at most
     * STORE_GC_STEP pages per begin.
     */
    bool records = record_budget_at_risk(s);

    for (uint32_t step = 0;
         step < STORE_GC_STEP && s->n_active > 1 &&
         (records || s->n_active > log_soft_limit(s)) &&
         free_pages(s) >= STORE_GC_RESERVE_PAGES;
         step++) {
        rc = gc_one(s);
        if (rc) {
            return rc;
        }
    }
    /* hard: the erased pages the collector and a transaction need */
    for (uint32_t guard = s->f.page_count;
         guard && free_pages(s) < STORE_GC_RESERVE_PAGES + STORE_TXN_PAGES &&
         s->n_active > 1;
         guard--) {
        rc = gc_one(s);
        if (rc) {
            return rc;
        }
    }
    s->in_txn = true;
    s->txn_n = 0;
    s->txn_written = 0;
    s->txn_delta = 0;
    s->txn_new = 0;
    s->stage_len = 0;
    return STORE_OK;
}

/* Program the staged record (not the last one of the transaction). */
static int flush_stage(struct store *s)
{
    uint32_t loc;
    int rc;

    if (!s->stage_len) {
        return STORE_OK;
    }
    rc = append_stage(s, STORE_GC_RESERVE_PAGES, &loc);
    if (rc) {
        return rc;
    }
    s->txn[s->txn_n - 1].loc = loc;
    s->txn_written++;
    s->stage_len = 0;
    return STORE_OK;
}

/* Size of ID's record as the transaction would leave it (0: absent). */
static uint32_t txn_current_size(const struct store *s, uint32_t id)
{
    int i;

    for (int k = (int)s->txn_n - 1; k >= 0; k--) {
        if (s->txn[k].id == id) {
            return s->txn[k].type == T_PUT ? s->txn[k].size : 0;
        }
    }
    i = idx_find(s, id);
    return i >= 0 ? loc_size(s, s->obj_loc[i]) : 0;
}

static int txn_add(struct store *s, uint8_t type, uint32_t id,
                   const void *data, uint32_t len)
{
    uint32_t old = txn_current_size(s, id);
    uint32_t size = type == T_PUT ? rec_size(len) : 0;
    int64_t live_after;
    int rc;

    if (s->txn_n >= STORE_MAX_TXN_RECORDS) {
        return STORE_ERR_TXN_FULL;
    }
    if (type == T_PUT && !old && idx_find(s, id) < 0) {
        bool put_before = false;

        for (uint32_t k = 0; k < s->txn_n; k++) {
            put_before |= s->txn[k].id == id;
        }
        if (!put_before && s->n_obj + s->txn_new >= STORE_MAX_OBJECTS) {
            return STORE_ERR_FULL;
        }
        if (!put_before) {
            s->txn_new++;
        }
    }
    live_after = (int64_t)s->live_bytes + s->txn_delta + size - old;
    if (type == T_PUT && live_after > (int64_t)s->max_live) {
        return STORE_ERR_FULL;
    }
    rc = flush_stage(s);
    if (rc) {
        return rc;
    }
    stage_record(s, type, 0, id, data, len, crc32(data, len), 0);
    s->txn[s->txn_n].id = id;
    s->txn[s->txn_n].type = type;
    s->txn[s->txn_n].size = (uint16_t)size;
    s->txn[s->txn_n].loc = 0;
    s->txn_n++;
    s->txn_delta += (int32_t)size - (int32_t)old;
    return STORE_OK;
}

int store_write(struct store *s, uint32_t id, const void *data, uint32_t len)
{
    int rc = check_ready(s);

    if (rc) {
        return rc;
    }
    if (!s->in_txn) {
        return STORE_ERR_STATE;
    }
    if (id == ID_NONE || id > ID_MAX || len > STORE_MAX_OBJECT ||
        (len && !data)) {
        return STORE_ERR_PARAM;
    }
    return txn_add(s, T_PUT, id, data, len);
}

int store_delete(struct store *s, uint32_t id)
{
    int rc = check_ready(s);
    int i;
    bool exists = false;

    if (rc) {
        return rc;
    }
    if (!s->in_txn) {
        return STORE_ERR_STATE;
    }
    if (id == ID_NONE || id > ID_MAX) {
        return STORE_ERR_PARAM;
    }
    for (int k = (int)s->txn_n - 1; k >= 0; k--) {
        if (s->txn[k].id == id) {
            exists = s->txn[k].type == T_PUT;
            goto decided;
        }
    }
    i = idx_find(s, id);
    exists = i >= 0;
decided:
    if (!exists) {
        return STORE_ERR_NOT_FOUND;
    }
    return txn_add(s, T_DEL, id, NULL, 0);
}

int store_commit(struct store *s)
{
    uint32_t loc;
    int rc = check_ready(s);

    if (rc) {
        return rc;
    }
    if (!s->in_txn) {
        return STORE_ERR_STATE;
    }
    if (!s->txn_n) {
        s->in_txn = false;
        return STORE_OK;
    }
    stage_set_commit(s, s->txn_n);
    rc = append_stage(s, STORE_GC_RESERVE_PAGES, &loc);
    if (rc) {
        store_abort(s);
        return rc;
    }
    s->txn[s->txn_n - 1].loc = loc;
    s->stage_len = 0;
    for (uint32_t k = 0; k < s->txn_n; k++) {
        if (s->txn[k].type == T_PUT) {
            rc = idx_put(s, s->txn[k].id, s->txn[k].loc);
            if (rc) {
                s->error = STORE_ERR_IO;   /* index overflow: remount */
                return rc;
            }
        } else {
            idx_del(s, s->txn[k].id);
        }
    }
    s->next_txn++;
    s->in_txn = false;
    return STORE_OK;
}

void store_abort(struct store *s)
{
    if (!s || !s->in_txn) {
        return;
    }
    if (s->txn_written) {
        s->next_txn++;      /* its records are in flash: burn the id */
    }
    s->in_txn = false;
    s->stage_len = 0;
    s->txn_n = 0;
}

int store_put(struct store *s, uint32_t id, const void *data, uint32_t len)
{
    int rc = store_begin(s);

    if (rc) {
        return rc;
    }
    rc = store_write(s, id, data, len);
    if (rc == STORE_OK) {
        rc = store_commit(s);
    }
    if (rc) {
        store_abort(s);
    }
    return rc;
}

const char *store_strerror(int result)
{
    switch (result) {
    case STORE_OK: return "ok";
    case STORE_ERR_BLANK: return "blank";
    case STORE_ERR_FOREIGN: return "foreign";
    case STORE_ERR_CORRUPT: return "corrupt";
    case STORE_ERR_VERSION: return "version";
    case STORE_ERR_GEOMETRY: return "geometry";
    case STORE_ERR_IO: return "io";
    case STORE_ERR_NOT_FOUND: return "not-found";
    case STORE_ERR_FULL: return "full";
    case STORE_ERR_TXN_FULL: return "txn-full";
    case STORE_ERR_PARAM: return "param";
    case STORE_ERR_STATE: return "state";
    default: return "unknown";
    }
}
