/*
 * The test application's BENCH command. See tests/cardos/test_applet_bench.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "tests/cardos/test_applet_bench.h"
#include "arch/cpu.h"
#include "crypto/crypto.h"
#include "kernel/bench_mark.h"

#define LOG_MODULE "bench"
#include "kernel/log.h"

/* FIPS 197 appendix C key and an all-zero IV: fixed, documented inputs. */
static const uint8_t bench_aes_key[16] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
    0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
};

struct bench_ctx {
    uint8_t op;
    uint8_t *work;                      /* TEST_BENCH_DATA_LEN bytes */
    uint8_t iv[16];
    uint8_t hash[32];
    uint8_t pub[64];
    uint8_t sig[64];
    struct crypto_rsa_crt_key rsa;
};

/* The measured operation itself (run twice: untimed, then in the window). */
static enum crypto_status bench_op(struct bench_ctx *b)
{
    uint8_t digest[32];

    switch (b->op) {
    case TEST_BENCH_AES128_CBC_16K_HW:
    case TEST_BENCH_AES128_CBC_16K_SOFT:
        return crypto_cipher(CRYPTO_AES_CBC,
                             b->op == TEST_BENCH_AES128_CBC_16K_HW ?
                             CRYPTO_ENGINE_HW : CRYPTO_ENGINE_SOFT,
                             false, bench_aes_key, sizeof(bench_aes_key),
                             b->iv, b->work, b->work, TEST_BENCH_DATA_LEN);
    case TEST_BENCH_SHA256_16K_HW:
        return crypto_hash(CRYPTO_SHA256, b->work, TEST_BENCH_DATA_LEN, digest);
    case TEST_BENCH_ECDSA_P256_SIGN:
        return crypto_ecdsa_sign(TEST_BENCH_EC_KEY_ID, b->hash,
                                 sizeof(b->hash), b->sig);
    case TEST_BENCH_ECDSA_P256_VERIFY:
        return crypto_ecdsa_verify(CRYPTO_P256, b->pub, b->hash,
                                   sizeof(b->hash), b->sig);
    case TEST_BENCH_RSA2048_CRT:
        /* In place: input (top byte 0, so below n) -> x^d mod n. */
        return crypto_rsa_private(&b->rsa, b->work, b->work);
    default:
        return CRYPTO_ERR_PARAM;
    }
}

/* Untimed preparation: inputs, keys. */
static enum crypto_status bench_setup(struct bench_ctx *b)
{
    enum crypto_status st = CRYPTO_OK;

    for (size_t i = 0; i < TEST_BENCH_DATA_LEN; i++) {
        b->work[i] = (uint8_t)i;
    }
    b->work[0] = 0;                     /* RSA input < n */
    memset(b->iv, 0, sizeof(b->iv));
    for (size_t i = 0; i < sizeof(b->hash); i++) {
        b->hash[i] = (uint8_t)(0xa0u + i);
    }
    if (b->op == TEST_BENCH_ECDSA_P256_SIGN ||
        b->op == TEST_BENCH_ECDSA_P256_VERIFY) {
        st = crypto_ec_generate(CRYPTO_P256, TEST_BENCH_EC_KEY_ID, b->pub);
        if (st == CRYPTO_OK && b->op == TEST_BENCH_ECDSA_P256_VERIFY) {
            st = crypto_ecdsa_sign(TEST_BENCH_EC_KEY_ID, b->hash,
                                   sizeof(b->hash), b->sig);
        }
    }
    return st;
}

/*
 * The empty window: the markers back to back, in a function of its own so
 * that what lies between them is fixed (tests/system/test_insn_plugin.c
 * derives the count from the disassembly).
 */
static __attribute__((noinline)) void bench_empty_window(void)
{
    bench_mark_begin();
    bench_mark_end();
}

static uint16_t status_word(enum crypto_status st)
{
    switch (st) {
    case CRYPTO_OK:
        return SW_OK;
    case CRYPTO_ERR_PARAM:
    case CRYPTO_ERR_INPUT:
        return SW_WRONG_DATA;
    default:
        return SW_UNKNOWN;
    }
}

