/*
 * Device tests: the NVM controller (peripherals/netcard_nvm.h, docs/nvm.md)
 * over the NOR flash array: NOR program semantics, page erase, busy time
 * and completion interrupt, write protection, error status, tearing
 * injection through QMP, operation counters, persistence in the
 * -drive if=pflash backing file, and the array's size (machine nvm-size:
 * the SIZE register, bounds, images and snapshots of each size).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "devices.h"
#include "netcard_nvm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

TestSuite(device_nvm, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_DEVICE);

#define NVMC_BASE       0x40005000u
#define NVMC(reg)       (NVMC_BASE + (uint32_t)A_NVMC_##reg)
#define NVMC_BUF(i)     (NVMC_BASE + 0x100u + 4u * (uint32_t)(i))
#define NVMC_IRQ        4
#define PAGE            4096u

/* Written out from docs/nvm.md, independent of the header's constants. */
#define ST_BUSY         0x1u
#define ST_DONE         0x2u
#define ST_ERROR        0x4u
#define ST_LOCKED       0x8u
#define ST_ERRCODE(s)   (((s) >> 8) & 0xfu)
#define CMD_PROGRAM     1u
#define CMD_ROW         2u
#define CMD_ERASE       3u
#define ERR_BUSY        1u
#define ERR_CMD         2u
#define ERR_LOCKED      3u
#define ERR_RANGE       4u
#define ERR_ALIGN       5u
#define ERR_LEN         6u
#define ERR_READONLY    7u
#define T_PROGRAM_NS    20000u
#define T_ERASE_NS      2000000u
#define LOCK_KEY        0x4c4f434bu

#define NVM_PATH        "/machine/soc/nvm"

/* A file of SIZE bytes of 0xFF (an erased image); returns its path. */
static const char *erased_image_of(const char *name, size_t size)
{
    const char *path = nc_tmp_path(name);
    uint8_t *ff = nc_gc(malloc(size));
    FILE *f = fopen(path, "wb");

    cr_assert(ff, "out of memory");
    cr_assert(f, "cannot create %s: %s", path, strerror(errno));
    memset(ff, 0xff, size);
    cr_assert_eq(fwrite(ff, 1, size, f), size);
    cr_assert_eq(fclose(f), 0);
    return path;
}

/* An erased image of the default NVM size. */
static const char *erased_image(const char *name)
{
    return erased_image_of(name, NVM_SIZE);
}

static NcQtest *start_with_image(const char *path, bool readonly)
{
    const char *opts[] = { "--nvm", path, "--nvm-format", "raw",
                           readonly ? "--nvm-readonly" : NULL, NULL };

    return nc_qtest_start_with(opts, NULL);
}

static uint32_t status(NcQtest *qt)
{
    return nc_readl(qt, NVMC(STATUS));
}

/* Wait for the running operation to end (bounded virtual time). */
static uint32_t wait_idle(NcQtest *qt)
{
    uint32_t st = status(qt);

    for (int i = 0; i < 100 && (st & ST_BUSY); i++) {
        nc_clock_step(qt, 100000);
        st = status(qt);
    }
    cr_assert_eq(st & ST_BUSY, 0u, "NVMC still busy after 10 ms: 0x%08"
                 PRIx32, st);
    return st;
}

static void clear_status(NcQtest *qt)
{
    nc_writel(qt, NVMC(STATUS), ST_DONE | ST_ERROR);
}

/* PROGRAM one word and wait; expects success. */
static void program_word(NcQtest *qt, uint32_t off, uint32_t value)
{
    clear_status(qt);
    nc_writel(qt, NVMC(ADDR), off);
    nc_writel(qt, NVMC(DATA), value);
    nc_writel(qt, NVMC(CMD), CMD_PROGRAM);
    uint32_t st = wait_idle(qt);
    cr_assert_eq(st & (ST_DONE | ST_ERROR), ST_DONE, "program of 0x%08"
                 PRIx32 " at 0x%05" PRIx32 ": STATUS 0x%08" PRIx32,
                 value, off, st);
}

static void erase_page(NcQtest *qt, uint32_t off)
{
    clear_status(qt);
    nc_writel(qt, NVMC(ADDR), off);
    nc_writel(qt, NVMC(CMD), CMD_ERASE);
    uint32_t st = wait_idle(qt);
    cr_assert_eq(st & (ST_DONE | ST_ERROR), ST_DONE, "erase at 0x%05" PRIx32
                 ": STATUS 0x%08" PRIx32, off, st);
}

/* Issue CMD and expect it refused at once with ERRCODE. */
static void expect_refused(NcQtest *qt, uint32_t cmd, uint32_t err,
                           const char *what)
{
    clear_status(qt);
    nc_writel(qt, NVMC(CMD), cmd);
    uint32_t st = status(qt);
    cr_assert(st & ST_ERROR, "%s: not refused, STATUS 0x%08" PRIx32, what,
              st);
    cr_assert_eq(ST_ERRCODE(st), err, "%s: ERRCODE %" PRIu32 ", expected %"
                 PRIu32, what, ST_ERRCODE(st), err);
    cr_assert_eq(st & ST_BUSY, 0u, "%s: refused command made NVMC busy",
                 what);
}

