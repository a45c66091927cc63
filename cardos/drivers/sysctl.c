/*
 * System controller driver. Register map: peripherals/netcard_sysctl.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "drivers/sysctl.h"

#include "arch/cpu.h"
#include "arch/scs.h"
#include "kernel/reset_cause.h"
#include "arch/mmio.h"
#include "netcard_memmap.h"

static uint32_t sysctl_read(uint32_t offset)
{
    return mmio_read32(NETCARD_SYSCTL_BASE + offset);
}

static void sysctl_write(uint32_t offset, uint32_t value)
{
    mmio_write32(NETCARD_SYSCTL_BASE + offset, value);
}

uint32_t sysctl_chip_id(void)
{
    return sysctl_read(A_SYSCTL_CHIP_ID);
}

uint32_t sysctl_revision_major(void)
{
    return FIELD_EX32(sysctl_read(A_SYSCTL_REVISION), SYSCTL_REVISION, MAJOR);
}

uint32_t sysctl_revision_minor(void)
{
    return FIELD_EX32(sysctl_read(A_SYSCTL_REVISION), SYSCTL_REVISION, MINOR);
}

enum reset_cause sysctl_reset_cause(void)
{
    switch (FIELD_EX32(sysctl_read(A_SYSCTL_RESET_CAUSE), SYSCTL_RESET_CAUSE,
                       CAUSE)) {
    case NETCARD_RESET_POWER_ON:
        return RESET_CAUSE_POWER_ON;
    case NETCARD_RESET_WARM:
        return RESET_CAUSE_WARM;
    case NETCARD_RESET_WATCHDOG:
        return RESET_CAUSE_WATCHDOG;
    case NETCARD_RESET_SOFTWARE:
        return RESET_CAUSE_SOFTWARE;
    case NETCARD_RESET_TEAR:
        return RESET_CAUSE_TEAR;
    default:
        return RESET_CAUSE_UNKNOWN;
    }
}

uint32_t sysctl_reset_count(void)
{
    return sysctl_read(A_SYSCTL_RESET_COUNT);
}

uint32_t sysctl_sysclk_hz(void)
{
    return sysctl_read(A_SYSCTL_SYSCLK_HZ);
}

uint32_t sysctl_scratch_read(unsigned index)
{
    if (index >= NETCARD_SYSCTL_NUM_SCRATCH) {
        return 0;
    }
    return sysctl_read(A_SYSCTL_SCRATCH0 + 4u * index);
}

void sysctl_scratch_write(unsigned index, uint32_t value)
{
    if (index < NETCARD_SYSCTL_NUM_SCRATCH) {
        sysctl_write(A_SYSCTL_SCRATCH0 + 4u * index, value);
    }
}

const struct scratch_ops sysctl_scratch_ops = {
    .read = sysctl_scratch_read,
    .write = sysctl_scratch_write,
};

noreturn void sysctl_software_reset(void)
{
    uint32_t request = 0;

    request = FIELD_DP32(request, SYSCTL_RESET_CTRL, KEY, NETCARD_SYSCTL_RESET_KEY);
    request = FIELD_DP32(request, SYSCTL_RESET_CTRL, SWRESET, 1);

    cpu_irq_disable();
    cpu_dsb();      /* scratch writes complete before the reset */
    sysctl_write(A_SYSCTL_RESET_CTRL, request);
    cpu_dsb();

    /* The reset is asynchronous to the core; give it time to happen. */
    for (volatile uint32_t i = 0; i < 1000000u; i++) {
    }

    /* Architectural fallback (B3.2 AIRCR); the sysctl reports it as software too. */
    scs_write(A_SCB_AIRCR,
              FIELD_DP32(R_SCB_AIRCR_SYSRESETREQ_MASK, SCB_AIRCR, VECTKEY,
                         SCB_AIRCR_VECTKEY_VALUE));
    cpu_dsb();
    for (;;) {
        cpu_wfi();
    }
}
