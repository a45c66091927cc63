/*
 * apdu_cost: a QEMU TCG plugin that counts the guest instructions the card
 * OS spends on each command APDU and writes one CSV row per command.
 *
 *   qemu-system-arm ... -plugin PATH/libapdu_cost.so,rx=ADDR,tx=ADDR,
 *                               cmd=ADDR[,reset=ADDR],out=FILE.csv
 *
 * `netcard run --apdu-cost FILE.csv` looks the addresses up in the card
 * OS image (tools/netcard_host/cost.py); they are the first instructions
 * of these card OS functions (the Thumb bit is ignored):
 *
 *   rx   iso_card_rx(data, n): the contact transport receives characters
 *   tx   iso_uart_write(buf, len): the card queues characters to send
 *   cmd  dispatch_command(session, buf, len, ...): a whole command APDU
 *        reaches the APDU runtime (buf holds CLA INS P1 P2 ...)
 *   reset reset_handler: the chip starts (optional)
 *
 * How an exchange is delimited (docs/testing.md "Instruction counts").
 * The instruction stream is cut into segments: a segment opens at the
 * first rx after the card last spoke (tx) and ends with its last tx. A
 * segment in which cmd ran is a command; its row counts every
 * instruction from the first received character to the last character
 * sent, interrupts included, the card's idle time between exchanges
 * excluded. Segments without cmd are transport turns of the same
 * exchange: one whose answer is a single byte (a T=0 procedure byte) or
 * a T=1 R-block belongs to the command that follows (T=0 data phase,
 * T=1 chained command); any other answer (T=0 GET RESPONSE or 6Cxx
 * re-issue, T=1 response chaining, WTX) extends the command before it.
 * A reset ends the segment open (a command the reset cut short ends
 * there) and writes the row in progress: a row never counts a reset and
 * the boot after it. A tx with no segment open is an ATR. A segment
 * answered with PPS (first byte FF) is not a command.
 *
 * Output: a CSV file, created at start, a row written and flushed as soon
 * as the next command reaches the dispatcher (the last one when QEMU
 * exits):
 *
 *   apdu,header,command_bytes,instructions
 *   1,00A40400,15,48211
 *
 * apdu counts from 1; header is CLA INS P1 P2 in hex; command_bytes the
 * length the dispatcher received. Counts are exact (an inline add before
 * every instruction) and repeat run to run under `--deterministic`
 * (-icount): without it, how characters arrive relative to the card's
 * polling can change them a little. One vCPU (the netcard SoC has one).
 *
 * This file runs inside QEMU; it uses only QEMU's public plugin API
 * (include/qemu/qemu-plugin.h, API version 4).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include <qemu-plugin.h>

#include "plugin_args.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define HEADER_BYTES  4
#define TX_HEAD_BYTES 4
#define T0_ACK_LEN    1
#define T1_RBLOCK_MIN 4         /* NAD PCB LEN=0 LRC (5 with a CRC) */
#define T1_RBLOCK_MAX 5
#define PPSS          0xffu

enum marker { M_RX, M_TX, M_CMD, M_RESET, M_COUNT };

static const char *const marker_names[M_COUNT] = {
    "rx", "tx", "cmd", "reset",
};

struct segment {
    bool open;
    bool spoke;                 /* a tx since the last rx */
    bool cmd;
    uint64_t start, last_tx;
    size_t tx_len;
    uint8_t tx_head[TX_HEAD_BYTES];
    uint8_t header[HEADER_BYTES];
    size_t header_len;
    uint64_t cmd_len;
};

struct row {
    bool pending;
    uint64_t start, end;
    uint8_t header[HEADER_BYTES];
    size_t header_len;
    uint64_t cmd_len;
};

static uint64_t marker_addr[M_COUNT];
static bool have_marker[M_COUNT];
static char *out_path;
static FILE *out;
static struct qemu_plugin_scoreboard *counts;
static qemu_plugin_u64 insns;
static struct qemu_plugin_register *reg_r[3];
static GMutex lock;

static struct segment seg;
static struct row row;
static bool have_prelude;
static uint64_t prelude_start;
static unsigned rows_written;

