/*
 * The GlobalPlatform registry. Contract: gp/registry.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "gp/registry.h"

#include <string.h>

#include "gp/card_data.h"
#include "gp/gp.h"
#include "gp/keyset.h"
#include "gp/native.h"

#define ENTRY_FORMAT 1u
#define ENTRY_MAX    (1 + 6 + 4 * 17 + 2 + 1 + 1 + GP_PARAMS_MAX + 4 + 8)

struct ram_entry {
    uint16_t n;                 /* store object GP_OBJ_REG(n) */
    uint8_t kind, life;
    uint8_t aid_len, aid[16];
    const struct applet *applet;    /* selectable as (NULL: not an app) */
};

struct instance {
    struct applet a;
    uint8_t aid[16];
    bool used;
    bool seen;                  /* claimed by the reload in progress */
};

static struct {
    struct store *(*store)(void);
    struct {
        const struct applet *module;
        uint8_t max;
        bool def;
    } rom[GP_ROM_MAX];
    unsigned nrom;
    struct ram_entry e[GP_REG_MAX];
    unsigned count;
    struct instance inst[GP_INSTANCES_MAX];
    uint16_t txn_next;          /* next number for a staged new entry */
    const struct applet *isd;
    struct apdu_registry api;
} reg;

/* Applications whose code the card cannot run (a load file from LOAD:
 * issue 14): registered, never selected. */
static bool refuse(void *self, const struct apdu_origin *o)
{
    (void)self;
    (void)o;
    return false;
}

static enum applet_status no_process(void *self, const struct apdu_origin *o,
                                     const struct apdu *cmd,
                                     struct apdu_response *rsp)
{
    (void)self;
    (void)o;
    (void)cmd;
    rsp->sw = SW_UNKNOWN;
    return APPLET_DONE;
}

static const struct applet not_runnable = {
    .name = "not-runnable",
    .select = refuse,
    .process = no_process,
};

static struct store *store(void)
{
    return reg.store ? reg.store() : NULL;
}

void gp_registry_init(struct store *(*store_fn)(void))
{
    memset(&reg, 0, sizeof(reg));
    reg.store = store_fn;
}

bool gp_registry_add_rom(const struct applet *module, uint8_t max_instances,
                         bool default_instance)
{
    if (reg.nrom >= GP_ROM_MAX || module == NULL || module->aid_len == 0 ||
        module->aid_len > 15) {
        return false;
    }
    reg.rom[reg.nrom].module = module;
    reg.rom[reg.nrom].max = max_instances ? max_instances : 1;
    reg.rom[reg.nrom].def = default_instance;
    reg.nrom++;
    return true;
}

/* ---- serialisation ------------------------------------------------------ */

static size_t put_lv(uint8_t *p, size_t at, uint8_t len, const uint8_t *v)
{
    p[at++] = len;
    memcpy(p + at, v, len);
    return at + len;
}

static bool get_lv(const uint8_t *p, size_t n, size_t *at, uint8_t *len,
                   uint8_t *v, size_t cap)
{
    if (*at >= n || p[*at] > cap || *at + 1 + p[*at] > n) {
        return false;
    }
    *len = p[*at];
    memcpy(v, p + *at + 1, *len);
    *at += 1u + *len;
    return true;
}

static size_t encode(const struct gp_entry *e, uint8_t *p)
{
    size_t at = 0;

    p[at++] = ENTRY_FORMAT;
    p[at++] = e->kind;
    p[at++] = e->life;
    p[at++] = e->prev_life;
    memcpy(p + at, e->priv, 3);
    at += 3;
    at = put_lv(p, at, e->aid_len, e->aid);
    at = put_lv(p, at, e->elf_len, e->elf);
    at = put_lv(p, at, e->mod_len, e->mod);
    at = put_lv(p, at, e->sd_len, e->sd);
    p[at++] = e->version[0];
    p[at++] = e->version[1];
    p[at++] = e->rom;
    at = put_lv(p, at, e->params_len, e->params);
    p[at++] = (uint8_t)(e->size >> 24);
    p[at++] = (uint8_t)(e->size >> 16);
    p[at++] = (uint8_t)(e->size >> 8);
    p[at++] = (uint8_t)e->size;
    if (e->ram_quota || e->nvm_quota) {     /* optional: quotas */
        for (unsigned i = 0; i < 8; i++) {
            uint32_t v = i < 4 ? e->ram_quota : e->nvm_quota;

            p[at++] = (uint8_t)(v >> (24 - 8 * (i % 4)));
        }
    }
    return at;
}

