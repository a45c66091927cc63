/*
 * Unit tests: card content management with what the card has (ROM
 * modules): INSTALL of the sample module twice under two AIDs with their
 * install parameters, SELECT and HELLO of each, lock and unlock, GET
 * STATUS (formats, search, 6310 continuation), DELETE, LOAD block
 * numbering and lengths, and bad input (GPC 2.3.1 11.2, 11.4, 11.5, 11.6,
 * 11.10 status words; nothing changes). The session is opened by an
 * independent host SCP03 (gp_host_scp03.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <criterion/criterion.h>
#include <string.h>

#include "gp_fixture.h"
#include "applets/sample_applet.h"
#include "card/keys.h"
#include "fs/usim_auth.h"
#include "gp/gp.h"
#include "gp/isd.h"
#include "gp/registry.h"
#include "gp_host_scp03.h"
#include "nctest.h"
#include "nor_sim.h"
#include "store/store.h"


/* HEX plain (SECURE: wrapped in the session); SW, data into OUT/N. */
static uint16_t tx(bool secure, const char *hex, uint8_t *out, size_t *n)
{
    uint8_t c[300], w[320], r[600];
    size_t cn = nc_unhex(hex, c, sizeof(c)), rn;

    if (secure) {
        cn = host_scp03_wrap(&host, c, cn, w);
        memcpy(c, w, cn);
    }
    rn = send(c, cn, r);
    cr_assert(rn >= 2);
    if (out) {
        memcpy(out, r, rn - 2);
    }
    if (n) {
        *n = rn - 2;
    }
    return (uint16_t)(r[rn - 2] << 8 | r[rn - 1]);
}

#define SEC(hex) tx(true, hex, NULL, NULL)

static void open_session(void)
{
    cr_assert_eq(tx(false, "00A4040000", NULL, NULL), 0x9000);
    host_scp03_open(&host, send, 0x30, key40);
}

static void setup(void)
{
    gp_fixture_start(true);
    open_session();
}

static void teardown(void)
{
    nor_sim_free(&sim);
    nc_test_fini();
}

TestSuite(unit_gp_content, .init = setup, .fini = teardown);

#define ELF "0AF06E6574636172640300"
#define MOD "09F06E65746361726403"
/* INSTALL [for install and make selectable] of instance AID (LV hex)
 * with install parameters PARAMS (C9 value, LV hex) */
#define INSTALL(aid, params) \
    nc_strf("80E60C00%02X" ELF MOD aid "0100%s00", \
            (unsigned)((sizeof(ELF MOD aid) - 1) / 2 + 1 + 1 + \
                       (strlen(params) / 2 + 1) + 1), params)

static char *install(const char *aid_lv, const char *c9_value)
{
    char *params = nc_strf("%02XC9%02X%s", (unsigned)(strlen(c9_value) / 2 + 2),
                           (unsigned)(strlen(c9_value) / 2), c9_value);
    char *data = nc_strf(ELF MOD "%s0100%s00", aid_lv, params);

    return nc_strf("80E60C00%02X%s", (unsigned)(strlen(data) / 2), data);
}

Test(unit_gp_content, rom_module_installed_twice_with_its_parameters)
{
    uint8_t d[300];
    size_t n;

    cr_assert_eq(SEC(install("06A0000000AA01", "010203")), 0x9000);
    cr_assert_eq(SEC(install("06A0000000AA02", "FF")), 0x9000);
    /* each instance answers its own AID and parameters */
    cr_assert_eq(tx(false, "00A4040006A0000000AA01", d, &n), 0x9000);
    cr_assert(n == 10 && memcmp(d, "\x6F\x08\x84\x06\xA0\x00\x00\x00\xAA\x01",
                                10) == 0, "FCI %s", nc_hex(d, n));
    cr_assert_eq(tx(false, "8001000000", d, &n), 0x9000);
    cr_assert(n == 13 && memcmp(d, "\x4F\x06\xA0\x00\x00\x00\xAA\x01\xC9\x03"
                                   "\x01\x02\x03", 13) == 0, "%s", nc_hex(d, n));
    cr_assert_eq(tx(false, "00A4040006A0000000AA02", NULL, NULL), 0x9000);
    cr_assert_eq(tx(false, "8001000000", d, &n), 0x9000);
    cr_assert(n == 11 && d[7] == 0x02 && d[8] == 0xC9 && d[10] == 0xFF);
}

