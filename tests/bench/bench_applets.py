# netcard benchmarks for native applets (docs/applets.md), called by
# bench.py: LOAD throughput with an SCP03 C-MAC session over vpcd framing,
# INSTALL, a null system call (guest instructions, from the apdu_cost
# plugin's per-APDU counts), an applet's ECHO round trip against the same
# command of the ROM test application, how many hello instances fit, and
# the card OS's static RAM with the runtime's share. The host side of
# SCP03 is tools/netcard_host/gp.py (its cryptography is done before the
# clock starts, blocks are wrapped in advance).
#
# SPDX-License-Identifier: Apache-2.0

import hashlib
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import time

from bench_iso7816 import BenchError, connect, free_port, vpcd

sys.path.insert(1, os.path.join(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))), "tools"))
from netcard_host import cost, gp  # noqa: E402

KEY40 = bytes(range(0x40, 0x50))
ROM_ECHO_SELECT = bytes.fromhex("00A4040009F06E65746361726401")
BENCH_PKG = bytes.fromhex("A00000007704")
BENCH_MOD = bytes.fromhex("A0000000770401")
HELLO_PKG = bytes.fromhex("A0000000770100")
HELLO_MOD = bytes.fromhex("A000000077010001")
NULL_CALLS = 2000


def blob(bench, name):
    path = os.path.join(bench.build, "applets", name + ".ncap")
    if not os.path.isfile(path):
        raise BenchError("%s missing: make applets" % path)
    with open(path, "rb") as f:
        return f.read()


def grow(b, pkg, extra):
    """B with package AID PKG and EXTRA zero bytes of code (docs/
    applets.md's format; header and hash made right again)."""
    hdr = struct.unpack_from("<H", b, 6)[0]
    code = struct.unpack_from("<I", b, 32)[0]
    x = bytearray(b[:-32])
    x[11] = len(pkg)
    x[12:28] = pkg + bytes(16 - len(pkg))
    struct.pack_into("<I", x, 32, code + extra)
    x[hdr + code:hdr + code] = bytes(extra)
    return bytes(x) + hashlib.sha256(bytes(x)).digest()


def ok(sw, what):
    if sw != 0x9000:
        raise BenchError("%s answered %04X" % (what, sw))


def lv(b):
    return bytes([len(b)]) + b


def load_cmds(s, pkg, data):
    """INSTALL [for load] and the LOAD blocks (247 bytes of C4 stream
    each, GPShell's size), wrapped."""
    n = len(data)
    head = (bytes([0xC4, 0x82, n >> 8, n & 0xFF]) if n < 0x10000 else
            bytes([0xC4, 0x83, n >> 16, (n >> 8) & 0xFF, n & 0xFF]))
    stream = head + data
    blocks = [stream[i:i + 247] for i in range(0, len(stream), 247)]
    cmds = []
    for k, b in enumerate(blocks):
        last = k == len(blocks) - 1
        cmds.append(bytes([0x80, 0xE8, 0x80 if last else 0, k & 0xFF,
                           len(b)]) + b + b"\x00")
    ifl = lv(pkg) + b"\x00\x00\x00\x00"
    return bytes([0x80, 0xE6, 0x02, 0x00, len(ifl)]) + ifl + b"\x00", cmds


def install_cmd(pkg, mod, aid):
    d = lv(pkg) + lv(mod) + lv(aid) + b"\x01\x00\x02\xC9\x00\x00"
    return bytes([0x80, 0xE6, 0x0C, 0x00, len(d)]) + d + b"\x00"


