/*
 * hostile: a test applet that misbehaves on demand (tests/system/
 * test_applets.c). Each INS does one thing an applet must not be able
 * to do; the card must stop it (6F00) and keep serving:
 *   10 read OS RAM            11 write past its own RAM (a neighbour's)
 *   12 read a crypto key-slot register (peripheral)
 *   13 jump into ROM          14 system call with an OS pointer
 *   15 system call with a huge length
 *   16 loop forever           17 overflow its stack
 *   18 divide by zero         19 write its own code (NVM)
 *   1A read the System Control Space   1B unknown system call
 *   1C return an address of its RAM in the response (for INS 11's target)
 *   1D generate a P-256 key with its public key written into OS RAM
 *   1E an AES operation whose output is OS RAM
 * and 01 answers "alive", 02 counts in a persistent object (transaction).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "netcard/applet.h"

NC_PACKAGE("A00000007702", 1, 0, 512, 64);
NC_MODULE("A0000000770201", hostile);

static volatile uint32_t sink;
static uint8_t mine[16];

/* deeper than any stack: stops at 2^31 frames, never reached */
static uint32_t recurse(uint32_t n)
{
    volatile uint8_t pad[64];

    pad[0] = (uint8_t)n;
    if (n == 0x80000000u) {
        return pad[0];
    }
    return recurse(n + 1) + pad[0];
}

static int counter(void)
{
    uint8_t v[4] = { 0 };
    int32_t n = nc_obj_read(1, v, 4);

    if (n != 4 && n != NC_E_NOTFOUND) {
        return 0x6581;
    }
    v[3]++;
    if (nc_tx_begin() != 0 || nc_obj_write(1, v, 4) != 0 ||
        nc_tx_commit() != 0) {
        return 0x6581;
    }
    nc_send(v, 4);
    return NC_SW_OK;
}

int hostile(unsigned event, struct nc_apdu *apdu)
{
    volatile uint32_t zero = 0;
    uint32_t addr;

    if (event != NC_EV_PROCESS) {
        return 0;
    }
    switch (apdu->ins) {
    case 0x01:
        nc_send("alive", 5);
        return NC_SW_OK;
    case 0x02:
        return counter();
    case 0x10:
        sink = *(volatile uint32_t *)0x20000000u;
        break;
    case 0x11:
        /* the address the test gives (another instance's RAM) */
        addr = (uint32_t)apdu->data[0] << 24 | (uint32_t)apdu->data[1] << 16 |
               (uint32_t)apdu->data[2] << 8 | apdu->data[3];
        *(volatile uint32_t *)addr = 0xDEADBEEFu;
        break;
    case 0x12:
        sink = *(volatile uint32_t *)0x40003100u;
        break;
    case 0x13:
        ((void (*)(void))0x00000101u)();
        break;
    case 0x14:
        nc_send((const void *)0x20000000u, 16);
        break;
    case 0x15:
        nc_send(mine, 0x7FFFFFFFu);
        break;
    case 0x16:
        for (;;) {
            sink++;
        }
    case 0x17:
        sink = recurse(0);
        break;
    case 0x18:
        sink = 7u / zero;
        break;
    case 0x19:
        *(volatile uint32_t *)(uintptr_t)&hostile = 0;
        break;
    case 0x1A:
        sink = *(volatile uint32_t *)0xE000ED00u;
        break;
    case 0x1B:
        __asm__ volatile("svc #200" ::: "memory");
        break;
    case 0x1D:
        (void)nc_key_generate(NC_KEY_EC_P256, 32, (void *)0x20000000u);
        break;
    case 0x1E: {
        struct nc_crypto_req q = { 0, NC_OP_AES_ECB_ENC, mine, 16,
                                   (void *)0x20000100u, 0 };

        q.key = nc_key_import(NC_KEY_AES, mine, 16);
        (void)nc_crypto(&q);
        break;
    }
    case 0x1C:
        addr = (uint32_t)(uintptr_t)mine;
        mine[0] = (uint8_t)(addr >> 24);
        mine[1] = (uint8_t)(addr >> 16);
        mine[2] = (uint8_t)(addr >> 8);
        mine[3] = (uint8_t)addr;
        nc_send(mine, 4);
        return NC_SW_OK;
    default:
        return NC_SW_INS_UNKNOWN;
    }
    nc_send("survived", 8);
    return NC_SW_OK;
}
