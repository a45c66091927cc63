/*
 * The Amendment B administration agent. Contract: admin_agent.h.
 *
 * One session at a time, one state machine: lwIP's callbacks (connected,
 * recv, sent, err), a soft timer (I/O deadline, retry timer) and posted
 * events (one script command per pass of the event loop) advance it.
 * Session-level decisions (retry, end) are taken outside lwIP callbacks
 * where they would free the PCB the callback runs for: such callbacks
 * return ERR_ABRT after tcp_abort (admin_conn_drop).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "mbedtls/ssl.h"

#include <string.h>

#include "apdu/dispatch.h"
#include "crypto/mbedtls_heap.h"
#include "kernel/event_loop.h"
#include "lwip/ip_addr.h"
#include "lwip/tcp.h"
#include "net/admin/admin_agent.h"
#include "net/admin/admin_agent_priv.h"
#include "net/admin/admin_http.h"
#include "net/admin/admin_scws.h"
#include "net/admin/admin_script.h"
#include "net/http/https_server.h"
#include "net/net.h"
#include "net/tls/tls.h"
#include "net/tls/tls_conn.h"

#define LOG_MODULE "admin"
#include "kernel/log.h"

_Static_assert(CRYPTO_MBEDTLS_HEAP_SIZE >=
               (HTTPS_MAX_SESSIONS + 1u) * CRYPTO_MBEDTLS_TLS_SESSION_PEAK,
               "the mbedTLS heap must hold the HTTPS sessions and the agent's");

#define ADMIN_BOOT_POLL_MS 2000u

static const char *const trigger_names[] = {
    "command", "poll", "boot", "applet", "retry",
};

struct admin_ag admin_ag;

static void drive(void);

/* ---- persistence and outcome ------------------------------------------- */

static void save(void)
{
    if (ag.cfg && ag.cfg->save) {
        ag.cfg->save(&ag.st);
    }
}

static void poll_fire(void *arg);

static void poll_restart(void)
{
    struct admin_params p;

    soft_timer_stop(&ag.poll);
    if (ag.cfg && ag.cfg->params(0, &p) && p.poll_s) {
        uint32_t ms = p.poll_s > 2000000u ? 2000000000u : p.poll_s * 1000u;

        soft_timer_start(&ag.poll, ms, ms, poll_fire, NULL);
    }
}

/* ---- the connection ----------------------------------------------------- */

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t e);
static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len);
static void on_err(void *arg, err_t e);
static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t e);

/* Let the connection go; NOTIFY: a close_notify first (a clean end). */
void admin_conn_drop(bool notify)
{
    struct tcp_pcb *pcb = ag.pcb;

    if (pcb) {
        tcp_arg(pcb, NULL);
        tcp_recv(pcb, NULL);
        tcp_sent(pcb, NULL);
        tcp_err(pcb, NULL);
    }
    if (ag.tls_on) {
        if (notify && pcb && ag.established) {
            (void)mbedtls_ssl_close_notify(&ag.tls.ssl);
            tcp_output(pcb);
        }
        tls_conn_release(&ag.tls);
        ag.tls_on = false;
    }
    if (pcb && (!notify || tcp_close(pcb) != ERR_OK)) {
        tcp_abort(pcb);
        ag.aborted = true;
    }
    ag.pcb = NULL;
    ag.established = false;
    soft_timer_stop(&ag.timer);
}

static void end(enum admin_outcome outcome, int detail, const char *reason)
{
    bool clean = outcome == ADMIN_OUTCOME_OK;

    admin_conn_drop(clean);
    soft_timer_stop(&ag.pend);
    admin_journal_cancel();     /* a command left pending: abandoned */
    if (ag.conf_on) {
        mbedtls_ssl_config_free(&ag.conf);
        ag.conf_on = false;
    }
    if (ag.cfg->session) {
        dispatch_reset(ag.cfg->session);   /* its secure channels end */
    }
    ag.st.active = 0;
    ag.st.outcome = (uint8_t)outcome;
    ag.st.detail = (uint16_t)detail;
    save();
    ag.state = ST_IDLE;
    if (clean) {
        LOG_I("session ok: %u scripts, %u commands", ag.st.scripts,
              ag.st.commands);
    } else {
        LOG_W("session failed: %s (%d), %u retries left", reason, detail,
              ag.st.retries_left);
    }
}

