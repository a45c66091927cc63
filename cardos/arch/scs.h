/*
 * System Control Space registers used by the card OS (ARMv8-M ARM,
 * DDI 0553B.y, D1.2 "System register descriptions"). Offsets are from
 * SCS_BASE; the Secure view is the one we run in.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_ARCH_SCS_H
#define CARDOS_ARCH_SCS_H

#include <stdint.h>
#include "arch/regfields.h"
#include "arch/mmio.h"

#define SCS_BASE 0xE000E000u

/* NVIC: one bit per IRQ, 32 IRQs per word; priorities one byte per IRQ. */
REG32(NVIC_ISER0, 0x100)
REG32(NVIC_ICER0, 0x180)
REG32(NVIC_ISPR0, 0x200)
REG32(NVIC_ICPR0, 0x280)
REG32(NVIC_IPR0, 0x400)

/* SysTick (B11.1 "The system timer, SysTick"), the Secure instance. */
REG32(SYST_CSR, 0x010)
    FIELD(SYST_CSR, ENABLE, 0, 1)
    FIELD(SYST_CSR, TICKINT, 1, 1)
    FIELD(SYST_CSR, CLKSOURCE, 2, 1)     /* 0: reference clock */
    FIELD(SYST_CSR, COUNTFLAG, 16, 1)
REG32(SYST_RVR, 0x014)
REG32(SYST_CVR, 0x018)

REG32(SCB_ICSR, 0xD04)
    FIELD(SCB_ICSR, PENDSTCLR, 25, 1)
REG32(SCB_VTOR, 0xD08)
REG32(SCB_AIRCR, 0xD0C)
    FIELD(SCB_AIRCR, SYSRESETREQ, 2, 1)
    FIELD(SCB_AIRCR, VECTKEY, 16, 16)
#define SCB_AIRCR_VECTKEY_VALUE 0x05FAu
REG32(SCB_CCR, 0xD14)
/* SHPR3: priority of PendSV [23:16] and SysTick [31:24]. */
REG32(SCB_SHPR3, 0xD20)
    FIELD(SCB_CCR, UNALIGN_TRP, 3, 1)
    FIELD(SCB_CCR, DIV_0_TRP, 4, 1)
REG32(SCB_SHCSR, 0xD24)
    FIELD(SCB_SHCSR, MEMFAULTENA, 16, 1)
    FIELD(SCB_SHCSR, BUSFAULTENA, 17, 1)
    FIELD(SCB_SHCSR, USGFAULTENA, 18, 1)
    FIELD(SCB_SHCSR, SECUREFAULTENA, 19, 1)
/* CFSR = UFSR[31:16] | BFSR[15:8] | MMFSR[7:0] */
REG32(SCB_CFSR, 0xD28)
    FIELD(SCB_CFSR, MMARVALID, 7, 1)
    FIELD(SCB_CFSR, PRECISERR, 9, 1)
    FIELD(SCB_CFSR, BFARVALID, 15, 1)
    FIELD(SCB_CFSR, STKOF, 20, 1)
    FIELD(SCB_CFSR, DIVBYZERO, 25, 1)
REG32(SCB_HFSR, 0xD2C)
REG32(SCB_MMFAR, 0xD34)
REG32(SCB_BFAR, 0xD38)

static inline uint32_t scs_read(uint32_t offset)
{
    return mmio_read32(SCS_BASE + offset);
}

static inline void scs_write(uint32_t offset, uint32_t value)
{
    mmio_write32(SCS_BASE + offset, value);
}

#endif /* CARDOS_ARCH_SCS_H */
