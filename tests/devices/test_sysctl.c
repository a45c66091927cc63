/*
 * Device tests: netcard system controller (sysctl) at 0x4000_0000.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "devices.h"

#include <string.h>

TestSuite(device_sysctl, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_DEVICE);

Test(device_sysctl, identity)
{
    NcQtest *qt = nc_qtest_start(NULL);

    uint32_t id = nc_readl(qt, SYSCTL(CHIP_ID));
    cr_assert_eq(id, 0x4E430033u, "CHIP_ID is 0x%08" PRIx32
                 ", expected 0x4E430033", id);

    uint32_t rev = nc_readl(qt, SYSCTL(REVISION));
    cr_assert_eq((rev >> 8) & 0xff, 1u, "REVISION.MAJOR is %" PRIu32
                 " (REVISION 0x%08" PRIx32 "), expected 1",
                 (rev >> 8) & 0xff, rev);
    cr_assert_eq(rev & 0xff, 0u, "REVISION.MINOR is %" PRIu32
                 " (REVISION 0x%08" PRIx32 "), expected 0", rev & 0xff, rev);
    cr_assert_eq(rev >> 16, 0u, "REVISION reserved bits set: 0x%08" PRIx32,
                 rev);

    uint32_t hz = nc_readl(qt, SYSCTL(SYSCLK_HZ));
    cr_assert_eq(hz, 48000000u, "SYSCLK_HZ is %" PRIu32 ", expected 48000000",
                 hz);
}

Test(device_sysctl, read_only_registers_ignore_writes)
{
    NcQtest *qt = nc_qtest_start(NULL);
    static const struct {
        uint32_t addr;
        const char *name;
    } ro[] = {
        { SYSCTL(CHIP_ID), "CHIP_ID" },
        { SYSCTL(REVISION), "REVISION" },
        { SYSCTL(RESET_CAUSE), "RESET_CAUSE" },
        { SYSCTL(SYSCLK_HZ), "SYSCLK_HZ" },
        { SYSCTL(RESET_COUNT), "RESET_COUNT" },
    };

    for (size_t i = 0; i < sizeof(ro) / sizeof(ro[0]); i++) {
        uint32_t before = nc_readl(qt, ro[i].addr);
        nc_writel(qt, ro[i].addr, 0xA5A5A5A5u);
        nc_writel(qt, ro[i].addr, ~before);
        uint32_t after = nc_readl(qt, ro[i].addr);
        cr_assert_eq(after, before, "%s changed from 0x%08" PRIx32 " to 0x%08"
                     PRIx32 " after writes", ro[i].name, before, after);
    }
    cr_assert_eq(nc_readl(qt, SYSCTL(CHIP_ID)), 0x4E430033u);
}

Test(device_sysctl, power_on_state)
{
    NcQtest *qt = nc_qtest_start(NULL);

    uint32_t cause = nc_readl(qt, SYSCTL(RESET_CAUSE));
    cr_assert_eq(cause, CAUSE_POWER_ON, "RESET_CAUSE after start is %" PRIu32
                 ", expected 0 (power-on)", cause);
    uint32_t count = nc_readl(qt, SYSCTL(RESET_COUNT));
    cr_assert_eq(count, 0u, "RESET_COUNT after start is %" PRIu32
                 ", expected 0", count);
    for (int i = 0; i < 4; i++) {
        uint32_t s = nc_readl(qt, SYSCTL(SCRATCH0) + 4u * (uint32_t)i);
        cr_assert_eq(s, 0u, "SCRATCH%d after power-on is 0x%08" PRIx32
                     ", expected 0", i, s);
    }
    cr_assert_eq(nc_readl(qt, SYSCTL(RESET_CTRL)), 0u,
                 "RESET_CTRL must read as zero");

    /* The QOM view agrees with the register. */
    char *v = nc_qmp(qt->qmp, "{'execute': 'qom-get', 'arguments': "
                     "{'path': '/machine/soc/sysctl', "
                     "'property': 'power-cycle'}}");
    cr_assert_str_eq(v, "false", "power-cycle reads back as %s", v);
}

