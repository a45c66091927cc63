/*
 * fs: the file tree on the object store. Contract: fs/fs.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "fs/fs.h"

#define LOG_MODULE "fs"
#include "kernel/log.h"

#define HDR_MAGIC 0xF5u
#define MARKER_LEN 8
static const uint8_t marker[MARKER_LEN] = { 'N', 'C', 'F', 'S', FS_VERSION,
                                            0, 0, 0 };

/* Header layout (FS_HDR_SIZE bytes, little-endian):
 *  0 magic F5, 1 type, 2 parent, 3 lcs, 4-5 fid, 6 sfi, 7 arr_rec,
 *  8-9 arr_fid, 10-11 size, 12 rec_len, 13 nrec, 14 cyc_head,
 *  15 aid_len, 16-31 aid, 32 link (FF: none), 33-39 FF (reserved) */
void fs_hdr_encode(const struct fs_file *f, uint8_t out[FS_HDR_SIZE])
{
    memset(out, 0xff, FS_HDR_SIZE);
    out[0] = HDR_MAGIC;
    out[1] = f->type;
    out[2] = f->parent;
    out[3] = f->lcs;
    out[4] = (uint8_t)f->fid;
    out[5] = (uint8_t)(f->fid >> 8);
    out[6] = f->sfi;
    out[7] = f->arr_rec;
    out[8] = (uint8_t)f->arr_fid;
    out[9] = (uint8_t)(f->arr_fid >> 8);
    out[10] = (uint8_t)f->size;
    out[11] = (uint8_t)(f->size >> 8);
    out[12] = f->rec_len;
    out[13] = f->nrec;
    out[14] = f->cyc_head;
    out[15] = f->aid_len;
    memset(out + 16, 0, FS_AID_MAX);
    memcpy(out + 16, f->aid, f->aid_len <= FS_AID_MAX ? f->aid_len : 0);
    out[32] = f->link != 0 ? f->link : 0xFF;
}

bool fs_hdr_decode(const uint8_t *in, uint32_t len, uint8_t no,
                   struct fs_file *f)
{
    memset(f, 0, sizeof(*f));
    if (len != FS_HDR_SIZE || in[0] != HDR_MAGIC || in[1] < FS_T_MF ||
        in[1] > FS_T_CYCLIC || in[15] > FS_AID_MAX) {
        return false;
    }
    f->no = no;
    f->type = in[1];
    f->parent = in[2];
    f->lcs = in[3];
    f->fid = (uint16_t)(in[4] | in[5] << 8);
    f->sfi = in[6];
    f->arr_rec = in[7];
    f->arr_fid = (uint16_t)(in[8] | in[9] << 8);
    f->size = (uint16_t)(in[10] | in[11] << 8);
    f->rec_len = in[12];
    f->nrec = in[13];
    f->cyc_head = in[14];
    f->aid_len = in[15];
    memcpy(f->aid, in + 16, f->aid_len);
    f->link = in[32] == 0xFF ? 0 : in[32];
    if (f->link > FS_MAX_FILES || f->link == no ||
        (f->link != 0 && fs_type_is_df(f->type)) ||
        f->size > FS_MAX_FILE_SIZE || f->parent > FS_MAX_FILES ||
        (fs_type_is_record(f->type) &&
         (f->rec_len == 0 || f->nrec == 0 || f->cyc_head >= f->nrec ||
          (uint32_t)f->rec_len * f->nrec != f->size)) ||
        (f->type == FS_T_MF) != (no == FS_MF_NO)) {
        return false;
    }
    return true;
}

uint16_t fs_get(const struct fs *fs, uint8_t no, struct fs_file *f)
{
    uint8_t buf[FS_HDR_SIZE];
    uint32_t len = 0;
    int rc;

    if (!fs->ready) {
        return FS_SW_MEMORY;
    }
    if (no == 0 || no > FS_MAX_FILES || fs->ent[no].type == FS_T_NONE) {
        return FS_SW_NOT_FOUND;
    }
    rc = store_read(fs->st, FS_OBJ_HDR(no), buf, sizeof(buf), &len);
    if (rc != STORE_OK || !fs_hdr_decode(buf, len, no, f)) {
        LOG_E("file %u: header unreadable (%s)", (unsigned)no,
              store_strerror(rc));
        return FS_SW_MEMORY;
    }
    return FS_SW_OK;
}

