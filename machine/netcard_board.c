/*
 * netcard board: the virtual card as a whole. It supplies the SoC's 48 MHz
 * system clock and the NVM backing drive, loads the card OS image into ROM,
 * and decides, at every reset, what survives it (netcard_soc_prepare_reset).
 *
 *   qemu-system-arm -M netcard[,ram-size=SIZE][,nvm-size=SIZE] \
 *       -kernel cardos.elf \
 *       [-drive if=pflash,format=raw,file=card.nvm]
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "hw/arm/boot.h"
#include "hw/boards.h"
#include "hw/qdev-clock.h"
#include "hw/qdev-properties.h"
#include "system/blockdev.h"
#include "system/block-backend.h"
#include "system/qtest.h"
#include "system/reset.h"
#include "netcard_soc.h"

#define TYPE_NETCARD_MACHINE MACHINE_TYPE_NAME("netcard")
OBJECT_DECLARE_SIMPLE_TYPE(NetcardMachineState, NETCARD_MACHINE)

struct NetcardMachineState {
    MachineState parent_obj;

    NetcardSocState soc;
    Clock *sysclk;
    uint64_t ram_size;   /* machine property "ram-size" */
    uint64_t nvm_size;   /* machine property "nvm-size" */
};

/*
 * Nothing on this board can be unrealized at run time: the SoC's devices
 * are wired into its memory map, its interrupts and each other, and most
 * of them (QEMU's armv7m, NVIC and CPU among them) cannot be realized
 * again. QEMU's one refusal point for `qom-set <path> realized false` is
 * a device marked hot-plugged whose class is not hot-pluggable
 * (device_set_realized, hw/core/qdev.c): every device of the SoC is
 * marked so once it is realized, and the CPU's class, the only
 * hot-pluggable one here, is made not hot-pluggable (this machine has no
 * CPU hotplug). QMP then answers "Device '<type>' does not support
 * hotplugging" and nothing changes (docs/machine.md).
 */
static int netcard_forbid_unrealize(Object *obj, void *opaque)
{
    DeviceState *dev = (DeviceState *)object_dynamic_cast(obj, TYPE_DEVICE);

    if (dev) {
        DEVICE_GET_CLASS(dev)->hotpluggable = false;
        dev->hotplugged = true;
    }
    return 0;
}

static void netcard_machine_init(MachineState *machine)
{
    NetcardMachineState *m = NETCARD_MACHINE(machine);
    DriveInfo *nvm = drive_get(IF_PFLASH, 0, 0);

    if (!machine->kernel_filename && !qtest_enabled()) {
        error_report("netcard: no card OS image: give one with "
                     "-kernel cardos.elf");
        exit(1);
    }

    m->sysclk = clock_new(OBJECT(machine), "SYSCLK");
    clock_set_hz(m->sysclk, NETCARD_SYSCLK_HZ);

    object_initialize_child(OBJECT(machine), "soc", &m->soc,
                            TYPE_NETCARD_SOC);
    qdev_connect_clock_in(DEVICE(&m->soc), "sysclk", m->sysclk);
    qdev_prop_set_uint32(DEVICE(&m->soc), "ram-size", m->ram_size);
    qdev_prop_set_uint32(DEVICE(&m->soc), "nvm-size", m->nvm_size);
    if (nvm) {
        qdev_prop_set_drive_err(DEVICE(&m->soc), "nvm-drive",
                                blk_by_legacy_dinfo(nvm), &error_fatal);
    }
    sysbus_realize(SYS_BUS_DEVICE(&m->soc), &error_fatal);
    netcard_forbid_unrealize(OBJECT(&m->soc), NULL);
    object_child_foreach_recursive(OBJECT(&m->soc), netcard_forbid_unrealize,
                                   NULL);

    armv7m_load_kernel(m->soc.armv7m.cpu, machine->kernel_filename,
                       NETCARD_ROM_BASE, NETCARD_ROM_SIZE);
}

static void netcard_machine_reset(MachineState *machine, ResetType type)
{
    NetcardMachineState *m = NETCARD_MACHINE(machine);

    if (type != RESET_TYPE_SNAPSHOT_LOAD) {
        netcard_soc_prepare_reset(&m->soc);
    }
    qemu_devices_reset(type);
}

static void netcard_machine_get_ram_size(Object *obj, Visitor *v,
                                         const char *name, void *opaque,
                                         Error **errp)
{
    NetcardMachineState *m = NETCARD_MACHINE(obj);

    visit_type_size(v, name, &m->ram_size, errp);
}

