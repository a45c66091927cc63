/*
 * netcard ISO 7816 UART, lockstep with the host (property lockstep=on,
 * `netcard run --deterministic` without a network): the card's virtual
 * clock does not run while the card waits for the host.
 *
 * Why. Under -icount shift=N,sleep=off an idle card's virtual time jumps
 * to its next timer (SysTick for the watchdog keepalive, the free-running
 * timer's wrap) as fast as the host can run the jumps. While the host
 * thinks between two frames the card so lives through a number of idle
 * wake-ups that depends on the host's pace, and its next command starts
 * in a different state (SysTick running or not, soft timers due sooner
 * or later): a driver wait took the other branch of drv_wake_within_ms()
 * and the command cost 4 instructions more or less run to run. A frame
 * taken while the card runs its idle work would also interrupt it at an
 * instruction set by the host's timing.
 *
 * The rule. It is the host's turn when no frame is being answered and
 * the terminal is not activating the card or reading an ATR (an ATR the
 * card sends on its own after a reset included):
 * netcard_iso_lockstep_host_turn(). From the instant the turn opens the
 * card executes no instruction and its virtual time stands still until
 * the host's next frame is taken, at that same instant. Frames are taken
 * only on the host's turn, so one read ahead while a frame is answered
 * waits for its turn too (no power-off cutting a command short at a
 * host-timed instant). Every frame then meets the card at the virtual
 * instant and instruction that the frames before it decide, whatever the
 * host's pace: the same APDUs give the same card run, instruction for
 * instruction. From QEMU's start it is the host's turn: the card boots
 * when the host's first frame (a get-ATR poll) powers it.
 *
 * How. At the instant the turn opens (in the vCPU thread: a device timer
 * or an MMIO access; or in the main loop while the VM is stopped, both
 * at an exact icount) a fence is armed: an expired virtual timer on a
 * timer list that nobody runs. QEMU's icount budget is the time to the
 * earliest virtual deadline of every list, so the vCPU gets a budget of
 * 0 instructions, and the main loop's icount warp (which would move an
 * idle card's clock to its next timer) sees a deadline of 0 and does not
 * move it. A bottom half then stops the VM (vm_stop, RUN_STATE_PAUSED:
 * no warp, no spinning) and drops the fence. The next frame taken ends
 * the turn: fence dropped, VM started again (from a bottom half too).
 * A QMP `cont` (a snapshot restored, a user's resume) while it is the
 * host's turn starts the turn again: the VM stops at once, at the same
 * instant.
 *
 * What it does not cover: the network (libslirp's packets come in host
 * time; the launcher sets lockstep only with no network), and QMP
 * commands run while the card is stopped take effect when it runs again
 * (a power cut while the host has the turn: the card boots, reads as an
 * unsolicited ATR, then the turn is the host's again).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "qapi/error.h"
#include "system/cpu-timers.h"
#include "system/runstate.h"
#include "netcard_iso7816_uart.h"
#include "netcard_iso7816_internal.h"
#include "trace.h"

bool netcard_iso_lockstep_host_turn(NetcardIso7816State *s)
{
    return s->lockstep && !s->host_busy && !term_transitional(s);
}

/* Never called: no one runs the fence's timer list. */
static void ls_fence_cb(void *opaque)
{
}

/* Main loop: make the VM's run state follow the turn. */
static void ls_bh_cb(void *opaque)
{
    NetcardIso7816State *s = opaque;

    if (s->ls_turn) {
        /* a frame that came before its turn is taken now, at the turn */
        netcard_iso_host_pump(s);
    }
    if (s->ls_turn) {
        if (runstate_is_running()) {
            trace_netcard_iso_lockstep("host's turn: card stopped");
            s->ls_frozen = true;
            vm_stop(RUN_STATE_PAUSED);
        }
        /* stopped: no instruction runs, no warp; the fence can go */
        timer_del(&s->ls_fence);
    } else if (s->ls_frozen) {
        s->ls_frozen = false;
        if (!runstate_is_running()) {
            trace_netcard_iso_lockstep("frame taken: card runs");
            vm_start();
        }
    }
}

void netcard_iso_lockstep_settle(NetcardIso7816State *s)
{
    bool turn = netcard_iso_lockstep_host_turn(s);

    if (!s->lockstep || turn == s->ls_turn) {
        return;
    }
    s->ls_turn = turn;
    if (turn) {
        /*
         * Expired from the start: the vCPU's budget is 0 from now on (the
         * list's notifier kicks it out of the block it is in, and an
         * MMIO access is the last instruction of its block under icount).
         */
        timer_mod(&s->ls_fence, 0);
    } else {
        timer_del(&s->ls_fence);
    }
    qemu_bh_schedule(s->ls_bh);
}

/* A resume we did not do (QMP cont, a snapshot loaded) on the host's turn. */
static void ls_vm_state_change(void *opaque, bool running, RunState state)
{
    NetcardIso7816State *s = opaque;

    if (!running || !s->lockstep) {
        return;
    }
    s->ls_frozen = false;
    s->ls_turn = !netcard_iso_lockstep_host_turn(s);   /* settle again */
    netcard_iso_lockstep_settle(s);
}

bool netcard_iso_lockstep_realize(NetcardIso7816State *s, Error **errp)
{
    if (!s->lockstep) {
        return true;
    }
    if (!icount_enabled()) {
        error_setg(errp, "netcard-iso7816-uart: lockstep=on needs -icount");
        return false;
    }
    timerlistgroup_init(&s->ls_tlg, qemu_timer_notify_cb, NULL);
    timer_init_full(&s->ls_fence, &s->ls_tlg, QEMU_CLOCK_VIRTUAL, SCALE_NS,
                    0, ls_fence_cb, s);
    s->ls_bh = qemu_bh_new(ls_bh_cb, s);
    s->ls_vmse = qemu_add_vm_change_state_handler(ls_vm_state_change, s);
    /* the host's turn from the start (settled when the VM first runs) */
    s->ls_turn = false;
    return true;
}

void netcard_iso_lockstep_unrealize(NetcardIso7816State *s)
{
    if (!s->lockstep) {
        return;
    }
    qemu_del_vm_change_state_handler(s->ls_vmse);
    qemu_bh_delete(s->ls_bh);
    timer_del(&s->ls_fence);
    timerlistgroup_deinit(&s->ls_tlg);
}
