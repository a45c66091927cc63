/*
 * INSTALL (GPC 2.3.1 11.5): [for install], [for make selectable], [for
 * install and make selectable], [for extradition] and [for registry
 * update]; [for load] and [for personalization], which start a LOAD or
 * STORE DATA, are in gp/content.c. Contract: gp/cmd.h.
 *
 * INSTALL data is a sequence of length-value fields (Tables 11-43..11-49);
 * every variant checks that they add up exactly (else 6A80). The
 * response is one byte 00 (no receipt: delegated management is not
 * supported, a token in the command answers 6A80).
 *
 * The security domain the command reaches (gp/cmd.h) must be the ISD or
 * hold Authorized Management (else 6985); a supplementary one sees and
 * changes only what is associated with it (else 6A88). What it installs
 * is associated with it.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "gp/card_data.h"
#include "gp/cmd.h"
#include "gp/content_int.h"
#include "gp/gp.h"
#include "gp/isd.h"
#include "gp/keyset.h"
#include "gp/native.h"
#include "gp/registry.h"


/* Install parameters: C9 L value, then the system parameters EF L
 * value (GPC 2.3.1 11.5.2.3.7, Table 11-49): C7 volatile and C8
 * non-volatile memory quota (1..4 bytes, big-endian) are kept, other
 * tags accepted and not kept. */
static bool install_params(const struct lv *f, struct gp_entry *e)
{
    size_t at;

    if (f->len == 0) {
        return true;
    }
    if (f->len < 2 || f->p[0] != 0xC9 || 2u + f->p[1] > f->len ||
        f->p[1] > GP_PARAMS_MAX) {
        return false;
    }
    e->params_len = f->p[1];
    memcpy(e->params, f->p + 2, e->params_len);
    at = 2u + f->p[1];
    if (at + 2 <= f->len && f->p[at] == 0xEF && at + 2u + f->p[at + 1] <=
        f->len) {
        size_t end = at + 2u + f->p[at + 1];

        for (at += 2; at + 2 <= end; at += 2u + f->p[at + 1]) {
            uint8_t tag = f->p[at], len = f->p[at + 1];
            uint32_t v = 0;

            if (at + 2u + len > end) {
                return false;
            }
            for (uint8_t i = 0; i < len && len <= 4; i++) {
                v = v << 8 | f->p[at + 2 + i];
            }
            if ((tag == 0xC7 || tag == 0xC8) && (len < 1 || len > 4)) {
                return false;
            }
            if (tag == 0xC7) {
                e->ram_quota = v;
            } else if (tag == 0xC8) {
                e->nvm_quota = v;
            }
        }
    }
    return true;
}

