/*
 * The built-in test application. See tests/cardos/test_applet.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "tests/cardos/test_applet.h"
#include "kernel/log.h"

const uint8_t test_applet_aid[TEST_APPLET_AID_LEN] = {
    0xf0, 0x6e, 0x65, 0x74, 0x63, 0x61, 0x72, 0x64, 0x01,
};

static struct test_applet_config config;
static struct {
    bool delaying;
    uint32_t start_ms, delay_ms;
} state;

static bool cap_ok(struct apdu_response *rsp, size_t n)
{
    return n + 2 <= rsp->cap;
}

static void add_tlv(struct apdu_response *rsp, uint8_t tag, const char *s)
{
    size_t n = strlen(s);
    uint8_t hdr[2];

    if (n > 127) {
        n = 127;
    }
    hdr[0] = tag;
    hdr[1] = (uint8_t)n;
    (void)apdu_response_append(rsp, hdr, 2);
    (void)apdu_response_append(rsp, s, n);
}

static void info(const struct apdu *cmd, uint8_t channel,
                 struct apdu_response *rsp)
{
    char link[64] = "";

    if (cmd->nc != 0) {
        rsp->sw = SW_WRONG_LENGTH;
        return;
    }
    if (cmd->p2 != 0 || cmd->p1 > 1) {
        rsp->sw = SW_INCORRECT_P1P2;
        return;
    }
    if (config.link_info) {
        config.link_info(link, sizeof(link));
    }
    if (cmd->p1 == 0) {
        uint8_t ch[3] = { 0xc4, 1, channel };

        add_tlv(rsp, 0xc0, config.version ? config.version : "");
        add_tlv(rsp, 0xc1, config.git_describe ? config.git_describe : "");
        add_tlv(rsp, 0xc2, config.build ? config.build : "");
        add_tlv(rsp, 0xc3, link);
        (void)apdu_response_append(rsp, ch, 3);
    } else {
        char line[192];
        int n = log_snprintf(line, sizeof(line), "netcard cardos %s (%s) %s",
                             config.version ? config.version : "",
                             config.git_describe ? config.git_describe : "", link);

        if (n < 0) {
            n = 0;
        }
        if ((size_t)n >= sizeof(line)) {
            n = (int)sizeof(line) - 1;
        }
        (void)apdu_response_set_data(rsp, line, (size_t)n);
    }
    apdu_response_fit_le(cmd, rsp, rsp->len);
}

static bool status_allowed(uint16_t sw)
{
    uint8_t sw1 = (uint8_t)(sw >> 8);

    if (sw == 0x9000) {
        return true;
    }
    return sw1 >= 0x62 && sw1 <= 0x6f && sw1 != 0x6c;
}

static enum applet_status process(void *self,
                                  const struct apdu_origin *origin,
                                  const struct apdu *cmd,
                                  struct apdu_response *rsp)
{
    uint16_t p1p2 = (uint16_t)(cmd->p1 << 8 | cmd->p2);

    (void)self;
    if (apdu_secure_messaging(cmd)) {
        rsp->sw = SW_SECURE_MESSAGING_NOT_SUPPORTED;    /* applet.h */
        return APPLET_DONE;
    }
    switch (cmd->ins) {
    case TEST_INS_ECHO:
        if (p1p2 != 0) {
            rsp->sw = SW_INCORRECT_P1P2;
            break;
        }
        if (!cap_ok(rsp, cmd->nc)) {
            rsp->sw = SW_WRONG_LENGTH;
            break;
        }
        (void)apdu_response_set_data(rsp, cmd->data, cmd->nc);
        apdu_response_fit_le(cmd, rsp, cmd->nc);
        break;
    case TEST_INS_GENERATE:
        if (cmd->nc != 0 || !cap_ok(rsp, p1p2)) {
            rsp->sw = SW_WRONG_LENGTH;
            break;
        }
        for (size_t i = 0; i < p1p2; i++) {
            rsp->buf[i] = (uint8_t)i;
        }
        apdu_response_fit_le(cmd, rsp, p1p2);
        break;
    case TEST_INS_STATUS:
        if (!status_allowed(p1p2)) {
            rsp->sw = SW_INCORRECT_P1P2;
            break;
        }
        if (p1p2 == 0x9000 || cmd->p1 == 0x62 || cmd->p1 == 0x63) {
            (void)apdu_response_set_data(rsp, cmd->data, cmd->nc);
            apdu_response_fit_le(cmd, rsp, cmd->nc);
            if (rsp->sw != SW_OK) {
                break;
            }
        }
        rsp->sw = p1p2;
        break;
    case TEST_INS_DELAY:
        if (cmd->nc != 0) {
            rsp->sw = SW_WRONG_LENGTH;
            break;
        }
        state.delaying = true;
        state.start_ms = config.now_ms ? config.now_ms() : 0;
        state.delay_ms = p1p2;
        return APPLET_PENDING;
    case TEST_INS_INFO:
        info(cmd, origin->channel, rsp);
        break;
    default:
        if (cmd->ins >= 0x50 && cmd->ins <= 0x5f && config.crypto_process) {
            return config.crypto_process(cmd, rsp);
        }
        rsp->sw = SW_INS_NOT_SUPPORTED;
        break;
    }
    return APPLET_DONE;
}

static enum applet_status poll(void *self, const struct apdu_origin *origin,
                               struct apdu_response *rsp)
{
    (void)self;
    (void)origin;
    if (!state.delaying) {
        rsp->sw = SW_UNKNOWN;
        return APPLET_DONE;
    }
    if (config.now_ms && config.now_ms() - state.start_ms < state.delay_ms) {
        return APPLET_PENDING;
    }
    state.delaying = false;
    rsp->sw = SW_OK;
    return APPLET_DONE;
}

static enum t0_dir t0_direction(void *self, const uint8_t hdr[4])
{
    (void)self;
    switch (hdr[1]) {
    case TEST_INS_ECHO:
    case TEST_INS_STATUS:
        return T0_DIR_IN;
    case TEST_INS_GENERATE:
    case TEST_INS_INFO:
        return T0_DIR_OUT;
    default:
        if (hdr[1] >= 0x50 && hdr[1] <= 0x5f && config.crypto_t0_direction) {
            return config.crypto_t0_direction(hdr);
        }
        return T0_DIR_NONE;
    }
}

static const struct applet test_applet = {
    .name = "test",
    .aid = test_applet_aid,
    .aid_len = TEST_APPLET_AID_LEN,
    .process = process,
    .poll = poll,
    .t0_direction = t0_direction,
};

const struct applet *test_applet_init(const struct test_applet_config *cfg)
{
    config = *cfg;
    memset(&state, 0, sizeof(state));
    return &test_applet;
}