static uint64_t now(unsigned int vcpu)
{
    return qemu_plugin_u64_get(insns, vcpu);
}

static uint32_t read_reg(int n)
{
    g_autoptr(GByteArray) buf = g_byte_array_new();
    uint32_t v = 0;

    if (reg_r[n] && qemu_plugin_read_register(reg_r[n], buf) >= 4) {
        memcpy(&v, buf->data, 4);   /* little-endian guest and host */
    }
    return v;
}

static size_t read_mem(uint32_t addr, uint8_t *dst, size_t len)
{
    g_autoptr(GByteArray) buf = g_byte_array_new();

    if (!len || !qemu_plugin_read_memory_vaddr(addr, buf, len)) {
        return 0;
    }
    memcpy(dst, buf->data, len);
    return len;
}

static void write_row(void)
{
    char hex[2 * HEADER_BYTES + 1] = "";

    if (!row.pending) {
        return;
    }
    for (size_t i = 0; i < row.header_len; i++) {
        snprintf(hex + 2 * i, 3, "%02X", row.header[i]);
    }
    fprintf(out, "%u,%s,%" PRIu64 ",%" PRIu64 "\n", ++rows_written, hex,
            row.cmd_len, row.end - row.start);
    fflush(out);
    row.pending = false;
}

static bool answered_like_prelude(const struct segment *s)
{
    if (s->tx_len == T0_ACK_LEN) {
        return true;
    }
    return s->tx_len >= T1_RBLOCK_MIN && s->tx_len <= T1_RBLOCK_MAX &&
           (s->tx_head[1] & 0xc0) == 0x80 && s->tx_head[2] == 0;
}

/* The segment has ended with its last tx: give it to a row. */
static void end_segment(void)
{
    if (!seg.open) {
        return;
    }
    seg.open = false;
    if (seg.cmd) {
        write_row();
        row.pending = true;
        row.start = have_prelude ? prelude_start : seg.start;
        row.end = seg.last_tx;
        memcpy(row.header, seg.header, sizeof(row.header));
        row.header_len = seg.header_len;
        row.cmd_len = seg.cmd_len;
        have_prelude = false;
    } else if (seg.tx_len && seg.tx_head[0] == PPSS) {
        have_prelude = false;           /* PPS: not a command */
    } else if (answered_like_prelude(&seg)) {
        if (!have_prelude) {
            have_prelude = true;
            prelude_start = seg.start;
        }
    } else if (row.pending && !have_prelude) {
        row.end = seg.last_tx;          /* more of the last exchange */
    }
}

static void on_rx(unsigned int vcpu, void *udata)
{
    (void)udata;
    g_mutex_lock(&lock);
    if (seg.open && seg.spoke) {
        end_segment();
    }
    if (!seg.open) {
        memset(&seg, 0, sizeof(seg));
        seg.open = true;
        seg.start = now(vcpu);
    }
    seg.spoke = false;
    g_mutex_unlock(&lock);
}

static void on_tx(unsigned int vcpu, void *udata)
{
    uint32_t buf = read_reg(0), len = read_reg(1);

    (void)udata;
    g_mutex_lock(&lock);
    if (!seg.open) {
        /* The card speaks first: an ATR after a reset. */
        write_row();
        have_prelude = false;
    } else {
        if (seg.tx_len < TX_HEAD_BYTES) {
            size_t n = MIN((size_t)len, TX_HEAD_BYTES - seg.tx_len);
            read_mem(buf, seg.tx_head + seg.tx_len, n);
        }
        seg.tx_len += len;
        seg.last_tx = now(vcpu);
        seg.spoke = true;
    }
    g_mutex_unlock(&lock);
}

static void on_cmd(unsigned int vcpu, void *udata)
{
    uint32_t buf = read_reg(1), len = read_reg(2);

    (void)vcpu;
    (void)udata;
    g_mutex_lock(&lock);
    if (seg.open) {
        seg.cmd = true;
        seg.cmd_len = len;
        seg.header_len = read_mem(buf, seg.header,
                                  MIN((size_t)len, HEADER_BYTES));
    }
    g_mutex_unlock(&lock);
}

