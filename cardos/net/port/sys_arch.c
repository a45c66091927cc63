/*
 * lwIP platform glue for NO_SYS: time and randomness.
 *
 * lwip_port_rand(): xorshift32, seeded from the clock, the MAC address and
 * every call's timing. It only feeds TCP initial ports, DHCP xids and DNS
 * ids; it is NOT cryptographic (TLS uses the card's DRBG, crypto/drbg.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>

#include "arch/cc.h"
#include "drivers/timer.h"
#include "kernel/event_loop.h"
#include "lwip/sys.h"

static uint32_t rand_state;

void lwip_port_rand_seed(uint32_t seed);

void lwip_port_rand_seed(uint32_t seed)
{
    rand_state ^= seed;
    if (rand_state == 0) {
        rand_state = 0x6d2b79f5u;
    }
}

uint32_t lwip_port_rand(void)
{
    uint32_t x = rand_state ^ (timer_now_ms() * 0x9e3779b9u);

    if (x == 0) {
        x = 0x6d2b79f5u;
    }
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rand_state = x;
    return x;
}

/*
 * The time the current event-loop pass began: lwIP and the web servers
 * ask for it on every segment and callback, and a clock read is a device
 * access (in QEMU one that takes the big lock, contending with the NIC
 * and slirp). Timeouts in ms tolerate the length of a pass.
 */
u32_t sys_now(void)
{
    return event_loop_now();
}
