/*
 * netcard SoC: a SIM-class secure element around a Cortex-M33.
 *
 * Bases, sizes, IRQ numbers and the system clock come from
 * peripherals/netcard_memmap.h, the one memory map shared with the card OS
 * and its linker script.
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
#include "netcard_memmap.h"

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
