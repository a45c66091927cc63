/*
 * The card's applications. Contract: card/applications.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "apdu/applet_table.h"
#include "apdu/dispatch.h"
#include "applets/perso_applet.h"
#include "applets/sample_applet.h"
#include "arch/layout.h"
#include "card/admin.h"
#include "card/applications.h"
#include "card/image.h"
#include "card/keys.h"
#include "card/nvm_partitions.h"
#include "card/storage.h"
#include "crypto/crypto.h"
#include "fs/fs_applet.h"
#include "fs/pin.h"
#include "fs/usim_auth.h"
#include "sys/runtime.h"
#include "gp/isd.h"
#include "gp/registry.h"

static struct applet_table applets;

/* The personalization application's view of the storage (the store
 * below, the file system on it) and its FORMAT NVM. */
static void perso_card_state(struct perso_card_state *out)
{
    struct store *st = storage_store();
    struct store_stats stats;

    out->store = storage_status();
    out->fs_ready = fs_applet_fs()->ready;
    if (st != NULL) {
        store_get_stats(st, &stats);
        out->objects = stats.objects;
        out->free_bytes = stats.free_bytes;
    }
}

static void perso_format_start(void)
{
    fs_applet_unmount();        /* before the store under it goes */
    storage_reformat_start();
}

static int perso_format_step(void)
{
    int rc = storage_reformat_step();

    if (rc == STORAGE_REFORMAT_BUSY) {
        return PERSO_FORMAT_BUSY;
    }
    if (rc != STORE_OK) {
        return rc;
    }
    /* an empty store: the file system creates its first-boot tree, the
     * key store gets its first-boot keys */
    if (fs_applet_mount(storage_store()) < 0 ||
        fs_applet_install_usim() != 0x9000u) {
        return STORE_ERR_IO;
    }
    card_keys_personalise();
    applications_storage_ready();
    return 0;
}

/* Personalisation through the personalization application, authorised
 * by ADM1 on the file system (docs/usim.md). */
static bool perso_adm_verified(void)
{
    return fs_applet_key_verified(PIN_REF_ADM1);
}

static uint16_t perso_set_usim(const uint8_t ki[16], const uint8_t *opc,
                               const uint8_t *op, bool has_sqn, uint64_t sqn)
{
    uint16_t sw = usim_auth_set_keys(fs_applet_fs(), ki, opc, op);

    if (sw == 0x9000u && has_sqn) {
        sw = usim_auth_set_sqn(fs_applet_fs(), sqn);
    }
    return sw;
}

static uint16_t perso_set_pin(uint8_t ref, const uint8_t value[8],
                              const uint8_t *puk)
{
    struct pin_rec p;
    uint16_t sw = pin_get(fs_applet_fs(), ref, &p);

    if (sw != 0x9000u) {
        return sw;
    }
    memcpy(p.value, value, sizeof(p.value));
    p.left = p.max;
    if (puk != NULL && p.puk_max != 0) {
        memcpy(p.puk, puk, sizeof(p.puk));
        p.puk_left = p.puk_max;
    }
    return pin_put(fs_applet_fs(), &p);
}

/* The USIM's MILENAGE runs on the crypto coprocessor (fs/usim_auth.h). */
static int usim_aes128(void *ctx, const uint8_t key[16], const uint8_t in[16],
                       uint8_t out[16])
{
    (void)ctx;
    return crypto_cipher(CRYPTO_AES_ECB, CRYPTO_ENGINE_HW, false, key, 16,
                         NULL, in, out, 16) == CRYPTO_OK ? 0 : -1;
}

/* Free RAM between the static data and the stack, for GET DATA FF21. */
static uint32_t free_ram(void)
{
    return (uint32_t)(uintptr_t)__ram_free;
}

void applications_register(void)
{
    static const struct usim_cipher usim_cipher = { usim_aes128, NULL };

    static const struct perso_applet_config perso_cfg = {
        .card_state = perso_card_state,
        .format_start = perso_format_start,
        .format_step = perso_format_step,
        .adm_verified = perso_adm_verified,
        .set_usim = perso_set_usim,
        .set_pin = perso_set_pin,
    };
    static const struct gp_isd_config isd_cfg = {
        .store = storage_store,
        .free_ram = free_ram,
        .extra_command = card_admin_command,    /* card/admin.h */
        .scp81_session = card_admin_scp81_session,
    };

    usim_auth_set_cipher(&usim_cipher);
    applet_table_init(&applets);
    (void)applet_table_add(&applets, perso_applet_init(&perso_cfg));
    image_add_applications(&applets);
    /* the built-in applications are the registry's ROM modules, each
     * with its default instance under its own AID (gp/registry.h) */
    gp_registry_init(storage_store);
    for (unsigned i = 0; i < applets.count; i++) {
        (void)gp_registry_add_rom(applets.apps[i], 1, true);
    }
    /* the sample: no default instance, INSTALL makes them */
    (void)gp_registry_add_rom(sample_applet(), SAMPLE_APPLET_INSTANCES, false);
    /* supplementary security domains: instances of the ISD's code */
    (void)gp_registry_add_rom(gp_sd_module(), 8, false);
    /* the Issuer Security Domain first, then the registry's applications
     * as the card's life cycle allows */
    dispatch_set_registry(gp_registry(gp_isd_init(&isd_cfg)));
    dispatch_set_default(fs_applet());
}

/* The code area (card/nvm_partitions.h) as the native applet runtime
 * sees it (sys/codearea.h). */
static int code_program(uint32_t offset, const void *data, uint32_t len)
{
    return nvm_partition_program(nvm_code_partition(), offset, data, len);
}

static int code_erase(uint32_t page)
{
    return nvm_partition_erase(nvm_code_partition(), page);
}

static bool code_erased(uint32_t page)
{
    return nvm_partition_page_erased(nvm_code_partition(), page);
}

void applications_storage_ready(void)
{
    static struct sys_code_flash code;
    static bool runtime;

    if (!runtime) {
        /* loaded applets: the runtime answers the registry for them */
        code.base = nvm_partition_base(nvm_code_partition());
        code.pages = nvm_code_partition()->pages;
        code.program = code_program;
        code.erase = code_erase;
        code.erased = code_erased;
        sys_init(&code, storage_store);
        runtime = true;
    }
    (void)gp_registry_sync();
}
