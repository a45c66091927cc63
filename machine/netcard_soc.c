/*
 * netcard SoC: Cortex-M33, ROM, RAM, NVM array and the peripheral windows
 * of peripherals/netcard_memmap.h. The board (netcard_board.c) supplies
 * the system clock and the NVM backing drive. The DMA masters (crypto,
 * NIC) get the system memory as their "memory" link and the RAM and NVM
 * windows they may use as properties.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "hw/arm/armv7m.h"
#include "hw/qdev-clock.h"
#include "hw/qdev-properties.h"
#include "hw/qdev-properties-system.h"
#include "net/net.h"
#include "exec/address-spaces.h"
#include "system/system.h"
#include "target/arm/cpu-qom.h"
#include "netcard_soc.h"
#include "trace.h"

/* cmsdk-apb-watchdog WDOGCONTROL.RESEN (ARM DDI 0479C, 4.3.3) */
#define CMSDK_WDOG_CONTROL_RESEN (1u << 1)

void netcard_soc_prepare_reset(NetcardSocState *s)
{
    NetcardResetCause cause;
    bool cold;

    if (s->watchdog.resetstatus &&
        (s->watchdog.control & CMSDK_WDOG_CONTROL_RESEN)) {
        netcard_sysctl_set_pending_cause(&s->sysctl, NETCARD_RESET_WATCHDOG);
    }
    cause = netcard_sysctl_pending_cause(&s->sysctl);
    cold = netcard_reset_cause_is_cold(cause);
    if (cold) {
        memset(memory_region_get_ram_ptr(&s->ram), 0, s->ram_size);
    }
    trace_netcard_soc_reset(netcard_reset_cause_name(cause), cold);
}

static qemu_irq netcard_soc_irq(NetcardSocState *s, int n)
{
    return qdev_get_gpio_in(DEVICE(&s->armv7m), n);
}

static void netcard_soc_init(Object *obj)
{
    NetcardSocState *s = NETCARD_SOC(obj);

    object_initialize_child(obj, "armv7m", &s->armv7m, TYPE_ARMV7M);
    object_initialize_child(obj, "sysctl", &s->sysctl, TYPE_NETCARD_SYSCTL);
    object_initialize_child(obj, "debug-uart", &s->debug_uart,
                            TYPE_CMSDK_APB_UART);
    object_initialize_child(obj, "timer", &s->timer, TYPE_CMSDK_APB_TIMER);
    object_initialize_child(obj, "watchdog", &s->watchdog,
                            TYPE_CMSDK_APB_WATCHDOG);
    object_initialize_child(obj, "nvm", &s->nvm, TYPE_NETCARD_NVM);
    object_initialize_child(obj, "iso7816", &s->iso7816,
                            TYPE_NETCARD_ISO7816_UART);
    object_initialize_child(obj, "nic", &s->nic, TYPE_NETCARD_NIC);
    object_initialize_child(obj, "crypto", &s->crypto, TYPE_NETCARD_CRYPTO);
    object_initialize_child(obj, "trng", &s->trng, TYPE_NETCARD_TRNG);

    /* The board sets the NVM backing drive and the array's size. */
    object_property_add_alias(obj, "nvm-drive", OBJECT(&s->nvm), "drive");
    object_property_add_alias(obj, "nvm-size", OBJECT(&s->nvm), "size");

    s->sysclk = qdev_init_clock_in(DEVICE(obj), "sysclk", NULL, NULL, 0);
    s->refclk = clock_new(obj, "refclk");
}

static bool netcard_soc_realize_sysbus(SysBusDevice *sbd, hwaddr base,
                                       qemu_irq irq, Error **errp)
{
    if (!sysbus_realize(sbd, errp)) {
        return false;
    }
    sysbus_mmio_map(sbd, 0, base);
    if (irq) {
        sysbus_connect_irq(sbd, 0, irq);
    }
    return true;
}

