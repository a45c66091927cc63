/*
 * What SCP02 and SCP03 share. Contract: gp/scp_session.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "gp/scp_session.h"

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

void scp_end(struct scp_session *s)
{
    scp_wipe(s, sizeof(*s));
}