static bool decode(const uint8_t *p, size_t n, struct gp_entry *e)
{
    size_t at = 7;

    memset(e, 0, sizeof(*e));
    if (n < 7 || p[0] != ENTRY_FORMAT) {
        return false;
    }
    e->kind = p[1];
    e->life = p[2];
    e->prev_life = p[3];
    memcpy(e->priv, p + 4, 3);
    if (!get_lv(p, n, &at, &e->aid_len, e->aid, 16) ||
        !get_lv(p, n, &at, &e->elf_len, e->elf, 16) ||
        !get_lv(p, n, &at, &e->mod_len, e->mod, 16) ||
        !get_lv(p, n, &at, &e->sd_len, e->sd, 16) || at + 3 > n) {
        return false;
    }
    e->version[0] = p[at++];
    e->version[1] = p[at++];
    e->rom = p[at++];
    if (!get_lv(p, n, &at, &e->params_len, e->params, GP_PARAMS_MAX) ||
        (at + 4 != n && at + 12 != n)) {
        return false;
    }
    for (unsigned i = 0; at < n; i++, at += 4) {
        uint32_t v = (uint32_t)p[at] << 24 | (uint32_t)p[at + 1] << 16 |
                     (uint32_t)p[at + 2] << 8 | p[at + 3];

        *(i == 0 ? &e->size : i == 1 ? &e->ram_quota : &e->nvm_quota) = v;
    }
    return true;
}

static bool read_entry(const struct store *st, uint16_t n, struct gp_entry *e)
{
    uint8_t p[ENTRY_MAX];
    uint32_t len = 0;

    return st && store_read(st, GP_OBJ_REG(n), p, sizeof(p), &len) ==
                     STORE_OK && decode(p, len, e);
}

/* ---- the RAM table ------------------------------------------------------ */

static int rom_index(const uint8_t *elf, uint8_t len)
{
    for (unsigned i = 0; i < reg.nrom; i++) {
        const struct applet *m = reg.rom[i].module;

        if (len == m->aid_len + 1u && memcmp(elf, m->aid, m->aid_len) == 0 &&
            elf[m->aid_len] == 0x00) {
            return (int)i;
        }
    }
    return -1;
}

static const struct gp_native *native;

void gp_native_set(const struct gp_native *n)
{
    native = n;
}

const struct gp_native *gp_native_get(void)
{
    return native;
}

/* The applet an application entry (registry number N) is selected as. */
static const struct applet *applet_for(const struct gp_entry *e, uint16_t n)
{
    int r = rom_index(e->elf, e->elf_len);
    const struct applet *m;

    if (r < 0 && native != NULL) {
        /* a loaded load file: the native runtime's instance */
        const struct applet *a = native->applet_for(e, n);

        return a ? a : &not_runnable;
    }
    if (r < 0 || e->mod_len != reg.rom[r].module->aid_len ||
        memcmp(e->mod, reg.rom[r].module->aid, e->mod_len) != 0) {
        return &not_runnable;
    }
    m = reg.rom[r].module;
    if (e->aid_len == m->aid_len && memcmp(e->aid, m->aid, m->aid_len) == 0) {
        return m;
    }
    /* an instance keeps its applet across reloads: a channel may have it
     * selected */
    for (unsigned i = 0; i < GP_INSTANCES_MAX; i++) {
        struct instance *in = &reg.inst[i];

        if (in->used && !in->seen && in->a.aid_len == e->aid_len &&
            memcmp(in->aid, e->aid, e->aid_len) == 0 &&
            in->a.process == m->process) {
            in->seen = true;
            return &in->a;
        }
    }
    for (unsigned i = 0; i < GP_INSTANCES_MAX; i++) {
        struct instance *in = &reg.inst[i];

        if (!in->used) {
            in->used = true;
            in->seen = true;
            in->a = *m;
            memcpy(in->aid, e->aid, e->aid_len);
            in->a.aid = in->aid;
            in->a.aid_len = e->aid_len;
            return &in->a;
        }
    }
    return &not_runnable;
}

void gp_registry_reload(void)
{
    const struct store *st = store();
    uint32_t id = GP_OBJ_REG(0);
    struct gp_entry e;

    reg.count = 0;
    reg.txn_next = 0;
    for (unsigned i = 0; i < GP_INSTANCES_MAX; i++) {
        reg.inst[i].seen = false;
    }
    if (native != NULL) {
        native->reload_begin();
    }
    while (st && (id = store_next_id(st, id)) != 0 &&
           id <= GP_OBJ_REG(0xFFFF) && reg.count < GP_REG_MAX) {
        struct ram_entry *r = &reg.e[reg.count];

        if (!read_entry(st, (uint16_t)id, &e)) {
            continue;       /* a damaged entry is left out */
        }
        r->n = (uint16_t)id;
        r->kind = e.kind;
        r->life = e.life;
        r->aid_len = e.aid_len;
        memcpy(r->aid, e.aid, e.aid_len);
        r->applet = e.kind == GP_KIND_ELF ? NULL : applet_for(&e, r->n);
        reg.count++;
    }
    if (native != NULL) {
        native->reload_end();
    }
    /* instances no entry claimed any more (deleted) */
    for (unsigned i = 0; i < GP_INSTANCES_MAX; i++) {
        if (reg.inst[i].used && !reg.inst[i].seen) {
            reg.inst[i].used = false;
        }
    }
}

