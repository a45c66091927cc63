/*
 * The contact interface: the ISO 7816 UART driver, the event loop, the
 * host-testable ISO 7816-3 session (iso7816/card.h) and the contact
 * interface's APDU session (apdu/session.h, index 0), wired together.
 * Card only.
 *
 * Commands go to the dispatcher (apdu/dispatch.h) with the applications
 * card/applications.c registered: call applications_register() first.
 * contact_start() initialises the UART
 * and, if RST is already high, sends the ATR at once; otherwise the RST
 * interrupt sends it (in the ISR: slow initialisation that follows in
 * main() cannot delay it). Either way the card first waits 400 CLK cycles
 * plus a margin (busy wait on the timer counter, ~132 us at 3.5712 MHz):
 * ISO 7816-3 6.2.2 wants the ATR to start 400..40000 CLK cycles after RST
 * rises.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_CARD_CONTACT_H
#define CARDOS_CARD_CONTACT_H

#include <stdbool.h>
#include <stdint.h>

#define ISO_ATR_MARGIN_US 20u
/*
 * The session's tick (iso_card_tick()), running only while the session
 * needs it (iso_card_needs_tick(): a pending command, T=0 NULL bytes,
 * T=1 WTX, a partial header or block); an idle interface has no tick.
 */
#define ISO_TICK_MS      5u

/* Needs the event loop and the tick; call before interrupts are enabled. */
void contact_start(void);

/*
 * Polling window after contact activity, in ms. A halted core (WFI) costs
 * the host a thread wake-up for every interrupt; terminals send the next
 * command right after a response, so for this long after the last
 * character the card polls instead of sleeping (the same trade as
 * virtio's busy polling: a little idle power for much lower latency).
 */
#define ISO_POLL_WINDOW_MS 2u

/* True while the last character in or out is within ISO_POLL_WINDOW_MS. */
bool contact_busy(uint32_t now_ms);

#endif /* CARDOS_CARD_CONTACT_H */
