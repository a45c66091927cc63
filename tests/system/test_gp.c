/*
 * System tests: the GlobalPlatform card manager on the card (QEMU, the
 * test image, vpcd framing): the GlobalPlatformPro and GPShell reference
 * sessions of tests/vectors/gp-traces replayed command by command, so
 * that every cryptogram, C-MAC and R-MAC the tools computed is checked
 * against the card's coprocessor; the secure channel's sequence counter
 * across a power cycle.
 *
 * Before a replay the test image's state hooks (tests/cardos/
 * test_gp_state.h) put the card where the trace's card started: only
 * the trace's key set, its sequence counter at the trace's value.
 * Expected bytes are the traces' (fields the reference card invented and
 * its departures from GPC 2.3.1 excepted: tests/unit/gp_trace.h and the
 * lists below; docs/gp.md "Replays"), with one more rule on the card:
 * GET STATUS answers also list the card's own ROM modules and their
 * instances (AIDs F06E6574636172..., the security domain module's load
 * file A00000015153504100), which the reference card did not have; they
 * are taken out of the answer before comparing (an answer left empty is
 * 6A88, as the reference card's).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "fs_card.h"
#include "../unit/gp_trace.h"

TestSuite(system_gp, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

static const uint8_t rom_prefix[7] = { 0xF0, 0x6E, 0x65, 0x74, 0x63, 0x61,
                                       0x72 };
/* the security domain module's load file (gp/isd.h) */
static const uint8_t sd_elf[9] = { 0xA0, 0x00, 0x00, 0x01, 0x51, 0x53, 0x50,
                                   0x41, 0x00 };

/* Take the card's ROM entries out of a GET STATUS answer (tag format). */
static size_t drop_rom_entries(uint8_t *r, size_t n)
{
    size_t at = 0, out = 0;

    if (n < 2 || r[n - 2] != 0x90 || r[n - 1] != 0x00 || r[0] != 0xE3) {
        return n;
    }
    while (at + 2 <= n - 2 && r[at] == 0xE3) {
        size_t len = r[at + 1];
        bool rom = len >= 2 + 7 && r[at + 2] == 0x4F &&
                   ((r[at + 3] >= 7 && memcmp(r + at + 4, rom_prefix, 7) == 0) ||
                    (r[at + 3] == 9 && memcmp(r + at + 4, sd_elf, 9) == 0));

        if (!rom) {
            memmove(r + out, r + at, 2 + len);
            out += 2 + len;
        }
        at += 2 + len;
    }
    if (out == 0) {
        r[0] = 0x6A;
        r[1] = 0x88;
        return 2;
    }
    r[out++] = 0x90;
    r[out++] = 0x00;
    return out;
}

static size_t card_send(void *ctx, const uint8_t *cmd, size_t n, uint8_t *rsp,
                        size_t cap)
{
    FsCard *fc = ctx;
    FsResp r = fs_apdu_bytes(fc, cmd, n);
    size_t len = r.len + 2;

    cr_assert(r.sw != 0, "no answer to %s", nc_hex(cmd, n));
    cr_assert(len <= cap);
    memcpy(rsp, r.data, r.len);
    rsp[r.len] = (uint8_t)(r.sw >> 8);
    rsp[r.len + 1] = (uint8_t)r.sw;
    if (n >= 2 && (cmd[0] & 0xF0) == 0x80 && cmd[1] == 0xF2) {
        len = drop_rom_entries(rsp, len);
    }
    return len;
}

#define HOOKS "00A4040009F06E65746361726404"

/* The trace's starting state: key set KEEP only, its counter at 0010. */
static FsCard boot_trace_state(const char *name, uint8_t keep, uint8_t drop)
{
    const char *nvm = fs_make_image(name, 0);
    FsCard fc = fs_boot(nvm, NULL, false);

    fs_power_on(&fc);
    fs_expect(&fc, HOOKS, 0x9000, "select the state hooks");
    fs_expect(&fc, nc_strf("8060%02X00", drop), 0x9000, "delete a key set");
    fs_expect(&fc, nc_strf("8062%02X0003000010", keep), 0x9000,
              "set the counter");
    return fc;
}

static void keep_30(void *ctx)
{
    FsCard *fc = ctx;

    fs_expect(fc, HOOKS, 0x9000, "hooks");
    fs_expect(fc, "8064308800", 0x9000, "keep the 40..4F key set 30");
}

#define APP_ENTRY "E3134F08D0D1D2D3D4D501019F700107C503000000"
#define ONE(line) { line, APP_ENTRY "9000", "one instance", NULL }

/* tests/unit/test_gp_isd.c has the reasons of each line */
static const struct gpt_dev scp03_gp_devs[] = {
    { 141, "6A88", "11.2.2.1", NULL }, { 171, "6A88", "11.2.2.1", NULL },
    { 194, "6A88", "11.2.2.1", NULL }, { 214, "6A88", "11.2.2.1", NULL },
    { 280, "6A88", "11.2.2.1", NULL }, { 302, "6A88", "11.2.2.1", NULL },
    ONE(349), { 368, "6A88", "11.2.2.2", NULL }, ONE(382),
    { 0, NULL, NULL, NULL },
};