Test(unit_gp_content, lock_unlock_and_delete_an_instance)
{
    uint8_t d[300];
    size_t n;

    cr_assert_eq(SEC(install("06A0000000AA01", "01")), 0x9000);
    cr_assert_eq(SEC("80F0408006A0000000AA01"), 0x9000, "lock");
    cr_assert_eq(tx(true, "80F24002084F06A0000000AA0100", d, &n), 0x9000,
                 "%s", nc_hex(d, n));
    cr_assert(n > 13 && d[13] == 0x87, "LOCKED SELECTABLE: %s", nc_hex(d, n));
    cr_assert_eq(tx(false, "00A4040006A0000000AA01", NULL, NULL), 0x6A82);
    open_session();
    cr_assert_eq(SEC("80F0400006A0000000AA01"), 0x9000, "unlock");
    cr_assert_eq(tx(false, "00A4040006A0000000AA01", NULL, NULL), 0x9000);
    open_session();
    cr_assert_eq(tx(true, "80E40000084F06A0000000AA01", d, &n), 0x9000);
    cr_assert(n == 1 && d[0] == 0x00);
    cr_assert_eq(tx(false, "00A4040006A0000000AA01", NULL, NULL), 0x6A82);
    open_session();
    cr_assert_eq(SEC("80E40000084F06A0000000AA01"), 0x6A88, "gone");
    cr_assert_eq(SEC("80E400000C4F0AF06E6574636172640300"), 0x6985,
                 "a ROM module's load file stays");
}

Test(unit_gp_content, instances_are_limited)
{
    for (unsigned i = 0; i < SAMPLE_APPLET_INSTANCES; i++) {
        cr_assert_eq(SEC(install(nc_strf("06A0000000AB%02X", i), "")), 0x9000);
    }
    cr_assert_eq(SEC(install("06A0000000ABFF", "")), 0x6A84);
}

Test(unit_gp_content, get_status_formats_and_continuation)
{
    uint8_t d[300];
    size_t n, total = 0;
    uint16_t sw;

    /* load files of 16-byte AIDs until an answer no longer fits */
    for (unsigned i = 0; i < 12; i++) {
        char *aid = nc_strf("10D0D1D2D3D4D5D6D7D8D9DADBDCDDDE%02X", i);

        cr_assert_eq(SEC(nc_strf("80E60200%02X%s00000000",
                                 (unsigned)(strlen(aid) / 2 + 4), aid)),
                     0x9000, "INSTALL [for load] %u", i);
        cr_assert_eq(SEC("80E8800002C400"), 0x9000, "LOAD %u", i);
    }
    sw = tx(true, "80F22002024F0000", d, &n);
    cr_assert_eq(sw, 0x6310);
    total += n;
    for (unsigned more = 0; (sw = tx(true, "80F22003024F0000", d, &n)) ==
                            0x6310 && more < 4; more++) {
        total += n;     /* next occurrences (P2 03) while 6310 */
    }
    cr_assert_eq(sw, 0x9000, "the rest: %04X", sw);
    total += n;
    /* sample and SD module ELFs (2 + 12 or 11, 4, CE 4) + 12 x (2 + 18 +
     * 4), each with CC and the ISD's AID (2 + 8, Table 11-36) */
    cr_assert_eq(total, 2 + 12 + 4 + 4 + 10 + 2 + 11 + 4 + 4 + 10 +
                 12 * (24u + 10u), "%zu bytes", total);
    /* P1 10: the ROM module's load file with its module (84) and CC */
    cr_assert_eq(tx(true, "80F210020C4F0AF06E657463617264030000", d, &n), 0x9000);
    cr_assert(n == 2 + 12 + 4 + 4 + 11 + 10, "%s", nc_hex(d, n));
    /* legacy format of the ISD */
    cr_assert_eq(tx(true, "80F28000024F0000", d, &n), 0x9000);
    cr_assert(n == 11 && d[0] == 8 && d[9] == 0x0F && d[10] == 0x9E);
    cr_assert_eq(SEC("80F24002024F0000"), 0x6A88, "no application");
    cr_assert_eq(SEC("80F20102024F0000"), 0x6A86);
    cr_assert_eq(SEC("80F28002025C0000"), 0x6A80);
}

