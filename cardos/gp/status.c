/*
 * GET STATUS and SET STATUS (GPC 2.3.1 11.4, 11.10). Contract: gp/cmd.h.
 *
 * GET STATUS: P1 80 the ISD, 40 applications and security domains, 20
 * load files, 10 load files and their modules; P2 b2 = 1 tag format
 * (E3 { 4F, 9F70, C5 for applications and security domains, CE the load
 * file's version when known, 84 per module }), b2 = 0 the legacy format
 * (AID length, AID, life cycle, privileges byte 1; for P1 10 also the
 * modules); P2 b1 = 1 next occurrence (after 6310). Search criteria: 4F
 * with an AID or its first bytes (empty: all), optionally followed by a
 * tag list 5C (only those tags are returned). Nothing matches: 6A88.
 * CC, the associated security domain's AID (11.4.2.2, Table 11-36), ends
 * the entry of every load file, application and supplementary security
 * domain (the ISD's own entry has none: it is associated with no other).
 *
 * SET STATUS: P1 80 the card (life cycle of 5.1.1; a supplementary
 * security domain needs Card Lock / Card Terminate), 40 an application
 * or security domain (P2 b8 = 1 locks, P2 = 00 unlocks to the state
 * before the lock), 60 a security domain and its associated applications
 * in one transaction. A supplementary security domain sees and changes
 * only itself and what is associated with it.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "gp/card_data.h"
#include "gp/cmd.h"
#include "gp/gp.h"
#include "gp/registry.h"

/* Response data per GET STATUS: a short response (256 bytes), less room
 * for R-ENC padding and the R-MAC when the session's level has R-MAC
 * (Amendment D 6.2.5, 6.2.7: the wrapped answer must still fit). */
#define STATUS_BUDGET_WRAPPED 232

static size_t status_budget(const struct gp_cmd *c)
{
    size_t cap = c->rsp->cap > 2 ? c->rsp->cap - 2 : 0;
    size_t b = (c->sc && (c->sc->level & SCP_LEVEL_RMAC))
                   ? STATUS_BUDGET_WRAPPED : 256;

    return b < cap ? b : cap;
}

static const uint8_t isd_aid[] = { GP_ISD_AID };
static const uint8_t isd_priv[3] = {
    GP_PRIV_SD | GP_PRIV_CARD_LOCK | GP_PRIV_CARD_TERMINATE |
        GP_PRIV_CARD_RESET | GP_PRIV_CVM_MGMT, 0, 0,
};

/* The GET STATUS that answered 6310 (one at a time, per channel slot). */
static struct {
    bool active;
    uint8_t slot, p1, p2;
    uint8_t aid_len, aid[16];
    uint8_t tags[8], ntags;
    unsigned next;              /* registry index to go on from (ISD: 0) */
} more;

/* Is TAG in the tag list (5C) of the search, or is there none? */
static bool want(const uint8_t *tags, uint8_t ntags, uint16_t tag)
{
    unsigned i = 0;

    if (ntags == 0) {
        return true;
    }
    while (i < ntags) {
        uint16_t t = tags[i++];

        if ((t & 0x1F) == 0x1F && i < ntags) {
            t = (uint16_t)(t << 8 | tags[i++]);     /* two-byte tag */
        }
        if (t == tag) {
            return true;
        }
    }
    return false;
}

static bool is_isd(const struct gp_entry *e)
{
    return e->kind == GP_KIND_SD && e->aid_len == sizeof(isd_aid) &&
           memcmp(e->aid, isd_aid, sizeof(isd_aid)) == 0;
}

/* One entry in the chosen format into OUT (at most CAP bytes); its
 * length, 0 if it does not fit. */
