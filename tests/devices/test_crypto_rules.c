/*
 * Device tests: the crypto coprocessor's rules (peripherals/
 * netcard_crypto.h): key material never reads back, usage flags,
 * zeroize and reset, DMA bounds, alignment and overlap, busy timing and
 * the interrupt, reset while busy, random register sequences, VMState.
 * The algorithms' vectors are in test_crypto.c and test_crypto_pk.c.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "crypto_util.h"

#include <sys/wait.h>

TestSuite(device_crypto_rules, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_DEVICE);

/* ------------------------------------------------------------------ */
/* Key slots                                                           */

static const uint8_t aes_k[16] = { 0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2,
                                   0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf,
                                   0x4f, 0x3c };

Test(device_crypto_rules, key_material_reads_as_zero)
{
    NcQtest *qt = nc_qtest_start(NULL);

    /* staged key data is write-only */
    for (uint32_t off = 0; off < 256; off += 4) {
        nc_writel(qt, CR(KEYDATA0) + off, 0xA5A5A5A5u);
        cr_assert_eq(nc_readl(qt, CR(KEYDATA0) + off), 0u,
                     "KEYDATA+0x%x readable", off);
    }
    key_ok(key_load_reg(qt, 0, NETCARD_CRYPTO_KEY_AES,
                        NETCARD_CRYPTO_USE_ENCRYPT, aes_k, 16));
    /* nothing in the whole window shows key bytes */
    for (uint32_t off = 0; off < 0x1000; off += 4) {
        uint32_t v = nc_readl(qt, CRYPTO_BASE + off);
        for (int i = 0; i + 3 < 16; i++) {
            uint32_t kw = aes_k[i] | aes_k[i + 1] << 8 | aes_k[i + 2] << 16 |
                          (uint32_t)aes_k[i + 3] << 24;
            cr_assert_neq(v, kw, "key bytes readable at +0x%x", off);
        }
        if (off >= A_CRYPTO_KEYDATA0) {
            cr_assert_eq(v, 0u, "+0x%x reads 0x%08" PRIx32, off, v);
        }
    }
    uint32_t info = nc_readl(qt, CR(SLOTINFO0));
    cr_assert_eq(info, 0x80000000u | (16u << 16) |
                 (NETCARD_CRYPTO_USE_ENCRYPT << 8) | NETCARD_CRYPTO_KEY_AES,
                 "SLOTINFO0 0x%08" PRIx32, info);
}

