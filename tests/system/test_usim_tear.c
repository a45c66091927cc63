/*
 * System tests: power cuts (NVM tearing injection over QMP, docs/nvm.md,
 * campaigns as in test_fs_tear.c: tear_campaign.h) during the USIM's two
 * writing commands a network drives all day (docs/usim.md):
 *
 *  - AUTHENTICATE (3G context) commits the SQN array before RES, CK and
 *    IK leave the card (TS 33.102 Annex C; fs/usim_auth.h). After every
 *    cut: an AUTN accepted before the cut is refused (synchronisation
 *    failure), the AUTS names SQN_MS = the highest accepted SQN or the
 *    one whose answer the cut swallowed (osmo-auc-gen -A decodes it),
 *    never anything lower; the swallowed AUTN is then accepted exactly
 *    when SQN_MS says it was not used, and refused when it was; never
 *    6983 (a damaged SQN record).
 *  - UPDATE BINARY of EF.LOCI (6F7E; ADF.USIM, also DF.GSM's EF.LOCI:
 *    the same content) reads all old or all new, through both paths,
 *    whichever path (CLA 00 by SFI or after SELECT, CLA A0 in DF.GSM)
 *    and whatever part of the file the cut update wrote.
 *
 * PIN1 is disabled at the start (TS 102 221 11.1.11) so that no VERIFY
 * (which writes its try counter, and so repairs the store) comes between
 * a cut and the next command: half the time (repair_first) the store's
 * repair is done by a VERIFY ADM1 first, half the time by the torn
 * command itself.
 *
 * Expected values: the documented personalisation (docs/usim.md: Ki,
 * OPc, EF.LOCI's content) and osmo-auc-gen's AUTN/RES and SQN.MS.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "osmo_auc.h"
#include "tear_campaign.h"

#include <ctype.h>

TestSuite(system_usim_tear, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

#define AUTH_TEARS    120
#define LOCI_TEARS    200
#define USIM_SELECT   "00A4040C07A0000000871002"
#define AUTH_HISTORY  16

/* docs/usim.md "Keys and personalisation values": TS 35.208 set 1 */
static const char ki[] = "465b5ce8b199b49faa5f0a2ee238a6bc";
static const char opc[] = "cd63cb71954a9f4e48a5994e37a02baf";

static void boot_usim(FsCard *fc)
{
    nc_console_wait(fc->card->console, "I boot: ready", READY_TIMEOUT_MS);
    fs_power_on(fc);
}

/* PIN1 verified, then disabled: its security status no longer needs a
 * VERIFY after each reboot. */
static void disable_pin1(FsCard *fc)
{
    fs_expect(fc, fs_case3("00260001", fs_pin1, 8), 0x9000,
              "DISABLE VERIFICATION PIN1");
    /* TS 102 221 11.1.9: 9000, verification not required */
    cr_assert_eq(fs_tries_left(fc, FS_PIN1_REF), -1,
                 "PIN1 disabled: VERIFY without data should answer 9000");
}

static void repair(FsCard *fc)
{
    FsResp r = fs_verify(fc, FS_ADM1_REF, fs_adm1);

    cr_assert_eq(r.sw, 0x9000, "VERIFY ADM1 (repairs) answered %04X", r.sw);
}

/* Every flash operation of the command on a clean store (1 .. OPS) was
 * cut in every mode at least once. */
static void every_operation_cut(const Campaign *c, unsigned ops,
                                const char *what)
{
    for (unsigned n = 1; n <= ops && n < 9; n++) {
        for (unsigned m = 0; m < 3; m++) {
            cr_assert_gt(c->by_op[n][m], 0, "seed %llu: %s: no cut at flash "
                         "operation %u in mode %s", c->seed, what, n,
                         tear_modes[m]);
        }
    }
}

/* ------------------------------------------------------------------ */
/* AUTHENTICATE                                                        */

typedef struct Vector {
    unsigned long long sqn;
    char rand[33], autn[33], res[17];
} Vector;

/* Vectors made in batches (one osmo-auc-gen process each): SEQ 1, 2, ...
 * with a random IND and RAND. */
#define POOL 100
typedef struct Pool {
    Vector v[POOL];
    unsigned next, n;
    unsigned long long seq;
} Pool;