static void netcard_soc_realize(DeviceState *dev, Error **errp)
{
    NetcardSocState *s = NETCARD_SOC(dev);
    MemoryRegion *system_memory = get_system_memory();
    DeviceState *armv7m = DEVICE(&s->armv7m);
    SysBusDevice *sbd;

    if (!clock_has_source(s->sysclk)) {
        error_setg(errp, "netcard-soc: sysclk must be connected");
        return;
    }
    if (s->ram_size < NETCARD_RAM_SIZE_MIN ||
        s->ram_size > NETCARD_RAM_SIZE_MAX ||
        s->ram_size % (4 * KiB)) {
        error_setg(errp, "netcard-soc: ram-size %u is not a multiple of "
                   "4 KiB between %u and %u KiB", s->ram_size,
                   (unsigned)(NETCARD_RAM_SIZE_MIN / KiB),
                   (unsigned)(NETCARD_RAM_SIZE_MAX / KiB));
        return;
    }
    /* SysTick's external reference runs at sysclk / 8. */
    clock_set_mul_div(s->refclk, 8, 1);
    clock_set_source(s->refclk, s->sysclk);

    if (!memory_region_init_rom(&s->rom, OBJECT(dev), "netcard.rom",
                                NETCARD_ROM_SIZE, errp)) {
        return;
    }
    memory_region_add_subregion(system_memory, NETCARD_ROM_BASE, &s->rom);
    if (!memory_region_init_ram(&s->ram, OBJECT(dev), "netcard.ram",
                                s->ram_size, errp)) {
        return;
    }
    memory_region_add_subregion(system_memory, NETCARD_RAM_BASE, &s->ram);

    /* CPU: Cortex-M33 without FPU, 16-region MPU in both security states */
    qdev_prop_set_string(armv7m, "cpu-type", ARM_CPU_TYPE_NAME("cortex-m33"));
    qdev_prop_set_uint32(armv7m, "num-irq", NETCARD_NUM_IRQ);
    qdev_prop_set_bit(armv7m, "vfp", false);
    qdev_prop_set_uint32(armv7m, "mpu-s-regions", 16);
    qdev_prop_set_uint32(armv7m, "mpu-ns-regions", 16);
    qdev_connect_clock_in(armv7m, "cpuclk", s->sysclk);
    qdev_connect_clock_in(armv7m, "refclk", s->refclk);
    object_property_set_link(OBJECT(&s->armv7m), "memory",
                             OBJECT(system_memory), &error_abort);
    if (!sysbus_realize(SYS_BUS_DEVICE(&s->armv7m), errp)) {
        return;
    }

    qdev_connect_clock_in(DEVICE(&s->sysctl), "clk", s->sysclk);
    if (!netcard_soc_realize_sysbus(SYS_BUS_DEVICE(&s->sysctl),
                                    NETCARD_SYSCTL_BASE, NULL, errp)) {
        return;
    }
    qdev_connect_gpio_out_named(armv7m, "SYSRESETREQ", 0,
        qdev_get_gpio_in_named(DEVICE(&s->sysctl), "sysresetreq", 0));

    /* Debug console: the combined UARTINT (sysbus IRQ 4) on IRQ 0 */
    qdev_prop_set_chr(DEVICE(&s->debug_uart), "chardev", serial_hd(0));
    qdev_prop_set_uint32(DEVICE(&s->debug_uart), "pclk-frq",
                         clock_get_hz(s->sysclk));
    sbd = SYS_BUS_DEVICE(&s->debug_uart);
    if (!netcard_soc_realize_sysbus(sbd, NETCARD_DEBUG_UART_BASE, NULL,
                                    errp)) {
        return;
    }
    sysbus_connect_irq(sbd, 4, netcard_soc_irq(s, NETCARD_IRQ_DEBUG_UART));

    qdev_connect_clock_in(DEVICE(&s->timer), "pclk", s->sysclk);
    if (!netcard_soc_realize_sysbus(SYS_BUS_DEVICE(&s->timer),
                                    NETCARD_TIMER_BASE,
                                    netcard_soc_irq(s, NETCARD_IRQ_TIMER),
                                    errp)) {
        return;
    }

    qdev_connect_clock_in(DEVICE(&s->watchdog), "WDOGCLK", s->sysclk);
    if (!netcard_soc_realize_sysbus(SYS_BUS_DEVICE(&s->watchdog),
                                    NETCARD_WATCHDOG_BASE,
                                    qdev_get_gpio_in_named(armv7m, "NMI", 0),
                                    errp)) {
        return;
    }

    /*
     * ISO 7816 UART: the terminal faces the host on serial_hd(1) (may be
     * NULL: no terminal connected) and resets the chip through sysctl.
     */
    qdev_prop_set_chr(DEVICE(&s->iso7816), "chardev", serial_hd(1));
    object_property_set_link(OBJECT(&s->iso7816), "sysctl",
                             OBJECT(&s->sysctl), &error_abort);
    if (!netcard_soc_realize_sysbus(SYS_BUS_DEVICE(&s->iso7816),
                                    NETCARD_ISO7816_BASE,
                                    netcard_soc_irq(s, NETCARD_IRQ_ISO7816),
                                    errp)) {
        return;
    }

    /*
     * NVM: MMIO 0 the array (nvm-size bytes of the NETCARD_NVM_SIZE_MAX
     * window; the rest stays unmapped), MMIO 1 the controller; tears cut
     * the power.
     */
    object_property_set_link(OBJECT(&s->nvm), "sysctl", OBJECT(&s->sysctl),
                             &error_abort);
    if (!netcard_soc_realize_sysbus(SYS_BUS_DEVICE(&s->nvm),
                                    NETCARD_NVM_BASE,
                                    netcard_soc_irq(s, NETCARD_IRQ_NVMC),
                                    errp)) {
        return;
    }
    sysbus_mmio_map(SYS_BUS_DEVICE(&s->nvm), 1, NETCARD_NVMC_BASE);

    /* NIC: -nic ...,model=netcard-nic (or the default NIC) */
    qemu_configure_nic_device(DEVICE(&s->nic), true, NULL);
    object_property_set_link(OBJECT(&s->nic), "memory",
                             OBJECT(system_memory), &error_abort);
    qdev_prop_set_uint32(DEVICE(&s->nic), "ram-base", NETCARD_RAM_BASE);
    qdev_prop_set_uint32(DEVICE(&s->nic), "ram-size", s->ram_size);
    if (!netcard_soc_realize_sysbus(SYS_BUS_DEVICE(&s->nic),
                                    NETCARD_NIC_BASE,
                                    netcard_soc_irq(s, NETCARD_IRQ_NIC),
                                    errp)) {
        return;
    }

    /* Crypto coprocessor: DMA into RAM (ram-size) and from RAM or NVM */
    qdev_connect_clock_in(DEVICE(&s->crypto), "clk", s->sysclk);
    object_property_set_link(OBJECT(&s->crypto), "memory",
                             OBJECT(system_memory), &error_abort);
    qdev_prop_set_uint32(DEVICE(&s->crypto), "ram-base", NETCARD_RAM_BASE);
    qdev_prop_set_uint32(DEVICE(&s->crypto), "ram-size", s->ram_size);
    qdev_prop_set_uint32(DEVICE(&s->crypto), "nvm-base", NETCARD_NVM_BASE);
    qdev_prop_set_uint32(DEVICE(&s->crypto), "nvm-size", s->nvm.size);
    if (!netcard_soc_realize_sysbus(SYS_BUS_DEVICE(&s->crypto),
                                    NETCARD_CRYPTO_BASE,
                                    netcard_soc_irq(s, NETCARD_IRQ_CRYPTO),
                                    errp)) {
        return;
    }

    if (!netcard_soc_realize_sysbus(SYS_BUS_DEVICE(&s->trng),
                                    NETCARD_TRNG_BASE,
                                    netcard_soc_irq(s, NETCARD_IRQ_TRNG),
                                    errp)) {
        return;
    }
}

static const Property netcard_soc_properties[] = {
    DEFINE_PROP_UINT32("ram-size", NetcardSocState, ram_size,
                       NETCARD_RAM_SIZE_MAX),
};

static void netcard_soc_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    dc->realize = netcard_soc_realize;
    /* Reason: uses serial_hd(0) and maps into system memory directly */
    dc->user_creatable = false;
    device_class_set_props(dc, netcard_soc_properties);
}

static const TypeInfo netcard_soc_types[] = {
    {
        .name = TYPE_NETCARD_SOC,
        .parent = TYPE_SYS_BUS_DEVICE,
        .instance_size = sizeof(NetcardSocState),
        .instance_init = netcard_soc_init,
        .class_init = netcard_soc_class_init,
    },
};

DEFINE_TYPES(netcard_soc_types)
