/*
 * netcard NVM flash array and controller. Contract: netcard_nvm.h; user
 * documentation: docs/nvm.md.
 *
 * Every change to the array is written through to the backing block
 * device (the touched sectors) before the operation reports completion,
 * so an image survives QEMU quitting at any moment. An operation changes
 * the array when its busy time ends; a power cut injected with tear-after
 * changes it (before / partial / after) at once and cuts the power through
 * the sysctl (reset cause "tear", a cold reset).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "qemu/log.h"
#include "qemu/error-report.h"
#include "qemu/timer.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "hw/block/block.h"
#include "hw/irq.h"
#include "hw/qdev-properties.h"
#include "hw/qdev-properties-system.h"
#include "migration/vmstate.h"
#include "system/block-backend.h"
#include "system/runstate.h"
#include "netcard_nvm.h"
#include "trace.h"

static const char *const tear_mode_names[] = {
    [NETCARD_NVM_TEAR_BEFORE] = "before",
    [NETCARD_NVM_TEAR_PARTIAL] = "partial",
    [NETCARD_NVM_TEAR_AFTER] = "after",
};

static const char *const cmd_names[] = {
    [NVMC_CMD_PROGRAM] = "program",
    [NVMC_CMD_PROGRAM_ROW] = "program-row",
    [NVMC_CMD_ERASE_PAGE] = "erase-page",
};

/* ---------------------------------------------------------------- array */

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
                  "0x%06" HWADDR_PRIx " ignored: program it through the "
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

/*
 * Write [offset, offset + len) of the array through to the backend and
 * make the CPU see it (TBs executing from the array are invalidated).
 * False if the backend failed.
 */
static bool netcard_nvm_persist(NetcardNvmState *s, uint32_t offset,
                                uint32_t len)
{
    bool ok = true;

    memory_region_flush_rom_device(&s->array, offset, len);
    if (s->blk) {
        uint32_t start = QEMU_ALIGN_DOWN(offset, BDRV_SECTOR_SIZE);
        uint32_t end = QEMU_ALIGN_UP(offset + len, BDRV_SECTOR_SIZE);
        int ret = blk_pwrite(s->blk, start, end - start,
                             s->storage + start, 0);

        if (ret < 0) {
            error_report("netcard-nvm: could not write the NVM image: %s",
                         strerror(-ret));
            ok = false;
        }
    }
    trace_netcard_nvm_persist(offset, len, ok);
    return ok;
}

/* ----------------------------------------------------------- controller */

/* xorshift64*: deterministic, seeded by tear-seed. */
static uint64_t netcard_nvm_prng_next(NetcardNvmState *s)
{
    uint64_t x = s->prng;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    s->prng = x;
    return x * 0x2545f4914f6cdd1dull;
}

static void netcard_nvm_seed(NetcardNvmState *s, uint64_t seed)
{
    s->tear_seed = seed;
    /* a zero state would stay zero */
    s->prng = seed ^ 0x9e3779b97f4a7c15ull;
    if (!s->prng) {
        s->prng = 1;
    }
}

static void netcard_nvm_update_irq(NetcardNvmState *s)
{
    bool level =
        (FIELD_EX32(s->status, NVMC_STATUS, DONE) &&
         FIELD_EX32(s->inten, NVMC_INTEN, DONE)) ||
        (FIELD_EX32(s->status, NVMC_STATUS, ERROR) &&
         FIELD_EX32(s->inten, NVMC_INTEN, ERROR));

    qemu_set_irq(s->irq, level);
}

static void netcard_nvm_error(NetcardNvmState *s, NetcardNvmcError err,
                              const char *why)
{
    qemu_log_mask(LOG_GUEST_ERROR, "netcard-nvm: command refused: %s "
                  "(ADDR 0x%08x LEN %u)\n", why, s->addr, s->len);
    trace_netcard_nvm_error(err);
    s->status = FIELD_DP32(s->status, NVMC_STATUS, ERROR, 1);
    s->status = FIELD_DP32(s->status, NVMC_STATUS, ERRCODE, err);
    netcard_nvm_update_irq(s);
}

/* The range of the array the latched operation touches. */
static void netcard_nvm_op_range(NetcardNvmState *s, uint32_t *offset,
                                 uint32_t *len)
{
    switch (s->op_cmd) {
    case NVMC_CMD_PROGRAM:
        *offset = s->op_addr;
        *len = 4;
        break;
    case NVMC_CMD_PROGRAM_ROW:
        *offset = s->op_addr;
        *len = 4 * s->op_len;
        break;
    default: /* NVMC_CMD_ERASE_PAGE */
        *offset = s->op_addr;
        *len = NETCARD_NVM_PAGE_SIZE;
        break;
    }
}

