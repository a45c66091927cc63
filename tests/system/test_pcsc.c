/*
 * System tests: the card behind a real pcscd with vsmartcard's vpcd
 * driver, used by real PC/SC clients (opensc-tool, scriptor, pyscard).
 *
 * Each test runs its own pcscd in a private mount namespace
 * (tests/system/pcsc-session.sh); the card connects to that pcscd's vpcd
 * port as `netcard run --pcsc=PORT` does.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "pcsc_card.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

TestSuite(system_pcsc, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

#define SELECT_HEX      "00A4040009F06E65746361726401"

static void require_tool(const char *tool, const char *package)
{
    (void)nc_tool(tool, package);
    (void)nc_tool("pcscd", "pcscd");
    (void)nc_tool("unshare", "util-linux");
}

Test(system_pcsc, opensc_tool_reads_the_atr)
{
    require_tool("opensc-tool", "opensc");
    int port = free_vpcd_port();
    boot_pcsc_card(port);
    static const char *const argv[] = { "opensc-tool", "-r", "0", "-a", NULL };
    char *out = pcsc_run(port, "opensc-atr", argv, NULL);
    /* opensc-tool prints the ATR as colon-separated hex: TS must be 3B. */
    cr_assert(strstr(out, "3b:") == out || strstr(out, "\n3b:"),
              "opensc-tool -a printed no ATR starting with 3b:\n%s", out);
}

Test(system_pcsc, opensc_tool_sends_apdus)
{
    require_tool("opensc-tool", "opensc");
    int port = free_vpcd_port();
    boot_pcsc_card(port);
    static const char *const argv[] = {
        "opensc-tool", "-r", "0", "-c", "default",
        "-s", SELECT_HEX, "-s", "80100000050102030405", NULL,
    };
    char *out = pcsc_run(port, "opensc-apdu", argv, NULL);
    const char *first = strstr(out, "Received (SW1=0x90, SW2=0x00)");
    cr_assert(first, "SELECT did not answer 9000 through opensc-tool:\n%s",
              out);
    const char *second = strstr(first + 1, "Received (SW1=0x90, SW2=0x00)");
    cr_assert(second, "ECHO did not answer 9000 through opensc-tool:\n%s",
              out);
    cr_assert(strstr(second, "01 02 03 04 05"),
              "ECHO did not return 01 02 03 04 05:\n%s", out);
}

Test(system_pcsc, scriptor_runs_a_script)
{
    require_tool("scriptor", "pcsc-tools");
    int port = free_vpcd_port();
    boot_pcsc_card(port);
    const char *script = nc_tmp_path("apdus.txt");
    FILE *f = fopen(script, "w");
    cr_assert(f);
    fprintf(f, "reset\n00 A4 04 00 09 F0 6E 65 74 63 61 72 64 01\n"
               "80 10 00 00 03 AA BB CC 00\n");
    fclose(f);
    static const char *const argv[] = {
        "scriptor", "-r", "Virtual PCD 00 00", NULL,
    };
    char *out = pcsc_run(port, "scriptor", argv, script);
    /* The FCI names the selected DF (ISO 7816-4 tag 84): our AID. */
    cr_assert(strstr(out, "84 09 F0 6E 65 74 63 61 72 64 01 90 00 : "
                          "Normal processing."),
              "SELECT through scriptor did not answer the FCI and 90 00:\n%s",
              out);
    cr_assert(strstr(out, "< AA BB CC 90 00"),
              "ECHO through scriptor did not return AA BB CC 90 00:\n%s", out);
}

/* Run tests/system/SCRIPT (pyscard) on the vpcd reader with ARG; its
 * output, as pcsc_run. */
static char *pyscard_run(int port, const char *tag, const char *script,
                         const char *arg)
{
    const char *argv[] = {
        "/usr/bin/python3",
        nc_strf("%s/tests/system/%s", nc_srcdir(), script),
        "Virtual PCD 00 00", arg, NULL,
    };
    return pcsc_run(port, tag, argv, NULL);
}

Test(system_pcsc, pyscard_1000_apdus)
{
    require_tool("python3", "python3");
    int port = free_vpcd_port();
    boot_pcsc_card(port);
    char *out = pyscard_run(port, "pyscard", "pyscard_echo.py", "1000");
    cr_assert(strstr(out, "ok 1000"), "pyscard run did not finish:\n%s", out);
}

/*
 * EF_ICCID (2FE2) through pcscd + vpcd. Expected bytes: the ICCID
 * 8949020000123456789 documented in docs/fs.md, BCD with the nibbles of
 * each byte swapped and F padding (ETSI TS 102 221 13.2).
 */
#define ICCID_HEX "989420000021436587f9"

