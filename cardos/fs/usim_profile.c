/*
 * The USIM profile and the GSM SIM files. Contract and tree:
 * fs/usim_profile.h; values: docs/usim.md.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "fs/profile.h"
#include "fs/usim_auth.h"
#include "fs/usim_profile.h"

#define LOG_MODULE "usim"
#include "kernel/log.h"

/* TS 101 220 AID: RID A000000087 (3GPP), application code 1002 (USIM),
 * country and provider codes not given (FFFF FFFF), provider data 89
 * "NC" 0001. */
const uint8_t usim_aid[USIM_AID_LEN] = {
    0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02, 0xFF,
    0xFF, 0xFF, 0xFF, 0x89, 0x4E, 0x43, 0x00, 0x01,
};

#define MF   0xFFu       /* parent: the MF */
#define NONE 0xFFu       /* no link */
#define EVERY_RECORD 1u  /* DATA is the content of every record */

struct ent {
    uint16_t fid;
    uint8_t parent;      /* index in files[] or MF */
    uint8_t type;
    uint8_t sfi;
    uint8_t arr;         /* record of EF.ARR 6F06, or of the MF's 2F06
                            for the files under the MF */
    uint8_t rec_len, nrec;
    uint16_t size;       /* transparent EFs */
    uint8_t link;        /* index in files[] of the content's owner */
    uint8_t flags;
    const uint8_t *data;
    uint8_t len;
};

static const uint8_t arr_rules[5 * 32] = {
    /* 1 read ALW; update, deactivate, activate ADM1 */
    0x80, 0x01, 0x01, 0x90, 0x00, 0x80, 0x01, 0x1A, 0xA4, 0x06, 0x83, 0x01,
    0x0A, 0x95, 0x01, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    /* 2 read ALW; update PIN1; deactivate, activate ADM1 */
    0x80, 0x01, 0x01, 0x90, 0x00, 0x80, 0x01, 0x02, 0xA4, 0x06, 0x83, 0x01,
    0x01, 0x95, 0x01, 0x08, 0x80, 0x01, 0x18, 0xA4, 0x06, 0x83, 0x01, 0x0A,
    0x95, 0x01, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    /* 3 read, update PIN1 or ADM1 (personalisation); deactivate,
     * activate ADM1 */
    0x80, 0x01, 0x03, 0xA4, 0x06, 0x83, 0x01, 0x01, 0x95, 0x01, 0x08, 0xA4,
    0x06, 0x83, 0x01, 0x0A, 0x95, 0x01, 0x08, 0x80, 0x01, 0x18, 0xA4, 0x06,
    0x83, 0x01, 0x0A, 0x95, 0x01, 0x08, 0xFF, 0xFF,
    /* 4 read PIN1; update, deactivate, activate ADM1 */
    0x80, 0x01, 0x01, 0xA4, 0x06, 0x83, 0x01, 0x01, 0x95, 0x01, 0x08, 0x80,
    0x01, 0x1A, 0xA4, 0x06, 0x83, 0x01, 0x0A, 0x95, 0x01, 0x08, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    /* 5 (DF) delete child, create EF/DF, (de)activate, delete self: ADM1 */
    0x80, 0x01, 0x5F, 0xA4, 0x06, 0x83, 0x01, 0x0A, 0x95, 0x01, 0x08, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
};

/* EF.IMSI (TS 31.102 4.2.2): IMSI 001010000000001, length 8, odd
 * parity with identity type 1 (TS 24.008 10.5.1.4) */
static const uint8_t imsi[] = { 0x08, 0x09, 0x10, 0x10, 0x00, 0x00, 0x00,
                                0x00, 0x10 };
/* EF.AD (4.2.18): normal operation, no OFM, MNC length 2 */
static const uint8_t ad[] = { 0x00, 0x00, 0x00, 0x02 };
/* EF.UST (4.2.8): services 10 SMS, 12 SMSP, 19 SPN, 20 PLMNwAcT,
 * 21 MSISDN, 27 GSM access, 33 PS domain, 42 OPLMNwAcT, 43 HPLMNwAcT,
 * 85 EPS mobility management information */
static const uint8_t ust[] = { 0x00, 0x0A, 0x1C, 0x04, 0x01, 0x06, 0x00,
                               0x00, 0x00, 0x00, 0x10 };
/* EF.SST (TS 51.011 10.3.7): services 1, 2, 4, 7, 9, 12, 17, 38, 43, 44,
 * 45 allocated and activated */