/*
 * Apply the latched operation to the array. With @partial, each bit the
 * operation would change changes with probability 1/2 (PRNG).
 */
static void netcard_nvm_apply(NetcardNvmState *s, bool partial)
{
    uint32_t offset, len, i;

    netcard_nvm_op_range(s, &offset, &len);
    for (i = 0; i < len; i += 4) {
        uint32_t old = ldl_le_p(s->storage + offset + i);
        uint32_t target;
        uint32_t new;

        if (s->op_cmd == NVMC_CMD_ERASE_PAGE) {
            target = 0xffffffffu;
        } else {
            target = old & s->op_words[i / 4];
        }
        new = target;
        if (partial) {
            /* bits that would change: keep a random half of them old */
            uint32_t change = old ^ target;
            uint32_t keep = change & (uint32_t)netcard_nvm_prng_next(s);

            new = target ^ keep;
        }
        stl_le_p(s->storage + offset + i, new);
    }
}

static void netcard_nvm_finish(void *opaque)
{
    NetcardNvmState *s = NETCARD_NVM(opaque);
    uint32_t offset, len;

    if (!FIELD_EX32(s->status, NVMC_STATUS, BUSY)) {
        return;
    }
    netcard_nvm_apply(s, false);
    netcard_nvm_op_range(s, &offset, &len);
    s->status = FIELD_DP32(s->status, NVMC_STATUS, BUSY, 0);
    if (netcard_nvm_persist(s, offset, len)) {
        s->status = FIELD_DP32(s->status, NVMC_STATUS, DONE, 1);
    } else {
        s->status = FIELD_DP32(s->status, NVMC_STATUS, ERROR, 1);
        s->status = FIELD_DP32(s->status, NVMC_STATUS, ERRCODE,
                               NVMC_ERR_READONLY);
    }
    trace_netcard_nvm_done(s->op_cmd, offset, len);
    netcard_nvm_update_irq(s);
}

/* Cut the power in the middle of the latched operation. */
static void netcard_nvm_tear(NetcardNvmState *s)
{
    uint32_t offset, len;

    netcard_nvm_op_range(s, &offset, &len);
    switch (s->tear_mode) {
    case NETCARD_NVM_TEAR_PARTIAL:
        netcard_nvm_apply(s, true);
        break;
    case NETCARD_NVM_TEAR_AFTER:
        netcard_nvm_apply(s, false);
        break;
    default:
        break;
    }
    if (s->tear_mode != NETCARD_NVM_TEAR_BEFORE) {
        netcard_nvm_persist(s, offset, len);
    }
    s->tears++;
    s->torn = true;
    s->status = FIELD_DP32(s->status, NVMC_STATUS, BUSY, 1);
    trace_netcard_nvm_tear(cmd_names[s->op_cmd], offset,
                           tear_mode_names[s->tear_mode], s->tears);
    if (s->sysctl) {
        netcard_sysctl_request_reset(s->sysctl, NETCARD_RESET_TEAR);
    } else {
        qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
    }
}

