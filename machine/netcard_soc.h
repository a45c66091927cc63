/*
 * netcard SoC: a SIM-class secure element around a Cortex-M33.
 *
 * The memory map below is the one in docs/machine.md and DESIGN.md; the
 * card OS linker script and drivers are written against it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef NETCARD_SOC_H
#define NETCARD_SOC_H

#include "qemu/units.h"
#include "hw/sysbus.h"
#include "hw/arm/armv7m.h"
#include "hw/char/cmsdk-apb-uart.h"
#include "hw/timer/cmsdk-apb-timer.h"
#include "hw/watchdog/cmsdk-apb-watchdog.h"
#include "hw/clock.h"
#include "qom/object.h"
#include "netcard_sysctl.h"
#include "netcard_nvm.h"
#include "netcard_iso7816_uart.h"
#include "netcard_nic.h"
#include "netcard_crypto.h"
#include "netcard_trng.h"

#define NETCARD_SYSCLK_HZ        48000000
#define NETCARD_NUM_IRQ          32

#define NETCARD_ROM_BASE         0x00000000
#define NETCARD_ROM_SIZE         (512 * KiB)
#define NETCARD_NVM_BASE         0x10000000
#define NETCARD_RAM_BASE         0x20000000
#define NETCARD_RAM_SIZE_MAX     (256 * KiB)
#define NETCARD_RAM_SIZE_MIN     (16 * KiB)

#define NETCARD_PERIPH_SIZE      0x1000
#define NETCARD_SYSCTL_BASE      0x40000000
#define NETCARD_DEBUG_UART_BASE  0x40001000
#define NETCARD_ISO7816_BASE     0x40002000
#define NETCARD_CRYPTO_BASE      0x40003000
#define NETCARD_TRNG_BASE        0x40004000
#define NETCARD_NVMC_BASE        0x40005000
#define NETCARD_NIC_BASE         0x40006000
#define NETCARD_TIMER_BASE       0x40007000
#define NETCARD_WATCHDOG_BASE    0x40008000

/* NVIC lines; the watchdog drives NMI instead. */
enum {
    NETCARD_IRQ_DEBUG_UART = 0,
    NETCARD_IRQ_ISO7816    = 1,
    NETCARD_IRQ_CRYPTO     = 2,
    NETCARD_IRQ_TRNG       = 3,
    NETCARD_IRQ_NVMC       = 4,
    NETCARD_IRQ_NIC        = 5,
    NETCARD_IRQ_TIMER      = 6,
};

#define TYPE_NETCARD_SOC "netcard-soc"
OBJECT_DECLARE_SIMPLE_TYPE(NetcardSocState, NETCARD_SOC)

struct NetcardSocState {
    SysBusDevice parent_obj;

    ARMv7MState armv7m;
    NetcardSysctlState sysctl;
    CMSDKAPBUART debug_uart;
    CMSDKAPBTimer timer;
    CMSDKAPBWatchdog watchdog;
    NetcardNvmState nvm;
    NetcardIso7816State iso7816;
    NetcardNicState nic;
    NetcardCryptoState crypto;
    NetcardTrngState trng;

    MemoryRegion rom;
    MemoryRegion ram;

    Clock *sysclk;   /* input, from the board */
    Clock *refclk;   /* SysTick reference: sysclk / 8 */

    uint32_t ram_size;
};

/*
 * Called by the machine just before its devices reset: works out why the
 * reset happens (the watchdog is asked whether it bit) and clears RAM when
 * the cause is a loss of power.
 */
void netcard_soc_prepare_reset(NetcardSocState *s);

#endif /* NETCARD_SOC_H */