def run(bench):
    n = 30 if bench.quick else 200
    port = free_port()
    csv = os.path.join(tempfile.mkdtemp(prefix="bench-applets."), "cost.csv")
    try:
        spec = cost.plugin_spec(bench.test_elf, csv, bench.build)
    except cost.CostError as e:
        raise BenchError(str(e))
    proc = bench.start_iso_card(port, plugin=spec)
    try:
        link = connect(port)
        link.control(vpcd.POWER_ON)
        link.atr()
        if link.transmit(bytes.fromhex("00A4040000"))[-2:] != b"\x90\x00":
            raise BenchError("SELECT of the ISD failed")
        s = gp.Scp03(link.transmit, KEY40).open(level=0x01)
        load_rate(bench, link, s)
        install_time(bench, link, s, max(5, n // 20))
        rtt(bench, link, n)
        null_calls(link)
        max_count(bench, link)
        link.close()
    finally:
        bench.stop_card(proc)
    syscall_row(bench, csv)
    os_ram(bench)


def load_rate(bench, link, s):
    data = grow(blob(bench, "hello"), bytes.fromhex("A000000077FF01"),
                64 * 1024)
    first, cmds = load_cmds(s, bytes.fromhex("A000000077FF01"), data)
    r, sw = s.send(first)
    ok(sw, "INSTALL [for load]")
    wrapped = [s.wrap(c) for c in cmds]
    t = time.perf_counter()
    for c in wrapped:
        r = link.transmit(c)
        if r[-2:] != b"\x90\x00":
            raise BenchError("LOAD answered %s" % r[-2:].hex())
    dt = time.perf_counter() - t
    bench.row("load_kib_per_s", round(len(data) / 1024.0 / dt, 1), "KiB/s",
              5.0, "LOAD of a %d-byte load file in %d blocks of 247 bytes, "
              "SCP03 C-MAC, vpcd framing (not pcscd); baseline: a real "
              "card's ~5 KiB/s (target >= 100)" % (len(data), len(wrapped)))
    big = bytes.fromhex("A000000077FF01")
    d, sw = s.send(bytes([0x80, 0xE4, 0x00, 0x80, len(big) + 2, 0x4F,
                          len(big)]) + big + b"\x00")
    ok(sw, "DELETE of the big file")


def install_time(bench, link, s, k):
    first, cmds = load_cmds(s, BENCH_PKG, blob(bench, "benchapp"))
    for c in [first] + cmds:
        d, sw = s.send(c)
        ok(sw, "loading benchapp")
    times = []
    for i in range(k):
        aid = BENCH_MOD + bytes([0x80 + i])
        c = s.wrap(install_cmd(BENCH_PKG, BENCH_MOD, aid))
        t = time.perf_counter()
        r = link.transmit(c)
        times.append((time.perf_counter() - t) * 1000.0)
        if r[-2:] != b"\x90\x00":
            raise BenchError("INSTALL answered %s" % r[-2:].hex())
        d, sw = s.send(bytes([0x80, 0xE4, 0, 0, len(aid) + 2, 0x4F,
                              len(aid)]) + aid + b"\x00")
        ok(sw, "DELETE of an instance")
    bench.row("install_ms", round(statistics.median(times), 2), "ms", "",
              "median of %d INSTALL [for install and make selectable] of "
              "benchapp (checks the file, one store transaction), C-MAC "
              "session, vpcd framing" % k)
    d, sw = s.send(install_cmd(BENCH_PKG, BENCH_MOD, BENCH_MOD))
    ok(sw, "INSTALL of benchapp")


def echo_times(link, n):
    apdu = bytes([0x80, 0x10, 0, 0, 16]) + bytes(range(16)) + b"\x00"
    times = []
    for _ in range(n):
        t = time.perf_counter()
        r = link.transmit(apdu)
        times.append((time.perf_counter() - t) * 1e6)
        if r[-2:] != b"\x90\x00" or r[:-2] != bytes(range(16)):
            raise BenchError("ECHO answered %s" % r.hex())
    return statistics.median(times)


def rtt(bench, link, n):
    sel = bytes([0, 0xA4, 4, 0, len(BENCH_MOD)]) + BENCH_MOD + b"\x00"
    if link.transmit(sel)[-2:] != b"\x90\x00":
        raise BenchError("SELECT benchapp failed")
    native = echo_times(link, n)
    if link.transmit(ROM_ECHO_SELECT)[-2:] != b"\x90\x00":
        raise BenchError("SELECT of the ROM test application failed")
    rom = echo_times(link, n)
    bench.row("applet_apdu_rtt_us", round(native, 1), "us", round(rom, 1),
              "median of %d ECHO of 16 bytes (case 4) to benchapp, vpcd "
              "framing; baseline: the same command to the ROM test "
              "application (target <= 1.2x)" % n)


def null_calls(link):
    sel = bytes([0, 0xA4, 4, 0, len(BENCH_MOD)]) + BENCH_MOD + b"\x00"
    link.transmit(sel)
    for p in (0, NULL_CALLS):
        r = link.transmit(bytes([0x80, 0x22, p >> 8, p & 0xFF]))
        if r[-2:] != b"\x90\x00":
            raise BenchError("NULL answered %s" % r.hex())


def syscall_row(bench, csv):
    try:
        rows = [r for r in cost.read_csv(csv) if r.header.upper()
                .startswith("8022")]
    except (OSError, cost.CostError) as e:
        raise BenchError("apdu_cost CSV: %s" % e)
    if len(rows) != 2:
        raise BenchError("expected 2 NULL commands in %s, found %d" %
                         (csv, len(rows)))
    zero, many = rows[0].instructions, rows[1].instructions
    bench.row("syscall_cycles", round((many - zero) / NULL_CALLS, 1),
              "insns", "", "guest instructions per null system call "
              "(nc_version): (APDU with %d calls - APDU with none) / %d, "
              "apdu_cost plugin; round trip SVC -> OS thread -> resume "
              "(the emulator counts instructions, not the cycles of "
              "exception entry and return)" % (NULL_CALLS, NULL_CALLS))


def max_count(bench, link):
    link.transmit(bytes.fromhex("00A4040000"))
    s = gp.Scp03(link.transmit, KEY40).open(level=0x01)
    first, cmds = load_cmds(s, HELLO_PKG, blob(bench, "hello"))
    for c in [first] + cmds:
        d, sw = s.send(c)
        ok(sw, "loading hello")
    count = 0
    for i in range(64):
        aid = HELLO_MOD + bytes([i])
        d, sw = s.send(install_cmd(HELLO_PKG, HELLO_MOD, aid))
        if sw != 0x9000:
            break
        count += 1
    bench.row("applet_max_count", count, "instances", "",
              "hello instances INSTALL made beside one benchapp instance "
              "before 6A84 (SYS_INSTANCES_MAX, SYS_RAM_POOL)")


def os_ram(bench):
    def size(elf):
        out = subprocess.run(["arm-none-eabi-size", "-A", elf],
                             capture_output=True, text=True, check=True)
        total = 0
        for line in out.stdout.splitlines():
            f = line.split()
            if len(f) == 3 and f[2].isdigit() and int(f[2]) >= 0x20000000:
                total += int(f[1])
        return total

    def sym(elf, names):
        out = subprocess.run(["arm-none-eabi-nm", "-S", elf],
                             capture_output=True, text=True, check=True)
        n = 0
        for line in out.stdout.splitlines():
            f = line.split()
            if len(f) == 4 and f[3] in names:
                n += int(f[1], 16)
        return n

    try:
        total = size(bench.elf)
        runtime = sym(bench.elf, ("pool", "window", "rt", "ca", "keys"))
    except (OSError, subprocess.CalledProcessError) as e:
        raise BenchError("arm-none-eabi-size: %s" % e)
    bench.row("os_ram_kib", round(total / 1024.0, 1), "KiB",
              round((total - runtime) / 1024.0, 1),
              "static RAM of cardos.elf (data, bss, stacks); baseline: the "
              "same without the applet runtime's pool, window and tables "
              "(%d bytes)" % runtime)