static void timer_fire(void *arg);

static void arm_io(void)
{
    soft_timer_start(&ag.timer, ADMIN_IO_TIMEOUT_MS, 0, timer_fire, NULL);
}

void admin_connect_start(void *arg);

/* The connection broke (TCP level): retry per the policy. */
void admin_breakdown(const char *why)
{
    admin_conn_drop(false);
    if (ag.state == ST_EXEC) {
        ag.broken = true;       /* the script finishes first */
        return;
    }
    if (ag.st.retries_left == 0) {
        end(ADMIN_OUTCOME_RETRIES, 0, why);
        return;
    }
    ag.st.retries_left--;
    ag.resuming = ag.got_script;    /* Amendment B 3.4.5 */
    ag.st.outcome = ADMIN_OUTCOME_RETRYING;
    save();         /* decremented on the NVM before the attempt */
    LOG_W("connection lost (%s); retry, %u left, in %u ms", why,
          ag.st.retries_left, (unsigned)ag.p.retry_ms);
    ag.state = ST_WAIT_RETRY;
    soft_timer_start(&ag.timer, ag.p.retry_ms ? ag.p.retry_ms : 1u, 0,
                     admin_connect_start, NULL);
}

static void timer_fire(void *arg)
{
    (void)arg;
    if (ag.state == ST_CONNECT || ag.state == ST_HANDSHAKE ||
        ag.state == ST_SEND || ag.state == ST_RECV) {
        admin_breakdown("timeout");
    }
}

void admin_connect_start(void *arg)
{
    ip_addr_t ip;
    int r;

    (void)arg;
    if (!ag.conf_on) {
        mbedtls_ssl_config_init(&ag.conf);
        ag.conf_on = true;
        r = tls_config(&ag.conf, TLS_ROLE_CLIENT,
                       ADMIN_PSK_REF(ag.sd, ag.p.kvn, ag.p.kid));
        if (r != 0) {
            end(r == TLS_ERR_NO_PSK ? ADMIN_OUTCOME_NO_PSK
                                    : ADMIN_OUTCOME_RESOURCES, r, "no PSK");
            return;
        }
        if (ag.p.tls_flags & ADMIN_TLS_NULL_SHA256) {
            tls_conf_allow_null(&ag.conf);  /* DF3D: configured */
        }
        /* RFC 6066 max_fragment_length: Amendment B 2.2.3 wants 512 */
        (void)mbedtls_ssl_conf_max_frag_len(&ag.conf,
                                            MBEDTLS_SSL_MAX_FRAG_LEN_512);
    }
    ag.pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
    if (!ag.pcb) {
        admin_breakdown("no PCB");
        return;
    }
    tcp_setprio(ag.pcb, TCP_PRIO_NORMAL);
    tcp_nagle_disable(ag.pcb);
    tcp_arg(ag.pcb, &ag);
    tcp_recv(ag.pcb, on_recv);
    tcp_sent(ag.pcb, on_sent);
    tcp_err(ag.pcb, on_err);
    ip_addr_set_ip4_u32(&ip, lwip_htonl(ag.p.ip));
    ag.state = ST_CONNECT;
    arm_io();
    if (tcp_connect(ag.pcb, &ip, ag.p.port, on_connected) != ERR_OK) {
        admin_breakdown("connect");
    }
}

