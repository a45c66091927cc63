/*
 * What SCP02 and SCP03 share. Contract: gp/scp_session.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "gp/scp_session.h"

#include <string.h>

#include "crypto/keystore.h"

void scp_wipe(void *p, size_t n)
{
    volatile uint8_t *b = p;

    while (n--) {
        *b++ = 0;
    }
}

bool scp_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
    uint8_t d = 0;

    for (size_t i = 0; i < n; i++) {
        d |= (uint8_t)(a[i] ^ b[i]);
    }
    return d == 0;
}

void scp_plain(const struct apdu *cmd, const uint8_t *data, size_t nc,
               struct apdu *plain)
{
    *plain = *cmd;
    plain->cla = scp_cla_plain(cmd->cla);
    plain->nc = (uint32_t)nc;
    plain->data = nc ? data : NULL;
    if (nc == 0) {
        plain->kase = cmd->le_present ? (cmd->extended ? APDU_CASE_2E
                                                       : APDU_CASE_2S)
                                      : APDU_CASE_1;
    }
}

size_t scp_data_offset(const uint8_t *buf, const struct apdu *cmd)
{
    if (cmd->nc != 0) {
        return (size_t)(cmd->data - buf);
    }
    return 4u + (cmd->extended ? 3u : 1u);
}

static const struct store *key_store;

void scp_set_key_store(const struct store *st)
{
    key_store = st;
}

void scp_static_key(const struct scp_session *s, unsigned kid,
                    struct crypto_key *k)
{
    crypto_key_stored(k, key_store, s->key_id[kid < 3 ? kid : 0],
                      s->proto == 0x02 ? KEYSTORE_TYPE_DES : KEYSTORE_TYPE_AES,
                      s->key_len);
}

void scp_key(const struct scp_session *s, enum scp_key which,
             struct crypto_key *k)
{
    /* SCP03 (Amendment D Table 4-1): S-ENC 04 from Key-ENC, S-MAC 06 and
     * S-RMAC 07 from Key-MAC, context host | card challenge.
     * SCP02 (GPC 2.3.1 E.4.1): S-ENC 0182 from Key-ENC, C-MAC 0101 from
     * Key-MAC, DEK 0181 from Key-DEK, context the sequence counter. */
    static const uint16_t dc03[4] = { 0x04, 0x06, 0x07, 0x06 };
    static const uint16_t dc02[4] = { 0x0182, 0x0101, 0x0181, 0x0101 };
    static const uint8_t kid[4] = { 0, 1, 1, 1 }, kid02[4] = { 0, 1, 2, 1 };
    struct crypto_key base;
    uint8_t ctx[16];

    if (s->proto == 0x03) {
        memcpy(ctx, s->host_challenge, 8);
        memcpy(ctx + 8, s->card_challenge, 8);
        scp_static_key(s, kid[which], &base);
        crypto_key_derived(k, &base, CRYPTO_KEY_SCP03, dc03[which], ctx, 16,
                           s->epoch);
    } else {
        scp_static_key(s, kid02[which], &base);
        crypto_key_derived(k, &base,
                           which == SCP_KEY_MAC_K1 ? CRYPTO_KEY_SCP02_K1
                                                   : CRYPTO_KEY_SCP02,
                           dc02[which], s->seq, 2, s->epoch);
    }
}

void scp_end(struct scp_session *s)
{
    if (s->state != SCP_IDLE) {
        struct crypto_key k;

        for (unsigned w = SCP_KEY_ENC; w <= SCP_KEY_MAC_K1; w++) {
            if (w == SCP_KEY_MAC_K1 && s->proto != 0x02) {
                break;
            }
            scp_key(s, (enum scp_key)w, &k);
            crypto_key_forget(&k);
        }
    }
    scp_wipe(s, sizeof(*s));
}

