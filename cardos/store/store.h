/*
 * store: a transactional object store on NOR flash.
 *
 * Objects are byte strings of 0..STORE_MAX_OBJECT bytes named by a 32-bit
 * id (1..0xFFFFFFFE). Changes are made in transactions (store_begin,
 * store_write / store_delete, store_commit or store_abort) that are atomic
 * against a power cut at any single flash operation: after the next
 * store_mount, every object written by a transaction is either entirely
 * as before it or entirely as after it, for all objects of the
 * transaction together. Reads (store_read, store_size) see the last
 * committed state, also inside a transaction.
 *
 * Security objects (try counters, sequence counters, SQNs: whatever must
 * never go back) are written in *secure* transactions (store_begin_secure,
 * store_put_secure). A power cut during one is recovered exactly like any
 * other (before or after), but damage to its records (a bit flipped by a
 * fault attack or by ageing) never brings back the previous version: the
 * object reads as the new version, or as damaged (STORE_ERR_CORRUPT) so
 * that its owner can fail safe. An ordinary transaction whose last record
 * is damaged can look torn and be rolled back (docs/store.md, "Security
 * objects"). A secure commit costs one more program operation (the seal).
 *
 * The on-flash format (a log of CRC-protected records in pages with
 * sequence numbers, version 2; version 1 stores mount too) is documented
 * in docs/store.md, with the recovery rules, the wear levelling and the
 * garbage collection. Mount logs (kernel/log.h, module "store") every
 * transaction it discards and every damaged security record it finds.
 *
 * The store reaches flash only through struct store_flash: reads are
 * plain memory reads of a mapped region, programs and erases go through
 * two callbacks. On the card these are the NVM driver (drivers/nvm.h);
 * on the host, the simulated NOR flash of the unit tests.
 *
 * No heap: struct store holds everything (its RAM index included; about
 * 13 KiB with the default limits). Not reentrant; one caller at a time.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_STORE_STORE_H
#define CARDOS_STORE_STORE_H

#include <stdbool.h>
#include <stdint.h>

/* Compile-time limits (override with -D). */
#ifndef STORE_MAX_PAGES
#define STORE_MAX_PAGES        256   /* pages the store can span */
#endif
#ifndef STORE_MAX_OBJECTS
#define STORE_MAX_OBJECTS      512   /* live objects */
#endif
#ifndef STORE_MAX_OBJECT
#define STORE_MAX_OBJECT       1024  /* bytes in one object */
#endif
#ifndef STORE_MAX_TXN_RECORDS
#define STORE_MAX_TXN_RECORDS  16    /* writes + deletes in one transaction */
#endif

/* Slots of the RAM index: a power of two, at least 2 x the objects. */
#ifndef STORE_INDEX_SLOTS
#define STORE_INDEX_SLOTS      (2 * STORE_MAX_OBJECTS)
#endif

/*
 * Format versions: 1 (plain records only) and 2 (also secure records).
 * Pages are written as version 1 until the store holds a secure record
 * (a version-1 reader can still mount it), as version 2 from then on;
 * mount takes both (docs/store.md, "On-flash format").
 */
#define STORE_FORMAT_VERSION   2
#define STORE_MIN_PAGES        6
#define STORE_GC_RESERVE_PAGES 2     /* erased pages kept for the GC */
#define STORE_TXN_PAGES        2     /* erased pages begin guarantees */
/* begin also collects (at most STORE_GC_STEP pages) while the log spans
 * more than STORE_LOG_SLACK_PAGES + STORE_LOG_FACTOR x the live data */
#define STORE_LOG_FACTOR       2
#define STORE_LOG_SLACK_PAGES  8
#define STORE_GC_STEP          2
/*
 * ... and while the log could otherwise come to hold more than
 * STORE_LOG_MAX_RECORDS records: a mount's cost is per record, and small
 * records rewritten often would fill a log that spans every page
 * (docs/store.md, "Mount time"). Counted in RAM, not on flash. At least
 * the live records (STORE_MAX_OBJECTS), a tail record per page and the
 * look-ahead's allowance for transactions (store_write.c checks it); the rest
 * is dead-record slack.
 */
