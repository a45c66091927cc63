/*
 * The SCWS content store. Contract: web_store.h.
 *
 * Metadata object (WEB_OBJ(slot, 0)), little-endian:
 *   0  u8  format (1)
 *   1  u8  chunks
 *   2  u16 0
 *   4  u32 size
 *   8  u32 crc (the ETag's)
 *   12 u32 modified
 *   16 path NUL type NUL encoding NUL language NUL
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "net/web/web_store.h"

#include <stdint.h>
#include <string.h>

#include "store/crc32.h"

#define META_FORMAT 1u
#define META_FIXED  16u
#define META_MAX    (META_FIXED + WEB_PATH_MAX + WEB_TYPE_MAX + WEB_ENC_MAX + \
                     WEB_LANG_MAX)
#define MAX_CHUNKS  WEB_MAX_CHUNKS

_Static_assert(WEB_CHUNK <= STORE_MAX_OBJECT, "a chunk is one store object");
_Static_assert(META_MAX <= STORE_MAX_OBJECT, "metadata is one store object");
/* A put writes the new chunks, deletes the old ones beyond them and
 * writes the metadata: 1 + max(new, old) records, one transaction. */
_Static_assert(MAX_CHUNKS + 1u <= STORE_MAX_TXN_RECORDS,
               "a put (new chunks, old chunks, metadata) is one transaction");
_Static_assert(MAX_CHUNKS <= 15u, "chunk parts 1..15 fit WEB_OBJ's 4 bits");
_Static_assert(WEB_MAX_RESOURCES <= 4096u, "slot fits WEB_OBJ's 12 bits");

static struct {
    struct store *s;
    uint32_t path_crc[WEB_MAX_RESOURCES];
    uint8_t chunks[WEB_MAX_RESOURCES];
    uint64_t used;                      /* bit per slot */
} ws;

_Static_assert(WEB_MAX_RESOURCES <= 64u, "used is a 64-bit set");

static bool slot_used(unsigned n)
{
    return (ws.used >> n) & 1u;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* A NUL-terminated string of at most CAP - 1 bytes in FIELD. */
static bool field_ok(const char *field, size_t cap)
{
    return memchr(field, '\0', cap) != NULL;
}

/* Visible ASCII, no control characters (they would split a header). */
static bool text_ok(const char *t)
{
    for (; *t; t++) {
        if ((unsigned char)*t < 0x20 || (unsigned char)*t > 0x7e) {
            return false;
        }
    }
    return true;
}

static bool path_ok(const char *p)
{
    size_t n;

    if (!field_ok(p, WEB_PATH_MAX) || p[0] != '/') {
        return false;
    }
    n = strlen(p);
    if (p[n - 1] == '/') {
        return false;                   /* a directory, not a resource */
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c <= 0x20 || c > 0x7e || c == '?' || c == '#' || c == '%' ||
            c == '\\') {
            return false;
        }
        if (c == '/' && p[i + 1] == '/') {
            return false;
        }
        if (c == '/' && p[i + 1] == '.' &&
            (p[i + 2] == '/' || p[i + 2] == '\0' ||
             (p[i + 2] == '.' && (p[i + 3] == '/' || p[i + 3] == '\0')))) {
            return false;               /* "/./", "/../" */
        }
    }
    return true;
}

static int from_store(int r)
{
    switch (r) {
    case STORE_OK:            return WEB_OK;
    case STORE_ERR_NOT_FOUND: return WEB_ERR_NOT_FOUND;
    case STORE_ERR_FULL:      return WEB_ERR_FULL;
    case STORE_ERR_TXN_FULL:  return WEB_ERR_FULL;
    default:                  return WEB_ERR_IO;
    }
}

static uint32_t meta_encode(const struct web_meta *m, uint8_t chunks,
                            uint8_t out[META_MAX])
{
    uint32_t n = META_FIXED;
    const char *strs[4] = { m->path, m->type, m->encoding, m->language };

    out[0] = META_FORMAT;
    out[1] = chunks;
    out[2] = out[3] = 0;
    put32(out + 4, m->size);
    put32(out + 8, m->crc);
    put32(out + 12, m->modified);
    for (unsigned i = 0; i < 4; i++) {
        size_t l = strlen(strs[i]) + 1;
        memcpy(out + n, strs[i], l);
        n += (uint32_t)l;
    }
    return n;
}

