/*
 * Command dispatcher: class byte -> logical channel, MANAGE CHANNEL,
 * SELECT by AID, routing to the application selected on each channel
 * (ISO/IEC 7816-4:2013 5.4.1, 11.1.2, 11.2.2), for every APDU session
 * (apdu/session.h). Applications follow the contract of apdu/applet.h
 * and are found through a registry (apdu/registry.h).
 *
 * Order of checks for a command APDU of session S:
 *   0. the card is refused (dispatch_set_refusal)      6F00
 *   1. malformed length (apdu_parse)                   6700
 *   1b. CLA A0 (TS 51.011) and a default application with gsm_class:
 *      it processes the command (basic channel; SELECT selects it there)
 *   2. CLA invalid (20..3F, 90..BF, FF)                6E00
 *   3. secure messaging indicated (CLA b4b3 or b6): the application
 *      selected on the (open) channel processes it, whatever the INS
 *      and chaining bit (it unwraps, or answers 6882 itself); channel
 *      closed or nothing selected: 6882.
 *   4. command chaining indicated (CLA b5)             6884
 *   5. logical channel not open in S                   6881
 *   6. INS 70 MANAGE CHANNEL (interindustry CLA), see below
 *   7. INS A4 SELECT with P1 = 04 (interindustry CLA), see below
 *   8. the application selected on the channel processes it;
 *      none selected: 6E00 for a proprietary CLA, 6D00 otherwise.
 *
 * Default application (dispatch_set_default; the card's file system):
 * when one is set, it is selected on the basic channel after every
 * reset and on every channel opened from the basic channel, and:
 *   - SELECT (interindustry CLA) with P1 != 04 always goes to it: it
 *     becomes the channel's application (the previous one deselected,
 *     its select() called) and processes the command;
 *   - SELECT P1 = 04 looks in the registry first; if none
 *     matches, the default application processes it (ADFs) and, on
 *     9000 / 6283, becomes the channel's application;
 *   - its reset() is called by dispatch_reset() with the session;
 *   - T=0 directions of SELECT P1 != 04 come from it.
 * Without a default application the rules below apply unchanged.
 *
 * MANAGE CHANNEL (no data field: Lc present -> 6700):
 *   P1 00 P2 00  open the lowest free channel 1..19; Le required (else
 *                6700); answers its number (1 byte). None free: 6A81.
 *   P1 00 P2 nn  open channel nn (01..13); nn > 13: 6881; open: 6A86.
 *   P1 80 P2 nn  close channel nn (01..13): deselects its application;
 *                nn = 00 (basic channel): 6A86; nn > 13 or not open: 6881.
 *   other P1: 6A86.
 *   A channel opened from the basic channel starts with no application
 *   selected; opened from channel n != 0 it inherits n's application
 *   (7816-4 11.1.2).
 *
 * SELECT, P1 = 04 (by DF name): data = AID (5..16 bytes; else 6700),
 *   looked up in the registry: full name or prefix (partial DF name).
 *   No data field (first occurrence): the registry's unnamed()
 *   application (GlobalPlatform: the ISD), or 6700 when it has none.
 *   The FCI is the application's fci() when it has one.
 *   P2: b2b1 00 first/only occurrence, 10 next occurrence (the next
 *   match after the application selected on the channel, if that one
 *   matches the name; else the first), b4b3 00 FCI (6F 84 AID), 01 FCP
 *   (62 84 AID), 11 no data; anything else 6A86. Not found: 6A82, the
 *   previous selection stays. Found: the previous application on that
 *   channel is deselected, the new one selected; an application may
 *   refuse (select() false: 6999).
 *   Other P1 values go to the selected application, or 6A86 if none.
 *
 * Applications may complete a command later (APPLET_PENDING): the link
 * layer keeps the terminal waiting (T=1 WTX / T=0 NULL) and the session's
 * owner calls dispatch_poll() until it is done.
 *
 * No hardware access; compiles on the host.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_APDU_DISPATCH_H
#define CARDOS_APDU_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apdu/apdu.h"
#include "apdu/applet.h"
#include "apdu/registry.h"
#include "apdu/session.h"
#include "iso7816/t0.h"

#define INS_MANAGE_CHANNEL   0x70u
#define INS_SELECT           0xa4u

#define SW_SELECT_REFUSED    0x6999u

/* Forget the registry, the default application and the refusal. */
void dispatch_init(void);
/* Where SELECT by DF name finds applications (kept by pointer); NULL:
 * none but the default application. */
void dispatch_set_registry(const struct apdu_registry *registry);
/* Set (or with NULL clear) the default application; kept by pointer,
 * needs no AID. Takes effect at each session's next dispatch_reset(). */
void dispatch_set_default(const struct applet *a);

/*
 * Refused card (crypto/crypto.h: a failed self-test or health test): while
 * IS_REFUSED() returns true, every command, well-formed or not, is
 * answered 6F00 without reaching an application, and a response that an
 * application produced while the card became refused is replaced by 6F00.
 * NULL (the default; dispatch_init() clears it): never refused.
 */
void dispatch_set_refusal(bool (*is_refused)(void));

/* Reset session S (a card reset for its source): every application in it
 * deselected, channels closed but the basic one, nothing pending; the
 * default application (its reset() called) selected on the basic one. */
void dispatch_reset(struct apdu_session *s);

/*
 * Process the C-APDU in buf[0..len) (buf has @cap bytes) for session S.
 * DONE: the R-APDU is in buf[0..*rsp_len). PENDING: call dispatch_poll()
 * later. A new command cancels a pending one.
 */
enum applet_status dispatch_command(struct apdu_session *s, uint8_t *buf,
                                    size_t len, size_t cap, size_t *rsp_len);
enum applet_status dispatch_poll(struct apdu_session *s, uint8_t *buf,
                                 size_t cap, size_t *rsp_len);

/* T=0: which way data goes for this header (t0_io.direction). */
enum t0_dir dispatch_t0_direction(const struct apdu_session *s,
                                  const uint8_t hdr[4]);

#endif /* CARDOS_APDU_DISPATCH_H */