Test(system_pcsc, opensc_tool_reads_ef_iccid)
{
    require_tool("opensc-tool", "opensc");
    int port = free_vpcd_port();
    boot_pcsc_card(port);
    static const char *const argv[] = {
        "opensc-tool", "-r", "0", "-c", "default",
        "-s", "00A4000C023F00", "-s", "00A4000C022FE2", "-s", "00B000000A",
        NULL,
    };
    char *out = pcsc_run(port, "opensc-iccid", argv, NULL);
    const char *p = out;
    for (int i = 0; i < 3; i++) {
        p = strstr(p, "Received (SW1=0x90, SW2=0x00)");
        cr_assert(p, "APDU %d of SELECT MF, SELECT 2FE2, READ BINARY did not "
                  "answer 9000 through opensc-tool:\n%s", i + 1, out);
        p++;
    }
    cr_assert(strstr(p, "98 94 20 00 00 21 43 65 87 F9"),
              "READ BINARY of EF_ICCID did not return 98 94 20 00 00 21 43 "
              "65 87 F9:\n%s", out);
}

Test(system_pcsc, pyscard_reads_ef_iccid)
{
    require_tool("python3", "python3");
    int port = free_vpcd_port();
    boot_pcsc_card(port);
    char *out = pyscard_run(port, "pyscard-iccid", "pyscard_iccid.py",
                            ICCID_HEX);
    cr_assert(strstr(out, "iccid " ICCID_HEX "\nok"),
              "pyscard did not read EF_ICCID " ICCID_HEX ":\n%s", out);
}

/* Boot a card behind pcscd and run one part of pyscard_usim.py, which
 * prints "ok PART" when every check of that part held. */
static void run_pyscard_usim(const char *part)
{
    int port = free_vpcd_port();
    boot_pcsc_card(port);
    char *out = pyscard_run(port, nc_strf("pyscard-usim-%s", part),
                            "pyscard_usim.py", part);
    cr_assert(strstr(out, nc_strf("\nok %s", part)), "pyscard_usim.py %s:\n%s",
              part, out);
}

/*
 * A GlobalPlatform session through pcscd (tests/system/pyscard_gp.py):
 * authenticate, GET STATUS, PUT KEY of a new key set and a session with
 * it, the sample ROM module installed twice under two AIDs with their
 * parameters, lock/unlock, DELETE, card lock/unlock (docs/gp.md).
 */
Test(system_pcsc, pyscard_globalplatform_session)
{
    require_tool("python3", "python3");
    int port = free_vpcd_port();
    boot_pcsc_card(port);
    char *out = pyscard_run(port, "pyscard-gp", "pyscard_gp.py", nc_srcdir());
    cr_assert(strstr(out, "ok gp"), "the GlobalPlatform session did not "
              "finish:\n%s", out);
}

/*
 * Native applets through pcscd with pyscard, as GPShell sends it
 * (tests/system/applets_flow.py gpshell: INSTALL [for load], LOAD of C4
 * in 247-byte blocks, INSTALL [for install and make selectable]): load,
 * install twice, select, use, DELETE refused then with related objects,
 * reload (docs/applets.md).
 */
Test(system_pcsc, pyscard_native_applet_flow)
{
    require_tool("python3", "python3");
    int port = free_vpcd_port();
    boot_pcsc_card(port);
    const char *argv[] = {
        "/usr/bin/python3",
        nc_strf("%s/tests/system/applets_flow.py", nc_srcdir()),
        "--reader", "Virtual PCD 00 00", "--build",
        nc_strf("%s/..", getenv("NETCARD_CARDOS_DIR")), "gpshell", NULL,
    };
    char *out = pcsc_run(port, "applets", argv, NULL);
    cr_assert(strstr(out, "ok gpshell"), "the applet flow through pcscd did "
              "not finish:\n%s", out);
}

/*
 * The USIM and the GSM SIM through pcscd + vpcd with pyscard
 * (tests/system/pyscard_usim.py; expected values: docs/usim.md and
 * osmo-auc-gen): every file of ADF.USIM, DF.GSM, DF.TELECOM and the MF
 * read with CLA 00 (by FID and SFI, FCP checked) and CLA A0 (9Fxx, GET
 * RESPONSE per TS 51.011 9.2.1), access rules before and after PIN1.
 */
Test(system_pcsc, pyscard_reads_every_usim_and_gsm_file)
{
    require_tool("python3", "python3");
    run_pyscard_usim("files");
}

/* VERIFY / UNBLOCK / CHANGE / DISABLE / ENABLE on CLA A0 (TS 51.011
 * 9.2.9-9.2.13, CHV status in the DF response) and CLA 00 (TS 102 221
 * 11.1.9-11.1.13, 63Cx counters), across card resets. */
Test(system_pcsc, pyscard_verify_unblock_on_cla_00_and_a0)
{
    require_tool("python3", "python3");
    run_pyscard_usim("pins");
}

/* AUTHENTICATE (3G and GSM contexts) and RUN GSM ALGORITHM against
 * osmo-auc-gen with the documented keys and random ones set through the
 * personalization application; SQN freshness: a replay and a SQN beyond
 * 2^28 are synchronisation failures whose AUTS osmo-auc-gen resolves to
 * the accepted SQN, an older SEQ in an unused IND slot is accepted, a
 * wrong MAC answers 9862. */
Test(system_pcsc, pyscard_authenticate_against_osmo_auc_gen)
{
    require_tool("python3", "python3");
    (void)nc_tool("osmo-auc-gen", "libosmocore-utils");
    run_pyscard_usim("auth");
}
