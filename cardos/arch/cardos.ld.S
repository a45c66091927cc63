/*
 * Linker script for the netcard card OS (Cortex-M33). A C-preprocessed
 * source: cardos/build.mk runs it through cpp into build/cardos/cardos.ld,
 * taking the memory map from peripherals/netcard_memmap.h.
 *
 *   ROM (NETCARD_ROM_*) : vector table, code, read-only data, .data image
 *   RAM (NETCARD_RAM_*) : .data, TLS, .bss, .noinit, free, fault stack,
 *                         main stack (top of RAM, full-descending)
 *
 * RAM accounting: every RAM user is an allocated section, so
 * `arm-none-eabi-size` reports data = .data + .tdata and bss = .tbss +
 * .bss + .noinit + .stack (the stacks are reserved, not free). The symbols
 * __data_start/__data_end, __bss_start/__bss_end, __stack_bottom/__stack_top
 * and __stack_size give the same split to tools and to the boot log.
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "netcard_memmap.h"

ENTRY(reset_handler)

MEMORY
{
    rom (rx)  : ORIGIN = NETCARD_ROM_BASE, LENGTH = NETCARD_ROM_SIZE
    ram (rwx) : ORIGIN = NETCARD_RAM_BASE, LENGTH = NETCARD_RAM_SIZE
}

/* Main stack (MSP) size; override with -Wl,--defsym=__stack_size=N. */
__stack_size = DEFINED(__stack_size) ? __stack_size : 8K;
/*
 * Fault handlers switch to this stack, so a fault caused by a main stack
 * overflow (MSPLIM, UsageFault STKOF) can still be reported.
 */
__fault_stack_size = 512;

__rom_start = ORIGIN(rom);
__rom_size = LENGTH(rom);
__ram_start = ORIGIN(ram);
__ram_size = LENGTH(ram);

SECTIONS
{
    .text : {
        /* The core fetches the initial SP and PC from VTOR (0 at reset). */
        KEEP(*(.vectors))
        *(.text .text.*)
        *(.rodata .rodata.*)
        . = ALIGN(4);
    } > rom

    /*
     * Constructors (none in our code; kept in case a library has some):
     * run by the reset handler before main. Destructors never run.
     */
    .init_array : ALIGN(4) {
        __init_array_start = .;
        KEEP(*(.preinit_array))
        KEEP(*(SORT_BY_INIT_PRIORITY(.init_array.*)))
        KEEP(*(.init_array))
        __init_array_end = .;
    } > rom

    /* libgcc helpers may carry unwind tables; keep them out of RAM. */
    .ARM.extab : { *(.ARM.extab* .gnu.linkonce.armextab.*) } > rom
    .ARM.exidx : {
        __exidx_start = .;
        *(.ARM.exidx* .gnu.linkonce.armexidx.*)
        __exidx_end = .;
    } > rom

    /* Initialised data: copied from ROM by the reset handler. */
    .data : ALIGN(4) {
        __data_start = .;
        *(.data .data.*)
        . = ALIGN(4);
        __data_end = .;
    } > ram AT > rom
    __data_load_start = LOADADDR(.data);

    /*
     * Thread-local storage template for picolibc (errno is __thread).
     * There is one thread: the reset handler copies .tdata, zeroes .tbss
     * and points the thread pointer at it with picolibc's _set_tls().
     */
    .tdata : ALIGN(4) {
        __tdata_start = .;
        *(.tdata .tdata.* .gnu.linkonce.td.*)
        . = ALIGN(4);
        __tdata_end = .;
    } > ram AT > rom
    __tdata_load_start = LOADADDR(.tdata);
    __tls_base = ADDR(.tdata);

    .tbss (NOLOAD) : ALIGN(4) {
        __tbss_start = .;
        *(.tbss .tbss.* .gnu.linkonce.tb.*)
        *(.tcommon)
        . = ALIGN(4);
        __tbss_end = .;
    } > ram
    __tls_align = MAX(ALIGNOF(.tdata), ALIGNOF(.tbss));
    /* ARM TLS variant I: 8-byte thread control block before the block. */
    __arm32_tls_tcb_offset = MAX(8, __tls_align);

    /* ld does not advance the location counter over .tbss; reserve it. */
    .tbss_space (NOLOAD) : {
        . = ADDR(.tbss);
        . = . + SIZEOF(.tbss);
    } > ram

    /* Zero-initialised data: cleared by the reset handler on every boot. */
    .bss (NOLOAD) : ALIGN(4) {
        __bss_start = .;
        *(.bss .bss.* COMMON)
        . = ALIGN(4);
        __bss_end = .;
    } > ram

    /*
     * Not initialised at all: survives warm and software resets (RAM is
     * only cleared by cold resets), for data that must outlive a reboot.
     */
    .noinit (NOLOAD) : ALIGN(4) {
        __noinit_start = .;
        *(.noinit .noinit.*)
        . = ALIGN(4);
        __noinit_end = .;
    } > ram

    /* Stacks at the top of RAM; free RAM lies between __noinit_end and them. */
    .stack (ORIGIN(ram) + LENGTH(ram) - __stack_size - __fault_stack_size) (NOLOAD) : {
        __fault_stack_bottom = .;
        . = . + __fault_stack_size;
        __fault_stack_top = .;
        __stack_bottom = .;
        . = . + __stack_size;
        __stack_top = .;
    } > ram

    __ram_free = __fault_stack_bottom - __noinit_end;

    .ARM.attributes 0 : { KEEP(*(.ARM.attributes)) }
}

ASSERT(__stack_top == ORIGIN(ram) + LENGTH(ram), "stack is not at the top of RAM")
ASSERT(__noinit_end <= __fault_stack_bottom, "RAM overflow: data + bss + stacks exceed the RAM")
ASSERT(__stack_size % 8 == 0, "AAPCS needs an 8-byte aligned stack")
