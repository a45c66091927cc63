/*
 * insn_window: a QEMU TCG plugin that counts the guest instructions
 * executed inside marked windows of a guest program.
 *
 *   qemu-system-arm ... -plugin PATH/libinsn_window.so,begin=ADDR,end=ADDR,out=FILE
 *                              [,exclude=START-END]...
 *
 * begin, end  guest addresses (hex with 0x, or decimal) of the first
 *             instruction of two marker functions; the Thumb bit (bit 0)
 *             of an ELF function symbol is ignored. tests/bench/elfsym.py
 *             looks them up in an ELF.
 * out         file to write; created (truncated) at start. Default: QEMU's
 *             plugin log (shown with -d plugin; -D FILE to redirect).
 * exclude     optional, repeatable, up to 8: instructions whose address is
 *             in [START, END) are counted apart ("excluded"), not in
 *             "insns" (e.g. a busy-wait whose duration something else
 *             accounts for).
 *
 * Contract. A window opens each time the vCPU executes the instruction at
 * begin and closes the next time it executes the instruction at end. Its
 * count is every instruction executed from the one at begin (included) up
 * to the one at end (not included), exceptions and interrupt handlers
 * taken meanwhile included. When it closes, one line is written and
 * flushed:
 *
 *   window=<n> insns=<count> excluded=<count>
 *
 * n counts windows from 1, per plugin instance. A begin while a window is
 * open restarts it (and the line says restarted=1 when it closes); an end
 * with no window open is ignored. A window still open when QEMU exits is
 * reported as "window=<n> open insns=... excluded=...". Bad arguments:
 * a message on stderr ("insn_window: ...") and QEMU refuses to start.
 *
 * Counting is exact: an inline add (no call into the plugin) before every
 * instruction, into a per-vCPU counter; only the two marker instructions
 * get a callback. With several vCPUs each one has its own windows, and
 * the line names the vCPU ("vcpu=<i> " after the window number).
 *
 * This file is test tooling run inside QEMU; it uses only QEMU's public
 * plugin API (include/qemu/qemu-plugin.h, API version 4).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include <qemu-plugin.h>

#include "plugin_args.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define MAX_EXCLUDES 8

struct addr_range {
    uint64_t start, end;    /* [start, end) */
};

/* One per vCPU, in a scoreboard (the inline adds write insns/excluded). */
struct vcpu_window {
    uint64_t insns;         /* every counted instruction since start */
    uint64_t excluded;      /* instructions in an exclude range */
    uint64_t open_insns;    /* insns when the window opened */
    uint64_t open_excluded;
    uint64_t open;          /* a window is open */
    uint64_t restarted;     /* the open window was restarted by a begin */
};

static uint64_t begin_addr, end_addr;
static struct addr_range excludes[MAX_EXCLUDES];
static unsigned n_excludes;
static FILE *out;
static char *out_path;
static struct qemu_plugin_scoreboard *windows;
static qemu_plugin_u64 insns_entry, excluded_entry;
static bool several_vcpus;
static GMutex output_lock;
static unsigned windows_closed;

static struct vcpu_window *window_of(unsigned int vcpu_index)
{
    return qemu_plugin_scoreboard_find(windows, vcpu_index);
}

static void emit(const char *line)
{
    if (out) {
        fputs(line, out);
        fflush(out);
    } else {
        qemu_plugin_outs(line);
    }
}

static void on_begin(unsigned int vcpu_index, void *udata)
{
    struct vcpu_window *w = window_of(vcpu_index);

    (void)udata;
    w->restarted = w->open;
    w->open = 1;
    w->open_insns = w->insns;
    w->open_excluded = w->excluded;
}

static void format_window(char *buf, size_t size, unsigned n,
                          unsigned int vcpu_index, const char *state,
                          const struct vcpu_window *w)
{
    char vcpu[32] = "";

    if (several_vcpus) {
        snprintf(vcpu, sizeof(vcpu), " vcpu=%u", vcpu_index);
    }
    snprintf(buf, size, "window=%u%s%s insns=%" PRIu64 " excluded=%" PRIu64
             "%s\n", n, vcpu, state, w->insns - w->open_insns,
             w->excluded - w->open_excluded,
             w->restarted ? " restarted=1" : "");
}

static void on_end(unsigned int vcpu_index, void *udata)
{
    struct vcpu_window *w = window_of(vcpu_index);
    char line[160];

    (void)udata;
    if (!w->open) {
        return;
    }
    g_mutex_lock(&output_lock);
    format_window(line, sizeof(line), ++windows_closed, vcpu_index, "", w);
    emit(line);
    g_mutex_unlock(&output_lock);
    w->open = 0;
    w->restarted = 0;
}

