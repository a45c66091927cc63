#!/usr/bin/python3
# netcard: the one entry point of the host tools. Boots the virtual card in
# QEMU with DESIGN.md's defaults, attaches gdb to it, sends it APDUs, and
# prints the QEMU command line any other program needs. Installed as
# build/bin/netcard with its package in build/lib/python/netcard_host; it
# finds QEMU, the card OS and the host library relative to itself
# (build/qemu, build/cardos, build/lib).
#
#   netcard run [--nvm FILE] [--gdb[=PORT]] [--qmp PATH] [--seed N]
#               [--iso tcp:HOST:PORT | --pcsc[=PORT]]
#               [--http-port N] [--https-port N] [--no-net] [--pcap FILE]
#               [--apdu-pcap FILE] [--image ELF] [--qemu BIN]
#               [--print-cmdline[=FORMAT]]
#               [-- QEMU-ARGS]
#               [--deterministic] [--apdu-cost FILE.csv] [--coverage DIR]
#               [--instances N [--instances-dir DIR]]
#   netcard coverage lcov|merge|html ...
#   netcard gdb [--port PORT] [--image ELF] [--applet ELF --code ADDR
#               [--data ADDR]]
#   netcard apdu [--port N] [--atr] [--reset|--cold] [-f SCRIPT] HEX...
#   netcard qemu-cmdline [BUILDER OPTIONS] [-- QEMU-ARGS]
#   netcard test [-j N] [--shard I/N] [--junit FILE] [--tap FILE]
#                [--keep-failed DIR] [--pcap-dir DIR] FILE|DIR...
#   netcard pack APP.ELF -o APP.NCAP [--info]
#
# Every problem found before QEMU starts is one line on stderr and exit
# status 2; once QEMU runs, the launcher is replaced by it (exec), so the
# exit status is QEMU's.
#
# QEMU command lines come from one builder and vpcd framing from one
# client, both in the host library (tools/lib: qemu_cmdline.c, vpcd.c;
# build/lib/libnetcard-host.so, through netcard_host/); the tests and the
# benchmarks use the same two.
#
# SPDX-License-Identifier: Apache-2.0

import argparse
import errno
import os
import shlex
import sys

BUILD = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
# Installed: the package is in BUILD/lib/python. From the source tree,
# Python finds it beside this file.
sys.path.insert(1, os.path.join(BUILD, "lib", "python"))
from netcard_host import hostlib, qemu_cmdline  # noqa: E402

PROG = "netcard"
SRCDIR = os.path.dirname(BUILD)
DEFAULT_QEMU = os.path.join(BUILD, "qemu", "qemu-system-arm")
DEFAULT_IMAGE = os.path.join(BUILD, "cardos", "cardos.elf")
DEFAULT_NVM = "card.nvm"
DEFAULT_GDB_PORT = 1234
DEFAULT_ISO_HOST = "127.0.0.1"
DEFAULT_ISO_PORT = 35963        # vsmartcard's vpcd port
DEFAULT_HTTP_PORT = 8080        # -> card port 80 (web server)
DEFAULT_HTTPS_PORT = 8443       # -> card port 4116 (HTTPS, TLS-PSK)
CARD_HTTP_PORT = 80
CARD_HTTPS_PORT = 4116
NET_HOST = qemu_cmdline.LOOPBACK
NVM_SIZE = 2 * 1024 * 1024      # NETCARD_NVM_SIZE_DEFAULT (netcard_memmap.h)
NVM_SIZE_MIN = 1024 * 1024      # NETCARD_NVM_SIZE_MIN
NVM_SIZE_MAX = 16 * 1024 * 1024  # NETCARD_NVM_SIZE_MAX
NVM_PAGE = 4096                 # NETCARD_NVM_PAGE_SIZE
NVM_ERASED = b"\xff"
GDB = "gdb-multiarch"


class UsageError(Exception):
    """A problem with the command line or the environment: one line."""


class Parser(argparse.ArgumentParser):
    # argparse prints the whole usage on errors; we print one line.
    def error(self, message):
        raise UsageError(f"{message} (see '{self.prog} --help')")


def version():
    try:
        with open(os.path.join(SRCDIR, "VERSION")) as f:
            return f.read().strip()
    except OSError:
        return "unknown"


def port_number(text):
    try:
        port = int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number")
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is out of range 1-65535")
    return port


def seed_number(text):
    try:
        seed = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"seed '{text}' is not an integer")
    if seed < 0:
        raise argparse.ArgumentTypeError(f"seed {seed} is negative")
    return seed


def iso_endpoint(text):
    """--iso tcp:HOST:PORT (the card listens there for a vpcd client)."""
    if text == "none":
        return None
    kind, _, rest = text.partition(":")
    host, _, port = rest.rpartition(":")
    if kind != "tcp" or not host or not port:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not tcp:HOST:PORT (or none)")
    return (host, port_number(port))


def check_port_free(port, what, host="127.0.0.1"):
    """Refuse to start when a port QEMU must listen on is taken."""
    import socket
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise UsageError(f"cannot resolve {host} ({what}): {e.strerror}")
    family, _, _, _, addr = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as s:
        try:
            s.bind(addr)
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise UsageError(f"port {port} on {host} is in use ({what})")
            raise UsageError(f"cannot listen on {host}:{port} ({what}): "
                             f"{e.strerror}")


def check_file(path, what, hint):
    if not os.path.isfile(path):
        raise UsageError(f"{what} {path} not found: {hint}")


def qemu_img_for(qemu):
    """The qemu-img built with QEMU (beside it), else one on PATH."""
    import shutil
    beside = os.path.join(os.path.dirname(qemu), "qemu-img")
    if os.path.isfile(beside) and os.access(beside, os.X_OK):
        return beside
    return shutil.which("qemu-img")


def nvm_size_text(size):
    return (f"{size // (1024 * 1024)} MiB" if size % (1024 * 1024) == 0
            else f"{size // 1024} KiB")


def valid_nvm_size(size):
    return NVM_SIZE_MIN <= size <= NVM_SIZE_MAX and size % NVM_PAGE == 0


def nvm_size_arg(text):
    """--nvm-size: bytes, or with a K or M suffix (as QEMU's sizes)."""
    units = {"K": 1024, "M": 1024 * 1024}
    t = text.strip().upper().rstrip("B").rstrip("I")
    try:
        size = int(t[:-1]) * units[t[-1]] if t and t[-1] in units else int(t)
    except (ValueError, KeyError):
        raise argparse.ArgumentTypeError(f"NVM size '{text}' is not a size")
    if not valid_nvm_size(size):
        raise argparse.ArgumentTypeError(
            f"NVM size {text} is not whole 4 KiB pages from 1 MiB to 16 MiB")
    return size


