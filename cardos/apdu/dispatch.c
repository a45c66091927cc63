/*
 * Command dispatcher. See apdu/dispatch.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "apdu/dispatch.h"

static const struct applet *applets[DISPATCH_MAX_APPLETS];
static unsigned applet_count;

struct channel {
    bool open;
    const struct applet *selected;
};

static struct channel channels[DISPATCH_CHANNELS];
static const struct applet *default_app;
static bool (*refused)(void);     /* dispatch_set_refusal() */

static struct {
    bool active;
    const struct applet *applet;
    uint8_t channel;
} pending;

void dispatch_reset(void)
{
    for (unsigned i = 0; i < DISPATCH_CHANNELS; i++) {
        if (channels[i].selected && channels[i].selected->deselect) {
            channels[i].selected->deselect(channels[i].selected->self, (uint8_t)i);
        }
        channels[i].open = false;
        channels[i].selected = NULL;
    }
    channels[0].open = true;
    pending.active = false;
    if (default_app) {
        if (default_app->reset) {
            default_app->reset(default_app->self);
        }
        if (default_app->select == NULL ||
            default_app->select(default_app->self, 0)) {
            channels[0].selected = default_app;
        }
    }
}

void dispatch_set_default(const struct applet *a)
{
    default_app = a;
    if (a && channels[0].open && channels[0].selected == NULL &&
        (a->select == NULL || a->select(a->self, 0))) {
        channels[0].selected = a;
    }
}

void dispatch_init(void)
{
    memset(channels, 0, sizeof(channels));
    default_app = NULL;
    refused = NULL;
    applet_count = 0;
    memset(applets, 0, sizeof(applets));
    dispatch_reset();
}

bool dispatch_register(const struct applet *a)
{
    if (applet_count >= DISPATCH_MAX_APPLETS || a->aid_len < DISPATCH_AID_MIN ||
        a->aid_len > DISPATCH_AID_MAX || a->process == NULL) {
        return false;
    }
    applets[applet_count++] = a;
    return true;
}

bool dispatch_channel_open(uint8_t channel)
{
    return channel < DISPATCH_CHANNELS && channels[channel].open;
}

const struct applet *dispatch_selected(uint8_t channel)
{
    return channel < DISPATCH_CHANNELS ? channels[channel].selected : NULL;
}

bool dispatch_pending(void)
{
    return pending.active;
}

void dispatch_cancel(void)
{
    pending.active = false;
}

static void deselect(uint8_t ch)
{
    const struct applet *a = channels[ch].selected;

    if (a && a->deselect) {
        a->deselect(a->self, ch);
    }
    channels[ch].selected = NULL;
}

static void manage_channel(const struct apdu *cmd, uint8_t ch,
                           struct apdu_response *rsp)
{
    uint8_t target = cmd->p2;

    if (cmd->nc != 0) {
        rsp->sw = SW_WRONG_LENGTH;
        return;
    }
    if (cmd->p1 == 0x00) {
        if (target == 0) {
            if (cmd->ne == 0) {
                rsp->sw = SW_WRONG_LENGTH;
                return;
            }
            for (target = 1; target < DISPATCH_CHANNELS; target++) {
                if (!channels[target].open) {
                    break;
                }
            }
            if (target == DISPATCH_CHANNELS) {
                rsp->sw = SW_FUNC_NOT_SUPPORTED;
                return;
            }
        } else if (target >= DISPATCH_CHANNELS) {
            rsp->sw = SW_LOGICAL_CHANNEL_NOT_SUPPORTED;
            return;
        } else if (channels[target].open) {
            rsp->sw = SW_INCORRECT_P1P2;
            return;
        }
        channels[target].open = true;
        channels[target].selected = NULL;
        {
            const struct applet *a = ch != 0 ? channels[ch].selected
                                             : default_app;

            if (a && (a->select == NULL || a->select(a->self, target))) {
                channels[target].selected = a;
            }
        }
        if (cmd->p2 == 0) {
            (void)apdu_response_set_data(rsp, &target, 1);
        }
        return;
    }
    if (cmd->p1 == 0x80) {
        if (target == 0) {
            rsp->sw = SW_INCORRECT_P1P2;
            return;
        }
        if (target >= DISPATCH_CHANNELS || !channels[target].open) {
            rsp->sw = SW_LOGICAL_CHANNEL_NOT_SUPPORTED;
            return;
        }
        deselect(target);
        channels[target].open = false;
        return;
    }
    rsp->sw = SW_INCORRECT_P1P2;
}

static void select_by_aid(const struct apdu *cmd, uint8_t ch,
                          struct apdu_response *rsp)
{
    uint8_t occurrence = cmd->p2 & 0x03;
    uint8_t fci = cmd->p2 & 0x0c;
    const struct applet *found = NULL;
    uint8_t name[DISPATCH_AID_MAX];
    uint8_t tpl;

