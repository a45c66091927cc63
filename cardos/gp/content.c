/*
 * Card content management (GPC 2.3.1 11.6 LOAD, 11.2 DELETE, 11.11 STORE
 * DATA, and the two INSTALL variants that feed them: [for load] and [for
 * personalization]; the others are in gp/install.c). Contract: gp/cmd.h;
 * what both files share: gp/content_int.h.
 *
 * INSTALL data is a sequence of length-value fields (Tables 11-43..11-49);
 * every variant checks that they add up exactly (else 6A80). The
 * response is one byte 00 (no receipt: delegated management is not
 * supported, a token in the command answers 6A80).
 *
 * The security domain the command reaches (gp/cmd.h) must be the ISD or
 * hold Authorized Management (else 6985); a supplementary one sees and
 * changes only what is associated with it (else 6A88). What it installs
 * or loads is associated with it.
 *
 * LOAD: blocks numbered from 00 after INSTALL [for load] on the same
 * channel; the first block starts with optional DAP blocks (E2) and the
 * load file data object C4 with its BER length; the last block (P1 80)
 * must end the data exactly. Out of order: 6A86; a wrong length: 6A80;
 * in both cases the load is abandoned and nothing is registered. A
 * native load file (data starting "NCAP", sys/ncap.h) goes to the code
 * area through the runtime's port (gp/native.h), checked and recorded in
 * the transaction that registers it; anything else (the GP tools' test
 * load files are Java Card CAP files) is registered without code, its
 * version read from a CAP Header component when there is one.
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

#define LOAD_MAX (512u * 1024u)     /* the code area */

/* The load in progress (one at a time, on one channel slot). */
static struct {
    bool active;
    uint8_t slot;
    struct gp_entry elf;
    uint8_t next_block;
    bool have_len;
    uint32_t declared, received;
    uint8_t head[16];           /* first bytes of the load file data */
    uint8_t head_len;
    bool native;                /* an NCAP file going to the code area */
} load;

/* The application STORE DATA goes to after INSTALL [for personalization]. */
static struct {
    bool active;
    uint8_t slot;
    int index;
} perso;

/* The load in progress ends without being registered. */
static void load_stop(void)
{
    const struct gp_native *nat = gp_native_get();

    if (load.native && nat != NULL) {
        nat->load_abort();
    }
    load.native = false;
    load.active = false;
}

/* Split DATA into exactly N length-value fields. */
bool gp_lv_split(const uint8_t *data, size_t nc, struct lv *f, unsigned n)
{
    size_t at = 0;

    for (unsigned i = 0; i < n; i++) {
        if (at >= nc || at + 1u + data[at] > nc) {
            return false;
        }
        f[i].len = data[at];
        f[i].p = data + at + 1;
        at += 1u + data[at];
    }
    return at == nc;
}

bool gp_lv_aid_ok(const struct lv *f)
{
    return f->len >= 5 && f->len <= 16;
}

void gp_content_done(struct gp_cmd *c)
{
    (void)apdu_response_set_data(c->rsp, "\x00", 1);
}

void gp_content_fail(struct gp_cmd *c, uint16_t sw)
{
    c->rsp->sw = sw;
}

bool gp_lv_is_isd(const struct lv *f)
{
    static const uint8_t isd_aid[] = { GP_ISD_AID };

    return f->len == sizeof(isd_aid) && memcmp(f->p, isd_aid, f->len) == 0;
}

/* May C's security domain touch entry E (the ISD: everything; a
 * supplementary one: what is associated with it)? */
bool gp_content_visible(const struct gp_cmd *c, const struct gp_entry *e)
{
    return c->sd == 0 ||
           gp_registry_associated(e, c->sd_aid, c->sd_aid_len);
}

/* The security domain a command names in F (empty: C's own): into
 * AID/LEN as entries store it (the ISD: length 0). False if F names no
 * security domain C may use. */
bool gp_content_target_sd(const struct gp_cmd *c, const struct lv *f,
                      uint8_t aid[16], uint8_t *len)
{
    struct gp_entry e;
    int idx;

    if (f->len == 0) {
        *len = c->sd ? c->sd_aid_len : 0;
        memcpy(aid, c->sd_aid, *len);
        return true;
    }
    if (gp_lv_is_isd(f)) {
        *len = 0;
        return c->sd == 0;
    }
    idx = gp_registry_find(f->p, f->len);
    if (idx < 0 || !gp_registry_get((unsigned)idx, &e) ||
        e.kind != GP_KIND_SD ||
        (c->sd != 0 && (f->len != c->sd_aid_len ||
                        memcmp(f->p, c->sd_aid, f->len) != 0))) {
        return false;
    }
    *len = f->len;
    memcpy(aid, f->p, f->len);
    return true;
}

