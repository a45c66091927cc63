/*
 * System tests: file system updates persist in the NVM image across a
 * QEMU restart, and a card whose NVM is not its store refuses file
 * commands with 6581 (docs/fs.md, card/storage.h).
 *
 * The test creates its own EFs with CREATE FILE (ETSI TS 102 222 6.3 FCP
 * bytes, fs_card.h) after VERIFY ADM1, updates them (TS 102 221 11.1.4
 * UPDATE BINARY, 11.1.6 UPDATE RECORD), quits QEMU, boots a new QEMU on
 * the same image and reads them back (11.1.3 READ BINARY, 11.1.5 READ
 * RECORD). The expected bytes are the ones the test wrote. An image of
 * the old 1 MiB layout works with nvm-size=1M and grown to 2 MiB.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE     /* memmem */
#include "fs_card.h"

TestSuite(system_fs_persist, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

#define FID_BIN    0x6F01   /* transparent, 64 bytes */
#define FID_LIN    0x6F02   /* linear fixed, 4 records of 16 bytes */
#define FID_CYC    0x6F03   /* cyclic, 3 records of 8 bytes */

static void fill(uint8_t *b, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++) {
        b[i] = (uint8_t)(seed + i * 7u);
    }
}

static void expect_data(const FsResp *r, const uint8_t *want, size_t n,
                        const char *what)
{
    cr_assert_eq(r->sw, 0x9000, "%s: SW %04X", what, r->sw);
    cr_assert(r->len == n && memcmp(r->data, want, n) == 0,
              "%s: read %s, expected %s", what, nc_hex(r->data, r->len),
              nc_hex(want, n));
}

static void select_mf_and(FsCard *fc, uint16_t fid)
{
    fs_expect(fc, "00A4000C023F00", 0x9000, "SELECT MF");
    fs_expect(fc, nc_strf("00A4000C02%04X", fid), 0x9000, "SELECT EF");
}

