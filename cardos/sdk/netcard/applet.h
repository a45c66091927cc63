/*
 * What an applet includes: the APDU window, the module declaration, the
 * system calls as inline functions (netcard/syscall.h has the ABI) and
 * the few C library functions the SDK provides (sdk/lib.c).
 *
 * An applet is one or more modules. Each is declared once with
 *
 *     NC_PACKAGE("A0000000770100", 1, 0, 512, 1024);  stack, quota
 *     NC_MODULE("A000000077010001", hello_handler);
 *
 * and a handler int handler(unsigned event, struct nc_apdu *apdu)
 * (events NC_EV_*): PROCESS returns the status word, SELECT 0 to accept.
 * The packer (netcard pack) reads these declarations from the ELF.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_APPLET_H
#define NETCARD_APPLET_H

#include <stddef.h>
#include <stdint.h>

#include "netcard/syscall.h"

/* The APDU window: the OS copies each command here (the applet may also
 * build its response in it). 512 bytes, mapped RW for the running applet
 * only. */
#define NC_APDU_WINDOW    512
#define NC_APDU_DATA_MAX  (NC_APDU_WINDOW - 16)

struct nc_apdu {
    uint8_t cla, ins, p1, p2;
    uint32_t nc;            /* command data bytes (may exceed DATA_MAX: the
                               rest through nc_data()) */
    uint32_t ne;            /* expected response bytes, 0: none */
    uint8_t channel;        /* logical channel */
    uint8_t reserved[3];
    uint8_t data[NC_APDU_DATA_MAX];
};

struct nc_crypto_req {
    int32_t key;            /* handle */
    uint32_t op;            /* NC_OP_* */
    const void *in;
    uint32_t len;
    void *out;              /* len bytes (ciphers), the MAC (MACs) */
    uint8_t *iv;            /* CBC: 16 bytes, updated */
};

/*
 * An HTTP route of the instance (docs/webapps.md "Web applets"): PATH
 * "/wallet/api/" (absolute: its first segment becomes the instance's,
 * no other instance may use it) or "api/" (relative: under the default
 * context root /applets/<instance AID in hex>/); ending in '/' it is a
 * prefix, else an exact path. At most 27 bytes. Kept in the store: it
 * lasts until the instance is deleted (or the same path is registered
 * again: replaced; METHODS 0 removes it). Requests reach the handler
 * with EVENT (>= NC_EV_HTTP) and the window as struct nc_http_req.
 */
struct nc_http_route {
    const char *path;
    uint32_t path_len;
    uint32_t methods;       /* NC_HTTP_GET | NC_HTTP_POST | ... */
    uint32_t event;         /* handler event number for a request, >= 16 */
};

/* The APDU window during an NC_EV_HTTP event: the request. */
struct nc_http_req {
    uint32_t method;        /* one NC_HTTP_* bit */
    uint32_t route;         /* the id NC_SYS_HTTP_ROUTE returned */
    uint32_t body_len;      /* body bytes: read them with nc_data() */
    uint16_t path_len;      /* text[0..path_len): the path */
    uint16_t query_len;     /* text[path_len + 1..): after '?' */
    uint16_t port;          /* 80, 3516 or 4116 (PSK-TLS) */
    uint16_t reserved;
    char text[NC_APDU_WINDOW - 20];     /* path NUL query NUL */
};

static inline struct nc_http_req *nc_http_request(struct nc_apdu *apdu)
{
    return (struct nc_http_req *)(void *)apdu;
}

#define NC_SW_OK              0x9000
#define NC_SW_WRONG_LENGTH    0x6700
#define NC_SW_SECURITY        0x6982
#define NC_SW_CONDITIONS      0x6985
#define NC_SW_WRONG_DATA      0x6A80
#define NC_SW_NOT_FOUND       0x6A88
#define NC_SW_WRONG_P1P2      0x6B00
#define NC_SW_INS_UNKNOWN     0x6D00
#define NC_SW_CLA_UNKNOWN     0x6E00

#define NC__STR(x) #x
#define NC_STR(x) NC__STR(x)

/* Declarations the packer reads (section .ncap.info, not loaded). */
#define NC_PACKAGE(aid, major, minor, stack, quota)                        \
    __attribute__((section(".ncap.info"), used)) static const char        \
    nc__package[] = "package " aid " " NC_STR(major) "." NC_STR(minor)    \
                    " " NC_STR(stack) " " NC_STR(quota) "\n"
