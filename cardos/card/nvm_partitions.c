/*
 * The card's NVM partitions. Contract: card/nvm_partitions.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "card/nvm_partitions.h"

#include "drivers/nvm.h"
#include "store/store.h"

#define LOG_MODULE "nvm"
#include "kernel/log.h"

static struct nvm_partition store_part = { .name = "store" };
static struct nvm_partition code_part = { .name = "code area" };

void nvm_partitions_init(void)
{
    uint32_t pages = nvm_pages();

    store_part.first_page = NVM_STORE_FIRST_PAGE;
    store_part.pages = pages < NVM_STORE_PAGES ? pages : NVM_STORE_PAGES;
    code_part.first_page = NVM_CODE_FIRST_PAGE;
    code_part.pages = pages > NVM_CODE_FIRST_PAGE ? pages - NVM_CODE_FIRST_PAGE
                                                  : 0;
    LOG_I("%u KiB: store %u KiB, code area %u KiB at 0x%08x",
          (unsigned)(pages * (NETCARD_NVM_PAGE_SIZE / 1024u)),
          (unsigned)(nvm_partition_size(&store_part) / 1024u),
          (unsigned)(nvm_partition_size(&code_part) / 1024u),
          (unsigned)(uintptr_t)nvm_partition_base(&code_part));
}

const struct nvm_partition *nvm_store_partition(void)
{
    return &store_part;
}

const struct nvm_partition *nvm_code_partition(void)
{
    return &code_part;
}

const uint8_t *nvm_partition_base(const struct nvm_partition *p)
{
    return nvm_array() + p->first_page * NETCARD_NVM_PAGE_SIZE;
}

uint32_t nvm_partition_size(const struct nvm_partition *p)
{
    return p->pages * NETCARD_NVM_PAGE_SIZE;
}

int nvm_partition_program(const struct nvm_partition *p, uint32_t offset,
                          const void *data, uint32_t len)
{
    uint32_t size = nvm_partition_size(p);

    if (offset >= size || len > size - offset) {
        return NVM_ERR_PARAM;
    }
    return nvm_program(p->first_page * NETCARD_NVM_PAGE_SIZE + offset, data,
                       len);
}

int nvm_partition_erase(const struct nvm_partition *p, uint32_t page)
{
    if (page >= p->pages) {
        return NVM_ERR_PARAM;
    }
    return nvm_erase_page(p->first_page + page);
}

bool nvm_partition_page_erased(const struct nvm_partition *p, uint32_t page)
{
    return page < p->pages && nvm_page_erased(p->first_page + page);
}

static int store_program(void *ctx, uint32_t offset, const void *data,
                         uint32_t len)
{
    return nvm_partition_program(ctx, offset, data, len);
}

static int store_erase(void *ctx, uint32_t page)
{
    return nvm_partition_erase(ctx, page);
}

void nvm_partition_store_flash(const struct nvm_partition *p,
                               struct store_flash *f)
{
    f->base = nvm_partition_base(p);
    f->page_size = NETCARD_NVM_PAGE_SIZE;
    f->page_count = p->pages;
    f->program = store_program;
    f->erase = store_erase;
    f->ctx = (void *)p;
}
