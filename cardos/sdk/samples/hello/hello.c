/*
 * hello: the smallest applet. Any command with INS 01 answers
 * "Hello, card!" 9000; INS 02 counts the commands since the instance
 * started (bss survives between commands, not a reset); anything else
 * 6D00.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "netcard/applet.h"

NC_PACKAGE("A0000000770100", 1, 0, 256, 0);
NC_MODULE("A000000077010001", hello);

static uint32_t count;

int hello(unsigned event, struct nc_apdu *apdu)
{
    static const char msg[] = "Hello, card!";

    if (event != NC_EV_PROCESS) {
        return 0;
    }
    count++;
    switch (apdu->ins) {
    case 0x01:
        nc_send(msg, sizeof(msg) - 1);
        return NC_SW_OK;
    case 0x02:
        apdu->data[0] = (uint8_t)(count >> 24);
        apdu->data[1] = (uint8_t)(count >> 16);
        apdu->data[2] = (uint8_t)(count >> 8);
        apdu->data[3] = (uint8_t)count;
        nc_send(apdu->data, 4);
        return NC_SW_OK;
    default:
        return NC_SW_INS_UNKNOWN;
    }
}
