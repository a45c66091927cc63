/*
 * fs: the ISO/IEC 7816-4 / ETSI TS 102 221 file tree on the object store
 * (store/store.h).
 *
 * Files: the MF (3F00), DFs, ADFs (DFs with an AID, children of the MF)
 * and elementary files of three structures: transparent, linear fixed and
 * cyclic (TS 102 221 8.2). Each file has a number 1..FS_MAX_FILES (its
 * slot) and these store objects (ids in the 0x4653xxxx range, "FS"):
 *
 *   0x46530000               the file system's marker (magic, version)
 *   0x465300rr               PIN / key reference rr (fs/pin.h)
 *   0x4653nn00               header of file nn (type, FID, parent, SFI,
 *                            life cycle, EF_ARR reference, sizes, AID,
 *                            the cyclic EF's newest record)
 *   0x4653nncc (cc 1..32)    content of file nn, FS_CHUNK bytes each
 *
 * An EF may share another EF's content (a link: TS 31.102 and TS 51.011
 * name files of DF_GSM / DF_TELECOM that are the same data as ADF_USIM's,
 * e.g. EF_IMSI): it has its own header (FID, parent, SFI, access rule)
 * and reads and writes the content objects of the file it links to.
 *
 * Contract:
 *  - fs_mount() on a mounted store: with the marker, loads the file table
 *    (FID, parent, type, SFI of every file: FS_MAX_FILES entries in RAM)
 *    and removes content chunks whose header is gone (left by a power cut
 *    during CREATE/DELETE FILE). Without the marker (an erased NVM, or a
 *    first boot cut short), removes any fs object and calls the caller's
 *    FIRST_BOOT to create the first-boot tree (fs/profile.h, docs/fs.md),
 *    then writes the marker last. A marker of another
 *    version or a damaged header: FS_ERR_CORRUPT, nothing is written, and
 *    every call answers 6581. A NULL store (storage unusable): the same.
 *  - Every change is made in store transactions. fs_write() (UPDATE
 *    BINARY / RECORD) is ONE transaction: after a power cut the file
 *    content (and the cyclic EF's order) is entirely old or entirely new.
 *    fs_create() writes the content (erased: FF) first and the header in
 *    the last transaction; fs_delete() removes headers (descendants
 *    first) before content: a file exists exactly when its header does.
 *  - Results are ISO 7816 status words (9000 success) so the command layer
 *    passes them on: 6581 storage failure, 6A84 not enough memory, 6A82
 *    not found, 6A89 FID already exists, 6B00 offset beyond the file.
 *
 * RAM: struct fs is about 0.8 KiB. No heap. Host-compilable.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_FS_FS_H
#define CARDOS_FS_FS_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

#define FS_MAX_FILES      128     /* files, MF included */
#define FS_CHUNK          512     /* content bytes per store object */
#define FS_MAX_CHUNKS     32
#define FS_MAX_FILE_SIZE  (FS_CHUNK * FS_MAX_CHUNKS)    /* 16 KiB */
#define FS_MAX_WRITE      2048    /* bytes of one fs_write */
#define FS_AID_MAX        16
#define FS_VERSION        1

#define FS_OBJ_BASE       0x46530000u
#define FS_OBJ_MARKER     FS_OBJ_BASE
#define FS_OBJ_KEY(ref)   (FS_OBJ_BASE | (uint32_t)(ref))
#define FS_OBJ_HDR(no)    (FS_OBJ_BASE | ((uint32_t)(no) << 8))
#define FS_OBJ_CHUNK(no, i) (FS_OBJ_HDR(no) | (uint32_t)((i) + 1))

#define FS_FID_MF         0x3F00u
#define FS_FID_CURRENT_ADF 0x7FFFu
#define FS_MF_NO          1

/* Status words (ISO/IEC 7816-4 5.6, ETSI TS 102 221 10.2.1). */
#define FS_SW_OK             0x9000u
#define FS_SW_INVALIDATED    0x6283u   /* selected file deactivated */
#define FS_SW_EOF            0x6282u   /* end of file / unsuccessful search */
#define FS_SW_MEMORY         0x6581u
#define FS_SW_WRONG_LENGTH   0x6700u
#define FS_SW_INCOMPATIBLE   0x6981u   /* command vs. file structure */
#define FS_SW_SECURITY       0x6982u
#define FS_SW_BLOCKED        0x6983u
#define FS_SW_REF_UNUSABLE   0x6984u
#define FS_SW_CONDITIONS     0x6985u
#define FS_SW_NO_EF          0x6986u
#define FS_SW_WRONG_DATA     0x6A80u
#define FS_SW_NOT_SUPPORTED  0x6A81u
#define FS_SW_NOT_FOUND      0x6A82u
#define FS_SW_NO_RECORD      0x6A83u
#define FS_SW_NO_SPACE       0x6A84u
#define FS_SW_P1P2           0x6A86u
#define FS_SW_NO_REF_DATA    0x6A88u
#define FS_SW_EXISTS         0x6A89u
#define FS_SW_OFFSET         0x6B00u

enum fs_type {
    FS_T_NONE = 0,
    FS_T_MF = 1,
    FS_T_DF = 2,
    FS_T_ADF = 3,
    FS_T_TRANSPARENT = 4,
    FS_T_LINEAR = 5,
    FS_T_CYCLIC = 6,
};

/* Life cycle status integer (ISO/IEC 7816-4 7.4.10). */
#define FS_LCS_ACTIVATED   0x05u
#define FS_LCS_DEACTIVATED 0x04u