Test(system_fs_persist, updates_survive_a_qemu_restart)
{
    const char *nvm = fs_make_image("card.nvm", 0);
    FsCard fc = fs_boot(nvm, NULL, false);
    fs_power_on(&fc);

    /* Create the three EFs under the MF (EF_ARR record 4: read and update
     * always; MF rule record 5: CREATE FILE needs ADM1). */
    fs_expect(&fc, "00A4000C023F00", 0x9000, "SELECT MF");
    FsResp r = fs_apdu(&fc, fs_create_ef(0x41, FID_BIN, 64, 0, 0, 4, 0));
    cr_assert(r.sw == 0x6982, "CREATE FILE before VERIFY ADM1 answered "
              "%04X, expected 6982 (security status not satisfied)", r.sw);
    r = fs_verify(&fc, FS_ADM1_REF, fs_adm1);
    cr_assert_eq(r.sw, 0x9000, "VERIFY ADM1 answered %04X", r.sw);
    fs_expect(&fc, fs_create_ef(0x41, FID_BIN, 64, 0, 0, 4, 0), 0x9000,
              "CREATE FILE transparent 6F01");
    fs_expect(&fc, "00A4000C023F00", 0x9000, "SELECT MF");
    fs_expect(&fc, fs_create_ef(0x42, FID_LIN, 64, 16, 4, 4, 0), 0x9000,
              "CREATE FILE linear fixed 6F02");
    fs_expect(&fc, "00A4000C023F00", 0x9000, "SELECT MF");
    fs_expect(&fc, fs_create_ef(0x46, FID_CYC, 24, 8, 3, 4, 0), 0x9000,
              "CREATE FILE cyclic 6F03");

    /* Transparent: 40 bytes at offset 10. */
    uint8_t bin[40], rec2[16], cyc_a[8], cyc_b[8], pl[4];
    fill(bin, sizeof(bin), 0x11);
    fill(rec2, sizeof(rec2), 0x22);
    fill(cyc_a, sizeof(cyc_a), 0x33);
    fill(cyc_b, sizeof(cyc_b), 0x44);
    select_mf_and(&fc, FID_BIN);
    fs_expect(&fc, fs_case3("00D6000A", bin, sizeof(bin)), 0x9000,
              "UPDATE BINARY");
    r = fs_expect(&fc, "00B0000A28", 0x9000, "READ BINARY");
    expect_data(&r, bin, sizeof(bin), "READ BINARY before the restart");

    /* Linear fixed: record 2, absolute mode (P2 = 04). */
    select_mf_and(&fc, FID_LIN);
    fs_expect(&fc, fs_case3("00DC0204", rec2, sizeof(rec2)), 0x9000,
              "UPDATE RECORD 2");

    /* Cyclic: UPDATE RECORD previous (P2 = 03) writes the oldest record,
     * which becomes record 1 (TS 102 221 11.1.6): A then B leaves
     * record 1 = B, record 2 = A. */
    select_mf_and(&fc, FID_CYC);
    fs_expect(&fc, fs_case3("00DC0003", cyc_a, sizeof(cyc_a)), 0x9000,
              "UPDATE RECORD previous (A)");
    fs_expect(&fc, fs_case3("00DC0003", cyc_b, sizeof(cyc_b)), 0x9000,
              "UPDATE RECORD previous (B)");

    /* A personalised EF: EF_PL 2F05 (update needs PIN1, EF_ARR rec. 2). */
    memcpy(pl, "fren", 4);
    fs_expect(&fc, "00A4000C022F05", 0x9000, "SELECT EF_PL");
    r = fs_apdu(&fc, fs_case3("00D60000", pl, 4));
    cr_assert_eq(r.sw, 0x6982, "UPDATE BINARY EF_PL without PIN1 answered "
                 "%04X, expected 6982", r.sw);
    r = fs_verify(&fc, FS_PIN1_REF, fs_pin1);
    cr_assert_eq(r.sw, 0x9000, "VERIFY PIN1 answered %04X", r.sw);
    fs_expect(&fc, fs_case3("00D60000", pl, 4), 0x9000,
              "UPDATE BINARY EF_PL");
    fs_quit(&fc);

    /* A new QEMU on the same image. */
    fc = fs_boot(nvm, NULL, false);
    fs_power_on(&fc);
    select_mf_and(&fc, FID_BIN);
    r = fs_expect(&fc, "00B0000A28", 0x9000, "READ BINARY");
    expect_data(&r, bin, sizeof(bin), "READ BINARY after the restart");

    select_mf_and(&fc, FID_LIN);
    r = fs_expect(&fc, "00B2020410", 0x9000, "READ RECORD 2");
    expect_data(&r, rec2, sizeof(rec2), "linear fixed record 2 after the "
                "restart");

    select_mf_and(&fc, FID_CYC);
    r = fs_expect(&fc, "00B2010408", 0x9000, "READ RECORD 1");
    expect_data(&r, cyc_b, sizeof(cyc_b), "cyclic record 1 (the newest) "
                "after the restart");
    r = fs_expect(&fc, "00B2020408", 0x9000, "READ RECORD 2");
    expect_data(&r, cyc_a, sizeof(cyc_a), "cyclic record 2 after the "
                "restart");

    fs_expect(&fc, "00A4000C022F05", 0x9000, "SELECT EF_PL");
    r = fs_expect(&fc, "00B0000004", 0x9000, "READ BINARY EF_PL");
    expect_data(&r, pl, sizeof(pl), "EF_PL after the restart");

    /* Security status is per session: PIN1 must be presented again. */
    r = fs_apdu(&fc, fs_case3("00D60000", pl, 4));
    cr_assert_eq(r.sw, 0x6982, "UPDATE BINARY EF_PL after the restart, "
                 "without PIN1, answered %04X, expected 6982", r.sw);
    fs_quit(&fc);
}

