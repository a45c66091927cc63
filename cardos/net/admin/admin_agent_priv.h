/*
 * Inside the admin agent: its one state and the functions that its two
 * files share (admin_agent.c: the connection, the session, the triggers;
 * admin_exec.c: a script's execution). Not for other modules: the
 * contract is admin_agent.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_NET_ADMIN_ADMIN_AGENT_PRIV_H
#define CARDOS_NET_ADMIN_ADMIN_AGENT_PRIV_H

#include "mbedtls/ssl.h"

#include "kernel/event_loop.h"
#include "net/admin/admin_agent_types.h"
#include "net/admin/admin_http.h"
#include "net/admin/admin_script.h"
#include "net/tls/tls_conn.h"

#define ADMIN_APDU_CAP  1024u   /* short APDUs, SCP wrapping, 256 out */
#define ADMIN_OUT_MAX   (768u + ADMIN_RESULT_MAX + 16u)
#define ADMIN_BOOT_POLL_MS 2000u

enum state {
    ST_IDLE = 0,
    ST_CONNECT,         /* TCP SYN sent */
    ST_HANDSHAKE,
    ST_SEND,            /* the POST going out */
    ST_RECV,            /* the response coming in */
    ST_EXEC,            /* executing a script */
    ST_WAIT_RETRY,
};

struct admin_ag {
    const struct admin_agent_config *cfg;
    enum state state;
    struct admin_params p;
    uint8_t sd;
    uint8_t why;
    /* connection */
    struct tcp_pcb *pcb;
    bool tls_on, conf_on, established, broken, aborted;
    struct tls_conn tls;
    mbedtls_ssl_config conf;
    struct soft_timer timer;      /* I/O deadline or retry timer */
    struct soft_timer poll;       /* the poll timer */
    struct soft_timer pend;       /* a pending command's poll */
    /* the POST to send */
    bool got_script;              /* a 200 came: resume at uri */
    bool resuming;                /* the next POST says X-Admin-Resume */
    bool have_results;
    bool chunked, keep_alive;
    bool scws;                    /* res[] holds an SCWS response */
    const char *script_status;
    char uri[ADMIN_URI_MAX + 1];
    uint8_t res[ADMIN_RESULT_MAX];
    size_t res_len;
    uint8_t out[ADMIN_OUT_MAX];
    size_t out_len, out_off;
    /* the response */
    struct admin_rx rx;
    uint8_t script[ADMIN_SCRIPT_MAX];
    /* execution */
    struct admin_script sc;
    struct admin_resp resp;
    uint8_t apdu[ADMIN_APDU_CAP];
    uint8_t target[16], target_len;
    uint8_t cur[16], cur_len;
    unsigned cmd_idx;             /* the script's command, from 1 */
    bool after_reset;             /* resumed after a reset: may replay */
    /* persisted state and outcome */
    struct admin_persist st;
};

/* The agent (one session at a time); "ag" in its two files. */
extern struct admin_ag admin_ag;
#define ag admin_ag

/* admin_agent.c */
void admin_conn_drop(bool notify);      /* NOTIFY: close_notify first */
void admin_breakdown(const char *why);  /* TCP broke: retry per policy */
void admin_connect_start(void *arg);
void admin_send_post(void);
/* admin_exec.c: run the script just received (state ST_EXEC) */
void admin_exec_begin(void);
/* The response carried an embedded SCWS request (admin_scws.h): execute
 * it and post its embedded response like a script's results. */
void admin_exec_scws(void);

#endif /* CARDOS_NET_ADMIN_ADMIN_AGENT_PRIV_H */