static void netcard_machine_set_ram_size(Object *obj, Visitor *v,
                                         const char *name, void *opaque,
                                         Error **errp)
{
    NetcardMachineState *m = NETCARD_MACHINE(obj);
    uint64_t value;

    if (!visit_type_size(v, name, &value, errp)) {
        return;
    }
    if (value < NETCARD_RAM_SIZE_MIN || value > NETCARD_RAM_SIZE_MAX ||
        value % (4 * KiB)) {
        error_setg(errp, "ram-size must be a multiple of 4 KiB from %u to "
                   "%u KiB", (unsigned)(NETCARD_RAM_SIZE_MIN / KiB),
                   (unsigned)(NETCARD_RAM_SIZE_MAX / KiB));
        return;
    }
    m->ram_size = value;
}

static void netcard_machine_get_nvm_size(Object *obj, Visitor *v,
                                         const char *name, void *opaque,
                                         Error **errp)
{
    NetcardMachineState *m = NETCARD_MACHINE(obj);

    visit_type_size(v, name, &m->nvm_size, errp);
}

static void netcard_machine_set_nvm_size(Object *obj, Visitor *v,
                                         const char *name, void *opaque,
                                         Error **errp)
{
    NetcardMachineState *m = NETCARD_MACHINE(obj);
    uint64_t value;

    if (!visit_type_size(v, name, &value, errp)) {
        return;
    }
    /* whole flash pages (peripherals/netcard_nvm.h) */
    if (value < NETCARD_NVM_SIZE_MIN || value > NETCARD_NVM_SIZE_MAX ||
        value % NETCARD_NVM_PAGE_SIZE) {
        error_setg(errp, "nvm-size must be a multiple of %u KiB from %u MiB "
                   "to %u MiB", (unsigned)(NETCARD_NVM_PAGE_SIZE / KiB),
                   (unsigned)(NETCARD_NVM_SIZE_MIN / MiB),
                   (unsigned)(NETCARD_NVM_SIZE_MAX / MiB));
        return;
    }
    m->nvm_size = value;
}

static void netcard_machine_instance_init(Object *obj)
{
    NETCARD_MACHINE(obj)->ram_size = NETCARD_RAM_SIZE_MAX;
    NETCARD_MACHINE(obj)->nvm_size = NETCARD_NVM_SIZE_DEFAULT;
}

static void netcard_machine_class_init(ObjectClass *oc, void *data)
{
    MachineClass *mc = MACHINE_CLASS(oc);
    g_autofree char *nvm_desc = NULL;
    static const char *const valid_cpu_types[] = {
        ARM_CPU_TYPE_NAME("cortex-m33"),
        NULL
    };

    mc->desc = "netcard virtual networked smart card (Cortex-M33 SoC)";
    mc->init = netcard_machine_init;
    mc->reset = netcard_machine_reset;
    mc->valid_cpu_types = valid_cpu_types;
    mc->default_cpus = 1;
    mc->max_cpus = 1;
    /* RAM belongs to the SoC (property ram-size), not to -m. */
    mc->default_ram_size = 0;
    mc->block_default_type = IF_PFLASH;
    mc->no_parallel = 1;
    mc->no_floppy = 1;
    mc->no_cdrom = 1;

    object_class_property_add(oc, "ram-size", "size",
                              netcard_machine_get_ram_size,
                              netcard_machine_set_ram_size, NULL, NULL);
    object_class_property_set_description(oc, "ram-size",
        "Card RAM at 0x20000000 (16 KiB to 256 KiB, default 256 KiB)");
    object_class_property_add(oc, "nvm-size", "size",
                              netcard_machine_get_nvm_size,
                              netcard_machine_set_nvm_size, NULL, NULL);
    nvm_desc = g_strdup_printf("Card NVM flash at 0x%08x, the size of its "
                               "-drive if=pflash image (%u to %u MiB in "
                               "%u KiB pages, default %u MiB)",
                               NETCARD_NVM_BASE,
                               (unsigned)(NETCARD_NVM_SIZE_MIN / MiB),
                               (unsigned)(NETCARD_NVM_SIZE_MAX / MiB),
                               (unsigned)(NETCARD_NVM_PAGE_SIZE / KiB),
                               (unsigned)(NETCARD_NVM_SIZE_DEFAULT / MiB));
    object_class_property_set_description(oc, "nvm-size", nvm_desc);
}

static const TypeInfo netcard_machine_types[] = {
    {
        .name = TYPE_NETCARD_MACHINE,
        .parent = TYPE_MACHINE,
        .instance_size = sizeof(NetcardMachineState),
        .instance_init = netcard_machine_instance_init,
        .class_init = netcard_machine_class_init,
    },
};

DEFINE_TYPES(netcard_machine_types)
