/*
 * Command dispatcher. See apdu/dispatch.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "apdu/dispatch.h"

static const struct apdu_registry *registry;
static const struct applet *default_app;
static bool (*refused)(void);     /* dispatch_set_refusal() */

void dispatch_init(void)
{
    registry = NULL;
    default_app = NULL;
    refused = NULL;
}

void dispatch_set_registry(const struct apdu_registry *r)
{
    registry = r;
}

void dispatch_set_default(const struct applet *a)
{
    default_app = a;
}

void dispatch_set_refusal(bool (*is_refused)(void))
{
    refused = is_refused;
}

static bool select_on(struct apdu_session *s, uint8_t ch, const struct applet *a)
{
    struct apdu_origin o = apdu_session_origin(s, ch);

    return a->select == NULL || a->select(a->self, &o);
}

static void deselect(struct apdu_session *s, uint8_t ch)
{
    const struct applet *a = s->channels[ch].selected;

    if (a && a->deselect) {
        struct apdu_origin o = apdu_session_origin(s, ch);

        a->deselect(a->self, &o);
    }
    s->channels[ch].selected = NULL;
}

void dispatch_reset(struct apdu_session *s)
{
    for (uint8_t i = 0; i < APDU_CHANNELS; i++) {
        deselect(s, i);
        s->channels[i].open = false;
    }
    s->channels[0].open = true;
    s->pending.active = false;
    if (default_app) {
        if (default_app->reset) {
            default_app->reset(default_app->self, s);
        }
        if (select_on(s, 0, default_app)) {
            s->channels[0].selected = default_app;
        }
    }
}

