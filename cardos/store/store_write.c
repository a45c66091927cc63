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
 * This file writes: format, pages, transactions (secure ones too), the
 * collector. Mount and recovery: store_mount.c; the RAM index, reads and
 * statistics: store_index.c; the layout they share: store_priv.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "store/store_priv.h"

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

/* ---- format ---------------------------------------------------------- */

static void build_format_header(const struct store *s, uint8_t *h,
                                uint32_t erases)
{
    memset(h, 0xff, PH_SIZE);
    wr32(h + PH_MAGIC, PAGE_MAGIC);
    wr16(h + PH_VERSION, s->version);
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
    /* version 1 until the first secure record: readable by version-1
     * code as long as it holds none (store.h) */
    s->version = 1;
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
    s->pages[page].version = s->version;
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
    /*
     * Not clean: erase it first. So is a page formatted as version 1 in a
     * store that holds secure records: every page of such a store must
     * say version 2, so that version-1 code refuses it (store.h).
     */
    if (!all_ff(pg + PH_FORMAT_LEN, s->f.page_size - PH_FORMAT_LEN) ||
        (s->pages[best].state == PG_BLANK && !all_ff(pg, PH_FORMAT_LEN)) ||
        (s->pages[best].state == PG_FREE &&
         s->pages[best].version < s->version)) {
        rc = recycle_page(s, best);
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
    s->pages[best].version = s->version;
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

/*
 * Make the staged record the SECURE commit record of a secure transaction
 * of NREC records: its header, the seal word (erased: the seal is a later
 * program operation), a copy of header bytes 0..23 so that a damaged
 * header still names the record, then the payload (docs/store.md,
 * "Security objects"). txn_add kept the payload within
 * STORE_MAX_SECURE_OBJECT: the record fits in s->stage.
 */
static void stage_make_secure(struct store *s, uint32_t nrec)
{
    uint8_t *r = (uint8_t *)s->stage;

    memmove(r + R_SEC_SIZE, r + R_SIZE, s->stage_len - R_SIZE);
    r[R_FLAGS] |= F_COMMIT | F_SEC;
    wr16(r + R_NREC, nrec);
    wr32(r + R_HCRC, crc32(r, R_HCRC));
    memcpy(r + R_COPY, r, R_COPY_LEN);
    s->stage_len += R_COPY_LEN;
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
        const uint8_t *r, *h;
        uint32_t old_size;

        if (!s->obj_id[i] || s->obj_loc[i] < vstart || s->obj_loc[i] >= vend) {
            continue;
        }
        /*
         * A SECURE record is copied as a plain one: its seal and header
         * copy protect a commit, and this copy commits by the tail record
         * (a tail torn or damaged leaves the same value in the victim, or
         * a log that no longer mounts: never an older value). The payload
         * CRC is copied as it is: damage stays visible.
         */
        r = rec_at(s, s->obj_loc[i]);
        h = hdr_at(s, s->obj_loc[i]);
        old_size = hdr_rec_size(h);
        stage_record(s, T_PUT, F_GC, s->obj_id[i], payload_of(r, h),
                     rd16(h + R_LEN), rd32(h + R_PCRC), 0);
        rc = append_stage(s, 0, &loc);
        if (rc) {
            return rc == STORE_ERR_TXN_FULL ? STORE_ERR_FULL : rc;
        }
        live_move(s, s->obj_loc[i], loc);
        s->obj_loc[i] = loc;
        /* a plain copy of a SECURE record is 24 bytes smaller */
        s->live_bytes = s->live_bytes - old_size + s->stage_len;
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
 * records, plus the commit rider. If every begin from now on collected STORE_GC_STEP pages, the
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
/* records of one transaction: the caller's and the commit rider */
#define TXN_RECORDS_ALL (STORE_MAX_TXN_RECORDS + 1)

_Static_assert(STORE_LOG_MAX_RECORDS >=
               STORE_MAX_PAGES + STORE_MAX_OBJECTS + TXN_RECORDS_ALL *
               (STORE_MAX_PAGES / STORE_GC_STEP + 3) + 2,
               "STORE_LOG_MAX_RECORDS: a log of live data only (one tail "
               "record per page) must fit with the look-ahead's margin");

static bool record_budget_at_risk(const struct store *s)
{
    const int32_t a = TXN_RECORDS_ALL;
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

/* ---- transactions ------------------------------------------------------- */

int store_begin(struct store *s)
{
    return store_begin_for(s, 0);
}

int store_begin_for(struct store *s, uint32_t bytes)
{
    int rc = check_ready(s);
    uint32_t cap = s->f.page_size - PH_SIZE;
    /* erased pages the transaction's records may open: its bytes over
     * the page capacity, one more for the head page's rest */
    uint32_t need = bytes && cap ? (bytes + cap - 1u) / cap + 1u : 0;

    if (need < STORE_TXN_PAGES) {
        need = STORE_TXN_PAGES;
    }

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
         guard && free_pages(s) < STORE_GC_RESERVE_PAGES + need &&
         s->n_active > 1;
         guard--) {
        rc = gc_one(s);
        if (rc) {
            return rc;
        }
    }
    s->in_txn = true;
    s->txn_secure = false;
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

/* LIMIT: records the transaction may hold (the rider goes past the
 * caller's limit). */
static int txn_add(struct store *s, uint8_t type, uint32_t id,
                   const void *data, uint32_t len, uint32_t limit)
{
    uint32_t old = txn_current_size(s, id);
    uint32_t size = type == T_PUT ? rec_size(len) : 0;
    int64_t live_after;
    int rc;

    if (s->txn_n >= limit) {
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
    if (s->txn_secure) {
        live_after += R_COPY_LEN;   /* if it is the last: the header copy */
    }
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
        (len && !data) ||
        (s->txn_secure && len > STORE_MAX_SECURE_OBJECT)) {
        return STORE_ERR_PARAM;
    }
    return txn_add(s, T_PUT, id, data, len, STORE_MAX_TXN_RECORDS);
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
    return txn_add(s, T_DEL, id, NULL, 0, STORE_MAX_TXN_RECORDS);
}

int store_commit(struct store *s)
{
    static const uint8_t seal[4] = { 0, 0, 0, 0 };
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
        s->txn_secure = false;
        return STORE_OK;
    }
    if (s->rider_id) {
        /* the commit rider: this transaction's last record (store.h) */
        rc = txn_add(s, T_PUT, s->rider_id, s->rider_data, s->rider_len,
                     TXN_RECORDS_ALL);
        if (rc) {
            store_abort(s);
            return rc;
        }
    }
    if (s->txn_secure) {
        stage_make_secure(s, s->txn_n);
        /*
         * From the first secure record on the store is version 2, and a
         * secure record goes only into a page whose header says so:
         * version-1 code then refuses the store (STORE_ERR_VERSION)
         * instead of taking the seal for a void mark. A head page of
         * version 1 takes no more records.
         */
        s->version = VERSION_SECURE;
        if (s->pages[head_page(s)].version < VERSION_SECURE) {
            s->head_closed = true;
        }
    } else {
        stage_set_commit(s, s->txn_n);
    }
    rc = append_stage(s, STORE_GC_RESERVE_PAGES, &loc);
    if (rc) {
        store_abort(s);
        return rc;
    }
    if (s->txn_secure) {
        /*
         * The seal: a second program operation, begun only once the
         * record is completely programmed. It is the commit point of a
         * secure transaction (rule 8): a power cut before it rolls the
         * transaction back, and after it no damage to the record can.
         */
        rc = flash_program(s, loc + R_SEAL, seal, sizeof(seal));
        if (rc) {
            store_abort(s);
            return rc;
        }
    }
    s->txn[s->txn_n - 1].loc = loc;
    s->stage_len = 0;
    for (uint32_t k = 0; k < s->txn_n; k++) {
        if (s->txn[k].type == T_PUT) {
            rc = store_idx_put(s, s->txn[k].id, s->txn[k].loc);
            if (rc) {
                s->error = STORE_ERR_IO;   /* index overflow: remount */
                return rc;
            }
        } else {
            store_idx_del(s, s->txn[k].id);
        }
    }
    s->last_commit = s->next_txn;
    if (s->rider_id) {
        s->rider_id = 0;            /* carried */
        s->rider_txn = s->next_txn;
    }
    s->next_txn++;
    s->in_txn = false;
    s->txn_secure = false;
    return STORE_OK;
}

uint32_t store_last_commit(const struct store *s)
{
    return s ? s->last_commit : 0;
}

uint32_t store_txn_id(const struct store *s)
{
    return s && s->in_txn ? s->next_txn : 0;
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
    s->txn_secure = false;
    s->stage_len = 0;
    s->txn_n = 0;
}

int store_begin_secure(struct store *s)
{
    int rc = store_begin(s);

    if (rc == STORE_OK) {
        s->txn_secure = true;
    }
    return rc;
}

static int put_one(struct store *s, bool secure, uint32_t id,
                   const void *data, uint32_t len)
{
    int rc = secure ? store_begin_secure(s) : store_begin(s);

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

int store_put(struct store *s, uint32_t id, const void *data, uint32_t len)
{
    return put_one(s, false, id, data, len);
}

int store_put_secure(struct store *s, uint32_t id, const void *data,
                     uint32_t len)
{
    return put_one(s, true, id, data, len);
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
