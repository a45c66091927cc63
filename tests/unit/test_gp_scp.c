/*
 * Unit tests: the GlobalPlatform secure channel modules (cardos/gp/scp*.c)
 * on the host crypto backend (crypto_host.c), against vectors of
 * independent implementations only (tests/vectors/README.md): every
 * SCP03 and SCP02 vector of osmocom pySim, the SCP03 vector of the notes,
 * the session keys, card challenges, cryptograms, MACs and PUT KEY
 * components GlobalPlatformPro and GPShell computed in the reference
 * sessions (gp-traces), and GPC 2.3.1 / Amendment D for the status words
 * of bad input.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <criterion/criterion.h>
#include <string.h>

#include "apdu/apdu.h"
#include "crypto/key.h"
#include "crypto/keystore.h"
#include "crypto_host.h"
#include "gp/scp.h"
#include "gp/scp02.h"
#include "gp/scp03.h"
#include "gp_vectors.h"
#include "nor_sim.h"
#include "store/store.h"

/* The static keys live in a key store (crypto/key.h: sessions name them
 * by id); the host model of the coprocessor's slots derives from them. */
static struct nor_sim sim;
static struct store kst;
static struct store_flash fl;
static const uint16_t key_ids[3] = { 0x7001, 0x7002, 0x7003 };

static void setup(void)
{
    nc_test_init();
    nor_sim_init(&sim, 2048, 16);
    nor_sim_flash(&sim, &fl);
    cr_assert_eq(store_format(&kst, &fl, 0x4B59u), STORE_OK);
    crypto_key_flush();
}

static void teardown(void)
{
    nor_sim_free(&sim);
    nc_test_fini();
}

TestSuite(unit_gp_scp, .init = setup, .fini = teardown);

/* The static key set ENC, MAC, DEK (LEN bytes each, TYPE) into the store. */
static void put_keys(const uint8_t *enc, const uint8_t *mac,
                     const uint8_t *dek, size_t len, uint8_t type)
{
    const uint8_t *v[3] = { enc, mac, dek };

    for (int i = 0; i < 3; i++) {
        cr_assert_eq(keystore_put(&kst, key_ids[i], type, v[i], len),
                     STORE_OK);
    }
}

static struct crypto_key *stored(unsigned kid, size_t len, uint8_t type)
{
    static struct crypto_key k;

    crypto_key_stored(&k, &kst, key_ids[kid], type, (uint8_t)len);
    return &k;
}

/* Session key WHICH of S equals WANT (hex; the host model's slot). */
static void expect_key(const struct scp_session *s, enum scp_key which,
                       const uint8_t *want, size_t n, const char *what)
{
    struct crypto_key k;
    uint8_t v[32];
    size_t len = 0;

    scp_key(s, which, &k);
    cr_assert(crypto_host_key_value(&k, v, &len), "%s not made", what);
    cr_assert_eq(len, n);
    cr_assert(memcmp(v, want, n) == 0, "%s %s", what, nc_hex(v, n));
}

static const uint8_t isd_aid[8] = { 0xA0, 0x00, 0x00, 0x01, 0x51, 0x00,
                                    0x00, 0x00 };
/* pySim's vectors come from an eUICC: its security domain is the ISD-R
 * (SGP.22 2.2.3), whose AID the pseudo-random card challenges use. */
static const uint8_t isd_r_aid[16] = { 0xA0, 0x00, 0x00, 0x05, 0x59, 0x10,
                                       0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89,
                                       0x00, 0x00, 0x01, 0x00 };
static const uint8_t key40[16] = { 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46,
                                   0x47, 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D,
                                   0x4E, 0x4F };

/* A command in an APDU buffer with room for in-place unwrapping. */
struct cmdbuf {
    uint8_t buf[600];
    size_t len;
    struct apdu a;
};