Test(system_fs_persist, foreign_nvm_answers_6581)
{
    const char *nvm = fs_make_image("foreign.nvm", 7);
    size_t len = 0;
    uint8_t *before = nc_gc(nc_read_file(nvm, &len));
    cr_assert_eq(len, FS_NVM_SIZE);
    FsCard fc = fs_boot(nvm, NULL, false);

    nc_console_wait(fc.card->console, "E store: NVM unusable: foreign",
                    READY_TIMEOUT_MS);
    nc_console_wait(fc.card->console, "I boot: ready", READY_TIMEOUT_MS);
    fs_power_on(&fc);

    static const char *const file_cmds[][2] = {
        { "00A4000C023F00", "SELECT MF" },
        { "00A4000C022FE2", "SELECT EF_ICCID" },
        { "00B000000A", "READ BINARY" },
        { "00D6000001AA", "UPDATE BINARY" },
        { "00B2010400", "READ RECORD" },
        { "002000010831323334FFFFFFFF", "VERIFY PIN1" },
    };
    for (size_t i = 0; i < sizeof(file_cmds) / sizeof(file_cmds[0]); i++) {
        FsResp r = fs_apdu(&fc, file_cmds[i][0]);
        cr_assert_eq(r.sw, 0x6581, "%s (%s) on a foreign NVM answered %04X, "
                     "expected 6581 (memory problem)", file_cmds[i][1],
                     file_cmds[i][0], r.sw);
    }
    /* The card is not wedged: the test applet still answers ECHO. */
    fs_expect(&fc, "00A4040009F06E6574636172640100", 0x9000,
              "SELECT test applet");
    FsResp echo = fs_expect(&fc, "8010000003ABCDEF00", 0x9000, "ECHO");
    static const uint8_t abc[] = { 0xAB, 0xCD, 0xEF };
    expect_data(&echo, abc, sizeof(abc), "ECHO");
    fs_quit(&fc);

    cr_assert(memcmp(before, nc_gc(nc_read_file(nvm, &len)),
                     FS_NVM_SIZE) == 0,
              "the card changed a foreign NVM image");
}

/*
 * A store damaged in a way no power cut can produce (a bit of EF_ICCID's
 * committed content flipped in the image): reading that file answers 6581
 * and the log says so, instead of serving wrong data; other files still
 * read.
 */
