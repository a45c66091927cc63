/*
 * The native applet runtime. Contract: sys/runtime.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "arch/cpu.h"
#include "crypto/crypto.h"
#include "gp/gp.h"
#include "gp/isd.h"
#include "gp/native.h"
#include "gp/registry.h"
#include "kernel/reset_cause.h"
#include "sys/runtime.h"
#include "sys/sys_priv.h"

#define LOG_MODULE "sys"
#include "kernel/log.h"

/*
 * Instance RAM and the code region are whole 1 KiB pages of
 * the emulated CPU (QEMU's M-profile TARGET_PAGE_SIZE): an MPU region
 * that covers part of a page makes every access to that page take the
 * slow path, and code in such a page is translated again at every
 * execution (docs/applets.md "Round trip").
 */
#define GRANULE   1024u
#define GRANULES  (SYS_RAM_POOL / GRANULE)     /* at most */


static struct {
    struct store *(*store)(void);
    struct sys_instance inst[SYS_INSTANCES_MAX];
    uint8_t map[GRANULES / 8];          /* pool granules in use */
    struct ncap_info load_info;
    uint32_t faults;
    struct sys_call call;               /* the one running applet */
    uint16_t live_ns[GP_REG_MAX];       /* namespaces the reload named */
    unsigned live_count;
    const struct sys_instance *window_owner;    /* its last command */
    uint32_t window_used;               /* data bytes of that command */
    uint32_t key_pages;                 /* pool pages RSA keys hold */
    enum sys_stop last_stop;
} rt;

/* The instance RAM pool: its granules start at the first 1 KiB
 * boundary in it (aligning the array itself would cost the same gap in
 * the OS's .bss, every image). */
static uint8_t pool[SYS_RAM_POOL] __attribute__((aligned(32)));
/*
 * The APDU window (netcard/applet.h struct nc_apdu, SYS_WINDOW_SIZE
 * bytes) is the pool's first page, whole, its own region: a region that
 * covers part of a page (the window in OS data, as it was) sends every
 * access to that page, the OS's copies into it included, down the
 * emulator's slow path (docs/applets.md "Round trip"). Set by sys_init().
 */
static uint8_t *window;

static uint8_t *pool_base(void)
{
    return pool + ((GRANULE - ((uint32_t)(uintptr_t)pool & (GRANULE - 1u))) &
                   (GRANULE - 1u));
}

static uint32_t pool_granules(void)
{
    return (uint32_t)(pool + SYS_RAM_POOL - pool_base()) / GRANULE;
}

static int sha256(const void *data, size_t len, uint8_t out[32])
{
    return crypto_hash(CRYPTO_SHA256, data, len, out) == CRYPTO_OK ? 0 : -1;
}

/* ---- the RAM pool: first fit in 32-byte granules ------------------------- */

static bool granule_used(uint32_t g)
{
    return (rt.map[g / 8] >> (g % 8)) & 1u;
}

static void granules_set(uint32_t first, uint32_t n, bool used)
{
    for (uint32_t g = first; g < first + n; g++) {
        if (used) {
            rt.map[g / 8] |= (uint8_t)(1u << (g % 8));
        } else {
            rt.map[g / 8] &= (uint8_t)~(1u << (g % 8));
        }
    }
}

static uint32_t ram_round(uint32_t size)
{
    return (size + GRANULE - 1u) & ~(GRANULE - 1u);
}

static bool ram_alloc(uint32_t size, uint32_t *off)
{
    uint32_t n = size / GRANULE, run = 0;

    for (uint32_t g = 0; g < pool_granules() && n > 0; g++) {
        run = granule_used(g) ? 0 : run + 1;
        if (run == n) {
            granules_set(g + 1 - n, n, true);
            *off = (g + 1 - n) * GRANULE;
            return true;
        }
    }
    return false;
}

static void ram_free(uint32_t off, uint32_t size)
{
    granules_set(off / GRANULE, size / GRANULE, false);
}

uint8_t *sys_pool_take(void)
{
    uint32_t off;

    if (!ram_alloc(GRANULE, &off)) {
        return NULL;
    }
    rt.key_pages++;
    return pool_base() + off;
}

void sys_pool_give(uint8_t *page)
{
    if (page != NULL) {
        cpu_zero_words((uint32_t *)(void *)page, GRANULE / 4u);
        ram_free((uint32_t)(page - pool_base()), GRANULE);
        rt.key_pages--;
    }
}

/* ---- running an event ----------------------------------------------------- */

