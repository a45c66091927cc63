/*
 * netcard NVM: the 1 MiB flash array, readable and executable in place at
 * 0x1000_0000, persisted in a block backend (-drive if=pflash).
 *
 * The array is NOR flash: erased bytes read 0xFF. CPU stores to the array
 * are guest errors; programming and erasing go through the NVM controller
 * window at 0x4000_5000 (see docs/machine.md for its status).
 *
 * A backing image must be exactly NETCARD_NVM_SIZE bytes; without one the
 * array starts erased and is lost when QEMU exits.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef NETCARD_NVM_H
#define NETCARD_NVM_H

#define NETCARD_NVM_SIZE       (1024 * 1024)
#define NETCARD_NVM_PAGE_SIZE  4096
#define NETCARD_NVM_ERASED     0xff

#ifndef NETCARD_CARDOS
#include "hw/sysbus.h"
#include "qom/object.h"
#include "system/block-backend.h"

#define TYPE_NETCARD_NVM "netcard-nvm"
OBJECT_DECLARE_SIMPLE_TYPE(NetcardNvmState, NETCARD_NVM)

struct NetcardNvmState {
    SysBusDevice parent_obj;

    MemoryRegion array;     /* MMIO 0: the flash array (ROM device) */
    BlockBackend *blk;      /* property "drive" */
    uint8_t *storage;       /* host view of the array */
    bool read_only;         /* backend refused write permission */
};
#endif /* !NETCARD_CARDOS */

#endif /* NETCARD_NVM_H */