static void load(struct cmdbuf *c, const char *hex)
{
    memset(c->buf, 0, sizeof(c->buf));
    c->len = nc_unhex(hex, c->buf, sizeof(c->buf) - 64);
    cr_assert_eq(apdu_parse(c->buf, c->len, &c->a), SW_OK, "bad APDU %s", hex);
}

/* SESSION unwraps WRAPPED into what PLAIN (hex) says. */
static void expect_unwrap(struct scp_session *s, const char *wrapped,
                          const char *plain_hex)
{
    struct cmdbuf w, p;
    struct apdu out;
    uint16_t sw;

    load(&w, wrapped);
    load(&p, plain_hex);
    sw = scp_unwrap(s, w.buf, sizeof(w.buf), &w.a, &out);
    cr_assert_eq(sw, SW_OK, "unwrap of %s: %04X", wrapped, sw);
    cr_assert_eq(out.cla, p.a.cla, "%s: CLA %02X", wrapped, out.cla);
    cr_assert(out.ins == p.a.ins && out.p1 == p.a.p1 && out.p2 == p.a.p2);
    cr_assert_eq(out.nc, p.a.nc, "%s: Nc %u, expected %u", wrapped,
                 (unsigned)out.nc, (unsigned)p.a.nc);
    cr_assert(out.nc == 0 || memcmp(out.data, p.a.data, out.nc) == 0,
              "%s: data %s, expected %s", wrapped, nc_hex(out.data, out.nc),
              nc_hex(p.a.data, p.a.nc));
    cr_assert_eq(out.le_present, p.a.le_present);
    cr_assert_eq(out.ne, p.a.ne);
}

/* Wrap response data PLAIN with 9000 and compare with WRAPPED. */
static void expect_wrap(struct scp_session *s, const char *plain,
                        const char *wrapped)
{
    uint8_t buf[600], want[300];
    struct apdu_response r;
    size_t n, wn;

    apdu_response_init(&r, buf, sizeof(buf));
    n = nc_unhex(plain, buf, 300);
    r.len = n;
    scp_wrap(s, &r);
    wn = nc_unhex(wrapped, want, sizeof(want));
    cr_assert_eq(r.sw, SW_OK);
    cr_assert(r.len == wn && memcmp(buf, want, wn) == 0,
              "wrapped response %s, expected %s", nc_hex(buf, r.len),
              nc_hex(want, wn));
}

