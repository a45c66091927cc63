#!/usr/bin/python3
# netcard benchmarks: prints one table (name | value | unit | baseline) and
# writes BUILD/bench.json. Every comparison is measured side by side in the
# same run. Standard library only.
#
#   bench.py [--build DIR] [--quick]
#
# SPDX-License-Identifier: Apache-2.0

import argparse
import json
import os
import re
import select
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

SRCDIR = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))

ROM_BASE, ROM_SIZE = 0x00000000, 512 * 1024
RAM_BASE, RAM_SIZE = 0x20000000, 256 * 1024
START_TIMEOUT_S = 60.0


class BenchError(Exception):
    pass


def read_version():
    with open(os.path.join(SRCDIR, "VERSION")) as f:
        return f.read().strip()


def stop(proc):
    """Terminate PROC and reap it (bounded)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_for_line(proc, pattern, timeout, what):
    """Read PROC.stdout (a pipe) until a line matches PATTERN; returns the
    time.monotonic() at which it arrived."""
    deadline = time.monotonic() + timeout
    buf = b""
    seen = []
    fd = proc.stdout.fileno()
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise BenchError("timed out after %.0f s waiting for %s; last "
                             "lines: %r" % (timeout, what, seen[-5:]))
        r, _, _ = select.select([fd], [], [], left)
        if not r:
            continue
        chunk = os.read(fd, 65536)
        now = time.monotonic()
        if not chunk:
            raise BenchError("QEMU exited (status %s) before %s; last lines: "
                             "%r" % (proc.poll(), what, seen[-5:]))
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            text = line.decode("utf-8", "replace").rstrip("\r")
            seen.append(text)
            if pattern.search(text):
                return now


def qmp_greeting(proc, path, timeout):
    """Connect to QEMU's QMP server socket (retrying until it exists) and
    read the greeting; returns time.monotonic() at the greeting."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise BenchError("QEMU exited with status %d before its QMP "
                             "greeting" % proc.returncode)
        if time.monotonic() > deadline:
            raise BenchError("no QMP greeting within %.0f s" % timeout)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
        except OSError:
            s.close()
            time.sleep(0.001)
            continue
        s.settimeout(max(0.1, deadline - time.monotonic()))
        data = b""
        try:
            while b"\n" not in data:
                chunk = s.recv(4096)
                if not chunk:
                    raise BenchError("QMP socket closed before the greeting")
                data += chunk
        except socket.timeout:
            raise BenchError("no QMP greeting within %.0f s" % timeout)
        now = time.monotonic()
        s.close()
        if b'"QMP"' not in data:
            raise BenchError("unexpected QMP greeting %r" % data[:200])
        return now


