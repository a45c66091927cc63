/*
 * netcard's one builder of QEMU command lines (contract in qemu_cmdline.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "qemu_cmdline.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOOPBACK            "127.0.0.1"
#define ISO_CHARDEV         "iso7816"
#define QMP_CHARDEV         "qmp"
#define NET_ID              "net0"
#define NIC_MODEL           "netcard-nic"
#define ISO_RECONNECT_MS    500     /* `netcard run --pcsc`: vpcd listens late */
#define MAX_HOSTFWD         16
#define MAX_GLOBALS         32
#define MAX_PLUGINS         4
/*
 * --deterministic: the TRNG's seed, the instruction count shift (one
 * instruction = 2^5 ns, close to the SoC's 48 MHz) and the wall clock
 * (virtual time from a fixed date) unless --seed/--icount say otherwise.
 */
#define DETERMINISTIC_SEED  1ULL
#define DETERMINISTIC_SHIFT 5
#define DETERMINISTIC_RTC   "2000-01-01T00:00:00"

enum { NET_UNSET, NET_DEFAULT, NET_NONE, NET_USER };
enum { LINK_NONE, LINK_LISTEN, LINK_CONNECT };

typedef struct Opts {
    const char *qemu, *machine, *image;
    const char *nvm, *nvm_format;
    bool nvm_readonly;
    const char *console;
    int iso_mode;
    char iso_host[256];
    int iso_port;
    long iso_reconnect_ms;
    int qmp_mode;
    const char *qmp_path;
    const char *qtest, *accel;
    bool halted;
    int gdb_port;                   /* 0: none */
    bool has_seed;
    unsigned long long seed;
    int icount;                     /* -1: none */
    bool deterministic;
    int net;
    int hostfwd[MAX_HOSTFWD][2];
    size_t n_hostfwd;
    const char *mac, *pcap;
    const char *plugins[MAX_PLUGINS];
    size_t n_plugins;
    const char *globals[MAX_GLOBALS];
    size_t n_globals;
    const char *const *extra;
    size_t n_extra;
} Opts;

typedef enum OptId {
    O_QEMU, O_MACHINE, O_IMAGE, O_NVM, O_NVM_FORMAT, O_NVM_READONLY,
    O_CONSOLE, O_ISO, O_ISO_RECONNECT_MS, O_QMP, O_QTEST, O_ACCEL, O_HALTED,
    O_GDB, O_SEED, O_ICOUNT, O_DETERMINISTIC, O_NET, O_HOSTFWD, O_MAC, O_PCAP, O_PLUGIN,
    O_GLOBAL,
} OptId;

static const struct {
    const char *name;
    OptId id;
    bool takes_value;
} option_table[] = {
    { "--qemu", O_QEMU, true },
    { "--machine", O_MACHINE, true },
    { "--image", O_IMAGE, true },
    { "--nvm", O_NVM, true },
    { "--nvm-format", O_NVM_FORMAT, true },
    { "--nvm-readonly", O_NVM_READONLY, false },
    { "--console", O_CONSOLE, true },
    { "--iso", O_ISO, true },
    { "--iso-reconnect-ms", O_ISO_RECONNECT_MS, true },
    { "--qmp", O_QMP, true },
    { "--qtest", O_QTEST, true },
    { "--accel", O_ACCEL, true },
    { "--halted", O_HALTED, false },
    { "--gdb", O_GDB, true },
    { "--seed", O_SEED, true },
    { "--icount", O_ICOUNT, true },
    { "--deterministic", O_DETERMINISTIC, false },
    { "--net", O_NET, true },
    { "--hostfwd", O_HOSTFWD, true },
    { "--mac", O_MAC, true },
    { "--pcap", O_PCAP, true },
    { "--plugin", O_PLUGIN, true },
    { "--global", O_GLOBAL, true },
};

