/*
 * web_store: the Smart Card Web Server's content store (OMA SCWS 1.1,
 * OMA-TS-SCWS-V1_1, "SCWS administration": resources and their
 * metadata), kept in the card's object store (store/store.h).
 *
 * A resource is a path, its data (at most WEB_DATA_MAX bytes: 15 KiB,
 * the store's transaction limit, below) and its
 * metadata: Content-Type, Content-Encoding, Content-Language and a
 * modification time. Paths are absolute ("/wallet/index.html"), at most
 * WEB_PATH_MAX - 1 bytes of visible ASCII without "..", "//", '?', '#'
 * or '%' (the store holds the decoded path the server matches). A path
 * ending in '/' names a directory: it is never a resource; GET of a
 * directory serves its "index.html" (the default page of "/" is
 * "/index.html").
 *
 * Persistence and tearing. A resource lives in slot N (0 ..
 * WEB_MAX_RESOURCES - 1): one metadata object WEB_OBJ(N, 0) and its data
 * in chunk objects WEB_OBJ(N, 1 ..). web_store_put() writes the metadata,
 * every chunk and the deletion of the old chunks it no longer needs in
 * ONE store transaction (store_commit is the commit point): a power cut
 * at any flash operation leaves, after the next mount, either the old
 * resource or the new one, whole, never a mix (store.h's guarantee; the
 * tear campaign in tests/system checks it). Delete is one transaction too.
 *
 * Validators. ETag: a strong entity tag, the CRC-32 (store/crc32.h) of
 * the data, content type, encoding and language, with the data's length:
 * "\"<crc32 hex>-<len hex>\"" (RFC 9110 8.8.3; equal bytes and headers,
 * equal tag). Last-Modified: the card has no real-time clock (DESIGN.md's
 * memory map has none), so the time is the writer's: web_meta.modified,
 * seconds since 1970 UTC as the administrator's PUT (or the perso
 * command) gave it; 0 means unknown and the server then sends no
 * Last-Modified and ignores If-Modified-Since.
 *
 * Full store. A put that does not fit (store_free(), or the slot table,
 * or the store's STORE_ERR_FULL at commit) changes nothing and returns
 * WEB_ERR_FULL; the administration interface answers it with 507
 * Insufficient Storage (RFC 4918 11.5). SCWS 1.1's release notes list
 * "behaviour when the card memory is full" among its clarifications;
 * the status code its TS prescribes was not checked against the TS text
 * (docs/webapps.md lists this as to be confirmed). GET never fails for
 * lack of room.
 *
 * Defaults. The server's built-in (ROM) resources, such as the status
 * page's, are defaults: a stored resource with the same path overrides
 * them, deleting it brings the built-in back (web_server.h).
 *
 * Not reentrant; the event loop only. Compiles on the host.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_NET_WEB_WEB_STORE_H
#define CARDOS_NET_WEB_WEB_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

#define WEB_PATH_MAX       96u     /* with its NUL */
#define WEB_TYPE_MAX       48u     /* Content-Type, with its NUL */
#define WEB_ENC_MAX        16u     /* Content-Encoding ("" none), NUL */
#define WEB_LANG_MAX       16u     /* Content-Language ("" none), NUL */
#define WEB_MAX_RESOURCES  64u
/* Data bytes per chunk object (STORE_MAX_OBJECT). */
#define WEB_CHUNK          1024u
/*
 * Data of one resource: 15 chunks. A put is ONE store transaction of at
 * most STORE_MAX_TXN_RECORDS (16) records: the metadata, the new chunks
 * and the deletion of the old chunks beyond the new ones, 1 + max(new,
 * old) records; and WEB_OBJ's part field has 4 bits (chunks 1..15). The
 * server streams the body from the chunks (web_store_read_chunk), so
 * the size is bounded by the store, not by RAM. A larger limit needs a
 * larger STORE_MAX_TXN_RECORDS, hence a larger STORE_LOG_MAX_RECORDS
 * (the mount-time budget, store.h): the store's decision, not this one.
 */
#define WEB_MAX_CHUNKS     15u
#define WEB_DATA_MAX       (WEB_MAX_CHUNKS * WEB_CHUNK)

/* Store object ids: "WB", slot, part (0: metadata, 1..: data chunks). */
#define WEB_OBJ_BASE       0x57420000u
#define WEB_OBJ(slot, part) (WEB_OBJ_BASE | ((uint32_t)(slot) << 4) | (part))
#define WEB_OBJ_LAST       0x5742FFFFu

