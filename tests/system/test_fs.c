/*
 * System tests: the card's file system as a host sees it over the ISO
 * 7816 contact interface (vpcd framing), on a card booted from an erased
 * NVM image: the first boot creates the documented tree (docs/fs.md),
 * SELECT of EF_ICCID by FID and by path returns a TS 102 221 FCP
 * template, READ BINARY returns the documented ICCID, VERIFY of PIN1
 * counts down (63C2) and accepts the documented value (9000). Run over
 * T=1 (the terminal's choice) and forced T=0 (case 4 SELECT answered
 * through 61xx / GET RESPONSE, case 2 READ BINARY with Le).
 *
 * Expected bytes come from ETSI TS 102 221 (11.1.1.3 FCP tags, 10.2.1
 * status words) and the documented test values, not from the card.
 * Persistence and tearing on the card: test_fs_persist.c, test_fs_tear.c.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "fs_card.h"

TestSuite(system_fs, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

/* ICCID 8949020000123456789, BCD nibble-swapped, F padded (docs/fs.md). */
static const uint8_t iccid[10] = { 0x98, 0x94, 0x20, 0x00, 0x00,
                                   0x21, 0x43, 0x65, 0x87, 0xF9 };

/* Value of the first TLV with TAG directly inside the FCP template 62
 * (TS 102 221 11.1.1.3: one-byte tags, one-byte lengths); NULL if none. */
static const uint8_t *fcp_find(const FsResp *r, uint8_t tag, size_t *len)
{
    cr_assert(r->len >= 2 && r->data[0] == 0x62 &&
              r->data[1] == r->len - 2,
              "not an FCP template (62 L ...): %s", nc_hex(r->data, r->len));
    for (size_t i = 2; i + 2 <= r->len;) {
        uint8_t t = r->data[i], l = r->data[i + 1];

        cr_assert_leq(i + 2 + l, r->len, "FCP TLV overruns: %s",
                      nc_hex(r->data, r->len));
        if (t == tag) {
            *len = l;
            return r->data + i + 2;
        }
        i += 2u + l;
    }
    return NULL;
}

/* TS 102 221 11.1.1.3.2: an EF's FCP has 82, 83, 8A, 8B|8C|AB, 80, 88. */
static void check_iccid_fcp(const FsResp *r)
{
    const uint8_t *v;
    size_t l;

    v = fcp_find(r, 0x82, &l);
    cr_assert(v && l == 2 && (v[0] & 0xBF) == 0x01 && v[1] == 0x21,
              "82 file descriptor: transparent working EF, data coding 21: "
              "%s", nc_hex(r->data, r->len));
    v = fcp_find(r, 0x83, &l);
    cr_assert(v && l == 2 && v[0] == 0x2F && v[1] == 0xE2, "83 FID 2FE2");
    v = fcp_find(r, 0x8A, &l);
    cr_assert(v && l == 1 && v[0] == 0x05, "8A life cycle: activated (05)");
    size_t l8b = 0, l8c = 0, lab = 0;
    cr_assert(fcp_find(r, 0x8B, &l8b) || fcp_find(r, 0x8C, &l8c) ||
              fcp_find(r, 0xAB, &lab), "security attributes 8B/8C/AB");
    v = fcp_find(r, 0x80, &l);
    cr_assert(v && l == 2 && v[0] == 0x00 && v[1] == 0x0A, "80 size 10");
    v = fcp_find(r, 0x88, &l);
    cr_assert(v && (l == 0 || (l == 1 && (v[0] & 7) == 0)),
              "88 short file identifier");
}

static void iccid_and_pin1(const char *protocol)
{
    FsCard fc = fs_boot(fs_make_image("card.nvm", 0), protocol, false);

    nc_console_wait(fc.card->console, "I fs: created MF, EF_DIR, EF_ICCID, "
                    "EF_PL, EF_ARR, DF_TELECOM", READY_TIMEOUT_MS);
    nc_console_wait(fc.card->console, "I fs: 6 files", READY_TIMEOUT_MS);
    nc_console_wait(fc.card->console, "I boot: ready", READY_TIMEOUT_MS);
    fs_power_on(&fc);

    /* SELECT by FID (P1 00), FCP requested (P2 04), Le 00 */
    FsResp r = fs_expect(&fc, "00A4000402 2FE2 00", 0x9000, "SELECT 2FE2");
    check_iccid_fcp(&r);
    r = fs_expect(&fc, "00B000000A", 0x9000, "READ BINARY EF_ICCID");
    cr_assert(r.len == 10 && memcmp(r.data, iccid, 10) == 0,
              "ICCID %s, documented 989420000021436587F9",
              nc_hex(r.data, r.len));

    /* back to the MF, then SELECT by path from the MF (P1 08) */
    r = fs_expect(&fc, "00A4000402 3F00 00", 0x9000, "SELECT MF");
    size_t l;
    const uint8_t *v = fcp_find(&r, 0x82, &l);
    cr_assert(v && l == 2 && (v[0] & 0x38) == 0x38, "MF: 82 says DF");
    cr_assert(fcp_find(&r, 0xC6, &l), "MF: C6 PIN status template");
    r = fs_expect(&fc, "00A4080402 2FE2 00", 0x9000, "SELECT by path 2FE2");
    check_iccid_fcp(&r);
    r = fs_expect(&fc, "00B0000000", 0x9000, "READ BINARY, Le 00");
    cr_assert(r.len == 10 && memcmp(r.data, iccid, 10) == 0);

    /* PIN1: 3 tries; a wrong value leaves 2 (63C2), the right one 9000 */
    static const uint8_t wrong[8] = { '0', '0', '0', '0', 0xFF, 0xFF, 0xFF,
                                      0xFF };
    cr_assert_eq(fs_verify(&fc, FS_PIN1_REF, wrong).sw, 0x63C2);
    cr_assert_eq(fs_verify(&fc, FS_PIN1_REF, fs_pin1).sw, 0x9000);
    fs_expect(&fc, "00200001", 0x9000, "VERIFY without data, verified");
    fs_quit(&fc);
}

Test(system_fs, iccid_and_pin1_t1)
{
    iccid_and_pin1("t1");
}

Test(system_fs, iccid_and_pin1_t0)
{
    iccid_and_pin1("t0");
}
