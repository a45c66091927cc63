/*
 * SP 800-90B continuous health tests. See crypto/health.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "crypto/health.h"

#include <string.h>

void health_init(struct health *h)
{
    memset(h, 0, sizeof(*h));
    h->failed = HEALTH_OK;
}

static enum health_result fail(struct health *h, enum health_result r)
{
    if (h->failed == HEALTH_OK) {
        h->failed = r;
    }
    return h->failed;
}

/* SP 800-90B 4.4.1: B counts the current run; B >= C is a failure. */
static enum health_result rct(struct health *h, unsigned bit)
{
    if (h->rct_count != 0 && bit == h->rct_last) {
        if (++h->rct_count >= HEALTH_RCT_CUTOFF) {
            return fail(h, HEALTH_RCT_FAIL);
        }
    } else {
        h->rct_last = (uint8_t)bit;
        h->rct_count = 1;
    }
    return HEALTH_OK;
}

/*
 * SP 800-90B 4.4.2: the first sample A of each window of W, B = 1; each of
 * the next W - 1 samples equal to A increments B; B >= C is a failure.
 */
static enum health_result apt(struct health *h, unsigned bit)
{
    if (h->apt_index == 0) {
        h->apt_first = (uint8_t)bit;
        h->apt_count = 1;
    } else if (bit == h->apt_first) {
        if (++h->apt_count >= HEALTH_APT_CUTOFF) {
            return fail(h, HEALTH_APT_FAIL);
        }
    }
    if (++h->apt_index == HEALTH_APT_WINDOW) {
        h->apt_index = 0;
    }
    return HEALTH_OK;
}

enum health_result health_feed_bit(struct health *h, unsigned bit)
{
    enum health_result r;

    if (h->failed != HEALTH_OK) {
        return h->failed;
    }
    bit &= 1u;
    if (h->samples != UINT32_MAX) {
        h->samples++;
    }
    r = rct(h, bit);
    if (r != HEALTH_OK) {
        return r;
    }
    return apt(h, bit);
}

enum health_result health_feed_word(struct health *h, uint32_t word)
{
    if (h->failed != HEALTH_OK) {
        return h->failed;
    }
    if (h->word_count != 0 && word == h->word_last) {
        if (++h->word_count >= HEALTH_WORD_RCT_CUTOFF) {
            return fail(h, HEALTH_WORD_RCT_FAIL);
        }
    } else {
        h->word_last = word;
        h->word_count = 1;
    }
    for (unsigned i = 0; i < 32; i++) {
        enum health_result r = health_feed_bit(h, (word >> i) & 1u);

        if (r != HEALTH_OK) {
            return r;
        }
    }
    return HEALTH_OK;
}

const char *health_result_name(enum health_result r)
{
    switch (r) {
    case HEALTH_OK:
        return "none";
    case HEALTH_RCT_FAIL:
        return "TRNG repetition count test";
    case HEALTH_APT_FAIL:
        return "TRNG adaptive proportion test";
    case HEALTH_WORD_RCT_FAIL:
        return "TRNG word repetition count test";
    }
    return "TRNG health test";
}