Test(unit_gp_content, load_checks_blocks_and_lengths)
{
    cr_assert_eq(SEC("80E602001205D0D1D2D3D408A000000151000000000000"), 0x9000);
    cr_assert_eq(SEC("80E8000104C4820004"), 0x6A86, "block 01 first");
    cr_assert_eq(SEC("80E8800002C400"), 0x6985, "the load was abandoned");
    cr_assert_eq(SEC("80E602001205D0D1D2D3D408A000000151000000000000"), 0x9000);
    cr_assert_eq(SEC("80E8000006C482000401FF"), 0x9000);
    cr_assert_eq(SEC("80E8800101FF"), 0x6A80, "2 of 4 bytes, last block");
    cr_assert_eq(SEC("80F22002074F05D0D1D2D3D400"), 0x6A88, "not registered");
    cr_assert_eq(SEC("80E602001205D0D1D2D3D408A000000151000000000000"), 0x9000);
    cr_assert_eq(SEC("80E8000006C482000401FF"), 0x9000);
    cr_assert_eq(SEC("80E8800102FFFF"), 0x9000);
    cr_assert_eq(SEC("80F22002074F05D0D1D2D3D400"), 0x9000, "registered");
}

Test(unit_gp_content, install_bad_input_changes_nothing)
{
    cr_assert_eq(SEC("80E60C0003010203"), 0x6A80, "LVs do not add up");
    cr_assert_eq(SEC(install("03A00000", "")), 0x6A80, "AID of 3 bytes");
    cr_assert_eq(SEC("80E60C0020" "0AF06E6574636172640399" MOD
                     "06A0000000AA01" "0100" "00" "00"), 0x6A88,
                 "no such load file");
    cr_assert_eq(SEC(install("08A000000151000000", "")), 0x6A80, "the ISD's AID");
    cr_assert_eq(SEC("80E6FF0000"), 0x6A86);
    cr_assert_eq(SEC("80F24002024F0000"), 0x6A88, "nothing was installed");
    cr_assert_eq(tx(false, "80E60C0000", NULL, NULL), 0x6982,
                 "without the session's C-MAC: closed");
}

/* An instance selected on a channel keeps its identity when the registry
 * changes around it (another instance deleted, one installed). */
Test(unit_gp_content, a_selected_instance_survives_registry_changes)
{
    uint8_t d[300];
    size_t n;

    cr_assert_eq(SEC(install("06A0000000AA01", "01")), 0x9000);
    cr_assert_eq(SEC(install("06A0000000AA02", "02")), 0x9000);
    cr_assert_eq(tx(false, "0070000001", d, &n), 0x9000);
    cr_assert_eq(tx(false, "01A4040006A0000000AA02", NULL, NULL), 0x9000);
    cr_assert_eq(SEC("80E40000084F06A0000000AA01"), 0x9000);
    cr_assert_eq(SEC(install("06A0000000AA03", "03")), 0x9000);
    cr_assert_eq(tx(false, "8101000000", d, &n), 0x9000);
    cr_assert(n == 11 && d[7] == 0x02 && d[10] == 0x02, "%s", nc_hex(d, n));
}

/* ---- supplementary security domains (GPC 2.3.1 7.2, 6.6) ------------- */

#define SD_ELF "09A00000015153504100"
#define SD_MOD "08A000000151535041"
#define SSD    "A000000151535001"

/* INSTALL [for install and make selectable] of an SSD with PRIV (hex,
 * 3 bytes) */
static char *install_sd(const char *aid, const char *priv)
{
    /* install parameters LV "02 C9 00", token LV "00" */
    char *data = nc_strf(SD_ELF SD_MOD "%02X%s03%s02C90000",
                         (unsigned)(strlen(aid) / 2), aid, priv);
    return nc_strf("80E60C00%02X%s", (unsigned)(strlen(data) / 2), data);
}

/* A session with the SSD selected on the basic channel. */
static void open_ssd_session(void)
{
    cr_assert_eq(tx(false, "00A4040008" SSD, NULL, NULL), 0x9000);
    host_scp03_open(&host, send, 0x30, key40);
}

