#!/usr/bin/python3
# ncap_pack: turn an applet ELF (linked with cardos/sdk/applet.ld, -Wl,-q)
# into a netcard load file (docs/applets.md "Load file format").
#
#   ncap_pack.py app.elf -o app.ncap [--info]
#   netcard pack app.elf -o app.ncap
#
# Reads the ELF itself (standard library only): the code segment (link
# address 0), the data segment (0x80000000), the declarations of
# NC_PACKAGE/NC_MODULE in .ncap.info, the symbols of the SDK's linker
# script. Every absolute word of the data image (GOT entries, and the
# R_ARM_ABS32 relocations -q keeps) becomes a relocation; an absolute
# relocation in the code, or a word pointing nowhere, is refused.
#
# SPDX-License-Identifier: Apache-2.0

import argparse
import hashlib
import struct
import sys

FORMAT = 1
SYSCALL_MAJOR = 1
HEADER, MODULE = 64, 24
CODE_BASE, DATA_BASE = 0x00000000, 0x80000000
RELOC_CODE, RELOC_DATA = 1, 2

# ELF (System V gABI; ARM ELF, IHI 0044)
SHT_SYMTAB, SHT_NOBITS, SHT_REL, SHT_RELA = 2, 8, 9, 4
SHF_ALLOC = 2
EM_ARM = 40
R_ARM_NONE, R_ARM_ABS32 = 0, 2
# absolute relocation types that would need the load address in code
ABSOLUTE_IN_CODE = {2: "R_ARM_ABS32", 5: "R_ARM_ABS16", 6: "R_ARM_ABS12",
                    8: "R_ARM_ABS8", 43: "R_ARM_MOVW_ABS_NC",
                    44: "R_ARM_MOVT_ABS", 47: "R_ARM_THM_MOVW_ABS_NC",
                    48: "R_ARM_THM_MOVT_ABS", 7: "R_ARM_THM_ABS5"}


class PackError(Exception):
    pass


class Elf:
    def __init__(self, blob):
        self.blob = blob
        if blob[:4] != b"\x7fELF" or blob[4] != 1 or blob[5] != 1:
            raise PackError("not a 32-bit little-endian ELF")
        (_, machine, _, _, _, shoff, _, _, _, _, shentsize, shnum,
         shstrndx) = struct.unpack_from("<HHIIIIIHHHHHH", blob, 16)
        if machine != EM_ARM:
            raise PackError("not an ARM ELF")
        self.sections = []
        for i in range(shnum):
            f = struct.unpack_from("<IIIIIIIIII", blob, shoff + i * shentsize)
            self.sections.append(dict(name_off=f[0], type=f[1], flags=f[2],
                                      addr=f[3], offset=f[4], size=f[5],
                                      link=f[6], info=f[7], entsize=f[9]))
        names = self.sections[shstrndx]
        for s in self.sections:
            s["name"] = self._str(names, s["name_off"])
        self.symbols = {}
        for s in self.sections:
            if s["type"] == SHT_SYMTAB:
                strtab = self.sections[s["link"]]
                for off in range(s["offset"], s["offset"] + s["size"], 16):
                    name, value, _, _, _, _ = struct.unpack_from(
                        "<IIIBBH", blob, off)
                    if name:
                        self.symbols.setdefault(self._str(strtab, name), value)

    def _str(self, sec, off):
        start = sec["offset"] + off
        return self.blob[start:self.blob.index(b"\0", start)].decode()

    def data(self, sec):
        return self.blob[sec["offset"]:sec["offset"] + sec["size"]]

    def section(self, name):
        for s in self.sections:
            if s["name"] == name:
                return s
        return None

    def sym(self, name):
        if name not in self.symbols:
            raise PackError("symbol %s missing: link with cardos/sdk/"
                            "applet.ld" % name)
        return self.symbols[name]


def parse_aid(text):
    try:
        aid = bytes.fromhex(text)
    except ValueError:
        raise PackError("AID %r is not hexadecimal" % text)
    if not 5 <= len(aid) <= 16:
        raise PackError("AID %s: 5 to 16 bytes" % text)
    return aid


def declarations(elf):
    sec = elf.section(".ncap.info")
    if sec is None:
        raise PackError("no .ncap.info: declare NC_PACKAGE and NC_MODULE")
    package, modules = None, []
    # an applet built before NC_PACKAGE recorded the interface: 1.0
    syscall_minor = 0
    for line in elf.data(sec).replace(b"\0", b"").decode().splitlines():
        w = line.split()
        if not w:
            continue
        if w[0] == "package" and len(w) == 5:
            major, _, minor = w[2].partition(".")
            package = dict(aid=parse_aid(w[1]), version=(int(major),
                           int(minor)), stack=int(w[3], 0),
                           quota=int(w[4], 0))
        elif w[0] == "module" and len(w) == 3:
            modules.append((parse_aid(w[1]), w[2]))
        elif w[0] == "syscall" and len(w) == 2:
            major, _, minor = w[1].partition(".")
            if int(major) != SYSCALL_MAJOR:
                raise PackError("system-call interface %s: this packer "
                                "writes %d.x" % (w[1], SYSCALL_MAJOR))
            syscall_minor = max(syscall_minor, int(minor))
        else:
            raise PackError("bad .ncap.info line %r" % line)
    if package is None or not modules:
        raise PackError("NC_PACKAGE and at least one NC_MODULE are needed")
    if len(modules) > 4:
        raise PackError("at most 4 modules")
    package["syscall_minor"] = syscall_minor
    return package, modules


