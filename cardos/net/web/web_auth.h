/*
 * web_auth: protection of the card's web resources (OMA SCWS 1.1
 * "protection sets": URI prefixes mapped to the users allowed there) with
 * HTTP authentication (RFC 9110 11): Digest (RFC 7616, SHA-256 and MD5,
 * qop=auth) on every port, Basic (RFC 7617) only on the TLS port 4116.
 *
 * Users. A user is a name and a secret, either
 *   - a card PIN (key reference, fs/pin.h): checked through the file
 *     system's PIN logic with the SAME try counter as ISO 7816 VERIFY
 *     (the card's wiring registers web_auth_port.pin_verify on
 *     pin_verify_with()): each failed web login costs a try, a blocked
 *     PIN refuses the web login (403, "PIN blocked"), three bad web logins
 *     block VERIFY; or
 *   - a password set by the administrator: only its Digest HA1 values
 *     (SHA-256 and MD5 of "user:realm:password") are stored.
 * Digest needs the PIN's value to compute HA1 = H(user:realm:PIN); the
 * card has it. After a PIN user's successful Digest login the HA1 is kept
 * in RAM with the nonce (for the nonce's lifetime, WEB_NONCE_LIFE_MS), so
 * the requests that follow with that nonce do not write the try counter;
 * any response that does not match goes through the counter again.
 *
 * Order of checks for a request (web_auth_check(), run before every
 * route and default handler):
 *   1. the longest protection-set prefix that the path starts with; none:
 *      public, allowed;
 *   2. no Authorization, an unknown scheme, Basic on a port other than
 *      4116, a nonce the card did not issue or that expired ("stale=true"),
 *      a replayed nonce count, a uri other than the request's: 401 with
 *      the challenges (Digest SHA-256 then MD5, and Basic on 4116);
 *   3. unknown user or a wrong secret: 401 (a PIN user's counter is
 *      decremented first); a blocked PIN: 403;
 *   4. the user is not in the set: 403;
 *   5. allowed.
 * Realm: WEB_REALM. Nonces: 16 bytes from the card's DRBG (crypto/drbg.h,
 * seeded by the TRNG) in hex; WEB_NONCES of them, the oldest replaced.
 *
 * Configuration: persistent in the store (two objects, each replaced in
 * one store transaction), set by the administrator through this API (the
 * SCWS remote administration of issue 16 item 4 calls it).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_NET_WEB_WEB_AUTH_H
#define CARDOS_NET_WEB_WEB_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "net/http/http_app.h"
#include "store/store.h"

#define WEB_REALM          "netcard"
#define WEB_USER_MAX       24u     /* with its NUL */
#define WEB_USERS          8u
#define WEB_PREFIX_MAX     48u     /* with its NUL */
#define WEB_PROTECTIONS    8u
#define WEB_NONCES         8u
#define WEB_NONCE_LIFE_MS  (300u * 1000u)

/* Store objects: "WA" 0 users, 1 protection sets. */
#define WEB_AUTH_OBJ_USERS 0x57410000u
#define WEB_AUTH_OBJ_SETS  0x57410001u

enum web_secret { WEB_SECRET_PIN = 1, WEB_SECRET_PASSWORD = 2 };

/* Results of the port's pin_verify. */
enum web_pin_result {
    WEB_PIN_OK = 0, WEB_PIN_WRONG = 1, WEB_PIN_BLOCKED = 2, WEB_PIN_ERROR = 3,
};

struct web_auth_port {
    /* Verify PIN REF through the file system (pin_verify_with()): MATCH
     * is called with the PIN's digits after the try counter is
     * decremented and committed. */
    enum web_pin_result (*pin_verify)(uint8_t ref,
                                      bool (*match)(const uint8_t *pin,
                                                    uint32_t len, void *ctx),
                                      void *ctx);
};

/* Load the configuration from STORE and install the access check in the
 * web server (http_set_access_check). Results: web_store.h's WEB_*. */
int web_auth_init(struct store *store, const struct web_auth_port *port);

/* Create or replace a user (name: visible ASCII, no '"', ':' or ','). */
int web_auth_set_user_pin(const char *name, uint8_t pin_ref);
int web_auth_set_user_password(const char *name, const char *password);
/* Delete a user (and remove it from every protection set). */
int web_auth_delete_user(const char *name);

/* Create or replace the protection set PREFIX ("/wallet/") allowing the
 * N users named in USERS (each must exist). */
int web_auth_set_protection(const char *prefix, const char *const *users,
                            unsigned n);
int web_auth_delete_protection(const char *prefix);

/* Iterate (cursor from 0): WEB_OK and the entry, WEB_ERR_NOT_FOUND after
 * the last. */
int web_auth_list_users(unsigned *cursor, char name[WEB_USER_MAX],
                        enum web_secret *kind, uint8_t *pin_ref);
int web_auth_list_protections(unsigned *cursor, char prefix[WEB_PREFIX_MAX],
                              uint32_t *user_mask);

/* The access check above: true to go on, false when it answered. */
bool web_auth_check(const struct http_request *req,
                    struct http_response *resp);

#endif /* CARDOS_NET_WEB_WEB_AUTH_H */
