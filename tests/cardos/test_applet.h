/*
 * The built-in test application, for tests and conformance runs.
 *
 * AID F0 6E 65 74 63 61 72 64 01 ("netcard" in a proprietary RID range,
 * version 01). Multi-selectable: it may be selected on several logical
 * channels at once. Commands (CLA 00 or 80, any channel encoding; all
 * documented in docs/iso7816-card.md):
 *
 *   INS 10 ECHO      data 0..65535 bytes; returns them.            T=0: in
 *   INS 12 GENERATE  P1P2 = N (0..65535); returns N bytes 00 01 .. FF 00 ..
 *                                                                  T=0: out
 *   INS 14 STATUS    P1P2 = SW to answer (9000, 62xx, 63xx, 64xx..6Fxx
 *                    except 61xx/6Cxx, else 6A86); data, if any, is
 *                    returned with 9000/62xx/63xx.                 T=0: in
 *   INS 20 DELAY     P1P2 = N ms (0..65535): answers 9000 after N ms of
 *                    card time without blocking the OS; the link layer
 *                    sends T=1 S(WTX) / T=0 NULL bytes meanwhile.  T=0: none
 *   INS 50..5F       crypto commands (tests/cardos/test_applet_crypto.h),
 *                    through test_applet_config.crypto_process.
 *   INS 30 INFO      P1 00: BER-TLV list: C0 OS version, C1 git describe,
 *                    C2 build, C3 link ("T=1 F=512 D=32 IFSC=254 IFSD=254"),
 *                    C4 logical channel (1 byte). P1 01: one ASCII line.
 *                    P2 00, else 6A86.                             T=0: out
 *
 * Response length rule (all commands): with Le present and Ne smaller
 * than the response, a short APDU answers 6C xx (xx = the exact length,
 * 00 = 256) and an extended APDU (or a length over 256) 6700. With Le
 * absent the data is returned all the same.
 * Other INS: 6D00. P1P2 not as above: 6A86. Lc where none is allowed:
 * 6700.
 *
 * No hardware access; compiles on the host.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_TESTS_CARDOS_TEST_APPLET_H
#define NETCARD_TESTS_CARDOS_TEST_APPLET_H

#include <stddef.h>
#include <stdint.h>

#include "apdu/applet.h"

#define TEST_APPLET_AID_LEN 9
extern const uint8_t test_applet_aid[TEST_APPLET_AID_LEN];

#define TEST_INS_ECHO     0x10u
#define TEST_INS_GENERATE 0x12u
#define TEST_INS_STATUS   0x14u
#define TEST_INS_DELAY    0x20u
#define TEST_INS_INFO     0x30u

struct test_applet_config {
    uint32_t (*now_ms)(void);
    const char *version;        /* "0.1.0" */
    const char *git_describe;
    const char *build;          /* e.g. "2026-11-25 04:30" or "host" */
    /* Current link parameters as text; may be NULL. */
    void (*link_info)(char *buf, size_t size);
    /*
     * INS 50..5F (crypto commands, tests/cardos/test_applet_crypto.h) and their
     * T=0 directions; NULL (host builds): 6D00.
     */
    enum applet_status (*crypto_process)(const struct apdu *cmd,
                                         struct apdu_response *rsp);
    enum t0_dir (*crypto_t0_direction)(const uint8_t hdr[4]);
};

/* Configure and return the application, ready for a registry (apdu/applet_table.h). */
const struct applet *test_applet_init(const struct test_applet_config *cfg);

#endif /* NETCARD_TESTS_CARDOS_TEST_APPLET_H */