static uint32_t qom_get_u32(NcQtest *qt, const char *prop)
{
    char *v = nc_qmp(qt->qmp, "{'execute': 'qom-get', 'arguments': "
                     "{'path': '" NVM_PATH "', 'property': '%s'}}", prop);
    return (uint32_t)strtoul(v, NULL, 0);
}

static void qom_set(NcQtest *qt, const char *prop, const char *json_value)
{
    nc_qmp(qt->qmp, "{'execute': 'qom-set', 'arguments': {'path': '"
           NVM_PATH "', 'property': '%s', 'value': %s}}", prop, json_value);
}

Test(device_nvm, identity_and_idle_status)
{
    NcQtest *qt = nc_qtest_start(NULL);

    cr_assert_eq(nc_readl(qt, NVMC(ID)), 0x434d564eu, "ID is not \"NVMC\"");
    cr_assert_eq(status(qt), 0u, "STATUS after power-on");
    cr_assert_eq(nc_readl(qt, NVMC(LOCK)), 0u, "locked after power-on");
}

Test(device_nvm, program_has_nor_semantics)
{
    NcQtest *qt = nc_qtest_start(NULL);

    /* 0x00 over 0xFF: all bits cleared. */
    program_word(qt, 0x100, 0x00000000u);
    cr_assert_eq(nc_readl(qt, NVM_BASE + 0x100), 0x00000000u);
    /* 0xFF over 0x00 keeps 0x00: bits never go back to 1. */
    program_word(qt, 0x100, 0xFFFFFFFFu);
    cr_assert_eq(nc_readl(qt, NVM_BASE + 0x100), 0x00000000u,
                 "programming 1s over 0s set bits");
    /* new = old AND data */
    program_word(qt, 0x104, 0xFFFF00FFu);
    program_word(qt, 0x104, 0x0F0F0F0Fu);
    cr_assert_eq(nc_readl(qt, NVM_BASE + 0x104), 0x0F0F000Fu);
    /* little-endian bytes, neighbours untouched */
    program_word(qt, 0x108, 0x44332211u);
    cr_assert_eq(nc_readb(qt, NVM_BASE + 0x108), 0x11u);
    cr_assert_eq(nc_readb(qt, NVM_BASE + 0x10b), 0x44u);
    cr_assert_eq(nc_readl(qt, NVM_BASE + 0x10c), 0xFFFFFFFFu);
    cr_assert_eq(nc_readl(qt, NVM_BASE + 0xfc), 0xFFFFFFFFu);
    /* the last word of the array */
    program_word(qt, NVM_SIZE - 4, 0x12345678u);
    cr_assert_eq(nc_readl(qt, NVM_BASE + NVM_SIZE - 4), 0x12345678u);
}

Test(device_nvm, row_program_writes_the_buffer)
{
    NcQtest *qt = nc_qtest_start(NULL);
    const uint32_t base = 3 * PAGE + PAGE - 64 * 4; /* last row of page 3 */

    for (uint32_t i = 0; i < 64; i++) {
        nc_writel(qt, NVMC_BUF(i), 0xA5000000u | i);
    }
    cr_assert_eq(nc_readl(qt, NVMC_BUF(7)), 0xA5000007u, "BUF reads back");
    clear_status(qt);
    nc_writel(qt, NVMC(ADDR), base);
    nc_writel(qt, NVMC(LEN), 64);
    nc_writel(qt, NVMC(CMD), CMD_ROW);
    cr_assert_eq(wait_idle(qt) & (ST_DONE | ST_ERROR), ST_DONE);
    for (uint32_t i = 0; i < 64; i++) {
        cr_assert_eq(nc_readl(qt, NVM_BASE + base + 4 * i), 0xA5000000u | i,
                     "row word %" PRIu32, i);
    }
    cr_assert_eq(nc_readl(qt, NVM_BASE + base + 256), 0xFFFFFFFFu,
                 "the word after the row changed");
    /* one word further the row would cross into page 4 */
    nc_writel(qt, NVMC(ADDR), base + 4);
    expect_refused(qt, CMD_ROW, ERR_LEN, "row crossing a page");
    nc_writel(qt, NVMC(ADDR), 0);
    nc_writel(qt, NVMC(LEN), 0);
    expect_refused(qt, CMD_ROW, ERR_LEN, "row of 0 words");
    nc_writel(qt, NVMC(LEN), 65);
    expect_refused(qt, CMD_ROW, ERR_LEN, "row of 65 words");
    cr_assert_eq(nc_readl(qt, NVM_BASE + 4 * PAGE), 0xFFFFFFFFu);
}

