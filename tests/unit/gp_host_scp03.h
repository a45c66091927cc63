/*
 * The host side of an SCP03 session (Amendment D) for unit tests, written
 * on the host mbedTLS independently of the card's gp/scp03.c: open a
 * session at level 01 (C-MAC) with a 40..4F-style static key set and wrap
 * commands. Tests use it to reach the card manager's commands; what they
 * check are the card's answers, never bytes this code computed.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_TESTS_GP_HOST_SCP03_H
#define NETCARD_TESTS_GP_HOST_SCP03_H

#include <criterion/criterion.h>
#include <mbedtls/cipher.h>
#include <mbedtls/cmac.h>
#include <stdbool.h>
#include <string.h>

struct host_scp03 {
    uint8_t s_mac[16], chain[16];
};

static inline void host_cmac(const uint8_t key[16], const uint8_t *m,
                             size_t n, uint8_t out[16])
{
    const mbedtls_cipher_info_t *ci =
        mbedtls_cipher_info_from_type(MBEDTLS_CIPHER_AES_128_ECB);

    cr_assert_eq(mbedtls_cipher_cmac(ci, key, 128, m, n, out), 0);
}

/* SP 800-108 counter mode, one block: 8 bytes (L 64) or 16 (L 128). */
static inline void host_kdf(const uint8_t key[16], uint8_t c, uint16_t l,
                            const uint8_t ctx[16], uint8_t *out)
{
    uint8_t m[32] = { 0 }, r[16];

    m[11] = c;
    m[13] = (uint8_t)(l >> 8);
    m[14] = (uint8_t)l;
    m[15] = 1;
    memcpy(m + 16, ctx, 16);
    host_cmac(key, m, 32, r);
    memcpy(out, r, l / 8);
}

/* Wrap the short command CMD (N bytes; a last Le byte, if any, stays
 * last) into OUT with its C-MAC; the length. */
static inline size_t host_scp03_wrap(struct host_scp03 *h, const uint8_t *cmd,
                                     size_t n, uint8_t *out)
{
    uint8_t m[300], mac[16];
    bool le = n == 5 || (n > 5 && n == 5u + cmd[4] + 1);

    cr_assert(n >= 4 && n + 16 + 9 < sizeof(m));
    memcpy(out, cmd, n);
    if (le) {
        n--;                /* Le goes back after the MAC */
    }
    if (n == 4) {
        out[4] = 0;
        n = 5;
    }
    out[0] |= 0x04;
    out[4] = (uint8_t)(out[4] + 8);
    memcpy(m, h->chain, 16);
    memcpy(m + 16, out, n);
    host_cmac(h->s_mac, m, 16 + n, mac);
    memcpy(h->chain, mac, 16);
    memcpy(out + n, mac, 8);
    n += 8;
    if (le) {
        out[n++] = 0x00;
    }
    return n;
}

/*
 * Open a session with key version KVN and KEY (ENC = MAC = KEY) over
 * SEND (returns the R-APDU, SW last): INITIALIZE UPDATE, check the card
 * cryptogram, EXTERNAL AUTHENTICATE at level 01.
 */
typedef size_t (*host_send_fn)(const uint8_t *cmd, size_t n, uint8_t *rsp);

static inline void host_scp03_open(struct host_scp03 *h, host_send_fn send,
                                   uint8_t kvn, const uint8_t key[16])
{
    uint8_t iu[14] = { 0x80, 0x50, kvn, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 7, 8,
                       0x00 };
    uint8_t r[300], ctx[16], s_mac[16], cc[8], hc[8], ea[30];
    size_t n = send(iu, sizeof(iu), r);

    cr_assert(n >= 31 && r[n - 2] == 0x90, "INITIALIZE UPDATE failed");
    memcpy(ctx, iu + 5, 8);
    memcpy(ctx + 8, r + 13, 8);
    host_kdf(key, 0x06, 128, ctx, s_mac);
    host_kdf(s_mac, 0x00, 64, ctx, cc);
    cr_assert(memcmp(cc, r + 21, 8) == 0, "card cryptogram");
    host_kdf(s_mac, 0x01, 64, ctx, hc);
    memcpy(h->s_mac, s_mac, 16);
    memset(h->chain, 0, 16);
    {
        uint8_t cmd[13] = { 0x80, 0x82, 0x01, 0x00, 0x08 };

        memcpy(cmd + 5, hc, 8);
        n = host_scp03_wrap(h, cmd, sizeof(cmd), ea);
    }
    n = send(ea, n, r);
    cr_assert(n == 2 && r[0] == 0x90 && r[1] == 0x00,
              "EXTERNAL AUTHENTICATE refused");
}

#endif /* NETCARD_TESTS_GP_HOST_SCP03_H */