static const uint8_t sst[] = { 0xCF, 0x30, 0xC3, 0x00, 0x03, 0x00, 0x00,
                               0x00, 0x00, 0x0C, 0xF0, 0x03 };
static const uint8_t est[] = { 0x00 };
/* EF.ACC (4.2.15): access class 1 (the IMSI's last digit) */
static const uint8_t acc[] = { 0x00, 0x02 };
/* EF.SPN (4.2.12): display condition 01, "netcard" */
static const uint8_t spn[] = { 0x01, 'n', 'e', 't', 'c', 'a', 'r', 'd' };
static const uint8_t li[] = { 'e', 'n' };
/* EF.HPPLMN (4.2.6): 5 x 6 minutes */
static const uint8_t hpplmn[] = { 0x05 };
/* the test PLMN 001-01 (TS 24.008 10.5.1.3) with E-UTRAN, UTRAN and
 * GSM access technologies (TS 31.102 4.2.5) */
static const uint8_t plmn_act[] = { 0x00, 0xF1, 0x10, 0xC0, 0x80 };
static const uint8_t plmn[] = { 0x00, 0xF1, 0x10 };
/* EF.LOCI (4.2.17): no TMSI, LAI 001-01 LAC FFFE, not updated */
static const uint8_t loci[] = { 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0xF1, 0x10,
                                0xFF, 0xFE, 0xFF, 0x01 };
/* EF.PSLOCI (4.2.23): no P-TMSI, RAI 001-01 FFFE RAC FF, not updated */
static const uint8_t psloci[] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                  0x00, 0xF1, 0x10, 0xFF, 0xFE, 0xFF, 0x01 };
/* EF.EPSLOCI (4.2.91): no GUTI, TAI 001-01 FFFE, not updated */
static const uint8_t epsloci[] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                   0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0xF1,
                                   0x10, 0xFF, 0xFE, 0x01 };
/* EF.EPSNSC (4.2.92): an empty EPS NAS security context */
static const uint8_t epsnsc[] = { 0xA0, 0x00 };
/* EF.KEYS / KEYSPS (4.2.9): KSI 07, no key */
static const uint8_t keys[] = { 0x07 };
/* EF.START-HFN (4.2.51): START-CS, START-PS F00000 */
static const uint8_t start_hfn[] = { 0xF0, 0x00, 0x00, 0xF0, 0x00, 0x00 };
/* EF.ECC (4.2.21): 112, category 00 */
static const uint8_t ecc[] = { 0x11, 0xF2, 0xFF, 0x00 };
/* EF.MSISDN (4.2.26): no alpha, +15550100001 (BCD, TON/NPI 91; TS
 * 24.008 10.5.4.7: digit pairs 15 55 01 00 00 1F, each byte low nibble
 * first) */
static const uint8_t msisdn[] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0x07, 0x91, 0x51, 0x55, 0x10, 0x00, 0x00, 0xF1,
};
/* EF.SMS (4.2.25): every record free (status 00, the rest FF) */
static const uint8_t sms_free[] = { 0x00 };
/* EF.ADN (TS 51.011 10.5.1): an unused record is all FF (an alpha
 * identifier starting 00 would be a name, "@" in the GSM alphabet) */
static const uint8_t adn_free[] = { 0xFF };
/* EF.SMSP (4.2.27): alpha "netcard", only the SC address present:
 * +15550100000 */
static const uint8_t smsp[] = {
    'n', 'e', 't', 'c', 'a', 'r', 'd', 0xFF, 0xFF, 0xFF, 0xFD,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0x07, 0x91, 0x51, 0x55, 0x10, 0x00, 0x00, 0xF0,
};
/* EF.Kc / KcGPRS (TS 31.102 4.4.3.1): no key, sequence number 07 */
static const uint8_t kc[] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                              0xFF, 0x07 };
/* EF.UMPC (TS 102 221 13.6): 50 mA, T_OP 5 s, no suspend */
static const uint8_t umpc[] = { 0x32, 0x05, 0x00, 0x00, 0x00 };

enum {
    I_ADF, I_ARR, I_IMSI, I_AD, I_UST, I_EST, I_ACC, I_SPN, I_LI, I_HPPLMN,
    I_PLMNWACT, I_OPLMNWACT, I_HPLMNWACT, I_FPLMN, I_LOCI, I_PSLOCI,
    I_EPSLOCI, I_EPSNSC, I_KEYS, I_KEYSPS, I_START, I_THRESHOLD, I_ECC,
    I_MSISDN, I_SMS, I_SMSP, I_SMSS, I_GACC, I_KC, I_KCGPRS, I_GSM,
    I_TELECOM = I_GSM + 17,
};

