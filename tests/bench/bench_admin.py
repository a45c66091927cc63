# make bench rows of the card's Amendment B administration agent
# (cardos/net/admin/) against netcard-ras on the host, through libslirp:
#
#   admin_session_ms   ADMIN TRIGGER sent -> the card's "session ok" line
#                      (the server's 204), a job of one 10-command script,
#                      median of N; baseline: the same 10 APDUs over vpcd
#   admin_cmds_per_s   commands per second inside such sessions (10 over
#                      the session time); baseline: the same over vpcd
#   admin_100_identities_s
#                      issue 15's "100 cards administered by one server",
#                      done as ONE card re-triggered 100 times, each time
#                      with another PSK identity (STORE DATA of the
#                      triggering parameters in SCP03), i.e. 100 cards to
#                      the server, each with its own job: wall time of the
#                      100 sessions (sequential: one card runs one session
#                      at a time); baseline: ras-load, 100 simulated cards
#                      at once on the same server
#   admin_100_cards_s  the same issue 15 line done for real: 100 QEMU
#                      cards (test image, RAM NVM, each on its own
#                      libslirp), each with its own identity, all
#                      triggered at once against one netcard-ras: wall
#                      time from the first trigger to the last card's
#                      "session ok"; baseline: ras-load, 100 simulated
#                      cards at once
#   scws_put_kib_per_s SCWS content written through the admin session
#                      (issue 16): one job of 16 embedded PUTs of 1500
#                      bytes, trigger -> 204, KiB of resource data per
#                      second (median of N); baseline: the same 16 PUTs
#                      over plain HTTP to the test image's /_scws/ path
#                      (tests/cardos/test_web_admin.h), same card, same run
#                      (1500 bytes: that route takes a request of at most
#                      2 KiB, head and body)
#   admin_100_cards_rss_mib
#                      the 100 QEMU processes' RSS added up (at the end
#                      of their sessions); baseline: netcard-ras's RSS
#
# SPDX-License-Identifier: Apache-2.0

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

from bench_iso7816 import BenchError, connect, free_port, vpcd

sys.path.insert(1, os.path.join(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))), "tools"))
from netcard_host import gp  # noqa: E402

PSK = "4E43414452414D494E50534B30303031"       # the card's test key set
KEY40 = bytes(range(0x40, 0x50))
TEN = ["80CA006600", "80CA004200", "80CA004500", "80CA00E000",
       "80CA006700", "80CA00C100", "80CA9F7F00", "80CA006600",
       "80CA004200", "80CA004500"]
ICCID = "89490000000000%05d"
SESSION_OK = re.compile(r"I admin: session ok")
SESSION_BAD = re.compile(r"W admin: session failed")


def tlv(tag, value):
    t = tag.to_bytes(2 if tag > 0xFF else 1, "big")
    return t + bytes([len(value)]) + value


def params(port, identity):
    """Triggering parameters (Amendment B 4.1): slirp's host 10.0.2.2:PORT,
    IDENTITY with key (40, 01), 3 retries 1 s apart."""
    conn = tlv(0x84, bytes([0x3C, 3, 2]) + port.to_bytes(2, "big") +
               bytes([0x3E, 5, 0x21, 10, 0, 2, 2]))
    sec = tlv(0x85, bytes([len(identity)]) + identity.encode() +
              bytes([2, 0x40, 0x01]))
    retry = tlv(0x86, bytes([0, 3, 0x25, 3, 0, 0, 0x10]))  # swapped BCD
    http = (tlv(0x8A, b"10.0.2.2") + tlv(0x8B, b"//se-id/bench") +
            tlv(0x8C, b"/ras/admin"))
    return tlv(0x81, tlv(0x83, conn + sec + retry) + tlv(0x89, http))


def _run(argv, timeout=120):
    r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        raise BenchError("%s failed: %s%s" % (argv[0], r.stdout, r.stderr))
    return r.stdout


class Console:
    """The card's console (QEMU's stdout pipe), read line by line."""

    def __init__(self, proc):
        self.proc = proc
        self.buf = b""

    def wait(self, pattern, timeout, what):
        import select
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while True:
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                text = line.decode("utf-8", "replace")
                if SESSION_BAD.search(text):
                    raise BenchError("while waiting for %s: %s" % (what, text))
                if pattern.search(text):
                    return time.monotonic()
            left = deadline - time.monotonic()
            if left <= 0:
                raise BenchError("timed out waiting for %s" % what)
            r, _, _ = select.select([fd], [], [], left)
            if r:
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise BenchError("QEMU exited before %s" % what)
                self.buf += chunk


