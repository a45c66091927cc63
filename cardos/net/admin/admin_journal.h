/*
 * The admin agent's script journal: what makes a script command that a
 * power cut interrupted run exactly once when the session resumes
 * (docs/remote-admin.md "Power cuts during a script").
 *
 * GlobalPlatform commands are atomic each (GPC 2.3.1 and the store's
 * transactions, store/store.h): after a cut the card is in the state
 * before or after the command. What the card does not know by itself is
 * which: the server re-sends an unanswered script (Amendment B 3.4.5:
 * the resumed POST carries no results, they were in RAM), and running
 * its commands again would apply twice what was applied once (a second
 * INSTALL of the same instance fails, a second credit credits twice).
 *
 * Rules (the journal rides on the command's own store transaction: the
 * store's commit rider, store/store.h):
 *   - before each command of a script the agent arms the journal as the
 *     store's commit rider: the session serial, the CRC-32 of the script
 *     and of its Next-URI, DONE = the index of the command about to run,
 *     and the R-APDUs of this script's earlier commands that changed the
 *     NVM (the "writers"). Nothing is written then;
 *   - if the command commits a store transaction, that transaction
 *     carries the journal (one atomic change: "command DONE changed the
 *     NVM" is on the NVM if and only if the command's first transaction
 *     is); the command is a writer, its R-APDU joins the list (in RAM; on
 *     the NVM with the next writer's transaction). After the command the
 *     rider is disarmed: a command that commits nothing writes nothing;
 *   - when the script ends, if a writer's R-APDU is not on the NVM yet,
 *     the journal is written once in a transaction of its own (one per
 *     script with writers, none for a script that changes nothing);
 *   - after a reset, the first script of the resumed session (same
 *     session serial, same Next-URI, same bytes) is replayed: a writer up
 *     to DONE is not run again and its recorded R-APDU is reported; the
 *     writer DONE itself, if its R-APDU was not recorded (the cut came
 *     after its transaction, before the next writer's or the script's
 *     end), is reported as 90 00 without data (its answer was never
 *     produced or was lost); commands that changed nothing are run again;
 *   - the journal could not be armed: the script stops before the
 *     command (its status word is reported as 6581, memory failure); the
 *     journal does not fit the command's transaction: the store fails
 *     that commit (the command fails, nothing of it applied).
 * Assumption (as GPC 2.3.1's atomicity of a command gives it): a
 * command's NVM changes are one transaction, or the first carries the
 * journal and the command is applied once it commits; nothing else
 * commits while a command runs (commands run one per event-loop pass; a
 * command left pending keeps the rider armed until it answers).
 *
 * Port (the card's wiring, card/admin.c): the store object, the rider.
 * No port: no journal (the agent runs as before, a command may run twice
 * after a power cut).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_NET_ADMIN_ADMIN_JOURNAL_H
#define CARDOS_NET_ADMIN_ADMIN_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ADMIN_JOURNAL_WRITERS 192u   /* bytes of writers' R-APDUs */

struct admin_journal {
    uint8_t version;            /* 2 (1: the journal before each command) */
    uint8_t pad;
    uint16_t serial;            /* admin_persist.serial of the session */
    uint16_t done;              /* the last writer, from 1; 0: none */
    uint16_t w_len;             /* bytes used in w[] */
    uint32_t crc;               /* CRC-32 of the script's bytes */
    uint32_t uri_crc;           /* CRC-32 of its Next-URI */
    uint8_t w[ADMIN_JOURNAL_WRITERS];   /* {index(2) len(1) R-APDU}... */
};

struct admin_journal_port {
    /* Persist J in a transaction of its own; false if not written. */
    bool (*save)(const struct admin_journal *j);
    bool (*load)(struct admin_journal *j);
    /* Arm J as the store's commit rider (J stays valid and unchanged
     * until unride); false if it cannot be. */
    bool (*ride)(const struct admin_journal *j);
    /* Disarm it; true if a transaction carried it since ride. */
    bool (*unride)(void);
};

void admin_journal_init(const struct admin_journal_port *port);

/* A script begins (SERIAL, its Next-URI, its bytes); AFTER_RESET: the
 * first script of a session resumed after a reset (may replay). */
void admin_journal_script(uint16_t serial, const char *uri,
                          const uint8_t *script, size_t len,
                          bool after_reset);

enum admin_journal_step {
    ADMIN_JOURNAL_RUN = 0,      /* run the command */
    ADMIN_JOURNAL_SKIP,         /* not again: report RAPDU[0..*len) */
    ADMIN_JOURNAL_FAIL,         /* the journal could not be written */
};

/* Before command IDX (from 1) of the script. */
enum admin_journal_step admin_journal_before(unsigned idx, uint8_t *rapdu,
                                             size_t cap, size_t *len);

/* After command IDX answered RAPDU: records it if it was a writer; false
 * if the writers' list is full (the agent stops the script). */
bool admin_journal_after(unsigned idx, const uint8_t *rapdu, size_t len);

/* The session ends with a command pending (abandoned): disarms the
 * rider, so that no later transaction says that command committed. */
void admin_journal_cancel(void);

/* The script ends (before its results are sent): persists the writers'
 * R-APDUs not on the NVM yet. */
void admin_journal_end(void);

/* Commands the last replay did not run again (for the log and tests). */
unsigned admin_journal_skipped(void);

#endif /* CARDOS_NET_ADMIN_ADMIN_JOURNAL_H */