#ifndef STORE_LOG_MAX_RECORDS
#define STORE_LOG_MAX_RECORDS  3072
#endif

/* Payload limit of an object written in a secure transaction: its record
 * carries a 24-byte copy of its header (docs/store.md). */
#define STORE_MAX_SECURE_OBJECT (STORE_MAX_OBJECT - 24)

/* Results. Negative values are errors. */
enum store_result {
    STORE_OK            = 0,
    STORE_ERR_BLANK     = -1,  /* mount: the flash is erased: format it */
    STORE_ERR_FOREIGN   = -2,  /* mount: not a store (no page of ours) */
    STORE_ERR_CORRUPT   = -3,  /* mount: damage a power cut cannot cause;
                                  read: the object's CRC does not match
                                  (damaged: a security object's owner
                                  fails safe, it was not rolled back) */
    STORE_ERR_VERSION   = -4,  /* mount: a store of another format version */
    STORE_ERR_GEOMETRY  = -5,  /* mount: formatted for another page size or
                                  count (e.g. a truncated image); format:
                                  page size/count not supported */
    STORE_ERR_IO        = -6,  /* the flash refused an operation; the store
                                  must be mounted again */
    STORE_ERR_NOT_FOUND = -7,  /* no such object */
    STORE_ERR_FULL      = -8,  /* not enough free space (store_free) */
    STORE_ERR_TXN_FULL  = -9,  /* transaction too large: abort it */
    STORE_ERR_PARAM     = -10, /* bad id, length or buffer */
    STORE_ERR_STATE     = -11, /* not mounted, or begin/commit out of turn */
};

/*
 * The flash the store lives on: page_count pages of page_size bytes
 * (a power of two, 512..65536), readable at base. program writes LEN bytes
 * (a multiple of 4, 4-aligned, within one page) with NOR semantics;
 * erase sets one page to 0xFF. Both return 0 on success, else non-zero.
 * Offsets are relative to base.
 */
struct store_flash {
    const uint8_t *base;
    uint32_t page_size;
    uint32_t page_count;
    int (*program)(void *ctx, uint32_t offset, const void *data,
                   uint32_t len);
    int (*erase)(void *ctx, uint32_t page);
    void *ctx;
};

/* Numbers for monitoring and benchmarks. */
struct store_stats {
    uint32_t objects;          /* live objects */
    uint32_t live_bytes;       /* their records, headers included */
    uint32_t free_bytes;       /* store_free() */
    uint32_t pages_active;     /* pages in the log */
    uint32_t pages_free;       /* erased pages ready for the log */
    uint32_t erase_min;        /* lowest and highest page erase counts */
    uint32_t erase_max;
    uint32_t mount_bytes_read; /* flash bytes the last mount examined */
    uint32_t gc_runs;          /* pages collected since the mount */
    uint32_t log_records;      /* records in the log (live, dead, voided) */
    uint32_t discarded;        /* transactions the last mount discarded
                                  (never committed: torn, aborted) */
    uint32_t secure_damaged;   /* sealed secure records the last mount
                                  found damaged (kept, never rolled back) */
    uint32_t version;          /* format version of the store (1 or 2) */
};

struct store_page {
    uint32_t seq;              /* log order (ACTIVE pages) */
    uint32_t erases;           /* erase count (estimated if unknown) */
    uint8_t state;             /* enum in store_priv.h */
    uint8_t version;           /* format version of its header (fits in
                                  what was padding) */
    uint16_t records;          /* records in it (ACTIVE pages; fits in
                                  what was padding) */
};

struct store_txn_rec {
    uint32_t id;
    uint32_t loc;              /* flash offset of its record */
    uint16_t size;             /* record size in flash */
    uint8_t type;
};

struct store {
    struct store_flash f;
    bool mounted;
    int error;                 /* sticky STORE_ERR_IO */
    uint8_t version;           /* 1 until the first secure record, then 2:
                                  the version of the page headers written */

