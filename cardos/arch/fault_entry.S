/*
 * Fault and NMI entry stubs.
 *
 * On exception entry the core pushed the basic frame (r0-r3, r12, lr,
 * return address, RETPSR) on the stack that was in use: MSP or PSP, as told
 * by EXC_RETURN.SPSEL (bit 2) in LR (ARMv8-M ARM B3.21 "Exception entry",
 * B3.24 "EXC_RETURN"). The card OS runs Secure only and takes Secure
 * exceptions from Secure code, so EXC_RETURN.DCRS = 1 and no additional
 * callee-saved state sits below the basic frame.
 *
 * Each stub passes (frame, EXC_RETURN, kind) to C on a dedicated fault
 * stack: a fault caused by a main stack overflow leaves MSP at MSPLIM, and
 * reporting it on that stack would fault again. The stubs never return.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "kernel/reset_cause.h"

    .syntax unified
    .thumb
    .text

    .macro EXCEPTION_STUB name, kind, target
    .section .text.\name, "ax", %progbits
    .global \name
    .type \name, %function
    .thumb_func
\name:
    .if \kind
    /* taken from an unprivileged process (arch/uproc.h): stop it, the
     * OS carries on */
    tst     lr, #4
    beq     1f
    ldr     r0, =uproc_current
    ldr     r0, [r0]
    cbz     r0, 1f
    movs    r1, #\kind
    b       uproc_fault_stop
1:
    .endif
    tst     lr, #4              /* EXC_RETURN.SPSEL: 0 = MSP, 1 = PSP */
    ite     eq
    mrseq   r0, msp
    mrsne   r0, psp
    mov     r1, lr
    movs    r2, #\kind
    ldr     r3, =\target
    b       fault_stack_switch
    .size \name, . - \name
    .ltorg
    .endm

    EXCEPTION_STUB hard_fault_handler,   FAULT_KIND_HARD_FAULT,   fault_report
    EXCEPTION_STUB mem_manage_handler,   FAULT_KIND_MEM_MANAGE,   fault_report
    EXCEPTION_STUB bus_fault_handler,    FAULT_KIND_BUS_FAULT,    fault_report
    EXCEPTION_STUB usage_fault_handler,  FAULT_KIND_USAGE_FAULT,  fault_report
    EXCEPTION_STUB secure_fault_handler, FAULT_KIND_SECURE_FAULT, fault_report
    EXCEPTION_STUB nmi_handler,          0,                       nmi_report

/*
 * r0 = frame, r1 = EXC_RETURN, r2 = kind, r3 = C function to call.
 * Move to the fault stack unless already on it (a fault inside a fault
 * handler: resetting SP would overwrite the frame being reported).
 */
    .section .text.fault_stack_switch, "ax", %progbits
    .type fault_stack_switch, %function
    .thumb_func
fault_stack_switch:
    ldr     ip, =__fault_stack_bottom
    cmp     sp, ip
    blo     1f
    ldr     ip, =__fault_stack_top
    cmp     sp, ip
    blo     2f                  /* already on the fault stack */
1:
    ldr     ip, =__fault_stack_bottom
    msr     msplim, ip          /* lower the limit first: never above SP */
    ldr     ip, =__fault_stack_top
    mov     sp, ip
2:
    blx     r3                  /* noreturn */
    b       .
    .size fault_stack_switch, . - fault_stack_switch
    .ltorg
