/*
 * CRC-32 (ISO-HDLC: the CRC of zlib, Ethernet and PNG; reflected polynomial
 * 0xEDB88320, initial value and final XOR 0xFFFFFFFF). crc32("123456789")
 * is 0xCBF43926.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_STORE_CRC32_H
#define CARDOS_STORE_CRC32_H

#include <stddef.h>
#include <stdint.h>

/*
 * CRC of DATA[0..LEN) continuing from PREV, the CRC of what came before
 * (0 for none): crc32_update(crc32_update(0, a, n), b, m) is the CRC of
 * a followed by b.
 */
uint32_t crc32_update(uint32_t prev, const void *data, size_t len);

static inline uint32_t crc32(const void *data, size_t len)
{
    return crc32_update(0, data, len);
}

/* crc32(data, 20), faster: the record and page headers mount checks. */
uint32_t crc32_20(const void *data);

#endif /* CARDOS_STORE_CRC32_H */
