/*
 * netcard NVM: the flash array, readable and executable in place at
 * 0x1000_0000, persisted in a block backend (-drive if=pflash), and its
 * controller (NVMC) at 0x4000_5000, IRQ 4. The array's size is the device
 * property "size" (the machine's nvm-size): a whole number of pages from
 * NETCARD_NVM_SIZE_MIN to NETCARD_NVM_SIZE_MAX (netcard_memmap.h); the
 * controller tells it in NVMC_SIZE.
 *
 * This header is the contract between the QEMU model and the card OS
 * driver (cardos/drivers/nvm.h). Built with NETCARD_CARDOS defined it
 * provides only the register map (REG32/FIELD) and the constants; QEMU
 * builds also get the QOM type. User documentation: docs/nvm.md.
 *
 * The array is NOR flash: erased bytes read 0xFF, programming can only
 * clear bits (new = old & data), only a page erase sets them again. CPU
 * stores to the array are guest errors; programming and erasing go through
 * the controller:
 *
 *   1. wait for STATUS.BUSY = 0;
 *   2. write ADDR (byte offset in the array, not the bus address) and DATA
 *      (PROGRAM), or ADDR, LEN and BUF[0..LEN-1] (PROGRAM_ROW);
 *   3. write CMD; the operation runs for its busy time on the virtual clock
 *      (STATUS.BUSY = 1, the array still reads the old contents);
 *   4. at the end the array changes, STATUS.DONE is set and, if
 *      INTEN.DONE, the IRQ line rises. A command that cannot run sets
 *      STATUS.ERROR and STATUS.ERRCODE at once instead (IRQ if INTEN.ERROR)
 *      and changes nothing.
 *
 * Busy times (modelled on the embedded NOR flash of secure-element MCUs,
 * whose datasheets give page erase in the low milliseconds and word
 * program in the tens of microseconds):
 *   PROGRAM      one word                      20 us
 *   PROGRAM_ROW  LEN words in one page         20 us + 5 us per word
 *   ERASE_PAGE   one 4 KiB page                2 ms
 *
 * Window: 0x4000_5000, 4 KiB. All registers are 32-bit; other access sizes
 * are bus errors (ignored by the model), unknown offsets are guest errors
 * (read as zero, writes ignored).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later OR Apache-2.0
 */
#ifndef NETCARD_NVM_H
#define NETCARD_NVM_H

#ifdef NETCARD_CARDOS
#include "arch/regfields.h"
#else
#include "hw/sysbus.h"
#include "hw/registerfields.h"
#include "qom/object.h"
#include "system/block-backend.h"
#include "netcard_sysctl.h"
#endif
#include "netcard_memmap.h"     /* NETCARD_NVM_SIZE_*: the array's sizes */

#define NETCARD_NVM_PAGE_SIZE  4096
#define NETCARD_NVM_ERASED     0xff

/* RO: identifies the controller: "NVMC". */
REG32(NVMC_ID, 0x000)
/*
 * Status. BUSY and LOCKED are read-only; DONE and ERROR are sticky and
 * cleared by writing 1 to them (ERRCODE is cleared with ERROR).
 */
REG32(NVMC_STATUS, 0x004)
    FIELD(NVMC_STATUS, BUSY, 0, 1)      /* an operation is running */
    FIELD(NVMC_STATUS, DONE, 1, 1)      /* an operation completed */
    FIELD(NVMC_STATUS, ERROR, 2, 1)     /* a command was refused */
    FIELD(NVMC_STATUS, LOCKED, 3, 1)    /* write protection is on */
    FIELD(NVMC_STATUS, ERRCODE, 8, 4)   /* NetcardNvmcError of the refusal */
/*
 * RW: interrupt enables; the IRQ is the level
 * (DONE & INTEN.DONE) | (ERROR & INTEN.ERROR).
 */
REG32(NVMC_INTEN, 0x008)
    FIELD(NVMC_INTEN, DONE, 0, 1)
    FIELD(NVMC_INTEN, ERROR, 1, 1)
/* RW: byte offset in the array of the next operation. */
REG32(NVMC_ADDR, 0x00c)
/* RW: the word PROGRAM writes (little-endian, like the array). */
REG32(NVMC_DATA, 0x010)
/* RW: number of BUF words PROGRAM_ROW writes, 1..NETCARD_NVMC_BUF_WORDS. */
REG32(NVMC_LEN, 0x014)
/* WO: start an operation (NetcardNvmcCmd); reads as zero. */
REG32(NVMC_CMD, 0x018)
    FIELD(NVMC_CMD, OP, 0, 8)
/*
 * Write protection. Writing NETCARD_NVMC_LOCK_KEY turns it on until the
 * next reset (of any kind): every later PROGRAM/ERASE is refused with
 * NVMC_ERR_LOCKED. Other values are guest errors. Reads 1 when locked.
 */
