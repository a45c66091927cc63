/*
 * Memory-mapped register access for drivers.
 *
 * Every device register access in the card OS goes through these helpers so
 * that accesses are exactly one 32-bit load or store (volatile) and easy to
 * find. Only drivers/ and arch/ include this header.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_ARCH_MMIO_H
#define CARDOS_ARCH_MMIO_H

#include <stdint.h>

static inline uint32_t mmio_read32(uintptr_t addr)
{
    return *(volatile const uint32_t *)addr;
}

static inline void mmio_write32(uintptr_t addr, uint32_t value)
{
    *(volatile uint32_t *)addr = value;
}

#endif /* CARDOS_ARCH_MMIO_H */