#define NC_MODULE(aid, fn)                                                 \
    int fn(unsigned event, struct nc_apdu *apdu)                           \
        __attribute__((used, section(".text.nc_module." #fn)));           \
    __attribute__((section(".ncap.info"), used)) static const char        \
    nc__module_##fn[] = "module " aid " " #fn "\n"
/* RAM cleared on select, deselect and reset. */
#define NC_TRANSIENT __attribute__((section(".transient")))

#define NC__SVC(n) "svc #" NC_STR(n)

#define NC_SYSCALL0(n) ({                                                  \
    register int32_t r0_ __asm__("r0");                                    \
    __asm__ volatile(NC__SVC(n) : "=r"(r0_) : : "memory");                 \
    r0_; })
#define NC_SYSCALL1(n, a) ({                                               \
    register int32_t r0_ __asm__("r0") = (int32_t)(a);                     \
    __asm__ volatile(NC__SVC(n) : "+r"(r0_) : : "memory");                 \
    r0_; })
#define NC_SYSCALL2(n, a, b) ({                                            \
    register int32_t r0_ __asm__("r0") = (int32_t)(a);                     \
    register int32_t r1_ __asm__("r1") = (int32_t)(b);                     \
    __asm__ volatile(NC__SVC(n) : "+r"(r0_) : "r"(r1_) : "memory");        \
    r0_; })
#define NC_SYSCALL3(n, a, b, c) ({                                         \
    register int32_t r0_ __asm__("r0") = (int32_t)(a);                     \
    register int32_t r1_ __asm__("r1") = (int32_t)(b);                     \
    register int32_t r2_ __asm__("r2") = (int32_t)(c);                     \
    __asm__ volatile(NC__SVC(n) : "+r"(r0_) : "r"(r1_), "r"(r2_)           \
                     : "memory");                                          \
    r0_; })
#define NC_SYSCALL4(n, a, b, c, d) ({                                      \
    register int32_t r0_ __asm__("r0") = (int32_t)(a);                     \
    register int32_t r1_ __asm__("r1") = (int32_t)(b);                     \
    register int32_t r2_ __asm__("r2") = (int32_t)(c);                     \
    register int32_t r3_ __asm__("r3") = (int32_t)(d);                     \
    __asm__ volatile(NC__SVC(n) : "+r"(r0_) : "r"(r1_), "r"(r2_), "r"(r3_) \
                     : "memory");                                          \
    r0_; })

static inline int32_t nc_version(void)
{ return NC_SYSCALL0(NC_SYS_VERSION); }
static inline int32_t nc_send(const void *p, uint32_t len)
{ return NC_SYSCALL2(NC_SYS_SEND, p, len); }
static inline int32_t nc_data(uint32_t off, void *p, uint32_t len)
{ return NC_SYSCALL3(NC_SYS_DATA, off, p, len); }
static inline int32_t nc_random(void *p, uint32_t len)
{ return NC_SYSCALL2(NC_SYS_RANDOM, p, len); }
static inline int32_t nc_log(const char *p, uint32_t len)
{ return NC_SYSCALL2(NC_SYS_LOG, p, len); }
static inline int32_t nc_obj_read(uint32_t id, void *p, uint32_t cap)
{ return NC_SYSCALL3(NC_SYS_OBJ_READ, id, p, cap); }
static inline int32_t nc_obj_write(uint32_t id, const void *p, uint32_t len)
{ return NC_SYSCALL3(NC_SYS_OBJ_WRITE, id, p, len); }
static inline int32_t nc_obj_delete(uint32_t id)
{ return NC_SYSCALL1(NC_SYS_OBJ_DELETE, id); }
static inline int32_t nc_tx_begin(void)
{ return NC_SYSCALL0(NC_SYS_TX_BEGIN); }
static inline int32_t nc_tx_commit(void)
{ return NC_SYSCALL0(NC_SYS_TX_COMMIT); }
static inline int32_t nc_tx_abort(void)
{ return NC_SYSCALL0(NC_SYS_TX_ABORT); }
static inline int32_t nc_key_import(uint32_t type, const void *p,
                                    uint32_t len)
{ return NC_SYSCALL3(NC_SYS_KEY_IMPORT, type, p, len); }
static inline int32_t nc_key_destroy(int32_t key)
{ return NC_SYSCALL1(NC_SYS_KEY_DESTROY, key); }
static inline int32_t nc_crypto(const struct nc_crypto_req *req)
{ return NC_SYSCALL1(NC_SYS_CRYPTO, req); }
static inline int32_t nc_hash(uint32_t alg, const void *p, uint32_t len,
                              void *out)
{ return NC_SYSCALL4(NC_SYS_HASH, alg, p, len, out); }
static inline int32_t nc_sc_state(void)
{ return NC_SYSCALL0(NC_SYS_SC_STATE); }
static inline int32_t nc_sc_process(void)
{ return NC_SYSCALL0(NC_SYS_SC_PROCESS); }
static inline int32_t nc_sc_unwrap(void)
{ return NC_SYSCALL0(NC_SYS_SC_UNWRAP); }
static inline int32_t nc_sc_wrap(uint32_t sw)
{ return NC_SYSCALL1(NC_SYS_SC_WRAP, sw); }
static inline int32_t nc_key_generate(uint32_t type, uint32_t len, void *pub)
{ return NC_SYSCALL3(NC_SYS_KEY_GENERATE, type, len, pub); }
static inline int32_t nc_key_save(int32_t handle, uint32_t slot)
{ return NC_SYSCALL2(NC_SYS_KEY_SAVE, handle, slot); }
static inline int32_t nc_key_load(uint32_t slot)
{ return NC_SYSCALL1(NC_SYS_KEY_LOAD, slot); }
static inline int32_t nc_key_erase(uint32_t slot)
{ return NC_SYSCALL1(NC_SYS_KEY_ERASE, slot); }
static inline int32_t nc_timer(uint32_t op, uint32_t id, uint32_t ms)
{ return NC_SYSCALL3(NC_SYS_TIMER, op, id, ms); }
static inline int32_t nc_params(void *p, uint32_t cap)
{ return NC_SYSCALL2(NC_SYS_PARAMS, p, cap); }
static inline int32_t nc_http_route(const struct nc_http_route *r)
{ return NC_SYSCALL1(NC_SYS_HTTP_ROUTE, r); }
/* The value of request field NAME (any case) into OUT (at most CAP
 * bytes); its whole length (may exceed CAP), NC_E_NOTFOUND. */
