/*
 * Unit tests: the Issuer Security Domain (cardos/gp/isd.c) behind the
 * APDU runtime (apdu_fixture.h), on the object store over the simulated
 * NOR flash and the host crypto backend. Expected bytes: the
 * GlobalPlatformPro / GPShell reference sessions (tests/vectors/gp-traces,
 * fields the reference card invented excepted: gp_trace.h), GPC 2.3.1 and
 * Amendment D for status words, and the documented personalisation
 * (docs/gp.md).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <criterion/criterion.h>
#include <string.h>

#include "apdu_fixture.h"
#include "crypto/keystore.h"
#include "gp/card_data.h"
#include "gp/gp.h"
#include "gp/isd.h"
#include "gp/keyset.h"
#include "gp/registry.h"
#include "crypto_host.h"
#include "gp_trace.h"
#include "gp_vectors.h"
#include "nor_sim.h"
#include "store/store.h"

static struct nor_sim sim;
static struct store st;
static struct store_flash fl;
static bool have_store;

static struct store *test_store(void)
{
    return have_store ? &st : NULL;
}

static const struct gp_isd_config cfg = { .store = test_store };

static void setup(void)
{
    nc_test_init();
    nor_sim_init(&sim, 4096, 32);
    nor_sim_flash(&sim, &fl);
    cr_assert_eq(store_format(&st, &fl, 0x4750u), STORE_OK);
    have_store = true;
    cr_assert_eq(gp_personalise(&st), STORE_OK);
    apdu_fixture_init();
    gp_registry_init(test_store);
    cr_assert_eq(gp_registry_sync(), STORE_OK);
    dispatch_set_registry(gp_registry(gp_isd_init(&cfg)));
    apdu_fixture_reset();
}

static void teardown(void)
{
    nor_sim_free(&sim);
    nc_test_fini();
}

TestSuite(unit_gp_isd, .init = setup, .fini = teardown);

static uint8_t buf[4096];

static size_t send(void *ctx, const uint8_t *cmd, size_t n, uint8_t *rsp,
                   size_t cap)
{
    size_t len = 0;

    (void)ctx;
    memcpy(buf, cmd, n);
    cr_assert_eq(dispatch_command(&test_session, buf, n, sizeof(buf), &len),
                 APPLET_DONE);
    cr_assert(len <= cap);
    memcpy(rsp, buf, len);
    return len;
}

/* Send HEX; the SW; the data into OUT (if not NULL). */
static uint16_t apdu(const char *hex, uint8_t *out, size_t *n)
{
    uint8_t c[600], r[600];
    size_t cn = nc_unhex(hex, c, sizeof(c));
    size_t rn = send(NULL, c, cn, r, sizeof(r));

    if (out) {
        memcpy(out, r, rn - 2);
    }
    if (n) {
        *n = rn - 2;
    }
    return (uint16_t)(r[rn - 2] << 8 | r[rn - 1]);
}

/* The card state the reference sessions start from: only the key set
 * the trace's card had, its counter at VALUE. */
static void trace_state(uint8_t keep_kvn, uint8_t drop_kvn, uint32_t value)
{
    uint8_t b[3] = { (uint8_t)(value >> 16), (uint8_t)(value >> 8),
                     (uint8_t)value };

    for (uint8_t kid = 1; kid <= 3; kid++) {
        cr_assert_eq(keystore_delete(&st, GP_KEY_ID(drop_kvn, kid)), STORE_OK);
    }
    cr_assert_eq(store_put_secure(&st, GP_OBJ_COUNTER(keep_kvn), b, 3),
                 STORE_OK);
}

Test(unit_gp_isd, select_without_a_name_selects_the_isd)
{
    uint8_t d[300];
    size_t n;

    cr_assert_eq(apdu("00A4040000", d, &n), 0x9000);
    cr_assert(n > 12 && d[0] == 0x6F && d[2] == 0x84 && d[3] == 0x08);
    cr_assert(memcmp(d + 4, "\xA0\x00\x00\x01\x51\x00\x00\x00", 8) == 0);
    cr_assert_eq(apdu("00A40400", NULL, NULL), 0x9000, "case 1 too");
    cr_assert_eq(apdu("00A4040008A000000151000000", d, &n), 0x9000);
}

