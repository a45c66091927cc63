# `netcard gdb`: gdb-multiarch with the card OS symbols, attached to a card
# started with `netcard run --gdb`.
#
# SPDX-License-Identifier: Apache-2.0

import os
import shlex
import sys

from .cli import (DEFAULT_GDB_PORT, DEFAULT_IMAGE, GDB, SRCDIR, UsageError,
                  check_file, port_number)


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


def add_parser(sub):
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
    return gdb
