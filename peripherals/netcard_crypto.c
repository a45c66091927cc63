/*
 * netcard crypto coprocessor: registers, DMA and the life of a command
 * (check and compute when CMD is written, commit at completion), reset,
 * QOM and VMState. The algorithms are in netcard_crypto_sym.c (AES,
 * TDES, MACs, hashes) and netcard_crypto_pk.c (key slots, RSA, ECC);
 * netcard_crypto_internal.h is the contract between the three files.
 * Register contract: netcard_crypto.h; documentation: docs/crypto.md.
 *
 * The arithmetic is done by the host mbedTLS 3.6 (used here under
 * GPL-2.0-or-later). A command is checked and computed when CMD is
 * written, but nothing becomes visible to the guest until the modelled
 * latency has elapsed on the virtual clock: the output is held in
 * pend_buf and written to guest RAM by the completion timer.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/timer.h"
#include "qemu/bswap.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "hw/irq.h"
#include "hw/qdev-clock.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "netcard_crypto.h"
#include "netcard_crypto_internal.h"
#include "trace.h"

#include "mbedtls/platform_util.h"

static const char *const cost_names[NC_COST_NUM] = {
    [NC_COST_SETUP] = "setup-cycles",
    [NC_COST_AES] = "aes-cycles-per-block",
    [NC_COST_TDES] = "tdes-cycles-per-block",
    [NC_COST_SHA1] = "sha1-cycles-per-block",
    [NC_COST_SHA256] = "sha256-cycles-per-block",
    [NC_COST_SHA512] = "sha512-cycles-per-block",
    [NC_COST_RSA_PUB] = "rsa2048-public-cycles",
    [NC_COST_RSA_CRT] = "rsa2048-crt-cycles",
    [NC_COST_P256_SIGN] = "ecdsa-p256-sign-cycles",
    [NC_COST_P256_VERIFY] = "ecdsa-p256-verify-cycles",
    [NC_COST_P256_ECDH] = "ecdh-p256-cycles",
    [NC_COST_P256_KEYGEN] = "ec-p256-keygen-cycles",
    [NC_COST_P384_SIGN] = "ecdsa-p384-sign-cycles",
    [NC_COST_P384_VERIFY] = "ecdsa-p384-verify-cycles",
    [NC_COST_P384_ECDH] = "ecdh-p384-cycles",
    [NC_COST_P384_KEYGEN] = "ec-p384-keygen-cycles",
    [NC_COST_KEY] = "key-cycles",
};

/* Defaults: docs/crypto.md "Timing" explains where they come from. */
static const uint32_t cost_defaults[NC_COST_NUM] = {
    [NC_COST_SETUP] = 32,
    [NC_COST_AES] = 44,
    [NC_COST_TDES] = 56,
    [NC_COST_SHA1] = 84,
    [NC_COST_SHA256] = 72,
    [NC_COST_SHA512] = 96,
    [NC_COST_RSA_PUB] = 96000,          /* 2 ms at 48 MHz */
    [NC_COST_RSA_CRT] = 1920000,        /* 40 ms */
    [NC_COST_P256_SIGN] = 192000,       /* 4 ms */
    [NC_COST_P256_VERIFY] = 336000,     /* 7 ms */
    [NC_COST_P256_ECDH] = 168000,       /* 3.5 ms */
    [NC_COST_P256_KEYGEN] = 168000,
    [NC_COST_P384_SIGN] = 480000,       /* 10 ms */
    [NC_COST_P384_VERIFY] = 864000,     /* 18 ms */
    [NC_COST_P384_ECDH] = 432000,       /* 9 ms */
    [NC_COST_P384_KEYGEN] = 432000,
    [NC_COST_KEY] = 64,
};

/*
 * Ranges (docs/crypto.md "Timing model"). What is charged per block or per
 * command (setup, symmetric and hash blocks, key loads) may cost up to
 * 10 ms of the 48 MHz clock, a public-key operation up to 1 s: slower than
 * any engine of the class, so that a slow chip can be modelled, while
 * every command stays a bounded stretch of virtual time. Out of range is
 * an error (qom-set, -global), the value stays.
 */
