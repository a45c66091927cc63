/*
 * Device tests: the netcard memory map (ROM, NVM array, RAM, peripheral
 * windows) through qtest, and what a reset keeps.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "devices.h"

#include <string.h>

TestSuite(device_memory, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_DEVICE);

static const struct {
    uint32_t addr;
    uint32_t value;
} ram_pattern[] = {
    { RAM_BASE, 0xA5A55A5Au },
    { RAM_BASE + 4, 0x12345678u },
    { RAM_BASE + RAM_SIZE / 2, 0x0BADC0DEu },
    { RAM_BASE + RAM_SIZE - 8, 0xFEEDFACEu },
    { RAM_BASE + RAM_SIZE - 4, 0x87654321u },  /* last word of RAM */
};
#define N_RAM_PATTERN (sizeof(ram_pattern) / sizeof(ram_pattern[0]))

static void write_ram_pattern(NcQtest *qt)
{
    for (size_t i = 0; i < N_RAM_PATTERN; i++) {
        nc_writel(qt, ram_pattern[i].addr, ram_pattern[i].value);
    }
}

static void expect_ram_pattern(NcQtest *qt, const char *when)
{
    for (size_t i = 0; i < N_RAM_PATTERN; i++) {
        uint32_t v = nc_readl(qt, ram_pattern[i].addr);
        cr_assert_eq(v, ram_pattern[i].value, "RAM at 0x%08" PRIx32 " %s is "
                     "0x%08" PRIx32 ", expected 0x%08" PRIx32,
                     ram_pattern[i].addr, when, v, ram_pattern[i].value);
    }
}

Test(device_memory, ram_read_write_all_sizes)
{
    NcQtest *qt = nc_qtest_start(NULL);

    nc_writel(qt, RAM_BASE + 0x100, 0x44332211u);
    cr_assert_eq(nc_readb(qt, RAM_BASE + 0x100), 0x11u, "little-endian byte 0");
    cr_assert_eq(nc_readb(qt, RAM_BASE + 0x103), 0x44u, "little-endian byte 3");
    cr_assert_eq(nc_readw(qt, RAM_BASE + 0x102), 0x4433u);
    nc_writeb(qt, RAM_BASE + 0x101, 0xEE);
    cr_assert_eq(nc_readl(qt, RAM_BASE + 0x100), 0x4433EE11u);
    nc_writew(qt, RAM_BASE + 0x102, 0xBEEF);
    cr_assert_eq(nc_readl(qt, RAM_BASE + 0x100), 0xBEEFEE11u);
    nc_writeq(qt, RAM_BASE + 0x108, 0x0123456789ABCDEFull);
    cr_assert_eq(nc_readl(qt, RAM_BASE + 0x108), 0x89ABCDEFu);
    cr_assert_eq(nc_readl(qt, RAM_BASE + 0x10c), 0x01234567u);
}

Test(device_memory, ram_is_256k)
{
    NcQtest *qt = nc_qtest_start(NULL);

    write_ram_pattern(qt);
    expect_ram_pattern(qt, "after writing");
    /* The first word past the end is not RAM: it does not keep a value. */
    nc_writel(qt, RAM_BASE + RAM_SIZE, 0x5A5A5A5Au);
    uint32_t v = nc_readl(qt, RAM_BASE + RAM_SIZE);
    cr_assert_eq(v, 0u, "0x%08x (just past 256 KiB of RAM) kept 0x%08" PRIx32
                 ": RAM is larger than 256 KiB or something else is mapped",
                 RAM_BASE + RAM_SIZE, v);
}

Test(device_memory, ram_size_property)
{
    static const char *const opts[] = { "--machine", "netcard,ram-size=64K",
                                        NULL };
    NcQtest *qt = nc_qtest_start_with(opts, NULL);

    nc_writel(qt, RAM_BASE + 64 * 1024 - 4, 0x600DCAFEu);
    cr_assert_eq(nc_readl(qt, RAM_BASE + 64 * 1024 - 4), 0x600DCAFEu,
                 "last word of a 64 KiB RAM does not keep a value");
    nc_writel(qt, RAM_BASE + 64 * 1024, 0x600DCAFEu);
    cr_assert_eq(nc_readl(qt, RAM_BASE + 64 * 1024), 0u,
                 "with ram-size=64K, 0x20010000 must not be RAM");
}

Test(device_memory, ram_kept_over_warm_reset)
{
    NcQtest *qt = nc_qtest_start(NULL);

    write_ram_pattern(qt);
    nc_qmp(qt->qmp, "{'execute': 'system_reset'}");
    expect_reset(qt, 1, CAUSE_WARM, "system_reset");
    expect_ram_pattern(qt, "after a warm reset (QMP system_reset)");
}

Test(device_memory, ram_kept_over_software_reset)
{
    NcQtest *qt = nc_qtest_start(NULL);

    write_ram_pattern(qt);
    nc_writel(qt, SYSCTL(RESET_CTRL), (RESET_KEY << 16) | 1u);
    expect_reset(qt, 1, CAUSE_SOFTWARE, "software reset");
    expect_ram_pattern(qt, "after a software reset");
}