    struct store_page pages[STORE_MAX_PAGES];
    uint16_t order[STORE_MAX_PAGES];   /* ACTIVE pages, oldest first */
    uint16_t n_active;
    uint32_t log_records;      /* sum of records over the ACTIVE pages */
    uint16_t live[STORE_MAX_PAGES];    /* index entries in each page */
    uint32_t nonce;
    uint32_t next_seq;
    uint32_t next_txn;
    uint32_t last_commit;      /* store_last_commit() */
    uint32_t tail_seq;         /* oldest page the log still needs */
    uint32_t head_off;         /* next record offset in the head page */
    bool head_closed;          /* the head page takes no more records */
    uint32_t void_loc;         /* torn record to void at the next change */
    int16_t dirty_page;        /* page to erase at the next change, or -1 */

    /* RAM index: hash table id -> record offset (id 0: empty slot) */
    uint16_t n_obj;
    uint32_t obj_id[STORE_INDEX_SLOTS];
    uint32_t obj_loc[STORE_INDEX_SLOTS];
    uint32_t live_bytes;
    uint32_t max_live;

    /* the open transaction */
    bool in_txn;
    bool txn_secure;           /* store_begin_secure: sealed at commit */
    uint16_t txn_n;            /* records staged or written */
    uint16_t txn_written;      /* records already in flash */
    int32_t txn_delta;         /* change of live_bytes at commit */
    uint16_t txn_new;          /* ids the transaction creates */
    struct store_txn_rec txn[STORE_MAX_TXN_RECORDS + 1];   /* + rider */
    uint32_t stage_len;        /* bytes in stage (0: nothing staged) */
    uint32_t stage[(28 + STORE_MAX_OBJECT + 3) / 4];

    /* the commit rider (store_rider_set): id 0 when none is armed */
    uint32_t rider_id;
    uint32_t rider_len;
    const void *rider_data;
    uint32_t rider_txn;        /* the transaction that carried it, or 0 */

    uint32_t mount_bytes;
    uint32_t gc_runs;
    uint32_t discarded;        /* store_stats: found by the last mount */
    uint32_t secure_damaged;
};

/*
 * Write an empty store (format version 1 until a secure record is
 * written): every page that is not erased
 * is erased and gets a page header (keeping its erase count); pages whose
 * header is erased are left for later (formatting an erased flash is one
 * program). NONCE tells this store's pages from those of any other (use a
 * random value). Then mounts it. Format is the only function that discards
 * data; it is not atomic (a power cut during it: format again).
 */
int store_format(struct store *s, const struct store_flash *f,
                 uint32_t nonce);

/*
 * Recover the store from flash: rebuilds the RAM index, drops the effects
 * of any transaction a power cut interrupted. Mount never writes to flash;
 * the repairs it finds necessary (a torn record, a half-erased page) are
 * made by the next store_begin. Errors: STORE_ERR_BLANK (erased flash),
 * _FOREIGN, _CORRUPT, _VERSION, _GEOMETRY; the store is then unusable
 * until store_format. A damaged security record does not fail the mount:
 * its object reads as the new version or as damaged (STORE_ERR_CORRUPT),
 * never as the previous one. Logs each transaction it discards ("W
 * store: ...") and each damaged security record ("E store: ...").
 */
int store_mount(struct store *s, const struct store_flash *f);

/* Committed state. */
int store_size(const struct store *s, uint32_t id);   /* bytes, or error */
/*
 * Copy object ID into BUF (CAP bytes); *LEN gets its size. Checks the
 * object's CRC: STORE_ERR_CORRUPT if it does not match (the record is
 * damaged; for a security object: fail safe). STORE_ERR_PARAM if CAP is
 * too small (*LEN still set).
 */
int store_read(const struct store *s, uint32_t id, void *buf, uint32_t cap,
               uint32_t *len);
/*
 * The id of the last committed transaction that the store's user made
 * (store_commit, store_put...; garbage collection's own transactions do
 * not count), 0 if none. Ids only grow, and a mount finds the same value
 * that the last commit before a power cut left (a torn transaction does
 * not count), so a caller that noted the value after its own commit can
 * tell after a cut whether any later transaction committed (the SCWS
 * content store's, net/web/web_store.h).
 */
