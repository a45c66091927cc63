/*
 * netcard TRNG. Contract: netcard_trng.h; documentation: docs/crypto.md.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/timer.h"
#include "qemu/guest-random.h"
#include "qapi/error.h"
#include "hw/irq.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "netcard_trng.h"
#include "trace.h"

static const char *const fault_names[] = {
    [NETCARD_TRNG_FAULT_NONE] = "none",
    [NETCARD_TRNG_FAULT_STUCK] = "stuck",
    [NETCARD_TRNG_FAULT_BIASED] = "biased",
};

static void netcard_trng_update_irq(NetcardTrngState *s)
{
    uint32_t thresh = MAX(FIELD_EX32(s->ctrl, TRNG_CTRL, THRESH), 1);

    qemu_set_irq(s->irq, FIELD_EX32(s->ctrl, TRNG_CTRL, IE) &&
                 s->level >= thresh);
}

/*
 * A 32-bit word from the seed: SplitMix64's output function (Steele, Lea,
 * Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014)
 * over seed + count * golden gamma. Statistically sound for the card's
 * health tests; it is a test mode, not an entropy source.
 */
static uint32_t netcard_trng_seeded(NetcardTrngState *s)
{
    uint64_t z = s->seed + ++s->seeded_count * 0x9e3779b97f4a7c15ULL;

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return (uint32_t)((z ^ (z >> 31)) >> 32);
}

static uint32_t netcard_trng_raw(NetcardTrngState *s)
{
    uint32_t w;

    if (s->seeded) {
        return netcard_trng_seeded(s);
    }
    qemu_guest_getrandom_nofail(&w, sizeof(w));
    return w;
}

static uint32_t netcard_trng_word(NetcardTrngState *s)
{
    uint32_t w = netcard_trng_raw(s), w2;

    switch (s->fault) {
    case NETCARD_TRNG_FAULT_STUCK:
        if (!s->stuck_valid) {
            s->stuck_word = w;
            s->stuck_valid = 1;
        }
        return s->stuck_word;
    case NETCARD_TRNG_FAULT_BIASED:
        w2 = netcard_trng_raw(s);
        return w | w2;
    default:
        return w;
    }
}

static void netcard_trng_schedule(NetcardTrngState *s)
{
    if (FIELD_EX32(s->ctrl, TRNG_CTRL, EN) &&
        s->level < NETCARD_TRNG_FIFO_DEPTH) {
        if (!timer_pending(s->timer)) {
            timer_mod(s->timer, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) +
                      MAX(s->word_period_ns, 1));
        }
    } else {
        timer_del(s->timer);
    }
}

static void netcard_trng_tick(void *opaque)
{
    NetcardTrngState *s = NETCARD_TRNG(opaque);

    /*
     * The word's value is drawn when the guest reads it (DATA), in the
     * vCPU's thread: under -seed each thread has its own generator, and
     * this timer may run in either thread, so drawing here would make
     * the sequence depend on host timing.
     */
    if (FIELD_EX32(s->ctrl, TRNG_CTRL, EN) &&
        s->level < NETCARD_TRNG_FIFO_DEPTH) {
        s->level++;
    }
    netcard_trng_schedule(s);
    netcard_trng_update_irq(s);
}

static uint64_t netcard_trng_read(void *opaque, hwaddr offset, unsigned size)
{
    NetcardTrngState *s = NETCARD_TRNG(opaque);
    uint64_t value = 0;

    switch (offset) {
    case A_TRNG_ID:
        value = NETCARD_TRNG_ID;
        break;
    case A_TRNG_CTRL:
        value = s->ctrl;
        break;
    case A_TRNG_STATUS:
        value = FIELD_DP32(0, TRNG_STATUS, LEVEL, s->level);
        value = FIELD_DP32(value, TRNG_STATUS, READY, s->level > 0);
        value = FIELD_DP32(value, TRNG_STATUS, FULL,
                           s->level == NETCARD_TRNG_FIFO_DEPTH);
        value = FIELD_DP32(value, TRNG_STATUS, UNDERRUN, s->underrun);
        s->underrun = 0;
        break;
    case A_TRNG_DATA:
        if (s->level == 0) {
            qemu_log_mask(LOG_GUEST_ERROR, "netcard-trng: DATA read with an "
                          "empty FIFO\n");
            s->underrun = 1;
            break;
        }
        value = netcard_trng_word(s);
        s->fifo[s->head] = 0;
        s->head = (s->head + 1) % NETCARD_TRNG_FIFO_DEPTH;
        s->level--;
        trace_netcard_trng_word(value, s->level);
        netcard_trng_schedule(s);
        netcard_trng_update_irq(s);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-trng: read of unknown "
                      "register 0x%03" HWADDR_PRIx "\n", offset);
        break;
    }
    trace_netcard_trng_read(offset, value);
    return value;
}

