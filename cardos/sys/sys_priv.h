/*
 * Inside the applet runtime: the instance record and the call in
 * progress, shared by sys/runtime.c (instances, running) and
 * sys/syscall.c (system calls).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_SYS_SYS_PRIV_H
#define CARDOS_SYS_SYS_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "apdu/applet.h"
#include "arch/uproc.h"
#include "sys/ncap.h"

struct sys_web_req;             /* sys/web.h */
struct sys_web_rsp;

#define SYS_TIMERS 4            /* per instance (NC_SYS_TIMER) */

struct sys_instance {
    struct applet a;
    uint8_t aid[NCAP_AID_MAX];
    bool used, seen;
    uint16_t ns;                /* registry number: object namespace */
    const uint8_t *file;        /* the load file in the code area */
    struct ncap_info info;
    uint8_t module;
    uint32_t ram_off, ram_size; /* in the pool */
    bool ram_ready;             /* data and bss set up since boot/fault */
    uint8_t faults;
    bool fresh;                 /* made by this reload: maybe installed */
    uint32_t timer_due[SYS_TIMERS];     /* event_loop_now() ms */
    uint8_t timers_on;          /* bit n: timer n started */
};

/* What the running applet's system calls act on. */
struct sys_call {
    struct sys_instance *in;
    struct uproc p;
    const struct apdu *cmd;     /* NULL outside PROCESS */
    struct apdu_response *rsp;
    const struct apdu_origin *origin;
    bool tx_open;
    bool sc_done;               /* processSecurity or unwrap was called */
    uint8_t sc_bits;            /* NC_SC_CMAC/CDEC of this command */
    struct apdu plain;          /* the command unwrapped (cmd points here) */
    const struct sys_web_req *web;      /* an HTTP event's request */
    struct sys_web_rsp *web_rsp;        /* and its response */
};

/* Why the last stopped applet was stopped (sys_run_event false). */
enum sys_stop {
    SYS_STOP_FAULT,
    SYS_STOP_ARG,               /* a bad system-call argument */
    SYS_STOP_BUDGET,
    SYS_STOP_CANNOT_RUN,        /* not run: interrupts masked (not counted) */
};

/* Results of sys_syscall(). */
enum sys_sc {
    SYS_SC_RESUME,              /* r0 set, carry on */
    SYS_SC_EXIT,                /* the event is over, *value its result */
    SYS_SC_KILL,                /* a bad argument: stop the applet */
};

/* sys/syscall.c: serve the system call the applet of C stopped on. */
enum sys_sc sys_syscall(struct sys_call *c, uint32_t *value);
/* Abort C's open transaction, if any. */
void sys_syscall_abort(struct sys_call *c);
/* Forget the keys of instance IN (it is gone). */
void sys_keys_forget(const struct sys_instance *in);
/* Object id of object OBJ (0..255) in namespace NS. */
#define SYS_OBJ_APPLET(ns, obj) (0x61000000u | ((uint32_t)(ns) << 8) | (obj))
/* Persistent key SLOT (0..7) of namespace NS; slot 255: the marker of
 * an instance whose NC_EV_INSTALL ran. */
#define SYS_OBJ_KEY(ns, slot)   (0x62000000u | ((uint32_t)(ns) << 8) | (slot))
#define SYS_OBJ_INSTALLED(ns)   SYS_OBJ_KEY(ns, 0xFFu)
/* Its HTTP routes (sys/web.c). */
#define SYS_OBJ_ROUTES(ns)      SYS_OBJ_KEY(ns, 0xFEu)
/* System-call numbers the files of sys/ share (netcard/syscall.h). */
#define SYS_SC_N_KEY_IMPORT   12u
#define SYS_SC_N_KEY_DESTROY  13u
#define SYS_SC_N_CRYPTO       14u
#define SYS_SC_N_KEY_GENERATE 22u
#define SYS_SC_N_KEY_SAVE     23u
#define SYS_SC_N_KEY_LOAD     24u
#define SYS_SC_N_KEY_ERASE    25u
/* sys/syscall_keys.c: the key and crypto calls above. */
enum sys_sc sys_syscall_keys(struct sys_call *c, uint32_t n,
                             const uint32_t a[4], int32_t *r);
