/*
 * Register-field helpers for card OS drivers, source compatible with the
 * subset of QEMU's hw/registerfields.h that the peripherals/ headers
 * use, so one header describes a device for both the model and the driver.
 *
 *   REG32(reg, addr)                -> A_reg = addr (byte offset),
 *                                      R_reg = addr / 4 (word index)
 *   FIELD(reg, field, shift, len)   -> R_reg_field_SHIFT, _LENGTH, _MASK
 *   FIELD_EX32(value, reg, field)   -> extract a field from a value
 *   FIELD_DP32(value, reg, field, v)-> value with the field replaced by v
 *
 * Written for netcard; not derived from QEMU's implementation.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_ARCH_REGFIELDS_H
#define CARDOS_ARCH_REGFIELDS_H

#include <stdint.h>

/* Mask of @length bits starting at bit @shift (1 <= length <= 64). */
#define MAKE_64BIT_MASK(shift, length) \
    (((~0ULL) >> (64 - (length))) << (shift))

/*
 * Enumerators, like QEMU, so the names are visible to the debugger and can
 * be used in constant expressions and case labels. Masks of fields that
 * reach bit 31 do not fit an int; GCC widens the enum (as in QEMU).
 */
#define REG32(reg, addr)                                                 \
    enum { A_ ## reg = (addr) };                                         \
    enum { R_ ## reg = (addr) / 4 };

#define FIELD(reg, field, shift, length)                                 \
    enum { R_ ## reg ## _ ## field ## _SHIFT = (shift) };                \
    enum { R_ ## reg ## _ ## field ## _LENGTH = (length) };              \
    enum { R_ ## reg ## _ ## field ## _MASK =                            \
               MAKE_64BIT_MASK(shift, length) };

#define FIELD_EX32(storage, reg, field)                                  \
    ((uint32_t)(((uint32_t)(storage) & R_ ## reg ## _ ## field ## _MASK) \
                >> R_ ## reg ## _ ## field ## _SHIFT))

#define FIELD_DP32(storage, reg, field, val)                             \
    ((uint32_t)(((uint32_t)(storage) &                                   \
                 ~(uint32_t)R_ ## reg ## _ ## field ## _MASK) |          \
                (((uint32_t)(val) << R_ ## reg ## _ ## field ## _SHIFT) &\
                 (uint32_t)R_ ## reg ## _ ## field ## _MASK)))

#endif /* CARDOS_ARCH_REGFIELDS_H */