#define T FS_T_TRANSPARENT
#define LF FS_T_LINEAR
#define EF(fid, par, sfi, arr, size, d) \
    { fid, par, T, sfi, arr, 0, 0, size, NONE, 0, d, sizeof(d) }
#define EF0(fid, par, sfi, arr, size) \
    { fid, par, T, sfi, arr, 0, 0, size, NONE, 0, NULL, 0 }
#define REC(fid, par, sfi, arr, rl, n, fl, d) \
    { fid, par, LF, sfi, arr, rl, n, 0, NONE, fl, d, sizeof(d) }
#define LINK(fid, par, sfi, arr, to) \
    { fid, par, 0, sfi, arr, 0, 0, 0, to, 0, NULL, 0 }

static const struct ent files[] = {
    [I_ADF] = { USIM_FID_ADF, MF, FS_T_ADF, 0, 5, 0, 0, 0, NONE, 0, NULL, 0 },
    [I_ARR] = REC(USIM_FID_ARR, I_ADF, 0x17, 1, 32, 5, 0, arr_rules),
    [I_IMSI] = EF(USIM_FID_IMSI, I_ADF, 0x07, 4, 9, imsi),
    [I_AD] = EF(0x6FAD, I_ADF, 0x03, 1, 4, ad),
    [I_UST] = EF(0x6F38, I_ADF, 0x04, 4, sizeof(ust), ust),
    [I_EST] = EF(0x6F56, I_ADF, 0x05, 3, 1, est),
    [I_ACC] = EF(0x6F78, I_ADF, 0x06, 4, 2, acc),
    [I_SPN] = EF(0x6F46, I_ADF, 0, 4, 17, spn),
    [I_LI] = EF(0x6F05, I_ADF, 0x02, 2, 10, li),
    [I_HPPLMN] = EF(0x6F31, I_ADF, 0x12, 4, 1, hpplmn),
    [I_PLMNWACT] = EF(0x6F60, I_ADF, 0x0A, 3, 40, plmn_act),
    [I_OPLMNWACT] = EF(0x6F61, I_ADF, 0x11, 4, 40, plmn_act),
    [I_HPLMNWACT] = EF(0x6F62, I_ADF, 0x13, 4, 5, plmn_act),
    [I_FPLMN] = EF0(0x6F7B, I_ADF, 0x0D, 3, 12),
    [I_LOCI] = EF(USIM_FID_LOCI, I_ADF, 0x0B, 3, 11, loci),
    [I_PSLOCI] = EF(0x6F73, I_ADF, 0x0C, 3, 14, psloci),
    [I_EPSLOCI] = EF(0x6FE3, I_ADF, 0x1E, 3, 18, epsloci),
    [I_EPSNSC] = REC(0x6FE4, I_ADF, 0x18, 3, 54, 1, 0, epsnsc),
    [I_KEYS] = EF(0x6F08, I_ADF, 0x08, 3, 33, keys),
    [I_KEYSPS] = EF(0x6F09, I_ADF, 0x09, 3, 33, keys),
    [I_START] = EF(0x6F5B, I_ADF, 0x0F, 3, 6, start_hfn),
    [I_THRESHOLD] = EF0(0x6F5C, I_ADF, 0x10, 4, 3),
    [I_ECC] = REC(0x6FB7, I_ADF, 0x01, 1, 4, 1, 0, ecc),
    [I_MSISDN] = REC(0x6F40, I_ADF, 0, 3, 24, 1, 0, msisdn),
    [I_SMS] = REC(0x6F3C, I_ADF, 0, 3, 176, 10, EVERY_RECORD, sms_free),
    [I_SMSP] = REC(0x6F42, I_ADF, 0, 3, 38, 1, 0, smsp),
    [I_SMSS] = EF0(0x6F43, I_ADF, 0, 3, 2),
    [I_GACC] = { 0x5F3B, I_ADF, FS_T_DF, 0, 5, 0, 0, 0, NONE, 0, NULL, 0 },
    [I_KC] = EF(0x4F20, I_GACC, 0x01, 3, 9, kc),
    [I_KCGPRS] = EF(0x4F52, I_GACC, 0x02, 3, 9, kc),
    /* DF.GSM (TS 51.011 10.7): links to the USIM's files but 3 */
    [I_GSM] = { USIM_FID_GSM, MF, FS_T_DF, 0, 5, 0, 0, 0, NONE, 0, NULL, 0 },
    LINK(USIM_FID_ARR, I_GSM, 0, 1, I_ARR),
    LINK(0x6F07, I_GSM, 0, 4, I_IMSI),
    LINK(0x6F20, I_GSM, 0, 3, I_KC),
    EF(0x6F30, I_GSM, 0, 3, 24, plmn),
    LINK(0x6F31, I_GSM, 0, 4, I_HPPLMN),
    EF(0x6F38, I_GSM, 0, 4, sizeof(sst), sst),
    LINK(0x6F78, I_GSM, 0, 4, I_ACC),
    LINK(0x6F7B, I_GSM, 0, 3, I_FPLMN),
    LINK(0x6F7E, I_GSM, 0, 3, I_LOCI),
    LINK(0x6FAD, I_GSM, 0, 1, I_AD),
    LINK(0x6F46, I_GSM, 0, 4, I_SPN),
    LINK(0x6F60, I_GSM, 0, 3, I_PLMNWACT),
    LINK(0x6F61, I_GSM, 0, 4, I_OPLMNWACT),
    LINK(0x6F62, I_GSM, 0, 4, I_HPLMNWACT),
    LINK(0x6F52, I_GSM, 0, 3, I_KCGPRS),
    LINK(0x6F53, I_GSM, 0, 3, I_PSLOCI),
    /* DF.TELECOM (the UICC profile created it; again if it is gone) */
    [I_TELECOM] = { PROFILE_FID_TELECOM, MF, FS_T_DF, 0, 5, 0, 0, 0, NONE,
                    0, NULL, 0 },
    LINK(USIM_FID_ARR, I_TELECOM, 0, 1, I_ARR),
    REC(0x6F3A, I_TELECOM, 0, 3, 30, 10, EVERY_RECORD, adn_free),
    LINK(0x6F40, I_TELECOM, 0, 3, I_MSISDN),
    LINK(0x6F3C, I_TELECOM, 0, 3, I_SMS),
    LINK(0x6F42, I_TELECOM, 0, 3, I_SMSP),
    LINK(0x6F43, I_TELECOM, 0, 3, I_SMSS),
    /* EF.UMPC: read ALW, update ADM1 (the MF's EF_ARR record 1) */
    EF(USIM_FID_UMPC, MF, 0x08, 1, 5, umpc),
};
#define N_FILES (sizeof(files) / sizeof(files[0]))

