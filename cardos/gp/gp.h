/*
 * GlobalPlatform constants the card manager's modules share: the ISD's
 * AID, instruction bytes, status words, life cycle states and
 * privileges (GlobalPlatform Card Specification 2.3.1).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_GP_GP_H
#define CARDOS_GP_GP_H

#include <stdint.h>

/* The Issuer Security Domain (GPC 2.3.1: the GlobalPlatform RID
 * A000000151, PIX 000000). */
#define GP_ISD_AID       0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00
#define GP_ISD_AID_LEN   8u

/* Instructions (GPC 2.3.1 Table 11-4). */
#define GP_INS_DELETE          0xE4u
#define GP_INS_EXT_AUTH        0x82u
#define GP_INS_GET_DATA        0xCAu
#define GP_INS_GET_DATA_ODD    0xCBu
#define GP_INS_GET_STATUS      0xF2u
#define GP_INS_INIT_UPDATE     0x50u
#define GP_INS_INSTALL         0xE6u
#define GP_INS_LOAD            0xE8u
#define GP_INS_PUT_KEY         0xD8u
#define GP_INS_SET_STATUS      0xF0u
#define GP_INS_STORE_DATA      0xE2u

/* Status words (GPC 2.3.1 11.1.3 and the command sections). */
#define SW_GP_MORE_DATA          0x6310u   /* GET STATUS: more to come */
#define SW_GP_AUTH_BLOCKED       0x6983u   /* key set's tries exhausted */
#define SW_GP_NOT_ENOUGH_MEMORY  0x6A84u
#define SW_GP_REFERENCED_DATA    0x6A88u   /* referenced data not found */

/* Card life cycle (GPC 2.3.1 5.1.1, Table 11-5). */
#define GP_CARD_OP_READY     0x01u
#define GP_CARD_INITIALIZED  0x07u
#define GP_CARD_SECURED      0x0Fu
#define GP_CARD_LOCKED       0x7Fu
#define GP_CARD_TERMINATED   0xFFu

/* Application and security domain life cycle (5.3, Tables 11-6, 11-7). */
#define GP_APP_INSTALLED     0x03u
#define GP_APP_SELECTABLE    0x07u
#define GP_SD_PERSONALIZED   0x0Fu
#define GP_APP_LOCKED_BIT    0x80u
#define GP_ELF_LOADED        0x01u

/* Privileges, byte 1 (GPC 2.3.1 Table 6-1). */
#define GP_PRIV_SD              0x80u
#define GP_PRIV_DAP_VERIF       0x40u
#define GP_PRIV_DELEGATED_MGMT  0x20u
#define GP_PRIV_CARD_LOCK       0x10u
#define GP_PRIV_CARD_TERMINATE  0x08u
#define GP_PRIV_CARD_RESET      0x04u
#define GP_PRIV_CVM_MGMT        0x02u
#define GP_PRIV_MANDATED_DAP    0x01u
/* byte 2 */
#define GP_PRIV2_TRUSTED_PATH   0x80u
#define GP_PRIV2_AUTHORIZED_MGMT 0x40u
#define GP_PRIV2_TOKEN_VERIF    0x20u
#define GP_PRIV2_GLOBAL_DELETE  0x10u
#define GP_PRIV2_GLOBAL_LOCK    0x08u
#define GP_PRIV2_GLOBAL_REGISTRY 0x04u
#define GP_PRIV2_FINAL_APP      0x02u
#define GP_PRIV2_GLOBAL_SERVICE 0x01u

#endif /* CARDOS_GP_GP_H */