Test(device_nvm, erase_sets_one_page_to_ff)
{
    NcQtest *qt = nc_qtest_start(NULL);

    program_word(qt, 1 * PAGE, 0x00000000u);
    program_word(qt, 1 * PAGE + PAGE - 4, 0x11111111u);
    program_word(qt, 2 * PAGE, 0x22222222u);
    program_word(qt, 1 * PAGE - 4, 0x33333333u);
    erase_page(qt, 1 * PAGE);
    cr_assert_eq(nc_readl(qt, NVM_BASE + 1 * PAGE), 0xFFFFFFFFu);
    cr_assert_eq(nc_readl(qt, NVM_BASE + 2 * PAGE - 4), 0xFFFFFFFFu);
    cr_assert_eq(nc_readl(qt, NVM_BASE + 2 * PAGE), 0x22222222u,
                 "erase of page 1 touched page 2");
    cr_assert_eq(nc_readl(qt, NVM_BASE + PAGE - 4), 0x33333333u,
                 "erase of page 1 touched page 0");
    /* a programmed page can be programmed again after the erase */
    program_word(qt, 1 * PAGE, 0xCAFEF00Du);
    cr_assert_eq(nc_readl(qt, NVM_BASE + 1 * PAGE), 0xCAFEF00Du);
}

Test(device_nvm, busy_time_and_completion_irq)
{
    NcQtest *qt = nc_qtest_start(NULL);

    nc_qtest_cmd(qt, "irq_intercept_in /machine/soc/armv7m");
    nc_writel(qt, NVMC(INTEN), 1u);     /* DONE */

    /* word program: 20 us of virtual time */
    nc_writel(qt, NVMC(ADDR), 0x40);
    nc_writel(qt, NVMC(DATA), 0x0u);
    nc_writel(qt, NVMC(CMD), CMD_PROGRAM);
    cr_assert_eq(status(qt) & (ST_BUSY | ST_DONE), ST_BUSY, "not busy");
    cr_assert_eq(nc_readl(qt, NVM_BASE + 0x40), 0xFFFFFFFFu,
                 "array changed before the busy time ended");
    nc_clock_step(qt, T_PROGRAM_NS - 1000);
    cr_assert_eq(status(qt) & ST_BUSY, ST_BUSY, "program ended before 20 us");
    cr_assert_eq(nc_qtest_irq_level(qt, NVMC_IRQ), 0, "IRQ while busy");
    nc_clock_step(qt, 1000);
    cr_assert_eq(status(qt) & (ST_BUSY | ST_DONE), ST_DONE,
                 "program not done after 20 us");
    cr_assert_eq(nc_readl(qt, NVM_BASE + 0x40), 0u);
    cr_assert_eq(nc_qtest_irq_level(qt, NVMC_IRQ), 1, "no completion IRQ");
    nc_writel(qt, NVMC(STATUS), ST_DONE);
    cr_assert_eq(nc_qtest_irq_level(qt, NVMC_IRQ), 0, "IRQ not cleared");

    /* page erase: 2 ms */
    nc_writel(qt, NVMC(ADDR), 0);
    nc_writel(qt, NVMC(CMD), CMD_ERASE);
    nc_clock_step(qt, T_ERASE_NS - 1000);
    cr_assert_eq(status(qt) & ST_BUSY, ST_BUSY, "erase ended before 2 ms");
    cr_assert_eq(nc_readl(qt, NVM_BASE + 0x40), 0u, "erased early");
    nc_clock_step(qt, 1000);
    cr_assert_eq(status(qt) & (ST_BUSY | ST_DONE), ST_DONE);
    cr_assert_eq(nc_readl(qt, NVM_BASE + 0x40), 0xFFFFFFFFu);
    cr_assert_eq(nc_qtest_irq_level(qt, NVMC_IRQ), 1, "no IRQ after erase");
    nc_writel(qt, NVMC(INTEN), 0u);
    cr_assert_eq(nc_qtest_irq_level(qt, NVMC_IRQ), 0, "INTEN=0 kept the IRQ");

    /* an error raises the IRQ when INTEN.ERROR is set */
    nc_writel(qt, NVMC(STATUS), ST_DONE);
    nc_writel(qt, NVMC(INTEN), 2u);
    nc_writel(qt, NVMC(CMD), 0x77u);
    cr_assert_eq(nc_qtest_irq_level(qt, NVMC_IRQ), 1, "no IRQ on error");
    nc_writel(qt, NVMC(STATUS), ST_ERROR);
    cr_assert_eq(nc_qtest_irq_level(qt, NVMC_IRQ), 0);
    cr_assert_eq(status(qt), 0u, "W1C left STATUS 0x%08" PRIx32, status(qt));
}

