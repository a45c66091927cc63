/*
 * The native load file format, "NCAP" version 1 (docs/applets.md "Load
 * file format"): what the LOAD command's C4 block carries (GPC 2.3.1
 * 11.6.2.3: the load file data block is the card's own format) and what
 * lies in the NVM code area afterwards, executed in place.
 *
 * A load file, all integers little-endian:
 *
 *   header      NCAP_HEADER_SIZE bytes + NCAP_MODULE_SIZE per module
 *   code        code_size bytes: position-independent Thumb code and
 *               read-only data (no absolute addresses), executed in place
 *   data        data_size bytes: the initial image of .data and the GOT,
 *               copied into the instance's RAM at instance start
 *   relocs      reloc_count words: (kind << 30) | byte offset in data;
 *               the word there gets the code base (kind 1) or the data
 *               base (kind 2) added once copied
 *   hash        SHA-256 of every byte before it
 *
 * The instance's RAM region is, from its base: stack, data, bss,
 * transient (docs/applets.md "Memory of an instance"); the applet's r9
 * holds data base + got_offset (gcc -msingle-pic-base).
 *
 * ncap_check() refuses anything not exactly as above, naming why: the
 * card runs only files that pass it, and only after it passed on the
 * bytes as they are in the NVM. No hardware access; compiles on the host.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_SYS_NCAP_H
#define CARDOS_SYS_NCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NCAP_MAGIC0            'N'
#define NCAP_MAGIC1            'C'
#define NCAP_MAGIC2            'A'
#define NCAP_MAGIC3            'P'
#define NCAP_FORMAT_VERSION    1u
/* The system-call interface the card offers (cardos/sdk/netcard/syscall.h
 * NC_SYSCALL_MAJOR/MINOR): a file asking for the same major and a minor
 * up to ours runs. */
#define NCAP_SYSCALL_MAJOR     1u
#define NCAP_SYSCALL_MINOR     2u

#define NCAP_HEADER_SIZE       64u
#define NCAP_MODULE_SIZE       24u
#define NCAP_MODULES_MAX       4u
#define NCAP_HASH_SIZE         32u
#define NCAP_AID_MIN           5u
#define NCAP_AID_MAX           16u

/* Limits the card enforces (docs/applets.md). */
#define NCAP_CODE_MAX          (256u * 1024u)
#define NCAP_RAM_MAX           (32u * 1024u)    /* data+bss+transient+stack */
#define NCAP_STACK_MIN         256u
#define NCAP_STACK_MAX         (8u * 1024u)
#define NCAP_QUOTA_MAX         (64u * 1024u)
#define NCAP_RELOCS_MAX        1024u

#define NCAP_RELOC_CODE        1u
#define NCAP_RELOC_DATA        2u
#define NCAP_RELOC_KIND(r)     ((r) >> 30)
#define NCAP_RELOC_OFFSET(r)   ((r) & 0x3fffffffu)

struct ncap_module {
    uint8_t aid_len;
    uint8_t aid[NCAP_AID_MAX];
    uint32_t entry;             /* code offset, Thumb bit set */
};

struct ncap_info {
    uint16_t format;
    uint16_t header_size;
    uint8_t syscall_major, syscall_minor;
    uint8_t module_count;
    uint8_t aid_len;
    uint8_t aid[NCAP_AID_MAX];
    uint8_t version[2];         /* major, minor */
    uint32_t code_size, data_size, bss_size, transient_size;
    uint32_t stack_size, quota;
    uint32_t reloc_count;
    uint32_t got_offset;
    struct ncap_module modules[NCAP_MODULES_MAX];
    /* where the parts are, as offsets in the file */
    uint32_t code_offset, data_offset, reloc_offset, hash_offset;
    uint32_t total_size;
};

enum ncap_error {
    NCAP_OK = 0,
    NCAP_ERR_SHORT,         /* shorter than a header, or than it declares */
    NCAP_ERR_MAGIC,
    NCAP_ERR_FORMAT,        /* another format version */
    NCAP_ERR_SYSCALL,       /* system-call interface the card lacks */
    NCAP_ERR_HEADER,        /* header size, flags, AID lengths, counts */
    NCAP_ERR_SIZE,          /* a size out of range or misaligned */
    NCAP_ERR_LENGTH,        /* the file is not exactly as long as declared */
    NCAP_ERR_ENTRY,         /* an entry point outside the code or not Thumb */
    NCAP_ERR_RELOC,         /* a relocation outside the data or of no kind */
    NCAP_ERR_OVERLAP,       /* two modules with one AID, or the package's */
    NCAP_ERR_HASH,
};

/* SHA-256 of LEN bytes at DATA into OUT; the caller's (crypto/ on the
 * card, a host library in tests). 0 on success. */
typedef int (*ncap_sha256_fn)(const void *data, size_t len,
                              uint8_t out[NCAP_HASH_SIZE]);

/* Parse the header of the LEN bytes at FILE and check every field
 * against the limits above and LEN; no hash. */
enum ncap_error ncap_parse(const uint8_t *file, size_t len,
                           struct ncap_info *out);
/* ncap_parse(), then the hash. */
enum ncap_error ncap_check(const uint8_t *file, size_t len,
                           ncap_sha256_fn sha256, struct ncap_info *out);
/* A short name of ERR for logs ("bad magic"). */
const char *ncap_error_name(enum ncap_error err);

/* RAM an instance of INFO needs, 32-byte aligned (the MPU's granule). */
uint32_t ncap_ram_size(const struct ncap_info *info);

/* Copy the data image into RAM (the data part of an instance's region,
 * at DATA_BASE), zero bss and transient, and apply the relocations with
 * CODE_BASE (where the code is executed) and DATA_BASE (addresses as the
 * applet sees them). FILE was checked with ncap_check(). */
void ncap_instance_init(const uint8_t *file, const struct ncap_info *info,
                        uint8_t *data, uint32_t code_base,
                        uint32_t data_base);

#endif /* CARDOS_SYS_NCAP_H */