static void netcard_nvm_command(NetcardNvmState *s, uint32_t value)
{
    uint32_t op = FIELD_EX32(value, NVMC_CMD, OP);
    uint64_t busy_ns;

    if (s->torn) {
        return; /* the power is going: nothing runs any more */
    }
    if (FIELD_EX32(s->status, NVMC_STATUS, BUSY)) {
        netcard_nvm_error(s, NVMC_ERR_BUSY, "an operation is running");
        return;
    }
    if (op < NVMC_CMD_PROGRAM || op > NVMC_CMD_ERASE_PAGE) {
        netcard_nvm_error(s, NVMC_ERR_CMD, "unknown command");
        return;
    }
    if (s->locked) {
        netcard_nvm_error(s, NVMC_ERR_LOCKED, "write protection is on");
        return;
    }
    if (s->addr >= s->size) {
        netcard_nvm_error(s, NVMC_ERR_RANGE, "address outside the array");
        return;
    }
    switch (op) {
    case NVMC_CMD_PROGRAM:
        if (s->addr % 4) {
            netcard_nvm_error(s, NVMC_ERR_ALIGN, "address not word aligned");
            return;
        }
        s->op_len = 1;
        s->op_words[0] = s->data;
        busy_ns = NETCARD_NVMC_T_PROGRAM_NS;
        break;
    case NVMC_CMD_PROGRAM_ROW:
        if (s->addr % 4) {
            netcard_nvm_error(s, NVMC_ERR_ALIGN, "address not word aligned");
            return;
        }
        if (s->len == 0 || s->len > NETCARD_NVMC_BUF_WORDS) {
            netcard_nvm_error(s, NVMC_ERR_LEN, "row length out of range");
            return;
        }
        if ((uint64_t)s->addr + 4ull * s->len > s->size) {
            netcard_nvm_error(s, NVMC_ERR_RANGE, "row past the array");
            return;
        }
        if (s->addr / NETCARD_NVM_PAGE_SIZE !=
            (s->addr + 4 * s->len - 1) / NETCARD_NVM_PAGE_SIZE) {
            netcard_nvm_error(s, NVMC_ERR_LEN, "row crosses a page");
            return;
        }
        s->op_len = s->len;
        memcpy(s->op_words, s->buf, 4 * s->len);
        busy_ns = NETCARD_NVMC_T_ROW_BASE_NS +
                  (uint64_t)NETCARD_NVMC_T_ROW_WORD_NS * s->len;
        break;
    default: /* NVMC_CMD_ERASE_PAGE */
        if (s->addr % NETCARD_NVM_PAGE_SIZE) {
            netcard_nvm_error(s, NVMC_ERR_ALIGN, "address not page aligned");
            return;
        }
        s->op_len = NETCARD_NVM_PAGE_SIZE / 4;
        busy_ns = NETCARD_NVMC_T_ERASE_NS;
        break;
    }
    if (s->read_only) {
        netcard_nvm_error(s, NVMC_ERR_READONLY, "the NVM image is read-only");
        return;
    }

    s->op_cmd = op;
    s->op_addr = s->addr;
    s->opcount++;
    if (op == NVMC_CMD_ERASE_PAGE) {
        s->erases++;
    } else {
        s->programs++;
    }
    trace_netcard_nvm_start(cmd_names[op], s->op_addr, s->op_len, busy_ns);
    if (s->tear_after) {
        s->tear_after--;
        if (!s->tear_after) {
            netcard_nvm_tear(s);
            return;
        }
    }
    s->status = FIELD_DP32(s->status, NVMC_STATUS, BUSY, 1);
    timer_mod(s->timer, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) + busy_ns);
}

static uint64_t netcard_nvm_ctrl_read(void *opaque, hwaddr offset,
                                      unsigned size)
{
    NetcardNvmState *s = NETCARD_NVM(opaque);
    uint64_t value = 0;

    switch (offset) {
    case A_NVMC_ID:
        value = NETCARD_NVMC_ID;
        break;
    case A_NVMC_STATUS:
        value = FIELD_DP32(s->status, NVMC_STATUS, LOCKED, s->locked);
        break;
    case A_NVMC_INTEN:
        value = s->inten;
        break;
    case A_NVMC_ADDR:
        value = s->addr;
        break;
    case A_NVMC_DATA:
        value = s->data;
        break;
    case A_NVMC_LEN:
        value = s->len;
        break;
    case A_NVMC_CMD:
        break;
    case A_NVMC_LOCK:
        value = s->locked;
        break;
    case A_NVMC_OPCOUNT:
        value = s->opcount;
        break;
    case A_NVMC_SIZE:
        value = s->size;
        break;
    case A_NVMC_BUF0 ... A_NVMC_BUF0 + 4 * (NETCARD_NVMC_BUF_WORDS - 1):
        value = s->buf[(offset - A_NVMC_BUF0) / 4];
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "netcard-nvm: read of unknown register 0x%03"
                      HWADDR_PRIx "\n", offset);
        break;
    }
    trace_netcard_nvm_read(offset, value);
    return value;
}