Test(device_nvm, errors_are_reported_and_change_nothing)
{
    NcQtest *qt = nc_qtest_start(NULL);

    nc_writel(qt, NVMC(ADDR), NVM_SIZE);
    nc_writel(qt, NVMC(DATA), 0);
    expect_refused(qt, CMD_PROGRAM, ERR_RANGE, "program past the array");
    nc_writel(qt, NVMC(ADDR), 0xFFFFFFFCu);
    expect_refused(qt, CMD_ERASE, ERR_RANGE, "erase far outside");
    nc_writel(qt, NVMC(ADDR), NVM_SIZE - 8);
    nc_writel(qt, NVMC(LEN), 4);
    expect_refused(qt, CMD_ROW, ERR_RANGE, "row running past the end");
    nc_writel(qt, NVMC(ADDR), 0x102);
    expect_refused(qt, CMD_PROGRAM, ERR_ALIGN, "misaligned program");
    nc_writel(qt, NVMC(ADDR), 0x10);
    expect_refused(qt, CMD_ERASE, ERR_ALIGN, "erase not page aligned");
    expect_refused(qt, 0x0u, ERR_CMD, "command 0");
    expect_refused(qt, 0xFFu, ERR_CMD, "command 0xFF");
    cr_assert_eq(nc_readl(qt, NVM_BASE + 0x100), 0xFFFFFFFFu);
    cr_assert_eq(nc_readl(qt, NVM_BASE), 0xFFFFFFFFu);

    /* a command while busy is refused; the running one still completes */
    clear_status(qt);
    nc_writel(qt, NVMC(ADDR), 0);
    nc_writel(qt, NVMC(CMD), CMD_ERASE);
    nc_writel(qt, NVMC(ADDR), 0x200);
    nc_writel(qt, NVMC(DATA), 0);
    nc_writel(qt, NVMC(CMD), CMD_PROGRAM);
    uint32_t st = status(qt);
    cr_assert_eq(st & (ST_BUSY | ST_ERROR), ST_BUSY | ST_ERROR,
                 "STATUS 0x%08" PRIx32, st);
    cr_assert_eq(ST_ERRCODE(st), ERR_BUSY);
    st = wait_idle(qt);
    cr_assert(st & ST_DONE, "the running erase did not complete");
    cr_assert_eq(nc_readl(qt, NVM_BASE + 0x200), 0xFFFFFFFFu,
                 "the refused program ran");

    /* wrong access sizes and unknown registers: ignored, QEMU keeps going */
    nc_writeb(qt, NVMC(CMD), CMD_ERASE);
    nc_writel(qt, NVMC_BASE + 0x800, 0xFFFFFFFFu);
    cr_assert_eq(nc_readl(qt, NVMC_BASE + 0x800), 0u);
    nc_writel(qt, NVMC(ID), 0);
    cr_assert_eq(nc_readl(qt, NVMC(ID)), 0x434d564eu);
    expect_running(qt);
}

Test(device_nvm, lock_is_one_way_until_reset)
{
    NcQtest *qt = nc_qtest_start(NULL);

    nc_writel(qt, NVMC(LOCK), 0x12345678u);   /* wrong key */
    cr_assert_eq(nc_readl(qt, NVMC(LOCK)), 0u, "locked without the key");
    program_word(qt, 0x0, 0x0u);

    nc_writel(qt, NVMC(LOCK), LOCK_KEY);
    cr_assert_eq(nc_readl(qt, NVMC(LOCK)), 1u);
    cr_assert(status(qt) & ST_LOCKED, "STATUS.LOCKED not set");
    nc_writel(qt, NVMC(LOCK), 0u);            /* cannot be undone */
    cr_assert_eq(nc_readl(qt, NVMC(LOCK)), 1u, "LOCK undone by a write");
    nc_writel(qt, NVMC(ADDR), 0x4);
    nc_writel(qt, NVMC(DATA), 0x0u);
    expect_refused(qt, CMD_PROGRAM, ERR_LOCKED, "program while locked");
    nc_writel(qt, NVMC(ADDR), 0x0);
    expect_refused(qt, CMD_ERASE, ERR_LOCKED, "erase while locked");
    cr_assert_eq(nc_readl(qt, NVM_BASE + 4), 0xFFFFFFFFu);
    cr_assert_eq(nc_readl(qt, NVM_BASE), 0u, "locked erase ran");

    nc_qmp(qt->qmp, "{'execute': 'system_reset'}");
    expect_reset(qt, 1, CAUSE_WARM, "system_reset");
    cr_assert_eq(nc_readl(qt, NVMC(LOCK)), 0u, "still locked after reset");
    program_word(qt, 0x4, 0x0u);
}

