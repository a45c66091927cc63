/*
 * mbedtls_hardware_poll() on the TRNG. See tls_entropy.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "net/tls_entropy.h"

#include <stdint.h>

#include "mmio.h"
#include "netcard_trng.h"
#include "soc.h"

/* Reads of STATUS before giving up on one word (the source makes one word
 * per microsecond of virtual time). */
#define TRNG_SPIN_LIMIT 1000000u

static uint32_t trng_read(uint32_t off)
{
    return mmio_read32(SOC_TRNG_BASE + off);
}

/* Weak: a TRNG driver that provides mbedtls_hardware_poll() replaces it. */
__attribute__((weak))
int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len,
                          size_t *olen)
{
    size_t done = 0;

    (void)data;
    *olen = 0;
    if (trng_read(A_TRNG_ID) != NETCARD_TRNG_ID) {
        return -1;
    }
    if (!(trng_read(A_TRNG_CTRL) & R_TRNG_CTRL_EN_MASK)) {
        mmio_write32(SOC_TRNG_BASE + A_TRNG_CTRL,
                     trng_read(A_TRNG_CTRL) | R_TRNG_CTRL_EN_MASK);
    }
    while (done < len) {
        uint32_t spins = 0, w;

        while (!(trng_read(A_TRNG_STATUS) & R_TRNG_STATUS_READY_MASK)) {
            if (++spins >= TRNG_SPIN_LIMIT) {
                *olen = done;
                return done ? 0 : -1;
            }
        }
        w = trng_read(A_TRNG_DATA);
        for (unsigned i = 0; i < 4 && done < len; i++) {
            output[done++] = (unsigned char)(w >> (8 * i));
        }
    }
    *olen = done;
    return 0;
}
