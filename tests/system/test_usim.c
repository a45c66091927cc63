/*
 * System tests: the USIM on the card (cardos-test.elf over vpcd):
 * AUTHENTICATE compared with osmo-auc-gen (Debian libosmocore-utils), an
 * independent MILENAGE, for random Ki, OPc, RAND and SQN set through the
 * personalization application (ADM1); the synchronisation failure's AUTS
 * handed back to osmo-auc-gen (-A), which must find the card's SQN_MS;
 * the GSM context against osmo-auc-gen's SRES/Kc; SQN freshness
 * (TS 33.102 Annex C): replay -> sync failure, a jump beyond 2^28 ->
 * sync failure, a fresh one -> success and then stale.
 *
 * Expected values: osmo-auc-gen's output, never the card's own.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "fs_card.h"
#include "osmo_auc.h"

#include <ctype.h>

TestSuite(system_usim, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

#define USIM_SELECT "00A4040C07A0000000871002"
#define PERSO_SELECT "00A4040009F06E6574636172640200"

static char *rnd_hex(unsigned bytes)
{
    char *s = nc_gc(calloc(1, 2 * bytes + 1));

    for (unsigned i = 0; i < bytes; i++) {
        sprintf(s + 2 * i, "%02x", (unsigned)(random() & 0xFF));
    }
    return s;
}

static void upper_eq(const char *got_hex, const char *want, const char *what)
{
    char *w = nc_strf("%s", want);

    for (char *c = w; *c; c++) {
        *c = (char)toupper((unsigned char)*c);
    }
    cr_assert_str_eq(got_hex, w, "%s: card %s, osmo-auc-gen %s", what,
                     got_hex, w);
}

static void personalise(FsCard *fc, const char *ki, const char *opc,
                        unsigned long long sqn)
{
    fs_expect(fc, "0020000A08" "3838383838383838", 0x9000, "VERIFY ADM1");
    fs_expect(fc, PERSO_SELECT, 0x9000, "SELECT perso");
    fs_expect(fc, nc_strf("805000002C0110%s0210%s0406%012llX", ki, opc, sqn),
              0x9000, "SET USIM KEYS");
    fs_expect(fc, USIM_SELECT, 0x9000, "SELECT ADF.USIM");
    fs_expect(fc, "0020000108" "31323334FFFFFFFF", 0x9000, "VERIFY PIN1");
}

static FsResp authenticate(FsCard *fc, const char *rand, const char *autn)
{
    return fs_expect(fc, nc_strf("0088008122" "10%s" "10%s", rand, autn),
                     0x9000, "AUTHENTICATE 3G");
}

Test(system_usim, authenticate_against_osmo_auc_gen)
{
    FsCard fc = fs_boot(fs_make_image("card.nvm", 0), NULL, false);

    nc_console_wait(fc.card->console, "I usim: created ADF.USIM",
                    READY_TIMEOUT_MS);
    fs_power_on(&fc);
    srandom((unsigned)nc_now_ms());
    for (int round = 0; round < 4; round++) {
        const char *ki = rnd_hex(16), *opc = rnd_hex(16), *rand = rnd_hex(16);
        unsigned long long base = (unsigned long long)(random() & 0xFFFFF) << 5;
        unsigned long long sqn = base + 32 + (unsigned)(random() & 31);

        personalise(&fc, ki, opc, base);
        const char *args[] = { "-3", "-a", "milenage", "-k", ki, "-o", opc,
                               "-s", nc_strf("%llu", sqn), "-r", rand,
                               "-f", "8000", NULL };
        char *out = osmo_auc_gen(args);
        FsResp r = authenticate(&fc, rand, osmo_field(out, "AUTN"));
        cr_assert(r.len == 53 && r.data[0] == 0xDB, "round %d: %s", round,
                  nc_hex(r.data, r.len));
        upper_eq(nc_hex(r.data + 2, 8), osmo_field(out, "RES"), "RES");
        upper_eq(nc_hex(r.data + 11, 16), osmo_field(out, "CK"), "CK");
        upper_eq(nc_hex(r.data + 28, 16), osmo_field(out, "IK"), "IK");
        upper_eq(nc_hex(r.data + 45, 8), osmo_field(out, "Kc"), "Kc");
        /* replayed: AUTS; osmo-auc-gen resynchronises on it */
        r = authenticate(&fc, rand, osmo_field(out, "AUTN"));
        cr_assert(r.len == 16 && r.data[0] == 0xDC && r.data[1] == 14);
        const char *rargs[] = { "-3", "-a", "milenage", "-k", ki, "-o", opc,
                                "-A", nc_hex(r.data + 2, 14), "-r", rand,
                                NULL };
        char *rs = osmo_auc_gen(rargs);
        cr_assert_str_eq(osmo_field(rs, "SQN.MS"), nc_strf("%llu", sqn),
                         "AUTS names SQN_MS %s, the accepted SQN is %llu",
                         osmo_field(rs, "SQN.MS"), sqn);
        /* GSM context: SRES = c2(RES), Kc = c3(CK, IK) */
        r = fs_expect(&fc, nc_strf("0088008011" "10%s", rand), 0x9000,
                      "AUTHENTICATE GSM");
        cr_assert(r.len == 14 && r.data[0] == 4 && r.data[5] == 8);
        upper_eq(nc_hex(r.data + 1, 4), osmo_field(out, "SRES"), "SRES");
        upper_eq(nc_hex(r.data + 6, 8), osmo_field(out, "Kc"), "GSM Kc");
    }
    fs_quit(&fc);
}

