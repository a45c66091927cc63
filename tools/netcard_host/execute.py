# Runs the steps of one `netcard test` case (or fixture) on a Card:
# APDUs with their expectations and captures, secure channels (scp.py:
# following APDUs wrapped, answers unwrapped before they are checked),
# power and resets over vpcd, faults over QMP, the console, HTTP to the
# card's web server. A mismatch raises StepFailed with a readable diff.
#
# SPDX-License-Identifier: Apache-2.0

import hashlib
import http.client
import json
import os
import re
import time

from . import match, scp
from .card import CardError

HTTP_RETRY_S = 15.0
# The card's address is configured (docs/network.md "Console lines"):
# before that slirp's SYN to it waits for TCP's retransmission (3 s, 6 s).
NET_UP = re.compile(r"^I net: dhcp |^W net: no DHCP answer")
NET_UP_TIMEOUT_S = 10.0


class StepFailed(Exception):
    """A step's expectation does not hold: WHERE, a headline, details."""

    def __init__(self, step, headline, details=""):
        super().__init__(f"{step.where}: {headline}")
        self.where = step.where
        self.headline = headline
        self.details = details


class Context:
    def __init__(self, card, variables, challenge_seed=None):
        """CHALLENGE_SEED (text): host challenges derived from it instead
        of random ones (--deterministic: the same APDUs run to run)."""
        self.card = card
        self.challenge_seed = challenge_seed
        self.challenges = 0
        self.vars = dict(variables)
        self.scp = None
        self.log = []           # one line per step, for reports
        self.net_up = False

    def run(self, steps):
        for step in steps:
            try:
                getattr(self, "_" + step.kind)(step)
            except CardError as e:
                raise StepFailed(step, str(e).splitlines()[0],
                                 "\n".join(str(e).splitlines()[1:]))
            except scp.ScpError as e:
                raise StepFailed(step, f"secure channel: {e}")

    # -- ISO 7816 ----------------------------------------------------------
    def _apdu(self, step):
        a = step.args
        capdu = a["template"].render(self.vars)
        sent = self.scp.wrap(capdu) if self.scp else capdu
        rapdu = self.card.transmit(sent, a["timeout"])
        shown = capdu.hex().upper()
        self.log.append(f"> {shown}" + (f"  (wrapped {sent.hex().upper()})"
                                         if sent != capdu else ""))
        self.log.append(f"< {rapdu.hex().upper() or '(empty)'}")
        if a["torn"]:
            if rapdu:
                raise StepFailed(step, f"apdu {shown}: expected the torn "
                                 "exchange's empty answer, got "
                                 f"{rapdu.hex().upper()}")
            return
        if len(rapdu) < 2:
            raise StepFailed(step, f"apdu {shown}: the card's answer "
                             f"'{rapdu.hex().upper()}' has no status word "
                             "(the card reset during the exchange?)")
        if self.scp:
            data, sw = self.scp.unwrap(rapdu)
        else:
            data, sw = rapdu[:-2], rapdu[-2:]
        problems = []
        if not a["sw"].match(sw):
            problems.append(f"  sw: expected {a['sw']}, got {sw.hex().upper()}")
        caps = None
        if a["data"] is not None:
            caps = a["data"].match(data, self.vars)
            if caps is None:
                problems.append("  data:\n" + "\n".join(
                    "  " + x for x in match.diff(
                        a["data"].expected_text(self.vars),
                        data).splitlines()))
        if problems:
            raise StepFailed(step, f"apdu {shown}: the answer does not match",
                             "\n".join(problems) +
                             f"\n  answer: {match.spaced(data)} "
                             f"SW {sw.hex().upper()}")
        if caps:
            self.vars.update(caps)

    def _atr(self, step):
        atr = self.card.power_on()
        self.log.append(f"ATR {atr.hex().upper()}")
        p = step.args["data"]
        if p is not None and p.match(atr, self.vars) is None:
            raise StepFailed(step, "the ATR does not match",
                             match.diff(p.expected_text(self.vars), atr))

    def _power(self, step):
        v = step.args["value"]
        self.scp = None
        if v == "off":
            self.card.power_off()
        elif v == "on":
            self.card.power_on()
        else:   # a power cut: the chip's cold reset, from outside (QMP)
            self._qom_set("/machine/soc/sysctl", "power-cycle", True)
        self.log.append(f"power {v}")

    def _reset(self, step):
        self.scp = None
        if step.args["value"] == "warm":
            self.card.warm_reset()
        else:
            self.card.power_off()
            self.card.power_on()
        self.log.append(f"{step.args['value']} reset")

    def _scp(self, step):
        a = step.args
        if a["close"]:
            self.scp = None
            return
        self.scp = None
        sel = bytes([0x00, 0xA4, 0x04, 0x00, len(a["isd"])]) + a["isd"] + \
            b"\x00"
        self._expect_ok(step, "SELECT of the security domain",
                        self.card.transmit(sel))
        s = scp.session(a["version"], a["enc"], a["mac"], a["dek"])
        hc = a["host_challenge"] or self._host_challenge()
        iu = self._expect_ok(step, "INITIALIZE UPDATE", self.card.transmit(
            s.initialize_update(a["kvn"], hc)))
        ea = s.external_authenticate(iu, a["level"])
        self._expect_ok(step, "EXTERNAL AUTHENTICATE",
                        self.card.transmit(ea))
        self.scp = s
        self.log.append(f"SCP{a['version']:02d} open, level "
                        f"{a['level']:02X}")

    def _host_challenge(self):
        if self.challenge_seed is None:
            return os.urandom(8)
        self.challenges += 1
        return hashlib.sha256(f"{self.challenge_seed}/{self.challenges}"
                              .encode()).digest()[:8]

    def _expect_ok(self, step, what, rapdu):
        if rapdu[-2:] != b"\x90\x00":
            raise StepFailed(step, f"{what} answered "
                             f"{rapdu.hex().upper() or '(empty)'}")
        return rapdu[:-2]

    # -- QMP ----------------------------------------------------------------
    def _qom_set(self, path, prop, value):
        self.card.qmp.execute("qom-set", path=path, property=prop,
                                value=value)

    def _tear(self, step):
        a = step.args
        nvm = "/machine/soc/nvm"
        self._qom_set(nvm, "tear-mode", a["mode"])
        if a["seed"] is not None:
            self._qom_set(nvm, "tear-seed", a["seed"])
        self._qom_set(nvm, "tear-after", a["after"])
        self.log.append(f"tear after {a['after']} ({a['mode']})")

    def _link(self, step):
        self.card.qmp.execute("set_link", name="netcard-nic.0",
                                up=step.args["value"] == "up")
        self.log.append(f"link {step.args['value']}")

    def _qmp(self, step):
        a = step.args
        from .qmp import QmpError
        try:
            ret = self.card.qmp.execute(a["execute"], **a["arguments"])
        except QmpError as e:
            raise StepFailed(step, f"qmp {a['execute']}: {e}")
        self.log.append(f"qmp {a['execute']} -> {json.dumps(ret)}")
        if a["has_expect"] and ret != a["expect"]:
            raise StepFailed(step, f"qmp {a['execute']}: expected "
                             f"{json.dumps(a['expect'])}, got "
                             f"{json.dumps(ret)}")

    def _console(self, step):
        t = step.args["timeout"] or self.card.timeout_s
        line = self.card.console_wait(step.args["regex"], t)
        self.log.append(f"console: {line}")

    def _set(self, step):
        self.vars.update(step.args["values"])

    # -- HTTP ---------------------------------------------------------------
    def _http(self, step):
        a = step.args
        port = self.card.http_ports.get(a["port"])
        what = f"http {a['method']} {a['path']}"
        if not self.net_up:
            self.card.console_wait(NET_UP, NET_UP_TIMEOUT_S, keep_place=True)
            self.net_up = True
        deadline = time.monotonic() + HTTP_RETRY_S
        while True:
            try:
                c = http.client.HTTPConnection("127.0.0.1", port,
                                               timeout=self.card.timeout_s)
                c.request(a["method"], a["path"], body=a["send"])
                r = c.getresponse()
                body = r.read()
                headers = {k.lower(): v for k, v in r.getheaders()}
                c.close()
                break
            except (ConnectionError, http.client.RemoteDisconnected,
                    http.client.BadStatusLine) as e:
                if time.monotonic() > deadline or not self.card.alive():
                    raise StepFailed(step, f"{what}: {e or type(e).__name__}"
                                     " (is the card's network up?)")
                time.sleep(0.1)
            except OSError as e:
                raise StepFailed(step, f"{what}: {e}")
        self.log.append(f"{what} -> {r.status} ({len(body)} bytes)")
        text = body.decode("utf-8", "replace")
        if r.status != a["status"]:
            raise StepFailed(step, f"{what}: status {r.status}, expected "
                             f"{a['status']}", f"  body: {text[:300]}")
        if a["body"] is not None and not a["body"].search(text):
            raise StepFailed(step, f"{what}: the body does not match "
                             f"/{a['body'].pattern}/", f"  body: {text[:300]}")
        for name, rx in a["headers"].items():
            if not rx.search(headers.get(name, "")):
                raise StepFailed(step, f"{what}: header {name}: "
                                 f"'{headers.get(name, '(absent)')}' does not "
                                 f"match /{rx.pattern}/")
        if a["json"] is not None:
            try:
                doc = json.loads(text)
            except ValueError:
                raise StepFailed(step, f"{what}: the body is not JSON",
                                 f"  body: {text[:300]}")
            for k, want in a["json"].items():
                got = doc.get(k, "(absent)") if isinstance(doc, dict) else \
                    "(absent)"
                if not _json_match(want, got):
                    raise StepFailed(step, f"{what}: JSON {k}: expected "
                                     f"{json.dumps(want)}, got "
                                     f"{json.dumps(got)}")


def _json_match(want, got):
    """WANT's keys and values in GOT (a mapping matches a superset)."""
    if isinstance(want, dict):
        return isinstance(got, dict) and all(
            k in got and _json_match(v, got[k]) for k, v in want.items())
    return want == got