static void netcard_nvm_ctrl_write(void *opaque, hwaddr offset,
                                   uint64_t value, unsigned size)
{
    NetcardNvmState *s = NETCARD_NVM(opaque);

    trace_netcard_nvm_write(offset, value);
    switch (offset) {
    case A_NVMC_STATUS:
        if (FIELD_EX32(value, NVMC_STATUS, DONE)) {
            s->status = FIELD_DP32(s->status, NVMC_STATUS, DONE, 0);
        }
        if (FIELD_EX32(value, NVMC_STATUS, ERROR)) {
            s->status = FIELD_DP32(s->status, NVMC_STATUS, ERROR, 0);
            s->status = FIELD_DP32(s->status, NVMC_STATUS, ERRCODE, 0);
        }
        netcard_nvm_update_irq(s);
        break;
    case A_NVMC_INTEN:
        s->inten = value & (R_NVMC_INTEN_DONE_MASK | R_NVMC_INTEN_ERROR_MASK);
        netcard_nvm_update_irq(s);
        break;
    case A_NVMC_ADDR:
        s->addr = value;
        break;
    case A_NVMC_DATA:
        s->data = value;
        break;
    case A_NVMC_LEN:
        s->len = value;
        break;
    case A_NVMC_CMD:
        netcard_nvm_command(s, value);
        break;
    case A_NVMC_LOCK:
        if (value != NETCARD_NVMC_LOCK_KEY) {
            qemu_log_mask(LOG_GUEST_ERROR, "netcard-nvm: LOCK write 0x%08"
                          PRIx64 " without the key ignored\n", value);
            break;
        }
        s->locked = true;
        trace_netcard_nvm_lock();
        break;
    case A_NVMC_BUF0 ... A_NVMC_BUF0 + 4 * (NETCARD_NVMC_BUF_WORDS - 1):
        s->buf[(offset - A_NVMC_BUF0) / 4] = value;
        break;
    case A_NVMC_ID:
    case A_NVMC_OPCOUNT:
    case A_NVMC_SIZE:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "netcard-nvm: write to read-only register 0x%03"
                      HWADDR_PRIx "\n", offset);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "netcard-nvm: write to unknown register 0x%03"
                      HWADDR_PRIx "\n", offset);
        break;
    }
}

static const MemoryRegionOps netcard_nvm_ctrl_ops = {
    .read = netcard_nvm_ctrl_read,
    .write = netcard_nvm_ctrl_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid.min_access_size = 4,
    .valid.max_access_size = 4,
    .valid.unaligned = false,
};

/* ------------------------------------------------------------ QOM glue */

static char *netcard_nvm_get_tear_mode(Object *obj, Error **errp)
{
    NetcardNvmState *s = NETCARD_NVM(obj);

    return g_strdup(tear_mode_names[s->tear_mode]);
}

static void netcard_nvm_set_tear_mode(Object *obj, const char *value,
                                      Error **errp)
{
    NetcardNvmState *s = NETCARD_NVM(obj);

    for (unsigned i = 0; i < ARRAY_SIZE(tear_mode_names); i++) {
        if (!strcmp(value, tear_mode_names[i])) {
            s->tear_mode = i;
            return;
        }
    }
    error_setg(errp, "tear-mode must be before, partial or after");
}

static void netcard_nvm_get_tear_seed(Object *obj, Visitor *v,
                                      const char *name, void *opaque,
                                      Error **errp)
{
    NetcardNvmState *s = NETCARD_NVM(obj);

    visit_type_uint64(v, name, &s->tear_seed, errp);
}

static void netcard_nvm_set_tear_seed(Object *obj, Visitor *v,
                                      const char *name, void *opaque,
                                      Error **errp)
{
    NetcardNvmState *s = NETCARD_NVM(obj);
    uint64_t value;

    if (visit_type_uint64(v, name, &value, errp)) {
        netcard_nvm_seed(s, value);
    }
}

/*
 * tear-after counts program/erase operations from now: 0 (off) up to a
 * million, about 20 s of the card's fastest programming; a larger count
 * is a mistake, refused (docs/nvm.md).
 */
#define NETCARD_NVM_TEAR_AFTER_MAX 1000000u

static void netcard_nvm_get_tear_after(Object *obj, Visitor *v,
                                       const char *name, void *opaque,
                                       Error **errp)
{
    NetcardNvmState *s = NETCARD_NVM(obj);

    visit_type_uint32(v, name, &s->tear_after, errp);
}

static void netcard_nvm_set_tear_after(Object *obj, Visitor *v,
                                       const char *name, void *opaque,
                                       Error **errp)
{
    NetcardNvmState *s = NETCARD_NVM(obj);
    uint32_t value;

    if (!visit_type_uint32(v, name, &value, errp)) {
        return;
    }
    if (value > NETCARD_NVM_TEAR_AFTER_MAX) {
        error_setg(errp, "netcard-nvm: tear-after must be 0..%u "
                   "(operations)", NETCARD_NVM_TEAR_AFTER_MAX);
        return;
    }
    s->tear_after = value;
}

