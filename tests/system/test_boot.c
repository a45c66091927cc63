/*
 * System tests: boot the card OS (cardos.elf) and reset it.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "system.h"

TestSuite(system_boot, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

Test(system_boot, banner_then_ready)
{
    char *describe = NULL;
    NcCard *card = boot_card_describe("cardos.elf", &describe);
    cr_assert(describe && *describe, "empty <git describe> in the banner");
    cr_assert(strspn(describe, " \t") == 0 && !strchr(describe, ' '),
              "<git describe> \"%s\" in the banner contains a space",
              describe);

    nc_console_wait(card->console, "ready", READY_TIMEOUT_MS);
    cr_assert(!nc_proc_exited(card->qemu), "QEMU %s after boot",
              nc_proc_describe(card->qemu));
}

Test(system_boot, warm_reset_reboots_with_cause_warm)
{
    NcCard *card = boot_card("cardos.elf");
    nc_console_wait(card->console, "ready", READY_TIMEOUT_MS);

    nc_qmp(card->qmp, "{'execute': 'system_reset'}");
    nc_card_wait_banner(card, "warm", BOOT_TIMEOUT_MS);
    nc_console_wait(card->console, "ready", READY_TIMEOUT_MS);

    nc_qmp(card->qmp, "{'execute': 'system_reset'}");
    nc_card_wait_banner(card, "warm", BOOT_TIMEOUT_MS);
    nc_console_wait(card->console, "ready", READY_TIMEOUT_MS);
}

Test(system_boot, power_cycle_reboots_with_cause_power_on)
{
    NcCard *card = boot_card("cardos.elf");
    nc_console_wait(card->console, "ready", READY_TIMEOUT_MS);

    nc_qmp(card->qmp, "{'execute': 'system_reset'}");
    nc_card_wait_banner(card, "warm", BOOT_TIMEOUT_MS);
    nc_console_wait(card->console, "ready", READY_TIMEOUT_MS);

    nc_qmp(card->qmp, "{'execute': 'qom-set', 'arguments': "
           "{'path': '/machine/soc/sysctl', 'property': 'power-cycle', "
           "'value': true}}");
    nc_card_wait_banner(card, "power-on", BOOT_TIMEOUT_MS);
    nc_console_wait(card->console, "ready", READY_TIMEOUT_MS);
}
