/*
 * storage: the card's object store at boot. Contract: storage.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "card/storage.h"

#include "card/nvm_partitions.h"
#include "crypto/crypto.h"
#include "drivers/nvm.h"
#include "drivers/sysctl.h"
#include "drivers/timer.h"

#define LOG_MODULE "store"
#include "kernel/log.h"

static struct store card_store;
static struct store_flash card_flash;
static int status = STORE_ERR_STATE;

static struct {
    bool running;
    uint32_t pages_left;    /* pages 0..pages_left-1 still to check */
    uint32_t erased;        /* pages erased so far */
} reformat;

/* Tells this store's pages from any other's (store_format). From the
 * health-tested TRNG; a refused card (no entropy) still formats, with a
 * per-card fallback value. */
static uint32_t format_nonce(void)
{
    uint32_t nonce;

    if (crypto_random(&nonce, sizeof(nonce)) != CRYPTO_OK) {
        nonce = sysctl_chip_id() ^ (timer_now_ms() * 2654435761u) ^
                (uint32_t)(uintptr_t)&card_store;
    }
    return nonce;
}

int storage_init(void)
{
    struct store_stats st;
    int rc;

    nvm_partition_store_flash(nvm_store_partition(), &card_flash);
    rc = store_mount(&card_store, &card_flash);
    if (rc == STORE_ERR_BLANK) {
        rc = store_format(&card_store, &card_flash, format_nonce());
        if (rc == STORE_OK) {
            LOG_I("formatted the erased NVM");
        }
    }
    status = rc;
    if (rc != STORE_OK) {
        LOG_E("NVM unusable: %s (storage commands answer 6581)",
              store_strerror(rc));
        return rc;
    }
    store_get_stats(&card_store, &st);
    LOG_I("%u objects, %u KiB free", (unsigned)st.objects,
          (unsigned)(st.free_bytes / 1024u));
    return STORE_OK;
}

struct store *storage_store(void)
{
    return status == STORE_OK ? &card_store : NULL;
}

int storage_status(void)
{
    return status;
}

void storage_reformat_start(void)
{
    status = STORE_ERR_STATE;
    reformat.running = true;
    reformat.pages_left = nvm_pages();
    reformat.erased = 0;
}

int storage_reformat_step(void)
{
    uint32_t done = 0;
    int rc;

    if (!reformat.running) {
        return STORE_ERR_STATE;
    }
    /*
     * Erase page by page so that the caller's event loop (the link
     * layer's waiting-time extensions, the watchdog) runs in between;
     * store_format then finds an erased NVM and only writes headers. The
     * whole NVM, from its last page down: the code area first, so that a
     * power cut anywhere before the end leaves store pages that still say
     * "unusable" (FORMAT NVM again) and never a store that a boot formats
     * over a code area still holding old load files.
     */
    while (reformat.pages_left > 0 && done < STORAGE_REFORMAT_STEP_PAGES) {
        uint32_t page = reformat.pages_left - 1;

        if (!nvm_page_erased(page)) {
            if (nvm_erase_page(page) != 0) {
                reformat.running = false;
                LOG_E("reformat: erasing page %u failed (storage commands "
                      "answer 6581)", (unsigned)page);
                return STORE_ERR_IO;
            }
            reformat.erased++;
            done++;
        }
        reformat.pages_left--;
    }
    if (reformat.pages_left > 0) {
        return STORAGE_REFORMAT_BUSY;
    }
    reformat.running = false;
    rc = store_format(&card_store, &card_flash, format_nonce());
    status = rc;
    if (rc != STORE_OK) {
        LOG_E("reformat failed: %s (storage commands answer 6581)",
              store_strerror(rc));
        return rc;
    }
    LOG_W("reformatted: %u pages erased", (unsigned)reformat.erased);
    return STORE_OK;
}
