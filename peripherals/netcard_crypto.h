/*
 * netcard crypto coprocessor: symmetric ciphers and MACs, hashes and HMAC,
 * RSA modular exponentiation, ECC P-256/P-384, write-only key slots and a
 * DMA engine restricted to RAM (read/write) and the NVM array (read).
 *
 * This header is the contract between the QEMU model and the card OS
 * driver. Built with NETCARD_CARDOS defined it provides only the register
 * map (REG32/FIELD) and the constants; QEMU builds also get the QOM type.
 * docs/crypto.md describes every command, its parameters and its timing.
 *
 * Window: 0x4000_3000, 4 KiB, IRQ 2. Registers are 32-bit; other access
 * sizes are guest errors (reads zero, writes ignored).
 *
 * Programming model: set SRC/DST/LEN/AUX (and IV, KEYCFG where the command
 * uses them), then write CMD. The command is checked at once: a bad
 * parameter completes it immediately with STATUS.ERRCODE set and nothing
 * written. Otherwise STATUS.BUSY is set for the modelled number of cycles
 * (CYCLES) on the virtual clock; at completion the output is written by
 * DMA, IV is updated, BUSY clears, DONE sets and INTSTAT.DONE is raised.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later OR Apache-2.0
 */
#ifndef NETCARD_CRYPTO_H
#define NETCARD_CRYPTO_H

#ifdef NETCARD_CARDOS
#include "arch/regfields.h"
#else
#include "hw/sysbus.h"
#include "hw/registerfields.h"
#include "hw/clock.h"
#include "qom/object.h"
#endif

/* RO: NETCARD_CRYPTO_ID. */
REG32(CRYPTO_ID, 0x000)
/* W: start a command (NetcardCryptoOp in OP). Reads the last command. */
REG32(CRYPTO_CMD, 0x004)
    FIELD(CRYPTO_CMD, OP, 0, 8)
    FIELD(CRYPTO_CMD, DEC, 8, 1)       /* 1: decrypt (AES/TDES ECB/CBC/CTR) */
    FIELD(CRYPTO_CMD, TOSLOT, 9, 1)    /* output into slot KEY2 */
    FIELD(CRYPTO_CMD, FROMREG, 10, 1)  /* KEY_LOAD: from KEYDATA, not SRC */
    FIELD(CRYPTO_CMD, ALG, 12, 4)      /* hash, curve, KDF counter offset */
    FIELD(CRYPTO_CMD, CTX, 16, 2)      /* hash context 0..3 */
    FIELD(CRYPTO_CMD, KEY, 24, 4)      /* key slot 0..15 */
    FIELD(CRYPTO_CMD, KEY2, 28, 4)     /* destination slot (KEYGEN, TOSLOT) */
/* RO: state of the last command. */
REG32(CRYPTO_STATUS, 0x008)
    FIELD(CRYPTO_STATUS, BUSY, 0, 1)
    FIELD(CRYPTO_STATUS, DONE, 1, 1)     /* last command finished */
    FIELD(CRYPTO_STATUS, ERR, 2, 1)      /* ERRCODE != OK */
    FIELD(CRYPTO_STATUS, OVERRUN, 3, 1)  /* CMD written while BUSY: dropped */
    FIELD(CRYPTO_STATUS, ERRCODE, 8, 8)  /* NetcardCryptoErr */
/* RW: interrupt enable. */
REG32(CRYPTO_INTEN, 0x00c)
    FIELD(CRYPTO_INTEN, DONE, 0, 1)
/* RW1C: raw interrupt status; IRQ = INTSTAT & INTEN. */
REG32(CRYPTO_INTSTAT, 0x010)
    FIELD(CRYPTO_INTSTAT, DONE, 0, 1)
