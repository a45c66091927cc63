/*
 * Admin session triggering parameters (GlobalPlatform Amendment B v1.1.3
 * 4.1 / 5: tag 81, stored per security domain and read back with GET DATA
 * 00 85). Pure code: parsing and the card's defaults; unit-tested on the
 * host (tests/unit/test_admin_params.c). Where they are stored is the
 * wiring's business (card/admin.c).
 *
 * Accepted encoding (every TLV optional; unknown tags skipped, so later
 * versions' additions do not break the card; 83 and 89 may also be direct
 * children of 81):
 *
 *   81 L                                  triggering parameters
 *     83 L                                session parameters
 *       84 L                              connection parameters (the
 *                                         TS 102 223 BIP objects):
 *         3C 03 02 pp pp                  transport TCP, port (8.59)
 *         3E 05 21 a b c d                other address, IPv4 (8.58)
 *       85 L  nn identity..  02 kvn kid   security parameters: the PSK
 *                                         identity as LV, then the LV of
 *                                         the SCP81 key (KVN, KID) of
 *                                         the security domain
 *       86 L  cc cc [25 03 hh mm ss]      retry policy: retry counter,
 *                                         timer value (TS 102 223 8.38,
 *                                         swapped BCD digits)
 *     89 L                                HTTP POST parameters:
 *       8A L host                         Host
 *       8B L agent id                     X-Admin-From
 *       8C L URI                          first URI
 *     DF3C 04 ssssssss                    (netcard) poll interval in
 *                                         seconds, 0 = none
 *     DF3D 01 ff                          (netcard) TLS options: bit 0
 *                                         offer TLS_PSK_WITH_NULL_SHA256
 *                                         (refused otherwise); absent = 0
 *
 * admin_params_parse() starts from admin_params_default() values for
 * what the TLV does not give. False (P unchanged) if the TLV is
 * malformed: wrong outer tag, a length past the end, a string too long,
 * a port 0, a KID 0.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_NET_ADMIN_ADMIN_PARAMS_H
#define CARDOS_NET_ADMIN_ADMIN_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ADMIN_STR_MAX        64u
#define ADMIN_URI_MAX        128u
#define ADMIN_PARAMS_MAX     384u   /* the stored 81 TLV, whole */

/* The documented defaults (docs/remote-admin.md "The card's agent"). */
#define ADMIN_DEFAULT_IP     0x0A000202u    /* 10.0.2.2: slirp's host */
#define ADMIN_DEFAULT_PORT   8443u
#define ADMIN_DEFAULT_ID     "netcard-admin"
#define ADMIN_DEFAULT_KVN    0x40u
#define ADMIN_DEFAULT_KID    0x01u
#define ADMIN_DEFAULT_RETRY  3u
#define ADMIN_DEFAULT_RETRY_S 5u
#define ADMIN_DEFAULT_HOST   "10.0.2.2"
#define ADMIN_DEFAULT_FROM   "//se-id/cin/0102030405060708"
#define ADMIN_DEFAULT_URI    "/ras/admin"

struct admin_params {
    uint32_t ip;                    /* host order */
    uint16_t port;
    uint8_t identity[ADMIN_STR_MAX];
    uint8_t identity_len;
    uint8_t kvn, kid;               /* the SCP81 PSK key */
    uint16_t retries;               /* retry counter of the policy */
    uint32_t retry_ms;              /* retry timer */
    char host[ADMIN_STR_MAX + 1];
    char from[ADMIN_STR_MAX + 1];
    char uri[ADMIN_URI_MAX + 1];
    uint32_t poll_s;                /* 0: no poll timer */
    uint8_t tls_flags;              /* DF3D: ADMIN_TLS_* */
};

#define ADMIN_TLS_NULL_SHA256 0x01u

void admin_params_default(struct admin_params *p);
bool admin_params_parse(const uint8_t *tlv, size_t len,
                        struct admin_params *p);
/* Encode P as the 81 TLV above (what the card stores at first boot);
 * its length, 0 if CAP is too small. */
size_t admin_params_encode(const struct admin_params *p, uint8_t *out,
                           size_t cap);

#endif /* CARDOS_NET_ADMIN_ADMIN_PARAMS_H */
