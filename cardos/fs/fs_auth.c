/*
 * fs_auth: the USIM's AUTHENTICATE command (3GPP TS 31.102 7.1.2) as a
 * command of the file system application (the USIM is its ADF), on
 * fs/usim_auth.h. Contract: fs/fs_applet.h; shared state:
 * fs/fs_applet_priv.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "fs/fs_applet_priv.h"
#include "fs/usim_auth.h"
#include "fs/usim_profile.h"

/* Is the channel's current DF in ADF.USIM? (TS 31.102 7.1: the command
 * belongs to the USIM application) */
static bool in_usim(const struct chan_state *c)
{
    uint8_t adf = fsa_current_adf(c->df);
    struct fs_file f;

    return adf != 0 && fs_get(&card_fs, adf, &f) == FS_SW_OK &&
           f.aid_len >= 7 && memcmp(f.aid, usim_aid, 7) == 0;
}

uint16_t fsa_authenticate(struct chan_state *c, const struct apdu *cmd,
                          struct apdu_response *rsp)
{
    uint8_t out[USIM_AUTH_RSP_MAX];
    uint32_t n = 0;
    uint16_t sw;

    if (cmd->p1 != 0x00 || (cmd->p2 != 0x80 && cmd->p2 != 0x81)) {
        return FS_SW_P1P2;          /* only the GSM and 3G contexts */
    }
    if (!in_usim(c)) {
        return FS_SW_CONDITIONS;
    }
    if (!pin_satisfied(&card_fs, &fs_pin_session, PIN_REF_PIN1)) {
        return FS_SW_SECURITY;
    }
    if (cmd->p2 == 0x80) {
        /* GSM context: 10 RAND -> 04 SRES 08 Kc (7.1.2.2) */
        if (cmd->nc != 17 || cmd->data[0] != 16) {
            return FS_SW_WRONG_LENGTH;
        }
        out[0] = 4;
        out[5] = 8;
        sw = usim_auth_gsm(&card_fs, cmd->data + 1, out + 1, out + 6);
        n = 14;
    } else {
        /* 3G context: 10 RAND 10 AUTN (7.1.2.1); Kc added since service
         * n27 (GSM access) is in EF.UST */
        if (cmd->nc != 34 || cmd->data[0] != 16 || cmd->data[17] != 16) {
            return FS_SW_WRONG_LENGTH;
        }
        sw = usim_auth_3g(&card_fs, cmd->data + 1, cmd->data + 18, true,
                          out, &n);
    }
    if (sw == FS_SW_OK && !apdu_response_set_data(rsp, out, n)) {
        sw = FS_SW_WRONG_LENGTH;
    }
    memset(out, 0, sizeof(out));
    return sw;
}

uint16_t fsa_run_gsm(struct chan_state *c, const uint8_t rand[16],
                     uint8_t sres_kc[12])
{
    if (!pin_satisfied(&card_fs, &fs_pin_session, PIN_REF_PIN1)) {
        return FS_SW_SECURITY;
    }
    (void)c;
    return usim_auth_gsm(&card_fs, rand, sres_kc, sres_kc + 4);
}