#define NC_COST_BLOCK_MAX   480000u
#define NC_COST_OP_MAX      48000000u

static uint32_t netcard_crypto_cost_max(unsigned i)
{
    switch (i) {
    case NC_COST_SETUP:
    case NC_COST_AES:
    case NC_COST_TDES:
    case NC_COST_SHA1:
    case NC_COST_SHA256:
    case NC_COST_SHA512:
    case NC_COST_KEY:
        return NC_COST_BLOCK_MAX;
    default:
        return NC_COST_OP_MAX;
    }
}

static const char *const err_names[] = {
    "ok", "bad-op", "bad-slot", "key-type", "key-size", "key-usage",
    "bad-len", "dma-range", "dma-align", "dma-overlap", "bad-state",
    "bad-input", "verify", "dma-fault", "internal",
};

const char *netcard_crypto_err_name(uint32_t err)
{
    return err < ARRAY_SIZE(err_names) ? err_names[err] : "?";
}

/* ------------------------------------------------------------------ */
/* DMA                                                                 */

static bool range_in(uint32_t addr, uint32_t len, uint32_t base,
                     uint32_t size)
{
    return addr >= base && len <= size && addr - base <= size - len;
}

/*
 * A source may lie in RAM or the NVM array, a destination only in RAM;
 * both must be word aligned. LEN 0 is always accepted (no transfer).
 */
uint32_t netcard_crypto_dma_check(NetcardCryptoState *s, uint32_t addr,
                                  uint32_t len, bool is_dst)
{
    if (len == 0) {
        return NETCARD_CRYPTO_OK;
    }
    if (addr & 3) {
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: %s 0x%08x is not "
                      "word aligned\n", is_dst ? "DST" : "source", addr);
        return NETCARD_CRYPTO_ERR_DMA_ALIGN;
    }
    if (range_in(addr, len, s->ram_base, s->ram_size)) {
        return NETCARD_CRYPTO_OK;
    }
    if (!is_dst && range_in(addr, len, s->nvm_base, s->nvm_size)) {
        return NETCARD_CRYPTO_OK;
    }
    qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: %s range 0x%08x+0x%x is "
                  "outside %s\n", is_dst ? "DST" : "source", addr, len,
                  is_dst ? "RAM" : "RAM and NVM");
    return NETCARD_CRYPTO_ERR_DMA_RANGE;
}

/* DST may be exactly SRC (in place) but must not partially overlap it. */
static uint32_t dma_check_overlap(uint32_t dst, uint32_t dlen, uint32_t src,
                                  uint32_t slen)
{
    if (dlen == 0 || slen == 0 || dst == src) {
        return NETCARD_CRYPTO_OK;
    }
    if ((uint64_t)dst < (uint64_t)src + slen &&
        (uint64_t)src < (uint64_t)dst + dlen) {
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: DST 0x%08x+0x%x "
                      "overlaps source 0x%08x+0x%x\n", dst, dlen, src, slen);
        return NETCARD_CRYPTO_ERR_DMA_OVERLAP;
    }
    return NETCARD_CRYPTO_OK;
}

static uint32_t dma_read(NetcardCryptoState *s, uint32_t addr, void *buf,
                         uint32_t len)
{
    MemTxResult r;

    if (len == 0) {
        return NETCARD_CRYPTO_OK;
    }
    r = address_space_read(&s->dma_as, addr, MEMTXATTRS_UNSPECIFIED, buf,
                           len);
    if (r != MEMTX_OK) {
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: bus error reading "
                      "0x%08x+0x%x\n", addr, len);
        return NETCARD_CRYPTO_ERR_DMA_FAULT;
    }
    return NETCARD_CRYPTO_OK;
}