/* Build the POST for the current state into out[]. */
static bool build_post(void)
{
    struct admin_post q = {
        .host = ag.p.host,
        .from = ag.p.from,
        .uri = ag.got_script ? ag.uri : ag.p.uri,
        .resume = ag.resuming,
        .chunked = ag.chunked,
    };

    if (ag.have_results) {
        q.content_type = ag.scws ? ADMIN_CT_SCWS_RESPONSE : NULL;
        q.script_status = ag.script_status;
        q.body = ag.res;
        q.body_len = ag.res_len;
    }
    ag.out_len = admin_post_write(&q, ag.out, sizeof(ag.out));
    ag.out_off = 0;
    return ag.out_len != 0;
}

void admin_send_post(void)
{
    if (!build_post()) {
        end(ADMIN_OUTCOME_HTTP, 0, "request does not fit");
        return;
    }
    ag.state = ST_SEND;
    arm_io();
    drive();
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t e)
{
    (void)arg;
    if (e != ERR_OK || pcb != ag.pcb) {
        return ERR_OK;
    }
    if (!tls_conn_setup(&ag.tls, &ag.conf, pcb)) {
        ag.aborted = false;
        end(ADMIN_OUTCOME_RESOURCES, 0, "no TLS memory");
        return ag.aborted ? ERR_ABRT : ERR_OK;
    }
    ag.tls_on = true;
    ag.state = ST_HANDSHAKE;
    arm_io();
    ag.aborted = false;
    drive();
    return ag.aborted ? ERR_ABRT : ERR_OK;
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t e)
{
    (void)e;
    if (arg == NULL || pcb != ag.pcb || !ag.tls_on) {
        if (p) {
            tcp_recved(pcb, p->tot_len);
            pbuf_free(p);
        }
        return ERR_OK;
    }
    tls_conn_input(&ag.tls, p);
    ag.aborted = false;
    drive();
    return ag.aborted ? ERR_ABRT : ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    (void)len;
    if (arg == NULL || pcb != ag.pcb) {
        return ERR_OK;
    }
    ag.aborted = false;
    if (ag.state == ST_HANDSHAKE || ag.state == ST_SEND) {
        drive();
    }
    return ag.aborted ? ERR_ABRT : ERR_OK;
}

static void on_err(void *arg, err_t e)
{
    (void)e;
    if (arg == NULL) {
        return;
    }
    ag.pcb = NULL;              /* freed by lwIP */
    if (ag.tls_on) {
        ag.tls.pcb = NULL;
    }
    admin_breakdown("reset");
}

/* ---- responses ---------------------------------------------------------- */


static void response_done(void)
{
    unsigned status = ag.rx.resp.status;
    char tgt[64];

    soft_timer_stop(&ag.timer);
    if (status == 204) {            /* Amendment B 3.3.3: no more work */
        end(ADMIN_OUTCOME_OK, 204, "ok");
        return;
    }
    if (status != 200) {            /* 3.3.4: an error status ends it */
        end(ADMIN_OUTCOME_HTTP, (int)status, "HTTP status");
        return;
    }
    ag.keep_alive = ag.rx.resp.keep_alive;
    ag.chunked = ag.rx.chunked;
    if (!admin_rx_field(&ag.rx, "X-Admin-Next-URI", ag.uri, sizeof(ag.uri)) ||
        ag.uri[0] != '/') {
        /* no Next-URI: the results go to the first URI */
        memcpy(ag.uri, ag.p.uri, sizeof(ag.uri));
    }
    ag.target_len = 0;
    if (admin_rx_field(&ag.rx, "X-Admin-Targeted-Application", tgt,
                       sizeof(tgt))) {
        ag.target_len = (uint8_t)admin_parse_target(tgt, ag.target);
        if (ag.target_len == 0) {
            ag.target_len = 0xFF;   /* malformed: unknown application */
        }
    }
    ag.got_script = true;
    ag.resuming = false;
    ag.broken = false;
    ag.st.active = 1;
    memcpy(ag.st.uri, ag.uri, sizeof(ag.st.uri));
    save();
    /* SCWS 1.1 full HTTP administration: an embedded request instead of
     * a GP script, in the same session (admin_scws.h) */
    if (admin_rx_field(&ag.rx, "Content-Type", tgt, sizeof(tgt)) &&
        admin_scws_is_request(tgt)) {
        admin_exec_scws();
        return;
    }
    admin_exec_begin();
}

