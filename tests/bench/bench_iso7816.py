# netcard benchmarks for the ISO 7816 contact interface, called by
# bench.py: APDU round trips over vpcd framing (direct and through pcscd),
# the loopback TCP floor measured in the same run, the time from RST to
# the ATR (card time, from the terminal model) and from power-on to a
# ready link (host time), and timing=real's error against ISO 7816-3's
# character time.
#
# SPDX-License-Identifier: Apache-2.0

import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

# netcard's one vpcd client (tools/lib/vpcd.c through
# tools/netcard_host/vpcd.py; bench.py says where the library is), the one
# the C tests and `netcard apdu` use.
sys.path.insert(1, os.path.join(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))), "tools"))
from netcard_host import vpcd  # noqa: E402

# SELECT the test applet as a case 4 command (Le = 00), so that under T=0
# the terminal fetches the FCI with GET RESPONSE and answers 9000.
SELECT = bytes.fromhex("00A4040009F06E6574636172640100")
INS_ECHO = 0x10
CLK_HZ = 3571200          # default CLK (DESIGN.md)
F_DEFAULT, D_DEFAULT = 372, 1


class BenchError(Exception):
    pass


def qom_get(path, obj, prop, timeout=10.0):
    """One QMP qom-get on QEMU's QMP socket PATH."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        deadline = time.monotonic() + timeout
        while True:
            try:
                s.connect(path)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise BenchError("no QMP socket at %s" % path)
                time.sleep(0.01)
        s.settimeout(timeout)
        f = s.makefile("rwb")
        f.readline()                                    # greeting
        for cmd in ({"execute": "qmp_capabilities"},
                    {"execute": "qom-get",
                     "arguments": {"path": obj, "property": prop}}):
            f.write(json.dumps(cmd).encode() + b"\n")
            f.flush()
            while True:
                reply = json.loads(f.readline() or b"{}")
                if "event" not in reply:
                    break
            if "return" not in reply:
                raise BenchError("QMP %s: %r" % (cmd["execute"], reply))
        return reply["return"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise BenchError("connection closed")
        data += chunk
    return data


def connect(port, timeout=30.0):
    """A vpcd link to 127.0.0.1:PORT, retrying until it accepts (QEMU may
    still be starting); TIMEOUT (s) bounds that and every answer."""
    try:
        return vpcd.Link("127.0.0.1", port, timeout, retry=True)
    except vpcd.Timeout:
        raise BenchError("card's ISO 7816 port %d never accepted" % port)


def echo_apdu(data):
    if len(data) <= 255:
        return bytes([0x80, INS_ECHO, 0, 0, len(data)]) + data + b"\x00"
    return (bytes([0x80, INS_ECHO, 0, 0, 0, len(data) >> 8, len(data) & 255])
            + data + b"\x00\x00")


ECHO_SERVER = r"""
import socket, sys
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(1)
print(srv.getsockname()[1], flush=True)
conn, _ = srv.accept()
conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
while True:
    hdr = conn.recv(2, socket.MSG_WAITALL)
    if len(hdr) < 2:
        break
    n = int.from_bytes(hdr, "big")
    body = b""
    while len(body) < n:
        chunk = conn.recv(n - len(body))
        if not chunk:
            sys.exit(0)
        body += chunk
    conn.sendall(hdr + body)
