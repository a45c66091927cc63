/*
 * adminapp: an applet that asks for an Amendment B admin session of its
 * security domain (nc_admin_session, system-call interface 1.2), for
 * tests/system/test_admin.c.
 *   INS 30 SESSION   calls nc_admin_session(); answers its result as one
 *                    byte (00 started, FB = NC_E_STATE a session runs,
 *                    FE = NC_E_NOTFOUND no parameters or PSK, FA =
 *                    NC_E_UNSUPPORTED no network) and 9000
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "netcard/applet.h"

NC_PACKAGE("A00000007706", 1, 0, 512, 0);
NC_MODULE("A0000000770601", adminapp);

int adminapp(unsigned event, struct nc_apdu *apdu)
{
    uint8_t r;

    if (event != NC_EV_PROCESS) {
        return 0;
    }
    if (apdu->ins != 0x30) {
        return NC_SW_INS_UNKNOWN;
    }
    r = (uint8_t)nc_admin_session();
    nc_send(&r, 1);
    return NC_SW_OK;
}