static void netcard_nvm_init(Object *obj)
{
    NetcardNvmState *s = NETCARD_NVM(obj);

    memory_region_init_io(&s->ctrl, obj, &netcard_nvm_ctrl_ops, s,
                          "netcard.nvm-ctrl", 0x1000);
    sysbus_init_irq(SYS_BUS_DEVICE(obj), &s->irq);
    s->timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, netcard_nvm_finish, s);
    netcard_nvm_seed(s, 1);

    /* Fault injection and counters: runtime properties (qom-set/get). */
    object_property_add(obj, "tear-after", "uint32",
                        netcard_nvm_get_tear_after,
                        netcard_nvm_set_tear_after, NULL, NULL);
    object_property_set_description(obj, "tear-after",
        "Cut the power at the N-th program/erase from now (0: off)");
    object_property_add_str(obj, "tear-mode", netcard_nvm_get_tear_mode,
                            netcard_nvm_set_tear_mode);
    object_property_set_description(obj, "tear-mode",
        "Where in the torn operation: before, partial or after");
    object_property_add(obj, "tear-seed", "uint64",
                        netcard_nvm_get_tear_seed, netcard_nvm_set_tear_seed,
                        NULL, NULL);
    object_property_set_description(obj, "tear-seed",
        "Seed of the PRNG choosing the bits a partial tear changes");
    object_property_add_uint32_ptr(obj, "programs", &s->programs,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint32_ptr(obj, "erases", &s->erases,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint32_ptr(obj, "tears", &s->tears,
                                   OBJ_PROP_FLAG_READ);
}

static void netcard_nvm_finalize(Object *obj)
{
    NetcardNvmState *s = NETCARD_NVM(obj);

    timer_free(s->timer);
}

static void netcard_nvm_realize(DeviceState *dev, Error **errp)
{
    ERRP_GUARD();
    NetcardNvmState *s = NETCARD_NVM(dev);

    if (s->size < NETCARD_NVM_SIZE_MIN || s->size > NETCARD_NVM_SIZE_MAX ||
        s->size % NETCARD_NVM_PAGE_SIZE) {
        error_setg(errp, "netcard-nvm: size %" PRIu32 " is not a multiple "
                   "of %u KiB from %u MiB to %u MiB", s->size,
                   NETCARD_NVM_PAGE_SIZE / (unsigned)KiB,
                   (unsigned)(NETCARD_NVM_SIZE_MIN / MiB),
                   (unsigned)(NETCARD_NVM_SIZE_MAX / MiB));
        return;
    }
    if (!memory_region_init_rom_device(&s->array, OBJECT(dev),
                                       &netcard_nvm_array_ops, s,
                                       "netcard.nvm", s->size, errp)) {
        return;
    }
    s->storage = memory_region_get_ram_ptr(&s->array);
    sysbus_init_mmio(SYS_BUS_DEVICE(dev), &s->array);
    sysbus_init_mmio(SYS_BUS_DEVICE(dev), &s->ctrl);

    if (!s->blk) {
        memset(s->storage, NETCARD_NVM_ERASED, s->size);
        trace_netcard_nvm_attached(s->size, false, false);
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
    if (!blk_check_size_and_read_all(s->blk, dev, s->storage, s->size,
                                     errp)) {
        error_append_hint(errp, "The NVM is as large as its image: start "
                          "with -M netcard,nvm-size=<the image's size>, or "
                          "grow the image with erased bytes (0xFF): "
                          "docs/nvm.md.\n");
        return;
    }
    trace_netcard_nvm_attached(s->size, true, s->read_only);
}

/*
 * Every reset (warm, cold, tear) stops a running operation where it is:
 * an operation still busy at a reset never completes. The array itself
 * and the fault-injection knobs and counters are kept.
 */
static void netcard_nvm_reset_hold(Object *obj, ResetType type)
{
    NetcardNvmState *s = NETCARD_NVM(obj);

    if (type == RESET_TYPE_SNAPSHOT_LOAD) {
        return;
    }
    timer_del(s->timer);
    s->status = 0;
    s->inten = 0;
    s->addr = 0;
    s->data = 0;
    s->len = 0;
    s->opcount = 0;
    s->locked = false;
    s->torn = false;
    s->op_cmd = 0;
    s->op_addr = 0;
    s->op_len = 0;
    memset(s->buf, 0, sizeof(s->buf));
    memset(s->op_words, 0, sizeof(s->op_words));
    qemu_set_irq(s->irq, 0);
}

static int netcard_nvm_post_load(void *opaque, int version_id)
{
    NetcardNvmState *s = opaque;

    if (version_id < 3 && s->size != 1 * MiB) {
        error_report("netcard-nvm: the saved machine had the 1 MiB NVM of "
                     "version 2, this one has %" PRIu32 " bytes (nvm-size)",
                     s->size);
        return -EINVAL;
    }

    if (s->op_len > NETCARD_NVMC_BUF_WORDS &&
        s->op_cmd != NVMC_CMD_ERASE_PAGE) {
        return -EINVAL;
    }
    if (s->op_addr >= s->size ||
        s->tear_mode > NETCARD_NVM_TEAR_AFTER ||
        s->tear_after > NETCARD_NVM_TEAR_AFTER_MAX ||
        (FIELD_EX32(s->status, NVMC_STATUS, BUSY) &&
         (s->op_cmd < NVMC_CMD_PROGRAM || s->op_cmd > NVMC_CMD_ERASE_PAGE))) {
        return -EINVAL;
    }
    return 0;
}

static const Property netcard_nvm_properties[] = {
    DEFINE_PROP_DRIVE("drive", NetcardNvmState, blk),
    DEFINE_PROP_UINT32("size", NetcardNvmState, size,
                       NETCARD_NVM_SIZE_DEFAULT),
    DEFINE_PROP_LINK("sysctl", NetcardNvmState, sysctl, TYPE_NETCARD_SYSCTL,
                     NetcardSysctlState *),
};

/*
 * The array's contents travel with the RAM migration stream (it is a RAM
 * block); the backing image is shared, as for pflash. The size is
 * configuration (property "size"), not state: version 3 sends it only so
 * that loading into a machine with another nvm-size fails with a clear
 * message (the RAM block's length check refuses it too). A version 2
 * stream comes from a 1 MiB array.
 */
static const VMStateDescription vmstate_netcard_nvm = {
    .name = TYPE_NETCARD_NVM,
    .version_id = 3,
    .minimum_version_id = 2,
    .post_load = netcard_nvm_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32_EQUAL_V(size, NetcardNvmState, 3,
                               "netcard-nvm: the NVM size (nvm-size) differs "
                               "from the saved machine's"),
        VMSTATE_UINT32(status, NetcardNvmState),
        VMSTATE_UINT32(inten, NetcardNvmState),
        VMSTATE_UINT32(addr, NetcardNvmState),
        VMSTATE_UINT32(data, NetcardNvmState),
        VMSTATE_UINT32(len, NetcardNvmState),
        VMSTATE_UINT32(opcount, NetcardNvmState),
        VMSTATE_BOOL(locked, NetcardNvmState),
        VMSTATE_UINT32_ARRAY(buf, NetcardNvmState, NETCARD_NVMC_BUF_WORDS),
        VMSTATE_UINT32(op_cmd, NetcardNvmState),
        VMSTATE_UINT32(op_addr, NetcardNvmState),
        VMSTATE_UINT32(op_len, NetcardNvmState),
        VMSTATE_UINT32_ARRAY(op_words, NetcardNvmState,
                             NETCARD_NVMC_BUF_WORDS),
        VMSTATE_BOOL(torn, NetcardNvmState),
        VMSTATE_TIMER_PTR(timer, NetcardNvmState),
        VMSTATE_UINT32(tear_after, NetcardNvmState),
        VMSTATE_UINT32(tear_mode, NetcardNvmState),
        VMSTATE_UINT64(tear_seed, NetcardNvmState),
        VMSTATE_UINT64(prng, NetcardNvmState),
        VMSTATE_UINT32(programs, NetcardNvmState),
        VMSTATE_UINT32(erases, NetcardNvmState),
        VMSTATE_UINT32(tears, NetcardNvmState),
        VMSTATE_END_OF_LIST()
    },
};

static void netcard_nvm_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);

    dc->realize = netcard_nvm_realize;
    dc->vmsd = &vmstate_netcard_nvm;
    rc->phases.hold = netcard_nvm_reset_hold;
    device_class_set_props(dc, netcard_nvm_properties);
}

static const TypeInfo netcard_nvm_types[] = {
    {
        .name = TYPE_NETCARD_NVM,
        .parent = TYPE_SYS_BUS_DEVICE,
        .instance_size = sizeof(NetcardNvmState),
        .instance_init = netcard_nvm_init,
        .instance_finalize = netcard_nvm_finalize,
        .class_init = netcard_nvm_class_init,
    },
};

DEFINE_TYPES(netcard_nvm_types)
