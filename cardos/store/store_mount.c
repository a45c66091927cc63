/*
 * store: mount, the recovery of the log after a power cut (docs/store.md
 * "The log and recovery"). Mount never writes to flash: the repairs it
 * finds necessary are recorded in struct store and made by the next
 * store_begin (store_write.c). Contract: store.h; layout: store_priv.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "store/store_priv.h"

#define LOG_MODULE "store"
#include "kernel/log.h"

static bool geometry_ok(const struct store_flash *f)
{
    return f && f->base && f->program && f->erase &&
           f->page_size >= 512 && f->page_size <= 65536 &&
           (f->page_size & (f->page_size - 1)) == 0 &&
           f->page_count >= STORE_MIN_PAGES &&
           f->page_count <= STORE_MAX_PAGES;
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

/* Apply one committed record at LOC (LOC_COPY: read its header's copy)
 * to the index. */
static int apply_record(struct store *s, uint32_t loc)
{
    const uint8_t *h = hdr_at(s, loc);

    switch (h[R_TYPE]) {
    case T_PUT:
        return store_idx_put(s, rd32(h + R_ID), loc);
    case T_DEL:
        store_idx_del(s, rd32(h + R_ID));
        return STORE_OK;
    default: { /* T_TAIL */
        uint32_t tail = rd32(payload_of(rec_at(s, loc), h));

        if (tail > s->tail_seq) {
            s->tail_seq = tail;
        }
        return STORE_OK;
    }
    }
}

/* ---- record parsing ---------------------------------------------------- */

/*
 * Is H a well-formed header for a record at OFF (page-relative)? Returns
 * the record's size in flash, or 0 if not. H is the record itself or, for
 * a SECURE record, its copy. SEC_OK: the page is of a version that may
 * hold SECURE records (version 2).
 */
