/*
 * The admin agent's script execution (TS 102 226 5.2, Amendment B 3.5):
 * each C-APDU through the APDU runtime on the admin session, one per
 * pass of the event loop, the script journal around it
 * (admin_journal.h). Contract: admin_agent.h; shared state:
 * admin_agent_priv.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "apdu/dispatch.h"
#include "net/admin/admin_agent_priv.h"
#include "net/admin/admin_journal.h"
#include "net/admin/admin_scws.h"

#define LOG_MODULE "admin"
#include "kernel/log.h"

static void step(void *arg);

/* Dispatch APDU[0..len) on the admin session; the R-APDU length or 0
 * while it is pending. */
static size_t run_apdu(size_t len)
{
    size_t rl = 0;

    if (dispatch_command(ag.cfg->session, ag.apdu, len, sizeof(ag.apdu),
                         &rl) == APPLET_PENDING) {
        return 0;
    }
    return rl;
}

static void finish_script(void)
{
    if (ag.scws) {
        goto post;              /* admin_exec_scws() filled res[] */
    }
    admin_journal_end();        /* before the results leave */
    ag.res_len = admin_resp_finish(&ag.resp);
    ag.have_results = true;
    ag.st.scripts++;
    ag.st.commands = (uint16_t)(ag.st.commands + ag.resp.count);
    if (ag.cmd_idx && admin_journal_skipped()) {
        LOG_I("script %u: %u commands (%u not run again after the reset), "
              "status %s", ag.st.scripts, ag.resp.count,
              admin_journal_skipped(), ag.script_status);
    } else {
        LOG_I("script %u: %u commands, status %s", ag.st.scripts,
              ag.resp.count, ag.script_status);
    }
post:
    if (ag.broken || !ag.pcb || !ag.keep_alive) {
        /* reconnect: a broken connection resumes (X-Admin-Resume) */
        bool broken = ag.broken || !ag.pcb;

        admin_conn_drop(!broken);
        ag.state = ST_RECV;     /* so that admin_breakdown() counts a retry */
        if (broken) {
            ag.broken = true;
            admin_breakdown("lost during the script");
        } else {
            admin_connect_start(NULL);
        }
        return;
    }
    admin_send_post();
}

/* SELECT the targeted application on the basic channel when it changes. */
static bool select_target(void)
{
    static const uint8_t isd[8] = { 0xA0, 0x00, 0x00, 0x01, 0x51, 0x00,
                                    0x00, 0x00 };
    const uint8_t *aid = ag.target_len ? ag.target : isd;
    size_t n = ag.target_len ? ag.target_len : sizeof(isd), rl;

    if (ag.target_len == 0xFF) {
        return false;
    }
    if (n == ag.cur_len && memcmp(aid, ag.cur, n) == 0) {
        return true;
    }
    ag.apdu[0] = 0x00;
    ag.apdu[1] = 0xA4;
    ag.apdu[2] = 0x04;
    ag.apdu[3] = 0x00;
    ag.apdu[4] = (uint8_t)n;
    memcpy(ag.apdu + 5, aid, n);
    ag.apdu[5 + n] = 0x00;
    rl = run_apdu(6 + n);
    if (rl < 2 || ag.apdu[rl - 2] != 0x90 || ag.apdu[rl - 1] != 0x00) {
        ag.cur_len = 0;
        return false;
    }
    memcpy(ag.cur, aid, n);
    ag.cur_len = (uint8_t)n;
    return true;
}

/* SCWS 1.1 full HTTP administration: the embedded request runs at once
 * (one store transaction); its embedded response is posted where a
 * script's results would go. */
void admin_exec_scws(void)
{
    unsigned status = 0;

    ag.state = ST_EXEC;
    ag.res_len = admin_scws_exec(ag.script, ag.rx.body_len, sizeof(ag.script),
                                 ag.rx.overflow, ag.res, sizeof(ag.res),
                                 &status);
    ag.scws = true;
    ag.after_reset = false;     /* a PUT again is the same PUT: no journal */
    ag.have_results = true;
    ag.script_status = "ok";
    ag.st.scripts++;
    LOG_I("scws request %u: status %u", ag.st.scripts, status);
    finish_script();
}

