# `netcard run` (boot the card in QEMU, exec'd) and `netcard qemu-cmdline`
# (the one builder's command line, printed): tools/netcard.py's commands.
#
# SPDX-License-Identifier: Apache-2.0

import argparse
import os
import shlex
import sys

from . import qemu_cmdline

# --web-tls: the terminator's port and the PSK it holds (the card's test
# PSK, docs/network.md, the only key until the card manager provisions
# others).
DEFAULT_WEB_TLS_PORT = 8444
WEB_TLS_IDENTITY = "netcard-test"
WEB_TLS_PSK = "000102030405060708090a0b0c0d0e0f"
from .cli import (BUILD, CARD_HTTPS_PORT, CARD_HTTP_PORT, DEFAULT_GDB_PORT,
                  DEFAULT_HTTPS_PORT, DEFAULT_HTTP_PORT, DEFAULT_IMAGE,
                  DEFAULT_ISO_HOST, DEFAULT_ISO_PORT, DEFAULT_NVM,
                  DEFAULT_QEMU, GDB, NET_HOST, NVM_ERASED, NVM_PAGE, NVM_SIZE,
                  NVM_SIZE_MAX, NVM_SIZE_MIN, PROG, UsageError, check_file,
                  check_port_free, host_library, iso_endpoint, port_number,
                  qemu_argv, seed_number)


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
    # --instances chooses every card's ports: the defaults are not its
    own = args.instances is None
    if args.pcsc is None and args.iso is not None and own:
        check_port_free(args.iso[1], "--iso", args.iso[0])
    if args.no_net and (args.http_port_given or args.https_port_given
                        or args.pcap):
        raise UsageError("--no-net excludes --http-port, --https-port and "
                         "--pcap")
    if not args.no_net:
        if args.http_port == args.https_port:
            raise UsageError(f"--http-port and --https-port are both "
                             f"{args.http_port}")
        if own:
            check_port_free(args.http_port, "--http-port", NET_HOST)
            check_port_free(args.https_port, "--https-port", NET_HOST)
        if args.pcap:
            pcap_dir = os.path.dirname(os.path.abspath(args.pcap))
            if not os.path.isdir(pcap_dir):
                raise UsageError(f"--pcap folder {pcap_dir} does not exist")
    if args.web_tls is not None:
        if args.no_net or args.instances is not None:
            raise UsageError("--web-tls needs the network of one card "
                             "(not --no-net, not --instances)")
        if args.web_tls in (args.http_port, args.https_port):
            raise UsageError(f"--web-tls port {args.web_tls} is already "
                             "forwarded to the card")
        check_port_free(args.web_tls, "--web-tls", NET_HOST)
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
    if args.web_tls is not None:
        from netcard_host import web_tls
        sys.stderr.flush()
        try:
            _, cert, made = web_tls.fork_terminator(
                NET_HOST, args.web_tls, args.https_port, WEB_TLS_IDENTITY,
                WEB_TLS_PSK)
        except OSError as e:
            raise UsageError(f"--web-tls: {e.strerror or e}")
        say(f"HTTPS for browsers: https://{NET_HOST}:{args.web_tls}/  "
            f"(local TLS terminator, certificate {cert}"
            f"{' (new)' if made else ''}; to the card's PSK port with "
            f"the test PSK '{WEB_TLS_IDENTITY}')")
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


def add_parser(sub):
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
    run.add_argument("--web-tls", metavar="PORT", nargs="?",
                     type=port_number, const=DEFAULT_WEB_TLS_PORT,
                     help="HTTPS for browsers on 127.0.0.1:PORT: a local "
                     "TLS terminator (self-signed certificate made at "
                     "first use) carrying requests to the card's TLS-PSK "
                     f"port (default port {DEFAULT_WEB_TLS_PORT})")
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
    return run