/* Check and read a source range into a new buffer (*out, g_free it). */
uint32_t netcard_crypto_dma_fetch(NetcardCryptoState *s, uint32_t addr,
                                  uint32_t len, uint8_t **out)
{
    uint32_t err = netcard_crypto_dma_check(s, addr, len, false);

    *out = NULL;
    if (err) {
        return err;
    }
    *out = g_malloc0(len ? len : 1);
    err = dma_read(s, addr, *out, len);
    if (err) {
        g_free(*out);
        *out = NULL;
    }
    return err;
}

/* Output of LEN bytes at DST: check DST against the source ranges. */
uint32_t netcard_crypto_job_output(NetcardCryptoState *s, NetcardCryptoJob *j,
                                   uint32_t len, uint32_t src, uint32_t slen)
{
    uint32_t err = netcard_crypto_dma_check(s, s->dst, len, true);

    if (!err) {
        err = dma_check_overlap(s->dst, len, src, slen);
    }
    if (!err) {
        j->dst = s->dst;
        j->out_len = len;
        j->out = g_malloc0(len ? len : 1);
    }
    return err;
}

/* ------------------------------------------------------------------ */
/* Commands                                                            */

/* CMD.OP to its netcard_crypto_op_*() (netcard_crypto_internal.h). */
static uint32_t netcard_crypto_execute(NetcardCryptoState *s,
                                       NetcardCryptoJob *j)
{
    uint32_t op = FIELD_EX32(s->cmd, CRYPTO_CMD, OP);

    switch (op) {
    case NETCARD_CRYPTO_OP_NOP:
        return NETCARD_CRYPTO_OK;
    case NETCARD_CRYPTO_OP_AES_ECB:
    case NETCARD_CRYPTO_OP_AES_CBC:
    case NETCARD_CRYPTO_OP_AES_CTR:
        return netcard_crypto_op_aes(s, op, j);
    case NETCARD_CRYPTO_OP_AES_CMAC:
        return netcard_crypto_op_cmac(s, j);
    case NETCARD_CRYPTO_OP_TDES_ECB:
    case NETCARD_CRYPTO_OP_TDES_CBC:
    case NETCARD_CRYPTO_OP_RETAIL_MAC:
        return netcard_crypto_op_tdes(s, op, j);
    case NETCARD_CRYPTO_OP_HASH_INIT:
    case NETCARD_CRYPTO_OP_HASH_UPDATE:
    case NETCARD_CRYPTO_OP_HASH_FINAL:
    case NETCARD_CRYPTO_OP_HMAC_INIT:
        return netcard_crypto_op_hash(s, op, j);
    case NETCARD_CRYPTO_OP_RSA_PUBLIC:
    case NETCARD_CRYPTO_OP_RSA_CRT:
        return netcard_crypto_op_rsa(s, op, j);
    case NETCARD_CRYPTO_OP_ECDSA_SIGN:
    case NETCARD_CRYPTO_OP_ECDSA_VERIFY:
    case NETCARD_CRYPTO_OP_ECDH:
    case NETCARD_CRYPTO_OP_EC_KEYGEN:
        return netcard_crypto_op_ec(s, op, j);
    case NETCARD_CRYPTO_OP_KEY_LOAD:
    case NETCARD_CRYPTO_OP_KEY_ZEROIZE:
    case NETCARD_CRYPTO_OP_KEY_ZEROIZE_ALL:
        return netcard_crypto_op_key(s, op, j);
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: unknown OP 0x%02x\n",
                      op);
        return NETCARD_CRYPTO_ERR_BAD_OP;
    }
}

/* ------------------------------------------------------------------ */
/* Completion, registers                                               */

static void netcard_crypto_update_irq(NetcardCryptoState *s)
{
    qemu_set_irq(s->irq, !!(s->intstat & s->inten));
}

