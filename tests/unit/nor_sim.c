/*
 * Simulated NOR flash. Contract: nor_sim.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "nor_sim.h"

#include <stdlib.h>
#include <string.h>

static uint64_t rng_next(struct nor_sim *n)
{
    uint64_t x = n->rng;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    n->rng = x;
    return x * 0x2545f4914f6cdd1dull;
}

void nor_sim_init(struct nor_sim *n, uint32_t page_size, uint32_t page_count)
{
    memset(n, 0, sizeof(*n));
    n->page_size = page_size;
    n->page_count = page_count;
    n->mem = malloc((size_t)page_size * page_count);
    n->erase_count = calloc(page_count, sizeof(uint32_t));
    memset(n->mem, 0xff, (size_t)page_size * page_count);
    n->rng = 1;
    n->row_bytes = NOR_SIM_ROW_BYTES;
}

void nor_sim_free(struct nor_sim *n)
{
    free(n->mem);
    free(n->erase_count);
    n->mem = NULL;
    n->erase_count = NULL;
}

void nor_sim_arm(struct nor_sim *n, uint64_t after, int mode, uint64_t seed,
                 jmp_buf *jb)
{
    n->tear_at = after ? n->ops + after : 0;
    n->tear_mode = mode;
    n->rng = seed ^ 0x9e3779b97f4a7c15ull;
    if (!n->rng) {
        n->rng = 1;
    }
    n->on_tear = jb;
}

/* Count the operation; true if the power goes now. */
static bool tearing_now(struct nor_sim *n)
{
    n->ops++;
    return n->tear_at && n->ops == n->tear_at;
}

static void cut_power(struct nor_sim *n)
{
    n->tears++;
    n->tear_at = 0;
    longjmp(*n->on_tear, 1);
}

/* old -> target, partially if PARTIAL. */
static uint8_t settle(struct nor_sim *n, uint8_t old, uint8_t target,
                      bool partial)
{
    if (partial) {
        uint8_t keep = (uint8_t)((old ^ target) & rng_next(n));
        return (uint8_t)(target ^ keep);
    }
    return target;
}

/*
 * One device operation: program LEN bytes at OFF (one row at most). The
 * power may go during it.
 */
static void program_row(struct nor_sim *n, uint32_t off, const uint8_t *d,
                        uint32_t len)
{
    bool tear = tearing_now(n);

    n->row_ops++;
    if (tear && n->tear_mode == NOR_TEAR_BEFORE) {
        cut_power(n);
    }
    for (uint32_t i = 0; i < len; i++) {
        uint8_t old = n->mem[off + i];

        n->mem[off + i] = settle(n, old, old & d[i],
                                 tear && n->tear_mode == NOR_TEAR_PARTIAL);
    }
    if (tear) {
        cut_power(n);
    }
}

static int sim_program(void *ctx, uint32_t off, const void *data, uint32_t len)
{
    struct nor_sim *n = ctx;
    const uint8_t *d = data;
    uint64_t size = (uint64_t)n->page_size * n->page_count;
    uint32_t row = n->row_bytes ? n->row_bytes : len;

    if (off % 4 || len % 4 || !len || off + (uint64_t)len > size ||
        off / n->page_size != (off + len - 1) / n->page_size) {
        n->bad_calls++;
        return -1;
    }
    n->programs++;
    n->bytes_programmed += len;
    for (uint32_t i = 0; i < len; i++) {
        if (n->mem[off + i] != 0xff) {
            n->overwrites++;
            break;
        }
    }
    for (uint32_t done = 0; done < len; done += row) {
        program_row(n, off + done, d + done,
                    len - done < row ? len - done : row);
    }
    return 0;
}

static int sim_erase(void *ctx, uint32_t page)
{
    struct nor_sim *n = ctx;
    bool tear;

    if (page >= n->page_count) {
        n->bad_calls++;
        return -1;
    }
    tear = tearing_now(n);
    n->erases++;
    if (tear && n->tear_mode == NOR_TEAR_BEFORE) {
        cut_power(n);
    }
    uint8_t *p = n->mem + (size_t)page * n->page_size;
    for (uint32_t i = 0; i < n->page_size; i++) {
        p[i] = settle(n, p[i], 0xff, tear && n->tear_mode == NOR_TEAR_PARTIAL);
    }
    n->erase_count[page]++;
    if (tear) {
        cut_power(n);
    }
    return 0;
}

void nor_sim_flash(struct nor_sim *n, struct store_flash *f)
{
    f->base = n->mem;
    f->page_size = n->page_size;
    f->page_count = n->page_count;
    f->program = sim_program;
    f->erase = sim_erase;
    f->ctx = n;
}