Test(device_sysctl, warm_reset_by_qmp_system_reset)
{
    NcQtest *qt = nc_qtest_start(NULL);

    nc_qmp(qt->qmp, "{'execute': 'system_reset'}");
    expect_reset(qt, 1, CAUSE_WARM, "after QMP system_reset");
    char *ev = nc_qmp_wait_event(qt->qmp, "RESET", RESET_TIMEOUT_MS);
    cr_assert(strstr(ev, "host-qmp-system-reset"),
              "RESET event without reason host-qmp-system-reset: %s", ev);

    nc_qmp(qt->qmp, "{'execute': 'system_reset'}");
    expect_reset(qt, 2, CAUSE_WARM, "after a second QMP system_reset");
    expect_running(qt);
}

Test(device_sysctl, software_reset_by_reset_ctrl)
{
    NcQtest *qt = nc_qtest_start(NULL);

    nc_writel(qt, SYSCTL(RESET_CTRL), (RESET_KEY << 16) | 1u);
    expect_reset(qt, 1, CAUSE_SOFTWARE, "after RESET_CTRL = 0x5AFE0001");
    nc_qmp_wait_event(qt->qmp, "RESET", RESET_TIMEOUT_MS);
    cr_assert_eq(nc_readl(qt, SYSCTL(RESET_CTRL)), 0u,
                 "RESET_CTRL must read as zero");

    /* The cause is per reset: a following host reset is warm again. */
    nc_qmp(qt->qmp, "{'execute': 'system_reset'}");
    expect_reset(qt, 2, CAUSE_WARM, "system_reset after a software reset");
    expect_running(qt);
}

Test(device_sysctl, reset_ctrl_without_key_does_nothing)
{
    NcQtest *qt = nc_qtest_start(NULL);
    static const uint32_t bad[] = {
        0x00000001u,                    /* no key */
        (0x5AFFu << 16) | 1u,           /* key off by one */
        (0xAFE5u << 16) | 1u,           /* nibble-swapped key */
        (RESET_KEY << 0) | (1u << 16),  /* key in the wrong half */
        0xFFFFFFFFu,                    /* everything set */
        (RESET_KEY << 16) | 0u,         /* right key, SWRESET clear */
    };

    nc_writel(qt, SYSCTL(SCRATCH0), 0x600DF00Du);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        nc_writel(qt, SYSCTL(RESET_CTRL), bad[i]);
        settle(qt);
        uint32_t count = nc_readl(qt, SYSCTL(RESET_COUNT));
        uint32_t cause = nc_readl(qt, SYSCTL(RESET_CAUSE));
        cr_assert_eq(count, 0u, "RESET_CTRL = 0x%08" PRIx32 " reset the chip "
                     "(RESET_COUNT %" PRIu32 ")", bad[i], count);
        cr_assert_eq(cause, CAUSE_POWER_ON, "RESET_CTRL = 0x%08" PRIx32
                     " changed RESET_CAUSE to %" PRIu32, bad[i], cause);
        cr_assert_eq(nc_qmp_count_events(qt->qmp, "RESET"), 0u,
                     "RESET_CTRL = 0x%08" PRIx32 " produced a RESET event",
                     bad[i]);
    }
    cr_assert_eq(nc_readl(qt, SYSCTL(SCRATCH0)), 0x600DF00Du);

    /* Control: the same sequence with the right key does reset. */
    nc_writel(qt, SYSCTL(RESET_CTRL), (RESET_KEY << 16) | 1u);
    expect_reset(qt, 1, CAUSE_SOFTWARE, "control: RESET_CTRL = 0x5AFE0001");
}

static const uint32_t scratch_pattern[4] = {
    0xDEADBEEFu, 0x01234567u, 0x89ABCDEFu, 0xFFFFFFFFu,
};

static void write_scratch(NcQtest *qt)
{
    for (uint32_t i = 0; i < 4; i++) {
        nc_writel(qt, SYSCTL(SCRATCH0) + 4 * i, scratch_pattern[i]);
    }
}

