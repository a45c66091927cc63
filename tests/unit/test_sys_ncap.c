/*
 * Unit tests: the load file format checker (cardos/sys/ncap.c). Load
 * files are built here field by field from docs/applets.md's table (not
 * with the packer) and hashed with GLib's SHA-256; every refusal of the
 * format has its test, and a good file's instance RAM is checked word by
 * word after relocation.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <criterion/criterion.h>
#include <glib.h>
#include <string.h>

#include "sys/ncap.h"

static int glib_sha256(const void *data, size_t len, uint8_t out[32])
{
    GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
    gsize n = 32;

    g_checksum_update(c, data, (gssize)len);
    g_checksum_get_digest(c, out, &n);
    g_checksum_free(c);
    return n == 32 ? 0 : -1;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static const uint8_t pkg[] = { 0xA0, 0x00, 0x00, 0x00, 0x77, 0x01 };
static const uint8_t mod[] = { 0xA0, 0x00, 0x00, 0x00, 0x77, 0x01, 0x01 };

/* A good file: 2 modules, 64 bytes of code, 16 of data (words 0 and 1
 * relocated: code, data), 3 relocations. */
struct spec {
    uint32_t code, data, bss, transient, stack, quota, got;
    uint8_t modules;
    uint32_t relocs[4];
    uint8_t nrelocs;
};

static const struct spec good = {
    .code = 64, .data = 16, .bss = 8, .transient = 12, .stack = 512,
    .quota = 1024, .got = 0, .modules = 2,
    .relocs = { (1u << 30) | 0, (2u << 30) | 4, (2u << 30) | 12 },
    .nrelocs = 3,
};

static uint8_t file[4096];

/* Lay out SP into file[]; its length. The hash last, unless NOHASH. */
static size_t build(const struct spec *sp, bool hash)
{
    size_t hdr = 64 + 24u * sp->modules, at;

    memset(file, 0, sizeof(file));
    memcpy(file, "NCAP", 4);
    put16(file + 4, 1);
    put16(file + 6, (uint16_t)hdr);
    file[8] = 1;
    file[9] = 0;
    file[10] = sp->modules;
    file[11] = sizeof(pkg);
    memcpy(file + 12, pkg, sizeof(pkg));
    file[28] = 1;
    file[29] = 2;
    put32(file + 32, sp->code);
    put32(file + 36, sp->data);
    put32(file + 40, sp->bss);
    put32(file + 44, sp->transient);
    put32(file + 48, sp->stack);
    put32(file + 52, sp->quota);
    put32(file + 56, sp->nrelocs);
    put32(file + 60, sp->got);
    for (unsigned i = 0; i < sp->modules; i++) {
        uint8_t *m = file + 64 + 24 * i;

        m[0] = sizeof(mod);
        memcpy(m + 1, mod, sizeof(mod));
        m[sizeof(mod)] = (uint8_t)(1 + i);     /* distinct last byte */
        put32(m + 20, (8u * i) | 1u);
    }
    at = hdr;
    for (uint32_t i = 0; i < sp->code; i++) {
        file[at++] = (uint8_t)(0x40 + i);
    }
    for (uint32_t i = 0; i < sp->data / 4; i++) {
        put32(file + at, 0x100u * i);
        at += 4;
    }
    for (unsigned i = 0; i < sp->nrelocs; i++) {
        put32(file + at, sp->relocs[i]);
        at += 4;
    }
    if (hash) {
        cr_assert_eq(glib_sha256(file, at, file + at), 0);
    }
    return at + 32;
}

static enum ncap_error check_spec(const struct spec *sp)
{
    size_t n = build(sp, true);

    return ncap_check(file, n, glib_sha256, NULL);
}

TestSuite(unit_sys_ncap);

Test(unit_sys_ncap, good_file_parses_every_field)
{
    struct ncap_info in;
    size_t n = build(&good, true);

    cr_assert_eq(ncap_check(file, n, glib_sha256, &in), NCAP_OK);
    cr_assert_eq(in.module_count, 2);
    cr_assert_eq(in.aid_len, sizeof(pkg));
    cr_assert_arr_eq(in.aid, pkg, sizeof(pkg));
    cr_assert_eq(in.version[0], 1);
    cr_assert_eq(in.version[1], 2);
    cr_assert_eq(in.code_offset, 64 + 48);
    cr_assert_eq(in.data_offset, 64 + 48 + 64);
    cr_assert_eq(in.reloc_offset, 64 + 48 + 64 + 16);
    cr_assert_eq(in.hash_offset, 64 + 48 + 64 + 16 + 12);
    cr_assert_eq(in.total_size, n);
    cr_assert_eq(in.modules[1].entry, 9);
    cr_assert_eq(in.modules[1].aid[sizeof(mod) - 1], 2);
    /* stack + data + bss + transient = 548, rounded up to 576 */
    cr_assert_eq(ncap_ram_size(&in), 576);
}

