# netcard benchmarks for web applets (docs/webapps.md), called by
# bench.py: wrk (keep-alive, 4 connections, one thread each) against a
# route of tests/applets/webapp (GET /t/echo: the request runs in the
# applet, unprivileged, and its JSON comes back) and, in the same run on
# the same card, against the card's ROM status resource /api/status (the
# baseline: the same server without an applet). The applet is loaded
# and installed over vpcd framing with SCP03 (tools/netcard_host/gp.py).
#
# SPDX-License-Identifier: Apache-2.0

import re
import shutil
import subprocess
import time

from bench_applets import KEY40, blob, install_cmd, load_cmds, ok
from bench_iso7816 import BenchError, connect, free_port, vpcd
from bench_net import http_get
from netcard_host import gp

WEB_PKG = bytes.fromhex("A00000007706")
WEB_MOD = bytes.fromhex("A0000000770601")


def wrk(url, seconds):
    """(requests per second, p99 ms) of wrk -c4 -t4 --latency on URL."""
    tool = shutil.which("wrk")
    if tool is None:
        raise BenchError("wrk is missing: apt-get install wrk")
    out = subprocess.run([tool, "-t", "4", "-c", "4", "-d", "%ds" % seconds,
                          "--timeout", "5s", "--latency", url],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         timeout=seconds + 60).stdout.decode()
    if "Socket errors" in out or "Non-2xx" in out:
        raise BenchError("wrk saw errors on %s:\n%s" % (url, out))
    rps = re.search(r"Requests/sec:\s+([0-9.]+)", out)
    p99 = re.search(r"^\s+99%\s+([0-9.]+)(us|ms|s)\s*$", out, re.M)
    if not rps or not p99:
        raise BenchError("wrk output not understood:\n%s" % out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    return float(rps.group(1)), float(p99.group(1)) * scale


def run(bench):
    seconds = 3 if bench.quick else 10
    iso, http = free_port(), free_port()
    argv = bench.card_argv(image=bench.elf, iso=("listen", "127.0.0.1", iso),
                           iso_reconnect_ms=200, net="user",
                           hostfwd=((http, 80),))
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        link = connect(iso)
        link.control(vpcd.POWER_ON)
        link.atr()
        ok(int.from_bytes(link.transmit(bytes.fromhex("00A4040000"))[-2:],
                          "big"), "SELECT of the ISD")
        s = gp.Scp03(link.transmit, KEY40).open(level=0x01)
        first, cmds = load_cmds(s, WEB_PKG, blob(bench, "webapp"))
        ok(s.send(first)[1], "INSTALL [for load]")
        for c in cmds:
            ok(s.send(c)[1], "LOAD")
        ok(s.send(install_cmd(WEB_PKG, WEB_MOD, WEB_MOD))[1], "INSTALL")
        deadline = time.monotonic() + 30
        while True:
            try:
                if b'"method":"GET"' in http_get(http, "/t/echo"):
                    break
            except (OSError, BenchError):
                pass
            if time.monotonic() > deadline:
                raise BenchError("the applet route never answered")
            time.sleep(0.5)
        app_rps, app_p99 = wrk("http://127.0.0.1:%d/t/echo" % http, seconds)
        rom_rps, rom_p99 = wrk("http://127.0.0.1:%d/api/status" % http,
                               seconds)
        link.close()
    finally:
        bench.stop_card(proc)
    note = ("wrk -c4 -t4 %d s keep-alive GET on an applet route "
            "(tests/applets/webapp /t/echo); baseline: the same wrk on the "
            "card's ROM /api/status in the same run" % seconds)
    bench.row("web_applet_req_per_s", round(app_rps, 1), "req/s",
              round(rom_rps, 1), note + " (target >= 1000)")
    bench.row("web_applet_p99_ms", round(app_p99, 2), "ms", round(rom_p99, 2),
              note)