/* RW: DMA descriptor: source, destination, length in bytes, aux source. */
REG32(CRYPTO_SRC, 0x014)
REG32(CRYPTO_DST, 0x018)
REG32(CRYPTO_LEN, 0x01c)
REG32(CRYPTO_AUX, 0x020)
/* RW: type, usage and length of the key a KEY_LOAD (or KEYGEN/ECDH) stores. */
REG32(CRYPTO_KEYCFG, 0x024)
    FIELD(CRYPTO_KEYCFG, TYPE, 0, 4)     /* NetcardCryptoKeyType */
    FIELD(CRYPTO_KEYCFG, USAGE, 8, 5)    /* NETCARD_CRYPTO_USE_* */
    FIELD(CRYPTO_KEYCFG, LEN, 16, 12)    /* bytes */
/* RO: bytes written to DST by the last command. */
REG32(CRYPTO_OUTLEN, 0x028)
/* RO: modelled cycles of the last command (at the crypto clock). */
REG32(CRYPTO_CYCLES, 0x02c)
/* RO: one word per key slot: VALID, TYPE, USAGE, LEN. Never the key. */
REG32(CRYPTO_SLOTINFO0, 0x040)
    FIELD(CRYPTO_SLOTINFO0, TYPE, 0, 4)
    FIELD(CRYPTO_SLOTINFO0, USAGE, 8, 5)
    FIELD(CRYPTO_SLOTINFO0, LEN, 16, 12)
    FIELD(CRYPTO_SLOTINFO0, VALID, 31, 1)
/*
 * RW: 16-byte IV / counter block, IV0 holding bytes 0..3 (little-endian
 * words: a byte array copied word by word). CBC leaves the last
 * ciphertext block here, CTR the next counter block; TDES uses IV0..IV1.
 */
REG32(CRYPTO_IV0, 0x080)
REG32(CRYPTO_IV1, 0x084)
REG32(CRYPTO_IV2, 0x088)
REG32(CRYPTO_IV3, 0x08c)
/*
 * WO: 256-byte key staging buffer (bytes in memory order, like IV). Reads
 * return zero. KEY_LOAD with CMD.FROMREG takes KEYCFG.LEN bytes from here
 * and clears it.
 */
REG32(CRYPTO_KEYDATA0, 0x100)

#define NETCARD_CRYPTO_ID            0x4e434331u  /* "NCC1" */
#define NETCARD_CRYPTO_NUM_SLOTS     16   /* SLOTINFO0..15 */
#define NETCARD_CRYPTO_NUM_CTX       4
#define NETCARD_CRYPTO_KEYDATA_SIZE  256
#define NETCARD_CRYPTO_SLOT_MAX      1280   /* RSA-4096 CRT: 5 x 256 bytes */

typedef enum NetcardCryptoOp {
    NETCARD_CRYPTO_OP_NOP          = 0x00,
    NETCARD_CRYPTO_OP_AES_ECB      = 0x01,
    NETCARD_CRYPTO_OP_AES_CBC      = 0x02,
    NETCARD_CRYPTO_OP_AES_CTR      = 0x03,
    NETCARD_CRYPTO_OP_AES_CMAC     = 0x04,
    NETCARD_CRYPTO_OP_TDES_ECB     = 0x08,
    NETCARD_CRYPTO_OP_TDES_CBC     = 0x09,
    NETCARD_CRYPTO_OP_RETAIL_MAC   = 0x0a,  /* ISO 9797-1 MAC algorithm 3 */
    NETCARD_CRYPTO_OP_HASH_INIT    = 0x10,
    NETCARD_CRYPTO_OP_HASH_UPDATE  = 0x11,
    NETCARD_CRYPTO_OP_HASH_FINAL   = 0x12,
    NETCARD_CRYPTO_OP_HMAC_INIT    = 0x14,
    NETCARD_CRYPTO_OP_RSA_PUBLIC   = 0x20,
    NETCARD_CRYPTO_OP_RSA_CRT      = 0x21,
    NETCARD_CRYPTO_OP_ECDSA_SIGN   = 0x30,
    NETCARD_CRYPTO_OP_ECDSA_VERIFY = 0x31,
    NETCARD_CRYPTO_OP_ECDH         = 0x32,
    NETCARD_CRYPTO_OP_EC_KEYGEN    = 0x33,
    NETCARD_CRYPTO_OP_KEY_LOAD     = 0x40,
    NETCARD_CRYPTO_OP_KEY_ZEROIZE  = 0x41,
    NETCARD_CRYPTO_OP_KEY_ZEROIZE_ALL = 0x42,
} NetcardCryptoOp;