Test(system_fs_persist, corrupt_file_content_answers_6581)
{
    const char *nvm = fs_make_first_boot_image("card.nvm");
    size_t len = 0;
    uint8_t *img = nc_gc(nc_read_file(nvm, &len));
    cr_assert_eq(len, FS_NVM_SIZE);
    /* EF_ICCID's content (docs/fs.md) is in the image once; flip a bit. */
    static const uint8_t iccid[] = { 0x98, 0x94, 0x20, 0x00, 0x00, 0x21,
                                     0x43, 0x65, 0x87, 0xF9 };
    uint8_t *at = memmem(img, len, iccid, sizeof(iccid));
    cr_assert(at, "the ICCID bytes are not in the NVM image");
    cr_assert(!memmem(at + 1, len - (size_t)(at + 1 - img), iccid,
                      sizeof(iccid)), "the ICCID bytes are in the image twice");
    at[4] ^= 0x10;
    FILE *f = fopen(nvm, "r+b");
    cr_assert(f);
    cr_assert_eq(fwrite(img, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);

    FsCard fc = fs_boot(nvm, NULL, false);
    nc_console_wait(fc.card->console, "I boot: ready", READY_TIMEOUT_MS);
    fs_power_on(&fc);
    fs_expect(&fc, "00A4000C022FE2", 0x9000, "SELECT EF_ICCID");
    FsResp r = fs_apdu(&fc, "00B000000A");
    cr_assert_eq(r.sw, 0x6581, "READ BINARY of a damaged EF_ICCID answered "
                 "%04X (data %s), expected 6581", r.sw, nc_hex(r.data, r.len));
    nc_console_wait(fc.card->console, "file 2FE2: content unreadable",
                    READY_TIMEOUT_MS);
    /* Only that file: EF_PL still reads "en" (docs/fs.md). */
    fs_expect(&fc, "00A4000C022F05", 0x9000, "SELECT EF_PL");
    r = fs_expect(&fc, "00B0000002", 0x9000, "READ BINARY EF_PL");
    expect_data(&r, (const uint8_t *)"en", 2, "EF_PL");
    fs_quit(&fc);
}

/*
 * QEMU snapshots (savevm / loadvm, a qcow2 NVM; docs/machine.md) taken in
 * the middle of a card session: loadvm brings back the NVM content and
 * the session with it (the selected EF, ADM1 verified) and the link, so
 * the same vpcd connection goes on without a new power-on; what was
 * written after loadvm persists in the image.
 */
Test(system_fs_persist, savevm_loadvm_restores_nvm_and_session)
{
    uint8_t gen_a[16], gen_b[16], gen_c[16];
    fill(gen_a, sizeof(gen_a), 0x10);
    fill(gen_b, sizeof(gen_b), 0x20);
    fill(gen_c, sizeof(gen_c), 0x30);

    const char *nvm = nvm_image_make_qcow2("card.qcow2");
    FsCard fc = fs_boot(nvm, NULL, false);
    nc_console_wait(fc.card->console, "I store: formatted the erased NVM",
                    READY_TIMEOUT_MS);
    nc_console_wait(fc.card->console, "I boot: ready", READY_TIMEOUT_MS);
    fs_power_on(&fc);
    FsResp r = fs_verify(&fc, FS_ADM1_REF, fs_adm1);
    cr_assert_eq(r.sw, 0x9000, "VERIFY ADM1 answered %04X", r.sw);
    fs_expect(&fc, "00A4000C023F00", 0x9000, "SELECT MF");
    /* EF_ARR record 1: read always, update ADM1 */
    fs_expect(&fc, fs_create_ef(0x41, FID_BIN, sizeof(gen_a), 0, 0, 1, 0),
              0x9000, "CREATE FILE (update: ADM1)");
    fs_expect(&fc, fs_case3("00D60000", gen_a, sizeof(gen_a)), 0x9000,
              "UPDATE BINARY A");

    char *ret = nc_qmp(fc.card->qmp, "{'execute': 'human-monitor-command', "
                       "'arguments': {'command-line': 'savevm s1'}}");
    cr_assert(!strstr(ret, "Error"), "savevm: %s", ret);

    fs_expect(&fc, fs_case3("00D60000", gen_b, sizeof(gen_b)), 0x9000,
              "UPDATE BINARY B");
    r = fs_apdu(&fc, "00B0000010");
    expect_data(&r, gen_b, sizeof(gen_b), "after UPDATE BINARY B");
    /* a warm reset ends the session: no EF, ADM1 no longer verified */
    uint8_t atr[40];
    nc_vpcd_ctrl(fc.vpcd, NC_VPCD_RESET);
    nc_vpcd_ctrl(fc.vpcd, NC_VPCD_ATR);
    cr_assert_gt(nc_vpcd_recv(fc.vpcd, atr, sizeof(atr), FS_APDU_TIMEOUT_MS),
                 0u, "no ATR after a warm reset");
    select_mf_and(&fc, FID_BIN);
    fs_expect(&fc, fs_case3("00D60000", gen_c, sizeof(gen_c)), 0x6982,
              "UPDATE BINARY without ADM1 after the reset");

    ret = nc_qmp(fc.card->qmp, "{'execute': 'human-monitor-command', "
                 "'arguments': {'command-line': 'loadvm s1'}}");
    cr_assert(!strstr(ret, "Error"), "loadvm: %s", ret);
    /* no SELECT, no VERIFY: the snapshot's session */
    r = fs_apdu(&fc, "00B0000010");
    expect_data(&r, gen_a, sizeof(gen_a), "READ BINARY after loadvm");
    fs_expect(&fc, fs_case3("00D60000", gen_c, sizeof(gen_c)), 0x9000,
              "UPDATE BINARY C with the snapshot's ADM1");
    fs_quit(&fc);

    fc = fs_boot(nvm, NULL, false);
    nc_console_wait(fc.card->console, "I boot: ready", READY_TIMEOUT_MS);
    fs_power_on(&fc);
    select_mf_and(&fc, FID_BIN);
    r = fs_apdu(&fc, "00B0000010");
    expect_data(&r, gen_c, sizeof(gen_c), "READ BINARY after a restart");
    fs_quit(&fc);
}

/* docs/fs.md: EF_ICCID of the first-boot file system. */
static const uint8_t first_boot_iccid[10] = { 0x98, 0x94, 0x20, 0x00, 0x00,
                                              0x21, 0x43, 0x65, 0x87, 0xF9 };

/* EF_ICCID written by the first boot and EF_PL written by the test. */
static void expect_iccid_and_pl(FsCard *fc, const uint8_t pl[4],
                                const char *when)
{
    FsResp r;

    fs_expect(fc, "00A4000C023F00", 0x9000, "SELECT MF");
    fs_expect(fc, "00A4000C022FE2", 0x9000, "SELECT EF_ICCID");
    r = fs_expect(fc, "00B000000A", 0x9000, "READ BINARY EF_ICCID");
    expect_data(&r, first_boot_iccid, sizeof(first_boot_iccid),
                nc_strf("EF_ICCID %s", when));
    fs_expect(fc, "00A4000C022F05", 0x9000, "SELECT EF_PL");
    r = fs_expect(fc, "00B0000004", 0x9000, "READ BINARY EF_PL");
    expect_data(&r, pl, 4, nc_strf("EF_PL %s", when));
}

/*
 * The layout before nvm-size (docs/nvm.md "Array size and images"): a
 * 1 MiB image on a machine started with -M netcard,nvm-size=1M. The card
 * boots with no code area, its store works across a restart, and the
 * image, grown to the default 2 MiB by appending erased flash, boots on
 * the default machine with the same store and a 1 MiB code area.
 */
Test(system_fs_persist, old_1mib_layout_runs_with_nvm_size_1m)
{
    const size_t old_size = 1024u * 1024u;
    const char *nvm = nvm_image_make_sized("old.nvm", 0, old_size);
    const uint8_t pl[4] = { 'd', 'e', 'e', 'n' };
    FsCard fc = fs_boot_sized(nvm, "1M", NULL, false);

    nc_console_wait(fc.card->console, "I nvm: 1024 KiB: store 1024 KiB, code "
                    "area 0 KiB at 0x10100000", READY_TIMEOUT_MS);
    nc_console_wait(fc.card->console, "I store: formatted the erased NVM",
                    READY_TIMEOUT_MS);
    nc_console_wait(fc.card->console, "I fs: created MF", READY_TIMEOUT_MS);
    nc_console_wait(fc.card->console, "I boot: ready", READY_TIMEOUT_MS);
    fs_power_on(&fc);
    FsResp r = fs_verify(&fc, FS_PIN1_REF, fs_pin1);
    cr_assert_eq(r.sw, 0x9000, "VERIFY PIN1 answered %04X", r.sw);
    fs_expect(&fc, "00A4000C023F00", 0x9000, "SELECT MF");
    fs_expect(&fc, "00A4000C022F05", 0x9000, "SELECT EF_PL");
    fs_expect(&fc, fs_case3("00D60000", pl, 4), 0x9000,
              "UPDATE BINARY EF_PL");
    fs_quit(&fc);

    /* A new QEMU, same size: the store mounts, nothing is formatted. */
    size_t len = 0;
    uint8_t *img = nc_gc(nc_read_file(nvm, &len));
    cr_assert(img && len == old_size, "the 1 MiB image is now %zu bytes",
              len);
    fc = fs_boot_sized(nvm, "1M", NULL, false);
    nc_console_wait(fc.card->console, "I nvm: 1024 KiB: store 1024 KiB, code "
                    "area 0 KiB at 0x10100000", READY_TIMEOUT_MS);
    char *line = nc_console_wait(fc.card->console, "I store: ",
                                 READY_TIMEOUT_MS);
    cr_assert(strstr(line, "objects"), "the store did not mount after the "
              "restart: %s", line);
    nc_console_wait(fc.card->console, "I boot: ready", READY_TIMEOUT_MS);
    fs_power_on(&fc);
    expect_iccid_and_pl(&fc, pl, "after the restart at nvm-size=1M");
    fs_quit(&fc);

    /* Grown by appending 1 MiB of 0xFF: the default machine takes it. */
    static uint8_t erased[4096];
    FILE *f = fopen(nvm, "ab");
    cr_assert(f, "cannot append to %s: %s", nvm, strerror(errno));
    memset(erased, 0xFF, sizeof(erased));
    for (size_t i = 0; i < old_size; i += sizeof(erased)) {
        cr_assert_eq(fwrite(erased, 1, sizeof(erased), f), sizeof(erased));
    }
    cr_assert_eq(fclose(f), 0);
    fc = fs_boot(nvm, NULL, false);
    nc_console_wait(fc.card->console, "I nvm: 2048 KiB: store 1024 KiB, code "
                    "area 1024 KiB at 0x10100000", READY_TIMEOUT_MS);
    line = nc_console_wait(fc.card->console, "I store: ", READY_TIMEOUT_MS);
    cr_assert(strstr(line, "objects"), "the grown image's store did not "
              "mount: %s", line);
    nc_console_wait(fc.card->console, "I boot: ready", READY_TIMEOUT_MS);
    fs_power_on(&fc);
    expect_iccid_and_pl(&fc, pl, "on the grown 2 MiB image");
    fs_quit(&fc);
}