Test(device_crypto_rules, usage_flags_enforced_nothing_written)
{
    NcQtest *qt = nc_qtest_start(NULL);
    uint8_t pt[16] = { 1, 2, 3 }, out[16], marker[16];

    memset(marker, 0x5A, 16);
    key_ok(key_load_reg(qt, 0, NETCARD_CRYPTO_KEY_AES,
                        NETCARD_CRYPTO_USE_ENCRYPT, aes_k, 16));
    key_ok(key_load_reg(qt, 1, NETCARD_CRYPTO_KEY_AES,
                        NETCARD_CRYPTO_USE_MAC, aes_k, 16));
    mem_write(qt, BUF_IN, pt, 16);
    mem_write(qt, BUF_OUT, marker, 16);
    crypto_dma(qt, BUF_IN, BUF_OUT, 16, 0);
    static const struct {
        uint32_t cmd, err;
        const char *what;
    } bad[] = {
        { NETCARD_CRYPTO_OP_AES_ECB | CMD_DEC, NETCARD_CRYPTO_ERR_KEY_USAGE,
          "decrypt with an encrypt-only key" },
        { NETCARD_CRYPTO_OP_AES_CMAC, NETCARD_CRYPTO_ERR_KEY_USAGE,
          "CMAC with an encrypt-only key" },
        { NETCARD_CRYPTO_OP_AES_ECB | (1u << 24), NETCARD_CRYPTO_ERR_KEY_USAGE,
          "encrypt with a MAC-only key" },
        { NETCARD_CRYPTO_OP_AES_ECB | (2u << 24), NETCARD_CRYPTO_ERR_BAD_SLOT,
          "empty slot" },
        { NETCARD_CRYPTO_OP_AES_ECB | (15u << 24), NETCARD_CRYPTO_ERR_BAD_SLOT,
          "empty slot 15" },
        { NETCARD_CRYPTO_OP_TDES_ECB, NETCARD_CRYPTO_ERR_KEY_TYPE,
          "TDES with an AES key" },
        { 0x7f, NETCARD_CRYPTO_ERR_BAD_OP, "unknown operation" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint32_t e = crypto_run(qt, bad[i].cmd);
        cr_assert_eq(e, bad[i].err, "%s: ERRCODE %" PRIu32 ", expected %"
                     PRIu32, bad[i].what, e, bad[i].err);
        uint32_t st = nc_readl(qt, CR(STATUS));
        cr_assert(st & R_CRYPTO_STATUS_ERR_MASK, "%s: STATUS.ERR clear",
                  bad[i].what);
        mem_read(qt, BUF_OUT, out, 16);
        expect_bytes(out, marker, 16, "%s: destination changed", bad[i].what);
    }
    /* wrong key sizes are refused at load */
    cr_assert_eq(key_load_reg(qt, 2, NETCARD_CRYPTO_KEY_AES,
                              NETCARD_CRYPTO_USE_ENCRYPT, aes_k, 15),
                 (uint32_t)NETCARD_CRYPTO_ERR_KEY_SIZE);
    cr_assert_eq(key_load_reg(qt, 2, NETCARD_CRYPTO_KEY_TDES,
                              NETCARD_CRYPTO_USE_ENCRYPT, aes_k, 8),
                 (uint32_t)NETCARD_CRYPTO_ERR_KEY_SIZE);
    cr_assert_eq(nc_readl(qt, CR(SLOTINFO0) + 8), 0u);
    /* retail MAC wants a 2-key TDES key, a 3-key one is refused */
    uint8_t k3[24];
    memset(k3, 0x11, 24);
    key_ok(key_load_reg(qt, 3, NETCARD_CRYPTO_KEY_TDES,
                        NETCARD_CRYPTO_USE_MAC, k3, 24));
    crypto_dma(qt, BUF_IN, BUF_OUT, 16, 0);
    cr_assert_eq(crypto_run(qt, NETCARD_CRYPTO_OP_RETAIL_MAC | (3u << 24)),
                 (uint32_t)NETCARD_CRYPTO_ERR_KEY_SIZE);
    mem_read(qt, BUF_OUT, out, 16);
    expect_bytes(out, marker, 16, "retail MAC with a bad key wrote");
}

Test(device_crypto_rules, zeroize_and_reset_clear_keys)
{
    NcQtest *qt = nc_qtest_start(NULL);

    for (uint32_t s = 0; s < 8; s++) {
        key_ok(key_load_reg(qt, s, NETCARD_CRYPTO_KEY_AES,
                            NETCARD_CRYPTO_USE_ENCRYPT, aes_k, 16));
    }
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_KEY_ZEROIZE, 2, 0, 0, 0), "zz");
    cr_assert_eq(nc_readl(qt, CR(SLOTINFO0) + 8), 0u, "slot 2 after zeroize");
    cr_assert_neq(nc_readl(qt, CR(SLOTINFO0) + 4), 0u, "slot 1 zeroized too");
    crypto_dma(qt, BUF_IN, BUF_OUT, 16, 0);
    cr_assert_eq(crypto_run(qt, NETCARD_CRYPTO_OP_AES_ECB | (2u << 24)),
                 (uint32_t)NETCARD_CRYPTO_ERR_BAD_SLOT, "zeroized key usable");
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_AES_ECB, 1, 0, 0, 0), "slot 1");

    /* a warm reset zeroizes every slot */
    nc_qmp(qt->qmp, "{'execute': 'system_reset'}");
    expect_reset(qt, 1, CAUSE_WARM, "system_reset");
    for (int s = 0; s < 8; s++) {
        cr_assert_eq(nc_readl(qt, CR(SLOTINFO0) + 4 * s), 0u,
                     "slot %d survives a warm reset", s);
    }
    crypto_dma(qt, BUF_IN, BUF_OUT, 16, 0);
    cr_assert_eq(crypto_run(qt, NETCARD_CRYPTO_OP_AES_ECB | (1u << 24)),
                 (uint32_t)NETCARD_CRYPTO_ERR_BAD_SLOT);

    key_ok(key_load_reg(qt, 4, NETCARD_CRYPTO_KEY_AES,
                        NETCARD_CRYPTO_USE_ENCRYPT, aes_k, 16));
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_KEY_ZEROIZE_ALL, 0, 0, 0, 0),
              "zeroize all");
    cr_assert_eq(nc_readl(qt, CR(SLOTINFO0) + 16), 0u);
}