Test(unit_gp_content, ssd_with_authorized_management)
{
    uint8_t d[300];
    size_t n;

    cr_assert_eq(SEC(install_sd(SSD, "804000")), 0x9000);
    cr_assert_eq(tx(true, "80F24002024F0000", d, &n), 0x9000);
    cr_assert(strstr(nc_hex(d, n), "4F08" SSD "9F700107C503804000"),
              "%s", nc_hex(d, n));
    /* its own FCI, key sets and secure channel */
    cr_assert_eq(tx(false, "00A4040008" SSD, d, &n), 0x9000);
    cr_assert(n > 12 && d[2] == 0x84 && d[3] == 8 &&
              strncmp(nc_hex(d + 4, 8), SSD, 16) == 0);
    cr_assert_eq(tx(false, "80CA00E000", d, &n), 0x9000);
    cr_assert(n == 20 && d[4] == 0x01 && d[5] == 0x30 && d[6] == 0x88,
              "E0 of the SSD: %s", nc_hex(d, n));
    open_ssd_session();
    /* it installs an application: associated with it */
    cr_assert_eq(SEC(install("06A0000000AA01", "01")), 0x9000);
    cr_assert_eq(tx(true, "80F24002024F0000", d, &n), 0x9000);
    cr_assert(strstr(nc_hex(d, n), "A0000000AA01") &&
              strstr(nc_hex(d, n), SSD), "%s", nc_hex(d, n));
    cr_assert_eq(SEC("80F28002024F0000"), 0x6A88, "the ISD is not its");
    cr_assert_eq(SEC("80F0807F"), 0x6985, "no Card Lock privilege");
    /* the ISD sees everything; the SSD with its application cannot be
     * deleted alone */
    open_session();
    cr_assert_eq(SEC("80E400000A" "4F08" SSD), 0x6985);
    cr_assert_eq(SEC("80E400800A" "4F08" SSD), 0x9000);
    cr_assert_eq(SEC("80F24002024F0000"), 0x6A88, "both gone");
    cr_assert_eq(tx(false, "00A4040008" SSD, NULL, NULL), 0x6A82);
}

Test(unit_gp_content, ssd_keys_are_its_own)
{
    uint8_t d[300];
    size_t n;
    /* PUT KEY 31 (AES 00..0F encrypted with the static DEK 40..4F:
     * 3D0FA4.. from scp03-i70-gp26.trace) */
    static const char put31[] = "80D8008146318811103D0FA4B855D2A5AA4954B8B5DF582A3A"
        "03C352808811103D0FA4B855D2A5AA4954B8B5DF582A3A03C35280881110"
        "3D0FA4B855D2A5AA4954B8B5DF582A3A03C35280";
    static const uint8_t key00[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
                                       12, 13, 14, 15 };

    cr_assert_eq(SEC(install_sd(SSD, "800000")), 0x9000);
    open_ssd_session();
    cr_assert_eq(tx(true, put31, d, &n), 0x9000);
    cr_assert(n == 10 && d[0] == 0x31, "%s", nc_hex(d, n));
    cr_assert_eq(SEC(install("06A0000000AA01", "01")), 0x6985,
                 "no Authorized Management");
    /* the new key set opens the SSD, not the ISD */
    cr_assert_eq(tx(false, "00A4040008" SSD, NULL, NULL), 0x9000);
    host_scp03_open(&host, send, 0x31, key00);
    cr_assert_eq(tx(false, "00A4040000", NULL, NULL), 0x9000);
    cr_assert_eq(tx(false, "80503100080102030405060700", NULL, NULL), 0x6A88);
    /* extradition of an application from the ISD to the SSD */
    open_session();
    cr_assert_eq(SEC(install("06A0000000AA02", "02")), 0x9000);
    cr_assert_eq(SEC("80E6100014" "08" SSD "00" "06A0000000AA02" "000000"),
                 0x9000);
    cr_assert_eq(tx(false, "00A4040008" SSD, NULL, NULL), 0x9000);
    host_scp03_open(&host, send, 0x31, key00);
    cr_assert_eq(tx(true, "80F24002024F0000", d, &n), 0x9000);
    cr_assert(strstr(nc_hex(d, n), "A0000000AA02"), "%s", nc_hex(d, n));
}

/* ---- pySim's SCP03 vectors on the card ---------------------------------- */

#include "crypto/keystore.h"
#include "gp/keyset.h"
#include "gp_vectors.h"

