/*
 * System tests: the personalization application's FORMAT NVM
 * (applets/perso_applet.h, docs/iso7816-card.md) on the card in QEMU.
 * A card whose NVM is not a usable store is never reformatted by itself
 * (test_fs_persist.c checks the image stays byte for byte); FORMAT NVM
 * is the one way back:
 *
 *  - on a foreign image: CARD STATE reports it, a wrong confirmation does
 *    nothing, FORMAT NVM erases and formats, the first-boot file system
 *    is there with docs/fs.md's test values (ICCID, PIN1), and it stays
 *    there after QEMU restarts;
 *  - on a working card FORMAT NVM answers 6985 and the image is
 *    unchanged;
 *  - power cuts (NVM tearing over QMP) during FORMAT NVM: the card always
 *    comes back either unusable (FORMAT NVM again) or formatted, never
 *    wedged, and ends with the documented file system.
 *
 * Expected bytes come from docs/fs.md (ICCID 98 94 20 00 00 21 43 65 87
 * F9), docs/store.md (store_result values) and ISO 7816-4 status words.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "fs_card.h"

TestSuite(system_perso, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

#define SELECT_PERSO "00A4040009F06E6574636172640200"
#define CARD_STATE   "8030000006"
/* "FORMAT NVM" */
#define FORMAT       "804000000A464F524D4154204E564D"
#define STATE_FOREIGN 0x02      /* minus STORE_ERR_FOREIGN */
/* Pages of the image (the default nvm-size): FORMAT NVM erases every page
 * of the NVM that is not erased, all of them on a foreign image, in
 * order: first the store's (docs/nvm.md "Partitions"), then the code
 * area's. */
#define NVM_PAGES    (FS_NVM_SIZE / 4096u)
#define STORE_PAGES  256u

static const uint8_t iccid[10] = { 0x98, 0x94, 0x20, 0x00, 0x00, 0x21,
                                   0x43, 0x65, 0x87, 0xF9 };

static FsResp card_state(FsCard *fc)
{
    fs_expect(fc, SELECT_PERSO, 0x9000, "SELECT the personalization "
              "application");
    FsResp r = fs_expect(fc, CARD_STATE, 0x9000, "CARD STATE");
    cr_assert_eq(r.len, 6u, "CARD STATE returned %s", nc_hex(r.data, r.len));
    return r;
}

static void expect_iccid(FsCard *fc)
{
    fs_expect(fc, "00A4000C023F00", 0x9000, "SELECT MF");
    fs_expect(fc, "00A4000C022FE2", 0x9000, "SELECT EF_ICCID");
    FsResp r = fs_expect(fc, "00B000000A", 0x9000, "READ BINARY EF_ICCID");
    cr_assert(r.len == sizeof(iccid) && memcmp(r.data, iccid, r.len) == 0,
              "EF_ICCID holds %s, expected %s", nc_hex(r.data, r.len),
              nc_hex(iccid, sizeof(iccid)));
}

/* The first-boot file system of docs/fs.md answers as documented (VERIFY
 * writes: the try counter is committed before the comparison). */
static void expect_first_boot_fs(FsCard *fc)
{
    expect_iccid(fc);
    FsResp v = fs_verify(fc, FS_PIN1_REF, fs_pin1);
    cr_assert_eq(v.sw, 0x9000, "VERIFY PIN1 1234 answered %04X", v.sw);
}

Test(system_perso, format_nvm_brings_back_a_foreign_image)
{
    const char *nvm = fs_make_image("foreign.nvm", 11);
    FsCard fc = fs_boot(nvm, NULL, false);
    nc_console_wait(fc.card->console, "E store: NVM unusable: foreign",
                    READY_TIMEOUT_MS);
    nc_console_wait(fc.card->console, "I boot: ready", READY_TIMEOUT_MS);
    fs_power_on(&fc);

    FsResp s = card_state(&fc);
    cr_assert_eq(s.data[0], STATE_FOREIGN, "CARD STATE store byte %02X, "
                 "expected 02 (foreign)", s.data[0]);
    cr_assert_eq(s.data[1], 0x01, "file system reported usable");

    /* a wrong confirmation, the wrong class, P1: nothing happens */
    unsigned long erases = fs_nvm_get(&fc, "erases");
    fs_expect(&fc, "804000000A666F726D6174206E766D", 0x6A80,
              "FORMAT NVM confirmed in lower case");
    fs_expect(&fc, "004000000A464F524D4154204E564D", 0x6E00,
              "FORMAT NVM with CLA 00");
    fs_expect(&fc, "804001000A464F524D4154204E564D", 0x6A86,
              "FORMAT NVM with P1 01");
    cr_assert_eq(fs_nvm_get(&fc, "erases"), erases,
                 "a refused FORMAT NVM erased flash");

    fs_expect(&fc, FORMAT, 0x9000, "FORMAT NVM");
    nc_console_wait(fc.card->console, nc_strf("W store: reformatted: %u "
                    "pages erased", NVM_PAGES), READY_TIMEOUT_MS);
    cr_assert_geq(fs_nvm_get(&fc, "erases") - erases, NVM_PAGES);
    s = card_state(&fc);
    cr_assert(s.data[0] == 0 && s.data[1] == 0, "CARD STATE after FORMAT "
              "NVM: %s", nc_hex(s.data, s.len));
    cr_assert_gt(s.data[2] << 8 | s.data[3], 0, "no objects in the store");
    cr_assert_geq(s.data[4] << 8 | s.data[5], 512, "less than 512 KiB free "
                  "in a new store");
    expect_first_boot_fs(&fc);
    fs_expect(&fc, SELECT_PERSO, 0x9000, "SELECT perso");
    fs_expect(&fc, FORMAT, 0x6985, "FORMAT NVM on the formatted card");
    fs_quit(&fc);

    /* it is a store now: the next QEMU mounts it, no format */
    fc = fs_boot(nvm, NULL, false);
    char *line = nc_console_wait(fc.card->console, "I store: ",
                                 READY_TIMEOUT_MS);
    cr_assert(strstr(line, "objects"), "the store did not mount after FORMAT "
              "NVM: %s", line);
    nc_console_wait(fc.card->console, "I boot: ready", READY_TIMEOUT_MS);
    fs_power_on(&fc);
    expect_first_boot_fs(&fc);
    fs_quit(&fc);
}