static Vector make_vector(Campaign *c, Pool *pool)
{
    if (pool->next == pool->n) {
        const char *args[POOL];
        char *out[POOL];

        for (unsigned i = 0; i < POOL; i++) {
            Vector *v = &pool->v[i];

            v->sqn = ++pool->seq << 5 | prng_below(c, 32);
            for (int k = 0; k < 16; k++) {
                sprintf(v->rand + 2 * k, "%02x", prng_below(c, 256));
            }
            args[i] = nc_strf("-3 -a milenage -k %s -o %s -s %llu -r %s "
                              "-f 8000", ki, opc, v->sqn, v->rand);
        }
        osmo_auc_gen_many(args, POOL, out);
        for (unsigned i = 0; i < POOL; i++) {
            Vector *v = &pool->v[i];

            cr_assert_str_eq(osmo_field(out[i], "SQN"),
                             nc_strf("%llu", v->sqn));
            snprintf(v->autn, sizeof(v->autn), "%s",
                     osmo_field(out[i], "AUTN"));
            snprintf(v->res, sizeof(v->res), "%s", osmo_field(out[i], "RES"));
        }
        pool->next = 0;
        pool->n = POOL;
    }
    return pool->v[pool->next++];
}

/* T=0 (TS 102 221 7.3.1.1.4): 61xx, the answer waits for GET RESPONSE */
static void get_response(FsCard *fc, FsResp *r)
{
    if ((r->sw & 0xFF00) == 0x6100) {
        *r = fs_apdu(fc, nc_strf("00C00000%02X", r->sw & 0xFF));
    }
}

static const char *auth_apdu(const Vector *v)
{
    return nc_strf("0088008122" "10%s" "10%s", v->rand, v->autn);
}

/* A success (DB) whose RES is osmo-auc-gen's: true; a synchronisation
 * failure (DC): false; anything else fails. */
static bool accepted(Campaign *c, const Vector *v, const FsResp *r,
                     const char *what)
{
    cr_assert_eq(r->sw, 0x9000, "seed %llu round %d: %s (SQN %llu) "
                 "answered %04X (6983: the SQN record was damaged)",
                 c->seed, c->round, what, v->sqn, r->sw);
    cr_assert(r->len >= 2 && (r->data[0] == 0xDB || r->data[0] == 0xDC),
              "seed %llu round %d: %s answered %s", c->seed, c->round, what,
              nc_hex(r->data, r->len));
    if (r->data[0] == 0xDC) {
        cr_assert(r->len == 16 && r->data[1] == 14, "sync failure %s",
                  nc_hex(r->data, r->len));
        return false;
    }
    char *res = nc_strf("%s", v->res);
    for (char *p = res; *p; p++) {
        *p = (char)toupper((unsigned char)*p);
    }
    cr_assert(r->len == 53 && strcmp(nc_hex(r->data + 2, 8), res) == 0,
              "seed %llu round %d: %s: RES %s, osmo-auc-gen %s", c->seed,
              c->round, what, nc_hex(r->data + 2, 8), res);
    return true;
}

/* What a cut left, checked once osmo-auc-gen has decoded the AUTS. */
typedef struct CutCheck {
    int round;
    unsigned mode, n;
    unsigned long long sqn;         /* of the AUTN whose answer was cut */
    unsigned long long max_before;  /* the highest SQN accepted before */
    bool used;                      /* its AUTN was refused after the cut */
    char auts[29], rand[33];
} CutCheck;

/* Replay V, accepted before: must be a synchronisation failure; its AUTS
 * (hex) into AUTS. */
static void replay(Campaign *c, FsCard *fc, const Vector *v, char *auts)
{
    FsResp r = fs_apdu(fc, auth_apdu(v));

    get_response(fc, &r);
    cr_assert(!accepted(c, v, &r, "a replayed AUTN"), "seed %llu round %d: "
              "the AUTN of SQN %llu, accepted before, was accepted again "
              "(cut mode %s at operation %u)", c->seed, c->round, v->sqn,
              tear_modes[c->last_mode], c->last_n);
    if (auts) {
        snprintf(auts, 29, "%s", nc_hex(r.data + 2, 14));
    }
}

