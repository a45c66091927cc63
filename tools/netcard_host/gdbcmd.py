# `netcard gdb`: gdb-multiarch with the card OS symbols, attached to a card
# started with `netcard run --gdb`.
#
# SPDX-License-Identifier: Apache-2.0

import os
import shlex

from .cli import (DEFAULT_GDB_PORT, DEFAULT_IMAGE, GDB, UsageError, check_file,
                  port_number)


def cmd_gdb(args):
    image = os.path.abspath(args.image)
    check_file(image, "card OS image", "build it with 'make cardos'")
    import shutil
    gdb = shutil.which(GDB)
    if not gdb:
        raise UsageError(f"{GDB} not found: apt-get install gdb-multiarch")
    cmd = [gdb, "-q", image, "-ex", f"target remote 127.0.0.1:{args.port}"]
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
    gdb.set_defaults(func=cmd_gdb)
    return gdb
