#!/usr/bin/python3
# The wallet in a real browser (run by tests/system/test_webapps.c inside
# a private pcscd session): the wallet is loaded, installed and used over
# PC/SC with pyscard (credits through the issuer's secure channel, debits
# with the wallet's PIN, each with a date and a merchant), its page put
# into the content store and /wallet/ protected for the user "holder"
# whose secret is the card's PIN1 (the test image's PUT /_scws/ and
# /_scwsauth/, docs/webapps.md "Protection"); then headless Chromium,
# driven through its DevTools protocol (tests/system/cdp.py), opens
# /wallet/ on a phone-sized screen, logs in with PIN1 (HTTP Digest) and
# must show the balance and the transactions the APDUs made. Its
# screenshot goes to --shot. Then a second browser logs in with a wrong
# PIN three times: the web login and ISO 7816 VERIFY of PIN1 are both
# blocked.
#
#   webapps_browser.py --reader NAME --http PORT --build BUILD --shot PNG
#
# Prints "ok browser" at the end; any failure raises.
#
# SPDX-License-Identifier: Apache-2.0

import argparse
import base64
import os
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import applets_flow  # noqa: E402
import cdp  # noqa: E402
import webapps_flow  # noqa: E402

WALLET_AID = bytes.fromhex("A0000000770301")
PIN = b"4321"
# (kind, amount in cents, date, merchant)
OPS = [("C", 5000, 1767225600, b"Issuer"),
       ("D", 1250, 1767312000, b"Cafe Lumen"),
       ("D", 399, 1767398400, b"Bookshop 42"),
       ("C", 2000, 1767484800, b"Refund"),
       ("D", 845, 1767571200, b"Green Grocer")]


def transactions(card):
    card.isd()
    card.load(applets_flow.WALLET_PKG, card.blob("wallet"))
    card.install(applets_flow.WALLET_PKG, applets_flow.WALLET_MOD,
                 WALLET_AID, params=PIN)
    card.select(WALLET_AID)
    bal = 0
    for kind, amt, date, who in OPS:
        tail = struct.pack(">I", date) + who
        if kind == "C":
            card.wch = None
            ch = applets_flow.wallet_channel(card)
            cmd = ch.wrap(b"\x80\x52\x00\x00" + bytes([4 + len(tail)]) +
                          struct.pack(">I", amt) + tail)
            bal += amt
        else:
            cmd = (b"\x80\x54\x00\x00" + bytes([8 + len(tail)]) + PIN +
                   struct.pack(">I", amt) + tail + b"\x00")
            bal -= amt
        _, sw = card.apdu(cmd)
        assert sw == 0x9000, "%s %d: %04X" % (kind, amt, sw)
    return bal


USER, PIN1 = "holder", "1234"        # docs/fs.md: PIN1's test value


def admin_put(args, path, body):
    out = subprocess.run(
        ["curl", "-sS", "--max-time", "20", "-o", "/dev/null", "-w",
         "%{http_code}", "-X", "PUT", "--data-binary", body,
         "http://127.0.0.1:%d%s" % (args.http, path)],
        stdout=subprocess.PIPE, check=True).stdout.decode()
    assert out in ("201", "204"), "PUT %s: %s" % (path, out)


def protect(args):
    """/wallet/ for the user holder, whose secret is PIN1 (key ref 01)."""
    admin_put(args, "/_scwsauth/user/" + USER, "pin:01")
    admin_put(args, "/_scwsauth/protect/wallet/", USER)
    code, _ = webapps_flow.curl(args, "/wallet/api/state")
    assert code == 401, code            # the applet is not reached
    out = subprocess.run(
        ["curl", "-sS", "--max-time", "20", "--digest", "-u",
         "%s:%s" % (USER, PIN1), "-w", "\n%{http_code}",
         "http://127.0.0.1:%d/wallet/api/state" % args.http],
        stdout=subprocess.PIPE, check=True).stdout
    assert out.endswith(b"\n200"), out