/* Both key sets at first boot: the card recognition data names both. */
Test(unit_gp_isd, first_boot_key_sets)
{
    uint8_t d[300];
    size_t n;
    static const char e0[] =
        "E024C00401208010C00402208010C00403208010"
        "C00401308810C00402308810C00403308810";
    uint8_t want[64];
    size_t wn = nc_unhex(e0, want, sizeof(want));

    cr_assert_eq(apdu("00A4040000", NULL, NULL), 0x9000);
    cr_assert_eq(apdu("80CA00E000", d, &n), 0x9000);
    cr_assert(n == wn && memcmp(d, want, wn) == 0, "E0 %s", nc_hex(d, n));
    cr_assert_eq(apdu("80CA006600", d, &n), 0x9000);
    cr_assert(n == 2 + 2 + 0x2F + 13, "two tags 64: %s", nc_hex(d, n));
    /* C1: the default key set is the SCP03 one, its counter 3 bytes */
    cr_assert_eq(apdu("80CA00C100", d, &n), 0x9000);
    cr_assert(n == 5 && memcmp(d, "\xC1\x03\x00\x00\x00", 5) == 0);
    cr_assert_eq(apdu("80CA00FF00", NULL, NULL), 0x6A88, "unknown tag");
    /* personalising again changes nothing */
    cr_assert_eq(gp_personalise(&st), STORE_OK);
}

/* scp03-i70-gp.trace up to its first INSTALL: SELECT, GET DATA, three
 * authenticated sessions with GET STATUS. */
Test(unit_gp_isd, replay_gpp_scp03_until_install)
{
    trace_state(0x30, 0x20, 0x10);
    cr_assert_eq(gpt_replay("scp03-i70-gp.trace", 1, "84E60200", NULL, send, NULL),
                 23u);
}

Test(unit_gp_isd, replay_gpp_scp02_until_install)
{
    trace_state(0x20, 0x30, 0x10);
    cr_assert_eq(gpt_replay("scp02-i55-gp.trace", 1, "84E60200", NULL, send, NULL),
                 23u);
}

Test(unit_gp_isd, replay_gpp_scp02_list)
{
    trace_state(0x20, 0x30, 0x10);
    cr_assert_eq(gpt_replay("scp02-gp-l.trace", 1, NULL, NULL, send, NULL), 7u);
}

/* The counter goes on NVM before the card answers; it never goes back. */
Test(unit_gp_isd, counter_advances_with_each_initialize_update)
{
    uint8_t d[64];
    size_t n;
    uint32_t c = 0;

    cr_assert_eq(apdu("00A4040000", NULL, NULL), 0x9000);
    for (unsigned i = 0; i < 3; i++) {
        cr_assert_eq(apdu("80503000080102030405060708", d, &n), 0x9000);
        cr_assert_eq(n, 32);
        cr_assert_eq(d[31], i, "counter %u in the response", d[31]);
    }
    cr_assert_eq(gp_counter_peek(&st, 0, 0x30, &c), STORE_OK);
    cr_assert_eq(c, 3);
    cr_assert_eq(store_mount(&st, &fl), STORE_OK);
    cr_assert_eq(gp_counter_peek(&st, 0, 0x30, &c), STORE_OK);
    cr_assert_eq(c, 3);
}

Test(unit_gp_isd, bad_input)
{
    cr_assert_eq(apdu("00A4040000", NULL, NULL), 0x9000);
    cr_assert_eq(apdu("805030000701020304050607", NULL, NULL), 0x6700);
    cr_assert_eq(apdu("80505000080102030405060700", NULL, NULL), 0x6A88,
                 "no key set 50");
    cr_assert_eq(apdu("80503001080102030405060700", NULL, NULL), 0x6A86);
    cr_assert_eq(apdu("848201001000000000000000000000000000000000", NULL, NULL),
                 0x6985, "EXTERNAL AUTHENTICATE without INITIALIZE UPDATE");
    cr_assert_eq(apdu("80F28002024F0000", NULL, NULL), 0x6982,
                 "GET STATUS unauthenticated");
    cr_assert_eq(apdu("84F2800202000000", NULL, NULL), 0x6882,
                 "secure messaging without a session");
    cr_assert_eq(apdu("80D8000100", NULL, NULL), 0x6982);
    cr_assert_eq(apdu("8010000000", NULL, NULL), 0x6D00);
    cr_assert_eq(apdu("00F2800000", NULL, NULL), 0x6E00);
}

