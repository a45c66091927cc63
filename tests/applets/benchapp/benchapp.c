/*
 * benchapp: the applet side of `make bench` (tests/bench/bench_applets.py).
 *   INS 10 ECHO   returns its command data (as the ROM test application's
 *                 ECHO, tests/cardos/test_applet.h), for the round trip
 *   INS 22 NULL   P1P2 = N: N null system calls (nc_version), for the cost
 *                 of one
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "netcard/applet.h"

NC_PACKAGE("A00000007704", 1, 0, 512, 0);
NC_MODULE("A0000000770401", benchapp);

int benchapp(unsigned event, struct nc_apdu *apdu)
{
    uint32_t n;

    if (event != NC_EV_PROCESS) {
        return 0;
    }
    switch (apdu->ins) {
    case 0x10:
        n = apdu->nc < NC_APDU_DATA_MAX ? apdu->nc : NC_APDU_DATA_MAX;
        nc_send(apdu->data, n);
        return NC_SW_OK;
    case 0x22:
        n = (uint32_t)apdu->p1 << 8 | apdu->p2;
        while (n--) {
            (void)nc_version();
        }
        return NC_SW_OK;
    default:
        return NC_SW_INS_UNKNOWN;
    }
}
