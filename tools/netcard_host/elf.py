# ELF symbols of the card OS image: addresses and sizes from the symbol
# table (standard library only: no binutils, no pyelftools), for the TCG
# plugins' marker addresses (cost.py), the functions of a coverage report
# (coverage.py) and the benchmarks (tests/bench/elfsym.py).
#
#   syms = elf.symbols("build/cardos/cardos.elf")
#   syms["dispatch_command"] -> Symbol(addr=0x..., size=..., kind="func")
#   rx, tx = elf.lookup(path, "iso_card_rx", "iso_uart_write")
#
# Function addresses are returned without the Thumb bit (bit 0 of an ARM
# ELF function symbol's value): the address of the first instruction.
#
# SPDX-License-Identifier: Apache-2.0

import collections
import struct

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