Test(system_usim_tear, authenticate_never_replays_a_sqn)
{
    const char *nvm = fs_make_image("card.nvm", 0);
    FsCard fc = fs_boot(nvm, "t0", true);
    boot_usim(&fc);
    fs_expect(&fc, USIM_SELECT, 0x9000, "SELECT ADF.USIM");
    disable_pin1(&fc);

    Campaign c = campaign_start(&fc, 0x5351, "AUTHENTICATE");
    static Pool pool;
    static CutCheck checks[AUTH_TEARS + 1];
    Vector hist[AUTH_HISTORY];
    unsigned n_hist = 0;
    unsigned long long max_sqn;

    memset(&pool, 0, sizeof(pool));
    /* flash operations of a successful AUTHENTICATE: the SQN commit */
    hist[n_hist++] = make_vector(&c, &pool);
    unsigned long before = fs_flash_ops(&fc);
    FsResp r = fs_apdu(&fc, auth_apdu(&hist[0]));
    get_response(&fc, &r);
    cr_assert(accepted(&c, &hist[0], &r, "AUTHENTICATE"));
    unsigned ops = (unsigned)(fs_flash_ops(&fc) - before);
    cr_assert_gt(ops, 0u, "AUTHENTICATE wrote no flash: the SQN is not "
                 "persistent");
    max_sqn = hist[0].sqn;

    while (c.tears < AUTH_TEARS) {
        cr_assert_lt(c.round, AUTH_TEARS * 6, "seed %llu: only %d cuts in "
                     "%d rounds", c.seed, c.tears, c.round);
        Vector v = make_vector(&c, &pool);
        if (repair_first(&c)) {
            repair(&fc);
        }
        if (!torn_apdu(&c, &fc, auth_apdu(&v), ops, &r)) {
            get_response(&fc, &r);
            cr_assert(accepted(&c, &v, &r, "AUTHENTICATE (not cut)"),
                      "seed %llu round %d: a fresh SQN %llu (not cut) was "
                      "refused", c.seed, c.round, v.sqn);
            max_sqn = v.sqn;
            hist[n_hist++ % AUTH_HISTORY] = v;
            continue;
        }
        CutCheck *k = &checks[c.tears - 1];
        *k = (CutCheck){ .round = c.round, .mode = c.last_mode,
                         .n = c.last_n, .sqn = v.sqn,
                         .max_before = max_sqn };
        fs_expect(&fc, USIM_SELECT, 0x9000, "SELECT ADF.USIM after a cut");
        /* the last accepted AUTN and an older one: never again */
        const Vector *last = &hist[(n_hist - 1) % AUTH_HISTORY];
        replay(&c, &fc, last, k->auts);
        snprintf(k->rand, sizeof(k->rand), "%s", last->rand);
        unsigned kept = n_hist < AUTH_HISTORY ? n_hist : AUTH_HISTORY;
        replay(&c, &fc, &hist[prng_below(&c, kept)], NULL);
        /* the AUTN whose answer the cut swallowed: either */
        r = fs_apdu(&fc, auth_apdu(&v));
        get_response(&fc, &r);
        k->used = !accepted(&c, &v, &r, "the AUTN whose answer was cut");
        c.outcome[k->used ? 1 : 0]++;
        cut_log(&c, k->used ? "SQN used" : "SQN unused, accepted after");
        max_sqn = v.sqn;
        hist[n_hist++ % AUTH_HISTORY] = v;
        /* it is used now */
        replay(&c, &fc, &v, NULL);
    }
    static const char *const names[3] = { "unused", "used", "-" };
    campaign_report(&c, "AUTHENTICATE", names, nc_strf("%u", ops));
    every_operation_cut(&c, ops, "AUTHENTICATE");

    /* durable: a new QEMU on the image has the same SQN_MS */
    fs_quit(&fc);
    fc = fs_boot(nvm, "t0", true);
    boot_usim(&fc);
    fs_expect(&fc, USIM_SELECT, 0x9000, "SELECT ADF.USIM");
    CutCheck *end = &checks[AUTH_TEARS];
    *end = (CutCheck){ .round = -1, .sqn = max_sqn, .max_before = max_sqn,
                       .used = true };
    replay(&c, &fc, &hist[(n_hist - 1) % AUTH_HISTORY], end->auts);
    snprintf(end->rand, sizeof(end->rand), "%s",
             hist[(n_hist - 1) % AUTH_HISTORY].rand);
    fs_quit(&fc);

    /*
     * SQN_MS in each AUTS (TS 33.102 6.3.5): the highest accepted SQN
     * before the cut when the swallowed AUTN was accepted afterwards
     * (the cut left its SQN unused), its own SQN when it was refused
     * (used before the cut); never lower: no SQN went back.
     */
    const char *args[AUTH_TEARS + 1];
    char *out[AUTH_TEARS + 1];
    for (int i = 0; i <= AUTH_TEARS; i++) {
        args[i] = nc_strf("-3 -a milenage -k %s -o %s -A %s -r %s", ki, opc,
                          checks[i].auts, checks[i].rand);
    }
    osmo_auc_gen_many(args, AUTH_TEARS + 1, out);
    for (int i = 0; i <= AUTH_TEARS; i++) {
        const CutCheck *k = &checks[i];
        unsigned long long ms = strtoull(osmo_field(out[i], "SQN.MS"), NULL,
                                         10);
        unsigned long long want = k->used ? k->sqn : k->max_before;

        cr_assert_eq(ms, want, "seed %llu %s%d: after a cut (%s at operation "
                     "%u) during AUTHENTICATE of SQN %llu (highest accepted "
                     "before: %llu) the AUTS names SQN_MS %llu, expected "
                     "%llu: its AUTN was then %s", c.seed,
                     k->round < 0 ? "after a QEMU restart, round " : "round ",
                     k->round, tear_modes[k->mode], k->n, k->sqn,
                     k->max_before, ms, want,
                     k->used ? "refused" : "accepted");
    }
}