uint8_t fs_find_child(const struct fs *fs, uint8_t parent, uint16_t fid)
{
    for (unsigned i = 1; i <= FS_MAX_FILES; i++) {
        if (fs->ent[i].type != FS_T_NONE && fs->ent[i].parent == parent &&
            fs->ent[i].fid == fid && i != parent) {
            return (uint8_t)i;
        }
    }
    return 0;
}

uint8_t fs_find_sfi(const struct fs *fs, uint8_t parent, uint8_t sfi)
{
    if (sfi == 0) {
        return 0;
    }
    for (unsigned i = 1; i <= FS_MAX_FILES; i++) {
        if (fs->ent[i].type != FS_T_NONE && fs->ent[i].parent == parent &&
            !fs_type_is_df(fs->ent[i].type) && fs->ent[i].sfi == sfi) {
            return (uint8_t)i;
        }
    }
    return 0;
}

uint8_t fs_find_adf(const struct fs *fs, const uint8_t *name, uint8_t len)
{
    struct fs_file f;

    for (unsigned i = 1; i <= FS_MAX_FILES; i++) {
        if (fs->ent[i].type == FS_T_ADF &&
            fs_get(fs, (uint8_t)i, &f) == FS_SW_OK && len >= 1 &&
            len <= f.aid_len && memcmp(f.aid, name, len) == 0) {
            return (uint8_t)i;
        }
    }
    return 0;
}

bool fs_is_below(const struct fs *fs, uint8_t a, uint8_t d)
{
    for (unsigned depth = 0; a != 0 && depth <= FS_MAX_FILES; depth++) {
        if (a == d) {
            return true;
        }
        a = fs->ent[a].parent;
    }
    return false;
}

/* The file whose content objects F reads and writes. */
static uint8_t content_no(const struct fs_file *f)
{
    return f->link != 0 ? f->link : f->no;
}

/* Size of chunk I of F (the last one may be shorter). */
static uint32_t chunk_len(const struct fs_file *f, uint32_t i)
{
    uint32_t start = i * FS_CHUNK;

    if (start >= f->size) {
        return 0;
    }
    return f->size - start < FS_CHUNK ? f->size - start : FS_CHUNK;
}

uint16_t fs_read(const struct fs *fs, const struct fs_file *f, uint32_t off,
                 uint8_t *buf, uint32_t len)
{
    uint8_t chunk[FS_CHUNK];

    if (!fs->ready) {
        return FS_SW_MEMORY;
    }
    if (off + len > f->size) {
        return FS_SW_OFFSET;
    }
    while (len > 0) {
        uint32_t ci = off / FS_CHUNK, co = off % FS_CHUNK, got = 0;
        uint32_t n = FS_CHUNK - co < len ? FS_CHUNK - co : len;
        int rc = store_read(fs->st, FS_OBJ_CHUNK(content_no(f), ci), chunk,
                            sizeof(chunk), &got);

        if (rc != STORE_OK || got != chunk_len(f, ci)) {
            LOG_E("file %04X: content unreadable (%s)", (unsigned)f->fid,
                  store_strerror(rc));
            return FS_SW_MEMORY;
        }
        memcpy(buf, chunk + co, n);
        buf += n;
        off += n;
        len -= n;
    }
    return FS_SW_OK;
}

static uint16_t sw_of_store(int rc)
{
    if (rc == STORE_OK) {
        return FS_SW_OK;
    }
    if (rc == STORE_ERR_FULL || rc == STORE_ERR_TXN_FULL) {
        return FS_SW_NO_SPACE;
    }
    return FS_SW_MEMORY;
}

