#!/usr/bin/python3
# elfsym: symbol addresses and sizes from an ELF file's symbol table, for
# the insn_window TCG plugin (tests/plugins/insn_window.c) and other
# benchmarks. Standard library only (no binutils, no pyelftools).
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

import collections
import struct
import sys

Symbol = collections.namedtuple("Symbol", "addr size kind")

_SHT_SYMTAB = 2
_STT_NAMES = {0: "notype", 1: "object", 2: "func", 3: "section", 4: "file"}
_EM_ARM = 40


class ElfError(Exception):
    pass


def symbols(path):
    """Every named symbol of the ELF file PATH: {name: Symbol}. Where a name
    occurs more than once (local statics), the first one wins."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF":
        raise ElfError("%s is not an ELF file" % path)
    cls, enc = data[4], data[5]
    if enc not in (1, 2):
        raise ElfError("%s: unknown byte order %d" % (path, enc))
    end = "<" if enc == 1 else ">"
    if cls == 1:
        hdr = struct.unpack_from(end + "HHIIIIIHHHHHH", data, 16)
        machine, shoff, shentsize, shnum = hdr[1], hdr[5], hdr[10], hdr[11]
        sym_fmt, sym_size = end + "IIIBBH", 16
    elif cls == 2:
        hdr = struct.unpack_from(end + "HHIQQQIHHHHHH", data, 16)
        machine, shoff, shentsize, shnum = hdr[1], hdr[5], hdr[10], hdr[11]
        sym_fmt, sym_size = end + "IBBHQQ", 24
    else:
        raise ElfError("%s: unknown ELF class %d" % (path, cls))

    sections = []
    for i in range(shnum):
        off = shoff + i * shentsize
        if cls == 1:
            (_n, stype, _fl, _a, soff, ssize, link, _i, _al,
             entsize) = struct.unpack_from(end + "IIIIIIIIII", data, off)
        else:
            (_n, stype, _fl, _a, soff, ssize, link, _i, _al,
             entsize) = struct.unpack_from(end + "IIQQQQIIQQ", data, off)
        sections.append((stype, soff, ssize, link, entsize))

    out = {}
    for stype, soff, ssize, link, entsize in sections:
        if stype != _SHT_SYMTAB:
            continue
        str_off, str_size = sections[link][1], sections[link][2]
        strtab = data[str_off:str_off + str_size]
        step = entsize or sym_size
        for off in range(soff, soff + ssize, step):
            if cls == 1:
                name, value, size, info, _o, _sh = struct.unpack_from(
                    sym_fmt, data, off)
            else:
                name, info, _o, _sh, value, size = struct.unpack_from(
                    sym_fmt, data, off)
            if name == 0:
                continue
            nul = strtab.index(b"\0", name)
            sym = strtab[name:nul].decode("utf-8", "replace")
            kind = _STT_NAMES.get(info & 0xF, "other")
            if kind == "func" and machine == _EM_ARM:
                value &= ~1
            out.setdefault(sym, Symbol(value, size, kind))
    if not out:
        raise ElfError("%s has no symbol table (stripped?)" % path)
    return out


def lookup(path, *names):
    """Symbols NAMES of PATH, in order; ElfError naming any that is missing."""
    syms = symbols(path)
    missing = [n for n in names if n not in syms]
    if missing:
        raise ElfError("%s: no symbol %s" % (path, ", ".join(missing)))
    return [syms[n] for n in names]


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