/* ------------------------------------------------------------------ */
/* UPDATE BINARY of EF.LOCI                                            */

#define LOCI_SIZE 11

/* docs/usim.md: TMSI FFFFFFFF, LAI 00F110 FFFE, TMSI TIME FF, status 01 */
static const uint8_t loci_first[LOCI_SIZE] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0xF1, 0x10, 0xFF, 0xFE, 0xFF, 0x01,
};

/* EF.LOCI through ADF.USIM (SFI 0B) and through DF.GSM (CLA A0): both
 * must read the same 11 bytes. */
static void read_loci(FsCard *fc, uint8_t out[LOCI_SIZE])
{
    fs_expect(fc, USIM_SELECT, 0x9000, "SELECT ADF.USIM");
    FsResp u = fs_expect(fc, "00B08B000B", 0x9000, "READ BINARY SFI 0B");
    fs_expect(fc, "A0A40000027F20", 0x9F16, "A0 SELECT DF.GSM");
    fs_expect(fc, "A0A40000026F7E", 0x9F0F, "A0 SELECT EF.LOCI");
    FsResp g = fs_expect(fc, "A0B000000B", 0x9000, "A0 READ BINARY");
    cr_assert(u.len == LOCI_SIZE && g.len == LOCI_SIZE &&
              memcmp(u.data, g.data, LOCI_SIZE) == 0,
              "EF.LOCI reads %s in ADF.USIM and %s in DF.GSM",
              nc_hex(u.data, u.len), nc_hex(g.data, g.len));
    memcpy(out, u.data, LOCI_SIZE);
}

/* The UPDATE BINARY of bytes OFF .. OFF+LEN-1 of NEXT by PATH: 0 CLA 00
 * by SFI, 1 CLA 00 after SELECT, 2 CLA A0 in DF.GSM (selected here). */
static const char *update_loci(FsCard *fc, unsigned path,
                               const uint8_t *next, unsigned off,
                               unsigned len)
{
    if (path == 2) {
        fs_expect(fc, "A0A40000027F20", 0x9F16, "A0 SELECT DF.GSM");
        fs_expect(fc, "A0A40000026F7E", 0x9F0F, "A0 SELECT EF.LOCI");
        return fs_case3(nc_strf("A0D600%02X", off), next + off, len);
    }
    fs_expect(fc, USIM_SELECT, 0x9000, "SELECT ADF.USIM");
    if (path == 1) {
        fs_expect(fc, "00A4000C026F7E", 0x9000, "SELECT EF.LOCI");
        return fs_case3(nc_strf("00D600%02X", off), next + off, len);
    }
    return fs_case3(nc_strf("00D68B%02X", off), next + off, len);
}