Test(device_nvm, counters_via_qom_get)
{
    NcQtest *qt = nc_qtest_start(NULL);

    cr_assert_eq(qom_get_u32(qt, "programs"), 0u);
    cr_assert_eq(qom_get_u32(qt, "erases"), 0u);
    program_word(qt, 0x0, 0x0u);
    program_word(qt, 0x4, 0x0u);
    nc_writel(qt, NVMC(ADDR), 0x8);
    nc_writel(qt, NVMC(LEN), 2);
    nc_writel(qt, NVMC(CMD), CMD_ROW);
    wait_idle(qt);
    erase_page(qt, 0);
    /* refused commands are not operations */
    nc_writel(qt, NVMC(ADDR), 0x3);
    expect_refused(qt, CMD_PROGRAM, ERR_ALIGN, "misaligned");
    cr_assert_eq(qom_get_u32(qt, "programs"), 3u);
    cr_assert_eq(qom_get_u32(qt, "erases"), 1u);
    cr_assert_eq(qom_get_u32(qt, "tears"), 0u);
    cr_assert_eq(nc_readl(qt, NVMC(OPCOUNT)), 4u);
}

/* Arm a tear, run operations until it fires; returns after the reset. */
static void tear_at(NcQtest *qt, uint32_t n, const char *mode,
                    uint32_t tear_off, uint32_t value)
{
    qom_set(qt, "tear-mode", nc_strf("'%s'", mode));
    qom_set(qt, "tear-after", nc_strf("%" PRIu32, n));
    cr_assert_eq(qom_get_u32(qt, "tear-after"), n);
    for (uint32_t i = 1; i < n; i++) {   /* these complete */
        program_word(qt, 0x800 + 4 * i, 0x0u);
    }
    nc_writel(qt, NVMC(ADDR), tear_off);
    nc_writel(qt, NVMC(DATA), value);
    nc_writel(qt, NVMC(CMD), CMD_PROGRAM);
    nc_qmp_wait_event(qt->qmp, "RESET", RESET_TIMEOUT_MS);
}

Test(device_nvm, tear_after_is_a_cold_reset_with_cause_tear)
{
    NcQtest *qt = nc_qtest_start(NULL);

    nc_writel(qt, RAM_BASE + 0x100, 0xA5A55A5Au);
    nc_writel(qt, NVMC(INTEN), 3u);
    tear_at(qt, 3, "after", 0x0, 0x12345678u);

    cr_assert_eq(nc_readl(qt, SYSCTL(RESET_CAUSE)), CAUSE_TEAR);
    char *cause = nc_qmp(qt->qmp, "{'execute': 'qom-get', 'arguments': "
                         "{'path': '/machine/soc/sysctl', "
                         "'property': 'reset-cause'}}");
    cr_assert_str_eq(cause, "\"tear\"");
    cr_assert_eq(nc_readl(qt, RAM_BASE + 0x100), 0u, "RAM survived a tear");
    /* mode after: the torn program completed; earlier ones too */
    cr_assert_eq(nc_readl(qt, NVM_BASE), 0x12345678u);
    cr_assert_eq(nc_readl(qt, NVM_BASE + 0x804), 0u);
    cr_assert_eq(nc_readl(qt, NVM_BASE + 0x808), 0u);
    cr_assert_eq(qom_get_u32(qt, "tears"), 1u);
    cr_assert_eq(qom_get_u32(qt, "programs"), 3u);
    cr_assert_eq(qom_get_u32(qt, "tear-after"), 0u, "tear re-armed itself");
    /* the controller came back idle and works */
    cr_assert_eq(status(qt), 0u);
    cr_assert_eq(nc_readl(qt, NVMC(INTEN)), 0u);
    program_word(qt, 0x10, 0x0u);
    cr_assert_eq(qom_get_u32(qt, "tears"), 1u, "a second tear happened");
}

Test(device_nvm, tear_before_changes_nothing)
{
    NcQtest *qt = nc_qtest_start(NULL);

    tear_at(qt, 1, "before", 0x0, 0x0u);
    cr_assert_eq(nc_readl(qt, SYSCTL(RESET_CAUSE)), CAUSE_TEAR);
    cr_assert_eq(nc_readl(qt, NVM_BASE), 0xFFFFFFFFu,
                 "tear before: the program happened");
    cr_assert_eq(qom_get_u32(qt, "tears"), 1u);
}

