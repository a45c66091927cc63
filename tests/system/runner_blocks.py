#!/usr/bin/python3
# System tests of the runner's building blocks (issue 12 part B), run by
# tests/system/test_runner_blocks.c, one case a process:
#
#   runner_blocks.py CASE WORKDIR
#
# CASE: determinism, apdu_cost, coverage, snapshot, instances. Each
# drives the installed launcher (NETCARD_BIN/netcard) or its package
# (NETCARD_BIN/../lib/python/netcard_host) against real cards, asserts,
# and exits 0; a failure is a message on stderr and exit 1.
#
# SPDX-License-Identifier: Apache-2.0

import os
import re
import signal
import subprocess
import sys
import time

BIN = os.environ["NETCARD_BIN"]
NETCARD = os.path.join(BIN, "netcard")
sys.path.insert(1, os.path.join(os.path.dirname(BIN), "lib", "python"))
from netcard_host import cost, coverage  # noqa: E402
from netcard_host.card import Card  # noqa: E402
from netcard_host.instances import start_many, stop_all  # noqa: E402
from netcard_host.snapshot import Snapshot  # noqa: E402
from netcard_host import vpcd  # noqa: E402

CARDOS = os.environ["NETCARD_CARDOS_DIR"]
TEST_ELF = os.path.join(CARDOS, "cardos-test.elf")
PRODUCT_ELF = os.path.join(CARDOS, "cardos.elf")
SELECT_TEST = "00A4040009F06E6574636172640100"    # the test application
ECHO = "801000000301020300"
RANDOM16 = "8058001010"                           # 16 TRNG bytes (DRBG)
RANDOM32 = "8058002000"
VERIFY_ADM = "0020000A083838383838383838"         # ADM1 88888888
SELECT_ICCID = "00A4080C022FE2"
READ_ICCID = "00B000000A"


class Failed(Exception):
    pass


def check(cond, fmt, *args):
    if not cond:
        raise Failed(fmt % args if args else fmt)


def run_apdus(card, apdus):
    return [card.transmit(a).hex().upper() for a in apdus]


def free_port():
    from netcard_host.card import free_port as fp
    return fp()


def card_run(args, workdir):
    """`netcard run ARGS` with free ports, QEMU exec'd: (proc, iso port)."""
    iso, http, https = free_port(), free_port(), free_port()
    ports = [] if "--no-net" in args else [
        "--http-port", str(http), "--https-port", str(https)]
    argv = [NETCARD, "run", "--iso", f"tcp:127.0.0.1:{iso}",
            "--nvm", os.path.join(workdir, "card.nvm")] + ports + args
    proc = subprocess.Popen(argv, cwd=workdir, stdin=subprocess.DEVNULL,
                            stdout=open(os.path.join(workdir, "run.out"),
                                        "wb"),
                            stderr=subprocess.STDOUT)
    return proc, iso


def stop_run(proc):
    proc.send_signal(signal.SIGTERM)     # QEMU quits; plugins write
    rc = proc.wait(30)
    check(rc == 0, "netcard run exited with %s", rc)


def apdu_tool(port, apdus):
    r = subprocess.run([NETCARD, "apdu", "--port", str(port)] + apdus,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=60)
    check(r.returncode == 0, "netcard apdu: %s", r.stdout)
    return r.stdout.split()


def wait_port(port, proc, timeout_s=30):
    link = vpcd.Link("127.0.0.1", port, timeout_s, retry=True)
    link.close()
    check(proc.poll() is None, "netcard run exited early")


def check_counts(a, b):
    """Two deterministic runs' cost tables: the same rows, and the same
    instruction count for every command (those that wait for TRNG words
    included: docs/testing.md "Determinism")."""
    check([(r.apdu, r.header, r.command_bytes) for r in a] ==
          [(r.apdu, r.header, r.command_bytes) for r in b],
          "rows differ:\n%s\n%s", a, b)
    for x, y in zip(a, b):
        check(x.instructions == y.instructions,
              "instruction counts differ: %s %s\n%s\n%s", x, y, a, b)


