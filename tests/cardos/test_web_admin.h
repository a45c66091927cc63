/*
 * Test image only: fills the SCWS content store (net/web/web_store.h)
 * over plain HTTP until remote SCWS administration (issue 16 item 4,
 * over the Amendment B session) exists. Never in the product image.
 *
 *   PUT /_scws/<path>     body = the data; Content-Type (required),
 *                         Content-Encoding, Content-Language,
 *                         Last-Modified (IMF-fixdate) become its metadata:
 *                         201 created, 204 replaced (RFC 9110 9.3.4),
 *                         400 bad path/metadata, 413 over WEB_DATA_MAX,
 *                         507 store or slot table full (RFC 4918 11.5)
 *   DELETE /_scws/<path>  204, 404; a path ending in '/': the directory
 *   other methods         405, Allow: PUT, DELETE
 *
 * and the protection configuration (net/web/web_auth.h):
 *   PUT /_scwsauth/user/<name>        body "pin:<key ref, hex>" or
 *                                     "password:<password>"
 *   PUT /_scwsauth/protect<prefix>    body "user1,user2"
 *   DELETE either                     204, 404
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_TESTS_CARDOS_TEST_WEB_ADMIN_H
#define NETCARD_TESTS_CARDOS_TEST_WEB_ADMIN_H

#include <stdbool.h>

bool test_web_admin_init(void);

#endif /* NETCARD_TESTS_CARDOS_TEST_WEB_ADMIN_H */
