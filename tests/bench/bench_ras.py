# make bench rows of the remote administration server (net/ras):
# ras_sessions_per_s and ras_rss_mb, driven by build/tests/ras-load (the
# card side of Amendment B, host mbedTLS); baseline: openssl s_server -psk
# handshakes per second in the same run. Standard library only.
#
# SPDX-License-Identifier: Apache-2.0

import os
import re
import socket
import statistics
import subprocess
import tempfile
import time


class BenchError(Exception):
    pass


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def _rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    raise BenchError("no VmRSS for %d" % pid)


def _run(argv, timeout=120):
    r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        raise BenchError("%s failed: %s%s" % (argv[0], r.stdout, r.stderr))
    return r.stdout


def _start(ras, db, port):
    p = subprocess.Popen([ras, "serve", "--db", db, "--listen",
                          "127.0.0.1:%d" % port, "--admin", "none",
                          "--instance", "bench"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
    line = p.stdout.readline()
    if "ready" not in line:
        p.kill()
        raise BenchError("netcard-ras did not start: %r" % line)
    return p


def run(b):
    ras = os.path.join(b.build, "bin", "netcard-ras")
    load = os.path.join(b.build, "tests", "ras-load")
    tool = os.path.join(b.build, "tests", "tls-psk-handshake")
    cards, rounds = 100, (2 if b.quick else 5)
    with tempfile.TemporaryDirectory(prefix="bench-ras-") as tmp:
        db = os.path.join(tmp, "ras.db")
        with open(os.path.join(tmp, "cards"), "w") as f:
            f.write(_run([load, "--print-cards", str(cards)]))
        _run([ras, "cards", "--db", db, os.path.join(tmp, "cards")])
        apdus = []
        for i in range(10):
            apdus += ["--apdu", "80CA00%02X00" % (0x40 + i)]
        port = _free_port()
        srv = _start(ras, db, port)
        try:
            rates = []
            for _ in range(rounds):
                _run([ras, "enqueue", "--db", db, "--all"] + apdus)
                out = _run([load, "--port", str(port), "--cards", str(cards)])
                m = re.search(r"ok=(\d+) failed=0 scripts=(\d+) seconds=([\d.]+)",
                              out)
                if not m or int(m.group(1)) != cards:
                    raise BenchError("ras-load: %s" % out)
                rates.append(cards / float(m.group(3)))
            # 100 sessions open at once (each holds 1.5 s before posting
            # its results): the server's resident memory meanwhile.
            _run([ras, "enqueue", "--db", db, "--all"] + apdus)
            held = subprocess.Popen([load, "--port", str(port), "--cards",
                                     str(cards), "--hold-ms", "1500"],
                                    stdout=subprocess.PIPE, text=True)
            time.sleep(1.0)
            rss = _rss_mb(srv.pid)
            if held.wait(timeout=120) != 0:
                raise BenchError("ras-load with 100 held sessions failed")
            idle_srv = subprocess.Popen(
                [ras, "serve", "--db", db, "--listen",
                 "127.0.0.1:%d" % _free_port(), "--admin", "none"],
                stdout=subprocess.PIPE, text=True)
            idle_srv.stdout.readline()
            idle_rss = _rss_mb(idle_srv.pid)
            idle_srv.terminate()
            idle_srv.wait()
        finally:
            srv.terminate()
            srv.wait()
        # Baseline: openssl s_server -psk, handshakes per second from one
        # client process (the same tool make bench uses for the card).
        n = 50 if b.quick else 200
        bport = _free_port()
        base = subprocess.Popen(
            ["openssl", "s_server", "-accept", "127.0.0.1:%d" % bport,
             "-nocert", "-tls1_2", "-psk_identity", "netcard-test", "-psk",
             "000102030405060708090a0b0c0d0e0f", "-cipher",
             "PSK-AES128-GCM-SHA256", "-quiet", "-naccept", str(n + 2)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", bport), 0.2).close()
                    break
                except OSError:
                    time.sleep(0.05)
            t0 = time.monotonic()
            _run([tool, "127.0.0.1", str(bport), "netcard-test",
                  "000102030405060708090a0b0c0d0e0f", str(n)])
            base_rate = n / (time.monotonic() - t0)
        finally:
            base.kill()
            base.wait()
    b.row("ras_sessions_per_s", round(statistics.median(rates), 1),
          "sessions/s", round(base_rate, 1),
          "median of %d rounds: %d simulated cards at once, each a full "
          "session (TLS-PSK, POST, 10-command script, results, 204); "
          "baseline: openssl s_server -psk handshakes/s (one client)"
          % (rounds, cards))
    b.row("ras_rss_mb", round(rss, 1), "MiB", round(idle_rss, 1),
          "netcard-ras resident memory with 100 concurrent sessions; "
          "baseline: the same server idle")
