/*
 * Unit tests: secure channel sessions per logical channel (issue 13:
 * "sessions live per logical channel"; GPC 2.3.1 10.2.2: a session is
 * bound to the logical channel it was initiated on). Twenty channels of
 * one APDU session each open an SCP03 session with its own host
 * challenge, then commands go round the channels: every C-MAC chain
 * stays its own. Sixty session keys do not fit the coprocessor's nine
 * cache slots (crypto/key.h), so keys are evicted and derived again in
 * the engine from their recipes. The host side is computed independently
 * (mbedTLS, gp_host_scp03.h's KDF and CMAC).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <criterion/criterion.h>
#include <mbedtls/aes.h>
#include <string.h>

#include "apdu_fixture.h"
#include "crypto/key.h"
#include "gp/gp.h"
#include "gp/isd.h"
#include "gp/registry.h"
#include "gp_host_scp03.h"
#include "nctest.h"
#include "nor_sim.h"
#include "store/store.h"

static struct nor_sim sim;
static struct store st;
static struct store_flash fl;

static struct store *test_store(void)
{
    return &st;
}

static const struct gp_isd_config cfg = { .store = test_store };
static const uint8_t key40[16] = { 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46,
                                   0x47, 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D,
                                   0x4E, 0x4F };
static const uint8_t isd[8] = { 0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00,
                                0x00 };

static uint8_t buf[1024];

static size_t send(const uint8_t *cmd, size_t n, uint8_t *rsp)
{
    size_t len = 0;

    memcpy(buf, cmd, n);
    cr_assert_eq(dispatch_command(&test_session, buf, n, sizeof(buf), &len),
                 APPLET_DONE);
    memcpy(rsp, buf, len);
    return len;
}

static uint16_t sw_of(const uint8_t *r, size_t n)
{
    cr_assert(n >= 2);
    return (uint16_t)(r[n - 2] << 8 | r[n - 1]);
}

/* CLA of channel CH (ISO/IEC 7816-4 5.4.1), proprietary class, with
 * secure messaging (SM) or not. */
static uint8_t cla(unsigned ch, bool sm)
{
    if (ch < 4) {
        return (uint8_t)(0x80 | ch | (sm ? 0x04 : 0));
    }
    return (uint8_t)(0xC0 | (ch - 4) | (sm ? 0x20 : 0));
}

/* C-MAC (Amendment D 6.2.4) of the case 3 command HDR (4 bytes) + DATA on
 * channel CH with host state H: the wrapped APDU into OUT, its length. */
static size_t wrap(struct host_scp03 *h, unsigned ch, const uint8_t hdr[4],
                   const uint8_t *data, size_t n, uint8_t *out)
{
    uint8_t m[300], mac[16];

    out[0] = cla(ch, true);
    memcpy(out + 1, hdr + 1, 3);
    out[4] = (uint8_t)(n + 8);
    memcpy(out + 5, data, n);
    memcpy(m, h->chain, 16);
    memcpy(m + 16, out, 5 + n);
    host_cmac(h->s_mac, m, 16 + 5 + n, mac);
    memcpy(h->chain, mac, 16);
    memcpy(out + 5 + n, mac, 8);
    return 5 + n + 8;
}

