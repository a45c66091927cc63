/*
 * netcard NVM flash array. Contract: netcard_nvm.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qapi/error.h"
#include "hw/block/block.h"
#include "hw/qdev-properties.h"
#include "hw/qdev-properties-system.h"
#include "migration/vmstate.h"
#include "system/block-backend.h"
#include "netcard_nvm.h"
#include "trace.h"

/* Reads are served from RAM (ROMD mode); only stores reach these ops. */
static uint64_t netcard_nvm_array_read(void *opaque, hwaddr offset,
                                       unsigned size)
{
    NetcardNvmState *s = NETCARD_NVM(opaque);
    uint64_t value = 0;

    memcpy(&value, s->storage + offset, size);
    return le64_to_cpu(value);
}

static void netcard_nvm_array_write(void *opaque, hwaddr offset,
                                    uint64_t value, unsigned size)
{
    qemu_log_mask(LOG_GUEST_ERROR,
                  "netcard-nvm: store of %u bytes to the flash array at "
                  "0x%05" HWADDR_PRIx " ignored: program it through the "
                  "NVM controller\n", size, offset);
    trace_netcard_nvm_array_store(offset, size);
}

static const MemoryRegionOps netcard_nvm_array_ops = {
    .read = netcard_nvm_array_read,
    .write = netcard_nvm_array_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid.min_access_size = 1,
    .valid.max_access_size = 4,
    .valid.unaligned = true,
    .impl.min_access_size = 1,
    .impl.max_access_size = 4,
    .impl.unaligned = true,
};

static void netcard_nvm_realize(DeviceState *dev, Error **errp)
{
    NetcardNvmState *s = NETCARD_NVM(dev);

    if (!memory_region_init_rom_device(&s->array, OBJECT(dev),
                                       &netcard_nvm_array_ops, s,
                                       "netcard.nvm", NETCARD_NVM_SIZE,
                                       errp)) {
        return;
    }
    s->storage = memory_region_get_ram_ptr(&s->array);
    sysbus_init_mmio(SYS_BUS_DEVICE(dev), &s->array);

    if (!s->blk) {
        memset(s->storage, NETCARD_NVM_ERASED, NETCARD_NVM_SIZE);
        return;
    }
    s->read_only = !blk_supports_write_perm(s->blk);
    if (blk_set_perm(s->blk,
                     BLK_PERM_CONSISTENT_READ |
                     (s->read_only ? 0 : BLK_PERM_WRITE),
                     BLK_PERM_ALL, errp) < 0) {
        return;
    }
    /* Fails with a message naming both sizes when the image is wrong. */
    if (!blk_check_size_and_read_all(s->blk, dev, s->storage,
                                     NETCARD_NVM_SIZE, errp)) {
        return;
    }
    trace_netcard_nvm_attached(s->read_only);
}

static const Property netcard_nvm_properties[] = {
    DEFINE_PROP_DRIVE("drive", NetcardNvmState, blk),
};

/*
 * The array's contents travel with the RAM migration stream (it is a RAM
 * block); the backing image is shared, as for pflash.
 */
static const VMStateDescription vmstate_netcard_nvm = {
    .name = TYPE_NETCARD_NVM,
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_END_OF_LIST()
    },
};

static void netcard_nvm_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    dc->realize = netcard_nvm_realize;
    dc->vmsd = &vmstate_netcard_nvm;
    device_class_set_props(dc, netcard_nvm_properties);
}

static const TypeInfo netcard_nvm_types[] = {
    {
        .name = TYPE_NETCARD_NVM,
        .parent = TYPE_SYS_BUS_DEVICE,
        .instance_size = sizeof(NetcardNvmState),
        .class_init = netcard_nvm_class_init,
    },
};

DEFINE_TYPES(netcard_nvm_types)