int gp_registry_sync(void)
{
    struct store *st = store();
    int rc = STORE_OK;

    gp_registry_reload();
    for (unsigned i = 0; st && i < reg.nrom && rc == STORE_OK; i++) {
        const struct applet *m = reg.rom[i].module;
        struct gp_entry elf = { 0 }, app = { 0 };

        elf.kind = GP_KIND_ELF;
        elf.life = GP_ELF_LOADED;
        elf.elf_len = 0;
        elf.aid_len = (uint8_t)(m->aid_len + 1);
        memcpy(elf.aid, m->aid, m->aid_len);
        elf.aid[m->aid_len] = 0x00;
        elf.rom = (uint8_t)(i + 1);
        elf.version[0] = 0x01;
        if (gp_registry_find(elf.aid, elf.aid_len) >= 0) {
            continue;
        }
        rc = store_begin(st);
        if (rc == STORE_OK) {
            rc = gp_registry_put(-1, &elf, true);
        }
        if (rc == STORE_OK && reg.rom[i].def) {
            app.kind = GP_KIND_APP;
            app.life = GP_APP_SELECTABLE;
            app.aid_len = m->aid_len;
            memcpy(app.aid, m->aid, m->aid_len);
            app.elf_len = elf.aid_len;
            memcpy(app.elf, elf.aid, elf.aid_len);
            app.mod_len = m->aid_len;
            memcpy(app.mod, m->aid, m->aid_len);
            rc = gp_registry_put(-1, &app, true);
        }
        if (rc == STORE_OK) {
            rc = store_commit(st);
        } else {
            store_abort(st);
        }
        gp_registry_reload();
    }
    return rc;
}

bool gp_registry_get(unsigned index, struct gp_entry *e)
{
    return index < reg.count && read_entry(store(), reg.e[index].n, e);
}

