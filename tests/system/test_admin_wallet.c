/*
 * Issue 15's end-to-end scenario: netcard-ras is told "load wallet.ncap,
 * install it with its PIN, personalise it" for a card; the card is
 * triggered and its agent does it all through one admin session; then
 * the card is used the way its holder would, through pcscd + vpcd with
 * pyscard (tests/system/pyscard_wallet.py): the registry (GET STATUS)
 * has the wallet, its balance is the personalisation's credit and its
 * PIN the install parameters'.
 *
 * The personalisation is the wallet sample's own (cardos/sdk/samples/
 * wallet/wallet.c): the PIN in the install parameters (C9), then a credit
 * that only the issuer's secure channel may send: a job that
 * netcard-ras wraps itself in SCP03 (enqueue --scp03, the card's static
 * keys on the server) with the wallet as the targeted application, so
 * that INITIALIZE UPDATE and EXTERNAL AUTHENTICATE go through the
 * wallet's processSecurity (nc_sc_process).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "admin_card.h"
#include "pcsc_card.h"

TestSuite(system_admin_wallet, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_SYSTEM);

#define WALLET_AID  "A0000000770301"
#define WALLET_PIN  "39383736"      /* "9876", not the sample's default */
#define CREDIT      1000

Test(system_admin_wallet, load_install_personalise_then_pcscd)
{
    (void)nc_tool("pcscd", "pcscd");
    (void)nc_tool("unshare", "util-linux");
    (void)nc_tool("python3", "python3");
    const char *build = getenv("NETCARD_CARDOS_DIR");
    cr_assert(build, "NETCARD_CARDOS_DIR is not set (run through make)");
    const char *wallet = nc_strf("%s/../applets/wallet.ncap", build);
    cr_assert(access(wallet, R_OK) == 0, "%s is missing: make applets",
              wallet);
    const char *db = nc_tmp_path("ras.db");
    RasSrv srv = ras_start(db, 0, "ras", NULL);
    const char *k = "404142434445464748494A4B4C4D4E4F";

    ras_cli(db, "card", "--card", CARD_ICCID, "--identity", ADMIN_ID,
            "--psk", ADMIN_PSK_HEX, "--scp03", nc_strf("30:%s:%s:%s", k, k, k));
    /* job 1: load and install with the PIN; job 2: the issuer's credit
     * under SCP03 (C-MAC, C-DECRYPTION, R-MAC, R-ENCRYPTION) */
    ras_cli(db, "enqueue", "--card", CARD_ICCID, "--load", wallet,
            "--install", WALLET_AID, "--params", WALLET_PIN);
    ras_cli(db, "enqueue", "--card", CARD_ICCID, "--target", WALLET_AID,
            "--scp03", "51", "--apdu", nc_strf("8052000004%08X", CREDIT));

    /* the card on an NVM image, first on a plain vpcd port for the
     * parameters and the trigger */
    const char *nvm = nvm_image_make("wallet.nvm", 0);
    fc.port = nc_free_tcp_port();
    const char *const opts[] = {
        "--nvm", nvm, "--iso", nc_strf("listen:127.0.0.1:%d", fc.port),
        "--net", "user", NULL,
    };
    NcCardOpts o = { .image = "cardos-test.elf", .cmdline_opts = opts };
    fc.card = nc_card_start(&o);
    nc_card_wait_banner(fc.card, "power-on", BOOT_TIMEOUT_MS);
    fc.vpcd = nc_vpcd_connect(fc.port, NC_TIMEOUT_START_MS, fc.card->qemu);
    fs_power_on(&fc);
    nc_console_wait(fc.card->console, "I net: dhcp", 30000);
    AdminParams ap = { .port = srv.port, .retries = 3 };
    store_params(&ap);
    admin_trigger();
    char *end = nc_console_wait_re(fc.card->console,
                                   "^[IW] admin: session (ok|failed)", NULL,
                                   0, SESSION_WAIT_MS);
    char *st = ras_cli(db, "status");
    cr_assert(strstr(end, "session ok"), "%s\n%s", end, st);
    for (int j = 1; j <= 2; j++) {
        st = ras_cli(db, "status", "--job", nc_strf("%d", j));
        cr_assert(strstr(st, "\"state\": \"done\""), "job %d: %s", j, st);
    }
    fs_quit(&fc);

    /* then behind pcscd, as its holder's PC/SC application sees it */
    int port = free_vpcd_port();
    boot_pcsc_card_nvm(port, nvm);
    const char *argv[] = {
        "/usr/bin/python3",
        nc_strf("%s/tests/system/pyscard_wallet.py", nc_srcdir()),
        "Virtual PCD 00 00", nc_srcdir(), WALLET_PIN,
        nc_strf("%d", CREDIT), NULL,
    };
    char *out = pcsc_run(port, "pyscard-wallet", argv, NULL);
    cr_assert(strstr(out, "ok wallet"), "%s", out);
    cr_log_info("%s", out);
}