/* ------------------------------------------------------------------ */
/* DMA rules                                                           */

Test(device_crypto_rules, dma_bounds_alignment_overlap)
{
    NcQtest *qt = nc_qtest_start(NULL);
    uint8_t marker[64], out[64];

    key_ok(key_load_reg(qt, 0, NETCARD_CRYPTO_KEY_AES,
                        NETCARD_CRYPTO_USE_ENCRYPT, aes_k, 16));
    memset(marker, 0x5A, sizeof(marker));
    mem_write(qt, BUF_OUT, marker, 64);
    mem_write(qt, BUF_IN, marker, 64);
    static const struct {
        uint32_t src, dst, len, err;
        const char *what;
    } bad[] = {
        { RAM_BASE + RAM_SIZE - 16, BUF_OUT, 32, NETCARD_CRYPTO_ERR_DMA_RANGE,
          "source runs past the end of RAM" },
        { BUF_IN, RAM_BASE + RAM_SIZE - 16, 32, NETCARD_CRYPTO_ERR_DMA_RANGE,
          "destination runs past the end of RAM" },
        { BUF_IN, 0x40000000u, 16, NETCARD_CRYPTO_ERR_DMA_RANGE,
          "destination in the sysctl window" },
        { 0x40003000u, BUF_OUT, 16, NETCARD_CRYPTO_ERR_DMA_RANGE,
          "source in the coprocessor's own window" },
        { BUF_IN, 0x40003000u, 16, NETCARD_CRYPTO_ERR_DMA_RANGE,
          "destination in the coprocessor's own window" },
        { BUF_IN, NVM_BASE, 16, NETCARD_CRYPTO_ERR_DMA_RANGE,
          "NVM as destination" },
        { 0x00000000u, BUF_OUT, 16, NETCARD_CRYPTO_ERR_DMA_RANGE,
          "source in ROM" },
        { NVM_BASE + NVM_SIZE - 16, BUF_OUT, 32, NETCARD_CRYPTO_ERR_DMA_RANGE,
          "source runs past the end of NVM" },
        { 0xFFFFFFF0u, BUF_OUT, 32, NETCARD_CRYPTO_ERR_DMA_RANGE,
          "source wraps around 4 GiB" },
        { BUF_IN + 2, BUF_OUT, 16, NETCARD_CRYPTO_ERR_DMA_ALIGN,
          "misaligned source" },
        { BUF_IN, BUF_OUT + 1, 16, NETCARD_CRYPTO_ERR_DMA_ALIGN,
          "misaligned destination" },
        { BUF_OUT + 16, BUF_OUT, 32, NETCARD_CRYPTO_ERR_DMA_OVERLAP,
          "destination overlaps the source" },
        { BUF_OUT, BUF_OUT + 16, 32, NETCARD_CRYPTO_ERR_DMA_OVERLAP,
          "source overlaps the destination" },
        { BUF_IN, BUF_OUT, 20, NETCARD_CRYPTO_ERR_BAD_LEN,
          "ECB length not a block multiple" },
        { BUF_IN, BUF_OUT, 0, NETCARD_CRYPTO_ERR_BAD_LEN, "zero length" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        crypto_dma(qt, bad[i].src, bad[i].dst, bad[i].len, 0);
        uint32_t e = crypto_run(qt, NETCARD_CRYPTO_OP_AES_ECB);
        cr_assert_eq(e, bad[i].err, "%s: ERRCODE %" PRIu32 ", expected %"
                     PRIu32, bad[i].what, e, bad[i].err);
        cr_assert_eq(nc_readl(qt, CR(OUTLEN)), 0u);
        mem_read(qt, BUF_OUT, out, 64);
        expect_bytes(out, marker, 64, "%s: RAM changed", bad[i].what);
        mem_read(qt, RAM_BASE + RAM_SIZE - 16, out, 16);
        expect_bytes(out, (uint8_t[16]){ 0 }, 16, "%s: end of RAM changed",
                     bad[i].what);
    }
    cr_assert_eq(nc_readl(qt, SYSCTL(CHIP_ID)), 0x4E430033u);
    cr_assert_eq(nc_readl(qt, SYSCTL(SCRATCH0)), 0u);
    /* NVM as source and the last bytes of RAM as destination are fine */
    crypto_dma(qt, NVM_BASE + NVM_SIZE - 16, RAM_BASE + RAM_SIZE - 16, 16, 0);
    crypto_ok(qt, NETCARD_CRYPTO_OP_AES_ECB, "NVM to end of RAM");
    /* exactly in place is fine */
    crypto_dma(qt, BUF_OUT, BUF_OUT, 64, 0);
    crypto_ok(qt, NETCARD_CRYPTO_OP_AES_ECB, "in place");
    expect_running(qt);
}

/* The DMA bound follows the machine's ram-size. */
Test(device_crypto_rules, dma_bound_follows_ram_size)
{
    static const char *const opts[] = { "--machine", "netcard,ram-size=64K",
                                        NULL };
    NcQtest *qt = nc_qtest_start_with(opts, NULL);
    const uint32_t end = RAM_BASE + 64 * 1024;

    key_ok(key_load_reg(qt, 0, NETCARD_CRYPTO_KEY_AES,
                        NETCARD_CRYPTO_USE_ENCRYPT, aes_k, 16));
    crypto_dma(qt, BUF_IN, end - 16, 32, 0);
    cr_assert_eq(crypto_run(qt, NETCARD_CRYPTO_OP_AES_ECB),
                 (uint32_t)NETCARD_CRYPTO_ERR_DMA_RANGE,
                 "output past a 64 KiB RAM accepted");
    crypto_dma(qt, BUF_IN, end - 32, 32, 0);
    crypto_ok(qt, NETCARD_CRYPTO_OP_AES_ECB, "last 32 bytes of a 64 KiB RAM");
    cr_assert_eq(nc_readl(qt, CR(OUTLEN)), 32u);
}

/* The NVM source window follows the machine's nvm-size. */
Test(device_crypto_rules, dma_bound_follows_nvm_size)
{
    static const struct {
        const char *opt;
        uint32_t size;
    } sizes[] = { { "1M", 1024u * 1024u }, { "16M", 16u * 1024u * 1024u } };

    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        const char *opts[] = { "--machine", nc_strf("netcard,nvm-size=%s",
                                                    sizes[i].opt), NULL };
        NcQtest *qt = nc_qtest_start_with(opts, NULL);
        const uint32_t end = NVM_BASE + sizes[i].size;

        key_ok(key_load_reg(qt, 0, NETCARD_CRYPTO_KEY_AES,
                            NETCARD_CRYPTO_USE_ENCRYPT, aes_k, 16));
        crypto_dma(qt, end - 16, BUF_OUT, 32, 0);
        cr_assert_eq(crypto_run(qt, NETCARD_CRYPTO_OP_AES_ECB),
                     (uint32_t)NETCARD_CRYPTO_ERR_DMA_RANGE,
                     "nvm-size=%s: source past the NVM accepted",
                     sizes[i].opt);
        crypto_dma(qt, end - 32, BUF_OUT, 32, 0);
        crypto_ok(qt, NETCARD_CRYPTO_OP_AES_ECB,
                  "nvm-size=%s: last 32 bytes of the NVM", sizes[i].opt);
        cr_assert_eq(nc_readl(qt, CR(OUTLEN)), 32u);
        nc_qtest_quit(qt);
    }
}

