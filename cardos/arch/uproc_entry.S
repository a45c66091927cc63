/*
 * Entering and leaving unprivileged processes (arch/uproc.h).
 *
 * svc_handler, from the OS (EXC_RETURN.SPSEL = 0, `svc #255`, r0 = the
 * struct uproc): push the OS's callee-saved registers and EXC_RETURN on
 * the main stack, remember that stack, load the process's PSP, PSPLIM
 * and r4-r11, set CONTROL.nPRIV and return to Thread mode on the process
 * stack (EXC_RETURN.SPSEL = 1; ARMv8-M ARM B3.24). The process's frame
 * (r0-r3, r12, lr, pc, xPSR) comes off its own stack.
 *
 * uproc_stop_path (r1 = reason), from svc_handler (an SVC taken from the
 * process), pendsv_handler (budget) and the fault stubs: save the
 * process's PSP and r4-r11, clear nPRIV and PSPLIM, go back to the OS's
 * main stack, pop what the entry pushed and return to the OS's Thread
 * mode after its `svc #255`: uproc_run() carries on.
 *
 * The struct uproc offsets are arch/uproc.h's: psp 0, psplim 4,
 * regs 8, os_sp 40, stop 44.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
    .syntax unified
    .thumb
    .text

#define UPROC_SVC    1
#define UPROC_BUDGET 3

    .section .text.svc_handler, "ax", %progbits
    .global svc_handler
    .type svc_handler, %function
    .thumb_func
svc_handler:
    tst     lr, #4
    bne     1f                  /* from the process: a system call */
    push    {r4-r11, lr}
    ldr     r1, =uproc_current
    str     r0, [r1]
    mov     r1, sp
    str     r1, [r0, #40]
    ldr     r1, [r0, #4]
    msr     psplim, r1
    ldr     r1, [r0, #0]
    msr     psp, r1
    add     r1, r0, #8
    ldmia   r1, {r4-r11}
    mrs     r1, control
    orr     r1, r1, #1          /* CONTROL.nPRIV: unprivileged Thread */
    msr     control, r1
    isb
    orr     lr, lr, #4          /* return to Thread mode on PSP */
    bx      lr
1:
    movs    r1, #UPROC_SVC
    b       uproc_stop_path
    .size svc_handler, . - svc_handler

    .section .text.pendsv_handler, "ax", %progbits
    .global pendsv_handler
    .type pendsv_handler, %function
    .thumb_func
pendsv_handler:
    tst     lr, #4
    beq     1f                  /* the OS was running: nothing to stop */
    ldr     r0, =uproc_current
    ldr     r0, [r0]
    cbz     r0, 1f
    movs    r1, #UPROC_BUDGET
    b       uproc_stop_path
1:
    bx      lr
    .size pendsv_handler, . - pendsv_handler

/* r1 = enum uproc_stop. Never returns to the caller. */
    .section .text.uproc_stop_path, "ax", %progbits
    .global uproc_stop_path
    .type uproc_stop_path, %function
    .thumb_func
uproc_stop_path:
    ldr     r0, =uproc_current
    ldr     r0, [r0]
    str     r1, [r0, #44]
    mrs     r2, psp
    str     r2, [r0, #0]
    add     r3, r0, #8
    stmia   r3, {r4-r11}
    movs    r2, #0
    msr     psplim, r2
    mrs     r2, control
    bic     r2, r2, #1          /* privileged Thread again */
    msr     control, r2
    ldr     r2, =__stack_bottom
    msr     msplim, r2          /* a fault stub may have lowered it */
    ldr     r2, [r0, #40]
    mov     sp, r2
    isb
    pop     {r4-r11, lr}
    bx      lr
    .size uproc_stop_path, . - uproc_stop_path

/*
 * A fault taken from the process (the stubs in arch/fault_entry.S come
 * here with r1 = FAULT_KIND_*): record it, then stop.
 */
    .section .text.uproc_fault_stop, "ax", %progbits
    .global uproc_fault_stop
    .type uproc_fault_stop, %function
    .thumb_func
uproc_fault_stop:
    ldr     r0, =uproc_current
    ldr     r0, [r0]
    bl      uproc_fault_capture /* (p, kind); keeps r4-r11 (AAPCS) */
    movs    r1, #2              /* UPROC_FAULT */
    b       uproc_stop_path
    .size uproc_fault_stop, . - uproc_fault_stop
    .ltorg