def case_determinism(work):
    """--deterministic: the builder's arguments; two runs of the same APDU
    sequence give the same bytes (random answers included) and the same
    instruction counts; without it the random answers differ."""
    r = subprocess.run([NETCARD, "qemu-cmdline", "--deterministic"],
                       stdout=subprocess.PIPE, text=True, check=True)
    for want in ("-seed 1", "-icount shift=5",
                 "-rtc base=2000-01-01T00:00:00,clock=vm"):
        check(want in r.stdout, "qemu-cmdline --deterministic: no '%s' in %s",
              want, r.stdout)
    lockstep = "netcard-iso7816-uart.lockstep=on"
    check(lockstep not in r.stdout, "lockstep with a network: %s", r.stdout)
    r = subprocess.run([NETCARD, "qemu-cmdline", "--deterministic", "--net",
                        "none"], stdout=subprocess.PIPE, text=True,
                       check=True)
    check(lockstep in r.stdout, "no lockstep with --net none: %s", r.stdout)
    r = subprocess.run([NETCARD, "qemu-cmdline", "--deterministic", "--net",
                        "none", "--gdb", "1234"], stdout=subprocess.PIPE,
                       text=True, check=True)
    check(lockstep not in r.stdout, "lockstep with gdb: %s", r.stdout)
    apdus = [SELECT_TEST, ECHO, RANDOM16, RANDOM32, ECHO]
    runs = []
    for i, det in enumerate((True, True, False)):
        d = os.path.join(work, f"run{i}")
        # no network: slirp's packets come in host time and the card's
        # network stack draws random numbers when they do (docs/testing.md)
        with Card(d, image=TEST_ELF, deterministic=det, net=False,
                  apdu_cost=os.path.join(d, "cost.csv")).start() as c:
            atr = c.wait_ready().hex()
            rsp = run_apdus(c, apdus)
            # lockstep: while the host thinks the card is stopped (its
            # clock stands still); a frame lets it run again
            time.sleep(0.1)
            want = "paused" if det else "running"
            st = c.qmp.execute("query-status")["status"]
            check(st == want, "between APDUs (deterministic %s): %s", det, st)
            check(run_apdus(c, [ECHO]) == rsp[1:2], "ECHO after a pause")
        runs.append((atr, rsp, cost.read_csv(c.apdu_cost)))
    (atr0, rsp0, cost0), (atr1, rsp1, cost1), (_, rsp2, _) = runs
    check(rsp0[2].endswith("9000") and len(rsp0[2]) == 36,
          "RANDOM answered %s", rsp0[2])
    check((atr0, rsp0) == (atr1, rsp1),
          "two deterministic runs answered differently:\n%s\n%s",
          rsp0, rsp1)
    check_counts(cost0, cost1)
    check(rsp2[2] != rsp0[2] or rsp2[3] != rsp0[3],
          "without --deterministic the random answers repeat: %s", rsp2)