/* One pySim SCP03 vector: the whole session, byte for byte. */
static void scp03_vector(const char *name)
{
    const char *j = gpv_file("scp-pysim.json");
    const char *v = gpv_find(j, name);
    const char *plain = gpv_find(j, "scp03_plain");
    uint8_t enc[32], mac[32], rsp[40], card[8], cg[8];
    size_t klen = gpv_hex(v, "enc", enc, sizeof(enc));
    struct scp_session s = { 0 };
    struct cmdbuf iu, ea;

    cr_assert_eq(gpv_hex(v, "mac", mac, sizeof(mac)), klen);
    load(&iu, gpv_str(v, "init_upd_cmd"));
    cr_assert_eq(gpv_hex(v, "init_upd_rsp", rsp, sizeof(rsp)), 32);
    /* key diversification 10, key info 3 (KVN, 03, i), card challenge 8,
     * card cryptogram 8, sequence counter 3 (Amendment D 7.1.1.6) */
    cr_assert_eq(rsp[11], 0x03);
    put_keys(enc, mac, enc, klen, KEYSTORE_TYPE_AES);
    if (rsp[12] & SCP03_I_PSEUDO) {
        cr_assert_eq(scp03_card_challenge(stored(0, klen, KEYSTORE_TYPE_AES),
                                          rsp + 29, isd_r_aid, 16, card),
                     CRYPTO_OK);
        cr_assert(memcmp(card, rsp + 13, 8) == 0,
                  "%s: card challenge %s, the card sent %s", name,
                  nc_hex(card, 8), nc_hex(rsp + 13, 8));
    }
    cr_assert_eq(scp03_start(&s, rsp[12], rsp[10], &kst, key_ids, klen,
                             iu.a.data, rsp + 13, rsp + 29, cg), CRYPTO_OK);
    cr_assert(memcmp(cg, rsp + 21, 8) == 0, "%s: card cryptogram %s, "
              "expected %s", name, nc_hex(cg, 8), nc_hex(rsp + 21, 8));
    load(&ea, gpv_str(v, "ext_auth_cmd"));
    cr_assert_eq(scp03_authenticate(&s, ea.buf, sizeof(ea.buf), &ea.a), SW_OK,
                 "%s: EXTERNAL AUTHENTICATE refused", name);
    cr_assert_eq(s.level, ea.a.p1);
    unsigned ops = crypto_host_slot_ops();

    expect_unwrap(&s, gpv_str(v, "get_eid_cmd"), gpv_str(plain, "get_eid_cmd"));
    expect_wrap(&s, gpv_str(plain, "get_eid_rsp"), gpv_str(v, "get_eid_rsp"));
    for (int c = 1; c <= 4; c++) {
        const char *key = nc_strf("case_%d_apdu", c);

        expect_unwrap(&s, gpv_str(v, key), gpv_str(plain, key));
    }
    if (s.level == 0x33) {
        /* engine commands (each a coprocessor command on the card), keys
         * all in their slots: one C-MAC per command (5), a decryption per
         * command with data (get EID, cases 3 and 4), R-ENC and R-MAC of
         * the one response, and the ICVs of four commands in one ECB
         * (two ECBs for the five) */
        cr_assert_eq(crypto_host_slot_ops() - ops, 5u + 3u + 2u + 2u,
                     "%s: %u engine commands", name,
                     crypto_host_slot_ops() - ops);
    }
    scp_end(&s);
    cr_assert_eq(s.state, SCP_IDLE);
}

Test(unit_gp_scp, pysim_scp03_aes128_level_11) { scp03_vector("SCP03_Test_AES128_11"); }
Test(unit_gp_scp, pysim_scp03_aes128_level_03) { scp03_vector("SCP03_Test_AES128_03"); }
Test(unit_gp_scp, pysim_scp03_aes128_level_33) { scp03_vector("SCP03_Test_AES128_33"); }
Test(unit_gp_scp, pysim_scp03_aes192_level_11) { scp03_vector("SCP03_Test_AES192_11"); }
Test(unit_gp_scp, pysim_scp03_aes192_level_03) { scp03_vector("SCP03_Test_AES192_03"); }
Test(unit_gp_scp, pysim_scp03_aes192_level_33) { scp03_vector("SCP03_Test_AES192_33"); }
Test(unit_gp_scp, pysim_scp03_aes256_level_11) { scp03_vector("SCP03_Test_AES256_11"); }
Test(unit_gp_scp, pysim_scp03_aes256_level_03) { scp03_vector("SCP03_Test_AES256_03"); }
Test(unit_gp_scp, pysim_scp03_aes256_level_33) { scp03_vector("SCP03_Test_AES256_33"); }