/* The eUICC security domain the vectors come from (ISD-R, SGP.22 2.2.3):
 * an SSD under that AID, the vector's keys in its key sets, its counter
 * at the vector's value. The card's INITIALIZE UPDATE answer must be the
 * vector's byte for byte but the key diversification data (the card's
 * own, free), and every wrapped command of the session must pass its
 * C-MAC and decryption: no 6982 (the vectors' commands are an eUICC's,
 * so their answers are this card's). */
#define ISD_R "A0000005591010FFFFFFFF8900000100"

static void pysim_scp03_on_card(const char *name)
{
    const char *j = gpv_file("scp-pysim.json");
    const char *v = gpv_find(j, name);
    uint8_t keys[3][32], want[40], d[300], cmd[300], r[300];
    size_t klen = 0, n, wn, cn, rn;
    struct gp_entry e;
    uint8_t sd, kvn;
    int idx;

    cr_assert_eq(SEC(install_sd(ISD_R, "800000")), 0x9000);
    idx = gp_registry_find((const uint8_t *)"\xA0\x00\x00\x05\x59\x10\x10\xFF"
                           "\xFF\xFF\xFF\x89\x00\x00\x01\x00", 16);
    cr_assert(idx >= 0 && gp_registry_get((unsigned)idx, &e));
    sd = e.rom;
    klen = gpv_hex(v, "enc", keys[0], 32);
    gpv_hex(v, "mac", keys[1], 32);
    gpv_hex(v, "dek", keys[2], 32);
    wn = gpv_hex(v, "init_upd_rsp", want, sizeof(want));
    kvn = want[10];
    for (uint8_t kid = 1; kid <= 3; kid++) {
        cr_assert_eq(keystore_put(&st, gp_key_id(sd, kvn, kid),
                                  KEYSTORE_TYPE_AES, keys[kid - 1], klen),
                     STORE_OK);
    }
    cr_assert_eq(store_put_secure(&st, GP_SD_OBJ_COUNTER(sd, kvn), want + 29,
                                  3), STORE_OK);
    cr_assert_eq(tx(false, "00A4040010" ISD_R, NULL, NULL), 0x9000);
    cr_assert_eq(tx(false, gpv_str(v, "init_upd_cmd"), d, &n), 0x9000);
    cr_assert(n == wn && memcmp(d + 10, want + 10, wn - 10) == 0,
              "%s: INITIALIZE UPDATE answered %s, the vector %s", name,
              nc_hex(d, n), nc_hex(want, wn));
    cr_assert_eq(tx(false, gpv_str(v, "ext_auth_cmd"), NULL, NULL), 0x9000);
    for (int c = 0; c < 5; c++) {
        const char *key = c == 0 ? "get_eid_cmd" : nc_strf("case_%d_apdu", c);

        cn = nc_unhex(gpv_str(v, key), cmd, sizeof(cmd));
        rn = send(cmd, cn, r);
        cr_assert(rn >= 2 && !(r[rn - 2] == 0x69 && r[rn - 1] == 0x82),
                  "%s: %s refused: %s", name, key, nc_hex(r, rn));
    }
}

Test(unit_gp_content, pysim_scp03_aes128_11_on_card) { pysim_scp03_on_card("SCP03_Test_AES128_11"); }
Test(unit_gp_content, pysim_scp03_aes128_03_on_card) { pysim_scp03_on_card("SCP03_Test_AES128_03"); }
Test(unit_gp_content, pysim_scp03_aes128_33_on_card) { pysim_scp03_on_card("SCP03_Test_AES128_33"); }
Test(unit_gp_content, pysim_scp03_aes192_11_on_card) { pysim_scp03_on_card("SCP03_Test_AES192_11"); }
Test(unit_gp_content, pysim_scp03_aes192_03_on_card) { pysim_scp03_on_card("SCP03_Test_AES192_03"); }
Test(unit_gp_content, pysim_scp03_aes192_33_on_card) { pysim_scp03_on_card("SCP03_Test_AES192_33"); }
Test(unit_gp_content, pysim_scp03_aes256_11_on_card) { pysim_scp03_on_card("SCP03_Test_AES256_11"); }
Test(unit_gp_content, pysim_scp03_aes256_03_on_card) { pysim_scp03_on_card("SCP03_Test_AES256_03"); }
Test(unit_gp_content, pysim_scp03_aes256_33_on_card) { pysim_scp03_on_card("SCP03_Test_AES256_33"); }