/* Read what TLS has; act on a complete response. */
static void recv_some(void)
{
    uint8_t tmp[512];

    for (;;) {
        int r = mbedtls_ssl_read(&ag.tls.ssl, tmp, sizeof(tmp));
        size_t used;
        enum admin_rx_result res;

        if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE) {
            return;
        }
        if (r == 0 || r == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY ||
            r == MBEDTLS_ERR_SSL_CONN_EOF) {
            admin_breakdown("closed");
            return;
        }
        if (r < 0) {                /* an alert, a bad record: TLS failure */
            end(ADMIN_OUTCOME_TLS, r, "TLS");
            return;
        }
        arm_io();
        res = admin_rx_feed(&ag.rx, tmp, (size_t)r, &used);
        if (res == ADMIN_RX_BAD) {
            end(ADMIN_OUTCOME_HTTP, 0, "malformed response");
            return;
        }
        if (res == ADMIN_RX_DONE) {
            response_done();
            return;
        }
    }
}

static void drive(void)
{
    int r;

    if (ag.state == ST_HANDSHAKE) {
        r = tls_conn_handshake(&ag.tls);
        if (r > 0) {
            if (ag.tls.peer_closed) {
                admin_breakdown("closed in handshake");
                return;
            }
            tcp_output(ag.pcb);
            return;
        }
        if (r < 0) {                /* bad PSK, alert: no retry (2.2.3) */
            tcp_output(ag.pcb);
            end(ADMIN_OUTCOME_TLS, r, "TLS handshake");
            return;
        }
        ag.established = true;
        if (!build_post()) {
            end(ADMIN_OUTCOME_HTTP, 0, "request does not fit");
            return;
        }
        ag.state = ST_SEND;
        arm_io();
    }
    if (ag.state == ST_SEND) {
        while (ag.out_off < ag.out_len) {
            r = mbedtls_ssl_write(&ag.tls.ssl, ag.out + ag.out_off,
                                  ag.out_len - ag.out_off);
            if (r == MBEDTLS_ERR_SSL_WANT_WRITE ||
                r == MBEDTLS_ERR_SSL_WANT_READ) {
                tcp_output(ag.pcb);
                return;
            }
            if (r < 0) {
                admin_breakdown("write");
                return;
            }
            ag.out_off += (size_t)r;
        }
        tcp_output(ag.pcb);
        admin_rx_init(&ag.rx, ag.script, sizeof(ag.script));
        ag.state = ST_RECV;
        arm_io();
    }
    if (ag.state == ST_RECV) {
        recv_some();
    }
}

/* ---- triggers ----------------------------------------------------------- */

enum admin_start admin_agent_trigger(uint8_t sd, enum admin_trigger why)
{
    struct net_info ni;
    bool resume = why == ADMIN_TRIGGER_RETRY;

    if (!ag.cfg) {
        return ADMIN_NO_NETWORK;
    }
    if (ag.state != ST_IDLE) {
        return ADMIN_BUSY;
    }
    net_get_info(&ni);
    if (!ni.configured) {
        return ADMIN_NO_NETWORK;
    }
    if (!ag.cfg->params(sd, &ag.p)) {
        return ADMIN_NO_PARAMS;
    }
    ag.sd = sd;
    ag.why = (uint8_t)why;
    ag.got_script = resume && ag.st.uri[0] == '/';
    /* after a reset always X-Admin-Resume, also at the first URI when no
     * Next-URI was kept: the server may then give back a job it had sent
     * (docs/remote-admin.md "Power cuts during a script") */
    ag.resuming = resume;
    ag.broken = false;
    ag.have_results = false;
    ag.scws = false;
    ag.chunked = false;
    ag.keep_alive = true;
    ag.cur_len = 0;
    if (ag.got_script) {
        memcpy(ag.uri, ag.st.uri, sizeof(ag.uri));
    }
    ag.after_reset = resume;    /* only boot_fire resumes by trigger */
    if (!resume) {
        ag.st.serial++;
        ag.st.uri[0] = '\0';
        ag.st.retries_left = ag.p.retries;
        ag.st.scripts = ag.st.commands = 0;
    }
    ag.st.version = 2;
    ag.st.sd = sd;
    ag.st.active = 1;
    ag.st.outcome = ADMIN_OUTCOME_RUNNING;
    ag.st.detail = 0;
    save();
    dispatch_reset(ag.cfg->session);
    LOG_I("session start (%s) to %u.%u.%u.%u:%u", trigger_names[why],
          (unsigned)(ag.p.ip >> 24), (unsigned)(ag.p.ip >> 16 & 0xFF),
          (unsigned)(ag.p.ip >> 8 & 0xFF), (unsigned)(ag.p.ip & 0xFF),
          ag.p.port);
    admin_connect_start(NULL);
    return ADMIN_STARTED;
}