static size_t entry(const struct gp_entry *e, bool tagged, bool modules,
                    const uint8_t *tags, uint8_t ntags, uint8_t *out,
                    size_t cap)
{
    uint8_t b[128];
    size_t n = 0;
    const struct applet *m = modules ? gp_registry_rom(e) : NULL;

    if (!tagged) {
        b[n++] = e->aid_len;
        memcpy(b + n, e->aid, e->aid_len);
        n += e->aid_len;
        b[n++] = e->life;
        b[n++] = e->kind == GP_KIND_ELF ? 0x00 : e->priv[0];
        if (modules) {
            b[n++] = m ? 1 : 0;
            if (m) {
                b[n++] = m->aid_len;
                memcpy(b + n, m->aid, m->aid_len);
                n += m->aid_len;
            }
        }
    } else {
        b[n++] = 0xE3;
        b[n++] = 0;
        if (want(tags, ntags, 0x4F)) {
            b[n++] = 0x4F;
            b[n++] = e->aid_len;
            memcpy(b + n, e->aid, e->aid_len);
            n += e->aid_len;
        }
        if (want(tags, ntags, 0x9F70)) {
            b[n++] = 0x9F;
            b[n++] = 0x70;
            b[n++] = 1;
            b[n++] = e->life;
        }
        if (e->kind != GP_KIND_ELF && want(tags, ntags, 0xC5)) {
            b[n++] = 0xC5;
            b[n++] = 3;
            memcpy(b + n, e->priv, 3);
            n += 3;
        }
        if (e->kind == GP_KIND_ELF && (e->version[0] || e->version[1]) &&
            want(tags, ntags, 0xCE)) {
            b[n++] = 0xCE;
            b[n++] = 2;
            b[n++] = e->version[0];
            b[n++] = e->version[1];
        }
        if (m && want(tags, ntags, 0x84)) {
            b[n++] = 0x84;
            b[n++] = m->aid_len;
            memcpy(b + n, m->aid, m->aid_len);
            n += m->aid_len;
        }
        if (!is_isd(e) && want(tags, ntags, 0xCC)) {
            /* registry: an empty associated SD is the ISD */
            bool isd = e->sd_len == 0;

            b[n++] = 0xCC;
            b[n++] = isd ? (uint8_t)sizeof(isd_aid) : e->sd_len;
            memcpy(b + n, isd ? isd_aid : e->sd, b[n - 1]);
            n += b[n - 1];
        }
        b[1] = (uint8_t)(n - 2);
    }
    if (n > cap) {
        return 0;
    }
    memcpy(out, b, n);
    return n;
}

/* A supplementary security domain sees itself and what is associated
 * with it (GPC 2.3.1 11.4.2); the ISD everything. */
static bool visible(const struct gp_cmd *c, const struct gp_entry *e)
{
    return c->sd == 0 ||
           gp_registry_associated(e, c->sd_aid, c->sd_aid_len) ||
           (e->kind == GP_KIND_SD && e->rom == c->sd);
}

static bool matches(const struct gp_entry *e, uint8_t p1)
{
    switch (p1) {
    case 0x40:
        return e->kind == GP_KIND_APP || e->kind == GP_KIND_SD;
    case 0x20:
    case 0x10:
        return e->kind == GP_KIND_ELF;
    default:
        return false;
    }
}

