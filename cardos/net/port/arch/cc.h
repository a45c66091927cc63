/*
 * lwIP 2.2 compiler/platform port for the card OS (included by lwIP as
 * "arch/cc.h", so cardos/net/port is on lwIP's include path; see lwIP's
 * doc/sys_arch.txt and src/include/lwip/arch.h).
 *
 * Types, byte order and struct packing come from lwIP's defaults for GCC
 * and <stdint.h>/<inttypes.h> (picolibc). What the card supplies:
 *  - diagnostics into the card OS log (module "lwip", level debug);
 *  - assertions into panic_assert() (file:line, then software reset);
 *  - randomness for ports, DNS ids and DHCP xids (lwip_port_rand(),
 *    net/port/sys_arch.c: a seeded xorshift, not cryptographic).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_NET_PORT_ARCH_CC_H
#define CARDOS_NET_PORT_ARCH_CC_H

#include <stdint.h>

#include "kernel/log.h"
#include "kernel/panic.h"

/* The Cortex-M33 runs little-endian (AIRCR.ENDIANNESS = 0). */
#ifndef BYTE_ORDER
#define BYTE_ORDER LITTLE_ENDIAN
#endif

/* lwIP passes printf arguments parenthesised: DIAG(("fmt", a, b)). */
#define LWIP_PORT_UNPAREN(...) __VA_ARGS__
#define LWIP_PLATFORM_DIAG(x) \
    do { log_printf(LOG_LEVEL_DEBUG, "lwip", LWIP_PORT_UNPAREN x); } while (0)

/* __FILE_NAME__ (GCC >= 12): no build-machine paths in the card image. */
#define LWIP_PLATFORM_ASSERT(x) panic_assert((x), __FILE_NAME__, __LINE__)

/* 32 pseudo-random bits (net/port/sys_arch.c). */
uint32_t lwip_port_rand(void);
#define LWIP_RAND() ((u32_t)lwip_port_rand())

#endif /* CARDOS_NET_PORT_ARCH_CC_H */