/* The notes' vector: the session keys themselves. */
Test(unit_gp_scp, notes_scp03_session_keys)
{
    const char *t = gpv_file("scp03-notes.txt");
    uint8_t enc[16], mac[16], rsp[32], want[16], cg[8];
    struct scp_session s = { 0 };
    struct cmdbuf iu, ea;

    gpv_line(t, "Key-ENC", enc, 16);
    gpv_line(t, "Key-MAC", mac, 16);
    gpv_line(t, "response", rsp, 32);
    iu.len = gpv_line(t, "INITIALIZE UPDATE", iu.buf, sizeof(iu.buf));
    cr_assert_eq(apdu_parse(iu.buf, iu.len, &iu.a), SW_OK);
    put_keys(enc, mac, enc, 16, KEYSTORE_TYPE_AES);
    cr_assert_eq(scp03_start(&s, 0x70, 0x30, &kst, key_ids, 16, iu.a.data,
                             rsp + 13, rsp + 29, cg), CRYPTO_OK);
    cr_assert(memcmp(cg, rsp + 21, 8) == 0);
    gpv_line(t, "S-ENC", want, 16);
    expect_key(&s, SCP_KEY_ENC, want, 16, "S-ENC");
    gpv_line(t, "S-MAC", want, 16);
    expect_key(&s, SCP_KEY_MAC, want, 16, "S-MAC");
    gpv_line(t, "S-RMAC", want, 16);
    expect_key(&s, SCP_KEY_RMAC, want, 16, "S-RMAC");
    ea.len = gpv_line(t, "EXTERNAL AUTHENTICATE", ea.buf, sizeof(ea.buf));
    cr_assert_eq(apdu_parse(ea.buf, ea.len, &ea.a), SW_OK);
    cr_assert_eq(scp03_authenticate(&s, ea.buf, sizeof(ea.buf), &ea.a), SW_OK);
}

/* pySim's SCP02 session (i = 55, level 01): the card cryptogram, then the
 * four commands whose C-MACs chain from the EXTERNAL AUTHENTICATE's. */
Test(unit_gp_scp, pysim_scp02_session)
{
    const char *j = gpv_file("scp-pysim.json");
    const char *v = gpv_find(j, "scp02");
    uint8_t enc[16], mac[16], dek[16], rsp[28], cg[8];
    struct scp_session s = { 0 };
    struct cmdbuf iu, ea;
    const char *p;

    gpv_hex(v, "enc", enc, 16);
    gpv_hex(v, "mac", mac, 16);
    gpv_hex(v, "dek", dek, 16);
    load(&iu, gpv_str(v, "init_update_cmd"));
    /* key diversification 10, key info 2 (KVN, 02), sequence counter 2,
     * card challenge 6, card cryptogram 8 (GPC 2.3.1 E.5.1.6) */
    cr_assert_eq(gpv_hex(v, "init_update_rsp", rsp, sizeof(rsp)), 28);
    put_keys(enc, mac, dek, 16, KEYSTORE_TYPE_DES);
    cr_assert_eq(scp02_start(&s, 0x55, rsp[10], &kst, key_ids, iu.a.data,
                             rsp + 14, rsp + 12, cg), CRYPTO_OK);
    cr_assert(memcmp(cg, rsp + 20, 8) == 0, "card cryptogram %s, expected %s",
              nc_hex(cg, 8), nc_hex(rsp + 20, 8));
    load(&ea, gpv_str(v, "ext_auth_cmd"));
    cr_assert_eq(scp02_authenticate(&s, ea.buf, sizeof(ea.buf), &ea.a), SW_OK);
    p = strstr(v, "wrapped_after_auth_in_order");
    for (int c = 0; c < 4; c++) {
        /* pairs "plain", "wrapped" in order */
        const char *q1 = strchr(p + 1, '"'), *plain, *wrapped;

        q1 = strchr(strchr(q1 + 1, '[') + 1, '"');
        plain = nc_strf("%.*s", (int)strcspn(q1 + 1, "\""), q1 + 1);
        q1 = strchr(strchr(q1 + 1, '"') + 1, '"');
        wrapped = nc_strf("%.*s", (int)strcspn(q1 + 1, "\""), q1 + 1);
        expect_unwrap(&s, wrapped, plain);
        p = q1;
    }
}

/* GlobalPlatformPro's SCP03 i=70 session (scp03-i70-gp.trace, first
 * authentication): the card challenge derived from counter 000010 and
 * the ISD AID, the session keys, the EXTERNAL AUTHENTICATE and the first
 * GET STATUS. */
