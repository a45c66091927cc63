/*
 * Unit tests: the key store (cardos/crypto/keystore.c) on the object
 * store over the simulated NOR flash: keys persist across a mount, are
 * handed out only by copy with their type checked, never leave a
 * too-small buffer half-written, survive a power cut at every flash
 * operation of a replacement as the old or the new value, and objects
 * that are not keys of this format are refused.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <criterion/criterion.h>
#include <setjmp.h>
#include <string.h>

#include "crypto/keystore.h"
#include "nor_sim.h"
#include "store/store.h"

#define PAGE_SIZE 2048
#define PAGES     16

static struct nor_sim sim;
static struct store st;
static struct store_flash fl;

static void setup(void)
{
    nor_sim_init(&sim, PAGE_SIZE, PAGES);
    nor_sim_flash(&sim, &fl);
    cr_assert_eq(store_format(&st, &fl, 0x4B59u), STORE_OK);
}

static void teardown(void)
{
    nor_sim_free(&sim);
}

TestSuite(unit_keystore, .init = setup, .fini = teardown);

/* The documented test PSK (docs/network.md). */
static const uint8_t psk[16] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
                                 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d,
                                 0x0e, 0x0f };

Test(unit_keystore, put_then_read_back_after_a_mount)
{
    uint8_t out[KEYSTORE_VALUE_MAX];
    size_t len = 0;
    uint8_t type = 0;

    cr_assert_eq(keystore_put(&st, 0xFF01, KEYSTORE_TYPE_PSK_TLS, psk,
                              sizeof(psk)), STORE_OK);
    cr_assert_eq(store_mount(&st, &fl), STORE_OK);
    cr_assert_eq(keystore_info(&st, 0xFF01, &type, &len), STORE_OK);
    cr_assert_eq(type, KEYSTORE_TYPE_PSK_TLS);
    cr_assert_eq(len, sizeof(psk));
    len = 0;
    cr_assert_eq(keystore_read(&st, 0xFF01, KEYSTORE_TYPE_PSK_TLS, out,
                               sizeof(out), &len), STORE_OK);
    cr_assert_eq(len, sizeof(psk));
    cr_assert(memcmp(out, psk, sizeof(psk)) == 0);
    /* one object in the key store's range, in the documented format */
    uint8_t obj[64];
    uint32_t n = 0;
    cr_assert_eq(store_read(&st, KEYSTORE_OBJ_BASE | 0xFF01u, obj,
                            sizeof(obj), &n), STORE_OK);
    cr_assert_eq(n, 3u + sizeof(psk));
    cr_assert(obj[0] == KEYSTORE_FORMAT && obj[1] == 0x85 && obj[2] == 16);
}

Test(unit_keystore, absent_keys_and_no_store)
{
    uint8_t out[16];
    size_t len = 99;

    cr_assert_eq(keystore_read(&st, 7, KEYSTORE_TYPE_AES, out, sizeof(out),
                               &len), STORE_ERR_NOT_FOUND);
    cr_assert_eq(len, 99u, "a failed read set the length");
    cr_assert_eq(keystore_info(&st, 7, NULL, NULL), STORE_ERR_NOT_FOUND);
    cr_assert_eq(keystore_delete(&st, 7), STORE_ERR_NOT_FOUND);
    cr_assert_eq(keystore_read(NULL, 7, KEYSTORE_TYPE_AES, out, sizeof(out),
                               &len), STORE_ERR_STATE);
    cr_assert_eq(keystore_put(NULL, 7, KEYSTORE_TYPE_AES, psk, 16),
                 STORE_ERR_STATE);
    cr_assert_eq(keystore_info(NULL, 7, NULL, NULL), STORE_ERR_STATE);
}

Test(unit_keystore, type_is_checked_and_copies_are_whole)
{
    uint8_t out[16];
    size_t len = 0;

    cr_assert_eq(keystore_put(&st, 1, KEYSTORE_TYPE_AES, psk, 16), STORE_OK);
    memset(out, 0xEE, sizeof(out));
    cr_assert_eq(keystore_read(&st, 1, KEYSTORE_TYPE_PSK_TLS, out,
                               sizeof(out), &len), KEYSTORE_ERR_TYPE);
    cr_assert_eq(keystore_read(&st, 1, KEYSTORE_TYPE_AES, out, 15, &len),
                 STORE_ERR_PARAM);
    for (size_t i = 0; i < sizeof(out); i++) {
        cr_assert_eq(out[i], 0xEE, "a refused read wrote byte %zu", i);
    }
    cr_assert_eq(keystore_read(&st, 1, KEYSTORE_TYPE_AES, out, 16, &len),
                 STORE_OK);
    cr_assert_eq(len, 16u);
}