static void expect_scratch(NcQtest *qt, bool kept, const char *when)
{
    for (uint32_t i = 0; i < 4; i++) {
        uint32_t v = nc_readl(qt, SYSCTL(SCRATCH0) + 4 * i);
        uint32_t want = kept ? scratch_pattern[i] : 0;
        cr_assert_eq(v, want, "SCRATCH%" PRIu32 " %s is 0x%08" PRIx32
                     ", expected 0x%08" PRIx32, i, when, v, want);
    }
}

Test(device_sysctl, scratch_kept_over_warm_and_software_reset)
{
    NcQtest *qt = nc_qtest_start(NULL);

    write_scratch(qt);
    expect_scratch(qt, true, "after writing");

    nc_qmp(qt->qmp, "{'execute': 'system_reset'}");
    expect_reset(qt, 1, CAUSE_WARM, "system_reset");
    expect_scratch(qt, true, "after a warm reset");

    nc_writel(qt, SYSCTL(RESET_CTRL), (RESET_KEY << 16) | 1u);
    expect_reset(qt, 2, CAUSE_SOFTWARE, "software reset");
    expect_scratch(qt, true, "after a software reset");
}

Test(device_sysctl, power_cycle_is_a_cold_reset)
{
    NcQtest *qt = nc_qtest_start(NULL);
    const uint32_t ram_top = RAM_BASE + RAM_SIZE - 4;

    write_scratch(qt);
    nc_writel(qt, RAM_BASE, 0xCAFEBABEu);
    nc_writel(qt, ram_top, 0x5EED1234u);
    nc_qmp(qt->qmp, "{'execute': 'system_reset'}");
    expect_reset(qt, 1, CAUSE_WARM, "system_reset before the power cycle");
    cr_assert_eq(nc_readl(qt, RAM_BASE), 0xCAFEBABEu);

    nc_qmp(qt->qmp, "{'execute': 'qom-set', 'arguments': "
           "{'path': '/machine/soc/sysctl', 'property': 'power-cycle', "
           "'value': true}}");
    nc_qtest_poll_l(qt, SYSCTL(RESET_COUNT), 0xffffffffu, 0,
                    RESET_TIMEOUT_MS, "RESET_COUNT after power-cycle");
    uint32_t cause = nc_readl(qt, SYSCTL(RESET_CAUSE));
    cr_assert_eq(cause, CAUSE_POWER_ON, "RESET_CAUSE after power-cycle is %"
                 PRIu32 ", expected 0 (power-on)", cause);
    expect_scratch(qt, false, "after a power cycle");
    uint32_t lo = nc_readl(qt, RAM_BASE), hi = nc_readl(qt, ram_top);
    cr_assert_eq(lo, 0u, "RAM at 0x%08x after power-cycle is 0x%08" PRIx32
                 ", expected 0", RAM_BASE, lo);
    cr_assert_eq(hi, 0u, "RAM at 0x%08" PRIx32 " after power-cycle is 0x%08"
                 PRIx32 ", expected 0", ram_top, hi);
    nc_qmp_wait_event(qt->qmp, "RESET", RESET_TIMEOUT_MS);

    /* Counting starts again from the power-on. */
    nc_qmp(qt->qmp, "{'execute': 'system_reset'}");
    expect_reset(qt, 1, CAUSE_WARM, "system_reset after the power cycle");
    expect_running(qt);
}

Test(device_sysctl, power_register)
{
    NcQtest *qt = nc_qtest_start(NULL);

    cr_assert_eq(nc_readl(qt, SYSCTL(POWER)), 0u, "POWER after power-on "
                 "must be RUN (0)");
    nc_writel(qt, SYSCTL(POWER), 1);
    cr_assert_eq(nc_readl(qt, SYSCTL(POWER)), 1u, "POWER must read back "
                 "IDLE (1)");
    nc_writel(qt, SYSCTL(POWER), 0);
    cr_assert_eq(nc_readl(qt, SYSCTL(POWER)), 0u, "POWER must read back "
                 "RUN (0)");
}

