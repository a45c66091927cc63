/*
 * What card content management's two files share (gp/content.c: LOAD,
 * DELETE, STORE DATA, INSTALL [for load] and [for personalization];
 * gp/install.c: the other INSTALL variants). Private to gp/.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_GP_CONTENT_INT_H
#define CARDOS_GP_CONTENT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gp/cmd.h"
#include "gp/registry.h"

/* One length-value field of a command's data. */
struct lv {
    const uint8_t *p;
    uint8_t len;
};

/* Split DATA into exactly N length-value fields. */
bool gp_lv_split(const uint8_t *data, size_t nc, struct lv *f, unsigned n);
/* An AID's length: 5..16. */
bool gp_lv_aid_ok(const struct lv *f);
/* F names the ISD. */
bool gp_lv_is_isd(const struct lv *f);

/* The answer of a successful INSTALL, LOAD or DELETE: data 00. */
void gp_content_done(struct gp_cmd *c);
void gp_content_fail(struct gp_cmd *c, uint16_t sw);
/* May C's security domain touch entry E (the ISD: everything; a
 * supplementary one: what is associated with it)? */
bool gp_content_visible(const struct gp_cmd *c, const struct gp_entry *e);
/* The security domain a command names in F (empty: C's own): into
 * AID/LEN as entries store it (the ISD: length 0). False if F names no
 * security domain C may use. */
bool gp_content_target_sd(const struct gp_cmd *c, const struct lv *f,
                          uint8_t aid[16], uint8_t *len);
/* Commit (RC == STORE_OK) or abort the transaction begun on C's store,
 * reload the registry; the SW of the result. */
uint16_t gp_content_commit(struct gp_cmd *c, int rc);

/* INSTALL [for load] and [for personalization] (gp/content.c): start a
 * LOAD or the STORE DATA to an application on channel SLOT. */
void gp_install_for_load(struct gp_cmd *c, uint8_t slot);
void gp_install_for_personalization(struct gp_cmd *c, uint8_t slot);

#endif /* CARDOS_GP_CONTENT_INT_H */
