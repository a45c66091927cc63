/*
 * A card for the file system's unit tests: the object store on the
 * simulated NOR flash (nor_sim.h), the file system mounted on it (first
 * boot: the tree of docs/fs.md), and the dispatcher with the test applet
 * registered and the file system as default application, so commands go
 * through the same path as on the card.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_TESTS_FS_FIXTURE_H
#define NETCARD_TESTS_FS_FIXTURE_H

#include <criterion/criterion.h>
#include <string.h>

#include "tests/cardos/test_applet.h"
#include "fs/fs_applet.h"
#include "apdu_fixture.h"
#include "kernel/log.h"
#include "iso_hex.h"
#include "nor_sim.h"

#define FSX_PAGE_SIZE 2048
#define FSX_PAGES     32

static struct nor_sim fsx_sim;
static struct store fsx_store;
static struct store_flash fsx_flash;
static uint8_t fsx_buf[APDU_BUF_SIZE];
static uint8_t fsx_rsp[APDU_BUF_SIZE];
static size_t fsx_rsp_len;

static uint32_t fsx_now(void) { return 0; }

/* Console lines the file system logged (fsx_log_text flushes first). */
static char fsx_log[8192];

static void fsx_log_sink(const char *line, size_t len)
{
    size_t have = strlen(fsx_log);

    if (have + len + 2 < sizeof(fsx_log)) {
        memcpy(fsx_log + have, line, len);
        fsx_log[have + len] = '\n';
        fsx_log[have + len + 1] = '\0';
    }
}

static inline const char *fsx_log_text(void)
{
    (void)log_flush();
    return fsx_log;
}

static const struct test_applet_config fsx_applet_cfg = {
    .now_ms = fsx_now,
    .version = "1.2.3",
    .git_describe = "v1.2.3",
    .build = "host",
};

/* Mount the store and the fs on the current flash; reset the dispatcher
 * (a card reset: the security status is cleared). */
static inline int fsx_boot(void)
{
    int rc = store_mount(&fsx_store, &fsx_flash);

    cr_assert_eq(rc, STORE_OK, "store mount: %s", store_strerror(rc));
    rc = fs_applet_mount(&fsx_store);
    apdu_fixture_init();
    cr_assert(apdu_fixture_add(test_applet_init(&fsx_applet_cfg)));
    dispatch_set_default(fs_applet());
    apdu_fixture_reset();
    return rc;
}

/* An erased flash, formatted, first boot. */
static inline void fsx_setup(void)
{
    log_reset();
    fsx_log[0] = '\0';
    log_set_sink(fsx_log_sink);
    nor_sim_init(&fsx_sim, FSX_PAGE_SIZE, FSX_PAGES);
    nor_sim_flash(&fsx_sim, &fsx_flash);
    cr_assert_eq(store_format(&fsx_store, &fsx_flash, 0x5eed), STORE_OK);
    cr_assert_eq(fsx_boot(), FS_CREATED);
}

static inline void fsx_teardown(void)
{
    nor_sim_free(&fsx_sim);
}

/* Send a hex C-APDU; returns the SW; the data is in fsx_rsp[0..fsx_rsp_len). */
static inline uint16_t fsx_cmd(const char *hex)
{
    size_t n = hex_to_bytes(hex, fsx_buf, sizeof(fsx_buf));
    size_t r = 0;

    cr_assert_eq(dispatch_command(&test_session, fsx_buf, n, sizeof(fsx_buf), &r),
                 APPLET_DONE, "%s", hex);
    cr_assert_geq(r, 2);
    memcpy(fsx_rsp, fsx_buf, r - 2);
    fsx_rsp_len = r - 2;
    return (uint16_t)(fsx_buf[r - 2] << 8 | fsx_buf[r - 1]);
}

/* Expect SW and (if DATA_HEX is not NULL) exactly these data bytes. */
#define fsx_expect(apdu, sw, data_hex)                                        \
    do {                                                                      \
        uint16_t got_ = fsx_cmd(apdu);                                        \
        cr_assert_eq(got_, (sw), "%s: SW %04X, expected %04X", (apdu), got_,  \
                     (unsigned)(sw));                                         \
        if ((data_hex) != NULL) {                                             \
            uint8_t want_[512];                                               \
            size_t wn_ = hex_to_bytes((data_hex), want_, sizeof(want_));      \
            cr_assert_eq(fsx_rsp_len, wn_, "%s: %zu data bytes, expected %zu",\
                         (apdu), fsx_rsp_len, wn_);                           \
            cr_assert(memcmp(fsx_rsp, want_, wn_) == 0, "%s: data differs",   \
                      (apdu));                                                \
        }                                                                     \
    } while (0)

/* TS 102 221 key values of docs/fs.md. */
#define FSX_PIN1 "31323334FFFFFFFF"
#define FSX_PUK1 "3132333435363738"
#define FSX_ADM1 "3838383838383838"

#endif /* NETCARD_TESTS_FS_FIXTURE_H */
