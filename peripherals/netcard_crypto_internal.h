/*
 * netcard crypto coprocessor: the contract between the files of the one
 * QOM device netcard-crypto (state: NetcardCryptoState, netcard_crypto.h).
 *
 *   netcard_crypto.c      registers, DMA, the life of a command, reset,
 *                         QOM, VMState; dispatches CMD.OP to an op below
 *   netcard_crypto_sym.c  AES, AES-CMAC, TDES, retail MAC, SHA-1/2, HMAC
 *   netcard_crypto_pk.c   key slots (validate, store, look up, zeroize),
 *                         KEY_LOAD/KEY_ZEROIZE*, RSA, ECDSA/ECDH/keygen
 *
 * A command has two halves. When the guest writes CMD, netcard_crypto.c
 * calls the op (netcard_crypto_op_*). The op reads its parameters from the
 * register copies in the state (cmd, src, dst, len, aux, keycfg, iv,
 * keydata), checks every one of them, reads its input by DMA with
 * netcard_crypto_dma_fetch(), computes, and leaves its result in the
 * NetcardCryptoJob: the output buffer and where it goes (reserved with
 * netcard_crypto_job_output(), which checks DST), the new IV, the cycles
 * the command costs (from s->cost[]) and an error to report at completion.
 * It returns NETCARD_CRYPTO_OK, or the NetcardCryptoErr the command fails
 * with at once (the caller then frees j->out; nothing is written).
 *
 * An op may change the key slots and hash contexts (KEY_LOAD, KEYGEN,
 * ECDH to a slot, HASH_*, KEY_ZEROIZE*) and clear keydata, nothing else:
 * STATUS, interrupts, the timer and every write to guest memory belong to
 * netcard_crypto.c, which commits the job when the modelled time is over.
 * Guest errors are logged by whoever detects them (LOG_GUEST_ERROR).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef NETCARD_CRYPTO_INTERNAL_H
#define NETCARD_CRYPTO_INTERNAL_H

#include "netcard_crypto.h"

/* The longest digest (SHA-512), also the longest ECDSA input. */
#define NETCARD_CRYPTO_MAX_DIGEST 64

/* What a command produces, committed at completion. */
typedef struct NetcardCryptoJob {
    uint8_t *out;        /* g_malloc'd, written to dst */
    uint32_t out_len;
    uint32_t dst;
    uint64_t cycles;
    uint32_t late_err;   /* reported at completion (verify failure) */
    bool iv_valid;
    uint8_t iv[16];
} NetcardCryptoJob;

/* netcard_crypto.c: errors, DMA */

/* Name of a NetcardCryptoErr for traces and logs. */
const char *netcard_crypto_err_name(uint32_t err);
/*
 * Is [addr, addr + len) a valid DMA range: word aligned, in RAM, or (for a
 * source, !is_dst) in the NVM array? len 0 always is.
 */
uint32_t netcard_crypto_dma_check(NetcardCryptoState *s, uint32_t addr,
                                  uint32_t len, bool is_dst);
/* Check and read a source range into a new buffer (*out, g_free it). */
uint32_t netcard_crypto_dma_fetch(NetcardCryptoState *s, uint32_t addr,
                                  uint32_t len, uint8_t **out);
/*
 * The command writes LEN bytes at DST: check DST (in RAM, not partially
 * overlapping the source SRC+SLEN) and allocate j->out.
 */
uint32_t netcard_crypto_job_output(NetcardCryptoState *s,
                                   NetcardCryptoJob *j, uint32_t len,
                                   uint32_t src, uint32_t slen);

/* netcard_crypto_pk.c: key slots */

/* Slot N, checked to hold a key of TYPE whose usage allows USAGE. */
uint32_t netcard_crypto_slot_get(NetcardCryptoState *s, uint32_t n,
                                 uint32_t type, uint32_t usage,
                                 NetcardCryptoSlot **out);
void netcard_crypto_slot_zeroize(NetcardCryptoSlot *k);
/*
 * Validate LEN bytes of key material of TYPE (as KEY_LOAD does) and make
 * them the key of slot N with USAGE.
 */
uint32_t netcard_crypto_slot_store(NetcardCryptoState *s, uint32_t n,
                                   uint32_t type, uint32_t usage,
                                   const uint8_t *data, uint32_t len);

/* netcard_crypto_sym.c: hash contexts */

void netcard_crypto_ctx_zeroize(NetcardCryptoCtx *c);

/* The commands, by CMD.OP (OP is passed where one function has several) */

uint32_t netcard_crypto_op_aes(NetcardCryptoState *s, uint32_t op,
                               NetcardCryptoJob *j);
uint32_t netcard_crypto_op_cmac(NetcardCryptoState *s, NetcardCryptoJob *j);
uint32_t netcard_crypto_op_tdes(NetcardCryptoState *s, uint32_t op,
                                NetcardCryptoJob *j);
uint32_t netcard_crypto_op_hash(NetcardCryptoState *s, uint32_t op,
                                NetcardCryptoJob *j);
uint32_t netcard_crypto_op_rsa(NetcardCryptoState *s, uint32_t op,
                               NetcardCryptoJob *j);
uint32_t netcard_crypto_op_ec(NetcardCryptoState *s, uint32_t op,
                              NetcardCryptoJob *j);
uint32_t netcard_crypto_op_key(NetcardCryptoState *s, uint32_t op,
                               NetcardCryptoJob *j);

#endif /* NETCARD_CRYPTO_INTERNAL_H */
