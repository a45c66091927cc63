/*
 * A simulated NOR flash for the store's host tests and benchmark: erase
 * sets a page to 0xFF, program ANDs the data into the array (bits only go
 * 1 -> 0), and a power cut can be injected at the N-th operation in one of
 * three modes (before: nothing changed; partial: a random half of the bits
 * that would change did, from a seeded PRNG; after: the operation
 * completed), after which the simulator longjmps to the test's jmp_buf as
 * if the card lost power.
 *
 * Like the netcard NVM controller (docs/nvm.md), the simulator programs at
 * most one row (256 bytes) per device operation: a store program call of
 * more bytes is several operations, and the power can go between them.
 * "ops" counts device operations (rows and erases), "programs" the
 * store's program calls.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_TESTS_NOR_SIM_H
#define NETCARD_TESTS_NOR_SIM_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

#define NOR_SIM_ROW_BYTES 256

enum nor_tear_mode {
    NOR_TEAR_BEFORE = 0,
    NOR_TEAR_PARTIAL = 1,
    NOR_TEAR_AFTER = 2,
};

struct nor_sim {
    uint8_t *mem;
    uint32_t page_size;
    uint32_t page_count;
    uint32_t *erase_count;      /* per page */

    uint32_t row_bytes;         /* bytes per program operation; 0: any */
    uint64_t ops;               /* device operations: rows + erases */
    uint64_t row_ops;           /* row programs */
    uint64_t programs;          /* store program calls */
    uint64_t erases;
    uint64_t bytes_programmed;
    uint64_t overwrites;        /* programs over bytes that were not 0xFF */
    uint64_t bad_calls;         /* misaligned, out of range, page crossing */
    uint64_t tears;

    uint64_t tear_at;           /* tear at this value of ops (1-based); 0 off */
    int tear_mode;
    uint64_t rng;
    jmp_buf *on_tear;           /* where the power cut jumps */
};

void nor_sim_init(struct nor_sim *n, uint32_t page_size, uint32_t page_count);
void nor_sim_free(struct nor_sim *n);
/* The store_flash view of the simulator. */
void nor_sim_flash(struct nor_sim *n, struct store_flash *f);
/* Arm a tear at the AFTER-th operation from now (0 disarms). */
void nor_sim_arm(struct nor_sim *n, uint64_t after, int mode, uint64_t seed,
                 jmp_buf *jb);

#endif /* NETCARD_TESTS_NOR_SIM_H */