class Rig:
    def __init__(self, bench, tmp):
        self.ras = os.path.join(bench.build, "bin", "netcard-ras")
        self.db = os.path.join(tmp, "ras.db")
        self.port = free_port()
        self.srv = subprocess.Popen(
            [self.ras, "serve", "--db", self.db, "--listen",
             "127.0.0.1:%d" % self.port, "--admin", "none", "--instance",
             "bench-admin"], stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)
        if "ready" not in self.srv.stdout.readline():
            raise BenchError("netcard-ras did not start")
        iso = free_port()
        self.http = free_port()
        argv = bench.card_argv(image=bench.test_elf,
                               iso=("listen", "127.0.0.1", iso),
                               hostfwd=[(self.http, 80)])
        self.card = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL,
                                     start_new_session=True)
        self.console = Console(self.card)
        self.link = connect(iso)
        self.link.control(vpcd.POWER_ON)
        self.link.atr()
        self.console.wait(re.compile(r"I net: dhcp"), 60, "DHCP")

    def tx(self, apdu):
        return self.link.transmit(apdu)

    def cli(self, *args):
        return _run([self.ras] + list(args) + ["--db", self.db])

    def store_params(self, identity):
        self.select_isd()
        s = gp.Scp03(self.tx, KEY40).open(kvn=0x30, level=0x01)
        p = params(self.port, identity)
        _, sw = s.send(bytes([0x80, 0xE2, 0x90, 0x00, len(p)]) + p)
        if sw != 0x9000:
            raise BenchError("STORE DATA of the parameters: %04X" % sw)

    def select_isd(self):
        if self.tx(bytes.fromhex("00A4040000"))[-2:] != b"\x90\x00":
            raise BenchError("SELECT of the ISD failed")

    def session(self):
        """Trigger; the seconds until the card logs "session ok"."""
        self.select_isd()
        t0 = time.monotonic()
        r = self.tx(bytes.fromhex("804C0000"))
        if r[-2:] != b"\x90\x00":
            raise BenchError("ADMIN TRIGGER answered %s" % r.hex().upper())
        return self.console.wait(SESSION_OK, 120, "session ok") - t0

    def close(self):
        for p in (self.card, self.srv):
            if p.poll() is None:
                p.kill()
            p.wait()


def run(bench):
    n = 3 if bench.quick else 9
    with tempfile.TemporaryDirectory(prefix="bench-admin-") as tmp:
        rig = Rig(bench, tmp)
        try:
            sessions(bench, rig, n)
            identities(bench, rig, 20 if bench.quick else 100)
        finally:
            rig.close()
    with tempfile.TemporaryDirectory(prefix="bench-admin-many-") as tmp:
        many_cards(bench, tmp, 20 if bench.quick else 100)


def run_scws(bench):
    with tempfile.TemporaryDirectory(prefix="bench-scws-") as tmp:
        rig = Rig(bench, tmp)
        try:
            rig.cli("card", "--card", ICCID % 0, "--identity",
                    "netcard-admin", "--psk", PSK)
            rig.store_params("netcard-admin")
            rig.session()               # writes the test key set; 204
            scws_put(bench, rig, 3 if bench.quick else 5)
        finally:
            rig.close()


def _rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def _wait_file(path, text, deadline, what):
    while True:
        try:
            with open(path, "rb") as f:
                if text in f.read():
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise BenchError("timed out waiting for %s" % what)
        time.sleep(0.05)


def _power_on(i, proc, iso, attempts=4):
    """A vpcd link to card I (QEMU PROC, port ISO), powered on, its ATR
    read; retried on a timeout or a closed link."""
    for attempt in range(attempts):
        stage = "connect"
        link = None
        try:
            link = connect(iso, timeout=60)
            stage = "power on"
            link.control(vpcd.POWER_ON)
            if link.atr()[:1] == b"\x3b":
                return link
            stage = "ATR (empty)"
            raise vpcd.VpcdError(0, 0, 0, "empty ATR")
        except (vpcd.VpcdError, BenchError) as e:
            if link:
                link.close()
            if attempt + 1 == attempts or proc.poll() is not None:
                raise BenchError("card %d (%s, QEMU %s, attempt %d): %s" % (
                    i, stage, proc.poll(), attempt + 1, e))
            time.sleep(1 + attempt)


WAVE = 10      # cards booted and set up at a time (many_cards)


def _store_params(i, link, port):
    """Card I's triggering parameters (its own PSK identity) by STORE
    DATA in SCP03; LINK back."""
    tx = link.transmit
    if tx(bytes.fromhex("00A4040000"))[-2:] != b"\x90\x00":
        raise BenchError("card %d: SELECT of the ISD failed" % i)
    s = gp.Scp03(tx, KEY40).open(kvn=0x30, level=0x01)
    p = params(port, "card-%03d" % i)
    _, sw = s.send(bytes([0x80, 0xE2, 0x90, 0x00, len(p)]) + p)
    if sw != 0x9000 or tx(bytes.fromhex("00A4040000"))[-2:] != b"\x90\x00":
        raise BenchError("card %d: STORE DATA %04X" % (i, sw))
    return link