static bool meta_decode(const uint8_t *in, uint32_t len, struct web_meta *m,
                        uint8_t *chunks)
{
    char *dst[4] = { m->path, m->type, m->encoding, m->language };
    const size_t cap[4] = { WEB_PATH_MAX, WEB_TYPE_MAX, WEB_ENC_MAX,
                            WEB_LANG_MAX };
    uint32_t off = META_FIXED;

    if (len < META_FIXED || in[0] != META_FORMAT || in[1] > MAX_CHUNKS) {
        return false;
    }
    *chunks = in[1];
    m->size = get32(in + 4);
    m->crc = get32(in + 8);
    m->modified = get32(in + 12);
    for (unsigned i = 0; i < 4; i++) {
        const uint8_t *z = memchr(in + off, '\0', len - off);
        size_t l;

        if (!z || (size_t)(z - (in + off)) >= cap[i]) {
            return false;
        }
        l = (size_t)(z - (in + off)) + 1;
        memcpy(dst[i], in + off, l);
        off += (uint32_t)l;
    }
    return m->size <= WEB_DATA_MAX;
}

static int meta_read(unsigned slot, struct web_meta *m, uint8_t *chunks)
{
    uint8_t buf[META_MAX];
    uint32_t len;
    int r = store_read(ws.s, WEB_OBJ(slot, 0), buf, sizeof(buf), &len);

    if (r != STORE_OK) {
        return from_store(r);
    }
    return meta_decode(buf, len, m, chunks) ? WEB_OK : WEB_ERR_IO;
}

/* The slot holding PATH (its metadata in *M), or -1. */
static int find(const char *path, struct web_meta *m, uint8_t *chunks)
{
    uint32_t h = crc32(path, strlen(path));

    for (unsigned i = 0; i < WEB_MAX_RESOURCES; i++) {
        if (slot_used(i) && ws.path_crc[i] == h) {
            int r = meta_read(i, m, chunks);
            if (r == WEB_ERR_NOT_FOUND) {
                ws.used &= ~(1ull << i);    /* gone (the NVM reformatted) */
            } else if (r == WEB_OK && strcmp(m->path, path) == 0) {
                return (int)i;
            }
        }
    }
    return -1;
}

int web_store_init(struct store *store)
{
    memset(&ws, 0, sizeof(ws));
    ws.s = store;
    if (!store) {
        return WEB_ERR_NO_STORE;
    }
    for (unsigned i = 0; i < WEB_MAX_RESOURCES; i++) {
        struct web_meta m;
        uint8_t chunks;

        if (meta_read(i, &m, &chunks) == WEB_OK) {
            ws.path_crc[i] = crc32(m.path, strlen(m.path));
            ws.chunks[i] = chunks;
            ws.used |= 1ull << i;
        }
    }
    return WEB_OK;
}

static uint32_t etag_finish(uint32_t c, const struct web_meta *m);

static uint32_t etag_crc(const struct web_meta *m, const void *data,
                         uint32_t len)
{
    return etag_finish(crc32_update(0, data, len), m);
}

static bool meta_ok(const struct web_meta *in)
{
    return in && path_ok(in->path) && field_ok(in->type, WEB_TYPE_MAX) &&
           in->type[0] && text_ok(in->type) &&
           field_ok(in->encoding, WEB_ENC_MAX) && text_ok(in->encoding) &&
           field_ok(in->language, WEB_LANG_MAX) && text_ok(in->language);
}

static uint32_t etag_finish(uint32_t c, const struct web_meta *m)
{
    c = crc32_update(c, m->type, strlen(m->type) + 1);
    c = crc32_update(c, m->encoding, strlen(m->encoding) + 1);
    return crc32_update(c, m->language, strlen(m->language) + 1);
}

