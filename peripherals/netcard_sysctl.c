/*
 * netcard system controller (sysctl). Register map: netcard_sysctl.h.
 *
 * The machine has one reset path (qemu_system_reset); what differs between
 * a power-on, a warm reset and a software reset is only who asked. Each
 * requester records its cause here first (pending_cause), the machine's
 * reset hook reads it to decide whether RAM survives, and this device
 * latches it into RESET_CAUSE during its own reset. A reset nobody claimed
 * (QMP system_reset, gdb "monitor system_reset") is a warm reset.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "hw/irq.h"
#include "hw/qdev-clock.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "system/runstate.h"
#include "netcard_sysctl.h"
#include "trace.h"

static const char *const reset_cause_names[] = {
    [NETCARD_RESET_POWER_ON] = "power-on",
    [NETCARD_RESET_WARM] = "warm",
    [NETCARD_RESET_WATCHDOG] = "watchdog",
    [NETCARD_RESET_SOFTWARE] = "software",
    [NETCARD_RESET_TEAR] = "tear",
};

const char *netcard_reset_cause_name(NetcardResetCause cause)
{
    if (cause < ARRAY_SIZE(reset_cause_names) && reset_cause_names[cause]) {
        return reset_cause_names[cause];
    }
    return "unknown";
}

bool netcard_reset_cause_is_cold(NetcardResetCause cause)
{
    return cause == NETCARD_RESET_POWER_ON || cause == NETCARD_RESET_TEAR;
}

void netcard_sysctl_set_pending_cause(NetcardSysctlState *s,
                                      NetcardResetCause cause)
{
    /*
     * A cold cause wins over a warm one already pending: if power is cut
     * while a software reset is in flight, RAM is still lost.
     */
    if (netcard_reset_cause_is_cold(s->pending_cause) &&
        !netcard_reset_cause_is_cold(cause)) {
        return;
    }
    s->pending_cause = cause;
}

NetcardResetCause netcard_sysctl_pending_cause(NetcardSysctlState *s)
{
    return s->pending_cause;
}

void netcard_sysctl_request_reset(NetcardSysctlState *s,
                                  NetcardResetCause cause)
{
    trace_netcard_sysctl_reset_request(netcard_reset_cause_name(cause));
    netcard_sysctl_set_pending_cause(s, cause);
    qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
}

static uint64_t netcard_sysctl_read(void *opaque, hwaddr offset,
                                    unsigned size)
{
    NetcardSysctlState *s = NETCARD_SYSCTL(opaque);
    uint64_t value = 0;

    switch (offset) {
    case A_SYSCTL_CHIP_ID:
        value = NETCARD_SYSCTL_CHIP_ID;
        break;
    case A_SYSCTL_REVISION:
        value = FIELD_DP32(0, SYSCTL_REVISION, MAJOR, NETCARD_SYSCTL_REV_MAJOR);
        value = FIELD_DP32(value, SYSCTL_REVISION, MINOR,
                           NETCARD_SYSCTL_REV_MINOR);
        break;
    case A_SYSCTL_RESET_CAUSE:
        value = s->reset_cause;
        break;
    case A_SYSCTL_RESET_CTRL:
        break;
    case A_SYSCTL_POWER:
        value = s->power;
        break;
    case A_SYSCTL_SYSCLK_HZ:
        value = clock_get_hz(s->clk);
        break;
    case A_SYSCTL_RESET_COUNT:
        value = s->reset_count;
        break;
    case A_SYSCTL_SCRATCH0 ... A_SYSCTL_SCRATCH3:
        value = s->scratch[(offset - A_SYSCTL_SCRATCH0) / 4];
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "netcard-sysctl: read of unknown register 0x%03"
                      HWADDR_PRIx "\n", offset);
        break;
    }
    trace_netcard_sysctl_read(offset, value);
    return value;
}

static void netcard_sysctl_write(void *opaque, hwaddr offset,
                                 uint64_t value, unsigned size)
{
    NetcardSysctlState *s = NETCARD_SYSCTL(opaque);

    trace_netcard_sysctl_write(offset, value);
    switch (offset) {
    case A_SYSCTL_RESET_CTRL:
        if (FIELD_EX32(value, SYSCTL_RESET_CTRL, KEY) !=
            NETCARD_SYSCTL_RESET_KEY) {
            qemu_log_mask(LOG_GUEST_ERROR,
                          "netcard-sysctl: RESET_CTRL write 0x%08" PRIx64
                          " without key 0x%04x ignored\n",
                          value, NETCARD_SYSCTL_RESET_KEY);
            break;
        }
        if (FIELD_EX32(value, SYSCTL_RESET_CTRL, SWRESET)) {
            netcard_sysctl_request_reset(s, NETCARD_RESET_SOFTWARE);
        }
        break;
    case A_SYSCTL_POWER: {
        uint32_t mode = FIELD_EX32(value, SYSCTL_POWER, MODE);

        if (mode > NETCARD_POWER_IDLE) {
            qemu_log_mask(LOG_GUEST_ERROR,
                          "netcard-sysctl: unknown power mode %u ignored\n",
                          mode);
            break;
        }
        s->power = mode;
        trace_netcard_sysctl_power(mode);
        break;
    }
    case A_SYSCTL_SCRATCH0 ... A_SYSCTL_SCRATCH3:
        s->scratch[(offset - A_SYSCTL_SCRATCH0) / 4] = value;
        break;
    case A_SYSCTL_CHIP_ID:
    case A_SYSCTL_REVISION:
    case A_SYSCTL_RESET_CAUSE:
    case A_SYSCTL_SYSCLK_HZ:
    case A_SYSCTL_RESET_COUNT:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "netcard-sysctl: write to read-only register 0x%03"
                      HWADDR_PRIx "\n", offset);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "netcard-sysctl: write to unknown register 0x%03"
                      HWADDR_PRIx "\n", offset);
        break;
    }
}