static inline int32_t nc_http_header(const char *name, uint32_t name_len,
                                     void *out, uint32_t cap)
{ return NC_SYSCALL4(NC_SYS_HTTP_HEADER, name, name_len, out, cap); }
static inline int32_t nc_http_type(uint32_t type)
{ return NC_SYSCALL1(NC_SYS_HTTP_TYPE, type); }
/* Add response field NAME: VALUE (not Content-Type, Content-Length,
 * Connection, Transfer-Encoding or Server); NC_E_NOSPACE when the
 * response's fields are full. */
static inline int32_t nc_http_field(const char *name, uint32_t name_len,
                                    const char *value, uint32_t value_len)
{ return NC_SYSCALL4(NC_SYS_HTTP_FIELD, name, name_len, value, value_len); }

/* Amendment B: ask for an admin session of the instance's security
 * domain (docs/applets.md, docs/remote-admin.md) */
static inline int32_t nc_admin_session(void)
{ return NC_SYSCALL0(NC_SYS_ADMIN_SESSION); }

/* RSA (interface 1.2) through nc_crypto: KEY an NC_KEY_RSA or
 * NC_KEY_RSA_PUB handle; SIG and OUT have room for k bytes (the
 * modulus). Sign and verify: PKCS #1 v1.5 over a SHA-256 hash (32 bytes);
 * nc_rsa_verify: 1 valid, 0 not; nc_rsa_decrypt: the message's length
 * (OP NC_OP_RSA_DEC_PKCS1 or NC_OP_RSA_DEC_OAEP). */
static inline int32_t nc_rsa_sign(int32_t key, const uint8_t hash[32],
                                  void *sig)
{
    struct nc_crypto_req q = { key, NC_OP_RSA_SIGN, hash, 32, sig, 0 };
    return nc_crypto(&q);
}
static inline int32_t nc_rsa_verify(int32_t key, const uint8_t hash[32],
                                    const void *sig)
{
    struct nc_crypto_req q = { key, NC_OP_RSA_VERIFY, hash, 32, 0,
                               (uint8_t *)sig };
    return nc_crypto(&q);
}
static inline int32_t nc_rsa_encrypt(int32_t key, uint32_t op,
                                     const void *msg, uint32_t len,
                                     void *out)
{
    struct nc_crypto_req q = { key, op, msg, len, out, 0 };
    return nc_crypto(&q);
}
static inline int32_t nc_rsa_decrypt(int32_t key, uint32_t op,
                                     const void *in, uint32_t k, void *out)
{
    struct nc_crypto_req q = { key, op, in, k, out, 0 };
    return nc_crypto(&q);
}

/* sdk/lib.c */
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

#endif /* NETCARD_APPLET_H */