void gp_cmd_get_status(struct gp_cmd *c, uint8_t slot)
{
    const struct apdu *cmd = c->cmd;
    bool tagged = (cmd->p2 & 0x02) != 0, next = (cmd->p2 & 0x01) != 0;
    uint8_t *out = c->rsp->buf;
    size_t n = 0, k;
    unsigned i;
    bool full = false, any = false;
    struct gp_entry e;

    if (!gp_cmd_authenticated(c)) {
        c->rsp->sw = SW_SECURITY_STATUS;
        return;
    }
    if ((cmd->p1 != 0x80 && cmd->p1 != 0x40 && cmd->p1 != 0x20 &&
         cmd->p1 != 0x10) || (cmd->p2 & ~0x03u) != 0) {
        c->rsp->sw = SW_INCORRECT_P1P2;
        return;
    }
    if (next) {
        if (!more.active || more.slot != slot || more.p1 != cmd->p1 ||
            (more.p2 & 0x02) != (cmd->p2 & 0x02)) {
            c->rsp->sw = SW_CONDITIONS_NOT_SATISFIED;
            return;
        }
    } else {
        /* search criteria: 4F L AID [5C L tags] */
        size_t at;

        if (cmd->nc < 2 || cmd->data[0] != 0x4F || cmd->data[1] > 16 ||
            2u + cmd->data[1] > cmd->nc) {
            c->rsp->sw = SW_WRONG_DATA;
            return;
        }
        more.aid_len = cmd->data[1];
        memcpy(more.aid, cmd->data + 2, more.aid_len);
        at = 2u + more.aid_len;
        more.ntags = 0;
        if (at < cmd->nc) {
            if (cmd->data[at] != 0x5C || at + 2 > cmd->nc ||
                at + 2u + cmd->data[at + 1] != cmd->nc ||
                cmd->data[at + 1] > sizeof(more.tags)) {
                c->rsp->sw = SW_WRONG_DATA;
                return;
            }
            more.ntags = cmd->data[at + 1];
            memcpy(more.tags, cmd->data + at + 2, more.ntags);
        }
        more.next = 0;
        more.p1 = cmd->p1;
        more.p2 = cmd->p2;
        more.slot = slot;
    }
    more.active = false;
    if (cmd->p1 == 0x80) {
        if (c->sd == 0 && more.aid_len <= sizeof(isd_aid) &&
            memcmp(isd_aid, more.aid, more.aid_len) == 0) {
            struct gp_entry isd = { .kind = GP_KIND_SD, .aid_len = 8 };

            memcpy(isd.aid, isd_aid, 8);
            memcpy(isd.priv, isd_priv, 3);
            isd.life = gp_card_state(c->st);
            n = entry(&isd, tagged, false, more.tags, more.ntags, out,
                      status_budget(c));
            any = true;
        }
    } else {
        for (i = more.next; gp_registry_get(i, &e); i++) {
            if (!matches(&e, cmd->p1) || !visible(c, &e) ||
                e.aid_len < more.aid_len ||
                memcmp(e.aid, more.aid, more.aid_len) != 0) {
                continue;
            }
            k = entry(&e, tagged, cmd->p1 == 0x10, more.tags, more.ntags,
                      out + n, status_budget(c) - n);
            if (k == 0) {
                full = true;
                break;
            }
            n += k;
            any = true;
        }
        if (full) {
            more.active = true;
            more.next = i;
        }
    }
    if (!any) {
        c->rsp->sw = SW_GP_REFERENCED_DATA;
        return;
    }
    c->rsp->len = n;
    if (full) {
        c->rsp->sw = SW_GP_MORE_DATA;
    }
}

/* ---- SET STATUS --------------------------------------------------------- */

static void set_card(struct gp_cmd *c)
{
    uint8_t cur = gp_card_state(c->st), next = c->cmd->p2;
    bool ok;

    /* 6.6.1: Card Lock for CARD_LOCKED and back, Card Terminate for
     * TERMINATED; the ISD holds both */
    if ((next == GP_CARD_TERMINATED &&
         !(c->sd_priv[0] & GP_PRIV_CARD_TERMINATE)) ||
        (next != GP_CARD_TERMINATED && !(c->sd_priv[0] & GP_PRIV_CARD_LOCK) &&
         c->sd != 0)) {
        c->rsp->sw = SW_CONDITIONS_NOT_SATISFIED;
        return;
    }

    if (next == cur && next != GP_CARD_TERMINATED) {
        return;     /* already there: nothing to do (unlock of an unlocked
                       card, as GlobalPlatformPro sends it) */
    }
    switch (next) {
    case GP_CARD_INITIALIZED:
        ok = cur == GP_CARD_OP_READY;
        break;
    case GP_CARD_SECURED:
        ok = cur == GP_CARD_OP_READY || cur == GP_CARD_INITIALIZED ||
             cur == GP_CARD_LOCKED;
        break;
    case GP_CARD_LOCKED:
        ok = cur == GP_CARD_SECURED;
        break;
    case GP_CARD_TERMINATED:
        ok = true;
        break;
    default:
        c->rsp->sw = SW_INCORRECT_P1P2;
        return;
    }
    if (!ok) {
        c->rsp->sw = SW_CONDITIONS_NOT_SATISFIED;
        return;
    }
    if (gp_card_set_state(c->st, next) != STORE_OK) {
        c->rsp->sw = SW_MEMORY_FAILURE;
    }
}

