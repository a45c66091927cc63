/*
 * The netcard system-call interface, version 1.2: numbers, arguments and
 * errors (docs/applets.md "System calls"). An applet calls the OS with
 * `svc #n` (ARMv8-M ARM B3.27 "SVCall"): arguments in r0-r3, the result
 * in r0, >= 0 success, < 0 an NC_E_* error. A pointer or a length that
 * is not inside the calling instance's own memory (its code, its RAM,
 * the APDU window) is not an error: the applet is stopped (fault, 6F00).
 *
 * This header is the ABI; cardos/sys/syscall.h repeats the numbers on the
 * OS side (the OS and the SDK do not include each other) and a unit test
 * checks that both agree.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_SYSCALL_H
#define NETCARD_SYSCALL_H

#define NC_SYSCALL_MAJOR 1
#define NC_SYSCALL_MINOR 2

/* number            args (r0, r1, r2, r3)               result */
#define NC_SYS_EXIT        0   /* code: end of the event (crt0)   - */
#define NC_SYS_VERSION     1   /* -                       major<<8|minor */
#define NC_SYS_SEND        2   /* ptr, len: append response data  0 */
#define NC_SYS_DATA        3   /* offset, ptr, len: command data  bytes copied */
#define NC_SYS_RANDOM      4   /* ptr, len                        0 */
#define NC_SYS_LOG         5   /* ptr, len (text, <= 96 shown)    0 */
#define NC_SYS_OBJ_READ    6   /* id, ptr, cap                    bytes */
#define NC_SYS_OBJ_WRITE   7   /* id, ptr, len                    0 */
#define NC_SYS_OBJ_DELETE  8   /* id                              0 */
#define NC_SYS_TX_BEGIN    9   /* -                               0 */
#define NC_SYS_TX_COMMIT   10  /* -                               0 */
#define NC_SYS_TX_ABORT    11  /* -                               0 */
#define NC_SYS_KEY_IMPORT  12  /* type, ptr, len                  handle */
#define NC_SYS_KEY_DESTROY 13  /* handle                          0 */
#define NC_SYS_CRYPTO      14  /* struct nc_crypto_req *          bytes out */
#define NC_SYS_HASH        15  /* alg, ptr, len, out (32)         bytes out */
#define NC_SYS_SC_STATE    16  /* -                               NC_SC_* bits */
#define NC_SYS_PARAMS      17  /* ptr, cap: install params (C9)   bytes */
#define NC_SYS_HTTP_ROUTE  18  /* struct nc_http_route *          route id */
#define NC_SYS_SC_PROCESS  19  /* -: INIT UPDATE / EXT AUTHENTICATE  status word */
#define NC_SYS_SC_UNWRAP   20  /* -: the command, in place        plain Nc */
#define NC_SYS_SC_WRAP     21  /* sw: the response so far         0 */
#define NC_SYS_KEY_GENERATE 22 /* type, len, pub (64, EC) or 0   handle */
#define NC_SYS_KEY_SAVE    23  /* handle, slot 0..7: persistent   0 */
#define NC_SYS_KEY_LOAD    24  /* slot                            handle */
#define NC_SYS_KEY_ERASE   25  /* slot                            0 */
#define NC_SYS_TIMER       26  /* op, id 0..3, ms                 see NC_TIMER_* */
#define NC_SYS_HTTP_HEADER 27  /* name, name_len, out, cap: a request field  value bytes */
#define NC_SYS_HTTP_TYPE   28  /* NC_HTTP_TYPE_*: the response's Content-Type  0 */
#define NC_SYS_HTTP_FIELD  29  /* name, name_len, value, value_len: a response field  0 */
#define NC_SYS_ADMIN_SESSION 30 /* -: an admin session of its SD   0 started */
#define NC_SYS_COUNT       31

/* errors */
#define NC_E_INVAL       (-1)  /* an argument out of its range */
#define NC_E_NOTFOUND    (-2)  /* no such object or key */
#define NC_E_QUOTA       (-3)  /* over the instance's persistent quota */
#define NC_E_NOSPACE     (-4)  /* the store or a table is full */
#define NC_E_STATE       (-5)  /* no transaction open, or one already is */
#define NC_E_UNSUPPORTED (-6)  /* not offered by this card (yet) */
#define NC_E_LENGTH      (-7)  /* the response does not fit */
#define NC_E_CRYPTO      (-8)  /* the crypto engine failed */
#define NC_E_IO          (-9)  /* the NVM failed */
#define NC_E_SECURITY    (-10) /* secure messaging check failed */

/* key types (NC_SYS_KEY_IMPORT) */
#define NC_KEY_AES        1    /* 16, 24 or 32 bytes */
#define NC_KEY_HMAC       2    /* 1..32 bytes, HMAC-SHA-256 */
#define NC_KEY_DES3       3    /* 16 (K1 K2 K1) or 24 bytes */
#define NC_KEY_EC_P256    4    /* private d, 32 bytes (its public computed) */
#define NC_KEY_EC_P256_PUB 5   /* public X || Y, 64 bytes (verify only) */
/* 1.2: RSA, modulus k = 128..256 bytes (1024..2048 bits), a multiple of 8 */
#define NC_KEY_RSA        6    /* p || q || dP || dQ || qInv (k/2 each) || e (4);
                                  generate: len = k, pub gets n (k bytes) */
