/*
 * Card OS version strings. The build passes both with -D from the
 * top-level VERSION file and `git describe`; the defaults mark a build
 * made some other way.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_KERNEL_VERSION_H
#define CARDOS_KERNEL_VERSION_H

#ifndef CARDOS_VERSION
#define CARDOS_VERSION "0.0.0"
#endif

#ifndef CARDOS_GIT_DESCRIBE
#define CARDOS_GIT_DESCRIBE "unknown"
#endif

/* CARDOS_VERSION, CARDOS_GIT_DESCRIBE and the build's date, as globals
 * the debugger, tests and applications can read (card/main.c). */
extern const char cardos_version[];
extern const char cardos_git_describe[];
extern const char cardos_build_date[];

#endif /* CARDOS_KERNEL_VERSION_H */