Test(device_nvm, tear_partial_changes_a_reproducible_subset)
{
    NcQtest *qt = nc_qtest_start(NULL);
    uint32_t v1, v2;

    qom_set(qt, "tear-seed", "42");
    tear_at(qt, 1, "partial", 0x0, 0x0u);
    v1 = nc_readl(qt, NVM_BASE);
    cr_assert_neq(v1, 0xFFFFFFFFu, "partial tear changed no bit");
    cr_assert_neq(v1, 0x0u, "partial tear changed every bit");

    /* the same seed tears the same way */
    qom_set(qt, "tear-seed", "42");
    tear_at(qt, 1, "partial", 0x4, 0x0u);
    v2 = nc_readl(qt, NVM_BASE + 4);
    cr_assert_eq(v1, v2, "seed 42 gave 0x%08" PRIx32 " then 0x%08" PRIx32,
                 v1, v2);

    /* partial program only clears bits that the data clears */
    qom_set(qt, "tear-seed", "7");
    tear_at(qt, 1, "partial", 0x8, 0xFFFF0000u);
    v2 = nc_readl(qt, NVM_BASE + 8);
    cr_assert_eq(v2 & 0xFFFF0000u, 0xFFFF0000u, "0x%08" PRIx32, v2);

    /* partial erase of a programmed page: only 0 -> 1 changes */
    erase_page(qt, PAGE);
    for (uint32_t i = 0; i < 16; i++) {
        program_word(qt, PAGE + 4 * i, 0x0u);
    }
    qom_set(qt, "tear-mode", "'partial'");
    qom_set(qt, "tear-after", "1");
    nc_writel(qt, NVMC(ADDR), PAGE);
    nc_writel(qt, NVMC(CMD), CMD_ERASE);
    nc_qmp_wait_event(qt->qmp, "RESET", RESET_TIMEOUT_MS);
    uint32_t ones = 0;
    for (uint32_t i = 0; i < 16; i++) {
        ones += (uint32_t)__builtin_popcount(nc_readl(qt, NVM_BASE + PAGE +
                                                      4 * i));
    }
    cr_assert(ones > 0 && ones < 16 * 32, "partial erase set %" PRIu32
              " of 512 bits", ones);
    cr_assert_eq(qom_get_u32(qt, "tears"), 4u);
}

Test(device_nvm, tear_knobs_reject_bad_values)
{
    NcQtest *qt = nc_qtest_start(NULL);
    char *err = NULL;

    nc_qmp_exec(qt->qmp, "{\"execute\": \"qom-set\", \"arguments\": "
                "{\"path\": \"" NVM_PATH "\", \"property\": \"tear-mode\", "
                "\"value\": \"sometimes\"}}", &err);
    cr_assert(err, "tear-mode accepted a bad value");
    char *mode = nc_qmp(qt->qmp, "{'execute': 'qom-get', 'arguments': "
                        "{'path': '" NVM_PATH "', 'property': 'tear-mode'}}");
    cr_assert_str_eq(mode, "\"before\"", "default tear-mode is %s", mode);
    expect_running(qt);
}

static uint8_t *read_image(const char *path)
{
    size_t len = 0;
    uint8_t *img = (uint8_t *)nc_gc(nc_read_file(path, &len));

    cr_assert(img, "cannot read %s", path);
    cr_assert_eq(len, NVM_SIZE, "image is %zu bytes", len);
    return img;
}

Test(device_nvm, changes_persist_in_the_backing_file)
{
    const char *path = erased_image("nvm.img");
    NcQtest *qt = start_with_image(path, false);

    program_word(qt, 0x12340, 0xDEADBEEFu);
    program_word(qt, NVM_SIZE - 4, 0x01020304u);
    program_word(qt, 5 * PAGE, 0x0u);
    erase_page(qt, 5 * PAGE);
    nc_qtest_quit(qt);

    uint8_t *img = read_image(path);
    static const uint8_t be[4] = { 0xEF, 0xBE, 0xAD, 0xDE };
    static const uint8_t tail[4] = { 0x04, 0x03, 0x02, 0x01 };
    cr_assert(memcmp(img + 0x12340, be, 4) == 0, "file bytes at 0x12340");
    cr_assert(memcmp(img + NVM_SIZE - 4, tail, 4) == 0, "last word in file");
    cr_assert_eq(img[5 * PAGE], 0xFFu, "erase not in the file");
    cr_assert_eq(img[0x1233f], 0xFFu);
    cr_assert_eq(img[0x12344], 0xFFu);

    qt = start_with_image(path, false);
    cr_assert_eq(nc_readl(qt, NVM_BASE + 0x12340), 0xDEADBEEFu,
                 "not read back after a restart");
    cr_assert_eq(nc_readl(qt, NVM_BASE + NVM_SIZE - 4), 0x01020304u);
}

Test(device_nvm, torn_state_persists_in_the_backing_file)
{
    const char *path = erased_image("nvm.img");
    NcQtest *qt = start_with_image(path, false);

    tear_at(qt, 1, "after", 0x2000, 0x55AA55AAu);
    nc_qtest_quit(qt);
    uint8_t *img = read_image(path);
    static const uint8_t w[4] = { 0xAA, 0x55, 0xAA, 0x55 };
    cr_assert(memcmp(img + 0x2000, w, 4) == 0, "torn program not in file");
}

Test(device_nvm, read_only_image_refuses_program_and_erase)
{
    const char *path = erased_image("nvm.img");
    NcQtest *qt = start_with_image(path, true);

    nc_writel(qt, NVMC(ADDR), 0x0);
    nc_writel(qt, NVMC(DATA), 0x0);
    expect_refused(qt, CMD_PROGRAM, ERR_READONLY, "program, read-only");
    expect_refused(qt, CMD_ERASE, ERR_READONLY, "erase, read-only");
    cr_assert_eq(nc_readl(qt, NVM_BASE), 0xFFFFFFFFu);
    expect_running(qt);
}