/* EF.DIR record of ADF.USIM (TS 102 221 13.1): 61 L 4F AID 50 "USIM" */
static const uint8_t dir_usim[] = {
    0x61, 0x18, 0x4F, 0x10, 0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02,
    0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0x4E, 0x43, 0x00, 0x01, 0x50, 0x04,
    'U', 'S', 'I', 'M',
};

/* Write E's documented content (FF padded) into F, record by record or
 * in pieces of 256 bytes. */
static uint16_t write_content(struct fs *fs, const struct ent *e,
                              const struct fs_file *f)
{
    uint8_t buf[256];
    uint32_t piece = fs_type_is_record(f->type) ? f->rec_len : sizeof(buf);
    uint16_t sw = FS_SW_OK;

    for (uint32_t off = 0; off < f->size && sw == FS_SW_OK; off += piece) {
        uint32_t n = f->size - off < piece ? f->size - off : piece;
        uint32_t d = 0;

        memset(buf, 0xFF, sizeof(buf));
        if (e->flags & EVERY_RECORD) {
            d = e->len < n ? e->len : n;
            memcpy(buf, e->data, d);
        } else if (off < e->len) {
            d = e->len - off < n ? e->len - off : n;
            memcpy(buf, e->data + off, d);
        }
        sw = fs_write(fs, f, off, buf, n, false);
    }
    return sw;
}