static void open_on(struct host_scp03 *h, unsigned ch)
{
    uint8_t c[64], r[300], ctx[16], cc[8], hc[8];
    size_t n;

    /* SELECT the ISD on the channel */
    c[0] = (uint8_t)(cla(ch, false) & ~0x80);
    memcpy(c + 1, "\xA4\x04\x00\x08", 4);
    memcpy(c + 5, isd, 8);
    n = send(c, 13, r);
    cr_assert_eq(sw_of(r, n), 0x9000, "SELECT on channel %u", ch);
    /* INITIALIZE UPDATE, a host challenge of its own */
    c[0] = cla(ch, false);
    memcpy(c + 1, "\x50\x30\x00\x08", 4);
    for (unsigned i = 0; i < 8; i++) {
        c[5 + i] = (uint8_t)(ch * 8 + i);
    }
    c[13] = 0x00;
    n = send(c, 14, r);
    cr_assert_eq(sw_of(r, n), 0x9000, "INITIALIZE UPDATE on channel %u", ch);
    memcpy(ctx, c + 5, 8);
    memcpy(ctx + 8, r + 13, 8);
    host_kdf(key40, 0x06, 128, ctx, h->s_mac);
    host_kdf(h->s_mac, 0x00, 64, ctx, cc);
    cr_assert(memcmp(cc, r + 21, 8) == 0, "card cryptogram on channel %u",
              ch);
    host_kdf(h->s_mac, 0x01, 64, ctx, hc);
    memset(h->chain, 0, 16);
    n = wrap(h, ch, (const uint8_t *)"\x80\x82\x01\x00", hc, 8, c);
    n = send(c, n, r);
    cr_assert_eq(sw_of(r, n), 0x9000, "EXTERNAL AUTHENTICATE on channel %u",
                 ch);
}

static void setup(void)
{
    nc_test_init();
    nor_sim_init(&sim, 4096, 32);
    nor_sim_flash(&sim, &fl);
    cr_assert_eq(store_format(&st, &fl, 0x4751u), STORE_OK);
    cr_assert_eq(gp_personalise(&st), STORE_OK);
    apdu_fixture_init();
    gp_registry_init(test_store);
    cr_assert_eq(gp_registry_sync(), STORE_OK);
    dispatch_set_registry(gp_registry(gp_isd_init(&cfg)));
    apdu_fixture_reset();
    crypto_key_flush();
}

static void teardown(void)
{
    nor_sim_free(&sim);
    nc_test_fini();
}

TestSuite(unit_gp_channels, .init = setup, .fini = teardown);

/* GET STATUS of the ISD on channel CH: 9000 and the ISD's entry. */
static void status_on(struct host_scp03 *h, unsigned ch, const char *what)
{
    uint8_t c[64], r[300];
    size_t n = wrap(h, ch, (const uint8_t *)"\x80\xF2\x80\x02",
                    (const uint8_t *)"\x4F\x00", 2, c);

    c[n++] = 0x00;
    n = send(c, n, r);
    cr_assert_eq(sw_of(r, n), 0x9000, "%s: GET STATUS on channel %u", what,
                 ch);
    cr_assert(n > 12 && r[0] == 0xE3 && memcmp(r + 4, isd, 8) == 0,
              "%s: channel %u: not the ISD's entry", what, ch);
}

/* PUT KEY (GPC 2.3.1 11.8; Amendment D 7.2.2) of a new AES key set KVN
 * (ENC = MAC = DEK = 16 bytes 0x60 + i) on channel CH: each key AES-CBC
 * under the static DEK 40..4F with a zero ICV, its KCV AES(key, 01..01);
 * computed here on the host mbedTLS. The card answers KVN and the KCVs. */
