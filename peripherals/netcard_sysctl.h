/*
 * netcard system controller (sysctl): chip identity, reset cause, software
 * reset request, power state, and scratch registers that survive warm resets.
 *
 * This header is the contract between the QEMU model and the card OS
 * driver. Built with NETCARD_CARDOS defined it provides only the register
 * map (REG32/FIELD) and the constants; QEMU builds also get the QOM type.
 *
 * Window: 0x4000_0000, 4 KiB. All registers are 32-bit; other access sizes
 * and offsets are guest errors (read as zero, writes ignored).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later OR Apache-2.0
 */
#ifndef NETCARD_SYSCTL_H
#define NETCARD_SYSCTL_H

#ifdef NETCARD_CARDOS
#include "arch/regfields.h"
#else
#include "hw/sysbus.h"
#include "hw/registerfields.h"
#include "hw/clock.h"
#include "qom/object.h"
#endif

/* RO: identifies the SoC. Reads NETCARD_SYSCTL_CHIP_ID. */
REG32(SYSCTL_CHIP_ID, 0x000)
/* RO: silicon revision. */
REG32(SYSCTL_REVISION, 0x004)
    FIELD(SYSCTL_REVISION, MINOR, 0, 8)
    FIELD(SYSCTL_REVISION, MAJOR, 8, 8)
/* RO: why the chip last came out of reset (NetcardResetCause). */
REG32(SYSCTL_RESET_CAUSE, 0x008)
    FIELD(SYSCTL_RESET_CAUSE, CAUSE, 0, 4)
/*
 * WO: reset request. A write whose KEY field is NETCARD_SYSCTL_RESET_KEY and
 * SWRESET bit is set resets the chip with cause SOFTWARE (a warm reset: RAM
 * and the scratch registers are kept). A wrong key is a guest error and
 * does nothing. Reads as zero.
 */
REG32(SYSCTL_RESET_CTRL, 0x00c)
    FIELD(SYSCTL_RESET_CTRL, SWRESET, 0, 1)
    FIELD(SYSCTL_RESET_CTRL, KEY, 16, 16)
/*
 * RW: requested power mode (NetcardPowerMode). Recorded and traced; the
 * emulation does not slow down in IDLE (ISO 7816-3 clock stop is modelled
 * by the ISO 7816 UART, not here).
 */
REG32(SYSCTL_POWER, 0x010)
    FIELD(SYSCTL_POWER, MODE, 0, 2)
/* RO: system clock frequency in Hz (48 MHz), from the Clock tree. */
REG32(SYSCTL_SYSCLK_HZ, 0x014)
/* RO: number of resets since the last power-on (0 after power-on). */
REG32(SYSCTL_RESET_COUNT, 0x018)
/*
 * RW: four scratch words kept across warm, software and watchdog resets and
 * cleared by power-on and tear resets. The card OS uses them to carry a
 * fault record into the next boot.
 */
REG32(SYSCTL_SCRATCH0, 0x020)
REG32(SYSCTL_SCRATCH1, 0x024)
REG32(SYSCTL_SCRATCH2, 0x028)
REG32(SYSCTL_SCRATCH3, 0x02c)

#define NETCARD_SYSCTL_CHIP_ID      0x4e430033u  /* "NC", Cortex-M33 */
#define NETCARD_SYSCTL_REV_MAJOR    1u
#define NETCARD_SYSCTL_REV_MINOR    0u
#define NETCARD_SYSCTL_RESET_KEY    0x5afeu
#define NETCARD_SYSCTL_NUM_SCRATCH  4

typedef enum NetcardResetCause {
    NETCARD_RESET_POWER_ON = 0,  /* VCC applied (cold): RAM cleared */
    NETCARD_RESET_WARM     = 1,  /* RST asserted by the terminal or host */
    NETCARD_RESET_WATCHDOG = 2,  /* watchdog expired twice */
    NETCARD_RESET_SOFTWARE = 3,  /* RESET_CTRL or AIRCR.SYSRESETREQ */
    NETCARD_RESET_TEAR     = 4,  /* power cut during an NVM operation (cold) */
} NetcardResetCause;

typedef enum NetcardPowerMode {
    NETCARD_POWER_RUN  = 0,
    NETCARD_POWER_IDLE = 1,
} NetcardPowerMode;

#ifndef NETCARD_CARDOS

#define TYPE_NETCARD_SYSCTL "netcard-sysctl"
OBJECT_DECLARE_SIMPLE_TYPE(NetcardSysctlState, NETCARD_SYSCTL)

struct NetcardSysctlState {
    SysBusDevice parent_obj;

    MemoryRegion iomem;
    Clock *clk;

    /* Cause the next reset will latch; WARM unless a requester said so. */
    uint32_t pending_cause;
    uint32_t reset_cause;
    uint32_t reset_count;
    uint32_t power;
    uint32_t scratch[NETCARD_SYSCTL_NUM_SCRATCH];
};

/*
 * Ask for a system reset with @cause. POWER_ON and TEAR are cold resets
 * (the machine clears RAM); the others are warm. Used by devices that cut
 * or cycle the card's power (ISO 7816 VCC, NVM tearing) and by the QOM
 * property "power-cycle".
 */
void netcard_sysctl_request_reset(NetcardSysctlState *s,
                                  NetcardResetCause cause);

/*
 * Record @cause for the reset that is about to happen, without requesting
 * one (the machine calls this when it finds the watchdog fired).
 */
void netcard_sysctl_set_pending_cause(NetcardSysctlState *s,
                                      NetcardResetCause cause);

/* The cause the next reset will latch. */
NetcardResetCause netcard_sysctl_pending_cause(NetcardSysctlState *s);

/* True for causes that model loss of power: RAM does not survive them. */
bool netcard_reset_cause_is_cold(NetcardResetCause cause);

/* Name used in traces, the banner and docs: "power-on", "warm", ... */
const char *netcard_reset_cause_name(NetcardResetCause cause);

#endif /* !NETCARD_CARDOS */

#endif /* NETCARD_SYSCTL_H */
