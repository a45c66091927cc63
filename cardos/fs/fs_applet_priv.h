/*
 * fs_applet_priv: what the file system application's command families
 * share (fs_applet.c: state, selection, STATUS, dispatch; fs_ef.c: EF
 * access; fs_admin.c: PIN commands and file administration). Not for
 * other modules: their contract is fs/fs_applet.h.
 *
 * Every command takes the channel's state C and returns an ISO 7816
 * status word (fs/fs.h FS_SW_*); response data goes into RSP.
 *
 * Host-compilable.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_FS_FS_APPLET_PRIV_H
#define CARDOS_FS_FS_APPLET_PRIV_H

#include <stdint.h>

#include "apdu/applet.h"
#include "fs/fcp.h"
#include "fs/fs.h"
#include "fs/pin.h"

struct chan_state {
    uint8_t df;      /* current DF */
    uint8_t ef;      /* current EF, 0: none */
    uint8_t rec;     /* record pointer, 0: undefined */
};

extern struct fs card_fs;
/* per logical channel of every APDU session (apdu/applet.h slots) */
extern struct chan_state chans[APDU_SLOTS];
/* the security status: per card session, shared by the channels */
extern struct pin_session fs_pin_session;

/* Access mode AM on F with the session's verified keys (fs/arr.h). */
uint16_t fsa_check(const struct fs_file *f, uint8_t am);
/* The same, and a deactivated file accepts no data command (6985). */
uint16_t fsa_usable(const struct fs_file *f, uint8_t am);
/* Current EF, or the EF named by SFI (which becomes current). */
uint16_t fsa_target_ef(struct chan_state *c, uint8_t sfi, struct fs_file *f);
/* The ADF DF is in (0: none). */
uint8_t fsa_current_adf(uint8_t df);
/* SELECT P1 = 00 rules (TS 102 221 8.4.1): the file FID names, or 0. */
uint8_t fsa_resolve_fid(const struct chan_state *c, uint16_t fid);
/* F becomes the channel's current file (its DF for an EF). */
void fsa_make_current(struct chan_state *c, const struct fs_file *f);
/* After a delete, channels on a vanished file fall back to the MF. */
void fsa_fix_channels(void);
/* The keys a DF's PIN status template lists (fs/fcp.h). */
void fsa_keys_of(struct fcp_keys *k);
/* F's FCP as the response data. */
uint16_t fsa_answer_fcp(const struct fs_file *f, struct apdu_response *rsp);

/* fs_ef.c */
uint16_t fsa_read_binary(struct chan_state *c, const struct apdu *cmd,
                         struct apdu_response *rsp);
uint16_t fsa_update_binary(struct chan_state *c, const struct apdu *cmd);
uint16_t fsa_read_record(struct chan_state *c, const struct apdu *cmd,
                         struct apdu_response *rsp);
uint16_t fsa_update_record(struct chan_state *c, const struct apdu *cmd);
uint16_t fsa_search_record(struct chan_state *c, const struct apdu *cmd,
                           struct apdu_response *rsp);

/* fs_admin.c */
uint16_t fsa_key(const struct apdu *cmd);
uint16_t fsa_create(struct chan_state *c, const struct apdu *cmd);
uint16_t fsa_delete(struct chan_state *c, const struct apdu *cmd);
uint16_t fsa_lifecycle(struct chan_state *c, const struct apdu *cmd);

/* fs_auth.c: AUTHENTICATE (TS 31.102 7.1.2); RUN GSM ALGORITHM's
 * computation (SRES || Kc, TS 51.011 9.2.16) */
uint16_t fsa_authenticate(struct chan_state *c, const struct apdu *cmd,
                          struct apdu_response *rsp);
uint16_t fsa_run_gsm(struct chan_state *c, const uint8_t rand[16],
                     uint8_t sres_kc[12]);

/* fs_gsm.c: a CLA A0 command (TS 51.011) of session SESS, its status
 * word (TS 51.011 9.4); its T=0 direction */
uint16_t fsa_gsm(struct chan_state *c, unsigned sess, const struct apdu *cmd,
                 struct apdu_response *rsp);
enum t0_dir fsa_gsm_t0_direction(const uint8_t hdr[4]);

#endif /* CARDOS_FS_FS_APPLET_PRIV_H */