static void install_for_install(struct gp_cmd *c, bool selectable)
{
    struct lv f[6];
    struct gp_entry elf, app = { 0 }, other;
    const struct applet *m;
    int idx;
    unsigned count = 0;

    if (!gp_lv_split(c->cmd->data, c->cmd->nc, f, 6) || !gp_lv_aid_ok(&f[0]) ||
        !gp_lv_aid_ok(&f[1]) || !gp_lv_aid_ok(&f[2]) ||
        (f[3].len != 1 && f[3].len != 3) || f[5].len != 0 ||
        !install_params(&f[4], &app)) {
        gp_content_fail(c, SW_WRONG_DATA);
        return;
    }
    idx = gp_registry_find(f[0].p, f[0].len);
    if (idx < 0 || !gp_registry_get((unsigned)idx, &elf) ||
        elf.kind != GP_KIND_ELF) {
        gp_content_fail(c, SW_GP_REFERENCED_DATA);
        return;
    }
    m = gp_registry_rom(&elf);
    if (m && (f[1].len != m->aid_len || memcmp(f[1].p, m->aid, m->aid_len))) {
        gp_content_fail(c, SW_GP_REFERENCED_DATA);     /* no such module */
        return;
    }
    if (!m && gp_native_get() != NULL) {
        /* a loaded load file: the module exists, its instance fits */
        uint16_t sw = gp_native_get()->install_check(&elf, f[1].p,
                                                     f[1].len, &app);

        if (sw != SW_OK) {
            gp_content_fail(c, sw);
            return;
        }
    }
    if (gp_registry_find(f[2].p, f[2].len) >= 0 || gp_lv_is_isd(&f[2])) {
        gp_content_fail(c, SW_WRONG_DATA);
        return;
    }
    /* its own load files, and the ROM modules every domain may use */
    if (!gp_content_visible(c, &elf) && !elf.rom) {
        gp_content_fail(c, SW_GP_REFERENCED_DATA);
        return;
    }
    /* a security domain: an instance of the security domain module; the
     * privileges it may hold (Table 6-1): no card-wide ones but Authorized
     * and Delegated Management (tokens are not supported) */
    if ((f[3].p[0] & GP_PRIV_SD) &&
        (m != gp_sd_module() || (f[3].p[0] & (GP_PRIV_CARD_LOCK |
                                              GP_PRIV_CARD_TERMINATE |
                                              GP_PRIV_CARD_RESET)))) {
        gp_content_fail(c, SW_WRONG_DATA);
        return;
    }
    if (!(f[3].p[0] & GP_PRIV_SD) && m == gp_sd_module()) {
        gp_content_fail(c, SW_WRONG_DATA);
        return;
    }
    if (m) {
        for (unsigned i = 0; gp_registry_get(i, &other); i++) {
            count += other.kind == GP_KIND_APP && other.mod_len == m->aid_len &&
                     memcmp(other.mod, m->aid, m->aid_len) == 0;
        }
        if (count >= gp_registry_rom_max(m)) {
            gp_content_fail(c, SW_GP_NOT_ENOUGH_MEMORY);
            return;
        }
    }
    app.kind = (f[3].p[0] & GP_PRIV_SD) ? GP_KIND_SD : GP_KIND_APP;
    app.life = selectable ? GP_APP_SELECTABLE : GP_APP_INSTALLED;
    memcpy(app.priv, f[3].p, f[3].len);
    app.aid_len = f[2].len;
    memcpy(app.aid, f[2].p, f[2].len);
    app.elf_len = f[0].len;
    memcpy(app.elf, f[0].p, f[0].len);
    app.mod_len = f[1].len;
    memcpy(app.mod, f[1].p, f[1].len);
    /* associated with the security domain that installs it */
    app.sd_len = c->sd ? c->sd_aid_len : 0;
    memcpy(app.sd, c->sd_aid, app.sd_len);
    if (app.kind == GP_KIND_SD) {
        /* its number and first key set, in one transaction */
        int rc;

        app.rom = gp_registry_free_sd();
        if (app.rom == 0) {
            gp_content_fail(c, SW_GP_NOT_ENOUGH_MEMORY);
            return;
        }
        rc = store_begin(c->st);
        if (rc == STORE_OK) {
            rc = gp_keyset_stage_delete_all(c->st, app.rom);
        }
        if (rc == STORE_OK) {
            rc = gp_keys_stage_personalisation(c->st, app.rom);
        }
        if (rc == STORE_OK) {
            rc = gp_registry_put(-1, &app, true);
        }
        if (gp_content_commit(c, rc) != SW_OK) {
            gp_content_fail(c, SW_GP_NOT_ENOUGH_MEMORY);
            return;
        }
        gp_content_done(c);
        return;
    }
    if (gp_registry_put(-1, &app, false) != STORE_OK) {
        gp_content_fail(c, SW_GP_NOT_ENOUGH_MEMORY);
        return;
    }
    gp_content_done(c);
}

/* The application or security domain AID names, if C may touch it: its
 * registry index, the entry in *E; -1 (6A88 answered) otherwise. */
static int app_entry(struct gp_cmd *c, const struct lv *aid,
                     struct gp_entry *e)
{
    int idx = gp_registry_find(aid->p, aid->len);

    if (idx < 0 || !gp_registry_get((unsigned)idx, e) ||
        e->kind == GP_KIND_ELF || !gp_content_visible(c, e)) {
        gp_content_fail(c, SW_GP_REFERENCED_DATA);
        return -1;
    }
    return idx;
}