static inline bool fs_type_is_df(uint8_t t)
{
    return t == FS_T_MF || t == FS_T_DF || t == FS_T_ADF;
}

static inline bool fs_type_is_record(uint8_t t)
{
    return t == FS_T_LINEAR || t == FS_T_CYCLIC;
}

/* A file header, decoded. */
struct fs_file {
    uint8_t no;          /* file number (slot), 1..FS_MAX_FILES */
    uint8_t parent;      /* parent's number; 0 for the MF */
    uint8_t type;        /* enum fs_type */
    uint8_t lcs;         /* FS_LCS_* */
    uint16_t fid;
    uint8_t sfi;         /* short EF identifier 1..30; 0: none */
    uint8_t arr_rec;     /* security attributes: EF_ARR record ... */
    uint16_t arr_fid;    /* ... of the EF_ARR with this FID (0: none) */
    uint16_t size;       /* content bytes (records: rec_len * nrec) */
    uint8_t rec_len;     /* record EFs */
    uint8_t nrec;
    uint8_t cyc_head;    /* cyclic: slot (0-based) of record 1 (newest) */
    uint8_t aid_len;     /* ADF */
    uint8_t aid[FS_AID_MAX];
    uint8_t link;        /* EF sharing the content of file LINK (same
                            size and structure; 0: its own content) */
};

/* RAM table entry: enough to walk the tree without reading the store. */
struct fs_entry {
    uint16_t fid;
    uint8_t parent;
    uint8_t type;        /* FS_T_NONE: free slot */
    uint8_t sfi;
};

struct fs {
    struct store *st;
    bool ready;
    struct fs_entry ent[FS_MAX_FILES + 1];   /* [0] unused */
    uint16_t files;
};

/* fs_mount() results. */
enum fs_mount_result {
    FS_MOUNTED = 0,      /* an existing file system */
    FS_CREATED = 1,      /* first boot: the initial tree was created */
    FS_ERR_NO_STORE = -1,
    FS_ERR_CORRUPT = -2, /* foreign/other version/damaged: not touched */
    FS_ERR_IO = -3,      /* the store refused a write during creation */
};

/* What a first boot creates (fs/profile.h). */
struct fs_first_boot {
    /* Create the content of an empty, ready fs; 9000 or the first
     * failing status word. */
    uint16_t (*create)(struct fs *fs);
    const char *summary;    /* logged as "I fs: created <summary>" */
};

/* Mount (and on first boot, create FIRST_BOOT). Logs "I fs: ..." /
 * "E fs: ...". */
int fs_mount(struct fs *fs, struct store *st,
             const struct fs_first_boot *first_boot);
/* Number of files, MF included. */
static inline uint16_t fs_file_count(const struct fs *fs) { return fs->files; }

/* Read file NO's header. 9000, 6A82 (no such file), 6581. */
uint16_t fs_get(const struct fs *fs, uint8_t no, struct fs_file *f);
/* Child of DF PARENT with FID (0 if none). */
uint8_t fs_find_child(const struct fs *fs, uint8_t parent, uint16_t fid);
/* EF child of DF PARENT with short identifier SFI (0 if none). */
uint8_t fs_find_sfi(const struct fs *fs, uint8_t parent, uint8_t sfi);
/* ADF whose AID starts with NAME (partial selection), 0 if none. */
uint8_t fs_find_adf(const struct fs *fs, const uint8_t *name, uint8_t len);
/* The entry of file NO (type FS_T_NONE if absent). */
static inline const struct fs_entry *fs_entry(const struct fs *fs, uint8_t no)
{
    return &fs->ent[no <= FS_MAX_FILES ? no : 0];
}

/* Content: LEN bytes at OFF (the caller checked OFF + LEN <= size). */
uint16_t fs_read(const struct fs *fs, const struct fs_file *f, uint32_t off,
                 uint8_t *buf, uint32_t len);
/*
 * One transaction: LEN (<= FS_MAX_WRITE) bytes at OFF and, if
 * WITH_HEADER, F's header (a cyclic EF's new order, a life cycle change).
 * LEN 0 with WITH_HEADER writes the header alone.
 */
uint16_t fs_write(struct fs *fs, const struct fs_file *f, uint32_t off,
                  const uint8_t *data, uint32_t len, bool with_header);
/*
 * Create F under F->parent (F->no is assigned; content FF, none for a
 * link: F->link names an existing EF of the same size). 6A89 if the
 * parent has a child with that FID, or an ADF with that AID exists;
 * 6A84 if there is no free slot or space.
 */
uint16_t fs_create(struct fs *fs, struct fs_file *f);
/* Delete file NO and, for a DF, everything below it. Not the MF. */
uint16_t fs_delete(struct fs *fs, uint8_t no);
/* Byte offset of record N (1-based; cyclic: 1 = newest) of F. */
static inline uint32_t fs_record_offset(const struct fs_file *f, uint8_t n)
{
    uint32_t slot = f->type == FS_T_CYCLIC
                        ? ((uint32_t)f->cyc_head + n - 1u) % f->nrec
                        : (uint32_t)n - 1u;

    return slot * f->rec_len;
}
/* Is A equal to D or below it? */
bool fs_is_below(const struct fs *fs, uint8_t a, uint8_t d);

/* Header (de)serialisation, for tests. */
#define FS_HDR_SIZE 40
void fs_hdr_encode(const struct fs_file *f, uint8_t out[FS_HDR_SIZE]);
bool fs_hdr_decode(const uint8_t *in, uint32_t len, uint8_t no,
                   struct fs_file *f);

#endif /* CARDOS_FS_FS_H */