static uint32_t addr(const void *p)
{
    return (uint32_t)(uintptr_t)p;
}

static uint8_t *ram_of(const struct sys_instance *in)
{
    return pool_base() + in->ram_off;
}

static void hexaid(const struct sys_instance *in, char *out)
{
    static const char hex[] = "0123456789ABCDEF";
    uint8_t n = in->a.aid_len;

    for (uint8_t i = 0; i < n; i++) {
        out[2 * i] = hex[in->aid[i] >> 4];
        out[2 * i + 1] = hex[in->aid[i] & 15];
    }
    out[2 * n] = 0;
}

/* Data and bss from the load file, relocated for where things are. */
static void ram_setup(struct sys_instance *in)
{
    const struct ncap_info *i = &in->info;
    uint8_t *ram = ram_of(in);
    char name[2 * NCAP_AID_MAX + 1];

    hexaid(in, name);
    LOG_I("applet %s: code at 0x%08x, data at 0x%08x", name,
          (unsigned)addr(in->file + i->code_offset),
          (unsigned)addr(ram + i->stack_size));
    memset(ram, 0, in->ram_size);
    ncap_instance_init(in->file, i, ram + i->stack_size,
                       addr(in->file + i->code_offset),
                       addr(ram + i->stack_size));
    in->ram_ready = true;
}

static void transient_clear(struct sys_instance *in)
{
    const struct ncap_info *i = &in->info;

    if (in->ram_ready) {
        memset(ram_of(in) + i->stack_size + i->data_size + i->bss_size, 0,
               i->transient_size);
    }
}

static void lock_instance(struct sys_instance *in)
{
    struct gp_entry e;
    int idx = gp_registry_find(in->aid, in->a.aid_len);

    if (idx >= 0 && gp_registry_get((unsigned)idx, &e) &&
        !(e.life & GP_APP_LOCKED_BIT)) {
        e.prev_life = e.life;
        e.life |= GP_APP_LOCKED_BIT;
        if (gp_registry_put(idx, &e, false) != STORE_OK) {
            LOG_E("could not lock the applet");
        }
    }
}

static const char *const kinds[] = {
    [FAULT_KIND_HARD_FAULT] = "HardFault",
    [FAULT_KIND_MEM_MANAGE] = "MemManage",
    [FAULT_KIND_BUS_FAULT] = "BusFault",
    [FAULT_KIND_USAGE_FAULT] = "UsageFault",
    [FAULT_KIND_SECURE_FAULT] = "SecureFault",
};

/* The applet of C is stopped for WHY: log, abort, count, maybe lock. */
static void stopped(struct sys_call *c, const char *why)
{
    struct sys_instance *in = c->in;
    const struct uproc_fault *f = &c->p.fault;
    char name[2 * NCAP_AID_MAX + 1];

    hexaid(in, name);
    rt.faults++;
    LOG_E("applet %s stopped: %s PC=0x%08x LR=0x%08x addr=0x%08x "
          "CFSR=0x%08x", name, why, (unsigned)f->pc, (unsigned)f->lr,
          (unsigned)f->addr, (unsigned)f->cfsr);
    sys_syscall_abort(c);
    in->ram_ready = false;          /* its data may be half-changed */
    if (++in->faults >= SYS_FAULTS_LOCK) {
        LOG_E("applet %s: %u faults, LOCKED", name, (unsigned)in->faults);
        lock_instance(in);
    }
}

/* The window for IN: its page cleared whole (word stores) if another
 * instance had it (or a deleted one in the same slot). */
static void window_claim(const struct sys_instance *in)
{
    if (in != rt.window_owner) {
        cpu_zero_words((uint32_t *)(void *)window, GRANULE / 4u);
        rt.window_owner = in;
        rt.window_used = 0;
    }
}

/*
 * Run event EV of instance IN; its result in *RESULT. False when the
 * applet was stopped (fault, budget, bad argument): the caller answers
 * 6F00.
 */