static void netcard_crypto_finish(NetcardCryptoState *s, uint32_t err)
{
    s->status = R_CRYPTO_STATUS_DONE_MASK |
                (s->status & R_CRYPTO_STATUS_OVERRUN_MASK);
    if (err) {
        s->status |= R_CRYPTO_STATUS_ERR_MASK;
    }
    s->status = FIELD_DP32(s->status, CRYPTO_STATUS, ERRCODE, err);
    s->intstat |= R_CRYPTO_INTSTAT_DONE_MASK;
    trace_netcard_crypto_done(FIELD_EX32(s->cmd, CRYPTO_CMD, OP),
                              netcard_crypto_err_name(err), s->cycles);
    netcard_crypto_update_irq(s);
}

static void netcard_crypto_pending_clear(NetcardCryptoState *s)
{
    if (s->pend_buf) {
        mbedtls_platform_zeroize(s->pend_buf, s->pend_len);
        g_free(s->pend_buf);
    }
    s->pend_buf = NULL;
    s->pend_len = 0;
    s->pend_dst = 0;
    s->pend_err = 0;
    s->pend_iv_valid = 0;
    memset(s->pend_iv, 0, sizeof(s->pend_iv));
}

static void netcard_crypto_complete(void *opaque)
{
    NetcardCryptoState *s = NETCARD_CRYPTO(opaque);
    uint32_t err = s->pend_err;

    if (!(s->status & R_CRYPTO_STATUS_BUSY_MASK)) {
        return;
    }
    if (!err && s->pend_len) {
        if (address_space_write(&s->dma_as, s->pend_dst,
                                MEMTXATTRS_UNSPECIFIED, s->pend_buf,
                                s->pend_len) != MEMTX_OK) {
            qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: bus error "
                          "writing 0x%08x+0x%x\n", s->pend_dst, s->pend_len);
            err = NETCARD_CRYPTO_ERR_DMA_FAULT;
        } else {
            s->outlen = s->pend_len;
        }
    }
    if (!err && s->pend_iv_valid) {
        memcpy(s->iv, s->pend_iv, sizeof(s->iv));
    }
    netcard_crypto_pending_clear(s);
    netcard_crypto_finish(s, err);
}

static void netcard_crypto_command(NetcardCryptoState *s, uint32_t cmd)
{
    NetcardCryptoJob j = { 0 };
    uint32_t err;
    uint64_t cycles;

    if (s->status & R_CRYPTO_STATUS_BUSY_MASK) {
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: CMD 0x%08x written "
                      "while busy: dropped\n", cmd);
        s->status |= R_CRYPTO_STATUS_OVERRUN_MASK;
        return;
    }
    s->cmd = cmd;
    s->status = 0;
    s->outlen = 0;
    err = netcard_crypto_execute(s, &j);
    trace_netcard_crypto_cmd(FIELD_EX32(cmd, CRYPTO_CMD, OP), s->src, s->dst,
                             s->len, netcard_crypto_err_name(err));
    if (err) {
        /* Rejected when accepted: nothing written, done at once. */
        if (j.out) {
            mbedtls_platform_zeroize(j.out, j.out_len);
        }
        g_free(j.out);
        s->cycles = 0;
        netcard_crypto_finish(s, err);
        return;
    }
    cycles = MIN(j.cycles + s->cost[NC_COST_SETUP], UINT32_MAX);
    s->cycles = cycles;
    s->pend_buf = j.out;
    s->pend_len = j.out ? j.out_len : 0;
    s->pend_dst = j.dst;
    s->pend_err = j.late_err;
    s->pend_iv_valid = j.iv_valid;
    for (int i = 0; i < 4; i++) {
        s->pend_iv[i] = ldl_le_p(j.iv + 4 * i);
    }
    s->status = R_CRYPTO_STATUS_BUSY_MASK;
    timer_mod(s->timer, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) +
              clock_ticks_to_ns(s->clk, cycles));
}

