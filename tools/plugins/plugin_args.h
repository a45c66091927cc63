/*
 * plugin_args: what the netcard TCG plugins (tools/plugins/ and the
 * test plugin tests/plugins/insn_window.c) share to read their
 * "-plugin lib.so,KEY=VALUE" arguments. Header-only: each plugin is one
 * shared object built from one file.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_PLUGIN_ARGS_H
#define NETCARD_PLUGIN_ARGS_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* An unsigned number in C syntax (0x hex, 0 octal, decimal), all of S. */
static inline bool plugin_parse_u64(const char *s, uint64_t *v)
{
    char *end;

    if (!*s) {
        return false;
    }
    errno = 0;
    *v = strtoull(s, &end, 0);
    return errno == 0 && *end == '\0';
}

/* Refuse the installation: FMT (one %s, ARG) on stderr, then QEMU stops
 * with the plugin's error. */
static inline int plugin_fail(const char *fmt, const char *arg)
{
    fprintf(stderr, fmt, arg);
    return -1;
}

#endif