static bool excluded_addr(uint64_t vaddr)
{
    for (unsigned i = 0; i < n_excludes; i++) {
        if (vaddr >= excludes[i].start && vaddr < excludes[i].end) {
            return true;
        }
    }
    return false;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);

    (void)id;
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t vaddr = qemu_plugin_insn_vaddr(insn);

        /*
         * Callbacks run in registration order: the marker callback sees
         * the counters before this instruction's own add, so begin's
         * first instruction is inside the window and end's is not.
         */
        if (vaddr == begin_addr) {
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_begin,
                                                   QEMU_PLUGIN_CB_NO_REGS, NULL);
        }
        if (vaddr == end_addr) {
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_end,
                                                   QEMU_PLUGIN_CB_NO_REGS, NULL);
        }
        qemu_plugin_register_vcpu_insn_exec_inline_per_vcpu(
            insn, QEMU_PLUGIN_INLINE_ADD_U64,
            excluded_addr(vaddr) ? excluded_entry : insns_entry, 1);
    }
}

static void plugin_exit(qemu_plugin_id_t id, void *udata)
{
    char line[160];
    int n = qemu_plugin_num_vcpus();

    (void)id;
    (void)udata;
    g_mutex_lock(&output_lock);
    for (int i = 0; i < n; i++) {
        struct vcpu_window *w = window_of((unsigned)i);

        if (w->open) {
            format_window(line, sizeof(line), windows_closed + 1, (unsigned)i,
                          " open", w);
            emit(line);
        }
    }
    if (out) {
        fclose(out);
        out = NULL;
    }
    g_mutex_unlock(&output_lock);
    qemu_plugin_scoreboard_free(windows);
    g_free(out_path);
}

static bool parse_range(const char *s, struct addr_range *r)
{
    const char *dash = strchr(s, '-');
    char *first;
    bool ok;

    if (!dash) {
        return false;
    }
    first = g_strndup(s, (gsize)(dash - s));
    ok = plugin_parse_u64(first, &r->start) && plugin_parse_u64(dash + 1, &r->end) &&
         r->start < r->end;
    g_free(first);
    return ok;
}

/* Installation errors go to stderr: QEMU then exits, naming the plugin. */
QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info,
                                           int argc, char **argv)
{
    bool have_begin = false, have_end = false;

    for (int i = 0; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        const char *val = eq ? eq + 1 : "";
        size_t klen = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);

        if (klen == 5 && !strncmp(argv[i], "begin", 5)) {
            if (!plugin_parse_u64(val, &begin_addr)) {
                return plugin_fail("insn_window: bad begin address '%s'\n", val);
            }
            begin_addr &= ~(uint64_t)1;
            have_begin = true;
        } else if (klen == 3 && !strncmp(argv[i], "end", 3)) {
            if (!plugin_parse_u64(val, &end_addr)) {
                return plugin_fail("insn_window: bad end address '%s'\n", val);
            }
            end_addr &= ~(uint64_t)1;
            have_end = true;
        } else if (klen == 3 && !strncmp(argv[i], "out", 3)) {
            g_free(out_path);
            out_path = g_strdup(val);
        } else if (klen == 7 && !strncmp(argv[i], "exclude", 7)) {
            if (n_excludes == MAX_EXCLUDES) {
                return plugin_fail("insn_window: more than 8 exclude ranges at '%s'\n",
                            val);
            }
            if (!parse_range(val, &excludes[n_excludes])) {
                return plugin_fail("insn_window: bad exclude range '%s' "
                            "(START-END, START < END)\n", val);
            }
            n_excludes++;
        } else {
            return plugin_fail("insn_window: unknown argument '%s' (begin=, end=, "
                        "out=, exclude=)\n", argv[i]);
        }
    }
    if (!have_begin || !have_end) {
        return plugin_fail("insn_window: %s\n", "begin=ADDR and end=ADDR are required");
    }
    if (begin_addr == end_addr) {
        return plugin_fail("insn_window: %s\n", "begin and end are the same address");
    }
    if (out_path && *out_path) {
        out = fopen(out_path, "w");
        if (!out) {
            return plugin_fail("insn_window: cannot create out file '%s'\n", out_path);
        }
    }

    several_vcpus = info->system_emulation && info->system.max_vcpus > 1;
    windows = qemu_plugin_scoreboard_new(sizeof(struct vcpu_window));
    insns_entry = qemu_plugin_scoreboard_u64_in_struct(
        windows, struct vcpu_window, insns);
    excluded_entry = qemu_plugin_scoreboard_u64_in_struct(
        windows, struct vcpu_window, excluded);

    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
    return 0;
}