static bool run_event(struct sys_instance *in, uint32_t ev,
                      const struct apdu_origin *o, const struct apdu *cmd,
                      struct apdu_response *rsp, uint32_t *result,
                      const struct sys_web_req *web,
                      struct sys_web_rsp *web_rsp)
{
    struct sys_call *c = &rt.call;
    const struct ncap_info *i = &in->info;
    uint32_t file = addr(in->file), ram = addr(ram_of(in));
    /* the file's pages are its own (sys/codearea.h): the region ends
     * at its last page's end, erased past the file */
    struct uproc_region code = {
        file, file + ((i->code_offset + i->code_size + SYS_CODE_PAGE - 1u) &
                      ~(SYS_CODE_PAGE - 1u)) };
    struct uproc_region rr = { ram, ram + in->ram_size };
    struct uproc_region win = { addr(window), addr(window) + GRANULE };
    uint32_t args[3] = { ev, cmd || web ? addr(window) : 0,
                         addr(in->file + i->code_offset +
                              i->modules[in->module].entry) };
    const char *why = NULL;

    if (!uproc_can_run()) {
        /*
         * Called with interrupts masked: the contact interface's reset
         * (card/contact.c on_line -> dispatch_reset -> DESELECT) runs
         * so. The applet is not run (its `svc #255` would escalate to a
         * HardFault) and nothing is counted against it: a reset gives
         * no DESELECT, as a power loss cannot (Java Card semantics).
         */
        LOG_W("applet event %u not run: interrupts masked", (unsigned)ev);
        rt.last_stop = SYS_STOP_CANNOT_RUN;
        return false;
    }
    if (!in->ram_ready) {
        ram_setup(in);
    }
    window_claim(in);
    /* field by field: the library's memset is byte by byte; c->p is
     * uproc_start's */
    c->in = in;
    c->cmd = cmd;
    c->rsp = rsp;
    c->origin = o;
    c->tx_open = false;
    c->sc_done = false;
    c->sc_bits = 0;
    c->web = web;
    c->web_rsp = web_rsp;
    /* crt0 at code offset 0; r9 = the GOT in the instance's data */
    uproc_start(&c->p, addr(in->file + i->code_offset) | 1u, args,
                ram + i->stack_size + i->got_offset, ram,
                ram + i->stack_size, &code, &rr, &win, SYS_BUDGET_US);
    for (;;) {
        enum uproc_stop s = uproc_run(&c->p);

        if (s == UPROC_SVC) {
            enum sys_sc r = sys_syscall(c, result);

            if (r == SYS_SC_RESUME) {
                continue;
            }
            if (r == SYS_SC_EXIT) {
                break;
            }
            why = "bad system call argument";
            rt.last_stop = SYS_STOP_ARG;
            uproc_where(&c->p);
        } else if (s == UPROC_BUDGET) {
            why = "time budget exceeded";
            rt.last_stop = SYS_STOP_BUDGET;
            uproc_where(&c->p);
        } else {
            rt.last_stop = SYS_STOP_FAULT;
            uint32_t k = c->p.fault.kind;

            why = k < sizeof(kinds) / sizeof(kinds[0]) && kinds[k] ?
                  kinds[k] : "fault";
        }
        uproc_finish(&c->p);
        stopped(c, why);
        c->in = NULL;
        return false;
    }
    uproc_finish(&c->p);
    /* a transaction left open at the end of the event is aborted */
    sys_syscall_abort(c);
    c->in = NULL;
    return true;
}

bool sys_run_event(struct sys_instance *in, uint32_t ev,
                   const struct sys_web_req *web, struct sys_web_rsp *rsp,
                   uint32_t *result)
{
    return run_event(in, ev, NULL, NULL, NULL, result, web, rsp);
}

enum sys_stop sys_last_stop(void)
{
    return rt.last_stop;
}

bool sys_running(void)
{
    return rt.call.in != NULL;
}

struct sys_instance *sys_instance_at(unsigned k)
{
    return k < SYS_INSTANCES_MAX && rt.inst[k].used ? &rt.inst[k] : NULL;
}

bool sys_instance_locked(const struct sys_instance *in)
{
    struct gp_entry e;
    int idx = gp_registry_find(in->aid, in->a.aid_len);

    return idx < 0 || !gp_registry_get((unsigned)idx, &e) ||
           (e.life & GP_APP_LOCKED_BIT) != 0;
}

static bool native_select(void *self, const struct apdu_origin *o)
{
    struct sys_instance *in = self;
    uint32_t r = 1;

    transient_clear(in);
    gp_sc_end(o);               /* a secure channel starts with the applet */
    return run_event(in, 1u /* NC_EV_SELECT */, o, NULL, NULL, &r, NULL,
                     NULL) && r == 0;
}

static void native_deselect(void *self, const struct apdu_origin *o)
{
    struct sys_instance *in = self;
    uint32_t r;

    (void)run_event(in, 2u /* NC_EV_DESELECT */, o, NULL, NULL, &r, NULL,
                    NULL);
    transient_clear(in);
    gp_sc_end(o);
}

