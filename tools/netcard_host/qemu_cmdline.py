# Python binding (ctypes) of netcard's one builder of QEMU command lines,
# the C function netcard_qemu_cmdline() in tools/lib/qemu_cmdline.[ch]
# (build/lib/libnetcard-host.so). The C tests call the same function
# in-process; the launcher (`netcard run`, `netcard qemu-cmdline`) and the
# benchmarks come through here. qemu_cmdline.h documents the options and
# the contract of the argv.
#
#   argv(["--qemu", BIN, "--image", ELF, "--iso", "listen:HOST:PORT"])
#   qemu_argv(BIN, image=ELF, iso=("listen", HOST, PORT), ...)
#
# Both raise ValueError (the builder's one-line message) on a bad option,
# hostlib.LibraryError if the library is missing.
#
# SPDX-License-Identifier: Apache-2.0

import ctypes
import os

from . import hostlib

LOOPBACK = "127.0.0.1"          # where forwards and the gdb stub listen


def usage():
    """The builder's option list (for --help)."""
    return hostlib.load().netcard_qemu_cmdline_usage().decode()


def argv(words):
    """QEMU's argv (a list of str) for the option words WORDS, as
    `netcard qemu-cmdline` takes them."""
    lib = hostlib.load()
    raw = [os.fsencode(str(w)) for w in words]
    c_words = (ctypes.c_char_p * max(1, len(raw)))(*raw)
    err = ctypes.create_string_buffer(512)
    cap = 16384
    while True:
        out = ctypes.create_string_buffer(cap)
        n = lib.netcard_qemu_cmdline(c_words, len(raw), out, cap, err,
                                     len(err))
        if n < 0:
            raise ValueError(err.value.decode("utf-8", "replace"))
        if n <= cap:
            break
        cap = n
    return [os.fsdecode(a) for a in out.raw[:n].split(b"\0")[:-1]]


def words(qemu, *, machine=None, image=None, nvm=None, nvm_format=None,
          nvm_readonly=False, console=None, iso=None, iso_reconnect_ms=None,
          qmp=None, qtest=None, accel=None, halted=False, gdb_port=None,
          seed=None, icount=None, deterministic=False, net=None, hostfwd=(), mac=None, pcap=None,
          plugin=None, globals_=(), extra=()):
    """The option words for qemu_argv's keyword arguments: iso is
    (listen|connect, HOST, PORT), qmp (listen|connect, PATH), hostfwd
    [(HOSTPORT, GUESTPORT)], globals_ ["DRIVER.PROP=VALUE"], plugin one
    -plugin SPEC or a list of them, deterministic a flag, extra QEMU
    arguments; the others are the options of the same name."""
    w = ["--qemu", qemu]

    def opt(name, value):
        if value is not None:
            w.extend((name, str(value)))

    opt("--machine", machine)
    opt("--image", image)
    opt("--nvm", nvm)
    opt("--nvm-format", nvm_format)
    if nvm_readonly:
        w.append("--nvm-readonly")
    opt("--console", console)
    if iso is not None:
        mode, host, port = iso
        opt("--iso", f"{mode}:{host}:{port}")
    opt("--iso-reconnect-ms", iso_reconnect_ms)
    if qmp is not None:
        mode, path = qmp
        opt("--qmp", f"{mode}:{path}")
    opt("--qtest", qtest)
    opt("--accel", accel)
    if halted:
        w.append("--halted")
    opt("--gdb", gdb_port)
    opt("--seed", seed)
    opt("--icount", icount)
    if deterministic:
        w.append("--deterministic")
    opt("--net", net)
    for host_port, guest_port in hostfwd:
        opt("--hostfwd", f"{host_port}:{guest_port}")
    opt("--mac", mac)
    opt("--pcap", pcap)
    for spec in ((plugin,) if isinstance(plugin, str) else plugin or ()):
        opt("--plugin", spec)
    for g in globals_:
        opt("--global", g)
    if extra:
        w.append("--")
        w.extend(str(a) for a in extra)
    return w


def qemu_argv(qemu, **options):
    """QEMU's argv for the keyword options of words()."""
    return argv(words(qemu, **options))