int web_store_put_from(const struct web_meta *in, uint32_t len,
                       web_data_reader read, void *ctx)
{
    struct web_meta m, old;
    uint8_t meta[META_MAX], old_chunks = 0, chunks;
    uint32_t meta_len, c32 = 0;
    int slot, r;

    if (!ws.s) {
        return WEB_ERR_NO_STORE;
    }
    if (!meta_ok(in) || (len && !read)) {
        return WEB_ERR_PARAM;
    }
    if (len > WEB_DATA_MAX) {
        return WEB_ERR_TOO_LARGE;
    }
    m = *in;
    m.size = len;
    chunks = (uint8_t)((len + WEB_CHUNK - 1u) / WEB_CHUNK);

    slot = find(m.path, &old, &old_chunks);
    if (slot < 0) {
        for (unsigned i = 0; i < WEB_MAX_RESOURCES && slot < 0; i++) {
            if (!slot_used(i)) {
                slot = (int)i;
            }
        }
        if (slot < 0) {
            return WEB_ERR_FULL;
        }
        old_chunks = 0;
    }
    /* Room for the new records (each costs its payload + 28 bytes). */
    if (store_free(ws.s) < META_MAX + len + 28u * (1u + chunks)) {
        return WEB_ERR_FULL;
    }
    /* Each chunk goes to the transaction as it comes (the store programs
     * a record when the next one is staged); the metadata, with the CRC
     * of all of them, is the last record: store_commit is the commit
     * point (web_store.h). */
    /* its records: chunks, metadata, deletions (a header each) */
    r = store_begin_for(ws.s, META_MAX + len +
                        32u * (1u + chunks + old_chunks));
    for (unsigned c = 0; r == STORE_OK && c < chunks; c++) {
        uint32_t off = c * WEB_CHUNK;
        uint32_t n = len - off < WEB_CHUNK ? len - off : WEB_CHUNK;
        const void *p = read(ctx, off, n);

        if (!p) {
            r = STORE_ERR_PARAM;
            break;
        }
        c32 = crc32_update(c32, p, n);
        r = store_write(ws.s, WEB_OBJ(slot, 1u + c), p, n);
    }
    for (unsigned c = chunks; r == STORE_OK && c < old_chunks; c++) {
        r = store_delete(ws.s, WEB_OBJ(slot, 1u + c));
    }
    if (r == STORE_OK) {
        m.crc = etag_finish(c32, &m);
        meta_len = meta_encode(&m, chunks, meta);
        r = store_write(ws.s, WEB_OBJ(slot, 0), meta, meta_len);
    }
    if (r == STORE_OK) {
        r = store_commit(ws.s);        /* the commit point */
    } else if (ws.s->in_txn) {
        store_abort(ws.s);
    }
    if (r == STORE_ERR_PARAM) {
        return WEB_ERR_IO;             /* the reader gave up */
    }
    if (r != STORE_OK) {
        return from_store(r);
    }
    ws.path_crc[slot] = crc32(m.path, strlen(m.path));
    ws.chunks[slot] = chunks;
    ws.used |= 1ull << slot;
    return WEB_OK;
}

static const void *read_memory(void *ctx, uint32_t off, uint32_t n)
{
    (void)n;
    return (const uint8_t *)ctx + off;
}

int web_store_put(const struct web_meta *in, const void *data, uint32_t len)
{
    if (ws.s && meta_ok(in) && len && !data) {
        return WEB_ERR_PARAM;
    }
    return web_store_put_from(in, len, read_memory, (void *)(uintptr_t)data);
}

int web_store_open(const char *path, struct web_meta *m,
                   struct web_handle *h)
{
    uint8_t chunks;
    int slot;

    if (!ws.s) {
        return WEB_ERR_NO_STORE;
    }
    if (!path || !field_ok(path, WEB_PATH_MAX)) {
        return WEB_ERR_NOT_FOUND;
    }
    h->commit = store_last_commit(ws.s);
    slot = find(path, m, &chunks);
    if (slot < 0) {
        return WEB_ERR_NOT_FOUND;
    }
    h->slot = (uint8_t)slot;
    h->size = m->size;
    h->crc = m->crc;
    h->path_crc = ws.path_crc[slot];
    return WEB_OK;
}

int web_store_read_chunk(struct web_handle *h, uint32_t index, void *buf,
                         uint32_t cap)
{
    uint32_t want, len, now;
    int r;

    if (!ws.s) {
        return WEB_ERR_NO_STORE;
    }
    if (index * WEB_CHUNK >= h->size || cap < WEB_CHUNK ||
        h->slot >= WEB_MAX_RESOURCES) {
        return WEB_ERR_PARAM;
    }
    now = store_last_commit(ws.s);
    if (now != h->commit) {
        /* Something committed since the last check: is the slot still
         * this resource, whole? (Checked, not pinned: web_store.h.) */
        struct web_meta m;
        uint8_t chunks;

        if (!slot_used(h->slot) || ws.path_crc[h->slot] != h->path_crc ||
            meta_read(h->slot, &m, &chunks) != WEB_OK ||
            m.size != h->size || m.crc != h->crc) {
            return WEB_ERR_NOT_FOUND;
        }
        h->commit = now;
    }
    want = h->size - index * WEB_CHUNK;
    want = want < WEB_CHUNK ? want : WEB_CHUNK;
    r = store_read(ws.s, WEB_OBJ(h->slot, 1u + index), buf, cap, &len);
    if (r != STORE_OK || len != want) {
        return WEB_ERR_IO;
    }
    return (int)len;
}

int web_store_stat(const char *path, struct web_meta *m)
{
    uint8_t chunks;

    if (!ws.s) {
        return WEB_ERR_NO_STORE;
    }
    if (!path || !field_ok(path, WEB_PATH_MAX)) {
        return WEB_ERR_NOT_FOUND;
    }
    return find(path, m, &chunks) >= 0 ? WEB_OK : WEB_ERR_NOT_FOUND;
}

