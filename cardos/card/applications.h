/*
 * The card's applications and where they are registered: the product's
 * own (the personalization application, applets/perso_applet.h), the
 * file system as every channel's default application (fs/fs_applet.h),
 * then the image's (card/image.h), collected in a static table
 * (apdu/applet_table.h) and handed to the GlobalPlatform registry as its
 * ROM modules; the dispatcher's registry is the card manager's: the
 * Issuer Security Domain, then the registry (gp/isd.h, gp/registry.h,
 * apdu/dispatch.h). Card only.
 *
 * applications_register() runs once at start-up, before the contact
 * interface starts (card/contact.h), so that the first reset of its APDU
 * session finds the default application. The file system is mounted
 * later (card/main.c): until then its commands answer 6581.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_CARD_APPLICATIONS_H
#define CARDOS_CARD_APPLICATIONS_H

void applications_register(void);
/* The store is mounted (boot) or formatted again (FORMAT NVM), the card
 * manager personalised: register the ROM modules in the GlobalPlatform
 * registry and load it (gp/registry.h). */
void applications_storage_ready(void);

#endif /* CARDOS_CARD_APPLICATIONS_H */