/* Commit a transaction begun on the store; SW of the result. */
uint16_t gp_content_commit(struct gp_cmd *c, int rc)
{
    if (rc == STORE_OK) {
        rc = store_commit(c->st);
    } else {
        store_abort(c->st);
    }
    gp_registry_reload();
    if (rc == STORE_ERR_FULL) {
        return SW_GP_NOT_ENOUGH_MEMORY;
    }
    return rc == STORE_OK ? SW_OK : SW_MEMORY_FAILURE;
}

/* ---- INSTALL [for load] -------------------------------------------------- */

void gp_install_for_load(struct gp_cmd *c, uint8_t slot)
{
    struct lv f[5];

    if (!gp_lv_split(c->cmd->data, c->cmd->nc, f, 5) || !gp_lv_aid_ok(&f[0]) ||
        (f[1].len != 0 && !gp_lv_aid_ok(&f[1])) || f[4].len != 0) {
        gp_content_fail(c, SW_WRONG_DATA);
        return;
    }
    if (gp_registry_find(f[0].p, f[0].len) >= 0 || gp_lv_is_isd(&f[0])) {
        gp_content_fail(c, SW_WRONG_DATA);         /* the AID is taken */
        return;
    }
    load_stop();                        /* an older one is abandoned */
    memset(&load, 0, sizeof(load));
    if (!gp_content_target_sd(c, &f[1], load.elf.sd, &load.elf.sd_len)) {
        gp_content_fail(c, SW_GP_REFERENCED_DATA); /* no such security domain */
        return;
    }
    load.active = true;
    load.slot = slot;
    load.elf.kind = GP_KIND_ELF;
    load.elf.life = GP_ELF_LOADED;
    load.elf.aid_len = f[0].len;
    memcpy(load.elf.aid, f[0].p, f[0].len);
    gp_content_done(c);
}

/* ---- LOAD --------------------------------------------------------------- */

/* The load file's version from a CAP Header component (tag 01: magic
 * DECAFFED, CAP minor/major, flags, package minor/major). */
static void cap_version(struct gp_entry *e)
{
    static const uint8_t magic[4] = { 0xDE, 0xCA, 0xFF, 0xED };

    if (load.head_len >= 12 && load.head[0] == 0x01 &&
        memcmp(load.head + 3, magic, 4) == 0) {
        e->version[0] = load.head[11];
        e->version[1] = load.head[10];
    }
}

/* Is the load file data (first block) a native load file (sys/ncap.h)?
 * Anything else (the GP tools' Java Card CAP files) is registered
 * without code, as before the native runtime. */
static bool is_native(const uint8_t *p, size_t n)
{
    return gp_native_get() != NULL && n >= 4 && p[0] == 'N' && p[1] == 'C' &&
           p[2] == 'A' && p[3] == 'P';
}

/* The last block: register the load file, with the runtime's record of
 * its code in the same transaction (GPC 2.3.1 11.1.4: all or nothing). */
static uint16_t load_register(struct gp_cmd *c)
{
    const struct gp_native *nat = gp_native_get();
    uint16_t sw = SW_OK;
    int rc;

    load.elf.size = load.declared;
    cap_version(&load.elf);
    if (!load.native) {
        return gp_registry_put(-1, &load.elf, false) == STORE_OK ?
               SW_OK : SW_GP_NOT_ENOUGH_MEMORY;
    }
    rc = store_begin(c->st);
    if (rc == STORE_OK) {
        sw = nat->load_stage(c->st, &load.elf);
        if (sw != SW_OK) {
            store_abort(c->st);
            gp_registry_reload();
            return sw;
        }
        rc = gp_registry_put(-1, &load.elf, true);
    }
    return gp_content_commit(c, rc);
}

