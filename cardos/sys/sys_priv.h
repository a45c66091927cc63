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
};

/* What the running applet's system calls act on. */
struct sys_call {
    struct sys_instance *in;
    struct uproc p;
    const struct apdu *cmd;     /* NULL outside PROCESS */
    struct apdu_response *rsp;
    const struct apdu_origin *origin;
    bool tx_open;
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
uint32_t sys_syscall_count(void);
/* sys/runtime.c: the store (NULL: none). */
struct store;
struct store *sys_store(void);

#endif /* CARDOS_SYS_SYS_PRIV_H */
