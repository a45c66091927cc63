/*
 * coverage: a QEMU TCG plugin that records which guest instructions the
 * card OS executed, for `netcard coverage lcov` (an lcov tracefile from
 * the ELF's line table; tools/netcard_host/coverage.py).
 *
 *   qemu-system-arm ... -plugin PATH/libcoverage.so,out=FILE[,from=ADDR]
 *                               [,to=ADDR]
 *
 * out       the raw file, written when QEMU exits (a partial run that is
 *           killed writes nothing: stop QEMU with QMP quit or SIGTERM)
 * from, to  only instructions in [from, to) are recorded (default: all;
 *           `netcard run --coverage` gives the card OS ROM)
 *
 * Every translated block gets an execution callback; the first time a
 * block runs, the addresses of all its instructions are recorded (a
 * block runs from its first instruction to its last unless an exception
 * cuts it, so a conditional instruction inside a block counts as run).
 * Later runs of the block cost one call and a test. Execution counts
 * are not kept: lines are hit or not.
 *
 * The raw file is text:
 *
 *   netcard-coverage 1
 *   <address in hex>          one line per executed instruction, sorted
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

#define RAW_MAGIC "netcard-coverage 1\n"

/* One per translation; a block translated again gets a new one. */
struct block {
    bool hit;
    size_t n;
    uint64_t addr[];
};

static char *out_path;
static uint64_t from_addr, to_addr = UINT64_MAX;
static GMutex lock;
static GHashTable *executed;    /* instruction addresses */
static GPtrArray *blocks;       /* every struct block, freed at exit */

static void on_block(unsigned int vcpu, void *udata)
{
    struct block *b = udata;

    (void)vcpu;
    if (b->hit) {
        return;
    }
    g_mutex_lock(&lock);
    for (size_t i = 0; i < b->n; i++) {
        g_hash_table_add(executed, GSIZE_TO_POINTER((gsize)b->addr[i]));
    }
    b->hit = true;
    g_mutex_unlock(&lock);
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);
    struct block *b = g_malloc0(sizeof(*b) + n * sizeof(b->addr[0]));

    (void)id;
    for (size_t i = 0; i < n; i++) {
        uint64_t a = qemu_plugin_insn_vaddr(qemu_plugin_tb_get_insn(tb, i));

        if (a >= from_addr && a < to_addr) {
            b->addr[b->n++] = a;
        }
    }
    if (!b->n) {
        g_free(b);
        return;
    }
    g_mutex_lock(&lock);
    g_ptr_array_add(blocks, b);
    g_mutex_unlock(&lock);
    qemu_plugin_register_vcpu_tb_exec_cb(tb, on_block, QEMU_PLUGIN_CB_NO_REGS,
                                         b);
}

static int cmp_addr(const void *a, const void *b)
{
    gsize x = GPOINTER_TO_SIZE(*(const gpointer *)a);
    gsize y = GPOINTER_TO_SIZE(*(const gpointer *)b);

    return x < y ? -1 : x > y;
}

static void plugin_exit(qemu_plugin_id_t id, void *udata)
{
    g_autofree char *tmp = g_strdup_printf("%s.tmp", out_path);
    gpointer *sorted;
    guint n;
    FILE *f;

    (void)id;
    (void)udata;
    g_mutex_lock(&lock);
    sorted = g_hash_table_get_keys_as_array(executed, &n);
    qsort(sorted, n, sizeof(sorted[0]), cmp_addr);
    f = fopen(tmp, "w");
    if (f) {
        fputs(RAW_MAGIC, f);
        for (guint i = 0; i < n; i++) {
            fprintf(f, "%" G_GSIZE_MODIFIER "x\n",
                    GPOINTER_TO_SIZE(sorted[i]));
        }
        if (fclose(f) == 0) {
            rename(tmp, out_path);
        }
    } else {
        fprintf(stderr, "coverage: cannot write '%s'\n", tmp);
    }
    g_free(sorted);
    g_ptr_array_free(blocks, TRUE);
    g_hash_table_destroy(executed);
    g_mutex_unlock(&lock);
    g_free(out_path);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info,
                                           int argc, char **argv)
{
    FILE *probe;

    (void)info;
    for (int i = 0; i < argc; i++) {
        char **kv = g_strsplit(argv[i], "=", 2);
        const char *key = kv[0], *val = kv[1] ? kv[1] : "";
        bool ok = true;

        if (g_strcmp0(key, "out") == 0 && *val) {
            g_free(out_path);
            out_path = g_strdup(val);
        } else if (g_strcmp0(key, "from") == 0) {
            ok = plugin_parse_u64(val, &from_addr);
        } else if (g_strcmp0(key, "to") == 0) {
            ok = plugin_parse_u64(val, &to_addr);
        } else {
            g_strfreev(kv);
            return plugin_fail("coverage: unknown argument '%s' (out=, from=, "
                        "to=)\n", argv[i]);
        }
        g_strfreev(kv);
        if (!ok) {
            return plugin_fail("coverage: bad address in '%s'\n", argv[i]);
        }
    }
    if (!out_path) {
        return plugin_fail("coverage: %s\n", "out=FILE is required");
    }
    /* Fail now, not at exit, if the file cannot be written. */
    probe = fopen(out_path, "w");
    if (!probe) {
        return plugin_fail("coverage: cannot create '%s'\n", out_path);
    }
    fclose(probe);
    executed = g_hash_table_new(g_direct_hash, g_direct_equal);
    blocks = g_ptr_array_new_with_free_func(g_free);
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
    return 0;
}