uint8_t *sys_window_claim_clear(const struct sys_instance *in)
{
    window_claim(in);
    cpu_zero_words((uint32_t *)(void *)window, SYS_WINDOW_SIZE / 4u);
    /* the next command of IN clears what this left past its data */
    rt.window_used = SYS_WINDOW_SIZE - 16u;
    return window;
}

/*
 * The command into the window (netcard/applet.h struct nc_apdu) for
 * instance IN. The window is cleared whole (word stores) when another
 * instance used it last, so nothing of one applet's commands or writes
 * reaches another; for the same instance only what its previous command
 * left past this one's data.
 */
void sys_window_fill(const struct sys_instance *in,
                     const struct apdu_origin *o, const struct apdu *cmd)
{
    uint32_t n = cmd->nc < SYS_WINDOW_SIZE - 16u ? cmd->nc :
                 SYS_WINDOW_SIZE - 16u;

    window_claim(in);
    if (rt.window_used > n) {
        memset(window + 16 + n, 0, rt.window_used - n);
    }
    rt.window_used = n;
    window[0] = cmd->cla;
    window[1] = cmd->ins;
    window[2] = cmd->p1;
    window[3] = cmd->p2;
    memcpy(window + 4, &cmd->nc, 4);
    memcpy(window + 8, &cmd->ne, 4);
    ((uint32_t *)(void *)window)[3] = o ? o->channel : 0;
    if (n) {
        memcpy(window + 16, cmd->data, n);
    }
}

static enum applet_status native_process(void *self,
                                         const struct apdu_origin *o,
                                         const struct apdu *cmd,
                                         struct apdu_response *rsp)
{
    struct sys_instance *in = self;
    uint32_t r = 0;

    sys_window_fill(in, o, cmd);
    if (!run_event(in, 3u /* NC_EV_PROCESS */, o, cmd, rsp, &r, NULL,
                   NULL)) {
        rsp->len = 0;
        rsp->sw = SW_UNKNOWN;
        return APPLET_DONE;
    }
    rsp->sw = (uint16_t)r;
    if ((r >> 8) != 0x90 && (r >> 8) != 0x61 && (r >> 12) != 6) {
        rsp->sw = SW_UNKNOWN;           /* not a status word */
        rsp->len = 0;
    }
    return APPLET_DONE;
}

/* ---- the card manager's port (gp/native.h) -------------------------------- */

static uint16_t port_load_begin(uint32_t size)
{
    return sys_code_load_begin(size);
}

static uint16_t port_load_block(const uint8_t *data, uint32_t len)
{
    return sys_code_load_write(data, len);
}

static uint16_t port_load_stage(struct store *st, struct gp_entry *elf)
{
    uint16_t sw = sys_code_load_stage(st, elf->aid, elf->aid_len,
                                      &rt.load_info);

    if (sw == SW_OK) {
        elf->version[0] = rt.load_info.version[0];
        elf->version[1] = rt.load_info.version[1];
    }
    return sw;
}

static int module_index(const struct ncap_info *i, const uint8_t *mod,
                        uint8_t len)
{
    for (unsigned m = 0; m < i->module_count; m++) {
        if (i->modules[m].aid_len == len &&
            memcmp(i->modules[m].aid, mod, len) == 0) {
            return (int)m;
        }
    }
    return -1;
}

/*
 * INSTALL's quotas (gp_entry ram_quota, nvm_quota: EF C7, C8) over the
 * load file's header: C7 is the instance's whole RAM, its stack taking
 * what data, bss and transient leave (rounded down to a multiple of 8,
 * NCAP_STACK_MIN..NCAP_STACK_MAX, NCAP_RAM_MAX in all); C8 its
 * persistent quota
 * (<= NCAP_QUOTA_MAX). False when out of those limits.
 */
static bool apply_quotas(struct ncap_info *i, const struct gp_entry *e)
{
    uint32_t rest = i->data_size + i->bss_size + i->transient_size;

    if (e->ram_quota) {
        uint32_t stack = (e->ram_quota - rest) & ~7u;

        if (e->ram_quota <= rest || e->ram_quota > NCAP_RAM_MAX ||
            stack < NCAP_STACK_MIN || stack > NCAP_STACK_MAX) {
            return false;
        }
        i->stack_size = stack;
    }
    if (e->nvm_quota) {
        if (e->nvm_quota > NCAP_QUOTA_MAX) {
            return false;
        }
        i->quota = e->nvm_quota;
    }
    return true;
}