Test(system_usim, sqn_freshness)
{
    FsCard fc = fs_boot(fs_make_image("card.nvm", 0), NULL, false);
    const char *ki = "465b5ce8b199b49faa5f0a2ee238a6bc";
    const char *opc = "cd63cb71954a9f4e48a5994e37a02baf";
    const char *rand = "23553cbe9637a89d218ae64dae47bf35";

    nc_console_wait(fc.card->console, "I boot: ready", READY_TIMEOUT_MS);
    fs_power_on(&fc);
    personalise(&fc, ki, opc, 0);
    /* SEQ 2^28 + 2 from SEQ_MS 0: beyond Delta (C.2.1) */
    const char *far[] = { "-3", "-a", "milenage", "-k", ki, "-o", opc, "-s",
                          nc_strf("%llu", ((1ull << 28) + 2) << 5), "-r",
                          rand, "-f", "8000", NULL };
    FsResp r = authenticate(&fc, rand, osmo_field(osmo_auc_gen(far), "AUTN"));
    cr_assert_eq(r.data[0], 0xDC, "a SQN beyond 2^28 was accepted");
    /* IND 3, SEQ 5: fresh; again: stale */
    const char *ok[] = { "-3", "-a", "milenage", "-k", ki, "-o", opc, "-s",
                         "163", "-r", rand, "-f", "8000", NULL };
    const char *autn = osmo_field(osmo_auc_gen(ok), "AUTN");
    r = authenticate(&fc, rand, autn);
    cr_assert_eq(r.data[0], 0xDB);
    r = authenticate(&fc, rand, autn);
    cr_assert_eq(r.data[0], 0xDC, "a replayed AUTN was accepted");
    /* an older SEQ in another IND slot is still fresh (C.2.2 array) */
    const char *other[] = { "-3", "-a", "milenage", "-k", ki, "-o", opc, "-s",
                            "68", "-r", rand, "-f", "8000", NULL };
    r = authenticate(&fc, rand, osmo_field(osmo_auc_gen(other), "AUTN"));
    cr_assert_eq(r.data[0], 0xDB, "SEQ 2 in slot 4 was refused");
    /* a power cycle: still stale */
    fs_power_on(&fc);
    fs_expect(&fc, USIM_SELECT, 0x9000, "SELECT ADF.USIM");
    fs_expect(&fc, "0020000108" "31323334FFFFFFFF", 0x9000, "VERIFY PIN1");
    r = authenticate(&fc, rand, autn);
    cr_assert_eq(r.data[0], 0xDC, "replayed after a power cycle");
    /* MAC failure: 9862 */
    char *bad = nc_strf("%s", autn);
    bad[31] = bad[31] == '0' ? '1' : '0';
    fs_expect(&fc, nc_strf("0088008122" "10%s" "10%s", rand, bad), 0x9862,
              "AUTHENTICATE with a bad MAC");
    fs_quit(&fc);
}
