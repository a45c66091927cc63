/*
 * Protocol-independent secure channel calls. Contract: gp/scp.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "gp/scp.h"

#include "gp/scp02.h"
#include "gp/scp03.h"

uint16_t scp_unwrap(struct scp_session *s, uint8_t *buf, size_t cap,
                    const struct apdu *cmd, struct apdu *plain)
{
    bool sm = scp_cla_has_sm(cmd->cla);

    if (s->state != SCP_OPEN || (!sm && !(s->level & SCP_LEVEL_CMAC))) {
        if (sm) {
            return SW_SECURE_MESSAGING_NOT_SUPPORTED;
        }
        *plain = *cmd;
        return SW_OK;
    }
    if (!sm) {
        /* GPC 2.3.1 10.2.3: a command without the protection the
         * session's level requires */
        return SW_SECURITY_STATUS;
    }
    return s->proto == 0x02 ? scp02_unwrap(s, buf, cap, cmd, plain)
                            : scp03_unwrap(s, buf, cap, cmd, plain);
}

void scp_wrap(struct scp_session *s, struct apdu_response *rsp)
{
    if (s->state == SCP_OPEN && s->proto == 0x03) {
        scp03_wrap(s, rsp);
    }
}