def many_cards(bench, tmp, count):
    """COUNT QEMU cards, one identity each, triggered at once."""
    ras = os.path.join(bench.build, "bin", "netcard-ras")
    db = os.path.join(tmp, "ras.db")
    port = free_port()
    path = os.path.join(tmp, "cards.txt")
    with open(path, "w") as f:
        f.write("".join("%s card-%03d %s\n" % (ICCID % (3000 + i), i, PSK)
                        for i in range(count)))
    _run([ras, "cards", "--db", db, path])
    _run([ras, "enqueue", "--db", db, "--all", "--apdu", "80CA006600",
          "--apdu", "80CA004200"])
    srv = subprocess.Popen([ras, "serve", "--db", db, "--listen",
                            "127.0.0.1:%d" % port, "--admin", "none",
                            "--instance", "bench-many"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
    cards = []
    try:
        if "ready" not in srv.stdout.readline():
            raise BenchError("netcard-ras did not start")
        used = {port}
        links = []
        # Boot and set up the cards in waves of WAVE: 100 QEMUs booting at
        # once on two cores starved each other so long that a card's
        # power-on went unanswered (2 runs in 4 failed, "no answer
        # frame"); idle cards cost little, and the measured part below
        # (all triggered at once) is unchanged.
        for first in range(0, count, WAVE):
            wave = []
            for i in range(first, min(count, first + WAVE)):
                iso = free_port()
                while iso in used:  # a port freed and handed out again
                    iso = free_port()
                used.add(iso)
                log = os.path.join(tmp, "console-%d.log" % i)
                argv = bench.card_argv(image=bench.test_elf,
                                       console="file:" + log,
                                       iso=("listen", "127.0.0.1", iso),
                                       net="user")
                cards.append((subprocess.Popen(
                    argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL, start_new_session=True), iso,
                    log))
                wave.append(i)
            deadline = time.monotonic() + 120
            for i in wave:
                proc, iso, log = cards[i]
                # the card's OS first (a card probed before it runs may
                # not answer), then power on, retried a few times
                _wait_file(log, b"reset=power-on", deadline,
                           "card %d's boot" % i)
                link = _power_on(i, proc, iso)
                _wait_file(log, b"I net: dhcp", deadline,
                           "card %d's DHCP" % i)
                links.append(_store_params(i, link, port))
        t0 = time.monotonic()
        for i, link in enumerate(links):
            r = link.transmit(bytes.fromhex("804C0000"))
            if r[-2:] != b"\x90\x00":
                raise BenchError("card %d: ADMIN TRIGGER %s" % (i, r.hex()))
        deadline = time.monotonic() + 60 + count
        for i, (proc, iso, log) in enumerate(cards):
            _wait_file(log, b"I admin: session ok: 1 scripts, 2 commands",
                       deadline, "card %d's session" % i)
        wall = time.monotonic() - t0
        rss = sum(_rss_mib(proc.pid) for proc, _, _ in cards)
        srv_rss = _rss_mib(srv.pid)
        st = _run([ras, "status", "--db", db])
        done = len(re.findall(r'"state": "done"', st))
        if done != count:
            raise BenchError("%d of %d jobs done" % (done, count))
    finally:
        for proc, _, _ in cards:
            proc.kill()
        for proc, _, _ in cards:
            proc.wait()
        srv.kill()
        srv.wait()
    load = os.path.join(bench.build, "tests", "ras-load")
    with tempfile.TemporaryDirectory(prefix="bench-admin-load-") as t2:
        db2 = os.path.join(t2, "ras.db")
        path = os.path.join(t2, "cards.txt")
        with open(path, "w") as f:
            f.write(_run([load, "--print-cards", str(count)]))
        _run([ras, "cards", "--db", db2, path])
        _run([ras, "enqueue", "--db", db2, "--all", "--apdu", "80CA006600",
              "--apdu", "80CA004200"])
        port2 = free_port()
        srv = subprocess.Popen([ras, "serve", "--db", db2, "--listen",
                                "127.0.0.1:%d" % port2, "--admin", "none"],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
        try:
            srv.stdout.readline()
            out = _run([load, "--port", str(port2), "--cards", str(count)])
        finally:
            srv.kill()
            srv.wait()
    m = re.search(r"ok=(\d+) failed=0 scripts=\d+ seconds=([\d.]+)", out)
    if not m or int(m.group(1)) != count:
        raise BenchError("ras-load: %s" % out)
    bench.row("admin_%d_cards_s" % count, round(wall, 2), "s",
              round(float(m.group(2)), 2),
              "%d QEMU cards triggered at once, one server; baseline: "
              "ras-load" % count)
    bench.row("admin_%d_cards_rss_mib" % count, round(rss, 0), "MiB",
              round(srv_rss, 1), "the QEMUs' RSS summed; baseline: the "
              "server's")


def sessions(bench, rig, n):
    rig.cli("card", "--card", ICCID % 0, "--identity", "netcard-admin",
            "--psk", PSK)
    rig.store_params("netcard-admin")
    rig.session()                   # writes the test key set; 204
    apdus = []
    for a in TEN:
        apdus += ["--apdu", a]
    times = []
    for _ in range(n):
        rig.cli("enqueue", "--card", ICCID % 0, *apdus)
        times.append(rig.session())
    rig.select_isd()
    direct = []
    for _ in range(n):
        t0 = time.monotonic()
        for a in TEN:
            if rig.tx(bytes.fromhex(a))[-2:] != b"\x90\x00":
                raise BenchError("%s over vpcd failed" % a)
        direct.append(time.monotonic() - t0)
    ms, base = statistics.median(times) * 1e3, statistics.median(direct) * 1e3
    bench.row("admin_session_ms", round(ms, 1), "ms", round(base, 1),
              "trigger -> 204, 10-command script (median of %d); baseline: "
              "the 10 APDUs over vpcd" % n)
    bench.row("admin_cmds_per_s", round(10 / (ms / 1e3), 1), "cmd/s",
              round(10 / (base / 1e3), 1), "inside those sessions; "
              "baseline: over vpcd")


def scws_put(bench, rig, n):
    import http.client
    count, size = 16, 1500
    tmp = os.path.dirname(rig.db)
    args = []
    datas = []
    for i in range(count):
        data = bytes((i * 7 + k * 13) & 0x7F | 0x20 for k in range(size))
        path = os.path.join(tmp, "r%02d.txt" % i)
        with open(path, "wb") as f:
            f.write(data)
        datas.append(data)
        args += ["--scws-put", "/bench/r%02d.txt" % i, path]
    times = []
    for _ in range(n):
        rig.cli("enqueue", "--card", ICCID % 0, *args)
        times.append(rig.session())
    st = rig.cli("status", "--card", ICCID % 0)
    if '"state": "failed"' in st:
        raise BenchError("an SCWS job failed: %s" % st[-400:])
    direct = []
    for _ in range(n):
        c = http.client.HTTPConnection("127.0.0.1", rig.http, timeout=30)
        t0 = time.monotonic()
        for i, data in enumerate(datas):
            c.request("PUT", "/_scws/bench/r%02d.txt" % i, body=data,
                      headers={"Content-Type": "text/plain"})
            r = c.getresponse()
            r.read()
            if r.status not in (201, 204):
                raise BenchError("PUT /_scws/: %d" % r.status)
        direct.append(time.monotonic() - t0)
        c.close()
    kib = count * size / 1024
    ms, base = statistics.median(times), statistics.median(direct)
    bench.row("scws_put_kib_per_s", round(kib / ms, 1), "KiB/s",
              round(kib / base, 1), "16 x 1500 B PUT in one admin session, "
              "trigger -> 204 (median of %d); baseline: the same PUTs over "
              "plain HTTP to the test image's /_scws/" % n)


def identities(bench, rig, count):
    lines = "".join("%s bench-id-%03d %s\n" % (ICCID % (i + 1), i, PSK)
                    for i in range(count))
    path = os.path.join(os.path.dirname(rig.db), "cards.txt")
    with open(path, "w") as f:
        f.write(lines)
    rig.cli("cards", path)
    rig.cli("enqueue", "--all", "--apdu", "80CA006600", "--apdu",
            "80CA004200")
    t0 = time.monotonic()
    for i in range(count):
        rig.store_params("bench-id-%03d" % i)
        rig.session()
    wall = time.monotonic() - t0
    st = rig.cli("status")
    done = len(re.findall(r'"state": "done"', st))
    if done < count + 1:
        raise BenchError("only %d jobs done: %s" % (done, st[-500:]))
    load = os.path.join(bench.build, "tests", "ras-load")
    with open(path, "w") as f:
        f.write(_run([load, "--print-cards", str(count), "--first",
                      "1000"]))
    rig.cli("cards", path)
    rig.cli("enqueue", "--all", "--apdu", "80CA006600", "--apdu",
            "80CA004200")
    out = _run([load, "--port", str(rig.port), "--cards", str(count),
                "--first", "1000"])
    m = re.search(r"ok=(\d+) failed=0 scripts=\d+ seconds=([\d.]+)", out)
    if not m or int(m.group(1)) != count:
        raise BenchError("ras-load: %s" % out)
    bench.row("admin_%d_identities_s" % count, round(wall, 1), "s",
              round(float(m.group(2)), 2),
              "one card, %d identities in turn (STORE DATA + trigger + a "
              "2-command job each); baseline: ras-load, %d simulated cards "
              "at once" % (count, count))
