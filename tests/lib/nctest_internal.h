/*
 * nctest internals shared by the library's files (not for tests).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NCTEST_INTERNAL_H
#define NCTEST_INTERNAL_H

#include "nctest.h"

#include <signal.h>

#define NC_MAX_PROCS 32
#define NC_MAX_FDS   128

void nc_register_proc(NcProc *p);
void *nc_xmalloc(size_t n);
char *nc_xstrdup(const char *s);

/* Append to a growable array of strings. */
void nc_strv_push(char ***v, size_t *n, size_t *cap, char *s);

#endif /* NCTEST_INTERNAL_H */
