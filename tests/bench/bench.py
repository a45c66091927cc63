#!/usr/bin/python3
# netcard benchmarks: prints one table (name | value | unit | baseline) and
# writes BUILD/bench.json. Every comparison is measured side by side in the
# same run. Standard library only.
#
#   bench.py [--build DIR] [--quick] [--only STEP,...]
#
# --only runs just the named steps (e.g. store_costs,store_card_time) and
# prints their rows; BUILD/bench.json is then left as it was.
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
# The host tools' package: bindings of the host library (tools/lib, built
# as BUILD/lib/libnetcard-host.so): the one QEMU command-line builder and
# the one vpcd client, shared with the launcher and the tests.
sys.path.insert(1, os.path.join(SRCDIR, "tools"))
from netcard_host import hostlib, qemu_cmdline  # noqa: E402

ROM_BASE, ROM_SIZE = 0x00000000, 512 * 1024
RAM_BASE, RAM_SIZE = 0x20000000, 256 * 1024
START_TIMEOUT_S = 60.0


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
        # the product plus the test application (card/image.h): the ISO
        # 7816, crypto and network rows talk to the test application
        self.test_elf = os.path.join(self.build, "cardos", "cardos-test.elf")
        for path, what in ((self.qemu, "QEMU"), (self.elf, "card OS"),
                           (self.test_elf, "card OS test image")):
            if not os.path.exists(path):
                raise BenchError("%s not found at %s: build it with `make`"
                                 % (what, path))
        hostlib.use(os.path.join(self.build, "lib"))
        self.tmp = tempfile.mkdtemp(prefix="netcard-bench.")
        self.srcdir = SRCDIR
        self.banner = re.compile(r"^netcard cardos %s \(.+\) reset=power-on$"
                                 % re.escape(read_version()))
        self.rows = []

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def row(self, name, value, unit, baseline, note=""):
        self.rows.append({"name": name, "value": value, "unit": unit,
                          "baseline": baseline, "note": note})

    # ---------------------------------------------------------- ISO 7816

    def start_iso_card(self, port, client=False, **options):
        """Boot the card with its ISO 7816 interface on 127.0.0.1:PORT:
        listening (vpcd framing, as `netcard run --iso`), or, with CLIENT,
        connecting to pcscd's vpcd there (as `netcard run --pcsc`), no
        network, the test image; OPTIONS go to the command-line builder
        (qmp, plugin, globals_, ...)."""
        options.setdefault("image", self.test_elf)
        argv = self.card_argv(iso=("connect" if client else "listen",
                                   "127.0.0.1", port),
                              iso_reconnect_ms=200, net="none", **options)
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL,
                                start_new_session=True)

    def stop_card(self, proc):
        stop(proc)

    def iso7816(self):
        import bench_iso7816
        try:
            bench_iso7816.run(self)
        except (bench_iso7816.BenchError, bench_iso7816.vpcd.VpcdError,
                bench_iso7816.vpcd.LibraryError, OSError) as e:
            raise BenchError(str(e))

    def gp(self):
        """The GlobalPlatform card manager (bench_gp.py)."""
        import bench_gp
        try:
            bench_gp.run(self)
        except (bench_gp.BenchError, bench_gp.vpcd.VpcdError,
                bench_gp.vpcd.LibraryError, bench_gp.gp.GpError,
                OSError) as e:
            raise BenchError(str(e))

    def applets(self):
        """Native applets (bench_applets.py)."""
        import bench_applets
        try:
            bench_applets.run(self)
        except (bench_applets.BenchError, bench_applets.vpcd.VpcdError,
                bench_applets.vpcd.LibraryError, bench_applets.gp.GpError,
                OSError) as e:
            raise BenchError(str(e))

    def webapps(self):
        """Web applets under wrk (bench_webapps.py)."""
        import bench_webapps
        try:
            bench_webapps.run(self)
        except (bench_webapps.BenchError, bench_webapps.vpcd.VpcdError,
                bench_webapps.vpcd.LibraryError, bench_webapps.gp.GpError,
                OSError, subprocess.TimeoutExpired) as e:
            raise BenchError(str(e))

    def crypto(self):
        """Card cycles of the crypto operations (bench_crypto.py)."""
        import bench_crypto
        try:
            bench_crypto.run(self)
        except (bench_crypto.BenchError, bench_crypto.bench_iso7816.BenchError,
                bench_crypto.bench_iso7816.vpcd.VpcdError,
                bench_crypto.bench_iso7816.vpcd.LibraryError, OSError) as e:
            raise BenchError(str(e))

    def ras(self):
        """The remote administration server (bench_ras.py)."""
        import bench_ras
        try:
            bench_ras.run(self)
        except (bench_ras.BenchError, OSError,
                subprocess.TimeoutExpired) as e:
            raise BenchError(str(e))

    def admin(self):
        """The card's admin agent against netcard-ras (bench_admin.py)."""
        import bench_admin
        try:
            bench_admin.run(self)
        except (bench_admin.BenchError, bench_admin.vpcd.VpcdError,
                bench_admin.vpcd.LibraryError, bench_admin.gp.GpError,
                OSError, subprocess.TimeoutExpired) as e:
            raise BenchError(str(e))

    def scws_admin(self):
        """SCWS content through the admin session (bench_admin.py)."""
        import bench_admin
        try:
            bench_admin.run_scws(self)
        except (bench_admin.BenchError, bench_admin.vpcd.VpcdError,
                bench_admin.vpcd.LibraryError, bench_admin.gp.GpError,
                OSError, subprocess.TimeoutExpired) as e:
            raise BenchError(str(e))

    def usim(self):
        """AUTHENTICATE and reading the IMSI through pcscd (bench_usim.py)."""
        import bench_usim
        try:
            bench_usim.run(self)
        except (bench_usim.BenchError, OSError, ValueError,
                subprocess.TimeoutExpired) as e:
            raise BenchError(str(e))

    def runner(self):
        """Snapshot-fork case starts, many idle cards (bench_runner.py)."""
        import bench_runner
        try:
            bench_runner.run(self)
        except (bench_runner.BenchError, OSError) as e:
            raise BenchError(str(e))

    # ---------------------------------------------------------------- QEMU

    def card_argv(self, **options):
        """QEMU for the card OS (console on stdout) from the one
        command-line builder; OPTIONS are qemu_cmdline.qemu_argv's."""
        options.setdefault("image", self.elf)
        options.setdefault("console", "stdio")
        try:
            return qemu_cmdline.qemu_argv(self.qemu, **options)
        except (ValueError, hostlib.LibraryError) as e:
            raise BenchError("QEMU command line: %s" % e)

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
        argv = self.card_argv(halted=True, console="null",
                              qmp=("listen", sock))
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
        proc = subprocess.Popen(self.card_argv(machine="none", image=None,
                                               console="null",
                                               qmp=("listen", sock)),
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

    def elf_sizes(self, elf):
        """(rom_bytes, ram_bytes) of ELF from its section headers:
        ROM = allocated sections with contents (text, rodata, the .data
        image); RAM = allocated sections placed in RAM (data, bss, stacks),
        overlaps counted once."""
        with open(elf, "rb") as f:
            data = f.read()
        if data[:4] != b"\x7fELF" or data[4] != 1 or data[5] != 1:
            raise BenchError("%s is not a 32-bit little-endian ELF" % elf)
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
        rom, ram = self.elf_sizes(self.elf)
        self.row("cardos_rom_kib", round(rom / 1024.0, 1), "KiB",
                 ROM_SIZE // 1024, "product image; text+rodata+data image; "
                 "baseline: ROM")
        self.row("cardos_ram_kib", round(ram / 1024.0, 1), "KiB",
                 RAM_SIZE // 1024, "product image; data+bss+stacks; "
                 "baseline: RAM")
        rom, ram = self.elf_sizes(self.test_elf)
        self.row("cardos_test_rom_kib", round(rom / 1024.0, 1), "KiB",
                 ROM_SIZE // 1024, "test image (cardos-test.elf); "
                 "baseline: ROM")
        self.row("cardos_test_ram_kib", round(ram / 1024.0, 1), "KiB",
                 RAM_SIZE // 1024, "test image (cardos-test.elf); "
                 "baseline: RAM")

    def tls(self):
        n = 5 if self.quick else 20
        card_http = free_port()
        card_https = free_port()
        argv = self.card_argv(net="user", hostfwd=((card_http, 80),
                                                   (card_https, 4116)))
        card = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL,
                                start_new_session=True)
        base_port = free_port()
        base = subprocess.Popen(
            [openssl(), "s_server", "-accept", "127.0.0.1:%d" % base_port,
             "-nocert", "-tls1_2", "-psk_identity", TEST_PSK_IDENTITY,
             "-psk", TEST_PSK_HEX, "-cipher", "PSK-AES128-GCM-SHA256",
             "-quiet", "-www", "-naccept", str(n + 2)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            wait_for_line(card, re.compile(r"^I net: dhcp "),
                          START_TIMEOUT_S, "the DHCP lease line")
            wait_port(base_port, START_TIMEOUT_S)
            card_hs = handshake_ms(self.build, card_https, n)
            base_hs = handshake_ms(self.build, base_port, n)
            reqs = 50 if self.quick else 200
            card_rps = https_req_per_s(card_https, reqs, "/api/status")
            http_rps = http_pipelined_req_per_s(card_http, reqs,
                                                "/api/status")
        finally:
            stop(card)
            stop(base)
        self.row("tls_psk_handshake_ms", round(card_hs, 2), "ms",
                 round(base_hs, 2), "median of %d TLS 1.2 PSK handshakes "
                 "(connect to Finished, one client process); baseline: "
                 "openssl s_server -psk on loopback" % n)
        self.row("https_req_per_s", round(card_rps, 1), "req/s",
                 round(http_rps, 1), "%d pipelined GET /api/status over one "
                 "TLS-PSK session; baseline: the same over plain HTTP to the "
                 "card" % reqs)


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

    # --------------------------------------------------------------- store

    def store_costs(self):
        """Flash cost of the object store (cardos/store) on the simulated
        NOR flash, card geometry (tests/bench/store_bench.c). Baselines:
        the targets of the NVM issue (a one-object commit in at most 4
        page programs plus amortized erase; 8 objects: 8 times that) and
        the ideal write amplification (1.0). store_commit_1obj_ms and
        store_mount_full_ms need card time: not measured yet."""
        exe = os.path.join(self.build, "tests", "store-bench")
        if not os.path.exists(exe):
            raise BenchError("%s not found: `make bench` builds it" % exe)
        r = subprocess.run([exe] + (["--quick"] if self.quick else []),
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=300)
        out = r.stdout.decode("utf-8", "replace")
        if r.returncode != 0:
            raise BenchError("store-bench failed: %s" % out[-2000:])
        v = {}
        for line in out.splitlines():
            name, _, value = line.partition(" ")
            v[name] = float(value)
        self.row("store_commit_1obj_flash_ops",
                 v["store_commit_1obj_flash_ops"], "ops", 4,
                 "programs + erases per commit, amortized; baseline: target")
        self.row("store_commit_8obj_flash_ops",
                 v["store_commit_8obj_flash_ops"], "ops", 32,
                 "8 x 255-byte objects; baseline: 8 x target")
        self.row("store_write_amplification",
                 v["store_write_amplification"], "x", 1.0,
                 "flash bytes programmed / payload bytes; baseline: ideal")
        self.row("store_mount_full_kib_read",
                 round(v["store_mount_full_bytes"] / 1024.0, 1), "KiB",
                 1024, "flash a mount of a wrapped log reads; baseline: NVM")

    def store_card_time(self):
        """Card time of the object store: cardos-storebench.elf on an
        erased NVM under -icount shift=5 (one instruction = 32 ns, a
        48 MHz Cortex-M33 at about 1.5 cycles per instruction) brings the
        store to its steady state (the 1 MiB log wrapped) and times
        one-object commits and mounts of that full log."""
        elf = os.path.join(self.build, "cardos", "cardos-storebench.elf")
        if not os.path.exists(elf):
            raise BenchError("%s not found: build it with `make`" % elf)
        nvm = os.path.join(self.tmp, "storebench.nvm")
        with open(nvm, "wb") as f:
            f.write(b"\xff" * (2 * 1024 * 1024))
        argv = self.card_argv(image=elf, net="none", icount=5, nvm=nvm,
                              nvm_format="raw")
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL,
                                start_new_session=True)
        pat = re.compile(r"bench: store_commit_1obj_us=(\d+) "
                         r"store_mount_full_us=(\d+).*?"
                         r"bench: store_mount_worst_us=(\d+) records=(\d+)",
                         re.S)
        try:
            deadline = time.monotonic() + 300
            buf = b""
            m = None
            while m is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise BenchError("no store bench line within 300 s")
                r, _, _ = select.select([proc.stdout], [], [], left)
                if not r:
                    continue
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    raise BenchError("QEMU exited before the bench lines")
                buf += chunk
                m = pat.search(buf.decode("utf-8", "replace"))
                if re.search(rb"E bench: ", buf):
                    raise BenchError("card: %r" % buf[-300:])
        finally:
            stop(proc)
        commit_us, mount_us = int(m.group(1)), int(m.group(2))
        worst_us, worst_records = int(m.group(3)), int(m.group(4))
        # flash busy time of one 255-byte object: a 284-byte record is two
        # row programs, 64 + 7 words (docs/nvm.md timing)
        busy_ms = ((20 + 5 * 64) + (20 + 5 * 7)) / 1000.0
        self.row("store_commit_1obj_ms", round(commit_us / 1000.0, 3), "ms",
                 busy_ms, "card time (-icount shift=5); baseline: flash "
                 "busy time of the record")
        self.row("store_mount_full_ms", round(mount_us / 1000.0, 1), "ms",
                 50, "wrapped 1 MiB log, 255-byte objects; baseline: target")
        self.row("store_mount_worst_ms", round(worst_us / 1000.0, 1), "ms",
                 50, "~500 KiB live + a 4-byte object rewritten 17000 "
                 "times (%d records in the log); baseline: target"
                 % worst_records)

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


    # ------------------------------------------------------------- network

    def start_net_card(self, http_port):
        argv = self.card_argv(image=self.test_elf, net="user",
                              hostfwd=((http_port, 80),))
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            wait_for_line(proc, re.compile(r"^I net: dhcp "),
                          START_TIMEOUT_S, "the DHCP lease line")
        except BaseException:
            stop(proc)
            raise
        return proc

    def idle_cpu(self):
        """Host CPU (utime + stime of the QEMU process, /proc) of an idle
        card with network, after boot has settled, and of an idle QEMU
        -M none with the same user network (slirp, a host forward, no
        device), measured over the same window."""
        seconds = 10.0 if self.quick else 30.0
        card = self.start_net_card(free_port())     # after the DHCP lease
        # -M none has no NIC: the same slirp backend as a bare -netdev.
        none = subprocess.Popen(
            self.card_argv(machine="none", image=None, console="null",
                           extra=["-netdev", "user,id=n0,hostfwd=tcp:"
                                  "127.0.0.1:%d-:80" % free_port()]),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            time.sleep(3.0)     # first gateway ping, DHCP settled
            c0, n0, t0 = proc_cpu_s(card.pid), proc_cpu_s(none.pid), \
                time.monotonic()
            time.sleep(seconds)
            c1, n1, t1 = proc_cpu_s(card.pid), proc_cpu_s(none.pid), \
                time.monotonic()
        finally:
            stop(card)
            stop(none)
        pct = lambda a, b: round(100.0 * (b - a) / (t1 - t0), 2)
        self.row("idle_cpu_pct", pct(c0, c1), "%", pct(n0, n1),
                 "host CPU of one idle card with network over %.0f s, "
                 "%% of a core (resolution %.2f); baseline: QEMU -M none "
                 "with the same -netdev user"
                 % (seconds, 100.0 / os.sysconf("SC_CLK_TCK") / seconds))

    def network(self):
        seconds = 3.0 if self.quick else 10.0
        card_port = free_port()
        card = self.start_net_card(card_port)
        base_dir = os.path.join(self.tmp, "www")
        os.makedirs(base_dir, exist_ok=True)
        with open(os.path.join(base_dir, "status.json"), "wb") as f:
            f.write(b'{"card_id":"4e430033","version":"x"}' * 12)
        with open(os.path.join(base_dir, "blob-64k.bin"), "wb") as f:
            f.write(b"n" * 65536)
        # A static resource of the SCWS content store, and the same bytes
        # for the baseline.
        web_css = b"body{margin:0;font:16px sans-serif}\n" * 8
        with open(os.path.join(base_dir, "app.css"), "wb") as f:
            f.write(web_css)
        # The largest stored resource (WEB_DATA_MAX, 15 KiB), streamed from
        # its chunks: a 1000-byte body repeated, and the same bytes for
        # the baseline.
        big_seed = bytes(range(256)) * 3 + b"scws" * 58
        big_len = 15 * 1024
        with open(os.path.join(base_dir, "big.bin"), "wb") as f:
            f.write((big_seed * 16)[:big_len])
        base_port = free_port()
        base = subprocess.Popen(
            [sys.executable, "-c", BASELINE_SERVER, str(base_port), base_dir],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            wait_port(base_port, START_TIMEOUT_S)
            card_lat = keepalive_load(card_port, "/api/status", 4, seconds)
            base_lat = keepalive_load(base_port, "/status.json", 4, seconds)
            card_tp = download_kib_s(card_port, "/static/blob-64k.bin", 16)
            base_tp = download_kib_s(base_port, "/blob-64k.bin", 16)
            status = json.loads(http_get(card_port, "/api/status"))
            if http_put(card_port, "/_scws/static/app.css", web_css,
                        "text/css") != 201:
                raise BenchError("the content store refused the resource")
            web_card = wrk_req_per_s(card_port, "/static/app.css", seconds)
            web_base = wrk_req_per_s(base_port, "/app.css", seconds)
            if http_put(card_port, "/_scws/big.bin", big_seed,
                        "application/octet-stream", big_len) != 201:
                raise BenchError("the content store refused 15 KiB")
            if http_get(card_port, "/big.bin") != \
                    (big_seed * 16)[:big_len]:
                raise BenchError("the 15 KiB resource came back different")
            big_card = download_kib_s(card_port, "/big.bin", 64)
            big_base = download_kib_s(base_port, "/big.bin", 64)
        finally:
            stop(card)
            stop(base)
        for name, lat in (("card", card_lat), ("baseline", base_lat)):
            if not lat:
                raise BenchError("no completed requests on the %s" % name)
        rps = lambda lat: round(len(lat) / seconds, 1)
        pct = lambda lat, q: round(sorted(lat)[min(len(lat) - 1,
                                   int(q * len(lat)))] * 1000.0, 2)
        note = ("keep-alive GET /api/status, 4 connections, %.0f s; "
                "baseline: python http.server on loopback" % seconds)
        self.row("http_req_per_s", rps(card_lat), "req/s", rps(base_lat),
                 note)
        self.row("http_p50_ms", pct(card_lat, 0.50), "ms",
                 pct(base_lat, 0.50), note)
        self.row("http_p99_ms", pct(card_lat, 0.99), "ms",
                 pct(base_lat, 0.99), note)
        self.row("tcp_throughput_kib_s", round(card_tp, 1), "KiB/s",
                 round(base_tp, 1), "1 MiB as 16 x 64 KiB keep-alive GETs; "
                 "baseline: python http.server")
        self.row("web_static_req_per_s", round(web_card, 1), "req/s",
                 round(web_base, 1), "wrk -c4 (keep-alive) GET of a %d-byte "
                 "stored resource of the SCWS content store, %.0f s; "
                 "baseline: the same wrk against python http.server on "
                 "loopback; target >= 1000" % (len(web_css), seconds))
        self.row("web_static_15k_kib_per_s", round(big_card, 1), "KiB/s",
                 round(big_base, 1), "64 keep-alive GETs of a %d-byte "
                 "stored resource (WEB_DATA_MAX), streamed from its 15 "
                 "chunks; baseline: the same bytes from python http.server"
                 % big_len)
        self.row("card_net_ram_kib",
                 round(status["memory"]["net_bytes"] / 1024.0, 1), "KiB", 96,
                 "lwIP heap+pools, NIC rings, HTTP slots, TLS heap and "
                 "sessions, as the card reports in /api/status (the shared "
                 "main stack not included); baseline: the 96 KiB target")



from bench_net import (  # noqa: E402
    BenchError,
    proc_cpu_s,
    free_port,
    wait_port,
    HttpConn,
    http_get,
    keepalive_load,
    download_kib_s,
    openssl,
    s_client_argv,
    handshake_ms,
    count_responses,
    pipelined_req_per_s,
    https_req_per_s,
    http_pipelined_req_per_s,
    http_put,
    wrk_req_per_s,
    BASELINE_SERVER,
    TEST_PSK_IDENTITY,
    TEST_PSK_HEX)


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
    ap.add_argument("--only", metavar="STEP,...",
                    help="run only these steps (method names, e.g. "
                    "store_costs,store_card_time); bench.json is not written")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))

    try:
        b = Bench(args.build, args.quick)
    except BenchError as e:
        print("bench: %s" % e, file=sys.stderr)
        return 1
    failed = False
    steps = (b.boot_to_banner, b.qemu_rss, b.idle_cpu, b.cardos_sizes,
             b.iso7816, b.network, b.tls, b.store_costs,
             b.store_card_time, b.crypto, b.gp, b.applets, b.webapps, b.usim,
             b.runner, b.ras, b.admin, b.scws_admin,
             b.incremental_rebuild)
    if args.only:
        names = args.only.split(",")
        unknown = set(names) - set(st.__name__ for st in steps)
        if unknown:
            print("bench: no step %s" % ", ".join(sorted(unknown)),
                  file=sys.stderr)
            b.close()
            return 1
        steps = tuple(st for st in steps if st.__name__ in names)
    try:
        for step in steps:
            try:
                step()
            except BenchError as e:
                print("bench: %s: %s" % (step.__name__, e), file=sys.stderr)
                failed = True
    finally:
        b.close()

    print_table(b.rows)
    if args.only:
        return 1 if failed else 0
    out = os.path.join(b.build, "bench.json")
    with open(out, "w") as f:
        json.dump([{"name": r["name"], "value": r["value"],
                    "unit": r["unit"], "baseline": r["baseline"]}
                   for r in b.rows], f, indent=2)
        f.write("\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
