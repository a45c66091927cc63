#!/usr/bin/python3
# Web applets on a running card (run by tests/system/test_webapps.c):
# applets loaded and installed over ISO 7816 as GPShell does it
# (applets_flow.py), their routes reached with curl, the real client.
#
#   webapps_flow.py (--port PORT | --reader NAME) --http PORT --build BUILD
#                   SCENARIO
#
# SCENARIO:
#   routes   tests/applets/webapp: 200 (method, path, query, a field, the
#            body), 405, the relative route, 507 past 2048 bytes, refused
#            registrations, a route removed (404), 500 from a fault and 503
#            from a spent budget with the card serving on (HTTP and ISO),
#            403 once LOCKED, 404 after DELETE
#   persist  an applet selected when the terminal resets the card; the
#            routes come back after a power cycle without the applet
#            registering them again
#   wallet   the wallet's APDUs with dates and merchants, against a model,
#            and GET /wallet/api/state saying the same; its page from the
#            content store (test image: PUT /_scws/)
#   wrk      wrk on an applet route: no errors, ISO 7816 answers after
#   https    the same route over PSK-TLS on port 4116 (openssl s_client
#            with the card's test PSK, docs/network.md), the applet told
#            the port
# What is checked: the status codes and bodies docs/webapps.md specifies.
# Prints "ok SCENARIO" at the end; any failure raises.
#
# SPDX-License-Identifier: Apache-2.0

import argparse
import json
import os
import re
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import applets_flow  # noqa: E402

WEB_PKG = bytes.fromhex("A00000007706")
WEB_MOD = bytes.fromhex("A0000000770601")
WEB_AID = WEB_MOD
WALLET_AID = bytes.fromhex("A0000000770301")
PIN = b"4321"


def curl(args, path, method="GET", headers=(), data=None, timeout=20):
    """(status, body bytes) of a request with curl."""
    cmd = ["curl", "-sS", "--max-time", str(timeout), "-o", "-", "-w",
           "\n%{http_code}", "-X", method]
    for h in headers:
        cmd += ["-H", h]
    if data is not None:
        cmd += ["--data-binary", data]
    cmd.append("http://127.0.0.1:%d%s" % (args.http, path))
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         timeout=timeout + 10)
    if out.returncode != 0:
        raise SystemExit("curl %s %s: %s" % (method, path,
                                             out.stderr.decode()))
    body, _, code = out.stdout.rpartition(b"\n")
    return int(code), body


def expect(args, path, code, **kw):
    got, body = curl(args, path, **kw)
    assert got == code, "%s %s: %d, expected %d: %r" % (
        kw.get("method", "GET"), path, got, code, body[:200])
    return body


def install_webapp(card):
    card.isd()
    card.load(WEB_PKG, card.blob("webapp"))
    card.install(WEB_PKG, WEB_MOD, WEB_AID)


def card_alive(card):
    """ISO 7816 still answers: the ISD's SELECT."""
    card.apdu("00A4040000", 0x9000, "SELECT the ISD")


