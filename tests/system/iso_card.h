/*
 * Booting the card with its ISO 7816 interface on a vpcd socket, and the
 * test application's SELECT, shared by the system tests that talk to the
 * card through vpcd framing (test_iso7816.c, test_crypto_card.c,
 * test_insn_plugin.c).
 *
 * iso_card_start(extra, &port, &vpcd): starts the test image
 * cardos-test.elf (the product plus the test application, card/image.h)
 * with the UART's host side listening on a free TCP port (written to
 * *port), plus the NULL-terminated EXTRA QEMU arguments (NULL: none),
 * waits for the power-on banner and connects vpcd (*vpcd). Returns the
 * card. iso_card_start_image() does the same for IMAGE.
 *
 * select_test_applet: SELECT by AID of the test application (AID from
 * docs/iso7816-card.md) as a case 4 command (Le = 00), as PC/SC
 * applications send it: under T=0 the terminal then fetches the FCI with
 * GET RESPONSE (ISO 7816-3 12.2.4) and the host sees 9000.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_TESTS_ISO_CARD_H
#define NETCARD_TESTS_ISO_CARD_H

#include "system.h"

static const uint8_t select_test_applet[] = {
    0x00, 0xA4, 0x04, 0x00, 0x09,
    0xF0, 0x6E, 0x65, 0x74, 0x63, 0x61, 0x72, 0x64, 0x01, 0x00,
};

static inline NcCard *iso_card_start_image(const char *image,
                                           const char *const *extra,
                                           int *port, NcVpcd **vpcd)
{
    *port = nc_free_tcp_port();
    const char *const opts[] = {
        "--iso", nc_strf("listen:127.0.0.1:%d", *port), NULL,
    };
    NcCardOpts o = { .image = image, .cmdline_opts = opts,
                     .extra_args = extra };
    NcCard *card = nc_card_start(&o);
    nc_card_wait_banner(card, "power-on", BOOT_TIMEOUT_MS);
    *vpcd = nc_vpcd_connect(*port, NC_TIMEOUT_START_MS, card->qemu);
    return card;
}

static inline NcCard *iso_card_start(const char *const *extra, int *port,
                                     NcVpcd **vpcd)
{
    return iso_card_start_image("cardos-test.elf", extra, port, vpcd);
}

#endif /* NETCARD_TESTS_ISO_CARD_H */