int web_store_get(const char *path, struct web_meta *m, void *buf,
                  uint32_t cap)
{
    uint8_t chunks;
    uint32_t off = 0;
    int slot;

    if (!ws.s) {
        return WEB_ERR_NO_STORE;
    }
    if (!path || !field_ok(path, WEB_PATH_MAX)) {
        return WEB_ERR_NOT_FOUND;
    }
    slot = find(path, m, &chunks);
    if (slot < 0) {
        return WEB_ERR_NOT_FOUND;
    }
    if (cap < m->size) {
        return WEB_ERR_PARAM;
    }
    for (unsigned c = 0; c < chunks; c++) {
        uint32_t len;
        int r = store_read(ws.s, WEB_OBJ(slot, 1u + c), (uint8_t *)buf + off,
                           cap - off, &len);
        if (r != STORE_OK) {
            return WEB_ERR_IO;
        }
        off += len;
    }
    /* The chunks and the metadata were written together: a mismatch is
     * damage, never a torn write. */
    if (off != m->size || etag_crc(m, buf, off) != m->crc) {
        return WEB_ERR_IO;
    }
    return WEB_OK;
}

static int delete_slot(unsigned slot)
{
    int r = store_begin(ws.s);

    for (unsigned c = 0; r == STORE_OK && c < ws.chunks[slot]; c++) {
        r = store_delete(ws.s, WEB_OBJ(slot, 1u + c));
    }
    if (r == STORE_OK) {
        r = store_delete(ws.s, WEB_OBJ(slot, 0));
    }
    if (r == STORE_OK) {
        r = store_commit(ws.s);
    } else if (ws.s->in_txn) {
        store_abort(ws.s);
    }
    if (r == STORE_OK) {
        ws.used &= ~(1ull << slot);
    }
    return from_store(r);
}

int web_store_delete(const char *path)
{
    struct web_meta m;
    uint8_t chunks;
    size_t n;
    bool any = false;

    if (!ws.s) {
        return WEB_ERR_NO_STORE;
    }
    if (!path || !field_ok(path, WEB_PATH_MAX) || path[0] != '/') {
        return WEB_ERR_PARAM;
    }
    n = strlen(path);
    if (path[n - 1] != '/') {
        int slot = find(path, &m, &chunks);
        return slot < 0 ? WEB_ERR_NOT_FOUND : delete_slot((unsigned)slot);
    }
    for (unsigned i = 0; i < WEB_MAX_RESOURCES; i++) {
        if (slot_used(i) && meta_read(i, &m, &chunks) == WEB_OK &&
            strncmp(m.path, path, n) == 0) {
            int r = delete_slot(i);
            if (r != WEB_OK) {
                return r;
            }
            any = true;
        }
    }
    return any ? WEB_OK : WEB_ERR_NOT_FOUND;
}

int web_store_list(uint32_t *cursor, struct web_meta *m)
{
    uint8_t chunks;

    if (!ws.s) {
        return WEB_ERR_NO_STORE;
    }
    while (*cursor < WEB_MAX_RESOURCES) {
        unsigned i = (*cursor)++;
        if (slot_used(i) && meta_read(i, m, &chunks) == WEB_OK) {
            return WEB_OK;
        }
    }
    return WEB_ERR_NOT_FOUND;
}

void web_store_etag(const struct web_meta *m, char *out, uint32_t size)
{
    static const char hex[] = "0123456789abcdef";
    char t[24];
    unsigned n = 0;
    uint32_t v = m->size;
    char rev[8];
    unsigned k = 0;

    t[n++] = '"';
    for (int s = 28; s >= 0; s -= 4) {
        t[n++] = hex[(m->crc >> s) & 0xfu];
    }
    t[n++] = '-';
    do {
        rev[k++] = hex[v & 0xfu];
        v >>= 4;
    } while (v);
    while (k) {
        t[n++] = rev[--k];
    }
    t[n++] = '"';
    t[n] = '\0';
    if (size) {
        size_t l = n < size - 1 ? n : size - 1;
        memcpy(out, t, l);
        out[l] = '\0';
    }
}

void web_store_get_stats(struct web_store_stats *st)
{
    struct web_meta m;
    uint32_t cur = 0;

    memset(st, 0, sizeof(*st));
    if (!ws.s) {
        return;
    }
    while (web_store_list(&cur, &m) == WEB_OK) {
        st->resources++;
        st->data_bytes += m.size;
    }
    st->free_bytes = store_free(ws.s);
}