static void put_key_set(struct host_scp03 *h, unsigned ch, uint8_t kvn)
{
    uint8_t key[16], ct[16], iv[16] = { 0 }, ones[16], kcv[16];
    uint8_t data[1 + 3 * 22], want[1 + 9 + 2], c[128], r[64];
    mbedtls_aes_context aes;
    size_t n = 0;

    for (unsigned i = 0; i < 16; i++) {
        key[i] = (uint8_t)(0x60 + i);
    }
    memset(ones, 0x01, 16);
    mbedtls_aes_init(&aes);
    cr_assert_eq(mbedtls_aes_setkey_enc(&aes, key40, 128), 0);
    cr_assert_eq(mbedtls_aes_crypt_cbc(&aes, MBEDTLS_AES_ENCRYPT, 16, iv, key,
                                       ct), 0);
    cr_assert_eq(mbedtls_aes_setkey_enc(&aes, key, 128), 0);
    cr_assert_eq(mbedtls_aes_crypt_ecb(&aes, MBEDTLS_AES_ENCRYPT, ones, kcv),
                 0);
    mbedtls_aes_free(&aes);
    data[n++] = kvn;
    want[0] = kvn;
    for (unsigned k = 0; k < 3; k++) {
        data[n++] = 0x88;
        data[n++] = 0x11;
        data[n++] = 0x10;
        memcpy(data + n, ct, 16);
        n += 16;
        data[n++] = 0x03;
        memcpy(data + n, kcv, 3);
        n += 3;
        memcpy(want + 1 + 3 * k, kcv, 3);
    }
    want[10] = 0x90;
    want[11] = 0x00;
    n = wrap(h, ch, (const uint8_t *)"\x80\xD8\x00\x81", data, n, c);
    c[n++] = 0x00;
    n = send(c, n, r);
    cr_assert_eq(n, sizeof(want), "PUT KEY answered %s", nc_hex(r, n));
    cr_assert(memcmp(r, want, n) == 0, "PUT KEY answered %s", nc_hex(r, n));
}

Test(unit_gp_channels, a_session_on_each_of_20_channels)
{
    static struct host_scp03 h[APDU_CHANNELS];
    uint8_t c[64], r[300];
    struct crypto_key_stats ks;
    size_t n;

    for (unsigned ch = 0; ch < APDU_CHANNELS; ch++) {
        if (ch > 0) {
            /* MANAGE CHANNEL open: the card assigns the lowest free */
            n = send((const uint8_t *)"\x00\x70\x00\x00\x01", 5, r);
            cr_assert_eq(sw_of(r, n), 0x9000);
            cr_assert_eq(n, 3);
            cr_assert_eq(r[0], ch);
        }
        open_on(&h[ch], ch);
    }
    /* three rounds of GET STATUS (ISD, tag format) on every channel,
     * each with its own C-MAC chain */
    for (unsigned round = 0; round < 3; round++) {
        for (unsigned ch = 0; ch < APDU_CHANNELS; ch++) {
            n = wrap(&h[ch], ch, (const uint8_t *)"\x80\xF2\x80\x02",
                     (const uint8_t *)"\x4F\x00", 2, c);
            c[n++] = 0x00;
            n = send(c, n, r);
            cr_assert_eq(sw_of(r, n), 0x9000, "GET STATUS round %u channel "
                         "%u", round, ch);
            cr_assert(n > 12 && r[0] == 0xE3 && memcmp(r + 4, isd, 8) == 0,
                      "channel %u: not the ISD's entry", ch);
        }
    }
    /* 60 session keys, 9 slots: 60 derivations at INITIALIZE UPDATE,
     * then S-MAC made again for (nearly) every command of the rounds */
    crypto_key_stats(&ks);
    cr_assert_geq(ks.derivations, 3u * APDU_CHANNELS + 2u * APDU_CHANNELS,
                  "%u derivations", ks.derivations);
    /* a new key set on channel 0 leaves the other channels' sessions
     * (key set 30) alone: their evicted keys are derived again */
    put_key_set(&h[0], 0, 0x31);
    for (unsigned ch = 0; ch < APDU_CHANNELS; ch++) {
        status_on(&h[ch], ch, "after PUT KEY 31");
    }
    /* a wrong C-MAC ends the session of its channel only (6982) */
    n = wrap(&h[7], 7, (const uint8_t *)"\x80\xF2\x80\x02",
             (const uint8_t *)"\x4F\x00", 2, c);
    c[n - 1] ^= 0x01;
    n = send(c, n, r);
    cr_assert_eq(sw_of(r, n), 0x6982);
    n = wrap(&h[8], 8, (const uint8_t *)"\x80\xF2\x80\x02",
             (const uint8_t *)"\x4F\x00", 2, c);
    n = send(c, n, r);
    cr_assert_eq(sw_of(r, n), 0x9000, "channel 8 after channel 7's 6982");
}
