/*
 * Reset handler: from reset to main(). See arch/startup.h for the contract.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>
#include <string.h>

#include "arch/cpu.h"
#include "arch/layout.h"
#include "arch/scs.h"
#include "arch/startup.h"

/*
 * picolibc's thread-pointer setup; only linked in when some libc object
 * that uses TLS (errno) is, hence weak.
 */
extern void _set_tls(void *tls) __attribute__((weak));

static void copy_words(uint32_t *dst, const uint32_t *src, const uint32_t *dst_end)
{
    memcpy(dst, src, (size_t)((uintptr_t)dst_end - (uintptr_t)dst));
}

static void zero_words(uint32_t *dst, const uint32_t *dst_end)
{
    memset(dst, 0, (size_t)((uintptr_t)dst_end - (uintptr_t)dst));
}

noreturn void reset_handler(void)
{
    /*
     * Stack limit checking (ARMv8-M ARM B3.19 "Stack limit checks"): a push
     * below MSPLIM raises a precise UsageFault (CFSR.STKOF) instead of
     * silently running into the fault stack and .bss. MSPLIM is 0 after
     * reset, so set it before anything else uses the stack.
     */
    __asm volatile("msr msplim, %0" :: "r"(__stack_bottom) : "memory");

    /*
     * RAM survives warm, watchdog and software resets, so .data and .bss
     * are initialised on every boot, not only the cold ones.
     */
    copy_words(__data_start, __data_load_start, __data_end);
    copy_words(__tdata_start, __tdata_load_start, __tdata_end);
    zero_words(__tbss_start, __tbss_end);
    zero_words(__bss_start, __bss_end);
    if (_set_tls) {
        _set_tls(__tls_base);
    }

    /*
     * Without their enable bits the configurable faults escalate to
     * HardFault and lose their identity (B3.6 "Fault handling", SHCSR).
     * Integer divide by zero returns 0 silently unless CCR.DIV_0_TRP.
     */
    scs_write(A_SCB_SHCSR, scs_read(A_SCB_SHCSR) |
              R_SCB_SHCSR_MEMFAULTENA_MASK | R_SCB_SHCSR_BUSFAULTENA_MASK |
              R_SCB_SHCSR_USGFAULTENA_MASK | R_SCB_SHCSR_SECUREFAULTENA_MASK);
    scs_write(A_SCB_CCR, scs_read(A_SCB_CCR) | R_SCB_CCR_DIV_0_TRP_MASK);
    cpu_dsb();
    cpu_isb();

    for (const init_array_fn *fn = __init_array_start;
         fn < __init_array_end; fn++) {
        (*fn)();
    }

    (void)main();

    /* main() runs the event loop and never returns; if it did, idle. */
    for (;;) {
        cpu_wfi();
    }
}
