/*
 * Helpers for the file system system tests (test_fs_persist.c,
 * test_fs_tear.c): boot the card on an NVM image file with its ISO 7816
 * interface on a free loopback port, play vpcd, send APDUs and check
 * status words.
 *
 * Expected values in the tests come from the specifications (ETSI TS
 * 102 221 / TS 102 222 commands, status words and FCP bytes) and from the
 * card's documented personalisation (docs/fs.md: PINs, ICCID, EF_ARR),
 * never from the card's own answers.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_TESTS_SYSTEM_FS_CARD_H
#define NETCARD_TESTS_SYSTEM_FS_CARD_H

#include "system.h"
#include "nvm_image.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#define FS_NVM_SIZE        NVM_IMAGE_SIZE
#define FS_APDU_TIMEOUT_MS 30000
#define FS_MAX_RAPDU       (256 + 2)

/* docs/fs.md personalisation (TS 102 221 9.5.1 key references). */
#define FS_PIN1_REF  0x01
#define FS_ADM1_REF  0x0A
#define FS_PIN1_MAX  3
static const uint8_t fs_pin1[8] = { '1', '2', '3', '4', 0xFF, 0xFF, 0xFF, 0xFF };
static const uint8_t fs_puk1[8] = { '1', '2', '3', '4', '5', '6', '7', '8' };
static const uint8_t fs_adm1[8] = { '8', '8', '8', '8', '8', '8', '8', '8' };

typedef struct FsCard {
    NcCard *card;
    NcVpcd *vpcd;
    int port;
    const char *nvm;
} FsCard;

typedef struct FsResp {
    uint8_t data[FS_MAX_RAPDU];
    size_t len;             /* data bytes, without SW1 SW2 */
    uint16_t sw;            /* 0 when the answer was empty */
} FsResp;

/* An erased or foreign (SEED != 0) NVM image of the default size
 * (nvm_image.h). */
static inline const char *fs_make_image(const char *name, unsigned seed)
{
    return nvm_image_make(name, seed);
}

/*
 * Boot cardos-test.elf on NVM (a raw image file, or qcow2 by its name) with the ISO 7816 interface
 * listening on a free port; PROTOCOL ("t0", "t1" or NULL for auto) and
 * PPS off when PPS_OFF; -M netcard,nvm-size=NVM_SIZE_OPT unless NULL (the
 * default size). Waits for the power-on banner and connects.
 */
static inline FsCard fs_boot_sized(const char *nvm, const char *nvm_size_opt,
                                   const char *protocol, bool pps_off)
{
    FsCard fc = { .nvm = nvm };
    const char *opts[18];
    const char *args[8];
    size_t n = 0, k = 0;

    fc.port = nc_free_tcp_port();
    if (nvm_size_opt) {
        opts[n++] = "--machine";
        opts[n++] = nc_strf("netcard,nvm-size=%s", nvm_size_opt);
    }
    opts[n++] = "--nvm";        /* raw, or qcow2 by its name */
    opts[n++] = nvm;
    opts[n++] = "--iso";
    opts[n++] = nc_strf("listen:127.0.0.1:%d", fc.port);
    opts[n++] = "--net";
    opts[n++] = "none";
    if (protocol) {
        opts[n++] = "--global";
        opts[n++] = nc_strf("netcard-iso7816-uart.protocol=%s", protocol);
    }
    if (pps_off) {
        opts[n++] = "--global";
        opts[n++] = "netcard-iso7816-uart.pps=off";
    }
    opts[n] = NULL;
    if (getenv("NETCARD_FS_TRACE_NVM")) {  /* debugging: QEMU's stderr */
        args[k++] = "-trace";
        args[k++] = "netcard_nvm_start";
        args[k++] = "-trace";
        args[k++] = "netcard_nvm_tear";
    }
    args[k] = NULL;
    NcCardOpts o = { .image = "cardos-test.elf", .cmdline_opts = opts,
                     .extra_args = args };
    fc.card = nc_card_start(&o);
    nc_card_wait_banner(fc.card, "power-on", BOOT_TIMEOUT_MS);
    fc.vpcd = nc_vpcd_connect(fc.port, NC_TIMEOUT_START_MS, fc.card->qemu);
    return fc;
}

/* fs_boot_sized on an image of the default size. */
static inline FsCard fs_boot(const char *nvm, const char *protocol,
                             bool pps_off)
{
    return fs_boot_sized(nvm, NULL, protocol, pps_off);
}

/* Cold start from the host (vpcd 00, 01, get-ATR); a non-empty ATR
 * starting with TS = 3B. The card's banner "reset=power-on" follows. */