static const char usage[] =
    "  --qemu BIN                  qemu-system-arm (required)\n"
    "  --machine SPEC              -M SPEC (default netcard)\n"
    "  --image ELF                 card OS image (-kernel)\n"
    "  --nvm FILE                  NVM image (pflash drive); without: an "
    "erased NVM in RAM\n"
    "  --nvm-format raw|qcow2      default: qcow2 for a name ending in "
    ".qcow2\n"
    "  --nvm-readonly              read-only drive\n"
    "  --console BACKEND           debug console, the first -serial: null "
    "(default),\n"
    "                              stdio, mon:stdio, file:PATH\n"
    "  --iso listen:HOST:PORT|connect:HOST:PORT\n"
    "                              ISO 7816 host side (vpcd framing), the "
    "second -serial\n"
    "  --iso-reconnect-ms MS       retry period of --iso connect (default "
    "500)\n"
    "  --qmp listen:PATH|connect:PATH\n"
    "                              QMP on a unix socket QEMU serves, or "
    "connects to\n"
    "  --qtest PATH                qtest protocol to the unix socket PATH "
    "(-accel qtest)\n"
    "  --accel NAME                -accel NAME\n"
    "  --halted                    -S\n"
    "  --gdb PORT                  gdb stub on 127.0.0.1:PORT\n"
    "  --seed N                    -seed N, and the TRNG's own seed N\n"
    "  --icount SHIFT              -icount shift=SHIFT\n"
    "  --deterministic             seeded TRNG, -icount, a fixed RTC in "
    "virtual time:\n"
    "                              -seed (--seed, default 1) -icount "
    "shift=(--icount,\n"
    "                              default 5) -rtc base=2000-01-01T00:00:00,"
    "clock=vm;\n"
    "                              with --net none (and no --gdb) also\n"
    "                              -global netcard-iso7816-uart.lockstep=on\n"
    "  --net default|none|user     default: QEMU's default NIC; user: the "
    "card's NIC on\n"
    "                              libslirp (implied by --hostfwd, --mac, "
    "--pcap)\n"
    "  --hostfwd HOSTPORT:GUESTPORT  forward TCP 127.0.0.1:HOSTPORT to the "
    "card (repeatable)\n"
    "  --mac MAC                   the NIC's MAC address\n"
    "  --pcap FILE                 capture the card's frames (filter-dump)\n"
    "  --plugin SPEC               -plugin SPEC (repeatable, up to 4)\n"
    "  --global DRIVER.PROP=VALUE  -global (repeatable)\n"
    "  -- ARGS                     more QEMU arguments, last\n";

const char *netcard_qemu_cmdline_usage(void)
{
    return usage;
}

