/*
 * Device tests: a QMP user cannot take the SoC apart. `qom-set <device>
 * realized false` on any device of the SoC is refused with an error in the
 * QMP reply, the device stays realized and working, and QEMU goes on
 * answering and resetting (docs/machine.md "Devices cannot be removed").
 *
 * Before, QEMU accepted it and then crashed: nvm re-realize aborted on its
 * RAM block, iso7816 and the NIC used freed timers and handlers, armv7m
 * and the NVIC asserted on re-realize, the CPU was gone at the next reset.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "devices.h"
#include "netcard_crypto.h"
#include "netcard_nvm.h"
#include "netcard_trng.h"

#include <string.h>

TestSuite(device_soc_unrealize, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_DEVICE);

#define MAX_PATHS 256

/* Every child object under PATH, depth first, from qom-list. */
static void list_children(NcQtest *qt, const char *path, char **out,
                          size_t *n)
{
    char *list = nc_qmp(qt->qmp, "{'execute': 'qom-list', 'arguments': "
                        "{'path': '%s'}}", path);
    const char *p = list;

    while ((p = strstr(p, "{\"name\": \"")) != NULL) {
        const char *name = p + strlen("{\"name\": \"");
        const char *end = strchr(name, '"');
        const char *type = strstr(end, "\"type\": \"");

        cr_assert(end && type, "qom-list of %s: cannot parse %s", path, p);
        type += strlen("\"type\": \"");
        p = type;
        if (strncmp(type, "child<", 6) != 0) {
            continue;
        }
        cr_assert_lt(*n, (size_t)MAX_PATHS, "more than %d objects", MAX_PATHS);
        out[*n] = nc_strf("%s/%.*s", path, (int)(end - name), name);
        (*n)++;
        list_children(qt, out[*n - 1], out, n);
    }
}

/* A device: it has a "realized" property (clocks, regions, IRQs do not). */
static bool is_device(NcQtest *qt, const char *path)
{
    char *err = NULL;
    char *v = nc_qmp_exec(qt->qmp, nc_strf("{\"execute\": \"qom-get\", "
                          "\"arguments\": {\"path\": \"%s\", \"property\": "
                          "\"realized\"}}", path), &err);

    return v != NULL;
}

static char *realized(NcQtest *qt, const char *path)
{
    return nc_qmp(qt->qmp, "{'execute': 'qom-get', 'arguments': {'path': "
                  "'%s', 'property': 'realized'}}", path);
}

Test(device_soc_unrealize, every_soc_device_refuses_unrealize)
{
    NcQtest *qt = nc_qtest_start(NULL);
    char *paths[MAX_PATHS + 1];
    size_t n = 0, devices = 0;

    paths[n++] = "/machine/soc";
    list_children(qt, "/machine/soc", paths, &n);
    for (size_t i = 0; i < n; i++) {
        if (!is_device(qt, paths[i])) {
            continue;
        }
        devices++;
        char *err = NULL;
        char *ok = nc_qmp_exec(qt->qmp, nc_strf("{\"execute\": \"qom-set\", "
                               "\"arguments\": {\"path\": \"%s\", "
                               "\"property\": \"realized\", \"value\": "
                               "false}}", paths[i]), &err);
        cr_assert_null(ok, "qom-set %s realized false was accepted (%s): "
                       "the device must refuse", paths[i], ok);
        cr_assert_not_null(err);
        cr_assert_str_eq(realized(qt, paths[i]), "true",
                         "%s is no longer realized after the refusal",
                         paths[i]);
        /* realizing it again is refused or a no-op, never a crash */
        (void)nc_qmp_exec(qt->qmp, nc_strf("{\"execute\": \"qom-set\", "
                          "\"arguments\": {\"path\": \"%s\", \"property\": "
                          "\"realized\", \"value\": true}}", paths[i]), &err);
        nc_qmp(qt->qmp, "{'execute': 'query-status'}");
    }
    /* the SoC, 6 devices of ours, 4 of QEMU's, the NVIC, 2 SysTicks, CPU */
    cr_assert_geq(devices, 15u, "only %zu devices found under /machine/soc",
                  devices);

    /* QEMU still answers, resets, and every device still works */
    nc_qmp(qt->qmp, "{'execute': 'system_reset'}");
    expect_reset(qt, 1, CAUSE_WARM, "system_reset after the refusals");
    nc_qmp(qt->qmp, "{'execute': 'system_reset'}");
    expect_reset(qt, 2, CAUSE_WARM, "a second system_reset");
    cr_assert_eq(nc_readl(qt, SYSCTL(CHIP_ID)), 0x4E430033u);
    cr_assert_eq(nc_readl(qt, 0x40003000u + A_CRYPTO_ID), NETCARD_CRYPTO_ID);
    cr_assert_eq(nc_readl(qt, 0x40004000u + A_TRNG_ID), NETCARD_TRNG_ID);
    cr_assert_eq(nc_readl(qt, 0x40005000u + A_NVMC_ID), NETCARD_NVMC_ID);
    nc_clock_step(qt, 10000000);
    nc_qmp(qt->qmp, "{'execute': 'query-status'}");
    cr_assert(!nc_proc_exited(qt->qemu), "QEMU %s",
              nc_proc_describe(qt->qemu));
}
