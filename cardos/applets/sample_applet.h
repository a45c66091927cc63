/*
 * The sample application: a ROM module that INSTALL [for install] can
 * instantiate several times under different AIDs, each instance with its
 * own install parameters (GPC 2.3.1 11.5.2.3, tag C9), to try the card
 * manager's content management with GlobalPlatformPro, GPShell or
 * `netcard gp` (docs/gp.md).
 *
 * Module AID F0 6E 65 74 63 61 72 64 03, load file F0 6E 65 74 63 61 72
 * 64 03 00 (gp/registry.h); no default instance. Commands (CLA 80..83,
 * C0..CF):
 *   INS 01 HELLO   P1P2 0000: returns the instance's AID as 4F L AID,
 *                  then its install parameters as C9 L value.   T=0: out
 *   INS 02 DATA    P1P2 0000: returns the personalization data the
 *                  instance received (below), as received.      T=0: out
 * Personalization (apdu/applet.h store_data): STORE DATA after INSTALL
 * [for personalization] naming an instance is appended to its data (at
 * most 64 bytes: 6A84 beyond; block 00 starts again), kept in the store
 * (object "SA" + a hash of the AID; it outlives the instance: a sample).
 * Other INS: 6D00; P1P2 not 0000: 6A86; an interindustry CLA: 6E00.
 *
 * No hardware access; compiles on the host.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_APPLETS_SAMPLE_APPLET_H
#define CARDOS_APPLETS_SAMPLE_APPLET_H

#include "apdu/applet.h"

#define SAMPLE_APPLET_INSTANCES 8

const struct applet *sample_applet(void);

#endif /* CARDOS_APPLETS_SAMPLE_APPLET_H */
