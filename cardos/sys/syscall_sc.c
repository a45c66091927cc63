/*
 * The secure channel system calls of native applets: the GP Card API
 * SecureChannel services (processSecurity, unwrap, wrap,
 * getSecurityLevel) through the applet's security domain (gp/isd.h
 * gp_sc_*), on the session of the command's logical channel.
 * docs/applets.md "System calls" is the reference. Contract:
 * sys/sys_priv.h.
 *
 * The command arrived in the response buffer (apdu/dispatch.h): unwrap
 * and processSecurity work on it there, so they must come before any
 * response data (NC_E_STATE after nc_send) and once per command.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "gp/isd.h"
#include "gp/scp_session.h"
#include "sys/sys_priv.h"

/* netcard/syscall.h */
#define SC_SC_STATE   16
#define SC_SC_PROCESS 19
#define SC_SC_UNWRAP  20
#define SC_SC_WRAP    21
#define E_INVAL       (-1)
#define E_STATE       (-5)
#define E_LENGTH      (-7)
#define E_SECURITY    (-10)
#define NC_SC_OPEN    0x01u
#define NC_SC_CMAC    0x02u
#define NC_SC_CDEC    0x04u
#define NC_SC_RMAC    0x08u
#define NC_SC_RENC    0x10u

static bool fresh(const struct sys_call *c)
{
    return c->cmd != NULL && c->rsp != NULL && c->rsp->len == 0 &&
           !c->sc_done;
}

static int32_t sc_process(struct sys_call *c)
{
    if (!fresh(c)) {
        return E_STATE;
    }
    if (!gp_sc_process(c->origin, c->cmd, c->rsp)) {
        return E_INVAL;
    }
    c->sc_done = true;
    return c->rsp->sw;
}

static int32_t sc_unwrap(struct sys_call *c)
{
    struct apdu_response *rsp = c->rsp;
    struct apdu plain;
    uint8_t level;
    bool sm;

    if (!fresh(c)) {
        return E_STATE;
    }
    c->sc_done = true;
    sm = scp_cla_has_sm(c->cmd->cla);
    if (gp_sc_unwrap(c->origin, rsp->buf, rsp->cap, c->cmd, &plain) !=
        SW_OK) {
        return E_SECURITY;
    }
    if (plain.nc > rsp->cap) {
        return E_LENGTH;
    }
    if (plain.nc) {
        /* out of the way of the response, at the end of the buffer */
        uint8_t *tail = rsp->buf + rsp->cap - plain.nc;

        memmove(tail, plain.data, plain.nc);
        plain.data = tail;
    }
    c->plain = plain;
    c->cmd = &c->plain;
    level = gp_sc_level(c->origin);
    if (sm && (level & SCP_LEVEL_CMAC)) {
        c->sc_bits |= NC_SC_CMAC;
    }
    if (sm && (level & SCP_LEVEL_CDEC)) {
        c->sc_bits |= NC_SC_CDEC;
    }
    sys_window_fill(c->in, c->origin, c->cmd);
    return (int32_t)plain.nc;
}

static int32_t sc_state(const struct sys_call *c)
{
    uint8_t level = c->origin ? gp_sc_level(c->origin) : 0;
    int32_t bits = c->sc_bits;

    if (level & 0x80u) {
        bits |= NC_SC_OPEN;
    }
    if (level & SCP_LEVEL_RMAC) {
        bits |= NC_SC_RMAC;
    }
    if (level & SCP_LEVEL_RENC) {
        bits |= NC_SC_RENC;
    }
    return bits;
}

enum sys_sc sys_syscall_sc(struct sys_call *c, uint32_t n, const uint32_t a[4],
                           int32_t *r)
{
    switch (n) {
    case SC_SC_STATE:
        *r = sc_state(c);
        break;
    case SC_SC_PROCESS:
        *r = sc_process(c);
        break;
    case SC_SC_UNWRAP:
        *r = sc_unwrap(c);
        break;
    case SC_SC_WRAP:
        /* a[0]: the status word the handler will return */
        if (c->rsp == NULL || a[0] > 0xFFFFu) {
            *r = c->rsp == NULL ? E_STATE : E_INVAL;
            break;
        }
        c->rsp->sw = (uint16_t)a[0];
        gp_sc_wrap(c->origin, c->rsp);
        *r = 0;
        break;
    default:
        return SYS_SC_KILL;
    }
    return SYS_SC_RESUME;
}
