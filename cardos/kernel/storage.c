/*
 * storage: the card's object store at boot. Contract: storage.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "kernel/storage.h"

#include "crypto/crypto.h"
#include "drivers/nvm.h"
#include "drivers/sysctl.h"
#include "drivers/timer.h"

#define LOG_MODULE "store"
#include "kernel/log.h"

static struct store card_store;
static struct store_flash card_flash;
static int status = STORE_ERR_STATE;

int storage_init(void)
{
    struct store_stats st;
    int rc;

    nvm_store_flash(&card_flash, 0, NETCARD_NVM_PAGES);
    rc = store_mount(&card_store, &card_flash);
    if (rc == STORE_ERR_BLANK) {
        /* from the health-tested TRNG; a refused card (no entropy) still
         * formats, with the per-card fallback value */
        uint32_t nonce;

        if (crypto_random(&nonce, sizeof(nonce)) != CRYPTO_OK) {
            nonce = sysctl_chip_id() ^ (timer_now_ms() * 2654435761u) ^
                    (uint32_t)(uintptr_t)&card_store;
        }

        rc = store_format(&card_store, &card_flash, nonce);
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