static uint64_t netcard_crypto_read(void *opaque, hwaddr offset,
                                    unsigned size)
{
    NetcardCryptoState *s = NETCARD_CRYPTO(opaque);
    uint64_t value = 0;

    switch (offset) {
    case A_CRYPTO_ID:
        value = NETCARD_CRYPTO_ID;
        break;
    case A_CRYPTO_CMD:
        value = s->cmd;
        break;
    case A_CRYPTO_STATUS:
        value = s->status;
        break;
    case A_CRYPTO_INTEN:
        value = s->inten;
        break;
    case A_CRYPTO_INTSTAT:
        value = s->intstat;
        break;
    case A_CRYPTO_SRC:
        value = s->src;
        break;
    case A_CRYPTO_DST:
        value = s->dst;
        break;
    case A_CRYPTO_LEN:
        value = s->len;
        break;
    case A_CRYPTO_AUX:
        value = s->aux;
        break;
    case A_CRYPTO_KEYCFG:
        value = s->keycfg;
        break;
    case A_CRYPTO_OUTLEN:
        value = s->outlen;
        break;
    case A_CRYPTO_CYCLES:
        value = s->cycles;
        break;
    case A_CRYPTO_SLOTINFO0 ...
         A_CRYPTO_SLOTINFO0 + 4 * (NETCARD_CRYPTO_NUM_SLOTS - 1): {
        NetcardCryptoSlot *k = &s->slots[(offset - A_CRYPTO_SLOTINFO0) / 4];

        if (k->type != NETCARD_CRYPTO_KEY_NONE) {
            value = FIELD_DP32(0, CRYPTO_SLOTINFO0, TYPE, k->type);
            value = FIELD_DP32(value, CRYPTO_SLOTINFO0, USAGE, k->usage);
            value = FIELD_DP32(value, CRYPTO_SLOTINFO0, LEN, k->len);
            value = FIELD_DP32(value, CRYPTO_SLOTINFO0, VALID, 1);
        }
        break;
    }
    case A_CRYPTO_IV0 ... A_CRYPTO_IV3:
        value = s->iv[(offset - A_CRYPTO_IV0) / 4];
        break;
    case A_CRYPTO_KEYDATA0 ...
         A_CRYPTO_KEYDATA0 + NETCARD_CRYPTO_KEYDATA_SIZE - 4:
        break; /* write-only: key material is never readable */
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: read of unknown "
                      "register 0x%03" HWADDR_PRIx "\n", offset);
        break;
    }
    trace_netcard_crypto_read(offset, value);
    return value;
}

static void netcard_crypto_write(void *opaque, hwaddr offset,
                                 uint64_t value, unsigned size)
{
    NetcardCryptoState *s = NETCARD_CRYPTO(opaque);

    trace_netcard_crypto_write(offset, value);
    switch (offset) {
    case A_CRYPTO_CMD:
        netcard_crypto_command(s, value);
        break;
    case A_CRYPTO_INTEN:
        s->inten = value & R_CRYPTO_INTEN_DONE_MASK;
        netcard_crypto_update_irq(s);
        break;
    case A_CRYPTO_INTSTAT:
        s->intstat &= ~(value & R_CRYPTO_INTSTAT_DONE_MASK);
        netcard_crypto_update_irq(s);
        break;
    case A_CRYPTO_SRC:
        s->src = value;
        break;
    case A_CRYPTO_DST:
        s->dst = value;
        break;
    case A_CRYPTO_LEN:
        s->len = value;
        break;
    case A_CRYPTO_AUX:
        s->aux = value;
        break;
    case A_CRYPTO_KEYCFG:
        s->keycfg = value & (R_CRYPTO_KEYCFG_TYPE_MASK |
                             R_CRYPTO_KEYCFG_USAGE_MASK |
                             R_CRYPTO_KEYCFG_LEN_MASK);
        break;
    case A_CRYPTO_IV0 ... A_CRYPTO_IV3:
        s->iv[(offset - A_CRYPTO_IV0) / 4] = value;
        break;
    case A_CRYPTO_KEYDATA0 ...
         A_CRYPTO_KEYDATA0 + NETCARD_CRYPTO_KEYDATA_SIZE - 4:
        stl_le_p(s->keydata + (offset - A_CRYPTO_KEYDATA0), value);
        break;
    case A_CRYPTO_ID:
    case A_CRYPTO_STATUS:
    case A_CRYPTO_OUTLEN:
    case A_CRYPTO_CYCLES:
    case A_CRYPTO_SLOTINFO0 ...
         A_CRYPTO_SLOTINFO0 + 4 * (NETCARD_CRYPTO_NUM_SLOTS - 1):
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: write to read-only "
                      "register 0x%03" HWADDR_PRIx "\n", offset);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "netcard-crypto: write to unknown "
                      "register 0x%03" HWADDR_PRIx "\n", offset);
        break;
    }
}

