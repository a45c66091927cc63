/*
 * System tests: the card OS mounts its object store from the NVM image at
 * boot (card/storage.h, docs/store.md): an erased image is formatted on
 * the first boot and mounted on the next, a foreign image is reported and
 * left untouched, and a power cut (NVM tearing injection over QMP) during
 * the first-boot format is recovered by the next boot. The store keeps
 * pages 0..255 whatever the machine's nvm-size; the rest is the code area
 * (card/nvm_partitions.h, docs/nvm.md).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "system.h"
#include "nvm_image.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

TestSuite(system_store, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

#define NVM_SIZE NVM_IMAGE_SIZE

/* Boot on NVM (an image file, or NULL: erased, in RAM), with -M
 * netcard,nvm-size=NVM_SIZE_OPT unless that is NULL (the default). */
static NcCard *boot_sized(const char *nvm, const char *nvm_size_opt,
                          bool halted)
{
    const char *opts[7];
    size_t n = 0;

    if (nvm_size_opt) {
        opts[n++] = "--machine";
        opts[n++] = nc_strf("netcard,nvm-size=%s", nvm_size_opt);
    }
    if (nvm) {
        opts[n++] = "--nvm";
        opts[n++] = nvm;
        opts[n++] = "--nvm-format";
        opts[n++] = "raw";
    }
    opts[n] = NULL;
    NcCardOpts o = { .image = "cardos.elf", .halted = halted,
                     .cmdline_opts = opts };

    return nc_card_start(&o);
}

static NcCard *boot_with(const char *nvm, bool halted)
{
    return boot_sized(nvm, NULL, halted);
}

/* Quit QEMU (it may close QMP before it answers) and wait for its exit. */
static void quit(NcCard *card)
{
    nc_conn_send(&card->qmp->conn, "{\"execute\": \"quit\"}\n");
    if (!nc_proc_wait(card->qemu, NC_TIMEOUT_EXIT_MS)) {
        nc_proc_stop(card->qemu);
    }
}

static uint8_t *read_image(const char *path)
{
    size_t len = 0;
    uint8_t *img = (uint8_t *)nc_gc(nc_read_file(path, &len));

    cr_assert(img && len == NVM_SIZE, "image %s: %zu bytes", path, len);
    return img;
}

/* Lines up to "ready" (exclusive) contain NEEDLE? */
static bool seen_before_ready(NcCard *card, const char *needle)
{
    bool seen = false;

    for (;;) {
        char *l = nc_console_next_line(card->console, READY_TIMEOUT_MS);
        if (strstr(l, "I boot: ready")) {
            return seen;
        }
        seen |= strstr(l, needle) != NULL;
    }
}

Test(system_store, first_boot_formats_an_erased_nvm_then_mounts_it)
{
    const char *nvm = nvm_image_make("card.nvm", 0);
    NcCard *card = boot_with(nvm, false);

    nc_card_wait_banner(card, "power-on", BOOT_TIMEOUT_MS);
    nc_console_wait(card->console, "I store: formatted the erased NVM",
                    READY_TIMEOUT_MS);
    nc_console_wait(card->console, "I store: 0 objects", READY_TIMEOUT_MS);
    nc_console_wait(card->console, "I boot: ready", READY_TIMEOUT_MS);
    quit(card);

    /* docs/store.md: page 0 starts with "NCST", version 1 */
    uint8_t *img = read_image(nvm);
    cr_assert(memcmp(img, "NCST\x01\x00", 6) == 0,
              "page 0 of the image is not a store page header");

    card = boot_with(nvm, false);
    nc_card_wait_banner(card, "power-on", BOOT_TIMEOUT_MS);
    cr_assert(!seen_before_ready(card, "formatted"),
              "the second boot formatted the store again");
}

Test(system_store, foreign_image_is_reported_and_left_alone)
{
    const char *nvm = nvm_image_make("foreign.nvm", 7);
    uint8_t *before = read_image(nvm);
    NcCard *card = boot_with(nvm, false);

    nc_card_wait_banner(card, "power-on", BOOT_TIMEOUT_MS);
    nc_console_wait(card->console, "E store: NVM unusable: foreign",
                    READY_TIMEOUT_MS);
    nc_console_wait(card->console, "I boot: ready", READY_TIMEOUT_MS);
    quit(card);
    cr_assert(memcmp(before, read_image(nvm), NVM_SIZE) == 0,
              "the card changed a foreign NVM image");
}

Test(system_store, power_cut_during_the_first_format_is_recovered)
{
    const char *nvm = nvm_image_make("card.nvm", 0);
    NcCard *card = boot_with(nvm, true);

    nc_qmp(card->qmp, "{'execute': 'qom-set', 'arguments': {'path': "
           "'/machine/soc/nvm', 'property': 'tear-mode', 'value': "
           "'partial'}}");
    nc_qmp(card->qmp, "{'execute': 'qom-set', 'arguments': {'path': "
           "'/machine/soc/nvm', 'property': 'tear-after', 'value': 1}}");
    nc_qmp(card->qmp, "{'execute': 'cont'}");
    nc_card_wait_banner(card, "power-on", BOOT_TIMEOUT_MS);
    nc_card_wait_banner(card, "tear", BOOT_TIMEOUT_MS);
    nc_console_wait(card->console, "I store: formatted the erased NVM",
                    READY_TIMEOUT_MS);
    nc_console_wait(card->console, "I boot: ready", READY_TIMEOUT_MS);
    char *tears = nc_qmp(card->qmp, "{'execute': 'qom-get', 'arguments': "
                         "{'path': '/machine/soc/nvm', 'property': "
                         "'tears'}}");
    cr_assert_str_eq(tears, "1");
    quit(card);

    card = boot_with(nvm, false);
    nc_card_wait_banner(card, "power-on", BOOT_TIMEOUT_MS);
    cr_assert(!seen_before_ready(card, "E store"),
              "the store did not mount after the recovered format");
}

/* The card OS learns the array's size from the NVM controller (NVMC_SIZE):
 * the store stays 1 MiB, the code area is the rest. */
Test(system_store, code_area_follows_nvm_size)
{
    static const struct {
        const char *opt;
        const char *line;
    } sizes[] = {
        { NULL, "I nvm: 2048 KiB: store 1024 KiB, code area 1024 KiB at "
                "0x10100000" },    /* the default, 2 MiB */
        { "2M", "I nvm: 2048 KiB: store 1024 KiB, code area 1024 KiB at "
                "0x10100000" },
        { "16M", "I nvm: 16384 KiB: store 1024 KiB, code area 15360 KiB at "
                 "0x10100000" },
    };

    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        NcCard *card = boot_sized(NULL, sizes[i].opt, false);

        nc_card_wait_banner(card, "power-on", BOOT_TIMEOUT_MS);
        nc_console_wait(card->console, sizes[i].line, READY_TIMEOUT_MS);
        nc_console_wait(card->console, "I store: formatted the erased NVM",
                        READY_TIMEOUT_MS);
        nc_console_wait(card->console, "I boot: ready", READY_TIMEOUT_MS);
        quit(card);
    }
}