uint16_t fs_write(struct fs *fs, const struct fs_file *f, uint32_t off,
                  const uint8_t *data, uint32_t len, bool with_header)
{
    uint8_t chunk[FS_CHUNK];
    int rc;

    if (!fs->ready) {
        return FS_SW_MEMORY;
    }
    if (off + len > f->size) {
        return FS_SW_OFFSET;
    }
    if (len > FS_MAX_WRITE) {
        return FS_SW_WRONG_LENGTH;
    }
    rc = store_begin(fs->st);
    while (rc == STORE_OK && len > 0) {
        uint32_t ci = off / FS_CHUNK, co = off % FS_CHUNK, got = 0;
        uint32_t n = FS_CHUNK - co < len ? FS_CHUNK - co : len;
        uint32_t clen = chunk_len(f, ci);

        if (n < clen) {
            rc = store_read(fs->st, FS_OBJ_CHUNK(content_no(f), ci), chunk,
                            sizeof(chunk), &got);
            if (rc == STORE_OK && got != clen) {
                rc = STORE_ERR_CORRUPT;
            }
        }
        if (rc == STORE_OK) {
            memcpy(chunk + co, data, n);
            rc = store_write(fs->st, FS_OBJ_CHUNK(content_no(f), ci), chunk,
                             clen);
        }
        data += n;
        off += n;
        len -= n;
    }
    if (rc == STORE_OK && with_header) {
        uint8_t hdr[FS_HDR_SIZE];

        fs_hdr_encode(f, hdr);
        rc = store_write(fs->st, FS_OBJ_HDR(f->no), hdr, sizeof(hdr));
    }
    if (rc == STORE_OK) {
        rc = store_commit(fs->st);
    } else {
        store_abort(fs->st);
    }
    if (rc != STORE_OK) {
        LOG_E("file %04X: write failed (%s)", (unsigned)f->fid,
              store_strerror(rc));
    }
    return sw_of_store(rc);
}

static int delete_chunks(struct fs *fs, uint8_t no);

uint16_t fs_create(struct fs *fs, struct fs_file *f)
{
    uint8_t chunk[FS_CHUNK];
    uint8_t hdr[FS_HDR_SIZE];
    uint32_t chunks, need;
    unsigned no;
    int rc = STORE_OK;

    if (!fs->ready) {
        return FS_SW_MEMORY;
    }
    if (f->size > FS_MAX_FILE_SIZE) {
        return FS_SW_NO_SPACE;
    }
    if (f->type != FS_T_MF &&
        (fs->ent[f->parent].type == FS_T_NONE ||
         !fs_type_is_df(fs->ent[f->parent].type) ||
         fs_find_child(fs, f->parent, f->fid) != 0 ||
         f->fid == fs->ent[f->parent].fid)) {
        return fs->ent[f->parent].type == FS_T_NONE ? FS_SW_NOT_FOUND
                                                      : FS_SW_EXISTS;
    }
    if (f->type == FS_T_ADF && fs_find_adf(fs, f->aid, f->aid_len) != 0) {
        return FS_SW_EXISTS;
    }
    if (f->type == FS_T_MF) {
        no = FS_MF_NO;
        if (fs->ent[no].type != FS_T_NONE) {
            return FS_SW_EXISTS;
        }
    } else {
        for (no = FS_MF_NO + 1; no <= FS_MAX_FILES; no++) {
            if (fs->ent[no].type == FS_T_NONE) {
                break;
            }
        }
        if (no > FS_MAX_FILES) {
            return FS_SW_NO_SPACE;
        }
    }
    f->no = (uint8_t)no;
    if (f->link != 0) {
        struct fs_file t;

        if (fs_get(fs, f->link, &t) != FS_SW_OK || fs_type_is_df(t.type) ||
            t.link != 0 || t.size != f->size) {
            return FS_SW_WRONG_DATA;
        }
    }
    chunks = f->link != 0 ? 0 : (f->size + FS_CHUNK - 1) / FS_CHUNK;
    need = FS_HDR_SIZE + 32 + chunks * (FS_CHUNK + 32);
    if (store_free(fs->st) < need + 2048) {
        return FS_SW_NO_SPACE;
    }
    /* content first, several chunks per transaction, header last */
    memset(chunk, 0xff, sizeof(chunk));
    for (uint32_t i = 0; i < chunks && rc == STORE_OK; i += 4) {
        rc = store_begin(fs->st);
        for (uint32_t j = i; j < i + 4 && j < chunks && rc == STORE_OK; j++) {
            rc = store_write(fs->st, FS_OBJ_CHUNK(no, j), chunk,
                             chunk_len(f, j));
        }
        if (rc == STORE_OK) {
            rc = store_commit(fs->st);
        } else {
            store_abort(fs->st);
        }
    }
    if (rc == STORE_OK) {
        fs_hdr_encode(f, hdr);
        rc = store_put(fs->st, FS_OBJ_HDR(no), hdr, sizeof(hdr));
    }
    if (rc != STORE_OK) {
        LOG_E("create %04X: %s", (unsigned)f->fid, store_strerror(rc));
        if (rc == STORE_ERR_FULL || rc == STORE_ERR_TXN_FULL) {
            (void)delete_chunks(fs, (uint8_t)no);   /* give the space back */
        }
        return sw_of_store(rc);
    }
    fs->ent[no] = (struct fs_entry){ .fid = f->fid, .parent = f->parent,
                                     .type = f->type, .sfi = f->sfi };
    fs->files++;
    return FS_SW_OK;
}