static const MemoryRegionOps netcard_sysctl_ops = {
    .read = netcard_sysctl_read,
    .write = netcard_sysctl_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    /* Sub-word and unaligned accesses are bus errors on the real part. */
    .valid.min_access_size = 4,
    .valid.max_access_size = 4,
    .valid.unaligned = false,
};

/* NVIC SYSRESETREQ (AIRCR) arrives here: a software reset like RESET_CTRL. */
static void netcard_sysctl_sysresetreq(void *opaque, int n, int level)
{
    if (level) {
        netcard_sysctl_request_reset(NETCARD_SYSCTL(opaque),
                                     NETCARD_RESET_SOFTWARE);
    }
}

static void netcard_sysctl_reset_hold(Object *obj, ResetType type)
{
    NetcardSysctlState *s = NETCARD_SYSCTL(obj);
    NetcardResetCause cause = s->pending_cause;

    if (type == RESET_TYPE_SNAPSHOT_LOAD) {
        return; /* VMState restores everything */
    }
    if (netcard_reset_cause_is_cold(cause)) {
        memset(s->scratch, 0, sizeof(s->scratch));
        s->reset_count = 0;
    } else {
        s->reset_count++;
    }
    s->reset_cause = cause;
    s->power = NETCARD_POWER_RUN;
    s->pending_cause = NETCARD_RESET_WARM;
    trace_netcard_sysctl_reset(netcard_reset_cause_name(cause),
                               s->reset_count);
}

static bool netcard_sysctl_get_power_cycle(Object *obj, Error **errp)
{
    return false;
}

/* QMP: qom-set /machine/soc/sysctl power-cycle true = VCC off and on. */
static void netcard_sysctl_set_power_cycle(Object *obj, bool value,
                                           Error **errp)
{
    if (value) {
        netcard_sysctl_request_reset(NETCARD_SYSCTL(obj),
                                     NETCARD_RESET_POWER_ON);
    }
}

static char *netcard_sysctl_get_reset_cause(Object *obj, Error **errp)
{
    NetcardSysctlState *s = NETCARD_SYSCTL(obj);

    return g_strdup(netcard_reset_cause_name(s->reset_cause));
}

static void netcard_sysctl_init(Object *obj)
{
    NetcardSysctlState *s = NETCARD_SYSCTL(obj);

    memory_region_init_io(&s->iomem, obj, &netcard_sysctl_ops, s,
                          TYPE_NETCARD_SYSCTL, 0x1000);
    sysbus_init_mmio(SYS_BUS_DEVICE(obj), &s->iomem);
    s->clk = qdev_init_clock_in(DEVICE(obj), "clk", NULL, NULL, 0);
    qdev_init_gpio_in_named(DEVICE(obj), netcard_sysctl_sysresetreq,
                            "sysresetreq", 1);
    /* The first reset of the machine is the power-on. */
    s->pending_cause = NETCARD_RESET_POWER_ON;
}

static void netcard_sysctl_realize(DeviceState *dev, Error **errp)
{
    NetcardSysctlState *s = NETCARD_SYSCTL(dev);

    if (!clock_has_source(s->clk)) {
        error_setg(errp, "netcard-sysctl: clk must be connected");
        return;
    }
}

static const VMStateDescription vmstate_netcard_sysctl = {
    .name = TYPE_NETCARD_SYSCTL,
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_CLOCK(clk, NetcardSysctlState),
        VMSTATE_UINT32(pending_cause, NetcardSysctlState),
        VMSTATE_UINT32(reset_cause, NetcardSysctlState),
        VMSTATE_UINT32(reset_count, NetcardSysctlState),
        VMSTATE_UINT32(power, NetcardSysctlState),
        VMSTATE_UINT32_ARRAY(scratch, NetcardSysctlState,
                             NETCARD_SYSCTL_NUM_SCRATCH),
        VMSTATE_END_OF_LIST()
    },
};

static void netcard_sysctl_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);

    dc->realize = netcard_sysctl_realize;
    dc->vmsd = &vmstate_netcard_sysctl;
    rc->phases.hold = netcard_sysctl_reset_hold;
    object_class_property_add_bool(klass, "power-cycle",
                                   netcard_sysctl_get_power_cycle,
                                   netcard_sysctl_set_power_cycle);
    object_class_property_set_description(klass, "power-cycle",
        "Set to true to cut and restore the card's power (cold reset)");
    object_class_property_add_str(klass, "reset-cause",
                                  netcard_sysctl_get_reset_cause, NULL);
    object_class_property_set_description(klass, "reset-cause",
        "Cause of the last reset: power-on, warm, watchdog, software, tear");
}

static const TypeInfo netcard_sysctl_types[] = {
    {
        .name = TYPE_NETCARD_SYSCTL,
        .parent = TYPE_SYS_BUS_DEVICE,
        .instance_size = sizeof(NetcardSysctlState),
        .instance_init = netcard_sysctl_init,
        .class_init = netcard_sysctl_class_init,
    },
};

DEFINE_TYPES(netcard_sysctl_types)