typedef enum NetcardCryptoErr {
    NETCARD_CRYPTO_OK            = 0,
    NETCARD_CRYPTO_ERR_BAD_OP    = 1,   /* unknown OP or ALG */
    NETCARD_CRYPTO_ERR_BAD_SLOT  = 2,   /* slot number >= 8, or slot empty */
    NETCARD_CRYPTO_ERR_KEY_TYPE  = 3,   /* key of the wrong type for OP */
    NETCARD_CRYPTO_ERR_KEY_SIZE  = 4,   /* key length invalid for its type/OP */
    NETCARD_CRYPTO_ERR_KEY_USAGE = 5,   /* slot lacks the usage flag */
    NETCARD_CRYPTO_ERR_BAD_LEN   = 6,   /* LEN invalid for OP */
    NETCARD_CRYPTO_ERR_DMA_RANGE = 7,   /* not in RAM (sources: or in NVM) */
    NETCARD_CRYPTO_ERR_DMA_ALIGN = 8,   /* SRC/DST/AUX not 4-byte aligned */
    NETCARD_CRYPTO_ERR_DMA_OVERLAP = 9, /* DST partially overlaps an input */
    NETCARD_CRYPTO_ERR_BAD_STATE = 10,  /* hash context not started */
    NETCARD_CRYPTO_ERR_BAD_INPUT = 11,  /* input >= modulus, point off curve */
    NETCARD_CRYPTO_ERR_VERIFY    = 12,  /* signature does not verify */
    NETCARD_CRYPTO_ERR_DMA_FAULT = 13,  /* bus error during the transfer */
    NETCARD_CRYPTO_ERR_INTERNAL  = 14,
} NetcardCryptoErr;

typedef enum NetcardCryptoKeyType {
    NETCARD_CRYPTO_KEY_NONE      = 0,
    NETCARD_CRYPTO_KEY_AES       = 1,   /* 16, 24, 32 bytes */
    NETCARD_CRYPTO_KEY_TDES      = 2,   /* 16 (K1 K2) or 24 (K1 K2 K3) bytes */
    NETCARD_CRYPTO_KEY_HMAC      = 3,   /* 1..256 bytes */
    NETCARD_CRYPTO_KEY_RSA_PUB   = 4,   /* n (k bytes) || e (4 bytes), BE */
    NETCARD_CRYPTO_KEY_RSA_CRT   = 5,   /* p||q||dP||dQ||qInv, k/2 each */
    NETCARD_CRYPTO_KEY_P256_PRIV = 6,   /* d, 32 bytes BE */
    NETCARD_CRYPTO_KEY_P256_PUB  = 7,   /* X || Y, 64 bytes BE */
    NETCARD_CRYPTO_KEY_P384_PRIV = 8,   /* d, 48 bytes */
    NETCARD_CRYPTO_KEY_P384_PUB  = 9,   /* X || Y, 96 bytes */
} NetcardCryptoKeyType;

/* KEYCFG.USAGE / SLOTINFO.USAGE bits */
#define NETCARD_CRYPTO_USE_ENCRYPT  (1u << 0)  /* also RSA public operation */
#define NETCARD_CRYPTO_USE_DECRYPT  (1u << 1)
#define NETCARD_CRYPTO_USE_MAC      (1u << 2)  /* CMAC, retail MAC, HMAC */
#define NETCARD_CRYPTO_USE_SIGN     (1u << 3)  /* ECDSA sign/verify, RSA CRT */
#define NETCARD_CRYPTO_USE_DERIVE   (1u << 4)  /* ECDH */