Test(unit_sys_ncap, instance_init_copies_zeroes_and_relocates)
{
    struct ncap_info in;
    uint8_t ram[64];
    uint32_t w[9];
    size_t n = build(&good, true);

    cr_assert_eq(ncap_check(file, n, glib_sha256, &in), NCAP_OK);
    memset(ram, 0xEE, sizeof(ram));
    ncap_instance_init(file, &in, ram, 0x10100070u, 0x20030000u);
    memcpy(w, ram, sizeof(w));
    cr_assert_eq(w[0], 0x10100070u);                /* 0 + code base */
    cr_assert_eq(w[1], 0x20030000u + 0x100u);       /* data base */
    cr_assert_eq(w[2], 0x200u);                     /* untouched */
    cr_assert_eq(w[3], 0x20030000u + 0x300u);
    for (unsigned i = 4; i < 9; i++) {              /* bss, transient */
        cr_assert_eq(w[i], 0, "word %u", i);
    }
    cr_assert_eq(ram[36], 0xEE);                    /* nothing beyond */
}

Test(unit_sys_ncap, refuses_bad_magic_and_versions)
{
    size_t n = build(&good, true);

    file[0] = 'X';
    cr_assert_eq(ncap_parse(file, n, NULL), NCAP_ERR_MAGIC);
    build(&good, true);
    put16(file + 4, 2);
    cr_assert_eq(ncap_parse(file, n, NULL), NCAP_ERR_FORMAT);
    build(&good, true);
    file[8] = 2;                    /* another major */
    cr_assert_eq(ncap_parse(file, n, NULL), NCAP_ERR_SYSCALL);
    build(&good, true);
    file[9] = NCAP_SYSCALL_MINOR + 1;   /* a newer minor than the card's */
    cr_assert_eq(ncap_parse(file, n, NULL), NCAP_ERR_SYSCALL);
}

Test(unit_sys_ncap, refuses_bad_header_fields)
{
    size_t n = build(&good, true);

    file[10] = 0;
    cr_assert_eq(ncap_parse(file, n, NULL), NCAP_ERR_HEADER);
    build(&good, true);
    file[10] = 5;
    cr_assert_eq(ncap_parse(file, n, NULL), NCAP_ERR_HEADER);
    build(&good, true);
    put16(file + 6, 64 + 24);       /* header size for one module */
    cr_assert_eq(ncap_parse(file, n, NULL), NCAP_ERR_HEADER);
    build(&good, true);
    file[11] = 4;                   /* package AID too short */
    cr_assert_eq(ncap_parse(file, n, NULL), NCAP_ERR_HEADER);
    build(&good, true);
    file[11] = 17;
    cr_assert_eq(ncap_parse(file, n, NULL), NCAP_ERR_HEADER);
    build(&good, true);
    file[30] = 1;                   /* flags are RFU */
    cr_assert_eq(ncap_parse(file, n, NULL), NCAP_ERR_HEADER);
    build(&good, true);
    file[64] = 3;                   /* module AID length */
    cr_assert_eq(ncap_parse(file, n, NULL), NCAP_ERR_HEADER);
    build(&good, true);
    file[64 + 18] = 1;              /* module padding */
    cr_assert_eq(ncap_parse(file, n, NULL), NCAP_ERR_HEADER);
}

Test(unit_sys_ncap, refuses_bad_sizes)
{
    struct spec sp;

    sp = good; sp.code = 62;                    /* not words */
    cr_assert_eq(check_spec(&sp), NCAP_ERR_SIZE);
    sp = good; sp.code = 0;
    cr_assert_eq(check_spec(&sp), NCAP_ERR_SIZE);
    sp = good; sp.stack = 128;                  /* below the minimum */
    cr_assert_eq(check_spec(&sp), NCAP_ERR_SIZE);
    sp = good; sp.stack = 516;                  /* not 8-aligned */
    cr_assert_eq(check_spec(&sp), NCAP_ERR_SIZE);
    sp = good; sp.bss = 30;
    cr_assert_eq(check_spec(&sp), NCAP_ERR_SIZE);
    sp = good; sp.transient = NCAP_RAM_MAX;     /* RAM over the limit */
    cr_assert_eq(check_spec(&sp), NCAP_ERR_SIZE);
    sp = good; sp.bss = 0xFFFFFFFCu;            /* no wrap-around */
    cr_assert_eq(check_spec(&sp), NCAP_ERR_SIZE);
    sp = good; sp.quota = NCAP_QUOTA_MAX + 4;
    cr_assert_eq(check_spec(&sp), NCAP_ERR_SIZE);
    sp = good; sp.got = 20;                     /* past the data */
    cr_assert_eq(check_spec(&sp), NCAP_ERR_SIZE);
}

