/*
 * System tests: power cuts at every flash operation of the card
 * manager's changes (QMP tear knobs of the NVM, docs/nvm.md): INITIALIZE
 * UPDATE (the sequence counter), PUT KEY, INSTALL, SET STATUS and DELETE.
 * After each cut and a power-on the card is in the old or the new state,
 * never in between, and a sequence counter never goes back (GPC 2.3.1
 * 5.1; Amendment D 6.2.2.1; the object store's transactions,
 * docs/store.md). The session is opened by an independent host SCP03
 * (tests/unit/gp_host_scp03.h); the expected states come from the
 * commands, not from the card.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "fs_card.h"
#include "../unit/gp_host_scp03.h"

TestSuite(system_gp_tear, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

static FsCard *cur;
static struct host_scp03 host;
static const uint8_t key40[16] = { 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46,
                                   0x47, 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D,
                                   0x4E, 0x4F };
static const char *const modes[3] = { "before", "partial", "after" };

/* One command over T=0 as a PC/SC application sends it: GET RESPONSE
 * after 61xx, the command again with Le = xx after 6Cxx. */
static FsResp xfer(const uint8_t *cmd, size_t n)
{
    FsResp r = fs_apdu_bytes(cur, cmd, n);

    if ((r.sw & 0xFF00) == 0x6C00 && n >= 5) {
        uint8_t again[300];

        memcpy(again, cmd, n);
        again[n - 1] = (uint8_t)r.sw;
        r = fs_apdu_bytes(cur, again, n);
    }
    if ((r.sw & 0xFF00) == 0x6100) {
        uint8_t gr[5] = { 0x00, 0xC0, 0x00, 0x00, (uint8_t)r.sw };

        r = fs_apdu_bytes(cur, gr, 5);
    }
    return r;
}

static FsResp xfer_hex(const char *hex, uint16_t sw, const char *what)
{
    uint8_t c[300];
    size_t n = nc_unhex(hex, c, sizeof(c));
    FsResp r = xfer(c, n);

    cr_assert_eq(r.sw, sw, "%s: %s answered %04X", what, hex, r.sw);
    return r;
}

static size_t send(const uint8_t *cmd, size_t n, uint8_t *rsp)
{
    FsResp r = xfer(cmd, n);

    memcpy(rsp, r.data, r.len);
    rsp[r.len] = (uint8_t)(r.sw >> 8);
    rsp[r.len + 1] = (uint8_t)r.sw;
    return r.len + 2;
}

static void open_session(void)
{
    xfer_hex("00A4040000", 0x9000, "SELECT the ISD");
    host_scp03_open(&host, send, 0x30, key40);
}

/* Send HEX wrapped in the session; the answer. */
static FsResp sec(const char *hex)
{
    uint8_t c[300], w[320];
    size_t n = nc_unhex(hex, c, sizeof(c));

    n = host_scp03_wrap(&host, c, n, w);
    return xfer(w, n);
}

static uint32_t counter(void)
{
    FsResp r = xfer_hex("80CA00C100", 0x9000, "GET DATA C1");

    cr_assert_eq(r.len, 5);
    return (uint32_t)r.data[2] << 16 | (uint32_t)r.data[3] << 8 | r.data[4];
}

/*
 * Cut the power at flash operation N (mode MODE) while HEX goes (in the
 * session when SECURE); true if it was cut (the card then powered on
 * again).
 */
static bool torn(const char *hex, bool secure, unsigned n, unsigned mode)
{
    unsigned long tears = fs_nvm_get(cur, "tears");

    fs_arm_tear(cur, modes[mode], n);
    if (secure) {
        (void)sec(hex);
    } else {
        (void)fs_apdu(cur, hex);
    }
    if (fs_nvm_get(cur, "tears") == tears) {
        fs_arm_tear(cur, "before", 0);
        return false;
    }
    nc_card_wait_banner(cur->card, "tear", BOOT_TIMEOUT_MS);
    fs_power_on(cur);
    return true;
}

/* T=0 without PPS, as the file system's tear campaigns: a cut shows as
 * the terminal's empty answer at once. */
static FsCard boot(const char *name)
{
    const char *nvm = fs_make_image(name, 0);
    FsCard fc = fs_boot(nvm, "t0", true);

    fs_power_on(&fc);
    return fc;
}