static inline void fs_power_on(FsCard *fc)
{
    uint8_t atr[40];

    nc_vpcd_ctrl(fc->vpcd, NC_VPCD_OFF);
    nc_vpcd_ctrl(fc->vpcd, NC_VPCD_ON);
    nc_vpcd_ctrl(fc->vpcd, NC_VPCD_ATR);
    size_t n = nc_vpcd_recv(fc->vpcd, atr, sizeof(atr), FS_APDU_TIMEOUT_MS);
    cr_assert(n >= 2 && atr[0] == 0x3B, "no ATR after power-on: %s",
              nc_hex(atr, n));
    nc_card_wait_banner(fc->card, "power-on", BOOT_TIMEOUT_MS);
}

/* Quit QEMU (it may close QMP before it answers) and wait for its exit. */
/*
 * Start the test image with OPTS (launcher options, NULL-terminated:
 * the ISO interface listening on fc->port, and a network), power it on
 * over vpcd and return once the card is ready and DHCP is done.
 */
static inline void fs_boot_net(FsCard *fc, const char *const *opts)
{
    NcCardOpts o = { .image = "cardos-test.elf", .cmdline_opts = opts };

    fc->card = nc_card_start(&o);
    nc_card_wait_banner(fc->card, "power-on", BOOT_TIMEOUT_MS);
    fc->vpcd = nc_vpcd_connect(fc->port, NC_TIMEOUT_START_MS, fc->card->qemu);
    fs_power_on(fc);
    nc_console_wait(fc->card->console, "I boot: ready", READY_TIMEOUT_MS);
    nc_console_wait(fc->card->console, "I net: dhcp", 30000);
}

static inline void fs_quit(FsCard *fc)
{
    nc_vpcd_close(fc->vpcd);
    nc_conn_send(&fc->card->qmp->conn, "{\"execute\": \"quit\"}\n");
    if (!nc_proc_wait(fc->card->qemu, NC_TIMEOUT_EXIT_MS)) {
        nc_proc_stop(fc->card->qemu);
    }
}

/* An image that has been through the card's first boot: the store
 * formatted and the first-boot file system created (docs/fs.md). */
static inline const char *fs_make_first_boot_image(const char *name)
{
    const char *nvm = fs_make_image(name, 0);
    FsCard fc = fs_boot(nvm, NULL, false);

    nc_console_wait(fc.card->console, "I boot: ready", READY_TIMEOUT_MS);
    fs_quit(&fc);
    return nvm;
}

/* Send a C-APDU given as hex (spaces allowed); one answer. */
static inline FsResp fs_apdu_bytes(FsCard *fc, const uint8_t *apdu,
                                   size_t len)
{
    FsResp r = { 0 };
    uint8_t buf[FS_MAX_RAPDU];

    nc_vpcd_send(fc->vpcd, apdu, len);
    size_t n = nc_vpcd_recv(fc->vpcd, buf, sizeof(buf), FS_APDU_TIMEOUT_MS);
    if (n >= 2) {
        r.len = n - 2;
        memcpy(r.data, buf, r.len);
        r.sw = (uint16_t)(buf[n - 2] << 8 | buf[n - 1]);
    }
    return r;
}

static inline FsResp fs_apdu(FsCard *fc, const char *hex)
{
    uint8_t apdu[300];
    size_t n = nc_unhex(hex, apdu, sizeof(apdu));

    return fs_apdu_bytes(fc, apdu, n);
}

/* The APDU must answer SW; returns the answer. */
#define fs_expect(fc, hex, sw_expected, what) \
    fs_expect_at(__FILE__, __LINE__, fc, hex, sw_expected, what)
static inline FsResp fs_expect_at(const char *file, int line, FsCard *fc,
                                  const char *hex, uint16_t sw,
                                  const char *what)
{
    FsResp r = fs_apdu(fc, hex);

    if (r.sw != sw) {
        nc_fail_at(file, line, "%s: %s answered %04X (data %s), expected "
                   "%04X", what, hex, r.sw, nc_hex(r.data, r.len), sw);
    }
    return r;
}

/* C-APDU hex with a data field: HEADER (4 bytes hex) + Lc + DATA. */
static inline char *fs_case3(const char *header, const uint8_t *data,
                             size_t len)
{
    return nc_strf("%s%02X%s", header, (unsigned)len, nc_hex(data, len));
}

/* VERIFY (TS 102 221 11.1.9) of key REF with an 8-byte value. */
static inline FsResp fs_verify(FsCard *fc, uint8_t ref, const uint8_t v[8])
{
    return fs_apdu(fc, fs_case3(nc_strf("002000%02X", ref), v, 8));
}