static uint32_t header_size(const struct store *s, const uint8_t *h,
                            uint32_t off, bool sec_ok)
{
    uint8_t type = h[R_TYPE];
    uint8_t flags = h[R_FLAGS];
    uint32_t len = rd16(h + R_LEN);
    uint32_t size = rec_size(len);

    if (type != T_PUT && type != T_DEL && type != T_TAIL) {
        return 0;
    }
    if ((flags & ~(F_COMMIT | F_GC | F_SEC)) ||
        rd16(h + R_RSVD) != 0xffffu) {
        return 0;
    }
    /* SECURE: the last record (a put or a delete) of a secure transaction,
     * in a page of version 2 */
    if (flags & F_SEC) {
        if (!sec_ok || (flags & (F_COMMIT | F_GC)) != F_COMMIT ||
            type == T_TAIL || len > STORE_MAX_SECURE_OBJECT) {
            return 0;
        }
        size += R_COPY_LEN;
    }
    if (len > STORE_MAX_OBJECT || off + size > s->f.page_size) {
        return 0;
    }
    if ((type == T_DEL && len != 0) || (type == T_TAIL && len != 4)) {
        return 0;
    }
    return crc32_20(h) == rd32(h + R_HCRC) ? size : 0;
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
        /* version 1 pages (no SECURE records) and version 2 pages mix in
         * a store upgraded in place; the store's version is the highest */
        if (rd16(h + PH_VERSION) < 1 ||
            rd16(h + PH_VERSION) > STORE_FORMAT_VERSION) {
            return STORE_ERR_VERSION;
        }
        pg->version = (uint8_t)rd16(h + PH_VERSION);
        if (pg->version > s->version) {
            s->version = pg->version;
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
    bool sec_ok = s->pages[page].version >= VERSION_SECURE;

    for (uint32_t o = off + 4; o + R_SIZE <= s->f.page_size; o += 4) {
        s->mount_bytes += 4;
        if (header_size(s, pg + o, o, sec_ok)) {
            return true;
        }
    }
    return false;
}

/*
 * SECURE records found damaged (rule 8), reported once the whole log is
 * replayed: only then is it known whether each is still the last version
 * of its object.
 */
#define DAMAGE_SLOTS 4

enum damage {
    DMG_COPY,       /* the header's copy fails: the header is used */
    DMG_HEADER,     /* the header fails: its copy is used */
    DMG_PAYLOAD,    /* the payload fails its CRC: the object reads damaged */
};

/*
 * What replay does only for the rare records (torn, damaged, discarded,
 * SECURE) stays out of its loop: the loop runs for every record of the
 * log (mount time is per record, docs/store.md), and on the card (-Os) an
 * inlined rare path costs the common one registers.
 */
#define RARE __attribute__((noinline, cold))

struct replay {
    bool pending;              /* a transaction is being collected */
    bool pend_at_start;        /* ... and it began with the log's first record */
    uint32_t pend_txn;
    uint32_t pend_count;
    uint32_t pend_k, pend_off; /* its first record: order index, offset */
    bool seen_any;
    uint32_t last_txn;
    uint32_t n_damaged;
    uint32_t damaged[DAMAGE_SLOTS];     /* index locations */
    uint8_t damage[DAMAGE_SLOTS];       /* enum damage */
};

/*
 * Recovery drops the pending transaction: it never committed (a power
 * cut, or an abort after some of its records were written; rule 3). Said
 * on the console, with the object of its last record when known (ID).
 */
static RARE void discard(struct store *s, struct replay *rp, uint32_t id,
                         const char *why)
{
    if (!rp->pending) {
        return;
    }
    rp->pending = false;
    s->discarded++;
    if (id != ID_NONE) {
        LOG_W("transaction %u discarded (%u record(s), the last of object "
              "%08X): %s", (unsigned)rp->pend_txn, (unsigned)rp->pend_count,
              (unsigned)id, why);
    } else {
        LOG_W("transaction %u discarded (%u record(s)): %s",
              (unsigned)rp->pend_txn, (unsigned)rp->pend_count, why);
    }
}

/* Bits in which the N bytes at A and B differ. */
static unsigned bits_apart(const uint8_t *a, const uint8_t *b, uint32_t n)
{
    unsigned d = 0;

    for (uint32_t i = 0; i < n; i++) {
        for (uint8_t x = (uint8_t)(a[i] ^ b[i]); x; x &= (uint8_t)(x - 1)) {
            d++;
        }
    }
    return d;
}

/*
 * The header at OFF of PAGE fails its checks (rule 8).
 *
 * A SECURE record's copy stands in for its damaged header when the copy
 * is a valid SECURE header and the header differs from it in at most
 * two bits. Two valid headers differ in at least six (CRC-32's Hamming
 * distance at 160 bits), so nothing else can pass: not the payload of a
 * plain record (at that offset, whatever it holds), not a torn header
 * (a power cut that leaves bits of a header unprogrammed leaves the copy,
 * programmed after it, incomplete). Whether the record committed is then
 * its seal's to say.
 *
 * Otherwise: the mark word (R_VOID, R_SEAL) is programmed only after the
 * record, a seal once the record is complete, a void only over a valid
 * header. If it is not erased, the header was damaged after it was
 * written and nothing names the record: CORRUPT. A mark still erased is a
 * record torn while it was written; nothing valid may follow it in its
 * page (rule 4).
 *
 * Returns the header to read, or NULL for a torn record; *RC gets the
 * error, if any.
 */
static RARE const uint8_t *unreadable_header(struct store *s,
                                             uint32_t page, uint32_t off,
                                             int *rc)
{
    const uint8_t *r = page_ptr(s, page) + off;
    const uint8_t *copy = r + R_COPY;

    *rc = STORE_OK;
    if (off + R_SEC_SIZE <= s->f.page_size && (copy[R_FLAGS] & F_SEC) &&
        bits_apart(r, copy, R_COPY_LEN) <= 2 &&
        header_size(s, copy, off,
                    s->pages[page].version >= VERSION_SECURE)) {
        s->mount_bytes += R_COPY_LEN;
        return copy;
    }
    if (rd32(r + R_SEAL) != 0xffffffffu ||
        valid_record_after(s, page, off)) {
        *rc = STORE_ERR_CORRUPT;
    }
    return NULL;
}

/*
 * Rule 8: a SECURE commit record at LOC (R: the record, H: its readable
 * header) commits by its seal, whatever its CRCs say, so that damage can
 * never pass for a tear. False if it is not sealed (a power cut came
 * first). Damage found is noted for report_damage.
 */
static RARE bool sealed(struct store *s, struct replay *rp,
                        const uint8_t *r, const uint8_t *h, uint32_t loc)
{
    int kind = -1;

    if (rd32(r + R_SEAL) == 0xffffffffu) {
        return false;
    }
    s->mount_bytes += R_COPY_LEN + rd16(h + R_LEN);
    if (!payload_ok(r, h)) {
        kind = DMG_PAYLOAD;
    } else if (h != r) {
        kind = DMG_HEADER;
    } else if (memcmp(r, r + R_COPY, R_COPY_LEN) != 0) {
        kind = DMG_COPY;
    }
    if (kind >= 0) {
        if (rp->n_damaged < DAMAGE_SLOTS) {
            rp->damaged[rp->n_damaged] = loc;
            rp->damage[rp->n_damaged] = (uint8_t)kind;
        }
        rp->n_damaged++;
        s->secure_damaged++;
    }
    return true;
}

/* Say what became of the damaged SECURE records (the "E store" line is
 * the one an owner's fail-safe answer goes with). */
static RARE void report_damage(const struct store *s, const struct replay *rp)
{
    for (uint32_t i = 0; i < rp->n_damaged && i < DAMAGE_SLOTS; i++) {
        uint32_t loc = rp->damaged[i];
        const uint8_t *h = hdr_at(s, loc);
        unsigned id = (unsigned)rd32(h + R_ID);
        unsigned txn = (unsigned)rd32(h + R_TXN);
        int slot = idx_find(s, rd32(h + R_ID));
        bool last = slot >= 0 && s->obj_loc[slot] == loc;

        if (rp->damage[i] == DMG_PAYLOAD && last) {
            LOG_E("object %08X: security record damaged (transaction %u): "
                  "not rolled back, reads as damaged", id, txn);
        } else if (rp->damage[i] == DMG_PAYLOAD) {
            LOG_W("object %08X: a superseded security record is damaged "
                  "(transaction %u)", id, txn);
        } else {
            LOG_W("object %08X: security record %s damaged (transaction "
                  "%u): %s used", id, rp->damage[i] == DMG_HEADER ?
                  "header" : "header copy", txn,
                  rp->damage[i] == DMG_HEADER ? "its copy" : "the header");
        }
    }
    if (rp->n_damaged > DAMAGE_SLOTS) {
        LOG_W("%u more damaged security records",
              (unsigned)(rp->n_damaged - DAMAGE_SLOTS));
    }
}

/* A record at OFF of PAGE torn in its header (rules 4, 7): it and the
 * pending transaction are discarded. */
static RARE void torn(struct store *s, struct replay *rp, uint32_t page,
                      uint32_t off)
{
    if (rp->pending) {
        LOG_W("transaction %u discarded (%u record(s) and a torn one at "
              "page %u offset %u)", (unsigned)rp->pend_txn,
              (unsigned)rp->pend_count, (unsigned)page, (unsigned)off);
    } else {
        LOG_W("torn record at page %u offset %u discarded", (unsigned)page,
              (unsigned)off);
    }
    s->discarded++;
    rp->pending = false;
}

/* Apply the pending transaction's records up to and including END_LOC,
 * its commit record (LOC_COPY: read through its header's copy). */
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
        if (loc == (end_loc & LOC_MASK)) {
            return apply_record(s, end_loc) ? STORE_ERR_CORRUPT : STORE_OK;
        }
        /* before the commit record: plain records with valid headers */
        if (rd32(r + R_TXN) == rp->pend_txn &&
            rd32(r + R_VOID) == 0xffffffffu) {
            int rc = apply_record(s, loc);
            if (rc) {
                return STORE_ERR_CORRUPT;
            }
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
        bool sec_ok = s->pages[page].version >= VERSION_SECURE;
        uint32_t off = PH_SIZE;
        bool garbage = false;

        while (off + R_SIZE <= s->f.page_size) {
            const uint8_t *r = pg + off, *h = r;
            uint32_t loc = page * s->f.page_size + off;
            uint32_t txn, size;
            bool secure;

            s->mount_bytes += R_SIZE;
            if (rd32(r) == 0xffffffffu && all_ff(r, R_SIZE)) {
                break;                      /* end of this page's records */
            }
            size = header_size(s, r, off, sec_ok);
            if (!size) {
                int rc;

                h = unreadable_header(s, page, off, &rc);
                if (rc) {
                    return rc;
                }
                if (!h) {
                    torn(s, &rp, page, off);
                    garbage = true;
                    break;
                }
                loc |= LOC_COPY;            /* a SECURE record's copy */
                size = hdr_rec_size(h);
            }
            s->pages[page].records++;
            txn = rd32(h + R_TXN);
            secure = (h[R_FLAGS] & F_SEC) != 0;
            if (txn > max_txn) {
                max_txn = txn;
            }
            /* transaction ids go up by one, never down, never skip */
            if (rp.seen_any && txn != rp.last_txn && txn != rp.last_txn + 1) {
                return STORE_ERR_CORRUPT;
            }
            if (!secure && rd32(r + R_VOID) != 0xffffffffu) {
                /* torn, voided record: an earlier mount discarded it */
                rp.pending = false;
                rp.seen_any = true;
                rp.last_txn = txn;
                off += size;
                continue;
            }
            if (rp.pending && rp.pend_txn != txn) {
                discard(s, &rp, ID_NONE, "never committed");
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
            if (h[R_FLAGS] & F_COMMIT) {
                uint32_t nrec = rd16(h + R_NREC);

                if (secure) {
                    if (!sealed(s, &rp, r, h, loc)) {
                        discard(s, &rp, rd32(h + R_ID),
                                "not sealed (a power cut before its seal)");
                        off += size;
                        continue;
                    }
                } else if (k + 2 >= s->n_active &&
                           (off + size + R_SIZE > s->f.page_size ||
                            all_ff(r + size, R_SIZE))) {
                    /*
                     * The last record of the log may have been torn after
                     * its header: check its payload (only there can that
                     * happen; rule 5).
                     */
                    s->mount_bytes += rd16(h + R_LEN);
                    if (!payload_ok(r, h)) {
                        s->void_loc = loc;
                        discard(s, &rp, rd32(h + R_ID),
                                "its last record is torn (payload CRC)");
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
                if (!(h[R_FLAGS] & F_GC) && txn > s->last_commit) {
                    s->last_commit = txn;   /* store_last_commit() */
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
    discard(s, &rp, ID_NONE, "no commit record at the end of the log");
    s->next_txn = max_txn + 1;
    report_damage(s, &rp);
    return STORE_OK;
}

/* What mount and format start with: check, then clean RAM state. */
int store_attach(struct store *s, const struct store_flash *f)
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
    s->live_bytes = store_idx_live_bytes(s);
    compute_max_live(s);
    s->mounted = true;
    return STORE_OK;
}