static void manage_channel(struct apdu_session *s, const struct apdu *cmd,
                           uint8_t ch, struct apdu_response *rsp)
{
    uint8_t target = cmd->p2;

    if (cmd->nc != 0) {
        rsp->sw = SW_WRONG_LENGTH;
        return;
    }
    if (cmd->p1 == 0x00) {
        const struct applet *a;

        if (target == 0) {
            if (cmd->ne == 0) {
                rsp->sw = SW_WRONG_LENGTH;
                return;
            }
            for (target = 1; target < APDU_CHANNELS; target++) {
                if (!s->channels[target].open) {
                    break;
                }
            }
            if (target == APDU_CHANNELS) {
                rsp->sw = SW_FUNC_NOT_SUPPORTED;
                return;
            }
        } else if (target >= APDU_CHANNELS) {
            rsp->sw = SW_LOGICAL_CHANNEL_NOT_SUPPORTED;
            return;
        } else if (s->channels[target].open) {
            rsp->sw = SW_INCORRECT_P1P2;
            return;
        }
        s->channels[target].open = true;
        s->channels[target].selected = NULL;
        a = ch != 0 ? s->channels[ch].selected : default_app;
        if (a && select_on(s, target, a)) {
            s->channels[target].selected = a;
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
        if (target >= APDU_CHANNELS || !s->channels[target].open) {
            rsp->sw = SW_LOGICAL_CHANNEL_NOT_SUPPORTED;
            return;
        }
        deselect(s, target);
        s->channels[target].open = false;
        return;
    }
    rsp->sw = SW_INCORRECT_P1P2;
}

/* The application SELECT by DF name finds, per P2's occurrence bits. */
static const struct applet *find_by_name(const struct apdu_session *s,
                                         uint8_t ch, const struct apdu *cmd,
                                         bool next)
{
    const struct applet *cur = s->channels[ch].selected;

    if (registry == NULL) {
        return NULL;
    }
    if (!next || cur == NULL || cur->aid_len < cmd->nc ||
        memcmp(cur->aid, cmd->data, cmd->nc) != 0) {
        cur = NULL;     /* first occurrence */
    }
    return registry->find(registry->ctx, cmd->data, cmd->nc, cur);
}

static void select_by_aid(struct apdu_session *s, const struct apdu *cmd,
                          uint8_t ch, struct apdu_response *rsp)
{
    uint8_t occurrence = cmd->p2 & 0x03;
    uint8_t fci = cmd->p2 & 0x0c;
    const struct applet *found;

    if ((cmd->p2 & 0xf0) != 0 || (occurrence != 0 && occurrence != 2) ||
        fci == 0x08) {
        rsp->sw = SW_INCORRECT_P1P2;
        return;
    }
    if (cmd->nc == 0 && registry && registry->unnamed && occurrence == 0) {
        found = registry->unnamed(registry->ctx);
    } else if (cmd->nc < APDU_AID_MIN || cmd->nc > APDU_AID_MAX) {
        rsp->sw = SW_WRONG_LENGTH;
        return;
    } else {
        found = find_by_name(s, ch, cmd, occurrence == 2);
    }
    if (found == NULL && cmd->nc == 0) {
        rsp->sw = SW_WRONG_LENGTH;
        return;
    }
    if (found == NULL && default_app) {
        struct apdu_origin o = apdu_session_origin(s, ch);

        /* the default application's ADFs */
        (void)default_app->process(default_app->self, &o, cmd, rsp);
        if ((rsp->sw == SW_OK || rsp->sw == 0x6283u) &&
            s->channels[ch].selected != default_app) {
            deselect(s, ch);
            s->channels[ch].selected = default_app;
        }
        return;
    }
    if (found == NULL) {
        rsp->sw = SW_FILE_NOT_FOUND;
        return;
    }
    deselect(s, ch);
    if (!select_on(s, ch, found)) {
        rsp->sw = SW_SELECT_REFUSED;
        return;
    }
    s->channels[ch].selected = found;
    if (fci == 0x0c) {
        return;
    }
    if (fci == 0x00 && found->fci) {
        struct apdu_origin o = apdu_session_origin(s, ch);

        found->fci(found->self, &o, rsp);
        return;
    }
    {
        uint8_t hdr[4] = { fci == 0x04 ? 0x62 : 0x6f,
                           (uint8_t)(2 + found->aid_len), 0x84, found->aid_len };

        (void)apdu_response_set_data(rsp, hdr, sizeof(hdr));
        (void)apdu_response_append(rsp, found->aid, found->aid_len);
    }
}

/* SELECT by FID / path: always the default application. */
static void select_default(struct apdu_session *s, const struct apdu *cmd,
                           uint8_t ch, struct apdu_response *rsp)
{
    struct apdu_origin o = apdu_session_origin(s, ch);

    if (s->channels[ch].selected != default_app) {
        deselect(s, ch);
        if (!select_on(s, ch, default_app)) {
            rsp->sw = SW_SELECT_REFUSED;
            return;
        }
        s->channels[ch].selected = default_app;
    }
    (void)default_app->process(default_app->self, &o, cmd, rsp);
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

/* The application selected on CH processes CMD (it may go on later). */
static enum applet_status to_selected(struct apdu_session *s,
                                      const struct apdu *cmd, uint8_t ch,
                                      struct apdu_response *rsp,
                                      size_t *rsp_len)
{
    const struct applet *a = s->channels[ch].selected;
    struct apdu_origin o = apdu_session_origin(s, ch);

    if (a->process(a->self, &o, cmd, rsp) == APPLET_PENDING) {
        s->pending.active = true;
        s->pending.applet = a;
        s->pending.channel = ch;
        return APPLET_PENDING;
    }
    return finish(rsp, rsp_len);
}

enum applet_status dispatch_command(struct apdu_session *s, uint8_t *buf,
                                    size_t len, size_t cap, size_t *rsp_len)
{
    struct apdu cmd;
    struct apdu_response rsp;
    struct apdu_class cls;
    uint16_t sw;

    s->pending.active = false;
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
    if (cmd.cla == APDU_CLA_GSM && default_app && default_app->gsm_class) {
        /* TS 51.011: the basic channel, the default application (a SIM
         * has no other); SELECT makes it the channel's application */
        if (cmd.ins == INS_SELECT) {
            select_default(s, &cmd, 0, &rsp);
        } else {
            struct apdu_origin o = apdu_session_origin(s, 0);

            (void)default_app->process(default_app->self, &o, &cmd, &rsp);
        }
    } else if (!cls.valid) {
        rsp.sw = SW_CLA_NOT_SUPPORTED;
    } else if (cls.sm != 0) {
        /* the selected application unwraps (or refuses) it */
        if (apdu_session_selected(s, cls.channel) != NULL &&
            s->channels[cls.channel].open) {
            return to_selected(s, &cmd, cls.channel, &rsp, rsp_len);
        }
        rsp.sw = SW_SECURE_MESSAGING_NOT_SUPPORTED;
    } else if (cls.chaining) {
        rsp.sw = SW_COMMAND_CHAINING_NOT_SUPPORTED;
    } else if (!s->channels[cls.channel].open) {
        rsp.sw = SW_LOGICAL_CHANNEL_NOT_SUPPORTED;
    } else if (!cls.proprietary && cmd.ins == INS_MANAGE_CHANNEL) {
        manage_channel(s, &cmd, cls.channel, &rsp);
    } else if (!cls.proprietary && cmd.ins == INS_SELECT && cmd.p1 == 0x04) {
        select_by_aid(s, &cmd, cls.channel, &rsp);
    } else if (!cls.proprietary && cmd.ins == INS_SELECT && default_app) {
        select_default(s, &cmd, cls.channel, &rsp);
    } else if (s->channels[cls.channel].selected != NULL) {
        return to_selected(s, &cmd, cls.channel, &rsp, rsp_len);
    } else if (!cls.proprietary && cmd.ins == INS_SELECT) {
        rsp.sw = SW_INCORRECT_P1P2;
    } else {
        rsp.sw = cls.proprietary ? SW_CLA_NOT_SUPPORTED : SW_INS_NOT_SUPPORTED;
    }
    return finish(&rsp, rsp_len);
}

enum applet_status dispatch_poll(struct apdu_session *s, uint8_t *buf,
                                 size_t cap, size_t *rsp_len)
{
    struct apdu_response rsp;
    const struct applet *a = s->pending.applet;
    struct apdu_origin o;

    apdu_response_init(&rsp, buf, cap);
    if (!s->pending.active || a->poll == NULL) {
        s->pending.active = false;
        rsp.sw = SW_UNKNOWN;
        return finish(&rsp, rsp_len);
    }
    o = apdu_session_origin(s, s->pending.channel);
    if (a->poll(a->self, &o, &rsp) == APPLET_PENDING) {
        return APPLET_PENDING;
    }
    s->pending.active = false;
    return finish(&rsp, rsp_len);
}

enum t0_dir dispatch_t0_direction(const struct apdu_session *s,
                                  const uint8_t hdr[4])
{
    struct apdu_class cls = apdu_class_decode(hdr[0]);
    const struct applet *a;

    if (hdr[0] == APDU_CLA_GSM && default_app && default_app->gsm_class) {
        return default_app->t0_direction
                   ? default_app->t0_direction(default_app->self, hdr)
                   : T0_DIR_NONE;
    }
    if (!cls.valid || !s->channels[cls.channel].open) {
        return T0_DIR_NONE;
    }
    a = s->channels[cls.channel].selected;
    if (cls.sm != 0) {
        return a && a->t0_direction ? a->t0_direction(a->self, hdr)
                                    : T0_DIR_NONE;
    }
    if (cls.chaining) {
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
    if (a && a->t0_direction) {
        return a->t0_direction(a->self, hdr);
    }
    return T0_DIR_NONE;
}