def routes(card, args):
    install_webapp(card)
    j = json.loads(expect(args, "/t/echo?a=1&b=two", 200,
                          headers=["X-Test: hello card"]))
    assert j == {"method": "GET", "path": "/t/echo", "query": "a=1&b=two",
                 "x_test": "hello card", "body": "", "port": 80}, j
    j = json.loads(expect(args, "/t/echo", 200, method="POST",
                          data="amount=12"))
    assert j["method"] == "POST" and j["body"] == "amount=12", j
    assert j["x_test"] is None, j
    # HEAD: the same head, no body
    out = subprocess.run(["curl", "-sS", "-I", "--max-time", "10",
                          "http://127.0.0.1:%d/t/echo" % args.http],
                         stdout=subprocess.PIPE, check=True).stdout.decode()
    assert out.startswith("HTTP/1.1 200"), out
    assert "Content-Type: application/json" in out, out
    assert "X-Applet: webapp 1.0\r\n" in out, out
    out = subprocess.run(["curl", "-sS", "-i", "-X", "PUT", "-d", "x",
                          "--max-time", "10",
                          "http://127.0.0.1:%d/t/echo" % args.http],
                         stdout=subprocess.PIPE, check=True).stdout.decode()
    assert out.startswith("HTTP/1.1 405"), out
    assert "Allow: GET, HEAD, POST\r\n" in out, out
    assert expect(args, "/applets/%s/ping" % WEB_AID.hex().upper(),
                  200) == b"pong\n"
    expect(args, "/applets/%s/pong" % WEB_AID.hex().upper(), 404)
    big = expect(args, "/t/big", 507)
    assert len(big) == 35 * 58, len(big)
    # registrations the card refuses: another's segment, too long
    card.select(WEB_AID)
    r, _ = card.apdu("8011000000", 0x9000)
    assert struct.unpack(">i", r)[0] == -5, r.hex()        # NC_E_STATE
    r, _ = card.apdu("8012000000", 0x9000)
    assert struct.unpack(">i", r)[0] == -1, r.hex()        # NC_E_INVAL
    # the applet removes /t/echo (methods 0), then puts it back GET only
    r, _ = card.apdu("8010000000", 0x9000)
    assert struct.unpack(">i", r)[0] == 0, r.hex()
    expect(args, "/t/echo", 404)
    r, _ = card.apdu("8010010000", 0x9000)
    assert struct.unpack(">i", r)[0] >= 0, r.hex()
    expect(args, "/t/echo", 200)
    expect(args, "/t/echo", 405, method="POST", data="x")
    card.apdu("8010030000", 0x9000)
    # a fault: 500, the card serves on (its own page, the applet's other
    # routes, ISO 7816)
    body = expect(args, "/t/fault", 500)
    assert b"failed" in body, body
    expect(args, "/api/status", 200)
    expect(args, "/t/echo", 200)
    card_alive(card)
    # a spent budget: 503
    t0 = time.monotonic()
    expect(args, "/t/slow", 503)
    assert time.monotonic() - t0 < 10
    expect(args, "/api/status", 200)
    card_alive(card)
    # the third stop locks the instance (docs/applets.md): 403 for all
    # its routes, SELECT refused
    expect(args, "/t/fault", 500)
    expect(args, "/t/echo", 403)
    expect(args, "/applets/%s/ping" % WEB_AID.hex().upper(), 403)
    _, sw = card.apdu(b"\x00\xA4\x04\x00\x07" + WEB_AID + b"\x00")
    assert sw != 0x9000, "%04X" % sw
    # DELETE: its routes go with it
    card.isd()
    card.delete(WEB_AID)
    expect(args, "/t/echo", 404)
    expect(args, "/applets/%s/ping" % WEB_AID.hex().upper(), 404)
    expect(args, "/api/status", 200)
    # a new instance registers them again
    card.install(WEB_PKG, WEB_MOD, WEB_AID)
    expect(args, "/t/echo", 200)


def persist(card, args):
    install_webapp(card)
    expect(args, "/t/echo", 200)
    card.select(WEB_AID)        # selected when the terminal powers off:
    card.link.control(0x00)     # RST and VCC go low, the chip runs on
    time.sleep(1.0)             # (it serves the network) and sees RST
    card.reconnect()            # power off and on: a cold reset
    deadline = time.monotonic() + 60
    while True:
        try:
            code, _ = curl(args, "/t/echo", timeout=5)
        except (SystemExit, subprocess.TimeoutExpired):
            code = 0
        if code == 200:
            break
        assert time.monotonic() < deadline, "no route after the reset"
        time.sleep(0.5)
    card_alive(card)


SHELL = (("index.html", "text/html; charset=utf-8"), ("app.css", "text/css"),
         ("icon.svg", "image/svg+xml"))


def put_shell(http_port, root="/wallet/"):
    """The wallet's page (cardos/sdk/samples/wallet/www/) into the card's
    content store, with the test image's PUT /_scws/ (tests/cardos/
    test_web_admin.h) until remote SCWS administration exists."""
    www = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))), "cardos", "sdk", "samples", "wallet",
        "www")
    for name, ctype in SHELL:
        out = subprocess.run(
            ["curl", "-sS", "--max-time", "20", "-o", "/dev/null", "-w",
             "%{http_code}", "-X", "PUT", "-H", "Content-Type: " + ctype,
             "--data-binary", "@" + os.path.join(www, name),
             "http://127.0.0.1:%d/_scws%s%s" % (http_port, root, name)],
            stdout=subprocess.PIPE, check=True).stdout.decode()
        assert out in ("201", "204"), "PUT %s: %s" % (name, out)


def wallet_apdu(card, ins, data):
    return card.apdu(bytes([0x80, ins, 0, 0, len(data)]) + data + b"\x00")