Test(unit_keystore, value_lengths)
{
    uint8_t big[KEYSTORE_VALUE_MAX + 1];

    memset(big, 0x5A, sizeof(big));
    cr_assert_eq(keystore_put(&st, 2, KEYSTORE_TYPE_AES, big, 0),
                 STORE_ERR_PARAM);
    cr_assert_eq(keystore_put(&st, 2, KEYSTORE_TYPE_AES, big, sizeof(big)),
                 STORE_ERR_PARAM);
    cr_assert_eq(keystore_put(&st, 2, KEYSTORE_TYPE_AES, big,
                              KEYSTORE_VALUE_MAX), STORE_OK);
    cr_assert_eq(keystore_info(&st, 2, NULL, NULL), STORE_OK);
}

Test(unit_keystore, replace_and_delete)
{
    static const uint8_t k2[32] = { [0] = 0xA5, [31] = 0x5A };
    uint8_t out[32];
    size_t len = 0;

    cr_assert_eq(keystore_put(&st, 3, KEYSTORE_TYPE_PSK_TLS, psk, 16),
                 STORE_OK);
    cr_assert_eq(keystore_put(&st, 3, KEYSTORE_TYPE_PSK_TLS, k2, 32),
                 STORE_OK);
    cr_assert_eq(keystore_read(&st, 3, KEYSTORE_TYPE_PSK_TLS, out,
                               sizeof(out), &len), STORE_OK);
    cr_assert(len == 32 && memcmp(out, k2, 32) == 0);
    cr_assert_eq(keystore_delete(&st, 3), STORE_OK);
    cr_assert_eq(store_mount(&st, &fl), STORE_OK);
    cr_assert_eq(keystore_info(&st, 3, NULL, NULL), STORE_ERR_NOT_FOUND);
}

Test(unit_keystore, foreign_objects_in_the_range_are_not_keys)
{
    static const uint8_t wrong_format[] = { 2, 0x85, 1, 0xAA };
    static const uint8_t wrong_length[] = { 1, 0x85, 5, 0xAA };
    static const uint8_t no_value[] = { 1, 0x85, 0 };
    uint8_t huge[200] = { 1, 0x85, 197 };
    uint8_t out[KEYSTORE_VALUE_MAX];
    size_t len;

    cr_assert_eq(store_put(&st, KEYSTORE_OBJ(10), wrong_format,
                           sizeof(wrong_format)), STORE_OK);
    cr_assert_eq(store_put(&st, KEYSTORE_OBJ(11), wrong_length,
                           sizeof(wrong_length)), STORE_OK);
    cr_assert_eq(store_put(&st, KEYSTORE_OBJ(12), no_value,
                           sizeof(no_value)), STORE_OK);
    cr_assert_eq(store_put(&st, KEYSTORE_OBJ(13), huge, sizeof(huge)),
                 STORE_OK);
    for (uint16_t id = 10; id <= 13; id++) {
        cr_assert_eq(keystore_read(&st, id, 0x85, out, sizeof(out), &len),
                     KEYSTORE_ERR_FORMAT, "object %u", id);
        cr_assert_eq(keystore_info(&st, id, NULL, NULL), KEYSTORE_ERR_FORMAT,
                     "object %u", id);
    }
}

/*
 * A power cut at every flash operation of a replacement leaves the old or
 * the new key, never a mix or nothing (the store's transaction).
 */
Test(unit_keystore, power_cut_during_a_replacement)
{
    static const uint8_t k2[16] = { 0xF0, 0xE1, 0xD2, 0xC3, 0xB4, 0xA5, 0x96,
                                    0x87, 0x78, 0x69, 0x5A, 0x4B, 0x3C, 0x2D,
                                    0x1E, 0x0F };
    unsigned olds = 0, news = 0;

    for (uint64_t cut = 1; cut < 40; cut++) {
        static jmp_buf jb;
        uint8_t out[16];
        size_t len = 0;

        nor_sim_free(&sim);
        setup();
        cr_assert_eq(keystore_put(&st, 4, KEYSTORE_TYPE_PSK_TLS, psk, 16),
                     STORE_OK);
        nor_sim_arm(&sim, cut, NOR_TEAR_PARTIAL, cut, &jb);
        if (setjmp(jb) == 0) {
            (void)keystore_put(&st, 4, KEYSTORE_TYPE_PSK_TLS, k2, 16);
        }
        nor_sim_arm(&sim, 0, 0, 0, NULL);
        cr_assert_eq(store_mount(&st, &fl), STORE_OK, "cut %u",
                     (unsigned)cut);
        cr_assert_eq(keystore_read(&st, 4, KEYSTORE_TYPE_PSK_TLS, out,
                                   sizeof(out), &len), STORE_OK,
                     "cut %u: the key is gone", (unsigned)cut);
        cr_assert_eq(len, 16u);
        if (memcmp(out, psk, 16) == 0) {
            olds++;
        } else {
            cr_assert(memcmp(out, k2, 16) == 0, "cut %u: a mix of old and "
                      "new", (unsigned)cut);
            news++;
        }
    }
    cr_assert(olds > 0 && news > 0, "the cuts did not reach the commit "
              "(%u old, %u new)", olds, news);
}