/*
 * Start QEMU with MACHINE (-M) and, if IMAGE, that raw NVM image; expect it
 * to refuse to start. Returns its error output.
 */
static char *qemu_refuses(const char *machine, const char *image)
{
    const char *opts[] = { "--machine", machine, "--accel", "qtest",
                           image ? "--nvm" : NULL, image,
                           "--nvm-format", "raw", NULL };
    NcProc *p = nc_spawn("qemu", nc_qemu_cmdline(opts, NULL), NULL);
    int st = nc_proc_wait_exit(p, NC_TIMEOUT_EXIT_MS);
    char *err;

    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) != 0, "-M %s: QEMU %s",
              machine, nc_proc_describe(p));
    err = nc_read_file(p->stderr_path, NULL);
    cr_assert(err, "-M %s: no error output", machine);
    return nc_gc(err);
}

Test(device_nvm, wrong_image_size_is_a_clear_error)
{
    const char *path = nc_tmp_path("small.img");
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);

    cr_assert(fd >= 0);
    cr_assert_eq(ftruncate(fd, 4096), 0);
    close(fd);
    char *err = qemu_refuses("netcard", path);
    cr_assert(strstr(err, "2097152"), "error does not name the "
              "expected size: %s", err);
}

/* ------------------------------------------------- the array's size */

/* docs/nvm.md: NVMC_SIZE at 0x024 tells the array's size in bytes. */
#define NVMC_SIZE_REG   (NVMC_BASE + 0x024u)
#define MIB             (1024u * 1024u)

static const struct {
    const char *opt;        /* -M netcard,nvm-size=OPT */
    uint32_t bytes;
} nvm_sizes[] = {
    { "1M", 1 * MIB },      /* the smallest */
    { "2M", 2 * MIB },
    { "16M", 16 * MIB },    /* the largest */
};

static NcQtest *start_sized(const char *opt, const char *image)
{
    const char *opts[] = { "--machine", nc_strf("netcard,nvm-size=%s", opt),
                           image ? "--nvm" : NULL, image,
                           "--nvm-format", "raw", NULL };

    return nc_qtest_start_with(opts, NULL);
}

Test(device_nvm, size_register_tells_the_default_size)
{
    NcQtest *qt = nc_qtest_start(NULL);

    cr_assert_eq(nc_readl(qt, NVMC_SIZE_REG), NVM_SIZE, "NVMC_SIZE 0x%08"
                 PRIx32 " without nvm-size", nc_readl(qt, NVMC_SIZE_REG));
    nc_writel(qt, NVMC_SIZE_REG, 4096u);    /* read-only: ignored */
    cr_assert_eq(nc_readl(qt, NVMC_SIZE_REG), NVM_SIZE, "NVMC_SIZE written");
    expect_running(qt);
}

/* At each size: NVMC_SIZE, the last page works, ADDR beyond is RANGE. */
Test(device_nvm, size_register_and_bounds_follow_nvm_size)
{
    for (size_t i = 0; i < sizeof(nvm_sizes) / sizeof(nvm_sizes[0]); i++) {
        const uint32_t size = nvm_sizes[i].bytes;
        const char *opt = nvm_sizes[i].opt;
        NcQtest *qt = start_sized(opt, NULL);
        uint32_t v = nc_readl(qt, NVMC_SIZE_REG);

        cr_assert_eq(v, size, "nvm-size=%s: NVMC_SIZE is %" PRIu32, opt, v);
        cr_assert_eq(nc_readl(qt, NVM_BASE + size - 4), 0xFFFFFFFFu,
                     "nvm-size=%s: last word not erased", opt);
        program_word(qt, size - 4, 0x5A5A5A5Au);
        cr_assert_eq(nc_readl(qt, NVM_BASE + size - 4), 0x5A5A5A5Au,
                     "nvm-size=%s: last word not programmed", opt);
        erase_page(qt, size - PAGE);
        cr_assert_eq(nc_readl(qt, NVM_BASE + size - 4), 0xFFFFFFFFu,
                     "nvm-size=%s: last page not erased", opt);

        nc_writel(qt, NVMC(ADDR), size);
        nc_writel(qt, NVMC(DATA), 0);
        expect_refused(qt, CMD_PROGRAM, ERR_RANGE,
                       nc_strf("nvm-size=%s: program just past the end", opt));
        expect_refused(qt, CMD_ERASE, ERR_RANGE,
                       nc_strf("nvm-size=%s: erase of the page past the end",
                               opt));
        nc_writel(qt, NVMC(ADDR), size - 8);
        nc_writel(qt, NVMC(LEN), 4);
        expect_refused(qt, CMD_ROW, ERR_RANGE,
                       nc_strf("nvm-size=%s: row running past the end", opt));
        /* the bus: nothing is mapped after the array */
        cr_assert_eq(nc_readl(qt, NVM_BASE + size), 0u,
                     "nvm-size=%s: 0x%08" PRIx32 " is mapped", opt,
                     NVM_BASE + size);
        expect_running(qt);
        nc_qtest_quit(qt);
    }
}