    if ((cmd->p2 & 0xf0) != 0 || (occurrence != 0 && occurrence != 2) ||
        fci == 0x08) {
        rsp->sw = SW_INCORRECT_P1P2;
        return;
    }
    if (cmd->nc < DISPATCH_AID_MIN || cmd->nc > DISPATCH_AID_MAX) {
        rsp->sw = SW_WRONG_LENGTH;
        return;
    }
    if (occurrence == 0) {
        for (unsigned i = 0; i < applet_count; i++) {
            if (applets[i]->aid_len >= cmd->nc &&
                memcmp(applets[i]->aid, cmd->data, cmd->nc) == 0) {
                found = applets[i];
                break;
            }
        }
    }
    if (found == NULL && default_app) {
        /* the default application's ADFs */
        (void)default_app->process(default_app->self, ch, cmd, rsp);
        if ((rsp->sw == SW_OK || rsp->sw == 0x6283u) &&
            channels[ch].selected != default_app) {
            deselect(ch);
            channels[ch].selected = default_app;
        }
        return;
    }
    if (found == NULL) {
        rsp->sw = SW_FILE_NOT_FOUND;
        return;
    }
    deselect(ch);
    if (found->select && !found->select(found->self, ch)) {
        rsp->sw = SW_SELECT_REFUSED;
        return;
    }
    channels[ch].selected = found;
    if (fci == 0x0c) {
        return;
    }
    tpl = fci == 0x04 ? 0x62 : 0x6f;
    memcpy(name, found->aid, found->aid_len);
    {
        uint8_t hdr[4] = { tpl, (uint8_t)(2 + found->aid_len), 0x84, found->aid_len };

        (void)apdu_response_set_data(rsp, hdr, sizeof(hdr));
        (void)apdu_response_append(rsp, name, found->aid_len);
    }
}

void dispatch_set_refusal(bool (*is_refused)(void))
{
    refused = is_refused;
}

static enum applet_status finish(struct apdu_response *rsp, size_t *rsp_len)
{
    if (refused && refused()) {
        rsp->len = 0;
        rsp->sw = SW_UNKNOWN;
    }
    *rsp_len = apdu_response_finish(rsp);
    return APPLET_DONE;
}

enum applet_status dispatch_command(uint8_t *buf, size_t len, size_t cap,
                                    size_t *rsp_len)
{
    struct apdu cmd;
    struct apdu_response rsp;
    struct apdu_class cls;
    const struct applet *a;
    uint16_t sw;

    pending.active = false;
    sw = apdu_parse(buf, len, &cmd);
    apdu_response_init(&rsp, buf, cap);
    if (refused && refused()) {
        rsp.sw = SW_UNKNOWN;
        return finish(&rsp, rsp_len);
    }
    if (sw != SW_OK) {
        rsp.sw = sw;
        return finish(&rsp, rsp_len);
    }
    cls = apdu_class_decode(cmd.cla);
    if (!cls.valid) {
        rsp.sw = SW_CLA_NOT_SUPPORTED;
    } else if (cls.sm != 0) {
        rsp.sw = SW_SECURE_MESSAGING_NOT_SUPPORTED;
    } else if (cls.chaining) {
        rsp.sw = SW_COMMAND_CHAINING_NOT_SUPPORTED;
    } else if (!channels[cls.channel].open) {
        rsp.sw = SW_LOGICAL_CHANNEL_NOT_SUPPORTED;
    } else if (!cls.proprietary && cmd.ins == INS_MANAGE_CHANNEL) {
        manage_channel(&cmd, cls.channel, &rsp);
    } else if (!cls.proprietary && cmd.ins == INS_SELECT && cmd.p1 == 0x04) {
        select_by_aid(&cmd, cls.channel, &rsp);
    } else if (!cls.proprietary && cmd.ins == INS_SELECT && default_app) {
        /* SELECT by FID / path: always the default application */
        if (channels[cls.channel].selected != default_app) {
            deselect(cls.channel);
            if (default_app->select &&
                !default_app->select(default_app->self, cls.channel)) {
                rsp.sw = SW_SELECT_REFUSED;
                return finish(&rsp, rsp_len);
            }
            channels[cls.channel].selected = default_app;
        }
        (void)default_app->process(default_app->self, cls.channel, &cmd, &rsp);
    } else if ((a = channels[cls.channel].selected) != NULL) {
        if (a->process(a->self, cls.channel, &cmd, &rsp) == APPLET_PENDING) {
            pending.active = true;
            pending.applet = a;
            pending.channel = cls.channel;
            return APPLET_PENDING;
        }
    } else if (!cls.proprietary && cmd.ins == INS_SELECT) {
        rsp.sw = SW_INCORRECT_P1P2;
    } else {
        rsp.sw = cls.proprietary ? SW_CLA_NOT_SUPPORTED : SW_INS_NOT_SUPPORTED;
    }
    return finish(&rsp, rsp_len);
}

enum applet_status dispatch_poll(uint8_t *buf, size_t cap, size_t *rsp_len)
{
    struct apdu_response rsp;

    apdu_response_init(&rsp, buf, cap);
    if (!pending.active) {
        rsp.sw = SW_UNKNOWN;
        return finish(&rsp, rsp_len);
    }
    if (pending.applet->poll == NULL) {
        pending.active = false;
        rsp.sw = SW_UNKNOWN;
        return finish(&rsp, rsp_len);
    }
    if (pending.applet->poll(pending.applet->self, pending.channel, &rsp) ==
        APPLET_PENDING) {
        return APPLET_PENDING;
    }
    pending.active = false;
    return finish(&rsp, rsp_len);
}

enum t0_dir dispatch_t0_direction(const uint8_t hdr[4])
{
    struct apdu_class cls = apdu_class_decode(hdr[0]);
    const struct applet *a;

    if (!cls.valid || cls.sm || cls.chaining || !channels[cls.channel].open) {
        return T0_DIR_NONE;
    }
    if (!cls.proprietary && hdr[1] == INS_MANAGE_CHANNEL) {
        return (hdr[2] == 0 && hdr[3] == 0) ? T0_DIR_OUT : T0_DIR_NONE;
    }
    if (!cls.proprietary && hdr[1] == INS_SELECT && hdr[2] == 0x04) {
        return T0_DIR_IN;
    }
    if (!cls.proprietary && hdr[1] == INS_SELECT && default_app &&
        default_app->t0_direction) {
        return default_app->t0_direction(default_app->self, hdr);
    }
    a = channels[cls.channel].selected;
    if (a && a->t0_direction) {
        return a->t0_direction(a->self, hdr);
    }
    return T0_DIR_NONE;
}
