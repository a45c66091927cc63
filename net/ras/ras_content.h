/*
 * ras_content — the card content management script of one load file:
 * what `netcard ras enqueue --load FILE.ncap --install AID` queues.
 *
 * Contract: ras_content_script() reads a netcard load file (format 1,
 * docs/applets.md "Load file format": "NCAP", format, header length,
 * package AID at byte 12 with its length at byte 11, module count at
 * byte 10, module entries of 24 bytes from byte 64, each an AID with its
 * length first) and returns the C-APDUs, in hex, of one script:
 *   1. INSTALL [for load] (GP 2.3.1 11.5.2.3.1: P1 02; the package AID,
 *      an empty security domain AID, hash, parameters and token: the
 *      card's ISD is the one the script is targeted at),
 *   2. LOAD (11.6): the file in a C4 TLV with a BER length, in blocks of
 *      RAS_CONTENT_BLOCK bytes numbered from 0, the last with P1 80,
 *   3. when INSTANCE is given, INSTALL [for install and make selectable]
 *      (11.5.2.3.2, P1 0C) of MODULE (NULL: the file's first module)
 *      under INSTANCE with privileges 00 and C9 PARAMS (hex, may be
 *      empty).
 * The card executes a script's commands in order and stops at the first
 * error (remote-admin.md), so a refused LOAD installs nothing. It does
 * not check the file's hash or sizes: the card does, and its status word
 * comes back in the job's results. NULL and *ERR (g_free) on a file that
 * is not a load file or an AID or parameter string that is not hex of
 * the right length.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_RAS_CONTENT_H
#define NETCARD_RAS_CONTENT_H

#include <glib.h>

/* LOAD block size: 239 data bytes leave room for an SCP03 C-MAC (8) and
 * padding within a short APDU (GP 2.3.1 11.6.2.1 leaves it to the host). */
#define RAS_CONTENT_BLOCK 239

GPtrArray *ras_content_script(const char *ncap_path, const char *instance,
                              const char *module, const char *params,
                              char **err);

#endif
