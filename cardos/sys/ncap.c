/*
 * The native load file format. Contract: sys/ncap.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "sys/ncap.h"

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static bool aid_ok(uint8_t len)
{
    return len >= NCAP_AID_MIN && len <= NCAP_AID_MAX;
}

static bool same_aid(uint8_t la, const uint8_t *a, uint8_t lb,
                     const uint8_t *b)
{
    return la == lb && memcmp(a, b, la) == 0;
}

/* Sizes and their alignment (all words; the stack 8 for AAPCS). */
static enum ncap_error check_sizes(const struct ncap_info *in)
{
    uint64_t ram;

    if (in->code_size < 4 || in->code_size > NCAP_CODE_MAX ||
        (in->code_size & 3u) || (in->data_size & 3u) || (in->bss_size & 3u) ||
        (in->transient_size & 3u) || (in->stack_size & 7u) ||
        in->stack_size < NCAP_STACK_MIN || in->stack_size > NCAP_STACK_MAX ||
        in->quota > NCAP_QUOTA_MAX || in->reloc_count > NCAP_RELOCS_MAX) {
        return NCAP_ERR_SIZE;
    }
    ram = (uint64_t)in->data_size + in->bss_size + in->transient_size +
          in->stack_size;
    if (ram > NCAP_RAM_MAX) {
        return NCAP_ERR_SIZE;
    }
    /* r9 points into data (or at its end when there is no GOT) */
    if ((in->got_offset & 3u) || in->got_offset > in->data_size) {
        return NCAP_ERR_SIZE;
    }
    return NCAP_OK;
}

static enum ncap_error parse_modules(const uint8_t *file,
                                     struct ncap_info *in)
{
    for (unsigned i = 0; i < in->module_count; i++) {
        const uint8_t *m = file + NCAP_HEADER_SIZE + i * NCAP_MODULE_SIZE;
        struct ncap_module *mod = &in->modules[i];

        mod->aid_len = m[0];
        if (!aid_ok(mod->aid_len) || m[17] || m[18] || m[19]) {
            return NCAP_ERR_HEADER;
        }
        memcpy(mod->aid, m + 1, NCAP_AID_MAX);
        mod->entry = le32(m + 20);
        /* a Thumb address (bit 0, ARMv8-M B1.4.7: no ARM state) of a
         * halfword inside the code */
        if (!(mod->entry & 1u) || (mod->entry & ~1u) > in->code_size - 2u) {
            return NCAP_ERR_ENTRY;
        }
        if (same_aid(mod->aid_len, mod->aid, in->aid_len, in->aid)) {
            return NCAP_ERR_OVERLAP;
        }
        for (unsigned j = 0; j < i; j++) {
            if (same_aid(mod->aid_len, mod->aid, in->modules[j].aid_len,
                         in->modules[j].aid)) {
                return NCAP_ERR_OVERLAP;
            }
        }
    }
    return NCAP_OK;
}

static enum ncap_error check_relocs(const uint8_t *file,
                                    const struct ncap_info *in)
{
    for (uint32_t i = 0; i < in->reloc_count; i++) {
        uint32_t r = le32(file + in->reloc_offset + 4u * i);
        uint32_t kind = NCAP_RELOC_KIND(r), off = NCAP_RELOC_OFFSET(r);

        if ((kind != NCAP_RELOC_CODE && kind != NCAP_RELOC_DATA) ||
            (off & 3u) || off + 4u > in->data_size) {
            return NCAP_ERR_RELOC;
        }
    }
    return NCAP_OK;
}

enum ncap_error ncap_parse(const uint8_t *file, size_t len,
                           struct ncap_info *out)
{
    struct ncap_info in;
    enum ncap_error err;
    uint64_t total;

