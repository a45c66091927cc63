# One card for `netcard test` (the runner's; card.Card is the general
# one, for snapshots, --instances and benchmarks): QEMU started from the
# one command-line builder (qemu_cmdline.py) on a free ISO 7816 port, a QMP socket, a
# console file, an NVM image, and (when a case needs it) libslirp with the
# card's web server ports forwarded; spoken to through the one vpcd client
# (vpcd.py). Every exchange can be written to an APDU capture
# (apdu_pcap.py). Failures raise CardError with what the card printed.
#
# SPDX-License-Identifier: Apache-2.0

import os
import signal
import socket
import subprocess
import threading
import time

from . import qemu_cmdline, vpcd
from .qmp import Qmp, QmpError

CONSOLE_TAIL_LINES = 20
START_TIMEOUT_S = 20.0
_ports_lock = threading.Lock()
_ports_given = set()


class CardError(Exception):
    """The card did not answer as a card does (crash, hang, refusal)."""


def free_port():
    """A free loopback TCP port, never the same twice in this process."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        with _ports_lock:
            if port not in _ports_given:
                _ports_given.add(port)
                return port


def tail(path, lines=CONSOLE_TAIL_LINES):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 16384))
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


class Card:
    def __init__(self, qemu, image, nvm, workdir, *, network=False,
                 protocol=None, pcap=None, extra=None, timeout_s=10.0):
        self.qemu, self.image, self.nvm = qemu, image, nvm
        self.workdir = workdir
        self.console = os.path.join(workdir, "console.log")
        self.qemu_log = os.path.join(workdir, "qemu.log")
        self.qmp_path = os.path.join(workdir, "qmp.sock")
        self.network = network
        self.protocol = protocol
        self.pcap = pcap
        self.extra = dict(extra or {})
        self.timeout_s = timeout_s
        self.proc = None
        self.link = None
        self._qmp = None
        self.http_ports = {}
        self.console_pos = 0
        self.exchanges = 0

    # -- life cycle --------------------------------------------------------
    def argv(self):
        opts = dict(self.extra)
        globals_ = list(opts.pop("globals_", ()))
        if self.protocol:
            globals_.append(f"netcard-iso7816-uart.protocol={self.protocol}")
        if self.network:
            self.http_ports = {80: free_port(), 3516: free_port()}
            net = dict(net="user", hostfwd=tuple(
                (h, g) for g, h in self.http_ports.items()))
        else:
            net = dict(net="none")
        self.iso_port = free_port()
        return qemu_cmdline.qemu_argv(
            self.qemu, image=self.image, nvm=self.nvm,
            console=f"file:{self.console}",
            iso=("listen", "127.0.0.1", self.iso_port),
            qmp=("listen", self.qmp_path), globals_=globals_, **net, **opts)

    def start(self):
        """Start QEMU and connect the vpcd client; a port taken by another
        program between choosing and binding is retried."""
        for attempt in range(3):
            if os.path.exists(self.qmp_path):
                os.unlink(self.qmp_path)
            argv = self.argv()
            with open(self.qemu_log, "wb") as log:
                self.proc = subprocess.Popen(
                    argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                    start_new_session=True)
            try:
                self._connect()
                return
            except CardError:
                self.stop()
                if "in use" not in tail(self.qemu_log) or attempt == 2:
                    raise

    def _connect(self):
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if self.proc.poll() is not None:
                raise CardError(f"QEMU exited with status "
                                f"{self.proc.returncode} at start:\n"
                                f"{tail(self.qemu_log)}")
            try:
                self.link = vpcd.Link("127.0.0.1", self.iso_port, 0.2,
                                      retry=True)
                self.link.timeout_ms = int(self.timeout_s * 1000)
                return
            except vpcd.VpcdError:
                if time.monotonic() > deadline:
                    raise CardError(f"the card's ISO 7816 port "
                                    f"{self.iso_port} did not listen within "
                                    f"{START_TIMEOUT_S:.0f} s")

    def qmp(self):
        if self._qmp is None:
            try:
                self._qmp = Qmp(self.qmp_path, self.timeout_s,
                                alive=lambda: self.proc.poll() is None)
            except QmpError as e:
                raise CardError(str(e))
        return self._qmp

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def quit(self):
        """Stop QEMU in order (QMP quit), so the NVM image is complete."""
        try:
            if self.alive():
                self.qmp().execute("quit")
                self.proc.wait(timeout=10)
        except (CardError, QmpError, subprocess.TimeoutExpired):
            pass
        self.stop()

    def kill(self):
        """Kill QEMU (safe from another thread: a blocked exchange then
        ends with the connection closed)."""
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                pass

    def stop(self):
        if self.link:
            self.link.close()
            self.link = None
        if self._qmp:
            self._qmp.close()
            self._qmp = None
        if self.proc:
            self.kill()
            self.proc.wait()

    # -- ISO 7816 ----------------------------------------------------------
    def _failed(self, e, what, timeout_s=None):
        if not isinstance(e, vpcd.Timeout):
            try:                # a closed link: is QEMU on its way out?
                self.proc.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                pass
        if not self.alive():
            return CardError(f"{what}: QEMU exited (status "
                             f"{self.proc.returncode}): {e}\n"
                             f"{tail(self.qemu_log, 5)}".rstrip())
        if isinstance(e, vpcd.Timeout):
            t = self.link.timeout_ms / 1000 if timeout_s is None \
                else timeout_s
            return CardError(f"{what}: no answer within {t:g} s (card "
                             "hung?)")
        return CardError(f"{what}: {e}")

    def transmit(self, capdu, timeout_s=None):
        try:
            if timeout_s is None:
                r = self.link.transmit(capdu)
            else:
                r = self.link.transmit(capdu, timeout_s)
        except vpcd.VpcdError as e:
            raise self._failed(e, f"APDU {capdu.hex().upper()}", timeout_s)
        self.exchanges += 1
        if self.pcap:
            self.pcap.exchange(capdu, r)
        return r

    def control(self, code, what):
        try:
            self.link.control(code)
        except vpcd.VpcdError as e:
            raise self._failed(e, what)

    def atr(self):
        try:
            return self.link.atr()
        except vpcd.VpcdError as e:
            raise self._failed(e, "get ATR")

    def power_on(self):
        """Power on (if off) and return the ATR."""
        deadline = time.monotonic() + self.timeout_s
        atr = self.atr()
        while not atr:
            self.control(vpcd.POWER_ON, "power on")
            atr = self.atr()
            if not atr and time.monotonic() > deadline:
                raise CardError("the card sends no ATR after power-on")
        return atr

    def power_off(self):
        self.control(vpcd.POWER_OFF, "power off")

    def warm_reset(self):
        self.control(vpcd.RESET, "warm reset")
        return self.power_on()

    # -- console -----------------------------------------------------------
    def console_wait(self, regex, timeout_s, keep_place=False):
        """The first console line matching REGEX after the last line a
        wait matched (from the start with KEEP_PLACE, which also leaves
        that place alone), within TIMEOUT_S."""
        deadline = time.monotonic() + timeout_s
        start = 0 if keep_place else self.console_pos
        while True:
            try:
                with open(self.console, "rb") as f:
                    f.seek(start)
                    chunk = f.read()
            except OSError:
                chunk = b""
            pos = 0
            while True:
                nl = chunk.find(b"\n", pos)
                if nl < 0:
                    break
                line = chunk[pos:nl].decode("utf-8", "replace").rstrip("\r")
                pos = nl + 1
                if regex.search(line):
                    if not keep_place:
                        self.console_pos = start + pos
                    return line
            if time.monotonic() > deadline:
                raise CardError(f"no console line matching "
                                f"/{regex.pattern}/ within {timeout_s:g} s")
            if not self.alive():
                raise CardError(f"QEMU exited while waiting for "
                                f"/{regex.pattern}/")
            time.sleep(0.01)

    def console_tail(self):
        return tail(self.console)
