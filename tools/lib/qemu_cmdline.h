/*
 * netcard's one builder of QEMU command lines for the netcard machine.
 *
 * Every program that starts the card's QEMU takes its argv from here: the
 * C tests call it in-process (tests/lib/nctest_qemu.c), the launcher
 * (`netcard run`, `netcard qemu-cmdline`) and the benchmarks through
 * ctypes (tools/netcard_host/qemu_cmdline.py). It is built into
 * build/lib/libnetcard-host.a and .so with the vpcd client (vpcd.h).
 *
 * The input is a list of option words, the same as `netcard qemu-cmdline`
 * takes ("--opt VALUE" or "--opt=VALUE"; a later value replaces an
 * earlier one, except for the repeatable --hostfwd, --global and
 * --plugin; "--"
 * ends the options and what follows is appended to QEMU's argv as is):
 *
 *   --qemu BIN             qemu-system-arm (required)
 *   --machine SPEC         -M SPEC (default netcard; netcard,ram-size=64K;
 *                          none)
 *   --image ELF            -kernel ELF
 *   --nvm FILE             pflash drive; --nvm-format raw|qcow2 (default:
 *                          qcow2 for a name ending in .qcow2, else raw);
 *                          --nvm-readonly
 *   --console BACKEND      the first -serial (serial_hd(0)), always given:
 *                          null (default), stdio, mon:stdio, file:PATH
 *   --iso listen:HOST:PORT | connect:HOST:PORT
 *                          the ISO 7816 host side: socket chardev
 *                          "iso7816" (vpcd framing, nodelay=on) as the
 *                          second -serial; --iso-reconnect-ms MS for
 *                          connect (default 500)
 *   --qmp listen:PATH | connect:PATH
 *                          QMP served on a unix socket, or QEMU connects
 *                          to one (chardev "qmp" and -mon)
 *   --qtest PATH           -accel qtest -qtest unix:PATH -qtest-log none
 *   --accel NAME           -accel NAME
 *   --halted               -S
 *   --gdb PORT             -gdb tcp:127.0.0.1:PORT
 *   --seed N               -seed N (non-negative; 0x.. accepted) and the
 *                          TRNG's own generator: -global
 *                          netcard-trng.seeded=on -global
 *                          netcard-trng.seed=N
 *   --icount SHIFT         -icount shift=SHIFT (0..10)
 *   --deterministic        runs that repeat: the --seed words (N default
 *                          1), -icount shift=S,sleep=off (--icount,
 *                          default 5) and
 *                          -rtc base=2000-01-01T00:00:00,clock=vm; with
 *                          --net none and no --gdb also -global
 *                          netcard-iso7816-uart.lockstep=on (the card's
 *                          clock waits for the host)
 *   --net default|none|user
 *                          default: no -nic option (QEMU's default NIC);
 *                          none: -nic none; user: the netcard-nic on
 *                          libslirp (id net0), implied by:
 *   --hostfwd HOSTPORT:GUESTPORT   TCP 127.0.0.1:HOSTPORT to the card
 *   --mac MAC              the NIC's MAC address
 *   --pcap FILE            capture of the card's frames (filter-dump)
 *   --plugin SPEC          -plugin SPEC (repeatable, up to 4)
 *   --global DRIVER.PROP=VALUE     -global (repeatable)
 *
 * Values are checked for shape only (ports, modes, formats): the builder
 * never looks at files, ports or processes; callers that need such checks
 * (`netcard run`) make them first. Values that QEMU reads as key=value
 * lists (paths, hosts) have their commas doubled.
 *
 * No global state; thread-safe; no allocation the caller must free.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_QEMU_CMDLINE_H
#define NETCARD_QEMU_CMDLINE_H

#include <stddef.h>

/*
 * Build the argv for the N option words OPTS. On success, returns the
 * size in bytes of the result, every argument followed by a NUL byte
 * (argv[0] is the QEMU binary), and writes it to OUT if it fits in CAP
 * bytes (OUT may be NULL with CAP 0 to learn the size). On a bad option,
 * returns -1 and writes a one-line message to ERR (ERRCAP bytes, may be
 * NULL).
 */
long netcard_qemu_cmdline(const char *const *opts, size_t n, char *out,
                          size_t cap, char *err, size_t errcap);

/* The option list above, for --help (a static string). */
const char *netcard_qemu_cmdline_usage(void);

#endif /* NETCARD_QEMU_CMDLINE_H */
