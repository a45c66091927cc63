/*
 * Device tests: every timing and fault property of the netcard devices has
 * a documented range (docs/machine.md "Timing and fault properties");
 * a value outside it is refused: qom-set answers an error and the value
 * stays, -global stops QEMU with a message naming the property.
 *
 * Before, any 32-bit value was taken: aes-cycles-per-block = 4294967295
 * made one AES block take ~89 s of card time and the card reset itself
 * through its watchdog in a loop.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "devices.h"

#include <stdlib.h>
#include <string.h>

TestSuite(device_knob_ranges, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_DEVICE);

typedef struct Knob {
    const char *path;
    const char *prop;
    uint32_t min, max;
} Knob;

/* The documented ranges (docs/crypto.md, docs/iso7816.md, docs/nvm.md). */
#define BLOCK_MAX  480000u          /* 10 ms of the 48 MHz clock */
#define OP_MAX     48000000u        /* 1 s */
static const Knob runtime_knobs[] = {
    { "/machine/soc/crypto", "setup-cycles", 0, BLOCK_MAX },
    { "/machine/soc/crypto", "aes-cycles-per-block", 0, BLOCK_MAX },
    { "/machine/soc/crypto", "tdes-cycles-per-block", 0, BLOCK_MAX },
    { "/machine/soc/crypto", "sha1-cycles-per-block", 0, BLOCK_MAX },
    { "/machine/soc/crypto", "sha256-cycles-per-block", 0, BLOCK_MAX },
    { "/machine/soc/crypto", "sha512-cycles-per-block", 0, BLOCK_MAX },
    { "/machine/soc/crypto", "key-cycles", 0, BLOCK_MAX },
    { "/machine/soc/crypto", "rsa2048-public-cycles", 0, OP_MAX },
    { "/machine/soc/crypto", "rsa2048-crt-cycles", 0, OP_MAX },
    { "/machine/soc/crypto", "ecdsa-p256-sign-cycles", 0, OP_MAX },
    { "/machine/soc/crypto", "ecdsa-p256-verify-cycles", 0, OP_MAX },
    { "/machine/soc/crypto", "ecdh-p256-cycles", 0, OP_MAX },
    { "/machine/soc/crypto", "ec-p256-keygen-cycles", 0, OP_MAX },
    { "/machine/soc/crypto", "ecdsa-p384-sign-cycles", 0, OP_MAX },
    { "/machine/soc/crypto", "ecdsa-p384-verify-cycles", 0, OP_MAX },
    { "/machine/soc/crypto", "ecdh-p384-cycles", 0, OP_MAX },
    { "/machine/soc/crypto", "ec-p384-keygen-cycles", 0, OP_MAX },
    { "/machine/soc/iso7816", "inject-rx-parity-errors", 0, 65535 },
    { "/machine/soc/iso7816", "inject-tx-nack", 0, 65535 },
    { "/machine/soc/nvm", "tear-after", 0, 1000000 },
};

static char *get(NcQtest *qt, const Knob *k)
{
    return nc_qmp(qt->qmp, "{'execute': 'qom-get', 'arguments': {'path': "
                  "'%s', 'property': '%s'}}", k->path, k->prop);
}

/* qom-set VALUE; true if accepted, else *ERR holds the error. */
static bool set(NcQtest *qt, const Knob *k, uint64_t value, char **err)
{
    return nc_qmp_exec(qt->qmp, nc_strf("{\"execute\": \"qom-set\", "
                       "\"arguments\": {\"path\": \"%s\", \"property\": "
                       "\"%s\", \"value\": %" PRIu64 "}}", k->path, k->prop,
                       value), err) != NULL;
}

Test(device_knob_ranges, runtime_knobs_refuse_values_out_of_range)
{
    NcQtest *qt = nc_qtest_start(NULL);

    for (size_t i = 0; i < sizeof(runtime_knobs) / sizeof(runtime_knobs[0]);
         i++) {
        const Knob *k = &runtime_knobs[i];
        char *before = get(qt, k);
        char *err = NULL;
        const uint64_t bad[] = { (uint64_t)k->max + 1, 4294967295u };

        for (size_t j = 0; j < 2; j++) {
            cr_assert(!set(qt, k, bad[j], &err), "%s %s = %" PRIu64 " was "
                      "accepted; the range is %u..%u", k->path, k->prop,
                      bad[j], k->min, k->max);
            cr_assert(strstr(err, k->prop), "the error does not name %s: %s",
                      k->prop, err);
            cr_assert_str_eq(get(qt, k), before, "%s %s changed to %s by a "
                             "refused value", k->path, k->prop, get(qt, k));
        }
        cr_assert(set(qt, k, k->max, &err), "%s %s = %u (the maximum) "
                  "refused: %s", k->path, k->prop, k->max, err);
        cr_assert_str_eq(get(qt, k), nc_strf("%u", k->max));
        cr_assert(set(qt, k, k->min, &err), "%s = %u refused: %s", k->prop,
                  k->min, err);
        cr_assert_str_eq(get(qt, k), nc_strf("%u", k->min));
        cr_assert(set(qt, k, strtoull(before, NULL, 10), &err));
    }
    nc_qmp(qt->qmp, "{'execute': 'query-status'}");
}

/* QEMU with -global GLOBAL must refuse to start, naming PROP. */
static void refuses_to_start(const char *global, const char *prop)
{
    const char *argv[] = { nc_qemu(), "-M", "netcard", "-accel", "qtest",
                           "-display", "none", "-monitor", "none",
                           "-global", global, NULL };
    NcProc *p = nc_spawn("qemu", argv, NULL);
    int st = nc_proc_wait_exit(p, NC_TIMEOUT_EXIT_MS);

    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) != 0, "-global %s: QEMU %s",
              global, nc_proc_describe(p));
    char *err = nc_gc(nc_read_file(p->stderr_path, NULL));
    cr_assert(err && strstr(err, prop), "-global %s: the error does not "
              "name %s: %s", global, prop, err ? err : "(none)");
}

Test(device_knob_ranges, out_of_range_at_start_stops_qemu)
{
    refuses_to_start("netcard-crypto.aes-cycles-per-block=480001",
                     "aes-cycles-per-block");
    refuses_to_start("netcard-crypto.rsa2048-crt-cycles=48000001",
                     "rsa2048-crt-cycles");
    refuses_to_start("netcard-trng.word-period-ns=0", "word-period-ns");
    refuses_to_start("netcard-trng.word-period-ns=1000001",
                     "word-period-ns");
    refuses_to_start("netcard-iso7816-uart.fast-wait-ms=0", "fast-wait-ms");
    refuses_to_start("netcard-iso7816-uart.fast-wait-ms=3600001",
                     "fast-wait-ms");
    refuses_to_start("netcard-iso7816-uart.clk-hz=20000001", "clk-hz");

    /* the ends of the ranges start */
    const char *edges[] = {
        "-global", "netcard-crypto.rsa2048-crt-cycles=48000000",
        "-global", "netcard-trng.word-period-ns=1000000",
        "-global", "netcard-iso7816-uart.fast-wait-ms=3600000",
        NULL,
    };
    NcQtest *qt = nc_qtest_start(edges);
    cr_assert_str_eq(nc_qmp(qt->qmp, "{'execute': 'qom-get', 'arguments': "
                            "{'path': '/machine/soc/crypto', 'property': "
                            "'rsa2048-crt-cycles'}}"), "48000000");
}