static void netcard_trng_write(void *opaque, hwaddr offset, uint64_t value,
                               unsigned size)
{
    NetcardTrngState *s = NETCARD_TRNG(opaque);

    trace_netcard_trng_write(offset, value);
    switch (offset) {
    case A_TRNG_CTRL:
        s->ctrl = value & (R_TRNG_CTRL_EN_MASK | R_TRNG_CTRL_IE_MASK |
                           R_TRNG_CTRL_THRESH_MASK);
        if (FIELD_EX32(s->ctrl, TRNG_CTRL, THRESH) > NETCARD_TRNG_FIFO_DEPTH) {
            qemu_log_mask(LOG_GUEST_ERROR, "netcard-trng: THRESH %u above "
                          "the FIFO depth: using %u\n",
                          (unsigned)FIELD_EX32(s->ctrl, TRNG_CTRL, THRESH),
                          NETCARD_TRNG_FIFO_DEPTH);
            s->ctrl = FIELD_DP32(s->ctrl, TRNG_CTRL, THRESH,
                                 NETCARD_TRNG_FIFO_DEPTH);
        }
        if (!FIELD_EX32(s->ctrl, TRNG_CTRL, EN)) {
            memset(s->fifo, 0, sizeof(s->fifo));
            s->head = 0;
            s->level = 0;
        }
        netcard_trng_schedule(s);
        netcard_trng_update_irq(s);
        break;
    case A_TRNG_ID:
    case A_TRNG_STATUS:
    case A_TRNG_DATA:
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-trng: write to read-only "
                      "register 0x%03" HWADDR_PRIx "\n", offset);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-trng: write to unknown "
                      "register 0x%03" HWADDR_PRIx "\n", offset);
        break;
    }
}

static const MemoryRegionOps netcard_trng_ops = {
    .read = netcard_trng_read,
    .write = netcard_trng_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid.min_access_size = 4,
    .valid.max_access_size = 4,
    .valid.unaligned = false,
};

static char *netcard_trng_get_fault(Object *obj, Error **errp)
{
    NetcardTrngState *s = NETCARD_TRNG(obj);

    return g_strdup(fault_names[s->fault]);
}

static void netcard_trng_set_fault(Object *obj, const char *value,
                                   Error **errp)
{
    NetcardTrngState *s = NETCARD_TRNG(obj);

    for (uint32_t i = 0; i < ARRAY_SIZE(fault_names); i++) {
        if (!strcmp(value, fault_names[i])) {
            s->fault = i;
            s->stuck_valid = 0;
            trace_netcard_trng_fault(fault_names[i]);
            return;
        }
    }
    error_setg(errp, "netcard-trng: fault must be none, stuck or biased");
}

static void netcard_trng_reset_hold(Object *obj, ResetType type)
{
    NetcardTrngState *s = NETCARD_TRNG(obj);

    if (type == RESET_TYPE_SNAPSHOT_LOAD) {
        return;
    }
    /*
     * The fault knob models the silicon, not a register: it survives.
     * The seeded stream starts again: every boot draws the same words,
     * however many resets the host's timing caused before (a vpcd
     * power-on that finds the card already running power-cycles it).
     */
    timer_del(s->timer);
    s->seeded_count = 0;
    s->ctrl = 0;
    s->underrun = 0;
    memset(s->fifo, 0, sizeof(s->fifo));
    s->head = 0;
    s->level = 0;
    s->stuck_valid = 0;
}

static void netcard_trng_reset_exit(Object *obj, ResetType type)
{
    netcard_trng_update_irq(NETCARD_TRNG(obj));
}

static void netcard_trng_init(Object *obj)
{
    NetcardTrngState *s = NETCARD_TRNG(obj);

    memory_region_init_io(&s->iomem, obj, &netcard_trng_ops, s,
                          TYPE_NETCARD_TRNG, 0x1000);
    sysbus_init_mmio(SYS_BUS_DEVICE(obj), &s->iomem);
    sysbus_init_irq(SYS_BUS_DEVICE(obj), &s->irq);
    s->timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, netcard_trng_tick, s);
}