static void install_make_selectable(struct gp_cmd *c)
{
    struct lv f[6];
    struct gp_entry e;
    int idx;

    if (!gp_lv_split(c->cmd->data, c->cmd->nc, f, 6) || f[0].len || f[1].len ||
        !gp_lv_aid_ok(&f[2]) || f[3].len > 3 || f[5].len != 0) {
        gp_content_fail(c, SW_WRONG_DATA);
        return;
    }
    idx = app_entry(c, &f[2], &e);
    if (idx < 0) {
        return;
    }
    if (e.life != GP_APP_INSTALLED) {
        gp_content_fail(c, SW_CONDITIONS_NOT_SATISFIED);
        return;
    }
    e.life = GP_APP_SELECTABLE;
    if (f[3].len) {
        memset(e.priv, 0, 3);
        memcpy(e.priv, f[3].p, f[3].len);
    }
    if (gp_registry_put(idx, &e, false) != STORE_OK) {
        gp_content_fail(c, SW_MEMORY_FAILURE);
        return;
    }
    gp_content_done(c);
}

/* [for extradition] (10): the application (or security domain) goes to
 * another security domain; [for registry update] (40): its privileges,
 * install parameters and, if named, its security domain change. */
static void install_update(struct gp_cmd *c, bool extradition)
{
    struct lv f[6];
    struct gp_entry e;
    int idx;

    if (!gp_lv_split(c->cmd->data, c->cmd->nc, f, 6) || f[1].len ||
        !gp_lv_aid_ok(&f[2]) || f[5].len != 0 ||
        (extradition && (f[3].len || f[4].len)) || f[3].len == 2 ||
        f[3].len > 3) {
        gp_content_fail(c, SW_WRONG_DATA);
        return;
    }
    idx = app_entry(c, &f[2], &e);
    if (idx < 0) {
        return;
    }
    if (f[0].len || extradition) {
        uint8_t sd[16], sd_len;
        struct lv t = f[0];

        if (extradition && f[0].len == 0) {
            gp_content_fail(c, SW_WRONG_DATA);
            return;
        }
        /* extradition: to the ISD or a security domain (GPC 2.3.1 9.4.1);
         * not to itself */
        if (!gp_lv_is_isd(&t) && gp_registry_find(t.p, t.len) >= 0) {
            struct gp_entry target;

            if (!gp_registry_get((unsigned)gp_registry_find(t.p, t.len),
                                 &target) || target.kind != GP_KIND_SD ||
                (t.len == e.aid_len && memcmp(t.p, e.aid, t.len) == 0)) {
                gp_content_fail(c, SW_GP_REFERENCED_DATA);
                return;
            }
            sd_len = t.len;
            memcpy(sd, t.p, t.len);
        } else if (gp_lv_is_isd(&t)) {
            sd_len = 0;
        } else {
            gp_content_fail(c, SW_GP_REFERENCED_DATA);
            return;
        }
        e.sd_len = sd_len;
        memcpy(e.sd, sd, sd_len);
    }
    if (f[3].len) {
        memset(e.priv, 0, 3);
        memcpy(e.priv, f[3].p, f[3].len);
    }
    if (!install_params(&f[4], &e)) {
        gp_content_fail(c, SW_WRONG_DATA);
        return;
    }
    if (gp_registry_put(idx, &e, false) != STORE_OK) {
        gp_content_fail(c, SW_MEMORY_FAILURE);
        return;
    }
    gp_content_done(c);
}


void gp_cmd_install(struct gp_cmd *c, uint8_t slot)
{
    uint8_t p1 = c->cmd->p1;

    if (!gp_cmd_authenticated(c)) {
        gp_content_fail(c, SW_SECURITY_STATUS);
        return;
    }
    if (c->cmd->p2 != 0x00 && c->cmd->p2 != 0x01 && c->cmd->p2 != 0x03) {
        gp_content_fail(c, SW_INCORRECT_P1P2);
        return;
    }
    if (!gp_cmd_may_manage(c)) {
        /* no Authorized Management; Delegated Management needs tokens,
         * which this card does not verify (docs/gp.md) */
        gp_content_fail(c, SW_CONDITIONS_NOT_SATISFIED);
        return;
    }
    switch (p1 & 0x7F) {
    case 0x02:
        gp_install_for_load(c, slot);
        return;
    case 0x04:
        install_for_install(c, false);
        return;
    case 0x0C:
        install_for_install(c, true);
        return;
    case 0x08:
        install_make_selectable(c);
        return;
    case 0x10:
        install_update(c, true);
        return;
    case 0x20:
        gp_install_for_personalization(c, slot);
        return;
    case 0x40:
        install_update(c, false);
        return;
    default:
        gp_content_fail(c, SW_INCORRECT_P1P2);
        return;
    }
}