Test(system_perso, a_working_card_refuses_format_nvm)
{
    const char *nvm = fs_make_first_boot_image("card.nvm");
    size_t len = 0;
    uint8_t *before = nc_gc(nc_read_file(nvm, &len));
    cr_assert_eq(len, FS_NVM_SIZE);

    FsCard fc = fs_boot(nvm, NULL, false);
    nc_console_wait(fc.card->console, "I boot: ready", READY_TIMEOUT_MS);
    fs_power_on(&fc);
    FsResp s = card_state(&fc);
    cr_assert(s.data[0] == 0 && s.data[1] == 0, "CARD STATE of a working "
              "card: %s", nc_hex(s.data, s.len));
    fs_expect(&fc, FORMAT, 0x6985, "FORMAT NVM on a working card");
    expect_iccid(&fc);
    fs_quit(&fc);
    cr_assert(memcmp(before, nc_gc(nc_read_file(nvm, &len)),
                     FS_NVM_SIZE) == 0,
              "FORMAT NVM changed a working card's NVM");
}

static FsCard boot_foreign(unsigned i)
{
    const char *nvm = fs_make_image(nc_strf("tear%u.nvm", i), 100u + i);
    FsCard fc = fs_boot(nvm, "t0", true);

    nc_console_wait(fc.card->console, "I boot: ready", READY_TIMEOUT_MS);
    fs_power_on(&fc);
    fs_expect(&fc, SELECT_PERSO, 0x9000, "SELECT perso");
    return fc;
}

/*
 * Cut the power at chosen flash operations of FORMAT NVM on a foreign
 * image (K operations in all, measured first): at points of the erase
 * (from the last page down: the code area's pages, then the store's), at
 * its end (NVM_PAGES), in the format and during the first-boot file
 * system. After each cut the card boots (cause "tear") and is either
 * unusable (then FORMAT NVM again, untorn) or already formatted; either
 * way it ends with the documented file system.
 */
Test(system_perso, power_cuts_during_format_nvm)
{
    FsCard fc = boot_foreign(0);
    unsigned long before = fs_flash_ops(&fc);
    fs_expect(&fc, FORMAT, 0x9000, "FORMAT NVM (untorn)");
    unsigned k = (unsigned)(fs_flash_ops(&fc) - before);
    fs_quit(&fc);
    cr_assert_gt(k, NVM_PAGES + 1, "FORMAT NVM of a foreign image took %u "
                 "flash operations: fewer than %u erases and a format", k,
                 NVM_PAGES);

    const struct { unsigned n; const char *mode; } cuts[] = {
        { 1, "before" }, { 2, "partial" }, { STORE_PAGES / 2, "after" },
        { STORE_PAGES - 1, "partial" }, { STORE_PAGES, "after" },
        { NVM_PAGES - 1, "partial" }, { NVM_PAGES, "after" },
        { NVM_PAGES + 1, "partial" }, { NVM_PAGES + 2, "before" },
        { (NVM_PAGES + 2 + k) / 2, "partial" }, { k, "after" },
    };
    int reformatted = 0, formatted_by_boot = 0;

    for (unsigned i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        fc = boot_foreign(i + 1);
        fs_arm_tear(&fc, cuts[i].mode, cuts[i].n);
        (void)fs_apdu(&fc, FORMAT);
        cr_assert_eq(fs_nvm_get(&fc, "tears"), 1ul, "cut %u of %u (%s): the "
                     "power was not cut during FORMAT NVM", cuts[i].n, k,
                     cuts[i].mode);
        nc_card_wait_banner(fc.card, "tear", BOOT_TIMEOUT_MS);
        nc_console_wait(fc.card->console, "I boot: ready", READY_TIMEOUT_MS);
        fs_power_on(&fc);

        FsResp s = card_state(&fc);
        if (s.data[0] != 0 || s.data[1] != 0) {
            fs_expect(&fc, "00A4000C022FE2", 0x6581, "SELECT EF_ICCID on "
                      "an unusable card");
            fs_expect(&fc, SELECT_PERSO, 0x9000, "SELECT perso");
            fs_expect(&fc, FORMAT, 0x9000, "FORMAT NVM after a cut");
            reformatted++;
        } else {
            formatted_by_boot++;
        }
        expect_first_boot_fs(&fc);
        fs_quit(&fc);
    }
    cr_log_info("FORMAT NVM: %u flash operations; of the cuts, %d left the "
                "card unusable (formatted again), %d left it formatted or "
                "erased (boot finished it)", k, reformatted,
                formatted_by_boot);
    /* cuts before the erase reaches the store's last page (page 0) leave
     * foreign store pages: those must need FORMAT NVM */
    cr_assert_geq(reformatted, 4, "cuts during the erase did not leave an "
                  "unusable card");
}