/* Delete the chunks of file NO that exist, in transactions. */
static int delete_chunks(struct fs *fs, uint8_t no)
{
    int rc = STORE_OK;

    for (uint32_t i = 0; i < FS_MAX_CHUNKS && rc == STORE_OK;) {
        unsigned n = 0;

        rc = store_begin(fs->st);
        for (; i < FS_MAX_CHUNKS && n < 8 && rc == STORE_OK; i++) {
            if (store_size(fs->st, FS_OBJ_CHUNK(no, i)) >= 0) {
                rc = store_delete(fs->st, FS_OBJ_CHUNK(no, i));
                n++;
            }
        }
        if (rc == STORE_OK && n > 0) {
            rc = store_commit(fs->st);
        } else {
            store_abort(fs->st);
        }
    }
    return rc;
}

uint16_t fs_delete(struct fs *fs, uint8_t no)
{
    int rc = STORE_OK;

    if (!fs->ready) {
        return FS_SW_MEMORY;
    }
    if (no <= FS_MF_NO || no > FS_MAX_FILES ||
        fs->ent[no].type == FS_T_NONE) {
        return FS_SW_NOT_FOUND;
    }
    /* descendants first (leaves before their DF), so the tree stays whole */
    for (;;) {
        unsigned leaf = 0;

        for (unsigned i = 1; i <= FS_MAX_FILES && leaf == 0; i++) {
            if (fs->ent[i].type != FS_T_NONE && fs_is_below(fs, (uint8_t)i, no)) {
                bool has_child = false;

                for (unsigned j = 1; j <= FS_MAX_FILES; j++) {
                    if (fs->ent[j].type != FS_T_NONE && j != i &&
                        fs->ent[j].parent == i) {
                        has_child = true;
                        break;
                    }
                }
                if (!has_child) {
                    leaf = i;
                }
            }
        }
        if (leaf == 0) {
            break;
        }
        rc = store_begin(fs->st);
        if (rc == STORE_OK) {
            rc = store_delete(fs->st, FS_OBJ_HDR(leaf));
        }
        if (rc == STORE_OK) {
            rc = store_commit(fs->st);
        } else {
            store_abort(fs->st);
        }
        if (rc != STORE_OK) {
            break;
        }
        fs->ent[leaf].type = FS_T_NONE;
        fs->files--;
        rc = delete_chunks(fs, (uint8_t)leaf);
        if (rc != STORE_OK) {
            break;
        }
        if (leaf == no) {
            break;
        }
    }
    if (rc != STORE_OK) {
        LOG_E("delete: %s", store_strerror(rc));
    }
    return sw_of_store(rc);
}

