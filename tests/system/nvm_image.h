/*
 * NVM image files for system tests that boot the card on a raw pflash
 * image (test_store_boot.c, the file system tests through fs_card.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_TESTS_SYSTEM_NVM_IMAGE_H
#define NETCARD_TESTS_SYSTEM_NVM_IMAGE_H

#include "system.h"

#include <errno.h>
#include <sys/wait.h>
#include <stdio.h>
#include <string.h>

/* The default nvm-size (docs/nvm.md): the machine needs no option. */
#define NVM_IMAGE_SIZE (2u * 1024u * 1024u)

/* Create an NVM image of SIZE bytes (at most NVM_IMAGE_SIZE; the machine
 * then needs nvm-size=SIZE) in the test's folder: erased, or pseudo-random
 * bytes (SEED != 0: not a store, as a foreign image). */
static inline const char *nvm_image_make_sized(const char *name,
                                               unsigned seed, size_t size)
{
    static uint8_t img[NVM_IMAGE_SIZE];
    const char *path = nc_tmp_path(name);
    uint32_t x = seed;

    cr_assert(size <= sizeof(img), "NVM image of %zu bytes", size);
    for (size_t i = 0; i < size; i++) {
        x = x * 1103515245u + 12345u;
        img[i] = seed ? (uint8_t)(x >> 16) : 0xFF;
    }
    FILE *f = fopen(path, "wb");
    cr_assert(f, "cannot create %s: %s", path, strerror(errno));
    cr_assert_eq(fwrite(img, 1, size, f), size);
    cr_assert_eq(fclose(f), 0);
    return path;
}

/* The same, of the default size. */
static inline const char *nvm_image_make(const char *name, unsigned seed)
{
    return nvm_image_make_sized(name, seed, NVM_IMAGE_SIZE);
}

/*
 * The same, erased, as a qcow2 image (what savevm snapshots need),
 * converted by the qemu-img built beside QEMU ($NETCARD_QEMU), as the
 * launcher does for `netcard run --nvm FILE.qcow2`.
 */
static inline const char *nvm_image_make_qcow2(const char *name)
{
    const char *raw = nvm_image_make(nc_strf("%s.raw", name), 0);
    const char *path = nc_tmp_path(name);
    const char *qemu = nc_qemu();
    const char *slash = strrchr(qemu, '/');
    const char *img = nc_strf("%.*s/qemu-img",
                              slash ? (int)(slash - qemu) : 1,
                              slash ? qemu : ".");
    const char *const argv[] = { img, "convert", "-q", "-f", "raw", "-O",
                                 "qcow2", raw, path, NULL };
    NcProc *p = nc_spawn("qemu-img", argv, NULL);
    int st = nc_proc_wait_exit(p, NC_TIMEOUT_EXIT_MS);

    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0,
              "qemu-img convert %s\n%s (build it with `make qemu`)",
              nc_proc_describe(p), nc_proc_diag(p));
    return path;
}

#endif