def segment(elf, lo, hi):
    """Bytes of the allocated PROGBITS sections between lo and hi."""
    out = bytearray(hi - lo)
    for s in elf.sections:
        if (s["flags"] & SHF_ALLOC and s["type"] != SHT_NOBITS and
                s["size"] and lo <= s["addr"] < hi):
            if s["addr"] + s["size"] > hi:
                raise PackError("section %s runs past its segment" % s["name"])
            at = s["addr"] - lo
            out[at:at + s["size"]] = elf.data(s)
    return out


def relocations(elf, code_size, data, data_span):
    """(kind, offset) for every absolute word of the data image."""
    out = {}

    def classify(off, where):
        word = struct.unpack_from("<I", data, off)[0]
        if word == 0 and where == "GOT":
            return                      # reserved GOT words, weak undefined
        if CODE_BASE <= word < CODE_BASE + code_size:
            out[off] = (RELOC_CODE, word - CODE_BASE)
        elif DATA_BASE <= word <= DATA_BASE + data_span:
            out[off] = (RELOC_DATA, word - DATA_BASE)
        else:
            raise PackError("%s word at data+%#x = %#x points nowhere" %
                            (where, off, word))

    got0, got1 = elf.sym("__nc_got_start"), elf.sym("__nc_got_end")
    for a in range(got0, got1, 4):
        classify(a - DATA_BASE, "GOT")
    for rs in elf.sections:
        if rs["type"] == SHT_RELA:
            raise PackError("RELA sections are not expected on ARM")
        if rs["type"] != SHT_REL or rs["info"] >= len(elf.sections):
            continue
        target = elf.sections[rs["info"]]
        if not target["flags"] & SHF_ALLOC:
            continue                    # debug information
        for off in range(rs["offset"], rs["offset"] + rs["size"], 8):
            r_offset, r_info = struct.unpack_from("<II", elf.blob, off)
            rtype = r_info & 0xff
            if target["addr"] < DATA_BASE:
                if rtype in ABSOLUTE_IN_CODE:
                    raise PackError("%s at %#x in %s: not position-"
                                    "independent (compile with the SDK's "
                                    "flags)" % (ABSOLUTE_IN_CODE[rtype],
                                                r_offset, target["name"]))
            elif rtype == R_ARM_ABS32:
                classify(r_offset - DATA_BASE, "pointer")
            elif rtype != R_ARM_NONE:
                raise PackError("relocation type %d in %s cannot be "
                                "applied by the card" % (rtype, target["name"]))
    for off in out:
        if off % 4:
            raise PackError("misaligned pointer at data+%#x" % off)
    return out


def pack(blob):
    elf = Elf(blob)
    package, modules = declarations(elf)
    code_size = elf.sym("__nc_code_end") - CODE_BASE
    data_end = elf.sym("__nc_data_end")
    bss = elf.sym("__nc_bss_end") - elf.sym("__nc_bss_start")
    transient = (elf.sym("__nc_transient_end") -
                 elf.sym("__nc_transient_start"))
    code = segment(elf, CODE_BASE, CODE_BASE + code_size)
    data = segment(elf, DATA_BASE, data_end)
    span = elf.sym("__nc_transient_end") - DATA_BASE
    relocs = relocations(elf, code_size, data, span)
    for off, (kind, value) in relocs.items():
        struct.pack_into("<I", data, off, value)
    got = elf.sym("__nc_got_start") - DATA_BASE
    if package["stack"] % 8 or not 256 <= package["stack"] <= 8192:
        raise PackError("stack %d: a multiple of 8 from 256 to 8192" %
                        package["stack"])
    n = len(modules)
    hdr = bytearray(HEADER + MODULE * n)
    hdr[0:4] = b"NCAP"
    aid = package["aid"]
    struct.pack_into("<HHBBBB", hdr, 4, FORMAT, len(hdr), SYSCALL_MAJOR,
                     package["syscall_minor"], n, len(aid))
    hdr[12:12 + len(aid)] = aid
    hdr[28], hdr[29] = package["version"]
    struct.pack_into("<IIIIIIII", hdr, 32, code_size, len(data), bss,
                     transient, package["stack"], package["quota"],
                     len(relocs), got)
    for i, (maid, fn) in enumerate(modules):
        entry = elf.sym(fn)
        if not entry & 1 or entry >= code_size:
            raise PackError("module %s: %s is not a Thumb function in the "
                            "code" % (maid.hex().upper(), fn))
        at = HEADER + MODULE * i
        hdr[at] = len(maid)
        hdr[at + 1:at + 1 + len(maid)] = maid
        struct.pack_into("<I", hdr, at + 20, entry - CODE_BASE)
    body = bytes(hdr) + bytes(code) + bytes(data) + b"".join(
        struct.pack("<I", kind << 30 | off)
        for off, (kind, _) in sorted(relocs.items()))
    info = dict(package=aid.hex().upper(), version="%d.%d" %
                package["version"], modules=[m.hex().upper()
                                             for m, _ in modules],
                code=code_size, data=len(data), bss=bss, transient=transient,
                syscall="%d.%d" % (SYSCALL_MAJOR, package["syscall_minor"]),
                stack=package["stack"], quota=package["quota"],
                relocs=len(relocs), code_offset=len(hdr))
    return body + hashlib.sha256(body).digest(), info


def main(argv=None):
    ap = argparse.ArgumentParser(prog="netcard pack", description="Pack an "
                                 "applet ELF into a netcard load file")
    ap.add_argument("elf")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--info", action="store_true",
                    help="print the load file's fields")
    args = ap.parse_args(argv)
    try:
        with open(args.elf, "rb") as f:
            out, info = pack(f.read())
    except (OSError, PackError) as e:
        print("netcard pack: %s: %s" % (args.elf, e), file=sys.stderr)
        return 1
    with open(args.output, "wb") as f:
        f.write(out)
    if args.info:
        for k, v in info.items():
            print("%s: %s" % (k, v))
        print("size: %d" % len(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