static uint16_t port_install_check(const struct gp_entry *elf,
                                   const uint8_t *mod, uint8_t mod_len,
                                   const struct gp_entry *app)
{
    struct sys_code_file f;
    struct ncap_info i;
    uint32_t off;

    if (!sys_code_find(elf->aid, elf->aid_len, &f)) {
        return SW_OK;           /* not native: registered without code */
    }
    if (ncap_parse(f.bytes, f.size, &i) != NCAP_OK ||
        module_index(&i, mod, mod_len) < 0) {
        return SW_GP_REFERENCED_DATA;
    }
    if (!apply_quotas(&i, app)) {
        return SW_WRONG_DATA;
    }
    /* its RAM must fit now (taken back at once: the reload allocates) */
    if (!ram_alloc(ram_round(ncap_ram_size(&i)), &off)) {
        return SW_GP_NOT_ENOUGH_MEMORY;
    }
    ram_free(off, ram_round(ncap_ram_size(&i)));
    for (unsigned k = 0; k < SYS_INSTANCES_MAX; k++) {
        if (!rt.inst[k].used) {
            return SW_OK;
        }
    }
    return SW_GP_NOT_ENOUGH_MEMORY;
}

static int port_stage_unload(struct store *st, const struct gp_entry *elf)
{
    return sys_code_stage_remove(st, elf->aid, elf->aid_len);
}

static void port_reload_begin(void)
{
    rt.live_count = 0;
    sys_code_refresh();
    for (unsigned k = 0; k < SYS_INSTANCES_MAX; k++) {
        rt.inst[k].seen = false;
    }
}

static struct sys_instance *instance_new(const struct gp_entry *e, uint16_t n)
{
    struct sys_code_file f;
    struct sys_instance *in = NULL;
    int m;

    for (unsigned k = 0; k < SYS_INSTANCES_MAX && !in; k++) {
        in = rt.inst[k].used ? NULL : &rt.inst[k];
    }
    if (in == NULL || !sys_code_find(e->elf, e->elf_len, &f)) {
        return NULL;
    }
    memset(in, 0, sizeof(*in));
    /* checked at LOAD; checked again here, hash included: the code area
     * is not trusted across resets more than the store is */
    if (ncap_check(f.bytes, f.size, sha256, &in->info) != NCAP_OK) {
        LOG_E("load file at page %u is damaged", (unsigned)f.page);
        return NULL;
    }
    m = module_index(&in->info, e->mod, e->mod_len);
    if (!apply_quotas(&in->info, e)) {
        LOG_E("instance quotas out of limits");
        return NULL;
    }
    in->ram_size = ram_round(ncap_ram_size(&in->info));
    if (m < 0 || !ram_alloc(in->ram_size, &in->ram_off)) {
        return NULL;
    }
    in->used = true;
    in->seen = true;
    in->fresh = true;
    in->ns = n;
    in->module = (uint8_t)m;
    in->file = f.bytes;
    memcpy(in->aid, e->aid, e->aid_len);
    in->a.name = "native";
    in->a.aid = in->aid;
    in->a.aid_len = e->aid_len;
    in->a.self = in;
    in->a.select = native_select;
    in->a.deselect = native_deselect;
    in->a.process = native_process;
    return in;
}

static const struct applet *port_applet_for(const struct gp_entry *e,
                                            uint16_t n)
{
    struct sys_instance *in;

    if (rt.live_count < GP_REG_MAX) {
        rt.live_ns[rt.live_count++] = n;
    }
    /* an instance keeps its record (RAM, faults) across reloads */
    for (unsigned k = 0; k < SYS_INSTANCES_MAX; k++) {
        in = &rt.inst[k];
        if (in->used && !in->seen && in->ns == n &&
            in->a.aid_len == e->aid_len &&
            memcmp(in->aid, e->aid, e->aid_len) == 0) {
            in->seen = true;
            return &in->a;
        }
    }
    in = instance_new(e, n);
    return in ? &in->a : NULL;
}

static bool ns_live(uint16_t ns)
{
    for (unsigned k = 0; k < rt.live_count; k++) {
        if (rt.live_ns[k] == ns) {
            return true;
        }
    }
    return false;
}

/* Persistent objects of instances the registry no longer has (deleted,
 * or a DELETE torn after its commit): gone before a new instance could
 * get the same registry number. */