static const MemoryRegionOps netcard_crypto_ops = {
    .read = netcard_crypto_read,
    .write = netcard_crypto_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid.min_access_size = 4,
    .valid.max_access_size = 4,
    .valid.unaligned = false,
};

/* Any reset zeroizes every key, context and pending result. */
static void netcard_crypto_reset_hold(Object *obj, ResetType type)
{
    NetcardCryptoState *s = NETCARD_CRYPTO(obj);

    if (type == RESET_TYPE_SNAPSHOT_LOAD) {
        return;
    }
    timer_del(s->timer);
    netcard_crypto_pending_clear(s);
    for (int i = 0; i < NETCARD_CRYPTO_NUM_SLOTS; i++) {
        netcard_crypto_slot_zeroize(&s->slots[i]);
    }
    for (int i = 0; i < NETCARD_CRYPTO_NUM_CTX; i++) {
        netcard_crypto_ctx_zeroize(&s->ctx[i]);
    }
    mbedtls_platform_zeroize(s->keydata, sizeof(s->keydata));
    s->cmd = s->status = s->inten = s->intstat = 0;
    s->src = s->dst = s->len = s->aux = s->keycfg = 0;
    s->outlen = s->cycles = 0;
    memset(s->iv, 0, sizeof(s->iv));
    trace_netcard_crypto_reset();
}

static void netcard_crypto_reset_exit(Object *obj, ResetType type)
{
    netcard_crypto_update_irq(NETCARD_CRYPTO(obj));
}

/* The cost properties: OPAQUE is the index into s->cost. */
static void netcard_crypto_get_cost(Object *obj, Visitor *v, const char *name,
                                    void *opaque, Error **errp)
{
    NetcardCryptoState *s = NETCARD_CRYPTO(obj);

    visit_type_uint32(v, name, &s->cost[(uintptr_t)opaque], errp);
}

static void netcard_crypto_set_cost(Object *obj, Visitor *v, const char *name,
                                    void *opaque, Error **errp)
{
    NetcardCryptoState *s = NETCARD_CRYPTO(obj);
    unsigned i = (uintptr_t)opaque;
    uint32_t value;

    if (!visit_type_uint32(v, name, &value, errp)) {
        return;
    }
    if (value > netcard_crypto_cost_max(i)) {
        error_setg(errp, "netcard-crypto: %s must be 0..%u (cycles of the "
                   "system clock)", name, netcard_crypto_cost_max(i));
        return;
    }
    s->cost[i] = value;
}

static void netcard_crypto_init(Object *obj)
{
    NetcardCryptoState *s = NETCARD_CRYPTO(obj);

    memory_region_init_io(&s->iomem, obj, &netcard_crypto_ops, s,
                          TYPE_NETCARD_CRYPTO, 0x1000);
    sysbus_init_mmio(SYS_BUS_DEVICE(obj), &s->iomem);
    sysbus_init_irq(SYS_BUS_DEVICE(obj), &s->irq);
    s->clk = qdev_init_clock_in(DEVICE(obj), "clk", NULL, NULL, 0);
    s->timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, netcard_crypto_complete, s);
    for (int i = 0; i < NC_COST_NUM; i++) {
        s->cost[i] = cost_defaults[i];
        object_property_add(obj, cost_names[i], "uint32",
                            netcard_crypto_get_cost, netcard_crypto_set_cost,
                            NULL, (void *)(uintptr_t)i);
    }
}

