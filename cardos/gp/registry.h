/*
 * The GlobalPlatform registry (GPC 2.3.1 6.5): what the card holds beside
 * the ISD, in the object store, and the dispatcher's registry
 * (apdu/registry.h) built on it.
 *
 * Entries (store objects GP_OBJ_REG(n), "GR", one per entry, each change
 * one store transaction):
 *   load files (ELF)   AID, life cycle LOADED, associated security domain,
 *                      version; a ROM module's load file names the ROM
 *                      module (below), a loaded one its size
 *   applications and   AID, life cycle, privileges (3 bytes, Table 6-1),
 *   security domains   load file and module AIDs, associated security
 *                      domain, install parameters (C9 value)
 * The ISD is not an entry: it is the card (its life cycle is the card's,
 * gp/card_data.h). A RAM table mirrors the AIDs, kinds and life cycles for
 * SELECT (at most GP_REG_MAX entries).
 *
 * ROM modules: the card's built-in applications (an applet struct each,
 * whose AID is the module AID), added by the card's wiring before the
 * store is mounted. gp_registry_sync() registers each as a load file
 * (AID: the module AID followed by 00) with one module, and, the first
 * time, its default instance (AID = module AID, SELECTABLE, no
 * privileges) when the module asks for one. INSTALL [for install] makes
 * more instances of modules that allow several (max_instances > 1), each
 * with its own AID and install parameters (gp_registry_params()).
 * Load files loaded with LOAD have no modules the card can run yet (the
 * native loader is issue 14): their applications are registered but not
 * selectable (6999).
 *
 * Selection (the dispatcher's find()): the ISD first, then applications
 * and security domains whose life cycle is at least SELECTABLE and not
 * LOCKED, in registry order; a CARD_LOCKED or TERMINATED card offers only
 * the ISD. Without a store (an unusable NVM) the ROM modules' default
 * instances are offered as they are, so that the personalization
 * application can FORMAT NVM.
 *
 * No hardware access; compiles on the host.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_GP_REGISTRY_H
#define CARDOS_GP_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apdu/applet.h"
#include "apdu/registry.h"
#include "store/store.h"

#define GP_OBJ_REG(n)       (0x47520000u | (uint16_t)(n))   /* "GR" */
#define GP_REG_MAX          64      /* entries */
#define GP_ROM_MAX          8       /* ROM modules */
#define GP_INSTANCES_MAX    16      /* extra instances of ROM modules */
#define GP_PARAMS_MAX       32      /* C9 bytes kept */

enum gp_kind { GP_KIND_NONE = 0, GP_KIND_ELF = 1, GP_KIND_APP = 2,
               GP_KIND_SD = 3 };

struct gp_entry {
    uint8_t kind;               /* enum gp_kind */
    uint8_t life;               /* life cycle state */
    uint8_t prev_life;          /* before LOCK (restored by unlock) */
    uint8_t priv[3];
    uint8_t aid_len, aid[16];
    uint8_t elf_len, elf[16];   /* application: its load file */
    uint8_t mod_len, mod[16];   /* application: its module */
    uint8_t sd_len, sd[16];     /* associated security domain (ISD: 0) */
    uint8_t version[2];         /* load file version, 00 00: none */
    uint8_t rom;                /* load file: ROM module index + 1, 0;
                                   security domain: its number 1..62
                                   (its keys, gp/keyset.h) */
    uint8_t params_len, params[GP_PARAMS_MAX];
    uint32_t size;              /* loaded load file: bytes */
    /* application: INSTALL's system parameters (EF: C7 volatile, C8
     * non-volatile memory quota, bytes); 0: the load file's */
    uint32_t ram_quota, nvm_quota;
};

/* The card's wiring: where the store is (NULL: none). */
void gp_registry_init(struct store *(*store)(void));
/* Add a ROM module (before gp_registry_sync). MAX_INSTANCES: how many
 * instances INSTALL may make (1: only the default one); DEFAULT_INSTANCE:
 * register one under the module AID at first sync. */
bool gp_registry_add_rom(const struct applet *module, uint8_t max_instances,
                         bool default_instance);
/* Register missing ROM load files (and their default instances), then
 * load the RAM table from the store. After every mount or format. */
int gp_registry_sync(void);

/* The dispatcher's registry (ISD first, then the entries). */
const struct apdu_registry *gp_registry(const struct applet *isd);

/* Entries by index 0..GP_REG_MAX-1 in registry order; false past the end
 * (E is filled from the store). */
bool gp_registry_get(unsigned index, struct gp_entry *e);
/* The index of the entry with AID (exact), or -1. */
int gp_registry_find(const uint8_t *aid, size_t len);
/* Write entry E at INDEX (-1: a new one); staged into the caller's open
 * transaction when STAGE. STORE_OK, STORE_ERR_FULL (no room). */
int gp_registry_put(int index, const struct gp_entry *e, bool stage);
/* Remove entry INDEX in the caller's open transaction. */
int gp_registry_stage_delete(unsigned index);
/* After a commit or an abort: reload the RAM table. */
void gp_registry_reload(void);
/* Number of applications and security domains (GET DATA FF21). */
unsigned gp_registry_apps(void);
/* The ROM module of load file entry E's module MOD (NULL if none). */
const struct applet *gp_registry_rom(const struct gp_entry *e);
/* How many instances the ROM module may have. */
uint8_t gp_registry_rom_max(const struct applet *module);

/* The security domain INSTANCE (an applet the registry handed the
 * dispatcher) is: its number (1..62) and entry into E; 0 if INSTANCE is
 * not a supplementary security domain. */
uint8_t gp_registry_sd_of(const struct applet *instance, struct gp_entry *e);
/* A security domain number no entry uses, 0 if none is left. */
uint8_t gp_registry_free_sd(void);
/* Is E associated with the security domain AID (length 0: the ISD)? */
bool gp_registry_associated(const struct gp_entry *e, const uint8_t *aid,
                            uint8_t aid_len);

/* The entry of INSTANCE (an applet the registry handed the dispatcher)
 * into E; false if it has none. */
bool gp_registry_entry_of(const struct applet *instance, struct gp_entry *e);

/* The install parameters (C9 value) of application INSTANCE (an applet
 * the registry handed the dispatcher) into OUT; their length. */
size_t gp_registry_params(const struct applet *instance, uint8_t *out,
                          size_t cap);

/* The card's store (the wiring's, gp_registry_init), or NULL: for
 * applications that keep data of their own (applets/sample_applet.c). */
struct store *gp_registry_store(void);

/* The applet the registry hands the dispatcher for entry INDEX (an
 * application or security domain), or NULL. */
const struct applet *gp_registry_applet(unsigned index);

/* Static RAM of the registry, for the bench. */
uint32_t gp_registry_ram_bytes(void);

#endif /* CARDOS_GP_REGISTRY_H */