Test(unit_gp_scp, trace_scp03_i70_gpp)
{
    uint8_t card[8], cg[8], host[8], want[16];
    static const uint8_t seq[3] = { 0x00, 0x00, 0x10 };
    struct scp_session s = { 0 };
    struct cmdbuf ea;

    put_keys(key40, key40, key40, 16, KEYSTORE_TYPE_AES);
    cr_assert_eq(scp03_card_challenge(stored(0, 16, KEYSTORE_TYPE_AES), seq,
                                      isd_aid, 8, card), CRYPTO_OK);
    nc_unhex("81E02F9C4061653A", want, 8);
    cr_assert(memcmp(card, want, 8) == 0, "card challenge %s", nc_hex(card, 8));
    nc_unhex("FFDFCDAA9E3A10F6", host, 8);
    cr_assert_eq(scp03_start(&s, 0x70, 0x30, &kst, key_ids, 16, host, card,
                             seq, cg), CRYPTO_OK);
    nc_unhex("C7460A47C2800834", want, 8);
    cr_assert(memcmp(cg, want, 8) == 0);
    nc_unhex("1CE203BEA5DACF33310BCB49D8ED3C3B", want, 16);
    expect_key(&s, SCP_KEY_ENC, want, 16, "S-ENC");
    nc_unhex("4E29101F894A27D2AD39D6D0D99749C9", want, 16);
    expect_key(&s, SCP_KEY_MAC, want, 16, "S-MAC");
    nc_unhex("7853AF3EEAD5BC12E97465BF45AF253E", want, 16);
    expect_key(&s, SCP_KEY_RMAC, want, 16, "S-RMAC");
    load(&ea, "84820100107BEE5533CF4AD96E645950CAD133E16E");
    cr_assert_eq(scp03_authenticate(&s, ea.buf, sizeof(ea.buf), &ea.a), SW_OK);
    expect_unwrap(&s, "84F280020A4F006A2A02462F0727FC00", "80F28002024F0000");
    expect_unwrap(&s, "84F240020A4F00BBB36132C965CB6300", "80F24002024F0000");
}

/* GlobalPlatformPro's SCP02 i=55 session (scp02-i55-gp.trace): the
 * pseudo-random card challenge E7B9B95663C6 (static Key-MAC over the ISD
 * AID), session keys for counter 0010, the EXTERNAL AUTHENTICATE and the
 * ICV-encrypted C-MAC chain of the next commands. */
Test(unit_gp_scp, trace_scp02_i55_gpp)
{
    uint8_t card[6], cg[8], host[8], want[16];
    static const uint8_t seq[2] = { 0x00, 0x10 };
    struct scp_session s = { 0 };
    struct cmdbuf ea;

    put_keys(key40, key40, key40, 16, KEYSTORE_TYPE_DES);
    cr_assert_eq(scp02_card_challenge(stored(1, 16, KEYSTORE_TYPE_DES),
                                      isd_aid, 8, card), CRYPTO_OK);
    nc_unhex("E7B9B95663C6", want, 6);
    cr_assert(memcmp(card, want, 6) == 0, "card challenge %s", nc_hex(card, 6));
    nc_unhex("0CD697CA31D2E1A4", host, 8);
    cr_assert_eq(scp02_start(&s, 0x55, 0x20, &kst, key_ids, host, card, seq,
                             cg), CRYPTO_OK);
    nc_unhex("DE8E9F50660A659D", want, 8);
    cr_assert(memcmp(cg, want, 8) == 0, "card cryptogram %s", nc_hex(cg, 8));
    nc_unhex("9DCFBA55D0D2D1F93A76F4E664AC7557", want, 16);
    expect_key(&s, SCP_KEY_ENC, want, 16, "S-ENC");
    nc_unhex("4EBEDA3CFAF1AF9F51E5C5C1A209FA12", want, 16);
    expect_key(&s, SCP_KEY_MAC, want, 16, "S-MAC");
    nc_unhex("3D8EE3E7D528FB11B228B6A2A9E67843", want, 16);
    expect_key(&s, SCP_KEY_RMAC, want, 16, "S-DEK");
    load(&ea, "8482010010777AC86D7D9AD46733187C78B556F301");
    cr_assert_eq(scp02_authenticate(&s, ea.buf, sizeof(ea.buf), &ea.a), SW_OK);
    expect_unwrap(&s, "84F280020A4F005D118343DAA7F7DF00", "80F28002024F0000");
    expect_unwrap(&s, "84F240020A4F009E7AB7FE89340E6F00", "80F24002024F0000");
}

