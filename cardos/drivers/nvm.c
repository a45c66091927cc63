/*
 * NVM driver. Register map: peripherals/netcard_nvm.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "drivers/nvm.h"

#include <string.h>

#include "arch/mmio.h"
#include "netcard_memmap.h"

/* ~20 ms of polling at 48 MHz: ten times the longest operation. */
#define NVM_POLL_LIMIT 1000000u

/* NVMC_SIZE: fixed while the machine runs, so read once (0: not yet). */
static uint32_t array_size;

static uint32_t rd(uint32_t reg)
{
    return mmio_read32(NETCARD_NVMC_BASE + reg);
}

static void wr(uint32_t reg, uint32_t value)
{
    mmio_write32(NETCARD_NVMC_BASE + reg, value);
}

/* Wait for the end of the running operation; its result. */
static int nvm_wait(void)
{
    uint32_t st = 0;

    for (uint32_t i = 0; i < NVM_POLL_LIMIT; i++) {
        st = rd(A_NVMC_STATUS);
        if (!FIELD_EX32(st, NVMC_STATUS, BUSY)) {
            break;
        }
    }
    if (FIELD_EX32(st, NVMC_STATUS, BUSY)) {
        return NVM_ERR_TIMEOUT;
    }
    if (FIELD_EX32(st, NVMC_STATUS, ERROR)) {
        int err = (int)FIELD_EX32(st, NVMC_STATUS, ERRCODE);

        wr(A_NVMC_STATUS, R_NVMC_STATUS_ERROR_MASK | R_NVMC_STATUS_DONE_MASK);
        return -err;
    }
    wr(A_NVMC_STATUS, R_NVMC_STATUS_DONE_MASK);
    return 0;
}

/* Start CMD and wait. */
static int nvm_run(uint32_t cmd)
{
    int rc = nvm_wait();    /* idle first; clears old status */

    if (rc == NVM_ERR_TIMEOUT) {
        return rc;
    }
    wr(A_NVMC_CMD, cmd);
    return nvm_wait();
}

uint32_t nvm_size(void)
{
    if (!array_size) {
        array_size = rd(A_NVMC_SIZE);
    }
    return array_size;
}

uint32_t nvm_pages(void)
{
    return nvm_size() / NETCARD_NVM_PAGE_SIZE;
}

int nvm_probe(void)
{
    if (rd(A_NVMC_ID) != NETCARD_NVMC_ID) {
        return NVM_ERR_PARAM;
    }
    return nvm_wait() == NVM_ERR_TIMEOUT ? NVM_ERR_TIMEOUT : 0;
}

int nvm_program(uint32_t offset, const void *data, uint32_t len)
{
    const uint8_t *src = data;
    uint32_t size = nvm_size();

    if (offset % 4 || len % 4 || !len || offset >= size ||
        len > size - offset ||
        offset / NETCARD_NVM_PAGE_SIZE !=
        (offset + len - 1) / NETCARD_NVM_PAGE_SIZE) {
        return NVM_ERR_PARAM;
    }
    while (len) {
        uint32_t words = len / 4;
        int rc;

        if (words > NETCARD_NVMC_BUF_WORDS) {
            words = NETCARD_NVMC_BUF_WORDS;
        }
        for (uint32_t i = 0; i < words; i++) {
            uint32_t w;

            memcpy(&w, src + 4 * i, 4);     /* the source may be unaligned */
            wr(A_NVMC_BUF0 + 4 * i, w);
        }
        wr(A_NVMC_ADDR, offset);
        wr(A_NVMC_LEN, words);
        rc = nvm_run(NVMC_CMD_PROGRAM_ROW);
        if (rc) {
            return rc;
        }
        offset += 4 * words;
        src += 4 * words;
        len -= 4 * words;
    }
    return 0;
}

int nvm_erase_page(uint32_t page)
{
    if (page >= nvm_pages()) {
        return NVM_ERR_PARAM;
    }
    wr(A_NVMC_ADDR, page * NETCARD_NVM_PAGE_SIZE);
    return nvm_run(NVMC_CMD_ERASE_PAGE);
}

bool nvm_page_erased(uint32_t page)
{
    const uint32_t *w;

    if (page >= nvm_pages()) {
        return false;
    }
    w = (const uint32_t *)(const void *)(nvm_array() +
                                          page * NETCARD_NVM_PAGE_SIZE);
    for (uint32_t i = 0; i < NETCARD_NVM_PAGE_SIZE / 4u; i++) {
        if (w[i] != 0xffffffffu) {
            return false;
        }
    }
    return true;
}

void nvm_lock(void)
{
    wr(A_NVMC_LOCK, NETCARD_NVMC_LOCK_KEY);
}