/* New life cycle of E for P2 (lock / unlock), or 0 if not allowed. */
static uint8_t locked_state(const struct gp_entry *e, uint8_t p2)
{
    if (p2 & 0x80) {
        /* 5.3.1.3: LOCKED keeps the state's low bits */
        return (e->life & GP_APP_LOCKED_BIT) ? 0
                                             : (uint8_t)(e->life | 0x80);
    }
    if (p2 == 0x00) {
        return (e->life & GP_APP_LOCKED_BIT) ? (e->prev_life ? e->prev_life
                                                             : GP_APP_SELECTABLE)
                                             : 0;
    }
    return 0;
}

void gp_cmd_set_status(struct gp_cmd *c)
{
    const struct apdu *cmd = c->cmd;
    struct gp_entry e;
    int idx;
    uint8_t next;
    int rc;

    if (!gp_cmd_authenticated(c)) {
        c->rsp->sw = SW_SECURITY_STATUS;
        return;
    }
    if (cmd->p1 == 0x80) {
        /* no data, or the ISD's AID (GPShell sends it) */
        if (cmd->nc != 0 && (cmd->nc != sizeof(isd_aid) ||
                             memcmp(cmd->data, isd_aid, cmd->nc) != 0)) {
            c->rsp->sw = SW_WRONG_DATA;
            return;
        }
        set_card(c);
        return;
    }
    if (cmd->p1 != 0x40 && cmd->p1 != 0x60) {
        c->rsp->sw = SW_INCORRECT_P1P2;
        return;
    }
    if (cmd->nc < 5 || cmd->nc > 16) {
        c->rsp->sw = SW_WRONG_DATA;
        return;
    }
    idx = gp_registry_find(cmd->data, cmd->nc);
    if (idx < 0 || !gp_registry_get((unsigned)idx, &e) ||
        e.kind == GP_KIND_ELF || (cmd->p1 == 0x60 && e.kind != GP_KIND_SD) ||
        !visible(c, &e)) {
        c->rsp->sw = SW_GP_REFERENCED_DATA;
        return;
    }
    next = locked_state(&e, cmd->p2);
    if (next == 0) {
        c->rsp->sw = (cmd->p2 & 0x80) || cmd->p2 == 0 ? SW_CONDITIONS_NOT_SATISFIED
                                                      : SW_INCORRECT_P1P2;
        return;
    }
    /* one transaction: the entry and, for P1 60, the applications
     * associated with the security domain (11.10.2.2) */
    rc = store_begin(c->st);
    for (unsigned i = 0; cmd->p1 == 0x60 && rc == STORE_OK; i++) {
        struct gp_entry a;
        uint8_t an;

        if (!gp_registry_get(i, &a)) {
            break;
        }
        if (a.kind == GP_KIND_ELF || !gp_registry_associated(&a, e.aid,
                                                              e.aid_len)) {
            continue;
        }
        an = locked_state(&a, cmd->p2);
        if (an == 0) {
            continue;       /* already in that state */
        }
        if (cmd->p2 & 0x80) {
            a.prev_life = a.life;
        }
        a.life = an;
        rc = gp_registry_put((int)i, &a, true);
    }
    if (cmd->p2 & 0x80) {
        e.prev_life = e.life;
    }
    e.life = next;
    if (rc == STORE_OK) {
        rc = gp_registry_put(idx, &e, true);
    }
    if (rc == STORE_OK) {
        rc = store_commit(c->st);
    } else {
        store_abort(c->st);
    }
    gp_registry_reload();
    if (rc != STORE_OK) {
        c->rsp->sw = SW_MEMORY_FAILURE;
    }
}
