/*
 * The admin agent's script journal. Contract: admin_journal.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "net/admin/admin_journal.h"

#include <string.h>

#include "store/crc32.h"

#define LOG_MODULE "admin"
#include "kernel/log.h"

static const struct admin_journal_port *port;
static struct admin_journal jr;     /* the script's, as persisted next */
static bool replay;
static bool armed;                  /* the rider, for a command */
static bool unsaved;                /* a writer's R-APDU only in RAM */
static uint16_t last_writer;        /* jr.done before the command */
static unsigned skipped;

void admin_journal_init(const struct admin_journal_port *p)
{
    port = p;
}

/* The recorded R-APDU of command IDX in jr.w; NULL if none. */
static const uint8_t *find(unsigned idx, size_t *len)
{
    size_t off = 0;

    while (off + 3u <= jr.w_len) {
        unsigned i = (unsigned)jr.w[off] << 8 | jr.w[off + 1];
        size_t n = jr.w[off + 2];

        if (off + 3u + n > jr.w_len) {
            break;
        }
        if (i == idx) {
            *len = n;
            return jr.w + off + 3;
        }
        off += 3u + n;
    }
    return NULL;
}

/* RESERVE: bytes to leave free (room for the 90 00 of the next command,
 * should it be applied before a cut). */
static bool add(unsigned idx, const uint8_t *rapdu, size_t len,
                size_t reserve)
{
    if (len > 255u || jr.w_len + 3u + len + reserve > sizeof(jr.w)) {
        return false;
    }
    jr.w[jr.w_len] = (uint8_t)(idx >> 8);
    jr.w[jr.w_len + 1] = (uint8_t)idx;
    jr.w[jr.w_len + 2] = (uint8_t)len;
    memcpy(jr.w + jr.w_len + 3, rapdu, len);
    jr.w_len = (uint16_t)(jr.w_len + 3u + len);
    return true;
}

void admin_journal_script(uint16_t serial, const char *uri,
                          const uint8_t *script, size_t len,
                          bool after_reset)
{
    uint32_t crc = crc32(script, len), uri_crc = crc32(uri, strlen(uri));

    replay = false;
    unsaved = false;
    skipped = 0;
    /* jr is loaded in place (RAM is short): the last journal, checked */
    if (port && after_reset && port->load(&jr) && jr.version == 2 &&
        jr.serial == serial && jr.crc == crc && jr.uri_crc == uri_crc &&
        jr.w_len <= sizeof(jr.w)) {
        replay = true;          /* the same script again after a reset */
    } else {
        memset(&jr, 0, sizeof(jr));
        jr.version = 2;
        jr.serial = serial;
        jr.crc = crc;
        jr.uri_crc = uri_crc;
        return;
    }
    if (jr.done) {
        size_t n;

        if (!find(jr.done, &n)) {
            /* its transaction carried the journal, the cut came before
             * its answer was written (GP atomicity: all of it applied) */
            static const uint8_t ok[2] = { 0x90, 0x00 };

            (void)add(jr.done, ok, sizeof(ok), 0);  /* reserved */
            LOG_W("command %u was applied before the power cut (its "
                  "answer was lost): not run again", jr.done);
        }
    }
}

enum admin_journal_step admin_journal_before(unsigned idx, uint8_t *rapdu,
                                             size_t cap, size_t *len)
{
    const uint8_t *r;
    size_t n = 0;

    if (!port) {
        return ADMIN_JOURNAL_RUN;
    }
    if (replay && (r = find(idx, &n)) != NULL && n <= cap) {
        memcpy(rapdu, r, n);
        *len = n;
        skipped++;
        return ADMIN_JOURNAL_SKIP;
    }
    last_writer = jr.done;
    jr.done = (uint16_t)idx;        /* as it reads if IDX commits */
    if (!port->ride(&jr)) {
        jr.done = last_writer;
        LOG_E("journal not armed: command %u not run", idx);
        return ADMIN_JOURNAL_FAIL;
    }
    armed = true;
    return ADMIN_JOURNAL_RUN;
}

bool admin_journal_after(unsigned idx, const uint8_t *rapdu, size_t len)
{
    if (!port) {
        return true;
    }
    armed = false;
    if (!port->unride()) {
        jr.done = last_writer;      /* changed nothing on the NVM */
        return true;
    }
    if (!add(idx, rapdu, len, 5u)) {
        return false;               /* replay: 90 00 for it (reserved) */
    }
    unsaved = true;
    return true;
}

void admin_journal_cancel(void)
{
    if (port && armed) {
        armed = false;
        if (!port->unride()) {
            jr.done = last_writer;
        }   /* else its transaction said "done": its answer never came */
    }
}

void admin_journal_end(void)
{
    if (port && unsaved) {
        if (!port->save(&jr)) {
            LOG_E("journal not written: after a power cut command %u "
                  "would be reported as 90 00", jr.done);
        }
        unsaved = false;
    }
}

unsigned admin_journal_skipped(void)
{
    return skipped;
}