Test(device_memory, ram_cleared_by_power_cycle)
{
    NcQtest *qt = nc_qtest_start(NULL);

    write_ram_pattern(qt);
    nc_qmp(qt->qmp, "{'execute': 'qom-set', 'arguments': "
           "{'path': '/machine/soc/sysctl', 'property': 'power-cycle', "
           "'value': true}}");
    /* RESET_COUNT stays 0 over a power cycle: wait for the event. */
    nc_qmp_wait_event(qt->qmp, "RESET", RESET_TIMEOUT_MS);
    for (size_t i = 0; i < N_RAM_PATTERN; i++) {
        uint32_t v = nc_readl(qt, ram_pattern[i].addr);
        cr_assert_eq(v, 0u, "RAM at 0x%08" PRIx32 " after power-cycle is "
                     "0x%08" PRIx32 ", expected 0", ram_pattern[i].addr, v);
    }
    cr_assert_eq(nc_readl(qt, SYSCTL(RESET_CAUSE)), CAUSE_POWER_ON);
}

Test(device_memory, nvm_reads_erased)
{
    NcQtest *qt = nc_qtest_start(NULL);
    static const uint32_t offs[] = { 0, 4, 0x1000, NVM_SIZE / 2,
                                     NVM_SIZE - 4 };

    for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
        uint32_t v = nc_readl(qt, NVM_BASE + offs[i]);
        cr_assert_eq(v, 0xFFFFFFFFu, "NVM at 0x%08" PRIx32 " reads 0x%08"
                     PRIx32 ", expected 0xFFFFFFFF (erased)",
                     NVM_BASE + offs[i], v);
    }
    cr_assert_eq(nc_readb(qt, NVM_BASE + NVM_SIZE - 1), 0xFFu);
    /* The array ends at the default nvm-size, 2 MiB. */
    uint32_t past = nc_readl(qt, NVM_BASE + NVM_SIZE);
    cr_assert_eq(past, 0u, "0x%08x (just past 2 MiB of NVM) reads 0x%08"
                 PRIx32 ", expected 0 (unmapped)", NVM_BASE + NVM_SIZE, past);
}

Test(device_memory, nvm_array_ignores_plain_stores)
{
    NcQtest *qt = nc_qtest_start(NULL);

    /* Flash is programmed through the NVM controller, not by stores. */
    nc_writel(qt, NVM_BASE + 0x100, 0x00000000u);
    nc_writeb(qt, NVM_BASE + 0x200, 0x00);
    cr_assert_eq(nc_readl(qt, NVM_BASE + 0x100), 0xFFFFFFFFu,
                 "a plain store changed the NVM array");
    cr_assert_eq(nc_readb(qt, NVM_BASE + 0x200), 0xFFu,
                 "a plain byte store changed the NVM array");
    expect_running(qt);
}

Test(device_memory, rom_is_not_writable)
{
    NcQtest *qt = nc_qtest_start(NULL);
    static const uint32_t addrs[] = { ROM_BASE, ROM_BASE + 4, ROM_BASE + 0x400,
                                      ROM_BASE + ROM_SIZE - 4 };

    for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
        uint32_t before = nc_readl(qt, addrs[i]);
        uint32_t pattern = before ^ 0xA5A5A5A5u;
        nc_writel(qt, addrs[i], pattern);
        nc_writeb(qt, addrs[i], (uint8_t)pattern);
        uint32_t after = nc_readl(qt, addrs[i]);
        cr_assert_eq(after, before, "ROM at 0x%08" PRIx32 " changed from "
                     "0x%08" PRIx32 " to 0x%08" PRIx32 " after a write",
                     addrs[i], before, after);
    }
    expect_running(qt);
}

/*
 * Holes in the memory map (docs/machine.md): past ROM, NVM and RAM, past
 * the last peripheral window, and far away. Every peripheral window now
 * has a device, so these are the addresses nothing decodes: reads give 0,
 * writes are dropped, and QEMU carries on (a guest gets a BusFault).
 */
static const uint32_t unmapped[] = {
    0x00080000u, 0x10200000u, 0x20040000u, 0x40009000u, 0x4000f000u,
    0x50000000u, 0x60000000u,
};

Test(device_memory, unmapped_addresses_read_zero)
{
    NcQtest *qt = nc_qtest_start(NULL);

    for (size_t w = 0; w < sizeof(unmapped) / sizeof(unmapped[0]); w++) {
        uint32_t a = unmapped[w];
        uint32_t v = nc_readl(qt, a);
        cr_assert_eq(v, 0u, "read of unmapped 0x%08" PRIx32 " returned 0x%08"
                     PRIx32 ", expected 0", a, v);
        nc_writel(qt, a, 0xFFFFFFFFu);
        v = nc_readl(qt, a);
        cr_assert_eq(v, 0u, "unmapped 0x%08" PRIx32 " reads 0x%08" PRIx32
                     " after a write, expected 0", a, v);
        cr_assert_eq(nc_readb(qt, a + 3), 0u);
    }
    /* QEMU survived and the rest of the map still works. */
    expect_running(qt);
    cr_assert_eq(nc_readl(qt, SYSCTL(CHIP_ID)), 0x4E430033u);
    cr_assert_eq(nc_readl(qt, SYSCTL(RESET_COUNT)), 0u,
                 "an access to an unmapped address reset the chip");
}