int gp_registry_find(const uint8_t *aid, size_t len)
{
    for (unsigned i = 0; i < reg.count; i++) {
        if (reg.e[i].aid_len == len && memcmp(reg.e[i].aid, aid, len) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* A free object number: past the highest in use and those this
 * transaction took already (entries keep their order of creation), or
 * the lowest gap when the numbers ran out; 0 if none. */
static uint16_t free_number(void)
{
    uint16_t n = reg.count ? (uint16_t)(reg.e[reg.count - 1].n + 1) : 1;

    if (reg.txn_next > n) {
        n = reg.txn_next;
    }
    if (n != 0 && n != 0xFFFF) {
        return n;
    }
    for (n = 1; n < 0xFFFF; n++) {
        if (store_size(store(), GP_OBJ_REG(n)) < 0 && n != reg.txn_next - 1) {
            return n;
        }
    }
    return 0;
}

int gp_registry_put(int index, const struct gp_entry *e, bool stage)
{
    struct store *st = store();
    uint8_t p[ENTRY_MAX];
    size_t len = encode(e, p);
    uint16_t n;
    int rc;

    if (st == NULL) {
        return STORE_ERR_STATE;
    }
    if (index >= 0) {
        n = reg.e[index].n;
    } else {
        if (reg.count + 1 > GP_REG_MAX) {
            return STORE_ERR_FULL;
        }
        n = free_number();
        if (n == 0) {
            return STORE_ERR_FULL;
        }
        reg.txn_next = (uint16_t)(n + 1);
    }
    if (stage) {
        return store_write(st, GP_OBJ_REG(n), p, (uint32_t)len);
    }
    rc = store_put(st, GP_OBJ_REG(n), p, (uint32_t)len);
    gp_registry_reload();
    return rc;
}

int gp_registry_stage_delete(unsigned index)
{
    if (index >= reg.count) {
        return STORE_ERR_NOT_FOUND;
    }
    return store_delete(store(), GP_OBJ_REG(reg.e[index].n));
}

unsigned gp_registry_apps(void)
{
    unsigned n = 0;

    for (unsigned i = 0; i < reg.count; i++) {
        n += reg.e[i].kind != GP_KIND_ELF;
    }
    return n;
}

const struct applet *gp_registry_rom(const struct gp_entry *e)
{
    return e->rom && e->rom <= reg.nrom ? reg.rom[e->rom - 1].module : NULL;
}

uint8_t gp_registry_rom_max(const struct applet *module)
{
    for (unsigned i = 0; i < reg.nrom; i++) {
        if (reg.rom[i].module == module) {
            return reg.rom[i].max;
        }
    }
    return 0;
}

uint8_t gp_registry_sd_of(const struct applet *instance, struct gp_entry *e)
{
    for (unsigned i = 0; instance && i < reg.count; i++) {
        if (reg.e[i].applet == instance && reg.e[i].kind == GP_KIND_SD &&
            gp_registry_get(i, e)) {
            return e->rom;
        }
    }
    return 0;
}

uint8_t gp_registry_free_sd(void)
{
    uint64_t used = 1;          /* 0 is the ISD */
    struct gp_entry e;

    for (unsigned i = 0; i < reg.count; i++) {
        if (reg.e[i].kind == GP_KIND_SD && gp_registry_get(i, &e) &&
            e.rom < 64) {
            used |= (uint64_t)1 << e.rom;
        }
    }
    for (uint8_t n = 1; n <= GP_SD_MAX; n++) {
        if (!(used & ((uint64_t)1 << n))) {
            return n;
        }
    }
    return 0;
}

bool gp_registry_associated(const struct gp_entry *e, const uint8_t *aid,
                            uint8_t aid_len)
{
    return e->sd_len == aid_len && memcmp(e->sd, aid, aid_len) == 0;
}

struct store *gp_registry_store(void)
{
    return store();
}

bool gp_registry_entry_of(const struct applet *instance, struct gp_entry *e)
{
    for (unsigned i = 0; instance && i < reg.count; i++) {
        if (reg.e[i].applet == instance) {
            return gp_registry_get(i, e);
        }
    }
    return false;
}

const struct applet *gp_registry_applet(unsigned index)
{
    return index < reg.count ? reg.e[index].applet : NULL;
}

size_t gp_registry_params(const struct applet *instance, uint8_t *out,
                          size_t cap)
{
    struct gp_entry e;

    for (unsigned i = 0; i < reg.count; i++) {
        if (reg.e[i].applet == instance && gp_registry_get(i, &e)) {
            size_t n = e.params_len < cap ? e.params_len : cap;

            memcpy(out, e.params, n);
            return n;
        }
    }
    return 0;
}

/* ---- the dispatcher's registry ------------------------------------------ */

static bool selectable(const struct ram_entry *r)
{
    return r->applet != NULL && !(r->life & GP_APP_LOCKED_BIT) &&
           (r->life & GP_APP_SELECTABLE) == GP_APP_SELECTABLE;
}

static bool prefix(const uint8_t *aid, uint8_t aid_len, const uint8_t *name,
                   size_t len)
{
    return aid_len >= len && memcmp(aid, name, len) == 0;
}

static const struct applet *find(void *ctx, const uint8_t *aid, size_t len,
                                 const struct applet *after)
{
    const struct store *st = store();
    uint8_t state = gp_card_state(st);
    unsigned i = 0;

    (void)ctx;
    if (after == NULL && reg.isd &&
        prefix(reg.isd->aid, reg.isd->aid_len, aid, len)) {
        return reg.isd;
    }
    if (state == GP_CARD_LOCKED || state == GP_CARD_TERMINATED) {
        return NULL;
    }
    if (st == NULL) {
        /* no store: the ROM modules' default instances */
        for (unsigned k = 0; k < reg.nrom; k++) {
            const struct applet *m = reg.rom[k].module;

            if (after == m) {
                after = NULL;
                continue;
            }
            if (after == NULL && reg.rom[k].def &&
                prefix(m->aid, m->aid_len, aid, len)) {
                return m;
            }
        }
        return NULL;
    }
    if (after != NULL && after != reg.isd) {
        while (i < reg.count && reg.e[i].applet != after) {
            i++;
        }
        i++;
    }
    for (; i < reg.count; i++) {
        if (selectable(&reg.e[i]) &&
            prefix(reg.e[i].aid, reg.e[i].aid_len, aid, len)) {
            return reg.e[i].applet;
        }
    }
    return NULL;
}

static const struct applet *unnamed(void *ctx)
{
    (void)ctx;
    return reg.isd;
}

const struct apdu_registry *gp_registry(const struct applet *isd)
{
    reg.isd = isd;
    reg.api.find = find;
    reg.api.unnamed = unnamed;
    reg.api.ctx = &reg;
    return &reg.api;
}

uint32_t gp_registry_ram_bytes(void)
{
    return (uint32_t)sizeof(reg);
}