#define NC_KEY_RSA_PUB    7    /* n (k) || e (4 bytes, big-endian) */

/* operations (struct nc_crypto_req.op) */
#define NC_OP_AES_ECB_ENC 1
#define NC_OP_AES_ECB_DEC 2
#define NC_OP_AES_CBC_ENC 3    /* iv: 16 bytes, updated */
#define NC_OP_AES_CBC_DEC 4
#define NC_OP_AES_CMAC    5    /* out: 16 bytes */
#define NC_OP_HMAC_SHA256 6    /* out: 32 bytes */
#define NC_OP_DES3_ECB_ENC 7
#define NC_OP_DES3_ECB_DEC 8
#define NC_OP_DES3_CBC_ENC 9   /* iv: 8 bytes, updated */
#define NC_OP_DES3_CBC_DEC 10
#define NC_OP_ECDSA_SIGN  11   /* in: hash 1..64; out: r || s, 64 bytes */
#define NC_OP_ECDSA_VERIFY 12  /* in: hash; iv: r || s; result 1 valid, 0 not */
#define NC_OP_ECDH        13   /* in: peer X || Y (len 64); out: 32 bytes */
#define NC_OP_EC_PUBLIC   14   /* out: the key's X || Y, 64 bytes */
/* 1.2: RSA (in, out: k bytes of room where not said otherwise) */
#define NC_OP_RSA_PUBLIC  15   /* raw in^e mod n, in k bytes < n */
#define NC_OP_RSA_PRIVATE 16   /* raw in^d mod n (private key) */
#define NC_OP_RSA_SIGN    17   /* in: SHA-256 hash (32); out: PKCS #1 v1.5 sig */
#define NC_OP_RSA_VERIFY  18   /* in: hash (32); iv: sig (k); 1 valid, 0 not */
#define NC_OP_RSA_ENC_PKCS1 19 /* in: <= k - 11 bytes; out: k */
#define NC_OP_RSA_DEC_PKCS1 20 /* in: k; out: the message, result its length */
#define NC_OP_RSA_ENC_OAEP 21  /* SHA-256, MGF1-SHA-256, no label; <= k - 66 */
#define NC_OP_RSA_DEC_OAEP 22
#define NC_OP_RSA_PUBLIC_KEY 23 /* out: n || e, k + 4 bytes */

/* NC_SYS_TIMER operations */
#define NC_TIMER_NOW      0    /* ms since start (31 bits) */
#define NC_TIMER_START    1    /* timer id expires in ms (<= 86 400 000) */
#define NC_TIMER_LEFT     2    /* ms it has left, 0 expired; NC_E_STATE */
#define NC_TIMER_STOP     3

/* hashes (NC_SYS_HASH) */
#define NC_HASH_SHA256    3
#define NC_HASH_SHA384    4
#define NC_HASH_SHA512    5

/* secure-channel state of the current command (NC_SYS_SC_STATE) */
#define NC_SC_OPEN        0x01 /* a secure channel is authenticated */
#define NC_SC_CMAC        0x02 /* this command carried a valid C-MAC */
#define NC_SC_CDEC        0x04 /* its data was encrypted */
#define NC_SC_RMAC        0x08 /* the session's level has R-MAC */
#define NC_SC_RENC        0x10 /* and R-ENCRYPTION */

/* events: the first argument of a module's handler */
#define NC_EV_INSTALL     0    /* once, after INSTALL; apdu NULL; 0 = ok */
#define NC_EV_SELECT      1    /* return 0 to accept */
#define NC_EV_DESELECT    2
#define NC_EV_PROCESS     3    /* return the status word */
#define NC_EV_HTTP        16   /* and up: an HTTP request on a route whose
                                  event this is (struct nc_http_route);
                                  apdu: struct nc_http_req; return the
                                  HTTP status (100..599) */

/* struct nc_http_route.methods and struct nc_http_req.method */
#define NC_HTTP_GET       0x01 /* and HEAD (the card drops the body) */
#define NC_HTTP_POST      0x02
#define NC_HTTP_PUT       0x04
#define NC_HTTP_DELETE    0x08

/* NC_SYS_HTTP_TYPE: the response's Content-Type */
#define NC_HTTP_TYPE_TEXT 0    /* text/plain; charset=utf-8 (the default) */
#define NC_HTTP_TYPE_JSON 1    /* application/json */
#define NC_HTTP_TYPE_HTML 2    /* text/html; charset=utf-8 */
#define NC_HTTP_TYPE_CSS  3    /* text/css */
#define NC_HTTP_TYPE_JS   4    /* text/javascript */
#define NC_HTTP_TYPE_SVG  5    /* image/svg+xml */
#define NC_HTTP_TYPE_BIN  6    /* application/octet-stream */
#define NC_HTTP_TYPE_COUNT 7

#endif /* NETCARD_SYSCALL_H */