    memset(&in, 0, sizeof(in));
    if (file == NULL || len < NCAP_HEADER_SIZE) {
        return NCAP_ERR_SHORT;
    }
    if (file[0] != NCAP_MAGIC0 || file[1] != NCAP_MAGIC1 ||
        file[2] != NCAP_MAGIC2 || file[3] != NCAP_MAGIC3) {
        return NCAP_ERR_MAGIC;
    }
    in.format = le16(file + 4);
    if (in.format != NCAP_FORMAT_VERSION) {
        return NCAP_ERR_FORMAT;
    }
    in.header_size = le16(file + 6);
    in.syscall_major = file[8];
    in.syscall_minor = file[9];
    if (in.syscall_major != NCAP_SYSCALL_MAJOR ||
        in.syscall_minor > NCAP_SYSCALL_MINOR) {
        return NCAP_ERR_SYSCALL;
    }
    in.module_count = file[10];
    in.aid_len = file[11];
    memcpy(in.aid, file + 12, NCAP_AID_MAX);
    in.version[0] = file[28];
    in.version[1] = file[29];
    if (in.module_count < 1 || in.module_count > NCAP_MODULES_MAX ||
        in.header_size != NCAP_HEADER_SIZE +
                          in.module_count * NCAP_MODULE_SIZE ||
        !aid_ok(in.aid_len) || le16(file + 30) != 0) {
        return NCAP_ERR_HEADER;
    }
    if (len < in.header_size) {
        return NCAP_ERR_SHORT;
    }
    in.code_size = le32(file + 32);
    in.data_size = le32(file + 36);
    in.bss_size = le32(file + 40);
    in.transient_size = le32(file + 44);
    in.stack_size = le32(file + 48);
    in.quota = le32(file + 52);
    in.reloc_count = le32(file + 56);
    in.got_offset = le32(file + 60);
    err = check_sizes(&in);
    if (err != NCAP_OK) {
        return err;
    }
    in.code_offset = in.header_size;
    in.data_offset = in.code_offset + in.code_size;
    in.reloc_offset = in.data_offset + in.data_size;
    in.hash_offset = in.reloc_offset + 4u * in.reloc_count;
    total = (uint64_t)in.hash_offset + NCAP_HASH_SIZE;
    if (total != len) {
        return total > len ? NCAP_ERR_SHORT : NCAP_ERR_LENGTH;
    }
    in.total_size = (uint32_t)total;
    err = parse_modules(file, &in);
    if (err == NCAP_OK) {
        err = check_relocs(file, &in);
    }
    if (err == NCAP_OK && out != NULL) {
        *out = in;
    }
    return err;
}

enum ncap_error ncap_check(const uint8_t *file, size_t len,
                           ncap_sha256_fn sha256, struct ncap_info *out)
{
    struct ncap_info in;
    uint8_t digest[NCAP_HASH_SIZE];
    uint8_t diff = 0;
    enum ncap_error err = ncap_parse(file, len, &in);

    if (err != NCAP_OK) {
        return err;
    }
    if (sha256 == NULL || sha256(file, in.hash_offset, digest) != 0) {
        return NCAP_ERR_HASH;
    }
    for (unsigned i = 0; i < NCAP_HASH_SIZE; i++) {
        diff |= (uint8_t)(digest[i] ^ file[in.hash_offset + i]);
    }
    if (diff != 0) {
        return NCAP_ERR_HASH;
    }
    if (out != NULL) {
        *out = in;
    }
    return NCAP_OK;
}

const char *ncap_error_name(enum ncap_error err)
{
    static const char *const names[] = {
        [NCAP_OK] = "ok",
        [NCAP_ERR_SHORT] = "truncated",
        [NCAP_ERR_MAGIC] = "bad magic",
        [NCAP_ERR_FORMAT] = "unknown format version",
        [NCAP_ERR_SYSCALL] = "unsupported system-call interface",
        [NCAP_ERR_HEADER] = "bad header",
        [NCAP_ERR_SIZE] = "bad size",
        [NCAP_ERR_LENGTH] = "trailing bytes",
        [NCAP_ERR_ENTRY] = "bad entry point",
        [NCAP_ERR_RELOC] = "bad relocation",
        [NCAP_ERR_OVERLAP] = "duplicate AID",
        [NCAP_ERR_HASH] = "hash mismatch",
    };

    if ((unsigned)err < sizeof(names) / sizeof(names[0]) && names[err]) {
        return names[err];
    }
    return "?";
}

uint32_t ncap_ram_size(const struct ncap_info *info)
{
    uint32_t n = info->stack_size + info->data_size + info->bss_size +
                 info->transient_size;

    return (n + 31u) & ~31u;
}

void ncap_instance_init(const uint8_t *file, const struct ncap_info *info,
                        uint8_t *data, uint32_t code_base,
                        uint32_t data_base)
{
    memcpy(data, file + info->data_offset, info->data_size);
    memset(data + info->data_size, 0, info->bss_size + info->transient_size);
    for (uint32_t i = 0; i < info->reloc_count; i++) {
        uint32_t r = le32(file + info->reloc_offset + 4u * i);
        uint32_t off = NCAP_RELOC_OFFSET(r), w;

        memcpy(&w, data + off, 4);
        w += NCAP_RELOC_KIND(r) == NCAP_RELOC_CODE ? code_base : data_base;
        memcpy(data + off, &w, 4);
    }
}