enum web_result {
    WEB_OK            = 0,
    WEB_ERR_NOT_FOUND = -1,   /* no such resource (404) */
    WEB_ERR_FULL      = -2,   /* store or slot table full (507) */
    WEB_ERR_TOO_LARGE = -3,   /* data over WEB_DATA_MAX (413) */
    WEB_ERR_PARAM     = -4,   /* bad path or metadata (400) */
    WEB_ERR_IO        = -5,   /* the store failed or is damaged (500) */
    WEB_ERR_NO_STORE  = -6,   /* web_store_init() not called / no store */
};

struct web_meta {
    char path[WEB_PATH_MAX];
    char type[WEB_TYPE_MAX];
    char encoding[WEB_ENC_MAX];
    char language[WEB_LANG_MAX];
    uint32_t modified;        /* seconds since 1970 UTC; 0: unknown */
    uint32_t size;            /* data bytes (filled in by the store) */
    uint32_t crc;             /* the ETag's CRC (filled in by the store) */
};

/* Load the slot index from STORE (NULL: every call WEB_ERR_NO_STORE). */
int web_store_init(struct store *store);

/*
 * Create or replace the resource M->path with DATA (LEN bytes) and M's
 * type, encoding, language and modified (size and crc are computed).
 * Atomic (above). WEB_ERR_PARAM: bad path, empty type, an unterminated
 * field; WEB_ERR_TOO_LARGE; WEB_ERR_FULL; WEB_ERR_IO.
 */
int web_store_put(const struct web_meta *m, const void *data, uint32_t len);

/* Metadata of PATH (no data). */
int web_store_stat(const char *path, struct web_meta *m);

/* Metadata and data of PATH into BUF (CAP >= m->size, else
 * WEB_ERR_PARAM with M filled in). */
int web_store_get(const char *path, struct web_meta *m, void *buf,
                  uint32_t cap);

/*
 * The same with the data pulled from READ, WEB_CHUNK bytes at a time
 * (the last chunk: what is left), in order: READ(CTX, OFF, N) returns
 * the N bytes at offset OFF of the data, valid until its next call, or
 * NULL to abort the put (WEB_ERR_IO, nothing changed). Each chunk is
 * written to the store's transaction as it comes (one chunk in RAM, not
 * the resource); the ETag's CRC is computed on the way, so the metadata
 * is the transaction's last record. Same atomicity and errors.
 */
typedef const void *(*web_data_reader)(void *ctx, uint32_t off, uint32_t n);
int web_store_put_from(const struct web_meta *m, uint32_t len,
                       web_data_reader read, void *ctx);

/*
 * Streaming a resource's data (the server's response body). Open: the
 * metadata of PATH in *M and a handle in *H; then read chunk by chunk.
 * web_store_read_chunk() copies chunk INDEX (0-based; WEB_CHUNK bytes,
 * the last one what is left) into BUF (CAP >= WEB_CHUNK) and returns its
 * length. Consistency: the handle is checked, not pinned. If the store
 * committed anything since the open, the metadata is read again and
 * must still be the same resource (same path, size and CRC); otherwise
 * WEB_ERR_NOT_FOUND (replaced or deleted while being sent: the server
 * aborts the connection rather than send a mix of two versions). A chunk
 * of the wrong length, or damaged (store CRC), is WEB_ERR_IO.
 */
struct web_handle {
    uint32_t commit;          /* store_last_commit() when last checked */
    uint32_t size;
    uint32_t crc;
    uint32_t path_crc;
    uint8_t slot;
};
int web_store_open(const char *path, struct web_meta *m,
                   struct web_handle *h);
int web_store_read_chunk(struct web_handle *h, uint32_t index, void *buf,
                         uint32_t cap);

/*
 * Delete the resource PATH; a PATH ending in '/' deletes every resource
 * below it (one transaction per resource: a power cut leaves a prefix of
 * them deleted, each whole). WEB_ERR_NOT_FOUND if nothing matched.
 */
int web_store_delete(const char *path);

/* Iterate: *CURSOR starts at 0; WEB_OK with M filled in and *CURSOR
 * advanced, WEB_ERR_NOT_FOUND after the last resource. */
int web_store_list(uint32_t *cursor, struct web_meta *m);

/* The ETag of M into OUT (at least 20 bytes): "\"%08x-%x\"". */
void web_store_etag(const struct web_meta *m, char *out, uint32_t size);

struct web_store_stats {
    uint32_t resources;
    uint32_t data_bytes;
    uint32_t free_bytes;      /* store_free() */
};
void web_store_get_stats(struct web_store_stats *st);

#endif /* CARDOS_NET_WEB_WEB_STORE_H */