static void netcard_crypto_finalize(Object *obj)
{
    NetcardCryptoState *s = NETCARD_CRYPTO(obj);

    timer_free(s->timer);
    netcard_crypto_pending_clear(s);
}

static void netcard_crypto_realize(DeviceState *dev, Error **errp)
{
    NetcardCryptoState *s = NETCARD_CRYPTO(dev);

    if (!clock_has_source(s->clk)) {
        error_setg(errp, "netcard-crypto: clk must be connected");
        return;
    }
    if (!s->dma_mr) {
        error_setg(errp, "netcard-crypto: 'memory' link not set");
        return;
    }
    if (s->ram_size == 0 ||
        (uint64_t)s->ram_base + s->ram_size > UINT32_MAX + 1ULL) {
        error_setg(errp, "netcard-crypto: ram-base/ram-size must describe "
                   "the card RAM");
        return;
    }
    if ((uint64_t)s->nvm_base + s->nvm_size > UINT32_MAX + 1ULL) {
        error_setg(errp, "netcard-crypto: nvm-base/nvm-size out of range");
        return;
    }
    address_space_init(&s->dma_as, s->dma_mr, "netcard-crypto-dma");
}

static void netcard_crypto_unrealize(DeviceState *dev)
{
    NetcardCryptoState *s = NETCARD_CRYPTO(dev);

    address_space_destroy(&s->dma_as);
}

/*
 * The DMA bus and the windows of it DMA may use, set by the SoC: sources
 * in RAM or the NVM array (nvm-size 0: no NVM window), destinations in
 * RAM only.
 */
static const Property netcard_crypto_properties[] = {
    DEFINE_PROP_LINK("memory", NetcardCryptoState, dma_mr, TYPE_MEMORY_REGION,
                     MemoryRegion *),
    DEFINE_PROP_UINT32("ram-base", NetcardCryptoState, ram_base, 0),
    DEFINE_PROP_UINT32("ram-size", NetcardCryptoState, ram_size, 0),
    DEFINE_PROP_UINT32("nvm-base", NetcardCryptoState, nvm_base, 0),
    DEFINE_PROP_UINT32("nvm-size", NetcardCryptoState, nvm_size, 0),
};

static const VMStateDescription vmstate_netcard_crypto_slot = {
    .name = "netcard-crypto/slot",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(type, NetcardCryptoSlot),
        VMSTATE_UINT32(usage, NetcardCryptoSlot),
        VMSTATE_UINT32(len, NetcardCryptoSlot),
        VMSTATE_UINT8_ARRAY(data, NetcardCryptoSlot, NETCARD_CRYPTO_SLOT_MAX),
        VMSTATE_END_OF_LIST()
    },
};

/* The hash state is mbedTLS's context as bytes: host-endian. */
static const VMStateDescription vmstate_netcard_crypto_ctx = {
    .name = "netcard-crypto/ctx",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(alg, NetcardCryptoCtx),
        VMSTATE_UINT32(hmac, NetcardCryptoCtx),
        VMSTATE_UINT8_ARRAY(state, NetcardCryptoCtx,
                            NETCARD_CRYPTO_HASH_STATE_SIZE),
        VMSTATE_UINT8_ARRAY(opad, NetcardCryptoCtx, 128),
        VMSTATE_END_OF_LIST()
    },
};

/* A migration stream is input too: never trust lengths from it. */
static int netcard_crypto_post_load(void *opaque, int version_id)
{
    NetcardCryptoState *s = NETCARD_CRYPTO(opaque);

    for (int i = 0; i < NETCARD_CRYPTO_NUM_SLOTS; i++) {
        if (s->slots[i].len > NETCARD_CRYPTO_SLOT_MAX ||
            s->slots[i].type > NETCARD_CRYPTO_KEY_P384_PUB) {
            return -EINVAL;
        }
    }
    for (int i = 0; i < NETCARD_CRYPTO_NUM_CTX; i++) {
        if (s->ctx[i].alg > NETCARD_CRYPTO_HASH_SHA512) {
            return -EINVAL;
        }
    }
    if (s->pend_len && !s->pend_buf) {
        return -EINVAL;
    }
    for (unsigned i = 0; i < NC_COST_NUM; i++) {
        if (s->cost[i] > netcard_crypto_cost_max(i)) {
            return -EINVAL;
        }
    }
    return 0;
}