def browse(args, bal):
    webapps_flow.put_shell(args.http)
    protect(args)
    b = cdp.Browser()
    asked = []
    b.http_auth(lambda ch: asked.append(ch) or (USER, PIN1))
    try:
        b.call("Emulation.setDeviceMetricsOverride", width=390, height=780,
               deviceScaleFactor=2, mobile=True)
        b.call("Page.enable")
        b.call("Page.navigate", url="http://127.0.0.1:%d/wallet/" % args.http)
        deadline = time.monotonic() + 30
        while True:
            shown = b.eval("document.getElementById('balance') && "
                           "document.getElementById('balance').textContent")
            rows = b.eval("document.querySelectorAll('#tx li').length")
            err = b.eval("document.getElementById('err') && "
                         "document.getElementById('err').textContent")
            if shown and shown != "\u2026" and rows:
                break
            assert not err, "the page says: %s" % err
            assert time.monotonic() < deadline, "the page never filled"
            time.sleep(0.2)
        assert asked and asked[0]["scheme"].lower() == "digest", asked
        want = "%.2f" % (bal / 100.0)
        assert shown == want, (shown, want)
        assert rows == len(OPS), rows
        text = b.eval("document.getElementById('tx').innerText")
        for kind, amt, date, who in OPS:
            assert who.decode() in text, (who, text)
            assert ("%s%.2f" % ("-" if kind == "D" else "+", amt / 100.0)
                    in text), (amt, text)
        # the newest first
        assert text.index("Green Grocer") < text.index("Issuer"), text
        b.pump(0.5)
        png = base64.b64decode(b.call("Page.captureScreenshot",
                                      format="png")["data"])
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        with open(args.shot, "wb") as f:
            f.write(png)
        print("balance %s, %d transactions, screenshot %d bytes, %d login(s)"
              % (shown, rows, len(png), len(asked)))
    finally:
        b.close()


def wrong_pin(args, card):
    """Three wrong PINs in the browser's login: the PIN is blocked for
    the web and for VERIFY."""
    b = cdp.Browser()
    wrong = []

    def answer(ch):
        if len(wrong) == 3:
            return None                 # cancel: no fourth try
        wrong.append(ch)
        return (USER, "0000")
    b.http_auth(answer)
    try:
        b.call("Page.enable")
        b.call("Page.navigate", url="http://127.0.0.1:%d/wallet/" % args.http)
        deadline = time.monotonic() + 30
        while len(wrong) < 3 or b.eval("document.readyState") != "complete":
            assert time.monotonic() < deadline, "logins: %d" % len(wrong)
            b.pump(0.2)
        body = b.eval("document.body ? document.body.innerText : ''")
        assert "Balance" not in body, body
    finally:
        b.close()
    # the right PIN now: VERIFY 6983 and the web login 403 (SELECT MF:
    # the file system, the basic channel's default application)
    card.apdu("00A4000C023F00", 0x9000, "SELECT MF")
    _, sw = card.apdu(b"\x00\x20\x00\x01\x08" + PIN1.encode() + b"\xFF" * 4)
    assert sw == 0x6983, "VERIFY after 3 bad web logins: %04X" % sw
    out = subprocess.run(
        ["curl", "-sS", "--max-time", "20", "--digest", "-u",
         "%s:%s" % (USER, PIN1), "-o", "/dev/null", "-w", "%{http_code}",
         "http://127.0.0.1:%d/wallet/api/state" % args.http],
        stdout=subprocess.PIPE, check=True).stdout.decode()
    assert out == "403", out
    print("3 wrong PINs in the browser: VERIFY %04X, web login %s" %
          (sw, out))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int)
    ap.add_argument("--reader")
    ap.add_argument("--http", type=int, required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--shot", required=True)
    args = ap.parse_args()
    card = applets_flow.Card(args)
    bal = transactions(card)
    browse(args, bal)
    wrong_pin(args, card)
    print("ok browser")


if __name__ == "__main__":
    main()
