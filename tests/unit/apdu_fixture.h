/*
 * Unit-test fixture for the APDU runtime (apdu/dispatch.h): one APDU
 * session standing for the contact interface, and a static table of
 * applications as the dispatcher's registry, as cardos/card/ wires them
 * on the card.
 *
 *   apdu_fixture_init()        dispatcher, table and session afresh
 *   apdu_fixture_add(applet)   into the table
 *   apdu_fixture_reset()       the session's reset (the default
 *                              application selected on the basic channel)
 *   test_session               the session to pass to dispatch_*()
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_TESTS_APDU_FIXTURE_H
#define NETCARD_TESTS_APDU_FIXTURE_H

#include "apdu/applet_table.h"
#include "apdu/dispatch.h"
#include "apdu/session.h"

static struct apdu_session test_session;
static struct applet_table test_applets;

static inline void apdu_fixture_init(void)
{
    dispatch_init();
    applet_table_init(&test_applets);
    dispatch_set_registry(&test_applets.registry);
    apdu_session_init(&test_session, 0, "test");
    dispatch_reset(&test_session);
}

static inline bool apdu_fixture_add(const struct applet *a)
{
    return applet_table_add(&test_applets, a);
}

static inline void apdu_fixture_reset(void)
{
    dispatch_reset(&test_session);
}

#endif /* NETCARD_TESTS_APDU_FIXTURE_H */