Test(device_crypto_rules, busy_timing_and_irq)
{
    NcQtest *qt = nc_qtest_start(NULL);
    uint8_t marker[16], out[16], ct[16], pt[16];

    nc_qtest_cmd(qt, "irq_intercept_in /machine/soc/armv7m");
    unhex("3ad77bb40d7a3660a89ecaf32466ef97", ct, 16);
    unhex("6bc1bee22e409f96e93d7e117393172a", pt, 16);
    memset(marker, 0x5A, 16);
    key_ok(key_load_reg(qt, 0, NETCARD_CRYPTO_KEY_AES,
                        NETCARD_CRYPTO_USE_ENCRYPT, aes_k, 16));
    nc_writel(qt, CR(INTSTAT), 1);
    cr_assert_eq(nc_qtest_irq_level(qt, CRYPTO_IRQ), 0);
    nc_writel(qt, CR(INTEN), 1);
    mem_write(qt, BUF_IN, pt, 16);
    mem_write(qt, BUF_OUT, marker, 16);
    crypto_dma(qt, BUF_IN, BUF_OUT, 16, 0);
    /* a longer command to see the latency: 4096 blocks of CTR */
    nc_writel(qt, CR(CMD), NETCARD_CRYPTO_OP_AES_ECB);
    uint32_t st = nc_readl(qt, CR(STATUS));
    cr_assert_eq(st, R_CRYPTO_STATUS_BUSY_MASK, "STATUS 0x%08" PRIx32
                 " right after CMD", st);
    uint32_t cycles = nc_readl(qt, CR(CYCLES));
    cr_assert_gt(cycles, 0u);
    uint64_t ns = (uint64_t)cycles * 1000000000ull / SYSCLK_HZ;
    /* not visible before the modelled time */
    mem_read(qt, BUF_OUT, out, 16);
    expect_bytes(out, marker, 16, "output visible while BUSY");
    cr_assert_eq(nc_qtest_irq_level(qt, CRYPTO_IRQ), 0);
    /* a command while busy is dropped and flagged */
    nc_writel(qt, CR(CMD), NETCARD_CRYPTO_OP_KEY_ZEROIZE_ALL);
    st = nc_readl(qt, CR(STATUS));
    cr_assert(st & R_CRYPTO_STATUS_OVERRUN_MASK, "no OVERRUN: 0x%08" PRIx32,
              st);
    if (ns > 1) {
        nc_clock_step(qt, ns - 1);
        cr_assert(nc_readl(qt, CR(STATUS)) & R_CRYPTO_STATUS_BUSY_MASK,
                  "done before %" PRIu64 " ns", ns);
    }
    nc_clock_step(qt, 2 + ns / 1000);
    st = nc_readl(qt, CR(STATUS));
    cr_assert_eq(st & 0xff07u, R_CRYPTO_STATUS_DONE_MASK, "STATUS 0x%08"
                 PRIx32 " after %" PRIu64 " ns", st, ns);
    mem_read(qt, BUF_OUT, out, 16);
    expect_bytes(out, ct, 16, "ECB result at completion");
    cr_assert_eq(nc_readl(qt, CR(INTSTAT)), 1u);
    cr_assert_eq(nc_qtest_irq_level(qt, CRYPTO_IRQ), 1, "IRQ 2 not raised");
    nc_writel(qt, CR(INTSTAT), 1);
    cr_assert_eq(nc_qtest_irq_level(qt, CRYPTO_IRQ), 0, "IRQ 2 not lowered");
    /* the dropped ZEROIZE_ALL did not happen */
    cr_assert_neq(nc_readl(qt, CR(SLOTINFO0)), 0u);
    /* 64 blocks take longer than 1 */
    crypto_dma(qt, BUF_BIG, BUF_BIG, 1024, 0);
    crypto_ok(qt, NETCARD_CRYPTO_OP_AES_ECB, "1 KiB");
    cr_assert_gt(nc_readl(qt, CR(CYCLES)), cycles);
    /* the cost is a property */
    nc_qmp(qt->qmp, "{'execute': 'qom-set', 'arguments': {'path': "
           "'/machine/soc/crypto', 'property': 'aes-cycles-per-block', "
           "'value': 1000}}");
    crypto_dma(qt, BUF_IN, BUF_OUT, 16, 0);
    crypto_ok(qt, NETCARD_CRYPTO_OP_AES_ECB, "slow");
    cr_assert_geq(nc_readl(qt, CR(CYCLES)), 1000u);
}