static void objects_gc(void)
{
    struct store *st = sys_store();
    uint32_t id = SYS_OBJ_APPLET(0, 0) - 1u, dead[STORE_MAX_TXN_RECORDS - 1];
    unsigned n;

    do {
        n = 0;
        id = SYS_OBJ_APPLET(0, 0) - 1u;
        while (st && n < sizeof(dead) / sizeof(dead[0]) &&
               (id = store_next_id(st, id)) != 0 &&
               id <= SYS_OBJ_KEY(0xFFFF, 0xFF)) {
            if (!ns_live((uint16_t)(id >> 8))) {
                dead[n++] = id;
            }
        }
        if (n == 0 || store_begin(st) != STORE_OK) {
            return;
        }
        for (unsigned k = 0; k < n; k++) {
            (void)store_delete(st, dead[k]);
        }
        if (store_commit(st) != STORE_OK) {
            return;
        }
    } while (n == sizeof(dead) / sizeof(dead[0]));
}

/*
 * NC_EV_INSTALL, once per instance: run for an instance this reload made
 * whose namespace has no marker yet (a new INSTALL; the namespace of a
 * deleted instance was collected with its marker), then the marker is
 * written. A power cut before the marker: it runs again at the next
 * start. Its result is logged; the instance stays installed.
 */
static void install_events(void)
{
    struct store *st = sys_store();

    for (unsigned k = 0; st && k < SYS_INSTANCES_MAX; k++) {
        struct sys_instance *in = &rt.inst[k];
        uint8_t one = 1;
        uint32_t r = 0;

        if (!in->used || !in->fresh) {
            continue;
        }
        in->fresh = false;
        if (store_size(st, SYS_OBJ_INSTALLED(in->ns)) >= 0) {
            continue;
        }
        if (!run_event(in, 0u /* NC_EV_INSTALL */, NULL, NULL, NULL, &r,
                       NULL, NULL) ||
            r != 0) {
            LOG_E("applet install event: %d", (int)r);
        }
        if (store_put(st, SYS_OBJ_INSTALLED(in->ns), &one, 1) != STORE_OK) {
            LOG_E("could not mark the applet installed");
        }
    }
}

static void port_reload_end(void)
{
    objects_gc();
    for (unsigned k = 0; k < SYS_INSTANCES_MAX; k++) {
        struct sys_instance *in = &rt.inst[k];

        if (in->used && !in->seen) {
            sys_keys_forget(in);
            if (rt.window_owner == in) {
                rt.window_owner = NULL;
            }
            ram_free(in->ram_off, in->ram_size);
            in->used = false;
        }
    }
    sys_web_reload();           /* before INSTALL events add routes */
    install_events();
}

static void port_load_abort(void)
{
    sys_code_load_abort();
}

static const struct gp_native port = {
    .load_begin = port_load_begin,
    .load_block = port_load_block,
    .load_stage = port_load_stage,
    .load_abort = port_load_abort,
    .install_check = port_install_check,
    .stage_unload = port_stage_unload,
    .reload_begin = port_reload_begin,
    .applet_for = port_applet_for,
    .reload_end = port_reload_end,
};

void sys_init(const struct sys_code_flash *flash,
              struct store *(*store)(void))
{
    memset(&rt, 0, sizeof(rt));
    rt.store = store;
    window = pool_base();
    granules_set(0, 1, true);           /* the window's page */
    cpu_zero_words((uint32_t *)(void *)window, GRANULE / 4u);
    sys_code_init(flash, store, sha256);
    gp_native_set(&port);
}

struct store *sys_store(void)
{
    return rt.store ? rt.store() : NULL;
}

void sys_get_stats(struct sys_stats *st)
{
    memset(st, 0, sizeof(*st));
    for (unsigned k = 0; k < SYS_INSTANCES_MAX; k++) {
        if (rt.inst[k].used) {
            st->instances++;
            st->ram_used += rt.inst[k].ram_size;
        }
    }
    st->ram_free = (pool_granules() - 1u - rt.key_pages) * GRANULE -
                   st->ram_used;      /* the window's page, keys' pages */
    st->code_pages = sys_code_pages();
    st->code_used = sys_code_used_pages();
    st->code_largest_free = sys_code_largest_free();
    st->faults = rt.faults;
    st->syscalls = sys_syscall_count();
}

uint32_t sys_ram_bytes(void)
{
    return (uint32_t)(sizeof(rt) + sizeof(pool));
}