bool admin_agent_busy(void)
{
    return ag.state != ST_IDLE;
}

bool admin_agent_session_sd(uint8_t *sd)
{
    if (ag.state == ST_IDLE) {
        return false;
    }
    *sd = ag.sd;
    return true;
}

static void poll_fire(void *arg)
{
    (void)admin_agent_trigger(0, arg ? ADMIN_TRIGGER_BOOT : ADMIN_TRIGGER_POLL);
}

static struct soft_timer boot_timer;

static void boot_fire(void *arg)
{
    (void)arg;
    if (ag.st.active && ag.st.retries_left) {
        /* a session a reset interrupted: resume it, one retry spent */
        uint16_t left = (uint16_t)(ag.st.retries_left - 1u);

        if (admin_agent_trigger(ag.st.sd, ADMIN_TRIGGER_RETRY) ==
            ADMIN_STARTED) {
            ag.st.retries_left = left;
            save();
        }
        return;
    }
    if (ag.st.active) {
        ag.st.active = 0;
        ag.st.outcome = ADMIN_OUTCOME_RETRIES;
        save();
    }
    {
        struct admin_params p;

        if (ag.cfg->params(0, &p) && p.poll_s) {
            poll_fire(&boot_timer);
        }
    }
}

void admin_agent_init(const struct admin_agent_config *cfg)
{
    ag.cfg = cfg;
    ag.state = ST_IDLE;
    admin_journal_init(cfg->journal);
    if (!cfg->load || !cfg->load(&ag.st) || ag.st.version != 2) {
        memset(&ag.st, 0, sizeof(ag.st));
    }
    ag.st.uri[sizeof(ag.st.uri) - 1] = '\0';
    if (ag.st.outcome == ADMIN_OUTCOME_RUNNING ||
        ag.st.outcome == ADMIN_OUTCOME_RETRYING) {
        ag.st.active = 1;
    }
    poll_restart();
    /* the boot poll and a resume wait for DHCP (or its fallback) */
    soft_timer_start(&boot_timer, ADMIN_BOOT_POLL_MS, 0, boot_fire, NULL);
}

void admin_agent_params_changed(void)
{
    poll_restart();
}

size_t admin_agent_status(uint8_t *out, size_t cap)
{
    if (cap < 13) {
        return 0;
    }
    out[0] = 0xDF;
    out[1] = 0x3A;
    out[2] = 10;
    out[3] = ag.st.outcome;
    out[4] = (uint8_t)(ag.st.retries_left >> 8);
    out[5] = (uint8_t)ag.st.retries_left;
    out[6] = (uint8_t)(ag.st.detail >> 8);
    out[7] = (uint8_t)ag.st.detail;
    out[8] = (uint8_t)(ag.st.scripts >> 8);
    out[9] = (uint8_t)ag.st.scripts;
    out[10] = (uint8_t)(ag.st.commands >> 8);
    out[11] = (uint8_t)ag.st.commands;
    out[12] = ag.why;
    return 13;
}

size_t admin_agent_ram_bytes(void)
{
    return sizeof(ag);
}