/* PUT KEY components and key check values the tools computed. */
Test(unit_gp_scp, put_key_components_and_kcvs)
{
    uint8_t in[16], out[16], want[16], kcv[3];
    struct scp_session s = { 0 };

    /* SCP03: AES-CBC with the static DEK (scp03-i70-gp26.trace) */
    nc_unhex("3D0FA4B855D2A5AA4954B8B5DF582A3A", in, 16);
    put_keys(key40, key40, key40, 16, KEYSTORE_TYPE_AES);
    cr_assert_eq(scp03_decrypt_key(stored(2, 16, KEYSTORE_TYPE_AES), in, 16,
                                   out), CRYPTO_OK);
    nc_unhex("000102030405060708090A0B0C0D0E0F", want, 16);
    cr_assert(memcmp(out, want, 16) == 0, "%s", nc_hex(out, 16));
    cr_assert_eq(scp03_kcv(out, 16, kcv), CRYPTO_OK);
    cr_assert(memcmp(kcv, "\xC3\x52\x80", 3) == 0, "%s", nc_hex(kcv, 3));
    nc_unhex("101112131415161718191A1B1C1D1E1F", want, 16);
    cr_assert_eq(scp03_kcv(want, 16, kcv), CRYPTO_OK);
    cr_assert(memcmp(kcv, "\x01\x38\x08", 3) == 0, "%s", nc_hex(kcv, 3));
    /* SCP02: 3DES-ECB with the session DEK of counter 0011
     * (scp02-i15-gpshell-3k.trace) */
    put_keys(key40, key40, key40, 16, KEYSTORE_TYPE_DES);
    scp_set_key_store(&kst);
    s.epoch = keystore_epoch(key_ids[0]);
    memcpy(s.key_id, key_ids, sizeof(s.key_id));
    s.proto = 0x02;
    s.key_len = 16;
    s.seq[0] = 0x00;
    s.seq[1] = 0x11;
    s.state = SCP_OPEN;
    nc_unhex("19F7B0F94837F32874B29B5EFB7809F6", want, 16);
    expect_key(&s, SCP_KEY_RMAC, want, 16, "S-DEK");
    nc_unhex("C78239ED5AD49EED7BCB6C77C96ECC1A", in, 16);
    cr_assert_eq(scp02_decrypt_key(&s, in, out), CRYPTO_OK);
    nc_unhex("101112131415161718191A1B1C1D1E1F", want, 16);
    cr_assert(memcmp(out, want, 16) == 0, "%s", nc_hex(out, 16));
    cr_assert_eq(scp02_kcv(out, kcv), CRYPTO_OK);
    cr_assert(memcmp(kcv, "\xFE\x8A\x09", 3) == 0, "%s", nc_hex(kcv, 3));
}

/* ---- bad input: GPC 2.3.1 E.5.2; Amendment D 7.1.2 --------------------- */

/* A session of the notes' vector, started (not yet authenticated). */
static void notes_started(struct scp_session *s, uint8_t i)
{
    const char *t = gpv_file("scp03-notes.txt");
    uint8_t enc[16], mac[16], rsp[32], cg[8], host[8];

    gpv_line(t, "Key-ENC", enc, 16);
    gpv_line(t, "Key-MAC", mac, 16);
    gpv_line(t, "response", rsp, 32);
    nc_unhex("b13e5f938fc108c4", host, 8);
    put_keys(enc, mac, enc, 16, KEYSTORE_TYPE_AES);
    cr_assert_eq(scp03_start(s, i, 0x30, &kst, key_ids, 16, host, rsp + 13,
                             rsp + 29, cg), CRYPTO_OK);
}