uint32_t store_last_commit(const struct store *s);
/* Inside a transaction (after store_begin, which may collect garbage
 * first): the id it commits under, so that a record of the transaction
 * can name it; 0 outside one. */
uint32_t store_txn_id(const struct store *s);
/* Bytes of object payload that can still be written (approximate: each
 * record costs its payload plus 28 bytes, rounded up to 4). */
uint32_t store_free(const struct store *s);
void store_get_stats(const struct store *s, struct store_stats *st);
/* Iterate ids in ascending order: the first id > AFTER, or 0 if none
 * (a scan of the index: O(STORE_INDEX_SLOTS) per call). */
uint32_t store_next_id(const struct store *s, uint32_t after);

/* Transactions. At most STORE_MAX_TXN_RECORDS writes/deletes each. */
int store_begin(struct store *s);
/*
 * The same for a transaction of about BYTES of records (payloads + 28
 * bytes each): begin guarantees STORE_TXN_PAGES erased pages, this one
 * collects garbage until the records fit in erased pages too (as far as
 * collecting can free them; else the transaction may still end in
 * STORE_ERR_TXN_FULL). For large transactions (the SCWS content store's
 * 15 KiB puts, net/web/web_store.h).
 */
int store_begin_for(struct store *s, uint32_t bytes);
/*
 * Begin a secure transaction, for security objects: its objects hold at
 * most STORE_MAX_SECURE_OBJECT bytes (STORE_ERR_PARAM), its last record
 * carries a copy of its header and, once programmed, is sealed by a
 * second program operation; the seal is the commit point. Damage to the
 * records of a committed secure transaction never rolls it back
 * (docs/store.md, "Security objects").
 */
int store_begin_secure(struct store *s);
int store_write(struct store *s, uint32_t id, const void *data,
                uint32_t len);
int store_delete(struct store *s, uint32_t id);   /* NOT_FOUND if absent */
/* On an error the transaction is aborted (nothing of it is committed). */
int store_commit(struct store *s);
void store_abort(struct store *s);

/*
 * The commit rider: one object that the store writes, unasked, inside the
 * next transaction that commits, so that "the caller's change committed"
 * and "the rider says so" are one atomic change (the admin agent's
 * script journal, net/admin/admin_journal.h, records "command N
 * committed" this way and writes nothing for a command that commits
 * nothing). Rules:
 *   - store_rider_set arms it: object ID, LEN bytes at DATA (at most
 *     STORE_MAX_SECURE_OBJECT, so that it fits a secure transaction too;
 *     else STORE_ERR_PARAM). The store keeps the pointer: DATA must stay
 *     valid and unchanged until the rider is carried or cleared. Setting
 *     it again replaces it. Allowed inside a transaction (that one
 *     carries it).
 *   - the first store_commit (also store_put, ..._secure) whose
 *     transaction has at least one write or delete carries it: the rider
 *     is written as the transaction's last record (the secure
 *     transaction's sealed one), after the caller's records (it wins over
 *     a write of the same id in that transaction), beyond
 *     STORE_MAX_TXN_RECORDS (a transaction has room for one more). The
 *     commit then disarms it. A transaction that writes nothing, an
 *     aborted one and the garbage collector's carry nothing.
 *   - if the rider does not fit (STORE_ERR_FULL), that commit fails and
 *     is aborted, nothing of it committed; the rider stays armed.
 *   - store_rider_clear disarms it and says whether a commit carried it
 *     since store_rider_set: the id of that transaction, 0 if none.
 *   - mount and format disarm it (it lives in RAM).
 * Test: unit_store_tear/rider_is_atomic_with_its_transaction.
 */
int store_rider_set(struct store *s, uint32_t id, const void *data,
                    uint32_t len);
uint32_t store_rider_clear(struct store *s);

/* One object in its own transaction; ..._secure: a secure one. */
int store_put(struct store *s, uint32_t id, const void *data, uint32_t len);
int store_put_secure(struct store *s, uint32_t id, const void *data,
                     uint32_t len);

/* "ok", "blank", "foreign", ... for log lines. */
const char *store_strerror(int result);

#endif /* CARDOS_STORE_STORE_H */
