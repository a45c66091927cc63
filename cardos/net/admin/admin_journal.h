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
 * Rules:
 *   - before each command of a script the agent persists the journal:
 *     the session serial, the CRC-32 of the script and of its Next-URI,
 *     the index of
 *     the command about to run, the R-APDUs of the commands of this
 *     script that changed the NVM (the "writers"), and MARK, the store's
 *     last committed transaction after the journal's own commit
 *     (store_last_commit());
 *   - a command after which store_last_commit() differs from MARK is a
 *     writer: its R-APDU joins the list (in RAM; on the NVM with the next
 *     command's journal);
 *   - after a reset, the first script of the resumed session (same
 *     session serial, same Next-URI, same bytes) is replayed: a writer
 *     before the journal's command is not run again, its recorded R-APDU
 *     is reported; the journal's command itself was applied if and only
 *     if a transaction committed after MARK before the cut (the store's
 *     last commit at mount, before anything else wrote): then it is not
 *     run again and is reported as 90 00 without data (its answer was
 *     never produced); commands that changed nothing are run again;
 *   - a journal that cannot be written stops the script before the
 *     command (its status word is reported as 6581, memory failure).
 *
 * Port (the card's wiring, card/admin.c): the store object, the store's
 * last commit now and at mount. No port: no journal (the agent runs as
 * before, a command may run twice after a power cut).
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
    uint8_t version;            /* 1 */
    uint8_t pad;
    uint16_t serial;            /* admin_persist.serial of the session */
    uint16_t next;              /* the command about to run, from 1 */
    uint16_t w_len;             /* bytes used in w[] */
    uint32_t crc;               /* CRC-32 of the script's bytes */
    uint32_t uri_crc;           /* CRC-32 of its Next-URI */
    uint32_t mark;              /* store_last_commit() after this record */
    uint8_t w[ADMIN_JOURNAL_WRITERS];   /* {index(2) len(1) R-APDU}... */
};

struct admin_journal_port {
    /* Persist J, its MARK set to the id its own transaction commits
     * under (store_txn_id()); false if it could not be written. */
    bool (*save)(struct admin_journal *j);
    bool (*load)(struct admin_journal *j);
    uint32_t (*last_commit)(void);      /* store_last_commit() now */
    uint32_t (*mount_commit)(void);     /* ... when the store was mounted */
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

/* Commands the last replay did not run again (for the log and tests). */
unsigned admin_journal_skipped(void);

#endif /* CARDOS_NET_ADMIN_ADMIN_JOURNAL_H */