Test(system_usim_tear, loci_is_old_or_new_after_every_cut)
{
    static const char *const paths[] = { "CLA 00 SFI 0B",
                                         "CLA 00 SELECT 6F7E",
                                         "CLA A0 DF.GSM 6F7E" };
    const char *nvm = fs_make_image("card.nvm", 0);
    FsCard fc = fs_boot(nvm, "t0", true);
    boot_usim(&fc);
    fs_expect(&fc, USIM_SELECT, 0x9000, "SELECT ADF.USIM");
    disable_pin1(&fc);

    uint8_t cur[LOCI_SIZE], next[LOCI_SIZE], got[LOCI_SIZE];
    read_loci(&fc, got);
    cr_assert(memcmp(got, loci_first, LOCI_SIZE) == 0, "a new card's "
              "EF.LOCI reads %s, docs/usim.md says %s",
              nc_hex(got, LOCI_SIZE), nc_hex(loci_first, LOCI_SIZE));
    memcpy(cur, got, LOCI_SIZE);

    Campaign c = campaign_start(&fc, 0x4C4F, "EF.LOCI");
    /* flash operations of a whole-file update */
    for (unsigned i = 0; i < LOCI_SIZE; i++) {
        next[i] = (uint8_t)prng_below(&c, 256);
    }
    const char *apdu = update_loci(&fc, 0, next, 0, LOCI_SIZE);
    unsigned long before = fs_flash_ops(&fc);
    fs_expect(&fc, apdu, 0x9000, "UPDATE BINARY EF.LOCI");
    unsigned ops = (unsigned)(fs_flash_ops(&fc) - before);
    cr_assert_gt(ops, 0u, "UPDATE BINARY of EF.LOCI wrote no flash");
    memcpy(cur, next, LOCI_SIZE);
    int by_path[3] = { 0 };

    while (c.tears < LOCI_TEARS) {
        cr_assert_lt(c.round, LOCI_TEARS * 6, "seed %llu: only %d cuts in "
                     "%d rounds", c.seed, c.tears, c.round);
        /* the whole file (TMSI, LAI, status: a location update) or a
         * part of it; every byte of the part changes */
        unsigned off = 0, len = LOCI_SIZE;
        if (prng_below(&c, 3) == 0) {
            off = prng_below(&c, LOCI_SIZE);
            len = 1 + prng_below(&c, LOCI_SIZE - off);
        }
        memcpy(next, cur, LOCI_SIZE);
        for (unsigned i = off; i < off + len; i++) {
            next[i] = (uint8_t)(cur[i] + 1 + prng_below(&c, 255));
        }
        unsigned path = prng_below(&c, 3);
        if (repair_first(&c)) {
            repair(&fc);
        }
        apdu = update_loci(&fc, path, next, off, len);
        by_path[path]++;
        FsResp r;
        if (!torn_apdu(&c, &fc, apdu, ops, &r)) {
            cr_assert_eq(r.sw, 0x9000, "seed %llu round %d: UPDATE BINARY "
                         "(%s, not cut) answered %04X", c.seed, c.round,
                         paths[path], r.sw);
            memcpy(cur, next, LOCI_SIZE);
            continue;
        }
        read_loci(&fc, got);
        if (memcmp(got, cur, LOCI_SIZE) == 0) {
            c.outcome[0]++;
            cut_log(&c, nc_strf("%s, bytes %u..%u: old", paths[path], off,
                                off + len - 1));
        } else if (memcmp(got, next, LOCI_SIZE) == 0) {
            c.outcome[1]++;
            cut_log(&c, nc_strf("%s, bytes %u..%u: new", paths[path], off,
                                off + len - 1));
            memcpy(cur, next, LOCI_SIZE);
        } else {
            cr_assert_fail("seed %llu round %d: after a cut (%s at "
                           "operation %u) during UPDATE BINARY (%s) of bytes "
                           "%u..%u EF.LOCI reads %s: neither the old %s nor "
                           "the new %s", c.seed, c.round,
                           tear_modes[c.last_mode], c.last_n, paths[path],
                           off, off + len - 1, nc_hex(got, LOCI_SIZE),
                           nc_hex(cur, LOCI_SIZE), nc_hex(next, LOCI_SIZE));
        }
    }
    static const char *const names[3] = { "old", "new", "-" };
    campaign_report(&c, "EF.LOCI", names, nc_strf("%u", ops));
    every_operation_cut(&c, ops, "EF.LOCI");
    cr_log_info("EF.LOCI: updates by %s %d, %s %d, %s %d", paths[0],
                by_path[0], paths[1], by_path[1], paths[2], by_path[2]);

    /* durable: a new QEMU on the image reads the last state */
    fs_quit(&fc);
    fc = fs_boot(nvm, "t0", true);
    boot_usim(&fc);
    read_loci(&fc, got);
    cr_assert(memcmp(got, cur, LOCI_SIZE) == 0, "seed %llu: after a QEMU "
              "restart EF.LOCI reads %s, expected %s", c.seed,
              nc_hex(got, LOCI_SIZE), nc_hex(cur, LOCI_SIZE));
    fs_quit(&fc);
}