typedef enum NetcardCryptoHash {
    NETCARD_CRYPTO_HASH_SHA1   = 1,
    NETCARD_CRYPTO_HASH_SHA224 = 2,
    NETCARD_CRYPTO_HASH_SHA256 = 3,
    NETCARD_CRYPTO_HASH_SHA384 = 4,
    NETCARD_CRYPTO_HASH_SHA512 = 5,
} NetcardCryptoHash;

typedef enum NetcardCryptoCurve {
    NETCARD_CRYPTO_CURVE_P256 = 1,
    NETCARD_CRYPTO_CURVE_P384 = 2,
} NetcardCryptoCurve;

#ifndef NETCARD_CARDOS

#define TYPE_NETCARD_CRYPTO "netcard-crypto"
OBJECT_DECLARE_SIMPLE_TYPE(NetcardCryptoState, NETCARD_CRYPTO)

typedef struct NetcardCryptoSlot {
    uint32_t type;
    uint32_t usage;
    uint32_t len;
    uint8_t data[NETCARD_CRYPTO_SLOT_MAX];
} NetcardCryptoSlot;

/* Hash/HMAC context: mbedTLS state kept as bytes (no pointers in it). */
#define NETCARD_CRYPTO_HASH_STATE_SIZE 256
typedef struct NetcardCryptoCtx {
    uint32_t alg;        /* 0: idle, else NetcardCryptoHash */
    uint32_t hmac;       /* 1: HMAC, opad holds the outer key block */
    uint8_t state[NETCARD_CRYPTO_HASH_STATE_SIZE];
    uint8_t opad[128];
} NetcardCryptoCtx;

/* Cycle costs, device properties (docs/crypto.md "Timing"). */
typedef enum NetcardCryptoCost {
    NC_COST_SETUP, NC_COST_AES, NC_COST_TDES, NC_COST_SHA1, NC_COST_SHA256,
    NC_COST_SHA512, NC_COST_RSA_PUB, NC_COST_RSA_CRT,
    NC_COST_P256_SIGN, NC_COST_P256_VERIFY, NC_COST_P256_ECDH,
    NC_COST_P256_KEYGEN, NC_COST_P384_SIGN, NC_COST_P384_VERIFY,
    NC_COST_P384_ECDH, NC_COST_P384_KEYGEN, NC_COST_KEY,
    NC_COST_NUM
} NetcardCryptoCost;

struct NetcardCryptoState {
    SysBusDevice parent_obj;

    MemoryRegion iomem;
    qemu_irq irq;
    Clock *clk;
    QEMUTimer *timer;

    /*
     * DMA: the bus it masters (link "memory") and the windows of it that
     * commands may use (properties, set by the SoC).
     */
    MemoryRegion *dma_mr;
    AddressSpace dma_as;
    uint32_t ram_base, ram_size;    /* sources and destinations */
    uint32_t nvm_base, nvm_size;    /* sources only */

    uint32_t cmd;
    uint32_t status;
    uint32_t inten;
    uint32_t intstat;
    uint32_t src, dst, len, aux;
    uint32_t keycfg;
    uint32_t outlen;
    uint32_t cycles;
    uint32_t iv[4];
    uint8_t keydata[NETCARD_CRYPTO_KEYDATA_SIZE];

    NetcardCryptoSlot slots[NETCARD_CRYPTO_NUM_SLOTS];
    NetcardCryptoCtx ctx[NETCARD_CRYPTO_NUM_CTX];

    /* Result of the command in flight, committed at completion. */
    uint32_t pend_err;
    uint32_t pend_dst;
    uint32_t pend_len;
    uint8_t *pend_buf;
    uint32_t pend_iv[4];
    uint32_t pend_iv_valid;

    uint32_t cost[NC_COST_NUM];
};

#endif /* !NETCARD_CARDOS */

#endif /* NETCARD_CRYPTO_H */