/* Remove every object of the fs range (first boot cut short). */
static int wipe(struct fs *fs)
{
    uint32_t id = FS_OBJ_BASE - 1;
    int rc = STORE_OK;

    while (rc == STORE_OK) {
        unsigned n = 0;

        rc = store_begin(fs->st);
        while (rc == STORE_OK && n < 12) {
            id = store_next_id(fs->st, id);
            if (id == 0 || id > (FS_OBJ_BASE | 0xffffu)) {
                break;
            }
            rc = store_delete(fs->st, id);
            n++;
        }
        if (rc != STORE_OK || n == 0) {
            store_abort(fs->st);
            break;
        }
        rc = store_commit(fs->st);
        if (n < 12) {
            break;
        }
    }
    return rc;
}

/* Load the file table; remove content without a header. */
static int load(struct fs *fs)
{
    struct fs_file f;

    for (unsigned no = 1; no <= FS_MAX_FILES; no++) {
        if (store_size(fs->st, FS_OBJ_HDR(no)) < 0) {
            continue;
        }
        fs->ent[no].type = FS_T_MF;   /* let fs_get read it */
        if (fs_get(fs, (uint8_t)no, &f) != FS_SW_OK) {
            return FS_ERR_CORRUPT;
        }
        fs->ent[no] = (struct fs_entry){ .fid = f.fid, .parent = f.parent,
                                         .type = f.type, .sfi = f.sfi };
        fs->files++;
    }
    if (fs->ent[FS_MF_NO].type != FS_T_MF) {
        return FS_ERR_CORRUPT;
    }
    for (unsigned no = 2; no <= FS_MAX_FILES; no++) {
        if (fs->ent[no].type == FS_T_NONE) {
            continue;
        }
        uint8_t p = fs->ent[no].parent;
        if (p == 0 || p > FS_MAX_FILES || !fs_type_is_df(fs->ent[p].type) ||
            !fs_is_below(fs, (uint8_t)no, FS_MF_NO)) {
            return FS_ERR_CORRUPT;
        }
    }
    for (unsigned no = 2; no <= FS_MAX_FILES; no++) {
        if (fs->ent[no].type == FS_T_NONE &&
            store_size(fs->st, FS_OBJ_CHUNK(no, 0)) >= 0 &&
            delete_chunks(fs, (uint8_t)no) != STORE_OK) {
            return FS_ERR_IO;
        }
    }
    return FS_MOUNTED;
}

int fs_mount(struct fs *fs, struct store *st,
             const struct fs_first_boot *first_boot)
{
    uint8_t m[MARKER_LEN];
    uint32_t len = 0;
    int rc;

    memset(fs, 0, sizeof(*fs));
    fs->st = st;
    if (st == NULL) {
        LOG_E("no storage: file commands answer 6581");
        return FS_ERR_NO_STORE;
    }
    rc = store_read(st, FS_OBJ_MARKER, m, sizeof(m), &len);
    if (rc == STORE_OK && len == MARKER_LEN &&
        memcmp(m, marker, MARKER_LEN) == 0) {
        fs->ready = true;
        rc = load(fs);
        if (rc != FS_MOUNTED) {
            fs->ready = false;
            LOG_E("file system damaged: file commands answer 6581");
            return rc;
        }
        LOG_I("%u files", (unsigned)fs->files);
        return FS_MOUNTED;
    }
    if (rc != STORE_ERR_NOT_FOUND) {
        LOG_E("file system marker %s: file commands answer 6581",
              rc == STORE_OK ? "of another version" : store_strerror(rc));
        return FS_ERR_CORRUPT;
    }
    /* first boot (or a first boot cut short: no marker yet) */
    if (wipe(fs) != STORE_OK) {
        LOG_E("cannot prepare the store: file commands answer 6581");
        return FS_ERR_IO;
    }
    fs->ready = true;
    if (first_boot->create(fs) != FS_SW_OK ||
        store_put(st, FS_OBJ_MARKER, marker, MARKER_LEN) != STORE_OK) {
        fs->ready = false;
        LOG_E("first-boot creation failed: file commands answer 6581");
        return FS_ERR_IO;
    }
    LOG_I("created %s", first_boot->summary);
    LOG_I("%u files", (unsigned)fs->files);
    return FS_CREATED;
}