Test(device_sysctl, bad_accesses_read_zero_and_are_ignored)
{
    NcQtest *qt = nc_qtest_start(NULL);
    write_scratch(qt);

    /* Sub-word reads of a register that is not zero. */
    uint8_t b = nc_readb(qt, SYSCTL(CHIP_ID));
    cr_assert_eq(b, 0u, "byte read of CHIP_ID returned 0x%02x, expected 0", b);
    uint16_t w = nc_readw(qt, SYSCTL(CHIP_ID));
    cr_assert_eq(w, 0u, "halfword read of CHIP_ID returned 0x%04x, "
                 "expected 0", w);
    w = nc_readw(qt, SYSCTL(CHIP_ID) + 2);
    cr_assert_eq(w, 0u, "halfword read at CHIP_ID+2 returned 0x%04x, "
                 "expected 0", w);

    /* Unaligned word reads. */
    for (uint32_t off = 1; off < 4; off++) {
        uint32_t v = nc_readl(qt, SYSCTL(CHIP_ID) + off);
        cr_assert_eq(v, 0u, "unaligned word read at 0x%08" PRIx32
                     " returned 0x%08" PRIx32 ", expected 0",
                     SYSCTL(CHIP_ID) + off, v);
    }

    /* Offsets with no register. */
    static const uint32_t unknown[] = { 0x01c, 0x030, 0x034, 0x040, 0x100,
                                        0x800, 0xffc };
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
        uint32_t a = SYSCTL_BASE + unknown[i];
        uint32_t v = nc_readl(qt, a);
        cr_assert_eq(v, 0u, "read of unknown offset 0x%03" PRIx32
                     " returned 0x%08" PRIx32 ", expected 0", unknown[i], v);
        nc_writel(qt, a, 0xFFFFFFFFu);
        v = nc_readl(qt, a);
        cr_assert_eq(v, 0u, "unknown offset 0x%03" PRIx32 " reads 0x%08"
                     PRIx32 " after a write, expected 0", unknown[i], v);
    }

    /* Sub-word and unaligned writes to a RW register are ignored. */
    nc_writeb(qt, SYSCTL(SCRATCH0), 0x11);
    nc_writew(qt, SYSCTL(SCRATCH1), 0x2222);
    nc_writew(qt, SYSCTL(SCRATCH2) + 2, 0x3333);
    nc_writel(qt, SYSCTL(SCRATCH3) - 2, 0x44444444u);
    expect_scratch(qt, true, "after sub-word/unaligned writes");

    /* Nothing above reset the chip, and QEMU is still fine. */
    settle(qt);
    cr_assert_eq(nc_readl(qt, SYSCTL(RESET_COUNT)), 0u);
    cr_assert_eq(nc_readl(qt, SYSCTL(CHIP_ID)), 0x4E430033u);
    expect_running(qt);
}

Test(device_sysctl, qom_reset_cause_matches_register)
{
    /* A second QMP monitor, with QEMU listening and the test connecting. */
    const char *path = nc_tmp_path("qmp-server.sock");
    const char *const args[] = {
        "-qmp", nc_strf("unix:%s,server=on,wait=off", path), NULL,
    };
    NcQtest *qt = nc_qtest_start(args);
    NcQmp *q2 = nc_qmp_connect(path, qt->qemu);
    static const char get[] = "{'execute': 'qom-get', 'arguments': "
                              "{'path': '/machine/soc/sysctl', "
                              "'property': 'reset-cause'}}";

    char *v = nc_qmp(q2, get);
    cr_assert_str_eq(v, "\"power-on\"", "reset-cause after start: %s", v);

    nc_writel(qt, SYSCTL(RESET_CTRL), (RESET_KEY << 16) | 1u);
    expect_reset(qt, 1, CAUSE_SOFTWARE, "software reset");
    v = nc_qmp(q2, get);
    cr_assert_str_eq(v, "\"software\"", "reset-cause after a software "
                     "reset: %s", v);
    /* Both monitors saw the reset. */
    nc_qmp_wait_event(q2, "RESET", RESET_TIMEOUT_MS);
    nc_qmp_wait_event(qt->qmp, "RESET", RESET_TIMEOUT_MS);

    nc_qmp(q2, "{'execute': 'system_reset'}");
    expect_reset(qt, 2, CAUSE_WARM, "system_reset from the second monitor");
    v = nc_qmp(q2, get);
    cr_assert_str_eq(v, "\"warm\"", "reset-cause after system_reset: %s", v);
}