void admin_exec_begin(void)
{
    ag.scws = false;
    ag.state = ST_EXEC;
    ag.cmd_idx = 0;
    admin_resp_init(&ag.resp, ag.res, sizeof(ag.res), false);
    ag.script_status = "ok";
    if (ag.rx.overflow) {
        /* a script over ADMIN_SCRIPT_MAX: nothing executed, 90 02 */
        ag.resp.bad = ADMIN_BAD_LENGTH;
        LOG_W("script of %u bytes dropped", (unsigned)ag.rx.body_total);
        finish_script();
        return;
    }
    admin_script_init(&ag.sc, ag.script, ag.rx.body_len);
    ag.resp.indefinite = ag.rx.body_len >= 2 && ag.script[0] == 0xAE;
    if (!select_target()) {
        ag.script_status = "unknown-application";
        finish_script();
        return;
    }
    admin_journal_script(ag.st.serial, ag.uri, ag.script, ag.rx.body_len,
                         ag.after_reset);
    ag.after_reset = false;
    (void)event_post(step, NULL);
}

/* Command cmd_idx answered apdu[0..rl); RAN: it was executed now (not
 * replayed from the journal). */
static void command_done(size_t rl, bool ran)
{
    uint8_t sw1;
    bool journal_ok = true;

    if (rl < 2) {
        ag.apdu[0] = 0x6F;
        ag.apdu[1] = 0x00;
        rl = 2;
    }
    if (ran) {
        journal_ok = admin_journal_after(ag.cmd_idx, ag.apdu, rl);
    }
    if (!admin_resp_add(&ag.resp, ag.apdu, rl) || !journal_ok) {
        finish_script();        /* no room for more results */
        return;
    }
    sw1 = ag.apdu[rl - 2];
    /* TS 102 226 5.2.2: processing stops at an error status word */
    if (!((sw1 == 0x90 && ag.apdu[rl - 1] == 0x00) || sw1 == 0x61 ||
          sw1 == 0x62 || sw1 == 0x63)) {
        if (sw1 == 0x69 && ag.apdu[rl - 1] == 0x82) {
            ag.script_status = "security-error";
        }
        finish_script();
        return;
    }
    (void)event_post(step, NULL);
}

static void pend_fire(void *arg)
{
    size_t rl = 0;

    (void)arg;
    if (dispatch_poll(ag.cfg->session, ag.apdu, sizeof(ag.apdu), &rl) ==
        APPLET_PENDING) {
        return;
    }
    soft_timer_stop(&ag.pend);
    command_done(rl, true);
}

static void step(void *arg)
{
    const uint8_t *c;
    size_t n, rl = 0;

    (void)arg;
    if (ag.state != ST_EXEC) {
        return;
    }
    switch (admin_script_next(&ag.sc, &c, &n)) {
    case ADMIN_SCRIPT_APDU:
        if (!admin_resp_fits(&ag.resp, 258)) {
            finish_script();
            return;
        }
        switch (admin_journal_before(++ag.cmd_idx, ag.apdu, sizeof(ag.apdu),
                                     &rl)) {
        case ADMIN_JOURNAL_SKIP:        /* applied before a power cut */
            command_done(rl, false);
            return;
        case ADMIN_JOURNAL_FAIL:
            ag.apdu[0] = 0x65;          /* memory failure */
            ag.apdu[1] = 0x81;
            command_done(2, false);
            return;
        default:
            break;
        }
        memmove(ag.apdu, c, n);
        if (dispatch_command(ag.cfg->session, ag.apdu, n, sizeof(ag.apdu),
                             &rl) == APPLET_PENDING) {
            soft_timer_start(&ag.pend, 5, 5, pend_fire, NULL);
            return;
        }
        command_done(rl, true);
        return;
    case ADMIN_SCRIPT_BAD:
        ag.resp.bad = ag.sc.bad;
        finish_script();
        return;
    default:
        finish_script();
        return;
    }
}

