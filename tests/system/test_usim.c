/*
 * System tests: the USIM on the card (cardos-test.elf over vpcd):
 * AUTHENTICATE compared with osmo-auc-gen (Debian libosmocore-utils), an
 * independent MILENAGE, for random Ki, OPc, RAND and SQN set through the
 * personalization application (ADM1); the synchronisation failure's AUTS
 * handed back to osmo-auc-gen (-A), which must find the card's SQN_MS;
 * the GSM context against osmo-auc-gen's SRES/Kc; SQN freshness
 * (TS 33.102 Annex C): replay -> sync failure, a jump beyond 2^28 ->
 * sync failure, a fresh one -> success and then stale; and the published
 * MILENAGE test sets (TS 35.207 / 35.208) through AUTHENTICATE.
 *
 * Expected values: osmo-auc-gen's output and the 3GPP test sets, never
 * the card's own.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "fs_card.h"
#include "milenage_sets.h"
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

/* hex of A xor B (equal lengths, lower or upper case in, upper out) */
static const char *xor_hex(const char *a, const char *b)
{
    uint8_t x[16], y[16];
    size_t n = nc_unhex(a, x, sizeof(x));

    cr_assert_eq(nc_unhex(b, y, sizeof(y)), n);
    for (size_t i = 0; i < n; i++) {
        x[i] ^= y[i];
    }
    return nc_hex(x, n);
}

/*
 * The published MILENAGE test sets (tests/lib/milenage_sets.h: TS 35.207
 * 4.3 sets 1-6, TS 35.208 4.3 sets 7, 19, 20) through AUTHENTICATE on the
 * card: K with OPc, or with OP (OPc then computed by the card: every
 * other set), personalised with SQN_MS just below the set's SQN; AUTN =
 * SQN xor AK (f5) || AMF || MAC-A (f1) (TS 33.102 6.3.2); the answer is
 * RES f2, CK f3, IK f4 and Kc = c3 = CK1 xor CK2 xor IK1 xor IK2 (TS
 * 33.102 6.8.1.2); replayed, the AUTS starts with SQN_MS xor AK* (f5*)
 * (6.3.3); the GSM context gives SRES = c2 = RES1 xor RES2.
 */
Test(system_usim, milenage_test_sets_through_authenticate)
{
    FsCard fc = fs_boot(fs_make_image("card.nvm", 0), NULL, false);

    nc_console_wait(fc.card->console, "I boot: ready", READY_TIMEOUT_MS);
    fs_power_on(&fc);
    fs_expect(&fc, "0020000A08" "3838383838383838", 0x9000, "VERIFY ADM1");
    for (size_t i = 0; i < MILENAGE_SETS; i++) {
        const struct mset *s = &milenage_sets[i];
        unsigned long long sqn = strtoull(s->sqn, NULL, 16);

        fs_expect(&fc, PERSO_SELECT, 0x9000, "SELECT perso");
        fs_expect(&fc, nc_strf("805000002C0110%s%s%s0406%012llX", s->k,
                               i % 2 ? "0310" : "0210",
                               i % 2 ? s->op : s->opc, sqn - 32),
                  0x9000, nc_strf("SET USIM KEYS, test set %d", s->n));
        fs_expect(&fc, USIM_SELECT, 0x9000, "SELECT ADF.USIM");
        fs_expect(&fc, "0020000108" "31323334FFFFFFFF", 0x9000,
                  "VERIFY PIN1");
        const char *autn = nc_strf("%s%s%s", xor_hex(s->sqn, s->f5), s->amf,
                                   s->f1);
        FsResp r = authenticate(&fc, s->rand, autn);
        const char *kc = xor_hex(xor_hex(nc_strf("%.16s", s->f3),
                                         s->f3 + 16),
                                 xor_hex(nc_strf("%.16s", s->f4),
                                         s->f4 + 16));
        char *want = nc_strf("DB08%s10%s10%s08%s", s->f2, s->f3, s->f4, kc);
        for (char *c = want; *c; c++) {
            *c = (char)toupper((unsigned char)*c);
        }
        cr_assert_str_eq(nc_hex(r.data, r.len), want, "test set %d (%s): "
                         "AUTHENTICATE answered %s", s->n,
                         i % 2 ? "OP" : "OPc", nc_hex(r.data, r.len));
        r = authenticate(&fc, s->rand, autn);
        cr_assert(r.len == 16 && r.data[0] == 0xDC, "test set %d: replay "
                  "answered %s", s->n, nc_hex(r.data, r.len));
        upper_eq(nc_hex(r.data + 2, 6), xor_hex(s->sqn, s->f5s),
                 nc_strf("test set %d: AUTS's SQN_MS xor AK*", s->n));
        r = fs_expect(&fc, nc_strf("0088008011" "10%s", s->rand), 0x9000,
                      "AUTHENTICATE GSM");
        upper_eq(nc_hex(r.data, r.len),
                 nc_strf("04%s08%s", xor_hex(nc_strf("%.8s", s->f2),
                                             s->f2 + 8), kc),
                 nc_strf("test set %d: GSM context", s->n));
    }
    fs_quit(&fc);
}