uint32_t sys_syscall_count(void);
/* Key types of RSA (netcard/syscall.h NC_KEY_RSA*). */
#define SYS_KEY_RSA           6u
#define SYS_KEY_RSA_PUB       7u
/* Bytes of an RSA key blob (sys/syscall_rsa.c), in one pool page. */
#define SYS_RSA_BLOB          904u
/* sys/syscall_rsa.c: RSA keys in blobs B of SYS_RSA_BLOB bytes, and
 * their operations (netcard/syscall.h NC_OP_RSA_*). Import of TYPE from
 * the LEN bytes at IN, generation of a K-byte modulus (its n into PUB,
 * k bytes, unless NULL): 0 or an NC_E_* error. */
int32_t sys_rsa_import(uint8_t *b, uint32_t type, const uint8_t *in,
                       uint32_t len);
int32_t sys_rsa_generate(uint8_t *b, uint32_t k, uint8_t *pub);
/* The bytes of B that matter (what nc_key_save keeps); a blob read back
 * from the store is well formed. */
uint32_t sys_rsa_size(const uint8_t *b);
bool sys_rsa_blob_ok(const uint8_t *b, uint32_t size);
/* Operation Q (struct nc_crypto_req) with blob B: SYS_SC_KILL for a
 * buffer outside the applet, else the result in *RES. */
enum sys_sc sys_rsa_op(struct sys_call *c, const uint8_t *b,
                       const uint32_t q[6], int32_t *res);
/* sys/runtime.c: one page of the instance RAM pool for OS data no
 * applet region covers (an RSA key); NULL when the pool is full. Given
 * back cleared. */
uint8_t *sys_pool_take(void);
void sys_pool_give(uint8_t *page);
/* sys/syscall_sc.c: the secure channel calls (SC_STATE, SC_PROCESS,
 * SC_UNWRAP, SC_WRAP): the result in *R; SYS_SC_KILL or SYS_SC_RESUME. */
enum sys_sc sys_syscall_sc(struct sys_call *c, uint32_t n, const uint32_t a[4],
                           int32_t *r);
/* sys/runtime.c: the command CMD into the APDU window again. */
void sys_window_fill(const struct sys_instance *in,
                     const struct apdu_origin *o, const struct apdu *cmd);
/* sys/runtime.c: run event EV of IN (sys/runtime.h); false when it was
 * stopped (why: sys_last_stop()). WEB/WEB_RSP: an HTTP event's. */
bool sys_run_event(struct sys_instance *in, uint32_t ev,
                   const struct sys_web_req *web, struct sys_web_rsp *rsp,
                   uint32_t *result);
enum sys_stop sys_last_stop(void);
/* sys/runtime.c: instance K (0..SYS_INSTANCES_MAX-1) if used, else NULL;
 * is IN LOCKED in the registry; is an applet running now. */
struct sys_instance *sys_instance_at(unsigned k);
bool sys_instance_locked(const struct sys_instance *in);
bool sys_running(void);
/* sys/runtime.c: the APDU window, claimed for IN and cleared whole. */
uint8_t *sys_window_claim_clear(const struct sys_instance *in);
/* sys/web.c: the HTTP calls (ROUTE, HEADER, TYPE, FIELD); the routes again
 * from the store for the live instances (every registry reload). */
#define SYS_SC_N_HTTP_ROUTE   18u
#define SYS_SC_N_HTTP_HEADER  27u
#define SYS_SC_N_HTTP_TYPE    28u
#define SYS_SC_N_HTTP_FIELD   29u
enum sys_sc sys_syscall_web(struct sys_call *c, uint32_t n,
                            const uint32_t a[4], int32_t *r);
void sys_web_reload(void);
/* sys/runtime.c: the store (NULL: none). */
struct store;
struct store *sys_store(void);

#endif /* CARDOS_SYS_SYS_PRIV_H */