static uint8_t *align4(uint8_t *p)
{
    return p + ((4u - ((uintptr_t)p & 3u)) & 3u);
}

/* 4 bytes big-endian, with the test applet's response length rule. */
static void answer_cycles(const struct apdu *cmd, struct apdu_response *rsp,
                          uint32_t cycles)
{
    uint8_t be[4];

    be[0] = (uint8_t)(cycles >> 24);
    be[1] = (uint8_t)(cycles >> 16);
    be[2] = (uint8_t)(cycles >> 8);
    be[3] = (uint8_t)cycles;
    (void)apdu_response_set_data(rsp, be, sizeof(be));
    apdu_response_fit_le(cmd, rsp, sizeof(be));
}

void test_applet_bench(const struct apdu *cmd, struct apdu_response *rsp)
{
    static struct bench_ctx b;
    enum crypto_status st;
    uint32_t cycles, irq;
    size_t used;

    if (cmd->p2 != 0 || cmd->p1 > TEST_BENCH_RSA2048_CRT) {
        rsp->sw = SW_INCORRECT_P1P2;
        return;
    }
    if (cmd->p1 == TEST_BENCH_RSA2048_CRT ?
        cmd->nc != 5u * TEST_BENCH_RSA_HALF : cmd->nc != 0) {
        rsp->sw = SW_WRONG_LENGTH;
        return;
    }
    /* The work area: the APDU buffer behind the command's data. */
    used = cmd->nc ? (size_t)(cmd->data + cmd->nc - rsp->buf) : 8u;
    if (used + 3u + TEST_BENCH_DATA_LEN > rsp->cap) {
        rsp->sw = 0x6A84;               /* not enough memory space */
        return;
    }
    memset(&b, 0, sizeof(b));
    b.op = cmd->p1;
    b.work = align4(rsp->buf + used);
    if (b.op == TEST_BENCH_RSA2048_CRT) {
        const uint8_t *k = cmd->data;

        b.rsa.half = TEST_BENCH_RSA_HALF;
        b.rsa.p = k;
        b.rsa.q = k + TEST_BENCH_RSA_HALF;
        b.rsa.dp = k + 2u * TEST_BENCH_RSA_HALF;
        b.rsa.dq = k + 3u * TEST_BENCH_RSA_HALF;
        b.rsa.qinv = k + 4u * TEST_BENCH_RSA_HALF;
    }

    if (b.op == TEST_BENCH_EMPTY) {
        irq = cpu_irq_save();
        cycles = crypto_hw_cycles();
        bench_empty_window();
        cycles = crypto_hw_cycles() - cycles;
        cpu_irq_restore(irq);
        answer_cycles(cmd, rsp, cycles);
        return;
    }

    st = bench_setup(&b);
    if (st == CRYPTO_OK) {
        st = bench_op(&b);              /* untimed: keys loaded, warm */
    }
    if (st != CRYPTO_OK) {
        LOG_W("op %02x: untimed run failed (%d)", (unsigned)b.op, (int)st);
        rsp->sw = status_word(st);
        return;
    }
    if (b.op == TEST_BENCH_AES128_CBC_16K_HW ||
        b.op == TEST_BENCH_AES128_CBC_16K_SOFT) {
        memset(b.iv, 0, sizeof(b.iv));
    }

    irq = cpu_irq_save();
    cycles = crypto_hw_cycles();
    bench_mark_begin();
    st = bench_op(&b);
    bench_mark_end();
    cycles = crypto_hw_cycles() - cycles;
    cpu_irq_restore(irq);

    if (st != CRYPTO_OK) {
        LOG_W("op %02x failed (%d)", (unsigned)b.op, (int)st);
        rsp->sw = status_word(st);
        return;
    }
    answer_cycles(cmd, rsp, cycles);
}

enum t0_dir test_applet_bench_t0_direction(const uint8_t hdr[4])
{
    return hdr[2] == TEST_BENCH_RSA2048_CRT ? T0_DIR_IN : T0_DIR_OUT;
}
