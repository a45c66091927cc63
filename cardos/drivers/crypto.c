/*
 * Crypto coprocessor driver. Register map: peripherals/netcard_crypto.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "drivers/crypto.h"

#include <string.h>

#include "arch/cpu.h"
#include "arch/nvic.h"
#include "drivers/timer.h"
#include "arch/mmio.h"
#include "drivers/nvm.h"
#include "drivers/wake.h"
#include "drivers/watchdog.h"
#include "netcard_memmap.h"

/* A command's wait ends before the watchdog would bark (see crypto.h). */
_Static_assert(CRYPTO_DRV_TIMEOUT_MS < WATCHDOG_TIMEOUT_MS,
               "the coprocessor time-out must end before the watchdog barks");

/* Status reads before sleeping: the CPU sleeps almost at once (WFI), which
 * also lets the emulator complete the command soonest. */
#define CRYPTO_SPIN_READS 2u

static uint32_t ops_done;
static uint32_t cycles_done;

static uint32_t rd(uint32_t reg)
{
    return mmio_read32(NETCARD_CRYPTO_BASE + reg);
}

static void wr(uint32_t reg, uint32_t value)
{
    mmio_write32(NETCARD_CRYPTO_BASE + reg, value);
}

void crypto_irq_handler(void)
{
    wr(A_CRYPTO_INTSTAT, R_CRYPTO_INTSTAT_DONE_MASK);
}

bool crypto_drv_init(void)
{
    if (rd(A_CRYPTO_ID) != NETCARD_CRYPTO_ID) {
        return false;
    }
    wr(A_CRYPTO_INTSTAT, R_CRYPTO_INTSTAT_DONE_MASK);
    wr(A_CRYPTO_INTEN, R_CRYPTO_INTEN_DONE_MASK);
    nvic_clear_pending_irq(NETCARD_IRQ_CRYPTO);
    nvic_enable_irq(NETCARD_IRQ_CRYPTO);
    return true;
}

/*
 * Wait while BUSY: poll, then sleep until the completion interrupt, or
 * SysTick at the time-out (drivers/wake.h: nothing else need wake the
 * core). Out of line on purpose: make bench's insn_window plugin leaves
 * this wait out of the card's instruction count by its address range.
 */
static __attribute__((noinline)) bool wait_idle(void)
{
    uint32_t start = 0, elapsed = 0;
    bool sleeping = false;

    for (uint32_t spins = 0;; spins++) {
        uint32_t primask;

        if (!(rd(A_CRYPTO_STATUS) & R_CRYPTO_STATUS_BUSY_MASK)) {
            return true;
        }
        if (spins < CRYPTO_SPIN_READS) {
            continue;
        }
        if (!sleeping) {
            sleeping = true;
            start = timer_now_ms();
        } else {
            elapsed = timer_now_ms() - start;
            if (elapsed > CRYPTO_DRV_TIMEOUT_MS) {
                return false;
            }
        }
        /* Masked check-then-sleep: a completion in between still wakes. */
        primask = cpu_irq_save();
        if (rd(A_CRYPTO_STATUS) & R_CRYPTO_STATUS_BUSY_MASK) {
            drv_wake_within_ms(CRYPTO_DRV_TIMEOUT_MS + 1u - elapsed);
            cpu_wfi();
        }
        cpu_irq_restore(primask);
    }
}

int crypto_drv_run(const struct crypto_drv_cmd *c, uint32_t *outlen)
{
    uint32_t st;

    /*
     * A command is progress: each of its waits ends within the time-out,
     * under the watchdog's bark, so restarting the watchdog here hides no
     * hang, and the power-on self-tests (run back to back before the
     * event loop kicks) are not bitten on a slow engine.
     */
    watchdog_kick();
    if (!wait_idle()) {
        return CRYPTO_DRV_ERR_TIMEOUT;
    }
    wr(A_CRYPTO_SRC, (uint32_t)c->src);
    wr(A_CRYPTO_DST, (uint32_t)c->dst);
    wr(A_CRYPTO_AUX, (uint32_t)c->aux);
    wr(A_CRYPTO_LEN, c->len);
    wr(A_CRYPTO_KEYCFG, c->keycfg);
    wr(A_CRYPTO_CMD, c->cmd);
    if (!wait_idle()) {
        return CRYPTO_DRV_ERR_TIMEOUT;
    }
    st = rd(A_CRYPTO_STATUS);
    if (!(st & R_CRYPTO_STATUS_DONE_MASK) || (st & R_CRYPTO_STATUS_OVERRUN_MASK)) {
        return NETCARD_CRYPTO_ERR_INTERNAL;
    }
    ops_done++;
    cycles_done += rd(A_CRYPTO_CYCLES);
    if (outlen) {
        *outlen = rd(A_CRYPTO_OUTLEN);
    }
    return (int)FIELD_EX32(st, CRYPTO_STATUS, ERRCODE);
}

void crypto_drv_set_iv(const uint8_t *iv, unsigned words)
{
    for (unsigned i = 0; i < words; i++) {
        uint32_t w;

        memcpy(&w, iv + 4 * i, 4);    /* byte 0 in bits 7:0 (little-endian) */
        wr(A_CRYPTO_IV0 + 4 * i, w);
    }
}

void crypto_drv_get_iv(uint8_t *iv, unsigned words)
{
    for (unsigned i = 0; i < words; i++) {
        uint32_t w = rd(A_CRYPTO_IV0 + 4 * i);

        memcpy(iv + 4 * i, &w, 4);
    }
}

void crypto_drv_set_keydata(const uint8_t *key, uint32_t len)
{
    for (uint32_t off = 0; off < len; off += 4) {
        uint32_t w = 0;

        memcpy(&w, key + off, len - off < 4 ? len - off : 4);
        wr(A_CRYPTO_KEYDATA0 + off, w);
    }
}

uint32_t crypto_drv_ops(void)
{
    return ops_done;
}

uint32_t crypto_drv_cycles(void)
{
    return cycles_done;
}

static bool in_window(uintptr_t a, size_t len, uintptr_t base, size_t size)
{
    return a >= base && a - base <= size && len <= size - (a - base);
}

bool crypto_drv_dma_source_ok(const void *p, size_t len)
{
    uintptr_t a = (uintptr_t)p;

    return a % 4 == 0 &&
           (in_window(a, len, NETCARD_RAM_BASE, NETCARD_RAM_SIZE) ||
            in_window(a, len, NETCARD_NVM_BASE, nvm_size()));
}

bool crypto_drv_dma_dest_ok(const void *p, size_t len)
{
    uintptr_t a = (uintptr_t)p;

    return a % 4 == 0 && in_window(a, len, NETCARD_RAM_BASE, NETCARD_RAM_SIZE);
}
