/*
 * The personalization application: the one way to give a card whose NVM
 * cannot be used (a foreign, damaged or other-version image, or a damaged
 * file system) a new, empty store and the first-boot file system. The
 * card never does that by itself (card/storage.h, docs/store.md).
 *
 * AID F0 6E 65 74 63 61 72 64 02 ("netcard" in a proprietary RID range,
 * 02). Proprietary class only (b8 = 1: CLA 80..83 on channels 0..3,
 * C0..CF on 4..19; an interindustry CLA: 6E00). Commands
 * (docs/iso7816-card.md):
 *
 *   INS 30 CARD STATE   P1P2 0000, no data. Returns 6 bytes:
 *                         store   1 byte: 00 mounted, else minus the
 *                                 store_result (02 foreign, 03 corrupt,
 *                                 04 version, 05 geometry, 06 I/O error,
 *                                 0B not mounted, e.g. during FORMAT)
 *                         fs      1 byte: 00 ready, 01 not usable
 *                         objects 2 bytes, big-endian (0 if unusable)
 *                         free    2 bytes, KiB, big-endian (0 if unusable)
 *                                                                T=0: out
 *   INS 40 FORMAT NVM   P1P2 0000, data = ASCII "FORMAT NVM" (else 6A80,
 *                       nothing done). Only while the store or the file
 *                       system is unusable (CARD STATE bytes 1-2 not both
 *                       00); a working card answers 6985 and keeps its
 *                       data. Erases every page of the NVM that is not
 *                       erased (erase counts start again), formats a new
 *                       store and creates the first-boot file system
 *                       (docs/fs.md test values). Runs for up to about a
 *                       second of card time: the link layer sends T=1
 *                       S(WTX) / T=0 NULL meanwhile. 9000 done; 6581 the
 *                       flash refused an operation (e.g. NVM locked).
 *                       Cut short (a power cut, a reset, another
 *                       command): the card stays unusable or boots as a
 *                       first boot; send FORMAT NVM again.    T=0: in
 *
 *   INS 50 SET USIM KEYS  P1P2 0000, data: TLVs 01 10 Ki, then 02 10 OPc
 *                       or 03 10 OP (the card computes OPc), optional
 *                       04 06 SQN (the SQN array starts above it,
 *                       fs/usim_auth.h). ADM1 verified on the file
 *                       system (00 20 00 0A), else 6982.        T=0: in
 *   INS 52 SET PIN      P1 00, P2 key reference (01 PIN1, 0A ADM1),
 *                       data: the value (8 bytes, FF padded) and for
 *                       PIN1 optionally the PUK (8): set with full tries.
 *                       ADM1 verified, else 6982.                T=0: in
 *   There is no secure channel yet (GlobalPlatform, issue 13): these are
 *   protected by ADM1 only, in the clear (docs/usim.md).
 *
 * Other INS: 6D00. P1P2 not 0000: 6A86. Lc where none is allowed: 6700.
 *
 * No hardware access (the kernel supplies the storage operations through
 * perso_applet_config); compiles on the host.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_APPLETS_PERSO_APPLET_H
#define CARDOS_APPLETS_PERSO_APPLET_H

#include <stdbool.h>
#include <stdint.h>

#include "apdu/applet.h"

#define PERSO_APPLET_AID_LEN 9
extern const uint8_t perso_applet_aid[PERSO_APPLET_AID_LEN];

#define PERSO_INS_CARD_STATE 0x30u
#define PERSO_INS_FORMAT     0x40u
#define PERSO_INS_USIM_KEYS  0x50u
#define PERSO_INS_SET_PIN    0x52u

/* FORMAT NVM's confirmation: a command that only a deliberate caller
 * sends, never a stray or fuzzed APDU */
#define PERSO_FORMAT_CONFIRM     "FORMAT NVM"
#define PERSO_FORMAT_CONFIRM_LEN 10u

/* perso_applet_config.format_step: more pages to erase, call again */
#define PERSO_FORMAT_BUSY 1

struct perso_card_state {
    int store;          /* STORE_OK or the store's mount error */
    bool fs_ready;
    uint32_t objects;
    uint32_t free_bytes;
};

struct perso_applet_config {
    void (*card_state)(struct perso_card_state *out);
    /*
     * Start a format: take the file system and the store out of use
     * (their commands answer 6581 from here on) and restart the erase at
     * the first page.
     */
    void (*format_start)(void);
    /*
     * Erase a few more pages, or when none is left, format the store and
     * create the first-boot file system: PERSO_FORMAT_BUSY, 0 (done) or
     * a negative store_result.
     */
    int (*format_step)(void);
    /* Personalisation (INS 50, 52; may be NULL: 6D00). The file system's
     * security status: ADM1 verified in this card session. */
    bool (*adm_verified)(void);
    /* USIM keys: KI, and OPC or OP (the other NULL); the SQN array when
     * HAS_SQN. Returns a status word. */
    uint16_t (*set_usim)(const uint8_t ki[16], const uint8_t *opc,
                         const uint8_t *op, bool has_sqn, uint64_t sqn);
    /* Key REF's value (and PUK, or NULL), tries at their maximum. */
    uint16_t (*set_pin)(uint8_t ref, const uint8_t value[8],
                        const uint8_t *puk);
};

/* Configure and return the application, ready for a registry (apdu/applet_table.h). */
const struct applet *perso_applet_init(const struct perso_applet_config *cfg);

#endif /* CARDOS_APPLETS_PERSO_APPLET_H */