/* ------------------------------------------------------------------ */
/* Robustness                                                          */

/* A reset in the middle of a long command: no late write, keys gone. */
Test(device_crypto_rules, reset_while_busy_cancels_the_command)
{
    NcQtest *qt = nc_qtest_start(NULL);
    uint8_t marker[64], out[64];

    memset(marker, 0x5A, sizeof(marker));
    key_ok(key_load_reg(qt, 0, NETCARD_CRYPTO_KEY_AES,
                        NETCARD_CRYPTO_USE_ENCRYPT, aes_k, 16));
    /* make one block cost 10 ms */
    nc_qmp(qt->qmp, "{'execute': 'qom-set', 'arguments': {'path': "
           "'/machine/soc/crypto', 'property': 'aes-cycles-per-block', "
           "'value': 480000}}");
    mem_write(qt, BUF_OUT, marker, 64);
    crypto_dma(qt, BUF_IN, BUF_OUT, 64, 0);
    nc_writel(qt, CR(CMD), NETCARD_CRYPTO_OP_AES_ECB);
    cr_assert(nc_readl(qt, CR(STATUS)) & R_CRYPTO_STATUS_BUSY_MASK);
    nc_qmp(qt->qmp, "{'execute': 'system_reset'}");
    expect_reset(qt, 1, CAUSE_WARM, "system_reset");
    cr_assert_eq(nc_readl(qt, CR(STATUS)), 0u, "STATUS after reset");
    nc_clock_step(qt, 100000000);
    mem_read(qt, BUF_OUT, out, 64);
    expect_bytes(out, marker, 64, "a cancelled command wrote its output");
    cr_assert_eq(nc_readl(qt, CR(STATUS)), 0u);
    cr_assert_eq(nc_readl(qt, CR(SLOTINFO0)), 0u);
    cr_assert_eq(nc_readl(qt, CR(INTSTAT)), 0u);
}

