# `netcard apdu`: APDUs (and -f scripts with expectations) to a card
# started with `netcard run --iso`; CardLink is `netcard gp`'s and
# `netcard perso`'s link too.
#
# SPDX-License-Identifier: Apache-2.0

import sys

from .cli import (DEFAULT_ISO_HOST, DEFAULT_ISO_PORT, PROG, UsageError,
                  host_library, port_number)


# ---------------------------------------------------------------------------
# netcard apdu: a vpcd-framing client for a card listening with --iso.
# Frames are a 2-byte big-endian length and a payload; a 1-byte payload is a
# control code (00 power off, 01 power on, 02 reset, 04 get ATR), anything
# else a C-APDU answered with R-APDU data + SW1 SW2 (DESIGN.md). The framing
# is the host library's (tools/lib/vpcd.c), loaded from BUILD/lib.
# ---------------------------------------------------------------------------


class CardLink:
    """netcard_host.vpcd.Link, its failures worded for `netcard apdu`."""

    def __init__(self, host, port, timeout):
        from netcard_host import vpcd
        self.vpcd = vpcd
        self.where = f"{host}:{port}"
        try:
            self.link = host_library(vpcd.Link, host, port, timeout)
        except vpcd.VpcdError as e:
            raise UsageError(f"cannot connect to the card on {host}:{port}: "
                             f"{e.strerror} (is 'netcard run' running "
                             "with --iso there?)")

    def _failed(self, e):
        if isinstance(e, self.vpcd.Timeout):
            return UsageError(f"no answer from the card on {self.where} "
                              "within the timeout")
        if isinstance(e, self.vpcd.Closed):
            return UsageError(f"the card closed the connection on "
                              f"{self.where}")
        if e.status == self.vpcd.ERR_ARG:
            return UsageError(str(e))
        return UsageError(f"card link {self.where}: {e.strerror}")

    def exchange(self, payload):
        try:
            return self.link.transmit(payload)
        except self.vpcd.VpcdError as e:
            raise self._failed(e)

    def control(self, code):
        try:
            self.link.control(code)
        except self.vpcd.VpcdError as e:
            raise self._failed(e)

    def atr(self):
        return self.exchange(bytes([self.vpcd.GET_ATR]))

    def ensure_powered(self):
        """Power the card on if it reports no ATR; returns the ATR."""
        atr = self.atr()
        if not atr:
            self.control(self.vpcd.POWER_ON)
            atr = self.atr()
        if not atr:
            raise UsageError("the card sends no ATR after power-on")
        return atr


def parse_hex(text, what):
    digits = "".join(text.split()).replace(":", "")
    if len(digits) % 2 or any(c not in "0123456789abcdefABCDEF"
                              for c in digits):
        raise UsageError(f"{what} '{text}' is not hex bytes")
    return bytes.fromhex(digits)


def parse_expectation(text, where):
    """EXPECT is hex; 'X' matches any nibble; a leading '*' matches any
    bytes before the rest (so '*9000' = any data, then SW 9000)."""
    t = "".join(text.split()).upper()
    any_prefix = t.startswith("*")
    if any_prefix:
        t = t[1:]
    if len(t) % 2 or any(c not in "0123456789ABCDEFX" for c in t):
        raise UsageError(f"{where}: expectation '{text}' is not hex with "
                         "X wildcards and an optional leading '*'")
    return any_prefix, t


def matches(expectation, response):
    any_prefix, pattern = expectation
    got = response.hex().upper()
    if any_prefix:
        if len(got) < len(pattern):
            return False
        got = got[len(got) - len(pattern):]
    elif len(got) != len(pattern):
        return False
    return all(p in ("X", g) for p, g in zip(pattern, got))


def read_script(path):
    """Lines: 'HEX [-> EXPECT]', 'atr [-> EXPECT]', 'reset', 'cold',
    'power-on', 'power-off'; '#' starts a comment."""
    try:
        with open(path) as f:
            lines = f.readlines()
    except OSError as e:
        raise UsageError(f"cannot read script {path}: {e.strerror}")
    steps = []
    for number, raw in enumerate(lines, 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        where = f"{path}:{number}"
        command, _, expect = line.partition("->")
        command = command.strip()
        expectation = parse_expectation(expect, where) if expect.strip() \
            else None
        word = command.lower()
        if word in ("atr", "reset", "cold", "power-on", "power-off"):
            if expectation and word != "atr":
                raise UsageError(f"{where}: '{word}' has no response to check")
            steps.append((where, word, None, expectation))
        else:
            steps.append((where, "apdu", parse_hex(command, f"{where}: APDU"),
                          expectation))
    return steps


def cmd_apdu(args):
    steps = []
    if args.cold:
        steps.append(("--cold", "cold", None, None))
    if args.reset:
        steps.append(("--reset", "reset", None, None))
    if args.atr:
        steps.append(("--atr", "atr", None, None))
    for text in args.apdus:
        steps.append((text, "apdu", parse_hex(text, "APDU"), None))
    if args.script:
        steps += read_script(args.script)
    if not steps:
        raise UsageError("nothing to send: give APDUs as hex, --atr, or -f "
                         "SCRIPT")
    from netcard_host import vpcd
    link = CardLink(args.host, args.port, args.timeout)
    link.ensure_powered()
    failures = 0
    for where, kind, payload, expectation in steps:
        if kind == "cold":
            link.control(vpcd.POWER_OFF)
            link.control(vpcd.POWER_ON)
            continue
        if kind == "reset":
            link.control(vpcd.RESET)
            continue
        if kind == "power-off":
            link.control(vpcd.POWER_OFF)
            continue
        if kind == "power-on":
            link.control(vpcd.POWER_ON)
            continue
        response = link.atr() if kind == "atr" else link.exchange(payload)
        print(response.hex().upper())
        if expectation and not matches(expectation, response):
            failures += 1
            star, pattern = expectation
            print(f"{PROG}: {where}: expected {'*' if star else ''}{pattern}, "
                  f"got {response.hex().upper() or '(empty)'}",
                  file=sys.stderr)
    return 1 if failures else 0


def add_parser(sub):
    apdu = sub.add_parser("apdu", help="send APDUs to a card started with run",
                          description="Speak vpcd framing to a card started "
                          "with 'netcard run' (--iso): print each response as "
                          "uppercase hex, SW last. The card is powered on "
                          "first if it reports no ATR.")
    apdu.add_argument("apdus", metavar="HEX", nargs="*",
                      help="C-APDUs as hex, e.g. 00A4040000")
    apdu.add_argument("--port", type=port_number, default=DEFAULT_ISO_PORT,
                      help="the card's ISO 7816 port (default: %(default)s)")
    apdu.add_argument("--host", default=DEFAULT_ISO_HOST,
                      help="the card's host (default: %(default)s)")
    apdu.add_argument("--atr", action="store_true",
                      help="print the ATR first")
    reset = apdu.add_mutually_exclusive_group()
    reset.add_argument("--reset", action="store_true",
                       help="warm reset before the APDUs")
    reset.add_argument("--cold", action="store_true",
                       help="power off and on before the APDUs")
    apdu.add_argument("-f", dest="script", metavar="SCRIPT",
                      help="run a script: lines 'HEX [-> EXPECT]', 'atr', "
                      "'reset', 'cold'; EXPECT is hex with X wildcards, a "
                      "leading * matches any data; exit 1 on a mismatch")
    apdu.add_argument("--timeout", type=float, default=30.0,
                      help="seconds to wait for each answer (default: "
                      "%(default)s)")
    apdu.set_defaults(func=cmd_apdu)
    return apdu