/* A wrong host cryptogram: 6300, the session closed, the failure counted;
 * GP_AUTH_TRIES of them block the key set (6983). */
Test(unit_gp_isd, wrong_host_cryptograms_block_the_key_set)
{
    uint8_t used = 0;

    cr_assert_eq(apdu("00A4040000", NULL, NULL), 0x9000);
    for (unsigned i = 0; i < GP_AUTH_TRIES; i++) {
        cr_assert_eq(apdu("80503000080102030405060708", NULL, NULL), 0x9000);
        cr_assert_eq(apdu("848201001000000000000000000000000000000000", NULL,
                          NULL), 0x6300);
        cr_assert_eq(apdu("848201001000000000000000000000000000000000", NULL,
                          NULL), 0x6985, "the session was closed");
    }
    cr_assert_eq(gp_tries_used(&st, 0, 0x30, &used), STORE_OK);
    cr_assert_eq(used, GP_AUTH_TRIES);
    cr_assert_eq(apdu("80503000080102030405060708", NULL, NULL), 0x6983);
    /* the other key set still opens */
    cr_assert_eq(apdu("80502000080102030405060708", NULL, NULL), 0x9000);
}

Test(unit_gp_isd, terminated_card_answers_only_get_data)
{
    cr_assert_eq(gp_card_set_state(&st, GP_CARD_TERMINATED), STORE_OK);
    cr_assert_eq(apdu("00A4040000", NULL, NULL), 0x9000);
    cr_assert_eq(apdu("80CA9F7F00", NULL, NULL), 0x9000);
    cr_assert_eq(apdu("80503000080102030405060708", NULL, NULL), 0x6985);
}

/*
 * Where the reference card broke GPC 2.3.1 the card answers what the
 * specification requires:
 *   - DELETE [load file and related objects] (P2 80) of D0D1D2D3D4D501
 *     deletes its application D0D1D2D3D4D50101 too (11.2.2.1); the
 *     reference card kept it, so its later GET STATUS P1=40 listed it
 *     (6A88 here until it is installed again);
 *   - INSTALL of D0D1D2D3D4D50101 again: it exists once here (the
 *     reference card listed it twice);
 *   - DELETE of key set 03, which does not exist: 6A88 (11.2.2.2).
 */
#define APP_ENTRY "E3134F08D0D1D2D3D4D501019F700107C503000000"

/* The reference card answered PUT KEY but kept its keys: put back the
 * 40..4F key set it went on using. */
static void keep_keys(uint8_t kvn, uint8_t type)
{
    static const uint8_t k[16] = { 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46,
                                   0x47, 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D,
                                   0x4E, 0x4F };

    for (uint8_t kid = 1; kid <= 3; kid++) {
        cr_assert_eq(keystore_put(&st, GP_KEY_ID(kvn, kid), type, k, 16),
                     STORE_OK);
    }
}

static void keep_keys_30(void *ctx)
{
    (void)ctx;
    keep_keys(0x30, KEYSTORE_TYPE_AES);
}

static void keep_keys_20(void *ctx)
{
    (void)ctx;
    keep_keys(0x20, KEYSTORE_TYPE_DES);
}
static const struct gpt_dev scp03_gp_devs[] = {
    { 141, "6A88", "11.2.2.1", NULL }, { 171, "6A88", "11.2.2.1", NULL },
    { 194, "6A88", "11.2.2.1", NULL }, { 214, "6A88", "11.2.2.1", NULL },
    { 280, "6A88", "11.2.2.1", NULL }, { 302, "6A88", "11.2.2.1", NULL },
    { 349, APP_ENTRY "9000", "one instance", NULL },
    { 368, "6A88", "11.2.2.2", NULL },
    { 382, APP_ENTRY "9000", "one instance", NULL },
    { 0, NULL, NULL, NULL },
};

Test(unit_gp_isd, replay_gpp_scp03_whole)
{
    trace_state(0x30, 0x20, 0x10);
    cr_assert_eq(gpt_replay("scp03-i70-gp.trace", 1, NULL, scp03_gp_devs,
                            send, NULL), 141u);
}