/*
 * Remaining tries of key REF from VERIFY without data (TS 102 221
 * 11.1.9: 63Cx, x = tries left; 9000 only when verified in this session;
 * 6983 when blocked, counted as 0). -1 for 9000; fails on anything else.
 */
#define fs_tries_left(fc, ref) fs_tries_left_at(__FILE__, __LINE__, fc, ref)
static inline int fs_tries_left_at(const char *file, int line, FsCard *fc,
                                   uint8_t ref)
{
    FsResp r = fs_apdu(fc, nc_strf("002000%02X", ref));

    if ((r.sw & 0xFFF0) == 0x63C0) {
        return r.sw & 0x0F;
    }
    if (r.sw == 0x6983) {
        return 0;
    }
    if (r.sw == 0x9000) {
        return -1;
    }
    nc_fail_at(file, line, "VERIFY %02X without data answered %04X, "
               "expected 63Cx, 6983 or 9000", ref, r.sw);
}

/*
 * TS 102 222 6.3 CREATE FILE data for an EF under the current DF:
 * FCP template 62 with the file descriptor (82: 41 transparent, 42 linear
 * fixed, 46 cyclic; data coding byte 21; record length and number of
 * records for record EFs), the file identifier (83), the life cycle status
 * (8A 05: operational, activated), security attributes referencing EF_ARR
 * 2F06 record ARR_REC (8B), the file size (80) and, if SFI != 0, the short
 * file identifier (88, TS 102 221 11.1.1.4.8: SFI in bits 8..4).
 */
static inline char *fs_create_ef(uint8_t fdb, uint16_t fid, uint16_t size,
                                 uint8_t rec_len, uint8_t n_recs,
                                 uint8_t arr_rec, uint8_t sfi)
{
    uint8_t fcp[64];
    size_t n = 2;

    fcp[0] = 0x62;
    fcp[n++] = 0x82;
    if (fdb == 0x41) {
        fcp[n++] = 2;
        fcp[n++] = fdb;
        fcp[n++] = 0x21;
    } else {
        fcp[n++] = 5;
        fcp[n++] = fdb;
        fcp[n++] = 0x21;
        fcp[n++] = 0x00;
        fcp[n++] = rec_len;
        fcp[n++] = n_recs;
    }
    fcp[n++] = 0x83;
    fcp[n++] = 2;
    fcp[n++] = (uint8_t)(fid >> 8);
    fcp[n++] = (uint8_t)fid;
    fcp[n++] = 0x8A;
    fcp[n++] = 1;
    fcp[n++] = 0x05;
    fcp[n++] = 0x8B;
    fcp[n++] = 3;
    fcp[n++] = 0x2F;
    fcp[n++] = 0x06;
    fcp[n++] = arr_rec;
    fcp[n++] = 0x80;
    fcp[n++] = 2;
    fcp[n++] = (uint8_t)(size >> 8);
    fcp[n++] = (uint8_t)size;
    if (sfi) {
        fcp[n++] = 0x88;
        fcp[n++] = 1;
        fcp[n++] = (uint8_t)(sfi << 3);
    }
    fcp[1] = (uint8_t)(n - 2);
    return fs_case3("00E00000", fcp, n);
}

/* A QOM property of the NVM device (docs/nvm.md) as an unsigned number. */
static inline unsigned long fs_nvm_get(FsCard *fc, const char *prop)
{
    char *v = nc_qmp(fc->card->qmp, "{'execute': 'qom-get', 'arguments': "
                     "{'path': '/machine/soc/nvm', 'property': '%s'}}",
                     prop);
    return strtoul(v, NULL, 10);
}

/* Program and erase operations the NVM has started since QEMU started. */
static inline unsigned long fs_flash_ops(FsCard *fc)
{
    return fs_nvm_get(fc, "programs") + fs_nvm_get(fc, "erases");
}

/* Arm a power cut at the N-th flash operation from now, torn in MODE
 * ("before", "partial" or "after"; docs/nvm.md tearing injection). */
static inline void fs_arm_tear(FsCard *fc, const char *mode, unsigned n)
{
    nc_qmp(fc->card->qmp, "{'execute': 'qom-set', 'arguments': {'path': "
           "'/machine/soc/nvm', 'property': 'tear-mode', 'value': '%s'}}",
           mode);
    nc_qmp(fc->card->qmp, "{'execute': 'qom-set', 'arguments': {'path': "
           "'/machine/soc/nvm', 'property': 'tear-after', 'value': %u}}", n);
}

#endif /* NETCARD_TESTS_SYSTEM_FS_CARD_H */