class Bench:
    def __init__(self, build, quick):
        self.build = os.path.abspath(build)
        self.quick = quick
        self.qemu = os.path.join(self.build, "qemu", "qemu-system-arm")
        self.elf = os.path.join(self.build, "cardos", "cardos.elf")
        for path, what in ((self.qemu, "QEMU"), (self.elf, "card OS")):
            if not os.path.exists(path):
                raise BenchError("%s not found at %s: build it with `make`"
                                 % (what, path))
        self.tmp = tempfile.mkdtemp(prefix="netcard-bench.")
        self.banner = re.compile(r"^netcard cardos %s \(.+\) reset=power-on$"
                                 % re.escape(read_version()))
        self.rows = []

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def row(self, name, value, unit, baseline, note=""):
        self.rows.append({"name": name, "value": value, "unit": unit,
                          "baseline": baseline, "note": note})

    # ---------------------------------------------------------------- QEMU

    def card_argv(self, extra=()):
        return [self.qemu, "-M", "netcard", "-kernel", self.elf,
                "-display", "none", "-monitor", "none",
                "-serial", "stdio"] + list(extra)

    def start_card(self):
        t0 = time.monotonic()
        proc = subprocess.Popen(self.card_argv(), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL,
                                start_new_session=True)
        return proc, t0

    def one_boot_ms(self):
        proc, t0 = self.start_card()
        try:
            t1 = wait_for_line(proc, self.banner, START_TIMEOUT_S,
                               "the power-on banner")
        finally:
            stop(proc)
        return (t1 - t0) * 1000.0

    def one_floor_ms(self, i):
        sock = os.path.join(self.tmp, "qmp-%d.sock" % i)
        argv = [self.qemu, "-M", "netcard", "-kernel", self.elf, "-S",
                "-display", "none", "-monitor", "none", "-serial", "null",
                "-qmp", "unix:%s,server=on,wait=off" % sock]
        t0 = time.monotonic()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            t1 = qmp_greeting(proc, sock, START_TIMEOUT_S)
        finally:
            stop(proc)
            if os.path.exists(sock):
                os.unlink(sock)
        return (t1 - t0) * 1000.0

    def boot_to_banner(self):
        n = 5 if self.quick else 20
        boots, floors = [], []
        self.one_boot_ms()              # warm the page cache
        for i in range(n):              # interleaved: same load for both
            boots.append(self.one_boot_ms())
            floors.append(self.one_floor_ms(i))
        self.row("boot_to_banner_ms", round(statistics.median(boots), 1),
                 "ms", round(statistics.median(floors), 1),
                 "median of %d; baseline: same QEMU with -S to the QMP "
                 "greeting" % n)

    @staticmethod
    def rss_mb(pid):
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
        raise BenchError("no VmRSS for pid %d" % pid)

    def qemu_rss(self):
        proc, _ = self.start_card()
        try:
            wait_for_line(proc, self.banner, START_TIMEOUT_S,
                          "the power-on banner")
            wait_for_line(proc, re.compile("ready"), START_TIMEOUT_S,
                          "the ready line")
            time.sleep(1.0)
            card = self.rss_mb(proc.pid)
        finally:
            stop(proc)

        sock = os.path.join(self.tmp, "qmp-none.sock")
        proc = subprocess.Popen([self.qemu, "-M", "none", "-display", "none",
                                 "-monitor", "none", "-serial", "null",
                                 "-qmp", "unix:%s,server=on,wait=off" % sock],
                                stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            qmp_greeting(proc, sock, START_TIMEOUT_S)
            time.sleep(1.0)
            none = self.rss_mb(proc.pid)
        finally:
            stop(proc)
        self.row("qemu_rss_mb", round(card, 1), "MiB", round(none, 1),
                 "booted idle card after 1 s; baseline: same QEMU -M none")

    # ----------------------------------------------------------------- ELF

    def elf_sizes(self):
        """(rom_bytes, ram_bytes) of cardos.elf from its section headers:
        ROM = allocated sections with contents (text, rodata, the .data
        image); RAM = allocated sections placed in RAM (data, bss, stacks),
        overlaps counted once."""
        with open(self.elf, "rb") as f:
            data = f.read()
        if data[:4] != b"\x7fELF" or data[4] != 1 or data[5] != 1:
            raise BenchError("%s is not a 32-bit little-endian ELF"
                             % self.elf)
        (e_shoff,) = struct.unpack_from("<I", data, 0x20)
        e_shentsize, e_shnum = struct.unpack_from("<HH", data, 0x2E)
        SHF_ALLOC, SHT_NOBITS = 0x2, 8
        rom = 0
        ram_spans = []
        for i in range(e_shnum):
            (name, typ, flags, addr, off, size, link, info, align,
             entsize) = struct.unpack_from("<10I", data,
                                           e_shoff + i * e_shentsize)
            if not flags & SHF_ALLOC or size == 0:
                continue
            if typ != SHT_NOBITS:
                rom += size
            if RAM_BASE <= addr < RAM_BASE + RAM_SIZE:
                ram_spans.append((addr, addr + size))
        ram = 0
        end = 0
        for lo, hi in sorted(ram_spans):
            lo = max(lo, end)
            if hi > lo:
                ram += hi - lo
                end = hi
        return rom, ram

    def cardos_sizes(self):
        rom, ram = self.elf_sizes()
        self.row("cardos_rom_kib", round(rom / 1024.0, 1), "KiB",
                 ROM_SIZE // 1024, "text+rodata+data image; baseline: ROM")
        self.row("cardos_ram_kib", round(ram / 1024.0, 1), "KiB",
                 RAM_SIZE // 1024, "data+bss+stacks; baseline: RAM")

    # --------------------------------------------------------------- build

    def ninja(self):
        ninja = shutil.which("ninja")
        if not ninja:
            raise BenchError("ninja not found; install it with: apt-get "
                             "install ninja-build")
        t0 = time.monotonic()
        r = subprocess.run([ninja, "-C", os.path.join(self.build, "qemu"),
                            "qemu-system-arm"], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        t1 = time.monotonic()
        if r.returncode != 0:
            raise BenchError("ninja failed:\n%s"
                             % r.stdout.decode("utf-8", "replace")[-3000:])
        return t1 - t0, r.stdout.decode("utf-8", "replace")

    def incremental_rebuild(self):
        src = os.path.join(SRCDIR, "peripherals", "netcard_sysctl.c")
        if not os.path.exists(os.path.join(self.build, "qemu",
                                           "build.ninja")):
            raise BenchError("%s/qemu is not a configured QEMU build"
                             % self.build)
        n = 1 if self.quick else 3
        self.ninja()                    # bring it up to date first
        noop, touched = [], []
        for _ in range(n):
            noop.append(self.ninja()[0])
            os.utime(src)
            t, out = self.ninja()
            if "netcard_sysctl" not in out:
                raise BenchError("touching %s did not rebuild it:\n%s"
                                 % (src, out[-2000:]))
            touched.append(t)
        self.row("qemu_incremental_rebuild_s",
                 round(statistics.median(touched), 2), "s",
                 round(statistics.median(noop), 2),
                 "touch peripherals/netcard_sysctl.c; baseline: no-op ninja")


def print_table(rows):
    head = ("name", "value", "unit", "baseline")
    cells = [head] + [(r["name"], str(r["value"]), r["unit"],
                       str(r["baseline"])) for r in rows]
    w = [max(len(c[i]) for c in cells) for i in range(4)]
    fmt = "%-{0}s | %{1}s | %-{2}s | %{3}s".format(*w)
    print(fmt % head)
    print("-+-".join("-" * x for x in w))
    for c in cells[1:]:
        print(fmt % c)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--build", default=os.path.join(SRCDIR, "build"),
                    help="build directory (default: SRCDIR/build)")
    ap.add_argument("--quick", action="store_true",
                    help="fewer repetitions")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))

    try:
        b = Bench(args.build, args.quick)
    except BenchError as e:
        print("bench: %s" % e, file=sys.stderr)
        return 1
    failed = False
    try:
        for step in (b.boot_to_banner, b.qemu_rss, b.cardos_sizes,
                     b.incremental_rebuild):
            try:
                step()
            except BenchError as e:
                print("bench: %s: %s" % (step.__name__, e), file=sys.stderr)
                failed = True
    finally:
        b.close()

    print_table(b.rows)
    out = os.path.join(b.build, "bench.json")
    with open(out, "w") as f:
        json.dump([{"name": r["name"], "value": r["value"],
                    "unit": r["unit"], "baseline": r["baseline"]}
                   for r in b.rows], f, indent=2)
        f.write("\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