REG32(NVMC_LOCK, 0x01c)
/* RO: operations started since the last reset (wraps). */
REG32(NVMC_OPCOUNT, 0x020)
/*
 * RO: the array's size in bytes, a multiple of NETCARD_NVM_PAGE_SIZE from
 * NETCARD_NVM_SIZE_MIN to NETCARD_NVM_SIZE_MAX; fixed for the machine's
 * life. ADDR is checked against it (NVMC_ERR_RANGE).
 */
REG32(NVMC_SIZE, 0x024)
/* RW: the program buffer for PROGRAM_ROW, BUF[i] at 0x100 + 4 * i. */
REG32(NVMC_BUF0, 0x100)

#define NETCARD_NVMC_ID          0x434d564eu /* "NVMC" read as bytes */
#define NETCARD_NVMC_LOCK_KEY    0x4c4f434bu /* "LOCK" */
#define NETCARD_NVMC_BUF_WORDS   64          /* 256 bytes */

/* Busy times in nanoseconds of QEMU_CLOCK_VIRTUAL. */
#define NETCARD_NVMC_T_PROGRAM_NS      20000u
#define NETCARD_NVMC_T_ROW_BASE_NS     20000u
#define NETCARD_NVMC_T_ROW_WORD_NS     5000u
#define NETCARD_NVMC_T_ERASE_NS        2000000u

typedef enum NetcardNvmcCmd {
    NVMC_CMD_PROGRAM     = 1,  /* DATA to the word at ADDR */
    NVMC_CMD_PROGRAM_ROW = 2,  /* BUF[0..LEN-1] to ADDR.., within one page */
    NVMC_CMD_ERASE_PAGE  = 3,  /* the page at ADDR (page aligned) to 0xFF */
} NetcardNvmcCmd;

/* STATUS.ERRCODE, checked in this order. */
typedef enum NetcardNvmcError {
    NVMC_ERR_NONE     = 0,
    NVMC_ERR_BUSY     = 1,  /* CMD written while an operation runs */
    NVMC_ERR_CMD      = 2,  /* unknown command */
    NVMC_ERR_LOCKED   = 3,  /* write protection is on */
    NVMC_ERR_RANGE    = 4,  /* ADDR (+ 4 * LEN) >= NVMC_SIZE */
    NVMC_ERR_ALIGN    = 5,  /* ADDR not word (program) / page (erase) aligned */
    NVMC_ERR_LEN      = 6,  /* LEN 0, > BUF words, or the row crosses a page */
    NVMC_ERR_READONLY = 7,  /* the backing image is read-only or failed */
} NetcardNvmcError;

#ifndef NETCARD_CARDOS

#define TYPE_NETCARD_NVM "netcard-nvm"
OBJECT_DECLARE_SIMPLE_TYPE(NetcardNvmState, NETCARD_NVM)

/* Property tear-mode: where within the torn operation the power goes. */
typedef enum NetcardNvmTearMode {
    NETCARD_NVM_TEAR_BEFORE  = 0,  /* nothing changed */
    NETCARD_NVM_TEAR_PARTIAL = 1,  /* a random subset of the bits changed */
    NETCARD_NVM_TEAR_AFTER   = 2,  /* the operation completed */
} NetcardNvmTearMode;

struct NetcardNvmState {
    SysBusDevice parent_obj;

    MemoryRegion array;     /* MMIO 0: the flash array (ROM device) */
    MemoryRegion ctrl;      /* MMIO 1: the controller registers */
    qemu_irq irq;
    QEMUTimer *timer;       /* end of the running operation */
    BlockBackend *blk;      /* property "drive" */
    NetcardSysctlState *sysctl;  /* link "sysctl": power cut on tear */
    uint32_t size;          /* property "size": the array, in bytes */
    uint8_t *storage;       /* host view of the array */
    bool read_only;         /* backend refused write permission */

    /* registers */
    uint32_t status;
    uint32_t inten;
    uint32_t addr;
    uint32_t data;
    uint32_t len;
    uint32_t opcount;
    bool locked;
    uint32_t buf[NETCARD_NVMC_BUF_WORDS];

    /* the operation in progress (latched at CMD) */
    uint32_t op_cmd;
    uint32_t op_addr;
    uint32_t op_len;
    uint32_t op_words[NETCARD_NVMC_BUF_WORDS];
    bool torn;              /* power is being cut: refuse everything */

    /* fault injection and counters (runtime QOM properties) */
    uint32_t tear_after;    /* tear at the N-th operation from now; 0 off */
    uint32_t tear_mode;     /* NetcardNvmTearMode */
    uint64_t tear_seed;     /* seed of the partial-tear PRNG */
    uint64_t prng;          /* its state */
    uint32_t programs;      /* PROGRAM/PROGRAM_ROW started, ever */
    uint32_t erases;        /* ERASE_PAGE started, ever */
    uint32_t tears;         /* power cuts injected, ever */
};
#endif /* !NETCARD_CARDOS */

#endif /* NETCARD_NVM_H */