Test(unit_gp_isd, replay_gpp_scp02_whole)
{
    trace_state(0x20, 0x30, 0x10);
    cr_assert_eq(gpt_replay("scp02-i55-gp.trace", 1, NULL, scp03_gp_devs,
                            send, NULL), 141u);
}

/* PUT KEY P1 = 01: there is no key set 01 to replace (11.8.2.2) */
static const struct gpt_dev gpshell_devs[] = {
    { 103, "6A88", "11.8.2.2", NULL },
    { 0, NULL, NULL, NULL },
};

Test(unit_gp_isd, replay_gpshell_scp03)
{
    trace_state(0x30, 0x20, 0x10);
    cr_assert_eq(gpt_replay("scp03-i70-gpshell-3k.trace", 1, NULL, gpshell_devs,
                            send, NULL), 39u);
}

Test(unit_gp_isd, replay_gpshell3_scp03)
{
    trace_state(0x30, 0x20, 0x10);
    cr_assert_eq(gpt_replay("scp03-i70-gpshell3.trace", 1, NULL, NULL,
                            send, NULL), 39u);
}

Test(unit_gp_isd, replay_gpshell_scp02)
{
    trace_state(0x20, 0x30, 0x10);
    cr_assert_eq(gpt_replay("scp02-i55-gpshell-3k.trace", 1, NULL, NULL,
                            send, NULL), 8u);
}

Test(unit_gp_isd, replay_gpshell3_scp02)
{
    trace_state(0x20, 0x30, 0x10);
    cr_assert_eq(gpt_replay("scp02-i55-gpshell3.trace", 1, NULL, NULL,
                            send, NULL), 39u);
}

/* As scp03_gp_devs, and: PUT KEY replacing the 40..4F key set (the
 * reference card answered it and kept its keys: so does the test, after
 * the answer). */
#define GP26_DELETE_DEVS \
    { 141, "6A88", "11.2.2.1", NULL }, { 171, "6A88", "11.2.2.1", NULL }, \
    { 194, "6A88", "11.2.2.1", NULL }, { 214, "6A88", "11.2.2.1", NULL }
#define ONE(line) { line, APP_ENTRY "9000", "one instance", NULL }
/* GET DATA E0 after PUT KEY of a new key set 02: this card stored it */
#define E0_WITH_02(t, kvn) \
    "E024C0040102" t "10C0040202" t "10C0040302" t "10C00401" kvn t "10" \
    "C00402" kvn t "10C00403" kvn t "109000"
static const struct gpt_dev gp26_scp03_devs[] = {
    GP26_DELETE_DEVS,
    { 236, NULL, "reference kept its keys", keep_keys_30 },
    { 262, E0_WITH_02("88", "30"), "11.8: PUT KEY stores", NULL },
    { 304, "6A88", "11.2.2.1", NULL }, { 326, "6A88", "11.2.2.1", NULL },
    ONE(373), ONE(406), ONE(440), ONE(460), ONE(480),
    { 0, NULL, NULL, NULL },
};
static const struct gpt_dev gp26_scp02_devs[] = {
    GP26_DELETE_DEVS,
    { 236, NULL, "reference kept its keys", keep_keys_20 },
    { 262, E0_WITH_02("80", "20"), "11.8: PUT KEY stores", NULL },
    { 304, "6A88", "11.2.2.1", NULL }, { 326, "6A88", "11.2.2.1", NULL },
    ONE(373), ONE(406), ONE(440), ONE(464),
    { 0, NULL, NULL, NULL },
};

Test(unit_gp_isd, replay_gpp26_scp03)
{
    trace_state(0x30, 0x20, 0x10);
    cr_assert_eq(gpt_replay("scp03-i70-gp26.trace", 1, NULL, gp26_scp03_devs,
                            send, NULL), 168u);
}

Test(unit_gp_isd, replay_gpp26_scp02)
{
    trace_state(0x20, 0x30, 0x10);
    cr_assert_eq(gpt_replay("scp02-i55-gp26.trace", 1, NULL, gp26_scp02_devs,
                            send, NULL), 163u);
}

/* GPShell's SCP02 i=15 session: the reference card's card challenges were
 * random; the card runs i = 15 and the test hands its DRBG the trace's
 * challenges before each INITIALIZE UPDATE. PUT KEY P1 01 replaces a key
 * set 01 that does not exist: 6A88 (11.8.2.2). */
