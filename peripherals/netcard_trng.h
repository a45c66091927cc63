/*
 * netcard TRNG: a noise source behind a 16-word FIFO.
 *
 * This header is the contract between the QEMU model and the card OS
 * driver. Built with NETCARD_CARDOS defined it provides only the register
 * map (REG32/FIELD) and the constants; QEMU builds also get the QOM type.
 *
 * Window: 0x4000_4000, 4 KiB, IRQ 3. Registers are 32-bit; other access
 * sizes are guest errors.
 *
 * While CTRL.EN is set the source adds one 32-bit word to the FIFO every
 * "word-period-ns" of virtual time (default 1000 ns) until the FIFO is
 * full. DATA pops the oldest word. The interrupt line is high while
 * CTRL.IE is set and the FIFO holds at least CTRL.THRESH words (0 is read
 * as 1). Clearing EN stops the source and empties the FIFO.
 *
 * The words come from qemu_guest_getrandom_nofail(), or, when the QOM
 * property "seeded" is on, from the device's own generator (SplitMix64
 * over property "seed" and a word counter): the same seed gives the same
 * words in the same order whatever the host's timing (QEMU's -seed gives
 * each thread its own generator, and threads are made in host time); the
 * stream starts again at every reset, so each boot draws the same words.
 * For testing the card's health tests the QOM property "fault" (qom-set
 * at run time) degrades the source:
 *   none    healthy output
 *   stuck   every new word repeats one value (the next word the healthy
 *           source would have produced)
 *   biased  each bit is 1 with probability 3/4 (OR of two healthy words)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later OR Apache-2.0
 */
#ifndef NETCARD_TRNG_H
#define NETCARD_TRNG_H

#ifdef NETCARD_CARDOS
#include "arch/regfields.h"
#else
#include "hw/sysbus.h"
#include "hw/registerfields.h"
#include "qom/object.h"
#endif

/* RO: NETCARD_TRNG_ID */
REG32(TRNG_ID, 0x000)
/* RW: enable, interrupt enable, interrupt threshold (words) */
REG32(TRNG_CTRL, 0x004)
    FIELD(TRNG_CTRL, EN, 0, 1)
    FIELD(TRNG_CTRL, IE, 1, 1)
    FIELD(TRNG_CTRL, THRESH, 8, 5)
/*
 * RO: FIFO level, READY (level > 0), FULL, UNDERRUN (DATA read when empty,
 * cleared by reading STATUS)
 */
REG32(TRNG_STATUS, 0x008)
    FIELD(TRNG_STATUS, LEVEL, 0, 5)
    FIELD(TRNG_STATUS, READY, 8, 1)
    FIELD(TRNG_STATUS, FULL, 9, 1)
    FIELD(TRNG_STATUS, UNDERRUN, 10, 1)
/* RO: pops one word; reads 0 and sets UNDERRUN when the FIFO is empty */
REG32(TRNG_DATA, 0x00c)

#define NETCARD_TRNG_ID          0x4e435452u  /* "NCTR" */
#define NETCARD_TRNG_FIFO_DEPTH  16

typedef enum NetcardTrngFault {
    NETCARD_TRNG_FAULT_NONE = 0,
    NETCARD_TRNG_FAULT_STUCK = 1,
    NETCARD_TRNG_FAULT_BIASED = 2,
} NetcardTrngFault;

#ifndef NETCARD_CARDOS

#define TYPE_NETCARD_TRNG "netcard-trng"
OBJECT_DECLARE_SIMPLE_TYPE(NetcardTrngState, NETCARD_TRNG)

struct NetcardTrngState {
    SysBusDevice parent_obj;

    MemoryRegion iomem;
    qemu_irq irq;
    QEMUTimer *timer;

    uint32_t word_period_ns;     /* property */

    uint32_t ctrl;
    uint32_t underrun;
    uint32_t fifo[NETCARD_TRNG_FIFO_DEPTH];
    uint32_t head;
    uint32_t level;
    uint32_t fault;              /* NetcardTrngFault, QOM "fault" */
    uint32_t stuck_valid;
    uint32_t stuck_word;
    bool seeded;                 /* QOM "seeded": the words from "seed" */
    uint64_t seed;               /* QOM "seed" */
    uint64_t seeded_count;       /* words drawn from the seed */
};

#endif /* !NETCARD_CARDOS */

#endif /* NETCARD_TRNG_H */