Test(unit_sys_ncap, refuses_wrong_lengths)
{
    size_t n = build(&good, true);

    cr_assert_eq(ncap_parse(file, 10, NULL), NCAP_ERR_SHORT);
    cr_assert_eq(ncap_parse(file, n - 1, NULL), NCAP_ERR_SHORT);
    cr_assert_eq(ncap_parse(file, n + 1, NULL), NCAP_ERR_LENGTH);
    /* a code size past the end of the file */
    put32(file + 32, 1024);
    cr_assert_eq(ncap_parse(file, n, NULL), NCAP_ERR_SHORT);
}

Test(unit_sys_ncap, refuses_bad_entries)
{
    size_t n = build(&good, true);

    put32(file + 64 + 20, 8);               /* even: not Thumb */
    cr_assert_eq(ncap_parse(file, n, NULL), NCAP_ERR_ENTRY);
    put32(file + 64 + 20, 64 | 1);          /* at the end of the code */
    cr_assert_eq(ncap_parse(file, n, NULL), NCAP_ERR_ENTRY);
    put32(file + 64 + 20, 0xFFFFFFFFu);     /* no wrap-around */
    cr_assert_eq(ncap_parse(file, n, NULL), NCAP_ERR_ENTRY);
}

Test(unit_sys_ncap, refuses_bad_relocations)
{
    struct spec sp;

    sp = good; sp.relocs[0] = 0;                        /* kind 0 */
    cr_assert_eq(check_spec(&sp), NCAP_ERR_RELOC);
    sp = good; sp.relocs[0] = 3u << 30;                 /* kind 3 */
    cr_assert_eq(check_spec(&sp), NCAP_ERR_RELOC);
    sp = good; sp.relocs[0] = (1u << 30) | 2;           /* misaligned */
    cr_assert_eq(check_spec(&sp), NCAP_ERR_RELOC);
    sp = good; sp.relocs[0] = (1u << 30) | 16;          /* past the data */
    cr_assert_eq(check_spec(&sp), NCAP_ERR_RELOC);
}

Test(unit_sys_ncap, refuses_overlapping_aids)
{
    size_t n = build(&good, true);

    file[64 + 24 + 7] = 1;                  /* module 1's AID = module 0's */
    cr_assert_eq(ncap_parse(file, n, NULL), NCAP_ERR_OVERLAP);
    build(&good, true);
    file[64] = sizeof(pkg);                 /* module 0's AID = package's */
    file[64 + 7] = 0;
    cr_assert_eq(ncap_parse(file, n, NULL), NCAP_ERR_OVERLAP);
}

Test(unit_sys_ncap, refuses_any_changed_byte_by_hash)
{
    size_t n = build(&good, true);
    struct ncap_info in;

    cr_assert_eq(ncap_parse(file, n, &in), NCAP_OK);
    /* a byte of code, of data, of the hash itself */
    const size_t at[] = { in.code_offset + 5, in.data_offset + 1,
                          in.hash_offset + 31 };
    for (unsigned i = 0; i < 3; i++) {
        build(&good, true);
        file[at[i]] ^= 0x10;
        cr_assert_eq(ncap_parse(file, n, NULL), NCAP_OK);
        cr_assert_eq(ncap_check(file, n, glib_sha256, NULL), NCAP_ERR_HASH,
                     "byte %zu", at[i]);
    }
    build(&good, false);                    /* no hash at all */
    cr_assert_eq(ncap_check(file, n, glib_sha256, NULL), NCAP_ERR_HASH);
    build(&good, true);
    cr_assert_eq(ncap_check(file, n, NULL, NULL), NCAP_ERR_HASH);
}

Test(unit_sys_ncap, error_names)
{
    cr_assert_str_eq(ncap_error_name(NCAP_ERR_HASH), "hash mismatch");
    cr_assert_str_eq(ncap_error_name((enum ncap_error)99), "?");
}
