/*
 * The card manager's port to the native applet runtime (cardos/sys/,
 * registered from above at start-up, gp_native_set()): what LOAD,
 * INSTALL, DELETE and the registry need from it, without gp/ knowing the
 * runtime (gp/ is below sys/, docs/cardos.md "Layers").
 *
 * LOAD (GPC 2.3.1 11.6): load_begin() when the C4 length is known,
 * load_block() for each piece of the load file data block, and at the
 * last block load_stage() inside the store transaction that registers
 * the load file (it checks the file, sys/ncap.h, and stages its own
 * record); load_abort() when the load is abandoned or refused. Nothing
 * is registered until that transaction commits, so a torn load leaves
 * only pages the runtime takes back.
 * INSTALL [for install] (11.5.2.3): install_check() before registering
 * an instance of a loaded module. DELETE (11.2): stage_unload() inside
 * the transaction that deletes a load file's entry.
 * The registry (gp/registry.h): at every reload, reload_begin(), then
 * applet_for() for each application whose load file is not a ROM
 * module, then reload_end() (instances no entry claimed are gone).
 *
 * Status words are the GP ones (6A80 a bad load file, 6A84 no room,
 * 6A88 no such module). No hardware access; compiles on the host.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_GP_NATIVE_H
#define CARDOS_GP_NATIVE_H

#include <stdint.h>

#include "apdu/applet.h"
#include "store/store.h"

struct gp_entry;                /* gp/registry.h */

struct gp_native {
    uint16_t (*load_begin)(uint32_t size);
    uint16_t (*load_block)(const uint8_t *data, uint32_t len);
    uint16_t (*load_stage)(struct store *st, struct gp_entry *elf);
    void (*load_abort)(void);
    /* APP: the new instance's entry as INSTALL parsed it (quotas) */
    uint16_t (*install_check)(const struct gp_entry *elf,
                              const uint8_t *mod, uint8_t mod_len,
                              const struct gp_entry *app);
    int (*stage_unload)(struct store *st, const struct gp_entry *elf);
    void (*reload_begin)(void);
    /* E: an application; N: its registry number (stable, unique) */
    const struct applet *(*applet_for)(const struct gp_entry *e, uint16_t n);
    void (*reload_end)(void);
};

/* NULL: no runtime (loaded code is registered, never selectable). */
void gp_native_set(const struct gp_native *native);
const struct gp_native *gp_native_get(void);

#endif /* CARDOS_GP_NATIVE_H */