__attribute__((format(printf, 3, 4)))
static long bad(char *err, size_t errcap, const char *fmt, ...)
{
    if (err && errcap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errcap, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* A decimal number in [lo, hi] and nothing else. */
static bool parse_range(const char *s, long lo, long hi, long *v)
{
    char *end;

    if (*s < '0' || *s > '9') {
        return false;
    }
    errno = 0;
    long x = strtol(s, &end, 10);
    if (errno || *end || x < lo || x > hi) {
        return false;
    }
    *v = x;
    return true;
}

static bool parse_port(const char *s, int *port)
{
    long v;

    if (!parse_range(s, 1, 65535, &v)) {
        return false;
    }
    *port = (int)v;
    return true;
}

/* "MODE:REST" with MODE listen or connect. */
static int link_mode(const char *s, const char **rest)
{
    if (strncmp(s, "listen:", 7) == 0) {
        *rest = s + 7;
        return LINK_LISTEN;
    }
    if (strncmp(s, "connect:", 8) == 0) {
        *rest = s + 8;
        return LINK_CONNECT;
    }
    return LINK_NONE;
}

/* Parse one option (ID, VALUE) into O; -1 with ERR on a bad value. */
static long take(Opts *o, OptId id, const char *name, const char *v,
                 char *err, size_t errcap)
{
    long num;
    const char *rest;
    const char *colon;

    if (v && !*v) {
        return bad(err, errcap, "%s: empty value", name);
    }
    switch (id) {
    case O_QEMU:
        o->qemu = v;
        break;
    case O_MACHINE:
        o->machine = v;
        break;
    case O_IMAGE:
        o->image = v;
        break;
    case O_NVM:
        o->nvm = v;
        break;
    case O_NVM_FORMAT:
        if (strcmp(v, "raw") != 0 && strcmp(v, "qcow2") != 0) {
            return bad(err, errcap, "%s: '%s' is not raw or qcow2", name, v);
        }
        o->nvm_format = v;
        break;
    case O_NVM_READONLY:
        o->nvm_readonly = true;
        break;
    case O_CONSOLE:
        o->console = v;
        break;
    case O_ISO:
        o->iso_mode = link_mode(v, &rest);
        colon = o->iso_mode ? strrchr(rest, ':') : NULL;
        if (!colon || colon == rest ||
            (size_t)(colon - rest) >= sizeof(o->iso_host) ||
            !parse_port(colon + 1, &o->iso_port)) {
            return bad(err, errcap, "%s: '%s' is not listen:HOST:PORT or "
                       "connect:HOST:PORT", name, v);
        }
        memcpy(o->iso_host, rest, (size_t)(colon - rest));
        o->iso_host[colon - rest] = '\0';
        break;
    case O_ISO_RECONNECT_MS:
        if (!parse_range(v, 1, 3600000, &num)) {
            return bad(err, errcap, "%s: '%s' is not a number of "
                       "milliseconds (1-3600000)", name, v);
        }
        o->iso_reconnect_ms = num;
        break;
    case O_QMP:
        o->qmp_mode = link_mode(v, &rest);
        if (!o->qmp_mode || !*rest) {
            return bad(err, errcap, "%s: '%s' is not listen:PATH or "
                       "connect:PATH", name, v);
        }
        o->qmp_path = rest;
        break;
    case O_QTEST:
        o->qtest = v;
        break;
    case O_ACCEL:
        o->accel = v;
        break;
    case O_HALTED:
        o->halted = true;
        break;
    case O_GDB:
        if (!parse_port(v, &o->gdb_port)) {
            return bad(err, errcap, "%s: '%s' is not a port (1-65535)", name,
                       v);
        }
        break;
    case O_SEED: {
        bool hex = v[0] == '0' && (v[1] == 'x' || v[1] == 'X');
        const char *digits = hex ? v + 2 : v;
        char *end;
        /* decimal without leading zeros, or 0x hex */
        if (!*digits || !strchr("0123456789abcdefABCDEF", *digits) ||
            (!hex && digits[0] == '0' && digits[1])) {
            return bad(err, errcap, "%s: '%s' is not a non-negative "
                       "integer", name, v);
        }
        errno = 0;
        o->seed = strtoull(digits, &end, hex ? 16 : 10);
        if (errno || *end) {
            return bad(err, errcap, "%s: '%s' is not a non-negative "
                       "integer", name, v);
        }
        o->has_seed = true;
        break;
    }
    case O_ICOUNT:
        if (!parse_range(v, 0, 10, &num)) {
            return bad(err, errcap, "%s: '%s' is not a shift in 0-10", name,
                       v);
        }
        o->icount = (int)num;
        break;
    case O_DETERMINISTIC:
        o->deterministic = true;
        break;
    case O_NET:
        if (strcmp(v, "default") == 0) {
            o->net = NET_DEFAULT;
        } else if (strcmp(v, "none") == 0) {
            o->net = NET_NONE;
        } else if (strcmp(v, "user") == 0) {
            o->net = NET_USER;
        } else {
            return bad(err, errcap, "%s: '%s' is not default, none or user",
                       name, v);
        }
        break;
    case O_HOSTFWD: {
        if (o->n_hostfwd == MAX_HOSTFWD) {
            return bad(err, errcap, "more than %d %s", MAX_HOSTFWD, name);
        }
        int *fwd = o->hostfwd[o->n_hostfwd];
        char host_port[8];
        colon = strchr(v, ':');
        if (!colon || (size_t)(colon - v) >= sizeof(host_port)) {
            return bad(err, errcap, "%s: '%s' is not HOSTPORT:GUESTPORT",
                       name, v);
        }
        memcpy(host_port, v, (size_t)(colon - v));
        host_port[colon - v] = '\0';
        if (!parse_port(host_port, &fwd[0]) ||
            !parse_port(colon + 1, &fwd[1])) {
            return bad(err, errcap, "%s: '%s' is not HOSTPORT:GUESTPORT "
                       "(ports 1-65535)", name, v);
        }
        o->n_hostfwd++;
        break;
    }
    case O_MAC:
        o->mac = v;
        break;
    case O_PCAP:
        o->pcap = v;
        break;
    case O_PLUGIN:
        if (o->n_plugins == MAX_PLUGINS) {
            return bad(err, errcap, "more than %d %s", MAX_PLUGINS, name);
        }
        o->plugins[o->n_plugins++] = v;
        break;
    case O_GLOBAL:
        if (o->n_globals == MAX_GLOBALS) {
            return bad(err, errcap, "more than %d %s", MAX_GLOBALS, name);
        }
        if (!strchr(v, '=') || v[0] == '=') {
            return bad(err, errcap, "%s: '%s' is not DRIVER.PROP=VALUE",
                       name, v);
        }
        o->globals[o->n_globals++] = v;
        break;
    }
    return 0;
}

static long parse(Opts *o, const char *const *opts, size_t n, char *err,
                  size_t errcap)
{
    for (size_t i = 0; i < n; i++) {
        const char *w = opts[i];
        if (!w) {
            return bad(err, errcap, "option %zu is NULL", i);
        }
        if (strcmp(w, "--") == 0) {
            o->extra = opts + i + 1;
            o->n_extra = n - i - 1;
            break;
        }
        const char *eq = strchr(w, '=');
        size_t len = eq ? (size_t)(eq - w) : strlen(w);
        size_t k;
        for (k = 0; k < sizeof(option_table) / sizeof(option_table[0]);
             k++) {
            if (strlen(option_table[k].name) == len &&
                strncmp(option_table[k].name, w, len) == 0) {
                break;
            }
        }
        if (k == sizeof(option_table) / sizeof(option_table[0])) {
            return bad(err, errcap, "unknown option '%.*s'", (int)len, w);
        }
        const char *name = option_table[k].name;
        const char *value = NULL;
        if (option_table[k].takes_value) {
            if (eq) {
                value = eq + 1;
            } else if (i + 1 < n && opts[i + 1]) {
                value = opts[++i];
            } else {
                return bad(err, errcap, "%s needs a value", name);
            }
        } else if (eq) {
            return bad(err, errcap, "%s takes no value", name);
        }
        if (take(o, option_table[k].id, name, value, err, errcap) < 0) {
            return -1;
        }
    }
    return 0;
}

/* Whether the options fit together. */
static long check(Opts *o, char *err, size_t errcap)
{
    bool net_only = o->n_hostfwd || o->mac || o->pcap;

    if (!o->qemu) {
        return bad(err, errcap, "no --qemu");
    }
    if (!o->nvm && (o->nvm_format || o->nvm_readonly)) {
        return bad(err, errcap, "--nvm-format and --nvm-readonly need --nvm");
    }
    if (o->qtest && o->accel && strcmp(o->accel, "qtest") != 0) {
        return bad(err, errcap, "--qtest needs --accel qtest, not '%s'",
                   o->accel);
    }
    if (o->net == NET_UNSET) {
        o->net = net_only ? NET_USER : NET_DEFAULT;
    } else if (o->net != NET_USER && net_only) {
        return bad(err, errcap, "--hostfwd, --mac and --pcap need --net "
                   "user");
    }
    return 0;
}

/* The result: arguments, each followed by NUL, counted even past CAP. */
typedef struct Out {
    char *buf;
    size_t cap, len;
} Out;

static void put(Out *w, const char *s, size_t n)
{
    if (w->buf && w->len + n <= w->cap) {
        memcpy(w->buf + w->len, s, n);
    }
    w->len += n;
}

static void add(Out *w, const char *s)
{
    put(w, s, strlen(s));
}

/* S with every ',' doubled: QEMU's key=value lists split at ','. */
static void add_esc(Out *w, const char *s)
{
    for (; *s; s++) {
        put(w, s, 1);
        if (*s == ',') {
            put(w, s, 1);
        }
    }
}

__attribute__((format(printf, 2, 3)))
static void addf(Out *w, const char *fmt, ...)
{
    char tmp[64];
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    put(w, tmp, n < 0 ? 0 : (size_t)n < sizeof(tmp) ? (size_t)n
                                                     : sizeof(tmp) - 1);
}

static void end(Out *w)
{
    put(w, "", 1);
}

static void arg(Out *w, const char *s)
{
    add(w, s);
    end(w);
}

static void emit(const Opts *o, Out *w)
{
    arg(w, o->qemu);
    arg(w, "-M");
    arg(w, o->machine ? o->machine : "netcard");
    if (o->image) {
        arg(w, "-kernel");
        arg(w, o->image);
    }
    arg(w, "-display");
    arg(w, "none");
    arg(w, "-monitor");
    arg(w, "none");
    if (o->qtest) {
        arg(w, "-accel");
        arg(w, "qtest");
        arg(w, "-qtest");
        add(w, "unix:");
        add_esc(w, o->qtest);
        end(w);
        arg(w, "-qtest-log");
        arg(w, "none");
    } else if (o->accel) {
        arg(w, "-accel");
        arg(w, o->accel);
    }
    /* serial_hd(0) then serial_hd(1): the console first, always. */
    arg(w, "-serial");
    arg(w, o->console ? o->console : "null");
    if (o->iso_mode) {
        arg(w, "-chardev");
        add(w, "socket,id=" ISO_CHARDEV ",host=");
        add_esc(w, o->iso_host);
        addf(w, ",port=%d,", o->iso_port);
        if (o->iso_mode == LINK_LISTEN) {
            add(w, "server=on,wait=off,nodelay=on");
        } else {
            addf(w, "nodelay=on,reconnect-ms=%ld", o->iso_reconnect_ms);
        }
        end(w);
        arg(w, "-serial");
        arg(w, "chardev:" ISO_CHARDEV);
    }
    if (o->nvm) {
        size_t len = strlen(o->nvm);
        const char *fmt = o->nvm_format ? o->nvm_format
            : len > 6 && strcmp(o->nvm + len - 6, ".qcow2") == 0 ? "qcow2"
            : "raw";
        arg(w, "-drive");
        add(w, "if=pflash,format=");
        add(w, fmt);
        add(w, ",file=");
        add_esc(w, o->nvm);
        if (o->nvm_readonly) {
            add(w, ",readonly=on");
        }
        end(w);
    }
    if (o->net == NET_NONE) {
        arg(w, "-nic");
        arg(w, "none");
    } else if (o->net == NET_USER) {
        arg(w, "-nic");
        add(w, "user,id=" NET_ID ",model=" NIC_MODEL);
        if (o->mac) {
            add(w, ",mac=");
            add(w, o->mac);
        }
        for (size_t i = 0; i < o->n_hostfwd; i++) {
            addf(w, ",hostfwd=tcp:" LOOPBACK ":%d-:%d", o->hostfwd[i][0],
                 o->hostfwd[i][1]);
        }
        end(w);
        if (o->pcap) {
            arg(w, "-object");
            add(w, "filter-dump,id=pcap0,netdev=" NET_ID ",file=");
            add_esc(w, o->pcap);
            end(w);
        }
    }
    if (o->qmp_mode == LINK_LISTEN) {
        arg(w, "-qmp");
        add(w, "unix:");
        add_esc(w, o->qmp_path);
        add(w, ",server=on,wait=off");
        end(w);
    } else if (o->qmp_mode == LINK_CONNECT) {
        arg(w, "-chardev");
        add(w, "socket,id=" QMP_CHARDEV ",path=");
        add_esc(w, o->qmp_path);
        end(w);
        arg(w, "-mon");
        arg(w, "chardev=" QMP_CHARDEV ",mode=control");
    }
    if (o->gdb_port) {
        arg(w, "-gdb");
        addf(w, "tcp:" LOOPBACK ":%d", o->gdb_port);
        end(w);
    }
    if (o->halted) {
        arg(w, "-S");
    }
    if (o->has_seed || o->deterministic) {
        arg(w, "-seed");
        addf(w, "%llu", o->has_seed ? o->seed : DETERMINISTIC_SEED);
        end(w);
        /* QEMU's -seed gives each thread a generator seeded when the
         * thread is made, in host time: the TRNG draws from its own. */
        arg(w, "-global");
        arg(w, "netcard-trng.seeded=on");
        arg(w, "-global");
        addf(w, "netcard-trng.seed=%llu",
             o->has_seed ? o->seed : DETERMINISTIC_SEED);
        end(w);
    }
    if (o->icount >= 0 || o->deterministic) {
        arg(w, "-icount");
        addf(w, "shift=%d", o->icount >= 0 ? o->icount : DETERMINISTIC_SHIFT);
        /* sleep=off: an idle card's virtual time jumps to its next timer
         * instead of following the host's clock, so how long the host
         * takes between APDUs does not change what the card sees. */
        if (o->deterministic) {
            addf(w, ",sleep=off");
        }
        end(w);
    }
    if (o->deterministic) {
        arg(w, "-rtc");
        arg(w, "base=" DETERMINISTIC_RTC ",clock=vm");
    }
    if (o->deterministic && o->net == NET_NONE && !o->gdb_port) {
        /* the card's clock stands still while the host thinks
         * (peripherals/netcard_iso7816_lockstep.c); not with a network,
         * whose packets come in host time, nor with gdb, whose stub
         * would report each of those stops as a SIGINT */
        arg(w, "-global");
        arg(w, "netcard-iso7816-uart.lockstep=on");
    }
    for (size_t i = 0; i < o->n_plugins; i++) {
        arg(w, "-plugin");
        arg(w, o->plugins[i]);
    }
    for (size_t i = 0; i < o->n_globals; i++) {
        arg(w, "-global");
        arg(w, o->globals[i]);
    }
    for (size_t i = 0; i < o->n_extra; i++) {
        arg(w, o->extra[i] ? o->extra[i] : "");
    }
}

long netcard_qemu_cmdline(const char *const *opts, size_t n, char *out,
                          size_t cap, char *err, size_t errcap)
{
    Opts o = { .iso_reconnect_ms = ISO_RECONNECT_MS, .icount = -1 };
    Out w = { .buf = out, .cap = cap };

    if (err && errcap) {
        err[0] = '\0';
    }
    if (n && !opts) {
        return bad(err, errcap, "no options");
    }
    if (parse(&o, opts, n, err, errcap) < 0 || check(&o, err, errcap) < 0) {
        return -1;
    }
    emit(&o, &w);
    return (long)w.len;
}