def nvm_size_for(path, wanted):
    """The size of the card's NVM: an existing raw image's own size (an
    image of the 1 MiB layout keeps running as it was: docs/nvm.md), else
    WANTED (--nvm-size) or the default. A qcow2 image must be of WANTED."""
    if os.path.isfile(path) and not path.endswith(".qcow2"):
        size = os.path.getsize(path)
        if not valid_nvm_size(size):
            raise UsageError(f"NVM image {path} is {size} bytes; a raw image "
                             f"must be {NVM_SIZE} bytes (2 MiB), or whole "
                             "4 KiB pages from 1 MiB to 16 MiB")
        if wanted is not None and wanted != size:
            raise UsageError(f"NVM image {path} is {nvm_size_text(size)}, "
                             f"not the {nvm_size_text(wanted)} --nvm-size "
                             "asks for")
        return size
    return wanted if wanted is not None else NVM_SIZE


def prepare_nvm(path, qemu, size=NVM_SIZE):
    """Create an erased (all 0xFF) image of SIZE bytes if the file is
    missing: raw, or qcow2 (converted by qemu-img) for a name ending in
    .qcow2. Returns True when it was created."""
    if os.path.exists(path):
        if not os.path.isfile(path):
            raise UsageError(f"NVM image {path} is not a regular file")
        return False
    import subprocess
    qemu_img = None
    if path.endswith(".qcow2"):
        qemu_img = qemu_img_for(qemu)
        if not qemu_img:
            raise UsageError(f"cannot create qcow2 NVM image {path}: no "
                             f"qemu-img beside {qemu} or on PATH ('make "
                             "qemu' builds it)")
    raw = f"{path}.tmp{os.getpid()}"
    converted = f"{raw}.qcow2"
    try:
        with open(raw, "wb") as f:
            f.write(NVM_ERASED * size)
        if qemu_img:
            # an empty qcow2 would read as zeros: convert the erased image
            r = subprocess.run([qemu_img, "convert", "-q", "-f", "raw",
                                "-O", "qcow2", raw, converted],
                               stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
            if r.returncode != 0:
                why = (r.stdout.strip().splitlines() or ["failed"])[-1]
                raise UsageError(f"cannot create qcow2 NVM image {path}: "
                                 f"qemu-img: {why}")
            os.replace(converted, path)
        else:
            os.replace(raw, path)
    except OSError as e:
        raise UsageError(f"cannot create NVM image {path}: {e.strerror}")
    finally:
        for leftover in (raw, converted):
            try:
                os.unlink(leftover)
            except OSError:
                pass
    return True


def host_library(fn, *args, **kwargs):
    """FN of a binding of the host library; a missing library is a usage
    error (one line)."""
    try:
        return fn(*args, **kwargs)
    except hostlib.LibraryError as e:
        raise UsageError(f"host library: {e}")


def qemu_argv(qemu, **options):
    """qemu_cmdline.qemu_argv, its refusals as one-line usage errors."""
    try:
        return host_library(qemu_cmdline.qemu_argv, qemu, **options)
    except ValueError as e:
        raise UsageError(str(e))


def build_run_cmdline(args):
    """`netcard run`'s QEMU command line, from the one builder."""
    if args.apdu_pcap:
        # the relay (apdu_relay.py) stands between the host side and QEMU
        iso = ("listen", DEFAULT_ISO_HOST, args.relay_port)
    elif args.pcsc is not None:
        iso = ("connect", DEFAULT_ISO_HOST, args.pcsc)
    elif args.iso is not None:
        iso = ("listen",) + args.iso
    else:
        iso = None
    net = {}
    if args.no_net:
        net["net"] = "none"
    else:
        # The card's NIC on libslirp, web server ports forwarded.
        net = dict(net="user", pcap=args.pcap,
                   hostfwd=((args.http_port, CARD_HTTP_PORT),
                            (args.https_port, CARD_HTTPS_PORT)))
    machine = None
    if args.nvm_size_bytes != NVM_SIZE:
        machine = f"netcard,nvm-size={args.nvm_size_bytes}"
    return qemu_argv(
        args.qemu, machine=machine, image=args.image, nvm=args.nvm,
        # Debug console on this terminal; Ctrl-A X quits, Ctrl-A C
        # switches to the QEMU monitor.
        console="mon:stdio",
        # ISO 7816 contact interface: the second serial port, vpcd framing.
        iso=iso,
        qmp=("listen", args.qmp) if args.qmp else None,
        halted=args.gdb is not None, gdb_port=args.gdb, seed=args.seed,
        deterministic=args.deterministic, plugin=args.plugins,
        extra=args.qemu_args, **net)


def run_plugins(args):
    """The -plugin arguments of --apdu-cost and --coverage."""
    from netcard_host import cost, coverage
    plugins = []
    try:
        if args.apdu_cost:
            out_dir = os.path.dirname(os.path.abspath(args.apdu_cost))
            if not os.path.isdir(out_dir):
                raise UsageError(f"--apdu-cost folder {out_dir} does not "
                                 "exist")
            plugins.append(cost.plugin_spec(args.image, args.apdu_cost,
                                            BUILD))
        if args.coverage:
            os.makedirs(args.coverage, exist_ok=True)
            # one raw file per run: QEMU's pid once the launcher execs it
            args.coverage_raw = os.path.join(
                os.path.abspath(args.coverage), f"netcard-{os.getpid()}.cov")
            plugins.append(coverage.plugin_spec(args.coverage_raw, BUILD))
    except (cost.CostError, coverage.CoverageError) as e:
        raise UsageError(str(e))
    except OSError as e:
        raise UsageError(f"--coverage {args.coverage}: {e.strerror}")
    return plugins


def print_cmdline(cmd, fmt):
    """FMT shell: one line, quoted for sh; lines: one argument a line;
    nul: each argument followed by a NUL byte (for programs)."""
    if fmt == "shell":
        print(shlex.join(cmd))
    elif fmt == "lines":
        if any("\n" in a for a in cmd):
            raise UsageError("an argument holds a newline: use "
                             "--print-cmdline=nul")
        sys.stdout.write("".join(a + "\n" for a in cmd))
    else:
        sys.stdout.buffer.write(b"".join(os.fsencode(a) + b"\0"
                                         for a in cmd))
    sys.stdout.flush()
    return 0


def cmd_run(args):
    args.qemu = os.path.abspath(args.qemu)
    args.image = os.path.abspath(args.image)
    check_file(args.qemu, "QEMU", "build it with 'make qemu'")
    check_file(args.image, "card OS image", "build it with 'make cardos'")
    if args.pcsc is not None and args.iso_given:
        raise UsageError("--iso and --pcsc exclude each other")
    if args.gdb is not None:
        check_port_free(args.gdb, "--gdb")
    if args.pcsc is None and args.iso is not None:
        check_port_free(args.iso[1], "--iso", args.iso[0])
    if args.no_net and (args.http_port_given or args.https_port_given
                        or args.pcap):
        raise UsageError("--no-net excludes --http-port, --https-port and "
                         "--pcap")
    if not args.no_net:
        if args.http_port == args.https_port:
            raise UsageError(f"--http-port and --https-port are both "
                             f"{args.http_port}")
        check_port_free(args.http_port, "--http-port", NET_HOST)
        check_port_free(args.https_port, "--https-port", NET_HOST)
        if args.pcap:
            pcap_dir = os.path.dirname(os.path.abspath(args.pcap))
            if not os.path.isdir(pcap_dir):
                raise UsageError(f"--pcap folder {pcap_dir} does not exist")
    if args.qmp:
        qmp_dir = os.path.dirname(os.path.abspath(args.qmp)) or "."
        if not os.path.isdir(qmp_dir):
            raise UsageError(f"QMP socket folder {qmp_dir} does not exist")
        if os.path.exists(args.qmp):
            raise UsageError(f"QMP socket {args.qmp} already exists "
                             "(another card running? remove it if not)")
    if args.instances is not None:
        from netcard_host import instances
        return instances.run(args, UsageError)
    args.nvm_size_bytes = nvm_size_for(args.nvm, args.nvm_size)
    if args.apdu_pcap:
        if args.pcsc is None and args.iso is None:
            raise UsageError("--apdu-pcap needs the ISO 7816 interface "
                             "(--iso or --pcsc, not --iso none)")
        pcap_dir = os.path.dirname(os.path.abspath(args.apdu_pcap))
        if not os.path.isdir(pcap_dir):
            raise UsageError(f"--apdu-pcap folder {pcap_dir} does not exist")
        from netcard_host.card import free_port
        args.relay_port = free_port()
    args.plugins = run_plugins(args)
    cmd = build_run_cmdline(args)
    if args.print_cmdline:
        return print_cmdline(cmd, args.print_cmdline)
    created = prepare_nvm(args.nvm, args.qemu, args.nvm_size_bytes)

    say = lambda text: print(f"{PROG}: {text}", file=sys.stderr)
    say(f"card OS {args.image}")
    say(f"NVM {args.nvm}" + (" (created, erased)" if created else "") +
        ("" if args.nvm_size_bytes == NVM_SIZE else
         f", {nvm_size_text(args.nvm_size_bytes)} (nvm-size)"))
    say("console on this terminal (Ctrl-A X quits)")
    if args.pcsc is not None:
        say(f"ISO 7816: connecting to pcscd's vpcd on {DEFAULT_ISO_HOST}:"
            f"{args.pcsc} (retrying until it listens)")
    elif args.iso is not None:
        say(f"ISO 7816: vpcd framing on {args.iso[0]}:{args.iso[1]} "
            f"({PROG} apdu --port {args.iso[1]} ...)")
    if args.gdb is not None:
        say(f"halted; gdb stub on 127.0.0.1:{args.gdb}: "
            f"{GDB} {shlex.quote(args.image)} -ex 'target remote "
            f"127.0.0.1:{args.gdb}'   (or: {PROG} gdb --port {args.gdb})")
    if args.no_net:
        say("network: none (--no-net)")
    else:
        say(f"web server: http://{NET_HOST}:{args.http_port}/  "
            f"(card port {CARD_HTTP_PORT})")
        say(f"HTTPS (TLS-PSK): https://{NET_HOST}:{args.https_port}/  "
            f"(card port {CARD_HTTPS_PORT})")
        if args.pcap:
            say(f"capturing the card's frames to {args.pcap}")
    if args.qmp:
        say(f"QMP on unix:{args.qmp}")
    if args.apdu_pcap:
        from netcard_host import apdu_relay
        upstream = ("connect", DEFAULT_ISO_HOST, args.pcsc) \
            if args.pcsc is not None else ("listen",) + args.iso
        say(f"capturing APDUs to {args.apdu_pcap} (GSMTAP; card behind "
            f"a relay on {DEFAULT_ISO_HOST}:{args.relay_port})")
        sys.stderr.flush()
        try:
            apdu_relay.fork_relay(upstream, args.relay_port, args.apdu_pcap)
        except OSError as e:
            raise UsageError(f"--apdu-pcap: {e.strerror or e}")
    if args.deterministic:
        say("deterministic: seeded TRNG, -icount, fixed RTC")
    if args.apdu_cost:
        say(f"instructions per APDU to {args.apdu_cost} (written as QEMU "
            "runs and when it exits)")
    if args.coverage:
        say(f"card OS coverage to {args.coverage_raw} (written when QEMU "
            f"exits; {PROG} coverage lcov makes a tracefile)")
    sys.stderr.flush()
    try:
        os.execv(cmd[0], cmd)
    except OSError as e:
        raise UsageError(f"cannot run {cmd[0]}: {e.strerror}")


def applet_section_offset(elf, name):
    """Offset of section NAME from the data segment's start (0x80000000
    in cardos/sdk/applet.ld) in the applet ELF, or None."""
    sdk = os.path.join(SRCDIR, "cardos", "sdk")
    sys.path.insert(0, sdk)
    import ncap_pack
    with open(elf, "rb") as f:
        sec = ncap_pack.Elf(f.read()).section(name)
    return None if sec is None else sec["addr"] - ncap_pack.DATA_BASE


def cmd_gdb(args):
    image = os.path.abspath(args.image)
    check_file(image, "card OS image", "build it with 'make cardos'")
    import shutil
    gdb = shutil.which(GDB)
    if not gdb:
        raise UsageError(f"{GDB} not found: apt-get install gdb-multiarch")
    cmd = [gdb, "-q", image, "-ex", f"target remote 127.0.0.1:{args.port}"]
    if args.applet:
        # an applet's symbols where the card put it (docs/applets.md
        # "Debugging"): its code where LOAD placed it, its data in the
        # instance's RAM (the card logs both)
        elf = os.path.abspath(args.applet)
        check_file(elf, "applet ELF", "build it with 'make applets'")
        if args.code is None:
            raise UsageError("--applet needs --code ADDR (the card logs "
                             "'code at 0x...' when it loads the file)")
        where = f"add-symbol-file {elf} -s .text {args.code:#x}"
        if args.data is not None:
            bss = applet_section_offset(elf, ".bss")
            where += f" -s .data {args.data:#x}"
            if bss is not None:
                where += f" -s .bss {args.data + bss:#x}"
        cmd += ["-ex", where]
    if args.print_cmdline:
        print(shlex.join(cmd))
        return 0
    os.execv(gdb, cmd)


# ---------------------------------------------------------------------------
# netcard apdu: a vpcd-framing client for a card listening with --iso.
# Frames are a 2-byte big-endian length and a payload; a 1-byte payload is a
# control code (00 power off, 01 power on, 02 reset, 04 get ATR), anything
# else a C-APDU answered with R-APDU data + SW1 SW2 (DESIGN.md). The framing
# is the host library's (tools/lib/vpcd.c), loaded from BUILD/lib.
# ---------------------------------------------------------------------------


class CardLink:
    """netcard_host.vpcd.Link, its failures worded for `netcard apdu`."""

    def __init__(self, host, port, timeout):
        from netcard_host import vpcd
        self.vpcd = vpcd
        self.where = f"{host}:{port}"
        try:
            self.link = host_library(vpcd.Link, host, port, timeout)
        except vpcd.VpcdError as e:
            raise UsageError(f"cannot connect to the card on {host}:{port}: "
                             f"{e.strerror} (is 'netcard run' running "
                             "with --iso there?)")

    def _failed(self, e):
        if isinstance(e, self.vpcd.Timeout):
            return UsageError(f"no answer from the card on {self.where} "
                              "within the timeout")
        if isinstance(e, self.vpcd.Closed):
            return UsageError(f"the card closed the connection on "
                              f"{self.where}")
        if e.status == self.vpcd.ERR_ARG:
            return UsageError(str(e))
        return UsageError(f"card link {self.where}: {e.strerror}")

    def exchange(self, payload):
        try:
            return self.link.transmit(payload)
        except self.vpcd.VpcdError as e:
            raise self._failed(e)

    def control(self, code):
        try:
            self.link.control(code)
        except self.vpcd.VpcdError as e:
            raise self._failed(e)

    def atr(self):
        return self.exchange(bytes([self.vpcd.GET_ATR]))

    def ensure_powered(self):
        """Power the card on if it reports no ATR; returns the ATR."""
        atr = self.atr()
        if not atr:
            self.control(self.vpcd.POWER_ON)
            atr = self.atr()
        if not atr:
            raise UsageError("the card sends no ATR after power-on")
        return atr


def parse_hex(text, what):
    digits = "".join(text.split()).replace(":", "")
    if len(digits) % 2 or any(c not in "0123456789abcdefABCDEF"
                              for c in digits):
        raise UsageError(f"{what} '{text}' is not hex bytes")
    return bytes.fromhex(digits)


def parse_expectation(text, where):
    """EXPECT is hex; 'X' matches any nibble; a leading '*' matches any
    bytes before the rest (so '*9000' = any data, then SW 9000)."""
    t = "".join(text.split()).upper()
    any_prefix = t.startswith("*")
    if any_prefix:
        t = t[1:]
    if len(t) % 2 or any(c not in "0123456789ABCDEFX" for c in t):
        raise UsageError(f"{where}: expectation '{text}' is not hex with "
                         "X wildcards and an optional leading '*'")
    return any_prefix, t


def matches(expectation, response):
    any_prefix, pattern = expectation
    got = response.hex().upper()
    if any_prefix:
        if len(got) < len(pattern):
            return False
        got = got[len(got) - len(pattern):]
    elif len(got) != len(pattern):
        return False
    return all(p in ("X", g) for p, g in zip(pattern, got))


def read_script(path):
    """Lines: 'HEX [-> EXPECT]', 'atr [-> EXPECT]', 'reset', 'cold',
    'power-on', 'power-off'; '#' starts a comment."""
    try:
        with open(path) as f:
            lines = f.readlines()
    except OSError as e:
        raise UsageError(f"cannot read script {path}: {e.strerror}")
    steps = []
    for number, raw in enumerate(lines, 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        where = f"{path}:{number}"
        command, _, expect = line.partition("->")
        command = command.strip()
        expectation = parse_expectation(expect, where) if expect.strip() \
            else None
        word = command.lower()
        if word in ("atr", "reset", "cold", "power-on", "power-off"):
            if expectation and word != "atr":
                raise UsageError(f"{where}: '{word}' has no response to check")
            steps.append((where, word, None, expectation))
        else:
            steps.append((where, "apdu", parse_hex(command, f"{where}: APDU"),
                          expectation))
    return steps


def cmd_apdu(args):
    steps = []
    if args.cold:
        steps.append(("--cold", "cold", None, None))
    if args.reset:
        steps.append(("--reset", "reset", None, None))
    if args.atr:
        steps.append(("--atr", "atr", None, None))
    for text in args.apdus:
        steps.append((text, "apdu", parse_hex(text, "APDU"), None))
    if args.script:
        steps += read_script(args.script)
    if not steps:
        raise UsageError("nothing to send: give APDUs as hex, --atr, or -f "
                         "SCRIPT")
    from netcard_host import vpcd
    link = CardLink(args.host, args.port, args.timeout)
    link.ensure_powered()
    failures = 0
    for where, kind, payload, expectation in steps:
        if kind == "cold":
            link.control(vpcd.POWER_OFF)
            link.control(vpcd.POWER_ON)
            continue
        if kind == "reset":
            link.control(vpcd.RESET)
            continue
        if kind == "power-off":
            link.control(vpcd.POWER_OFF)
            continue
        if kind == "power-on":
            link.control(vpcd.POWER_ON)
            continue
        response = link.atr() if kind == "atr" else link.exchange(payload)
        print(response.hex().upper())
        if expectation and not matches(expectation, response):
            failures += 1
            star, pattern = expectation
            print(f"{PROG}: {where}: expected {'*' if star else ''}{pattern}, "
                  f"got {response.hex().upper() or '(empty)'}",
                  file=sys.stderr)
    return 1 if failures else 0


# ---------------------------------------------------------------------------
# netcard gp: GlobalPlatform card management (SCP03) over vpcd framing
# (tools/netcard_host/gp.py; docs/gp.md). A convenience: tests never take
# expected bytes from it.
# ---------------------------------------------------------------------------
GP_ACTIONS = ("list", "info", "put-key", "install", "delete", "lock",
              "unlock", "lock-card", "unlock-card", "load")


def cmd_gp(args):
    from netcard_host import gp
    link = CardLink(args.host, args.port, args.timeout)
    link.ensure_powered()
    key = parse_hex(args.key, "key")
    if link.exchange(bytes.fromhex("00A4040000"))[-2:] != b"\x90\x00":
        raise UsageError("the card's ISD does not answer SELECT")

    def need(value, what):
        if not value:
            raise UsageError(f"gp {args.action} needs {what}")
        return parse_hex(value, what)

    try:
        if args.action == "info":
            lines = gp.gp_info(link.exchange)
        else:
            s = gp.Scp03(link.exchange, key).open(kvn=args.kvn,
                                                  level=args.level)
            if args.action == "list":
                lines = gp.gp_list(s)
            elif args.action == "put-key":
                lines = gp.gp_put_key(s, args.new_kvn,
                                      need(args.new_key, "--new-key"),
                                      replace=args.replace)
            elif args.action == "install":
                lines = gp.gp_install(s, need(args.package, "--package"),
                                      need(args.module, "--module"),
                                      need(args.aid, "--aid"),
                                      parse_hex(args.params or "", "params"))
            elif args.action == "delete":
                lines = gp.gp_delete(s, need(args.aid, "--aid"),
                                     related=args.related)
            elif args.action in ("lock", "unlock"):
                lines = gp.gp_set_status(s, 0x40, 0x80 if args.action ==
                                         "lock" else 0x00,
                                         need(args.aid, "--aid"))
            elif args.action in ("lock-card", "unlock-card"):
                lines = gp.gp_set_status(s, 0x80, 0x7F if args.action ==
                                         "lock-card" else 0x0F)
            else:
                if not args.file:
                    raise UsageError("gp load needs --file")
                with open(args.file, "rb") as f:
                    blob = f.read()
                lines = gp.gp_load(s, need(args.package, "--package"), blob)
    except gp.GpError as e:
        print(f"{PROG}: gp {args.action}: {e}", file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    return 0


# ---------------------------------------------------------------------------
# netcard perso PROFILE.json: personalise a card started with run (docs/
# usim.md): ADM1 first, the files with UPDATE BINARY / RECORD, the keys and
# PINs through the personalization application (INS 50, 52).
# ---------------------------------------------------------------------------
PERSO_AID = "F06E65746361726402"
USIM_AID_PREFIX = "A0000000871002"
PERSO_KEYS = {"adm", "iccid", "imsi", "mcc", "mnc", "ki", "opc", "op", "sqn",
              "pin1", "puk1", "new_adm", "msisdn", "spn"}


def bcd_swapped(digits, length):
    """Digits as BCD with the nibbles of each byte swapped, F padded
    (TS 102 221 13.2 ICCID, TS 31.102 dialling numbers)."""
    d = digits + "F" * (2 * length - len(digits))
    return bytes.fromhex("".join(d[i + 1] + d[i] for i in range(0, len(d), 2)))


def encode_imsi(imsi):
    """TS 31.102 4.2.2: length, then digit 1 with parity / type 1."""
    d = ("9" if len(imsi) % 2 else "1") + imsi
    if len(d) % 2:
        d += "F"
    body = bytes.fromhex("".join(d[i + 1] + d[i] for i in range(0, len(d), 2)))
    return bytes([len(body)]) + body + b"\xff" * (8 - len(body))


def encode_plmn(mcc, mnc):
    """TS 24.008 10.5.1.3."""
    m3 = mnc[2] if len(mnc) == 3 else "F"
    return bytes.fromhex(mcc[1] + mcc[0] + m3 + mcc[2] + mnc[1] + mnc[0])


def pin_bytes(text, what):
    if not text.isdigit() or not 4 <= len(text) <= 8:
        raise UsageError(f"{what}: '{text}' is not 4 to 8 digits")
    return text.encode() + b"\xff" * (8 - len(text))


def hex16(profile, key):
    v = profile[key]
    try:
        b = bytes.fromhex(v)
    except (TypeError, ValueError):
        b = b""
    if len(b) != 16:
        raise UsageError(f"{key}: '{v}' is not 16 bytes of hex")
    return b


def cmd_perso(args):
    import json
    try:
        with open(args.profile) as f:
            profile = json.load(f)
    except OSError as e:
        raise UsageError(f"cannot read {args.profile}: {e.strerror}")
    except ValueError as e:
        raise UsageError(f"{args.profile}: not JSON: {e}")
    unknown = set(profile) - PERSO_KEYS
    if unknown:
        raise UsageError(f"{args.profile}: unknown keys {sorted(unknown)} "
                         f"(known: {sorted(PERSO_KEYS)})")
    link = CardLink(args.host, args.port, args.timeout)
    link.ensure_powered()

    def send(hex_apdu, what, ok=("9000",)):
        rsp = link.exchange(bytes.fromhex(hex_apdu))
        sw = rsp[-2:].hex().upper()
        if sw not in ok:
            raise UsageError(f"{what}: the card answered {sw} to {hex_apdu}")
        return rsp[:-2]

    def update_binary(path, data, what):
        send("00A4080C%02X%s" % (len(path) // 2, path), f"{what}: SELECT")
        send("00D60000%02X%s" % (len(data), data.hex()), what)
        print(f"{PROG} perso: {what}: ok")

    def select_usim(fid):
        send("00A4040C07" + USIM_AID_PREFIX, "SELECT ADF.USIM")
        send("00A4000C02" + fid, f"SELECT {fid}")

    adm = pin_bytes(profile.get("adm", "88888888"), "adm")
    send("0020000A08" + adm.hex(), "VERIFY ADM1")
    if "iccid" in profile:
        update_binary("2FE2", bcd_swapped(profile["iccid"], 10), "EF.ICCID")
    if "imsi" in profile:
        imsi = profile["imsi"]
        select_usim("6F07")
        send("00D6000009" + encode_imsi(imsi).hex(), "EF.IMSI")
        print(f"{PROG} perso: EF.IMSI: ok")
        acc = 1 << int(imsi[-1])
        select_usim("6F78")
        send("00D6000002%04X" % acc, "EF.ACC")
        print(f"{PROG} perso: EF.ACC: ok")
    if "mcc" in profile and "mnc" in profile:
        plmn = encode_plmn(profile["mcc"], profile["mnc"])
        for fid, name in (("6F60", "EF.PLMNwAcT"), ("6F61", "EF.OPLMNwAcT"),
                          ("6F62", "EF.HPLMNwAcT")):
            select_usim(fid)
            send("00D6000005" + plmn.hex() + "C080", name)
            print(f"{PROG} perso: {name}: ok")
        select_usim("6FAD")
        send("00D6000004000000%02X" % len(profile["mnc"]), "EF.AD")
        update_binary("7F206F30", plmn, "DF.GSM/EF.PLMNsel")
    if "spn" in profile:
        name = profile["spn"].encode()[:16]
        select_usim("6F46")
        send("00D6000011" + (b"\x01" + name + b"\xff" * (16 - len(name))).hex(),
             "EF.SPN")
        print(f"{PROG} perso: EF.SPN: ok")
    if "msisdn" in profile:
        number = profile["msisdn"]
        ton = 0x91 if number.startswith("+") else 0x81
        digits = number.lstrip("+")
        bcd = bcd_swapped(digits, (len(digits) + 1) // 2)
        rec = b"\xff" * 10 + bytes([len(bcd) + 1, ton]) + bcd
        rec += b"\xff" * (24 - len(rec))
        select_usim("6F40")
        send("00DC010418" + rec.hex(), "EF.MSISDN")
        print(f"{PROG} perso: EF.MSISDN: ok")
    keys = b""
    if "ki" in profile:
        keys += b"\x01\x10" + hex16(profile, "ki")
        if "opc" in profile:
            keys += b"\x02\x10" + hex16(profile, "opc")
        elif "op" in profile:
            keys += b"\x03\x10" + hex16(profile, "op")
        else:
            raise UsageError("ki needs opc or op")
    if "sqn" in profile:
        if not keys:
            raise UsageError("sqn goes with ki and opc/op")
        sqn = profile["sqn"]
        sqn = int(sqn, 0) if isinstance(sqn, str) else int(sqn)
        keys += b"\x04\x06" + sqn.to_bytes(6, "big")
    if keys or "pin1" in profile or "new_adm" in profile:
        send("00A4040009" + PERSO_AID + "00", "SELECT perso")
    if keys:
        send("80500000%02X" % len(keys) + keys.hex(), "SET USIM KEYS")
        print(f"{PROG} perso: Ki, OPc{', SQN' if 'sqn' in profile else ''}: ok")
    if "pin1" in profile:
        data = pin_bytes(profile["pin1"], "pin1")
        if "puk1" in profile:
            data += pin_bytes(profile["puk1"], "puk1")
        send("80520001%02X" % len(data) + data.hex(), "SET PIN1")
        print(f"{PROG} perso: PIN1{'/PUK1' if 'puk1' in profile else ''}: ok")
    if "new_adm" in profile:
        send("8052000A08" + pin_bytes(profile["new_adm"], "new_adm").hex(),
             "SET ADM1")
        print(f"{PROG} perso: ADM1: ok")
    return 0


# ---------------------------------------------------------------------------
# netcard qemu-cmdline: the builder's option words (tools/lib/qemu_cmdline.h)
# go to it unchanged; this command adds --format and a default --qemu.
# Pure: no file, port or process is looked at.
# ---------------------------------------------------------------------------
CMDLINE_FORMATS = ("shell", "lines", "nul")
QEMU_CMDLINE_USAGE = (f"usage: {PROG} qemu-cmdline [--format "
                      "shell|lines|nul] [OPTIONS] [-- QEMU-ARGS]")


def cmd_qemu_cmdline(argv):
    fmt = "shell"
    words = ["--qemu", os.environ.get("NETCARD_QEMU", DEFAULT_QEMU)]
    i = 0
    while i < len(argv):
        word = argv[i]
        if word == "--":
            words += argv[i:]
            break
        if word in ("-h", "--help"):
            print(f"{QEMU_CMDLINE_USAGE}\n\n"
                  "Print the QEMU command line these options make, from the "
                  "builder every\nnetcard program uses, without starting "
                  "anything. --qemu defaults to\n$NETCARD_QEMU, else "
                  f"{DEFAULT_QEMU}.\n\n"
                  "  --format FORMAT             one shell line (default), "
                  "one argument a line\n"
                  "                              (lines), NUL-terminated "
                  "arguments (nul)")
            print(host_library(qemu_cmdline.usage), end="")
            return 0
        if word == "--format" or word.startswith("--format="):
            value = word[len("--format="):] if "=" in word else \
                (argv[i + 1] if i + 1 < len(argv) else "")
            i += 1 if "=" in word else 2
            if value not in CMDLINE_FORMATS:
                raise UsageError(f"--format: '{value}' is not one of "
                                 f"{', '.join(CMDLINE_FORMATS)}")
            fmt = value
            continue
        words.append(word)
        i += 1
    try:
        cmd = host_library(qemu_cmdline.argv, words)
    except ValueError as e:
        raise UsageError(f"{e} (see '{PROG} qemu-cmdline --help')")
    return print_cmdline(cmd, fmt)


# ---------------------------------------------------------------------------
# netcard ras: the remote administration server (net/ras, Amendment B).
# Everything after 'ras' goes to BUILD/bin/netcard-ras unchanged:
# serve | card | cards | enqueue | status | log (docs/remote-admin.md).
# ---------------------------------------------------------------------------
RAS_BIN = os.path.join(BUILD, "bin", "netcard-ras")


def cmd_ras(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(f"usage: {PROG} ras serve|card|cards|enqueue|status|log "
              "[OPTIONS]\n\nThe remote administration server "
              f"({RAS_BIN}); '{PROG} ras COMMAND --help'\nlists a command's "
              "options.")
        return 0 if argv else 2
    if not os.access(RAS_BIN, os.X_OK):
        print(f"{PROG}: {RAS_BIN} is missing: run make", file=sys.stderr)
        return 1
    os.execv(RAS_BIN, [RAS_BIN] + argv)


# ---------------------------------------------------------------------------
# netcard admin: ADMIN TRIGGER and the last session's outcome over vpcd
# framing (tools/netcard_host/admin.py, docs/remote-admin.md).
# ---------------------------------------------------------------------------
def cmd_admin(args):
    from netcard_host import admin
    link = CardLink(args.host, args.port, args.timeout)
    link.ensure_powered()
    aid = "".join(args.sd.split())
    parse_hex(aid, "--sd AID")
    try:
        if args.action == "trigger":
            sw, text = admin.trigger(link.exchange, aid)
            print(f"{sw:04X} {text}")
            return 0 if sw == 0x9000 else 1
        raw, o = admin.outcome(link.exchange, aid)
    except admin.AdminError as e:
        raise UsageError(str(e))
    print(admin.format_outcome(raw, o))
    return 0


def make_parser():
    parser = Parser(prog=PROG,
                    description="Boot and debug the netcard virtual card.")
    parser.add_argument("--version", action="version",
                        version=f"{PROG} {version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND",
                                parser_class=Parser)
    sub.required = True

    run = sub.add_parser("run", help="boot the virtual card",
                         description="Boot the virtual card in QEMU. "
                         "QEMU options may follow '--'.")
    run.add_argument("--nvm", metavar="FILE", default=DEFAULT_NVM,
                     help="NVM image; created erased (0xFF) if missing; "
                     ".qcow2 images are qcow2, for savevm snapshots "
                     "(default: %(default)s)")
    run.add_argument("--gdb", metavar="PORT", nargs="?", type=port_number,
                     const=DEFAULT_GDB_PORT,
                     help="start halted with the gdb stub on 127.0.0.1:PORT "
                     f"(default port {DEFAULT_GDB_PORT})")
    run.add_argument("--qmp", metavar="PATH",
                     help="QMP control socket (unix socket path)")
    run.add_argument("--nvm-size", metavar="SIZE", type=nvm_size_arg,
                     help="NVM size of a new image (1M..16M, whole 4 KiB "
                     "pages; default 2M); an existing raw image's own size "
                     "decides (docs/nvm.md)")
    run.add_argument("--seed", metavar="N", type=seed_number,
                     help="seed for the card's random sources (QEMU -seed)")
    run.add_argument("--iso", metavar="tcp:HOST:PORT", type=iso_endpoint,
                     default=(DEFAULT_ISO_HOST, DEFAULT_ISO_PORT),
                     help="listen for a vpcd client (ISO 7816 contact "
                     "interface) there, or 'none' (default: tcp:"
                     f"{DEFAULT_ISO_HOST}:{DEFAULT_ISO_PORT})")
    run.add_argument("--pcsc", metavar="PORT", nargs="?", type=port_number,
                     const=DEFAULT_ISO_PORT,
                     help="connect to pcscd's vpcd on 127.0.0.1:PORT instead "
                     f"(default port {DEFAULT_ISO_PORT}), retrying until it "
                     "listens")
    run.add_argument("--http-port", metavar="PORT", type=port_number,
                     default=DEFAULT_HTTP_PORT,
                     help="forward 127.0.0.1:PORT to the card's web server "
                     f"(port {CARD_HTTP_PORT}; default: %(default)s)")
    run.add_argument("--https-port", metavar="PORT", type=port_number,
                     default=DEFAULT_HTTPS_PORT,
                     help="forward 127.0.0.1:PORT to the card's HTTPS "
                     f"(TLS-PSK) port {CARD_HTTPS_PORT} (default: "
                     "%(default)s)")
    run.add_argument("--no-net", action="store_true",
                     help="no network link (no NIC backend)")
    run.add_argument("--pcap", metavar="FILE",
                     help="write the card's network traffic to FILE "
                     "(pcap, QEMU filter-dump)")
    run.add_argument("--apdu-pcap", metavar="FILE",
                     help="write every APDU and its response to FILE (pcap, "
                     "GSMTAP: Wireshark decodes GSM SIM / ISO 7816-4)")
    run.add_argument("--deterministic", action="store_true",
                     help="runs that repeat: seeded TRNG (--seed, default "
                     "1), -icount, a fixed RTC")
    run.add_argument("--apdu-cost", metavar="FILE.csv",
                     help="write the guest instructions of each APDU to "
                     "FILE.csv (TCG plugin apdu_cost)")
    run.add_argument("--coverage", metavar="DIR",
                     help="record the card OS instructions executed into "
                     "DIR/netcard-PID.cov ('netcard coverage lcov')")
    run.add_argument("--instances", metavar="N", type=int,
                     help="start N cards, each with its own ports, NVM "
                     "(DIR/card-I.nvm) and network; print their ports; "
                     "stop them all on Ctrl-C")
    run.add_argument("--instances-dir", metavar="DIR", default="cards",
                     help="folder of the --instances cards' NVM images and "
                     "logs (default: %(default)s)")
    run.add_argument("--image", metavar="ELF", default=DEFAULT_IMAGE,
                     help="card OS image (default: %(default)s)")
    run.add_argument("--qemu", metavar="BIN",
                     default=os.environ.get("NETCARD_QEMU", DEFAULT_QEMU),
                     help="qemu-system-arm to use (default: %(default)s)")
    run.add_argument("--print-cmdline", metavar="FORMAT", nargs="?",
                     const="shell", choices=CMDLINE_FORMATS,
                     help="print the QEMU command line and exit: as one "
                     "shell line (default), one argument a line (lines), "
                     "or NUL-terminated arguments (nul)")
    run.set_defaults(func=cmd_run)

    gdb = sub.add_parser("gdb", help="attach gdb-multiarch to a running card",
                         description="Attach gdb-multiarch, with the card "
                         "OS symbols, to a card started with 'run --gdb'.")
    gdb.add_argument("--port", type=port_number, default=DEFAULT_GDB_PORT,
                     help="gdb stub port (default: %(default)s)")
    gdb.add_argument("--image", metavar="ELF", default=DEFAULT_IMAGE,
                     help="card OS image with symbols (default: %(default)s)")
    gdb.add_argument("--print-cmdline", action="store_true",
                     help="print the gdb command line and exit")
    gdb.add_argument("--applet", metavar="ELF",
                     help="also load this applet's symbols (with --code, "
                     "--data)")
    gdb.add_argument("--code", type=lambda v: int(v, 0), metavar="ADDR",
                     help="where the card runs the applet's code")
    gdb.add_argument("--data", type=lambda v: int(v, 0), metavar="ADDR",
                     help="where the instance's data starts in RAM")
    gdb.set_defaults(func=cmd_gdb)

    apdu = sub.add_parser("apdu", help="send APDUs to a card started with run",
                          description="Speak vpcd framing to a card started "
                          "with 'netcard run' (--iso): print each response as "
                          "uppercase hex, SW last. The card is powered on "
                          "first if it reports no ATR.")
    apdu.add_argument("apdus", metavar="HEX", nargs="*",
                      help="C-APDUs as hex, e.g. 00A4040000")
    apdu.add_argument("--port", type=port_number, default=DEFAULT_ISO_PORT,
                      help="the card's ISO 7816 port (default: %(default)s)")
    apdu.add_argument("--host", default=DEFAULT_ISO_HOST,
                      help="the card's host (default: %(default)s)")
    apdu.add_argument("--atr", action="store_true",
                      help="print the ATR first")
    reset = apdu.add_mutually_exclusive_group()
    reset.add_argument("--reset", action="store_true",
                       help="warm reset before the APDUs")
    reset.add_argument("--cold", action="store_true",
                       help="power off and on before the APDUs")
    apdu.add_argument("-f", dest="script", metavar="SCRIPT",
                      help="run a script: lines 'HEX [-> EXPECT]', 'atr', "
                      "'reset', 'cold'; EXPECT is hex with X wildcards, a "
                      "leading * matches any data; exit 1 on a mismatch")
    apdu.add_argument("--timeout", type=float, default=30.0,
                      help="seconds to wait for each answer (default: "
                      "%(default)s)")
    apdu.set_defaults(func=cmd_apdu)

    gpp = sub.add_parser("gp", help="GlobalPlatform card management",
                         description="Manage the card's GlobalPlatform "
                         "content over SCP03 (docs/gp.md): list the "
                         "registry, card data, PUT KEY, INSTALL of ROM "
                         "modules, DELETE, lock/unlock, LOAD of native "
                         "load files.")
    gpp.add_argument("action", choices=GP_ACTIONS)
    gpp.add_argument("--port", type=port_number, default=DEFAULT_ISO_PORT,
                     help="the card's ISO 7816 port (default: %(default)s)")
    gpp.add_argument("--host", default=DEFAULT_ISO_HOST,
                     help="the card's host (default: %(default)s)")
    gpp.add_argument("--key", default="404142434445464748494A4B4C4D4E4F",
                     help="static ENC = MAC = DEK key (default: the test "
                     "key 40..4F)")
    gpp.add_argument("--kvn", type=lambda v: int(v, 16), default=0,
                     help="key version to open the session with (hex; "
                     "default 00: the card's default)")
    gpp.add_argument("--level", type=lambda v: int(v, 16), default=0x01,
                     help="security level (hex: 00, 01, 03; default 01)")
    gpp.add_argument("--new-kvn", type=lambda v: int(v, 16), default=0x31,
                     help="put-key: the new key version (hex)")
    gpp.add_argument("--new-key", help="put-key: the new AES key (hex), "
                     "ENC = MAC = DEK")
    gpp.add_argument("--replace", type=lambda v: int(v, 16), default=0,
                     help="put-key: the key version it replaces (hex; 00: "
                     "a new key set)")
    gpp.add_argument("--package", help="load file AID (hex)")
    gpp.add_argument("--module", help="module AID (hex)")
    gpp.add_argument("--aid", help="application AID (hex)")
    gpp.add_argument("--params", help="install: install parameters (C9 "
                     "value, hex)")
    gpp.add_argument("--related", action="store_true",
                     help="delete: with related objects")
    gpp.add_argument("--file", help="load: the load file")
    gpp.add_argument("--timeout", type=float, default=30.0,
                     help="seconds to wait for each answer")
    gpp.set_defaults(func=cmd_gp)

    adm = sub.add_parser("admin", help="the card's remote administration "
                         "agent: trigger a session, read the last outcome",
                         description="trigger: ADMIN TRIGGER (80 4C 00 00) "
                         "to a security domain, the agent opens a PSK-TLS "
                         "session to its server; outcome: GET DATA DF3A "
                         "decoded (docs/remote-admin.md).")
    adm.add_argument("action", choices=("trigger", "outcome"))
    adm.add_argument("--port", type=port_number, default=DEFAULT_ISO_PORT,
                     help="the card's ISO 7816 port (default: %(default)s)")
    adm.add_argument("--host", default=DEFAULT_ISO_HOST,
                     help="the card's host (default: %(default)s)")
    adm.add_argument("--sd", default="A000000151000000", metavar="AID",
                     help="the security domain (default: the ISD "
                     "%(default)s)")
    adm.add_argument("--timeout", type=float, default=30.0,
                     help="seconds to wait for each answer")
    adm.set_defaults(func=cmd_admin)

    perso = sub.add_parser("perso", help="personalise a card started with "
                           "run from a JSON profile (docs/usim.md)",
                           description="Personalise the card: VERIFY ADM1, "
                           "then ICCID, IMSI, PLMN, SPN, MSISDN with UPDATE "
                           "BINARY/RECORD, Ki/OPc/SQN and PINs through the "
                           "personalization application.")
    perso.add_argument("profile", metavar="PROFILE.json")
    perso.add_argument("--port", type=port_number, default=DEFAULT_ISO_PORT,
                       help="the card's ISO 7816 port (default: %(default)s)")
    perso.add_argument("--host", default=DEFAULT_ISO_HOST,
                       help="the card's host (default: %(default)s)")
    perso.add_argument("--timeout", type=float, default=30.0,
                       help="seconds to wait for each answer")
    perso.set_defaults(func=cmd_perso)

    from netcard_host import testcmd
    testcmd.add_parser(sub, os.environ.get("NETCARD_QEMU", DEFAULT_QEMU),
                       os.path.dirname(DEFAULT_IMAGE))

    # Parsed by netcard_host.coverage.main; listed here for --help.
    sub.add_parser("coverage", add_help=False,
                   help="card OS coverage: lcov tracefiles from 'run "
                   "--coverage', merge, html (genhtml)")
    # Parsed by cmd_ras (netcard-ras); listed here for --help.
    sub.add_parser("ras", add_help=False,
                   help="remote administration server: serve, enqueue, "
                   "status, log (Amendment B)")
    # Parsed by cmd_qemu_cmdline; listed here for --help.
    sub.add_parser("qemu-cmdline", add_help=False,
                   help="print a QEMU command line for the machine (the "
                   "one builder's options)")
    return parser


def cmd_pack(argv):
    """netcard pack APP.ELF -o APP.NCAP: the SDK's packer
    (cardos/sdk/ncap_pack.py, docs/applets.md)."""
    sdk = os.path.join(SRCDIR, "cardos", "sdk")
    if not os.path.isfile(os.path.join(sdk, "ncap_pack.py")):
        raise UsageError(f"the SDK is not at {sdk}")
    sys.path.insert(0, sdk)
    import ncap_pack
    return ncap_pack.main(argv)


def main(argv):
    if argv[:1] == ["coverage"]:
        from netcard_host import coverage
        try:
            return coverage.main(argv[1:], DEFAULT_IMAGE)
        except (coverage.CoverageError, OSError) as e:
            print(f"{PROG} coverage: {e}", file=sys.stderr)
            return 2
    if argv[:1] == ["ras"]:
        return cmd_ras(argv[1:])
    if argv[:1] == ["pack"]:
        try:
            return cmd_pack(argv[1:])
        except UsageError as e:
            print(f"{PROG}: {e}", file=sys.stderr)
            return 2
    if argv[:1] == ["qemu-cmdline"]:
        try:
            return cmd_qemu_cmdline(argv[1:])
        except UsageError as e:
            print(f"{PROG}: {e}", file=sys.stderr)
            return 2
    # Everything after a bare '--' goes to QEMU untouched.
    qemu_args = []
    if "--" in argv:
        i = argv.index("--")
        argv, qemu_args = argv[:i], argv[i + 1:]
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
        args.iso_given = any(a == "--iso" or a.startswith("--iso=")
                             for a in argv)
        args.http_port_given = any(a == "--http-port" or
                                   a.startswith("--http-port=") for a in argv)
        args.https_port_given = any(a == "--https-port" or
                                    a.startswith("--https-port=")
                                    for a in argv)
        if args.command != "run" and qemu_args:
            raise UsageError("QEMU arguments after '--' only go with 'run'")
        args.qemu_args = qemu_args
        return args.func(args)
    except UsageError as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
