/*
 * The protocol-independent secure channel calls the card manager makes
 * on a session (gp/scp_session.h): unwrap a command, wrap a response,
 * whichever protocol (gp/scp02.h, gp/scp03.h) opened it.
 *
 * No hardware access; compiles on the host.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_GP_SCP_H
#define CARDOS_GP_SCP_H

#include <stddef.h>
#include <stdint.h>

#include "apdu/apdu.h"
#include "gp/scp_session.h"

/*
 * Unwrap command CMD (in BUF, CAP bytes of capacity; cmd->data points into
 * it) per the session's level: check the C-MAC, decrypt. On SW_OK, PLAIN
 * is the command as the application must see it (CLA without the secure
 * messaging bit, data decrypted, without the MAC; plain->data points into
 * BUF). A command without secure messaging in an open session whose level
 * has C-MAC, a wrong C-MAC or bad padding: SW_SECURITY_STATUS (the caller
 * ends the session). A command with secure messaging and no open session:
 * SW_SECURE_MESSAGING_NOT_SUPPORTED.
 */
uint16_t scp_unwrap(struct scp_session *s, uint8_t *buf, size_t cap,
                    const struct apdu *cmd, struct apdu *plain);

/* Wrap the response in RSP per the session's level (R-ENC, R-MAC) for the
 * command last unwrapped. Error status words go back unwrapped
 * (Amendment D 6.2.5: all but 9000, 62xx, 63xx). */
void scp_wrap(struct scp_session *s, struct apdu_response *rsp);

#endif /* CARDOS_GP_SCP_H */
