/*
 * mbedTLS's heap. Contract: mbedtls_heap.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "mbedtls/memory_buffer_alloc.h"

#include <stdbool.h>

#include "crypto/mbedtls_heap.h"

static unsigned char heap[CRYPTO_MBEDTLS_HEAP_SIZE] __attribute__((aligned(8)));

void crypto_mbedtls_heap_init(void)
{
    static bool done;

    if (!done) {
        mbedtls_memory_buffer_alloc_init(heap, sizeof(heap));
        done = true;
    }
}

size_t crypto_mbedtls_heap_bytes(void)
{
    return sizeof(heap);
}