static uint16_t install_file(struct fs *fs, unsigned i, uint8_t *nos)
{
    const struct ent *e = &files[i];
    uint8_t parent = e->parent == MF ? FS_MF_NO : nos[e->parent];
    uint8_t no = fs_find_child(fs, parent, e->fid);
    struct fs_file f;
    uint16_t sw;

    if (no == 0) {
        memset(&f, 0, sizeof(f));
        f.parent = parent;
        f.fid = e->fid;
        f.sfi = e->sfi;
        f.lcs = FS_LCS_ACTIVATED;
        f.arr_rec = e->arr;
        /* files under the MF: the MF's EF_ARR; the others: EF.ARR 6F06,
         * found in their DF (ADF.USIM's, or DF.GSM's / DF.TELECOM's link
         * to it) or its parent (DF.GSM-ACCESS) */
        f.arr_fid = e->parent == MF ? PROFILE_FID_ARR : USIM_FID_ARR;
        if (e->link != NONE) {
            struct fs_file t;

            sw = fs_get(fs, nos[e->link], &t);
            if (sw != FS_SW_OK) {
                return sw;
            }
            f.type = t.type;
            f.rec_len = t.rec_len;
            f.nrec = t.nrec;
            f.size = t.size;
            f.link = t.no;
        } else {
            f.type = e->type;
            f.rec_len = e->rec_len;
            f.nrec = e->nrec;
            f.size = fs_type_is_record(e->type)
                         ? (uint16_t)(e->rec_len * e->nrec) : e->size;
        }
        if (e->type == FS_T_ADF) {
            f.aid_len = USIM_AID_LEN;
            memcpy(f.aid, usim_aid, USIM_AID_LEN);
        }
        sw = fs_create(fs, &f);
        if (sw != FS_SW_OK) {
            return sw;
        }
        no = f.no;
    }
    nos[i] = no;
    sw = fs_get(fs, no, &f);
    if (sw == FS_SW_OK && e->link == NONE && !fs_type_is_df(f.type)) {
        sw = write_content(fs, e, &f);
    }
    return sw;
}

/* EF.DIR gets ADF.USIM as record 2: grown from 1 record in one store
 * transaction (the new header with its content). */
static uint16_t add_dir_record(struct fs *fs)
{
    uint8_t no = fs_find_child(fs, FS_MF_NO, PROFILE_FID_DIR);
    uint8_t rec[64];
    struct fs_file f;
    uint16_t sw;

    if (no == 0) {
        return FS_SW_NOT_FOUND;
    }
    sw = fs_get(fs, no, &f);
    if (sw != FS_SW_OK) {
        return sw;
    }
    if (f.type != FS_T_LINEAR || f.rec_len < sizeof(dir_usim) ||
        f.rec_len > 32) {
        return FS_SW_INCOMPATIBLE;
    }
    memset(rec, 0xFF, sizeof(rec));
    if (f.nrec == 1) {
        sw = fs_read(fs, &f, 0, rec, f.rec_len);
        if (sw != FS_SW_OK) {
            return sw;
        }
        f.nrec = 2;
        f.size = (uint16_t)(2u * f.rec_len);
    }
    memcpy(rec + f.rec_len, dir_usim, sizeof(dir_usim));
    return f.nrec == 2 && f.size == 2u * f.rec_len
               ? fs_write(fs, &f, 0, rec, f.size, true)
               : fs_write(fs, &f, f.rec_len, rec + f.rec_len, f.rec_len,
                          false);
}

uint16_t usim_profile_install(struct fs *fs)
{
    uint8_t nos[N_FILES];
    uint16_t sw = FS_SW_OK;
    int rc;

    if (!fs->ready) {
        return FS_SW_MEMORY;
    }
    if (store_size(fs->st, USIM_OBJ_MARKER) >= 0) {
        return FS_SW_OK;
    }
    memset(nos, 0, sizeof(nos));
    for (unsigned i = 0; i < N_FILES && sw == FS_SW_OK; i++) {
        sw = install_file(fs, i, nos);
    }
    if (sw == FS_SW_OK) {
        sw = add_dir_record(fs);
    }
    if (sw == FS_SW_OK) {
        sw = usim_auth_personalise(fs);
    }
    if (sw == FS_SW_OK) {
        static const uint8_t marker[4] = { 'U', 'S', 'I', 'M' };

        rc = store_put(fs->st, USIM_OBJ_MARKER, marker, sizeof(marker));
        sw = rc == STORE_OK ? FS_SW_OK : FS_SW_MEMORY;
    }
    if (sw != FS_SW_OK) {
        LOG_E("profile not installed (%04X): done again at the next boot",
              (unsigned)sw);
        return sw;
    }
    LOG_I("created ADF.USIM, DF.GSM, DF.TELECOM files, EF.UMPC");
    log_printf(LOG_LEVEL_INFO, "fs", "%u files", (unsigned)fs->files);
    return FS_SW_OK;
}