Test(system_gp, replay_globalplatformpro_scp03_session)
{
    FsCard fc = boot_trace_state("gp-scp03.nvm", 0x30, 0x20);

    cr_assert_eq(gpt_replay("scp03-i70-gp.trace", 1, NULL, scp03_gp_devs,
                            card_send, &fc), 141u);
    fs_quit(&fc);
}

Test(system_gp, replay_globalplatformpro_scp02_session)
{
    FsCard fc = boot_trace_state("gp-scp02.nvm", 0x20, 0x30);

    cr_assert_eq(gpt_replay("scp02-i55-gp.trace", 1, NULL, scp03_gp_devs,
                            card_send, &fc), 141u);
    fs_quit(&fc);
}

static const struct gpt_dev gp26_devs[] = {
    { 141, "6A88", "11.2.2.1", NULL }, { 171, "6A88", "11.2.2.1", NULL },
    { 194, "6A88", "11.2.2.1", NULL }, { 214, "6A88", "11.2.2.1", NULL },
    { 236, NULL, "reference kept its keys", keep_30 },
    { 262, "E024C00401028810C00402028810C00403028810C00401308810"
           "C00402308810C004033088109000", "PUT KEY stores", NULL },
    { 304, "6A88", "11.2.2.1", NULL }, { 326, "6A88", "11.2.2.1", NULL },
    ONE(373), ONE(406), ONE(440), ONE(460), ONE(480),
    { 0, NULL, NULL, NULL },
};

Test(system_gp, replay_globalplatformpro26_scp03_session)
{
    FsCard fc = boot_trace_state("gp26-scp03.nvm", 0x30, 0x20);

    cr_assert_eq(gpt_replay("scp03-i70-gp26.trace", 1, NULL, gp26_devs,
                            card_send, &fc), 168u);
    fs_quit(&fc);
}

static const struct gpt_dev gpshell_devs[] = {
    { 103, "6A88", "11.8.2.2", NULL },
    { 0, NULL, NULL, NULL },
};

Test(system_gp, replay_gpshell_scp03_sessions)
{
    FsCard fc = boot_trace_state("gpshell-scp03.nvm", 0x30, 0x20);

    cr_assert_eq(gpt_replay("scp03-i70-gpshell-3k.trace", 1, NULL,
                            gpshell_devs, card_send, &fc), 39u);
    fs_quit(&fc);
}

/* The counter is on the NVM before the card answers: a power cycle
 * never brings a used value back. */
Test(system_gp, sequence_counter_survives_a_power_cycle)
{
    const char *nvm = fs_make_image("gp-counter.nvm", 0);
    FsCard fc = fs_boot(nvm, NULL, false);
    FsResp r;

    fs_power_on(&fc);
    fs_expect(&fc, "00A4040000", 0x9000, "select the ISD");
    r = fs_expect(&fc, "80CA00C100", 0x9000, "GET DATA C1");
    cr_assert(r.len == 5 && r.data[4] == 0x00, "C1 %s", nc_hex(r.data, r.len));
    r = fs_expect(&fc, "80503000080102030405060700", 0x9000, "IU");
    cr_assert(r.len == 32 && r.data[31] == 0x00);
    fs_power_on(&fc);
    fs_expect(&fc, "00A4040000", 0x9000, "select the ISD");
    r = fs_expect(&fc, "80503000080102030405060700", 0x9000, "IU");
    cr_assert(r.len == 32 && r.data[31] == 0x01, "counter %02X after a power "
              "cycle", r.data[31]);
    fs_quit(&fc);
}

/*
 * DESIGN.md "GlobalPlatform": the file system stays the basic channel's
 * default application; TS 102 221 STATUS (80 F2) goes to it unless the
 * ISD is selected, where 80 F2 is GET STATUS (6982 without a session).
 */
Test(system_gp, status_goes_to_the_file_system_unless_the_isd_is_selected)
{
    const char *nvm = fs_make_image("gp-status.nvm", 0);
    FsCard fc = fs_boot(nvm, NULL, false);
    FsResp r;

    fs_power_on(&fc);
    r = fs_expect(&fc, "80F2000000", 0x9000, "STATUS after reset: the MF");
    cr_assert(r.len > 0 && r.data[0] == 0x62, "STATUS answered %s",
              nc_hex(r.data, r.len));
    fs_expect(&fc, "00A4040000", 0x9000, "SELECT the ISD");
    fs_expect(&fc, "80F2000000", 0x6982, "GET STATUS without a session");
    fs_expect(&fc, "00A4000C023F00", 0x9000, "SELECT MF");
    fs_expect(&fc, "80F2000000", 0x9000, "STATUS: the file system again");
    fs_quit(&fc);
}