def case_apdu_cost(work):
    """netcard run --apdu-cost: one row per APDU with its header, counts
    above zero, the same in two deterministic runs."""
    apdus = [SELECT_TEST, ECHO, RANDOM16, "00B0000010"]
    tables = []
    for i in range(2):
        d = os.path.join(work, f"run{i}")
        os.makedirs(d)
        csv_path = os.path.join(d, "cost.csv")
        proc, port = card_run(["--image", TEST_ELF, "--deterministic",
                               "--no-net", "--apdu-cost", csv_path], d)
        try:
            wait_port(port, proc)
            out = apdu_tool(port, apdus)
        finally:
            stop_run(proc)
        check(out[1] == "0102039000", "ECHO answered %s", out)
        rows = cost.read_csv(csv_path)
        check([r.apdu for r in rows] == [1, 2, 3, 4], "rows: %s", rows)
        check([r.header for r in rows] == [a[:8] for a in apdus],
              "headers %s", [r.header for r in rows])
        check([r.command_bytes for r in rows] == [len(a) // 2 for a in apdus],
              "lengths %s", rows)
        check(all(r.instructions > 0 for r in rows), "counts %s", rows)
        tables.append(rows)
    check_counts(tables[0], tables[1])
    # 32 random bytes cost more than 16: the counts measure the work
    check(tables[0][2].instructions > tables[0][1].instructions,
          "RANDOM %s vs ECHO %s", tables[0][2], tables[0][1])


def lcov_lines(info, path_end):
    files = coverage.parse(info)
    for path, entry in files.items():
        if path.endswith(path_end):
            return entry
    raise Failed(f"no {path_end} in the tracefile")


def case_coverage(work):
    """netcard run --coverage DIR, then coverage lcov/merge/html: the
    SELECT handler is hit, MANAGE CHANNEL's lines are not."""
    cov_dir = os.path.join(work, "cov")
    raws = []
    for i, apdus in enumerate(([SELECT_TEST, ECHO], [ECHO])):
        d = os.path.join(work, f"run{i}")
        os.makedirs(d)
        proc, port = card_run(["--image", TEST_ELF, "--coverage", cov_dir],
                              d)
        try:
            wait_port(port, proc)
            apdu_tool(port, apdus)
        finally:
            stop_run(proc)
    raws = sorted(os.listdir(cov_dir))
    check(len(raws) == 2 and all(r.endswith(".cov") for r in raws),
          "raw files: %s", raws)
    infos = []
    for r in raws:
        info = os.path.join(work, r + ".info")
        subprocess.run([NETCARD, "coverage", "lcov", "--elf", TEST_ELF,
                        os.path.join(cov_dir, r), "-o", info], check=True,
                       stdout=subprocess.DEVNULL)
        infos.append(info)
    merged = os.path.join(work, "all.info")
    subprocess.run([NETCARD, "coverage", "merge"] + infos + ["-o", merged],
                   check=True, stdout=subprocess.DEVNULL)
    text = open(merged).read()
    lines, fns, fnda = lcov_lines(text, "/cardos/apdu/dispatch.c")
    check(fnda.get("dispatch_command", 0) == 2,
          "dispatch_command hit by %s runs, not 2", fnda.get(
              "dispatch_command"))
    src = open(os.path.join(os.environ["NETCARD_SRCDIR"],
                            "cardos/apdu/dispatch.c")).read().splitlines()

    def body(name):
        start = next(i for i, t in enumerate(src)
                     if re.match(rf"^static \S+ \*?{name}\(", t)) + 1
        end = next(i for i in range(start, len(src)) if src[i] == "}") + 1
        return [n for n in lines if start < n <= end]

    sel, mc = body("select_by_aid"), body("manage_channel")
    check(sel and any(lines[n] for n in sel),
          "no line of select_by_aid hit: %s", {n: lines[n] for n in sel})
    check(mc and not any(lines[n] for n in mc),
          "manage_channel lines hit: %s", {n: lines[n] for n in mc})
    html_dir = os.path.join(work, "html")
    subprocess.run([NETCARD, "coverage", "html", merged, "-o", html_dir],
                   check=True, stdout=subprocess.DEVNULL)
    check(os.path.getsize(os.path.join(html_dir, "index.html")) > 0,
          "no index.html")


def case_snapshot(work):
    """Snapshot.create / start: the saved NVM and state come back in each
    case (a personalised ICCID, the selected application), a case's
    writes never reach the next, and the card answers over vpcd and
    HTTP (slirp) after the restore."""
    import urllib.request
    iccid = "98010203040506070809"
    fx = Snapshot.create(VERIFY_ADM, SELECT_ICCID, "00D600000A" + iccid,
                         SELECT_TEST, workdir=os.path.join(work, "fx"),
                         image=TEST_ELF)
    for i in range(2):
        card = fx.start()
        try:
            check(card.transmit(ECHO).hex().upper() == "0102039000",
                  "case %d: ECHO without SELECT (the saved selection)", i)
            got = run_apdus(card, [SELECT_ICCID, READ_ICCID])
            check(got[1] == iccid.upper() + "9000",
                  "case %d: ICCID %s, not the personalised %s", i, got, iccid)
            # this case's write must not reach the next case
            run_apdus(card, [VERIFY_ADM, SELECT_ICCID,
                             "00D600000A" + "11" * 10])
            url = f"http://127.0.0.1:{card.http_port}/"
            with urllib.request.urlopen(url, timeout=30) as r:
                check(r.status == 200, "HTTP %s", r.status)
        finally:
            card.stop()


def case_instances(work):
    """netcard run --instances 3: three cards, distinct ports and NVM
    files, each answering; start_many does the same for programs."""
    folder = os.path.join(work, "cards")
    proc = subprocess.Popen([NETCARD, "run", "--instances", "3",
                             "--instances-dir", folder, "--image", TEST_ELF],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    rows = []
    try:
        header = proc.stdout.readline()
        check(header.split()[:2] == ["card", "iso7816"], "header %r", header)
        for _ in range(3):
            rows.append(proc.stdout.readline().split())
        ports = [int(r[1]) for r in rows]
        https = [int(r[3]) for r in rows]
        check(len(set(ports + https)) == 6, "ports not distinct: %s", rows)
        check(len({r[4] for r in rows}) == 3, "NVM files: %s", rows)
        for p in ports:
            check(apdu_tool(p, [SELECT_TEST, ECHO])[1] == "0102039000",
                  "card on %d", p)
    finally:
        proc.send_signal(signal.SIGINT)
        rc = proc.wait(60)
    check(rc == 0, "netcard run --instances exited %s: %s", rc,
          proc.stderr.read())
    check(all(os.path.isfile(r[4]) for r in rows), "NVM files missing")
    cards = start_many(2, os.path.join(work, "pool"), image=TEST_ELF)
    try:
        check(cards[0].iso_port != cards[1].iso_port, "same port")
        for c in cards:
            check(c.transmit(SELECT_TEST).hex().endswith("9000"), "pool")
    finally:
        stop_all(cards)


CASES = {n[5:]: f for n, f in globals().items() if n.startswith("case_")}


def main(argv):
    if len(argv) != 2 or argv[0] not in CASES:
        print(f"usage: runner_blocks.py {'|'.join(CASES)} WORKDIR",
              file=sys.stderr)
        return 2
    start = time.monotonic()
    try:
        CASES[argv[0]](os.path.abspath(argv[1]))
    except Failed as e:
        print(f"runner_blocks {argv[0]}: {e}", file=sys.stderr)
        return 1
    print(f"runner_blocks {argv[0]}: ok ({time.monotonic() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
