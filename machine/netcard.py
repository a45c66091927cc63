#!/usr/bin/python3
# netcard launcher: boots the virtual card in QEMU with DESIGN.md's
# defaults, and attaches gdb to it. Installed as build/bin/netcard; it finds
# QEMU and the card OS relative to itself (build/qemu, build/cardos).
#
#   netcard run [--nvm FILE] [--gdb[=PORT]] [--qmp PATH] [--seed N]
#               [--image ELF] [--qemu BIN] [--print-cmdline] [-- QEMU-ARGS]
#   netcard gdb [--port PORT] [--image ELF]
#
# Every problem found before QEMU starts is one line on stderr and exit
# status 2; once QEMU runs, the launcher is replaced by it (exec), so the
# exit status is QEMU's.
#
# SPDX-License-Identifier: Apache-2.0

import argparse
import errno
import os
import shlex
import shutil
import socket
import sys

PROG = "netcard"
BUILD = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
SRCDIR = os.path.dirname(BUILD)
DEFAULT_QEMU = os.path.join(BUILD, "qemu", "qemu-system-arm")
DEFAULT_IMAGE = os.path.join(BUILD, "cardos", "cardos.elf")
DEFAULT_NVM = "card.nvm"
DEFAULT_GDB_PORT = 1234
NVM_SIZE = 1024 * 1024          # peripherals/netcard_nvm.h
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


def check_port_free(port, what):
    """Refuse to start when a port QEMU must listen on is taken."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise UsageError(f"port {port} on 127.0.0.1 is in use ({what})")
            raise UsageError(f"cannot listen on 127.0.0.1:{port} ({what}): "
                             f"{e.strerror}")


def check_file(path, what, hint):
    if not os.path.isfile(path):
        raise UsageError(f"{what} {path} not found: {hint}")


def prepare_nvm(path):
    """Create an erased (all 0xFF) 1 MiB image if the file is missing.
    Returns True when it was created."""
    if os.path.exists(path):
        if not os.path.isfile(path):
            raise UsageError(f"NVM image {path} is not a regular file")
        size = os.path.getsize(path)
        if size != NVM_SIZE and not path.endswith(".qcow2"):
            raise UsageError(f"NVM image {path} is {size} bytes; a raw image "
                             f"must be {NVM_SIZE} bytes (1 MiB)")
        return False
    tmp = f"{path}.tmp{os.getpid()}"
    try:
        with open(tmp, "wb") as f:
            f.write(NVM_ERASED * NVM_SIZE)
        os.replace(tmp, path)
    except OSError as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise UsageError(f"cannot create NVM image {path}: {e.strerror}")
    return True


def nvm_drive(path):
    fmt = "qcow2" if path.endswith(".qcow2") else "raw"
    # QEMU's option parser treats ',' as a separator: double it.
    return f"if=pflash,format={fmt},file={path.replace(',', ',,')}"


def build_run_cmdline(args):
    cmd = [args.qemu, "-M", "netcard", "-kernel", args.image,
           "-display", "none", "-monitor", "none",
           # Debug console on this terminal; Ctrl-A X quits, Ctrl-A C
           # switches to the QEMU monitor.
           "-serial", "mon:stdio",
           # The NIC arrives with the network issue; no default NIC now.
           "-nic", "none",
           "-drive", nvm_drive(args.nvm)]
    if args.gdb is not None:
        cmd += ["-gdb", f"tcp:127.0.0.1:{args.gdb}", "-S"]
    if args.qmp:
        cmd += ["-qmp", f"unix:{args.qmp},server=on,wait=off"]
    if args.seed is not None:
        cmd += ["-seed", str(args.seed)]
    return cmd + args.qemu_args


def cmd_run(args):
    args.qemu = os.path.abspath(args.qemu)
    args.image = os.path.abspath(args.image)
    check_file(args.qemu, "QEMU", "build it with 'make qemu'")
    check_file(args.image, "card OS image", "build it with 'make cardos'")
    if args.gdb is not None:
        check_port_free(args.gdb, "--gdb")
    if args.qmp:
        qmp_dir = os.path.dirname(os.path.abspath(args.qmp)) or "."
        if not os.path.isdir(qmp_dir):
            raise UsageError(f"QMP socket folder {qmp_dir} does not exist")
        if os.path.exists(args.qmp):
            raise UsageError(f"QMP socket {args.qmp} already exists "
                             "(another card running? remove it if not)")
    cmd = build_run_cmdline(args)
    if args.print_cmdline:
        print(shlex.join(cmd))
        return 0
    created = prepare_nvm(args.nvm)

    say = lambda text: print(f"{PROG}: {text}", file=sys.stderr)
    say(f"card OS {args.image}")
    say(f"NVM {args.nvm}" + (" (created, erased)" if created else ""))
    say("console on this terminal (Ctrl-A X quits)")
    if args.gdb is not None:
        say(f"halted; gdb stub on 127.0.0.1:{args.gdb}: "
            f"{GDB} {shlex.quote(args.image)} -ex 'target remote "
            f"127.0.0.1:{args.gdb}'   (or: {PROG} gdb --port {args.gdb})")
    if args.qmp:
        say(f"QMP on unix:{args.qmp}")
    sys.stderr.flush()
    try:
        os.execv(cmd[0], cmd)
    except OSError as e:
        raise UsageError(f"cannot run {cmd[0]}: {e.strerror}")


def cmd_gdb(args):
    image = os.path.abspath(args.image)
    check_file(image, "card OS image", "build it with 'make cardos'")
    gdb = shutil.which(GDB)
    if not gdb:
        raise UsageError(f"{GDB} not found: apt-get install gdb-multiarch")
    cmd = [gdb, "-q", image, "-ex", f"target remote 127.0.0.1:{args.port}"]
    if args.print_cmdline:
        print(shlex.join(cmd))
        return 0
    os.execv(gdb, cmd)


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
                     ".qcow2 images are used as qcow2 (default: %(default)s)")
    run.add_argument("--gdb", metavar="PORT", nargs="?", type=port_number,
                     const=DEFAULT_GDB_PORT,
                     help="start halted with the gdb stub on 127.0.0.1:PORT "
                     f"(default port {DEFAULT_GDB_PORT})")
    run.add_argument("--qmp", metavar="PATH",
                     help="QMP control socket (unix socket path)")
    run.add_argument("--seed", metavar="N", type=seed_number,
                     help="seed for the card's random sources (QEMU -seed)")
    run.add_argument("--image", metavar="ELF", default=DEFAULT_IMAGE,
                     help="card OS image (default: %(default)s)")
    run.add_argument("--qemu", metavar="BIN",
                     default=os.environ.get("NETCARD_QEMU", DEFAULT_QEMU),
                     help="qemu-system-arm to use (default: %(default)s)")
    run.add_argument("--print-cmdline", action="store_true",
                     help="print the QEMU command line and exit")
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
    gdb.set_defaults(func=cmd_gdb)
    return parser


def main(argv):
    # Everything after a bare '--' goes to QEMU untouched.
    qemu_args = []
    if "--" in argv:
        i = argv.index("--")
        argv, qemu_args = argv[:i], argv[i + 1:]
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
        if args.command != "run" and qemu_args:
            raise UsageError("QEMU arguments after '--' only go with 'run'")
        args.qemu_args = qemu_args
        return args.func(args)
    except UsageError as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
