/*
 * Symbols exported by arch/cardos.ld.S: where .data, .bss and the stacks are.
 * Declared as arrays so that taking their address is the only use; sizes
 * are absolute symbols, read as addresses.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_ARCH_LAYOUT_H
#define CARDOS_ARCH_LAYOUT_H

#include <stdint.h>

extern uint32_t __data_load_start[], __data_start[], __data_end[];
extern uint32_t __tdata_load_start[], __tdata_start[], __tdata_end[];
extern uint32_t __tbss_start[], __tbss_end[], __tls_base[];
extern uint32_t __bss_start[], __bss_end[];
extern uint32_t __noinit_start[], __noinit_end[];
extern uint32_t __fault_stack_bottom[], __fault_stack_top[];
extern uint32_t __stack_bottom[], __stack_top[];
extern const char __stack_size[], __ram_size[], __rom_size[], __ram_free[];

typedef void (*init_array_fn)(void);
extern const init_array_fn __init_array_start[], __init_array_end[];

static inline uint32_t layout_ram_size(void)
{
    return (uint32_t)(uintptr_t)__ram_size;
}

static inline uint32_t layout_stack_size(void)
{
    return (uint32_t)(uintptr_t)__stack_size;
}

/* Bytes of RAM used by static data (.data, TLS, .bss, .noinit). */
static inline uint32_t layout_static_ram_used(void)
{
    return (uint32_t)((uintptr_t)__noinit_end - (uintptr_t)__data_start);
}

#endif /* CARDOS_ARCH_LAYOUT_H */
