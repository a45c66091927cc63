/*
 * The card-level data of the GlobalPlatform card manager: the card life
 * cycle state (persistent) and the identification data GET DATA and the
 * ISD's FCI answer (GPC 2.3.1 11.3 GET DATA, 11.9.3.1 the FCI, Appendix H
 * card recognition data, card capability information).
 *
 * The card record is store object GP_OBJ_CARD ("GC"): format byte 01,
 * the card life cycle state. It is written in secure transactions (a
 * damaged record never brings back an earlier state; a record that fails
 * its CRC reads as TERMINATED: fail safe). It also marks a personalised
 * card manager: the first boot writes it together with the key sets.
 *
 * Identification values (docs/gp.md "Personalisation"): IIN 8912345678,
 * CIN 0102030405060708, key diversification data 0102..0A (as the
 * reference card of the GlobalPlatformPro and GPShell sessions in
 * tests/vectors/gp-traces), this card's own CPLC.
 *
 * No hardware access; compiles on the host.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_GP_CARD_DATA_H
#define CARDOS_GP_CARD_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define GP_OBJ_CARD 0x47430000u      /* "GC" */
/* A security domain's Security Domain Manager URL (GET DATA 5F50): store
 * object GP_SD_OBJ_URL(sd) (gp/keyset.h), the URL bytes. */
#define GP_URL_MAX  64u

/* The i parameters of the card's secure channels: SCP03 70; SCP02 55 by
 * default, 15 if the wiring says so (gp/isd.h gp_isd_config.scp02_i). */
#define GP_SCP02_I 0x55u
#define GP_SCP03_I 0x70u
extern uint8_t gp_scp02_i;

extern const uint8_t gp_key_div_data[10];

/* The card life cycle state (GP_CARD_*; TERMINATED if damaged; OP_READY
 * if there is no record). */
uint8_t gp_card_state(const struct store *st);
/* Stage the card record with STATE into the caller's open transaction. */
int gp_card_stage_state(struct store *st, uint8_t state);
/* Write it in a secure transaction of its own. */
int gp_card_set_state(struct store *st, uint8_t state);
/* Is there a card record (the card manager was personalised)? */
int gp_card_personalised(const struct store *st);

/*
 * Card recognition data (GPC 2.3.1 H.2), tag 73, naming GP 2.3.1 and one
 * tag 64 per secure channel protocol the key sets can open
 * (gp_keyset_protocols): into OUT (CAP bytes); its length or 0.
 */
size_t gp_card_recognition(const struct store *st, uint8_t sd, uint8_t *out,
                           size_t cap);

/* A security domain's FCI (6F: 84 AID, A5: 73 for its key sets SD, 9F6E,
 * 9F65). */
size_t gp_sd_fci(const struct store *st, uint8_t sd, const uint8_t *aid,
                 uint8_t aid_len, uint8_t *out, size_t cap);

/* What GET DATA answers for TAG: the TLV into OUT, its length; 0 if the
 * tag is unknown (6A88). FREE_RAM and APPS for tag FF21. */
struct gp_data_ctx {
    const struct store *st;
    uint8_t sd;             /* the security domain asked (0: the ISD) */
    uint32_t free_ram;
    uint32_t apps;          /* installed applications */
};
size_t gp_card_get_data(const struct gp_data_ctx *ctx, uint16_t tag,
                        uint8_t *out, size_t cap);

/*
 * STORE DATA to security domain SD itself (GPC 2.3.1 11.11; no
 * application being personalised): a BER-TLV data field (P1 b5b4 = 10)
 * whose tag 5F50 sets the Security Domain Manager URL (1..GP_URL_MAX
 * bytes; GET DATA 5F50 answers it, 11.3), one store transaction; other
 * tags are accepted and not kept. The status word: 9000, 6A80 (bad TLV,
 * URL too long), 6581 (the store failed).
 */
uint16_t gp_sd_store_data(struct store *st, uint8_t sd, uint8_t p1,
                          const uint8_t *data, size_t len);

#endif /* CARDOS_GP_CARD_DATA_H */
