/*
 * store: the RAM index (object id -> record), the reads of the committed
 * state, free space and statistics, the commit rider's RAM state.
 * Contract: store.h; layout: store_priv.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "store/store_priv.h"

/*
 * live_bytes follows every change of a mounted store. While mounting it
 * is left alone and summed once at the end (store_idx_live_bytes): one
 * record size per live object instead of two per record of the log, for
 * mount time is per record (docs/store.md "Mount time").
 */
int store_idx_put(struct store *s, uint32_t id, uint32_t loc)
{
    int i = idx_find(s, id);

    if (i >= 0) {
        if (s->mounted) {
            s->live_bytes -= loc_size(s, s->obj_loc[i]);
        }
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
    if (s->mounted) {
        s->live_bytes += loc_size(s, loc);
    }
    return STORE_OK;
}

void store_idx_del(struct store *s, uint32_t id)
{
    int found = idx_find(s, id);
    uint32_t i, j;

    if (found < 0) {
        return;
    }
    i = (uint32_t)found;
    if (s->mounted) {
        s->live_bytes -= loc_size(s, s->obj_loc[i]);
    }
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

uint32_t store_idx_live_bytes(const struct store *s)
{
    uint32_t sum = 0;

    for (uint32_t i = 0; i < STORE_INDEX_SLOTS; i++) {
        if (s->obj_id[i]) {
            sum += loc_size(s, s->obj_loc[i]);
        }
    }
    return sum;
}

/* ---- reading ----------------------------------------------------------- */

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
    return (int)rd16(hdr_at(s, s->obj_loc[i]) + R_LEN);
}

int store_read(const struct store *s, uint32_t id, void *buf, uint32_t cap,
               uint32_t *len)
{
    const uint8_t *r, *h;
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
    r = rec_at(s, s->obj_loc[i]);
    h = hdr_at(s, s->obj_loc[i]);  /* the copy if the header is damaged */
    n = rd16(h + R_LEN);
    if (len) {
        *len = n;
    }
    if (n > cap || (n && !buf)) {
        return STORE_ERR_PARAM;
    }
    /* a damaged payload is reported, never papered over (for a security
     * object: its last version is damaged, the owner fails safe) */
    if (!payload_ok(r, h)) {
        return STORE_ERR_CORRUPT;
    }
    if (n) {
        memcpy(buf, payload_of(r, h), n);
    }
    return STORE_OK;
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

/* ---- free space and statistics ------------------------------------------ */

uint32_t store_free(const struct store *s)
{
    if (!s || !s->mounted || s->live_bytes >= s->max_live) {
        return 0;
    }
    return s->max_live - s->live_bytes;
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
    st->discarded = s->discarded;
    st->secure_damaged = s->secure_damaged;
    st->version = s->version;
}

/* ---- the commit rider (RAM only; store_commit writes it) ------------- */

int store_rider_set(struct store *s, uint32_t id, const void *data,
                    uint32_t len)
{
    if (!s) {
        return STORE_ERR_STATE;
    }
    if (id == ID_NONE || id > ID_MAX || len > STORE_MAX_SECURE_OBJECT ||
        (len && !data)) {
        return STORE_ERR_PARAM;
    }
    s->rider_id = id;
    s->rider_data = data;
    s->rider_len = len;
    s->rider_txn = 0;
    return STORE_OK;
}

uint32_t store_rider_clear(struct store *s)
{
    uint32_t txn;

    if (!s) {
        return 0;
    }
    txn = s->rider_id ? 0 : s->rider_txn;
    s->rider_id = 0;
    s->rider_txn = 0;
    return txn;
}