/* Version 2: 16 key slots (version 1 had 8). */
static const VMStateDescription vmstate_netcard_crypto = {
    .name = TYPE_NETCARD_CRYPTO,
    .version_id = 2,
    .minimum_version_id = 2,
    .post_load = netcard_crypto_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_CLOCK(clk, NetcardCryptoState),
        VMSTATE_TIMER_PTR(timer, NetcardCryptoState),
        VMSTATE_UINT32(cmd, NetcardCryptoState),
        VMSTATE_UINT32(status, NetcardCryptoState),
        VMSTATE_UINT32(inten, NetcardCryptoState),
        VMSTATE_UINT32(intstat, NetcardCryptoState),
        VMSTATE_UINT32(src, NetcardCryptoState),
        VMSTATE_UINT32(dst, NetcardCryptoState),
        VMSTATE_UINT32(len, NetcardCryptoState),
        VMSTATE_UINT32(aux, NetcardCryptoState),
        VMSTATE_UINT32(keycfg, NetcardCryptoState),
        VMSTATE_UINT32(outlen, NetcardCryptoState),
        VMSTATE_UINT32(cycles, NetcardCryptoState),
        VMSTATE_UINT32_ARRAY(iv, NetcardCryptoState, 4),
        VMSTATE_UINT8_ARRAY(keydata, NetcardCryptoState,
                            NETCARD_CRYPTO_KEYDATA_SIZE),
        VMSTATE_STRUCT_ARRAY(slots, NetcardCryptoState,
                             NETCARD_CRYPTO_NUM_SLOTS, 1,
                             vmstate_netcard_crypto_slot, NetcardCryptoSlot),
        VMSTATE_STRUCT_ARRAY(ctx, NetcardCryptoState, NETCARD_CRYPTO_NUM_CTX,
                             1, vmstate_netcard_crypto_ctx, NetcardCryptoCtx),
        VMSTATE_UINT32(pend_err, NetcardCryptoState),
        VMSTATE_UINT32(pend_dst, NetcardCryptoState),
        VMSTATE_UINT32(pend_len, NetcardCryptoState),
        VMSTATE_VBUFFER_ALLOC_UINT32(pend_buf, NetcardCryptoState, 0, NULL,
                                     pend_len),
        VMSTATE_UINT32_ARRAY(pend_iv, NetcardCryptoState, 4),
        VMSTATE_UINT32(pend_iv_valid, NetcardCryptoState),
        VMSTATE_UINT32_ARRAY(cost, NetcardCryptoState, NC_COST_NUM),
        VMSTATE_END_OF_LIST()
    },
};

static void netcard_crypto_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);

    dc->realize = netcard_crypto_realize;
    dc->unrealize = netcard_crypto_unrealize;
    dc->vmsd = &vmstate_netcard_crypto;
    rc->phases.hold = netcard_crypto_reset_hold;
    rc->phases.exit = netcard_crypto_reset_exit;
    device_class_set_props(dc, netcard_crypto_properties);
}

static const TypeInfo netcard_crypto_types[] = {
    {
        .name = TYPE_NETCARD_CRYPTO,
        .parent = TYPE_SYS_BUS_DEVICE,
        .instance_size = sizeof(NetcardCryptoState),
        .instance_init = netcard_crypto_init,
        .instance_finalize = netcard_crypto_finalize,
        .class_init = netcard_crypto_class_init,
    },
};

DEFINE_TYPES(netcard_crypto_types)