static uint64_t rng_state;

static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)rng_state;
}

static uint32_t rnd_addr(void)
{
    static const uint32_t bases[] = { RAM_BASE, RAM_BASE + RAM_SIZE - 64,
                                      NVM_BASE, 0x40003000u, 0x40000000u, 0 };
    switch (rnd() % 4) {
    case 0:
        return rnd();
    case 1:
        return bases[rnd() % 6] + (rnd() % 256);
    default:
        return RAM_BASE + (rnd() % 0x3000) * 4;
    }
}

Test(device_crypto_rules, random_register_sequences, .timeout = 120)
{
    NcQtest *qt = nc_qtest_start(NULL);
    static const uint32_t ops[] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x08, 0x09,
                                    0x0a, 0x10, 0x11, 0x12, 0x14, 0x20, 0x21,
                                    0x30, 0x31, 0x32, 0x33, 0x40, 0x41, 0x42 };
    int64_t t0 = nc_now_ms();

    rng_state = 0x9E3779B97F4A7C15ull;
    /* a few usable keys so deeper paths are reached */
    key_ok(key_load_reg(qt, 0, NETCARD_CRYPTO_KEY_AES, 0x1f, aes_k, 16));
    key_ok(key_load_reg(qt, 1, NETCARD_CRYPTO_KEY_TDES, 0x1f, aes_k, 16));
    key_ok(key_load_reg(qt, 2, NETCARD_CRYPTO_KEY_HMAC, 0x1f, aes_k, 16));
    for (int seq = 0; seq < 10000; seq++) {
        int n = 1 + rnd() % 3;
        for (int i = 0; i < n; i++) {
            uint32_t reg = (rnd() % 0x48) * 4;
            uint32_t v;
            switch (reg) {
            case A_CRYPTO_SRC: case A_CRYPTO_DST: case A_CRYPTO_AUX:
                v = rnd_addr();
                break;
            case A_CRYPTO_LEN:
                v = rnd() % 3 ? rnd() % 200 : rnd();
                break;
            case A_CRYPTO_CMD:
                continue;
            default:
                v = rnd();
            }
            nc_writel(qt, CRYPTO_BASE + reg, v);
        }
        uint32_t cmd = (rnd() & 0xffffff00u & ~(uint32_t)CMD_FROMREG) |
                       ops[rnd() % (sizeof(ops) / sizeof(ops[0]))];
        if ((cmd & 0xff) == NETCARD_CRYPTO_OP_KEY_ZEROIZE_ALL && rnd() % 8) {
            cmd = NETCARD_CRYPTO_OP_NOP;
        }
        if ((cmd & 0xff) == NETCARD_CRYPTO_OP_EC_KEYGEN && rnd() % 8) {
            cmd ^= 0x33 ^ 0x30;
        }
        nc_writel(qt, CR(CMD), cmd);
        if (seq % 64 == 0) {
            /* wrong access sizes and unknown offsets are bus errors */
            uint32_t off = (rnd() % 0x1000) & ~3u;
            nc_writeb(qt, CRYPTO_BASE + off, rnd());
            (void)nc_readw(qt, CRYPTO_BASE + off);
            (void)nc_readl(qt, CRYPTO_BASE + off);
        }
        if (seq % 4 == 0) {
            nc_clock_step(qt, rnd() % 3000000);
        }
    }
    expect_running(qt);
    cr_assert_eq(nc_readl(qt, CR(ID)), 0x4E434331u);
    cr_assert_eq(nc_readl(qt, SYSCTL(CHIP_ID)), 0x4E430033u);
    cr_log_info("10000 random sequences in %" PRId64 " ms",
                nc_now_ms() - t0);
}

