/*
 * The native applet runtime (docs/applets.md): instances of the modules
 * of loaded load files, run unprivileged (arch/uproc.h) for each event
 * (install, select, deselect, command), with their system calls
 * (sys/syscall.h) served here.
 *
 * sys_init() registers the runtime with the card manager (gp/native.h):
 * from then on LOAD puts NCAP files into the code area (sys/codearea.h)
 * and the registry asks the runtime for the applet of every application
 * of a loaded file. An instance has:
 *   - its RAM region, carved from a static pool when the registry first
 *     names it (INSTALL, or the boot's first reload), 32-byte aligned:
 *     stack, data, bss, transient (sys/ncap.h);
 *   - a namespace of persistent objects in the store (its registry
 *     number), bounded by the load file's persistent quota;
 *   - a fault count: SYS_FAULTS_LOCK faults since the last reset lock it
 *     (GP life cycle LOCKED, GPC 2.3.1 5.3.1; SET STATUS unlocks).
 *
 * Every event runs with a budget of SYS_BUDGET_US microseconds of CPU
 * time (system calls not counted). A fault, a spent budget or a bad
 * system-call argument stops the applet: the command answers 6F00, the
 * log says which applet, what, PC, LR and fault address, the applet's
 * open transaction is aborted and its data and bss are initialised
 * again before its next event.
 *
 * Context: the event loop; one applet runs at a time.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_SYS_RUNTIME_H
#define CARDOS_SYS_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"
#include "sys/codearea.h"

#define SYS_INSTANCES_MAX  16
#define SYS_RAM_POOL       (24u * 1024u)
#define SYS_FAULTS_LOCK    3
#define SYS_BUDGET_US      200000u
#define SYS_WINDOW_SIZE    512u         /* the APDU window */

void sys_init(const struct sys_code_flash *flash,
              struct store *(*store)(void));

struct sys_stats {
    uint32_t instances;         /* live */
    uint32_t ram_used, ram_free;        /* bytes of the pool */
    uint32_t code_pages, code_used, code_largest_free;
    uint32_t faults;            /* since boot */
    uint32_t syscalls;          /* since boot */
};
void sys_get_stats(struct sys_stats *st);
/* Static RAM of the runtime (pool, window, tables), for the bench. */
uint32_t sys_ram_bytes(void);

/*
 * NC_SYS_ADMIN_SESSION (interface 1.2): an applet asks for an Amendment B
 * admin session of the security domain its instance is associated with.
 * The agent is in net/, above sys/: the card's wiring registers this port
 * (card/admin.c). SESSION gets the calling instance's AID and returns 0
 * (started), NC_E_STATE (-5: a session is running; refused, not queued),
 * NC_E_NOTFOUND (-2: no triggering parameters or PSK for that security
 * domain) or NC_E_UNSUPPORTED (-6: no network address yet). No port:
 * NC_E_UNSUPPORTED.
 */
struct sys_admin_port {
    int32_t (*session)(const uint8_t *aid, uint8_t aid_len);
};
void sys_admin_port_set(const struct sys_admin_port *port);

#endif /* CARDOS_SYS_RUNTIME_H */