static void netcard_trng_finalize(Object *obj)
{
    timer_free(NETCARD_TRNG(obj)->timer);
}

static bool netcard_trng_post_load_check(void *opaque, int version_id)
{
    NetcardTrngState *s = opaque;

    return s->level <= NETCARD_TRNG_FIFO_DEPTH &&
           s->head < NETCARD_TRNG_FIFO_DEPTH &&
           s->fault < ARRAY_SIZE(fault_names);
}

static int netcard_trng_post_load(void *opaque, int version_id)
{
    return netcard_trng_post_load_check(opaque, version_id) ? 0 : -EINVAL;
}

static bool netcard_trng_seeded_needed(void *opaque)
{
    return NETCARD_TRNG(opaque)->seeded;
}

/* Where the seeded stream is, so a snapshot goes on with the same words. */
static const VMStateDescription vmstate_netcard_trng_seeded = {
    .name = TYPE_NETCARD_TRNG "/seeded",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = netcard_trng_seeded_needed,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64(seeded_count, NetcardTrngState),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_netcard_trng = {
    .name = TYPE_NETCARD_TRNG,
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = netcard_trng_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_TIMER_PTR(timer, NetcardTrngState),
        VMSTATE_UINT32(ctrl, NetcardTrngState),
        VMSTATE_UINT32(underrun, NetcardTrngState),
        VMSTATE_UINT32_ARRAY(fifo, NetcardTrngState, NETCARD_TRNG_FIFO_DEPTH),
        VMSTATE_UINT32(head, NetcardTrngState),
        VMSTATE_UINT32(level, NetcardTrngState),
        VMSTATE_UINT32(fault, NetcardTrngState),
        VMSTATE_UINT32(stuck_valid, NetcardTrngState),
        VMSTATE_UINT32(stuck_word, NetcardTrngState),
        VMSTATE_END_OF_LIST()
    },
    .subsections = (const VMStateDescription * const []) {
        &vmstate_netcard_trng_seeded,
        NULL
    },
};

/*
 * word-period-ns: 1 ns up to 1 ms per 32-bit word (32 kbit/s, the rate of
 * a slow physical source; the card's driver waits 50 ms for a word).
 */
#define NETCARD_TRNG_PERIOD_MAX_NS 1000000u

static void netcard_trng_realize(DeviceState *dev, Error **errp)
{
    NetcardTrngState *s = NETCARD_TRNG(dev);

    if (s->word_period_ns < 1 ||
        s->word_period_ns > NETCARD_TRNG_PERIOD_MAX_NS) {
        error_setg(errp, "netcard-trng: word-period-ns must be 1..%u",
                   NETCARD_TRNG_PERIOD_MAX_NS);
    }
}

static const Property netcard_trng_properties[] = {
    DEFINE_PROP_UINT32("word-period-ns", NetcardTrngState, word_period_ns,
                       1000),
    /* On: the words repeat run to run (netcard run --deterministic). */
    DEFINE_PROP_BOOL("seeded", NetcardTrngState, seeded, false),
    DEFINE_PROP_UINT64("seed", NetcardTrngState, seed, 0),
};

static void netcard_trng_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);

    dc->realize = netcard_trng_realize;
    dc->vmsd = &vmstate_netcard_trng;
    rc->phases.hold = netcard_trng_reset_hold;
    rc->phases.exit = netcard_trng_reset_exit;
    device_class_set_props(dc, netcard_trng_properties);
    object_class_property_add_str(klass, "fault", netcard_trng_get_fault,
                                  netcard_trng_set_fault);
    object_class_property_set_description(klass, "fault",
        "Noise source fault: none, stuck (one word repeated) or biased "
        "(bits are 1 with probability 3/4)");
}

static const TypeInfo netcard_trng_types[] = {
    {
        .name = TYPE_NETCARD_TRNG,
        .parent = TYPE_SYS_BUS_DEVICE,
        .instance_size = sizeof(NetcardTrngState),
        .instance_init = netcard_trng_init,
        .instance_finalize = netcard_trng_finalize,
        .class_init = netcard_trng_class_init,
    },
};

DEFINE_TYPES(netcard_trng_types)
