# The runner's card: card.Card (the one card class: QEMU from the one
# command-line builder, vpcd link, QMP) with what `netcard test` steps
# need on top: the card's web ports forwarded (80 and the SCWS port
# 3516), an answer timeout per step, every exchange written to an APDU
# capture (apdu_pcap.py), power/reset over vpcd, waits on console lines,
# and errors worded for reports (CardError's first line is the message,
# the rest the details).
#
# SPDX-License-Identifier: Apache-2.0

import os
import signal
import subprocess
import time

from . import card, vpcd
from .card import CardError

CONSOLE_TAIL_LINES = 20
SCWS_PORT = 3516


def tail(path, lines=CONSOLE_TAIL_LINES):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 16384))
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


class TestCard(card.Card):
    """card.Card options, and: protocol (t0, t1 or None), pcap (an
    ApduPcap), timeout_s (an answer's default wait), pcap_clock (None:
    wall-clock timestamps; a number: exchange N is stamped N * it)."""

    GUEST_PORTS = (card.CARD_HTTP_PORT, SCWS_PORT, card.CARD_HTTPS_PORT)

    def __init__(self, workdir, *, protocol=None, pcap=None, timeout_s=10.0,
                 pcap_clock=None, globals_=(), **options):
        globals_ = list(globals_)
        if protocol:
            globals_.append(f"netcard-iso7816-uart.protocol={protocol}")
        super().__init__(workdir, globals_=globals_, **options)
        self.pcap = pcap
        self.pcap_clock = pcap_clock
        self.timeout_s = timeout_s
        self.console_pos = 0
        self.exchanges = 0

    def link(self, timeout_s=30.0):
        new = self._link is None
        link = super().link(timeout_s)
        if new:
            link.timeout_ms = int(self.timeout_s * 1000)
        return link

    def kill(self):
        """Kill QEMU (safe from another thread: a blocked exchange then
        ends with the connection closed)."""
        if self.alive():
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                pass

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
                             f"{tail(self.log, 5)}".rstrip())
        if isinstance(e, vpcd.Timeout):
            t = self.timeout_s if timeout_s is None else timeout_s
            return CardError(f"{what}: no answer within {t:g} s (card "
                             "hung?)")
        return CardError(f"{what}: {e}")

    def transmit(self, capdu, timeout_s=None):
        if isinstance(capdu, str):
            capdu = bytes.fromhex("".join(capdu.split()))
        try:
            if timeout_s is None:
                r = self.link().transmit(capdu)
            else:
                r = self.link().transmit(capdu, timeout_s)
        except vpcd.VpcdError as e:
            raise self._failed(e, f"APDU {capdu.hex().upper()}", timeout_s)
        self.exchanges += 1
        if self.pcap:
            when = None if self.pcap_clock is None else \
                self.exchanges * self.pcap_clock
            self.pcap.exchange(capdu, r, when)
        return r

    def control(self, code, what):
        try:
            self.link().control(code)
        except vpcd.VpcdError as e:
            raise self._failed(e, what)

    def atr(self):
        try:
            return self.link().atr()
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