void gp_cmd_load(struct gp_cmd *c, uint8_t slot)
{
    const struct apdu *cmd = c->cmd;
    const uint8_t *p = cmd->data;
    size_t n = cmd->nc;
    uint16_t sw = SW_OK;
    const struct gp_native *nat = gp_native_get();

    if (!gp_cmd_authenticated(c)) {
        gp_content_fail(c, SW_SECURITY_STATUS);
        return;
    }
    if (!load.active || load.slot != slot) {
        gp_content_fail(c, SW_CONDITIONS_NOT_SATISFIED);
        return;
    }
    if ((cmd->p1 != 0x00 && cmd->p1 != 0x80) || cmd->p2 != load.next_block) {
        load_stop();
        gp_content_fail(c, SW_INCORRECT_P1P2);
        return;
    }
    if (!load.have_len) {
        /* DAP blocks (E2) first, then C4 with its BER length */
        while (n >= 2 && p[0] == 0xE2) {
            size_t l = p[1];

            if (l > 0x7F || 2 + l > n) {
                sw = SW_WRONG_DATA;
                break;
            }
            p += 2 + l;
            n -= 2 + l;
        }
        if (sw == SW_OK && (n < 2 || p[0] != 0xC4)) {
            sw = SW_WRONG_DATA;
        } else if (sw == SW_OK) {
            size_t hl = 2;

            if (p[1] < 0x80) {
                load.declared = p[1];
            } else if (p[1] == 0x81 && n >= 3) {
                load.declared = p[2];
                hl = 3;
            } else if (p[1] == 0x82 && n >= 4) {
                load.declared = (uint32_t)p[2] << 8 | p[3];
                hl = 4;
            } else if (p[1] == 0x83 && n >= 5) {
                load.declared = (uint32_t)p[2] << 16 | (uint32_t)p[3] << 8 | p[4];
                hl = 5;
            } else {
                sw = SW_WRONG_DATA;
            }
            p += hl;
            n -= hl;
            load.have_len = true;
            if (load.declared > LOAD_MAX) {
                sw = SW_GP_NOT_ENOUGH_MEMORY;
            }
            if (sw == SW_OK && is_native(p, n)) {
                sw = nat->load_begin(load.declared);
                load.native = sw == SW_OK;
            }
        }
    }
    if (sw == SW_OK) {
        if (load.received + n > load.declared ||
            (cmd->p1 == 0x80 && load.received + n != load.declared)) {
            sw = SW_WRONG_DATA;
        } else if (load.native) {
            sw = nat->load_block(p, (uint32_t)n);
        }
    }
    if (sw == SW_OK) {
        while (n > 0 && load.head_len < sizeof(load.head)) {
            load.head[load.head_len++] = *p++;
            n--;
            load.received++;
        }
        load.received += (uint32_t)n;
    }
    if (sw != SW_OK) {
        load_stop();
        gp_content_fail(c, sw);
        return;
    }
    load.next_block++;
    if (cmd->p1 != 0x80) {
        return;
    }
    sw = load_register(c);
    load_stop();
    if (sw != SW_OK) {
        gp_content_fail(c, sw);
        return;
    }
    gp_content_done(c);
}

/* ---- DELETE ------------------------------------------------------------- */