static void challenge_1(void *ctx)
{
    (void)ctx;
    crypto_host_drbg_next((const uint8_t *)"\x36\x37\xE1\x13\x23\x39", 6);
}

static void challenge_2(void *ctx)
{
    (void)ctx;
    crypto_host_drbg_next((const uint8_t *)"\x2E\x30\x3F\xBC\x44\x71", 6);
}

static const struct gpt_dev i15_devs[] = {
    { 3, NULL, "the first challenge", challenge_1 },
    { 25, NULL, "the second challenge", challenge_2 },
    { 103, "6A88", "11.8.2.2", NULL },
    { 0, NULL, NULL, NULL },
};

Test(unit_gp_isd, replay_gpshell_scp02_i15)
{
    static const struct gp_isd_config cfg15 = { .store = test_store,
                                                .scp02_i = 0x15 };

    dispatch_set_registry(gp_registry(gp_isd_init(&cfg15)));
    apdu_fixture_reset();
    trace_state(0x20, 0x30, 0x10);
    cr_assert_eq(gpt_replay("scp02-i15-gpshell-3k.trace", 1, NULL, i15_devs,
                            send, NULL), 34u);
}

/* pySim's SCP02 session (scp-pysim.json "scp02") on the card: its key set
 * as KVN 20, its counter 0001, its card challenge handed to the DRBG
 * (the card runs i = 15: its challenges are random, E.5.1.6). The
 * INITIALIZE UPDATE answer is the vector's byte for byte but the key
 * diversification data (the card's own) and the key version: the vector
 * says 70 where the command asked for key set 20 (free, docs/gp.md);
 * EXTERNAL AUTHENTICATE passes and each wrapped command passes its C-MAC,
 * which chains from the previous one: never 6982 (the answers are this
 * card's). */
Test(unit_gp_isd, pysim_scp02_on_card)
{
    static const struct gp_isd_config cfg15 = { .store = test_store,
                                                .scp02_i = 0x15 };
    const char *j = gpv_file("scp-pysim.json");
    const char *v = gpv_find(j, "scp02");
    static const char *const kid_keys[] = { "enc", "mac", "dek" };
    uint8_t k[16], want[28], d[300];
    size_t n;
    const char *p;

    dispatch_set_registry(gp_registry(gp_isd_init(&cfg15)));
    apdu_fixture_reset();
    trace_state(0x20, 0x30, 0x0001);
    for (uint8_t kid = 1; kid <= 3; kid++) {
        cr_assert_eq(gpv_hex(v, kid_keys[kid - 1], k, 16), 16);
        cr_assert_eq(keystore_put(&st, GP_KEY_ID(0x20, kid), KEYSTORE_TYPE_DES,
                                  k, 16), STORE_OK);
    }
    cr_assert_eq(gpv_hex(v, "init_update_rsp", want, sizeof(want)), 28);
    crypto_host_drbg_next(want + 14, 6);
    cr_assert_eq(apdu("00A4040000", NULL, NULL), 0x9000);
    cr_assert_eq(apdu(gpv_str(v, "init_update_cmd"), d, &n), 0x9000);
    cr_assert(n == 28 && d[10] == 0x20 && memcmp(d + 11, want + 11, 17) == 0,
              "INITIALIZE UPDATE answered %s, the vector %s", nc_hex(d, n),
              nc_hex(want, 28));
    cr_assert_eq(apdu(gpv_str(v, "ext_auth_cmd"), NULL, NULL), 0x9000);
    p = strstr(v, "wrapped_after_auth_in_order");
    for (int c = 0; c < 4; c++) {
        /* pairs "plain", "wrapped" in order: send the wrapped one */
        const char *q = strchr(strchr(strchr(p + 1, '"') + 1, '[') + 1, '"');
        const char *wrapped;
        uint16_t sw;

        q = strchr(strchr(q + 1, '"') + 1, '"');
        wrapped = nc_strf("%.*s", (int)strcspn(q + 1, "\""), q + 1);
        sw = apdu(wrapped, NULL, NULL);
        cr_assert(sw != 0x6982 && sw != 0x6882, "%s: %04X", wrapped, sw);
        p = q;
    }
}