/* ------------------------------------------------------------------ */
/* VMState: keys and hash contexts travel with a migration stream      */

static void wait_migration(NcQtest *qt, const char *what)
{
    int64_t deadline = nc_now_ms() + NC_TIMEOUT_CMD_MS;

    for (;;) {
        char *r = nc_qmp(qt->qmp, "{'execute': 'query-migrate'}");
        char *st = nc_json_get_str(r, "status");
        if (st && strcmp(st, "completed") == 0) {
            return;
        }
        cr_assert(!st || strcmp(st, "failed") != 0, "%s: %s", what, r);
        cr_assert(nc_now_ms() < deadline, "%s not completed: %s", what, r);
        nc_nap_ms(20);
    }
}

Test(device_crypto_rules, vmstate_keeps_keys_and_contexts)
{
    const char *file = nc_tmp_path("migration.bin");
    uint8_t md[32], out[32], ct[16];

    unhex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
          md, 32);
    unhex("3ad77bb40d7a3660a89ecaf32466ef97", ct, 16);

    NcQtest *qt = nc_qtest_start(NULL);
    key_ok(key_load_reg(qt, 6, NETCARD_CRYPTO_KEY_AES,
                        NETCARD_CRYPTO_USE_ENCRYPT, aes_k, 16));
    mem_write(qt, BUF_IN, (const uint8_t *)"abc", 3);
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_HASH_INIT, 0,
                             NETCARD_CRYPTO_HASH_SHA256, 1, 0), "init");
    crypto_dma(qt, BUF_IN, 0, 2, 0);
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_HASH_UPDATE, 0, 0, 1, 0), "ab");
    nc_qmp(qt->qmp, "{'execute': 'stop'}");
    nc_qmp(qt->qmp, "{'execute': 'migrate', 'arguments': {'uri': "
           "'exec:cat > %s'}}", file);
    wait_migration(qt, "outgoing migration");
    nc_qtest_quit(qt);

    const char *args[] = { "-incoming", "defer", NULL };
    qt = nc_qtest_start(args);
    nc_qmp(qt->qmp, "{'execute': 'migrate-incoming', 'arguments': {'uri': "
           "'exec:cat %s'}}", file);
    wait_migration(qt, "incoming migration");
    nc_qmp(qt->qmp, "{'execute': 'cont'}");
    cr_assert_neq(nc_readl(qt, CR(SLOTINFO0) + 24), 0u, "slot 6 lost");
    /* the 'c' (BUF_IN + 2 is not word aligned: copy it) */
    mem_write(qt, BUF_AUX, (const uint8_t *)"c", 1);
    crypto_dma(qt, BUF_AUX, 0, 1, 0);
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_HASH_UPDATE, 0, 0, 1, 0), "c");
    crypto_dma(qt, 0, BUF_OUT, 0, 0);
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_HASH_FINAL, 0, 0, 1, 0), "fin");
    mem_read(qt, BUF_OUT, out, 32);
    expect_bytes(out, md, 32, "SHA-256(\"abc\") across a migration");
    uint8_t pt[16];
    unhex("6bc1bee22e409f96e93d7e117393172a", pt, 16);
    mem_write(qt, BUF_IN, pt, 16);
    crypto_dma(qt, BUF_IN, BUF_OUT, 16, 0);
    crypto_ok(qt, crypto_cmd(NETCARD_CRYPTO_OP_AES_ECB, 6, 0, 0, 0), "AES");
    mem_read(qt, BUF_OUT, out, 16);
    expect_bytes(out, ct, 16, "AES with a migrated key");
}
