# netcard benchmarks for the GlobalPlatform card manager, called by
# bench.py: opening an SCP03 session through pcscd, a fully wrapped APDU
# (C-MAC, C-DECRYPTION, R-MAC, R-ENCRYPTION) against the same APDU plain
# over vpcd framing, GET STATUS of 50 registry entries, PUT KEY, and the
# static RAM of cardos/gp/. The host side of SCP03 is
# tools/netcard_host/gp.py; only the APDU exchanges are timed (the host's
# own cryptography is done before or between them).
#
# SPDX-License-Identifier: Apache-2.0

import os
import re
import socket
import statistics
import subprocess
import sys
import time

import bench_iso7816
from bench_iso7816 import BenchError, connect, free_port, vpcd

sys.path.insert(1, os.path.join(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))), "tools"))
from netcard_host import gp  # noqa: E402

KEY40 = bytes(range(0x40, 0x50))
SELECT_ISD = bytes.fromhex("00A4040000")
GET_STATUS_ISD = bytes.fromhex("80F28002024F0000")


def timed(link, apdu):
    t = time.perf_counter()
    r = link.transmit(apdu)
    return r, (time.perf_counter() - t) * 1e6


class TimedLink:
    """transmit() that adds up the time spent in exchanges."""

    def __init__(self, link):
        self.link = link
        self.us = 0.0

    def __call__(self, apdu):
        r, us = timed(self.link, apdu)
        self.us += us
        return r