#define NOTES_EA "84821100107d5f5826a993ebc89eea24957fa0b3ce"

Test(unit_gp_scp, wrong_host_cryptogram_is_6300)
{
    struct scp_session s = { 0 };
    struct cmdbuf ea;

    notes_started(&s, 0x70);
    load(&ea, NOTES_EA);
    ea.buf[5] ^= 0x01;
    cr_assert_eq(scp03_authenticate(&s, ea.buf, sizeof(ea.buf), &ea.a),
                 SW_AUTH_FAILED);
}

Test(unit_gp_scp, wrong_c_mac_is_6982)
{
    struct scp_session s = { 0 };
    struct cmdbuf ea, cmd;
    struct apdu out;

    notes_started(&s, 0x70);
    load(&ea, NOTES_EA);
    ea.buf[20] ^= 0x80;
    cr_assert_eq(scp03_authenticate(&s, ea.buf, sizeof(ea.buf), &ea.a),
                 SW_SECURITY_STATUS);
    /* and on a command of an open session */
    notes_started(&s, 0x70);
    load(&ea, NOTES_EA);
    cr_assert_eq(scp03_authenticate(&s, ea.buf, sizeof(ea.buf), &ea.a), SW_OK);
    load(&cmd, "84f220020863a63f8959827fb3");
    cr_assert_eq(scp_unwrap(&s, cmd.buf, sizeof(cmd.buf), &cmd.a, &out),
                 SW_SECURITY_STATUS);
}

Test(unit_gp_scp, level_beyond_option_i_is_6a86)
{
    struct scp_session s = { 0 };
    struct cmdbuf ea;

    notes_started(&s, 0x10);        /* no R-MAC: level 11 not offered */
    load(&ea, NOTES_EA);
    cr_assert_eq(scp03_authenticate(&s, ea.buf, sizeof(ea.buf), &ea.a),
                 SW_INCORRECT_P1P2);
}

Test(unit_gp_scp, plain_command_in_a_c_mac_session_is_6982)
{
    struct scp_session s = { 0 };
    struct cmdbuf ea, cmd;
    struct apdu out;

    notes_started(&s, 0x70);
    load(&ea, NOTES_EA);
    cr_assert_eq(scp03_authenticate(&s, ea.buf, sizeof(ea.buf), &ea.a), SW_OK);
    load(&cmd, "80F22002");
    cr_assert_eq(scp_unwrap(&s, cmd.buf, sizeof(cmd.buf), &cmd.a, &out),
                 SW_SECURITY_STATUS);
}

Test(unit_gp_scp, secure_messaging_without_a_session_is_6882)
{
    struct scp_session s = { 0 };
    struct cmdbuf cmd;
    struct apdu out;

    load(&cmd, "84f220020863a63f8959827fb2");
    cr_assert_eq(scp_unwrap(&s, cmd.buf, sizeof(cmd.buf), &cmd.a, &out),
                 SW_SECURE_MESSAGING_NOT_SUPPORTED);
    load(&cmd, "80F22002");
    cr_assert_eq(scp_unwrap(&s, cmd.buf, sizeof(cmd.buf), &cmd.a, &out), SW_OK);
    cr_assert_eq(out.cla, 0x80);
}

Test(unit_gp_scp, error_status_words_go_back_unwrapped)
{
    struct scp_session s = { 0 };
    struct cmdbuf ea;
    uint8_t buf[64];
    struct apdu_response r;

    notes_started(&s, 0x70);
    load(&ea, NOTES_EA);
    cr_assert_eq(scp03_authenticate(&s, ea.buf, sizeof(ea.buf), &ea.a), SW_OK);
    apdu_response_init(&r, buf, sizeof(buf));
    r.sw = 0x6A88;
    scp_wrap(&s, &r);
    cr_assert_eq(r.len, 0);
    cr_assert_eq(r.sw, 0x6A88);
}
