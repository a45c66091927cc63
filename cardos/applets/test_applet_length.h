/*
 * Response length rule shared by the commands of the built-in
 * applications (applets/test_applet.c, test_applet_crypto.c,
 * test_applet_bench.c, perso_applet.c).
 *
 * Contract: @n response bytes are already in the buffer. With Le present
 * and Ne smaller than @n, no data is returned and the status word says
 * so: 6Cxx (xx = @n, 00 = 256) for a short APDU and a length up to 256,
 * otherwise 6700 (the rule as stated in applets/test_applet.h). Otherwise
 * the response length is @n and the status word is left as it is.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_APPLETS_TEST_APPLET_LENGTH_H
#define CARDOS_APPLETS_TEST_APPLET_LENGTH_H

#include <stddef.h>

#include "apdu/apdu.h"

static inline void test_applet_set_length(const struct apdu *cmd,
                                          struct apdu_response *rsp, size_t n)
{
    if (cmd->le_present && n > cmd->ne) {
        rsp->len = 0;
        rsp->sw = (!cmd->extended && n <= 256) ? SW_CORRECT_LENGTH(n) : SW_WRONG_LENGTH;
        return;
    }
    rsp->len = n;
}

#endif
