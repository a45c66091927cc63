/*
 * Applet start-up: where the card enters an applet for every event.
 *
 * The card starts the instance's thread (unprivileged, PSP, ARMv8-M ARM
 * B3.7 "Privilege level and stack pointer selection") here with
 *   r0 = event (NC_EV_*), r1 = the APDU window or NULL,
 *   r2 = the module's handler (absolute, Thumb bit set),
 *   r9 = the instance's GOT (-msingle-pic-base),
 * calls the handler and hands its result back with the EXIT system call.
 * Nothing else runs before the handler: data and bss were set up by the
 * card (sys/ncap.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
    .syntax unified
    .thumb
    .section .text.nc_start, "ax", %progbits
    .global _nc_start
    .type _nc_start, %function
    .thumb_func
_nc_start:
    blx     r2
    svc     #0                  /* NC_SYS_EXIT, r0 = the handler's result */
    udf     #0                  /* never reached: EXIT does not return */
    .size _nc_start, . - _nc_start