Test(device_nvm, bad_nvm_size_is_a_clear_error)
{
    /* 0, not whole pages, below 1 MiB, above 16 MiB */
    static const char *const bad[] = { "0", "1048577", "1020K", "16388K",
                                       "32M" };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *err = qemu_refuses(nc_strf("netcard,nvm-size=%s", bad[i]),
                                 NULL);

        cr_assert(strstr(err, "nvm-size") && strstr(err, "1 MiB") &&
                  strstr(err, "16 MiB"), "nvm-size=%s: the error does not "
                  "name the property and its range: %s", bad[i], err);
    }
}

Test(device_nvm, image_must_be_the_nvm_size)
{
    const char *one = erased_image_of("1m.img", 1 * MIB);
    const char *two = erased_image_of("2m.img", 2 * MIB);
    char *err;

    err = qemu_refuses("netcard,nvm-size=2M", one);
    cr_assert(strstr(err, "2097152") && strstr(err, "1048576"),
              "1 MiB image, nvm-size=2M: both sizes not named: %s", err);
    err = qemu_refuses("netcard,nvm-size=1M", two);
    cr_assert(strstr(err, "1048576") && strstr(err, "2097152"),
              "2 MiB image, nvm-size=1M: both sizes not named: %s", err);

    /* the right size works and persists at the end of the array */
    NcQtest *qt = start_sized("1M", one);
    program_word(qt, 1 * MIB - 4, 0x01020304u);
    nc_qtest_quit(qt);
    size_t len = 0;
    uint8_t *img = nc_gc(nc_read_file(one, &len));
    static const uint8_t tail[4] = { 0x04, 0x03, 0x02, 0x01 };
    cr_assert(img && len == 1 * MIB, "1 MiB image is now %zu bytes", len);
    cr_assert(memcmp(img + len - 4, tail, 4) == 0, "last word not in file");
}

/* qemu-img beside $NETCARD_QEMU makes an empty qcow2 for snapshots. */
static const char *snapshot_drive(void)
{
    const char *path = nc_tmp_path("snap.qcow2");
    const char *qemu = nc_qemu();
    const char *slash = strrchr(qemu, '/');
    const char *img = nc_strf("%.*s/qemu-img", slash ? (int)(slash - qemu) : 1,
                              slash ? qemu : ".");
    const char *const argv[] = { img, "create", "-q", "-f", "qcow2", path,
                                 "1M", NULL };
    NcProc *p = nc_spawn("qemu-img", argv, NULL);
    int st = nc_proc_wait_exit(p, NC_TIMEOUT_EXIT_MS);

    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "qemu-img create %s\n%s",
              nc_proc_describe(p), nc_proc_diag(p));
    return nc_strf("if=none,id=snap,format=qcow2,file=%s", path);
}

static char *hmp(NcQtest *qt, const char *cmd)
{
    return nc_qmp(qt->qmp, "{'execute': 'human-monitor-command', "
                  "'arguments': {'command-line': '%s'}}", cmd);
}

/* The size is configuration: a snapshot loads only into the same size. */
Test(device_nvm, snapshot_needs_the_same_nvm_size)
{
    const char *snap[] = { "-drive", snapshot_drive(), NULL };
    static const char *const one[] = { "--machine", "netcard,nvm-size=1M",
                                       NULL };
    static const char *const two[] = { "--machine", "netcard,nvm-size=2M",
                                       NULL };
    NcQtest *qt = nc_qtest_start_with(one, snap);
    char *ret;

    program_word(qt, 0x40, 0x600DF00Du);
    ret = hmp(qt, "savevm s1");
    cr_assert(!strstr(ret, "Error"), "savevm: %s", ret);
    nc_qtest_quit(qt);

    qt = nc_qtest_start_with(two, snap);
    ret = hmp(qt, "loadvm s1");
    cr_assert(strstr(ret, "Error") && strstr(ret, "netcard.nvm"),
              "a 1 MiB snapshot loaded into a 2 MiB NVM: %s", ret);
    nc_qtest_quit(qt);

    qt = nc_qtest_start_with(one, snap);
    ret = hmp(qt, "loadvm s1");
    cr_assert(!strstr(ret, "Error"), "loadvm at the same size: %s", ret);
    cr_assert_eq(nc_readl(qt, NVM_BASE + 0x40), 0x600DF00Du,
                 "the snapshot's NVM did not come back");
}