def run(bench):
    n = 30 if bench.quick else 200
    port = free_port()
    proc = bench.start_iso_card(port)   # an erased RAM NVM: first boot
    try:
        link = connect(port)
        link.control(vpcd.POWER_ON)
        link.atr()
        if link.transmit(SELECT_ISD)[-2:] != b"\x90\x00":
            raise BenchError("SELECT of the ISD failed")
        wrapped_and_plain(bench, link, n)
        get_status_50(bench, link)
        put_key(bench, link, max(10, n // 10))
        link.close()
    finally:
        bench.stop_card(proc)
    scp03_open_pcsc(bench, max(20, n // 4))
    gp_ram(bench)


def wrapped_and_plain(bench, link, n):
    tl = TimedLink(link)
    # plain: a session at level 00 (authenticated, no secure messaging)
    s = gp.Scp03(tl, KEY40).open(level=0x00)
    plain = []
    for _ in range(n):
        r, us = timed(link, GET_STATUS_ISD)
        if r[-2:] != b"\x90\x00":
            raise BenchError("plain GET STATUS answered %s" % r.hex())
        plain.append(us)
    # level 33: every command wrapped before the clock starts
    s = gp.Scp03(tl, KEY40).open(level=0x33)
    cmds = [s.wrap(GET_STATUS_ISD) for _ in range(n)]
    wrapped = []
    for c in cmds:
        r, us = timed(link, c)
        if r[-2:] != b"\x90\x00":
            raise BenchError("wrapped GET STATUS answered %s" % r.hex())
        wrapped.append(us)
    bench.row("scp03_wrapped_apdu_us", round(statistics.median(wrapped), 1),
              "us", round(statistics.median(plain), 1),
              "median of %d GET STATUS of the ISD at level 33 (C-MAC, "
              "C-DECRYPTION, R-MAC, R-ENCRYPTION), vpcd framing; baseline: "
              "the same command plain in a level-00 session (target <= 2x)"
              % n)


def get_status_50(bench, link):
    s = gp.Scp03(link.transmit, KEY40).open(level=0x01)
    for i in range(50):
        aid = bytes([0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0x50, i])
        data = bytes([len(aid)]) + aid + b"\x00\x00\x00\x00"
        for c in (bytes([0x80, 0xE6, 0x02, 0x00, len(data)]) + data,
                  bytes.fromhex("80E8800002C400")):
            d, sw = s.send(c)
            if sw != 0x9000:
                raise BenchError("INSTALL [for load]/LOAD %d answered %04X"
                                 % (i, sw))
    runs = []
    for _ in range(10):
        cmds = [s.wrap(bytes.fromhex("80F22002024F0000"))]
        t = time.perf_counter()
        r = link.transmit(cmds[0])
        entries = r.count(b"\xE3")
        while r[-2:] == b"\x63\x10":
            nxt = s.wrap(bytes.fromhex("80F22003024F0000"))
            r = link.transmit(nxt)
        runs.append((time.perf_counter() - t) * 1000.0)
        if r[-2:] != b"\x90\x00" or entries == 0:
            raise BenchError("GET STATUS P1 20 answered %s" % r[-2:].hex())
    one, us = timed(link, s.wrap(GET_STATUS_ISD))
    bench.row("get_status_50_ms", round(statistics.median(runs), 2), "ms",
              round(us / 1000.0, 3),
              "GET STATUS P1 20 (tag format) of 54 load files (50 loaded, 4 "
              "ROM modules) with its 6310 continuations, C-MAC session, "
              "host wrapping included; baseline: one GET STATUS of the ISD")


def put_key(bench, link, n):
    s = gp.Scp03(link.transmit, KEY40).open(level=0x01)
    data, kcv = s.put_key_data(0x31, bytes(range(16)))
    d, sw = s.send(bytes([0x80, 0xD8, 0x00, 0x81, len(data)]) + data + b"\x00")
    if sw != 0x9000:
        raise BenchError("PUT KEY (new key set 31) answered %04X" % sw)
    data = bytes([0x31]) + data[1:]
    times = []
    for _ in range(n):
        c = s.wrap(bytes([0x80, 0xD8, 0x31, 0x81, len(data)]) + data + b"\x00")
        r, us = timed(link, c)
        if r[-2:] != b"\x90\x00":
            raise BenchError("PUT KEY (replace 31) answered %s" % r.hex())
        times.append(us / 1000.0)
    r, us = timed(link, s.wrap(GET_STATUS_ISD))
    bench.row("put_key_ms", round(statistics.median(times), 3), "ms",
              round(us / 1000.0, 3),
              "PUT KEY replacing a 3-key AES-128 key set (decrypt, KCVs, one "
              "store transaction), C-MAC session; baseline: a GET STATUS of "
              "the ISD in the same session")


def scp03_open_pcsc(bench, n):
    """INITIALIZE UPDATE + EXTERNAL AUTHENTICATE through pcscd (pyscard),
    the exchanges timed, the host's SCP03 computed between them."""
    session = os.path.join(bench.srcdir, "tests", "system", "pcsc-session.sh")
    port = free_port()
    while True:
        try:
            with socket.socket() as s:
                s.bind(("", port + 1))
            break
        except OSError:
            port = free_port()
    proc = bench.start_iso_card(port, client=True)
    tools = os.path.join(bench.srcdir, "tools")
    script = (
        "import sys,time,statistics\n"
        "sys.path.insert(0,%r); sys.path.insert(0,%r)\n"
        "from netcard_host import gp\n"
        "from smartcard.System import readers\n"
        "r=[x for x in readers() if 'Virtual PCD 00 00' in str(x)][0]\n"
        "c=r.createConnection(); c.connect()\n"
        "t=[0.0]\n"
        "def tx(a):\n"
        "    s=time.perf_counter(); d,s1,s2=c.transmit(list(a))\n"
        "    t[0]+=time.perf_counter()-s; return bytes(d+[s1,s2])\n"
        "tx(bytes.fromhex('00A4040000'))\n"
        "opens=[]; echo=[]\n"
        "for i in range(%d):\n"
        "    t[0]=0.0; gp.Scp03(tx, bytes(range(0x40,0x50))).open(level=1)\n"
        "    opens.append(t[0]*1000)\n"
        "    t[0]=0.0; tx(bytes.fromhex('80CA004200')); tx(bytes.fromhex('80CA004500'))\n"
        "    echo.append(t[0]*1000)\n"
        "print(statistics.median(opens), statistics.median(echo))\n"
        % (tools, os.path.join(bench.srcdir, "tests", "bench"), n))
    try:
        env = dict(os.environ, NETCARD_PCSC_WAIT_CARD="1")
        out = subprocess.run(
            [session, os.path.join(bench.tmp, "pcsc-gp"), str(port),
             "/usr/bin/python3", "-c", script],
            capture_output=True, text=True, timeout=300, env=env)
        if out.returncode != 0:
            raise BenchError("SCP03 through pcscd failed: %s"
                             % out.stderr.strip()[-500:])
        open_ms, two_ms = (float(x) for x in
                           out.stdout.strip().splitlines()[-1].split())
    finally:
        bench.stop_card(proc)
    bench.row("scp03_open_ms", round(open_ms, 3), "ms", round(two_ms, 3),
              "INITIALIZE UPDATE + EXTERNAL AUTHENTICATE (SCP03 i=70, AES-128, "
              "level 01) through pcscd + vpcd with pyscard, median of %d, "
              "exchanges only; baseline: two GET DATA through the same path "
              "(real cards: ~100 ms; target <= 2 ms)" % n)


def gp_ram(bench):
    """Static RAM (.data + .bss) of cardos/gp/ in the product image, from
    its link map."""
    path = os.path.join(bench.build, "cardos", "cardos.map")
    total = 0
    with open(path) as f:
        lines = f.read().splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^ (\.(?:data|bss)[.\w]*)\s*(0x[0-9a-f]+)?\s*(0x[0-9a-f]+)?"
                     r"\s*(\S+)?$", line)
        if not m:
            continue
        size, obj = m.group(3), m.group(4)
        if size is None and i + 1 < len(lines):
            m2 = re.match(r"^\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(\S+)$",
                          lines[i + 1])
            if m2:
                size, obj = m2.group(2), m2.group(3)
        if size and obj and "/obj/gp/" in obj:
            total += int(size, 16)
    bench.row("gp_ram_kib", round(total / 1024.0, 2), "KiB",
              256,
              "static RAM (.data + .bss) of cardos/gp/ in the product image "
              "(secure channel sessions, registry table, load and GET STATUS "
              "state); baseline: the card's RAM")
