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

/* Make room for at least 4 KiB more at BUF[LEN] (doubling, 16 KiB first). */
void nc_buf_reserve(char **buf, size_t *cap, size_t len);

/* A loopback (127.0.0.1) TCP address for PORT. */
struct sockaddr_in;
void nc_loopback_addr(struct sockaddr_in *a, int port);

/* Drop FD from the tear-down list without closing it (its owner will). */
void nc_forget_fd(int fd);

/* OPTS then MORE (NULL-terminated, may be NULL) as one array (nc_gc'd). */
const char **nc_args_join(const char *const *opts, const char *const *more);

/* Append to a growable array of strings. */
void nc_strv_push(char ***v, size_t *n, size_t *cap, char *s);

#endif /* NCTEST_INTERNAL_H */