void gp_cmd_delete_object(struct gp_cmd *c, const uint8_t *aid, size_t len)
{
    static const uint8_t isd_aid[] = { GP_ISD_AID };
    struct gp_entry e, o;
    bool related = (c->cmd->p2 & 0x80) != 0;
    int idx = gp_registry_find(aid, len);
    int rc;
    unsigned n = 0;

    if (len == sizeof(isd_aid) && memcmp(aid, isd_aid, len) == 0) {
        gp_content_fail(c, SW_CONDITIONS_NOT_SATISFIED);
        return;
    }
    if (!gp_cmd_may_manage(c)) {
        gp_content_fail(c, SW_CONDITIONS_NOT_SATISFIED);
        return;
    }
    if (idx < 0 || !gp_registry_get((unsigned)idx, &e) ||
        !gp_content_visible(c, &e)) {
        gp_content_fail(c, SW_GP_REFERENCED_DATA);
        return;
    }
    if (e.kind == GP_KIND_SD && c->sd != 0 && e.rom == c->sd) {
        gp_content_fail(c, SW_CONDITIONS_NOT_SATISFIED);   /* not itself */
        return;
    }
    if (e.kind == GP_KIND_ELF && e.rom) {
        /* a ROM module's code stays */
        gp_content_fail(c, SW_CONDITIONS_NOT_SATISFIED);
        return;
    }
    rc = store_begin(c->st);
    if (e.kind == GP_KIND_ELF) {
        /* 11.2.2.1: its applications go with it, or it is refused */
        for (unsigned i = 0; rc == STORE_OK && gp_registry_get(i, &o); i++) {
            if (o.kind != GP_KIND_ELF && o.elf_len == e.aid_len &&
                memcmp(o.elf, e.aid, e.aid_len) == 0) {
                n++;
                if (related) {
                    rc = gp_registry_stage_delete(i);
                }
            }
        }
        if (n && !related) {
            store_abort(c->st);
            gp_content_fail(c, SW_CONDITIONS_NOT_SATISFIED);
            return;
        }
    }
    if (e.kind == GP_KIND_SD) {
        /* 11.2.2.1: what is associated with it goes with it (P2 80), or it
         * is refused; then its keys */
        for (unsigned i = 0; rc == STORE_OK && gp_registry_get(i, &o); i++) {
            if (gp_registry_associated(&o, e.aid, e.aid_len)) {
                n++;
                if (related) {
                    rc = gp_registry_stage_delete(i);
                }
            }
        }
        if (n && !related) {
            store_abort(c->st);
            gp_content_fail(c, SW_CONDITIONS_NOT_SATISFIED);
            return;
        }
        if (rc == STORE_OK) {
            rc = gp_keyset_stage_delete_all(c->st, e.rom);
        }
    }
    if (rc == STORE_OK && e.kind == GP_KIND_ELF && gp_native_get() != NULL) {
        rc = gp_native_get()->stage_unload(c->st, &e);  /* its code */
    }
    if (rc == STORE_OK) {
        rc = gp_registry_stage_delete((unsigned)idx);
    }
    if (gp_content_commit(c, rc) != SW_OK) {
        gp_content_fail(c, SW_MEMORY_FAILURE);
        return;
    }
    if (perso.active && perso.index == idx) {
        perso.active = false;
    }
    gp_content_done(c);
}

/* ---- INSTALL [for personalization], STORE DATA ------------------------ */

void gp_install_for_personalization(struct gp_cmd *c, uint8_t slot)
{
    struct lv f[6];
    int idx;

    if (!gp_lv_split(c->cmd->data, c->cmd->nc, f, 6) || f[0].len || f[1].len ||
        !gp_lv_aid_ok(&f[2]) || f[3].len || f[4].len || f[5].len) {
        gp_content_fail(c, SW_WRONG_DATA);
        return;
    }
    idx = gp_registry_find(f[2].p, f[2].len);
    if (idx < 0) {
        gp_content_fail(c, SW_GP_REFERENCED_DATA);
        return;
    }
    perso.active = true;
    perso.slot = slot;
    perso.index = idx;
    gp_content_done(c);
}

void gp_cmd_store_data(struct gp_cmd *c, uint8_t slot)
{
    static struct {
        bool active;
        uint8_t slot, next;
    } seq;
    const struct apdu *cmd = c->cmd;

    if (!gp_cmd_authenticated(c)) {
        gp_content_fail(c, SW_SECURITY_STATUS);
        return;
    }
    /* 11.11.2: P2 numbers the blocks from 00; P1 b8 marks the last */
    if (cmd->p2 == 0) {
        seq.active = true;
        seq.slot = slot;
        seq.next = 0;
    }
    if (!seq.active || seq.slot != slot || cmd->p2 != seq.next) {
        seq.active = false;
        gp_content_fail(c, SW_INCORRECT_P1P2);
        return;
    }
    if (cmd->nc == 0) {
        seq.active = false;
        gp_content_fail(c, SW_WRONG_LENGTH);
        return;
    }
    seq.next++;
    if (cmd->p1 & 0x80) {
        seq.active = false;
    }
    if (perso.active && perso.slot == slot) {
        /* 11.11.2.3: to the application of INSTALL [for personalization] */
        const struct applet *a = gp_registry_applet((unsigned)perso.index);

        if (a == NULL || a->store_data == NULL) {
            gp_content_fail(c, SW_CONDITIONS_NOT_SATISFIED);
            return;
        }
        a->store_data(a->self, a, cmd, c->rsp);
        if (cmd->p1 & 0x80) {
            perso.active = false;       /* the last block */
        }
        return;
    }
    c->rsp->sw = gp_sd_store_data(c->st, c->sd, cmd->p1, cmd->data, cmd->nc);
}