Test(system_gp_tear, sequence_counter_never_goes_back)
{
    FsCard fc = boot("gp-tear-counter.nvm");
    uint32_t before, after;
    unsigned cuts = 0;

    cur = &fc;
    for (unsigned n = 1; n < 12; n++) {
        xfer_hex("00A4040000", 0x9000, "SELECT the ISD");
        before = counter();
        if (!torn("80503000080102030405060700", false, n, n % 3)) {
            break;
        }
        cuts++;
        xfer_hex("00A4040000", 0x9000, "SELECT the ISD");
        after = counter();
        cr_assert(after == before || after == before + 1,
                  "cut at operation %u (%s): counter %06X before, %06X after",
                  n, modes[n % 3], before, after);
        /* the next session takes what C1 says, never an older value */
        FsResp r = xfer_hex("80503000080102030405060700", 0x9000, "IU");
        cr_assert(r.len == 32 && r.data[31] == (uint8_t)after);
    }
    cr_assert_gt(cuts, 0u, "INITIALIZE UPDATE wrote nothing to the NVM");
    fs_quit(&fc);
}

/* A command that changes the card, the check of its old and new state. */
struct change {
    const char *what;
    const char *cmd;
    bool (*is_old)(void);
    bool (*is_new)(void);
};

static bool status_has(const char *p1_hex, const char *aid_hex)
{
    FsResp r;

    open_session();
    r = sec(nc_strf("80F2%s02024F0000", p1_hex));
    return r.sw == 0x9000 && strstr(nc_hex(r.data, r.len), aid_hex) != NULL;
}

static bool no_app(void) { return !status_has("40", "A0000000AA01"); }
static bool app(void) { return status_has("40", "A0000000AA01"); }

static bool keys(unsigned want)
{
    FsResp r = xfer_hex("80CA00E000", 0x9000, "GET DATA E0");
    unsigned n = 0;

    for (size_t i = 2; i + 6 <= r.len; i += 6) {
        n += r.data[i + 3] == 0x31;
    }
    cr_assert(n == 0 || n == 3, "key set 31 has %u of its 3 keys", n);
    return n == want;
}

static bool no_keys(void) { xfer_hex("00A4040000", 0x9000, "ISD"); return keys(0); }
static bool has_keys(void) { xfer_hex("00A4040000", 0x9000, "ISD"); return keys(3); }

static bool locked(bool want)
{
    FsResp r;

    open_session();
    r = sec("80F28002024F0000");
    cr_assert_eq(r.sw, 0x9000);
    return (r.data[15] == 0x7F) == want;
}

static bool secured(void) { return locked(false); }
static bool card_locked(void) { return locked(true); }

/* Each change in turn, cut at every operation until it completes. */
Test(system_gp_tear, changes_are_old_or_new_after_every_cut)
{
    /* PUT KEY of key set 31 (AES, 40..4F encrypted with the static DEK
     * 40..4F: 3D0FA4.. is 00..0F from scp03-i70-gp26.trace) */
    static const struct change changes[] = {
        { "INSTALL", "80E60C00200AF06E657463617264030009F06E65746361726403"
          "06A0000000AA0101000000", no_app, app },
        { "DELETE", "80E40000084F06A0000000AA01", app, no_app },
        { "PUT KEY", "80D8008146318811103D0FA4B855D2A5AA4954B8B5DF582A3A"
          "03C352808811103D0FA4B855D2A5AA4954B8B5DF582A3A03C35280881110"
          "3D0FA4B855D2A5AA4954B8B5DF582A3A03C35280", no_keys, has_keys },
        { "SET STATUS lock", "80F0807F", secured, card_locked },
        { "SET STATUS unlock", "80F0800F", card_locked, secured },
    };
    FsCard fc = boot("gp-tear-changes.nvm");
    unsigned cuts = 0, cuts_before = 0;

    cur = &fc;
    for (size_t k = 0; k < sizeof(changes) / sizeof(changes[0]); k++) {
        const struct change *ch = &changes[k];
        bool done = false;

        /* each flash operation cut before, part way and after, in turn,
         * until a cut comes after the commit or the command completes */
        for (unsigned n = 1; n < 16 && !done; n++) {
            for (unsigned mode = 0; mode < 3 && !done; mode++) {
                cr_assert(ch->is_old(), "%s: not in the old state before "
                          "cut %u", ch->what, n);
                open_session();
                if (!torn(ch->cmd, true, n, mode)) {
                    done = true;
                    break;
                }
                cuts++;
                if (ch->is_new()) {
                    done = true;        /* the cut came after its commit */
                } else {
                    cr_assert(ch->is_old(), "%s: cut at operation %u (%s) "
                              "left neither the old nor the new state",
                              ch->what, n, modes[mode]);
                }
            }
        }
        cr_assert(done && ch->is_new(), "%s never completed", ch->what);
        cr_log_info("%s: %u cuts (its flash operations in turn, before, "
                    "part way, after), old or new state after each",
                    ch->what, cuts - cuts_before);
        cuts_before = cuts;
    }
    cr_assert_gt(cuts, 4u);
    fs_quit(&fc);
}
