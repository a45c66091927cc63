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
# This file only puts the commands together; each family is a module of
# netcard_host/: runcmd (run, qemu-cmdline), gdbcmd, apducmd, persocmd,
# gpcmd, rascmd, packcmd, testcmd, coverage; cli holds what they share (paths,
# defaults, UsageError, argument types).
#
# QEMU command lines come from one builder and vpcd framing from one
# client, both in the host library (tools/lib: qemu_cmdline.c, vpcd.c;
# build/lib/libnetcard-host.so, through netcard_host/); the tests and the
# benchmarks use the same two.
#
# SPDX-License-Identifier: Apache-2.0

import os
import sys

BUILD = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
# Installed: the package is in BUILD/lib/python. From the source tree,
# Python finds it beside this file.
sys.path.insert(1, os.path.join(BUILD, "lib", "python"))
from netcard_host import (admincmd, apducmd, gdbcmd,  # noqa: E402
                          gpcmd, packcmd, persocmd, rascmd, runcmd)
from netcard_host.cli import (DEFAULT_IMAGE, DEFAULT_QEMU,  # noqa: E402
                              PROG, Parser, UsageError, version)


def make_parser():
    parser = Parser(prog=PROG,
                    description="Boot and debug the netcard virtual card.")
    parser.add_argument("--version", action="version",
                        version=f"{PROG} {version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND",
                                parser_class=Parser)
    sub.required = True

    runcmd.add_parser(sub)
    gdbcmd.add_parser(sub)
    apducmd.add_parser(sub)
    gpcmd.add_parser(sub)
    admincmd.add_parser(sub)
    persocmd.add_parser(sub)
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


def main(argv):
    if argv[:1] == ["coverage"]:
        from netcard_host import coverage
        try:
            return coverage.main(argv[1:], DEFAULT_IMAGE)
        except (coverage.CoverageError, OSError) as e:
            print(f"{PROG} coverage: {e}", file=sys.stderr)
            return 2
    if argv[:1] == ["ras"]:
        return rascmd.cmd_ras(argv[1:])
    if argv[:1] == ["pack"]:
        try:
            return packcmd.cmd_pack(argv[1:])
        except UsageError as e:
            print(f"{PROG}: {e}", file=sys.stderr)
            return 2
    if argv[:1] == ["qemu-cmdline"]:
        try:
            return runcmd.cmd_qemu_cmdline(argv[1:])
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