/* PUT KEY with a wrong KCV: 6A80, nothing stored (GPC 2.3.1 11.8.2.3);
 * malformed key data or a KID past DEK: 6A80; a short wrapped command: 6982, the session
 * closed. */
Test(unit_gp_content, put_key_bad_input_stores_nothing)
{
    uint8_t before[64], after[64];
    size_t nb, na;
    /* key 00..0F under the static DEK 40..4F, KCV C35280 changed to C35281 */
    static const char bad_kcv[] = "80D8008146318811103D0FA4B855D2A5AA4954B8B5DF582A3A"
        "03C352818811103D0FA4B855D2A5AA4954B8B5DF582A3A03C35280881110"
        "3D0FA4B855D2A5AA4954B8B5DF582A3A03C35280";

    cr_assert_eq(tx(true, "80CA00E000", before, &nb), 0x9000);
    cr_assert_eq(SEC(bad_kcv), 0x6A80);
    cr_assert_eq(SEC("80D800810531881103AA"), 0x6A80, "truncated key data");
    cr_assert_eq(SEC("80D8008104FF801000"), 0x6A80, "KVN FF");
    cr_assert_eq(SEC("80D830012F30"
                     "8811103D0FA4B855D2A5AA4954B8B5DF582A3A03C35280"
                     "8811103D0FA4B855D2A5AA4954B8B5DF582A3A03C35280"),
                 0x6A80, "two keys where P2 names one (b8 = 0)");
    cr_assert_eq(SEC("80D8000417318811103D0FA4B855D2A5AA4954B8B5DF582A3A03C35280"),
                 0x6A80, "KID 04: a key set is ENC, MAC, DEK (11.1.8)");
    cr_assert_eq(SEC("80D8008246318811103D0FA4B855D2A5AA4954B8B5DF582A3A"
                     "03C352808811103D0FA4B855D2A5AA4954B8B5DF582A3A03C35280"
                     "8811103D0FA4B855D2A5AA4954B8B5DF582A3A03C35280"),
                 0x6A80, "KIDs 02..04");
    cr_assert_eq(tx(true, "80CA00E000", after, &na), 0x9000);
    cr_assert(na == nb && memcmp(before, after, na) == 0, "E0 changed");
    cr_assert_eq(tx(false, "84F2800003AABBCC", NULL, NULL), 0x6982,
                 "shorter than a C-MAC");
    cr_assert_eq(SEC("80F28002024F0000"), 0x6882, "the session is closed");
}

/* The card manager's key sets have their own key id range (docs/crypto.md
 * "Keys in use"): a key set 55 (once key ids 5501..5503, the USIM's Ki
 * and OPc) and its DELETE leave the USIM's keys and the TLS key alone. */
Test(unit_gp_content, key_sets_leave_other_keys_alone)
{
    static const uint16_t others[] = { USIM_KEY_KI, USIM_KEY_OPC,
                                       CARD_KEY_TLS_TEST };
    static const char kcv[] = "C35280";
    static const char key[] = "8811103D0FA4B855D2A5AA4954B8B5DF582A3A03";
    uint8_t v[16], d[16], got[32];
    size_t n;

    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        memset(v, 0xA0 + (int)i, sizeof(v));
        cr_assert_eq(keystore_put(&st, others[i], KEYSTORE_TYPE_AES, v, 16),
                     STORE_OK);
    }
    /* PUT KEY, a new key set 55 of three keys (GPC 2.3.1 11.8.2.3): the
     * answer is the KVN and the KCVs the host computed */
    cr_assert_eq(tx(true, nc_strf("80D800814655%s%s%s%s%s%s", key, kcv, key,
                                  kcv, key, kcv), d, &n), 0x9000);
    cr_assert_str_eq(nc_hex(d, n), nc_strf("55%s%s%s", kcv, kcv, kcv));
    cr_assert_eq(SEC("80E4000003D20155"), 0x9000, "DELETE key set 55");
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        memset(v, 0xA0 + (int)i, sizeof(v));
        cr_assert_eq(keystore_read(&st, others[i], KEYSTORE_TYPE_AES, got,
                                   sizeof(got), &n), STORE_OK,
                     "key %04X is gone", others[i]);
        cr_assert(n == 16 && memcmp(got, v, 16) == 0, "key %04X changed",
                  others[i]);
    }
}