static void on_reset(unsigned int vcpu, void *udata)
{
    (void)udata;
    g_mutex_lock(&lock);
    if (seg.open && (seg.cmd || seg.tx_len)) {
        if (!seg.tx_len) {
            seg.last_tx = now(vcpu);    /* a command cut short: to here */
        }
        end_segment();
    }
    seg.open = false;                   /* characters of no command */
    write_row();
    have_prelude = false;
    g_mutex_unlock(&lock);
}

static void (*const marker_cb[M_COUNT])(unsigned int, void *) = {
    on_rx, on_tx, on_cmd, on_reset,
};

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);

    (void)id;
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t vaddr = qemu_plugin_insn_vaddr(insn);

        /* Before the add: a marker instruction counts for what follows. */
        for (int m = 0; m < M_COUNT; m++) {
            if (have_marker[m] && vaddr == marker_addr[m]) {
                qemu_plugin_register_vcpu_insn_exec_cb(
                    insn, marker_cb[m], QEMU_PLUGIN_CB_R_REGS, NULL);
            }
        }
        qemu_plugin_register_vcpu_insn_exec_inline_per_vcpu(
            insn, QEMU_PLUGIN_INLINE_ADD_U64, insns, 1);
    }
}

static void on_vcpu_init(qemu_plugin_id_t id, unsigned int vcpu)
{
    g_autoptr(GArray) regs = qemu_plugin_get_registers();
    static const char *const names[3] = { "r0", "r1", "r2" };

    (void)id;
    (void)vcpu;
    for (guint i = 0; i < regs->len; i++) {
        qemu_plugin_reg_descriptor *d =
            &g_array_index(regs, qemu_plugin_reg_descriptor, i);

        for (int r = 0; r < 3; r++) {
            if (!reg_r[r] && g_strcmp0(d->name, names[r]) == 0) {
                reg_r[r] = d->handle;
            }
        }
    }
}

static void plugin_exit(qemu_plugin_id_t id, void *udata)
{
    (void)id;
    (void)udata;
    g_mutex_lock(&lock);
    end_segment();
    write_row();
    fclose(out);
    out = NULL;
    g_mutex_unlock(&lock);
    qemu_plugin_scoreboard_free(counts);
    g_free(out_path);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info,
                                           int argc, char **argv)
{
    bool *have = have_marker;

    for (int i = 0; i < argc; i++) {
        char **kv = g_strsplit(argv[i], "=", 2);
        const char *key = kv[0], *val = kv[1] ? kv[1] : "";
        bool known = false;

        for (int m = 0; m < M_COUNT; m++) {
            if (g_strcmp0(key, marker_names[m]) == 0) {
                known = true;
                if (!plugin_parse_u64(val, &marker_addr[m])) {
                    g_strfreev(kv);
                    return plugin_fail("apdu_cost: bad address '%s'\n", argv[i]);
                }
                marker_addr[m] &= ~(uint64_t)1;
                have[m] = true;
            }
        }
        if (g_strcmp0(key, "out") == 0 && *val) {
            known = true;
            g_free(out_path);
            out_path = g_strdup(val);
        }
        g_strfreev(kv);
        if (!known) {
            return plugin_fail("apdu_cost: unknown argument '%s' (rx=, tx=, cmd=, "
                        "reset=, out=)\n", argv[i]);
        }
    }
    if (!have[M_RX] || !have[M_TX] || !have[M_CMD] || !out_path) {
        return plugin_fail("apdu_cost: %s\n",
                    "rx=ADDR, tx=ADDR, cmd=ADDR and out=FILE are required");
    }
    if (info->system_emulation && info->system.max_vcpus > 1) {
        return plugin_fail("apdu_cost: %s\n", "one vCPU only");
    }
    out = fopen(out_path, "w");
    if (!out) {
        return plugin_fail("apdu_cost: cannot create '%s'\n", out_path);
    }
    fputs("apdu,header,command_bytes,instructions\n", out);
    fflush(out);

    counts = qemu_plugin_scoreboard_new(sizeof(uint64_t));
    insns = qemu_plugin_scoreboard_u64(counts);
    qemu_plugin_register_vcpu_init_cb(id, on_vcpu_init);
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
    return 0;
}
