/*
 * The admin agent's types and limits (the contract is admin_agent.h,
 * which includes this): the triggers, the outcomes of DF3A, the state the
 * wiring persists, the wiring's configuration. A header of its own so
 * that the agent's private header (admin_agent_priv.h) needs no
 * admin_agent.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_NET_ADMIN_ADMIN_AGENT_TYPES_H
#define CARDOS_NET_ADMIN_ADMIN_AGENT_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apdu/session.h"
#include "net/admin/admin_journal.h"
#include "net/admin/admin_params.h"

#define ADMIN_SCRIPT_MAX     4096u   /* a script body the card executes */
#define ADMIN_RESULT_MAX     2048u   /* a response script */
#define ADMIN_IO_TIMEOUT_MS  20000u  /* connect, handshake, each response */

/* The PSK reference the agent hands TLS (tls_config's PSK_REF). */
#define ADMIN_PSK_REF(sd, kvn, kid) \
    ((uint32_t)(sd) << 16 | (uint32_t)(kvn) << 8 | (uint32_t)(kid))

enum admin_trigger {
    ADMIN_TRIGGER_COMMAND = 0,  /* ISO 7816 command to the security domain */
    ADMIN_TRIGGER_POLL,         /* the poll timer */
    ADMIN_TRIGGER_BOOT,         /* once at boot, network up */
    ADMIN_TRIGGER_APPLET,       /* an applet's system call */
    ADMIN_TRIGGER_RETRY,        /* a retry of an interrupted session */
};

enum admin_start {
    ADMIN_STARTED = 0,
    ADMIN_BUSY,                 /* a session is running */
    ADMIN_NO_PARAMS,            /* no usable parameters or PSK */
    ADMIN_NO_NETWORK,           /* no interface address yet */
};

/* How the last session ended (GET DATA DF3A byte 1). */
enum admin_outcome {
    ADMIN_OUTCOME_NONE = 0,     /* no session yet */
    ADMIN_OUTCOME_OK,           /* 204 reached */
    ADMIN_OUTCOME_RUNNING,
    ADMIN_OUTCOME_RETRYING,     /* waiting for the retry timer */
    ADMIN_OUTCOME_TLS,          /* TLS failure: no retry */
    ADMIN_OUTCOME_HTTP,         /* an HTTP error status or bad response */
    ADMIN_OUTCOME_RETRIES,      /* connection lost, no retry left */
    ADMIN_OUTCOME_NO_PSK,       /* no PSK for the key reference */
    ADMIN_OUTCOME_RESOURCES,    /* no memory / PCB */
};

/* What the wiring persists for the agent (ADMIN_PERSIST object). */
struct admin_persist {
    uint8_t version;            /* 2 */
    uint8_t active;             /* a session to resume after a reset */
    uint8_t outcome;            /* enum admin_outcome */
    uint8_t sd;
    uint16_t retries_left;
    uint16_t detail;            /* HTTP status or -TLS error */
    uint16_t scripts, commands;
    uint16_t serial;            /* sessions triggered (admin_journal.h) */
    char uri[ADMIN_URI_MAX + 1];   /* the last Next-URI ("" none) */
};

struct admin_agent_config {
    struct apdu_session *session;       /* the admin APDU session */
    /* The triggering parameters of security domain SD; false if none. */
    bool (*params)(uint8_t sd, struct admin_params *out);
    /* Persist / load the agent's state (false: none or unreadable). */
    void (*save)(const struct admin_persist *p);
    bool (*load)(struct admin_persist *p);
    /* The script journal's port (admin_journal.h); NULL: no journal. */
    const struct admin_journal_port *journal;
};

#endif /* CARDOS_NET_ADMIN_ADMIN_AGENT_TYPES_H */