def wallet(card, args):
    """Credits (issuer's channel) and debits (PIN) with dates and
    merchants; the web state against the model."""
    card.isd()
    card.load(applets_flow.WALLET_PKG, card.blob("wallet"))
    card.install(applets_flow.WALLET_PKG, applets_flow.WALLET_MOD,
                 WALLET_AID, params=PIN)
    j = json.loads(expect(args, "/wallet/api/state", 200))
    assert j == {"balance": 0, "seq": 0, "tries": 3, "tx": []}, j
    expect(args, "/wallet/api/other", 404)
    expect(args, "/wallet/", 404)           # no page until it is stored
    put_shell(args.http)
    out = subprocess.run(["curl", "-sSi", "--max-time", "10",
                          "http://127.0.0.1:%d/wallet/" % args.http],
                         stdout=subprocess.PIPE, check=True).stdout
    head, _, page = out.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head
    assert b"\r\nETag: " in head, head     # the content store's answer
    assert b"<title>Wallet</title>" in page, page[:200]
    assert b"http" not in page, "an external resource in the page"
    expect(args, "/wallet/app.css", 200)
    expect(args, "/wallet/icon.svg", 200)
    expect(args, "/wallet/nothing", 404)
    expect(args, "/wallet/api/state", 405, method="POST", data="x")
    card.select(WALLET_AID)
    ops = [("C", 5000, 1767225600, b"Issuer"),
           ("D", 1250, 1767312000, b"Cafe Lumen"),
           ("D", 399, 1767398400, b"Bookshop 42"),
           ("C", 2000, 0, b""),
           ("D", 100, 1767484800, b"")]
    model, bal = [], 0
    for seq, (kind, amt, date, who) in enumerate(ops, 1):
        tail = (struct.pack(">I", date) + who) if date or who else b""
        if kind == "C":
            card.wch = None
            applets_flow.wallet_channel(card)
            cmd = card.wch.wrap(b"\x80\x52\x00\x00" +
                                bytes([4 + len(tail)]) +
                                struct.pack(">I", amt) + tail)
            assert card.apdu(cmd)[1] == 0x9000
            bal += amt
        else:
            _, sw = wallet_apdu(card, 0x54, PIN + struct.pack(">I", amt) +
                                tail)
            assert sw == 0x9000, "%04X" % sw
            bal -= amt
        model.insert(0, {"type": "credit" if kind == "C" else "debit",
                         "seq": seq, "amount": amt, "date": date,
                         "merchant": who.decode()})
    # refused: a merchant with a control byte, a date cut short
    assert wallet_apdu(card, 0x54, PIN + struct.pack(">I", 1) +
                       b"\x00\x00\x00\x01ab\x07")[1] == 0x6A80
    assert wallet_apdu(card, 0x54, PIN + struct.pack(">I", 1) +
                       b"\x00\x01")[1] == 0x6A80
    # the old 8-byte log is unchanged, the new one has the rest
    log8, _ = card.apdu("8056000000", 0x9000)
    log24, _ = card.apdu("805A000000", 0x9000)
    assert len(log8) == 8 * len(ops) and len(log24) == 24 * len(ops)
    for i, t in enumerate(model):
        e = log24[24 * i:24 * i + 24]
        assert e[:8] == log8[8 * i:8 * i + 8]
        assert struct.unpack(">I", e[8:12])[0] == t["date"]
        assert e[12:].rstrip(b"\x00").decode() == t["merchant"]
    j = json.loads(expect(args, "/wallet/api/state", 200))
    assert j == {"balance": bal, "seq": len(ops), "tries": 3, "tx": model}, \
        (j, model)
    print("state %s" % json.dumps(j))


def wrk(card, args):
    install_webapp(card)
    out = subprocess.run(["wrk", "-t", "2", "-c", "4", "-d", "3s",
                          "--timeout", "5s", "-H", "X-Test: wrk",
                          "http://127.0.0.1:%d/t/echo" % args.http],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         timeout=60).stdout.decode()
    m = re.search(r"(\d+) requests in", out)
    assert m and int(m.group(1)) > 100, out
    assert "Socket errors" not in out and "Non-2xx" not in out, out
    print("wrk: %s requests" % m.group(1))
    expect(args, "/t/echo", 200)
    card_alive(card)
    card.select(WEB_AID)


def https(card, args):
    install_webapp(card)
    req = (b"POST /t/echo?tls=1 HTTP/1.1\r\nHost: card\r\nX-Test: over tls\r\n"
           b"Content-Length: 5\r\nConnection: close\r\n\r\nhello")
    out = subprocess.run(
        ["openssl", "s_client", "-connect", "127.0.0.1:%d" % args.https,
         "-tls1_2", "-psk_identity", "netcard-test", "-psk",
         "000102030405060708090a0b0c0d0e0f", "-cipher",
         "PSK-AES128-GCM-SHA256", "-quiet", "-ign_eof"],
        input=req, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        timeout=60).stdout
    head, _, body = out.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), out[:300]
    j = json.loads(body)
    assert j == {"method": "POST", "path": "/t/echo", "query": "tls=1",
                 "x_test": "over tls", "body": "hello", "port": 4116}, j
    card_alive(card)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int)
    ap.add_argument("--reader")
    ap.add_argument("--http", type=int, required=True)
    ap.add_argument("--https", type=int)
    ap.add_argument("--build", required=True)
    ap.add_argument("scenario", choices=["routes", "persist", "wallet",
                                         "wrk", "https"])
    args = ap.parse_args()
    card = applets_flow.Card(args)
    {"routes": routes, "persist": persist, "wallet": wallet,
     "wrk": wrk, "https": https}[args.scenario](card, args)
    print("ok %s" % args.scenario)


if __name__ == "__main__":
    main()
