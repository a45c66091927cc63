#!/usr/bin/python3
# elfsym: symbol addresses and sizes from an ELF file's symbol table, for
# the insn_window TCG plugin (tests/plugins/insn_window.c) and other
# benchmarks; the reader is tools/netcard_host/elf.py.
#
#   elfsym.py FILE SYMBOL...          one line per symbol: 0xADDR SIZE NAME
#   elfsym.py --plugin-args FILE BEGIN END
#                                     begin=0x..,end=0x.. for -plugin
#
#   import elfsym
#   syms = elfsym.symbols("build/cardos/cardos.elf")
#   syms["bench_mark_begin"] -> Symbol(addr=0x..., size=..., kind="func")
#
# Function addresses are returned without the Thumb bit (bit 0 of an ARM
# ELF function symbol's value), i.e. as the address of the first
# instruction, which is what the plugin compares against.
#
# SPDX-License-Identifier: Apache-2.0

import os
import sys

sys.path.insert(1, os.path.join(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))), "tools"))
from netcard_host.elf import ElfError, Symbol, lookup, symbols  # noqa: E402,F401


def plugin_args(path, begin, end):
    """'begin=0x..,end=0x..' for the insn_window plugin."""
    b, e = lookup(path, begin, end)
    return "begin=0x%x,end=0x%x" % (b.addr, e.addr)


def main(argv):
    try:
        if len(argv) == 4 and argv[0] == "--plugin-args":
            print(plugin_args(argv[1], argv[2], argv[3]))
            return 0
        if len(argv) < 2 or argv[0].startswith("-"):
            print("usage: elfsym.py FILE SYMBOL... | --plugin-args FILE "
                  "BEGIN END", file=sys.stderr)
            return 2
        for name, s in zip(argv[1:], lookup(argv[0], *argv[1:])):
            print("0x%08x %d %s" % (s.addr, s.size, name))
    except (OSError, ElfError) as e:
        print("elfsym: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