"""


def loopback_echo_server(separate_process):
    """A plain loopback TCP echo with the same framing: the floor. QEMU is
    a process of its own, so the floor is an echo server in another
    process; the in-process (thread) variant is reported beside it."""
    if separate_process:
        proc = subprocess.Popen(["/usr/bin/python3", "-c", ECHO_SERVER],
                                stdout=subprocess.PIPE, text=True)
        port = int(proc.stdout.readline())
        return port, proc
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]

    def serve():
        conn, _ = srv.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while True:
                hdr = conn.recv(2, socket.MSG_WAITALL)
                if len(hdr) < 2:
                    break
                body = recv_exact(conn, int.from_bytes(hdr, "big"))
                conn.sendall(hdr + body)
        except (OSError, BenchError):
            pass
        finally:
            conn.close()
            srv.close()

    threading.Thread(target=serve, daemon=True).start()
    return port, None


def floor_us(short, big, n):
    """Median and p99 (short) and median (big) of the loopback echo."""
    out = {}
    for separate in (True, False):
        port, proc = loopback_echo_server(separate)
        link = connect(port)
        s = timed_us(link, short, n)
        b = timed_us(link, big, max(50, n // 10))
        link.close()
        if proc:
            proc.wait(timeout=10)
        out[separate] = (statistics.median(s), p99(s), statistics.median(b))
    return out


def timed_us(link, payload, count):
    times = []
    for _ in range(count):
        t0 = time.perf_counter()
        resp = link.transmit(payload)
        times.append((time.perf_counter() - t0) * 1e6)
        if len(resp) < 2:
            raise BenchError("short response %s" % resp.hex())
    return times


def p99(values):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * 0.99))]


def run(bench):
    """Add the ISO 7816 rows to BENCH (bench.py's Bench)."""
    n = 300 if bench.quick else 2000
    short = echo_apdu(bytes(range(16)))
    big = echo_apdu(bytes(i & 255 for i in range(4096)))

    # The floor: same client, same framing, a plain loopback echo.
    floors = floor_us(short, big, n)
    floor_med, floor_p99, floor_big = floors[True]

    port = free_port()
    qmp = os.path.join(bench.tmp, "qmp-iso.sock")
    proc = bench.start_iso_card(port, qmp=("listen", qmp))
    try:
        link = connect(port)
        t0 = time.perf_counter()
        link.control(vpcd.POWER_ON)
        atr = link.atr()                        # after the ATR and PPS
        ready_ms = (time.perf_counter() - t0) * 1000.0
        if not atr:
            raise BenchError("no ATR after power-on")
        atr_ms = qom_get(qmp, "/machine/soc/iso7816", "atr-latency-us") / 1000.0
        if link.transmit(SELECT)[-2:] != b"\x90\x00":
            raise BenchError("SELECT of the test applet failed")
        direct = timed_us(link, short, n)
        direct_big = timed_us(link, big, max(50, n // 10))
        link.close()
    finally:
        bench.stop_card(proc)

    bench.row("apdu_rtt_direct_us", round(statistics.median(direct), 1),
              "us", round(floor_med, 1),
              "median of %d 16-byte ECHOs over vpcd framing; baseline: "
              "loopback_tcp_echo_us" % n)
    bench.row("apdu_rtt_direct_p99_us", round(p99(direct), 1), "us",
              round(floor_p99, 1), "p99; baseline: loopback p99")
    bench.row("apdu_rtt_4k_us", round(statistics.median(direct_big), 1),
              "us", round(floor_big, 1),
              "4096-byte extended ECHO; baseline: loopback, same size")
    bench.row("loopback_tcp_echo_us", round(floor_med, 1), "us",
              round(floors[False][0], 1),
              "the floor: same client and framing, echo server in another "
              "process (as QEMU is); baseline: echo server in a thread of "
              "the client process")
    bench.row("atr_after_rst_ms", round(atr_ms, 2), "ms", 11.2,
              "RST rising to the complete ATR, card (virtual) time from the "
              "terminal model; baseline: ISO 7816-3's 40000 clocks at "
              "3.5712 MHz")
    bench.row("link_ready_after_power_on_ms", round(ready_ms, 1), "ms",
              round(9600 * F_DEFAULT / CLK_HZ * 1000.0, 1),
              "host time from power-on to the get-ATR answer: activation, "
              "ATR and PPS; the card answers the PPS after its boot work "
              "(self-tests, store mount); baseline: ISO 7816-3's initial "
              "waiting time "
              "(9600 etu) the terminal allows for the PPS response")
    real_timing(bench)
    pcsc_rtt(bench, statistics.median(direct) / 1000.0)
    update_binary(bench)


def real_timing(bench):
    """timing=real, no PPS (F=372 D=1, 9600 bit/s at 3.5712 MHz), T=0:
    a case 1 APDU is a 5-character header and a 2-character SW. ISO
    7816-3: 12 etu per character (N = 0), 1 etu = F / (D f)."""
    etu_s = F_DEFAULT / (D_DEFAULT * CLK_HZ)
    computed_ms = 7 * 12 * etu_s * 1000.0
    port = free_port()
    proc = bench.start_iso_card(port, globals_=(
        "netcard-iso7816-uart.timing=real",
        "netcard-iso7816-uart.pps=off",
        "netcard-iso7816-uart.protocol=t0"))
    try:
        link = connect(port)
        link.control(vpcd.POWER_ON)
        link.atr()
        if link.transmit(SELECT)[-2:] != b"\x90\x00":
            raise BenchError("SELECT failed with timing=real")
        case1 = bytes([0x80, 0x14, 0x90, 0x00])    # STATUS: answer 9000
        times = [t / 1000.0 for t in timed_us(link, case1, 30)]
        link.close()
    finally:
        bench.stop_card(proc)
    measured = statistics.median(times)
    bench.row("real_timing_error_pct",
              round(abs(measured - computed_ms) / computed_ms * 100.0, 2),
              "%", 0.0,
              "case 1 at 9600 bit/s: measured %.3f ms vs computed %.3f ms"
              % (measured, computed_ms))


def pcsc_rtt(bench, direct_ms):
    """pyscard through a private pcscd + vsmartcard-vpcd, per APDU."""
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
    try:
        n = 200 if bench.quick else 1000
        script = (
            "import time,sys\n"
            "from smartcard.System import readers\n"
            "r=[x for x in readers() if 'Virtual PCD 00 00' in str(x)][0]\n"
            "c=r.createConnection(); c.connect()\n"
            "c.transmit(list(bytes.fromhex('%s')))\n"
            "a=[0x80,0x10,0,0,16]+list(range(16))+[0]\n"
            "t=time.perf_counter()\n"
            "for i in range(%d): c.transmit(a)\n"
            "print((time.perf_counter()-t)*1000.0/%d)\n"
            % (SELECT.hex(), n, n))
        env = dict(os.environ, NETCARD_PCSC_WAIT_CARD="1")
        out = subprocess.run(
            [session, os.path.join(bench.tmp, "pcsc"), str(port),
             "/usr/bin/python3", "-c", script],
            capture_output=True, text=True, timeout=300, env=env)
        if out.returncode != 0:
            raise BenchError("pyscard through pcscd failed: %s"
                             % (out.stderr.strip()[-500:]))
        per_apdu_ms = float(out.stdout.strip().splitlines()[-1])
    finally:
        bench.stop_card(proc)
    bench.row("apdu_rtt_pcsc_ms", round(per_apdu_ms, 3), "ms",
              round(direct_ms, 3),
              "pyscard, 16-byte ECHO through pcscd + vpcd; baseline: the "
              "same APDU over vpcd framing directly (a card that ignores "
              "delayed ACK takes ~49 ms here)")


def update_binary(bench):
    """UPDATE BINARY of 255 bytes to a transparent EF (docs/fs.md) over
    vpcd framing, against a command of the same shape (255 data bytes in,
    a status word out) that writes nothing: the test applet's STATUS
    answering 6400 (ISO 7816-4: execution error, NVM unchanged)."""
    n = 40 if bench.quick else 300
    port = free_port()
    proc = bench.start_iso_card(port)   # no drive: an erased RAM NVM
    try:
        link = connect(port)
        link.control(vpcd.POWER_ON)
        link.atr()

        def ok(apdu, what):
            r = link.transmit(apdu)
            if r[-2:] != b"\x90\x00":
                raise BenchError("%s answered %s" % (what, r[-2:].hex()))

        # VERIFY ADM1, then CREATE FILE (TS 102 222 6.3): transparent EF
        # 6F10 of 255 bytes, EF_ARR 2F06 record 4 (update always).
        ok(bytes.fromhex("0020000A08") + b"88888888", "VERIFY ADM1")
        ok(bytes.fromhex("00A4000C023F00"), "SELECT MF")
        ok(bytes.fromhex("00E000001662148202412183026F108A01058B032F0604"
                         "800200FF"), "CREATE FILE")
        ok(bytes.fromhex("00A4000C026F10"), "SELECT 6F10")
        updates = [bytes([0x00, 0xD6, 0, 0, 255]) +
                   bytes((i * 85 + k) & 255 for k in range(255))
                   for i in range(3)]
        ub = []
        for i in range(n):
            t0 = time.perf_counter()
            r = link.transmit(updates[i % 3])
            ub.append((time.perf_counter() - t0) * 1000.0)
            if r[-2:] != b"\x90\x00":
                raise BenchError("UPDATE BINARY answered %s" % r.hex())
        ok(SELECT, "SELECT test applet")
        same_shape = bytes([0x80, 0x14, 0x64, 0x00, 255]) + updates[0][5:]
        base = []
        for i in range(n):
            t0 = time.perf_counter()
            r = link.transmit(same_shape)
            base.append((time.perf_counter() - t0) * 1000.0)
            if r != b"\x64\x00":
                raise BenchError("STATUS 6400 answered %s" % r.hex())
        link.close()
    finally:
        bench.stop_card(proc)
    bench.row("update_binary_255_ms", round(statistics.median(ub), 3), "ms",
              round(statistics.median(base), 3),
              "median of %d UPDATE BINARY of 255 bytes (one store "
              "transaction) over vpcd framing; baseline: the test applet's "
              "STATUS 6400 with 255 data bytes (same transport, no flash)"
              % n)
